/*
 * util_log.h - the one place library code reports what it cannot return.
 *
 * Library code returns its errors; what happens where no caller can be
 * told (a background checkpoint that failed, a notification the webhook
 * did not take, a message from a peer that had to be dropped) is logged
 * here, once, to standard error, as a line that names the program
 * ("airlock: ...", "airlockd: ..."): the message says it.  One module, so
 * that a later sink (syslog, the journal, a test's capture) is one change.
 */
#ifndef UTIL_LOG_H
#define UTIL_LOG_H

/* One line (fmt ends with \n), written at once. */
void util_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
