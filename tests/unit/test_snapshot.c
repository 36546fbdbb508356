/*
 * test_snapshot.c -- the in-memory registry snapshot: symbols in byte
 * order of id, look-ups, defaults computed at load (expiry from the
 * credential's current valid_for, jurisdiction, hours), grade ranks,
 * results, holder award slices, dated memberships, exceptions, and the
 * same snapshot whether awards are read by one thread or several.
 */
#include <sqlite3.h> /* only to damage a registry on purpose */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credex.h"
#include "snapshot.h"
#include "test.h"

static const char catalog[] =
    "version: 1\n"
    "jurisdictions:\n"
    "  - { id: US-TX, name: Texas, kind: state }\n"
    "  - { id: US-CA, name: California, kind: state }\n"
    "  - { id: US-NV, name: Nevada }\n"
    "  - { id: US-CT, name: Connecticut }\n"
    "  - { id: US, name: United States, kind: country }\n"
    "groups:\n"
    "  - id: EVC\n"
    "    name: EV Service Compact\n"
    "    members:\n"
    "      - { jurisdiction: US-TX, from: 2024-01-01 }\n"
    "      - { jurisdiction: US-CA, from: 2025-07-01, until: 2030-06-30 }\n"
    "      - { jurisdiction: US-NV, from: 2025-01-01, status: partial }\n"
    "      - { jurisdiction: US-CT, from: 2025-10-01, status: full }\n"
    "      - { jurisdiction: US-CT, from: 2020-01-01, until: 2021-12-31 }\n"
    "  - id: ANZ\n"
    "    members: [ { jurisdiction: US, from: 2000-01-01 } ]\n"
    "providers:\n"
    "  - { id: austin-cc, name: Austin Community College, jurisdiction: US-TX }\n"
    "  - { id: Zeta, name: Zeta Institute }\n"
    "frameworks:\n"
    "  - id: ev\n"
    "    name: EV Service Competencies\n"
    "    competencies:\n"
    "      - { id: ev.lockout, text: Perform lockout/tagout, parent: ev.hv-safety }\n"
    "      - { id: ev.hv-safety, text: Apply high-voltage safety procedures }\n"
    "      - { id: ev.battery, text: Service battery packs }\n"
    "credentials:\n"
    "  - id: TX-EVS-101\n"
    "    name: EV High-Voltage Safety\n"
    "    type: micro-credential\n"
    "    provider: austin-cc\n"
    "    jurisdiction: US-TX\n"
    "    hours: 40\n"
    "    valid_for: P3Y\n"
    "    competencies: [ev.lockout, ev.hv-safety]\n"
    "    tags: [ev, automotive]\n"
    "    codes: { soc: [49-3023], cip: [47.0614] }\n"
    "    attributes: { points: 6, career_field: transportation, weight: 2.5 }\n"
    "    grade_scale: [D, C, B, A]\n"
    "  - id: CA-EVS-101\n"
    "    name: EV Safety (California)\n"
    "    type: micro-credential\n"
    "    jurisdiction: US-CA\n"
    "    hours: 12.5\n"
    "    valid_for: P1Y\n"
    "    effective_from: 2020-01-01\n"
    "    effective_until: 2030-12-31\n"
    "    tags: [ev]\n"
    "  - id: NV-EVS-1\n"
    "    name: Nevada EV Safety\n"
    "    type: certificate\n"
    "    provider: Zeta\n"
    "    jurisdiction: US-NV\n"
    "holders:\n"
    "  - id: h-0002\n"
    "    jurisdiction: US-CA\n"
    "    awards: [ { credential: CA-EVS-101, issued: 2025-01-15 } ]\n"
    "  - id: h-0001\n"
    "    jurisdiction: US-TX\n"
    "    attributes: { experience_years: 2, nickname: Sam }\n"
    "    awards:\n"
    "      - { credential: TX-EVS-101, issued: 2024-06-29 }\n"
    "      - { credential: CA-EVS-101, issued: 2024-02-29 }\n"
    "      - { credential: NV-EVS-1, issued: 2023-01-01, jurisdiction: US-TX, hours: 8 }\n"
    "      - { credential: TX-EVS-101, issued: 2022-05-01, expires: 2023-01-31, status: revoked,"
    " grade: B, results: { reading: 22.5, english: 18 } }\n"
    "      - { credential: TX-EVS-101, issued: 2024-06-29, id: a-retake, grade: D,"
    " status: suspended }\n"
    "  - id: h-0003\n"
    "exceptions:\n"
    "  - { holder: h-0001, stack: CA-EVS-101, waive: electives, by: Dean of CTE,"
    " reason: military training }\n"
    "  - { holder: h-0001, stack: CA-EVS-101, substitute: { for: TX-EVS-101, use: NV-EVS-1 },"
    " by: Registrar, reason: equivalent coursework }\n";

/* Re-imports two credentials: CA-EVS-101 now valid for two years and
 * without hours, TX-EVS-101 on a pass/fail scale. */
static const char reimport[] = "credentials:\n"
                               "  - id: CA-EVS-101\n"
                               "    name: EV Safety (California)\n"
                               "    type: micro-credential\n"
                               "    jurisdiction: US-CA\n"
                               "    valid_for: P2Y\n"
                               "  - id: TX-EVS-101\n"
                               "    name: EV High-Voltage Safety\n"
                               "    type: micro-credential\n"
                               "    jurisdiction: US-TX\n"
                               "    hours: 40\n"
                               "    valid_for: P3Y\n"
                               "    grade_scale: [Fail, Pass]\n";

