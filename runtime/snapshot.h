/*
 * snapshot.h -- the in-memory, read-only snapshot of the registry that
 * every decision runs on (docs/design.md §1, §10). snapshot.c builds it from the
 * bulk reads of registry_read.c; it never speaks SQL and never changes after
 * cx__snapshot_load returns, so worker threads share it without locks.
 *
 * Symbols. Every entity kind is an array sorted by id in byte order, and an
 * entity's symbol (cx_sym) is its index there: symbols of one kind compare
 * as their ids do. Tags have a symbol table of their own (CX_SNAP_TAG).
 * Awards are the one exception: the award array is grouped by holder
 * (holders in id order, a holder's awards by issued then id), an award's
 * symbol is its index in that array, and awards_by_id lists the award
 * symbols in byte order of id.
 *
 * Defaults are applied here, once, as docs/design.md §2 says: an award's expires is
 * the stored one, else issued + its credential's current valid_for, else
 * CX_DATE_NEVER; its jurisdiction and hours, when not stored, are its
 * credential's. Flags say which were stored.
 *
 * Every string and array lives in memory the snapshot owns; all of it goes
 * with cx__snapshot_free. Loading reads the registry in one read
 * transaction (awards of a large file registry in id ranges, one thread
 * and connection per range); docs/registry.md gives the costs.
 */
#ifndef CX_SNAPSHOT_H
#define CX_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "credex.h"
#include "date.h"
#include "util.h"

typedef uint32_t cx_sym; /* index of an entity in its kind's array */

#define CX_NOSYM     UINT32_MAX /* no such entity / not given */
#define CX_DATE_DAWN INT32_MIN  /* a start before every date: an open effective_from */

#define CX_SNAP_MAX_PARTS 4 /* most threads that read the awards of one load */

/* Symbol tables for cx__snapshot_find: every cx_kind, plus tags. */
enum { CX_SNAP_TAG = CX_KIND_AWARD + 1, CX_SNAP_NTABLES };

/* A free attribute (credential or holder). */
typedef struct cx_snap_attr {
    const char *key;   /* interned: equal keys are one pointer */
    const char *value; /* the text as stored */
    int64_t number;    /* value in hundredths when it is a catalog number
                          (^[0-9]+(\.[0-9]{1,2})?$), else CX_NO_NUMBER */
} cx_snap_attr;

/* An award result (a score such as english: 18). */
typedef struct cx_snap_result {
    const char *key; /* interned */
    int64_t value;   /* hundredths (18 is 1800); CX_NO_NUMBER if not a number */
} cx_snap_result;

typedef struct cx_snap_jurisdiction {
    const char *id;
    const char *name;
    const char *kind; /* or NULL */
} cx_snap_jurisdiction;

/* A dated membership of a jurisdiction in a group; both ends inclusive. */
typedef struct cx_snap_membership {
    cx_sym jurisdiction;
    cx_date from;
    cx_date until;      /* CX_DATE_NEVER when open-ended */
    const char *status; /* interned free text, or NULL */
} cx_snap_membership;

typedef struct cx_snap_group {
    const char *id;
    const char *name;                      /* or NULL */
    const cx_snap_membership *memberships; /* by jurisdiction, then from */
    uint32_t nmemberships;
} cx_snap_group;

typedef struct cx_snap_provider {
    const char *id;
    const char *name;
    cx_sym jurisdiction; /* or CX_NOSYM */
} cx_snap_provider;

typedef struct cx_snap_framework {
    const char *id;
    const char *name;
} cx_snap_framework;

typedef struct cx_snap_competency {
    const char *id;
    const char *text;
    cx_sym framework;
    cx_sym parent; /* or CX_NOSYM for a top-level competency */
} cx_snap_competency;

typedef struct cx_snap_code {
    const char *scheme; /* interned: soc, onet, cip, naics, ctid */
    const char *code;
} cx_snap_code;

typedef struct cx_snap_credential {
    const char *id;
    const char *name;
    const char *type;      /* interned */
    const char *version;   /* or NULL */
    const char *valid_for; /* the duration's text, or NULL: never expires */
    cx_duration duration;  /* valid_for parsed; meaningful when valid_for */
    cx_sym provider;       /* or CX_NOSYM */
    cx_sym jurisdiction;
    int64_t hours;              /* hundredths, or CX_NO_NUMBER */
    cx_date effective_from;     /* CX_DATE_DAWN when open */
    cx_date effective_until;    /* CX_DATE_NEVER when open */
    const cx_sym *competencies; /* ascending (= byte order of ids) */
    const cx_sym *tags;         /* ascending, CX_SNAP_TAG symbols */
    const cx_snap_code *codes;  /* by scheme, then code */
    const cx_snap_attr *attrs;  /* by key */
    const char *const *grades;  /* the grade scale, lowest first; interned */
    uint32_t ncompetencies, ntags, ncodes, nattrs, ngrades;
} cx_snap_credential;

