/*
 * The ledger on disk: proofs at every size, reopening, tamper detection with
 * the right index, failures that must not be acknowledged, and kill -9 at
 * random moments of a writer.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../src/ledger/ledger_checkpoint.h"
#include "../src/ledger/ledger_note.h"
#include "../src/ledger/ledger_log.h"
#include "../src/ledger/ledger_tile.h"
#include "../src/ledger/ledger_verify.h"
#include "../src/util/util_file.h"
#include "test_util.h"

static char base[64];

static void
mkbase(void)
{
    snprintf(base, sizeof(base), "/tmp/airlock-ledger-XXXXXX");
    assert_non_null(mkdtemp(base));
}

static void
rmbase(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
    assert_int_equal(system(cmd), 0);
}

static void
make_log(const char *dir, struct ledger_vkey *vk)
{
    char vkey[512], err[512];
    assert_int_equal(ledger_create(dir, "example.com/test", vkey, sizeof(vkey), err, sizeof(err)),
                     0);
    if (vk)
        assert_int_equal(ledger_vkey_parse(vkey, strlen(vkey), vk), 0);
}

/* A fresh log in a new scratch folder (dir: 128 bytes), not open. */
static void
new_log_dir(char *dir, struct ledger_vkey *vk)
{
    mkbase();
    snprintf(dir, 128, "%s/log", base);
    make_log(dir, vk);
}

/* The same, open for appends. */
static struct ledger_log *
new_log(char *dir, struct ledger_vkey *vk)
{
    char err[512];
    new_log_dir(dir, vk);
    struct ledger_log *log;
    if (ledger_open(dir, 1, &log, err, sizeof(err))) {
        fprintf(stderr, "open: %s\n", err);
        fail();
    }
    return log;
}

static void
append_n(struct ledger_log *log, uint64_t from, size_t n)
{
    char err[512];
    struct ledger_entry *e = calloc(n, sizeof(*e));
    char(*text)[32] = calloc(n, 32);
    for (size_t i = 0; i < n; i++) {
        int l = snprintf(text[i], 32, "entry %llu", (unsigned long long)(from + i));
        e[i] = (struct ledger_entry){text[i], (size_t)l};
    }
    uint64_t first;
    if (ledger_append(log, e, n, &first, err, sizeof(err))) {
        fprintf(stderr, "append: %s\n", err);
        fail();
    }
    assert_int_equal(first, from);
    free(e);
    free(text);
}

/* Entry i's inclusion proof in the tree of its first n entries verifies
 * against root, and not for another index. */
static void
assert_proves(struct ledger_log *log, uint64_t i, uint64_t n, const ledger_hash root)
{
    ledger_hash proof[LEDGER_MAX_PROOF], leaf;
    size_t np, len;
    uint8_t *data;
    assert_int_equal(ledger_read_entry(log, i, &data, &len), 0);
    ledger_leaf_hash(data, len, leaf);
    free(data);
    assert_int_equal(ledger_prove_inclusion(log, i, n, proof, &np), 0);
    assert_int_equal(ledger_verify_inclusion(i, n, leaf, proof, np, root), 0);
    if (n > 1)
        assert_int_not_equal(ledger_verify_inclusion((i + 1) % n, n, leaf, proof, np, root), 0);
}

