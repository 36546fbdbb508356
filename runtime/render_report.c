/*
 * render_report.c -- renders what-if and diff reports for people: the holder
 * lines of `--holders` (text, JSON Lines with jansson, RFC 4180 CSV) and the
 * one-page XHTML report of `--format html` (inline CSS and hand-written SVG,
 * every string escaped). It decides nothing and reads no registry or rules.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credex.h"
#include "render.h"
#include "util.h"

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

/* ------------------------------------------------------- holder lines */

/* because joined with sep into b, each part as put writes it. */
static void join_because(cx_buf *b, const cx_holder_transition *h, const char *sep,
                         void (*put)(cx_buf *, const char *))
{
    for (size_t i = 0; i < h->nbecause; i++) {
        if (i) cx__buf_puts(b, sep);
        put(b, h->because[i]);
    }
}

static char *done(cx_buf *b)
{
    if (b->oom) cx__buf_free(b);
    return b->data;
}

char *cx_holder_transition_text(const cx_holder_transition *h)
{
    cx_buf b;
    cx__buf_init(&b);
    cx__buf_puts(&b, "audit ");
    cx__text_put(&b, h->stack); /* ids come from spreadsheets: no control reaches a terminal */
    cx__buf_puts(&b, " for ");
    cx__text_put(&b, h->holder);
    cx__buf_printf(&b, ": %s -> %s", h->from, h->to);
    if (h->nbecause) cx__buf_puts(&b, " because ");
    join_because(&b, h, "; ", cx__text_put);
    cx__buf_puts(&b, "\n");
    return done(&b);
}

const char *cx_holder_transition_csv_header(void)
{
    return "holder,stack,from,to,because\r\n";
}

static void put_raw(cx_buf *b, const char *s)
{
    cx__buf_puts(b, s);
}

char *cx_holder_transition_csv(const cx_holder_transition *h)
{
    cx_buf b, why;
    cx__buf_init(&b);
    cx__buf_init(&why);
    join_because(&why, h, ";", put_raw);
    cx__buf_csv_field(&b, h->holder);
    cx__buf_puts(&b, ",");
    cx__buf_csv_field(&b, h->stack);
    cx__buf_printf(&b, ",%s,%s,", h->from, h->to);
    cx__buf_csv_field(&b, why.data ? why.data : "");
    cx__buf_puts(&b, "\r\n");
    if (why.oom) b.oom = 1;
    cx__buf_free(&why);
    return done(&b);
}

/* Sets key to v (a new reference) in o; -1 when v is NULL or out of memory. */
static int put(json_t *o, const char *key, json_t *v)
{
    return v ? json_object_set_new(o, key, v) : -1;
}

static json_t *text_json(const char *s)
{
    return cx__json_text(s, strlen(s)); /* invalid UTF-8: U+FFFD */
}

char *cx_holder_transition_json(const cx_holder_transition *h)
{
    json_t *o = json_object(), *because = json_array();
    int bad = !o || !because;
    if (!bad)
        bad = put(o, "holder", text_json(h->holder)) || put(o, "stack", text_json(h->stack)) ||
              put(o, "from", json_string(h->from)) || put(o, "to", json_string(h->to));
    for (size_t i = 0; !bad && i < h->nbecause; i++)
        bad = json_array_append_new(because, text_json(h->because[i])) != 0;
    if (!bad) {
        bad = put(o, "because", because);
        because = NULL;
    }
    json_decref(because);
    char *json = bad ? NULL : json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!json) return NULL;
    cx_buf b;
    cx__buf_init(&b);
    cx__buf_puts(&b, json);
    cx__buf_puts(&b, "\n");
    free(json);
    return done(&b);
}

/* --------------------------------------------------------- HTML: text */

/* Appends s as XHTML character data or an attribute value: markup
 * characters as entities; invalid UTF-8, controls XML forbids and the
 * noncharacters U+FFFE and U+FFFF as U+FFFD, so the page stays well-formed
 * whatever a spreadsheet put in an id. */