/* The 1-based line of catalog on which needle starts. */
static int line_of(const char *text, const char *needle)
{
    const char *at = strstr(text, needle);
    int line = 1;
    for (const char *p = text; at && p < at; p++) line += *p == '\n';
    return at ? line : 0;
}

static cx_date day(const char *ymd)
{
    cx_date d = 0;
    const char *why;
    if (cx__date_parse(ymd, &d, &why) != 0) fprintf(stderr, "  bad test date %s\n", ymd);
    return d;
}

/* A registry (in memory) holding catalog text, or NULL. */
static cx_registry *registry_with(const char *name, const char *text)
{
    cx_registry *r = NULL;
    cx_error err;
    const char *path = test_write_file(name, text);
    cx_error_clear(&err);
    CHECK_INT(cx_registry_open(NULL, CX_OPEN_MEMORY | CX_OPEN_CREATE, &r, &err), CX_OK);
    if (r) CHECK_INT(cx_catalog_import(r, &path, 1, NULL, NULL, NULL, &err), CX_OK);
    if (err.code) fprintf(stderr, "  %s:%d: %s\n", err.file, err.line, err.message);
    return r;
}

static cx_snapshot *load(cx_registry *r)
{
    cx_snapshot *s = NULL;
    cx_error err;
    cx_error_clear(&err);
    CHECK_INT(cx__snapshot_load(r, &s, &err), CX_OK);
    if (err.code) fprintf(stderr, "  %s\n", err.message);
    return s;
}

/* The award of holder h issued on ymd with credential cred (first match). */
static const cx_snap_award *award_of(const cx_snapshot *s, const char *holder, const char *cred,
                                     const char *ymd)
{
    cx_sym h = cx__snapshot_find(s, CX_KIND_HOLDER, holder);
    cx_sym c = cx__snapshot_find(s, CX_KIND_CREDENTIAL, cred);
    if (h == CX_NOSYM) return NULL;
    for (uint32_t i = 0; i < s->holders[h].nawards; i++) {
        const cx_snap_award *a = &s->holders[h].awards[i];
        if (a->credential == c && a->issued == day(ymd)) return a;
    }
    return NULL;
}

TEST(symbols_follow_byte_order_of_ids)
{
    cx_registry *r = registry_with("snapshot-order.yaml", catalog);
    cx_snapshot *s = r ? load(r) : NULL;
    if (!s) goto done;
    CHECK_INT(s->count[CX_KIND_JURISDICTION], 5);
    CHECK_STR(s->jurisdictions[0].id, "US");
    CHECK_STR(s->jurisdictions[1].id, "US-CA");
    CHECK_STR(s->jurisdictions[2].id, "US-CT");
    CHECK_STR(s->jurisdictions[3].id, "US-NV");
    CHECK_STR(s->jurisdictions[4].id, "US-TX");
    CHECK_STR(s->jurisdictions[4].kind, "state");
    CHECK(s->jurisdictions[3].kind == NULL);
    CHECK_STR(s->groups[0].id, "ANZ");
    CHECK(s->groups[0].name == NULL);
    CHECK_STR(s->groups[1].name, "EV Service Compact");
    CHECK_STR(s->providers[0].id, "Zeta"); /* 'Z' (0x5a) sorts before 'a' */
    CHECK_STR(s->providers[1].id, "austin-cc");
    CHECK_INT(s->providers[0].jurisdiction, CX_NOSYM);
    CHECK_INT(s->providers[1].jurisdiction, 4);
    CHECK_STR(s->competencies[0].id, "ev.battery");
    CHECK_STR(s->competencies[1].id, "ev.hv-safety");
    CHECK_STR(s->competencies[2].id, "ev.lockout");
    CHECK_INT(s->competencies[2].parent, 1);
    CHECK_INT(s->competencies[1].parent, CX_NOSYM);
    CHECK_INT(s->competencies[2].framework, 0);
    CHECK_STR(s->credentials[0].id, "CA-EVS-101");
    CHECK_STR(s->credentials[1].id, "NV-EVS-1");
    CHECK_STR(s->credentials[2].id, "TX-EVS-101");
    CHECK_STR(s->holders[0].id, "h-0001");
    CHECK_STR(s->holders[2].id, "h-0003");
    CHECK_INT(s->count[CX_SNAP_TAG], 2);
    CHECK_STR(s->tags[0], "automotive");
    CHECK_STR(s->tags[1], "ev");
    for (int t = 0; t < CX_SNAP_NTABLES; t++)
        for (uint32_t i = 1; i < cx__snapshot_count(s, t); i++)
            CHECK(strcmp(cx__snapshot_id(s, t, i - 1), cx__snapshot_id(s, t, i)) < 0 ||
                  t == CX_KIND_AWARD);
    /* awards: by id through awards_by_id */
    static const char *const by_id[] = {"a-retake",
                                        "h-0001/CA-EVS-101/2024-02-29",
                                        "h-0001/NV-EVS-1/2023-01-01",
                                        "h-0001/TX-EVS-101/2022-05-01",
                                        "h-0001/TX-EVS-101/2024-06-29",
                                        "h-0002/CA-EVS-101/2025-01-15"};
    CHECK_INT(s->count[CX_KIND_AWARD], 6);
    for (uint32_t i = 0; i < 6 && s->count[CX_KIND_AWARD] == 6; i++)
        CHECK_STR(s->awards[s->awards_by_id[i]].id, by_id[i]);
    CHECK_INT(s->content_version, 1);
done:
    cx__snapshot_free(s);
    cx_registry_close(r);
}

