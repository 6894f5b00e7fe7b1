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

int
util_spin_poll(struct pollfd *fds, size_t n, unsigned us)
{
    int64_t until = mono_us() + us;
    do {
        int k = poll(fds, (nfds_t)n, 0);
        if (k != 0)
            return k;
    } while (mono_us() < until);
    return 0;
}
