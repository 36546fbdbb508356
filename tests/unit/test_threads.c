/*
 * test_threads.c -- credex.h's "Threads" contract through the public API:
 * a second call into a cx_rules while one is inside it (from another
 * thread, or from the first call's own callback) is refused with
 * CX_EUSAGE; the same rules serve other threads one call after another,
 * after their registry is closed; and threads with their own cx_rules
 * decide at the same time. A cx_registry likewise serves one thread at a
 * time: a call from another thread while one is inside it (or while a
 * decision-log batch holds it) is refused, while the thread inside may
 * call it again. No call is timed: the second call is made while the
 * first is held in its callback.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credex.h"
#include "test.h"

#define EV      TEST_SRC "/examples/ev-mechanic"
#define AS_OF   "2026-06-01"
#define REFUSED "each thread needs its own cx_rules"

static const char *const ev_rules[] = {EV "/rules"};

/* The EV catalog in a private in-memory registry, and its rules. */
static int ev_load(cx_registry **r, cx_rules **rules)
{
    cx_error err;
    const char *paths[] = {EV "/catalog.yaml"};
    cx_error_clear(&err);
    *r = NULL;
    *rules = NULL;
    if (cx_registry_open(NULL, CX_OPEN_MEMORY, r, &err) ||
        cx_catalog_import(*r, paths, 1, NULL, NULL, NULL, &err) ||
        cx_rules_load(*r, ev_rules, 1, rules, NULL, &err)) {
        fprintf(stderr, "  cannot load the EV example: %s\n", err.message);
        cx_registry_close(*r);
        return -1;
    }
    return 0;
}

/* What one call of each deciding function returned. */
typedef struct attempt {
    cx_rules *rules;
    int audit, equiv, transfer, transfer_holder, audit_all, summary; /* return codes */
    int outputs_nulled;          /* every refused call left its outputs empty */
    char audit_message[768];     /* cx_audit's error message */
    char audit_all_message[768]; /* cx_audit_all's */
    /* a successful cx_audit of h-tx-0001 */
    char status[32];
    char missing[256];
} attempt;

static int count_output(void *ud, const char *text, cx_status status)
{
    (void)text;
    (void)status;
    ++*(int *)ud;
    return 0;
}

/* Calls every deciding function once on a->rules. */
static void *try_everything(void *arg)
{
    attempt *a = arg;
    cx_error err;
    cx_decision *d = (cx_decision *)&err, **v = (cx_decision **)&err;
    size_t n = 99;
    cx_audit_count *counts = (cx_audit_count *)&err;
    int outputs = 0;

    a->outputs_nulled = 1;
    cx_error_clear(&err);
    a->audit = cx_audit(a->rules, "h-tx-0001", NULL, AS_OF, &v, &n, &err);
    snprintf(a->audit_message, sizeof a->audit_message, "%s", err.message);
    if (a->audit == CX_OK && n == 1) {
        snprintf(a->status, sizeof a->status, "%s", cx_status_name(v[0]->status));
        if (v[0]->nmissing) snprintf(a->missing, sizeof a->missing, "%s", v[0]->missing[0]);
    } else if (v || n) {
        a->outputs_nulled = 0;
    }
    cx_decisions_free(v, n);

    a->equiv = cx_equiv(a->rules, "TX-EVS-101", "CA-EVS-101", "US-CA", AS_OF, &d, &err);
    if (a->equiv && d) a->outputs_nulled = 0;
    cx_decision_free(d);
    d = (cx_decision *)&err;
    a->transfer = cx_transfer(a->rules, "TX-EVS-101", "US-TX", "US-CA", AS_OF, &d, &err);
    if (a->transfer && d) a->outputs_nulled = 0;
    cx_decision_free(d);
    v = (cx_decision **)&err;
    n = 99;
    a->transfer_holder = cx_transfer_holder(a->rules, "h-tx-0001", "US-CA", AS_OF, &v, &n, &err);
    if (a->transfer_holder && (v || n)) a->outputs_nulled = 0;
    cx_decisions_free(v, n);

    a->audit_all =
        cx_audit_all(a->rules, NULL, AS_OF, 1, NULL, count_output, &outputs, NULL, NULL, &err);
    snprintf(a->audit_all_message, sizeof a->audit_all_message, "%s", err.message);
    n = 99;
    a->summary = cx_audit_summary(a->rules, NULL, AS_OF, 1, NULL, NULL, &counts, &n, &err);
    if (a->summary == CX_OK) free(counts);
    return NULL;
}

