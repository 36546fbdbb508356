/*
 * quick_json.c -- the JSON line of an audit decision a status plan is
 * sure of (issue 16): the bytes cx_decision_write_json writes for the
 * decision cx_audit builds (with gaps), made from the plan's facts of the
 * holder and from fragments a worker quotes once -- no decision and no
 * malloc per holder. It mirrors audit.c and require.c (report_used,
 * report_missing, report_gap) for the trees that have plans, where no two
 * slots compete for an award, so that every part that holds fits beside
 * the others: the requirements kept are those that hold, a choice takes
 * its first parts that hold. tests/unit/test_quick.c holds each line to
 * the full decision's, byte for byte, over random registries and packs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "json_writer.h"
#include "quick_int.h"

#define MEMO_BITS 10               /* (plan, holds) entries a worker keeps, direct-mapped: */
#define MEMO      (1 << MEMO_BITS) /* 1,024 */

/* A gap of an unmet forced requirement, as report_gap builds it. */
typedef struct qj_gap {
    size_t head, head_len; /* {"requirement":..,"need":N,"have":[H], in the entry's text */
    int total;             /* have is this total's sum (the options too); -1: in head */
    size_t unit, unit_len; /* ,"unit":"U","options":[ and, with total -1, the options */
    const uint64_t *set;   /* the credentials whose expired awards it lists */
} qj_gap;

/* What a plan's holds make of `missing` and `gaps`. */
typedef struct qj_entry {
    size_t plan; /* SIZE_MAX: empty */
    uint64_t holds;
    cx_buf missing; /* the items of `missing`, quoted, comma-separated */
    cx_buf text;    /* the gaps' fragments */
    qj_gap *gaps;
    size_t ngaps;
    uint64_t *sets; /* the choices' sets: words per gap */
} qj_entry;

/* A stack's fixed fragments (offsets into m->frag). */
typedef struct qj_stack {
    const char *stack; /* its id */
    size_t stack_len;
    int plain;                 /* no byte of it needs escaping in JSON */
    size_t mid, mid_len;       /* ,"stack":..},"as_of":..,"reasons":[..],"used":[ */
    size_t tail[CX_ERROR + 1]; /* per status: ,"status":..,"children":[{the stack's node}]} */
    size_t tail_len[CX_ERROR + 1];
    /* per slot node: ,"credential":..,"slot":..,"via":"direct" */
    size_t used[MAX_NODES], used_len[MAX_NODES];
    uint16_t slots[MAX_NODES]; /* the slot nodes by requirement index (report_used's order) */
    size_t nslots;
    uint64_t *fillers[MAX_TOTALS]; /* per total: total_fillers (words) */
    size_t totaled;                /* with totals: its part of m->adds */
} qj_stack;

struct cx_quick_json {
    const cx_quick *q;
    size_t words; /* uint64_t per credential set */
    char as_of[11];
    cx_buf frag;                                       /* the fixed fragments */
    size_t head[CX_ERROR + 1], head_len[CX_ERROR + 1]; /* per status: {..,"subject":{"holder": */
    qj_stack *stacks;                                  /* dependency order */
    size_t *cred_at;                                   /* per credential: its quoted id in frag */
    uint32_t *cred_len;                                /* (0: not yet quoted) */
    qj_entry *memo;
    qseen *seens; /* per stack (dependency order): the holder's facts */
    uint64_t *holds;
    qadd *adds;      /* per stack with totals, cap entries */
    size_t ntotaled; /* stacks with totals */
    const cx_snap_award **expired;
    size_t cap;     /* of each stack's adds, and of expired */
    uint64_t *mark; /* words: credentials dropped from a total's options */
    cx_buf scratch;
};

/* Appends a string literal. */
#define LIT(b, s) cx__buf_add((b), (s), sizeof(s) - 1)

/* Whether no byte of s[0..n) needs escaping in JSON: printable ASCII but
 * '"' and '\\' (ids nearly always). */
static int plain(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') return 0;
    }
    return 1;
}

/* s[0..n) as a JSON string (cx__json_quote's bytes), plain ones copied. */
static void put_id(cx_buf *b, const char *s, size_t n)
{
    if (!plain(s, n)) {
        cx__json_quote(b, s, n);
        return;
    }
    LIT(b, "\"");
    cx__buf_add(b, s, n);
    LIT(b, "\"");
}

