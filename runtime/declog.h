/*
 * declog.h -- internal entry points of declog.c (the decision log and
 * replay, docs/design.md §8) that let tests name the engine version instead of
 * CREDEX_VERSION, to check what a replay says when the engine changed.
 */
#ifndef CX_DECLOG_H
#define CX_DECLOG_H

#include "credex.h"

/* cx_log_begin, recording engine as the credex version. */
int cx__log_begin_engine(cx_registry *r, const cx_rules *rules, const char *created,
                         const char *engine, cx_log **out, cx_error *err);

/* cx_replay, with engine as the credex version now. */
int cx__replay_engine(cx_registry *r, int64_t id, cx_rules *current, const char *engine,
                      cx_replay_result **out, cx_error *err);

#endif
