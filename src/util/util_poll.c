#include "util_poll.h"

#include <stdint.h>
#include <time.h>

static int64_t
mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Poll fds without sleeping for up to us microseconds: the number ready,
 * 0 when none became so, -1 on a poll error. */
static int
spin_poll(struct pollfd *fds, size_t n, unsigned us)
{
    int64_t until = mono_us() + us;
    do {
        int k = poll(fds, (nfds_t)n, 0);
        if (k != 0)
            return k;
    } while (mono_us() < until);
    return 0;
}

int
util_wait(struct util_spin *s, struct pollfd *fds, size_t n, int timeout_ms)
{
    int64_t t0 = mono_us();
    int k = s->late ? 0 : spin_poll(fds, n, s->us);
    if (k == 0)
        k = poll(fds, (nfds_t)n, timeout_ms);
    if (k >= 0) /* a timeout is late too; an interrupted wait says nothing */
        s->late = k == 0 || mono_us() - t0 > 2 * (int64_t)s->us;
    return k;
}
