#include "cedar_ext.h"

#include <string.h>

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Fixed-width run of decimal digits at p; -1 if any is not a digit. */
static int
fixed_digits(const char *p, size_t width, int64_t *out)
{
    int64_t v = 0;
    for (size_t i = 0; i < width; i++) {
        if (!is_digit(p[i]))
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return 0;
}

/* decimal: -?[0-9]+ "." [0-9]{1,4}, value * 10^4 must fit in 64 bits. */
int
cedar_decimal_parse(const char *p, size_t n, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && p[i] == '-') {
        neg = true;
        i++;
    }
    size_t int_start = i;
    __int128 mag = 0;
    while (i < n && is_digit(p[i])) {
        mag = mag * 10 + (p[i] - '0');
        if (mag > ((__int128)1 << 64))
            return -1;
        i++;
    }
    if (i == int_start || i >= n || p[i] != '.')
        return -1;
    i++;
    size_t frac_start = i;
    int64_t frac = 0;
    while (i < n && is_digit(p[i])) {
        /* Accumulate at most 5 digits: more is an error anyway, and this
         * keeps the arithmetic far from overflow. */
        if (i - frac_start < 5)
            frac = frac * 10 + (p[i] - '0');
        i++;
    }
    size_t fdigits = i - frac_start;
    if (i != n || fdigits == 0 || fdigits > 4)
        return -1;
    for (size_t k = fdigits; k < 4; k++)
        frac *= 10;
    __int128 v = mag * 10000 + frac;
    if (neg)
        v = -v;
    if (v > INT64_MAX || v < INT64_MIN)
        return -1;
    *out = (int64_t)v;
    return 0;
}

/* Digits of a prefix length or IPv4 group: no leading zero unless "0". */
static int
parse_small_num(const char *p, size_t n, size_t max_digits, unsigned max, unsigned *out)
{
    if (n == 0 || n > max_digits || (p[0] == '0' && n > 1))
        return -1;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(p[i]))
            return -1;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

static int
parse_v4(const char *p, size_t n, uint8_t addr[16])
{
    size_t start = 0;
    int group = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && p[i] != '.')
            continue;
        unsigned v;
        if (group >= 4 || parse_small_num(p + start, i - start, 3, 255, &v))
            return -1;
        addr[12 + group++] = (uint8_t)v;
        start = i + 1;
    }
    return group == 4 ? 0 : -1;
}

static int
hex_val(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Colon-separated hex groups (1-4 digits each) into groups[]; "" is none. */
static int
parse_v6_groups(const char *p, size_t n, uint16_t *groups, size_t *count)
{
    *count = 0;
    if (n == 0)
        return 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && p[i] != ':')
            continue;
        size_t len = i - start;
        if (len == 0 || len > 4 || *count >= 8)
            return -1;
        unsigned v = 0;
        for (size_t k = start; k < i; k++) {
            int h = hex_val(p[k]);
            if (h < 0)
                return -1;
            v = v * 16 + (unsigned)h;
        }
        groups[(*count)++] = (uint16_t)v;
        start = i + 1;
    }
    return 0;
}

static int
parse_v6(const char *p, size_t n, uint8_t addr[16])
{
    uint16_t g[8] = {0}, left[8], right[8];
    size_t nl = 0, nr = 0;
    const char *dc = NULL;
    for (size_t i = 0; i + 1 < n; i++) {
        if (p[i] == ':' && p[i + 1] == ':') {
            dc = p + i;
            break;
        }
    }
    if (!dc) {
        if (parse_v6_groups(p, n, left, &nl) || nl != 8)
            return -1;
        memcpy(g, left, sizeof(g));
    } else {
        const char *rest = dc + 2;
        size_t rn = n - (size_t)(rest - p);
        /* A second "::" is an error. */
        for (size_t i = 0; i + 1 < rn; i++)
            if (rest[i] == ':' && rest[i + 1] == ':')
                return -1;
        if (parse_v6_groups(p, (size_t)(dc - p), left, &nl) ||
            parse_v6_groups(rest, rn, right, &nr) || nl + nr >= 8)
            return -1;
        memcpy(g, left, nl * sizeof(uint16_t));
        memcpy(g + 8 - nr, right, nr * sizeof(uint16_t));
    }
    for (int i = 0; i < 8; i++) {
        addr[2 * i] = (uint8_t)(g[i] >> 8);
        addr[2 * i + 1] = (uint8_t)g[i];
    }
    return 0;
}