typedef enum cx_award_status {
    CX_AWARD_ACTIVE,
    CX_AWARD_REVOKED,
    CX_AWARD_SUSPENDED
} cx_award_status;

/* cx_snap_award.flags: what the registry stored (the rest was defaulted). */
enum {
    CX_AWARD_EXPIRES_STORED = 1,
    CX_AWARD_JURISDICTION_STORED = 2,
    CX_AWARD_HOURS_STORED = 4,
    CX_AWARD_PROVENANCE = 8,  /* it has provenance (docs/registry.md, "award") */
    CX_AWARD_UNVERIFIED = 16, /* its provenance says "unverified": see cx__snap_award_note */
};

/* An award: 48 bytes plus its id string. */
typedef struct cx_snap_award {
    const char *id;
    int64_t hours;       /* hundredths: stored, else the credential's, or CX_NO_NUMBER */
    cx_sym holder;       /* the holder it belongs to */
    cx_sym credential;   /* the credential it is an award of */
    cx_date issued;      /* first valid day */
    cx_date expires;     /* last valid day: stored, else issued + valid_for, else NEVER */
    cx_sym jurisdiction; /* where issued: stored, else the credential's */
    uint32_t results;    /* index of its first result in snapshot.results; see
                            cx__snapshot_results for the count */
    uint32_t grade;      /* index in snapshot.grades, or CX_NOSYM when none */
    int16_t grade_rank;  /* 0 = lowest on the credential's scale; -1 when no
                            grade or not on the scale */
    uint8_t status;      /* cx_award_status */
    uint8_t flags;       /* CX_AWARD_*_STORED */
} cx_snap_award;

/* Why an award with CX_AWARD_UNVERIFIED is unverified (its provenance
 * note, "" when none was given): stored right after the NUL of its id, so
 * that an award stays 48 bytes. NULL for any other award. */
const char *cx__snap_award_note(const cx_snap_award *a);

/* A holder exception (docs/design.md §4): a waiver or a substitution. */
typedef struct cx_snap_exception {
    cx_sym holder;
    cx_sym stack;          /* the stack's credential, or CX_NOSYM if unknown */
    const char *stack_id;  /* its id, always set */
    const char *waive;     /* the waived requirement's label, or NULL */
    cx_sym substitute_for; /* credentials of a substitution, else CX_NOSYM */
    cx_sym substitute_use;
    const char *for_id; /* their ids, or NULL for a waiver */
    const char *use_id;
    const char *by;     /* or NULL */
    const char *reason; /* or NULL */
    const char *file;   /* where the catalog defined it, or NULL */
    int line;           /* 0 when unknown */
} cx_snap_exception;

typedef struct cx_snap_holder {
    const char *id;
    cx_sym jurisdiction; /* or CX_NOSYM */
    uint32_t nattrs, nawards, nexceptions;
    const cx_snap_attr *attrs;           /* by key */
    const cx_snap_award *awards;         /* a slice of snapshot.awards (of a
                                            view's copy: cx__snapshot_holder) */
    const cx_snap_exception *exceptions; /* by stack, waive, substitute_for */
} cx_snap_holder;

typedef struct cx_snap_symtab cx_snap_symtab; /* id -> symbol hash, snapshot.c's own */

/* The snapshot. Read the arrays directly; never write them. (A deferred
 * graft's holders are read through cx__snapshot_holder: see
 * cx__snapshot_graft_deferred.) */
typedef struct cx_snapshot {
    int64_t content_version; /* the registry's, when loaded */
    const cx_snap_jurisdiction *jurisdictions;
    const cx_snap_group *groups;
    const cx_snap_provider *providers;
    const cx_snap_framework *frameworks;
    const cx_snap_competency *competencies;
    const cx_snap_credential *credentials;
    const cx_snap_holder *holders;
    const cx_snap_award *awards;         /* grouped by holder; see the top of this file */
    const uint32_t *awards_by_id;        /* award symbols in byte order of id */
    const cx_snap_result *results;       /* grouped by award, each award's by key */
    const cx_snap_exception *exceptions; /* grouped by holder */
    const char *const *tags;             /* tag texts by CX_SNAP_TAG symbol (byte order) */
    const char *const *grades;           /* distinct award grade texts */
    uint32_t count[CX_SNAP_NTABLES];     /* entities per kind (CX_KIND_*, CX_SNAP_TAG) */
    uint32_t nresults, nexceptions, ngrades;
    /* the loader's own */
    size_t bytes;                            /* memory held, for accounting */
    cx_arena arena;                          /* every string and array above */
    cx_arena part_arenas[CX_SNAP_MAX_PARTS]; /* award ids, per reading thread */
    cx_snap_symtab *symtabs;                 /* per table, CX_SNAP_NTABLES of them */
    int from_cache;                          /* 1: loaded from the snapshot cache */
    void *map;       /* the cache file mapped read-only (munmap'd by cx__snapshot_free), or NULL */
    size_t map_size; /* its bytes */
    /* a deferred graft (cx__snapshot_graft_deferred): per credential, 1
       when its awards are derived again as a holder is read
       (cx__snapshot_holder); NULL for any other snapshot, or when no award
       moves */
    const uint8_t *rederive;
} cx_snapshot;

