/*
 * inspect_doc.c - access changes in policies, RBAC bindings and Terraform.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "inspect_access.h"
#include "inspect_doc.h"

struct walk {
    inspect_doc_fn fn;
    void *arg;
    unsigned changes;
    int nomem;
};

static void
emit(struct walk *w, const char *rule, const char *change, const char *grantee,
     const char *privilege, const char *kind, const char *object)
{
    if (w->changes >= INSPECT_MAX_DOC_CHANGES)
        return;
    /* The last one reported stands for all from there on: of unknown
     * breadth, never a silent end of the list. */
    if (++w->changes == INSPECT_MAX_DOC_CHANGES)
        grantee = INSPECT_UNREAD_GRANTEE;
    struct inspect_doc_change c = {rule,
                                   change,
                                   grantee ? grantee : "",
                                   privilege ? privilege : "",
                                   kind ? kind : "",
                                   object ? object : ""};
    w->fn(w->arg, &c);
}

static const char *
str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* ---- JSON documents ---- */

/* "a, b, c" of a string or an array of strings, into buf. */
static const char *
joined(const json_t *v, char *buf, size_t cap)
{
    size_t i, n = 0;
    json_t *s;
    buf[0] = '\0';
    if (json_is_string(v))
        snprintf(buf, cap, "%s", json_string_value(v));
    json_array_foreach(v, i, s)
        if (json_is_string(s) && n + 1 < cap) {
            int k = snprintf(buf + n, cap - n, "%s%s", n ? "," : "", json_string_value(s));
            if (k < 0)
                break;
            n += (size_t)k < cap - n ? (size_t)k : cap - n - 1;
        }
    return buf;
}

/* An AWS policy's statements: who (Principal) may do what (Action) on
 * what (Resource). */
static void
aws_statement(struct walk *w, const json_t *st)
{
    char priv[512], res[512], who[512];
    const char *effect = str(st, "Effect");
    if (!effect || strcasecmp(effect, "Allow"))
        return;
    const json_t *act = json_object_get(st, "Action");
    if (!act && json_object_get(st, "NotAction"))
        snprintf(priv, sizeof(priv), "*"); /* all but some: as good as all */
    else
        joined(act, priv, sizeof(priv));
    joined(json_object_get(st, "Resource"), res, sizeof(res));
    const char *cond = json_object_get(st, "Condition") ? " (with a Condition)" : "";
    const json_t *p = json_object_get(st, "Principal");
    if (!p && json_object_get(st, "NotPrincipal"))
        p = json_string("*"); /* everyone but some */
    else if (p)
        json_incref((json_t *)p);
    if (!p) { /* an identity policy: whoever it is attached to */
        emit(w, "DOC-AWS-POLICY", "grant", "", priv, "resource", res);
        return;
    }
    if (json_is_string(p)) {
        snprintf(who, sizeof(who), "%s%s", json_string_value(p), cond);
        emit(w, "DOC-AWS-POLICY", "grant", who, priv, "resource", res);
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)p, k, v) {
        size_t i;
        json_t *one;
        if (json_is_string(v)) {
            snprintf(who, sizeof(who), "%s%s", json_string_value(v), cond);
            emit(w, "DOC-AWS-POLICY", "grant", who, priv, "resource", res);
        }
        json_array_foreach(v, i, one)
            if (json_is_string(one)) {
                snprintf(who, sizeof(who), "%s%s", json_string_value(one), cond);
                emit(w, "DOC-AWS-POLICY", "grant", who, priv, "resource", res);
            }
    }
    json_decref((json_t *)p);
}

/* A Google IAM policy: {"bindings": [{"role", "members", "condition"}]}. */
static void
gcp_bindings(struct walk *w, const json_t *bindings)
{
    size_t i, k;
    json_t *b, *m;
    char who[512];
    json_array_foreach(bindings, i, b) {
        const char *role = str(b, "role");
        const char *cond = json_object_get(b, "condition") ? " (with a condition)" : "";
        json_array_foreach(json_object_get(b, "members"), k, m)
            if (json_is_string(m)) {
                snprintf(who, sizeof(who), "%s%s", json_string_value(m), cond);
                emit(w, "DOC-GCP-POLICY", "grant", who, role, "resource", "");
            }
    }
}

