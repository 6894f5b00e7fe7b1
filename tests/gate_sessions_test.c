/*
 * gate_sessions: agent sessions' effects across gates, in memory
 * (airlockd's, at most GATE_MAX_AGENT_SESSIONS, the least recently used
 * forgotten) and in files (embedded hooks'), and a session whose file
 * cannot be read said as such (the gate then refuses).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../src/gate/gate.h"
#include "../src/gate/gate_sessions.h"
#include "test_util.h"

static void
test_memory(void **state)
{
    (void)state;
    struct gate_sessions *s;
    char err[256], key[64];
    unsigned e = 99;
    assert_int_equal(gate_sessions_open(&s, NULL, err, sizeof(err)), 0);
    assert_int_equal(gate_sessions_get(s, "bot\nalice\ns-1", &e), 0);
    assert_int_equal(e, 0);
    assert_int_equal(gate_sessions_add(s, "bot\nalice\ns-1", GATE_EFFECT_UNTRUSTED), 0);
    assert_int_equal(gate_sessions_add(s, "bot\nalice\ns-1", GATE_EFFECT_EXTERNAL | 0x10), 0);
    assert_int_equal(gate_sessions_get(s, "bot\nalice\ns-1", &e), 0);
    assert_int_equal(e, GATE_EFFECT_UNTRUSTED | GATE_EFFECT_EXTERNAL);
    /* Another user's session of the same id is another session. */
    assert_int_equal(gate_sessions_get(s, "bot\nbob\ns-1", &e), 0);
    assert_int_equal(e, 0);
    /* GATE_MAX_AGENT_SESSIONS: one more forgets the least recently used
     * (not s-1, looked at since). */
    for (unsigned i = 0; i + 1 < GATE_MAX_AGENT_SESSIONS; i++) {
        snprintf(key, sizeof(key), "bot\nalice\nk-%u", i);
        assert_int_equal(gate_sessions_add(s, key, GATE_EFFECT_SENSITIVE), 0);
    }
    assert_int_equal(gate_sessions_get(s, "bot\nalice\ns-1", &e), 0);
    assert_int_equal(e, GATE_EFFECT_UNTRUSTED | GATE_EFFECT_EXTERNAL);
    assert_int_equal(gate_sessions_add(s, "bot\nalice\nlast", GATE_EFFECT_SENSITIVE), 0);
    assert_int_equal(gate_sessions_get(s, "bot\nalice\nk-0", &e), 0);
    assert_int_equal(e, 0);
    assert_int_equal(gate_sessions_get(s, "bot\nalice\nk-1", &e), 0);
    assert_int_equal(e, GATE_EFFECT_SENSITIVE);
    assert_int_equal(gate_sessions_get(s, "bot\nalice\ns-1", &e), 0);
    assert_int_equal(e, GATE_EFFECT_UNTRUSTED | GATE_EFFECT_EXTERNAL);
    gate_sessions_close(s);
}

static void
test_files(void **state)
{
    (void)state;
    char dir[512], err[256], cmd[600];
    struct gate_sessions *a, *b;
    unsigned e = 99;
    snprintf(dir, sizeof(dir), "%s/sessions.%d", tu_build_dir(), (int)getpid());
    assert_int_equal(gate_sessions_open(&a, dir, err, sizeof(err)), 0);
    assert_int_equal(gate_sessions_open(&b, dir, err, sizeof(err)), 0);
    assert_int_equal(gate_sessions_get(a, "bot\n\ns-1", &e), 0);
    assert_int_equal(e, 0);
    assert_int_equal(gate_sessions_add(a, "bot\n\ns-1", GATE_EFFECT_UNTRUSTED), 0);
    assert_int_equal(gate_sessions_add(b, "bot\n\ns-1", GATE_EFFECT_SENSITIVE), 0);
    assert_int_equal(gate_sessions_get(a, "bot\n\ns-1", &e), 0);
    assert_int_equal(e, GATE_EFFECT_UNTRUSTED | GATE_EFFECT_SENSITIVE);
    gate_sessions_close(b);
    /* A session's file that cannot be read: said, not taken for none. */
    snprintf(cmd, sizeof(cmd), "for f in '%s'/*; do rm \"$f\" && mkdir \"$f\"; done", dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(gate_sessions_get(a, "bot\n\ns-1", &e), -1);
    assert_int_equal(gate_sessions_add(a, "bot\n\ns-1", GATE_EFFECT_EXTERNAL), -1);
    gate_sessions_close(a);
    /* A folder that cannot be made. */
    assert_int_equal(gate_sessions_open(&a, "/proc/no/such", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "/proc/no/such"));
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory),
        cmocka_unit_test(test_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
