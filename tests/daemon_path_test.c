/*
 * daemon_path: what airlockd trusts is trusted all the way to it
 * (daemon_check_path).  A symbolic link another user owns, or a directory
 * on the way that another user owns or anyone may write, is refused, as
 * given and as resolved; root's links and sticky directories are not.
 * Making files of another user needs root: skipped otherwise.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../src/daemon/daemon.h"
#include "test_util.h"

#define OTHER 61234 /* a uid that owns nothing else */

static char base[PATH_MAX + 64];

static void
at(char *buf, size_t n, const char *rel)
{
    snprintf(buf, n, "%s/%s", base, rel);
}

static void
dir(const char *rel, mode_t mode, uid_t owner)
{
    char p[sizeof(base) + 64];
    at(p, sizeof(p), rel);
    assert_int_equal(mkdir(p, mode), 0);
    assert_int_equal(chmod(p, mode), 0);
    assert_int_equal(chown(p, owner, 0), 0);
}

static void
link_to(const char *rel, const char *target, uid_t owner)
{
    char p[sizeof(base) + 64], t[sizeof(base) + 64];
    at(p, sizeof(p), rel);
    at(t, sizeof(t), target);
    assert_int_equal(symlink(t, p), 0);
    assert_int_equal(lchown(p, owner, 0), 0);
}

/* NULL: trusted; else what the refusal must say. */
static void
expect(const char *rel, unsigned uid, const char *why)
{
    char p[sizeof(base) + 64], err[PATH_MAX * 3] = "";
    at(p, sizeof(p), rel);
    int rc = daemon_check_path(p, uid, 1, err, sizeof(err));
    if (why ? rc == 0 || !strstr(err, why) : rc != 0)
        fail_msg("%s as uid %u: %s (want %s)", rel, uid, rc ? err : "trusted",
                 why ? why : "trusted");
}

static void
test_the_way(void **state)
{
    (void)state;
    if (geteuid() != 0)
        skip();
    char build[PATH_MAX];
    assert_non_null(realpath(tu_build_dir(), build));
    snprintf(base, sizeof(base), "%s/daemon_path_test.%d", build, (int)getpid());
    assert_int_equal(mkdir(base, 0755), 0);
    dir("data", 0700, 0);
    expect("data", 0, NULL);
    /* A link: root's is trusted, another user's is not (they can repoint it). */
    link_to("root-link", "data", 0);
    expect("root-link", 0, NULL);
    link_to("their-link", "data", OTHER);
    expect("their-link", 0, "is a symbolic link uid 61234 owns");
    /* A directory on the way that anyone may write, or another user owns. */
    dir("open", 0777, 0);
    dir("open/data", 0700, 0);
    expect("open/data", 0, "open, on the way to");
    expect("open/data", 0, "is writable by others");
    dir("theirs", 0755, OTHER);
    dir("theirs/data", 0700, 0);
    expect("theirs/data", 0, "belongs to another user");
    /* ...unless that user is the daemon's own. */
    dir("mine", 0755, OTHER);
    dir("mine/data", 0700, OTHER);
    expect("mine/data", OTHER, NULL);
    /* Sticky and root's, as /tmp: others cannot move what is not theirs. */
    dir("sticky", 01777, 0);
    dir("sticky/data", 0700, 0);
    expect("sticky/data", 0, NULL);
    /* A trusted link to a place reached through an open directory: the
     * resolved way is checked too. */
    link_to("root-link-to-open", "open/data", 0);
    expect("root-link-to-open", 0, "is writable by others");
    /* A relative path is checked from the working directory up. */
    char cwd[PATH_MAX];
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(base), 0);
    char err[PATH_MAX * 3];
    assert_int_equal(daemon_check_path("data", 0, 1, err, sizeof(err)), 0);
    assert_int_equal(daemon_check_path("their-link", 0, 1, err, sizeof(err)), -1);
    assert_int_equal(chdir(cwd), 0);
    char cmd[sizeof(base) + 16];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
    assert_int_equal(system(cmd), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_way),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