/* A caller of cx_audit_all that, on its first decision, tries the same
 * rules from another thread and from the callback itself. */
typedef struct holder_of_rules {
    cx_rules *rules;
    int outputs;
    attempt other_thread, same_thread;
    int thread_rc;
} holder_of_rules;

static int render_text(void *ud, const cx_decision *d, cx_write_fn write, void *wud)
{
    (void)ud;
    return cx_decision_write_text(d, 0, write, wud);
}

static int hold_and_try(void *ud, const char *text, cx_status status)
{
    holder_of_rules *h = ud;
    (void)status;
    if (h->outputs++ == 0) {
        pthread_t t;
        CHECK_CONTAINS(text, "audit CA-EV-TECH for ");
        h->other_thread.rules = h->rules;
        h->thread_rc = pthread_create(&t, NULL, try_everything, &h->other_thread);
        if (h->thread_rc == 0) pthread_join(t, NULL);
        h->same_thread.rules = h->rules;
        try_everything(&h->same_thread);
    }
    return 0;
}

static void check_refused(const attempt *a)
{
    CHECK_INT(a->audit, CX_EUSAGE);
    CHECK_INT(a->equiv, CX_EUSAGE);
    CHECK_INT(a->transfer, CX_EUSAGE);
    CHECK_INT(a->transfer_holder, CX_EUSAGE);
    CHECK_INT(a->audit_all, CX_EUSAGE);
    CHECK_INT(a->summary, CX_EUSAGE);
    CHECK(a->outputs_nulled);
    CHECK_CONTAINS(a->audit_message, REFUSED);
    CHECK_CONTAINS(a->audit_all_message, REFUSED);
    CHECK_STR(a->status, "");
}

static void check_allowed(const attempt *a)
{
    CHECK_INT(a->audit, CX_OK);
    CHECK_INT(a->equiv, CX_OK);
    CHECK_INT(a->transfer, CX_OK);
    CHECK_INT(a->transfer_holder, CX_OK);
    CHECK_INT(a->audit_all, CX_OK);
    CHECK_INT(a->summary, CX_OK);
    CHECK_STR(a->status, "in_progress");
    CHECK_STR(a->missing, "at_least(1) { \"CA-EVD-202\", \"CA-EVC-203\" }");
}

TEST(a_second_call_while_one_is_inside_is_refused)
{
    cx_registry *r;
    holder_of_rules h;
    cx_error err;
    memset(&h, 0, sizeof h);
    if (ev_load(&r, &h.rules)) {
        CHECK(0);
        return;
    }
    cx_error_clear(&err);
    CHECK_INT(
        cx_audit_all(h.rules, NULL, AS_OF, 2, render_text, hold_and_try, &h, NULL, NULL, &err),
        CX_OK);
    CHECK_INT(h.outputs, 8); /* the held call went on: every holder, one stack */
    CHECK_INT(h.thread_rc, 0);
    check_refused(&h.other_thread);
    check_refused(&h.same_thread);

    /* and once it has returned, the rules serve the next caller */
    attempt after = {.rules = h.rules};
    try_everything(&after);
    check_allowed(&after);
    cx_rules_free(h.rules);
    cx_registry_close(r);
}

