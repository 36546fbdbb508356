/*
 * declog.c -- the decision log and replay (docs/design.md §8, docs/log.md): logs
 * decisions with the packs that made them (kept by sha256), lists them,
 * and makes a logged decision again to say whether it still holds and
 * what changed. It never reads the clock, never writes files, and reaches
 * SQLite only through registry.h and JSON only through the JSON layer
 * (cx_decision_json, cx_log_entry_json, cx__decision_head_from_json).
 */
#include "declog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "hash.h"
#include "registry.h"
#include "snapshot.h"
#include "util.h"

/* ------------------------------------------------------------- logging */

struct cx_log {
    cx_log_writer *writer;   /* the open transaction; owned */
    char *created;           /* owned */
    char *engine;            /* the credex version recorded; owned */
    int64_t content_version; /* of the snapshot the rules were compiled against */
};

static int no_memory(cx_error *err)
{
    return cx__error(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
}

/* Stores every pack of rules in the batch, in load order. */
static int store_packs(cx_log *log, const cx_rules *rules, cx_error *err)
{
    int rc = CX_OK;
    for (size_t i = 0; i < cx_rules_pack_count(rules) && !rc; i++) {
        const cx_pack_info *p = cx__rules_pack(rules, (int)i);
        char sha[65];
        cx__sha256_hex(p->source, p->source_len, sha);
        rc = cx__registry_log_pack(log->writer, sha, p->id, p->version, p->path, p->source,
                                   p->source_len, err);
    }
    return rc;
}

int cx__log_begin_engine(cx_registry *r, const cx_rules *rules, const char *created,
                         const char *engine, cx_log **out, cx_error *err)
{
    cx_error ignored;
    int rc;
    *out = NULL;
    cx_log *log = calloc(1, sizeof *log);
    if (!log || !(log->created = cx__strdup(created)) || !(log->engine = cx__strdup(engine))) {
        cx_log_end(log, 0, &ignored);
        return no_memory(err);
    }
    log->content_version = cx__rules_snapshot(rules)->content_version;
    if ((rc = cx__registry_log_open(r, &log->writer, err)) || (rc = store_packs(log, rules, err))) {
        cx_log_end(log, 0, &ignored);
        return rc;
    }
    *out = log;
    return CX_OK;
}

int cx_log_begin(cx_registry *r, const cx_rules *rules, const char *created, cx_log **out,
                 cx_error *err)
{
    return cx__log_begin_engine(r, rules, created, CREDEX_VERSION, out, err);
}

/* The subject's members a decision of d's kind has (the others NULL), in
 * the order its JSON lists them, with their keys: holder, stack, award,
 * credential, from, to, in. */
static void subject_members(const cx_decision *d, const char *m[CX_LOG_NMEMBERS])
{
    int audit = d->kind == CX_DECISION_AUDIT, equiv = d->kind == CX_DECISION_EQUIV;
    m[0] = audit || !equiv ? d->holder : NULL;
    m[1] = audit ? d->stack : NULL;
    m[2] = !audit && !equiv ? d->award : NULL;
    m[3] = !audit && !equiv ? d->credential : NULL;
    m[4] = equiv ? d->from : audit ? NULL : d->from_jurisdiction;
    m[5] = equiv ? d->to : audit ? NULL : d->to_jurisdiction;
    m[6] = equiv ? d->in : NULL;
}

static const char *const member_keys[CX_LOG_NMEMBERS] = {"holder", "stack", "award", "credential",
                                                         "from",   "to",    "in"};

/* Stores decision d, whose JSON (no newline) is json, as plain columns. */
static int add_record(cx_log *log, const cx_decision *d, const char *json, int64_t *id,
                      cx_error *err)
{
    static const char *const kinds[] = {"audit", "equiv", "transfer"};
    const char *m[CX_LOG_NMEMBERS];
    cx_buf words;
    subject_members(d, m);
    cx__buf_init(&words);
    for (size_t i = 0; i < CX_LOG_NMEMBERS; i++)
        if (m[i]) cx__buf_printf(&words, "%s%s=%s", words.len ? " " : "", member_keys[i], m[i]);
    if (words.oom) return no_memory(err);
    cx_log_record rec = {.kind = kinds[d->kind],
                         .holder = m[0],
                         .stack = m[1],
                         .award = m[2],
                         .credential = m[3],
                         .from = m[4],
                         .to = m[5],
                         .in = m[6],
                         .subject = words.data ? words.data : "",
                         .as_of = d->as_of,
                         .status = cx_status_name(d->status),
                         .json = json};
    int rc = cx__registry_log_decision(log->writer, log->created, &rec, log->content_version,
                                       log->engine, id, err);
    cx__buf_free(&words);
    return rc;
}

int cx_log_add_json(cx_log *log, const char *json, int64_t *id, cx_error *err)
{
    size_t len = strlen(json);
    char *trimmed = NULL;
    cx_decision *head = NULL;
    int rc = CX_OK;
    if (len && json[len - 1] == '\n' && !(json = trimmed = cx__strndup(json, len - 1)))
        return no_memory(err);
    if (cx__decision_head_from_json(json, &head))
        rc = cx__error(err, CX_EINPUT, NULL, 0, 0, "cannot log a decision: malformed JSON");
    else
        rc = add_record(log, head, json, id, err);
    cx_decision_free(head);
    free(trimmed);
    return rc;
}

int cx_log_add(cx_log *log, const cx_decision *d, int64_t *id, cx_error *err)
{
    char *json = cx_decision_json(d);
    size_t len = json ? strlen(json) : 0;
    if (!json) return no_memory(err);
    if (len && json[len - 1] == '\n') json[len - 1] = '\0';
    int rc = add_record(log, d, json, id, err);
    free(json);
    return rc;
}

int cx_log_end(cx_log *log, int commit, cx_error *err)
{
    if (!log) return CX_OK;
    int rc = log->writer ? cx__registry_log_close(log->writer, commit, err) : CX_OK;
    free(log->created);
    free(log->engine);
    free(log);
    return rc;
}

/* ------------------------------------------------------------- listing */

typedef struct lister {
    cx_log_fn fn;
    void *ud;
} lister;

static int list_row(void *ud, const cx_col *c, size_t n)
{
    const lister *l = ud;
    if (n < 6 + CX_LOG_NMEMBERS) return CX_EREGISTRY;
    const cx_col *m = &c[6];
    cx_log_entry e = {.id = c[0].integer,
                      .created = c[1].text,
                      .kind = c[2].text,
                      .subject = c[3].text,
                      .as_of = c[4].text,
                      .status = c[5].text,
                      .holder = m[0].text,
                      .stack = m[1].text,
                      .award = m[2].text,
                      .credential = m[3].text,
                      .from = m[4].text,
                      .to = m[5].text,
                      .in = m[6].text};
    char *json = cx_log_entry_json(&e); /* the JSON layer writes it */
    size_t len = json ? strlen(json) : 0;
    if (!json) return CX_ENOMEM;
    if (len && json[len - 1] == '\n') json[len - 1] = '\0';
    e.json = json;
    int rc = l->fn(l->ud, &e);
    free(json);
    return rc;
}

static int log_list(cx_registry *r, cx_log_fn fn, void *ud, cx_error *err)
{
    lister l = {fn, ud};
    return cx__registry_log_read(r, CX_LOG_LIST, 0, list_row, &l, err);
}

int cx_log_list(cx_registry *r, cx_log_fn fn, void *ud, cx_error *err)
{
    return CX__REGISTRY_CALL(r, err, log_list(r, fn, ud, err));
}

/* CX_LOG_BOUNDS: decisions, lowest id, highest id, pack sources. */
static int bounds_row(void *ud, const cx_col *c, size_t n)
{
    int64_t *b = ud;
    for (size_t i = 0; i < 4 && i < n; i++) b[i] = c[i].integer;
    return CX_OK;
}

static int log_counts(cx_registry *r, int64_t *decisions, int64_t *packs, cx_error *err)
{
    int64_t b[4] = {0, 0, 0, 0};
    int rc = cx__registry_log_read(r, CX_LOG_BOUNDS, 0, bounds_row, b, err);
    *decisions = b[0];
    *packs = b[3];
    return rc;
}

int cx_log_counts(cx_registry *r, int64_t *decisions, int64_t *packs, cx_error *err)
{
    *decisions = *packs = 0; /* also when the call is refused */
    return CX__REGISTRY_CALL(r, err, log_counts(r, decisions, packs, err));
}

/* -------------------------------------------------- reading one entry */

/* A copy of a column (NULL stays NULL); *oom set when out of memory. */
static char *col_copy(const cx_col *c, int *oom)
{
    if (!c->text) return NULL;
    char *s = malloc(c->len + 1);
    if (!s) {
        *oom = 1;
        return NULL;
    }
    memcpy(s, c->text, c->len);
    s[c->len] = '\0';
    return s;
}

/* The subject of a logged decision: the members its kind has. */
typedef struct subject {
    char *holder, *stack, *from, *to, *in, *award, *credential;
} subject;

/* What replay reads besides the cx_replay_result: the subject and pack sources. */
typedef struct logged {
    cx_replay_result *rp;
    int found, oom;
    subject s;
    cx_pack_source *sources; /* parallel to rp->packs; data owned here */
} logged;

static int entry_row(void *ud, const cx_col *c, size_t n)
{
    logged *lg = ud;
    cx_replay_result *rp = lg->rp;
    if (n < 9 + CX_LOG_NMEMBERS) return CX_EREGISTRY;
    const cx_col *m = &c[9];
    lg->found = 1;
    rp->id = c[0].integer;
    rp->created = col_copy(&c[1], &lg->oom);
    rp->kind = col_copy(&c[2], &lg->oom);
    rp->subject = col_copy(&c[3], &lg->oom);
    rp->as_of = col_copy(&c[4], &lg->oom);
    rp->logged_status = col_copy(&c[5], &lg->oom);
    rp->logged_json = col_copy(&c[6], &lg->oom);
    rp->logged_content_version = c[7].integer;
    rp->logged_credex_version = col_copy(&c[8], &lg->oom);
    lg->s.holder = col_copy(&m[0], &lg->oom);
    lg->s.stack = col_copy(&m[1], &lg->oom);
    lg->s.award = col_copy(&m[2], &lg->oom);
    lg->s.credential = col_copy(&m[3], &lg->oom);
    lg->s.from = col_copy(&m[4], &lg->oom);
    lg->s.to = col_copy(&m[5], &lg->oom);
    lg->s.in = col_copy(&m[6], &lg->oom);
    return lg->oom ? CX_ENOMEM : CX_OK;
}

static int pack_row(void *ud, const cx_col *c, size_t n)
{
    logged *lg = ud;
    cx_replay_result *rp = lg->rp;
    if (n < 5) return CX_EREGISTRY;
    cx_replay_pack *packs = realloc(rp->packs, (rp->npacks + 1) * sizeof *packs);
    cx_pack_source *sources =
        packs ? realloc(lg->sources, (rp->npacks + 1) * sizeof *sources) : NULL;
    if (packs) rp->packs = packs;
    if (sources) lg->sources = sources;
    if (!packs || !sources) return CX_ENOMEM;
    cx_replay_pack *p = &rp->packs[rp->npacks];
    cx_pack_source *s = &lg->sources[rp->npacks++];
    memset(p, 0, sizeof *p);
    memset(s, 0, sizeof *s);
    p->id = col_copy(&c[0], &lg->oom);
    p->sha256 = col_copy(&c[1], &lg->oom);
    p->path = col_copy(&c[2], &lg->oom);
    p->version = col_copy(&c[3], &lg->oom);
    s->path = p->path;
    s->data = col_copy(&c[4], &lg->oom);
    s->len = c[4].len;
    return lg->oom ? CX_ENOMEM : CX_OK;
}

/* The "no such decision" usage error, with the ids the log holds. */
static int no_such_decision(cx_registry *r, int64_t id, cx_error *err)
{
    int64_t b[4] = {0, 0, 0, 0};
    int rc = cx__registry_log_read(r, CX_LOG_BOUNDS, 0, bounds_row, b, err);
    if (rc) return rc;
    if (!b[0])
        return cx__error(err, CX_EUSAGE, NULL, 0, 0,
                         "no decision %lld: the decision log is empty (log decisions with --log)",
                         (long long)id);
    return cx__error(err, CX_EUSAGE, NULL, 0, 0, "no decision %lld in the log (ids %lld to %lld)",
                     (long long)id, (long long)b[1], (long long)b[2]);
}

/* Reads entry id, its subject and its packs into lg. */
static int read_logged(cx_registry *r, int64_t id, logged *lg, cx_error *err)
{
    int rc = cx__registry_log_read(r, CX_LOG_DECISION, id, entry_row, lg, err);
    if (!rc && !lg->found) return no_such_decision(r, id, err);
    if (!rc) rc = cx__registry_log_read(r, CX_LOG_PACKS, id, pack_row, lg, err);
    if (rc == CX_ENOMEM) return no_memory(err);
    return rc;
}

static void logged_free(logged *lg)
{
    char **members[] = {&lg->s.holder, &lg->s.stack, &lg->s.from,      &lg->s.to,
                        &lg->s.in,     &lg->s.award, &lg->s.credential};
    for (size_t k = 0; k < CX_COUNT(members); k++) free(*members[k]);
    for (size_t i = 0; lg->sources && i < lg->rp->npacks; i++) free((char *)lg->sources[i].data);
    free(lg->sources);
}

/* ------------------------------------------------------ deciding again */

/* Takes the decision of v[] whose member (award or stack) is want out of
 * v, then frees the rest; NULL when none is. */
static cx_decision *pick(cx_decision **v, size_t n, int by_award, const char *want)
{
    cx_decision *d = NULL;
    for (size_t i = 0; i < n && !d; i++) {
        const char *member = by_award ? v[i]->award : v[i]->stack;
        if (member && want && strcmp(member, want) == 0) {
            d = v[i];
            v[i] = NULL;
        }
    }
    cx_decisions_free(v, n);
    return d;
}

/* CX_EREGISTRY when the logged subject lacks a member its kind needs. */
static int check_subject(const cx_replay_result *rp, const subject *s, cx_error *err)
{
    int equiv = strcmp(rp->kind, "equiv") == 0, audit = strcmp(rp->kind, "audit") == 0;
    int whole = equiv   ? s->from && s->to
                : audit ? s->holder && s->stack
                        : s->to && (s->holder ? s->award != NULL : s->credential && s->from);
    if (whole) return CX_OK;
    return cx__error(err, CX_EREGISTRY, NULL, 0, 0, "logged %s decision %lld has no whole subject",
                     rp->kind, (long long)rp->id);
}

/* Decides the logged subject again with rules. */
static int decide(cx_rules *rules, const cx_replay_result *rp, const subject *s, cx_decision **out,
                  cx_error *err)
{
    cx_decision **v = NULL;
    size_t n = 0;
    int rc = check_subject(rp, s, err);
    *out = NULL;
    if (rc) return rc;
    if (strcmp(rp->kind, "equiv") == 0)
        return cx_equiv(rules, s->from, s->to, s->in, rp->as_of, out, err);
    if (strcmp(rp->kind, "transfer") == 0 && !s->holder)
        return cx_transfer(rules, s->credential, s->from, s->to, rp->as_of, out, err);
    if (strcmp(rp->kind, "transfer") == 0) {
        if ((rc = cx_transfer_holder(rules, s->holder, s->to, rp->as_of, &v, &n, err))) return rc;
        if (!(*out = pick(v, n, 1, s->award)))
            return cx__error(err, CX_EUSAGE, NULL, 0, 0,
                             "award %s is no longer among holder %s's awards on %s", s->award,
                             s->holder, rp->as_of);
        return CX_OK;
    }
    if (strcmp(rp->kind, "audit") != 0)
        return cx__error(err, CX_EREGISTRY, NULL, 0, 0, "unknown decision kind '%s'", rp->kind);
    /* gaps as logged: a decision logged before audits had them has none */
    unsigned details =
        rp->logged_json && strstr(rp->logged_json, "\"gaps\":[") ? CX_DETAIL_GAPS : 0;
    if ((rc = cx_audit_with(rules, s->holder, s->stack, rp->as_of, details, &v, &n, err)))
        return rc;
    if (!(*out = pick(v, n, 0, s->stack)))
        return cx__error(err, CX_EUSAGE, NULL, 0, 0, "no decision for stack %s", s->stack);
    return CX_OK;
}

/* Renames the trace's files: a file of a current pack whose id was logged
 * becomes the logged path, so that where a pack lives does not count as
 * a change. map[i] is the logged path for current pack i, or NULL. */
static int rename_files(cx_trace *t, const cx_rules *current, char *const *map, size_t nmap)
{
    for (size_t i = 0; t->file && i < nmap; i++) {
        if (!map[i] || strcmp(t->file, cx__rules_pack(current, (int)i)->path) != 0) continue;
        char *path = cx__strdup(map[i]);
        if (!path) return CX_ENOMEM;
        free(t->file);
        t->file = path;
        break;
    }
    for (size_t c = 0; c < t->nchildren; c++)
        if (rename_files(&t->children[c], current, map, nmap)) return CX_ENOMEM;
    return CX_OK;
}

/* What one evaluation yields: its JSON and status, or why it could not. */
typedef struct outcome {
    char *json, *status, *error;
} outcome;

/* Decides again and renders; a failure to decide is an outcome, not an
 * error (only running out of memory is, and rules another call is inside:
 * CX_EUSAGE, credex.h "Threads"). map: see rename_files. */
static int make_again(cx_rules *rules, const cx_replay_result *rp, const subject *s,
                      char *const *map, outcome *o, cx_error *err)
{
    cx_decision *d = NULL;
    cx_error derr;
    char buf[sizeof derr.message + sizeof derr.file + 32];
    int rc = cx__rules_enter(rules, err);
    if (rc) return rc;
    cx__rules_leave(rules); /* the deciding call below enters them itself */
    cx_error_clear(&derr);
    rc = decide(rules, rp, s, &d, &derr);
    if (rc == CX_ENOMEM) return no_memory(err);
    if (rc) {
        cx_error_format(&derr, buf, sizeof buf);
        return (o->error = cx__strdup(buf)) ? CX_OK : no_memory(err);
    }
    size_t len;
    if (map && rename_files(&d->trace, rules, map, cx_rules_pack_count(rules))) rc = CX_ENOMEM;
    if (!rc && (o->json = cx_decision_json(d)) && (len = strlen(o->json)) &&
        o->json[len - 1] == '\n')
        o->json[len - 1] = '\0';
    if (!rc && o->json) o->status = cx__strdup(cx_status_name(d->status));
    cx_decision_free(d);
    return rc || !o->json || !o->status ? no_memory(err) : CX_OK;
}

/* ------------------------------------------------------------- replay */

/* Says in *why (malloc'd) when a logged pack's source is missing or no
 * longer matches its sha256; *why stays NULL when every one is intact. */
static int check_sources(const logged *lg, char **why, cx_error *err)
{
    cx_buf b;
    cx__buf_init(&b);
    for (size_t i = 0; i < lg->rp->npacks && !b.len; i++) {
        const cx_replay_pack *p = &lg->rp->packs[i];
        char sha[65];
        if (!lg->sources[i].data) {
            cx__buf_printf(&b, "the source of pack %s (sha256 %s) is not in the registry", p->id,
                           p->sha256);
            continue;
        }
        cx__sha256_hex(lg->sources[i].data, lg->sources[i].len, sha);
        if (!p->sha256 || strcmp(sha, p->sha256) != 0)
            cx__buf_printf(&b, "the stored source of pack %s no longer has its sha256 %s", p->id,
                           p->sha256 ? p->sha256 : "(none)");
    }
    *why = b.len ? b.data : NULL;
    if (!b.len) cx__buf_free(&b);
    return b.oom ? no_memory(err) : CX_OK;
}

/* Loads the logged packs, from their stored sources, against the registry
 * as it is now. When they cannot be (missing, altered, or no longer
 * compiling), *out is NULL and o->error says why. */
static int load_logged(cx_registry *r, logged *lg, cx_rules **out, outcome *o, cx_error *err)
{
    cx_diagnostics diags;
    cx_error lerr;
    char buf[sizeof lerr.message + sizeof lerr.file + 32];
    *out = NULL;
    int rc = check_sources(lg, &o->error, err);
    if (rc || o->error) return rc;
    cx_diagnostics_init(&diags);
    cx_error_clear(&lerr);
    rc = cx__rules_load_sources(r, lg->sources, lg->rp->npacks, out, &diags, &lerr);
    cx_diagnostics_free(&diags);
    if (rc == CX_EINPUT || rc == CX_ELIMIT) {
        cx_error_format(&lerr, buf, sizeof buf);
        cx_buf b;
        cx__buf_init(&b);
        cx__buf_printf(&b, "the logged packs no longer load: %s", buf);
        if (b.oom) return no_memory(err);
        o->error = b.data;
        return CX_OK;
    }
    if (rc) *err = lerr;
    return rc;
}

/* Fills each logged pack's current_sha256 from the current pack with its
 * id, lists current packs with new ids, and sets *map (see rename_files;
 * the caller frees the array, not the strings). */
static int compare_packs(cx_replay_result *rp, const cx_rules *current, char ***map, cx_error *err)
{
    size_t n = cx_rules_pack_count(current);
    *map = calloc(n + 1, sizeof **map);
    if (!*map || !(rp->new_packs = calloc(n + 1, sizeof *rp->new_packs))) return no_memory(err);
    for (size_t i = 0; i < n; i++) {
        const cx_pack_info *cur = cx__rules_pack(current, (int)i);
        size_t j = 0;
        while (j < rp->npacks && (rp->packs[j].current_sha256 || strcmp(rp->packs[j].id, cur->id)))
            j++;
        char **slot =
            j < rp->npacks ? &rp->packs[j].current_sha256 : &rp->new_packs[rp->nnew_packs++];
        if (j < rp->npacks) {
            (*map)[i] = rp->packs[j].path;
            if ((*slot = malloc(65))) cx__sha256_hex(cur->source, cur->source_len, *slot);
        } else {
            *slot = cx__strdup(cur->id);
        }
        if (!*slot) return no_memory(err);
    }
    return CX_OK;
}

/* What changed since the decision was logged (CX_CHANGED_* bits). */
static unsigned what_changed(const cx_replay_result *rp, const char *engine, int with_current)
{
    unsigned changed = 0;
    if (rp->logged_content_version != rp->content_version) changed |= CX_CHANGED_REGISTRY;
    if (!rp->logged_credex_version || strcmp(rp->logged_credex_version, engine) != 0)
        changed |= CX_CHANGED_ENGINE;
    if (with_current && rp->nnew_packs) changed |= CX_CHANGED_PACKS;
    for (size_t i = 0; with_current && i < rp->npacks; i++)
        if (!rp->packs[i].current_sha256 ||
            strcmp(rp->packs[i].current_sha256, rp->packs[i].sha256) != 0)
            changed |= CX_CHANGED_PACKS;
    return changed;
}

static int same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* Judges the outcomes (docs/log.md, "What changed"), moving them into rp:
 * the logged packs decide differently now only through the registry or
 * the engine; the current packs differ from the logged ones only by
 * being other packs. */
static void judge(cx_replay_result *rp, const char *engine, outcome *again, outcome *now,
                  int with_current)
{
    int again_holds = same(again->json, rp->logged_json);
    int now_holds = !with_current || same(now->json, rp->logged_json);
    rp->changed = what_changed(rp, engine, with_current);
    rp->holds = again_holds && now_holds;
    if (!again_holds) rp->explains |= rp->changed & (CX_CHANGED_REGISTRY | CX_CHANGED_ENGINE);
    if (!now_holds && !(again->json && same(now->json, again->json)))
        rp->explains |= rp->changed & CX_CHANGED_PACKS;
    rp->replayed_json = again->json;
    rp->replayed_status = again->status;
    rp->replayed_error = again->error;
    rp->current_json = now->json;
    rp->current_status = now->status;
    rp->current_error = now->error;
    memset(again, 0, sizeof *again);
    memset(now, 0, sizeof *now);
}

static void outcome_free(outcome *o)
{
    free(o->json);
    free(o->status);
    free(o->error);
}

int cx__replay_engine(cx_registry *r, int64_t id, cx_rules *current, const char *engine,
                      cx_replay_result **out, cx_error *err)
{
    logged lg;
    cx_rules *rules = NULL;
    char **map = NULL;
    outcome again = {0}, now = {0};
    memset(&lg, 0, sizeof lg);
    *out = NULL;
    if (!(lg.rp = calloc(1, sizeof *lg.rp))) return no_memory(err);
    int rc = read_logged(r, id, &lg, err);
    if (!rc) rc = load_logged(r, &lg, &rules, &again, err);
    if (!rc && rules) rc = make_again(rules, lg.rp, &lg.s, NULL, &again, err);
    if (!rc && rules) lg.rp->content_version = cx__rules_snapshot(rules)->content_version;
    if (!rc && !rules) rc = cx_registry_content_version(r, &lg.rp->content_version, err);
    if (!rc && current) rc = compare_packs(lg.rp, current, &map, err);
    if (!rc && current) rc = make_again(current, lg.rp, &lg.s, map, &now, err);
    if (!rc) judge(lg.rp, engine, &again, &now, current != NULL);
    outcome_free(&again);
    outcome_free(&now);
    free(map);
    cx_rules_free(rules);
    logged_free(&lg);
    if (rc)
        cx_replay_free(lg.rp);
    else
        *out = lg.rp;
    return rc;
}

static int replay(cx_registry *r, int64_t id, cx_rules *current, cx_replay_result **out,
                  cx_error *err)
{
    return cx__replay_engine(r, id, current, CREDEX_VERSION, out, err);
}

int cx_replay(cx_registry *r, int64_t id, cx_rules *current, cx_replay_result **out, cx_error *err)
{
    *out = NULL; /* also when the call is refused */
    return CX__REGISTRY_CALL(r, err, replay(r, id, current, out, err));
}

void cx_replay_free(cx_replay_result *rp)
{
    if (!rp) return;
    char *strings[] = {rp->created,
                       rp->kind,
                       rp->subject,
                       rp->as_of,
                       rp->logged_json,
                       rp->logged_status,
                       rp->replayed_json,
                       rp->replayed_status,
                       rp->replayed_error,
                       rp->current_json,
                       rp->current_status,
                       rp->current_error,
                       rp->logged_credex_version};
    for (size_t i = 0; i < CX_COUNT(strings); i++) free(strings[i]);
    for (size_t i = 0; i < rp->npacks; i++) {
        free(rp->packs[i].id);
        free(rp->packs[i].path);
        free(rp->packs[i].version);
        free(rp->packs[i].sha256);
        free(rp->packs[i].current_sha256);
    }
    free(rp->packs);
    for (size_t i = 0; i < rp->nnew_packs; i++) free(rp->new_packs[i]);
    free(rp->new_packs);
    free(rp);
}
