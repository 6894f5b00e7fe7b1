/*
 * inspect_mode.h - what a chmod mode grants, understood, not matched.
 *
 * Numeric modes (777, 0777, 4755) and symbolic ones (a+rwx, o+r, go-rwx,
 * u=rw,go=, +x, g+s) are read as chmod(1) reads them.  The result says
 * what the mode gives to others and to the group, and whether it sets the
 * set-user-id or set-group-id bit: 777 and a+rwx give others write; o+r and
 * 644 give others read; 600 and go-rwx give nothing.  A mode with no
 * "who" (+x) applies to all, as chmod does under the usual umask.
 */
#ifndef INSPECT_MODE_H
#define INSPECT_MODE_H

struct inspect_mode {
    int other_read, other_write, other_exec; /* granted to others */
    int group_write;                         /* granted to the group */
    int setid;                               /* set-user-id or set-group-id set */
    int absolute;                            /* a numeric mode: the whole mode is known */
};

/* 0 with *m, or -1 when s is not a chmod mode. */
int inspect_mode_parse(const char *s, struct inspect_mode *m);

/* Whether it widens access: others get read or write, the group gets write,
 * or a set-id bit is set. */
int inspect_mode_widens(const struct inspect_mode *m);

#endif