/* The status-only path (render NULL) and the summary hold the rules too. */
static void try_from_progress(void *ud, const char *what, uint64_t done, uint64_t total)
{
    attempt *a = ud;
    pthread_t t;
    (void)what;
    (void)done;
    (void)total;
    if (pthread_create(&t, NULL, try_everything, a) == 0) pthread_join(t, NULL);
}

TEST(the_summary_holds_the_rules_too)
{
    cx_registry *r;
    cx_rules *rules;
    attempt a;
    cx_audit_count *counts = NULL;
    size_t n = 0;
    cx_error err;
    if (ev_load(&r, &rules)) {
        CHECK(0);
        return;
    }
    memset(&a, 0, sizeof a);
    a.rules = rules;
    cx_error_clear(&err);
    CHECK_INT(cx_audit_summary(rules, NULL, AS_OF, 1, try_from_progress, &a, &counts, &n, &err),
              CX_OK);
    check_refused(&a);
    CHECK_INT(n, 1);
    if (n == 1) {
        CHECK_STR(counts[0].stack, "CA-EV-TECH");
        CHECK_INT(counts[0].met, 2);
        CHECK_INT(counts[0].in_progress, 3);
        CHECK_INT(counts[0].not_started, 3);
    }
    free(counts);
    cx_rules_free(rules);
    cx_registry_close(r);
}

TEST(one_rules_serves_threads_one_after_another)
{
    cx_registry *r;
    cx_rules *rules;
    attempt a[3];
    if (ev_load(&r, &rules)) {
        CHECK(0);
        return;
    }
    cx_registry_close(r); /* loaded rules keep their own copy of the registry */
    memset(a, 0, sizeof a);
    for (int i = 0; i < 3; i++) { /* each thread joined before the next starts */
        pthread_t t;
        a[i].rules = rules;
        CHECK_INT(pthread_create(&t, NULL, try_everything, &a[i]), 0);
        pthread_join(t, NULL);
        check_allowed(&a[i]);
    }
    cx_rules_free(rules);
}

TEST(threads_with_their_own_rules_decide_at_once)
{
    cx_registry *r[2];
    cx_rules *rules[2];
    attempt a[2];
    pthread_t t[2];
    int started[2] = {0, 0};
    memset(a, 0, sizeof a);
    for (int i = 0; i < 2; i++)
        if (ev_load(&r[i], &rules[i])) {
            CHECK(0);
            return;
        }
    for (int i = 0; i < 2; i++) {
        a[i].rules = rules[i];
        started[i] = pthread_create(&t[i], NULL, try_everything, &a[i]) == 0;
        CHECK(started[i]);
    }
    for (int i = 0; i < 2; i++) {
        if (started[i]) pthread_join(t[i], NULL);
        check_allowed(&a[i]);
        cx_rules_free(rules[i]);
        cx_registry_close(r[i]);
    }
}

/* ------------------------------------------------------------ registries */

#define REGISTRY_REFUSED "each thread needs its own cx_registry"

/* What one call of each registry function returned. */
typedef struct registry_attempt {
    cx_registry *r;
    int has, holder, counts, version, list, rules; /* return values */
    int listed;                                    /* rows a successful listing gave */
    char message[768];                             /* cx_registry_holder's error */
    int outputs_emptied; /* refused calls with an output: each left it empty (NULL, "", 0) */
} registry_attempt;

/* Calls each registry function that has an output, that output set to
 * something else first; 1 when every call left it empty. Only for a
 * registry that refuses this thread. */
