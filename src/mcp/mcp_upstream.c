/*
 * mcp_upstream.c - start, and end, the real MCP server.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mcp_upstream.h"

char **
mcp_env_build(char *const *spec, size_t n)
{
    char **env = calloc(n + 1, sizeof(*env));
    size_t k = 0;
    if (!env)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const char *s = spec[i];
        if (strchr(s, '=')) {
            env[k] = strdup(s);
        } else {
            const char *v = getenv(s);
            if (!v)
                continue;
            size_t len = strlen(s) + strlen(v) + 2;
            if ((env[k] = malloc(len)))
                snprintf(env[k], len, "%s=%s", s, v);
        }
        if (!env[k++]) {
            mcp_env_free(env);
            return NULL;
        }
    }
    return env;
}

void
mcp_env_free(char **env)
{
    for (size_t i = 0; env && env[i]; i++)
        free(env[i]);
    free(env);
}

/* In the child: wire the pipes and exec; on failure report errno through
 * the close-on-exec status pipe. */
static void __attribute__((noreturn))
child(pid_t parent, int in, int out, int status, char *const *argv, char *const *env)
{
    int e = 0;
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0)
        e = errno;
    signal(SIGPIPE, SIG_DFL);
    /* If airlock dies, so does the server: it must not run unwatched. */
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) || getppid() != parent)
        _exit(127);
    /* Nothing airlock holds open (the ledger, its key) reaches the server. */
    if (!e && close_range(3, ~0u, CLOSE_RANGE_CLOEXEC))
        e = errno;
    if (!e) {
        execvpe(argv[0], argv, env);
        e = errno;
    }
    ssize_t r = write(status, &e, sizeof(e));
    (void)r;
    _exit(127);
}

int
mcp_upstream_start(struct mcp_upstream *u, char *const *argv, char *const *env, char *err,
                   size_t errlen)
{
    int to[2] = {-1, -1}, from[2] = {-1, -1}, st[2] = {-1, -1};
    if (pipe2(to, O_CLOEXEC) || pipe2(from, O_CLOEXEC) || pipe2(st, O_CLOEXEC)) {
        snprintf(err, errlen, "cannot make pipes: %s", strerror(errno));
        goto fail;
    }
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot start '%s': %s", argv[0], strerror(errno));
        goto fail;
    }
    if (pid == 0)
        child(parent, to[0], from[1], st[1], argv, env);
    close(to[0]);
    close(from[1]);
    close(st[1]);
    int e = 0;
    ssize_t r;
    while ((r = read(st[0], &e, sizeof(e))) < 0 && errno == EINTR)
        ;
    close(st[0]);
    if (r > 0) {
        snprintf(err, errlen, "cannot start '%s': %s", argv[0], strerror(e));
        close(to[1]);
        close(from[0]);
        waitpid(pid, NULL, 0);
        return -1;
    }
    fcntl(to[1], F_SETFL, O_NONBLOCK);
    fcntl(from[0], F_SETFL, O_NONBLOCK);
    u->pid = pid;
    u->in = to[1];
    u->out = from[0];
    return 0;
fail:
    for (int i = 0; i < 2; i++) {
        if (to[i] >= 0)
            close(to[i]);
        if (from[i] >= 0)
            close(from[i]);
        if (st[i] >= 0)
            close(st[i]);
    }
    return -1;
}

static int
wait_for(pid_t pid, int *status, int seconds)
{
    for (int i = 0; i < seconds * 100; i++) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid || (r < 0 && errno != EINTR))
            return r == pid ? 0 : -1;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return -1;
}

int
mcp_upstream_reap(struct mcp_upstream *u, int grace, char *how, size_t howlen)
{
    int status = 0;
    if (u->pid <= 0) {
        snprintf(how, howlen, "was not running");
        return 1;
    }
    if (wait_for(u->pid, &status, grace)) {
        kill(u->pid, SIGTERM);
        if (wait_for(u->pid, &status, grace)) {
            kill(u->pid, SIGKILL);
            waitpid(u->pid, &status, 0);
        }
    }
    u->pid = 0;
    if (WIFSIGNALED(status)) {
        snprintf(how, howlen, "was killed by signal %d", WTERMSIG(status));
        return 128 + WTERMSIG(status);
    }
    snprintf(how, howlen, "exited with status %d", WEXITSTATUS(status));
    return WEXITSTATUS(status);
}