/* ip: IPv4 dotted quad or IPv6 (hex groups, one "::"), optional "/prefix". */
int
cedar_ip_parse(const char *p, size_t n, struct cedar_ip *out)
{
    struct cedar_ip ip;
    memset(&ip, 0, sizeof(ip));
    size_t addr_len = n;
    const char *slash = memchr(p, '/', n);
    if (slash)
        addr_len = (size_t)(slash - p);
    const char *pre = slash ? slash + 1 : NULL;
    size_t pre_len = slash ? n - addr_len - 1 : 0;
    if (pre && memchr(pre, '/', pre_len))
        return -1;
    unsigned prefix;
    if (parse_v4(p, addr_len, ip.addr) == 0) {
        if (pre && parse_small_num(pre, pre_len, 2, 32, &prefix))
            return -1;
        ip.prefix = pre ? (uint8_t)prefix : 32;
    } else {
        memset(ip.addr, 0, sizeof(ip.addr));
        if (parse_v6(p, addr_len, ip.addr))
            return -1;
        if (pre && parse_small_num(pre, pre_len, 3, 128, &prefix))
            return -1;
        ip.v6 = 1;
        ip.prefix = pre ? (uint8_t)prefix : 128;
    }
    *out = ip;
    return 0;
}

static unsigned __int128
ip_bits(const struct cedar_ip *ip)
{
    unsigned __int128 v = 0;
    for (int i = ip->v6 ? 0 : 12; i < 16; i++)
        v = (v << 8) | ip->addr[i];
    return v;
}

static void
ip_range(const struct cedar_ip *ip, unsigned __int128 *lo, unsigned __int128 *hi)
{
    unsigned width = (ip->v6 ? 128u : 32u) - ip->prefix;
    unsigned __int128 v = ip_bits(ip);
    unsigned __int128 mask = width >= 128 ? 0 : ~(((unsigned __int128)1 << width) - 1);
    *lo = v & mask;
    *hi = width >= 128 ? ~(unsigned __int128)0 : *lo + (((unsigned __int128)1 << width) - 1);
}

bool
cedar_ip_in_range(const struct cedar_ip *ip, const struct cedar_ip *range)
{
    if (ip->v6 != range->v6)
        return false;
    unsigned __int128 lo1, hi1, lo2, hi2;
    ip_range(ip, &lo1, &hi1);
    ip_range(range, &lo2, &hi2);
    return hi2 >= hi1 && lo1 >= lo2;
}

bool
cedar_ip_is_loopback(const struct cedar_ip *ip)
{
    struct cedar_ip net = {.v6 = ip->v6};
    if (ip->v6) {
        net.addr[15] = 1;
        net.prefix = 128;
    } else {
        net.addr[12] = 127;
        net.prefix = 8;
    }
    return cedar_ip_in_range(ip, &net);
}

