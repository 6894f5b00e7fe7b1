/*
 * approve_config.h - the "approvals" member of airlockd's configuration:
 *
 *   "approvals": {
 *     "timeout":            "10m",  a held call is denied after this long
 *     "retryWindow":        "10m",  an approval nobody was waiting for stands
 *                                   this long for the same call again
 *     "webhook":            "https://hooks.slack.com/services/...",
 *     "exposureAlertAfter": "15m",  an open exposure is alerted after this
 *     "exposureAlertEvery": "15m"   and again at this interval
 *   }
 *
 * Durations are approve_duration texts or seconds; every member is
 * optional; an unknown one is an error.
 */
#ifndef APPROVE_CONFIG_H
#define APPROVE_CONFIG_H

#include <jansson.h>
#include <stdint.h>

struct approve_config {
    int64_t timeout, retry_window, alert_after, alert_every;
    const char *webhook; /* borrowed from the JSON, NULL: none */
};

/* o may be NULL (the defaults).  0, or -1 with err. */
int approve_config_parse(struct approve_config *c, const json_t *o, char *err, size_t errlen);

#endif
