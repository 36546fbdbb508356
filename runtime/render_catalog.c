/*
 * render_catalog.c -- a catalog model written as a version-1 catalog (YAML,
 * block style, keys in the format's order; docs/catalog.md, "Export") and
 * its awards as CSV in the import columns. Text only: it reads no registry
 * and decides nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "render.h"
#include "util.h"

/* ---------------------------------------------------------- YAML scalars */

static int digit(char c)
{
    return c >= '0' && c <= '9';
}

/* s equals word, ASCII letters in any case. */
static int same_word(const char *s, const char *word)
{
    for (; *s && *word; s++, word++) {
        char a = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
        if (a != *word) return 0;
    }
    return *s == *word;
}

/* Words a YAML 1.1 or 1.2 resolver reads as null, a boolean, a merge key
 * or a value key, in any case. */
static int special_word(const char *s)
{
    static const char *const words[] = {"null", "~", "true", "false", "yes", "no", "on",
                                        "off",  "y", "n",    "<<",    "=",   NULL};
    for (size_t i = 0; words[i]; i++)
        if (same_word(s, words[i])) return 1;
    return 0;
}

/* Whether a YAML 1.1 or 1.2 resolver reads plain s as a number (integer,
 * float, octal, hex, binary, sexagesimal, .inf, .nan) or a timestamp. */
static int number_or_date(const char *s)
{
    const char *p = s;
    int digits = 0;
    if (*p == '+' || *p == '-') p++;
    if (same_word(p, ".inf") || same_word(p, ".nan")) return 1;
    if (p[0] == '0' && p[1] && strchr("xXoObB", p[1])) return 1;
    for (; digit(*p) || *p == '_' || *p == ':' || *p == '.'; p++) digits += digit(*p);
    if (digits && (*p == 'e' || *p == 'E')) {
        p++;
        if (*p == '+' || *p == '-') p++;
        while (digit(*p)) p++;
    }
    if (digits && !*p) return 1;
    return digit(s[0]) && digit(s[1]) && digit(s[2]) && digit(s[3]) && s[4] == '-';
}

/* Characters YAML lets a scalar hold as they are (beyond printable
 * ASCII): not C1 controls, line or paragraph separators, the
 * byte order mark or non-characters, which a reader would fold or refuse. */