static void
test_proofs_at_every_size(void **state)
{
    (void)state;
    char dir[128], err[512];
    struct ledger_log *log = new_log(dir, NULL);
    /* Appends of uneven sizes, crossing tile boundaries at levels 0 and 1. */
    static const size_t steps[] = {1, 2, 5, 248, 1, 255, 256, 300, 70};
    uint64_t size = 0;
    for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
        append_n(log, size, steps[s]);
        size += steps[s];
        ledger_hash root;
        ledger_root(log, root);
        for (uint64_t n = 1; n <= size; n += (n < 40 ? 1 : 37)) {
            ledger_hash rn;
            assert_int_equal(ledger_tree_hash(log, n, rn), 0);
            for (uint64_t i = 0; i < n; i += (n < 40 ? 1 : 13))
                assert_proves(log, i, n, rn);
            ledger_hash proof[LEDGER_MAX_PROOF];
            size_t np;
            assert_int_equal(ledger_prove_consistency(log, n, size, proof, &np), 0);
            ledger_root(log, root);
            assert_int_equal(ledger_verify_consistency(n, size, rn, 32, root, 32, proof, np), 0);
        }
    }
    ledger_hash before;
    ledger_root(log, before);
    ledger_close(log);
    /* Reopened, it is the same log and goes on. */
    assert_int_equal(ledger_open(dir, 1, &log, err, sizeof(err)), 0);
    assert_int_equal(ledger_size(log), size);
    ledger_hash after;
    ledger_root(log, after);
    assert_memory_equal(before, after, 32);
    append_n(log, size, 3);
    /* Appending with a proof: the proof verifies against the new root. */
    struct ledger_entry pe = {"proved", 6};
    uint64_t pidx, psize;
    ledger_hash pproof[LEDGER_MAX_PROOF], pleaf, proot;
    size_t pn;
    char *pnote;
    size_t pnote_len;
    assert_int_equal(ledger_append_proved(log, &pe, &pidx, &psize, pproof, &pn, &pnote, &pnote_len,
                                          err, sizeof(err)),
                     0);
    assert_int_equal(pidx, size + 3);
    ledger_leaf_hash("proved", 6, pleaf);
    ledger_root(log, proot);
    assert_int_equal(ledger_verify_inclusion(pidx, psize, pleaf, pproof, pn, proot), 0);
    /* With the signed checkpoint of that very tree: its size and root. */
    struct ledger_note cn;
    struct ledger_checkpoint cp;
    char why[256];
    assert_int_equal(ledger_note_open(pnote, pnote_len, ledger_vkey(log), 1, &cn, why, sizeof(why)),
                     0);
    assert_int_equal(ledger_checkpoint_parse(cn.text, cn.text_len, &cp, why, sizeof(why)), 0);
    assert_int_equal(cp.size, psize);
    assert_memory_equal(cp.root, proot, 32);
    free(pnote);
    ledger_close(log);
    struct ledger_vkey vk;
    char vpath[160], *vtext;
    size_t vl;
    snprintf(vpath, sizeof(vpath), "%s/vkey", dir);
    assert_int_equal(util_read_file(vpath, 4096, &vtext, &vl, err, sizeof(err)), 0);
    assert_int_equal(ledger_vkey_parse(vtext, vl - 1, &vk), 0);
    free(vtext);
    struct ledger_verify_result res;
    assert_int_equal(ledger_verify_dir(dir, &vk, NULL, 0, &res), 0);
    assert_int_equal(res.size, size + 4);
    rmbase();
}

/* Proofs of entries in cold tiles (more than RECENT_TILES full tiles back)
 * use the inner hashes kept beside the tiles; they verify whether that file
 * is intact, altered, cut short or gone (then the whole tile is read). */
static void flip(const char *dir, const char *rel, long off);

#define COLD_TILES 300 /* more than a quarter of the log's 1,024-tile cache */

static void
check_cold_proofs(const char *dir, uint64_t size)
{
    char err[512];
    struct ledger_log *log;
    assert_int_equal(ledger_open(dir, 0, &log, err, sizeof(err)), 0);
    assert_int_equal(ledger_size(log), size);
    ledger_hash root;
    ledger_root(log, root);
    for (uint64_t i = 0; i < (COLD_TILES - 17) * 256; i += 1013)
        assert_proves(log, i, size, root);
    ledger_close(log);
}

static void
test_cold_tile_proofs(void **state)
{
    (void)state;
    char dir[128], path[200];
    struct ledger_log *log = new_log(dir, NULL);
    /* Enough full tiles that level 0 does not fit in the tile cache. */
    uint64_t size = COLD_TILES * 256 + 77;
    append_n(log, 0, 40000);
    append_n(log, 40000, (size_t)size - 40000);
    ledger_close(log);
    snprintf(path, sizeof(path), "%s/inner/0", dir);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size >= (COLD_TILES - 16) * 512);
    check_cold_proofs(dir, size);
    flip(dir, "inner/0", 3 * 512 + 5);
    flip(dir, "inner/0", 7 * 512 + 15 * 32);
    check_cold_proofs(dir, size);
    assert_int_equal(truncate(path, 5 * 512 + 100), 0);
    check_cold_proofs(dir, size);
    assert_int_equal(unlink(path), 0);
    check_cold_proofs(dir, size);
    rmbase();
}

static void
test_key_permissions_and_limits(void **state)
{
    (void)state;
    mkbase();
    char dir[128], path[160], err[512];
    snprintf(dir, sizeof(dir), "%s/log", base);
    make_log(dir, NULL);
    snprintf(path, sizeof(path), "%s/key", dir);
    assert_int_equal(chmod(path, 0640), 0);
    struct ledger_log *log;
    assert_int_not_equal(ledger_open(dir, 1, &log, err, sizeof(err)), 0);
    assert_non_null(strstr(err, "readable or writable by others"));
    assert_int_equal(chmod(path, 0600), 0);
    assert_int_equal(ledger_open(dir, 1, &log, err, sizeof(err)), 0);
    /* An entry over the limit, and a batch over the limit, are refused. */
    static char big[LEDGER_MAX_ENTRY + 1];
    struct ledger_entry e = {big, sizeof(big)};
    uint64_t first;
    assert_int_not_equal(ledger_append(log, &e, 1, &first, err, sizeof(err)), 0);
    e.len = LEDGER_MAX_ENTRY;
    assert_int_equal(ledger_append(log, &e, 1, &first, err, sizeof(err)), 0);
    struct ledger_entry *many = calloc(LEDGER_MAX_BATCH + 1, sizeof(*many));
    for (size_t i = 0; i <= LEDGER_MAX_BATCH; i++)
        many[i] = (struct ledger_entry){"x", 1};
    assert_int_not_equal(ledger_append(log, many, LEDGER_MAX_BATCH + 1, &first, err, sizeof(err)),
                         0);
    free(many);
    ledger_close(log);
    /* A second keygen in the same place is refused. */
    char vkey[512];
    assert_int_not_equal(
        ledger_create(dir, "example.com/other", vkey, sizeof(vkey), err, sizeof(err)), 0);
    rmbase();
}

