/*
 * Fuzz target: the texts people and commands give airlockd's approvals
 * (src/approve): durations ("15m"), the "approvals" configuration object,
 * and the command splitting and exposure keys run on every permitted
 * call's arguments.  A key is NUL-terminated, under APPROVE_MAX_KEY, and
 * made of bytes of the command; a duration is positive and within a year.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/approve/approve_config.h"
#include "../src/approve/approve_exposure.h"
#include "../src/approve/approve_time.h"

static void
one(void *arg, const char *cmd, size_t n)
{
    char key[APPROVE_MAX_KEY];
    (void)arg;
    for (int narrowing = 0; narrowing < 2; narrowing++)
        if (approve_exposure_key(cmd, n, narrowing, key, sizeof(key)) == 0 &&
            strnlen(key, sizeof(key)) >= sizeof(key))
            __builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    int64_t secs;
    if (approve_duration(s, &secs) == 0 && (secs <= 0 || secs > APPROVE_MAX_DURATION))
        __builtin_trap();
    approve_each_command(s, size, one, NULL);
    json_t *o = json_loadb(s, size, JSON_REJECT_DUPLICATES, NULL);
    if (json_is_object(o)) {
        struct approve_config c;
        char err[256];
        if (approve_config_parse(&c, o, err, sizeof(err)) == 0 &&
            (c.timeout <= 0 || c.retry_window <= 0 || c.alert_after <= 0 || c.alert_every <= 0))
            __builtin_trap();
    }
    json_decref(o);
    free(s);
    return 0;
}
