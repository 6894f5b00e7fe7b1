#include "test_util.h"

#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/daemon/daemon.h"

const char *
tu_shared_dir(void)
{
    const char *env = getenv("AIRLOCK_SHARED");
    return env ? env : "../shared";
}

const char *
tu_build_dir(void)
{
    return "build";
}

struct cedar_policyset *
tu_policies(const char *text)
{
    cedar_hash_init();
    struct cedar_policyset *ps = cedar_policyset_new();
    static struct cedar_diags d;
    d.n = 0;
    int rc = cedar_policyset_add_text(ps, text, strlen(text), 0, &d);
    if (rc) {
        fprintf(stderr, "parse error %d: %u:%u %s\n", rc, d.n ? d.v[0].line : 0,
                d.n ? d.v[0].col : 0, d.n ? d.v[0].msg : "");
        fail();
    }
    return ps;
}

struct cedar_entities *
tu_entities(const char *json)
{
    cedar_hash_init();
    struct cedar_entities *es = cedar_entities_new();
    struct cedar_error err;
    if (cedar_entities_load_json(es, json, strlen(json), &err)) {
        fprintf(stderr, "entities: %s\n", err.msg);
        fail();
    }
    return es;
}

int
tu_authorize(const struct cedar_policyset *ps, const struct cedar_entities *es,
             const char *principal, const char *action, const char *resource, const char *context,
             struct cedar_response *resp)
{
    static struct cedar_authorizer *az;
    static struct cedar_arena a;
    static int init;
    if (!init) {
        az = cedar_authorizer_new();
        cedar_arena_init(&a, 0);
        init = 1;
    }
    cedar_arena_reset(&a);
    char buf[4096];
    snprintf(buf, sizeof(buf),
             "{\"principal\": \"%s\", \"action\": \"%s\", \"resource\": \"%s\", "
             "\"context\": %s}",
             principal, action, resource, context ? context : "{}");
    struct cedar_request req;
    struct cedar_error err;
    int rc = cedar_request_from_json(&a, buf, strlen(buf), &req, &err);
    if (rc) {
        fprintf(stderr, "request: %s\n", err.msg);
        return rc;
    }
    return cedar_authorize(az, ps, es, &req, resp);
}

int
tu_eval(const char *expr, const char *entities, const char *context, char *out, size_t n)
{
    cedar_hash_init();
    struct cedar_arena a;
    cedar_arena_init(&a, 0);
    struct cedar_entities *es = tu_entities(entities ? entities : "[]");
    struct cedar_diags d;
    d.n = 0;
    struct cedar_expr *e;
    int rc = cedar_parse_expr(&a, expr, strlen(expr), &e, &d);
    if (rc) {
        snprintf(out, n, "parse error: %s", d.n ? d.v[0].msg : "?");
        goto done;
    }
    char buf[4096];
    snprintf(buf, sizeof(buf),
             "{\"principal\": \"User::\\\"alice\\\"\", \"action\": \"Action::\\\"view\\\"\", "
             "\"resource\": \"Doc::\\\"d\\\"\", \"context\": %s}",
             context ? context : "{}");
    struct cedar_request req;
    struct cedar_error err;
    if (cedar_request_from_json(&a, buf, strlen(buf), &req, &err)) {
        snprintf(out, n, "request error: %s", err.msg);
        rc = -1;
        goto done;
    }
    struct cedar_eval ev = {.req = &req, .es = es, .arena = &a};
    struct cedar_value v;
    rc = cedar_eval_expr(&ev, e, &v);
    if (rc) {
        snprintf(out, n, "error: %s", ev.err.msg);
        goto done;
    }
    struct util_buf b;
    util_buf_init(&b, 1 << 20);
    cedar_value_print(&b, &v);
    snprintf(out, n, "%s", util_buf_str(&b));
    util_buf_free(&b);
done:
    cedar_entities_free(es);
    cedar_arena_release(&a);
    return rc ? -1 : 0;
}

const char *
tu_eval_str(const char *expr)
{
    static char out[4096];
    tu_eval(expr, NULL, NULL, out, sizeof(out));
    return out;
}

size_t
tu_unescape(const char *in, char *out)
{
    size_t n = 0;
    for (size_t i = 0; in[i]; i++) {
        if (in[i] == '\\' && in[i + 1] && strchr("ntr\\", in[i + 1])) {
            out[n++] = in[i + 1] == 'n'   ? '\n'
                       : in[i + 1] == 't' ? '\t'
                       : in[i + 1] == 'r' ? '\r'
                                          : '\\';
            i++;
        } else {
            out[n++] = in[i];
        }
    }
    out[n] = '\0';
    return n;
}

