/*
 * Cedar schemas (src/cedar/cedar_schema.h): both formats read and
 * written, on Cedar's whole corpus and on cases; names resolved as Cedar
 * does; errors with their position; every limit crossed; entity data read
 * with the schema's types.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/cedar/cedar_entities.h"
#include "../src/cedar/cedar_json.h"
#include "../src/cedar/cedar_jsonr.h"
#include "../src/cedar/cedar_schema.h"
#include "../src/cedar/cedar_validate.h"
#include "../src/util/util_file.h"
#include "test_util.h"

static struct cedar_diags diags;

static struct cedar_schema *
parse(const char *text)
{
    struct cedar_schema *s = NULL;
    diags.n = diags.dropped = 0;
    if (cedar_schema_parse(text, strlen(text), &s, &diags) && diags.n)
        fprintf(stderr, "%u:%u: %s\n", diags.v[0].line, diags.v[0].col, diags.v[0].msg);
    return s;
}

static char *
print(const struct cedar_schema *s, int json)
{
    struct util_buf b;
    util_buf_init(&b, 1 << 26);
    assert_int_equal(
        json ? cedar_schema_print_json(&b, &s->src) : cedar_schema_print_cedar(&b, &s->src), 0);
    char *out = strdup(util_buf_str(&b));
    util_buf_free(&b);
    return out;
}

/* Every corpus schema: printing is idempotent in each format, the JSON
 * translation reads back to the same schema, and the corpus's policies
 * validate against the translation as against the original. */
static void
test_corpus_round_trip(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s/corpus/corpus-tests", tu_build_dir());
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *de;
    unsigned n = 0, same_outcome = 0;
    static struct cedar_vresult r1, r2;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len < 13 || strcmp(de->d_name + len - 12, ".cedarschema"))
            continue;
        char path[2048], *text, *ptext;
        size_t tlen, plen;
        char err[256];
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        assert_int_equal(util_read_file(path, 1 << 26, &text, &tlen, err, sizeof(err)), 0);
        struct cedar_schema *s = parse(text);
        assert_non_null(s);
        char *c1 = print(s, 0), *j1 = print(s, 1);
        struct cedar_schema *sc = parse(c1), *sj = parse(j1);
        assert_non_null(sc);
        assert_non_null(sj);
        char *c2 = print(sc, 0), *j2 = print(sj, 1), *cj = print(sj, 0);
        assert_string_equal(c1, c2);
        assert_string_equal(j1, j2);
        /* the policies, against the original and the translation */
        snprintf(path + strlen(path) - 12, 13, ".cedar");
        assert_int_equal(util_read_file(path, 1 << 26, &ptext, &plen, err, sizeof(err)), 0);
        struct cedar_policyset *ps = cedar_policyset_new();
        assert_non_null(ps);
        assert_int_equal(cedar_policyset_add_text(ps, ptext, plen, 0, &diags), 0);
        int a = cedar_validate(s, ps, &r1), b = cedar_validate(sj, ps, &r2);
        assert_true(a >= 0 && b >= 0);
        same_outcome += (a == 0) == (b == 0);
        n++;
        cedar_policyset_free(ps);
        free(ptext);
        free(c1), free(j1), free(c2), free(j2), free(cj);
        cedar_schema_free(s), cedar_schema_free(sc), cedar_schema_free(sj);
        free(text);
    }
    closedir(d);
    fprintf(stderr, "schema round trips: %u corpus schemas, %u validate alike through JSON\n", n,
            same_outcome);
    assert_true(n > 3900);
    assert_int_equal(same_outcome, n);
}

static const char people[] =
    "namespace Acme {\n"
    "  type Meta = { owner: User, tags?: Set<String> };\n"
    "  entity Group;\n"
    "  entity User in [Group] = { name: String, manager?: User };\n"
    "  entity Doc = { meta: Meta, size: Long, ip?: ipaddr } tags String;\n"
    "  entity Color enum [\"red\", \"green\"];\n"
    "  action read, write appliesTo {\n"
    "    principal: [User], resource: [Doc],\n"
    "    context: { when?: datetime }\n"
    "  };\n"
    "  action all;\n"
    "  action edit in [\"all\"] appliesTo { principal: User, resource: Doc };\n"
    "}\n";

