/*
 * inspect_doc.h - documents that say who may do what.
 *
 * Access is often changed not by a command's words but by a document it
 * carries or a message quotes: an IAM or resource policy, a Kubernetes
 * RBAC binding, a Terraform/OpenTofu resource.  This reads them and
 * reports each access change they make (inspect_access.h's model), as
 * grantee, privilege and object as written, for the caller to classify:
 *
 *   JSON    AWS policies ("Statement": Effect Allow, Principal "*",
 *           {"AWS": ...}, {"Service": ...}, Action, Resource; a Condition
 *           makes the grantee's breadth unknown: it may narrow it), Google
 *           IAM policies ("bindings": role, members), Kubernetes objects
 *   YAML    Kubernetes RoleBinding and ClusterRoleBinding (subjects,
 *           roleRef), several documents, List items (libyaml reads it)
 *   HCL     Terraform/OpenTofu resources: *_iam_member / *_iam_binding
 *           (member(s), role, the bucket/project/dataset...), role
 *           assignments, kubernetes_(cluster_)role_binding, public ACLs
 *           and containers, security groups and firewalls open to
 *           0.0.0.0/0, public access blocks switched off, and policies
 *           given inline (a heredoc's JSON is read as JSON)
 *
 * A document that is one of these kinds but does not parse is reported
 * as such (INSPECT_DOC_BROKEN): the caller makes it opaque, never
 * harmless.  Limits: INSPECT_MAX_DOC bytes, INSPECT_MAX_DOC_DEPTH levels,
 * INSPECT_MAX_DOC_CHANGES changes reported per document (the last standing,
 * of unknown breadth, for any past it), INSPECT_MAX_DOC_ATTRS attributes of
 * a Terraform resource (more: broken).
 */
#ifndef INSPECT_DOC_H
#define INSPECT_DOC_H

#include <stddef.h>

#define INSPECT_MAX_DOC (4u << 20)   /* bytes of one document read */
#define INSPECT_MAX_DOC_DEPTH 64u    /* nesting of a document */
#define INSPECT_MAX_DOC_CHANGES 256u /* access changes reported per document */
#define INSPECT_MAX_DOC_ATTRS 512u   /* attributes of one Terraform resource read */

enum inspect_doc_lang { DOC_SNIFF, DOC_JSON, DOC_YAML, DOC_HCL };

/* One access change found: rule is the document kind's id (DOC-AWS-POLICY
 * ...), change one of the model's; the texts may be "" (not said). */
struct inspect_doc_change {
    const char *rule, *change, *grantee, *privilege, *kind, *object;
};

typedef void (*inspect_doc_fn)(void *arg, const struct inspect_doc_change *c);

#define INSPECT_DOC_NONE 0   /* not a document of these kinds */
#define INSPECT_DOC_READ 1   /* read: fn was called for each change (maybe none) */
#define INSPECT_DOC_BROKEN 2 /* looks like one but does not parse, or too large */

/* Read text as lang (DOC_SNIFF: guess from its content).  Returns one of
 * INSPECT_DOC_*; -1 when out of memory. */
int inspect_doc_access(const char *text, size_t len, enum inspect_doc_lang lang, inspect_doc_fn fn,
                       void *arg);

/* The explanation of a document rule's id, for a person. */
const char *inspect_doc_explanation(const char *rule);

#endif
