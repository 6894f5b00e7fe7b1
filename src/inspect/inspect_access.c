/*
 * inspect_access.c - the access-change model's tables.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inspect_access.h"
#include "inspect_finding.h"
#include "inspect_opts.h"
#include "inspect_re.h"
#include "inspect_report.h"
#include "inspect_table.h"

/* Widest last: the rank is the index + 1. */
static const char *const breadths[] = {
    "service",           "user",   "group", "unknown", "broad-group", "organization",
    "any-authenticated", "public",
};
#define NBREADTHS (sizeof(breadths) / sizeof(*breadths))
static const char *const privileges[] = {"read", "write", "admin", "owner", "unknown"};
#define NPRIVILEGES (sizeof(privileges) / sizeof(*privileges))
static const char *const changes[] = {"grant",  "revoke",       "make-public",
                                      "expose", "remove-guard", "add-credential"};

struct row {
    struct inspect_pat p; /* compiled when first matched (inspect_re.h) */
    const char *value;    /* static: a breadth or a privilege */
};

struct sev {
    char change[24], breadth[24], privilege[16];
    int sensitive; /* -1 any, 0 no, 1 yes */
    int rank;
};

struct optrow {
    char *name;
    struct inspect_optspec spec; /* its strings point into text */
    char *text;
};

struct inspect_access_tables {
    struct row *breadth, *privilege, *sensitive;
    size_t nbreadth, nprivilege, nsensitive;
    struct sev *sev;
    size_t nsev;
    struct optrow *opts;
    size_t nopts;
    char **domains, **groups;
    size_t ndomains, ngroups;
};

int
inspect_breadth_rank(const char *b)
{
    for (size_t i = 0; b && i < NBREADTHS; i++)
        if (!strcmp(b, breadths[i]))
            return (int)i + 1;
    return 0;
}

static const char *
known(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s, list[i]))
            return list[i];
    return NULL;
}

int
inspect_change_valid(const char *s)
{
    return s && known(s, changes, sizeof(changes) / sizeof(*changes)) != NULL;
}

static void
free_rows(struct row *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        inspect_pat_free(&v[i].p);
    free(v);
}

static int
compile_rows(struct row *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!inspect_pat_ready(&v[i].p))
            return -1;
    return 0;
}

int
inspect_access_compile(struct inspect_access_tables *t, char *err, size_t errlen)
{
    if (compile_rows(t->breadth, t->nbreadth) || compile_rows(t->privilege, t->nprivilege) ||
        compile_rows(t->sensitive, t->nsensitive)) {
        snprintf(err, errlen, "a regex that does not compile");
        return -1;
    }
    return 0;
}

void
inspect_access_free(struct inspect_access_tables *t)
{
    if (!t)
        return;
    free_rows(t->breadth, t->nbreadth);
    free_rows(t->privilege, t->nprivilege);
    free_rows(t->sensitive, t->nsensitive);
    free(t->sev);
    for (size_t i = 0; i < t->nopts; i++)
        free(t->opts[i].text);
    free(t->opts);
    for (size_t i = 0; i < t->ndomains; i++)
        free(t->domains[i]);
    for (size_t i = 0; i < t->ngroups; i++)
        free(t->groups[i]);
    free(t->domains);
    free(t->groups);
    free(t);
}

/* A /regex/ field compiled into a new row of *v. */
static int
add_row(struct row **v, size_t *n, const char *field, uint32_t flags, const char *value,
        const char **why)
{
    size_t len = strlen(field);
    if (len < 2 || field[0] != '/' || field[len - 1] != '/')
        return *why = "expected a /regex/", -1;
    struct row *nv = realloc(*v, (*n + 1) * sizeof(**v));
    if (!nv)
        return *why = "out of memory", -1;
    *v = nv;
    struct row *r = &nv[*n];
    memset(r, 0, sizeof(*r));
    if (inspect_pat_set(&r->p, field + 1, len - 2, flags))
        return *why = "out of memory", -1;
    inspect_pat_bytes(&r->p);
    r->value = value;
    (*n)++;
    return 0;
}

static int
matches(const struct row *r, const char *s)
{
    return inspect_pat_match(&r->p, s);
}

/* A severity field: "*" or one of list, copied into dst. */
static int
sev_field(char *dst, size_t cap, const char *s, const char *const *list, size_t n)
{
    if (strcmp(s, "*") && !known(s, list, n))
        return -1;
    snprintf(dst, cap, "%s", s);
    return 0;
}

