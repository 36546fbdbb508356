/*
 * cli.h -- what the command files of the credex CLI share: the parsed
 * command line, the command table, and small helpers for reporting. The
 * CLI is a client of credex.h only; it holds no engine logic.
 */
#ifndef CX_CLI_H
#define CX_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "credex.h"

/* Option bits: which options a command accepts (a cli_opts). */
typedef uint64_t cli_opts;
#define OPT_DB                (UINT64_C(1) << 0)
#define OPT_FORMAT            (UINT64_C(1) << 1)
#define OPT_RULES             (UINT64_C(1) << 2)
#define OPT_AS_OF             (UINT64_C(1) << 3)
#define OPT_EXPLAIN           (UINT64_C(1) << 4)
#define OPT_JOBS              (UINT64_C(1) << 5)
#define OPT_QUIET             (UINT64_C(1) << 6)
#define OPT_IN                (UINT64_C(1) << 7)
#define OPT_HOLDER            (UINT64_C(1) << 8)
#define OPT_FROM              (UINT64_C(1) << 9)
#define OPT_TO                (UINT64_C(1) << 10)
#define OPT_FAIL_UNLESS       (UINT64_C(1) << 11)
#define OPT_STACK             (UINT64_C(1) << 12)
#define OPT_ALL               (UINT64_C(1) << 13)
#define OPT_COVERAGE          (UINT64_C(1) << 14)
#define OPT_LOG               (UINT64_C(1) << 15)
#define OPT_SUMMARY           (UINT64_C(1) << 16)
#define OPT_TYPE              (UINT64_C(1) << 17) /* list filters */
#define OPT_TAG               (UINT64_C(1) << 18)
#define OPT_JURISDICTION      (UINT64_C(1) << 19)
#define OPT_PROVIDER          (UINT64_C(1) << 20)
#define OPT_ONLY              (UINT64_C(1) << 21) /* export */
#define OPT_SKIP_INVALID      (UINT64_C(1) << 22) /* import */
#define OPT_REPORT            (UINT64_C(1) << 23)
#define OPT_LANG              (UINT64_C(1) << 24) /* import: CTDL */
#define OPT_ALLOW_PROVISIONAL (UINT64_C(1) << 25)
#define OPT_ID_MAP            (UINT64_C(1) << 26)
#define OPT_TRUST             (UINT64_C(1) << 27)
#define OPT_ALLOW_UNVERIFIED  (UINT64_C(1) << 28)
#define OPT_HOLDERS           (UINT64_C(1) << 29)
#define OPT_CASCADE           (UINT64_C(1) << 30)
#define OPT_MAX_TRIPS         (UINT64_C(1) << 31) /* audit --all, whatif, diff: the run breaker */
#define OPT_MAX_INPUT_BYTES   (UINT64_C(1) << 32) /* import, test, whatif: caps */
#define OPT_MAX_SCALAR_BYTES  (UINT64_C(1) << 33)
#define OPT_MAX_LIST_ITEMS    (UINT64_C(1) << 34)
#define OPT_LIMITS            (OPT_MAX_INPUT_BYTES | OPT_MAX_SCALAR_BYTES | OPT_MAX_LIST_ITEMS)
#define OPT_BUSY_TIMEOUT      (UINT64_C(1) << 35) /* writers */
#define OPT_SYNC              (UINT64_C(1) << 36) /* import */
#define OPT_IMPORTS           (UINT64_C(1) << 37) /* log */
#define OPT_FORCE             (UINT64_C(1) << 38) /* backup */
#define OPT_OUTPUT            (UINT64_C(1) << 39) /* draft */
#define OPT_LISTEN            (UINT64_C(1) << 40) /* serve */
#define OPT_TOKENS            (UINT64_C(1) << 41)
#define OPT_THREADS           (UINT64_C(1) << 42)
#define OPT_MAX_BODY          (UINT64_C(1) << 43)
#define OPT_TIMEOUT           (UINT64_C(1) << 44)
#define OPT_SCOPES            (UINT64_C(1) << 45) /* token new */
#define OPT_SOC               (UINT64_C(1) << 46) /* next */
#define OPT_LIMIT             (UINT64_C(1) << 47)
#define OPT_AWARD             (UINT64_C(1) << 48) /* transfer --holder */
#define OPT_CREDENTIAL        (UINT64_C(1) << 49) /* graph */
#define OPT_KID               (UINT64_C(1) << 50) /* keys new */
#define OPT_OUT               (UINT64_C(1) << 51)
#define OPT_KEY               (UINT64_C(1) << 52) /* pack sign */
#define OPT_PACK_TRUST        (UINT64_C(1) << 53) /* commands that load packs */
#define OPT_REQUIRE_SIGNED    (UINT64_C(1) << 54)
#define OPT_PACK_SIGNING      (OPT_PACK_TRUST | OPT_REQUIRE_SIGNED)
#define OPT_ISSUER_ID         (UINT64_C(1) << 55) /* issue, serve */
#define OPT_ISSUER_NAME       (UINT64_C(1) << 56)
#define OPT_ISSUER_KEY        (UINT64_C(1) << 57) /* serve: the key of POST /v1/issue */
#define OPT_HOLDER_LINES      (UINT64_C(1) << 58) /* --holders (whatif, diff) */
#define OPT_NO_CACHE          (UINT64_C(1) << 59) /* commands that decide: no snapshot cache */
#define OPT_SHARD             (UINT64_C(1) << 60) /* audit --all, whatif, diff: --shard K/N */