static void html_put(cx_buf *b, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), i = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = cx__utf8_next(u + i, n - i, &cp);
        if (cp == CX_BAD_CP || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
            cp == 0x7F || cp == 0xFFFE || cp == 0xFFFF)
            cx__buf_puts(b, REPLACEMENT);
        else if (cp == '&')
            cx__buf_puts(b, "&amp;");
        else if (cp == '<')
            cx__buf_puts(b, "&lt;");
        else if (cp == '>')
            cx__buf_puts(b, "&gt;");
        else if (cp == '"')
            cx__buf_puts(b, "&quot;");
        else if (cp == '\'')
            cx__buf_puts(b, "&#39;");
        else
            cx__buf_add(b, s + i, k);
        i += k;
    }
}

/* <tag>s</tag>, s escaped. */
static void element(cx_buf *b, const char *tag, const char *s)
{
    cx__buf_printf(b, "<%s>", tag);
    html_put(b, s);
    cx__buf_printf(b, "</%s>", tag);
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* The subject as the text lines write it. */
static void subject_html(cx_buf *b, const cx_transition *t)
{
    cx_buf s;
    cx__buf_init(&s);
    if (t->kind == CX_DECISION_AUDIT) {
        cx__buf_puts(&s, t->stack);
    } else if (t->kind == CX_DECISION_EQUIV) {
        cx__buf_printf(&s, "%s -> %s", t->from_credential, t->to_credential);
        if (t->in) cx__buf_printf(&s, " in %s", t->in);
    } else {
        cx__buf_printf(&s, "%s %s -> %s", t->credential, t->from_jurisdiction, t->to_jurisdiction);
    }
    html_put(b, s.data ? s.data : "");
    if (s.oom) b->oom = 1;
    cx__buf_free(&s);
}

static const char *kind_word(cx_decision_kind kind)
{
    return kind == CX_DECISION_AUDIT ? "audit" : kind == CX_DECISION_EQUIV ? "equiv" : "transfer";
}

/* ------------------------------------------------ HTML: gains, losses */

/* How far along a status is: 3 met, equivalent, accepted; 2 the partial
 * ones; 1 nothing yet (absent counts as nothing); 0 error. */
static int level(const char *status)
{
    static const char *const levels[][3] = {
        {"met", "equivalent", "accepted"},
        {"in_progress", "partial", "conditional"},
    };
    for (int l = 0; l < 2; l++)
        for (int i = 0; i < 3; i++)
            if (strcmp(status, levels[l][i]) == 0) return 3 - l;
    return strcmp(status, "error") == 0 ? 0 : 1;
}

/* A transition's count as a gain (1), a loss (-1) or neither (0). */
static int direction(const cx_transition *t)
{
    int from = level(t->from), to = level(t->to);
    return to > from ? 1 : to < from ? -1 : 0;
}

/* One bar of the chart: a subject's gains and losses. */
typedef struct bar {
    const cx_transition *first; /* the subject's first transition */
    uint64_t gains, losses;
} bar;

/* The subjects in report order (a subject's transitions are adjacent),
 * each with its gains and losses; malloc'd, *n of them. */
static bar *bars_of(const cx_whatif_report *rep, size_t *n)
{
    bar *v = calloc(rep->ntransitions + 1, sizeof *v);
    *n = 0;
    if (!v) return NULL;
    for (size_t i = 0; i < rep->ntransitions; i++) {
        const cx_transition *t = &rep->transitions[i];
        cx_buf a, b;
        cx__buf_init(&a);
        cx__buf_init(&b);
        if (*n) subject_html(&a, v[*n - 1].first);
        subject_html(&b, t);
        int same = *n && v[*n - 1].first->kind == t->kind && a.data && b.data &&
                   strcmp(a.data, b.data) == 0;
        cx__buf_free(&a);
        cx__buf_free(&b);
        if (!same) v[(*n)++].first = t;
        int d = direction(t);
        if (d > 0) v[*n - 1].gains += t->count;
        if (d < 0) v[*n - 1].losses += t->count;
    }
    return v;
}

/* Leaves out the subjects with neither gains nor losses (a new stack no
 * holder has started), for the chart. */
static size_t moving(bar *v, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i].gains || v[i].losses) v[k++] = v[i];
    return k;
}

#define ROW   28  /* pixels per bar */
#define LABEL 300 /* the label column */
#define HALF  160 /* the longest bar, each way */

