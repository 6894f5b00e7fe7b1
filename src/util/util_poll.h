/*
 * util_poll.h - waiting for an answer that is microseconds away.
 *
 * Blocking in poll(2) costs a sleep and a wake-up; on a virtual machine an
 * idle CPU halts, and waking it is an exit to the hypervisor, which alone
 * costs tens of microseconds.  Where an answer is expected within
 * microseconds (airlockd's verdict, the upstream's reply, the next frame of
 * a busy session), polling without sleeping for a bounded time first is
 * cheaper.  Where answers come later than that (a loaded machine, many
 * sessions on few CPUs, a person typing) or cannot come while the waiter
 * holds the CPU (one CPU for airlock and its peers), spinning only takes
 * CPU from whoever would answer: util_wait spins only while spinning
 * catches answers.  After two spins in a row that caught none it blocks
 * in the next wait without spinning, after a third in the next 2, then 4,
 * ... up to 2^(UTIL_SPIN_MAX_FAILED - 2) waits, and tries again; a spin
 * that catches an answer ends the backing off.  Waits that time out while
 * it blocks do not count, so an idle waiter stops spinning after its first
 * two timeouts until answers come again.
 */
#ifndef UTIL_POLL_H
#define UTIL_POLL_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#define UTIL_SPIN_MAX_FAILED 8 /* failed spins counted: then 64 waits between spins */

/* How one waiter spins: up to us microseconds before it blocks.
 * Zero-initialise, then set us. */
struct util_spin {
    unsigned us;
    unsigned skip;   /* answered waits left to block in without spinning */
    unsigned failed; /* spins in a row that caught nothing */
};

/* The monotonic clock in microseconds. */
int64_t util_mono_us(void);

/* poll(fds, n, timeout_ms), spun first as s says; its result. */
int util_wait(struct util_spin *s, struct pollfd *fds, size_t n, int timeout_ms);

#endif