static int
add_sev(struct inspect_access_tables *t, char **f, int nf, const char **why)
{
    if (nf != 6)
        return *why = "severity takes CHANGE BREADTH PRIVILEGE SENSITIVE SEVERITY", -1;
    struct sev s;
    memset(&s, 0, sizeof(s));
    if (sev_field(s.change, sizeof(s.change), f[1], changes, sizeof(changes) / sizeof(*changes)))
        return *why = "unknown change", -1;
    if (sev_field(s.breadth, sizeof(s.breadth), f[2], breadths, NBREADTHS))
        return *why = "unknown breadth", -1;
    if (sev_field(s.privilege, sizeof(s.privilege), f[3], privileges, NPRIVILEGES))
        return *why = "unknown privilege", -1;
    if (!strcmp(f[4], "*"))
        s.sensitive = -1;
    else if (!strcmp(f[4], "yes") || !strcmp(f[4], "no"))
        s.sensitive = f[4][0] == 'y';
    else
        return *why = "SENSITIVE is yes, no or *", -1;
    if ((s.rank = inspect_severity_rank(f[5])) < 0)
        return *why = "unknown severity", -1;
    struct sev *nv = realloc(t->sev, (t->nsev + 1) * sizeof(*nv));
    if (!nv)
        return *why = "out of memory", -1;
    t->sev = nv;
    nv[t->nsev++] = s;
    return 0;
}

/* options CMD SHORT LONG: LONG "*" with "!name" exceptions, or names. */
static int
add_opts(struct inspect_access_tables *t, char **f, int nf, const char **why)
{
    if (nf != 4 || !*f[1])
        return *why = "options takes CMD SHORT LONG", -1;
    struct optrow *nv = realloc(t->opts, (t->nopts + 1) * sizeof(*nv));
    if (!nv)
        return *why = "out of memory", -1;
    t->opts = nv;
    struct optrow *o = &nv[t->nopts];
    memset(o, 0, sizeof(*o));
    size_t a = strlen(f[1]) + 1, b = strlen(f[2]) + 1, c = strlen(f[3]) + 1;
    if (!(o->text = malloc(a + b + 2 * c + 2)))
        return *why = "out of memory", -1;
    char *p = o->text;
    o->name = memcpy(p, f[1], a);
    p += a;
    o->spec.argshort = memcpy(p, f[2], b);
    p += b;
    /* LONG split into names that take a value and "!" exceptions. */
    char *names = p, *bools = p + c + 1;
    size_t nn = 0, nb = 0;
    for (const char *w = f[3]; *w;) {
        w += strspn(w, " ");
        size_t k = strcspn(w, " ");
        if (k == 1 && *w == '*') {
            o->spec.longall = 1;
        } else if (k > 1 && *w == '!') {
            memcpy(bools + nb, w + 1, k - 1);
            nb += k - 1;
            bools[nb++] = ' ';
        } else if (k) {
            memcpy(names + nn, w, k);
            nn += k;
            names[nn++] = ' ';
        }
        w += k;
    }
    names[nn] = bools[nb] = '\0';
    o->spec.arglong = names;
    o->spec.longbool = bools;
    o->spec.aliases = "";
    t->nopts++;
    return 0;
}

static int
parse_line(struct inspect_access_tables *t, char *line, const char **why)
{
    char *f[8] = {0};
    int nf = 0;
    for (char *p = line; p && nf < 8;) {
        f[nf++] = p;
        char *tab = strchr(p, '\t');
        if (tab)
            *tab = '\0';
        p = tab ? tab + 1 : NULL;
    }
    if (!strcmp(f[0], "breadth") || !strcmp(f[0], "privilege")) {
        int b = f[0][0] == 'b';
        const char *v =
            nf == 3 ? b ? known(f[2], breadths, NBREADTHS) : known(f[2], privileges, NPRIVILEGES)
                    : NULL;
        if (!v)
            return *why = b ? "breadth takes /RE/ and a breadth"
                            : "privilege takes /RE/ and a "
                              "privilege",
                   -1;
        return b ? add_row(&t->breadth, &t->nbreadth, f[1], 0, v, why)
                 : add_row(&t->privilege, &t->nprivilege, f[1], PCRE2_CASELESS, v, why);
    }
    if (!strcmp(f[0], "sensitive")) {
        if (nf != 2)
            return *why = "sensitive takes /RE/", -1;
        return add_row(&t->sensitive, &t->nsensitive, f[1], PCRE2_CASELESS, "", why);
    }
    if (!strcmp(f[0], "severity"))
        return add_sev(t, f, nf, why);
    if (!strcmp(f[0], "options"))
        return add_opts(t, f, nf, why);
    return *why = "a line that is not breadth, privilege, sensitive, severity or options", -1;
}