/* A Kubernetes RoleBinding or ClusterRoleBinding. */
static void
rbac(struct walk *w, const json_t *o, int cluster)
{
    size_t i;
    json_t *s;
    char who[512];
    const char *role = str(json_object_get(o, "roleRef"), "name");
    const char *ns = str(json_object_get(o, "metadata"), "namespace");
    json_array_foreach(json_object_get(o, "subjects"), i, s) {
        const char *kind = str(s, "kind"), *name = str(s, "name");
        if (!kind || !name)
            continue;
        if (!strcmp(kind, "Group"))
            snprintf(who, sizeof(who), "group:%s", name);
        else if (!strcmp(kind, "ServiceAccount"))
            snprintf(who, sizeof(who), "system:serviceaccount:%s:%s",
                     str(s, "namespace") ? str(s, "namespace")
                     : ns                ? ns
                                         : "",
                     name);
        else
            snprintf(who, sizeof(who), "user:%s", name);
        emit(w, "DOC-K8S-BINDING", "grant", who, role, cluster ? "cluster" : "namespace",
             cluster ? "cluster"
             : ns    ? ns
                     : "");
    }
}

static void walk_json(struct walk *w, const json_t *j, unsigned depth);

/* A string that holds a JSON policy (CloudFormation, Terraform's JSON). */
static void
nested_policy(struct walk *w, const char *s, size_t n, unsigned depth)
{
    if (n < 2 || !strstr(s, "Statement"))
        return;
    json_t *j = json_loadb(s, n, JSON_REJECT_DUPLICATES, NULL);
    if (j)
        walk_json(w, j, depth + 1);
    json_decref(j);
}

static void
walk_json(struct walk *w, const json_t *j, unsigned depth)
{
    size_t i;
    const char *k;
    json_t *v;
    if (depth > INSPECT_MAX_DOC_DEPTH)
        return;
    if (json_is_array(j)) {
        json_array_foreach(j, i, v)
            walk_json(w, v, depth + 1);
        return;
    }
    if (json_is_string(j)) {
        nested_policy(w, json_string_value(j), json_string_length(j), depth);
        return;
    }
    if (!json_is_object(j))
        return;
    const char *kind = str(j, "kind");
    if (kind && (!strcmp(kind, "RoleBinding") || !strcmp(kind, "ClusterRoleBinding")))
        rbac(w, j, kind[0] == 'C');
    const json_t *st = json_object_get(j, "Statement");
    if (json_is_object(st))
        aws_statement(w, st);
    json_array_foreach(st, i, v)
        aws_statement(w, v);
    if (json_is_array(json_object_get(j, "bindings")))
        gcp_bindings(w, json_object_get(j, "bindings"));
    /* deeper: CloudFormation's PolicyDocument, a List's items, ... */
    json_object_foreach((json_t *)j, k, v)
        if (strcmp(k, "Statement") && strcmp(k, "bindings") && strcmp(k, "subjects"))
            walk_json(w, v, depth + 1);
}

/* ---- YAML, as JSON values (libyaml's events) ---- */

/* YAML's documents as a JSON array of them; NULL if it does not parse
 * (or nests deeper than INSPECT_MAX_DOC_DEPTH). Scalars are strings;
 * aliases are their names (never expanded: no billion laughs). */
