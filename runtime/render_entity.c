/*
 * render_entity.c -- the text of registry entities (credential, holder,
 * group) as `credex show` prints it; their JSON is decision.c's. It reads
 * the registry only for an award's credential, never writes, and holds no
 * rule: an award's expiry is cx_award_expiry's.
 */
#include <stdlib.h>
#include <string.h>

#include "credex.h"
#include "util.h"

/* "  LABEL           value\n" when value is not NULL. */
static void put_field(cx_buf *b, const char *label, const char *value)
{
    if (value) cx__buf_printf(b, "  %-16s%s\n", label, value);
}

static void put_list(cx_buf *b, const char *label, char *const *items, size_t n, const char *sep)
{
    if (!n) return;
    cx__buf_printf(b, "  %-16s", label);
    for (size_t i = 0; i < n; i++) cx__buf_printf(b, "%s%s", i ? sep : "", items[i]);
    cx__buf_puts(b, "\n");
}

/* "key=value, ..." pairs; with sep " ", "scheme code, ...". */
static void put_pairs(cx_buf *b, const char *label, const cx_pair *p, size_t n, const char *sep)
{
    if (!n) return;
    cx__buf_printf(b, "  %-16s", label);
    for (size_t i = 0; i < n; i++)
        cx__buf_printf(b, "%s%s%s%s", i ? ", " : "", p[i].key, sep, p[i].value);
    cx__buf_puts(b, "\n");
}

/* The buffer's text (the caller frees it), or NULL when out of memory;
 * a control character in a value escaped (docs/security.md). */
static char *text_of(cx_buf *b)
{
    cx__buf_escape_lines(b);
    if (b->oom) cx__buf_free(b);
    return b->data;
}

char *cx_credential_text(const cx_credential *cr)
{
    cx_buf b;
    cx__buf_init(&b);
    cx__buf_printf(&b, "credential %s: %s\n", cr->id, cr->name);
    put_field(&b, "type", cr->type);
    put_field(&b, "provider", cr->provider);
    put_field(&b, "jurisdiction", cr->jurisdiction);
    if (cr->hours != CX_NO_NUMBER) {
        cx__buf_printf(&b, "  %-16s", "hours");
        cx__buf_hundredths(&b, cr->hours);
        cx__buf_puts(&b, "\n");
    }
    put_field(&b, "valid for", cr->valid_for ? cr->valid_for : "no expiry");
    put_field(&b, "version", cr->version);
    put_field(&b, "effective from", cr->effective_from);
    put_field(&b, "effective to", cr->effective_until);
    put_list(&b, "competencies", cr->competencies, cr->ncompetencies, ", ");
    put_list(&b, "tags", cr->tags, cr->ntags, ", ");
    put_pairs(&b, "codes", cr->codes, cr->ncodes, " ");
    put_pairs(&b, "attributes", cr->attributes, cr->nattributes, "=");
    put_list(&b, "grade scale", cr->grade_scale, cr->ngrade_scale, " < ");
    return text_of(&b);
}

/* The expiry an award shows: cx_award_expiry's, "no expiry" when it has
 * none or its credential cannot be read. */
static const char *award_expiry(cx_registry *r, const cx_award *a, char buf[11])
{
    cx_credential *cr = NULL;
    cx_error err;
    cx_error_clear(&err);
    if (!a->expires && r && cx_registry_credential(r, a->credential, &cr, &err) != CX_OK) cr = NULL;
    int rc = cx_award_expiry(a, cr, buf, &err);
    cx_credential_free(cr);
    return rc == CX_OK && buf[0] ? buf : "no expiry";
}

/* Whether the award's id is the default <holder>/<credential>/<issued>. */
static int default_award_id(const cx_holder *h, const cx_award *a)
{
    size_t hl = strlen(h->id), cl = strlen(a->credential);
    return strncmp(a->id, h->id, hl) == 0 && a->id[hl] == '/' &&
           strncmp(a->id + hl + 1, a->credential, cl) == 0 && a->id[hl + 1 + cl] == '/' &&
           strcmp(a->id + hl + cl + 2, a->issued) == 0;
}

/* "\n      provenance: FORMAT SOURCE_ID issuer ISSUER proof PROOF
 * VERIFICATION (NOTE) status checked DATE", absent parts left out. */
