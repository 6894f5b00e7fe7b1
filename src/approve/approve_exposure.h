/*
 * approve_exposure.h - which later command closes an open exposure.
 *
 * An exposure is keyed by the widening command's name and its target: the
 * value of a resource option (--bucket, --name, ...) when there is one,
 * else the last path-like word, else the last word that is not an option
 * ("chmod -R 777 /srv/data" -> "chmod /srv/data"; "aws s3api
 * put-bucket-acl --bucket b --acl public-read" -> "aws b").  A later
 * permitted command with no widening finding and the same key closes it
 * when it reverts what was widened: chmod with a mode that takes from the
 * group or others and gives them no write ("chmod 750 /srv/data", "chmod
 * -R o-rwx /srv/data"; never "chmod u+w /srv/data"), anything else with a
 * word that takes away ("aws s3api put-bucket-acl --bucket b --acl
 * private", "kubectl delete clusterrolebinding x", revoke, remove-...,
 * --no-...), and never a command that only reads (get, describe, list,
 * show ...).  It is a heuristic, said as such in docs/approvals.md, that
 * errs towards keeping an exposure open: what it does not recognise a
 * person closes with a note.
 */
#ifndef APPROVE_EXPOSURE_H
#define APPROVE_EXPOSURE_H

#include <stddef.h>

#define APPROVE_MAX_KEY 512  /* bytes of an exposure's key */
#define APPROVE_MAX_WORDS 64 /* words of a command looked at */

/* The key of a simple command: 0, or -1 when it has no target.  With
 * narrowing set, -1 also for a command that does not revert a widening. */
int approve_exposure_key(const char *cmd, size_t n, int narrowing, char *key, size_t cap);

/* Call fn for each simple command in text (split at ; & | and newlines). */
void approve_each_command(const char *text, size_t n,
                          void (*fn)(void *arg, const char *cmd, size_t len), void *arg);

#endif