static void
test_resolution(void **state)
{
    (void)state;
    struct cedar_schema *s = parse(people);
    assert_non_null(s);
    const struct cedar_etype *doc = cedar_schema_etype(s, "Acme::Doc", 9);
    assert_non_null(doc);
    assert_non_null(doc->tags);
    assert_int_equal(doc->attrs->nattrs, 3);
    /* attributes sorted; the common type expanded; names qualified */
    assert_int_equal(doc->attrs->attrs[1].type->kind, TK_RECORD);
    const struct cedar_type *meta = doc->attrs->attrs[1].type;
    assert_int_equal(meta->attrs[0].type->kind, TK_ENTITY);
    assert_memory_equal(meta->attrs[0].type->name.p, "Acme::User", 10);
    assert_false(meta->attrs[1].required);
    assert_int_equal(doc->attrs->attrs[0].type->kind, TK_IPADDR);
    const struct cedar_etype *user = cedar_schema_etype(s, "Acme::User", 10);
    assert_int_equal(user->nancestors, 1);
    assert_true(cedar_schema_etype(s, "Acme::Color", 11)->is_enum);
    assert_int_equal(s->nactions, 4);
    struct cedar_uid edit = {{"Acme::Action", 12}, {"edit", 4}, 0, NULL};
    const struct cedar_saction *e = cedar_schema_action(s, &edit);
    assert_non_null(e);
    assert_int_equal(e->nancestors, 1);
    assert_memory_equal(e->ancestors[0]->id.p, "all", 3);
    cedar_schema_free(s);
    /* an unqualified name is the namespace's before the empty one's */
    s = parse("entity T; namespace N { entity T; entity U = { t: T }; }");
    assert_non_null(s);
    const struct cedar_etype *u = cedar_schema_etype(s, "N::U", 4);
    assert_memory_equal(u->attrs->attrs[0].type->name.p, "N::T", 4);
    cedar_schema_free(s);
    /* a common type shadows an entity type; __cedar:: is the builtin */
    s = parse("type String = Long; entity E = { a: String, b: __cedar::String };");
    assert_non_null(s);
    u = cedar_schema_etype(s, "E", 1);
    assert_int_equal(u->attrs->attrs[0].type->kind, TK_LONG);
    assert_int_equal(u->attrs->attrs[1].type->kind, TK_STRING);
    cedar_schema_free(s);
}

/* A schema that does not read or resolve: where, and what. */
static void
test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        unsigned line, col;
        const char *msg;
    } cases[] = {
        {"entity A = { a: Long, a: String };", 1, 23, "declared twice"},
        {"entity A;\nentity A;", 2, 1, "declared twice"},
        {"entity A in [B];", 1, 1, "undeclared entity type `B`"},
        {"entity A = { b: Nope };", 1, 17, "undeclared type `Nope`"},
        {"type T = { a: U };\ntype U = T;", 2, 10, "in terms of itself"},
        {"entity A = { a: __cedar::Float };", 1, 17, "unknown builtin"},
        {"action a in [\"b\"];", 1, 1, "undeclared action"},
        {"action a in [\"b\"];\naction b in [\"a\"];", 1, 1, "member of itself"},
        {"entity A\n", 2, 1, "expected `;`"},
        {"entity A = Long;", 1, 12, "expected"},
        {"type T = Long;\nentity A = T;", 2, 12, "expected"},
        {"entity E; type C = Long; action a appliesTo { principal: E, resource: E, context: C };",
         1, 83, "must be a record"},
        {"action a appliesTo { principal: [A], principal: [A] };", 1, 38, "twice"},
        {"namespace __cedar { entity A; }", 1, 1, "reserved"},
        {"entity A enum [];", 1, 17, "at least one value"},
        {"namespace N { entity A; }\nnamespace N { entity B; }", 2, 11, "declared twice"},
        {"entity A; action a appliesTo { principal: [], resource: [A] };", 1, 20,
         "needs principal"},
        {"entity A; action a appliesTo { principal: [A] };", 1, 20, "needs resource"},
        {"{\"\": {\"entityTypes\": {}, \"actions\": {}, \"commonTypes\": {\"T\": "
         "{\"type\": \"Record\", \"attributes\": {\"a\": {\"type\": \"Long\", \"requried\": "
         "false}}}}}}",
         1, 1, "unknown key \"requried\""},
        {"{\"\": {\"entityTypes\": {\"A\": {\"shape\": {\"type\": \"Set\"}}}, \"actions\": {}}}", 1,
         1, "needs \"element\""},
        {"{\"\": {\"entityTypes\": [], \"actions\": {}}}", 1, 1, "\"entityTypes\" must be"},
        {"{\"\": ", 1, 1, ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct cedar_schema *s = NULL;
        diags.n = diags.dropped = 0;
        int rc = cedar_schema_parse(cases[i].text, strlen(cases[i].text), &s, &diags);
        if (!rc || !diags.n || !strstr(diags.v[0].msg, cases[i].msg) ||
            diags.v[0].line != cases[i].line || diags.v[0].col != cases[i].col) {
            fprintf(stderr, "case %zu: %s\n  got rc %d, %u:%u: %s\n", i, cases[i].text, rc,
                    diags.n ? diags.v[0].line : 0, diags.n ? diags.v[0].col : 0,
                    diags.n ? diags.v[0].msg : "(no diagnostic)");
            fail();
        }
        assert_null(s);
    }
}

