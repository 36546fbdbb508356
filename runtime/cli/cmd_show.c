/*
 * cmd_show.c -- `credex show credential|holder|group ID`: one registry
 * entity as readable text or as one JSON object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Formats a catalog number held in hundredths (40, 12.5, 7.25). */
static const char *format_number(int64_t h, char buf[32])
{
    long long whole = (long long)(h / 100), frac = (long long)(h % 100);
    if (frac == 0)
        snprintf(buf, 32, "%lld", whole);
    else if (frac % 10 == 0)
        snprintf(buf, 32, "%lld.%lld", whole, frac / 10);
    else
        snprintf(buf, 32, "%lld.%02lld", whole, frac);
    return buf;
}

static void print_list(const char *label, char *const *items, size_t n, const char *sep)
{
    if (!n) return;
    printf("  %-16s", label);
    for (size_t i = 0; i < n; i++) printf("%s%s", i ? sep : "", items[i]);
    printf("\n");
}

static void print_pairs(const char *label, const cx_pair *p, size_t n)
{
    if (!n) return;
    printf("  %-16s", label);
    for (size_t i = 0; i < n; i++) printf("%s%s=%s", i ? ", " : "", p[i].key, p[i].value);
    printf("\n");
}

static void print_field(const char *label, const char *value)
{
    if (value) printf("  %-16s%s\n", label, value);
}

static void credential_text(const cx_credential *cr)
{
    printf("credential %s: %s\n", cr->id, cr->name);
    print_field("type", cr->type);
    print_field("provider", cr->provider);
    print_field("jurisdiction", cr->jurisdiction);
    char num[32];
    if (cr->hours != CX_NO_NUMBER) print_field("hours", format_number(cr->hours, num));
    print_field("valid for", cr->valid_for ? cr->valid_for : "no expiry");
    print_field("version", cr->version);
    print_field("effective from", cr->effective_from);
    print_field("effective to", cr->effective_until);
    print_list("competencies", cr->competencies, cr->ncompetencies, ", ");
    print_list("tags", cr->tags, cr->ntags, ", ");
    if (cr->ncodes) {
        printf("  %-16s", "codes");
        for (size_t i = 0; i < cr->ncodes; i++)
            printf("%s%s %s", i ? ", " : "", cr->codes[i].key, cr->codes[i].value);
        printf("\n");
    }
    print_pairs("attributes", cr->attributes, cr->nattributes);
    print_list("grade scale", cr->grade_scale, cr->ngrade_scale, " < ");
}

/* The expiry an award shows: its own, else issued + its credential's
 * valid_for (as decisions compute it), else none. */
static const char *award_expiry(cx_registry *r, const cx_award *a, char buf[11])
{
    cx_credential *cr = NULL;
    cx_error err;
    const char *shown = "no expiry";
    if (a->expires) return a->expires;
    if (cx_registry_credential(r, a->credential, &cr, &err) == CX_OK && cr->valid_for &&
        cx_date_add(a->issued, cr->valid_for, buf, &err) == CX_OK)
        shown = buf;
    cx_credential_free(cr);
    return shown;
}

static void award_text(cx_registry *r, const cx_holder *h, const cx_award *a)
{
    char hours[32] = "-", expiry[11];
    if (a->hours != CX_NO_NUMBER) format_number(a->hours, hours);
    printf("    %s  %-14s %-9s %-7s %6s  %s", a->issued, a->credential, a->status,
           a->jurisdiction ? a->jurisdiction : "-", hours, award_expiry(r, a, expiry));
    if (a->grade) printf("  grade %s", a->grade);
    for (size_t i = 0; i < a->nresults; i++)
        printf("%s%s %s", i ? ", " : "  results ", a->results[i].key, a->results[i].value);
    /* the id only when it is not the default <holder>/<credential>/<issued> */
    size_t hl = strlen(h->id), cl = strlen(a->credential);
    if (strncmp(a->id, h->id, hl) != 0 || a->id[hl] != '/' ||
        strncmp(a->id + hl + 1, a->credential, cl) != 0 || a->id[hl + 1 + cl] != '/' ||
        strcmp(a->id + hl + cl + 2, a->issued) != 0)
        printf("  id %s", a->id);
    if (a->evidence) printf("\n      evidence: %s", a->evidence);
    printf("\n");
}

static void holder_text(cx_registry *r, const cx_holder *h)
{
    printf("holder %s\n", h->id);
    print_field("jurisdiction", h->jurisdiction);
    print_pairs("attributes", h->attributes, h->nattributes);
    printf("  awards (%zu)\n", h->nawards);
    if (h->nawards)
        printf("    %-10s  %-14s %-9s %-7s %6s  %s\n", "issued", "credential", "status", "where",
               "hours", "expires");
    for (size_t i = 0; i < h->nawards; i++) award_text(r, h, &h->awards[i]);
}

static void group_text(const cx_group *g)
{
    printf("group %s%s%s\n", g->id, g->name ? ": " : "", g->name ? g->name : "");
    printf("  members (%zu)\n", g->nmembers);
    for (size_t i = 0; i < g->nmembers; i++) {
        const cx_membership *m = &g->members[i];
        printf("    %-10s from %s%s%s%s%s\n", m->jurisdiction, m->from, m->until ? " until " : "",
               m->until ? m->until : "", m->status ? "  status " : "", m->status ? m->status : "");
    }
}

static int emit_json(char *json, cx_error *err)
{
    if (!json) {
        err->code = CX_ENOMEM;
        snprintf(err->message, sizeof err->message, "could not render JSON");
        return CX_ENOMEM;
    }
    fputs(json, stdout);
    free(json);
    return CX_OK;
}

static int show(cli *c, cx_registry *r, const char *what, const char *id, cx_error *err)
{
    int json = strcmp(c->format, "json") == 0;
    int rc;
    if (strcmp(what, "credential") == 0) {
        cx_credential *cr;
        if ((rc = cx_registry_credential(r, id, &cr, err))) return rc;
        if (json)
            rc = emit_json(cx_credential_json(cr), err);
        else
            credential_text(cr);
        cx_credential_free(cr);
    } else if (strcmp(what, "holder") == 0) {
        cx_holder *h;
        if ((rc = cx_registry_holder(r, id, &h, err))) return rc;
        if (json)
            rc = emit_json(cx_holder_json(h), err);
        else
            holder_text(r, h);
        cx_holder_free(h);
    } else {
        cx_group *g;
        if ((rc = cx_registry_group(r, id, &g, err))) return rc;
        if (json)
            rc = emit_json(cx_group_json(g), err);
        else
            group_text(g);
        cx_group_free(g);
    }
    return rc;
}

int cmd_show(cli *c)
{
    static const char *const whats[] = {"credential", "holder", "group"};
    cx_registry *r;
    cx_error err;
    if (c->nargs != 2)
        return cli_usage_error(c, "expected: credex show (credential|holder|group) ID");
    const char *what = c->args[0];
    if (strcmp(what, "credential") && strcmp(what, "holder") && strcmp(what, "group")) {
        const char *near = cx_nearest(what, whats, 3);
        return cli_usage_error(c, "cannot show '%s'%s%s%s; expected credential, holder or group",
                               what, near ? " (did you mean '" : "", near ? near : "",
                               near ? "'?)" : "");
    }
    int rc = cli_open(c, CX_OPEN_READONLY, &r);
    if (rc) return rc;
    cx_error_clear(&err);
    rc = show(c, r, what, c->args[1], &err);
    cx_registry_close(r);
    return rc ? cli_report(&err) : CX_OK;
}