static int has_bit(const uint64_t *set, cx_sym c)
{
    return (int)(set[c / 64] >> (c % 64) & 1);
}

static const char *status_text(int st)
{
    return cx_status_name((cx_status)st);
}

/* ---------------------------------------------------------- fragments */

/* A writer appending to b after a value (the next member gets a comma). */
static cx_jw after_value(cx_buf *b)
{
    cx_jw w;
    cx__jw_start(&w, b);
    w.first = 0;
    return w;
}

/* Credential c's id, quoted, from frag (quoted there the first time). */
static const char *cred_json(cx_quick_json *m, cx_sym c, size_t *len)
{
    if (!m->cred_len[c]) {
        const char *id = cx__snapshot_id(m->q->snap, CX_KIND_CREDENTIAL, c);
        m->cred_at[c] = m->frag.len;
        cx__json_quote(&m->frag, id, strlen(id));
        m->cred_len[c] = (uint32_t)(m->frag.len - m->cred_at[c]);
    }
    *len = m->cred_len[c];
    return m->frag.data ? m->frag.data + m->cred_at[c] : "";
}

/* total_fillers (require.c) of total node n: the credentials it could
 * count, whatever the holder holds. */
static void total_fillers(const cx_quick *q, const qnode *n, cx_date on, uint64_t *set)
{
    const cx_snapshot *s = q->snap;
    uint32_t nc = cx__snapshot_count(s, CX_KIND_CREDENTIAL);
    for (cx_sym c = 0; c < nc; c++) {
        const cx_snap_credential *cr = &s->credentials[c];
        if (n->req->selector && !cx__eval_selects(n->req->selector, c, on)) continue;
        if (cr->hours == CX_NO_NUMBER || cr->hours <= 0) continue;
        set[c / 64] |= UINT64_C(1) << (c % 64);
    }
}

/* Stack i's fragments. */
static void stack_fragments(cx_quick_json *m, const cx_rules *rs, size_t i, cx_date on)
{
    const cx_quick *q = m->q;
    const qplan *p = &q->plans[i];
    const cx_rule *r = q->stacks[i];
    qj_stack *st = &m->stacks[i];
    cx_buf *b = &m->frag;
    cx_jw w = after_value(b);
    st->stack = cx__snapshot_id(q->snap, CX_KIND_CREDENTIAL, r->credential);
    st->stack_len = strlen(st->stack);
    st->plain = plain(st->stack, st->stack_len);
    st->mid = b->len;
    cx__jw_key(&w, "stack");
    cx__jw_string(&w, st->stack);
    cx__jw_object_end(&w);
    cx__jw_key(&w, "as_of");
    cx__jw_stringn(&w, m->as_of, strnlen(m->as_of, 10));
    cx__jw_key(&w, "reasons");
    cx__jw_array(&w);
    if (!p->in_force) {
        char why[96];
        cx__audit_not_in_force(r, on, m->as_of, why, sizeof why);
        cx__jw_object(&w);
        cx__jw_key(&w, "code");
        cx__jw_string(&w, "effective");
        cx__jw_key(&w, "message");
        cx__jw_string(&w, why);
        cx__jw_object_end(&w);
    }
    cx__jw_array_end(&w);
    cx__jw_key(&w, "used");
    cx__jw_array(&w);
    st->mid_len = b->len - st->mid;
    for (int s = CX_MET; s <= CX_ERROR; s++) { /* put_trace of the root and the stack's node */
        const cx_pack_info *pack = cx__rules_pack(rs, r->pack);
        w = after_value(b);
        st->tail[s] = b->len;
        cx__jw_key(&w, "status");
        cx__jw_string(&w, status_text(s));
        cx__jw_key(&w, "children");
        cx__jw_array(&w);
        cx__jw_object(&w);
        cx__jw_key(&w, "rule");
        cx__jw_string(&w, r->id);
        if (pack && pack->id) {
            cx__jw_key(&w, "pack");
            cx__jw_string(&w, pack->id);
        }
        if (r->src.file) {
            cx__jw_key(&w, "file");
            cx__jw_string(&w, r->src.file);
        }
        if (r->src.line) {
            cx__jw_key(&w, "line");
            cx__jw_int(&w, r->src.line);
        }
        if (r->cite) {
            cx__jw_key(&w, "cite");
            cx__jw_string(&w, r->cite);
        }
        cx__jw_key(&w, "status");
        cx__jw_string(&w, status_text(s));
        cx__jw_key(&w, "children");
        cx__jw_array(&w);
        cx__jw_array_end(&w);
        cx__jw_object_end(&w);
        cx__jw_array_end(&w);
        cx__jw_object_end(&w);
        st->tail_len[s] = b->len - st->tail[s];
    }
    for (size_t k = 0; p->refusal == NULL && k < p->nnodes; k++) {
        const qnode *n = &p->nodes[k];
        if (n->kind == Q_HOURS) {
            if (!(st->fillers[n->index] = calloc(m->words + 1, sizeof(uint64_t)))) {
                b->oom = 1;
                return;
            }
            total_fillers(q, n, on, st->fillers[n->index]);
        }
        if (n->kind != Q_SLOT) continue;
        const char *cred = cx__snapshot_id(q->snap, CX_KIND_CREDENTIAL, n->req->credential);
        w = after_value(b);
        st->used[k] = b->len;
        cx__jw_key(&w, "credential");
        cx__jw_string(&w, cred);
        cx__jw_key(&w, "slot");
        cx__jw_string(&w, n->req->label ? n->req->label : cred);
        cx__jw_key(&w, "via");
        cx__jw_string(&w, "direct");
        st->used_len[k] = b->len - st->used[k];
        size_t at = st->nslots++; /* insertion sort by requirement index */
        while (at > 0 && p->nodes[st->slots[at - 1]].req->index > n->req->index) {
            st->slots[at] = st->slots[at - 1];
            at--;
        }
        st->slots[at] = (uint16_t)k;
    }
}

