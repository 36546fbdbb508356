/*
 * cli.h -- what the command files of the credex CLI share: the parsed
 * command line, the command table, and small helpers for reporting. The
 * CLI is a client of credex.h only; it holds no engine logic.
 */
#ifndef CX_CLI_H
#define CX_CLI_H

#include <stdio.h>

#include "credex.h"

/* Option bits: which options a command accepts. */
enum {
    OPT_DB = 1 << 0,
    OPT_FORMAT = 1 << 1,
    OPT_RULES = 1 << 2,
    OPT_AS_OF = 1 << 3,
    OPT_EXPLAIN = 1 << 4,
    OPT_JOBS = 1 << 5,
    OPT_QUIET = 1 << 6,
    OPT_IN = 1 << 7,
    OPT_HOLDER = 1 << 8,
    OPT_FROM = 1 << 9,
    OPT_TO = 1 << 10,
    OPT_FAIL_UNLESS = 1 << 11,
    OPT_STACK = 1 << 12,
    OPT_ALL = 1 << 13,
    OPT_COVERAGE = 1 << 14,
    OPT_LOG = 1 << 15,
    OPT_SUMMARY = 1 << 16,
    OPT_TYPE = 1 << 17, /* list filters */
    OPT_TAG = 1 << 18,
    OPT_JURISDICTION = 1 << 19,
    OPT_PROVIDER = 1 << 20,
    OPT_ONLY = 1 << 21,         /* export */
    OPT_SKIP_INVALID = 1 << 22, /* import */
    OPT_REPORT = 1 << 23,
    OPT_LANG = 1 << 24, /* import: CTDL */
    OPT_ALLOW_PROVISIONAL = 1 << 25,
    OPT_ID_MAP = 1 << 26,
    OPT_TRUST = 1 << 27,
    OPT_ALLOW_UNVERIFIED = 1 << 28,
    OPT_HOLDERS = 1 << 29,
    OPT_CASCADE = 1 << 30
};

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
    char today[11];          /* the local date when the command started */
    char **args;             /* positional arguments after the command word */
    int nargs;
} cli;

typedef struct cli_command {
    const char *name;
    int (*run)(cli *c);
    unsigned options;    /* OPT_* bits accepted beyond the common ones */
    const char *formats; /* accepted --format values, e.g. "text json" */
    const char *usage;   /* "credex import FILE..." */
    const char *summary; /* one line for the command list */
    const char *help;    /* the rest of `credex CMD --help` */
} cli_command;

/* The command table (main.c). */
extern const cli_command cli_commands[];

/* Prints "credex: " + the located error to stderr; returns err->code. */
int cli_report(const cx_error *err);

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

/* Opens the registry named by c->db with flags; reports and returns the
 * error code on failure. */
int cli_open(const cli *c, int flags, cx_registry **out);

/* A progress callback that draws a bar on stderr when it is a terminal
 * (ud: the cli). cli_progress_done clears the line. */
void cli_progress(void *ud, const char *what, uint64_t done, uint64_t total);
void cli_progress_done(void);

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

/* Writes today's local date, YYYY-MM-DD (the default as-of date; read
 * once, when the command starts). */
void cli_today(char out[11]);

/* The as-of date: --as-of, else today. */
const char *cli_as_of(const cli *c);

/* Writes decisions in the chosen format and returns the exit code they
 * call for: 3 when any is an error, else 1 when --fail-unless is given
 * and any status differs from it, else 0. */
int cli_write_decisions(const cli *c, cx_decision *const *v, size_t n);

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

/* Prints a what-if or diff report in c's format (cmd_whatif.c); returns
 * the exit code it calls for: 3 when a transition is from or to error. */
int cli_print_whatif(const cli *c, const char *title, const cx_whatif_report *rep);

#endif