struct loading {
    struct inspect_access_tables *t;
    unsigned rows;
};

static int
add_line(void *arg, char *line, const char **why)
{
    struct loading *ld = arg;
    if (++ld->rows > INSPECT_MAX_ACCESS_ROWS)
        return *why = "more lines than the access table loads (INSPECT_MAX_ACCESS_ROWS)", -1;
    return parse_line(ld->t, line, why);
}

int
inspect_access_load(struct inspect_access_tables **out, const char *text, size_t len, char *err,
                    size_t errlen)
{
    struct loading ld = {calloc(1, sizeof(*ld.t)), 0};
    if (!ld.t) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = inspect_table_lines(text, len, add_line, &ld, err, errlen);
    if (!rc && !ld.t->nsev) {
        snprintf(err, errlen, "no severity lines: every access change needs one");
        rc = -1;
    }
    if (rc) {
        inspect_access_free(ld.t);
        return -1;
    }
    *out = ld.t;
    return 0;
}

static void
free_names(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static int
copy_names(char ***dst, const char *const *src, size_t n)
{
    char **v = calloc(n ? n : 1, sizeof(*v));
    if (!v)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!(v[i] = strdup(src[i]))) {
            free_names(v, i);
            return -1;
        }
    *dst = v;
    return 0;
}