cx_quick_json *cx__quick_json_new(const cx_quick *q, const cx_rules *rs, cx_date on,
                                  const char *as_of_text)
{
    cx_quick_json *m = calloc(1, sizeof *m);
    uint32_t nc = cx__snapshot_count(q->snap, CX_KIND_CREDENTIAL);
    if (!m) return NULL;
    m->q = q;
    m->words = (nc + 63) / 64;
    snprintf(m->as_of, sizeof m->as_of, "%s", as_of_text);
    cx__buf_init(&m->frag);
    cx__buf_init(&m->scratch);
    m->stacks = calloc(q->ns + 1, sizeof *m->stacks);
    m->cred_at = calloc(nc + 1, sizeof *m->cred_at);
    m->cred_len = calloc(nc + 1, sizeof *m->cred_len);
    m->memo = calloc(MEMO, sizeof *m->memo);
    m->seens = calloc(q->ns + 1, sizeof *m->seens);
    m->holds = calloc(q->ns + 1, sizeof *m->holds);
    m->mark = calloc(m->words + 1, sizeof *m->mark);
    if (!m->stacks || !m->cred_at || !m->cred_len || !m->memo || !m->mark || !m->seens ||
        !m->holds) {
        cx__quick_json_free(m);
        return NULL;
    }
    for (size_t i = 0; i < MEMO; i++) m->memo[i].plan = SIZE_MAX;
    for (int s = CX_MET; s <= CX_ERROR; s++) {
        cx_jw w;
        cx__jw_start(&w, &m->frag);
        m->head[s] = m->frag.len;
        cx__jw_object(&w);
        cx__jw_key(&w, "kind");
        cx__jw_string(&w, "audit");
        cx__jw_key(&w, "status");
        cx__jw_string(&w, status_text(s));
        cx__jw_key(&w, "subject");
        cx__jw_object(&w);
        cx__jw_key(&w, "holder");
        m->head_len[s] = m->frag.len - m->head[s];
    }
    for (size_t i = 0; i < q->ns; i++) {
        stack_fragments(m, rs, i, on);
        if (q->plans[i].ntotals) m->stacks[i].totaled = m->ntotaled++;
    }
    if (m->frag.oom) {
        cx__quick_json_free(m);
        return NULL;
    }
    return m;
}

static void entry_clear(qj_entry *x)
{
    cx__buf_free(&x->missing);
    cx__buf_free(&x->text);
    free(x->gaps);
    free(x->sets);
    memset(x, 0, sizeof *x);
    x->plan = SIZE_MAX;
}