static void
expect_limit(const char *text, size_t n)
{
    struct cedar_schema *s = NULL;
    diags.n = diags.dropped = 0;
    assert_int_equal(cedar_schema_parse(text, n, &s, &diags), CEDAR_E_LIMIT);
    assert_null(s);
}

static void
test_limits(void **state)
{
    (void)state;
    struct util_buf b;
    /* text */
    size_t big = CEDAR_MAX_SCHEMA_TEXT + 1;
    char *t = malloc(big);
    assert_non_null(t);
    memset(t, ' ', big);
    expect_limit(t, big);
    free(t);
    /* declarations: at the limit reads, one more does not */
    util_buf_init(&b, 1 << 26);
    for (unsigned i = 0; i < CEDAR_MAX_SCHEMA_DECLS; i++)
        util_buf_printf(&b, "entity E%u;\n", i);
    struct cedar_schema *s = parse(util_buf_str(&b));
    assert_non_null(s);
    assert_int_equal(s->netypes, CEDAR_MAX_SCHEMA_DECLS);
    cedar_schema_free(s);
    util_buf_puts(&b, "entity Last;\n");
    expect_limit(util_buf_str(&b), b.len);
    util_buf_free(&b);
    /* nesting of types */
    for (unsigned depth = CEDAR_MAX_TYPE_DEPTH - 2; depth <= CEDAR_MAX_TYPE_DEPTH + 1; depth += 3) {
        util_buf_init(&b, 1 << 20);
        util_buf_puts(&b, "entity E = { a: ");
        for (unsigned i = 0; i < depth; i++)
            util_buf_puts(&b, "Set<");
        util_buf_puts(&b, "Long");
        for (unsigned i = 0; i < depth; i++)
            util_buf_puts(&b, ">");
        util_buf_puts(&b, " };");
        if (depth < CEDAR_MAX_TYPE_DEPTH) {
            s = parse(util_buf_str(&b));
            assert_non_null(s);
            cedar_schema_free(s);
        } else {
            expect_limit(util_buf_str(&b), b.len);
        }
        util_buf_free(&b);
    }
    /* common types defined through one another past the depth */
    util_buf_init(&b, 1 << 20);
    for (unsigned i = 0; i < CEDAR_MAX_TYPE_DEPTH + 2; i++)
        util_buf_printf(&b, "type T%u = T%u;\n", i, i + 1);
    util_buf_printf(&b, "type T%u = Long;\nentity E = { a: T0 };", CEDAR_MAX_TYPE_DEPTH + 2);
    expect_limit(util_buf_str(&b), b.len);
    util_buf_free(&b);
    /* attributes of one record type, in both formats */
    util_buf_init(&b, 1 << 24);
    util_buf_puts(&b, "entity E = {");
    for (unsigned i = 0; i <= CEDAR_MAX_ELEMENTS; i++)
        util_buf_printf(&b, "a%u: Long, ", i);
    util_buf_puts(&b, "};");
    expect_limit(util_buf_str(&b), b.len);
    util_buf_free(&b);
    util_buf_init(&b, 1 << 25);
    util_buf_puts(&b, "{\"\": {\"entityTypes\": {\"E\": {\"shape\": {\"type\": \"Record\", "
                      "\"attributes\": {");
    for (unsigned i = 0; i <= CEDAR_MAX_ELEMENTS; i++)
        util_buf_printf(&b, "%s\"a%u\": {\"type\": \"Long\"}", i ? ", " : "", i);
    util_buf_puts(&b, "}}}}, \"actions\": {}}}");
    expect_limit(util_buf_str(&b), b.len);
    util_buf_free(&b);
    /* ancestor links once closed: a chain of 5,000 types has 12.5 million */
    util_buf_init(&b, 1 << 24);
    for (unsigned i = 0; i < 5000; i++)
        util_buf_printf(&b, "entity E%u in [E%u];\n", i, i + 1);
    util_buf_puts(&b, "entity E5000;\n");
    expect_limit(util_buf_str(&b), b.len);
    util_buf_free(&b);
    /* annotations on one declaration */
    util_buf_init(&b, 1 << 24);
    for (unsigned i = 0; i <= CEDAR_MAX_SCHEMA_ANNOTATIONS; i++)
        util_buf_printf(&b, "@a%u ", i);
    util_buf_puts(&b, "entity E;");
    expect_limit(util_buf_str(&b), b.len);
    util_buf_free(&b);
}

