/*
 * approve_time.h - durations as people write them ("15m", "2h", "90s",
 * "1d", or plain seconds) and as they read them ("1h 5m").
 */
#ifndef APPROVE_TIME_H
#define APPROVE_TIME_H

#include <stddef.h>
#include <stdint.h>

#define APPROVE_MAX_DURATION (366LL * 86400) /* a year: anything longer is a typo */

/* Seconds in text: 0, or -1 (not a duration, zero, or over the maximum). */
int approve_duration(const char *text, int64_t *seconds);
/* "3d 4h", "1h 5m", "2m 3s", "45s". */
void approve_duration_text(int64_t seconds, char *buf, size_t n);
/* Now, in Unix seconds. */
int64_t approve_now(void);

#endif
