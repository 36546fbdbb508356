/*
 * test_whatif.c -- what-if through the C API: registry copies (whole and by
 * holder), removals that refuse anything but an in-memory copy, cx_whatif
 * and cx_diff reports, the three renderings of a transition, and the
 * holders that moved (opt.holders).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credex.h"
#include "registry.h"
#include "test.h"

#define EV TEST_SRC "/examples/ev-mechanic"
#define CC TEST_SRC "/examples/curriculum-change"

static const char *const ev_rules[] = {EV "/rules"};

/* A private in-memory registry with the EV catalog. */
static cx_registry *ev_registry(void)
{
    cx_registry *r = NULL;
    cx_error err;
    const char *paths[] = {EV "/catalog.yaml"};
    cx_error_clear(&err);
    if (cx_registry_open(NULL, CX_OPEN_MEMORY, &r, &err) ||
        cx_catalog_import(r, paths, 1, NULL, NULL, NULL, &err)) {
        fprintf(stderr, "  cannot build the EV registry: %s\n", err.message);
        cx_registry_close(r);
        return NULL;
    }
    return r;
}

static int64_t count_of(cx_registry *r, cx_kind kind)
{
    int64_t counts[CX_KIND_AWARD + 1] = {0};
    cx_error err;
    cx_registry_counts(r, counts, &err);
    return counts[kind];
}

/* Writes text to a file under $TEST_TMP; returns its path (static buffer). */
static const char *tmp_file(const char *name, const char *text)
{
    static char path[1024];
    const char *dir = getenv("TEST_TMP");
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/tmp", name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return path;
}

TEST(copies_whole_and_by_holder)
{
    cx_registry *r = ev_registry(), *whole = NULL, *some = NULL;
    cx_error err;
    const char *holders[] = {"h-ca-0003", "h-nobody", "h-tx-0001"};
    if (!r) {
        CHECK(r);
        return;
    }
    CHECK_INT(cx__registry_copy_to_memory(r, &whole, &err), CX_OK);
    CHECK_INT(count_of(whole, CX_KIND_AWARD), 27);
    CHECK_INT(count_of(whole, CX_KIND_HOLDER), 8);
    CHECK_INT(cx__registry_copy_holders(r, holders, 3, &some, &err), CX_OK);
    CHECK_INT(count_of(some, CX_KIND_HOLDER), 2);      /* h-nobody skipped */
    CHECK_INT(count_of(some, CX_KIND_AWARD), 3 + 7);   /* theirs only */
    CHECK_INT(count_of(some, CX_KIND_CREDENTIAL), 15); /* every fact */
    CHECK_INT(count_of(some, CX_KIND_COMPETENCY), 21);
    cx_holder *h = NULL;
    CHECK_INT(cx_registry_holder(some, "h-ca-0003", &h, &err), CX_OK);
    CHECK_INT(h ? (int64_t)h->nawards : -1, 3);
    cx_holder_free(h);
    cx_registry_close(some);
    cx_registry_close(whole);
    cx_registry_close(r);
}