/* A diverging bar chart: losses left of the axis, gains right. */
static void chart(cx_buf *b, const bar *v, size_t n)
{
    uint64_t most = 1;
    for (size_t i = 0; i < n; i++) {
        if (v[i].gains > most) most = v[i].gains;
        if (v[i].losses > most) most = v[i].losses;
    }
    unsigned width = LABEL + 2 * HALF + 80, height = (unsigned)(n + 1) * ROW + 8,
             axis = LABEL + 40 + HALF;
    cx__buf_printf(b,
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" class=\"chart\" "
                   "viewBox=\"0 0 %u %u\" width=\"%u\" height=\"%u\">"
                   "<title>Gains and losses per subject</title>",
                   width, height, width, height);
    cx__buf_printf(b,
                   "<text x=\"%u\" y=\"18\" text-anchor=\"end\" class=\"loss\">losses</text>"
                   "<text x=\"%u\" y=\"18\" class=\"gain\">gains</text>",
                   axis - 6, axis + 6);
    for (size_t i = 0; i < n; i++) {
        unsigned y = (unsigned)(i + 1) * ROW + 4;
        unsigned lw = (unsigned)(v[i].losses * HALF / most),
                 gw = (unsigned)(v[i].gains * HALF / most);
        cx__buf_printf(b, "<g class=\"bar\"><text x=\"%u\" y=\"%u\" text-anchor=\"end\">%s ", LABEL,
                       y + 15, kind_word(v[i].first->kind));
        subject_html(b, v[i].first);
        cx__buf_puts(b, "</text>");
        if (v[i].losses)
            cx__buf_printf(b,
                           "<rect class=\"loss\" x=\"%u\" y=\"%u\" width=\"%u\" height=\"20\"/>"
                           "<text class=\"loss\" x=\"%u\" y=\"%u\" text-anchor=\"end\">%llu</text>",
                           axis - lw, y + 2, lw, axis - lw - 4, y + 17,
                           (unsigned long long)v[i].losses);
        if (v[i].gains)
            cx__buf_printf(b,
                           "<rect class=\"gain\" x=\"%u\" y=\"%u\" width=\"%u\" height=\"20\"/>"
                           "<text class=\"gain\" x=\"%u\" y=\"%u\">%llu</text>",
                           axis, y + 2, gw, axis + gw + 4, y + 17, (unsigned long long)v[i].gains);
        cx__buf_puts(b, "</g>");
    }
    cx__buf_printf(b, "<line class=\"axis\" x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\"/></svg>\n",
                   axis, ROW, axis, height);
}

/* ---------------------------------------------------- HTML: the page */

static const char style[] =
    "body{font-family:system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fff}"
    "main{max-width:64rem;margin:0 auto;padding:1rem}"
    "h1{font-size:1.4rem;overflow-wrap:anywhere}h2{font-size:1.15rem;margin-top:2rem}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}"
    "dt{font-weight:600}dd{margin:0}"
    ".scroll{overflow-x:auto}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ccc;vertical-align:top;"
    "overflow-wrap:break-word}"
    "td.n{text-align:right}"
    "svg.chart{max-width:100%;height:auto;font-size:13px}"
    "rect.gain{fill:#2e7d32}rect.loss{fill:#c62828}"
    "text.gain{fill:#1b5e20}text.loss{fill:#b71c1c}"
    ".axis{stroke:#555}";

/* "defines 1 framework, 2 credentials" for what a change defines and
 * removes; nothing when it did neither. */
