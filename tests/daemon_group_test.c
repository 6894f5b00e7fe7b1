/*
 * daemon_group: group commit across sessions in airlockd, against a real
 * daemon in a child process (as root it drops to nobody).  Requests from
 * several sessions served in one round share one fdatasync of the ledger;
 * when that fdatasync fails, every answer of the round is an error, the
 * round's records are gone, and the next round is served as usual.
 *
 * The child sets ledger_fault_hook: each write-ahead fdatasync is counted
 * into a file, and fails while a flag file exists.  A round is made by
 * stopping the daemon (SIGSTOP), sending every session's request, and
 * letting it go on (SIGCONT): one poll then finds them all.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/daemon/daemon.h"
#include "../src/daemon/daemon_wire.h"
#include "../src/gate/gate.h"
#include "../src/ledger/ledger_log.h"
#include "../src/ledger/ledger_tile.h"
#include "test_util.h"

#define SESSIONS 8

static struct tu_daemon td;
static char flag[640], count[640];

/* In the daemon: count write-ahead fdatasyncs; fail them while flagged. */
static int
hook(const char *op)
{
    static uint64_t n;
    if (strcmp(op, "fdatasync") != 0)
        return 0;
    n++;
    int fd = open(count, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) {
        (void)!pwrite(fd, &n, sizeof(n), 0);
        close(fd);
    }
    return access(flag, F_OK) == 0 ? -EIO : 0;
}

static uint64_t
fdatasyncs(void)
{
    uint64_t n = 0;
    int fd = open(count, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        (void)!pread(fd, &n, sizeof(n), 0);
        close(fd);
    }
    return n;
}

static void
names(void)
{
    snprintf(flag, sizeof(flag), "%s/fail", td.base);
    snprintf(count, sizeof(count), "%s/fdatasyncs", td.base);
}

/* In the daemon's process, before it starts. */
static void
prepare(void)
{
    names();
    ledger_fault_hook = hook;
}

static int
setup(void **state)
{
    (void)state;
    /* Everything permitted: the answers here are about the ledger. */
    int rc = tu_daemon_start(&td, "daemon_group_test", 1, prepare);
    names();
    return rc;
}

static int
teardown(void **state)
{
    (void)state;
    return tu_daemon_remove(&td);
}

/* ---- a session on the wire ---- */

struct sess {
    int fd;
    struct wire_in in;
    struct wire_buf out;
};

static void
send_frame(struct sess *s, enum wire_type type, enum wire_tag t1, const char *v1, enum wire_tag t2,
           const char *v2)
{
    wire_begin(&s->out, type);
    if (v1)
        wire_add_str(&s->out, t1, v1);
    if (v2)
        wire_add_str(&s->out, t2, v2);
    assert_int_equal(wire_send(s->fd, &s->out), 0);
}

/* The next answer: its type; *entry and *outcome from a verdict. */
static int
answer(struct sess *s, int64_t *entry, int64_t *outcome, char *text, size_t n)
{
    const char *body;
    size_t len;
    char err[256];
    struct wire_msg m;
    assert_int_equal(wire_next(s->fd, &s->in, &body, &len, err, sizeof(err)), 0);
    assert_int_equal(wire_parse(body, len, &m, err, sizeof(err)), 0);
    if (entry)
        assert_int_equal(m.type != WIRE_VERDICT || wire_number(&m, WT_ENTRY, entry), 0);
    if (outcome)
        assert_int_equal(m.type != WIRE_VERDICT || wire_number(&m, WT_OUTCOME, outcome), 0);
    if (text) {
        const struct wire_field *f = &m.f[WT_TEXT];
        snprintf(text, n, "%.*s", (int)f->n, f->p ? f->p : "");
    }
    return m.type;
}

static void
open_session(struct sess *s)
{
    char err[256];
    memset(s, 0, sizeof(*s));
    s->fd = wire_dial(td.sock, err, sizeof(err));
    assert_true(s->fd >= 0);
    send_frame(s, WIRE_HELLO, WT_SERVER, "srv", WT_AGENT, "agent-a");
    assert_int_equal(answer(s, NULL, NULL, NULL, 0), WIRE_OK);
    send_frame(s, WIRE_TOOLS, WT_JSON, "[{\"name\":\"post\"}]", 0, NULL);
    assert_int_equal(answer(s, NULL, NULL, NULL, 0), WIRE_OK);
}

