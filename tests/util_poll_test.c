/*
 * util_poll: util_wait spins only while answers come promptly.  A prompt
 * answer keeps spinning on, a timeout or a late answer stops it, and a
 * prompt answer again resumes it.
 */
#include <pthread.h>
#include <unistd.h>

#include "../src/util/util_poll.h"
#include "test_util.h"

static int fds[2];

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
    usleep(20000); /* far beyond twice the spin */
    assert_int_equal(write(fds[1], "x", 1), 1);
    return NULL;
}

static void
test_spins_while_answers_are_prompt(void **state)
{
    (void)state;
    struct util_spin s = {.us = 300};
    struct pollfd p = {.events = POLLIN};
    assert_int_equal(pipe(fds), 0);
    p.fd = fds[0];
    /* Answered at once: prompt, spinning goes on. */
    assert_int_equal(write(fds[1], "x", 1), 1);
    assert_int_equal(util_wait(&s, &p, 1, -1), 1);
    assert_false(s.late);
    drain();
    /* Nothing before the timeout: late. */
    assert_int_equal(util_wait(&s, &p, 1, 5), 0);
    assert_true(s.late);
    /* Prompt again: spinning resumes. */
    assert_int_equal(write(fds[1], "x", 1), 1);
    assert_int_equal(util_wait(&s, &p, 1, -1), 1);
    assert_false(s.late);
    drain();
    /* Answered, but late (blocking took over): spinning stops. */
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, write_later, NULL), 0);
    assert_int_equal(util_wait(&s, &p, 1, -1), 1);
    assert_true(s.late);
    pthread_join(t, NULL);
    drain();
    close(fds[0]);
    close(fds[1]);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spins_while_answers_are_prompt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