TEST(find_every_kind_and_a_miss)
{
    cx_registry *r = registry_with("snapshot-find.yaml", catalog);
    cx_snapshot *s = r ? load(r) : NULL;
    if (!s) goto done;
    CHECK_INT(cx__snapshot_find(s, CX_KIND_JURISDICTION, "US-TX"), 4);
    CHECK_INT(cx__snapshot_find(s, CX_KIND_JURISDICTION, "US"), 0);
    CHECK_INT(cx__snapshot_find(s, CX_KIND_GROUP, "EVC"), 1);
    CHECK_INT(cx__snapshot_find(s, CX_KIND_PROVIDER, "austin-cc"), 1);
    CHECK_INT(cx__snapshot_find(s, CX_KIND_FRAMEWORK, "ev"), 0);
    CHECK_INT(cx__snapshot_find(s, CX_KIND_COMPETENCY, "ev.lockout"), 2);
    CHECK_INT(cx__snapshot_find(s, CX_KIND_CREDENTIAL, "TX-EVS-101"), 2);
    CHECK_INT(cx__snapshot_find(s, CX_KIND_HOLDER, "h-0003"), 2);
    CHECK_INT(cx__snapshot_find(s, CX_SNAP_TAG, "ev"), 1);
    cx_sym a = cx__snapshot_find(s, CX_KIND_AWARD, "a-retake");
    CHECK_INT(a, 3); /* h-0001's fourth award: issued 2024-06-29, before the default id */
    if (a != CX_NOSYM) CHECK_STR(s->awards[a].id, "a-retake");
    CHECK_INT(cx__snapshot_find(s, CX_KIND_AWARD, "h-0002/CA-EVS-101/2025-01-15"), 5);
    /* misses */
    CHECK_INT(cx__snapshot_find(s, CX_KIND_JURISDICTION, "us-tx"), CX_NOSYM);
    CHECK_INT(cx__snapshot_find(s, CX_KIND_CREDENTIAL, "TX-EVS-10"), CX_NOSYM);
    CHECK_INT(cx__snapshot_find(s, CX_KIND_HOLDER, ""), CX_NOSYM);
    CHECK_INT(cx__snapshot_find(s, CX_KIND_AWARD, "b"), CX_NOSYM);
    CHECK_INT(cx__snapshot_find(s, CX_SNAP_TAG, "automotiv"), CX_NOSYM);
    CHECK_INT(cx__snapshot_find(s, CX_SNAP_NTABLES, "ev"), CX_NOSYM);
    CHECK_INT(cx__snapshot_find(s, CX_KIND_GROUP, NULL), CX_NOSYM);
    CHECK_INT(cx__snapshot_count(s, CX_KIND_FRAMEWORK), 1);
    CHECK_INT(cx__snapshot_count(s, -1), 0);
done:
    cx__snapshot_free(s);
    cx_registry_close(r);
}

TEST(credentials_parsed)
{
    cx_registry *r = registry_with("snapshot-credentials.yaml", catalog);
    cx_snapshot *s = r ? load(r) : NULL;
    if (!s) goto done;
    const cx_snap_credential *tx = &s->credentials[2], *ca = &s->credentials[0];
    const cx_snap_credential *nv = &s->credentials[1];
    CHECK_STR(tx->type, "micro-credential");
    CHECK(tx->type == ca->type); /* interned */
    CHECK_INT(tx->provider, 1);
    CHECK_INT(nv->provider, 0);
    CHECK_INT(ca->provider, CX_NOSYM);
    CHECK_INT(tx->jurisdiction, 4);
    CHECK_INT(tx->hours, 4000);
    CHECK_INT(ca->hours, 1250);
    CHECK_INT(nv->hours, CX_NO_NUMBER);
    CHECK_STR(tx->valid_for, "P3Y");
    CHECK_INT(tx->duration.years, 3);
    CHECK_INT(tx->duration.months, 0);
    CHECK(nv->valid_for == NULL);
    CHECK_INT(tx->effective_from, CX_DATE_DAWN);
    CHECK_INT(tx->effective_until, CX_DATE_NEVER);
    CHECK_INT(ca->effective_from, day("2020-01-01"));
    CHECK_INT(ca->effective_until, day("2030-12-31"));
    CHECK_INT(tx->ncompetencies, 2);
    if (tx->ncompetencies == 2) {
        CHECK_INT(tx->competencies[0], 1); /* ev.hv-safety */
        CHECK_INT(tx->competencies[1], 2); /* ev.lockout */
    }
    CHECK_INT(nv->ncompetencies, 0);
    CHECK_INT(tx->ntags, 2);
    if (tx->ntags == 2) {
        CHECK_INT(tx->tags[0], 0);
        CHECK_INT(tx->tags[1], 1);
    }
    CHECK_INT(ca->ntags, 1);
    if (ca->ntags == 1) CHECK_INT(ca->tags[0], 1);
    CHECK_INT(tx->ncodes, 2);
    if (tx->ncodes == 2) {
        CHECK_STR(tx->codes[0].scheme, "cip");
        CHECK_STR(tx->codes[0].code, "47.0614");
        CHECK_STR(tx->codes[1].scheme, "soc");
        CHECK_STR(tx->codes[1].code, "49-3023");
    }
    CHECK_INT(tx->nattrs, 3);
    const cx_snap_attr *points = cx__snapshot_attr(tx->attrs, tx->nattrs, "points");
    const cx_snap_attr *field = cx__snapshot_attr(tx->attrs, tx->nattrs, "career_field");
    const cx_snap_attr *weight = cx__snapshot_attr(tx->attrs, tx->nattrs, "weight");
    CHECK(points && field && weight);
    if (points) CHECK_INT(points->number, 600);
    if (points) CHECK_STR(points->value, "6");
    if (field) CHECK_INT(field->number, CX_NO_NUMBER);
    if (field) CHECK_STR(field->value, "transportation");
    if (weight) CHECK_INT(weight->number, 250);
    CHECK(cx__snapshot_attr(tx->attrs, tx->nattrs, "pointz") == NULL);
    CHECK_INT(tx->ngrades, 4);
    if (tx->ngrades == 4) {
        CHECK_STR(tx->grades[0], "D");
        CHECK_STR(tx->grades[3], "A");
    }
    CHECK_INT(ca->ngrades, 0);
done:
    cx__snapshot_free(s);
    cx_registry_close(r);
}

