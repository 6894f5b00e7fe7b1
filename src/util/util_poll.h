/*
 * util_poll.h - waiting for an answer that is microseconds away.
 *
 * Blocking in poll(2) costs a sleep and a wake-up; on a virtual machine an
 * idle CPU halts, and waking it is an exit to the hypervisor, which alone
 * costs tens of microseconds.  Where an answer is expected within
 * microseconds (airlockd's verdict, the upstream's reply, the next frame of
 * a busy session), polling without sleeping for a bounded time first is
 * cheaper.  Where answers come later than that (a loaded machine, many
 * sessions on few CPUs, a person typing), spinning only takes CPU from
 * whoever would answer: util_wait spins only while recent answers came
 * within reach.
 */
#ifndef UTIL_POLL_H
#define UTIL_POLL_H

#include <poll.h>
#include <stddef.h>

/* How one waiter spins: up to us microseconds before it blocks, and only
 * while the last wait was answered within twice that (a late answer, or
 * none before the timeout, stops the spinning; a prompt one resumes it).
 * Zero-initialise, then set us. */
struct util_spin {
    unsigned us;
    int late; /* the last wait took longer than 2 * us */
};

/* poll(fds, n, timeout_ms), spun first as s says; its result. */
int util_wait(struct util_spin *s, struct pollfd *fds, size_t n, int timeout_ms);

#endif
