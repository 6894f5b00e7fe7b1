/*
 * daemon_signer.c - the key's own process.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <seccomp.h>
#include <sodium.h>

#include "../util/util_buf.h"
#include "../ledger/ledger_checkpoint.h"
#include "../ledger/ledger_note.h"
#include "../ledger/ledger_log.h"
#include "../util/util_log.h"
#include "daemon_signer.h"
#include "daemon_wire.h"

static int
send_msg(int fd, const void *p, uint32_t n)
{
    unsigned char h[4] = {n >> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff};
    return wire_write_all(fd, h, 4) || wire_write_all(fd, p, n) ? -1 : 0;
}

/* A message of at most max bytes into buf; its length, or -1. */
static long
recv_msg(int fd, char *buf, uint32_t max)
{
    unsigned char h[4];
    if (wire_read_all(fd, h, 4))
        return -1;
    uint32_t n = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
    if (n == 0 || n > max || wire_read_all(fd, buf, n))
        return -1;
    return (long)n;
}

/* Sign what it is sent, and nothing that contradicts what it signed. */
static void
serve(int fd, const struct ledger_skey *k)
{
    char text[SIGNER_MAX_TEXT], why[128] = "";
    uint64_t last = 0;
    ledger_hash last_root;
    int signed_one = 0;
    for (;;) {
        long n = recv_msg(fd, text, sizeof(text));
        struct ledger_checkpoint cp;
        if (n < 0)
            return; /* the daemon is gone, or sent what no daemon sends */
        if (ledger_checkpoint_parse(text, (size_t)n, &cp, why, sizeof(why)) ||
            strcmp(cp.origin, k->name) || (signed_one && cp.size < last) ||
            (signed_one && cp.size == last && memcmp(cp.root, last_root, sizeof(last_root)))) {
            util_log("airlockd signer: refused a checkpoint: %s\n",
                     why[0]                       ? why
                     : strcmp(cp.origin, k->name) ? "not this log's"
                                                  : "not consistent with the last one signed");
            return;
        }
        struct util_buf b;
        util_buf_init(&b, LEDGER_NOTE_MAX);
        if (ledger_note_sign(k, text, (size_t)n, &b) || send_msg(fd, b.p, (uint32_t)b.len)) {
            util_buf_free(&b);
            return;
        }
        util_buf_free(&b);
        last = cp.size;
        memcpy(last_root, cp.root, sizeof(last_root));
        signed_one = 1;
        why[0] = '\0';
    }
}

/* From here on the signer may read, write and end, and allocate memory
 * for the note; any other system call kills it (seccomp). */
static int
confine(void)
{
    static const int allowed[] = {
        SCMP_SYS(read), SCMP_SYS(write),      SCMP_SYS(sendto),       SCMP_SYS(close),
        SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(rt_sigreturn), SCMP_SYS(brk),
        SCMP_SYS(mmap), SCMP_SYS(munmap),     SCMP_SYS(madvise),      SCMP_SYS(futex),
    };
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    int rc = ctx ? 0 : -1;
    for (size_t i = 0; !rc && i < sizeof(allowed) / sizeof(allowed[0]); i++)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
    if (!rc)
        rc = seccomp_load(ctx); /* sets no_new_privs too */
    seccomp_release(ctx);
    return rc;
}

static void
child(int fd, const char *dir)
{
    struct ledger_skey k;
    /* Nothing of the daemon's but the pair's end and stderr. */
    if (dup2(fd, 3) < 0)
        _exit(1);
    for (int i = 0; i < 1024; i++)
        if (i != 2 && i != 3)
            close(i);
    signal(SIGINT, SIG_IGN); /* the daemon ends it */
    char err[512];
    if (ledger_skey_load(dir, &k, err, sizeof(err))) {
        util_log("airlockd signer: %s\n", err);
        _exit(1);
    }
    if (confine()) {
        ledger_skey_wipe(&k);
        util_log("airlockd signer: cannot install its seccomp filter\n");
        _exit(1);
    }
    serve(3, &k);
    ledger_skey_wipe(&k);
    _exit(0);
}

int
signer_start(struct signer *s, const char *dir, char *err, size_t errlen)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
        snprintf(err, errlen, "signer: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "signer: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    if (pid == 0)
        child(sv[1], dir);
    close(sv[1]);
    s->pid = pid;
    s->fd = sv[0];
    return 0;
}

int
signer_sign(void *arg, const char *text, size_t n, struct util_buf *out)
{
    struct signer *s = arg;
    char *note = malloc(LEDGER_NOTE_MAX);
    long len = -1;
    if (note && n <= SIGNER_MAX_TEXT && send_msg(s->fd, text, (uint32_t)n) == 0)
        len = recv_msg(s->fd, note, LEDGER_NOTE_MAX);
    int rc = len > 0 ? util_buf_add(out, note, (size_t)len) : -1;
    free(note);
    return rc ? -1 : 0;
}

void
signer_stop(struct signer *s)
{
    if (s->fd >= 0)
        close(s->fd); /* its read fails: it wipes the key and exits */
    if (s->pid > 0)
        waitpid(s->pid, NULL, 0);
    s->fd = -1;
    s->pid = 0;
}
