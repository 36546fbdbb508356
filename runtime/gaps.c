/*
 * gaps.c -- a gap in words (gaps.h). It only words what the evaluator
 * computed (require.c builds the gaps); it decides and reads nothing.
 */
#include <inttypes.h>

#include "gaps.h"
#include "render.h"

/* ", A, B" after the first: the options in byte order. */
static void options(cx_buf *b, const cx_gap *g)
{
    for (size_t i = 0; i < g->noptions; i++) {
        if (i) cx__buf_puts(b, ", ");
        cx__text_put(b, g->options[i]);
    }
}

/* "N more of: A, B" for credentials; "UNIT: HAVE of NEED, REST more
 * needed[ from: A, B]" for amounts; "condition not met" for conditions. */
static void amount(cx_buf *b, const cx_gap *g)
{
    int64_t rest = g->need > g->have ? g->need - g->have : 0;
    if (strcmp(g->unit, "conditions") == 0) {
        cx__buf_puts(b, "condition not met");
        return;
    }
    if (strcmp(g->unit, "credentials") == 0) {
        cx__buf_hundredths(b, rest);
        cx__buf_puts(b, g->noptions ? " more of: " : " more needed; no credential fills it");
        options(b, g);
        return;
    }
    cx__text_put(b, g->unit);
    cx__buf_puts(b, ": ");
    cx__buf_hundredths(b, g->have);
    cx__buf_puts(b, " of ");
    cx__buf_hundredths(b, g->need);
    cx__buf_puts(b, ", ");
    cx__buf_hundredths(b, rest);
    cx__buf_puts(b, " more needed");
    if (g->noptions) cx__buf_puts(b, " from: ");
    options(b, g);
}

void cx__gap_words(cx_buf *b, const cx_gap *g, const char *sep)
{
    amount(b, g);
    for (size_t i = 0; i < g->nexpired; i++) {
        const cx_gap_expired *x = &g->expired[i];
        cx__buf_puts(b, sep);
        cx__text_put(b, x->credential);
        cx__buf_printf(b, " expired %.10s", x->expired);
        if (!x->renewed_by) continue;
        cx__buf_puts(b, "; ");
        cx__text_put(b, x->renewed_by);
        cx__buf_puts(b, " renews it");
    }
}
