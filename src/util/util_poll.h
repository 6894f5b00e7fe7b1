/*
 * util_poll.h - waiting for an answer that is microseconds away.
 *
 * Blocking in poll(2) costs a sleep and a wake-up; on a virtual machine an
 * idle CPU halts, and waking it is an exit to the hypervisor, which alone
 * costs tens of microseconds.  Where an answer is expected within
 * microseconds (airlockd's verdict, the next frame of a busy session),
 * polling without sleeping for a bounded time first is cheaper.
 */
#ifndef UTIL_POLL_H
#define UTIL_POLL_H

#include <poll.h>
#include <stddef.h>

/* Poll fds without sleeping for up to us microseconds: the number ready
 * (revents set), 0 when none became so, -1 on a poll error. */
int util_spin_poll(struct pollfd *fds, size_t n, unsigned us);

#endif
