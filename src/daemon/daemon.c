/*
 * daemon.c - airlockd's life: checks, privileges, the socket, the loop.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../ledger/ledger_log.h"
#include "../util/util_crypto.h"
#include "../util/util_log.h"
#include "../util/util_poll.h"
#include "daemon.h"
#include "../inspect/inspect.h"
#include "daemon_int.h"
#include "daemon_sandbox.h"

static volatile sig_atomic_t stopping;

static void
on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

/* A directory on the way to what airlockd reads: root's or the daemon's
 * user's, and writable by no one else, or root's with the sticky bit
 * (/tmp: others cannot move what is not theirs). */
static int
safe_dir(const struct stat *st, unsigned uid)
{
    if (st->st_uid != 0 && st->st_uid != uid)
        return 0;
    return !(st->st_mode & 022) || (st->st_uid == 0 && (st->st_mode & S_ISVTX));
}

/* One step of the way to path: w, the last step or not. */
static int
check_step(const char *w, const char *path, int last, unsigned uid, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(w, &st)) {
        snprintf(err, errlen, "%s: %s", w, strerror(errno));
        return -1;
    }
    if (S_ISLNK(st.st_mode) && st.st_uid != 0 && st.st_uid != uid) {
        snprintf(err, errlen,
                 "%s, on the way to %s, is a symbolic link uid %u owns: it could point "
                 "airlockd elsewhere",
                 w, path, (unsigned)st.st_uid);
        return -1;
    }
    if (S_ISDIR(st.st_mode) && !last && !safe_dir(&st, uid)) {
        snprintf(err, errlen,
                 "%s, on the way to %s, %s (mode %03o, uid %u): another user could put "
                 "something else in its place",
                 w, path, st.st_mode & 022 ? "is writable by others" : "belongs to another user",
                 (unsigned)(st.st_mode & 0777), (unsigned)st.st_uid);
        return -1;
    }
    return 0;
}

/* Every directory and link on the way to path, as given and as resolved:
 * a link another user owns, or a directory another user could change,
 * would let them point airlockd at what they wrote. */
static int
check_way(const char *path, unsigned uid, char *err, size_t errlen)
{
    char way[PATH_MAX], real[PATH_MAX];
    int n = -1;
    if (path[0] == '/')
        n = snprintf(way, sizeof(way), "%s", path);
    else if (getcwd(real, sizeof(real)))
        n = snprintf(way, sizeof(way), "%s/%s", real, path);
    if (n < 0 || (size_t)n >= sizeof(way)) {
        snprintf(err, errlen, "%s: the path is too long", path);
        return -1;
    }
    if (!realpath(path, real)) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *ways[2] = {way, real};
    for (int k = 0; k < 2; k++)
        for (char *p = ways[k] + 1;; p++) {
            if (*p != '/' && *p != '\0')
                continue;
            char c = *p;
            *p = '\0';
            int rc = check_step(ways[k], path, !c, uid, err, errlen);
            *p = c;
            if (rc)
                return -1;
            if (!c)
                break;
        }
    return 0;
}

int
daemon_check_path(const char *path, unsigned uid, int dir, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st)) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (check_way(path, uid, err, errlen))
        return -1;
    mode_t open_to = dir ? 077 : 022;
    if (st.st_uid != uid && st.st_uid != 0) {
        snprintf(err, errlen,
                 "%s belongs to uid %u, not to the daemon's user (uid %u) or root: "
                 "another user could change what airlockd decides",
                 path, (unsigned)st.st_uid, uid);
        return -1;
    }
    if (st.st_mode & open_to) {
        snprintf(err, errlen, "%s is %s by other users (mode %03o): chmod %s %s", path,
                 dir ? "open" : "writable", (unsigned)(st.st_mode & 0777), dir ? "700" : "go-w",
                 path);
        return -1;
    }
    return 0;
}

/* Become user for good (started as root with --user); the socket becomes
 * the user's, so that it can remove it when it stops. */
