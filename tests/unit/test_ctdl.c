/*
 * test_ctdl.c -- unit tests of the CTDL mapper: the catalog document it
 * builds from a JSON tree (types in kebab case, codes by pattern, UTC
 * dates, ids), a language choice that never depends on key order, each
 * node located at its JSON Pointer, and mutated documents that map or are
 * refused located, never crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctdl.h"
#include "json_reader.h"
#include "test.h"
#include "util.h"

/* A graph of one node (BODY: its members after @type), owned by acme in US-TX. */
#define NODE(type, body)                                                                           \
    "{\"@context\": \"https://credreg.net/ctdl/schema/context/json\", \"@id\": "                   \
    "\"https://credentialengineregistry.org/graph/ce-11111111-2222-3333-4444-555555555555\", "     \
    "\"@graph\": [{\"@type\": \"" type "\", "                                                      \
    "\"ceterms:ctid\": \"ce-11111111-2222-3333-4444-555555555555\", " body "}]}"

/* Maps json with lang (or NULL) as catalog.c does: read, recognised,
 * mapped; *out the catalog document, or NULL and err filled. */
static int map(const char *json, const char *lang, cx_ydoc **out, cx_error *err)
{
    cx_ydoc *doc = NULL;
    cx_import_options opts;
    memset(&opts, 0, sizeof opts);
    opts.provider = "acme";
    opts.jurisdiction = "US-TX";
    opts.lang = lang;
    cx_error_clear(err);
    *out = NULL;
    int rc = cx__json_load_buffer("t.json", json, strlen(json), &doc, err);
    if (rc == CX_OK && !cx__ctdl_recognises(cx__ydoc_root(doc)))
        rc = cx__error(err, CX_EINPUT, "t.json", 0, 0, "not recognised as CTDL");
    else if (rc == CX_OK)
        rc = cx__ctdl_map(doc, &opts, out, err);
    cx__ydoc_free(doc);
    return rc;
}

/* The first credential of json mapped with lang, in *doc (the caller frees). */
static const cx_ynode *credential(const char *json, const char *lang, cx_ydoc **doc)
{
    cx_error err;
    if (map(json, lang, doc, &err) != CX_OK) {
        fprintf(stderr, "  unexpected error: %s: %s\n", err.file, err.message);
        test_failed_ = 1;
        return NULL;
    }
    const cx_ynode *list = cx__ymap_get(cx__ydoc_root(*doc), "credentials");
    return list && list->count ? list->items[0] : NULL;
}

static const char *field(const cx_ynode *map, const char *key)
{
    const cx_ynode *v = cx__ymap_get(map, key);
    return v && v->kind == CX_YSCALAR ? v->text : NULL;
}

/* The name json's credential gets with lang. */
static void check_name(const char *json, const char *lang, const char *expected)
{
    cx_ydoc *doc = NULL;
    const cx_ynode *c = credential(json, lang, &doc);
    CHECK_STR(c ? field(c, "name") : NULL, expected);
    cx__ydoc_free(doc);
}

TEST(language_choice_never_depends_on_key_order)
{
    /* the byte-wise smallest key when nothing matches, in either order */
    check_name(NODE("ceterms:Badge", "\"ceterms:name\": {\"fr\": \"F\", \"de\": \"D\"}"), NULL,
               "D");
    check_name(NODE("ceterms:Badge", "\"ceterms:name\": {\"de\": \"D\", \"fr\": \"F\"}"), NULL,
               "D");
    /* exact, then any case, then the primary subtag */
    check_name(NODE("ceterms:Badge", "\"ceterms:name\": {\"en-us\": \"L\", \"en-US\": \"E\"}"),
               NULL, "E");
    check_name(NODE("ceterms:Badge", "\"ceterms:name\": {\"en\": \"P\", \"EN-us\": \"C\"}"), NULL,
               "C");
    check_name(NODE("ceterms:Badge", "\"ceterms:name\": {\"en-GB\": \"G\", \"en\": \"P\"}"), NULL,
               "P");
    check_name(NODE("ceterms:Badge", "\"ceterms:name\": {\"en\": \"P\", \"en-GB\": \"G\"}"), NULL,
               "P");
    check_name(NODE("ceterms:Badge", "\"ceterms:name\": {\"ar-sa\": \"A\", \"en\": \"P\"}"), "ar",
               "A");
    check_name(NODE("ceterms:Badge", "\"ceterms:name\": \"plain\""), "fr", "plain");
}

TEST(types_in_kebab_case)
{
    static const char *const classes[][2] = {
        {"ceterms:MicroCredential", "micro-credential"},
        {"ceterms:GeneralEducationDevelopment", "general-education-development"},
        {"ceterms:QualityAssuranceCredential", "quality-assurance-credential"},
        {"ceterms:ApprenticeshipCertificate", "apprenticeship-certificate"},
        {"ceterms:License", "license"},
        {"ceterms:CraftDiploma", "craft-diploma"}, /* any class ending in Diploma */
        {"ceterms:Course", "course"},
        {"ceterms:LearningOpportunityProfile", "learning-opportunity"},
        {"ceterms:AssessmentProfile", "assessment"},
    };
    for (size_t i = 0; i < CX_COUNT(classes); i++) {
        char json[1024];
        snprintf(json, sizeof json, NODE("%s", "\"ceterms:name\": \"N\""), classes[i][0]);
        cx_ydoc *doc = NULL;
        const cx_ynode *c = credential(json, NULL, &doc);
        CHECK_STR(c ? field(c, "type") : NULL, classes[i][1]);
        CHECK_STR(c ? cx__ymap_get(c, "type")->where : NULL, "/@graph/0/@type");
        cx__ydoc_free(doc);
    }
    cx_ydoc *doc = NULL;
    CHECK(credential(NODE("ceterms:Thing", "\"ceterms:name\": \"N\""), NULL, &doc) == NULL);
    cx__ydoc_free(doc);
}