static int yaml_printable(uint32_t cp)
{
    return (cp >= 0xA0 && cp <= 0xD7FF && cp != 0x2028 && cp != 0x2029) ||
           (cp >= 0xE000 && cp <= 0xFFFD && cp != 0xFEFF) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

/* Whether s may be written plain and still be read as the same string:
 * printable characters only, no indicator first, no ": " or " #", no
 * space at either end, nothing a resolver would read as another type; in
 * a flow list, no flow indicator either. */
static int plain_ok(const char *s, int flow)
{
    size_t n = strlen(s), len;
    if (n == 0 || s[0] == ' ' || s[n - 1] == ' ' || strchr("-?:,[]{}#&*!|>'\"%@`", s[0])) return 0;
    for (size_t i = 0; i < n; i += len) {
        uint32_t cp;
        len = cx__utf8_next((const unsigned char *)s + i, n - i, &cp);
        if (!(cp >= 0x20 && cp < 0x7f) && !yaml_printable(cp)) return 0;
    }
    if (strstr(s, ": ") || strstr(s, " #") || s[n - 1] == ':') return 0;
    if (flow && strpbrk(s, ",[]{}:#")) return 0;
    return !special_word(s) && !number_or_date(s);
}

static void put_escape(cx_buf *b, uint32_t cp)
{
    static const struct {
        uint32_t cp;
        char e;
    } short_escapes[] = {{0, '0'},     {7, 'a'},    {8, 'b'},      {9, 't'},     {10, 'n'},
                         {11, 'v'},    {12, 'f'},   {13, 'r'},     {27, 'e'},    {'"', '"'},
                         {'\\', '\\'}, {0x85, 'N'}, {0x2028, 'L'}, {0x2029, 'P'}};
    for (size_t i = 0; i < CX_COUNT(short_escapes); i++)
        if (short_escapes[i].cp == cp) {
            cx__buf_printf(b, "\\%c", short_escapes[i].e);
            return;
        }
    if (cp < 0x100)
        cx__buf_printf(b, "\\x%02X", (unsigned)cp);
    else if (cp < 0x10000)
        cx__buf_printf(b, "\\u%04X", (unsigned)cp);
    else
        cx__buf_printf(b, "\\U%08X", (unsigned)cp);
}

/* s in double quotes, escaping what a reader would not read back as it is
 * (an invalid UTF-8 sequence, which no catalog holds, as U+FFFD). */
static void put_quoted(cx_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    cx__buf_puts(b, "\"");
    while (n) {
        uint32_t cp;
        size_t len = cx__utf8_next(p, n, &cp);
        if (cp == CX_BAD_CP)
            put_escape(b, 0xFFFD);
        else if ((cp >= 0x20 && cp < 0x7f && cp != '"' && cp != '\\') || yaml_printable(cp))
            cx__buf_add(b, (const char *)p, len);
        else
            put_escape(b, cp);
        p += len;
        n -= len;
    }
    cx__buf_puts(b, "\"");
}

static void put_scalar(cx_buf *b, const char *s, int flow)
{
    if (plain_ok(s, flow))
        cx__buf_puts(b, s);
    else
        put_quoted(b, s);
}

/* A number in hundredths, as the catalog writes it: 40, 12.50. */
static void put_number(cx_buf *b, int64_t h)
{
    if (h % 100)
        cx__buf_printf(b, "%lld.%02lld", (long long)(h / 100), (long long)(h % 100));
    else
        cx__buf_printf(b, "%lld", (long long)(h / 100));
}

/* ------------------------------------------------------------ YAML lines */

/* The text being written; item: the next key opens a list item ("- "
 * in place of its indentation's last two spaces). */
typedef struct out {
    cx_buf b;
    int item;
} out;

static void put_key(out *o, int indent, const char *key)
{
    if (o->item) {
        cx__buf_printf(&o->b, "%*s- ", indent - 2, "");
        o->item = 0;
    } else {
        cx__buf_printf(&o->b, "%*s", indent, "");
    }
    put_scalar(&o->b, key, 0);
    cx__buf_puts(&o->b, ":");
}

/* key: text (left out when NULL). */
static void text_field(out *o, int indent, const char *key, const char *value)
{
    if (!value) return;
    put_key(o, indent, key);
    cx__buf_puts(&o->b, " ");
    put_scalar(&o->b, value, 0);
    cx__buf_puts(&o->b, "\n");
}

/* key: a date or duration as stored (checked on import: no quoting). */
static void date_field(out *o, int indent, const char *key, const char *value)
{
    if (!value) return;
    put_key(o, indent, key);
    cx__buf_printf(&o->b, " %s\n", value);
}

static void number_field(out *o, int indent, const char *key, int64_t hundredths)
{
    if (hundredths == CX_NO_NUMBER) return;
    put_key(o, indent, key);
    cx__buf_puts(&o->b, " ");
    put_number(&o->b, hundredths);
    cx__buf_puts(&o->b, "\n");
}

/* key: [a, b] (left out when empty). */
static void list_field(out *o, int indent, const char *key, const char *const *v, size_t n)
{
    if (!n) return;
    put_key(o, indent, key);
    cx__buf_puts(&o->b, " [");
    for (size_t i = 0; i < n; i++) {
        if (i) cx__buf_puts(&o->b, ", ");
        put_scalar(&o->b, v[i], 1);
    }
    cx__buf_puts(&o->b, "]\n");
}

/* key: then a line per pair (left out when empty); numbers: the values
 * are catalog numbers, written as stored. */
static void map_field(out *o, int indent, const char *key, const cx_cat_kv *kv, size_t n,
                      int numbers)
{
    if (!n) return;
    put_key(o, indent, key);
    cx__buf_puts(&o->b, "\n");
    for (size_t i = 0; i < n; i++) {
        put_key(o, indent + 2, kv[i].key);
        cx__buf_puts(&o->b, " ");
        if (numbers)
            cx__buf_puts(&o->b, kv[i].value);
        else
            put_scalar(&o->b, kv[i].value, 0);
        cx__buf_puts(&o->b, "\n");
    }
}

/* key: a list of codes per scheme, the codes of one scheme adjacent. */
static void codes_field(out *o, int indent, const cx_cat_kv *kv, size_t n)
{
    if (!n) return;
    put_key(o, indent, "codes");
    cx__buf_puts(&o->b, "\n");
    for (size_t i = 0; i < n;) {
        size_t k = i;
        put_key(o, indent + 2, kv[i].key);
        cx__buf_puts(&o->b, " [");
        for (; k < n && strcmp(kv[k].key, kv[i].key) == 0; k++) {
            if (k > i) cx__buf_puts(&o->b, ", ");
            put_scalar(&o->b, kv[k].value, 1);
        }
        cx__buf_puts(&o->b, "]\n");
        i = k;
    }
}

/* A section's heading, or nothing when it is empty. */
static int section(out *o, const char *name, size_t n)
{
    if (n) cx__buf_printf(&o->b, "%s:\n", name);
    return n > 0;
}

/* ---------------------------------------------------------- the entities */

static void places(out *o, const cx_catalog *cat)
{
    if (section(o, "jurisdictions", cat->jurisdictions.n))
        for (size_t i = 0; i < cat->jurisdictions.n; i++) {
            const cx_cat_jurisdiction *j = &cat->jurisdictions.v[i];
            o->item = 1;
            text_field(o, 4, "id", j->id);
            text_field(o, 4, "name", j->name);
            text_field(o, 4, "kind", j->kind);
        }
    if (section(o, "groups", cat->groups.n))
        for (size_t i = 0; i < cat->groups.n; i++) {
            const cx_cat_group *g = &cat->groups.v[i];
            o->item = 1;
            text_field(o, 4, "id", g->id);
            text_field(o, 4, "name", g->name);
            cx__buf_puts(&o->b, g->nmembers ? "    members:\n" : "    members: []\n");
            for (size_t k = 0; k < g->nmembers; k++) {
                const cx_cat_membership *m = &g->members[k];
                o->item = 1;
                text_field(o, 8, "jurisdiction", m->jurisdiction);
                date_field(o, 8, "from", m->from);
                date_field(o, 8, "until", m->until);
                text_field(o, 8, "status", m->status);
            }
        }
    if (section(o, "providers", cat->providers.n))
        for (size_t i = 0; i < cat->providers.n; i++) {
            const cx_cat_provider *p = &cat->providers.v[i];
            o->item = 1;
            text_field(o, 4, "id", p->id);
            text_field(o, 4, "name", p->name);
            text_field(o, 4, "jurisdiction", p->jurisdiction);
        }
}

static void frameworks(out *o, const cx_catalog *cat)
{
    if (!section(o, "frameworks", cat->frameworks.n)) return;
    for (size_t i = 0; i < cat->frameworks.n; i++) {
        const cx_cat_framework *f = &cat->frameworks.v[i];
        int first = 1;
        o->item = 1;
        text_field(o, 4, "id", f->id);
        text_field(o, 4, "name", f->name);
        for (size_t k = 0; k < cat->competencies.n; k++) {
            const cx_cat_competency *c = &cat->competencies.v[k];
            if (strcmp(c->framework, f->id) != 0) continue;
            if (first) cx__buf_puts(&o->b, "    competencies:\n");
            first = 0;
            o->item = 1;
            text_field(o, 8, "id", c->id);
            text_field(o, 8, "text", c->text);
            text_field(o, 8, "parent", c->parent);
        }
    }
}

static void credentials(out *o, const cx_catalog *cat)
{
    if (!section(o, "credentials", cat->credentials.n)) return;
    for (size_t i = 0; i < cat->credentials.n; i++) {
        const cx_cat_credential *c = &cat->credentials.v[i];
        o->item = 1;
        text_field(o, 4, "id", c->id);
        text_field(o, 4, "name", c->name);
        text_field(o, 4, "type", c->type);
        text_field(o, 4, "provider", c->provider);
        text_field(o, 4, "jurisdiction", c->jurisdiction);
        number_field(o, 4, "hours", c->hours);
        date_field(o, 4, "valid_for", c->valid_for);
        text_field(o, 4, "version", c->version);
        date_field(o, 4, "effective_from", c->effective_from);
        date_field(o, 4, "effective_until", c->effective_until);
        list_field(o, 4, "competencies", c->competencies, c->ncompetencies);
        list_field(o, 4, "tags", c->tags, c->ntags);
        codes_field(o, 4, c->codes, c->ncodes);
        map_field(o, 4, "attributes", c->attributes, c->nattributes, 0);
        list_field(o, 4, "grade_scale", c->grade_scale, c->ngrade_scale);
    }
}

/* Whether a's id is one an import gives an award without an id,
 * "<holder>/<credential>/<issued>", then "#2", "#3" for repeats (no id a
 * catalog gives has a '/' or a '#'; export.c orders the repeats). */
static int default_id(const cx_cat_holder *h, const cx_cat_award *a)
{
    const char *parts[] = {h->id, "/", a->credential, "/", a->issued};
    const char *id = a->id;
    for (size_t i = 0; i < CX_COUNT(parts); i++) {
        size_t n = strlen(parts[i]);
        if (strncmp(id, parts[i], n) != 0) return 0;
        id += n;
    }
    if (*id == '#' && digit(id[1]))
        for (id++; digit(*id);) id++;
    return *id == '\0';
}

/* provenance: its keys in the catalog's order (docs/catalog.md), each
 * left out when absent; nothing when p is NULL. */
static void provenance_field(out *o, int indent, const cx_cat_provenance *p)
{
    if (!p) return;
    put_key(o, indent, "provenance");
    cx__buf_puts(&o->b, "\n");
    text_field(o, indent + 2, "format", p->format);
    text_field(o, indent + 2, "source_id", p->source_id);
    text_field(o, indent + 2, "issuer", p->issuer);
    text_field(o, indent + 2, "proof", p->proof);
    text_field(o, indent + 2, "verification", p->verification);
    text_field(o, indent + 2, "note", p->note);
    date_field(o, indent + 2, "status_checked", p->status_checked);
}

/* One award's keys in the format's order, each optional one left out
 * when absent or the default: one line per key, so another optional key
 * (a mapping such as provenance, through map_field) is one line more. */
static void award(out *o, const cx_cat_holder *h, const cx_cat_award *a)
{
    o->item = 1;
    if (!default_id(h, a)) text_field(o, 8, "id", a->id);
    text_field(o, 8, "credential", a->credential);
    date_field(o, 8, "issued", a->issued);
    date_field(o, 8, "expires", a->expires);
    text_field(o, 8, "jurisdiction", a->jurisdiction);
    number_field(o, 8, "hours", a->hours);
    if (a->status && strcmp(a->status, "active") != 0) text_field(o, 8, "status", a->status);
    text_field(o, 8, "grade", a->grade);
    text_field(o, 8, "evidence", a->evidence);
    map_field(o, 8, "results", a->results, a->nresults, 1);
    provenance_field(o, 8, a->provenance);
}

static void holders(out *o, const cx_catalog *cat)
{
    if (!section(o, "holders", cat->holders.n)) return;
    for (size_t i = 0; i < cat->holders.n; i++) {
        const cx_cat_holder *h = &cat->holders.v[i];
        o->item = 1;
        text_field(o, 4, "id", h->id);
        text_field(o, 4, "jurisdiction", h->jurisdiction);
        map_field(o, 4, "attributes", h->attributes, h->nattributes, 0);
        if (h->nawards) cx__buf_puts(&o->b, "    awards:\n");
        for (size_t k = 0; k < h->nawards; k++) award(o, h, &h->awards[k]);
    }
}

static void exceptions(out *o, const cx_catalog *cat)
{
    if (!section(o, "exceptions", cat->exceptions.n)) return;
    for (size_t i = 0; i < cat->exceptions.n; i++) {
        const cx_cat_exception *e = &cat->exceptions.v[i];
        o->item = 1;
        text_field(o, 4, "holder", e->holder);
        text_field(o, 4, "stack", e->stack);
        text_field(o, 4, "waive", e->waive);
        if (e->substitute_for) {
            cx__buf_puts(&o->b, "    substitute:\n");
            text_field(o, 6, "for", e->substitute_for);
            text_field(o, 6, "use", e->substitute_use);
        }
        text_field(o, 4, "by", e->by);
        text_field(o, 4, "reason", e->reason);
    }
}

/* Hands o's text to write and frees it: 0, or -1 (out of memory, or the
 * write failed). */
static int flush(out *o, cx_write_fn write, void *ud)
{
    int rc = o->b.oom ? -1 : write(o->b.data ? o->b.data : "", o->b.len, ud) ? -1 : 0;
    cx__buf_free(&o->b);
    return rc;
}

int cx__catalog_write_yaml(const cx_catalog *cat, cx_write_fn write, void *ud)
{
    out o = {.item = 0};
    cx__buf_init(&o.b);
    cx__buf_puts(&o.b, "version: 1\n");
    places(&o, cat);
    frameworks(&o, cat);
    credentials(&o, cat);
    holders(&o, cat);
    exceptions(&o, cat);
    return flush(&o, write, ud);
}

/* ------------------------------------------------------------------ CSV */

/* Every result key of cat's awards, once each, in byte order; NULL when
 * out of memory. The caller frees the array (not the keys). */
static const char **result_keys(const cx_catalog *cat, size_t *n)
{
    size_t count = 0;
    *n = 0;
    for (size_t i = 0; i < cat->holders.n; i++)
        for (size_t k = 0; k < cat->holders.v[i].nawards; k++)
            count += cat->holders.v[i].awards[k].nresults;
    const char **keys = malloc((count + 1) * sizeof *keys);
    if (!keys) return NULL;
    count = 0;
    for (size_t i = 0; i < cat->holders.n; i++)
        for (size_t k = 0; k < cat->holders.v[i].nawards; k++) {
            const cx_cat_award *a = &cat->holders.v[i].awards[k];
            for (size_t r = 0; r < a->nresults; r++) keys[count++] = a->results[r].key;
        }
    qsort(keys, count, sizeof *keys, cx__strcmp_ptr);
    for (size_t i = 0; i < count; i++)
        if (*n == 0 || strcmp(keys[*n - 1], keys[i]) != 0) keys[(*n)++] = keys[i];
    return keys;
}

static void csv_field(cx_buf *b, const char *s, int first)
{
    if (!first) cx__buf_puts(b, ",");
    cx__buf_csv_field(b, s ? s : "");
}

static void csv_row(cx_buf *b, const char *holder, const cx_cat_award *a, const char **keys,
                    size_t nkeys)
{
    char hours[32] = "";
    if (a->hours != CX_NO_NUMBER) {
        cx_buf h;
        cx__buf_init(&h);
        put_number(&h, a->hours);
        if (!h.oom) snprintf(hours, sizeof hours, "%s", h.data);
        cx__buf_free(&h);
    }
    const char *cols[] = {holder,     a->credential,   a->issued,
                          a->expires, a->jurisdiction, hours[0] ? hours : NULL,
                          a->status,  a->grade,        a->evidence};
    for (size_t i = 0; i < CX_COUNT(cols); i++) csv_field(b, cols[i], i == 0);
    for (size_t k = 0; k < nkeys; k++) {
        const char *value = NULL;
        for (size_t r = 0; r < a->nresults && !value; r++)
            if (strcmp(a->results[r].key, keys[k]) == 0) value = a->results[r].value;
        csv_field(b, value, 0);
    }
    cx__buf_puts(b, "\r\n");
}

int cx__awards_write_csv(const cx_catalog *cat, cx_write_fn write, void *ud)
{
    size_t nkeys;
    const char **keys = result_keys(cat, &nkeys);
    out o = {.item = 0};
    cx__buf_init(&o.b);
    if (!keys) return -1;
    cx__buf_puts(&o.b, "holder,credential,issued,expires,jurisdiction,hours,status,grade,evidence");
    for (size_t k = 0; k < nkeys; k++) {
        cx__buf_puts(&o.b, ",");
        cx_buf name;
        cx__buf_init(&name);
        cx__buf_printf(&name, "result.%s", keys[k]);
        cx__buf_csv_field(&o.b, name.oom ? "" : name.data);
        o.b.oom |= name.oom;
        cx__buf_free(&name);
    }
    cx__buf_puts(&o.b, "\r\n");
    for (size_t i = 0; i < cat->holders.n; i++)
        for (size_t k = 0; k < cat->holders.v[i].nawards; k++)
            csv_row(&o.b, cat->holders.v[i].id, &cat->holders.v[i].awards[k], keys, nkeys);
    free(keys);
    return flush(&o, write, ud);
}
