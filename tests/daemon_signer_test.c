/*
 * daemon_signer: the key's process signs checkpoints of its own log, in
 * order, and refuses (ending itself) a foreign origin, a smaller tree, the
 * same size with another root, malformed text and an oversized request;
 * a log opened with it verifies what it is given.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/util/util_buf.h"
#include "../src/daemon/daemon_signer.h"
#include "../src/ledger/ledger_checkpoint.h"
#include "../src/ledger/ledger_log.h"
#include "test_util.h"

static char dir[64];
static const char *origin = "test/signer";

static int
setup(void **state)
{
    (void)state;
    char vkey[512], err[256];
    snprintf(dir, sizeof(dir), "/tmp/airlock-signer-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    strcat(dir, "/log");
    return ledger_create(dir, origin, vkey, sizeof(vkey), err, sizeof(err));
}

static int
teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %.*s", (int)(strlen(dir) - 4), dir);
    return system(cmd);
}

static int
sign(struct signer *s, const char *org, uint64_t size, unsigned char rootbyte)
{
    struct ledger_checkpoint cp = {.size = size};
    snprintf(cp.origin, sizeof(cp.origin), "%s", org);
    memset(cp.root, rootbyte, sizeof(cp.root));
    char text[512];
    int n = ledger_checkpoint_format(&cp, text, sizeof(text));
    struct util_buf b;
    util_buf_init(&b, 65536);
    int rc = signer_sign(s, text, (size_t)n, &b);
    if (rc == 0)
        assert_memory_equal(b.p, text, (size_t)n); /* the note starts with our text */
    util_buf_free(&b);
    return rc;
}

static void
test_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *origin;
        uint64_t size;
        unsigned char root;
    } refused[] = {
        {"other/log", 5, 1}, /* not its log */
        {NULL, 4, 1},        /* smaller than what it signed */
        {NULL, 5, 2},        /* the same size, another root */
    };
    char err[256];
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        struct signer s;
        assert_int_equal(signer_start(&s, dir, err, sizeof(err)), 0);
        assert_int_equal(sign(&s, origin, 5, 1), 0);
        assert_int_equal(sign(&s, origin, 5, 1), 0); /* the same again is fine */
        assert_int_equal(sign(&s, refused[i].origin ? refused[i].origin : origin, refused[i].size,
                              refused[i].root),
                         -1);
        /* and it is gone: nothing more is signed */
        assert_int_equal(sign(&s, origin, 6, 1), -1);
        signer_stop(&s);
    }
    /* Not a checkpoint at all, and a request over SIGNER_MAX_TEXT. */
    struct signer s;
    struct util_buf b;
    util_buf_init(&b, 65536);
    assert_int_equal(signer_start(&s, dir, err, sizeof(err)), 0);
    assert_int_equal(signer_sign(&s, "hello\n", 6, &b), -1);
    signer_stop(&s);
    assert_int_equal(signer_start(&s, dir, err, sizeof(err)), 0);
    char *big = calloc(1, SIGNER_MAX_TEXT + 1);
    assert_int_equal(signer_sign(&s, big, SIGNER_MAX_TEXT + 1, &b), -1);
    free(big);
    signer_stop(&s);
    util_buf_free(&b);
}

/* Once it has signed, the signer runs under its seccomp filter. */
static void
test_confined(void **state)
{
    (void)state;
    struct signer s;
    char err[256], path[64], line[256];
    int seccomp = -1, nnp = -1;
    assert_int_equal(signer_start(&s, dir, err, sizeof(err)), 0);
    assert_int_equal(sign(&s, origin, 7, 3), 0);
    snprintf(path, sizeof(path), "/proc/%d/status", (int)s.pid);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f)) {
        sscanf(line, "Seccomp: %d", &seccomp);
        sscanf(line, "NoNewPrivs: %d", &nnp);
    }
    fclose(f);
    assert_int_equal(seccomp, 2); /* filter mode */
    assert_int_equal(nnp, 1);
    signer_stop(&s);
}

/* A log opened with the signer appends and checkpoints without the key. */
static void
test_ledger_with_signer(void **state)
{
    (void)state;
    struct signer s;
    struct ledger_log *log;
    char err[256];
    uint64_t first;
    assert_int_equal(signer_start(&s, dir, err, sizeof(err)), 0);
    assert_int_equal(ledger_open_signer(dir, signer_sign, &s, &log, err, sizeof(err)), 0);
    struct ledger_entry e = {"one", 3};
    assert_int_equal(ledger_append(log, &e, 1, &first, err, sizeof(err)), 0);
    assert_int_equal(ledger_size(log), 1);
    ledger_close(log);
    signer_stop(&s);
    /* Without a signer that answers, checkpoints fail: never a false one. */
    assert_int_equal(signer_start(&s, dir, err, sizeof(err)), 0);
    assert_int_equal(ledger_open_signer(dir, signer_sign, &s, &log, err, sizeof(err)), 0);
    kill(s.pid, SIGKILL);
    waitpid(s.pid, NULL, 0);
    s.pid = 0;
    assert_int_equal(ledger_append(log, &e, 1, &first, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "cannot sign the checkpoint"));
    ledger_close(log);
    signer_stop(&s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_confined),
        cmocka_unit_test(test_ledger_with_signer),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
