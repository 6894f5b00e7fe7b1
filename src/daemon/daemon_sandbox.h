/*
 * daemon_sandbox.h - the seccomp filter of airlockd's main process, the
 * one that parses client input.
 *
 * It is a deny list, not an allow list: the daemon opens files (SQLite, the
 * ledger's tiles), resolves users (NSS), posts webhooks (libcurl: DNS, TLS)
 * and compiles PCRE2 patterns to machine code, and a missed system call in
 * an allow list would kill it in production.  What it denies is what an
 * attacker who took over the parser would want and the daemon never needs
 * once it runs: starting programs (execve), new processes (clone without
 * CLONE_THREAD, fork, vfork), reading or writing other processes (ptrace,
 * process_vm_*: the signer holds the key), changing identity, kernel
 * modules, mounts, namespaces, BPF, keyrings, reboot.  Any of them kills
 * the process (SIGSYS): the sessions' calls are then refused (fail closed).
 * The filter covers every thread (TSYNC).
 *
 * Under AddressSanitizer, LeakSanitizer's end-of-run check needs ptrace
 * and a clone of its own: those two stay allowed in sanitizer builds only.
 */
#ifndef DAEMON_SANDBOX_H
#define DAEMON_SANDBOX_H

#include <stddef.h>

/* Install the filter on the calling process (all its threads): 0, or -1
 * with err. */
int daemon_sandbox(char *err, size_t errlen);

#endif