static void
close_session(struct sess *s)
{
    close(s->fd);
    wire_in_release(&s->in);
    wire_release(&s->out);
}

static void
send_decide(struct sess *s, int n)
{
    char params[128];
    snprintf(params, sizeof(params), "{\"name\":\"post\",\"arguments\":{\"n\":%d}}", n);
    send_frame(s, WIRE_DECIDE, WT_METHOD, "tools/call", WT_JSON, params);
}

/* One round: every session's request sent while the daemon is stopped.
 * The write-ahead fdatasyncs so far. */
static uint64_t
round_of(struct sess *s, int first_n)
{
    usleep(200000); /* the setup's records checkpointed, the daemon idle */
    assert_int_equal(kill(td.pid, SIGSTOP), 0);
    uint64_t n = fdatasyncs();
    for (int i = 0; i < SESSIONS; i++)
        send_decide(&s[i], first_n + i);
    assert_int_equal(kill(td.pid, SIGCONT), 0);
    return n;
}

/* Whether the ledger holds an entry with this text (daemon stopped). */
static int
ledger_has(const char *needle)
{
    char dir[600], err[512];
    snprintf(dir, sizeof(dir), "%s/data", td.base);
    struct ledger_log *log;
    if (ledger_open(dir, 0, &log, err, sizeof(err))) {
        fprintf(stderr, "%s\n", err);
        fail();
    }
    int found = 0;
    for (uint64_t i = 0; i < ledger_size(log) && !found; i++) {
        uint8_t *p;
        size_t n;
        assert_int_equal(ledger_read_entry(log, i, &p, &n), 0);
        found = memmem(p, n, needle, strlen(needle)) != NULL;
        free(p);
    }
    ledger_close(log);
    return found;
}

/* Every session's answer is a permit, each with its own ledger entry. */
static void
expect_permits(struct sess *s)
{
    int64_t entries[SESSIONS];
    for (int i = 0; i < SESSIONS; i++) {
        int64_t outcome;
        assert_int_equal(answer(&s[i], &entries[i], &outcome, NULL, 0), WIRE_VERDICT);
        assert_int_equal(outcome, GATE_PERMIT);
        for (int k = 0; k < i; k++)
            assert_true(entries[k] != entries[i]);
    }
}

static void
test_one_fdatasync_per_round(void **state)
{
    (void)state;
    struct sess s[SESSIONS];
    for (int i = 0; i < SESSIONS; i++)
        open_session(&s[i]);
    uint64_t before = round_of(s, 100);
    expect_permits(s);
    /* Eight requests of eight sessions, durable with one fdatasync. */
    assert_int_equal(fdatasyncs() - before, 1);
    for (int i = 0; i < SESSIONS; i++)
        close_session(&s[i]);
}

static void
test_failed_round_is_refused(void **state)
{
    (void)state;
    struct sess s[SESSIONS];
    for (int i = 0; i < SESSIONS; i++)
        open_session(&s[i]);
    /* The write-ahead fdatasync fails: every answer of the round is an
     * error that says why, none a verdict. */
    FILE *f = fopen(flag, "w");
    assert_non_null(f);
    fclose(f);
    chmod(flag, 0644);
    round_of(s, 600);
    for (int i = 0; i < SESSIONS; i++) {
        char text[512];
        assert_int_equal(answer(&s[i], NULL, NULL, text, sizeof(text)), WIRE_ERROR);
        assert_non_null(strstr(text, "could not record this durably"));
    }
    assert_int_equal(unlink(flag), 0);
    /* The next round is served, on the same sessions. */
    round_of(s, 700);
    expect_permits(s);
    for (int i = 0; i < SESSIONS; i++)
        close_session(&s[i]);
    /* Stop the daemon (it checkpoints on the way out): the refused
     * round's records are not in the ledger, the next round's are. */
    tu_daemon_stop(&td);
    for (int i = 0; i < SESSIONS; i++) {
        char refused[32], served[32];
        snprintf(refused, sizeof(refused), "\"n\":%d}", 600 + i);
        snprintf(served, sizeof(served), "\"n\":%d}", 700 + i);
        assert_false(ledger_has(refused));
        assert_true(ledger_has(served));
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_one_fdatasync_per_round, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_round_is_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