static int
drop_to(const char *user, const char *socket, char *err, size_t errlen)
{
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        snprintf(err, errlen, "--user %s: no such user", user);
        return -1;
    }
    if (pw->pw_uid == 0) {
        snprintf(err, errlen, "--user %s is root: airlockd runs as a user of its own", user);
        return -1;
    }
    if (chown(socket, pw->pw_uid, pw->pw_gid) || setgroups(0, NULL) || setgid(pw->pw_gid) ||
        setuid(pw->pw_uid)) {
        snprintf(err, errlen, "cannot become %s: %s", user, strerror(errno));
        return -1;
    }
    if (setuid(0) == 0) {
        snprintf(err, errlen, "privileges could be regained after becoming %s", user);
        return -1;
    }
    return 0;
}

/* A socket at path, open to every local user (who asks is checked per
 * connection); a stale one is replaced, a live one is not. */
static int
listen_at(const char *path, char *err, size_t errlen)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(a.sun_path)) {
        snprintf(err, errlen, "%s: a socket path must be under %zu bytes", path,
                 sizeof(a.sun_path));
        return -1;
    }
    memcpy(a.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        goto fail;
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
        close(fd);
        snprintf(err, errlen, "%s: another airlockd is listening there", path);
        return -1;
    }
    unlink(path);
    mode_t old = umask(0);
    int rc = bind(fd, (struct sockaddr *)&a, sizeof(a));
    umask(old);
    /* As many waiting as airlockd serves: a client's non-blocking connect
     * fails (EAGAIN) when the queue is full. */
    if (rc || chmod(path, 0666) || listen(fd, DAEMON_MAX_CONNS))
        goto fail;
    return fd;
fail:
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    return -1;
}

/* The data directory: created (0700, with a new signing key) on first
 * use; then it must be the daemon's alone. */
static int
open_dir(const char *dir, struct daemon *d, char *err, size_t errlen)
{
    char key[4096], vkey[512], host[256] = "localhost", name[300];
    if (mkdir(dir, 0700) && errno != EEXIST) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    /* Checked before anything is written into it. */
    if (daemon_check_path(dir, (unsigned)geteuid(), 1, err, errlen))
        return -1;
    snprintf(key, sizeof(key), "%s/key", dir);
    if (access(key, F_OK) != 0) {
        gethostname(host, sizeof(host) - 1);
        snprintf(name, sizeof(name), "%s/airlockd", host);
        if (ledger_create(dir, name, vkey, sizeof(vkey), err, errlen))
            return -1;
        util_log("airlockd: created the ledger in %s with a new signing key; its verifier "
                 "key is\nairlockd: %s\n",
                 dir, vkey);
    }
    /* From here on the key is the signer's alone. */
    if (signer_start(&d->signer, dir, err, errlen))
        return -1;
    return ledger_open_signer(dir, signer_sign, &d->signer, &d->log, err, errlen) ? -1 : 0;
}

/* The approvals store (in the data directory), who may approve (the
 * administrative policies) and the webhook. */
static int
open_approvals(const struct daemon_opts *o, struct daemon *d, char *err, size_t errlen)
{
    char path[4096];
    struct store *st = NULL;
    struct approve_authz *az = NULL;
    struct notify *nt = NULL;
    snprintf(path, sizeof(path), "%s/approvals.db", o->dir);
    if (store_open_sqlite(&st, path, err, errlen) ||
        approve_authz_open(&az, o->admin_policies, o->entities, err, errlen) ||
        notify_start(&nt, d->acfg.webhook, err, errlen)) {
        approve_authz_close(az);
        store_close(st);
        return -1;
    }
    struct approve_desk_hooks h = daemon_desk_hooks;
    h.arg = d;
    approve_desk_init(&d->desk, st, az, &d->acfg, nt, &h);
    int64_t n = 0;
    if (store_hold_count(d->desk.store, STORE_PENDING, &n) == 0 && n > 0)
        util_log("airlockd: %lld held calls are still waiting for a person\n", (long long)n);
    return 0;
}