static json_t *
yaml_docs(const char *text, size_t len)
{
    yaml_parser_t p;
    yaml_event_t ev;
    json_t *stack[INSPECT_MAX_DOC_DEPTH + 2], *keys[INSPECT_MAX_DOC_DEPTH + 2];
    unsigned top = 0;
    json_t *docs = json_array();
    int ok = 1, done = 0;
    if (!docs || !yaml_parser_initialize(&p)) {
        json_decref(docs);
        return NULL;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    while (ok && !done) {
        if (!yaml_parser_parse(&p, &ev)) {
            ok = 0;
            break;
        }
        json_t *v = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_SCALAR_EVENT:
            v = json_stringn((const char *)ev.data.scalar.value, ev.data.scalar.length);
            if (!v) /* not UTF-8: keep a placeholder, the shape is what matters */
                v = json_string("?");
            break;
        case YAML_ALIAS_EVENT:
            v = json_string((const char *)ev.data.alias.anchor);
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (top == INSPECT_MAX_DOC_DEPTH) {
                ok = 0;
                break;
            }
            stack[top] = ev.type == YAML_SEQUENCE_START_EVENT ? json_array() : json_object();
            keys[top] = NULL;
            if (!stack[top])
                ok = 0;
            else
                top++;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (!top) {
                ok = 0;
                break;
            }
            v = stack[--top];
            json_decref(keys[top]);
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (!ok || !v)
            continue;
        /* v goes into its parent: a document, a sequence, or a mapping
         * (as its key, then as the key's value) */
        if (!top) {
            ok = !json_array_append_new(docs, v);
        } else if (json_is_array(stack[top - 1])) {
            ok = !json_array_append_new(stack[top - 1], v);
        } else if (!keys[top - 1]) {
            if (!json_is_string(v)) { /* a complex key: not a manifest */
                json_decref(v);
                ok = 0;
            } else {
                keys[top - 1] = v;
            }
        } else {
            ok = !json_object_set_new(stack[top - 1], json_string_value(keys[top - 1]), v);
            json_decref(keys[top - 1]);
            keys[top - 1] = NULL;
        }
    }
    while (top) {
        top--;
        json_decref(keys[top]);
        json_decref(stack[top]);
    }
    yaml_parser_delete(&p);
    if (!ok) {
        json_decref(docs);
        return NULL;
    }
    return docs;
}

/* ---- HCL (Terraform, OpenTofu): resources and their attributes ---- */

struct attr {
    char key[64];   /* "member", "subject.name" (nested blocks by their path) */
    char *value;    /* a string, or a list's strings joined by ",", owned */
    unsigned block; /* which nested block it is in (subject #2 ...) */
};

struct hcl {
    const char *t;
    size_t n, i;
    int bad;
};

static void
skip_space(struct hcl *h)
{
    while (h->i < h->n) {
        char c = h->t[h->i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            h->i++;
        } else if (c == '#' || (c == '/' && h->i + 1 < h->n && h->t[h->i + 1] == '/')) {
            while (h->i < h->n && h->t[h->i] != '\n')
                h->i++;
        } else if (c == '/' && h->i + 1 < h->n && h->t[h->i + 1] == '*') {
            /* the text is not NUL-terminated: a bounded search */
            const char *e =
                h->i + 2 < h->n ? memmem(h->t + h->i + 2, h->n - h->i - 2, "*/", 2) : NULL;
            if (!e) {
                h->bad = 1;
                h->i = h->n;
                return;
            }
            h->i = (size_t)(e - h->t) + 2;
        } else {
            return;
        }
    }
}

static int
ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/* A quoted string at h->i (escapes kept as written, ${...} too): its text. */
static char *
hcl_string(struct hcl *h)
{
    size_t s = ++h->i;
    unsigned depth = 0;
    while (h->i < h->n && (h->t[h->i] != '"' || depth)) {
        if (h->t[h->i] == '\\' && h->i + 1 < h->n)
            h->i++;
        else if (h->t[h->i] == '$' && h->i + 1 < h->n && h->t[h->i + 1] == '{')
            depth++, h->i++;
        else if (h->t[h->i] == '}' && depth)
            depth--;
        else if (h->t[h->i] == '\n')
            break;
        h->i++;
    }
    if (h->i >= h->n || h->t[h->i] != '"') {
        h->bad = 1;
        return NULL;
    }
    return strndup(h->t + s, h->i++ - s);
}

/* <<EOF ... EOF (or <<-EOF): its body. */
static char *
hcl_heredoc(struct hcl *h)
{
    h->i += 2;
    if (h->i < h->n && h->t[h->i] == '-')
        h->i++;
    size_t s = h->i;
    while (h->i < h->n && ident_char(h->t[h->i]))
        h->i++;
    size_t tl = h->i - s;
    if (!tl || tl > 64) {
        h->bad = 1;
        return NULL;
    }
    char tag[72];
    memcpy(tag, h->t + s, tl);
    tag[tl] = '\0';
    const char *nl = memchr(h->t + h->i, '\n', h->n - h->i);
    if (!nl) {
        h->bad = 1;
        return NULL;
    }
    size_t body = (size_t)(nl - h->t) + 1;
    for (size_t k = body; k < h->n;) {
        size_t e = k;
        while (e < h->n && h->t[e] != '\n')
            e++;
        size_t a = k;
        while (a < e && (h->t[a] == ' ' || h->t[a] == '\t'))
            a++;
        if (e - a >= tl && !memcmp(h->t + a, tag, tl) && (e - a == tl || h->t[a + tl] == '\r')) {
            char *v = strndup(h->t + body, k - body);
            h->i = e;
            return v;
        }
        k = e + 1;
    }
    h->bad = 1;
    return NULL;
}

/* Skip a value this reader does not keep (expressions, objects, calls),
 * balanced, to the end of its line. */
static void
skip_value(struct hcl *h)
{
    unsigned depth = 0;
    while (h->i < h->n) {
        char c = h->t[h->i];
        if (c == '"') {
            free(hcl_string(h));
            if (h->bad)
                return;
            continue;
        }
        if (c == '<' && h->i + 1 < h->n && h->t[h->i + 1] == '<') {
            free(hcl_heredoc(h));
            if (h->bad)
                return;
            continue;
        }
        if (c == '{' || c == '[' || c == '(') {
            if (++depth > INSPECT_MAX_DOC_DEPTH) {
                h->bad = 1;
                return;
            }
        } else if (c == '}' || c == ']' || c == ')') {
            if (!depth)
                return;
            depth--;
        } else if (c == '\n' && !depth) {
            return;
        }
        h->i++;
    }
}

/* A value: "string", <<HEREDOC, [ "a", "b" ] (its strings joined), or
 * anything else (skipped: NULL, not an error). */
static char *
hcl_value(struct hcl *h)
{
    skip_space(h);
    if (h->i >= h->n)
        return NULL;
    if (h->t[h->i] == '"') {
        char *s = hcl_string(h);
        skip_value(h); /* "x" ... the rest of an expression */
        return s;
    }
    if (h->t[h->i] == '<' && h->i + 1 < h->n && h->t[h->i + 1] == '<')
        return hcl_heredoc(h);
    if (h->t[h->i] != '[') { /* an expression: kept as written when short, on one line */
        size_t start = h->i;
        skip_value(h);
        if (h->bad)
            return NULL;
        size_t e = h->i < h->n ? h->i : h->n;
        while (e > start && strchr(" \t\r,", h->t[e - 1]))
            e--;
        if (e == start || e - start > 256 || memchr(h->t + start, '\n', e - start))
            return NULL;
        return strndup(h->t + start, e - start);
    }
    {
        size_t start = h->i;
        char buf[1024];
        size_t n = 0;
        h->i++;
        for (;;) {
            skip_space(h);
            if (h->bad || h->i >= h->n)
                return h->bad = 1, NULL;
            if (h->t[h->i] == ']') {
                h->i++;
                break;
            }
            if (h->t[h->i] == ',') {
                h->i++;
                continue;
            }
            if (h->t[h->i] != '"') { /* a list of expressions: skipped */
                h->i = start;
                skip_value(h);
                return NULL;
            }
            char *s = hcl_string(h);
            if (!s)
                return NULL;
            int k = snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? "," : "", s);
            if (k > 0 && (size_t)k < sizeof(buf) - n)
                n += (size_t)k;
            free(s);
        }
        buf[n] = '\0';
        return strdup(buf);
    }
}

