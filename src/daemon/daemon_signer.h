/*
 * daemon_signer.h - the process that holds the ledger's key.
 *
 * airlockd forks it before any client connects.  It reads DIR/key, closes
 * every other descriptor, and then does one thing: sign the checkpoints
 * the daemon sends it over a socket pair.  A request is a length (u32be)
 * and a checkpoint's text; the answer a length and the signed note.  It
 * refuses (and exits: the daemon then cannot sign, and says so) anything
 * that is not a well-formed checkpoint of its own log, and any checkpoint
 * that would contradict one it signed: a smaller tree, or the same size
 * with another root.  The daemon, which parses client input, never holds
 * the key.  Once it has read the key, a seccomp filter lets it read,
 * write, allocate and exit, and kills it on any other system call.
 */
#ifndef DAEMON_SIGNER_H
#define DAEMON_SIGNER_H

#include <stddef.h>
#include <sys/types.h>

#define SIGNER_MAX_TEXT 1024u /* a checkpoint's text (origin, size, root) */

struct util_buf;

struct signer {
    pid_t pid;
    int fd;
};

/* Fork the signer for the log in dir.  0, or -1 with err. */
int signer_start(struct signer *s, const char *dir, char *err, size_t errlen);
/* A ledger_signer_fn (arg: the struct signer). */
int signer_sign(void *arg, const char *text, size_t n, struct util_buf *out);
void signer_stop(struct signer *s);

#endif