TEST(awards_defaults_and_order)
{
    cx_registry *r = registry_with("snapshot-awards.yaml", catalog);
    cx_snapshot *s = r ? load(r) : NULL;
    if (!s) goto done;
    const cx_snap_holder *h1 = &s->holders[0], *h2 = &s->holders[1], *h3 = &s->holders[2];
    /* holder slices of the one award array, each by issued then id */
    CHECK_INT(h1->nawards, 5);
    CHECK(h1->awards == s->awards);
    CHECK_INT(h2->nawards, 1);
    CHECK(h2->awards == s->awards + 5);
    CHECK_INT(h3->nawards, 0);
    if (h1->nawards != 5) goto done;
    CHECK_STR(h1->awards[0].id, "h-0001/TX-EVS-101/2022-05-01");
    CHECK_STR(h1->awards[1].id, "h-0001/NV-EVS-1/2023-01-01");
    CHECK_STR(h1->awards[2].id, "h-0001/CA-EVS-101/2024-02-29");
    CHECK_STR(h1->awards[3].id, "a-retake");
    CHECK_STR(h1->awards[4].id, "h-0001/TX-EVS-101/2024-06-29");
    for (uint32_t i = 0; i < s->count[CX_KIND_AWARD]; i++)
        CHECK_INT(s->awards[i].holder, i < 5 ? 0 : 1);

    const cx_snap_award *a = &h1->awards[4]; /* P3Y from 2024-06-29 */
    CHECK_INT(a->expires, day("2027-06-29"));
    CHECK_INT(a->flags, 0);
    CHECK_INT(a->jurisdiction, 4); /* the credential's, US-TX */
    CHECK_INT(a->hours, 4000);
    CHECK_INT(a->status, CX_AWARD_ACTIVE);
    CHECK_INT(a->grade, CX_NOSYM);
    CHECK_INT(a->grade_rank, -1);
    a = &h1->awards[2]; /* P1Y from a 29 February clamps */
    CHECK_INT(a->issued, day("2024-02-29"));
    CHECK_INT(a->expires, day("2025-02-28"));
    CHECK_INT(a->jurisdiction, 1); /* US-CA */
    CHECK_INT(a->hours, 1250);
    a = &h1->awards[1]; /* no valid_for: never; jurisdiction and hours stored */
    CHECK_INT(a->expires, CX_DATE_NEVER);
    CHECK_INT(a->jurisdiction, 4);
    CHECK_INT(a->hours, 800);
    CHECK_INT(a->flags, CX_AWARD_JURISDICTION_STORED | CX_AWARD_HOURS_STORED);
    a = &h1->awards[0]; /* a stored expiry is kept */
    CHECK_INT(a->expires, day("2023-01-31"));
    CHECK_INT(a->flags, CX_AWARD_EXPIRES_STORED);
    CHECK_INT(a->status, CX_AWARD_REVOKED);
    CHECK_STR(cx__snapshot_grade(s, a), "B");
    CHECK_INT(a->grade_rank, 2);
    uint32_t n = 0;
    const cx_snap_result *res = cx__snapshot_results(s, a, &n);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_STR(res[0].key, "english");
        CHECK_INT(res[0].value, 1800);
        CHECK_STR(res[1].key, "reading");
        CHECK_INT(res[1].value, 2250);
    }
    a = &h1->awards[3];
    CHECK_INT(a->status, CX_AWARD_SUSPENDED);
    CHECK_STR(cx__snapshot_grade(s, a), "D");
    CHECK_INT(a->grade_rank, 0);
    CHECK(cx__snapshot_results(s, a, &n) == NULL);
    CHECK_INT(n, 0);
    CHECK(cx__snapshot_grade(s, &h2->awards[0]) == NULL);
    CHECK(cx__snapshot_results(s, &h2->awards[0], &n) == NULL && n == 0);
    CHECK_INT(h2->awards[0].expires, day("2026-01-15"));
    CHECK_INT(s->nresults, 2);
    CHECK_INT(s->ngrades, 2);
done:
    cx__snapshot_free(s);
    cx_registry_close(r);
}

