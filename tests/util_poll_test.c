/*
 * util_poll: util_wait spins only while spinning catches answers.  A
 * prompt answer keeps it spinning; spins in a row that catch nothing (a
 * timeout, an answer that comes later) make it block without spinning for
 * the next 0, 1, 2, 4, ... answered waits, up to 2^(UTIL_SPIN_MAX_FAILED -
 * 2); timeouts while it blocks do not count; a spin that catches an answer
 * ends the backing off.
 */
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "../src/util/util_poll.h"
#include "test_util.h"

static int fds[2];

static void
answer_now(void)
{
    assert_int_equal(write(fds[1], "x", 1), 1);
}

static void
drain(void)
{
    char c;
    assert_int_equal(read(fds[0], &c, 1), 1);
}

static void *
write_later(void *arg)
{
    (void)arg;
    usleep(20000); /* far beyond the spin */
    answer_now();
    return NULL;
}

/* One wait answered only after the spin, from another thread. */
static void
wait_late_answer(struct util_spin *s, struct pollfd *p)
{
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, write_later, NULL), 0);
    assert_int_equal(util_wait(s, p, 1, -1), 1);
    pthread_join(t, NULL);
    drain();
}

/* One wait answered before it starts. */
static void
wait_prompt_answer(struct util_spin *s, struct pollfd *p)
{
    answer_now();
    assert_int_equal(util_wait(s, p, 1, -1), 1);
    drain();
}

static double
ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static struct pollfd
setup(void)
{
    assert_int_equal(pipe(fds), 0);
    return (struct pollfd){.fd = fds[0], .events = POLLIN};
}

static void
teardown(void)
{
    close(fds[0]);
    close(fds[1]);
}

static void
test_prompt_answers_keep_spinning(void **state)
{
    (void)state;
    struct util_spin s = {.us = 300};
    struct pollfd p = setup();
    for (int i = 0; i < 10; i++) {
        wait_prompt_answer(&s, &p);
        assert_int_equal(s.skip, 0);
        assert_int_equal(s.failed, 0);
    }
    teardown();
}

static void
test_failed_spins_back_off_doubling(void **state)
{
    (void)state;
    struct util_spin s = {.us = 300};
    struct pollfd p = setup();
    /* Nothing before the timeout: one failed spin is chance. */
    assert_int_equal(util_wait(&s, &p, 1, 5), 0);
    assert_int_equal(s.failed, 1);
    assert_int_equal(s.skip, 0);
    /* Answered after the spin, again: the next answered wait blocks
     * without spinning, whatever comes. */
    wait_late_answer(&s, &p);
    assert_int_equal(s.failed, 2);
    assert_int_equal(s.skip, 1);
    wait_prompt_answer(&s, &p);
    assert_int_equal(s.skip, 0);
    assert_int_equal(s.failed, 2); /* a wait without a spin learns nothing */
    /* Each further failed spin doubles the waits without, up to the limit. */
    unsigned want = 1;
    for (int i = 0; i < UTIL_SPIN_MAX_FAILED + 2; i++) {
        while (s.skip)
            wait_prompt_answer(&s, &p);
        assert_int_equal(util_wait(&s, &p, 1, 1), 0);
        want = want * 2 > 1u << (UTIL_SPIN_MAX_FAILED - 2) ? want : want * 2;
        assert_int_equal(s.skip, want);
    }
    assert_int_equal(s.failed, UTIL_SPIN_MAX_FAILED);
    assert_int_equal(s.skip, 1u << (UTIL_SPIN_MAX_FAILED - 2));
    teardown();
}

static void
test_timeouts_while_backing_off_do_not_count(void **state)
{
    (void)state;
    struct util_spin s = {.us = 300};
    struct pollfd p = setup();
    assert_int_equal(util_wait(&s, &p, 1, 1), 0);
    assert_int_equal(util_wait(&s, &p, 1, 1), 0);
    assert_int_equal(s.skip, 1);
    /* An idle waiter: its timeouts leave it blocking, never spinning. */
    for (int i = 0; i < 5; i++) {
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_int_equal(util_wait(&s, &p, 1, 1), 0);
        assert_int_equal(s.skip, 1);
        assert_int_equal(s.failed, 2);
        assert_true(ms_since(&t0) >= 1.0);
    }
    teardown();
}

static void
test_a_caught_answer_ends_the_backoff(void **state)
{
    (void)state;
    struct util_spin s = {.us = 300};
    struct pollfd p = setup();
    wait_late_answer(&s, &p);
    wait_late_answer(&s, &p);
    assert_int_equal(s.skip, 1);
    wait_prompt_answer(&s, &p); /* blocks: skip 1 -> 0 */
    assert_int_equal(s.skip, 0);
    wait_prompt_answer(&s, &p); /* spins and catches it */
    assert_int_equal(s.failed, 0);
    assert_int_equal(s.skip, 0);
    /* Counting starts again: one failure is chance. */
    wait_late_answer(&s, &p);
    assert_int_equal(s.failed, 1);
    assert_int_equal(s.skip, 0);
    teardown();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prompt_answers_keep_spinning),
        cmocka_unit_test(test_failed_spins_back_off_doubling),
        cmocka_unit_test(test_timeouts_while_backing_off_do_not_count),
        cmocka_unit_test(test_a_caught_answer_ends_the_backoff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
