/*
 * approve_config.c - reading "approvals".
 */
#include <stdio.h>
#include <string.h>

#include "approve_config.h"
#include "approve_time.h"

static int
duration(const json_t *v, int64_t *out)
{
    if (json_is_integer(v) && json_integer_value(v) > 0 &&
        json_integer_value(v) <= APPROVE_MAX_DURATION) {
        *out = json_integer_value(v);
        return 0;
    }
    return approve_duration(json_string_value(v), out);
}

int
approve_config_parse(struct approve_config *c, const json_t *o, char *err, size_t errlen)
{
    static const char *const names[] = {"timeout", "retryWindow", "exposureAlertAfter",
                                        "exposureAlertEvery"};
    int64_t *slots[] = {&c->timeout, &c->retry_window, &c->alert_after, &c->alert_every};
    *c = (struct approve_config){600, 600, 900, 900, NULL};
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)o, key, v) {
        size_t i = 0;
        while (i < 4 && strcmp(key, names[i]))
            i++;
        if (i < 4) {
            if (duration(v, slots[i])) {
                snprintf(err, errlen, "approvals.%s: not a duration (\"15m\", \"2h\", seconds)",
                         key);
                return -1;
            }
        } else if (!strcmp(key, "webhook") && json_is_string(v)) {
            c->webhook = json_string_value(v);
        } else {
            snprintf(err, errlen, "approvals: unknown member \"%s\" (or of the wrong type)", key);
            return -1;
        }
    }
    return 0;
}