static void
test_ledger_limits_crossed(void **state)
{
    (void)state;
    mkbase();
    char err[512], vkey[512];
    /* Key name: LEDGER_KEY_NAME_MAX bytes at most. */
    char name[LEDGER_KEY_NAME_MAX + 2];
    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    char dir[160];
    snprintf(dir, sizeof(dir), "%s/names", base);
    assert_int_not_equal(ledger_create(dir, name, vkey, sizeof(vkey), err, sizeof(err)), 0);
    name[LEDGER_KEY_NAME_MAX] = '\0';
    assert_int_equal(ledger_create(dir, name, vkey, sizeof(vkey), err, sizeof(err)), 0);
    /* Directory path: LEDGER_DIR_MAX - 1 bytes at most. */
    char longdir[LEDGER_DIR_MAX + 8];
    memset(longdir, 'd', sizeof(longdir) - 1);
    longdir[0] = '/';
    longdir[sizeof(longdir) - 1] = '\0';
    struct ledger_log *log;
    assert_int_not_equal(ledger_open(longdir, 0, &log, err, sizeof(err)), 0);
    assert_non_null(strstr(err, "longer than"));
    /* A note: LEDGER_NOTE_MAX bytes at most. */
    size_t n = LEDGER_NOTE_MAX + 1;
    char *big = malloc(n);
    memset(big, 'a', n);
    big[n - 1] = '\n';
    struct ledger_note note;
    struct ledger_vkey vk;
    assert_int_equal(ledger_vkey_parse(vkey, strlen(vkey), &vk), 0);
    assert_int_not_equal(ledger_note_open(big, n, &vk, 1, &note, err, sizeof(err)), 0);
    assert_non_null(strstr(err, "larger than"));
    free(big);
    /* Origin: LEDGER_ORIGIN_MAX bytes at most. */
    char cp[LEDGER_ORIGIN_MAX + 128];
    memset(cp, 'o', LEDGER_ORIGIN_MAX + 1);
    snprintf(cp + LEDGER_ORIGIN_MAX + 1, 100,
             "\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
    struct ledger_checkpoint c;
    assert_int_not_equal(ledger_checkpoint_parse(cp, strlen(cp), &c, err, sizeof(err)), 0);
    assert_non_null(strstr(err, "origin longer"));
    /* More durable entries than LEDGER_MAX_PENDING: a checkpoint is taken
     * first, and every entry is there. */
    snprintf(dir, sizeof(dir), "%s/pending", base);
    make_log(dir, &vk);
    assert_int_equal(ledger_open(dir, 1, &log, err, sizeof(err)), 0);
    struct ledger_entry *e = calloc(LEDGER_MAX_BATCH, sizeof(*e));
    for (size_t i = 0; i < LEDGER_MAX_BATCH; i++)
        e[i] = (struct ledger_entry){"p", 1};
    uint64_t first;
    assert_int_equal(ledger_append_durable(log, e, LEDGER_MAX_BATCH, &first, err, sizeof(err)), 0);
    assert_int_equal(ledger_append_durable(log, e, 10, &first, err, sizeof(err)), 0);
    assert_int_equal(first, LEDGER_MAX_BATCH);
    assert_true(ledger_size(log) >= LEDGER_MAX_PENDING);
    free(e);
    ledger_close(log);
    struct ledger_verify_result res;
    assert_int_equal(ledger_verify_dir(dir, &vk, NULL, 0, &res), 0);
    assert_int_equal(res.size, LEDGER_MAX_BATCH + 10);
    rmbase();
}

/* ---- tampering ---------------------------------------------------------- */

static void
tamper_case(const char *what, void (*damage)(const char *dir), int64_t want_index,
            const char *want_msg)
{
    char dir[128];
    struct ledger_vkey vk;
    struct ledger_log *log = new_log(dir, &vk);
    append_n(log, 0, 700);
    ledger_close(log);
    struct ledger_verify_result res;
    assert_int_equal(ledger_verify_dir(dir, &vk, NULL, 0, &res), 0);
    damage(dir);
    int rc = ledger_verify_dir(dir, &vk, NULL, 0, &res);
    if (rc == 0 || res.bad_index != want_index || !strstr(res.msg, want_msg)) {
        fprintf(stderr, "%s: rc %d index %lld msg %s\n", what, rc, (long long)res.bad_index,
                res.msg);
        fail();
    }
    rmbase();
}

static void
flip(const char *dir, const char *rel, long off)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, off, off < 0 ? SEEK_END : SEEK_SET), 0);
    int c = fgetc(f);
    assert_int_equal(fseek(f, -1, SEEK_CUR), 0);
    fputc(c ^ 0x01, f);
    fclose(f);
}