#define MAX_RULES 64

/* The parsed command line. */
typedef struct cli {
    const char *command;          /* the command word */
    const char *db;               /* --db, else $CREDEX_DB, else ./credex.db */
    const char *format;           /* "text" (default), "json", "csv" */
    const char *as_of;            /* --as-of or NULL */
    const char *rules[MAX_RULES]; /* --rules, repeatable */
    int nrules;
    int explain;             /* --explain */
    int jobs;                /* --jobs, 0 for the default */
    int quiet;               /* --quiet: no progress, no summary */
    const char *in;          /* --in J (equiv) */
    const char *holder;      /* --holder H */
    const char *stack;       /* --stack S */
    int all;                 /* --all */
    int summary;             /* --summary: counts per stack and status (audit --all) */
    int log;                 /* --log: record the decisions in the decision log */
    int coverage;            /* --coverage (test) */
    int rules_default;       /* set by cli_rule_paths: the packs are ./rules, by default */
    const char *from, *to;   /* --from J1, --to J2 (transfer) */
    const char *fail_unless; /* --fail-unless STATUS */
    cx_list_filter filter;   /* --type, --tag, --jurisdiction, --provider (list; import:
                              * --jurisdiction, for holders to create; --provider for
                              * CTDL credentials that name none) */
    int skip_invalid;        /* --skip-invalid (import) */
    const char *report;      /* --report FILE (import) */
    const char *lang;        /* --lang TAG (import: CTDL language maps) */
    int allow_provisional;   /* --allow-provisional (import: CTDL) */
    const char *id_map;      /* --id-map FILE (import: CTDL) */
    const char *trust;       /* --trust FILE (import) */
    int allow_unverified;    /* --allow-unverified (import) */
    const char *holders;     /* --holders FILE (import) */
    int cascade;             /* --cascade (import) */
    const char *only;        /* --only PART (export) */
    unsigned max_trips;      /* --max-trips N (audit --all, whatif, diff); 0: the default */
    int busy_timeout;        /* --busy-timeout SECONDS: 0 default (60); -1 do not wait */
    int sync_full;           /* --sync full (import); --sync normal is the default */
    int imports;             /* --imports (log): the import history */
    int force;               /* --force (backup): replace an existing file */
    const char *output;      /* --output FILE, -o FILE (draft) */
    char today[11];          /* the local date when the command started */
    char **args;             /* positional arguments after the command word */
    int nargs;
    cx_limits limits;   /* --max-input-bytes, --max-scalar-bytes, --max-list-items (0: default) */
    const char *listen; /* --listen HOST:PORT (serve) */
    const char *tokens; /* --tokens FILE (serve) */
    unsigned threads;   /* --threads N (serve); 0: the cores */
    uint64_t max_body;  /* --max-body BYTES (serve); 0: 1 MiB */
    unsigned timeout;   /* --timeout SECONDS (serve); 0: 30 */
    const char *scopes; /* --scopes LIST (token new) */
    const char *soc;    /* --soc CODE (next) */
    size_t limit;       /* --limit N (next); 0: the default */
    const char *award;  /* --award A (transfer --holder): an award id or a credential */
    const char *credential;      /* --credential C (graph) */
    const char *kid;             /* --kid K (keys new) */
    const char *out;             /* --out FILE (keys new) */
    const char *key;             /* --key FILE: a private JWK (pack sign) */
    const char *pack_trust_file; /* --pack-trust FILE (commands that load packs) */
    int require_signed_packs;    /* --require-signed-packs */
    cx_pack_trust *pack_trust;   /* read from pack_trust_file by cli_pack_trust; owned */
    const char *issuer_id;       /* --issuer-id IRI (issue, serve) */
    const char *issuer_name;     /* --issuer-name NAME (issue, serve) */
    const char *issuer_key;      /* --issuer-key FILE (serve): the key POST /v1/issue signs with */
    int holder_lines;            /* --holders (whatif, diff): a line per affected holder */
    int no_cache;                /* --no-cache: neither read nor write the snapshot cache */
    unsigned shard, shards;      /* --shard K/N: only shard K of N of the holders; 0/0: all */
} cli;

