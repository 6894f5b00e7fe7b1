/*
 * The ledger against published vectors (shared/data/tlog): RFC 6962 proofs
 * (transparency-dev/merkle), trees built by Go's x/mod tlog, signed notes and
 * checkpoints measured with Go's x/mod note, the Tessera test log (our signer
 * must reproduce its checkpoints byte for byte) and Sunlight cosignatures.
 */
#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/cedar/cedar_jsonr.h"
#include "../src/ledger/ledger_checkpoint.h"
#include "../src/ledger/ledger_hash.h"
#include "../src/ledger/ledger_log.h"
#include "../src/ledger/ledger_note.h"
#include "../src/ledger/ledger_verify.h"
#include "../src/util/util_file.h"
#include "test_util.h"

static char *
tlog_path(const char *rel)
{
    static char buf[2048];
    snprintf(buf, sizeof(buf), "%s/data/tlog/%s", tu_shared_dir(), rel);
    return buf;
}

static struct jv *
load_json(struct cedar_arena *a, const char *path)
{
    char *text, err[256];
    size_t len;
    if (util_read_file(path, 1 << 24, &text, &len, err, sizeof(err))) {
        fprintf(stderr, "%s\n", err);
        fail();
    }
    struct jv *v;
    struct cedar_error jerr;
    int rc = jv_parse(a, text, len, &v, &jerr);
    free(text);
    if (rc) {
        fprintf(stderr, "%s: %s\n", path, jerr.msg);
        fail();
    }
    return v;
}

static uint64_t
u64_of(const struct jv *v)
{
    if (v->type == JV_INT)
        return (uint64_t)v->i;
    assert_int_equal(v->type, JV_REAL); /* above INT64_MAX */
    char buf[32];
    snprintf(buf, sizeof(buf), "%.*s", (int)v->s.n, v->s.p);
    return strtoull(buf, NULL, 10);
}

/* base64 of up to max bytes; returns the length. */
static size_t
b64(const struct jv *v, uint8_t *out, size_t max)
{
    size_t got = 0;
    assert_int_equal(v->type, JV_STRING);
    assert_int_equal(sodium_base642bin(out, max, v->s.p, v->s.n, NULL, &got, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    return got;
}

static size_t
proof_of(const struct jv *v, ledger_hash *proof)
{
    if (!v || v->type == JV_NULL)
        return 0;
    for (uint32_t i = 0; i < v->n; i++) {
        uint8_t buf[64];
        if (b64(v->items[i], buf, sizeof(buf)) != LEDGER_HASH_BYTES)
            return (size_t)-1; /* malformed on purpose: must fail */
        memcpy(proof[i], buf, LEDGER_HASH_BYTES);
    }
    return v->n;
}

static void
run_merkle_dir(const char *kind, const char *sub, unsigned *cases)
{
    char dirp[2048];
    snprintf(dirp, sizeof(dirp), "%s/%s", tlog_path("transparency-dev-merkle/testdata"), kind);
    snprintf(dirp + strlen(dirp), sizeof(dirp) - strlen(dirp), "/%s", sub);
    DIR *d = opendir(dirp);
    assert_non_null(d);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strstr(de->d_name, ".json"))
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dirp, de->d_name);
        struct cedar_arena a;
        cedar_arena_init(&a, 0);
        struct jv *v = load_json(&a, path);
        ledger_hash proof[LEDGER_MAX_PROOF];
        size_t np = proof_of(jv_get(v, "proof"), proof);
        int want_err = jv_get(v, "wantErr")->b;
        int rc;
        if (strcmp(kind, "inclusion") == 0) {
            uint8_t root[64], leaf[64];
            size_t rl = b64(jv_get(v, "root"), root, sizeof(root));
            size_t ll = b64(jv_get(v, "leafHash"), leaf, sizeof(leaf));
            rc =
                np == (size_t)-1 || rl != 32 || ll != 32
                    ? -1
                    : ledger_verify_inclusion(u64_of(jv_get(v, "leafIdx")),
                                              u64_of(jv_get(v, "treeSize")), leaf, proof, np, root);
        } else {
            uint8_t r1[64], r2[64];
            size_t l1 = b64(jv_get(v, "root1"), r1, sizeof(r1));
            size_t l2 = b64(jv_get(v, "root2"), r2, sizeof(r2));
            rc = np == (size_t)-1 ? -1
                                  : ledger_verify_consistency(u64_of(jv_get(v, "size1")),
                                                              u64_of(jv_get(v, "size2")), r1, l1,
                                                              r2, l2, proof, np);
        }
        if ((rc != 0) != want_err) {
            fprintf(stderr, "%s: got %s, want %s\n", path, rc ? "error" : "ok",
                    want_err ? "error" : "ok");
            fail();
        }
        (*cases)++;
        cedar_arena_release(&a);
    }
    closedir(d);
}