static int refused_outputs_emptied(cx_registry *r)
{
    static char junk;
    void *not_empty = &junk;
    cx_credential *c = not_empty;
    cx_holder *h = not_empty;
    cx_group *g = not_empty;
    cx_replay_result *rp = not_empty;
    cx_whatif_report *wi = not_empty, *df = not_empty;
    const char *none[] = {EV "/rules"};
    char near[16] = "x";
    int64_t decisions = 7, packs = 7;
    cx_error err;
    int refused =
        cx_registry_credential(r, "CA-EVS-101", &c, &err) == CX_EUSAGE &&
        cx_registry_holder(r, "h-tx-0001", &h, &err) == CX_EUSAGE &&
        cx_registry_group(r, "EVC", &g, &err) == CX_EUSAGE &&
        cx_replay(r, 1, NULL, &rp, &err) == CX_EUSAGE &&
        cx_whatif(r, EV "/catalog.yaml", NULL, &wi, &err) == CX_EUSAGE &&
        cx_diff(r, none, 1, none, 1, NULL, &df, &err) == CX_EUSAGE &&
        cx_registry_nearest(r, CX_KIND_HOLDER, "h-tx-01", near, sizeof near, &err) == CX_EUSAGE &&
        cx_log_counts(r, &decisions, &packs, &err) == CX_EUSAGE;
    return refused && !c && !h && !g && !rp && !wi && !df && near[0] == '\0' && decisions == 0 &&
           packs == 0;
}

static int count_row(void *ud, const cx_list_row *row)
{
    (void)row;
    ++*(int *)ud;
    return 0;
}

static void *try_registry(void *arg)
{
    registry_attempt *a = arg;
    cx_error err;
    cx_holder *h = NULL;
    cx_rules *rules = NULL;
    int64_t counts[CX_KIND_AWARD + 1], version;
    cx_error_clear(&err);
    a->has = cx_registry_has(a->r, CX_KIND_HOLDER, "h-tx-0001", &err);
    a->holder = cx_registry_holder(a->r, "h-tx-0001", &h, &err);
    snprintf(a->message, sizeof a->message, "%s", err.message);
    cx_holder_free(h);
    a->counts = cx_registry_counts(a->r, counts, &err);
    a->version = cx_registry_content_version(a->r, &version, &err);
    a->listed = 0;
    a->list = cx_registry_list(a->r, CX_LIST_HOLDERS, NULL, count_row, &a->listed, &err);
    a->rules = cx_rules_load(a->r, ev_rules, 1, &rules, NULL, &err);
    cx_rules_free(rules);
    if (a->rules == CX_EUSAGE) a->outputs_emptied = refused_outputs_emptied(a->r);
    return NULL;
}

static void check_registry_refused(const registry_attempt *a)
{
    CHECK_INT(a->has, -1);
    CHECK_INT(a->holder, CX_EUSAGE);
    CHECK_INT(a->counts, CX_EUSAGE);
    CHECK_INT(a->version, CX_EUSAGE);
    CHECK_INT(a->list, CX_EUSAGE);
    CHECK_INT(a->listed, 0);
    CHECK_INT(a->rules, CX_EUSAGE);
    CHECK_CONTAINS(a->message, REGISTRY_REFUSED);
    CHECK(a->outputs_emptied);
}

static void check_registry_allowed(const registry_attempt *a)
{
    CHECK_INT(a->has, 1);
    CHECK_INT(a->holder, CX_OK);
    CHECK_INT(a->counts, CX_OK);
    CHECK_INT(a->version, CX_OK);
    CHECK_INT(a->list, CX_OK);
    CHECK_INT(a->listed, 8); /* the EV example's holders */
    CHECK_INT(a->rules, CX_OK);
}

/* An import's progress callback: tries the registry being imported into
 * from another thread and from the callback itself, once it has holders. */
typedef struct importer {
    cx_registry *r;
    int tried;
    registry_attempt other_thread, same_thread;
} importer;

static void try_during_import(void *ud, const char *what, uint64_t done, uint64_t total)
{
    importer *im = ud;
    pthread_t t;
    (void)done;
    (void)total;
    if (im->tried || strcmp(what, "writing") != 0) return;
    im->tried = 1;
    im->other_thread.r = im->r;
    if (pthread_create(&t, NULL, try_registry, &im->other_thread) == 0) pthread_join(t, NULL);
    im->same_thread.r = im->r;
    try_registry(&im->same_thread);
}