TEST(removals_on_a_copy_only)
{
    cx_registry *r = ev_registry(), *m = NULL, *file = NULL;
    cx_error err;
    int64_t awards = -1, exceptions = -1, n = -1;
    if (!r) {
        CHECK(r);
        return;
    }
    CHECK_INT(cx__registry_copy_to_memory(r, &m, &err), CX_OK);
    CHECK_INT(cx__registry_remove_credential(m, "CA-EVC-203", &awards, &exceptions, &err), CX_OK);
    CHECK_INT(awards, 2);
    CHECK_INT(exceptions, 0);
    CHECK_INT(cx_registry_has(m, CX_KIND_CREDENTIAL, "CA-EVC-203", &err), 0);
    CHECK_INT(count_of(m, CX_KIND_AWARD), 25);
    CHECK_INT(count_of(r, CX_KIND_AWARD), 27); /* the original is untouched */
    /* NV-EVD-2 is substituted for CA-EVD-202 by one exception */
    CHECK_INT(cx__registry_remove_credential(m, "NV-EVD-2", &awards, &exceptions, &err), CX_OK);
    CHECK_INT(awards, 1);
    CHECK_INT(exceptions, 1);
    CHECK_INT(cx__registry_remove_competency(m, "ev.dc-dc", &n, &err), CX_OK);
    CHECK_INT(n, 2); /* CA-EVB-201 and CA-EVD-202 listed it (NV-EVD-2 is gone) */
    cx_credential *c = NULL;
    CHECK_INT(cx_registry_credential(m, "CA-EVD-202", &c, &err), CX_OK);
    CHECK_INT(c ? (int64_t)c->ncompetencies : -1, 3);
    cx_credential_free(c);
    CHECK_INT(cx__registry_remove_membership(m, "EVC", "US-CT", &n, &err), CX_OK);
    CHECK_INT(n, 1);
    cx_group *g = NULL;
    CHECK_INT(cx_registry_group(m, "EVC", &g, &err), CX_OK);
    CHECK_INT(g ? (int64_t)g->nmembers : -1, 4);
    cx_group_free(g);
    /* a file registry is never changed by what-if */
    const char *path = tmp_file("whatif-refuse.db", "");
    remove(path);
    CHECK_INT(cx_registry_open(path, CX_OPEN_CREATE, &file, &err), CX_OK);
    CHECK_INT(cx__registry_remove_membership(file, "EVC", "US-CT", &n, &err), CX_EREGISTRY);
    CHECK_CONTAINS(err.message, "in-memory copy");
    cx_registry_close(file);
    cx_registry_close(m);
    cx_registry_close(r);
}

TEST(whatif_report_and_renderings)
{
    cx_registry *r = ev_registry();
    cx_whatif_report *rep = NULL;
    cx_error err;
    cx_whatif_options opt = {"2026-06-01", 2, ev_rules, 1, NULL, NULL, NULL};
    if (!r) {
        CHECK(r);
        return;
    }
    cx_error_clear(&err);
    CHECK_INT(cx_whatif(r, CC "/change.yaml", &opt, &rep, &err), CX_OK);
    if (!rep) return;
    CHECK_INT(rep->ntransitions, 2);
    CHECK_INT(rep->holders, 8);
    CHECK_INT(rep->holders_audited, 8);
    CHECK_INT(rep->audits, 8);
    CHECK_INT(rep->defined.count[CX_KIND_CREDENTIAL], 1);
    CHECK_INT(rep->rules_replaced, 1);
    CHECK_INT(rep->packs_after, 4);
    const cx_transition *a = &rep->transitions[0], *e = &rep->transitions[1];
    CHECK_INT(a->kind, CX_DECISION_AUDIT);
    CHECK_STR(a->stack, "CA-EV-TECH");
    CHECK_STR(a->from, "met");
    CHECK_STR(a->to, "in_progress");
    CHECK_INT(a->count, 1);
    CHECK_INT(a->nexamples, 1);
    CHECK_STR(a->examples[0], "h-ca-0003");
    CHECK_INT(e->kind, CX_DECISION_EQUIV);
    CHECK_STR(e->from_credential, "TX-EVB-201");
    CHECK_STR(e->to_credential, "CA-EVB-201");
    CHECK_STR(e->in, "US-CA");
    CHECK_INT(e->covered_before * 10 + e->total_before, 45);
    CHECK_INT(e->covered_after * 10 + e->total_after, 46);
    char *text = cx_transition_text(e), *csv = cx_transition_csv(e), *json = cx_transition_json(a);
    CHECK_STR(text, "equiv TX-EVB-201 -> CA-EVB-201 in US-CA: equivalent -> partial "
                    "(coverage 4/5 -> 4/6)\n");
    CHECK_STR(csv, "equiv,TX-EVB-201 -> CA-EVB-201 in US-CA,equivalent,partial,1,,4/5,4/6\r\n");
    CHECK_STR(json, "{\"kind\":\"audit\",\"subject\":{\"stack\":\"CA-EV-TECH\"},\"from\":\"met\","
                    "\"to\":\"in_progress\",\"count\":1,\"examples\":[\"h-ca-0003\"]}\n");
    free(text);
    free(csv);
    free(json);
    cx_whatif_report_free(rep);
    cx_registry_close(r);
}