void cx__quick_json_free(cx_quick_json *m)
{
    if (!m) return;
    for (size_t i = 0; m->memo && i < MEMO; i++) entry_clear(&m->memo[i]);
    for (size_t i = 0; m->stacks && i < m->q->ns; i++)
        for (size_t t = 0; t < MAX_TOTALS; t++) free(m->stacks[i].fillers[t]);
    free(m->memo);
    free(m->stacks);
    free(m->cred_at);
    free(m->cred_len);
    free(m->seens);
    free(m->holds);
    free(m->adds);
    free(m->expired);
    free(m->mark);
    cx__buf_free(&m->frag);
    cx__buf_free(&m->scratch);
    free(m);
}

/* ------------------------------------------------- missing and gaps */

/* could_count (require.c) of node k into set: a slot's fills, a total's
 * fillers, a structure's parts' (but those that hold, with skip_held). */
static void could_count(const cx_quick_json *m, const qplan *p, const qj_stack *st, size_t k,
                        uint64_t holds, int skip_held, uint64_t *set)
{
    const qnode *n = &p->nodes[k];
    if (n->kind == Q_SLOT) {
        for (size_t w = 0; w < m->words; w++) set[w] |= n->req->fills[w];
    } else if (n->kind == Q_HOURS) {
        for (size_t w = 0; w < m->words; w++) set[w] |= st->fillers[n->index][w];
    } else {
        for (size_t j = 0; j < n->nkids; j++)
            if (!skip_held || !(holds >> n->kids[j] & 1))
                could_count(m, p, st, n->kids[j], holds, 0, set);
    }
}

/* The options of a set, quoted and comma-separated, to b (in byte order
 * of id, as symbols are). */
static void put_options(cx_quick_json *m, const uint64_t *set, cx_buf *b)
{
    size_t listed = 0, len;
    for (size_t w = 0; w < m->words; w++)
        for (uint64_t x = set[w]; x; x &= x - 1) {
            cx_sym c = (cx_sym)(w * 64 + (size_t)__builtin_ctzll(x));
            const char *id = cred_json(m, c, &len);
            if (listed++) cx__buf_add(b, ",", 1);
            cx__buf_add(b, id, len);
        }
}

/* Whether every part of structure n is a slot (a gap counts credentials). */
static int parts_are_slots(const qplan *p, const qnode *n)
{
    for (size_t j = 0; j < n->nkids; j++)
        if (p->nodes[n->kids[j]].kind != Q_SLOT) return 0;
    return 1;
}

/* The gap of unmet forced node k (what: its `missing` words) into x. */
static void add_gap(cx_quick_json *m, size_t plan, size_t k, const char *what, qj_entry *x)
{
    const qplan *p = &m->q->plans[plan];
    const qj_stack *st = &m->stacks[plan];
    const qnode *n = &p->nodes[k];
    qj_gap *g = &x->gaps[x->ngaps];
    uint64_t *set = x->sets + x->ngaps * m->words;
    int64_t need = 100, have = 0;
    const char *unit = "credentials";
    cx_jw w;
    x->ngaps++;
    g->total = -1;
    if (n->kind == Q_HOURS) {
        need = p->totals[n->index].threshold;
        unit = "hours";
        g->total = n->index;
        g->set = st->fillers[n->index];
    } else if (n->kind == Q_STRUCT) {
        size_t taken = 0;
        for (size_t j = 0; j < n->nkids; j++) taken += x->holds >> n->kids[j] & 1;
        need = (int64_t)n->need * 100;
        have = (int64_t)taken * 100;
        unit = parts_are_slots(p, n) ? "credentials" : "requirements";
        could_count(m, p, st, k, x->holds, 1, set);
        g->set = set;
    } else {
        g->set = n->req->fills;
    }
    cx__jw_start(&w, &x->text);
    g->head = x->text.len;
    cx__jw_object(&w);
    cx__jw_key(&w, "requirement");
    cx__jw_string(&w, what);
    cx__jw_key(&w, "need");
    cx__jw_hundredths(&w, need);
    cx__jw_key(&w, "have");
    if (g->total < 0) cx__jw_hundredths(&w, have);
    g->head_len = x->text.len - g->head;
    w.first = 0;
    g->unit = x->text.len;
    cx__jw_key(&w, "unit");
    cx__jw_string(&w, unit);
    cx__jw_key(&w, "options");
    cx__jw_array(&w);
    if (g->total < 0) put_options(m, g->set, &x->text);
    g->unit_len = x->text.len - g->unit;
}