/* A block's body after its "{": attributes and nested blocks, into v. */
static void
hcl_body(struct hcl *h, const char *prefix, struct attr *v, size_t *nv, unsigned *blocks,
         unsigned block, unsigned depth)
{
    if (depth > INSPECT_MAX_DOC_DEPTH) {
        h->bad = 1;
        return;
    }
    for (;;) {
        skip_space(h);
        if (h->bad || h->i >= h->n) {
            h->bad = 1;
            return;
        }
        if (h->t[h->i] == '}') {
            h->i++;
            return;
        }
        size_t s = h->i;
        while (h->i < h->n && ident_char(h->t[h->i]))
            h->i++;
        if (h->i == s) {
            h->bad = 1;
            return;
        }
        char name[64];
        snprintf(name, sizeof(name), "%.40s%.*s", prefix, (int)(h->i - s > 23 ? 23 : h->i - s),
                 h->t + s);
        skip_space(h);
        if (h->i < h->n && (h->t[h->i] == '=' || h->t[h->i] == ':')) {
            h->i++;
            char *val = hcl_value(h);
            if (val &&
                *nv == INSPECT_MAX_DOC_ATTRS) { /* more than it reads: broken, not harmless */
                free(val);
                h->bad = 1;
                return;
            }
            if (val) {
                snprintf(v[*nv].key, sizeof(v[*nv].key), "%s", name);
                v[*nv].value = val;
                v[(*nv)++].block = block;
            }
            continue;
        }
        /* a nested block: name ["label"...] { */
        while (h->i < h->n && h->t[h->i] == '"') {
            free(hcl_string(h));
            skip_space(h);
        }
        if (h->bad || h->i >= h->n || h->t[h->i] != '{') {
            h->bad = 1;
            return;
        }
        h->i++;
        char sub[72]; /* a path longer than attr.key is cut there */
        snprintf(sub, sizeof(sub), "%s.", name);
        hcl_body(h, sub, v, nv, blocks, ++*blocks, depth + 1);
    }
}