static void put_provenance(cx_buf *b, const cx_provenance *p)
{
    cx__buf_printf(b, "\n      provenance: %s", p->format);
    if (p->source_id) cx__buf_printf(b, " %s", p->source_id);
    if (p->issuer) cx__buf_printf(b, " issuer %s", p->issuer);
    if (p->proof) cx__buf_printf(b, " proof %s", p->proof);
    cx__buf_printf(b, " %s", p->verification);
    if (p->note) cx__buf_printf(b, " (%s)", p->note);
    if (p->status_checked) cx__buf_printf(b, " status checked %s", p->status_checked);
}

/* The widths of the credential and jurisdiction columns of h's award
 * table: the headings' (14, 7), or the longest value's. */
typedef struct award_widths {
    int credential, where;
} award_widths;

static award_widths widths_of(const cx_holder *h)
{
    award_widths w = {14, 7};
    for (size_t i = 0; i < h->nawards; i++) {
        const cx_award *a = &h->awards[i];
        size_t c = strlen(a->credential), j = a->jurisdiction ? strlen(a->jurisdiction) : 1;
        if (c > (size_t)w.credential && c < 256) w.credential = (int)c;
        if (j > (size_t)w.where && j < 256) w.where = (int)j;
    }
    return w;
}

static void put_award(cx_buf *b, cx_registry *r, const cx_holder *h, const cx_award *a,
                      award_widths w)
{
    cx_buf hours;
    char expiry[11];
    cx__buf_init(&hours);
    if (a->hours != CX_NO_NUMBER)
        cx__buf_hundredths(&hours, a->hours);
    else
        cx__buf_puts(&hours, "-");
    cx__buf_printf(b, "    %s  %-*s %-9s %-*s %6s  %s", a->issued, w.credential, a->credential,
                   a->status, w.where, a->jurisdiction ? a->jurisdiction : "-",
                   hours.data ? hours.data : "", award_expiry(r, a, expiry));
    if (hours.oom) b->oom = 1;
    cx__buf_free(&hours);
    if (a->grade) cx__buf_printf(b, "  grade %s", a->grade);
    for (size_t i = 0; i < a->nresults; i++)
        cx__buf_printf(b, "%s%s %s", i ? ", " : "  results ", a->results[i].key,
                       a->results[i].value);
    if (!default_award_id(h, a)) cx__buf_printf(b, "  id %s", a->id);
    if (a->evidence) cx__buf_printf(b, "\n      evidence: %s", a->evidence);
    if (a->provenance) put_provenance(b, a->provenance);
    cx__buf_puts(b, "\n");
}

char *cx_holder_text(cx_registry *r, const cx_holder *h)
{
    cx_buf b;
    cx__buf_init(&b);
    cx__buf_printf(&b, "holder %s\n", h->id);
    put_field(&b, "jurisdiction", h->jurisdiction);
    put_pairs(&b, "attributes", h->attributes, h->nattributes, "=");
    award_widths w = widths_of(h);
    cx__buf_printf(&b, "  awards (%zu)\n", h->nawards);
    if (h->nawards)
        cx__buf_printf(&b, "    %-10s  %-*s %-9s %-*s %6s  %s\n", "issued", w.credential,
                       "credential", "status", w.where, "where", "hours", "expires");
    for (size_t i = 0; i < h->nawards; i++) put_award(&b, r, h, &h->awards[i], w);
    return text_of(&b);
}

char *cx_group_text(const cx_group *g)
{
    cx_buf b;
    cx__buf_init(&b);
    cx__buf_printf(&b, "group %s%s%s\n", g->id, g->name ? ": " : "", g->name ? g->name : "");
    cx__buf_printf(&b, "  members (%zu)\n", g->nmembers);
    for (size_t i = 0; i < g->nmembers; i++) {
        const cx_membership *m = &g->members[i];
        cx__buf_printf(&b, "    %-10s from %s%s%s%s%s\n", m->jurisdiction, m->from,
                       m->until ? " until " : "", m->until ? m->until : "",
                       m->status ? "  status " : "", m->status ? m->status : "");
    }
    return text_of(&b);
}
