/*
 * cedar_ext.h - Cedar's extension types: decimal, ipaddr, datetime, duration.
 *
 * Parsers take length-counted text and accept exactly what Cedar accepts
 * (the grammar of each is above its parser); they return 0 and write *out,
 * or -1 and leave *out untouched.  Arithmetic helpers return -1 on 64-bit
 * overflow.
 */
#ifndef CEDAR_EXT_H
#define CEDAR_EXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/util_buf.h"
#include "cedar_value.h"

#define CEDAR_MS_PER_DAY 86400000LL

int cedar_decimal_parse(const char *p, size_t n, int64_t *out);
int cedar_ip_parse(const char *p, size_t n, struct cedar_ip *out);
int cedar_datetime_parse(const char *p, size_t n, int64_t *out);
int cedar_duration_parse(const char *p, size_t n, int64_t *out);

bool cedar_ip_in_range(const struct cedar_ip *ip, const struct cedar_ip *range);
bool cedar_ip_is_loopback(const struct cedar_ip *ip);
bool cedar_ip_is_multicast(const struct cedar_ip *ip);

int cedar_datetime_to_date(int64_t ms, int64_t *out);
int64_t cedar_datetime_to_time(int64_t ms);

int cedar_decimal_print(struct util_buf *b, int64_t d);
int cedar_ip_print(struct util_buf *b, const struct cedar_ip *ip);
int cedar_datetime_print(struct util_buf *b, int64_t ms);
int cedar_duration_print(struct util_buf *b, int64_t ms);

#endif
