/*
 * approve_exposure.h - which later command closes an open exposure.
 *
 * An exposure is keyed by the widening command's name and its target: the
 * value of a resource option (--bucket, --name, ...) when there is one,
 * else the last path-like word, else the last word that is not an option
 * ("chmod -R 777 /srv/data" -> "chmod /srv/data"; "aws s3api
 * put-bucket-acl --bucket b --acl public-read" -> "aws b").  A later
 * permitted command with no widening finding and the same key narrows it
 * ("chmod 750 /srv/data", "aws s3api put-bucket-acl --bucket b --acl
 * private", "kubectl delete clusterrolebinding x"), unless it only reads
 * (get, describe, list, show ...).  It is a heuristic, said as such in
 * docs/approvals.md: what it does not recognise a person closes with a note.
 */
#ifndef APPROVE_EXPOSURE_H
#define APPROVE_EXPOSURE_H

#include <stddef.h>

#define APPROVE_MAX_KEY 512  /* bytes of an exposure's key */
#define APPROVE_MAX_WORDS 64 /* words of a command looked at */

/* The key of a simple command: 0, or -1 when it has no target.  With
 * narrowing set, -1 also for a command that only reads. */
int approve_exposure_key(const char *cmd, size_t n, int narrowing, char *key, size_t cap);

/* Call fn for each simple command in text (split at ; & | and newlines). */
void approve_each_command(const char *text, size_t n,
                          void (*fn)(void *arg, const char *cmd, size_t len), void *arg);

#endif
