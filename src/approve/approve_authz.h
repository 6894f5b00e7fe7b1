/*
 * approve_authz.h - who may approve what: people's commands as Cedar
 * requests (policies/admin.cedar documents the actions, resources and
 * context).
 *
 *   (User::"<caller>", Action::"<command>", <Type>::"<id>") + context
 *
 * The caller is the kernel's word for the socket's peer; the policies and
 * entities are airlockd's.  Fails closed: anything that goes wrong is a
 * refusal saying why.
 */
#ifndef APPROVE_AUTHZ_H
#define APPROVE_AUTHZ_H

#include <jansson.h>
#include <stddef.h>

#define APPROVE_REASON_MAX 1024

struct approve_authz;

/* policies, entities: files, or NULL for the built-in defaults.  0 or -1. */
int approve_authz_open(struct approve_authz **out, const char *policies, const char *entities,
                       char *err, size_t errlen);
void approve_authz_close(struct approve_authz *az);

/* 1 permitted, 0 refused; why says which policies decided ("no policy
 * permits it" when none did).  context: a JSON object (borrowed) in Cedar's
 * JSON form (entity references as {"__entity": {...}}). */
int approve_authz_decide(struct approve_authz *az, const char *user, const char *action,
                         const char *rtype, const char *rid, const json_t *context, char *why,
                         size_t n);

/* The JSON form of an entity reference, for a context. */
json_t *approve_entity(const char *type, const char *id);

#endif