/* Entry 300 is the 45th of bundle 1: "entry NNN" are 9 bytes + 2 of length. */
static void
d_entry(const char *dir)
{
    flip(dir, "tile/entries/001", 44 * 11 + 2 + 3);
}
static void
d_tile0(const char *dir)
{
    flip(dir, "tile/0/000", 10 * 32 + 5);
}
static void
d_tile1(const char *dir)
{
    flip(dir, "tile/1/000.p/2", 32 + 1);
}
static void
d_partial(const char *dir)
{
    flip(dir, "tile/0/002.p/188", 100 * 32);
}
static void
d_checkpoint(const char *dir)
{
    flip(dir, "checkpoint", 19);
}
static void
d_truncate(const char *dir)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/tile/entries/001", dir);
    assert_int_equal(truncate(path, 50 * 11), 0);
}
static void
d_reorder(const char *dir)
{
    /* Swap entries 256 and 257 (both 11 bytes in bundle 1). */
    char path[256];
    snprintf(path, sizeof(path), "%s/tile/entries/001", dir);
    FILE *f = fopen(path, "r+b");
    char a[11], b[11];
    assert_int_equal(fread(a, 1, 11, f), 11);
    assert_int_equal(fread(b, 1, 11, f), 11);
    rewind(f);
    fwrite(b, 1, 11, f);
    fwrite(a, 1, 11, f);
    fclose(f);
}
static void
d_missing(const char *dir)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/tile/0/001", dir);
    assert_int_equal(unlink(path), 0);
}
static void
d_added(const char *dir)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/tile/entries/002.p/188", dir);
    FILE *f = fopen(path, "ab");
    fwrite("\x00\x03xyz", 1, 5, f);
    fclose(f);
}

static void
test_tampering_is_found_at_the_right_index(void **state)
{
    (void)state;
    tamper_case("entry", d_entry, 300, "does not match");
    tamper_case("level-0 tile", d_tile0, 10, "tile/0/000");
    tamper_case("level-1 tile", d_tile1, 256, "tile/1/000.p/2");
    tamper_case("partial tile", d_partial, 612, "tile/0/002.p/188");
    tamper_case("checkpoint", d_checkpoint, -1, "invalid signature");
    tamper_case("truncated bundle", d_truncate, 306, "truncated");
    tamper_case("reordered entries", d_reorder, 256, "does not match");
    tamper_case("missing tile", d_missing, 256, "tile/0/001");
    tamper_case("added entry", d_added, 700, "after its 188 entries");
}

/* ---- faults ------------------------------------------------------------- */

static const char *fail_op;
static int fail_after;

static int
fault(const char *op)
{
    if (fail_op && strcmp(op, fail_op) == 0 && fail_after-- == 0)
        return strcmp(op, "write") == 0 ? -ENOSPC : -EIO;
    return 0;
}

/* The next op fails (the caller sets ledger_fault_hook back to NULL). */
static void
fail_next(const char *op)
{
    fail_op = op;
    fail_after = 0;
    ledger_fault_hook = fault;
}

static void
test_failures_are_never_acknowledged(void **state)
{
    (void)state;
    static const char *const ops[] = {"write", "fsync", "fdatasync", "rename"};
    for (int durable = 0; durable < 2; durable++)
        for (size_t o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
            for (int after = 0; after < 6; after++) {
                char dir[128], err[512];
                struct ledger_vkey vk;
                struct ledger_log *log = new_log(dir, &vk);
                append_n(log, 0, 250);
                ledger_hash root;
                ledger_root(log, root);
                fail_op = ops[o];
                fail_after = after;
                ledger_fault_hook = fault;
                struct ledger_entry e[10];
                for (int i = 0; i < 10; i++)
                    e[i] = (struct ledger_entry){"more", 4};
                uint64_t first;
                int rc = durable ? ledger_append_durable(log, e, 10, &first, err, sizeof(err))
                                 : ledger_append(log, e, 10, &first, err, sizeof(err));
                ledger_fault_hook = NULL;
                /* Either it failed and nothing changed, or the fault came too late to matter. */
                if (rc) {
                    assert_int_equal(ledger_size(log), 250);
                    ledger_hash now;
                    ledger_root(log, now);
                    assert_memory_equal(root, now, 32);
                    /* The log still works and stays verifiable. */
                    append_n(log, 250, 20);
                }
                ledger_close(log);
                assert_int_equal(ledger_open(dir, 1, &log, err, sizeof(err)), 0);
                assert_int_equal(ledger_size(log), rc ? 270 : 260);
                ledger_close(log);
                struct ledger_verify_result res;
                if (ledger_verify_dir(dir, &vk, NULL, 0, &res)) {
                    fprintf(stderr, "%s after %d: %s\n", ops[o], after, res.msg);
                    fail();
                }
                rmbase();
            }
        }
}