TEST(holders_attributes_and_exceptions)
{
    cx_registry *r = registry_with("snapshot-holders.yaml", catalog);
    cx_snapshot *s = r ? load(r) : NULL;
    if (!s) goto done;
    const cx_snap_holder *h1 = &s->holders[0];
    CHECK_INT(h1->jurisdiction, 4);
    CHECK_INT(s->holders[2].jurisdiction, CX_NOSYM);
    CHECK_INT(h1->nattrs, 2);
    if (h1->nattrs == 2) {
        CHECK_STR(h1->attrs[0].key, "experience_years");
        CHECK_INT(h1->attrs[0].number, 200);
        CHECK_STR(h1->attrs[1].value, "Sam");
        CHECK_INT(h1->attrs[1].number, CX_NO_NUMBER);
    }
    CHECK(s->holders[1].attrs == NULL && s->holders[1].nattrs == 0);
    CHECK_INT(h1->nexceptions, 2);
    CHECK_INT(s->nexceptions, 2);
    CHECK_INT(s->holders[1].nexceptions, 0);
    if (h1->nexceptions != 2) goto done;
    const cx_snap_exception *sub = &h1->exceptions[0], *waive = &h1->exceptions[1];
    CHECK_INT(sub->holder, 0);
    CHECK_INT(sub->stack, 0); /* CA-EVS-101 */
    CHECK_STR(sub->stack_id, "CA-EVS-101");
    CHECK(sub->waive == NULL);
    CHECK_INT(sub->substitute_for, 2);
    CHECK_INT(sub->substitute_use, 1);
    CHECK_STR(sub->for_id, "TX-EVS-101");
    CHECK_STR(sub->use_id, "NV-EVS-1");
    CHECK_STR(sub->by, "Registrar");
    CHECK_STR(sub->reason, "equivalent coursework");
    CHECK_CONTAINS(sub->file, "snapshot-holders.yaml");
    CHECK_INT(sub->line, line_of(catalog, "  - { holder: h-0001, stack: CA-EVS-101, substitute"));
    CHECK_STR(waive->waive, "electives");
    CHECK_INT(waive->substitute_for, CX_NOSYM);
    CHECK_INT(waive->substitute_use, CX_NOSYM);
    CHECK(waive->for_id == NULL && waive->use_id == NULL);
    CHECK_STR(waive->by, "Dean of CTE");
    CHECK_INT(waive->line, line_of(catalog, "  - { holder: h-0001, stack: CA-EVS-101, waive"));
done:
    cx__snapshot_free(s);
    cx_registry_close(r);
}

TEST(membership_on_the_days_around_its_ends)
{
    cx_registry *r = registry_with("snapshot-members.yaml", catalog);
    cx_snapshot *s = r ? load(r) : NULL;
    if (!s) goto done;
    cx_sym evc = cx__snapshot_find(s, CX_KIND_GROUP, "EVC");
    cx_sym anz = cx__snapshot_find(s, CX_KIND_GROUP, "ANZ");
    cx_sym ca = cx__snapshot_find(s, CX_KIND_JURISDICTION, "US-CA");
    cx_sym nv = cx__snapshot_find(s, CX_KIND_JURISDICTION, "US-NV");
    cx_sym ct = cx__snapshot_find(s, CX_KIND_JURISDICTION, "US-CT");
    cx_sym tx = cx__snapshot_find(s, CX_KIND_JURISDICTION, "US-TX");
    cx_sym us = cx__snapshot_find(s, CX_KIND_JURISDICTION, "US");
    CHECK_INT(s->groups[evc].nmemberships, 5);
    /* joining 2025-07-01, leaving after 2030-06-30, both days included */
    CHECK_INT(cx__snapshot_member(s, evc, ca, day("2025-06-30"), NULL), 0);
    CHECK_INT(cx__snapshot_member(s, evc, ca, day("2025-07-01"), NULL), 1);
    CHECK_INT(cx__snapshot_member(s, evc, ca, day("2025-07-02"), NULL), 1);
    CHECK_INT(cx__snapshot_member(s, evc, ca, day("2030-06-30"), NULL), 1);
    CHECK_INT(cx__snapshot_member(s, evc, ca, day("2030-07-01"), NULL), 0);
    /* open-ended */
    CHECK_INT(cx__snapshot_member(s, evc, tx, day("2023-12-31"), NULL), 0);
    CHECK_INT(cx__snapshot_member(s, evc, tx, day("2024-01-01"), NULL), 1);
    CHECK_INT(cx__snapshot_member(s, evc, tx, day("9999-12-31"), NULL), 1);
    /* with a status filter */
    CHECK_INT(cx__snapshot_member(s, evc, nv, day("2025-06-01"), "partial"), 1);
    CHECK_INT(cx__snapshot_member(s, evc, nv, day("2025-06-01"), "full"), 0);
    CHECK_INT(cx__snapshot_member(s, evc, nv, day("2025-06-01"), NULL), 1);
    CHECK_INT(cx__snapshot_member(s, evc, nv, day("2024-12-31"), "partial"), 0);
    CHECK_INT(cx__snapshot_member(s, evc, tx, day("2025-06-01"), "partial"), 0);
    /* two memberships of one jurisdiction: left, then rejoined with a status */
    CHECK_INT(cx__snapshot_member(s, evc, ct, day("2020-06-01"), NULL), 1);
    CHECK_INT(cx__snapshot_member(s, evc, ct, day("2021-12-31"), NULL), 1);
    CHECK_INT(cx__snapshot_member(s, evc, ct, day("2022-01-01"), NULL), 0);
    CHECK_INT(cx__snapshot_member(s, evc, ct, day("2025-10-01"), NULL), 1);
    CHECK_INT(cx__snapshot_member(s, evc, ct, day("2025-10-01"), "full"), 1);
    CHECK_INT(cx__snapshot_member(s, evc, ct, day("2021-01-01"), "full"), 0);
    /* other groups, and nothing */
    CHECK_INT(cx__snapshot_member(s, anz, us, day("2025-06-01"), NULL), 1);
    CHECK_INT(cx__snapshot_member(s, anz, tx, day("2025-06-01"), NULL), 0);
    CHECK_INT(cx__snapshot_member(s, evc, us, day("2025-06-01"), NULL), 0);
    CHECK_INT(cx__snapshot_member(s, CX_NOSYM, tx, day("2025-06-01"), NULL), 0);
    CHECK_INT(cx__snapshot_member(s, evc, CX_NOSYM, day("2025-06-01"), NULL), 0);
done:
    cx__snapshot_free(s);
    cx_registry_close(r);
}