/* ------------------------------------------------------------ the cache */

/* What a snapshot cache is keyed by (snapshot_cache.c; docs/registry.md,
 * "The snapshot cache"), read in the load's read transaction. */
typedef struct cx_snap_key {
    int64_t content_version;
    char registry_id[33]; /* meta 'registry_id' in hex; "" when none: no cache */
    char digest[65];      /* the last import's digest, "" when none */
} cx_snap_key;

/* Fills key for content version on conn, inside its read transaction:
 * 0, or -1 when the registry id could not be read (no cache then). */
int cx__snapshot_cache_key(cx_registry *conn, int64_t content_version, cx_snap_key *key);

/* "registry_file.snapshot", malloc'd; NULL for NULL, a SQLite URI, or OOM. */
char *cx__snapshot_cache_path(const char *registry_file);

/* Loads the cache beside registry_file into s (a new snapshot with its
 * arena and nothing else) when it matches key and every offset, index and
 * the checksum hold; its symbol tables are left to the caller. Returns
 * CX_CACHE_FRESH when s was filled; otherwise s holds arrays that must not
 * be used (free it) and *why says what was wrong, as a static string. */
cx_cache_state cx__snapshot_cache_read(cx_snapshot *s, const char *registry_file,
                                       const cx_snap_key *key, const char **why);

/* The address a cache file is mapped at, for tests that take it first
 * (the read-and-move path); 0 where caches are never mapped. */
uintptr_t cx__snapshot_cache_base(void);

/* Builds the id look-up tables (cx__snapshot_find) of a snapshot whose
 * arrays are in place, such as one cx__snapshot_cache_read filled: 0, or
 * -1 when out of memory. */
int cx__snapshot_index(cx_snapshot *s);

/* Writes s beside registry_file for key: a temporary file renamed over the
 * cache. 0, or -1 when it could not (which callers ignore). */
int cx__snapshot_cache_write(const cx_snapshot *s, const char *registry_file,
                             const cx_snap_key *key);

/* For tests and the fuzz target: writes a cache file beside registry_file
 * whose header is right for key (size, checksum) around payload, n bytes
 * (a payload cx__snapshot_cache_write made, or any bytes). 0 or -1. */
int cx__snapshot_cache_seal(const char *registry_file, const cx_snap_key *key, const void *payload,
                            size_t n);

/* The bytes of a cache file's header (the payload follows it). */
size_t cx__snapshot_cache_header_size(void);

/* Loads the whole registry into a new snapshot, inside one read
 * transaction: from the snapshot cache beside a registry file when it
 * matches the content version that transaction sees (from_cache is then
 * 1), else from the registry, writing the cache afterwards
 * (docs/registry.md, "The snapshot cache"). On success *out is owned by
 * the caller: free it with cx__snapshot_free. CX_EREGISTRY on a SQL failure or on data the schema
 * should have refused (an unparsable date, an unknown reference);
 * CX_ENOMEM. */
int cx__snapshot_load(cx_registry *r, cx_snapshot **out, cx_error *err);

/* The same, reading the awards of a large file registry with at most
 * threads threads (0: one per core; never more than CX_SNAP_MAX_PARTS),
 * each on its own read-only connection, in ranges of award ids. The
 * snapshot is the same whatever the number: ranges join in id order. */
int cx__snapshot_load_threads(cx_registry *r, int threads, cx_snapshot **out, cx_error *err);

/* The same, the awards laid out in jobs of about piece awards (0: the
 * default, 2^18), so that tests split small registries as a million
 * holders are split. */
int cx__snapshot_load_pieces(cx_registry *r, int threads, uint32_t piece, cx_snapshot **out,
                             cx_error *err);

void cx__snapshot_free(cx_snapshot *s); /* accepts NULL */

/* The symbol of id in table (a cx_kind or CX_SNAP_TAG), or CX_NOSYM.
 * A hash look-up for every table but awards, a binary search for those. */