/* Entity data read with the schema's types. */
static void
test_typed_entities(void **state)
{
    (void)state;
    struct cedar_schema *s = parse(people);
    assert_non_null(s);
    static const struct {
        const char *json;
        const char *err; /* NULL: loads */
    } cases[] = {
        {"[{\"uid\": {\"type\": \"Acme::User\", \"id\": \"a\"}, \"attrs\": {\"name\": \"A\", "
         "\"manager\": {\"type\": \"Acme::User\", \"id\": \"b\"}}, \"parents\": []}]",
         NULL},
        {"[{\"uid\": {\"type\": \"Acme::Doc\", \"id\": \"d\"}, \"attrs\": {\"size\": 1, \"ip\": "
         "\"10.0.0.1\", \"meta\": {\"owner\": {\"__entity\": {\"type\": \"Acme::User\", \"id\": "
         "\"a\"}}}}, \"tags\": {\"x\": \"y\"}}]",
         NULL},
        {"[{\"uid\": {\"type\": \"Acme::User\", \"id\": \"a\"}, \"attrs\": {\"name\": 3}}]",
         "attribute \"name\": expected String"},
        {"[{\"uid\": {\"type\": \"Acme::User\", \"id\": \"a\"}, \"attrs\": {}}]",
         "required attribute \"name\" is missing"},
        {"[{\"uid\": {\"type\": \"Acme::User\", \"id\": \"a\"}, \"attrs\": {\"name\": \"A\", "
         "\"nmae\": \"B\"}}]",
         "attribute \"nmae\" is not declared"},
        {"[{\"uid\": {\"type\": \"Acme::Nope\", \"id\": \"a\"}}]", "not declared in the schema"},
        {"[{\"uid\": {\"type\": \"Acme::Color\", \"id\": \"blue\"}}]", "not one of the values"},
        {"[{\"uid\": {\"type\": \"Acme::Group\", \"id\": \"g\"}, \"parents\": [{\"type\": "
         "\"Acme::User\", \"id\": \"a\"}]}]",
         "cannot be in one of type Acme::User"},
        {"[{\"uid\": {\"type\": \"Acme::Group\", \"id\": \"g\"}, \"tags\": {\"a\": \"b\"}}]",
         "has no tags"},
        {"[{\"uid\": {\"type\": \"Acme::Doc\", \"id\": \"d\"}, \"attrs\": {\"size\": 1, \"ip\": "
         "\"not an ip\", \"meta\": {\"owner\": {\"type\": \"Acme::User\", \"id\": \"a\"}}}}]",
         "expected ipaddr"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct cedar_entities *es = cedar_entities_new();
        struct cedar_error err = {{0}};
        int rc = cedar_entities_load_json_schema(es, cases[i].json, strlen(cases[i].json), s, &err);
        if (cases[i].err ? !rc || !strstr(err.msg, cases[i].err) : rc != 0) {
            fprintf(stderr, "case %zu: rc %d: %s\n", i, rc, err.msg);
            fail();
        }
        cedar_entities_free(es);
    }
    cedar_schema_free(s);
}

/* Values against types (the gateway's check of every request). */
static void
test_value_fits(void **state)
{
    (void)state;
    struct cedar_schema *s = parse(people);
    assert_non_null(s);
    struct cedar_uid read = {{"Acme::Action", 12}, {"read", 4}, 0, NULL};
    const struct cedar_saction *a = cedar_schema_action(s, &read);
    const struct cedar_etype *doc = cedar_schema_etype(s, "Acme::Doc", 9);
    static const struct {
        const char *json;
        const char *why; /* NULL: fits */
    } cases[] = {
        {"{\"meta\": {\"owner\": {\"__entity\": {\"type\": \"Acme::User\", \"id\": \"a\"}}}, "
         "\"size\": 1, \"extra\": true}",
         NULL},
        {"{\"meta\": {\"owner\": {\"__entity\": {\"type\": \"Acme::User\", \"id\": \"a\"}}}}",
         "size: required, and missing"},
        {"{\"meta\": {\"owner\": \"a\"}, \"size\": 1}", "meta.owner: expected Acme::User"},
        {"{\"meta\": {\"owner\": {\"__entity\": {\"type\": \"Acme::User\", \"id\": \"a\"}}, "
         "\"tags\": [\"x\", 3]}, \"size\": 1}",
         "meta.tags: expected String"},
        {"{\"meta\": {\"owner\": {\"__entity\": {\"type\": \"Acme::Doc\", \"id\": \"a\"}}}, "
         "\"size\": 1}",
         "meta.owner: expected Acme::User"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct cedar_arena ar;
        struct jv *j;
        struct cedar_error err;
        struct cedar_value v;
        char why[256] = "";
        cedar_arena_init(&ar, 1 << 20);
        assert_int_equal(jv_parse(&ar, cases[i].json, strlen(cases[i].json), &j, &err), 0);
        assert_int_equal(cedar_json_value(&ar, j, 0, &v, &err), 0);
        int ok = cedar_value_fits(s, &v, doc->attrs, why, sizeof(why));
        if (cases[i].why ? ok || !strstr(why, cases[i].why) : !ok) {
            fprintf(stderr, "case %zu: %s\n", i, why);
            fail();
        }
        cedar_arena_release(&ar);
    }
    /* an action's context, an enum value */
    assert_non_null(a);
    struct cedar_value empty = {.kind = CEDAR_RECORD};
    struct cedar_record none = {0};
    empty.u.rec = &none;
    char why[256];
    assert_true(cedar_value_fits(s, &empty, a->context, why, sizeof(why)));
    cedar_schema_free(s);
    s = parse("entity C enum [\"red\"]; entity E = { c: C };");
    const struct cedar_etype *e = cedar_schema_etype(s, "E", 1);
    struct cedar_uid blue = {{"C", 1}, {"blue", 4}, 0, NULL};
    struct cedar_attr at = {{"c", 1}, {.kind = CEDAR_ENTITY}};
    at.v.u.uid = &blue;
    struct cedar_record *r = malloc(sizeof(*r) + sizeof(at));
    r->n = 1;
    r->a[0] = at;
    struct cedar_value rv = {.kind = CEDAR_RECORD};
    rv.u.rec = r;
    assert_false(cedar_value_fits(s, &rv, e->attrs, why, sizeof(why)));
    assert_non_null(strstr(why, "not one of the values of C"));
    free(r);
    cedar_schema_free(s);
}

static int
setup(void **state)
{
    (void)state;
    return cedar_hash_init();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_round_trip),
        cmocka_unit_test(test_resolution),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_typed_entities),
        cmocka_unit_test(test_value_fits),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
