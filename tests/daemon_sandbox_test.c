/*
 * daemon_sandbox: in a child that installed airlockd's filter, starting a
 * program kills it (SIGSYS), and so does changing identity; threads still
 * start, files still open.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/daemon/daemon_sandbox.h"
#include "test_util.h"

enum { EXEC, SETUID, THREAD_AND_FILE };

static void *
nothing(void *arg)
{
    return arg;
}

/* The child's end: 0 exit status, or the signal that killed it (negative). */
static int
in_child(int what)
{
    pid_t pid = fork();
    if (pid == 0) {
        char err[256];
        if (daemon_sandbox(err, sizeof(err)))
            _exit(90);
        if (what == EXEC) {
            char *argv[] = {"/bin/true", NULL};
            execv("/bin/true", argv);
            _exit(91);
        }
        if (what == SETUID)
            _exit(setuid(getuid()) == 0 ? 92 : 93);
        pthread_t t;
        int fd = open("/dev/null", O_RDONLY);
        _exit(pthread_create(&t, NULL, nothing, NULL) || pthread_join(t, NULL) || fd < 0);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFSIGNALED(st) ? -WTERMSIG(st) : WEXITSTATUS(st);
}

static void
test_exec_kills(void **state)
{
    (void)state;
    assert_int_equal(in_child(EXEC), -SIGSYS);
}

static void
test_setuid_kills(void **state)
{
    (void)state;
    assert_int_equal(in_child(SETUID), -SIGSYS);
}

static void
test_threads_and_files_work(void **state)
{
    (void)state;
    assert_int_equal(in_child(THREAD_AND_FILE), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exec_kills),
        cmocka_unit_test(test_setuid_kills),
        cmocka_unit_test(test_threads_and_files_work),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