static int
check_files(const struct daemon_opts *o, char *err, size_t errlen)
{
    const char *schema = o->schema && strcmp(o->schema, "auto") ? o->schema : NULL;
    const char *files[] = {o->policies, o->entities, o->config, o->admin_policies, schema};
    for (size_t i = 0; i < 5; i++)
        if (files[i] && daemon_check_path(files[i], (unsigned)geteuid(), 0, err, errlen))
            return -1;
    return 0;
}

static int
setup(const struct daemon_opts *o, struct daemon *d, char *err, size_t errlen)
{
    if (geteuid() == 0 && !o->user) {
        snprintf(err, errlen,
                 "airlockd does not run as root: give --user NAME (a user of its "
                 "own, e.g. useradd --system airlock) to drop to");
        return -1;
    }
    if ((d->listen_fd = listen_at(o->socket, err, errlen)) < 0)
        return -1;
    if (o->user && geteuid() == 0 && drop_to(o->user, o->socket, err, errlen))
        return -1;
    if (check_files(o, err, errlen) || open_dir(o->dir, d, err, errlen))
        return -1;
    gate_config_init(&d->cfg);
    if (gate_config_load(&d->cfg, o->config, err, errlen) ||
        approve_config_parse(&d->acfg, d->cfg.approvals, err, errlen) ||
        open_approvals(o, d, err, errlen))
        return -1;
    /* The agents' policies validate against the schema file, or airlockd
     * does not start (with "auto" each session checks them against its
     * server's pinned tools when it starts). */
    struct gate_opts check = {.policies = o->policies,
                              .schema = o->schema && strcmp(o->schema, "auto") ? o->schema : NULL,
                              .cfg = &d->cfg,
                              .dir = o->dir,
                              .server = ""};
    if (gate_check_policies(&check, err, errlen))
        return -1;
    /* Inspection, loaded once: every session's gate shares it (its
     * patterns' JIT and match state are the one loop's). */
    if (inspect_open(&d->insp, NULL, NULL, err, errlen) ||
        gate_config_org(&d->cfg, d->insp, err, errlen) ||
        gate_sessions_open(&d->sessions, NULL, err, errlen))
        return -1;
    /* libcrypto (one-time codes, the ledger's SHA-256) is loaded while
     * files can still be opened. */
    if (!util_crypto(err, errlen))
        return -1;
    /* Everything is open and every process and thread started: from here
     * on nothing runs a program, forks or touches another process. */
    if (daemon_sandbox(err, errlen))
        return -1;
    d->o = o;
    return 0;
}

static size_t
conns_of(const struct daemon *d, uid_t uid)
{
    size_t n = 0;
    for (size_t i = 0; i < d->nconns; i++)
        n += d->conns[i].uid == uid;
    return n;
}

/* Accept a connection; who it is comes from the kernel.  Beyond the
 * limits (all sessions, one user's) it is closed at once.  It is
 * non-blocking: airlockd waits for no one (daemon.h). */
static int
accept_one(struct daemon *d)
{
    int fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0)
        return -1;
    struct ucred cr;
    socklen_t len = sizeof(cr);
    if (d->nconns == DAEMON_MAX_CONNS || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) ||
        conns_of(d, cr.uid) >= DAEMON_MAX_CONNS_PER_UID) {
        close(fd);
        return 0;
    }
    struct conn *c = &d->conns[d->nconns++];
    memset(c, 0, sizeof(*c));
    c->fd = fd;
    c->uid = cr.uid;
    c->gid = cr.gid;
    c->pid = cr.pid;
    return 0;
}

static void
drop_conn(struct daemon *d, size_t i)
{
    struct gate *g = d->conns[i].gate;
    if (g && gate_unsigned(g))
        gate_idle(g); /* what the session wrote is signed before it goes */
    daemon_conn_release(&d->conns[i]);
    d->conns[i] = d->conns[--d->nconns];
}

