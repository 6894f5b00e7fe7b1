#include "util_poll.h"

#include <stdint.h>
#include <time.h>

int64_t
util_mono_us(void)
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
    int64_t until = util_mono_us() + us;
    do {
        int k = poll(fds, (nfds_t)n, 0);
        if (k != 0)
            return k;
    } while (util_mono_us() < until);
    return 0;
}

int
util_wait(struct util_spin *s, struct pollfd *fds, size_t n, int timeout_ms)
{
    if (s->skip) {
        int k = poll(fds, (nfds_t)n, timeout_ms);
        s->skip -= k > 0; /* only answered waits count: an idle waiter
                             (timeouts) goes on blocking */
        return k;
    }
    int k = spin_poll(fds, n, s->us);
    if (k > 0)
        s->failed = 0;
    if (k != 0)
        return k;
    /* Spinning caught nothing: the answer is late, or cannot come while
     * this waiter holds the CPU.  Once is chance (a peer's garbage
     * collection); again, spin less and less often. */
    if (s->failed < UTIL_SPIN_MAX_FAILED)
        s->failed++;
    s->skip = s->failed < 2 ? 0 : 1u << (s->failed - 2);
    return poll(fds, (nfds_t)n, timeout_ms);
}
