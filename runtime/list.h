/*
 * list.h -- what the listings (list.c, registry_read.c) share: which
 * filters apply to which kind, checked once for both.
 */
#ifndef CX_LIST_H
#define CX_LIST_H

#include "credex.h"

/* CX_OK, or CX_EUSAGE naming the first filter of filter (may be NULL)
 * that does not apply to kind, and the kind. */
int cx__list_check_filter(cx_list_kind kind, const cx_list_filter *filter, cx_error *err);

#endif
