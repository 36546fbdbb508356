/*
 * render_junit.c -- a rule-test run as JUnit XML for CI systems: collects
 * copies of the results as cx_test_run hands them over, then writes one
 * <testsuite> per test file. Deterministic: no timestamps, no times, no
 * host name. It renders only; running the tests is ruletest.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "credex.h"
#include "render.h"
#include "util.h"

/* One case as kept: copies of what the XML needs. */
typedef struct junit_case {
    char *file;       /* the test file: the suite */
    char *name;       /* the case's name, or NULL: the file could not be read */
    int line;         /* the case's line, 0 for the file */
    int passed;       /* 1 when every expectation held */
    char *difference; /* when failed */
} junit_case;

struct cx_junit {
    junit_case *cases; /* in the order run: a file's cases are together */
    size_t n, cap;
};

cx_junit *cx_junit_new(void)
{
    return calloc(1, sizeof(cx_junit));
}

void cx_junit_free(cx_junit *j)
{
    if (!j) return;
    for (size_t i = 0; i < j->n; i++) {
        free(j->cases[i].file);
        free(j->cases[i].name);
        free(j->cases[i].difference);
    }
    free(j->cases);
    free(j);
}

int cx_junit_add(cx_junit *j, const cx_test_result *r)
{
    if (j->n == j->cap) {
        size_t cap = j->cap ? j->cap * 2 : 16;
        junit_case *grown = realloc(j->cases, cap * sizeof *grown);
        if (!grown) return -1;
        j->cases = grown;
        j->cap = cap;
    }
    junit_case *c = &j->cases[j->n];
    c->file = cx__strdup(r->file ? r->file : "");
    c->name = r->name ? cx__strdup(r->name) : NULL;
    c->difference = !r->passed && r->difference ? cx__strdup(r->difference) : NULL;
    c->line = r->line;
    c->passed = r->passed;
    if (!c->file || (r->name && !c->name) || (!r->passed && r->difference && !c->difference)) {
        free(c->file);
        free(c->name);
        free(c->difference);
        return -1;
    }
    j->n++;
    return 0;
}

/* Appends s with &, <, >, " and ' escaped, newline and tab as character
 * references (attribute values keep them), and each invalid UTF-8 sequence
 * or control character XML 1.0 cannot hold as U+FFFD: always well-formed. */
static void xml_put(cx_buf *b, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), i = 0, k;
    uint32_t cp;
    for (; i < n; i += k) {
        k = cx__utf8_next(u + i, n - i, &cp);
        if (cp == '&')
            cx__buf_puts(b, "&amp;");
        else if (cp == '<')
            cx__buf_puts(b, "&lt;");
        else if (cp == '>')
            cx__buf_puts(b, "&gt;");
        else if (cp == '"')
            cx__buf_puts(b, "&quot;");
        else if (cp == '\'')
            cx__buf_puts(b, "&apos;");
        else if (cp == '\n')
            cx__buf_puts(b, "&#10;");
        else if (cp == '\t')
            cx__buf_puts(b, "&#9;");
        else if (cp == CX_BAD_CP || cp < 0x20 || cp == 0xFFFE || cp == 0xFFFF)
            cx__buf_puts(b, "\xEF\xBF\xBD");
        else
            cx__buf_add(b, s + i, k);
    }
}

/* The cases [lo, hi) of one file as a <testsuite>. */
static void put_suite(cx_buf *b, const junit_case *cases, size_t lo, size_t hi)
{
    size_t failures = 0, errors = 0;
    for (size_t i = lo; i < hi; i++)
        if (!cases[i].passed) *(cases[i].name ? &failures : &errors) += 1;
    cx__buf_puts(b, "  <testsuite name=\"");
    xml_put(b, cases[lo].file);
    cx__buf_printf(b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"0\">\n", hi - lo,
                   failures, errors);
    for (size_t i = lo; i < hi; i++) {
        const junit_case *c = &cases[i];
        cx__buf_puts(b, "    <testcase classname=\"");
        xml_put(b, c->file);
        cx__buf_puts(b, "\" name=\"");
        xml_put(b, c->name ? c->name : c->file);
        cx__buf_puts(b, "\"");
        if (c->line > 0) {
            cx__buf_puts(b, " file=\"");
            xml_put(b, c->file);
            cx__buf_printf(b, "\" line=\"%d\"", c->line);
        }
        if (c->passed) {
            cx__buf_puts(b, "/>\n");
            continue;
        }
        const char *element = c->name ? "failure" : "error";
        cx__buf_printf(b, ">\n      <%s message=\"", element);
        xml_put(b, c->difference ? c->difference : "");
        cx__buf_printf(b, "\" type=\"%s\">", element);
        if (c->line > 0) { /* the body as the text output says it; an input's error is located */
            xml_put(b, c->file);
            cx__buf_printf(b, ":%d: ", c->line);
        }
        xml_put(b, c->difference ? c->difference : "");
        cx__buf_printf(b, "</%s>\n    </testcase>\n", element);
    }
    cx__buf_puts(b, "  </testsuite>\n");
}

char *cx_junit_xml(const cx_junit *j)
{
    size_t failures = 0, errors = 0;
    cx_buf b;
    cx__buf_init(&b);
    for (size_t i = 0; i < j->n; i++)
        if (!j->cases[i].passed) *(j->cases[i].name ? &failures : &errors) += 1;
    cx__buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    cx__buf_printf(&b,
                   "<testsuites name=\"credex test\" tests=\"%zu\" failures=\"%zu\" "
                   "errors=\"%zu\">\n",
                   j->n, failures, errors);
    for (size_t lo = 0, hi; lo < j->n; lo = hi) {
        for (hi = lo + 1; hi < j->n && strcmp(j->cases[hi].file, j->cases[lo].file) == 0; hi++) {
        }
        put_suite(&b, j->cases, lo, hi);
    }
    cx__buf_puts(&b, "</testsuites>\n");
    if (b.oom) cx__buf_free(&b);
    return b.data;
}