int
inspect_access_org(struct inspect_access_tables *t, const char *const *domains, size_t nd,
                   const char *const *groups, size_t ng, char *err, size_t errlen)
{
    if (nd + ng > INSPECT_MAX_ORG_NAMES) {
        snprintf(err, errlen, "more than %u domains and broad groups", INSPECT_MAX_ORG_NAMES);
        return -1;
    }
    for (size_t i = 0; i < nd + ng; i++) {
        const char *s = i < nd ? domains[i] : groups[i - nd];
        if (!s || !*s || strlen(s) >= INSPECT_MAX_ACCESS_TEXT) {
            snprintf(err, errlen, "an empty or too long name among the %s",
                     i < nd ? "domains" : "broad groups");
            return -1;
        }
    }
    char **d = NULL, **g = NULL;
    if (copy_names(&d, domains, nd) || copy_names(&g, groups, ng)) {
        free_names(d, d ? nd : 0);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    free_names(t->domains, t->ndomains);
    free_names(t->groups, t->ngroups);
    t->domains = d, t->ndomains = nd;
    t->groups = g, t->ngroups = ng;
    return 0;
}

/* s without a "group:" / "user:" ... prefix. */
static const char *
unprefixed(const char *s)
{
    static const char *const pre[] = {
        "group:", "user:", "domain:", "serviceAccount:", "g:", "u:", "group=", "user="};
    for (size_t i = 0; i < sizeof(pre) / sizeof(*pre); i++)
        if (!strncasecmp(s, pre[i], strlen(pre[i])))
            return s + strlen(pre[i]);
    return s;
}

/* Is d (a domain) one of the organization's, or below one? */
static int
org_domain(const struct inspect_access_tables *t, const char *d, size_t n)
{
    for (size_t i = 0; i < t->ndomains; i++) {
        size_t k = strlen(t->domains[i]);
        if (n >= k && !strncasecmp(d + n - k, t->domains[i], k) && (n == k || d[n - k - 1] == '.'))
            return 1;
    }
    return 0;
}

/* The breadth the operator's organization gives g, or NULL. */
static const char *
org_breadth(const struct inspect_access_tables *t, const char *g)
{
    const char *u = unprefixed(g);
    const char *at = strchr(u, '@');
    size_t local = at ? (size_t)(at - u) : strlen(u);
    if (!strncasecmp(g, "domain:", 7) || (!at && u == g && org_domain(t, u, strlen(u))))
        return org_domain(t, u, strlen(u)) ? "organization" : NULL;
    for (size_t i = 0; i < t->ngroups; i++) {
        const char *b = t->groups[i];
        if (strchr(b, '@') ? !strcasecmp(b, u)
                           : strlen(b) == local && !strncasecmp(b, u, local) &&
                                 (!at || !t->ndomains || org_domain(t, at + 1, strlen(at + 1))))
            return "broad-group";
    }
    return NULL;
}

const char *
inspect_access_breadth(const struct inspect_access_tables *t, const char *grantee)
{
    const char *b = org_breadth(t, grantee);
    if (b)
        return b;
    for (size_t i = 0; i < t->nbreadth; i++)
        if (matches(&t->breadth[i], grantee))
            return t->breadth[i].value;
    return "unknown";
}

const char *
inspect_access_privilege(const struct inspect_access_tables *t, const char *role)
{
    for (size_t i = 0; i < t->nprivilege; i++)
        if (matches(&t->privilege[i], role))
            return t->privilege[i].value;
    return "unknown";
}

int
inspect_access_sensitive(const struct inspect_access_tables *t, const char *object)
{
    for (size_t i = 0; object && *object && i < t->nsensitive; i++)
        if (matches(&t->sensitive[i], object))
            return 1;
    return 0;
}

static int
field_is(const char *field, const char *v)
{
    return !strcmp(field, "*") || (v && !strcmp(field, v));
}

int
inspect_access_severity(const struct inspect_access_tables *t, const struct inspect_access *a)
{
    int sens = inspect_access_sensitive(t, a->object);
    const char *priv = a->privilege && *a->privilege ? a->privilege : "unknown";
    const char *breadth = a->breadth && *a->breadth ? a->breadth : "unknown";
    for (size_t i = 0; i < t->nsev; i++) {
        const struct sev *s = &t->sev[i];
        if (field_is(s->change, a->change) && field_is(s->breadth, breadth) &&
            field_is(s->privilege, priv) && (s->sensitive < 0 || s->sensitive == sens))
            return s->rank;
    }
    return INSPECT_SEV_HIGH; /* no line says: high, never an all clear */
}

/* Privileges in the order a grant of them is wider. */
static const char *const privilege_order[] = {"read", "write", "unknown", "admin", "owner"};

int
inspect_privilege_rank(const char *p)
{
    for (int i = 0; p && i < 5; i++)
        if (!strcmp(p, privilege_order[i]))
            return i + 1;
    return 0;
}

const char *
inspect_access_highest(const struct inspect_access_tables *t, const char *roles)
{
    const char *best = "";
    char one[INSPECT_MAX_ACCESS_TEXT];
    for (const char *p = roles; *p;) {
        size_t k = strcspn(p, ",");
        const char *w = p;
        size_t n = k;
        while (n && *w == ' ')
            w++, n--;
        if (n) {
            size_t m = n < sizeof(one) - 1 ? n : sizeof(one) - 1;
            memcpy(one, w, m);
            one[m] = '\0';
            const char *pv = inspect_access_privilege(t, one);
            if (inspect_privilege_rank(pv) > inspect_privilege_rank(best))
                best = pv;
        }
        p += k + (p[k] == ',');
    }
    return best;
}

int
inspect_access_make(const struct inspect_access_tables *t, const char *change, const char *grantee,
                    const char *role, const char *kind, const char *object,
                    struct inspect_access *a)
{
    memset(a, 0, sizeof(*a));
    a->change = change;
    inspect_access_text(a->grantee, grantee ? grantee : "");
    inspect_access_text(a->object, object ? object : "");
    a->kind = kind ? kind : "";
    a->breadth = grantee && *grantee ? inspect_access_breadth(t, a->grantee) : "unknown";
    a->privilege = role ? inspect_access_highest(t, role) : "";
    return inspect_access_severity(t, a);
}

const struct inspect_optspec *
inspect_access_options(const struct inspect_access_tables *t, const char *name)
{
    for (size_t i = 0; t && i < t->nopts; i++)
        if (!strcmp(t->opts[i].name, name))
            return &t->opts[i].spec;
    return NULL;
}

void
inspect_access_text(char *dst, const char *s)
{
    size_t n = strlen(s);
    if (n >= INSPECT_MAX_ACCESS_TEXT) {
        n = INSPECT_MAX_ACCESS_TEXT - 1;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--; /* not inside a UTF-8 character */
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
    inspect_sanitize(dst, n); /* it goes into JSON and before people */
}