TEST(whatif_errors_are_located)
{
    cx_registry *r = ev_registry();
    cx_whatif_report *rep = NULL;
    cx_error err;
    cx_whatif_options opt = {"2026-06-01", 1, ev_rules, 1, NULL, NULL, NULL};
    if (!r) {
        CHECK(r);
        return;
    }
    const char *path = tmp_file("whatif-bad.yaml", "remove:\n  competencies: [ev.lockot]\n");
    cx_error_clear(&err);
    CHECK_INT(cx_whatif(r, path, &opt, &rep, &err), CX_EINPUT);
    CHECK(rep == NULL);
    CHECK_INT(err.line, 2);
    CHECK_INT(err.column, 18);
    CHECK_CONTAINS(err.message, "did you mean 'ev.lockout'?");
    opt.as_of = "2026-02-30";
    path = tmp_file("whatif-empty.yaml", "");
    CHECK_INT(cx_whatif(r, path, &opt, &rep, &err), CX_EUSAGE);
    cx_registry_close(r);
}

TEST(diff_of_identical_packs_compares_nothing)
{
    cx_registry *r = ev_registry();
    cx_whatif_report *rep = NULL;
    cx_error err;
    cx_whatif_options opt = {"2026-06-01", 1, NULL, 0, NULL, NULL, NULL};
    if (!r) {
        CHECK(r);
        return;
    }
    CHECK_INT(cx_diff(r, ev_rules, 1, ev_rules, 1, &opt, &rep, &err), CX_OK);
    if (rep) {
        CHECK_INT(rep->ntransitions, 0);
        CHECK_INT(rep->holders_audited, 0);
        CHECK_INT(rep->equivs + rep->transfers, 0);
    }
    cx_whatif_report_free(rep);
    cx_registry_close(r);
}

/* opt.holders: every holder that moved, with why, in the report; the
 * groups as without it. */
TEST(whatif_lists_every_holder)
{
    cx_registry *r = ev_registry();
    cx_whatif_report *rep = NULL, *plain = NULL;
    cx_error err;
    cx_whatif_options opt = {"2026-06-01", 2, ev_rules, 1, NULL, NULL, NULL};
    if (!r) {
        CHECK(r);
        return;
    }
    cx_error_clear(&err);
    CHECK_INT(cx_whatif(r, CC "/change.yaml", &opt, &plain, &err), CX_OK);
    opt.holders = 1;
    CHECK_INT(cx_whatif(r, CC "/change.yaml", &opt, &rep, &err), CX_OK);
    if (!rep || !plain) goto done;
    CHECK(plain->moved == NULL && plain->nmoved == 0 && !plain->holders_listed);
    CHECK_INT(rep->holders_listed, 1);
    CHECK_INT(rep->ntransitions, plain->ntransitions);
    CHECK_INT(rep->nmoved, 1);
    if (rep->nmoved != 1) goto done;
    const cx_holder_transition *h = &rep->moved[0];
    CHECK_STR(h->holder, "h-ca-0003");
    CHECK_STR(h->stack, "CA-EV-TECH");
    CHECK_STR(h->from, "met");
    CHECK_STR(h->to, "in_progress");
    CHECK_INT(h->nbecause, 2);
    if (h->nbecause == 2) {
        CHECK_STR(h->because[0], "at_least(1) { \"CA-EVD-202\" } (1 more of: CA-EVD-202)");
        CHECK_STR(h->because[1], "CA-EVC-203 no longer counts");
    }
done:
    cx_whatif_report_free(rep);
    cx_whatif_report_free(plain);
    cx_registry_close(r);
}

static const test_case cases[] = {
    {"copies_whole_and_by_holder", copies_whole_and_by_holder},
    {"removals_on_a_copy_only", removals_on_a_copy_only},
    {"whatif_report_and_renderings", whatif_report_and_renderings},
    {"whatif_lists_every_holder", whatif_lists_every_holder},
    {"whatif_errors_are_located", whatif_errors_are_located},
    {"diff_of_identical_packs_compares_nothing", diff_of_identical_packs_compares_nothing},
    {NULL, NULL}};

TEST_MAIN(cases)
