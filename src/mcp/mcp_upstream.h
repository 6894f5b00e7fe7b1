/*
 * mcp_upstream.h - the real MCP server, run as a child process.
 *
 * Its standard input and output are pipes to airlock; its standard error is
 * airlock's own (it passes through).  Its environment is exactly the list
 * given: nothing of airlock's environment leaks to it unless named.
 */
#ifndef MCP_UPSTREAM_H
#define MCP_UPSTREAM_H

#include <sys/types.h>

struct mcp_upstream {
    pid_t pid;
    int in;  /* airlock writes the server's standard input here */
    int out; /* and reads its standard output here */
};

/* Build the child's environment from names ("PATH": passed on when set)
 * and settings ("NAME=value").  NULL-terminated, malloc'd; free with
 * mcp_env_free. */
char **mcp_env_build(char *const *spec, size_t n);
void mcp_env_free(char **env);

/* Start argv[0] (searched in PATH) with env.  0, or -1 with err saying why
 * (including a program that could not be executed). */
int mcp_upstream_start(struct mcp_upstream *u, char *const *argv, char *const *env, char *err,
                       size_t errlen);

/* Wait for the child to exit, giving it grace seconds, then SIGTERM and as
 * long again, then SIGKILL.  Describes how it ended in how ("exited with
 * status 0", "killed by signal 9"); returns its exit status or 128+signal. */
int mcp_upstream_reap(struct mcp_upstream *u, int grace, char *how, size_t howlen);

#endif