cx_sym cx__snapshot_find(const cx_snapshot *s, int table, const char *id);

/* The id in table nearest to id by edit distance (ties: the smaller
 * symbol), or NULL when none is close enough to suggest. */
const char *cx__snapshot_nearest(const cx_snapshot *s, int table, const char *id);

/* Entities in table (a cx_kind or CX_SNAP_TAG); 0 for an unknown table. */
uint32_t cx__snapshot_count(const cx_snapshot *s, int table);

/* The id of symbol sym in table (the tag text for CX_SNAP_TAG), or NULL. */
const char *cx__snapshot_id(const cx_snapshot *s, int table, cx_sym sym);

/* The results of award a (an element of s->awards, or of a view's
 * awards: cx__snapshot_holder), *n of them, by key. */
const cx_snap_result *cx__snapshot_results(const cx_snapshot *s, const cx_snap_award *a,
                                           uint32_t *n);

/* The grade text of award a, or NULL when it has none. */
const char *cx__snapshot_grade(const cx_snapshot *s, const cx_snap_award *a);

/* 1 when jurisdiction is a member of group on day `on` (docs/design.md §4
 * member_of): some membership has from <= on and (no until or on <= until),
 * and, when status is not NULL, that membership's status equals it. 0
 * otherwise, also for CX_NOSYM arguments. */
int cx__snapshot_member(const cx_snapshot *s, cx_sym group, cx_sym jurisdiction, cx_date on,
                        const char *status);

/* The holder attribute or credential attribute under key, or NULL. */
const cx_snap_attr *cx__snapshot_attr(const cx_snap_attr *attrs, uint32_t n, const char *key);

/* ------------------------------------------------------------ grafts */

/* Whether facts (a snapshot of the registry after a change to facts only,
 * loaded with or without holders) has the credentials and jurisdictions
 * of base, by id in the same order: so that base's holders, awards and
 * exceptions mean the same symbols in it. */
int cx__snapshot_graftable(const cx_snapshot *base, const cx_snapshot *facts);

/* A snapshot with facts's jurisdictions, groups, providers, frameworks,
 * competencies, credentials and tags, and base's holders, awards, results
 * and exceptions: what a cold load of base's registry with facts's
 * changes applied gives (docs/whatif.md, "The grafted path"). What an
 * award derives from its credential (the default expiry, jurisdiction and
 * hours, the grade's rank) is derived again for the awards of each
 * credential whose valid_for, jurisdiction, hours or grade scale differ;
 * the awards and holders are copied then, else shared. Everything else is
 * borrowed: base and facts must outlive *out, which the caller frees with
 * cx__snapshot_free (that frees only what the graft made). CX_EINPUT when
 * the two are not cx__snapshot_graftable; CX_ENOMEM. */
int cx__snapshot_graft(const cx_snapshot *base, const cx_snapshot *facts, cx_snapshot **out,
                       cx_error *err);

/* As cx__snapshot_graft, but nothing is copied or written: *out reads
 * base's awards where they lie, and those whose defaults move are derived
 * again as a holder is read through cx__snapshot_holder, into the
 * reader's view. Such a snapshot is for audits only: cx__audit_holder and
 * the audit drivers read every holder through cx__snapshot_holder, and
 * nothing else may be given it (next, transfer and graph read
 * s->holders). base is untouched and may still decide. What-if's after
 * side once no holder's move is to be explained. */
int cx__snapshot_graft_deferred(const cx_snapshot *base, const cx_snapshot *facts,
                                cx_snapshot **out, cx_error *err);

/* One reader's holder as a deferred graft shows it: its awards copied and
 * derived again. Zeroed before its first use; one thread's; freed
 * (cx__snapshot_view_free) before the snapshots it showed are. */
typedef struct cx_snap_view {
    const cx_snapshot *of; /* the snapshot and holder it shows, or NULL */
    cx_sym h;
    cx_snap_holder holder;
    cx_snap_award *awards;   /* holder.nawards of them, then one whose results
                                is where the last one's end (cx__snapshot_results) */
    size_t cap;              /* awards' room */
    struct graft_memo *memo; /* default expiries by (credential, day of issue) */
} cx_snap_view;

/* Holder h of s as it decides: &s->holders[h], unless s is a deferred
 * graft and some award of h is derived again; then v's copy, valid until
 * v shows another holder (a second call for another holder during one
 * decision would pull it from under the first). NULL when out of
 * memory. */
const cx_snap_holder *cx__snapshot_holder(const cx_snapshot *s, cx_sym h, cx_snap_view *v);
void cx__snapshot_view_free(cx_snap_view *v);

#endif