static void change_html(cx_buf *b, const cx_whatif_report *rep)
{
    static const char *const kinds[][2] = {
        [CX_KIND_JURISDICTION] = {"jurisdiction", "jurisdictions"},
        [CX_KIND_GROUP] = {"group", "groups"},
        [CX_KIND_PROVIDER] = {"provider", "providers"},
        [CX_KIND_FRAMEWORK] = {"framework", "frameworks"},
        [CX_KIND_COMPETENCY] = {"competency", "competencies"},
        [CX_KIND_CREDENTIAL] = {"credential", "credentials"},
        [CX_KIND_HOLDER] = {"holder", "holders"},
        [CX_KIND_AWARD] = {"award", "awards"},
    };
    const char *sep = "defines ";
    size_t start = b->len;
    for (size_t k = 0; k < CX_COUNT(kinds); k++) {
        uint64_t n = (uint64_t)rep->defined.count[k];
        if (!n || !kinds[k][0]) continue;
        cx__buf_printf(b, "%s%llu %s", sep, (unsigned long long)n, kinds[k][n != 1]);
        sep = ", ";
    }
    if (rep->defined.exceptions)
        cx__buf_printf(b, "%s%lld %s", sep, (long long)rep->defined.exceptions,
                       plural((uint64_t)rep->defined.exceptions, "exception", "exceptions"));
    sep = b->len > start ? "; removes " : "removes ";
    const struct {
        int64_t n;
        const char *one, *many;
    } removed[] = {{rep->removed_credentials, "credential", "credentials"},
                   {rep->removed_competencies, "competency", "competencies"},
                   {rep->removed_memberships, "membership", "memberships"}};
    for (size_t i = 0; i < CX_COUNT(removed); i++) {
        if (!removed[i].n) continue;
        cx__buf_printf(b, "%s%lld %s", sep, (long long)removed[i].n,
                       plural((uint64_t)removed[i].n, removed[i].one, removed[i].many));
        sep = ", ";
    }
}

/* A row of the summary: <dt>term</dt><dd id=id>text</dd>, text escaped. */
static void summary_row(cx_buf *b, const char *id, const char *term, const char *text)
{
    cx__buf_printf(b, "<dt>%s</dt><dd id=\"%s\">", term, id);
    html_put(b, text);
    cx__buf_puts(b, "</dd>\n");
}

static void summary(cx_buf *b, const cx_whatif_report *rep, const bar *v, size_t n)
{
    char line[400];
    uint64_t holders = 0, equivs = 0, transfers = 0, gains = 0, losses = 0;
    for (size_t i = 0; i < rep->ntransitions; i++) {
        const cx_transition *t = &rep->transitions[i];
        if (t->kind == CX_DECISION_AUDIT) holders += t->count;
        equivs += t->kind == CX_DECISION_EQUIV;
        transfers += t->kind == CX_DECISION_TRANSFER;
    }
    for (size_t i = 0; i < n; i++) {
        gains += v[i].gains;
        losses += v[i].losses;
    }
    cx__buf_puts(b, "<section id=\"summary\"><h2>Summary</h2><dl>\n");
    summary_row(b, "as-of", "As of", rep->as_of);
    cx_buf change;
    cx__buf_init(&change);
    change_html(&change, rep);
    if (change.data) summary_row(b, "change", "Change", change.data);
    if (change.oom) b->oom = 1;
    cx__buf_free(&change);
    snprintf(line, sizeof line, "%zu %s before, %zu after%s", rep->packs_before,
             plural(rep->packs_before, "pack", "packs"), rep->packs_after,
             rep->rules_replaced ? "" : " (the same)");
    summary_row(b, "packs", "Rule packs", line);
    snprintf(line, sizeof line, "%llu of %llu %s (%llu %s), %llu %s, %llu %s",
             (unsigned long long)rep->holders_audited, (unsigned long long)rep->holders,
             plural(rep->holders, "holder", "holders"), (unsigned long long)rep->audits,
             plural(rep->audits, "audit", "audits"), (unsigned long long)rep->equivs,
             plural(rep->equivs, "equivalence", "equivalences"), (unsigned long long)rep->transfers,
             plural(rep->transfers, "recognition", "recognitions"));
    summary_row(b, "compared", "Compared", line);
    if (rep->scope) summary_row(b, "scope", "Every holder audited", rep->scope);
    snprintf(line, sizeof line, "%llu holder-stack %s, %llu %s, %llu %s",
             (unsigned long long)holders, plural(holders, "audit", "audits"),
             (unsigned long long)equivs, plural(equivs, "equivalence", "equivalences"),
             (unsigned long long)transfers, plural(transfers, "recognition", "recognitions"));
    summary_row(b, "transitions-total", "Transitions", line);
    snprintf(line, sizeof line, "%llu", (unsigned long long)gains);
    summary_row(b, "gains", "Gains", line);
    snprintf(line, sizeof line, "%llu", (unsigned long long)losses);
    summary_row(b, "losses", "Losses", line);
    cx__buf_puts(b, "</dl></section>\n");
}