TEST(reimported_credential_changes_computed_expiry)
{
    cx_registry *r = registry_with("snapshot-reimport.yaml", catalog);
    cx_snapshot *before = r ? load(r) : NULL, *after = NULL;
    cx_error err;
    const char *path = test_write_file("snapshot-reimport-2.yaml", reimport);
    if (!before) goto done;
    CHECK_INT(cx_catalog_import(r, &path, 1, NULL, NULL, NULL, &err), CX_OK);
    after = load(r);
    if (!after) goto done;
    CHECK_INT(after->content_version, 2);
    /* the earlier snapshot does not change */
    const cx_snap_award *old = award_of(before, "h-0001", "CA-EVS-101", "2024-02-29");
    CHECK(old && old->expires == day("2025-02-28"));
    /* an award without a stored expiry follows the new valid_for (P2Y) */
    const cx_snap_award *a = award_of(after, "h-0001", "CA-EVS-101", "2024-02-29");
    CHECK(a != NULL);
    if (a) CHECK_INT(a->expires, day("2026-02-28"));
    if (a) CHECK_INT(a->hours, CX_NO_NUMBER); /* the credential no longer has hours */
    a = award_of(after, "h-0002", "CA-EVS-101", "2025-01-15");
    if (a) CHECK_INT(a->expires, day("2027-01-15"));
    /* a stored expiry stays; grades off the new scale rank -1 */
    a = award_of(after, "h-0001", "TX-EVS-101", "2022-05-01");
    CHECK(a != NULL);
    if (a) CHECK_INT(a->expires, day("2023-01-31"));
    if (a) CHECK_STR(cx__snapshot_grade(after, a), "B");
    if (a) CHECK_INT(a->grade_rank, -1);
    CHECK_INT(after->credentials[2].ngrades, 2);
    CHECK_INT(after->credentials[2].ntags, 0); /* lists replaced */
done:
    cx__snapshot_free(before);
    cx__snapshot_free(after);
    cx_registry_close(r);
}

/* Awards with provenance, verified or not, with and without a note. */
static const char provenance[] =
    "holders:\n"
    "  - id: h-prov\n"
    "    awards:\n"
    "      - { credential: TX-EVS-101, issued: 2025-01-10, provenance: { format: ob3,\n"
    "          verification: unverified, note: proof eddsa-rdfc-2022 not verified } }\n"
    "      - { credential: CA-EVS-101, issued: 2025-01-11, provenance: { format: ob2,\n"
    "          verification: unverified } }\n"
    "      - { credential: CA-EVS-101, issued: 2025-01-12, provenance: { format: clr2,\n"
    "          verification: verified, note: checked } }\n"
    "      - { credential: CA-EVS-101, issued: 2025-01-13 }\n";

TEST(verification_flags_and_notes)
{
    cx_registry *r = registry_with("snapshot-prov.yaml", catalog);
    cx_snapshot *s = NULL;
    cx_error err;
    const char *path = test_write_file("snapshot-prov-2.yaml", provenance);
    if (!r) return;
    CHECK_INT(cx_catalog_import(r, &path, 1, NULL, NULL, NULL, &err), CX_OK);
    if (!(s = load(r))) goto done;
    const cx_snap_award *a = award_of(s, "h-prov", "TX-EVS-101", "2025-01-10");
    CHECK(a && (a->flags & CX_AWARD_PROVENANCE) && (a->flags & CX_AWARD_UNVERIFIED));
    if (a) CHECK_STR(cx__snap_award_note(a), "proof eddsa-rdfc-2022 not verified");
    if (a) CHECK_STR(a->id, "h-prov/TX-EVS-101/2025-01-10"); /* the note is past its NUL */
    a = award_of(s, "h-prov", "CA-EVS-101", "2025-01-11");
    CHECK(a && (a->flags & CX_AWARD_UNVERIFIED));
    if (a) CHECK_STR(cx__snap_award_note(a), ""); /* unverified, no note given */
    a = award_of(s, "h-prov", "CA-EVS-101", "2025-01-12");
    CHECK(a && (a->flags & CX_AWARD_PROVENANCE) && !(a->flags & CX_AWARD_UNVERIFIED));
    if (a) CHECK(cx__snap_award_note(a) == NULL); /* a verified award's note is not kept */
    a = award_of(s, "h-prov", "CA-EVS-101", "2025-01-13");
    CHECK(a && !(a->flags & (CX_AWARD_PROVENANCE | CX_AWARD_UNVERIFIED)));
    if (a) CHECK(cx__snap_award_note(a) == NULL);
    CHECK(cx__snapshot_find(s, CX_KIND_AWARD, "h-prov/TX-EVS-101/2025-01-10") != CX_NOSYM);
done:
    cx__snapshot_free(s);
    cx_registry_close(r);
}

/* ------------------------------------------- large registries, threads */

/* A catalog of n holders with one or two graded awards each, ids and
 * grades spread so that every reading thread meets grades the others
 * met first; every fifth C2 award unverified, with a note naming it. */