/* The entry of (plan, holds), built into the memo when it is not there;
 * NULL when out of memory. */
static const qj_entry *entry_of(cx_quick_json *m, size_t plan, uint64_t holds)
{
    const qplan *p = &m->q->plans[plan];
    qj_entry *x = &m->memo[cx__quick_memo_slot(plan, holds, MEMO_BITS)];
    size_t whats[MAX_FORCED], nwhats = 0;
    if (x->plan == plan && x->holds == holds) return x;
    entry_clear(x);
    x->holds = holds;
    x->gaps = calloc(p->nforced + 1, sizeof *x->gaps);
    x->sets = calloc(p->nforced * m->words + 1, sizeof *x->sets);
    if (!x->gaps || !x->sets) goto oom;
    m->scratch.len = 0;
    for (size_t i = 0; i < p->nforced; i++) {
        size_t k = p->forced[i], at = m->scratch.len, dup = 0;
        if (holds >> k & 1) continue;
        cx__quick_missing_of(m->q, p, &p->nodes[k], holds, &m->scratch);
        cx__buf_add(&m->scratch, "", 1); /* its NUL: whats are strings */
        if (m->scratch.oom) goto oom;
        for (size_t j = 0; j < nwhats && !dup; j++) /* cx__eval_missing and _gap keep one of each */
            dup = strcmp(m->scratch.data + whats[j], m->scratch.data + at) == 0;
        if (dup) continue;
        whats[nwhats++] = at;
        if (x->missing.len) cx__buf_add(&x->missing, ",", 1);
        cx__json_quote(&x->missing, m->scratch.data + at, strlen(m->scratch.data + at));
        add_gap(m, plan, k, m->scratch.data + at, x);
    }
    if (x->missing.oom || x->text.oom || m->frag.oom) goto oom;
    x->plan = plan;
    return x;
oom:
    entry_clear(x);
    return NULL;
}

/* ------------------------------------------------------------ a holder */

/* The slot nodes node k's allocation uses (require.c's solve: a choice
 * takes its first parts that hold), as a mask of node bits. */
static uint64_t used_slots(const qplan *p, size_t k, uint64_t holds)
{
    const qnode *n = &p->nodes[k];
    uint64_t used = 0;
    if (n->kind == Q_SLOT) return UINT64_C(1) << k;
    if (n->kind == Q_HOURS) return 0;
    for (size_t j = 0, taken = 0; j < n->nkids && taken < n->need; j++)
        if (holds >> n->kids[j] & 1) {
            taken++;
            used |= used_slots(p, n->kids[j], holds);
        }
    return used;
}

/* report_missing's final allocation: the forced requirements that hold,
 * and the parts that hold of the open choices. */
static uint64_t used_unmet(const qplan *p, uint64_t holds)
{
    uint64_t used = 0;
    for (size_t i = 0; i < p->nforced; i++) {
        const qnode *n = &p->nodes[p->forced[i]];
        int choice =
            n->kind == Q_STRUCT && (n->req->kind == CX_REQ_ANY || n->req->kind == CX_REQ_AT_LEAST);
        if (holds >> p->forced[i] & 1)
            used |= used_slots(p, p->forced[i], holds);
        else if (choice)
            for (size_t j = 0; j < n->nkids; j++)
                if (holds >> n->kids[j] & 1) used |= used_slots(p, n->kids[j], holds);
    }
    return used;
}

static void add(cx_buf *b, const cx_buf *from, size_t at, size_t len)
{
    cx__buf_add(b, from->data + at, len);
}

/* The `used` array's items of slots used (a mask of nodes). */
static void put_used(cx_quick_json *m, size_t plan, uint64_t used, const qseen *seen, cx_buf *b)
{
    const qplan *p = &m->q->plans[plan];
    const qj_stack *st = &m->stacks[plan];
    size_t listed = 0;
    for (size_t i = 0; i < st->nslots; i++) {
        size_t k = st->slots[i];
        if (!(used >> k & 1)) continue;
        const cx_snap_award *a = seen->award[p->nodes[k].index];
        if (listed++) LIT(b, ",");
        LIT(b, "{\"award\":");
        put_id(b, a->id, strlen(a->id));
        add(b, &m->frag, st->used[k], st->used_len[k]);
        if (a->flags & CX_AWARD_PROVENANCE && a->flags & CX_AWARD_UNVERIFIED)
            LIT(b, ",\"verification\":\"unverified\"");
        else if (a->flags & CX_AWARD_PROVENANCE)
            LIT(b, ",\"verification\":\"verified\"");
        cx__buf_add(b, "}", 1);
    }
}