typedef struct cli_command {
    const char *name;
    int (*run)(cli *c);
    cli_opts options;    /* OPT_* bits accepted beyond the common ones */
    const char *formats; /* accepted --format values, e.g. "text json" */
    const char *usage;   /* "credex import FILE..." */
    const char *summary; /* one line for the command list */
    const char *help;    /* the rest of `credex CMD --help` */
} cli_command;

/* The command table (main.c). */
extern const cli_command cli_commands[];

/* Prints "credex: " + the located error to stderr; returns err->code. */
int cli_report(const cx_error *err);

/* CX_OK while stdout holds; once a write to it failed (a full disk, a
 * closed pipe), says so on stderr, once, and returns CX_EREGISTRY: the
 * line-by-line writers stop there. */
int cli_output_status(void);

/* Prints one line of user text to f, every control character escaped
 * (cx_escaped: an id or a name cannot drive the terminal), then "\n". */
void cli_print_line(FILE *f, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Prints a usage error ("credex CMD: ...", then "try credex CMD --help")
 * and returns CX_EUSAGE. */
int cli_usage_error(const cli *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The same for an option the command does not take, with its usage line
 * (every option it takes) between the message and "try". */
int cli_option_error(const cli *c, const char *usage, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Opens the registry named by c->db with flags (and --busy-timeout,
 * --sync); reports and returns the error code on failure. */
int cli_open(const cli *c, int flags, cx_registry **out);

/* A progress callback that draws a bar on stderr when it is a terminal
 * (ud: the cli). cli_progress_done clears the line. */
void cli_progress(void *ud, const char *what, uint64_t done, uint64_t total);
void cli_progress_done(void);

/* An output file written whole or not at all (--output): a temporary file
 * beside path (mode 0666 less the umask) that cli_out_close renames over
 * path when keep is 1 and everything was written, and removes otherwise.
 * Both return 0, or 1 after saying on stderr what failed. */
typedef struct cli_out {
    const char *path;
    char *tmp;
    FILE *f; /* write here between the two */
} cli_out;
int cli_out_open(cli_out *o, const char *path);
int cli_out_close(cli_out *o, int keep);
/* The two around one write of n bytes. */
int cli_write_file(const char *path, const void *data, size_t n);

/* The rule packs a command loads (cmd_check.c): its arguments, else
 * --rules, else $CREDEX_RULES, else ./rules. *owned: free after use. */
int cli_rule_paths(cli *c, const char **paths, size_t max, size_t *n, char **owned);

/* Prints load and check diagnostics to stderr, one "file:line: ..." each. */
void cli_print_diagnostics(const cx_diagnostics *d);

/* When the packs that failed to load came from the default ./rules (no
 * pack named, no --rules, no $CREDEX_RULES), says so on stderr with which
 * packs loaded and which failed, and how to choose others. */
void cli_explain_default_rules(const cli *c, const char *const *paths, size_t n,
                               const cx_diagnostics *d);

/* Loads the rule packs for a decision command against an open registry;
 * prints errors (not warnings) and returns 3 when any pack has one. */
int cli_load_rules(cli *c, cx_registry *r, cx_rules **out);

/* The pack trust set of --pack-trust and --require-signed-packs, read
 * once (kept in c, freed by main); *out NULL without --pack-trust. A usage
 * error for --require-signed-packs alone; reports and returns errors. */
int cli_pack_trust(cli *c, const cx_pack_trust **out);

/* Writes today's local date, YYYY-MM-DD (the default as-of date; read
 * once, when the command starts). */
void cli_today(char out[11]);

/* The as-of date: --as-of, else today. */
const char *cli_as_of(const cli *c);

/* Writes decisions in the chosen format and returns the exit code they
 * call for: 3 when any is an error, else 1 when --fail-unless is given
 * and any status differs from it, else 0. */
int cli_write_decisions(const cli *c, cx_decision *const *v, size_t n);

/* With --log, records the decisions (cli_log_decisions) after writing
 * them (cli_write_decisions): a decision is printed even when the log
 * cannot take it, and then the log's error is reported and returned. */
int cli_write_and_log(const cli *c, cx_registry *r, const cx_rules *rules, cx_decision *const *v,
                      size_t n);

/* A usage error unless --fail-unless (when given) names a status. */
int cli_check_fail_unless(cli *c);

/* With --log, records the decisions made with rules in the registry's
 * decision log, all in one transaction (cmd_log.c); reports and returns
 * the error code on failure. Does nothing without --log. */
int cli_log_decisions(const cli *c, cx_registry *r, const cx_rules *rules, cx_decision *const *v,
                      size_t n);

/* The same in steps, for decisions that arrive one by one: with --log,
 * *log is a new batch (NULL without --log); cli_log_end commits it or
 * rolls it back (accepts NULL). Both report and return errors. */
int cli_log_begin(const cli *c, cx_registry *r, const cx_rules *rules, cx_log **log);
int cli_log_end(cx_log *log, int commit);

/* The flags a decision command opens the registry with: read-only, or
 * read-write with --log. */
int cli_decide_flags(const cli *c);

/* Prints what an import defines ("6 jurisdictions, 1 group, ..."), first
 * before the first item and ", " between; 0 when it defines nothing. */
int cli_print_counts(const cx_import_stats *s, const char *first);

/* The commands. */
int cmd_init(cli *c);
int cmd_import(cli *c);
int cmd_show(cli *c);
int cmd_check(cli *c);
int cmd_equiv(cli *c);
int cmd_transfer(cli *c);
int cmd_audit(cli *c);
int cmd_test(cli *c);
int cmd_log(cli *c);
int cmd_replay(cli *c);
int cmd_whatif(cli *c);
int cmd_diff(cli *c);
int cmd_list(cli *c);
int cmd_export(cli *c);
int cmd_draft(cli *c);
int cmd_fsck(cli *c);
int cmd_backup(cli *c);
int cmd_serve(cli *c);
int cmd_token(cli *c);
int cmd_next(cli *c);
int cmd_graph(cli *c);
int cmd_keys(cli *c);
int cmd_pack(cli *c);
int cmd_issue(cli *c);

/* The HTTP server of credex serve (serve_http.c, the only file that
 * includes microhttpd.h): a cx_service on libmicrohttpd's thread pool. */
typedef struct serve_http serve_http;

typedef struct serve_http_options {
    const char *listen;       /* "HOST:PORT", HOST an IPv4 address; PORT 0 picks a free one */
    unsigned threads;         /* pool threads (1..256) */
    uint64_t max_body;        /* a request body over this is refused with 413 while read */
    unsigned timeout;         /* seconds a connection may be idle, headers included */
    unsigned max_connections; /* connections held at once; more wait in the kernel's queue */
    cx_log_line_fn log;       /* one line per request (cx_service_log_json); or NULL */
    void *log_ud;             /* passed to log */
} serve_http_options;

/* Starts serving svc (which must outlive the server). CX_EUSAGE for a bad
 * listen address, or one that is not loopback (127.0.0.0/8) when svc has
 * no tokens; CX_EINPUT when the address cannot be bound (in use, not this
 * machine's); CX_ENOMEM. */
int serve_http_start(cx_service *svc, const serve_http_options *opt, serve_http **out,
                     cx_error *err);

/* The address bound, "127.0.0.1:8787" (the real port when 0 was asked). */
const char *serve_http_address(const serve_http *srv);

/* Drains: stops accepting, answers 503 to requests that begin on open
 * connections, lets the requests in flight finish, then stops and frees
 * srv (accepts NULL). */
void serve_http_stop(serve_http *srv);

/* Prints a what-if or diff report in c's format (cmd_whatif.c); returns
 * the exit code it calls for: 3 when a transition is from or to error. */
int cli_print_whatif(const cli *c, const char *title, const cx_whatif_report *rep);

#endif