TEST(a_registry_serves_one_thread_at_a_time)
{
    importer im;
    cx_error err;
    const char *paths[] = {EV "/catalog.yaml"};
    memset(&im, 0, sizeof im);
    cx_error_clear(&err);
    CHECK_INT(cx_registry_open(NULL, CX_OPEN_MEMORY, &im.r, &err), CX_OK);
    if (!im.r) return;
    /* a first import, so that the held one below finds holders to read */
    CHECK_INT(cx_catalog_import(im.r, paths, 1, NULL, NULL, NULL, &err), CX_OK);
    CHECK_INT(cx_catalog_import(im.r, paths, 1, try_during_import, &im, NULL, &err), CX_OK);
    CHECK(im.tried);
    check_registry_refused(&im.other_thread);
    /* the thread inside may call again: a callback reading the registry */
    CHECK_INT(im.same_thread.has, 1);
    CHECK_INT(im.same_thread.holder, CX_OK);
    CHECK_INT(im.same_thread.counts, CX_OK);
    CHECK_INT(im.same_thread.list, CX_OK);

    /* once the import has returned, another thread may use it */
    registry_attempt after = {.r = im.r};
    pthread_t t;
    CHECK_INT(pthread_create(&t, NULL, try_registry, &after), 0);
    pthread_join(t, NULL);
    check_registry_allowed(&after);
    cx_registry_close(im.r);
}

TEST(a_log_batch_holds_its_registry_until_it_ends)
{
    cx_registry *r;
    cx_rules *rules;
    cx_log *log = NULL;
    cx_error err;
    pthread_t t;
    if (ev_load(&r, &rules)) {
        CHECK(0);
        return;
    }
    cx_error_clear(&err);
    CHECK_INT(cx_log_begin(r, rules, "2026-06-01T00:00:00Z", &log, &err), CX_OK);
    registry_attempt during = {.r = r};
    CHECK_INT(pthread_create(&t, NULL, try_registry, &during), 0);
    pthread_join(t, NULL);
    check_registry_refused(&during);
    CHECK_INT(cx_log_end(log, 1, &err), CX_OK);
    registry_attempt after = {.r = r};
    CHECK_INT(pthread_create(&t, NULL, try_registry, &after), 0);
    pthread_join(t, NULL);
    check_registry_allowed(&after);
    cx_rules_free(rules);
    cx_registry_close(r);
}

/* cx_replay decides again with its current rules: while another call is
 * inside them (here: from that call's own callback), the replay is
 * refused like any other deciding call, not reported as a decision that
 * no longer holds. */
typedef struct replayer {
    cx_registry *r;
    cx_rules *rules;
    int calls, rc;
    cx_replay_result *rp;
    char message[768];
} replayer;

static int replay_from_output(void *ud, const char *text, cx_status status)
{
    replayer *p = ud;
    cx_error err;
    (void)text;
    (void)status;
    if (p->calls++) return 0;
    cx_error_clear(&err);
    p->rc = cx_replay(p->r, 1, p->rules, &p->rp, &err);
    snprintf(p->message, sizeof p->message, "%s", err.message);
    return 0;
}