/* Held appends: indexes at once, durable at ledger_sync; a failed sync
 * undoes them all (and so does a failed checkpoint, which the next
 * ledger_sync reports), and their indexes are given again. */
static uint64_t
held(struct ledger_log *log, const char *text)
{
    char err[512];
    struct ledger_entry e = {text, strlen(text)};
    uint64_t first;
    assert_int_equal(ledger_append_held(log, &e, 1, &first, err, sizeof(err)), 0);
    return first;
}

static void
assert_entry(struct ledger_log *log, uint64_t i, const char *want)
{
    uint8_t *p;
    size_t n;
    assert_int_equal(ledger_read_entry(log, i, &p, &n), 0);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(p, want, n);
    free(p);
}

static void
test_held_appends(void **state)
{
    (void)state;
    char dir[128], err[512];
    struct ledger_vkey vk;
    struct ledger_log *log = new_log(dir, &vk);
    assert_int_equal(ledger_sync(log, err, sizeof(err)), 0); /* nothing held */
    assert_int_equal(held(log, "a"), 0);
    assert_int_equal(held(log, "b"), 1);
    assert_int_equal(ledger_sync(log, err, sizeof(err)), 0);
    /* The sync fails: both undone, the next appends take their places. */
    assert_int_equal(held(log, "lost c"), 2);
    assert_int_equal(held(log, "lost d"), 3);
    fail_next("fdatasync");
    assert_int_equal(ledger_sync(log, err, sizeof(err)), -1);
    ledger_fault_hook = NULL;
    assert_non_null(strstr(err, "durably"));
    assert_int_equal(held(log, "c"), 2);
    /* A durable append makes what was held before it durable too. */
    struct ledger_entry e = {"d", 1};
    uint64_t first;
    assert_int_equal(ledger_append_durable(log, &e, 1, &first, err, sizeof(err)), 0);
    assert_int_equal(first, 3);
    assert_int_equal(ledger_sync(log, err, sizeof(err)), 0);
    /* A durable append whose fdatasync fails undoes what was held before
     * it too (that fdatasync covered it, and reported its error once); the
     * next ledger_sync says so. */
    assert_int_equal(held(log, "lost e"), 4);
    fail_next("fdatasync");
    e = (struct ledger_entry){"lost f", 6};
    assert_int_equal(ledger_append_durable(log, &e, 1, &first, err, sizeof(err)), -1);
    ledger_fault_hook = NULL;
    assert_int_equal(ledger_sync(log, err, sizeof(err)), -1);
    assert_int_equal(ledger_sync(log, err, sizeof(err)), 0);
    /* A checkpoint that cannot sync what is held undoes it; the next
     * ledger_sync says so even though nothing is held any more. */
    assert_int_equal(held(log, "lost e"), 4);
    fail_next("fdatasync");
    assert_int_equal(ledger_checkpoint_now(log, err, sizeof(err)), -1);
    ledger_fault_hook = NULL;
    assert_int_equal(ledger_sync(log, err, sizeof(err)), -1);
    assert_int_equal(ledger_sync(log, err, sizeof(err)), 0);
    assert_int_equal(held(log, "e"), 4);
    assert_int_equal(ledger_checkpoint_now(log, err, sizeof(err)), 0);
    assert_int_equal(ledger_size(log), 5);
    const char *want[] = {"a", "b", "c", "d", "e"};
    for (int i = 0; i < 5; i++)
        assert_entry(log, (uint64_t)i, want[i]);
    /* Held and never synced, then closed: close makes them durable. */
    assert_int_equal(held(log, "f"), 5);
    ledger_close(log);
    assert_int_equal(ledger_open(dir, 1, &log, err, sizeof(err)), 0);
    assert_int_equal(ledger_size(log), 6);
    assert_entry(log, 5, "f");
    ledger_close(log);
    struct ledger_verify_result res;
    assert_int_equal(ledger_verify_dir(dir, &vk, NULL, 0, &res), 0);
    rmbase();
}