/* The codes of scheme in c, comma-joined. */
static const char *codes(const cx_ynode *c, const char *scheme)
{
    static char buf[256];
    const cx_ynode *list = cx__ymap_get(cx__ymap_get(c, "codes"), scheme);
    buf[0] = '\0';
    for (size_t i = 0; list && i < list->count; i++)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? "," : "",
                 list->items[i]->text);
    return buf;
}

TEST(codes_by_pattern_never_by_label)
{
    cx_ydoc *doc = NULL;
    const cx_ynode *c = credential(
        NODE("ceterms:Certificate",
             "\"ceterms:name\": \"N\", \"ceterms:occupationType\": ["
             "{\"ceterms:codedNotation\": \"11-1011.03\", \"ceterms:frameworkName\": \"SOC\"},"
             "{\"ceterms:codedNotation\": \"11-1011\"}, {\"ceterms:codedNotation\": \"52.0201\"},"
             "{\"ceterms:codedNotation\": \"123-45\"}], \"ceterms:naics\": [\"12\", \"123456\"]"),
        NULL, &doc);
    if (c) {
        CHECK_STR(codes(c, "onet"), "11-1011.03");
        CHECK_STR(codes(c, "soc"), "11-1011"); /* once, from both */
        CHECK_STR(codes(c, "cip"), "52.0201");
        CHECK_STR(codes(c, "naics"), "12,123456");
        CHECK_STR(codes(c, "ctid"), "ce-11111111-2222-3333-4444-555555555555");
    }
    cx__ydoc_free(doc);
}

TEST(instants_become_utc_dates)
{
    cx_ydoc *doc = NULL;
    const cx_ynode *c = credential(
        NODE("ceterms:Certificate", "\"ceterms:name\": \"N\", "
                                    "\"ceterms:dateEffective\": \"2024-01-01T23:30:00-01:00\", "
                                    "\"ceterms:expirationDate\": \"2024-03-01T00:30:00.5+0100\""),
        NULL, &doc);
    CHECK_STR(c ? field(c, "effective_from") : NULL, "2024-01-02");
    CHECK_STR(c ? field(c, "effective_until") : NULL, "2024-02-29");
    cx__ydoc_free(doc);
}

TEST(refusals_are_located)
{
    static const char *const cases[][2] = {
        {NODE("ceterms:Badge", "\"ceterms:ownedBy\": [\"urn:ctid:x\"]"),
         "/@graph/0/ceterms:ownedBy/0"},
        {NODE("ceterms:Badge", "\"@context\": {\"ceterms\": \"http://purl.org/ceterms/terms/\"}"),
         "/@graph/0/@context"},
        {NODE("ceterms:Badge", "\"ceterms:name\": 1"), "/@graph/0"},
        {NODE("ceterms:Badge", "\"ceterms:name\": \"N\", \"ceterms:dateEffective\": \"2024\""),
         "/@graph/0/ceterms:dateEffective"},
    };
    for (size_t i = 0; i < CX_COUNT(cases); i++) {
        cx_ydoc *doc = NULL;
        cx_error err;
        CHECK_INT(map(cases[i][0], NULL, &doc, &err), CX_EINPUT);
        CHECK(doc == NULL);
        char prefix[128];
        snprintf(prefix, sizeof prefix, "%s: ", cases[i][1]);
        CHECK(strncmp(err.message, prefix, strlen(prefix)) == 0);
        if (strncmp(err.message, prefix, strlen(prefix)) != 0)
            fprintf(stderr, "  got: %s\n", err.message);
        cx__ydoc_free(doc);
    }
}

/* xorshift: reproducible mutations without the C library's rand state. */
static unsigned next_random(unsigned *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

TEST(mutated_documents_map_or_fail_located)
{
    const char *base =
        NODE("ceterms:Badge",
             "\"ceterms:name\": {\"en\": \"N\"}, \"ceterms:ownedBy\": [\"_:o\"], "
             "\"ceterms:naics\": [\"12\"], \"ceterms:requires\": [{"
             "\"ceterms:targetAssessment\": [{\"@type\": \"ceterms:AssessmentProfile\", "
             "\"ceterms:name\": \"A\"}]}]");
    static const char bytes[] = "{}[]\",:_ -0aZ";
    size_t len = strlen(base);
    char *buf = malloc(len + 1);
    unsigned state = 12345;
    for (int round = 0; round < 500 && buf; round++) {
        memcpy(buf, base, len + 1);
        for (int k = 0; k < 3; k++)
            buf[next_random(&state) % len] = bytes[next_random(&state) % (sizeof bytes - 1)];
        cx_ydoc *doc = NULL;
        cx_error err;
        int rc = map(buf, NULL, &doc, &err);
        CHECK(rc == CX_OK || rc == CX_EINPUT);
        CHECK(rc == CX_OK ? doc != NULL : doc == NULL && err.message[0]);
        cx__ydoc_free(doc);
    }
    free(buf);
}

static const test_case cases[] = {
    {"language_choice_never_depends_on_key_order", language_choice_never_depends_on_key_order},
    {"types_in_kebab_case", types_in_kebab_case},
    {"codes_by_pattern_never_by_label", codes_by_pattern_never_by_label},
    {"instants_become_utc_dates", instants_become_utc_dates},
    {"refusals_are_located", refusals_are_located},
    {"mutated_documents_map_or_fail_located", mutated_documents_map_or_fail_located},
    {NULL, NULL},
};

TEST_MAIN(cases)