/* The stack's expired awards a gap may list (audit.c's expired_awards,
 * then stack_expired) into m->expired; how many. Only those of relevant
 * credentials: every gap's set is of slots and totals. Their expiry is the
 * registry's: a renewal could have moved it only for a renewable
 * credential, and the plan is not sure of a holder with such an award. */
static size_t expired_of(cx_quick_json *m, const qplan *p, const cx_snap_holder *h, cx_date on)
{
    const cx_snapshot *s = m->q->snap;
    size_t n = 0;
    for (uint32_t i = 0; i < h->nawards; i++) {
        const cx_snap_award *a = &h->awards[i];
        const cx_snap_credential *c = &s->credentials[a->credential];
        if (a->issued > on) break;
        if (!has_bit(p->relevant, a->credential) || a->status != CX_AWARD_ACTIVE ||
            a->expires >= on || a->issued < c->effective_from || a->issued > c->effective_until ||
            a->issued < p->since ||
            (p->jurisdiction != CX_NOSYM && a->jurisdiction != p->jurisdiction))
            continue;
        m->expired[n++] = a;
    }
    return n;
}

/* The `gaps` array's items. */
static void put_gaps(cx_quick_json *m, const qj_entry *x, const qseen *seen, size_t nexpired,
                     cx_buf *b)
{
    for (size_t i = 0; i < x->ngaps; i++) {
        const qj_gap *g = &x->gaps[i];
        size_t len, listed = 0;
        if (i) cx__buf_add(b, ",", 1);
        add(b, &x->text, g->head, g->head_len);
        if (g->total >= 0) {
            cx_jw w;
            cx__jw_start(&w, b);
            cx__jw_hundredths(&w, seen->sum[g->total]);
        }
        add(b, &x->text, g->unit, g->unit_len);
        if (g->total >= 0) { /* what the holder counts already is no option */
            for (size_t k = 0; k < seen->nadds; k++)
                if (seen->adds[k].totals >> g->total & 1)
                    m->mark[seen->adds[k].credential / 64] |= UINT64_C(1)
                                                              << (seen->adds[k].credential % 64);
            for (size_t w = 0; w < m->words; w++) m->mark[w] = g->set[w] & ~m->mark[w];
            put_options(m, m->mark, b);
            memset(m->mark, 0, m->words * sizeof *m->mark);
        }
        LIT(b, "],\"expired\":[");
        for (size_t k = 0; k < nexpired; k++) {
            const cx_snap_award *a = m->expired[k];
            char date[11];
            if (!has_bit(g->set, a->credential)) continue;
            if (listed++) LIT(b, ",");
            LIT(b, "{\"credential\":");
            const char *id = cred_json(m, a->credential, &len);
            cx__buf_add(b, id, len);
            LIT(b, ",\"award\":");
            put_id(b, a->id, strlen(a->id));
            cx__date_format(a->expires, date);
            LIT(b, ",\"expired\":\"");
            cx__buf_add(b, date, 10);
            LIT(b, "\"}");
        }
        LIT(b, "]}");
    }
}

/* Stack i's line for holder h (status st, the plan's facts seen and
 * holds) to b; 0, or CX_QUICK_FALLBACK. */