static char *big_catalog(int n)
{
    static const char *const grades[] = {"A", "B", "C", "D"};
    size_t cap = (size_t)n * 200 + 1024, len = 0;
    char *text = malloc(cap);
    if (!text) return NULL;
    len += (size_t)snprintf(text + len, cap - len,
                            "jurisdictions: [ { id: US-TX, name: Texas } ]\n"
                            "credentials:\n"
                            "  - { id: C1, name: One, type: course, jurisdiction: US-TX,"
                            " valid_for: P2Y, grade_scale: [D, C, B, A] }\n"
                            "  - { id: C2, name: Two, type: course, jurisdiction: US-TX }\n"
                            "holders:\n");
    for (int i = 0; i < n; i++) {
        len += (size_t)snprintf(text + len, cap - len,
                                "  - id: p%06d\n    awards:\n"
                                "      - { credential: C1, issued: 2024-0%d-1%d, grade: %s }\n",
                                n - i, 1 + i % 9, i % 10, grades[(i / 7) % 4]);
        if (i % 15 == 0)
            len += (size_t)snprintf(text + len, cap - len,
                                    "      - { credential: C2, issued: 2023-12-0%d, provenance: { "
                                    "format: ob3, verification: unverified, note: n%06d } }\n",
                                    1 + i % 9, n - i);
        else if (i % 3 == 0)
            len += (size_t)snprintf(text + len, cap - len,
                                    "      - { credential: C2, issued: 2023-12-0%d }\n", 1 + i % 9);
    }
    return text;
}

/* Two snapshots of one registry hold the same awards in the same order. */
static void check_same_awards(const cx_snapshot *a, const cx_snapshot *b, int with_unverified)
{
    CHECK_INT(a->count[CX_KIND_AWARD], b->count[CX_KIND_AWARD]);
    CHECK_INT(a->ngrades, b->ngrades);
    for (uint32_t g = 0; g < a->ngrades && g < b->ngrades; g++)
        CHECK_STR(a->grades[g], b->grades[g]);
    int diffs = 0, unverified = 0;
    for (uint32_t i = 0; i < a->count[CX_KIND_AWARD] && i < b->count[CX_KIND_AWARD]; i++) {
        const cx_snap_award *x = &a->awards[i], *y = &b->awards[i];
        diffs += strcmp(x->id, y->id) != 0 || x->holder != y->holder ||
                 x->credential != y->credential || x->issued != y->issued ||
                 x->expires != y->expires || x->grade != y->grade ||
                 x->grade_rank != y->grade_rank || a->awards_by_id[i] != b->awards_by_id[i] ||
                 x->flags != y->flags;
        const char *note = cx__snap_award_note(y);
        if (note) /* "n000042" beside "p000042/C2/..." */
            diffs += strlen(note) != 7 || strncmp(note + 1, x->id + 1, 6) != 0;
        if (x->credential == y->credential && (x->flags & CX_AWARD_UNVERIFIED)) unverified++;
    }
    CHECK(unverified > 0 || !with_unverified);
    CHECK_INT(diffs, 0);
    CHECK_INT(a->count[CX_KIND_HOLDER], b->count[CX_KIND_HOLDER]);
    int slices = 0; /* every holder's slice: the same awards of the same array */
    for (uint32_t h = 0; h < a->count[CX_KIND_HOLDER] && h < b->count[CX_KIND_HOLDER]; h++)
        slices += a->holders[h].nawards != b->holders[h].nawards ||
                  a->holders[h].awards - a->awards != b->holders[h].awards - b->awards;
    CHECK_INT(slices, 0);
}

TEST(threads_read_the_same_snapshot)
{
    enum { HOLDERS = 21000 };
    char path[512], *text = big_catalog(HOLDERS);
    cx_registry *r = NULL;
    cx_snapshot *one = NULL, *four = NULL, *pieces = NULL, *runs = NULL;
    cx_error err;
    const char *dir = getenv("TEST_TMP") ? getenv("TEST_TMP") : "/tmp";
    snprintf(path, sizeof path, "%s/snapshot-threads.db", dir);
    remove(path);
    const char *yaml = text ? test_write_file("snapshot-threads.yaml", text) : NULL;
    free(text);
    CHECK(yaml != NULL);
    cx_error_clear(&err);
    cx_open_options opt = {0};
    opt.no_cache = 1; /* both from SQLite: the second would read the first's cache */
    CHECK_INT(cx_registry_open_with(path, CX_OPEN_CREATE, &opt, &r, &err), CX_OK);
    if (!r || !yaml) goto done;
    CHECK_INT(cx_catalog_import(r, &yaml, 1, NULL, NULL, NULL, &err), CX_OK);
    CHECK_INT(cx__snapshot_load_threads(r, 1, &one, &err), CX_OK);
    CHECK_INT(cx__snapshot_load_threads(r, 4, &four, &err), CX_OK);
    CHECK_INT(cx__snapshot_load_pieces(r, 4, 97, &pieces, &err), CX_OK); /* ~280 jobs */
    CHECK_INT(cx__snapshot_load_pieces(r, 7, 1, &runs, &err), CX_OK);    /* a job a holder */
    if (!one || !four || !pieces || !runs) goto done;
    CHECK_INT(one->count[CX_KIND_AWARD], HOLDERS + HOLDERS / 3);
    check_same_awards(one, four, 1);
    check_same_awards(one, pieces, 1);
    check_same_awards(one, runs, 1);
    CHECK_STR(one->grades[0], "D"); /* met first in id order: p000001, the last holder */
    const cx_snap_holder *h = &four->holders[0];
    CHECK_STR(h->id, "p000001");
    CHECK_INT(h->nawards, 1); /* holder i = HOLDERS - 1: (HOLDERS - 1) % 3 != 0 */
    if (h->nawards) CHECK_INT(h->awards[0].expires, day("2026-03-19"));
done:
    cx__snapshot_free(one);
    cx__snapshot_free(four);
    cx__snapshot_free(pieces);
    cx__snapshot_free(runs);
    cx_registry_close(r);
    remove(path);
}