static void
test_merkle_vectors(void **state)
{
    (void)state;
    static const char *const inc[] = {"0",
                                      "1",
                                      "2",
                                      "3",
                                      "4",
                                      "single-entry",
                                      "additional/0",
                                      "additional/1",
                                      "additional/2",
                                      "additional/3"};
    static const char *const con[] = {"0", "1", "2", "3", "4", "additional"};
    unsigned n = 0;
    for (size_t i = 0; i < 10; i++)
        run_merkle_dir("inclusion", inc[i], &n);
    for (size_t i = 0; i < 6; i++)
        run_merkle_dir("consistency", con[i], &n);
    fprintf(stderr, "merkle vectors: %u\n", n);
    assert_int_equal(n, 196);
}

/* Build a log of the given entries and compare everything with x/mod's. */
static void
check_oracle_build(const char *file, const struct ledger_entry *ents, size_t n)
{
    char dir[] = "/tmp/airlock-test-XXXXXX", err[512], vkey[512];
    assert_non_null(mkdtemp(dir));
    char logdir[600];
    snprintf(logdir, sizeof(logdir), "%s/log", dir);
    assert_int_equal(
        ledger_create(logdir, "example.com/vectors", vkey, sizeof(vkey), err, sizeof(err)), 0);
    struct ledger_log *log;
    assert_int_equal(ledger_open(logdir, 1, &log, err, sizeof(err)), 0);
    uint64_t first;
    assert_int_equal(ledger_append(log, ents, n, &first, err, sizeof(err)), 0);
    struct cedar_arena a;
    cedar_arena_init(&a, 0);
    struct jv *v = load_json(&a, tlog_path(file));
    const struct jv *roots = jv_get(v, "roots_by_size");
    for (uint32_t s = 0; s < roots->n; s++) {
        uint8_t want[64];
        ledger_hash got;
        assert_int_equal(b64(roots->items[s], want, sizeof(want)), 32);
        assert_int_equal(ledger_tree_hash(log, s, got), 0);
        assert_memory_equal(got, want, 32);
    }
    const struct jv *inc = jv_get(v, "inclusion");
    for (uint32_t i = 0; i < inc->n; i++) {
        ledger_hash want[LEDGER_MAX_PROOF], got[LEDGER_MAX_PROOF];
        size_t nw = proof_of(jv_get(inc->items[i], "proof"), want), ng;
        assert_int_equal(ledger_prove_inclusion(log, u64_of(jv_get(inc->items[i], "index")),
                                                u64_of(jv_get(inc->items[i], "tree_size")), got,
                                                &ng),
                         0);
        assert_int_equal(ng, nw);
        if (ng) /* an empty proof has nothing to compare */
            assert_memory_equal(got, want, ng * 32);
    }
    const struct jv *con = jv_get(v, "consistency");
    for (uint32_t i = 0; i < con->n; i++) {
        ledger_hash want[LEDGER_MAX_PROOF], got[LEDGER_MAX_PROOF];
        size_t nw = proof_of(jv_get(con->items[i], "proof"), want), ng;
        uint64_t s1 = u64_of(jv_get(con->items[i], "old_size")),
                 s2 = u64_of(jv_get(con->items[i], "tree_size"));
        if (s1 == 0)
            continue;
        assert_int_equal(ledger_prove_consistency(log, s1, s2, got, &ng), 0);
        assert_int_equal(ng, nw);
        if (ng)
            assert_memory_equal(got, want, ng * 32);
    }
    cedar_arena_release(&a);
    ledger_close(log);
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static void
test_trees_built_by_xmod(void **state)
{
    (void)state;
    static const char *const letters[] = {"a", "b", "c", "d", "e", "f", "g"};
    struct ledger_entry e[8];
    for (int i = 0; i < 7; i++)
        e[i] = (struct ledger_entry){letters[i], 1};
    check_oracle_build("oracle-build-7leaves-a-to-g.json", e, 7);
    /* RFC 6962's reference leaves. */
    static const uint8_t l1[] = {0x00}, l2[] = {0x10}, l3[] = {0x20, 0x21}, l4[] = {0x30, 0x31},
                         l5[] = {0x40, 0x41, 0x42, 0x43},
                         l6[] = {0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57};
    static uint8_t l7[16];
    for (int i = 0; i < 16; i++)
        l7[i] = (uint8_t)(0x60 + i);
    struct ledger_entry r[8] = {{"", 0}, {l1, 1}, {l2, 1}, {l3, 2},
                                {l4, 2}, {l5, 4}, {l6, 8}, {l7, 16}};
    check_oracle_build("oracle-build-rfc6962-reference-8leaves.json", r, 8);
}

static void
test_note_open_cases(void **state)
{
    (void)state;
    struct cedar_arena a;
    cedar_arena_init(&a, 0);
    struct jv *v = load_json(&a, tlog_path("note-open-cases.json"));
    const struct jv *cases = jv_get(v, "cases");
    assert_true(cases->n >= 20);
    for (uint32_t i = 0; i < cases->n; i++) {
        const struct jv *c = cases->items[i];
        const struct jv *vk = jv_get(c, "vkeys");
        struct ledger_vkey keys[8];
        size_t nk = 0;
        for (uint32_t k = 0; k < vk->n && nk < 8; k++)
            assert_int_equal(ledger_vkey_parse(vk->items[k]->s.p, vk->items[k]->s.n, &keys[nk++]),
                             0);
        uint8_t *msg = malloc(70000);
        size_t ml = b64(jv_get(c, "msg_b64"), msg, 70000);
        struct ledger_note note;
        char err[256];
        int rc = ledger_note_open((const char *)msg, ml, keys, nk, &note, err, sizeof(err));
        int want_ok = jv_get(c, "go_ok")->b;
        if ((rc == 0) != want_ok) {
            fprintf(stderr, "note case %s: got %s (%s)\n", jv_get(c, "name")->s.p,
                    rc ? "error" : "ok", rc ? err : "");
            fail();
        }
        if (rc == 0)
            assert_int_equal(__builtin_popcount(note.verified_mask), jv_get(c, "go_verified")->n);
        free(msg);
    }
    cedar_arena_release(&a);
}

static void
test_checkpoint_parse_cases(void **state)
{
    (void)state;
    struct cedar_arena a;
    cedar_arena_init(&a, 0);
    struct jv *v = load_json(&a, tlog_path("checkpoint-parse-cases.json"));
    const struct jv *cases = jv_get(v, "cases");
    for (uint32_t i = 0; i < cases->n; i++) {
        const struct jv *c = cases->items[i];
        const struct jv *t = jv_get(c, "text");
        struct ledger_checkpoint cp;
        char err[256];
        int rc = ledger_checkpoint_parse(t->s.p, t->s.n, &cp, err, sizeof(err));
        if ((rc == 0) != jv_get(c, "c2sp_strict_ok")->b) {
            fprintf(stderr, "checkpoint case %s: got %s\n", jv_get(c, "name")->s.p,
                    rc ? err : "ok");
            fail();
        }
    }
    cedar_arena_release(&a);
}

static const char *tessera_skey =
    "PRIVATE+KEY+example.com/log/testdata+33d7b496+AeymY/SZAX0jZcJ8enZ5FY1Dz+wTML2yWSkK+9DSF3eg";
static const char *tessera_vkey =
    "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx";

static void
test_tessera_checkpoints_byte_for_byte(void **state)
{
    (void)state;
    struct ledger_skey sk;
    assert_int_equal(ledger_skey_parse(tessera_skey, strlen(tessera_skey), &sk), 0);
    for (int n = 0; n <= 15; n++) {
        char rel[128], *file, err[256];
        size_t len;
        snprintf(rel, sizeof(rel), "tessera-testdata-log/testdata/log/checkpoint.%d", n);
        assert_int_equal(util_read_file(tlog_path(rel), 4096, &file, &len, err, sizeof(err)), 0);
        /* The note text is the first three lines. */
        const char *p = file;
        for (int l = 0; l < 3; l++)
            p = strchr(p, '\n') + 1;
        struct util_buf out;
        util_buf_init(&out, 4096);
        assert_int_equal(ledger_note_sign(&sk, file, (size_t)(p - file), &out), 0);
        assert_int_equal(out.len, len);
        assert_memory_equal(out.p, file, len);
        util_buf_free(&out);
        free(file);
    }
    ledger_skey_wipe(&sk);
}

static void
test_tessera_log_verifies(void **state)
{
    (void)state;
    struct ledger_vkey k;
    assert_int_equal(ledger_vkey_parse(tessera_vkey, strlen(tessera_vkey), &k), 0);
    struct ledger_verify_result res;
    int rc = ledger_verify_dir(tlog_path("tessera-testdata-log/testdata/log"), &k, NULL, 0, &res);
    if (rc)
        fprintf(stderr, "%s\n", res.msg);
    assert_int_equal(rc, 0);
    assert_int_equal(res.size, 15);
}

static void
test_peter_neumann_resign(void **state)
{
    (void)state;
    const char *skey =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    struct ledger_skey sk;
    assert_int_equal(ledger_skey_parse(skey, strlen(skey), &sk), 0);
    char *file, err[256];
    size_t len;
    assert_int_equal(
        util_read_file(tlog_path("xmod-peterneumann.note"), 4096, &file, &len, err, sizeof(err)),
        0);
    const char *split = strstr(file, "\n\n");
    assert_non_null(split);
    struct util_buf out;
    util_buf_init(&out, 4096);
    assert_int_equal(ledger_note_sign(&sk, file, (size_t)(split + 1 - file), &out), 0);
    assert_int_equal(out.len, len);
    assert_memory_equal(out.p, file, len);
    util_buf_free(&out);
    free(file);
    ledger_skey_wipe(&sk);
}

int
main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merkle_vectors),
        cmocka_unit_test(test_trees_built_by_xmod),
        cmocka_unit_test(test_note_open_cases),
        cmocka_unit_test(test_checkpoint_parse_cases),
        cmocka_unit_test(test_tessera_checkpoints_byte_for_byte),
        cmocka_unit_test(test_tessera_log_verifies),
        cmocka_unit_test(test_peter_neumann_resign),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