TEST(a_replay_with_rules_in_use_is_refused)
{
    replayer p;
    cx_log *log = NULL;
    cx_decision **v = NULL;
    size_t n = 0;
    cx_error err;
    memset(&p, 0, sizeof p);
    if (ev_load(&p.r, &p.rules)) {
        CHECK(0);
        return;
    }
    cx_error_clear(&err);
    CHECK_INT(cx_audit(p.rules, "h-tx-0001", NULL, AS_OF, &v, &n, &err), CX_OK);
    CHECK_INT(cx_log_begin(p.r, p.rules, "2026-06-01T00:00:00Z", &log, &err), CX_OK);
    CHECK_INT(n, 1);
    if (n == 1) CHECK_INT(cx_log_add(log, v[0], NULL, &err), CX_OK);
    CHECK_INT(cx_log_end(log, 1, &err), CX_OK);
    cx_decisions_free(v, n);
    CHECK_INT(cx_audit_all(p.rules, NULL, AS_OF, 1, NULL, replay_from_output, &p, NULL, NULL, &err),
              CX_OK);
    CHECK_INT(p.rc, CX_EUSAGE);
    CHECK(p.rp == NULL);
    CHECK_CONTAINS(p.message, REFUSED);
    cx_replay_free(p.rp);

    /* once the audit has returned, the same replay holds */
    p.rp = NULL;
    CHECK_INT(cx_replay(p.r, 1, p.rules, &p.rp, &err), CX_OK);
    if (p.rp) {
        CHECK_INT(p.rp->holds, 1);
        CHECK(p.rp->current_error == NULL);
        CHECK_STR(p.rp->current_status, "in_progress");
    }
    cx_replay_free(p.rp);
    cx_rules_free(p.rules);
    cx_registry_close(p.r);
}

/* A decision added to a batch from a thread other than the one that began
 * it: refused, since the batch holds its registry; the batch goes on. */
typedef struct log_adder {
    cx_log *log;
    const cx_decision *d;
    int rc;
    char message[768];
} log_adder;

static void *add_to_log(void *arg)
{
    log_adder *a = arg;
    cx_error err;
    cx_error_clear(&err);
    a->rc = cx_log_add(a->log, a->d, NULL, &err);
    snprintf(a->message, sizeof a->message, "%s", err.message);
    return NULL;
}

TEST(a_log_batch_takes_decisions_only_from_its_thread)
{
    cx_registry *r;
    cx_rules *rules;
    cx_decision **v = NULL;
    size_t n = 0;
    int64_t id = 0, decisions = -1, packs = -1;
    cx_error err;
    pthread_t t;
    if (ev_load(&r, &rules)) {
        CHECK(0);
        return;
    }
    cx_error_clear(&err);
    CHECK_INT(cx_audit(rules, "h-tx-0001", NULL, AS_OF, &v, &n, &err), CX_OK);
    log_adder other = {.d = n ? v[0] : NULL};
    CHECK_INT(cx_log_begin(r, rules, "2026-06-01T00:00:00Z", &other.log, &err), CX_OK);
    if (other.d && other.log) {
        CHECK_INT(pthread_create(&t, NULL, add_to_log, &other), 0);
        pthread_join(t, NULL);
        CHECK_INT(other.rc, CX_EUSAGE);
        CHECK_CONTAINS(other.message, REGISTRY_REFUSED);
        CHECK_INT(cx_log_add(other.log, other.d, &id, &err), CX_OK);
        CHECK_INT(id, 1);
    }
    CHECK_INT(cx_log_end(other.log, 1, &err), CX_OK);
    CHECK_INT(cx_log_counts(r, &decisions, &packs, &err), CX_OK);
    CHECK_INT(decisions, 1);
    cx_decisions_free(v, n);
    cx_rules_free(rules);
    cx_registry_close(r);
}

static const test_case cases[] = {
    {"a_second_call_while_one_is_inside_is_refused", a_second_call_while_one_is_inside_is_refused},
    {"the_summary_holds_the_rules_too", the_summary_holds_the_rules_too},
    {"one_rules_serves_threads_one_after_another", one_rules_serves_threads_one_after_another},
    {"threads_with_their_own_rules_decide_at_once", threads_with_their_own_rules_decide_at_once},
    {"a_registry_serves_one_thread_at_a_time", a_registry_serves_one_thread_at_a_time},
    {"a_log_batch_holds_its_registry_until_it_ends", a_log_batch_holds_its_registry_until_it_ends},
    {"a_replay_with_rules_in_use_is_refused", a_replay_with_rules_in_use_is_refused},
    {"a_log_batch_takes_decisions_only_from_its_thread",
     a_log_batch_takes_decisions_only_from_its_thread},
    {NULL, NULL}};

TEST_MAIN(cases)