static const char *
attr(const struct attr *v, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i].key, key))
            return v[i].value;
    return NULL;
}

static int
suffix(const char *s, const char *end)
{
    size_t a = strlen(s), b = strlen(end);
    return a >= b && !strcmp(s + a - b, end);
}

/* What one Terraform resource of type t, with attributes v, changes. */
static void
tf_resource(struct walk *w, const char *t, const struct attr *v, size_t n)
{
    static const char *const objects[] = {
        "bucket",   "project",    "dataset_id",  "secret_id",     "folder",
        "org_id",   "repository", "topic",       "subscription",  "service",
        "instance", "table_id",   "key_ring_id", "crypto_key_id", "name",
    };
    const char *obj = NULL;
    for (size_t i = 0; !obj && i < sizeof(objects) / sizeof(*objects); i++)
        obj = attr(v, n, objects[i]);
    if (strstr(t, "_iam_member") || strstr(t, "_iam_binding")) {
        const char *role = attr(v, n, "role");
        const char *members = attr(v, n, "member") ? attr(v, n, "member") : attr(v, n, "members");
        char buf[1024];
        snprintf(buf, sizeof(buf), "%s", members ? members : "");
        for (char *p = buf, *c; p; p = c) {
            c = strchr(p, ',');
            if (c)
                *c++ = '\0';
            if (*p || !members)
                emit(w, "DOC-TF-IAM", "grant", p, role, "resource", obj);
            if (!members)
                break;
        }
        return;
    }
    if (suffix(t, "_role_assignment")) {
        const char *role = attr(v, n, "role_definition_name") ? attr(v, n, "role_definition_name")
                                                              : attr(v, n, "role_definition_id");
        emit(w, "DOC-TF-IAM", "grant", attr(v, n, "principal_id"), role, "scope",
             attr(v, n, "scope"));
        return;
    }
    if (strstr(t, "kubernetes_cluster_role_binding") || strstr(t, "kubernetes_role_binding")) {
        int cluster = strstr(t, "cluster") != NULL;
        const char *role = attr(v, n, "role_ref.name");
        for (size_t i = 0; i < n; i++) {
            if (strcmp(v[i].key, "subject.name"))
                continue;
            const char *kind = NULL;
            for (size_t k = 0; k < n; k++)
                if (v[k].block == v[i].block && !strcmp(v[k].key, "subject.kind"))
                    kind = v[k].value;
            char who[512];
            snprintf(who, sizeof(who), "%s:%s",
                     kind && !strcmp(kind, "Group")            ? "group"
                     : kind && !strcmp(kind, "ServiceAccount") ? "serviceaccount"
                                                               : "user",
                     v[i].value);
            emit(w, "DOC-TF-IAM", "grant", who, role, cluster ? "cluster" : "namespace",
                 cluster ? "cluster" : attr(v, n, "metadata.namespace"));
        }
        return;
    }
    const char *acl = attr(v, n, "acl") ? attr(v, n, "acl") : attr(v, n, "predefined_acl");
    if (acl && (strstr(acl, "public") || strstr(acl, "authenticated") || strstr(acl, "Public")))
        emit(w, "DOC-TF-PUBLIC", "make-public", acl, acl, "bucket", obj);
    const char *access = attr(v, n, "container_access_type");
    if (access && (!strcmp(access, "blob") || !strcmp(access, "container")))
        emit(w, "DOC-TF-PUBLIC", "make-public", access, "read", "container", obj);
    for (size_t i = 0; i < n; i++) {
        const char *k = v[i].key, *val = v[i].value;
        if ((suffix(k, "cidr_blocks") || suffix(k, "ipv6_cidr_blocks") ||
             suffix(k, "source_ranges") || suffix(k, "source_address_prefix") ||
             suffix(k, "source_address_prefixes")) &&
            (strstr(val, "0.0.0.0/0") || strstr(val, "::/0") || !strcmp(val, "*") ||
             !strcmp(val, "Internet"))) {
            const char *port = attr(v, n, "from_port") ? attr(v, n, "from_port")
                                                       : attr(v, n, "destination_port_range");
            if (!strstr(k, "egress"))
                emit(w, "DOC-TF-EXPOSE", "expose", strstr(val, "::/0") ? "::/0" : "0.0.0.0/0",
                     "read", "port", port ? port : obj);
        }
        if ((!strcmp(k, "block_public_acls") || !strcmp(k, "block_public_policy") ||
             !strcmp(k, "ignore_public_acls") || !strcmp(k, "restrict_public_buckets") ||
             !strcmp(k, "public_access_prevention")) &&
            (!strcmp(val, "false") || !strcmp(val, "inherited")))
            emit(w, "DOC-TF-GUARD", "remove-guard", "", "", "bucket", obj);
        if (!strcmp(k, "policy") || !strcmp(k, "assume_role_policy") || !strcmp(k, "policy_data") ||
            !strcmp(k, "inline_policy.policy"))
            nested_policy(w, val, strlen(val), 0);
    }
    /* Unquoted booleans are skipped as expressions: read them from text. */
}