bool
cedar_ip_is_multicast(const struct cedar_ip *ip)
{
    struct cedar_ip net = {.v6 = ip->v6};
    if (ip->v6) {
        net.addr[0] = 0xff;
        net.prefix = 8;
    } else {
        net.addr[12] = 224;
        net.prefix = 4;
    }
    return cedar_ip_in_range(ip, &net);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp + (mp < 10 ? 3 : -9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int
days_in_month(int64_t y, int64_t m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

/*
 * datetime: "YYYY-MM-DD", optionally followed by "Thh:mm:ss", optional
 * ".SSS", then "Z" or "(+|-)hhmm".  No leap seconds; offsets under 24h.
 */
int
cedar_datetime_parse(const char *p, size_t n, int64_t *out)
{
    int64_t y, mo, d, h = 0, mi = 0, s = 0, ms = 0, off = 0;
    if (n < 10 || fixed_digits(p, 4, &y) || p[4] != '-' || fixed_digits(p + 5, 2, &mo) ||
        p[7] != '-' || fixed_digits(p + 8, 2, &d))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return -1;
    size_t i = 10;
    if (i < n) {
        if (n < 20 || p[10] != 'T' || fixed_digits(p + 11, 2, &h) || p[13] != ':' ||
            fixed_digits(p + 14, 2, &mi) || p[16] != ':' || fixed_digits(p + 17, 2, &s))
            return -1;
        if (h > 23 || mi > 59 || s > 59)
            return -1;
        i = 19;
        if (p[i] == '.') {
            if (n < i + 4 || fixed_digits(p + i + 1, 3, &ms))
                return -1;
            i += 4;
        }
        if (i < n && p[i] == 'Z') {
            i++;
        } else if (i < n && (p[i] == '+' || p[i] == '-')) {
            int64_t oh, om;
            if (n < i + 5 || fixed_digits(p + i + 1, 2, &oh) || fixed_digits(p + i + 3, 2, &om))
                return -1;
            if (oh > 23 || om > 59)
                return -1;
            off = (oh * 3600 + om * 60) * 1000;
            if (p[i] == '-')
                off = -off;
            i += 5;
        } else {
            return -1;
        }
        if (i != n)
            return -1;
    }
    int64_t days = days_from_civil(y, mo, d);
    *out = days * CEDAR_MS_PER_DAY + ((h * 60 + mi) * 60 + s) * 1000 + ms - off;
    return 0;
}

/*
 * duration: optional "-", then quantity-unit pairs in the order d, h, m, s,
 * ms, each at most once, at least one; the total in ms fits in 64 bits.
 */
int
cedar_duration_parse(const char *p, size_t n, int64_t *out)
{
    static const struct {
        const char *unit;
        size_t len;
        int64_t ms;
    } units[] = {{"d", 1, CEDAR_MS_PER_DAY},
                 {"h", 1, 3600000},
                 {"m", 1, 60000},
                 {"s", 1, 1000},
                 {"ms", 2, 1}};
    size_t i = 0;
    bool neg = false;
    if (i < n && p[i] == '-') {
        neg = true;
        i++;
    }
    if (i == n)
        return -1;
    size_t next_unit = 0;
    int64_t total = 0;
    while (i < n) {
        size_t start = i;
        int64_t q = 0;
        while (i < n && is_digit(p[i])) {
            if (__builtin_mul_overflow(q, 10, &q) || __builtin_add_overflow(q, p[i] - '0', &q))
                return -1;
            i++;
        }
        if (i == start)
            return -1;
        size_t u = next_unit;
        for (; u < sizeof(units) / sizeof(units[0]); u++) {
            size_t ul = units[u].len;
            /* "m" must not swallow the "m" of "ms". */
            if (n - i >= ul && memcmp(p + i, units[u].unit, ul) == 0 &&
                !(ul == 1 && p[i] == 'm' && i + 1 < n && p[i + 1] == 's'))
                break;
        }
        if (u == sizeof(units) / sizeof(units[0]))
            return -1;
        int64_t part;
        if (__builtin_mul_overflow(q, units[u].ms, &part) ||
            __builtin_add_overflow(total, part, &total))
            return -1;
        i += units[u].len;
        next_unit = u + 1;
    }
    *out = neg ? -total : total;
    return 0;
}

int
cedar_datetime_to_date(int64_t ms, int64_t *out)
{
    int64_t q = ms / CEDAR_MS_PER_DAY;
    if (ms < 0 && ms % CEDAR_MS_PER_DAY != 0)
        q -= 1;
    int64_t r;
    if (__builtin_mul_overflow(q, CEDAR_MS_PER_DAY, &r))
        return -1;
    *out = r;
    return 0;
}

int64_t
cedar_datetime_to_time(int64_t ms)
{
    int64_t r = ms % CEDAR_MS_PER_DAY;
    return r < 0 ? r + CEDAR_MS_PER_DAY : r;
}

int
cedar_decimal_print(struct util_buf *b, int64_t d)
{
    unsigned long long mag = d < 0 ? 0ull - (unsigned long long)d : (unsigned long long)d;
    return util_buf_printf(b, "%s%llu.%04llu", d < 0 ? "-" : "", mag / 10000, mag % 10000);
}

int
cedar_ip_print(struct util_buf *b, const struct cedar_ip *ip)
{
    int rc;
    if (!ip->v6) {
        rc = util_buf_printf(b, "%u.%u.%u.%u", ip->addr[12], ip->addr[13], ip->addr[14],
                             ip->addr[15]);
    } else {
        rc = 0;
        for (int i = 0; i < 8 && !rc; i++)
            rc = util_buf_printf(b, "%s%x", i ? ":" : "",
                                 (unsigned)(ip->addr[2 * i] << 8 | ip->addr[2 * i + 1]));
    }
    if (!rc && ip->prefix != (ip->v6 ? 128 : 32))
        rc = util_buf_printf(b, "/%u", ip->prefix);
    return rc;
}

int
cedar_datetime_print(struct util_buf *b, int64_t ms)
{
    int64_t date;
    if (cedar_datetime_to_date(ms, &date))
        return util_buf_printf(b, "%lldms", (long long)ms);
    int64_t t = cedar_datetime_to_time(ms), y, m, d;
    civil_from_days(date / CEDAR_MS_PER_DAY, &y, &m, &d);
    return util_buf_printf(b, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ", (long long)y,
                           (long long)m, (long long)d, (long long)(t / 3600000),
                           (long long)(t / 60000 % 60), (long long)(t / 1000 % 60),
                           (long long)(t % 1000));
}

int
cedar_duration_print(struct util_buf *b, int64_t ms)
{
    unsigned long long mag = ms < 0 ? 0ull - (unsigned long long)ms : (unsigned long long)ms;
    return util_buf_printf(b, "%s%llums", ms < 0 ? "-" : "", mag);
}