/*
 * Group commit across sessions: the records a round of frames wrote are
 * held appends, and the round's replies wait in each connection's outbox
 * until one ledger_sync() has made them all durable; then they go out.  If
 * the sync fails, every reply of the round is replaced by an error (the
 * records are gone: nothing that depended on them may be said).  Returns
 * whether c's replies could not be written (it is to be dropped).
 */
static int
settle(struct conn *c, int synced, const char *why)
{
    int bad = 0;
    if (synced) {
        bad = c->nqueued && daemon_push(c, c->outbox.b, c->outbox.n);
    } else {
        char text[WIRE_MAX_TEXT];
        snprintf(text, sizeof(text), "airlock could not record this durably: %s", why);
        for (unsigned k = 0; k < c->nqueued && !bad; k++) {
            wire_begin(&c->out, WIRE_ERROR);
            wire_add_str(&c->out, WT_TEXT, text);
            bad = wire_seal(&c->out) || daemon_push(c, c->out.b, c->out.n);
        }
    }
    c->defer = 0;
    c->outbox.n = 0;
    c->nqueued = 0;
    return bad;
}

static int
sync_round(struct daemon *d, char *why, size_t n)
{
    if (ledger_sync(d->log, why, n) == 0)
        return 1;
    util_log("airlockd: ledger: %s (the round's answers are refused)\n", why);
    return 0;
}

static void
end_round(struct daemon *d)
{
    char why[LEDGER_ERR_MAX] = "";
    int queued = 0;
    for (size_t i = 0; i < d->nconns; i++)
        queued |= d->conns[i].nqueued != 0;
    int synced = !queued || sync_round(d, why, sizeof(why));
    for (size_t i = d->nconns; i-- > 0;)
        if (settle(&d->conns[i], synced, why))
            drop_conn(d, i);
}

/* A connection about to be dropped: what it was answered first. */
static void
settle_now(struct daemon *d, struct conn *c)
{
    char why[LEDGER_ERR_MAX] = "";
    (void)settle(c, !c->nqueued || sync_round(d, why, sizeof(why)), why);
}

/* Sign what the sessions and airlockd itself wrote once things are quiet
 * (quiet), or what has waited GATE_CHECKPOINT_MAX_MS in a daemon that is
 * never quiet. */
static void
sign(struct daemon *d, int quiet, int64_t now)
{
    char err[LEDGER_ERR_MAX];
    for (size_t i = 0; i < d->nconns; i++) {
        struct gate *g = d->conns[i].gate;
        if (g && (quiet ? gate_unsigned(g) : gate_checkpoint_due(g)))
            gate_idle(g);
    }
    if (!d->own_unsigned_since || (!quiet && now - d->own_unsigned_since < GATE_CHECKPOINT_MAX_MS))
        return;
    if (ledger_checkpoint_now(d->log, err, sizeof(err))) {
        util_log("airlockd: ledger: %s (the records are durable; the checkpoint waits)\n", err);
        d->own_unsigned_since = now; /* again in a second */
    } else {
        d->own_unsigned_since = 0;
    }
}

/* Whether c's frames are to be served now without polling: whole ones
 * wait in its buffer and it has read what it was answered. */
static int
ready(const struct conn *c)
{
    return !c->unsent.n && wire_buffered(&c->in);
}

/* Drop the sessions that owed airlockd something (the rest of a frame,
 * reading their answers) for DAEMON_IO_TIMEOUT, or whose writes failed;
 * the ms until the next would be due (-1: none owes). */
static int
drop_late(struct daemon *d, int64_t now)
{
    int64_t next = -1;
    for (size_t i = d->nconns; i-- > 0;) {
        struct conn *c = &d->conns[i];
        if (!c->unsent.n && !wire_partial(&c->in)) {
            c->owing_since = 0;
        } else if (!c->owing_since) {
            c->owing_since = now;
        }
        int64_t left = c->owing_since + DAEMON_IO_TIMEOUT * 1000 - now;
        if (c->dead || (c->owing_since && left <= 0))
            drop_conn(d, i);
        else if (c->owing_since && (next < 0 || left < next))
            next = left;
    }
    return (int)next;
}

