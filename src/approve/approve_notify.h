/*
 * approve_notify.h - webhook notifications (Slack-compatible JSON:
 * {"text": "...", "airlock": {...}}) posted with libcurl.
 *
 * A thread of its own posts them, so a slow or dead receiver never delays
 * a decision; the queue is bounded (a notification beyond it is dropped
 * and counted, and said on stderr).  The ledger, not the webhook, is the
 * record: a notification is an alert, sent at most once.
 */
#ifndef APPROVE_NOTIFY_H
#define APPROVE_NOTIFY_H

#include <jansson.h>

#define NOTIFY_MAX_QUEUE 256 /* notifications waiting to be posted */
#define NOTIFY_TIMEOUT 5     /* seconds one post may take */
#define NOTIFY_MAX_URL 2048  /* bytes of the webhook's URL */

struct notify;

/* url NULL: notifications are dropped silently (none configured).  0 or -1. */
int notify_start(struct notify **out, const char *url, char *err, size_t errlen);
/* Queue text with details (borrowed).  Never blocks. */
void notify_send(struct notify *n, const char *text, const json_t *details);
/* Finish the post in flight (at most NOTIFY_TIMEOUT), drop the rest
 * (said on stderr), stop. */
void notify_stop(struct notify *n);
/* Notifications dropped: the queue was full, a post failed, or they were
 * still queued at stop. */
unsigned long notify_dropped(struct notify *n);

#endif