/* ---- threads ------------------------------------------------------------ */

#define APPENDS_EACH 150

struct appender {
    struct ledger_log *log;
    int id;
    int stop;
    uint64_t at[APPENDS_EACH]; /* the index each append was given */
};

static void *
appender(void *arg)
{
    struct appender *a = arg;
    char err[512], text[32];
    for (int i = 0; i < APPENDS_EACH; i++) {
        int l = snprintf(text, sizeof(text), "t%d-%d", a->id, i);
        struct ledger_entry e = {text, (size_t)l};
        int rc = (a->id + i) % 3 ? ledger_append_durable(a->log, &e, 1, &a->at[i], err, sizeof(err))
                                 : ledger_append(a->log, &e, 1, &a->at[i], err, sizeof(err));
        if (rc)
            return (void *)1;
    }
    return NULL;
}

/* Each append's entry is at the index it was told. */
static void
check_indexes(struct ledger_log *log, const struct appender *a, int n)
{
    char err[512];
    assert_int_equal(ledger_checkpoint_now(log, err, sizeof(err)), 0);
    for (int t = 0; t < n; t++)
        for (int i = 0; i < APPENDS_EACH; i++) {
            char want[32];
            snprintf(want, sizeof(want), "t%d-%d", a[t].id, i);
            assert_entry(log, a[t].at[i], want);
        }
}

static void *
prover(void *arg)
{
    struct appender *a = arg;
    while (!__atomic_load_n(&a->stop, __ATOMIC_ACQUIRE)) {
        uint64_t n = ledger_size(a->log);
        if (n < 2)
            continue;
        ledger_hash proof[LEDGER_MAX_PROOF], root;
        size_t np;
        if (ledger_tree_hash(a->log, n, root) ||
            ledger_prove_inclusion(a->log, n / 2, n, proof, &np))
            return (void *)1;
    }
    return NULL;
}