static void
loop(struct daemon *d)
{
    struct pollfd p[DAEMON_MAX_CONNS + 1];
    struct util_spin spin = {.us = WIRE_SPIN_US};
    int64_t next_due = 0; /* when to look for records waiting too long */
    int quiet = 0;        /* the last wait timed out: everything was signed then */
    int late = -1;        /* ms until a session owing something is due */
    while (!stopping) {
        int now_ready = 0;
        p[0] = (struct pollfd){.fd = d->listen_fd, .events = POLLIN};
        for (size_t i = 0; i < d->nconns; i++) {
            const struct conn *c = &d->conns[i];
            /* Unread answers: only whether it reads them (its frames wait). */
            short ev = c->unsent.n ? POLLOUT : wire_buffered(&c->in) ? 0 : POLLIN;
            p[i + 1] = (struct pollfd){.fd = c->fd, .events = ev};
            now_ready |= ready(c);
        }
        /* The next frame may be microseconds away: spun while frames come
         * promptly, never once idle (util_poll.h).  Idle with everything
         * signed, only the once-a-second tick (expiries) wakes it. */
        int timeout = quiet ? DAEMON_IDLE_WAKE_MS : DAEMON_QUIET_MS;
        if (late >= 0 && late < timeout)
            timeout = late;
        int n = now_ready ? poll(p, d->nconns + 1, 0) : util_wait(&spin, p, d->nconns + 1, timeout);
        int64_t now = util_mono_us() / 1000;
        if ((n == 0 && !now_ready) || now >= next_due) {
            sign(d, n == 0 && !now_ready, now);
            next_due = now + GATE_CHECKPOINT_MAX_MS / 10;
        }
        quiet = n == 0 && !now_ready; /* after an interrupted wait, the shorter one */
        approve_desk_tick(&d->desk);  /* at most once a second */
        if (n > 0 || now_ready) {
            /* Serve from the end: dropping a connection moves the last one. */
            for (size_t i = d->nconns; i-- > 0;) {
                struct conn *c = &d->conns[i];
                short rev = p[i + 1].revents;
                if (c->unsent.n && rev && daemon_flush(c))
                    continue; /* gone: drop_late drops it */
                if (c->unsent.n || !(ready(c) || (rev & (POLLIN | POLLHUP | POLLERR))))
                    continue;
                c->defer = 1;
                if (daemon_serve(d, c)) {
                    settle_now(d, c);
                    drop_conn(d, i);
                }
            }
            end_round(d);
            if (p[0].revents & POLLIN)
                while (accept_one(d) == 0) /* all that wait (the socket is non-blocking) */
                    ;
        }
        late = drop_late(d, util_mono_us() / 1000);
    }
}

int
daemon_run(const struct daemon_opts *o, char *err, size_t errlen)
{
    struct daemon *d = calloc(1, sizeof(*d));
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    d->listen_fd = -1;
    d->signer.fd = -1;
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    int rc = setup(o, d, err, errlen);
    if (!rc) {
        util_log("airlockd: listening on %s (uid %u), data in %s\n", o->socket, (unsigned)geteuid(),
                 o->dir);
        loop(d);
    }
    while (d->nconns)
        drop_conn(d, d->nconns - 1);
    if (d->listen_fd >= 0) {
        close(d->listen_fd);
        unlink(o->socket);
    }
    approve_desk_release(&d->desk); /* the webhook's queue is posted first */
    inspect_close(d->insp);
    gate_sessions_close(d->sessions);
    ledger_close(d->log); /* its last checkpoint is signed before the signer goes */
    signer_stop(&d->signer);
    gate_config_release(&d->cfg);
    free(d);
    return rc;
}