static int put_line(cx_quick_json *m, size_t i, const cx_snap_holder *h, size_t hlen, cx_date on,
                    int st, const qseen *seen, uint64_t holds, cx_buf *b)
{
    const cx_quick *q = m->q;
    const qplan *p = &q->plans[i];
    const qj_stack *js = &m->stacks[i];
    const qj_entry *x = NULL;
    cx_quick_row row;
    size_t nexpired = 0;
    if (hlen + js->stack_len + 7 >= 600) return CX_QUICK_FALLBACK; /* audit.c's subject, cut */
    if (cx__quick_row_of(p, q->stacks[i], i, st, holds, seen, on, &row)) return CX_QUICK_FALLBACK;
    if (row.missing) {
        nexpired = expired_of(m, p, h, on);
        if (!(x = entry_of(m, i, holds))) {
            b->oom = 1;
            return 0;
        }
    }
    add(b, &m->frag, m->head[st], m->head_len[st]);
    put_id(b, h->id, hlen);
    add(b, &m->frag, js->mid, js->mid_len);
    if (st == CX_MET || row.missing)
        put_used(m, i, st == CX_MET ? used_slots(p, p->nnodes - 1, holds) : used_unmet(p, holds),
                 seen, b);
    LIT(b, "],\"missing\":[");
    if (x) cx__buf_add(b, x->missing.data ? x->missing.data : "", x->missing.len);
    LIT(b, "],\"trace\":{\"rule\":");
    if (plain(h->id, hlen) && js->plain) { /* the root's rule: audit.c's subject */
        LIT(b, "\"audit ");
        cx__buf_add(b, h->id, hlen);
        LIT(b, " ");
        cx__buf_add(b, js->stack, js->stack_len);
        LIT(b, "\"");
    } else {
        m->scratch.len = 0;
        LIT(&m->scratch, "audit ");
        cx__buf_add(&m->scratch, h->id, hlen);
        LIT(&m->scratch, " ");
        cx__buf_add(&m->scratch, js->stack, js->stack_len);
        if (m->scratch.oom) b->oom = 1;
        cx__json_quote(b, m->scratch.data ? m->scratch.data : "", m->scratch.len);
    }
    add(b, &m->frag, js->tail[st], js->tail_len[st]);
    if (st == CX_MET) {
        char date[11];
        cx__date_format(row.issued, date);
        LIT(b, ",\"award\":{\"issued\":\"");
        cx__buf_add(b, date, 10);
        if (row.expires != CX_DATE_NEVER) {
            cx__date_format(row.expires, date);
            LIT(b, "\",\"expires\":\"");
            cx__buf_add(b, date, 10);
        }
        LIT(b, "\"}");
    } else if (x && x->ngaps) {
        LIT(b, ",\"gaps\":[");
        put_gaps(m, x, seen, nexpired, b);
        cx__buf_add(b, "]", 1);
    }
    cx__buf_add(b, "}\n", 3); /* and its NUL */
    return 0;
}

/* Room for a holder of nawards awards: in the stacks with totals, the
 * awards that add to them; the expired awards of a stack. Both or
 * neither: 0, or -1 out of memory (nothing changed). */
static int grow(cx_quick_json *m, uint32_t nawards)
{
    size_t cap = (size_t)nawards + 64;
    qadd *adds = malloc((m->ntotaled * cap + 1) * sizeof *adds);
    const cx_snap_award **expired = malloc(cap * sizeof *expired);
    if (!adds || !expired) {
        free(adds);
        free(expired);
        return -1;
    }
    free(m->adds);
    free(m->expired);
    m->adds = adds;
    m->expired = expired;
    m->cap = cap;
    for (size_t i = 0; i < m->q->ns; i++)
        m->seens[i].adds = m->q->plans[i].ntotals ? m->adds + m->stacks[i].totaled * cap : NULL;
    return 0;
}

int cx__quick_json_holder(cx_quick_json *m, const cx_snapshot *s, cx_date on,
                          const cx_snap_holder *h, const uint8_t *needed, cx_sym only, uint8_t *out,
                          cx_buf *texts, size_t *at)
{
    const cx_quick *q = m->q;
    uint8_t st[CX_QUICK_MOST_STACKS];
    size_t start = texts->len, k = 0, hlen = strlen(h->id);
    if (h->nawards > m->cap && grow(m, h->nawards)) return 1; /* the full evaluator, then */
    if (cx__quick_statuses(q, s, on, h, needed, only, st, m->seens, m->holds)) return 1;
    for (size_t j = 0; j < q->ns; j++) {
        size_t i = q->by_id[j];
        if (only != CX_NOSYM && q->stacks[i]->credential != only) continue;
        at[k] = texts->len;
        out[k++] = st[i];
        if (put_line(m, i, h, hlen, on, st[i], &m->seens[i], m->holds[i], texts)) {
            texts->len = start;
            if (texts->data) texts->data[start] = '\0';
            return 1;
        }
    }
    return texts->oom || m->frag.oom ? -1 : 0;
}