/* Every `resource "TYPE" "NAME" { ... }` of the text; 0, or -1 when it
 * does not parse. */
static int
hcl_resources(struct walk *w, const char *text, size_t len)
{
    struct hcl h = {text, len, 0, 0};
    struct attr *v = calloc(INSPECT_MAX_DOC_ATTRS, sizeof(*v));
    if (!v) {
        w->nomem = 1;
        return 0;
    }
    while (!h.bad) {
        skip_space(&h);
        if (h.i >= h.n)
            break;
        size_t s = h.i;
        while (h.i < h.n && ident_char(h.t[h.i]))
            h.i++;
        if (h.i == s) {
            h.bad = 1;
            break;
        }
        char word[32], type[128] = "";
        snprintf(word, sizeof(word), "%.*s", (int)(h.i - s), h.t + s);
        skip_space(&h);
        if (h.i < h.n && h.t[h.i] == '=') { /* a top-level attribute (a .tfvars) */
            h.i++;
            free(hcl_value(&h));
            continue;
        }
        for (int label = 0; h.i < h.n && h.t[h.i] == '"'; label++) {
            char *l = hcl_string(&h);
            if (l && !label)
                snprintf(type, sizeof(type), "%s", l);
            free(l);
            skip_space(&h);
        }
        if (h.bad || h.i >= h.n || h.t[h.i] != '{') {
            h.bad = 1;
            break;
        }
        h.i++;
        size_t nv = 0;
        unsigned blocks = 0;
        hcl_body(&h, "", v, &nv, &blocks, 0, 0);
        if (!h.bad && !strcmp(word, "resource"))
            tf_resource(w, type, v, nv);
        /* unquoted false/true were skipped: a guard switched off by one */
        for (size_t i = 0; i < nv; i++)
            free(v[i].value);
    }
    free(v);
    return h.bad ? -1 : 0;
}