static void
test_concurrent_appends_and_proofs(void **state)
{
    (void)state;
    char dir[128];
    struct ledger_vkey vk;
    struct ledger_log *log = new_log(dir, &vk);
    pthread_t th[9];
    struct appender a[9];
    for (int i = 0; i < 9; i++) {
        a[i] = (struct appender){.log = log, .id = i};
        assert_int_equal(pthread_create(&th[i], NULL, i < 8 ? appender : prover, &a[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        void *r;
        pthread_join(th[i], &r);
        assert_null(r);
    }
    __atomic_store_n(&a[8].stop, 1, __ATOMIC_RELEASE);
    void *r;
    pthread_join(th[8], &r);
    assert_null(r);
    check_indexes(log, a, 8);
    ledger_close(log);
    struct ledger_verify_result res;
    assert_int_equal(ledger_verify_dir(dir, &vk, NULL, 0, &res), 0);
    assert_int_equal(res.size, 8 * APPENDS_EACH);
    rmbase();
}

/* Many appenders at once, and appends whose sum crosses LEDGER_MAX_BATCH:
 * the group commit splits them over batches, each append whole and at the
 * index it was told. */
#define MANY 48
#define BIG_THREADS 3

struct big {
    struct ledger_log *log;
    int id;
    uint64_t first;
    int rc;
};

static void *
big_appender(void *arg)
{
    struct big *b = arg;
    static const size_t n = LEDGER_MAX_BATCH / 2 + 1; /* two never fit in one batch */
    struct ledger_entry *e = calloc(n, sizeof(*e));
    char *text = malloc(n * 16);
    if (!e || !text)
        return (void *)1;
    for (size_t i = 0; i < n; i++)
        e[i] = (struct ledger_entry){
            text + i * 16, (size_t)snprintf(text + i * 16, 16, "%d:%zu", b->id % 100, i % 10000)};
    char err[512];
    b->rc = ledger_append_durable(b->log, e, n, &b->first, err, sizeof(err));
    free(e);
    free(text);
    return NULL;
}

static void
test_group_commit_many_and_big(void **state)
{
    (void)state;
    char dir[128];
    struct ledger_vkey vk;
    struct ledger_log *log = new_log(dir, &vk);
    pthread_t th[MANY];
    static struct appender a[MANY];
    for (int i = 0; i < MANY; i++) {
        a[i] = (struct appender){.log = log, .id = i};
        assert_int_equal(pthread_create(&th[i], NULL, appender, &a[i]), 0);
    }
    for (int i = 0; i < MANY; i++) {
        void *r;
        pthread_join(th[i], &r);
        assert_null(r);
    }
    check_indexes(log, a, MANY);
    uint64_t before = ledger_size(log);
    struct big b[BIG_THREADS];
    for (int i = 0; i < BIG_THREADS; i++) {
        b[i] = (struct big){.log = log, .id = i};
        assert_int_equal(pthread_create(&th[i], NULL, big_appender, &b[i]), 0);
    }
    for (int i = 0; i < BIG_THREADS; i++) {
        void *r;
        pthread_join(th[i], &r);
        assert_null(r);
        assert_int_equal(b[i].rc, 0);
    }
    char err[512];
    assert_int_equal(ledger_checkpoint_now(log, err, sizeof(err)), 0);
    for (int i = 0; i < BIG_THREADS; i++) {
        /* Whole: its first and last entries are its own, in order. */
        size_t n = LEDGER_MAX_BATCH / 2 + 1;
        char want[48];
        snprintf(want, sizeof(want), "%d:0", i);
        assert_entry(log, b[i].first, want);
        snprintf(want, sizeof(want), "%d:%zu", i, (n - 1) % 10000);
        assert_entry(log, b[i].first + n - 1, want);
    }
    assert_int_equal(ledger_size(log), before + BIG_THREADS * (LEDGER_MAX_BATCH / 2 + 1));
    ledger_close(log);
    struct ledger_verify_result res;
    assert_int_equal(ledger_verify_dir(dir, &vk, NULL, 0, &res), 0);
    rmbase();
}

/* ---- crashes ------------------------------------------------------------ */

#define CRASH_ROUNDS 200
#define BG_CRASH_ROUNDS 40
#define BG_BATCH 2048 /* entries per append: background checkpoints every few ms */

/* A child appends batches of `batch` entries until killed; durable-only
 * appends on odd rounds unless `durable_only`. */
static void
crash_writer(const char *dir, int round, int batch, int durable_only, int fd)
{
    char err[512];
    struct ledger_log *log;
    if (ledger_open(dir, 1, &log, err, sizeof(err)))
        _exit(3);
    static char text[BG_BATCH][32];
    static struct ledger_entry e[BG_BATCH];
    for (uint64_t i = ledger_size(log);; i += (uint64_t)batch) {
        for (int k = 0; k < batch; k++)
            e[k] = (struct ledger_entry){
                text[k],
                (size_t)snprintf(text[k], 32, "entry %llu", (unsigned long long)(i + (uint64_t)k))};
        uint64_t first;
        int rc = durable_only || round % 2
                     ? ledger_append_durable(log, e, (size_t)batch, &first, err, sizeof(err))
                     : ledger_append(log, e, (size_t)batch, &first, err, sizeof(err));
        if (rc || first != i)
            _exit(4);
        /* Acknowledged: tell the parent. */
        uint64_t last = first + (uint64_t)batch - 1;
        if (write(fd, &last, sizeof(last)) != sizeof(last))
            _exit(5);
    }
}

static void
kill_9_rounds(int rounds, int batch, int durable_only, int progress, int min_us, int max_us)
{
    char dir[128], err[512];
    struct ledger_vkey vk;
    new_log_dir(dir, &vk);
    srand((unsigned)time(NULL));
    uint64_t acked = 0; /* every index below this was acknowledged */
    for (int round = 0; round < rounds; round++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            crash_writer(dir, round, batch, durable_only, fds[1]);
        }
        close(fds[1]);
        /* Killed after a random time, or (progress) once a random number
         * of entries in, up to three checkpoints' worth: then whether the
         * writer reached a background checkpoint does not depend on the
         * machine's speed. */
        uint64_t idx, start = acked;
        if (progress) {
            uint64_t target = start + (uint64_t)rand() % (3 * LEDGER_CHECKPOINT_EVERY);
            while (acked < target && read(fds[0], &idx, sizeof(idx)) == sizeof(idx))
                if (idx + 1 > acked)
                    acked = idx + 1;
        }
        usleep((useconds_t)(min_us + rand() % (max_us - min_us)));
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        while (read(fds[0], &idx, sizeof(idx)) == sizeof(idx))
            if (idx + 1 > acked)
                acked = idx + 1;
        close(fds[0]);
        if (WIFEXITED(status)) {
            fprintf(stderr, "writer exited with %d\n", WEXITSTATUS(status));
            fail();
        }
        /* Reopen: recovers, holds every acknowledged entry, serves no bad tile. */
        struct ledger_log *log;
        if (ledger_open(dir, 1, &log, err, sizeof(err))) {
            fprintf(stderr, "round %d: %s\n", round, err);
            fail();
        }
        assert_true(ledger_size(log) >= acked);
        for (uint64_t i = acked > 3 ? acked - 3 : 0; i < acked; i++) {
            char want[32];
            snprintf(want, sizeof(want), "entry %llu", (unsigned long long)i);
            assert_entry(log, i, want);
        }
        acked = ledger_size(log);
        ledger_close(log);
        if (round % 20 == 19 || round == rounds - 1) {
            struct ledger_verify_result res;
            if (ledger_verify_dir(dir, &vk, NULL, 0, &res)) {
                fprintf(stderr, "round %d: %s\n", round, res.msg);
                fail();
            }
        }
    }
    fprintf(stderr, "kill -9: %d rounds of %d-entry appends, %llu entries survived\n", rounds,
            batch, (unsigned long long)acked);
    assert_true(acked > 0);
    if (durable_only) {
        /* The second write-ahead file was used: checkpoints ran beside appends. */
        struct stat st;
        char wal[160];
        snprintf(wal, sizeof(wal), "%s/pending.1", dir);
        assert_int_equal(stat(wal, &st), 0);
        assert_true(st.st_size > 0);
    }
    rmbase();
}

static void
test_kill_9_at_random_points(void **state)
{
    (void)state;
    kill_9_rounds(CRASH_ROUNDS, 1, 0, 0, 0, 20000);
}

/* Killed while a background checkpoint runs, or just after: the entries
 * are in either write-ahead file, or both in turn. */
static void
test_kill_9_during_background_checkpoints(void **state)
{
    (void)state;
    kill_9_rounds(BG_CRASH_ROUNDS, BG_BATCH, 1, 1, 1, 5000);
}

/* After a checkpoint the write-ahead file is written over from its start:
 * a writer that dies then leaves new records followed by whole older ones
 * (all records here are the same size), which recovery must skip (the
 * checkpoint has them) without losing the new. */
static void
test_write_ahead_reuse_after_checkpoint(void **state)
{
    (void)state;
    char dir[128], err[512];
    struct ledger_vkey vk;
    new_log_dir(dir, &vk);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct ledger_log *log;
        char text[64];
        uint64_t first;
        if (ledger_open(dir, 1, &log, err, sizeof(err)))
            _exit(3);
        for (int i = 0; i < 12; i++) {
            int l = snprintf(text, sizeof(text), "entry number %02d", i);
            struct ledger_entry e = {text, (size_t)l};
            if (ledger_append_durable(log, &e, 1, &first, err, sizeof(err)) || first != (uint64_t)i)
                _exit(4);
            if (i == 9 && ledger_checkpoint_now(log, err, sizeof(err)))
                _exit(5);
        }
        _exit(0); /* no close: the last two are in the write-ahead file only */
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    struct stat st;
    char wal[160];
    snprintf(wal, sizeof(wal), "%s/pending", dir);
    assert_int_equal(stat(wal, &st), 0);
    assert_true(st.st_size > 0);
    struct ledger_log *log;
    assert_int_equal(ledger_open(dir, 1, &log, err, sizeof(err)), 0);
    assert_int_equal(ledger_size(log), 12);
    for (uint64_t i = 9; i < 12; i++) {
        char want[64];
        snprintf(want, sizeof(want), "entry number %02d", (int)i);
        assert_entry(log, i, want);
    }
    ledger_close(log);
    struct ledger_verify_result res;
    assert_int_equal(ledger_verify_dir(dir, &vk, NULL, 0, &res), 0);
    rmbase();
}

static void
test_one_writer(void **state)
{
    (void)state;
    char dir[128], err[512];
    struct ledger_log *a, *b, *r;
    mkbase();
    snprintf(dir, sizeof(dir), "%s/w", base);
    make_log(dir, NULL);
    assert_int_equal(ledger_open(dir, 1, &a, err, sizeof(err)), 0);
    /* A second writer is refused and told who holds the log; readers are not. */
    assert_int_equal(ledger_open(dir, 1, &b, err, sizeof(err)), LEDGER_E_BUSY);
    char want[64];
    snprintf(want, sizeof(want), "(pid %ld)", (long)getpid());
    assert_non_null(strstr(err, want));
    assert_int_equal(ledger_open(dir, 0, &r, err, sizeof(err)), 0);
    ledger_close(r);
    ledger_close(a);
    assert_int_equal(ledger_open(dir, 1, &b, err, sizeof(err)), 0);
    ledger_close(b);
    rmbase();
}

int
main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_writer),
        cmocka_unit_test(test_proofs_at_every_size),
        cmocka_unit_test(test_cold_tile_proofs),
        cmocka_unit_test(test_key_permissions_and_limits),
        cmocka_unit_test(test_ledger_limits_crossed),
        cmocka_unit_test(test_tampering_is_found_at_the_right_index),
        cmocka_unit_test(test_failures_are_never_acknowledged),
        cmocka_unit_test(test_held_appends),
        cmocka_unit_test(test_concurrent_appends_and_proofs),
        cmocka_unit_test(test_group_commit_many_and_big),
        cmocka_unit_test(test_write_ahead_reuse_after_checkpoint),
        cmocka_unit_test(test_kill_9_at_random_points),
        cmocka_unit_test(test_kill_9_during_background_checkpoints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
