/*
 * gaps.h -- a gap (credex.h cx_gap: how far an unmet requirement of an
 * audit is from holding) in words, for every renderer that says it: the
 * text of a decision, and anything else that explains an outcome.
 */
#ifndef CX_GAPS_H
#define CX_GAPS_H

#include "credex.h"
#include "util.h"

/* Appends gap g in words (docs/json.md, "Text output"): the amount
 * ("hours: 95 of 120, 25 more needed", "1 more of: C3, C4, C6"), then
 * for each expired award sep and "C1 expired 2023-04-30; C1-RENEW renews
 * it". Strings from the registry are escaped as cx__text_put does. */
void cx__gap_words(cx_buf *b, const cx_gap *g, const char *sep);

#endif