/* The first part holds no award (its holders have none), a later one
 * holders with many: the in-place layout grows an empty array, and the
 * jobs of the others cut across long runs. */
TEST(an_empty_first_part_and_long_runs)
{
    enum { HOLDERS = 24000 };
    size_t cap = (size_t)HOLDERS * 120 + 64 * 1024, len = 0;
    char path[512], *text = malloc(cap);
    cx_registry *r = NULL;
    cx_snapshot *one = NULL, *four = NULL, *pieces = NULL;
    cx_error err;
    const char *dir = getenv("TEST_TMP") ? getenv("TEST_TMP") : "/tmp";
    if (!text) return;
    len += (size_t)snprintf(text, cap,
                            "jurisdictions: [ { id: US-TX, name: Texas } ]\n"
                            "credentials:\n"
                            "  - { id: C1, name: One, type: course, jurisdiction: US-TX }\n"
                            "holders:\n");
    for (int i = 0; i < HOLDERS && len < cap; i++) {
        int awards = i < HOLDERS / 3 ? 0 : i % 500 == 0 ? 300 : i % 4;
        len += (size_t)snprintf(text + len, cap - len, "  - id: q%06d\n", i);
        if (awards) len += (size_t)snprintf(text + len, cap - len, "    awards:\n");
        for (int a = 0; a < awards && len < cap; a++) /* later ids, earlier dates */
            len += (size_t)snprintf(
                text + len, cap - len,
                "      - { id: q%06d-%03d, credential: C1, issued: %04d-01-01 }\n", i, a, 2300 - a);
    }
    const char *yaml = test_write_file("snapshot-empty-first.yaml", text);
    free(text);
    snprintf(path, sizeof path, "%s/snapshot-empty-first.db", dir);
    remove(path);
    cx_open_options opt = {0};
    opt.no_cache = 1;
    cx_error_clear(&err);
    CHECK_INT(cx_registry_open_with(path, CX_OPEN_CREATE, &opt, &r, &err), CX_OK);
    if (!r || !yaml) goto done;
    CHECK_INT(cx_catalog_import(r, &yaml, 1, NULL, NULL, NULL, &err), CX_OK);
    CHECK_INT(cx__snapshot_load_threads(r, 1, &one, &err), CX_OK);
    CHECK_INT(cx__snapshot_load_threads(r, 4, &four, &err), CX_OK);
    CHECK_INT(cx__snapshot_load_pieces(r, 3, 100, &pieces, &err), CX_OK);
    if (!one || !four || !pieces) goto done;
    CHECK_INT(one->holders[0].nawards, 0);
    CHECK_INT(one->holders[HOLDERS / 2].nawards, 300);
    if (one->holders[HOLDERS / 2].nawards == 300) /* by issued: the last id first */
        CHECK_STR(one->holders[HOLDERS / 2].awards[0].id, "q012000-299");
    check_same_awards(one, four, 0);
    check_same_awards(one, pieces, 0);
done:
    cx__snapshot_free(one);
    cx__snapshot_free(four);
    cx__snapshot_free(pieces);
    cx_registry_close(r);
    remove(path);
}

TEST(damaged_data_is_reported)
{
    char path[512];
    cx_registry *r = NULL;
    cx_snapshot *s = NULL;
    sqlite3 *db = NULL;
    cx_error err;
    const char *dir = getenv("TEST_TMP") ? getenv("TEST_TMP") : "/tmp";
    const char *yaml = test_write_file("snapshot-damaged.yaml", catalog);
    snprintf(path, sizeof path, "%s/snapshot-damaged.db", dir);
    remove(path);
    cx_error_clear(&err);
    CHECK_INT(cx_registry_open(path, CX_OPEN_CREATE, &r, &err), CX_OK);
    if (!r) goto done;
    CHECK_INT(cx_catalog_import(r, &yaml, 1, NULL, NULL, NULL, &err), CX_OK);
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "UPDATE award SET issued = '2024-13-01' WHERE id = 'a-retake'", NULL,
                           NULL, NULL),
              SQLITE_OK);
    sqlite3_close(db);
    CHECK_INT(cx__snapshot_load(r, &s, &err), CX_EREGISTRY);
    CHECK(s == NULL);
    CHECK_CONTAINS(err.message, "registry data is inconsistent: award 'a-retake' has the date "
                                "'2024-13-01': month must be 01 to 12");
done:
    cx__snapshot_free(s);
    cx_registry_close(r);
    remove(path);
}

static const test_case cases[] = {
    {"symbols_follow_byte_order_of_ids", symbols_follow_byte_order_of_ids},
    {"find_every_kind_and_a_miss", find_every_kind_and_a_miss},
    {"credentials_parsed", credentials_parsed},
    {"awards_defaults_and_order", awards_defaults_and_order},
    {"holders_attributes_and_exceptions", holders_attributes_and_exceptions},
    {"membership_on_the_days_around_its_ends", membership_on_the_days_around_its_ends},
    {"reimported_credential_changes_computed_expiry",
     reimported_credential_changes_computed_expiry},
    {"verification_flags_and_notes", verification_flags_and_notes},
    {"threads_read_the_same_snapshot", threads_read_the_same_snapshot},
    {"an_empty_first_part_and_long_runs", an_empty_first_part_and_long_runs},
    {"damaged_data_is_reported", damaged_data_is_reported},
    {NULL, NULL}};

TEST_MAIN(cases)
