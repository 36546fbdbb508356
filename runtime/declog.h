/*
 * declog.h -- internal entry points of declog.c (the decision log and
 * replay, docs/design.md §8) that let tests name the engine version instead of
 * CREDEX_VERSION, to check what a replay says when the engine changed; and
 * the one JSON reading the log needs, which lives in the JSON layer.
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

/* For cx_log_add_json (decision.c, the JSON layer): a decision holding only
 * what the log stores besides the JSON (kind, status, as_of and the
 * subject's members), read from json as cx_decision_json wrote it. *out is
 * owned by the caller (cx_decision_free). -1 when json is not a decision. */
int cx__decision_head_from_json(const char *json, cx_decision **out);

#endif