static void coverage_cell(cx_buf *b, int has, int64_t covered, int64_t total)
{
    if (has)
        cx__buf_printf(b, "%lld/%lld", (long long)covered, (long long)total);
    else
        cx__buf_puts(b, "-");
}

static void transitions_table(cx_buf *b, const cx_whatif_report *rep)
{
    cx__buf_puts(b, "<section id=\"transitions\"><h2>Transitions</h2>\n");
    if (!rep->ntransitions) {
        cx__buf_puts(b, "<p>No decision moved.</p></section>\n");
        return;
    }
    cx__buf_puts(b, "<div class=\"scroll\"><table><thead><tr><th>kind</th><th>subject</th>"
                    "<th>from</th><th>to</th><th>count</th><th>examples</th><th>coverage</th>"
                    "</tr></thead><tbody>\n");
    for (size_t i = 0; i < rep->ntransitions; i++) {
        const cx_transition *t = &rep->transitions[i];
        cx__buf_printf(b, "<tr><td>%s</td><td>", kind_word(t->kind));
        subject_html(b, t);
        cx__buf_printf(b, "</td><td>%s</td><td>%s</td><td class=\"n\">%llu</td><td>", t->from,
                       t->to, (unsigned long long)t->count);
        for (size_t k = 0; k < t->nexamples; k++) {
            if (k) cx__buf_puts(b, ", ");
            html_put(b, t->examples[k]);
        }
        if (t->count > t->nexamples && t->nexamples) cx__buf_puts(b, ", ...");
        cx__buf_puts(b, "</td><td>");
        if (t->has_coverage_before || t->has_coverage_after) {
            coverage_cell(b, t->has_coverage_before, t->covered_before, t->total_before);
            cx__buf_puts(b, " -&gt; ");
            coverage_cell(b, t->has_coverage_after, t->covered_after, t->total_after);
        }
        cx__buf_puts(b, "</td></tr>\n");
    }
    cx__buf_puts(b, "</tbody></table></div></section>\n");
}

static void holders_table(cx_buf *b, const cx_whatif_report *rep)
{
    cx__buf_printf(b, "<section id=\"holders\"><h2>Affected holders (%zu)</h2>\n", rep->nmoved);
    if (!rep->nmoved) {
        cx__buf_puts(b, "<p>No holder's audit moved.</p></section>\n");
        return;
    }
    cx__buf_puts(b, "<div class=\"scroll\"><table><thead><tr><th>holder</th><th>stack</th>"
                    "<th>from</th><th>to</th><th>because</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < rep->nmoved; i++) {
        const cx_holder_transition *h = &rep->moved[i];
        cx__buf_puts(b, "<tr>");
        element(b, "td", h->holder);
        element(b, "td", h->stack);
        cx__buf_printf(b, "<td>%s</td><td>%s</td><td>", h->from, h->to);
        join_because(b, h, "; ", html_put);
        cx__buf_puts(b, "</td></tr>\n");
    }
    cx__buf_puts(b, "</tbody></table></div></section>\n");
}

char *cx_whatif_report_html(const cx_whatif_report *rep, const char *title)
{
    cx_buf b;
    size_t n = 0;
    bar *v = bars_of(rep, &n);
    if (!v) return NULL;
    cx__buf_init(&b);
    cx__buf_puts(&b, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n"
                     "<head><meta charset=\"utf-8\"/>"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>");
    element(&b, "title", title);
    cx__buf_printf(&b, "<style>%s</style></head>\n<body><main>\n", style);
    element(&b, "h1", title);
    cx__buf_puts(&b, "\n");
    summary(&b, rep, v, n);
    n = moving(v, n);
    cx__buf_puts(&b, "<section id=\"chart\"><h2>Gains and losses</h2>\n");
    if (n)
        chart(&b, v, n);
    else
        cx__buf_puts(&b, "<p>Nothing moved.</p>\n");
    cx__buf_puts(&b, "</section>\n");
    transitions_table(&b, rep);
    if (rep->holders_listed) holders_table(&b, rep);
    cx__buf_puts(&b, "</main></body></html>\n");
    free(v);
    return done(&b);
}