/* ---- the document's kind ---- */

static int
line_starts(const char *t, size_t len, const char *word)
{
    size_t n = strlen(word);
    for (size_t i = 0; i + n <= len;) {
        if (!memcmp(t + i, word, n))
            return 1;
        const char *nl = memchr(t + i, '\n', len - i);
        if (!nl)
            break;
        i = (size_t)(nl - t) + 1;
    }
    return 0;
}

static enum inspect_doc_lang
sniff(const char *t, size_t len)
{
    size_t i = 0;
    while (i < len && strchr(" \t\r\n", t[i]))
        i++;
    if (i < len && (t[i] == '{' || t[i] == '[') &&
        (memmem(t, len, "\"Statement\"", 11) || memmem(t, len, "\"bindings\"", 10) ||
         memmem(t, len, "Binding\"", 8)))
        return DOC_JSON;
    if (line_starts(t, len, "resource \"") || line_starts(t, len, "data \""))
        return DOC_HCL;
    if ((line_starts(t, len, "apiVersion:") || line_starts(t, len, "kind:")) &&
        (memmem(t, len, "Binding", 7) || memmem(t, len, "subjects:", 9)))
        return DOC_YAML;
    return DOC_SNIFF;
}

int
inspect_doc_access(const char *text, size_t len, enum inspect_doc_lang lang, inspect_doc_fn fn,
                   void *arg)
{
    struct walk w = {fn, arg, 0, 0};
    if (lang == DOC_SNIFF && (lang = sniff(text, len)) == DOC_SNIFF)
        return INSPECT_DOC_NONE;
    if (len > INSPECT_MAX_DOC)
        return INSPECT_DOC_BROKEN;
    if (lang == DOC_HCL) {
        if (hcl_resources(&w, text, len))
            return w.nomem ? -1 : INSPECT_DOC_BROKEN;
        return w.nomem ? -1 : INSPECT_DOC_READ;
    }
    json_t *j = lang == DOC_JSON ? json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL)
                                 : yaml_docs(text, len);
    if (!j)
        return INSPECT_DOC_BROKEN;
    walk_json(&w, j, 0);
    json_decref(j);
    return INSPECT_DOC_READ;
}

const char *
inspect_doc_explanation(const char *rule)
{
    static const struct {
        const char *rule, *why;
    } v[] = {
        {"DOC-AWS-POLICY", "a policy document that lets someone in: who, how widely, is in the "
                           "access change"},
        {"DOC-GCP-POLICY", "an IAM policy that grants roles: who, how widely, is in the access "
                           "change"},
        {"DOC-K8S-BINDING", "a Kubernetes role binding: who gains the role is in the access "
                            "change"},
        {"DOC-TF-IAM", "a Terraform resource that grants access: who, how widely, is in the "
                       "access change"},
        {"DOC-TF-PUBLIC", "a Terraform resource that makes storage public"},
        {"DOC-TF-EXPOSE", "a Terraform resource that opens a port to the whole internet"},
        {"DOC-TF-GUARD", "a Terraform resource that switches off a guard against public "
                         "access"},
        {"DOC-BROKEN", "a policy, binding or Terraform document that does not parse: what it "
                       "grants cannot be known"},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++)
        if (!strcmp(rule, v[i].rule))
            return v[i].why;
    return "a document that changes access";
}
