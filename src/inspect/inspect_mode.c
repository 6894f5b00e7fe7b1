/*
 * inspect_mode.c - chmod modes, numeric and symbolic (chmod(1)).
 */
#include <string.h>

#include "inspect_mode.h"

static int
numeric(const char *s, struct inspect_mode *m)
{
    unsigned v = 0;
    size_t n = strlen(s);
    if (n == 0 || n > 8 || strspn(s, "01234567") != n)
        return -1;
    for (size_t i = 0; i < n; i++)
        v = v * 8 + (unsigned)(s[i] - '0');
    if (v > 07777)
        return -1;
    memset(m, 0, sizeof(*m));
    m->absolute = 1;
    m->other_read = (v & 04) != 0;
    m->other_write = (v & 02) != 0;
    m->other_exec = (v & 01) != 0;
    m->group_write = (v & 020) != 0;
    m->setid = (v & 06000) != 0;
    return 0;
}

/* One clause: [ugoa]* ( [-+=] ( [rwxXst]* | [ugo] ) )+ */
static int
clause(const char *s, size_t n, struct inspect_mode *m)
{
    size_t i = 0;
    int who_o = 0, who_g = 0, who_u = 0, any = 0;
    while (i < n && strchr("ugoa", s[i])) {
        who_u |= s[i] == 'u' || s[i] == 'a';
        who_g |= s[i] == 'g' || s[i] == 'a';
        who_o |= s[i] == 'o' || s[i] == 'a';
        any = 1;
        i++;
    }
    if (!any) /* no who: all, less the umask (which never masks u) */
        who_u = who_g = who_o = 1;
    if (i == n)
        return -1;
    while (i < n) {
        char op = s[i++];
        if (!strchr("+-=", op))
            return -1;
        int r = 0, w = 0, x = 0, st = 0;
        if (i < n && strchr("ugo", s[i])) {
            /* copy another class's bits: unknown, so as wide as can be */
            r = w = x = 1;
            i++;
        } else {
            while (i < n && strchr("rwxXst", s[i])) {
                r |= s[i] == 'r';
                w |= s[i] == 'w';
                x |= s[i] == 'x' || s[i] == 'X';
                st |= s[i] == 's';
                i++;
            }
        }
        if (op == '-')
            continue; /* taking away never widens */
        if (who_o) {
            m->other_read |= r;
            m->other_write |= w;
            m->other_exec |= x;
        }
        if (who_g)
            m->group_write |= w;
        if (st && (who_u || who_g))
            m->setid = 1;
    }
    return 0;
}

int
inspect_mode_parse(const char *s, struct inspect_mode *m)
{
    if (s[0] >= '0' && s[0] <= '7')
        return numeric(s, m);
    struct inspect_mode t;
    memset(&t, 0, sizeof(t));
    if (!*s)
        return -1;
    while (*s) {
        size_t n = strcspn(s, ",");
        if (n == 0 || clause(s, n, &t))
            return -1;
        s += n;
        if (*s == ',' && !*++s)
            return -1;
    }
    *m = t;
    return 0;
}

int
inspect_mode_widens(const struct inspect_mode *m)
{
    return m->other_read || m->other_write || m->group_write || m->setid;
}