int
tu_run_cases(const char *name, tu_render_fn render, int unescape)
{
    char path[512], line[4096], text[4096] = "", got[8192];
    snprintf(path, sizeof(path), "%s/../tests/data/%s", tu_build_dir(), name);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("%s: cannot open", path);
    int cases = 0, failed = 0;
    size_t tlen = 0;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        if (!strncmp(line, "> ", 2)) {
            if (unescape) {
                tlen = tu_unescape(line + 2, text);
            } else {
                tlen = strlen(line + 2);
                memcpy(text, line + 2, tlen + 1);
            }
            continue;
        }
        if (strncmp(line, "= ", 2))
            continue;
        got[0] = '\0';
        render(text, tlen, got, sizeof(got));
        cases++;
        if (strcmp(got, line + 2)) {
            failed++;
            fprintf(stderr, "%s case %d: %.*s\n  want: %s\n  got:  %s\n", name, cases, (int)tlen,
                    text, line + 2, got);
        }
    }
    fclose(f);
    if (failed)
        fail_msg("%s: %d of %d cases differ", name, failed, cases);
    return cases;
}

char *
tu_art_command(const json_t *t)
{
    const char *cmd = json_string_value(json_object_get(t, "command"));
    const json_t *args = json_object_get(t, "input_arguments");
    size_t cap = strlen(cmd) * 4 + 4096, n = 0;
    char *out = malloc(cap);
    for (const char *p = cmd; out && *p && n + 1024 < cap;) {
        const char *end = !strncmp(p, "#{", 2) ? strchr(p, '}') : NULL;
        if (!end) {
            out[n++] = *p++;
            continue;
        }
        char name[128];
        snprintf(name, sizeof(name), "%.*s", (int)(end - p - 2), p + 2);
        const json_t *d = json_object_get(json_object_get(args, name), "default");
        char num[32];
        const char *val = json_string_value(d);
        if (!val && json_is_number(d)) {
            snprintf(num, sizeof(num), "%g", json_number_value(d));
            val = num;
        }
        n += (size_t)snprintf(out + n, cap - n, "%.900s", val ? val : "x");
        p = end + 1;
    }
    if (out)
        out[n] = '\0';
    return out;
}

int
tu_daemon_start(struct tu_daemon *t, const char *name, int permit_all, void (*prepare)(void))
{
    static char admin[640], dir[640];
    snprintf(t->base, sizeof(t->base), "%s/%s.%d", tu_build_dir(), name, (int)getpid());
    snprintf(t->sock, sizeof(t->sock), "%s/s", t->base);
    snprintf(admin, sizeof(admin), "%s/admin.cedar", t->base);
    snprintf(dir, sizeof(dir), "%s/data", t->base);
    if (mkdir(t->base, 0700))
        return -1;
    /* Everyone may do everything, but an agent's user still may not
     * approve: the decisions in these tests are about the daemon. */
    FILE *f = fopen(admin, "w");
    if (!f)
        return -1;
    fputs("permit (principal, action, resource);\n", f);
    fclose(f);
    chmod(admin, 0644);
    struct passwd *pw = geteuid() == 0 ? getpwnam("nobody") : NULL;
    if (pw && chown(t->base, pw->pw_uid, pw->pw_gid))
        return -1;
    t->pid = fork();
    if (t->pid == 0) {
        struct daemon_opts o = {.dir = dir,
                                .socket = t->sock,
                                .policies = permit_all ? admin : NULL,
                                .admin_policies = admin,
                                .user = pw ? "nobody" : NULL};
        char err[1024];
        if (prepare)
            prepare();
        if (daemon_run(&o, err, sizeof(err)))
            fprintf(stderr, "%s: %s\n", name, err);
        _exit(0);
    }
    for (int i = 0; i < 500 && access(t->sock, F_OK); i++)
        usleep(10000);
    return t->pid > 0 && access(t->sock, F_OK) == 0 ? 0 : -1;
}

void
tu_daemon_stop(struct tu_daemon *t)
{
    if (t->pid <= 0) /* 0 would signal the whole process group */
        return;
    kill(t->pid, SIGCONT);
    kill(t->pid, SIGTERM);
    waitpid(t->pid, NULL, 0);
    t->pid = 0;
}

int
tu_daemon_remove(struct tu_daemon *t)
{
    char cmd[700];
    tu_daemon_stop(t);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", t->base);
    return system(cmd) == 0 ? 0 : -1;
}
