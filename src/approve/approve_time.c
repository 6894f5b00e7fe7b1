/*
 * approve_time.c - durations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "approve_time.h"

int
approve_duration(const char *text, int64_t *seconds)
{
    char *end;
    if (!text || *text < '0' || *text > '9' || strlen(text) > 12)
        return -1;
    long long v = strtoll(text, &end, 10);
    long long unit = !*end               ? 1
                     : !strcmp(end, "s") ? 1
                     : !strcmp(end, "m") ? 60
                     : !strcmp(end, "h") ? 3600
                     : !strcmp(end, "d") ? 86400
                                         : 0;
    if (!unit || v <= 0 || v > APPROVE_MAX_DURATION / unit)
        return -1;
    *seconds = v * unit;
    return 0;
}

void
approve_duration_text(int64_t s, char *buf, size_t n)
{
    if (s < 0)
        s = 0;
    if (s >= 86400)
        snprintf(buf, n, "%lldd %lldh", (long long)(s / 86400), (long long)(s % 86400 / 3600));
    else if (s >= 3600)
        snprintf(buf, n, "%lldh %lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
    else if (s >= 60)
        snprintf(buf, n, "%lldm %llds", (long long)(s / 60), (long long)(s % 60));
    else
        snprintf(buf, n, "%llds", (long long)s);
}

int64_t
approve_now(void)
{
    return (int64_t)time(NULL);
}
