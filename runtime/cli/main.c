/*
 * main.c -- the credex command: parses the command line (options before
 * or after the command word), prints help, and dispatches to one file per
 * command. It uses credex.h only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

const cli_command cli_commands[] = {
    {"init", cmd_init, OPT_DB | OPT_QUIET | OPT_BUSY_TIMEOUT, "text",
     "credex init [--db PATH] [--busy-timeout SECONDS] [--quiet]",
     "create the registry, or migrate it to this credex's schema",
     "Creates an empty registry (a SQLite file) at --db, $CREDEX_DB or ./credex.db,\n"
     "or brings an existing one up to this credex's schema version. Running it\n"
     "twice is harmless.\n"
     "\n"
     "Example:\n"
     "  credex --db /tmp/ev.db init\n"},
    {"import", cmd_import,
     OPT_DB | OPT_FORMAT | OPT_QUIET | OPT_JURISDICTION | OPT_SKIP_INVALID | OPT_REPORT |
         OPT_PROVIDER | OPT_LANG | OPT_ALLOW_PROVISIONAL | OPT_ID_MAP | OPT_TRUST |
         OPT_ALLOW_UNVERIFIED | OPT_HOLDERS | OPT_CASCADE | OPT_LIMITS | OPT_BUSY_TIMEOUT |
         OPT_SYNC,
     "text json",
     "credex import FILE... [--db PATH] [--format text|json] [--jurisdiction J]\n"
     "       [--skip-invalid] [--report FILE] [--quiet]\n"
     "       [--provider P] [--lang TAG] [--allow-provisional] [--id-map FILE]\n"
     "       [--trust FILE] [--holders FILE] [--allow-unverified] [--cascade]\n"
     "       [--max-input-bytes N] [--max-scalar-bytes N] [--max-list-items N]\n"
     "       [--busy-timeout SECONDS] [--sync full|normal]",
     "load catalogs, CSV award lists, CTDL, Open Badges and CLRs (one transaction)",
     "Reads catalog files (YAML, format version 1: docs/catalog.md), CSV award\n"
     "lists, CTDL documents, and Open Badges 3.0 / 2.0 and CLR 2.0 credentials as\n"
     "JSON or compact JWS (docs/interop.md), told apart by their content, and\n"
     "writes them into the registry as one transaction. References resolve across\n"
     "all the files and what earlier imports loaded; an entity whose id is already\n"
     "in the registry is replaced, except that the awards of a CSV or badge holder\n"
     "join those it has, and a badge's provider and credential are created only\n"
     "when new. Any error -- named with file:line:column, file:line and the CSV\n"
     "column, or file and JSON Pointer -- leaves the registry exactly as it was.\n"
     "Creates the registry if it does not exist.\n"
     "Progress is shown on a terminal. --format json writes the summary as one JSON\n"
     "object (docs/json.md); --quiet leaves out the text summary.\n"
     "\n"
     "  --jurisdiction J   create CSV holders the registry lacks in jurisdiction J\n"
     "                     (when the row gives no holder_jurisdiction); CTDL: the\n"
     "                     jurisdiction of a credential that names none; badges:\n"
     "                     the providers of badges whose issuer has no address\n"
     "  --skip-invalid     leave out a CSV row, a CTDL node or a CLR item with an\n"
     "                     error, and report it, instead of failing the import\n"
     "  --report FILE      write each row left out, and each value set aside, as a\n"
     "                     JSON Lines record {file, pointer, line, key, why}\n"
     "                     (docs/interop.md)\n"
     "  --provider P       CTDL: the provider of a credential that names no owner\n"
     "                     (created when the registry lacks it)\n"
     "  --lang TAG         CTDL: the language read from language maps (en-US)\n"
     "  --allow-provisional  CTDL: import a provisional graph instead of refusing it\n"
     "  --id-map FILE      CTDL: a CSV file 'iri,id' naming the id an IRI becomes\n"
     "  --trust FILE       the issuers and keys whose signatures are trusted: VC-JWTs\n"
     "                     are verified against them, and a Credential Registry\n"
     "                     envelope's key must be one of them (docs/interop.md)\n"
     "  --holders FILE     CSV identity,holder: the holders of Open Badges 2.0\n"
     "                     recipients (hashed identities are recomputed)\n"
     "  --allow-unverified import what credex cannot verify (a badge's proof, a\n"
     "                     signature no trust entry vouches for) as unverified\n"
     "  --cascade          a catalog's remove: also removes the awards (and\n"
     "                     exceptions, competency links) that refer to what it\n"
     "                     removes, and reports them, instead of refusing\n"
     "  --max-input-bytes N   the largest file read (default 1G; K, M, G suffixes)\n"
     "  --max-scalar-bytes N  the longest value (default 1M)\n"
     "  --max-list-items N    the most items in one list (default 100000000)\n"
     "                     (docs/security.md, \"Input limits\")\n"
     "  --busy-timeout SECONDS  how long to wait while another process writes the\n"
     "                     registry (default 60); then exit 4 naming that writer\n"
     "  --sync full        sync the write-ahead log at commit, so the import survives\n"
     "                     a power cut (slower); normal, the default, may lose the\n"
     "                     last import but never corrupts (docs/security.md)\n"
     "\n"
     "Exit codes: 0 imported; 2 usage; 3 bad catalog; 4 registry error.\n"
     "\n"
     "Example:\n"
     "  credex --db /tmp/ev.db import examples/ev-mechanic/catalog.yaml\n"},
    {"show", cmd_show, OPT_DB | OPT_FORMAT | OPT_QUIET, "text json",
     "credex show (credential|holder|group) ID [--db PATH] [--format text|json] [--quiet]",
     "inspect one credential, holder (with awards) or group (with memberships)",
     "Prints what the registry holds for one entity: a credential with its\n"
     "competencies, tags, codes and attributes; a holder with attributes and\n"
     "awards; a group with its dated memberships. --format json prints one compact\n"
     "JSON object (docs/json.md). An unknown id exits 2 and suggests the nearest.\n"
     "\n"
     "Examples:\n"
     "  credex show holder h-tx-0001\n"
     "  credex show credential TX-EVS-101 --format json\n"
     "  credex show group EVC\n"},
    {"check", cmd_check,
     OPT_DB | OPT_RULES | OPT_FORMAT | OPT_QUIET | OPT_PACK_SIGNING | OPT_NO_CACHE, "text json",
     "credex check [PACK|DIR...] [--rules PATH] [--db PATH] [--format text|json] [--quiet]\n       "
     "[--pack-trust FILE] [--require-signed-packs] [--no-cache]",
     "load rule packs, resolve every reference against the registry, and lint them",
     "Loads each rule pack (a .lua file; a directory means every .lua below it, in\n"
     "byte order of path) in the sandbox and compiles it against the registry:\n"
     "every field name and type, every date, duration and regular expression, and\n"
     "every credential, jurisdiction, group and provider id (an unknown id suggests\n"
     "the nearest). Stacks must confer a registry credential and must not depend on\n"
     "each other in a cycle; rule ids must be unique across packs.\n"
     "\n"
     "Errors and warnings are printed as file:line: error|warning: message. Warnings:\n"
     "a selector that matches no credential, a recognize rule a deny always\n"
     "overrides, a pack without version or authority, a min_grade no award can meet\n"
     "(no grade_scale, or a grade not on it), and a check that trips a counted limit\n"
     "on a probe holder (one with no awards, one with an award of each credential\n"
     "the rule names), at the line of its function. --format json writes them\n"
     "to stdout as JSON Lines, one object per diagnostic and a summary object\n"
     "(docs/json.md); --quiet leaves out the text summary line.\n"
     "\n"
     "Without PACK arguments the packs come from --rules, then $CREDEX_RULES\n"
     "(colon-separated), then ./rules.\n"
     "\n"
     "Exit codes: 0 no errors (warnings allowed); 2 usage; 3 a pack has an error;\n"
     "4 registry error.\n"
     "\n"
     "Example:\n"
     "  credex --db /tmp/ev.db check examples/ev-mechanic/rules\n"},
    {"test", cmd_test, OPT_COVERAGE | OPT_FORMAT | OPT_QUIET | OPT_LIMITS | OPT_PACK_SIGNING,
     "text json junit",
     "credex test [FILE|DIR...] [--coverage] [--format text|json|junit] [--quiet]\n"
     "       [--max-input-bytes N] [--max-scalar-bytes N] [--max-list-items N]\n       "
     "[--pack-trust FILE] [--require-signed-packs]",
     "run rule tests (*.test.yaml); the last line is \"N passed, M failed\"",
     "Runs rule tests: YAML files that state what rule packs must decide. A DIR\n"
     "means every *.test.yaml below it, recursively, in byte order of path; without\n"
     "arguments, ./rules. Paths inside a test file are relative to its folder.\n"
     "\n"
     "Each case runs against a private in-memory registry: the file's catalogs plus\n"
     "the case's holder (the fields of a catalog holder; id defaults to test-holder,\n"
     "and an existing id is replaced for that case only), with the packs compiled\n"
     "against it. A case may override as_of, catalog and rules. expect is one\n"
     "mapping or a list of them; the case passes when every expectation holds:\n"
     "\n"
     "  check:    { status: ok|error, message: REGEX }  the packs load, or fail to\n"
     "            with a first error (as credex check prints it) matching REGEX\n"
     "  audit:    { stack: ID, status: met|in_progress|not_started|error,\n"
     "              issued: DATE, expires: DATE, missing: [...], used: [...] }\n"
     "  equiv:    { from: A, to: B, in: J, status: equivalent|partial|not_equivalent|error,\n"
     "              coverage: 0.8, missing: [...] }\n"
     "  transfer: { credential: C, from: J1, to: J2,\n"
     "              status: accepted|conditional|denied|not_recognized|error, missing: [...] }\n"
     "  transfer: { award: C, to: J2, status: ... }    the case holder's award of C\n"
     "  next:     [{ stack: ID, add: [C, ...], hours: H }, ...]  the case holder's\n"
     "            whole `credex next` ranking, in order (or { stacks: [...], soc: CODE,\n"
     "            tag: T, limit: N })\n"
     "\n"
     "Fields other than the subject and status are checked only when given; lists\n"
     "compare as sets. Unknown keys are errors, located at file:line:column.\n"
     "\n"
     "Output: a line per failing case, FILE:LINE: FAIL NAME: DIFFERENCE, and the\n"
     "located error of any test file, catalog or pack that cannot be read (each\n"
     "counts as a failed case); the last line is \"N passed, M failed\".\n"
     "\n"
     "--coverage adds, before that line, how many rules and requirement leaves\n"
     "(slots, totals, holder_attr, check) the checked decisions exercised, and a\n"
     "line per one no case exercised, FILE:LINE: rule ID (KIND) or requirement\n"
     "PATH in KIND ID (docs/rule-tests.md).\n"
     "\n"
     "--format json writes JSON Lines instead: one object per case (passed ones\n"
     "too), the coverage, and a summary (docs/json.md). --format junit writes JUnit\n"
     "XML for CI systems: a testsuite per test file, a testcase per case, a failure\n"
     "with the difference. --quiet leaves out the \"N passed, M failed\" line.\n"
     "\n"
     "--max-input-bytes, --max-scalar-bytes and --max-list-items cap each test file\n"
     "and catalog as for import (docs/security.md).\n"
     "\n"
     "Exit codes: 0 every case passed; 1 a case failed; 2 usage; 3 a test file,\n"
     "catalog or pack could not be read.\n"
     "\n"
     "Example (rules/ca-ev/ca-ev.test.yaml):\n"
     "  catalog: [../../examples/ev-mechanic/catalog.yaml]\n"
     "  rules:   [.]\n"
     "  as_of:   2026-06-01\n"
     "  tests:\n"
     "    - name: the packs load\n"
     "      expect: { check: { status: ok } }\n"
     "    - name: core + two electives complete the certificate\n"
     "      holder:\n"
     "        awards:\n"
     "          - { credential: CA-EVS-101, issued: 2025-09-01 }\n"
     "          - { credential: CA-EVB-201, issued: 2025-12-01 }\n"
     "      expect: { audit: { stack: CA-EV-TECH, status: met } }\n"
     "\n"
     "  credex test rules/ca-ev\n"},
    {"equiv", cmd_equiv,
     OPT_DB | OPT_RULES | OPT_AS_OF | OPT_FORMAT | OPT_EXPLAIN | OPT_IN | OPT_FAIL_UNLESS |
         OPT_JOBS | OPT_LOG | OPT_QUIET | OPT_BUSY_TIMEOUT | OPT_PACK_SIGNING | OPT_NO_CACHE,
     "text json",
     "credex equiv A B [--in J] [--rules PATH] [--db PATH] [--as-of DATE] [--explain] "
     "[--format text|json] [--fail-unless STATUS] [--jobs N] [--log] [--busy-timeout SECONDS] "
     "[--quiet]\n       [--pack-trust FILE] [--require-signed-packs] [--no-cache]",
     "does credential A count as credential B (in jurisdiction J)?",
     "Decides whether a hypothetical award of A, issued on the as-of date, counts as\n"
     "B under the rule packs: counts_as and equivalent rules, and computed\n"
     "equivalences (competency coverage, or a predicate). With --in J, rules scoped\n"
     "with `within` apply when J is inside their scope; without it, only rules with\n"
     "no scope apply. Equivalence is not transitive unless a rule says so.\n"
     "\n"
     "Status: equivalent, partial (a coverage rule applied but its threshold is not\n"
     "reached: covered/total and the missing competencies are shown), not_equivalent,\n"
     "or error (a rule failed). --explain prints every rule considered.\n"
     "\n"
     "--log records the decision in the registry's decision log, with the packs that\n"
     "made it (see credex log, credex replay). The decision is printed even when the\n"
     "log cannot take it (another process kept the registry locked for longer than\n"
     "--busy-timeout, default 60 s); the failure is reported and the exit code is 4.\n"
     "\n"
     "Exit codes: 0; 1 with --fail-unless STATUS when the status differs; 2 usage or\n"
     "an unknown id; 3 a pack cannot be loaded, or the decision is an error; 4 the\n"
     "decision log could not be written.\n"
     "\n"
     "Examples:\n"
     "  credex equiv TX-EVS-101 CA-EVS-101 --in US-CA --rules examples/ev-mechanic/rules\n"
     "  credex equiv NV-EVD-2 CA-EVD-202 --in US-CA --as-of 2026-06-01 --format json\n"},
    {"transfer", cmd_transfer,
     OPT_DB | OPT_RULES | OPT_AS_OF | OPT_FORMAT | OPT_EXPLAIN | OPT_HOLDER | OPT_FROM | OPT_TO |
         OPT_FAIL_UNLESS | OPT_JOBS | OPT_LOG | OPT_QUIET | OPT_BUSY_TIMEOUT | OPT_AWARD |
         OPT_PACK_SIGNING | OPT_NO_CACHE,
     "text json",
     "credex transfer --holder H [--award A] --to J | credex transfer CRED --from J1 --to J2 "
     "[--rules PATH] [--db PATH] [--as-of DATE] [--explain] [--format text|json] "
     "[--fail-unless STATUS] [--jobs N] [--log] [--busy-timeout SECONDS] [--quiet]\n       "
     "[--pack-trust FILE] [--require-signed-packs] [--no-cache]",
     "is a credential earned in one jurisdiction recognised in another, on a date?",
     "With --holder, decides each of the holder's awards (renewed; awards issued\n"
     "after the as-of date do not exist yet) into J; with --award A as well, only\n"
     "the award whose id is A, or the holder's awards of credential A (none: exit\n"
     "2, with the nearest of the holder's awards). With CRED --from J1, decides a\n"
     "hypothetical active award of CRED issued in J1 on the as-of date, with no\n"
     "holder: recognitions with requirements then come out conditional.\n"
     "\n"
     "The order of decision: an award not valid on the date (revoked, suspended,\n"
     "expired) is denied; one issued in J is accepted; a deny overrides; a recognize\n"
     "whose requirements are met accepts; unmet requirements make it conditional,\n"
     "with what is missing; else not_recognized, with the near misses: rules that\n"
     "failed on exactly one clause, and why (\"US-CT joined EVC on 2025-10-01; as-of\n"
     "is 2025-06-01\").\n"
     "\n"
     "--log records the decisions in the registry's decision log (credex log).\n"
     "\n"
     "Exit codes as for equiv.\n"
     "\n"
     "Examples:\n"
     "  credex transfer --holder h-tx-0001 --to US-CA --as-of 2026-06-01\n"
     "  credex transfer --holder h-tx-0001 --award TX-EVB-201 --to US-CA\n"
     "  credex transfer TX-EVS-101 --from US-TX --to US-CA --as-of 2025-08-01\n"},
    {"audit", cmd_audit,
     OPT_DB | OPT_RULES | OPT_AS_OF | OPT_FORMAT | OPT_EXPLAIN | OPT_HOLDER | OPT_STACK |
         OPT_FAIL_UNLESS | OPT_ALL | OPT_JOBS | OPT_QUIET | OPT_LOG | OPT_SUMMARY | OPT_MAX_TRIPS |
         OPT_BUSY_TIMEOUT | OPT_PACK_SIGNING | OPT_NO_CACHE | OPT_SHARD,
     "text json csv",
     "credex audit --holder H [--stack S] | credex audit --all [--stack S] [--jobs N] "
     "[--summary] [--rules PATH] [--db PATH] [--as-of DATE] [--explain] "
     "[--format text|json|csv] [--fail-unless STATUS] [--log] [--busy-timeout SECONDS] "
     "[--quiet] [--max-trips N]\n       [--pack-trust FILE] [--require-signed-packs] [--no-cache] "
     "[--shard K/N]",
     "stacking progress: which stacks a holder has met, and what is missing",
     "Audits each stack of the rule packs (or only --stack S) for holder H: the\n"
     "holder's awards counted in the stack's jurisdiction (valid on the as-of date,\n"
     "renewed, issued there or recognised there, plus credentials derived by other\n"
     "stacks), allocated to the stack's slots without double counting, the window,\n"
     "and the holder's exceptions (waivers, substitutions).\n"
     "\n"
     "With --all, every holder of the registry, on --jobs worker threads (default:\n"
     "the number of cores), in byte order of holder then stack: the output is the\n"
     "same for any --jobs. A progress bar is drawn on a terminal (not with --quiet).\n"
     "--format csv writes holder,stack,status,issued,expires,missing.\n"
     "\n"
     "--all --summary writes counts instead of decisions: a line with the as-of\n"
     "date and the number of holders, then per stack how many holders have met it,\n"
     "are in progress, not started, or got an error (--format json: one object per\n"
     "stack). Only statuses are decided, so it is the fastest way to see a whole\n"
     "registry; exit code 3 when any status is error.\n"
     "\n"
     "Status: met (with the conferred credential's issue and expiry dates),\n"
     "in_progress or not_started (with what the smallest completion still needs,\n"
     "each with its gap: how much more, which credentials could fill it, which\n"
     "awards would have counted but expired), or error. --explain (text) adds the\n"
     "requirement tree: each requirement met, partly or not, with its amounts and\n"
     "the awards used in it.\n"
     "\n"
     "--log records the decisions in the registry's decision log (credex log), all\n"
     "in one transaction, --all included.\n"
     "\n"
     "--max-trips N (default 100): with --all, when one rule's Lua trips a counted\n"
     "limit (instructions, memory, ...) in N decisions, the run stops with exit 3,\n"
     "naming the rule, the file:line of its function and the limit; the decisions\n"
     "written before the stop are whole.\n"
     "\n"
     "--shard K/N (with --all) decides only shard K of N: a contiguous range of the\n"
     "holders in id order, so that the outputs of shards 1..N, concatenated in order,\n"
     "are the whole run's, byte for byte (the CSV header comes from shard 1 only);\n"
     "--summary then counts the shard's holders, and the shards' counts add up.\n"
     "\n"
     "Exit codes as for equiv.\n"
     "\n"
     "Examples:\n"
     "  credex audit --holder h-ca-0001 --rules examples/ev-mechanic/rules --as-of 2026-06-01\n"
     "  credex audit --all --format csv --jobs 2 > audit.csv\n"
     "  credex audit --all --summary --as-of 2026-06-01\n"},
    {"list", cmd_list,
     OPT_DB | OPT_FORMAT | OPT_RULES | OPT_TYPE | OPT_TAG | OPT_JURISDICTION | OPT_PROVIDER |
         OPT_QUIET | OPT_PACK_SIGNING,
     "text json csv",
     "credex list (credentials|holders|groups|stacks|providers) [--type T] [--tag T]\n"
     "       [--jurisdiction J] [--provider P] [--rules PATH] [--db PATH]\n"
     "       [--format text|json|csv] [--quiet]\n"
     "       [--pack-trust FILE] [--require-signed-packs]",
     "list credentials, holders, groups, providers, or the stacks of the rules",
     "Lists one kind of entity, sorted by id (byte order): credentials (id, name,\n"
     "type, provider, jurisdiction), holders (id, jurisdiction, awards), groups (id,\n"
     "name, members), providers (id, name, jurisdiction), or the stacks the rule\n"
     "packs define (id, name, jurisdiction, pack, file, line; packs from --rules,\n"
     "$CREDEX_RULES or ./rules, compiled against the registry; --pack-trust FILE\n"
     "and --require-signed-packs check their signatures first, as for check).\n"
     "\n"
     "Filters: --type, --tag and --provider apply to credentials; --jurisdiction\n"
     "to every kind (for groups: a member jurisdiction, at any date). A filter that\n"
     "does not apply to the kind is a usage error; an unknown jurisdiction or\n"
     "provider id exits 2 and suggests the nearest.\n"
     "\n"
     "--format text aligns columns under a header (\"-\" for a value not given);\n"
     "json writes one object per row (JSON Lines, keys in the order above, absent\n"
     "values left out); csv writes a header then RFC 4180 rows. See docs/json.md.\n"
     "\n"
     "Exit codes: 0; 2 usage; 3 a rule pack cannot be loaded (stacks); 4 registry\n"
     "error.\n"
     "\n"
     "Examples:\n"
     "  credex list credentials --tag ev --jurisdiction US-TX\n"
     "  credex list stacks --rules examples/ev-mechanic/rules --format json\n"},
    {"export", cmd_export, OPT_DB | OPT_FORMAT | OPT_ONLY | OPT_HOLDER | OPT_QUIET, "yaml csv",
     "credex export [--only credentials|holders|awards|jurisdictions|groups|providers|\n"
     "       frameworks|competencies|exceptions] [--holder H] [--db PATH]\n"
     "       [--format yaml|csv] [--quiet]",
     "write the registry as a catalog (YAML), or its awards as CSV",
     "Writes what the registry holds to stdout as a version-1 catalog\n"
     "(docs/catalog.md): sections and keys in the format's order, ids in byte order,\n"
     "strings quoted only where YAML would read them otherwise, defaults left out.\n"
     "Importing it into an empty registry and exporting again gives the same bytes.\n"
     "\n"
     "--only writes one section: frameworks come with their competencies\n"
     "(competencies: only the frameworks that have some), holders with their\n"
     "attributes and awards (awards: only the holders that have some). --holder H\n"
     "writes only holder H and H's exceptions (with --only holders, awards or\n"
     "exceptions: that part of them). --format csv writes the awards instead, one\n"
     "row per award in the columns `credex import` reads: holder, credential,\n"
     "issued, expires, jurisdiction, hours, status, grade, evidence, then\n"
     "result.KEY for every result key, in byte order.\n"
     "\n"
     "Exit codes: 0; 1 the output could not be written; 2 usage or an unknown holder;\n"
     "4 registry error.\n"
     "\n"
     "Examples:\n"
     "  credex export > catalog.yaml\n"
     "  credex export --only credentials\n"
     "  credex export --holder h-ca-0001 --format csv > awards.csv\n"},
    {"draft", cmd_draft, OPT_QUIET | OPT_OUTPUT, "text",
     "credex draft FILE... [--output FILE | -o FILE] [--quiet]",
     "draft a Lua rule pack from CTDL requirements and CLR associations",
     "Writes a rule pack drafted from CTDL files and CLR 2.0 credentials\n"
     "(docs/interop.md \"Drafting\"), with the ids `credex import` gives: stacks\n"
     "from requires and isRequiredFor profiles (credit values as hours or sum),\n"
     "pathways, and hasPart/isPartOf and CLR parent/child associations (marked\n"
     "REVIEW); counts_as from TransferValueProfiles and CLR replacedBy, equivalent\n"
     "from CLR exactMatchOf. What credex cannot express is a MANUAL comment. The\n"
     "same files give the same bytes, in any order. Reads no registry.\n"
     "\n"
     "  --output FILE, -o FILE  write the pack to FILE (through a temporary file\n"
     "                          beside it, renamed when complete: a failed draft\n"
     "                          leaves FILE as it was); default: stdout\n"
     "\n"
     "Exit codes: 0; 1 the output could not be written; 2 usage; 3 a file is\n"
     "neither CTDL nor a CLR.\n"
     "\n"
     "Examples:\n"
     "  credex draft cert.json courses.json > draft.lua\n"
     "  credex draft pathway.json transcript.json -o rules/draft.lua\n"},
    {"log", cmd_log, OPT_DB | OPT_FORMAT | OPT_QUIET | OPT_IMPORTS, "text json",
     "credex log [--imports] [--db PATH] [--format text|json] [--quiet]",
     "list the decisions recorded with --log",
     "Lists the decisions that equiv, transfer and audit recorded with --log, oldest\n"
     "first: id, when logged (UTC), kind, as-of date, status and subject. Each was\n"
     "logged with its decision JSON, the sha256 of every rule pack it was made with\n"
     "(the sources are kept in the registry), the registry's content version and\n"
     "the credex version. --format json writes one object per decision:\n"
     "{id, created, kind, subject, as_of, status}. --quiet leaves out the summary\n"
     "line. See docs/log.md.\n"
     "\n"
     "--imports lists the import history instead: per import its id, when (UTC),\n"
     "the operating-system user, the content version it made, what it defined, and\n"
     "its files with their SHA-256; --format json: one import_record object each\n"
     "(docs/json.md). credex fsck checks the registry against the last of them.\n"
     "\n"
     "Exit codes: 0; 2 usage; 4 registry error.\n"
     "\n"
     "Example:\n"
     "  credex equiv TX-EVS-101 CA-EVS-101 --in US-CA --log\n"
     "  credex log\n"},
    {"replay", cmd_replay,
     OPT_DB | OPT_RULES | OPT_EXPLAIN | OPT_QUIET | OPT_PACK_SIGNING | OPT_NO_CACHE, "text",
     "credex replay ID [--rules PATH] [--db PATH] [--explain] [--quiet]\n       [--pack-trust "
     "FILE] [--require-signed-packs] [--no-cache]",
     "make a logged decision again and say whether it still holds, and what changed",
     "Makes logged decision ID again with the rule packs it was logged with (their\n"
     "stored sources), on the registry as it is now, and compares the result with\n"
     "the logged decision. With --rules, it is also made with those packs, the\n"
     "packs of today, compared by sha256 with the logged ones.\n"
     "\n"
     "When the decision differs, replay says what changed: registry data (the\n"
     "content version then and now), the engine (the credex version), or packs\n"
     "(each pack whose source differs, with both sha256s, or that was added or\n"
     "removed). --explain prints the decision JSON as logged and as made now.\n"
     "\n"
     "Exit codes: 0 it holds; 1 it no longer holds; 2 usage or no such ID; 3 the\n"
     "--rules packs cannot be loaded; 4 registry error.\n"
     "\n"
     "Example:\n"
     "  credex replay 1 --rules examples/ev-mechanic/rules\n"},
    {"whatif", cmd_whatif,
     OPT_DB | OPT_RULES | OPT_AS_OF | OPT_FORMAT | OPT_JOBS | OPT_QUIET | OPT_MAX_TRIPS |
         OPT_LIMITS | OPT_PACK_SIGNING | OPT_HOLDER_LINES | OPT_NO_CACHE | OPT_SHARD,
     "text json csv html",
     "credex whatif CHANGE.yaml [--rules PATH] [--db PATH] [--as-of DATE] "
     "[--format text|json|csv|html] [--jobs N] [--quiet] [--max-trips N]\n"
     "       [--max-input-bytes N] [--max-scalar-bytes N] [--max-list-items N] [--holders]\n       "
     "[--pack-trust FILE] [--require-signed-packs] [--no-cache] [--shard K/N]",
     "impact of a catalog change on every holder, equivalence and recognition",
     "Reads a change file -- a catalog fragment (an entity whose id is in the\n"
     "registry replaces it) plus `remove: { credentials: [...], competencies: [...],\n"
     "memberships: [{ group, jurisdiction }] }` and `rules: DIR` (packs to evaluate\n"
     "with instead of the current ones, relative to the change file) -- and applies\n"
     "it to an in-memory copy of the part of the registry it can affect. The\n"
     "registry itself is only read. Removing a credential removes its awards too.\n"
     "\n"
     "Every decision the change can affect is made before (the registry, the current\n"
     "packs) and after (the copy, the change's packs), and the transitions are\n"
     "reported: per stack, how many holders move between met, in_progress and\n"
     "not_started, with up to three example holders; which equivalences change\n"
     "(with competency coverage before and after); which recognitions change.\n"
     "--format json writes one object per transition group, {kind, subject, from,\n"
     "to, count, examples}; csv the same as rows. docs/whatif.md has the format and\n"
     "what is re-evaluated. --max-input-bytes, --max-scalar-bytes and\n"
     "--max-list-items cap the change file as for import (docs/security.md).\n"
     "\n"
     "--holders lists every affected holder instead of the groups: a line per holder\n"
     "and stack whose status moved, {holder, stack, from, to, because}, in text,\n"
     "json or csv (holder,stack,from,to,because). --format html writes one\n"
     "self-contained page: the summary, a chart of gains and losses, the\n"
     "transitions and every affected holder.\n"
     "\n"
     "--max-trips N (default 100): the run breaker, as for audit --all.\n"
     "\n"
     "--shard K/N audits only shard K of N of the registry's holders (as audit --all\n"
     "--shard; a holder the change adds goes to the shard its id falls in): --holders\n"
     "lines in json or csv (by holder, then stack) concatenate across shards into the\n"
     "whole run's (the CSV header from shard 1 only); a report is of the shard's\n"
     "holders and says so.\n"
     "\n"
     "Exit codes: 0 (whatever changed); 2 usage; 3 a bad change file (file:line:col),\n"
     "packs that do not load, a transition from or to error, or a run stopped by\n"
     "--max-trips; 4 registry error.\n"
     "\n"
     "Example:\n"
     "  credex whatif examples/curriculum-change/change.yaml --rules examples/ev-mechanic/rules\n"},
    {"diff", cmd_diff,
     OPT_DB | OPT_AS_OF | OPT_FORMAT | OPT_JOBS | OPT_QUIET | OPT_MAX_TRIPS | OPT_PACK_SIGNING |
         OPT_HOLDER_LINES | OPT_NO_CACHE | OPT_SHARD,
     "text json csv html",
     "credex diff OLD_RULES NEW_RULES [--db PATH] [--as-of DATE] [--format text|json|csv|html] "
     "[--jobs N] [--quiet] [--max-trips N] [--holders]\n       [--pack-trust FILE] "
     "[--require-signed-packs] [--no-cache] [--shard K/N]",
     "impact of a rule change on every holder, equivalence and recognition",
     "Compares two sets of rule packs (each a pack file or a directory) over one\n"
     "registry: every decision a changed rule can affect is made with OLD_RULES and\n"
     "with NEW_RULES, and the transitions are reported as by credex whatif;\n"
     "--holders, --format html and --shard K/N as for whatif.\n"
     "\n"
     "Exit codes as for whatif.\n"
     "\n"
     "Example:\n"
     "  credex diff examples/ev-mechanic/rules examples/curriculum-change/rules\n"},
    {"fsck", cmd_fsck, OPT_DB | OPT_QUIET, "text", "credex fsck [--db PATH] [--quiet]",
     "check the registry's integrity, values and tamper evidence",
     "Checks the registry file (PRAGMA integrity_check), every reference between\n"
     "its rows, its values (dates, award statuses, ids, competency parent cycles,\n"
     "expiry after issue and not past 9999-12-31), and each table against the\n"
     "SHA-256 digest the last import recorded: a table changed outside credex since\n"
     "then (with the sqlite3 tool, say) is named. Prints one line per problem, then\n"
     "\"N problems\" or \"clean\" (not with --quiet). See docs/security.md.\n"
     "\n"
     "Exit codes: 0 clean; 2 usage; 4 a problem was found, or the registry cannot be\n"
     "read.\n"
     "\n"
     "Example:\n"
     "  credex fsck --db /tmp/ev.db\n"},
    {"backup", cmd_backup, OPT_DB | OPT_QUIET | OPT_FORCE, "text",
     "credex backup FILE [--db PATH] [--force] [--quiet]",
     "copy the registry to FILE, consistent while others read and write it",
     "Copies the registry into a new registry file FILE with SQLite's online backup:\n"
     "one consistent state of the registry, even while other processes import or\n"
     "log decisions. The copy is written beside FILE and renamed onto it, so FILE\n"
     "is never half-written. An existing FILE is refused unless --force. The copy\n"
     "opens as a registry (--db FILE) and passes credex fsck. See docs/security.md.\n"
     "\n"
     "Exit codes: 0 copied; 2 usage, or FILE exists without --force; 4 registry\n"
     "error.\n"
     "\n"
     "Example:\n"
     "  credex backup /var/backups/credex-2026-06-01.db\n"},
    {"serve", cmd_serve,
     OPT_DB | OPT_RULES | OPT_LISTEN | OPT_TOKENS | OPT_THREADS | OPT_MAX_BODY | OPT_TIMEOUT |
         OPT_LOG | OPT_BUSY_TIMEOUT | OPT_MAX_TRIPS | OPT_PACK_SIGNING | OPT_ISSUER_KEY |
         OPT_ISSUER_ID | OPT_ISSUER_NAME | OPT_NO_CACHE,
     "text",
     "credex serve [--db PATH] [--rules PATH] [--listen HOST:PORT] [--tokens FILE]\n"
     "       [--threads N] [--max-body BYTES] [--timeout SECONDS] [--quiet]\n"
     "       [--log] [--busy-timeout SECONDS] [--max-trips N]\n       [--pack-trust FILE] "
     "[--require-signed-packs]\n"
     "       [--issuer-key FILE --issuer-id IRI --issuer-name NAME] [--no-cache]",
     "answer decisions and registry reads over HTTP (JSON)",
     "Serves the registry and the rule packs over HTTP (docs/serve.md): GET\n"
     "/v1/health, /v1/version, /v1/credentials, /v1/holders, /v1/groups (paged\n"
     "lists: ?type= &tag= &provider= &jurisdiction= &q= &limit= &after=) and\n"
     "/v1/credentials/ID (holders, groups likewise); POST /v1/equiv, /v1/transfer,\n"
     "/v1/audit, /v1/decisions (up to 1000, answered in order), /v1/whatif (a\n"
     "change file, YAML or JSON), /v1/diff ({\"packs\": [{file, source}]}) and\n"
     "/v1/admin/reload; GET / and /pages/ (the web pages) and /openapi.json.\n"
     "A decision's body is the JSON `--format json` prints; what-if and diff\n"
     "answer {\"transitions\": [...]}, the lines of `whatif --format json`.\n"
     "Errors are {\"error\": {\"code\", \"message\", \"pointer\"}} with statuses 400,\n"
     "401, 403, 404, 405, 413, 415, 429, 500, 503. Every response carries the header\n"
     "Credex-Content-Version. The first line on stderr is the address:\n"
     "\"credex serve: listening on http://127.0.0.1:PORT\"; then one JSON line per\n"
     "request {time, method, path, status, us, token} (a token's name, never it).\n"
     "\n"
     "--listen HOST:PORT   IPv4 address and port (default 127.0.0.1:8787; port 0\n"
     "                     picks a free one)\n"
     "--tokens FILE        tokens: [{name, sha256, scopes: [read, decide, whatif,\n"
     "                     admin, issue], jurisdictions: [...], rate}] (credex token new).\n"
     "                     Without it: loopback only, every request has every scope;\n"
     "                     any other address is refused\n"
     "--threads N          the server's pool threads (default: the cores)\n"
     "--max-body BYTES     a larger request body is refused with 413 (default 1M;\n"
     "                     K, M or G after the number)\n"
     "--timeout SECONDS    an idle or slow connection is closed after this (default 30)\n"
     "--quiet              only the address, errors and the request log on stderr (no\n"
     "                     notes on tokens, reloads and draining)\n"
     "--log                record every decision answered in the decision log, one\n"
     "                     batch per request, as the commands' --log does; when the\n"
     "                     log cannot take them (another process writing past\n"
     "                     --busy-timeout) the answer stands and the request's log\n"
     "                     line says why, with \"log_failures\" so far\n"
     "--busy-timeout SECONDS  how long --log waits for another writer (default 1)\n"
     "--max-trips N        what-if and diff: the run breaker, as on the commands\n"
     "--issuer-key FILE --issuer-id IRI --issuer-name NAME\n"
     "                     turn on POST /v1/issue (scope issue): {holder, stack,\n"
     "                     as_of} -> {\"jwt\"}, the badge `credex issue` makes,\n"
     "                     signed with this Ed25519 private JWK; 409 with the\n"
     "                     decision when the stack is not met. Without them it is 404\n"
     "--pack-trust FILE --require-signed-packs\n"
     "                     check the packs' signatures (docs/signing.md); FILE is read\n"
     "                     again at every reload, so a key added or removed counts then\n"
     "--no-cache           loads and reloads neither read nor write the snapshot cache\n"
     "                     beside the registry (docs/registry.md)\n"
     "\n"
     "At most 1024 connections are held at once (fewer when the open-files limit\n"
     "is lower); headers are limited to 32 KiB.\n"
     "SIGHUP (or POST /v1/admin/reload, scope admin) loads the registry snapshot and\n"
     "the packs again and swaps them in; requests in flight finish on the old ones,\n"
     "and packs (or a --pack-trust FILE) that fail to load are refused (the old ones\n"
     "stay, the reason goes to stderr). SIGTERM or SIGINT drains: no new\n"
     "connections, the requests in flight are answered, then the exit.\n"
     "\n"
     "Exit codes: 0 after SIGTERM; 2 usage (a non-loopback --listen without\n"
     "--tokens); 3 a pack or the tokens file cannot be read, or the address cannot\n"
     "be bound; 4 registry error.\n"
     "\n"
     "Examples:\n"
     "  credex serve --rules examples/ev-mechanic/rules --listen 127.0.0.1:8787\n"
     "  curl -s -d '{\"from\":\"TX-EVS-101\",\"to\":\"CA-EVS-101\",\"in\":\"US-CA\"}' \\\n"
     "       -H 'Content-Type: application/json' http://127.0.0.1:8787/v1/equiv\n"},
    {"token", cmd_token, OPT_SCOPES, "text", "credex token new NAME --scopes LIST [--quiet]",
     "make a token for credex serve",
     "Makes a fresh random token (32 bytes from the kernel, as hex after \"cxt_\")\n"
     "and prints it once on the first line, then the line to add under `tokens:`\n"
     "in the tokens file, which holds only the token's SHA-256. LIST is\n"
     "comma-separated: read (registry reads), decide (equiv, transfer, audit,\n"
     "decisions), whatif, admin (reload), issue (POST /v1/issue). Add\n"
     "`jurisdictions: [...]` or `rate: N` (requests per second) to the line to\n"
     "restrict the token (docs/serve.md).\n"
     "\n"
     "Exit codes: 0; 2 usage.\n"
     "\n"
     "Example:\n"
     "  credex token new state-portal --scopes read,decide\n"},
    {"next", cmd_next,
     OPT_DB | OPT_RULES | OPT_AS_OF | OPT_FORMAT | OPT_HOLDER | OPT_SOC | OPT_TAG | OPT_LIMIT |
         OPT_QUIET,
     "text json",
     "credex next --holder H [--soc CODE | --tag T] [--limit N] [--rules PATH] [--db PATH]\n"
     "       [--as-of DATE] [--format text|json] [--quiet]",
     "the stacks a holder is closest to completing, and what to earn for each",
     "Ranks the stacks of the rule packs that holder H has not met by what\n"
     "remains: for each, the cheapest set of credentials that, earned on the as-of\n"
     "date (each issued in its credential's jurisdiction, as `credex transfer CRED\n"
     "--from J` supposes), would make the stack's audit met -- the fewest\n"
     "credentials, then the fewest catalog hours, then the first when credentials\n"
     "are taken by hours, then id. Stacks rank likewise, then by stack id. Met\n"
     "stacks are not listed, nor stacks no set of credentials completes (a holder\n"
     "attribute, a check, a min_grade) or whose search would consider more than\n"
     "20000 sets. docs/rules.md, \"Next steps\".\n"
     "\n"
     "  --soc CODE   only stacks whose credential carries SOC or O*NET code CODE; an\n"
     "               O*NET code matches the SOC code it refines (49-3023.01, 49-3023)\n"
     "  --tag T      only stacks whose credential carries tag T\n"
     "  --limit N    list at most N stacks (default 5)\n"
     "\n"
     "Text: a line per stack (rank, stack, status, credentials and hours to add),\n"
     "then a line per credential to earn and what the audit says is missing now.\n"
     "--format json writes one object per stack (docs/json.md, \"next\").\n"
     "\n"
     "Exit codes: 0; 2 usage or an unknown holder; 3 a pack cannot be loaded, or the\n"
     "holder's audit of a stack is an error; 4 registry error.\n"
     "\n"
     "Example:\n"
     "  credex next --holder h-tx-0001 --rules examples/ev-mechanic/rules --as-of 2026-06-01\n"},
    {"graph", cmd_graph,
     OPT_DB | OPT_RULES | OPT_AS_OF | OPT_FORMAT | OPT_STACK | OPT_JURISDICTION | OPT_HOLDER |
         OPT_OUTPUT | OPT_QUIET | OPT_CREDENTIAL,
     "dot svg",
     "credex graph [--stack S | --credential C | --jurisdiction J] [--holder H]\n"
     "       [--format dot|svg] [--as-of DATE] [--output FILE] [--rules PATH] [--db PATH]\n"
     "       [--quiet]",
     "draw pathway maps: stacks, requirements, equivalences (DOT or SVG)",
     "Draws the rule packs as a pathway map (docs/graph.md): each credential a\n"
     "node (its id, name, type and jurisdiction; the shape says the type, a stack's\n"
     "credential is a 3-D box), each stack's requirements as a cluster of nodes\n"
     "(N of M, hour and attribute totals, the pack's labels and citation) with an\n"
     "edge from each part toward what it counts for, equivalences and recognitions\n"
     "as dashed edges labelled with the jurisdictions, renewals dotted, and a\n"
     "legend. The map is made from the compiled packs and the registry.\n"
     "\n"
     "--stack S draws S and the stacks it builds on; --credential C the stacks C\n"
     "is part of (or confers) and the rules that map C; --jurisdiction J the\n"
     "stacks of J; without them, every stack. --holder H colours what H has earned\n"
     "(an award valid on the as-of date, renewed), what has expired (or was\n"
     "revoked or suspended), what counts through another credential, and what the\n"
     "audit finds missing, as of --as-of (default today, as audit). Without\n"
     "--holder the map has no date unless --as-of is given, which then leaves out\n"
     "the rules not in effect that day.\n"
     "\n"
     "--format dot (the default) writes Graphviz DOT, made by credex; svg lays it\n"
     "out with Graphviz's library, in-process. The same packs, registry and options\n"
     "give the same bytes. -o FILE (--output) writes FILE, replaced only when\n"
     "complete.\n"
     "\n"
     "Exit codes: 0; 1 the output could not be written; 2 usage or an unknown id;\n"
     "3 a pack cannot be loaded; 4 registry error.\n"
     "\n"
     "Examples:\n"
     "  credex graph --stack CA-EV-TECH --rules examples/ev-mechanic/rules > ev.dot\n"
     "  credex graph --holder h-tx-0001 --as-of 2026-06-01 --format svg -o miguel.svg\n"},
    {"keys", cmd_keys, OPT_KID | OPT_OUT, "text", "credex keys new [--kid K] --out FILE [--quiet]",
     "make an Ed25519 signing key (a private JWK) and print its public JWK",
     "Makes a new Ed25519 private key from 32 bytes of the kernel's getrandom and\n"
     "writes it as a JSON Web Key to a new file FILE, readable by its owner only\n"
     "(mode 0600); an existing file is never replaced. Prints the public JWK on\n"
     "one line, ready to add to the keys of an issuer in a trust file. The kid is\n"
     "K, or else the key's RFC 7638 thumbprint. Keep FILE secret: whoever has it\n"
     "signs as you (docs/signing.md).\n"
     "\n"
     "Exit codes: 0; 2 usage; 3 FILE exists or cannot be written.\n"
     "\n"
     "Example:\n"
     "  credex keys new --kid state-board-2026 --out ~/keys/state-board.jwk\n"},
    {"pack", cmd_pack, OPT_DB | OPT_KEY, "text",
     "credex pack sign PACK.lua --key FILE [--db PATH] [--quiet]",
     "sign a rule pack: write PACK.lua.sig for --pack-trust to check",
     "Loads the pack against the registry (a pack that does not load is not signed)\n"
     "and writes PACK.lua.sig beside it: a compact JWS signed with the Ed25519\n"
     "private JWK in FILE (credex keys new), alg EdDSA, the key's kid in its header,\n"
     "whose payload names the pack's id, version and authority and the SHA-256 of\n"
     "the file's bytes. The pack must declare its authority and version. Signing\n"
     "the same bytes with the same key gives the same file. Commands that load\n"
     "packs check it with --pack-trust (docs/signing.md); edit the pack, sign it\n"
     "again.\n"
     "\n"
     "Exit codes: 0 signed; 2 usage; 3 a bad key file, or a pack that does not\n"
     "load or lacks authority or version; 4 registry error.\n"
     "\n"
     "Example:\n"
     "  credex pack sign rules/tx-ev-renewal.lua --key ~/keys/state-board.jwk\n"},
    {"issue", cmd_issue,
     OPT_DB | OPT_RULES | OPT_AS_OF | OPT_FORMAT | OPT_HOLDER | OPT_STACK | OPT_ISSUER_ID |
         OPT_ISSUER_NAME | OPT_KEY | OPT_OUTPUT,
     "jwt json",
     "credex issue --holder H --stack S --issuer-id IRI --issuer-name NAME --key FILE\n"
     "       [--as-of DATE] [--format jwt|json] [--output FILE | -o FILE] [--db PATH]\n"
     "       [--rules PATH] [--quiet]",
     "issue an Open Badges 3.0 credential for a met stack",
     "Audits stack S for holder H as `credex audit` does and, when it is met,\n"
     "writes an Open Badges 3.0 OpenBadgeCredential for the stack's credential\n"
     "(docs/signing.md, \"Issuing badges\"): validFrom the stack award's issue date,\n"
     "validUntil the day after its expiry (none when it never expires), the\n"
     "achievement aligned to the Credential Registry when the credential has a\n"
     "ctid code, the awards used as evidence. It is signed as a VC-JWT (EdDSA)\n"
     "with the Ed25519 private JWK in --key, whose kid goes in the header; `credex\n"
     "import --trust` with the issuer's public key reads it back as a verified\n"
     "award. The same registry, packs and options give the same bytes: the id and\n"
     "the jti are derived from the content. When the stack is not met nothing is\n"
     "written: the decision is printed, with what is missing, and the exit is 1.\n"
     "\n"
     "  --issuer-id IRI        the issuer (an absolute IRI: https://..., did:...)\n"
     "  --issuer-name NAME     the issuer profile's name\n"
     "  --key FILE             the issuer's Ed25519 private JWK (credex keys new)\n"
     "  --format jwt|json      jwt (default): the signed VC-JWT; json: the unsigned\n"
     "                         credential, one compact line, for inspection (no key)\n"
     "  --output FILE, -o FILE  write the badge to FILE (through a temporary file\n"
     "                         renamed when complete); default: stdout\n"
     "\n"
     "Exit codes: 0 issued; 1 the stack is not met (nothing issued); 2 usage, an\n"
     "unknown holder or stack, an issuer id that is not an IRI; 3 a pack or the key\n"
     "file is bad, or the decision is an error; 4 registry error.\n"
     "\n"
     "Example:\n"
     "  credex issue --holder h-ca-0001 --stack CA-EV-TECH \\\n"
     "       --issuer-id https://riohondo.edu/issuers/ev --issuer-name 'Rio Hondo College' \\\n"
     "       --key issuer.jwk -o badge.jwt\n"},
    {NULL, NULL, 0, NULL, NULL, NULL, NULL}};

static const struct option_spec {
    const char *name;
    cli_opts bit;
    int takes_value;
} option_specs[] = {
    {"db", OPT_DB, 1},
    {"format", OPT_FORMAT, 1},
    {"rules", OPT_RULES, 1},
    {"as-of", OPT_AS_OF, 1},
    {"explain", OPT_EXPLAIN, 0},
    {"jobs", OPT_JOBS, 1},
    {"quiet", OPT_QUIET, 0},
    {"in", OPT_IN, 1},
    {"holder", OPT_HOLDER, 1},
    {"stack", OPT_STACK, 1},
    {"all", OPT_ALL, 0},
    {"from", OPT_FROM, 1},
    {"to", OPT_TO, 1},
    {"fail-unless", OPT_FAIL_UNLESS, 1},
    {"coverage", OPT_COVERAGE, 0},
    {"log", OPT_LOG, 0},
    {"summary", OPT_SUMMARY, 0},
    {"type", OPT_TYPE, 1},
    {"tag", OPT_TAG, 1},
    {"jurisdiction", OPT_JURISDICTION, 1},
    {"provider", OPT_PROVIDER, 1},
    {"only", OPT_ONLY, 1},
    {"skip-invalid", OPT_SKIP_INVALID, 0},
    {"report", OPT_REPORT, 1},
    {"lang", OPT_LANG, 1},
    {"allow-provisional", OPT_ALLOW_PROVISIONAL, 0},
    {"id-map", OPT_ID_MAP, 1},
    {"trust", OPT_TRUST, 1},
    {"allow-unverified", OPT_ALLOW_UNVERIFIED, 0},
    {"holders", OPT_HOLDERS, 1},
    {"cascade", OPT_CASCADE, 0},
    {"max-trips", OPT_MAX_TRIPS, 1},
    {"max-input-bytes", OPT_MAX_INPUT_BYTES, 1},
    {"max-scalar-bytes", OPT_MAX_SCALAR_BYTES, 1},
    {"max-list-items", OPT_MAX_LIST_ITEMS, 1},
    {"busy-timeout", OPT_BUSY_TIMEOUT, 1},
    {"sync", OPT_SYNC, 1},
    {"imports", OPT_IMPORTS, 0},
    {"force", OPT_FORCE, 0},
    {"output", OPT_OUTPUT, 1},
    {"listen", OPT_LISTEN, 1},
    {"tokens", OPT_TOKENS, 1},
    {"threads", OPT_THREADS, 1},
    {"max-body", OPT_MAX_BODY, 1},
    {"timeout", OPT_TIMEOUT, 1},
    {"scopes", OPT_SCOPES, 1},
    {"soc", OPT_SOC, 1},
    {"limit", OPT_LIMIT, 1},
    {"award", OPT_AWARD, 1},
    {"credential", OPT_CREDENTIAL, 1},
    {"kid", OPT_KID, 1},
    {"out", OPT_OUT, 1},
    {"key", OPT_KEY, 1},
    {"pack-trust", OPT_PACK_TRUST, 1},
    {"require-signed-packs", OPT_REQUIRE_SIGNED, 0},
    {"issuer-id", OPT_ISSUER_ID, 1},
    {"issuer-name", OPT_ISSUER_NAME, 1},
    {"issuer-key", OPT_ISSUER_KEY, 1},
    {"holders", OPT_HOLDER_LINES, 0}, /* whatif, diff; import's --holders FILE above */
    {"no-cache", OPT_NO_CACHE, 0},
    {"shard", OPT_SHARD, 1},
};

#define NOPTIONS (sizeof option_specs / sizeof option_specs[0])

static void print_main_help(FILE *out)
{
    fprintf(out,
            "credex %s -- a rules engine for credential standards\n"
            "\n"
            "usage: credex [OPTIONS] COMMAND [ARGS] [OPTIONS]\n"
            "\n"
            "commands:\n",
            CREDEX_VERSION);
    for (const cli_command *cmd = cli_commands; cmd->name; cmd++)
        fprintf(out, "  %-10s %s\n", cmd->name, cmd->summary);
    fprintf(out,
            "\n"
            "options (before or after the command word):\n"
            "  --db PATH          the registry (default $CREDEX_DB, else ./credex.db)\n"
            "  --rules PATH       a rule pack or a directory of them; repeatable\n"
            "                     (default $CREDEX_RULES, colon-separated, else ./rules)\n"
            "  --as-of DATE       the date decisions are made on (default: today)\n"
            "  --format FORMAT    text (default), json, csv or html where the command offers it\n"
            "  --explain          the whole trace of each decision, in text output\n"
            "  --jobs N           worker threads for audit --all and whatif (default: cores)\n"
            "  --log              record decisions in the registry's decision log\n"
            "  --busy-timeout S   seconds a writer waits while another process writes the\n"
            "                     registry (default 60), then exits 4 naming it\n"
            "  --fail-unless S    exit 1 when a decision's status is not S\n"
            "  --pack-trust FILE  check each pack's signature (PACK.lua.sig) against the\n"
            "                     authorities and keys of this trust file (docs/signing.md)\n"
            "  --require-signed-packs  refuse every pack without a verified signature\n"
            "  --quiet            no progress bar or summary line (every command)\n"
            "  --help, -h         help for credex or for a command\n"
            "  --version          print the version\n"
            "\n"
            "exit codes: 0 done; 1 a failing rule test, or --fail-unless not met; 2 usage or\n"
            "an unknown id; 3 bad input, or a decision that is an error; 4 registry error.\n"
            "'credex COMMAND --help' tells more about each command.\n");
}

static void print_command_help(const cli_command *cmd)
{
    printf("usage: %s\n\n%s\n%s", cmd->usage, cmd->summary, cmd->help);
}

static const cli_command *find_command(const char *name)
{
    for (const cli_command *cmd = cli_commands; cmd->name; cmd++)
        if (strcmp(cmd->name, name) == 0) return cmd;
    return NULL;
}

static int unknown_command(const char *name)
{
    const char *names[32];
    size_t n = 0;
    for (const cli_command *cmd = cli_commands; cmd->name && n < 32; cmd++) names[n++] = cmd->name;
    const char *near = cx_nearest(name, names, n);
    if (near)
        cli_print_line(stderr, "credex: unknown command '%s'; did you mean '%s'?", name, near);
    else
        cli_print_line(stderr, "credex: unknown command '%s'", name);
    fprintf(stderr, "try 'credex --help'\n");
    return CX_EUSAGE;
}

/* The option called name; of two with one name (--holders), the one the
 * command word read so far accepts, else the first. */
static const struct option_spec *find_option(const cli *c, const char *name, size_t len)
{
    const cli_command *cmd = c->command ? find_command(c->command) : NULL;
    const struct option_spec *first = NULL;
    for (size_t i = 0; i < NOPTIONS; i++) {
        if (strlen(option_specs[i].name) != len || strncmp(option_specs[i].name, name, len) != 0)
            continue;
        if (cmd && (cmd->options & option_specs[i].bit)) return &option_specs[i];
        if (!first) first = &option_specs[i];
    }
    return first;
}

static int unknown_option(const cli *c, const char *arg)
{
    const char *names[NOPTIONS];
    for (size_t i = 0; i < NOPTIONS; i++) names[i] = option_specs[i].name;
    const char *near = cx_nearest(arg + 2, names, NOPTIONS);
    if (near) return cli_usage_error(c, "unknown option '%s'; did you mean '--%s'?", arg, near);
    return cli_usage_error(c, "unknown option '%s'", arg);
}

/* A cap's value: a positive count, for bytes with an optional K, M or G
 * (powers of 1024). */
static int limit_option(cli *c, const char *name, const char *value, int bytes, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long n = value[0] >= '0' && value[0] <= '9' ? strtoull(value, &end, 10) : 0;
    int shift = 0;
    if (n && bytes && (*end == 'K' || *end == 'M' || *end == 'G'))
        shift = *end == 'K' ? 10 : *end == 'M' ? 20 : 30, end++;
    if (n == 0 || errno || *end || n > (UINT64_MAX >> shift))
        return cli_usage_error(c, "--%s takes a positive number%s, not '%s'", name,
                               bytes ? " of bytes (K, M or G after it: 64K, 1G)" : "", value);
    *out = (uint64_t)n << shift;
    return CX_OK;
}

/* --shard K/N: two whole numbers, 1 <= K <= N <= CX_MAX_SHARDS. */
static int shard_option(cli *c, const char *value)
{
    unsigned long k = 0, n = 0;
    char *end = (char *)value;
    if (value[0] >= '1' && value[0] <= '9') k = strtoul(value, &end, 10);
    if (*end == '/' && end[1] >= '1' && end[1] <= '9') n = strtoul(end + 1, &end, 10);
    if (*end || !k || !n || k > n || n > CX_MAX_SHARDS)
        return cli_usage_error(c,
                               "--shard takes K/N, shard K of N shards (1 <= K <= N <= %d), "
                               "not '%s'",
                               CX_MAX_SHARDS, value);
    c->shard = (unsigned)k;
    c->shards = (unsigned)n;
    return CX_OK;
}

static int set_option(cli *c, const struct option_spec *o, const char *value)
{
    switch (o->bit) {
    case OPT_DB:
        c->db = value;
        break;
    case OPT_FORMAT:
        c->format = value;
        break;
    case OPT_AS_OF:
        c->as_of = value;
        break;
    case OPT_EXPLAIN:
        c->explain = 1;
        break;
    case OPT_QUIET:
        c->quiet = 1;
        break;
    case OPT_IN:
        c->in = value;
        break;
    case OPT_HOLDER:
        c->holder = value;
        break;
    case OPT_STACK:
        c->stack = value;
        break;
    case OPT_ALL:
        c->all = 1;
        break;
    case OPT_COVERAGE:
        c->coverage = 1;
        break;
    case OPT_LOG:
        c->log = 1;
        break;
    case OPT_SUMMARY:
        c->summary = 1;
        break;
    case OPT_FROM:
        c->from = value;
        break;
    case OPT_TO:
        c->to = value;
        break;
    case OPT_FAIL_UNLESS:
        c->fail_unless = value;
        break;
    case OPT_TYPE:
        c->filter.type = value;
        break;
    case OPT_TAG:
        c->filter.tag = value;
        break;
    case OPT_JURISDICTION:
        c->filter.jurisdiction = value;
        break;
    case OPT_PROVIDER:
        c->filter.provider = value;
        break;
    case OPT_ONLY:
        c->only = value;
        break;
    case OPT_SKIP_INVALID:
        c->skip_invalid = 1;
        break;
    case OPT_REPORT:
        c->report = value;
        break;
    case OPT_LANG:
        c->lang = value;
        break;
    case OPT_ALLOW_PROVISIONAL:
        c->allow_provisional = 1;
        break;
    case OPT_ID_MAP:
        c->id_map = value;
        break;
    case OPT_TRUST:
        c->trust = value;
        break;
    case OPT_ALLOW_UNVERIFIED:
        c->allow_unverified = 1;
        break;
    case OPT_HOLDERS:
        c->holders = value;
        break;
    case OPT_CASCADE:
        c->cascade = 1;
        break;
    case OPT_MAX_TRIPS: {
        char *end;
        unsigned long n = strtoul(value, &end, 10);
        if (*end || value[0] < '1' || value[0] > '9' || n > 1000000000)
            return cli_usage_error(c, "--max-trips takes a number from 1 to 1000000000, not '%s'",
                                   value);
        c->max_trips = (unsigned)n;
        break;
    }
    case OPT_MAX_INPUT_BYTES:
        return limit_option(c, o->name, value, 1, &c->limits.max_input_bytes);
    case OPT_MAX_SCALAR_BYTES:
        return limit_option(c, o->name, value, 1, &c->limits.max_scalar_bytes);
    case OPT_MAX_LIST_ITEMS:
        return limit_option(c, o->name, value, 0, &c->limits.max_list_items);
    case OPT_IMPORTS:
        c->imports = 1;
        break;
    case OPT_FORCE:
        c->force = 1;
        break;
    case OPT_SYNC:
        if (strcmp(value, "full") != 0 && strcmp(value, "normal") != 0)
            return cli_usage_error(c, "--sync takes full or normal, not '%s'", value);
        c->sync_full = strcmp(value, "full") == 0;
        break;
    case OPT_BUSY_TIMEOUT: {
        char *end;
        long n = strtol(value, &end, 10);
        if (!*value || *end || n < 0 || n > 86400)
            return cli_usage_error(c, "--busy-timeout takes seconds from 0 to 86400, not '%s'",
                                   value);
        c->busy_timeout = n ? (int)n : -1;
        break;
    }
    case OPT_OUTPUT:
        c->output = value;
        break;
    case OPT_LISTEN:
        c->listen = value;
        break;
    case OPT_TOKENS:
        c->tokens = value;
        break;
    case OPT_THREADS:
    case OPT_TIMEOUT: {
        uint64_t n = 0;
        int rc = limit_option(c, o->name, value, 0, &n);
        if (rc == CX_OK && n > (o->bit == OPT_THREADS ? 256 : 86400))
            rc = cli_usage_error(c, "--%s takes a number from 1 to %d, not '%s'", o->name,
                                 o->bit == OPT_THREADS ? 256 : 86400, value);
        if (o->bit == OPT_THREADS)
            c->threads = (unsigned)n;
        else
            c->timeout = (unsigned)n;
        return rc;
    }
    case OPT_MAX_BODY:
        return limit_option(c, o->name, value, 1, &c->max_body);
    case OPT_SCOPES:
        c->scopes = value;
        break;
    case OPT_SOC:
        c->soc = value;
        break;
    case OPT_LIMIT: {
        uint64_t n = 0;
        int rc = limit_option(c, o->name, value, 0, &n);
        if (rc == CX_OK && n > 1000000)
            rc = cli_usage_error(c, "--limit takes a number from 1 to 1000000, not '%s'", value);
        c->limit = (size_t)n;
        return rc;
    }
    case OPT_AWARD:
        c->award = value;
        break;
    case OPT_CREDENTIAL:
        c->credential = value;
        break;
    case OPT_KID:
        c->kid = value;
        break;
    case OPT_OUT:
        c->out = value;
        break;
    case OPT_KEY:
        c->key = value;
        break;
    case OPT_PACK_TRUST:
        c->pack_trust_file = value;
        break;
    case OPT_REQUIRE_SIGNED:
        c->require_signed_packs = 1;
        break;
    case OPT_ISSUER_ID:
        c->issuer_id = value;
        break;
    case OPT_ISSUER_NAME:
        c->issuer_name = value;
        break;
    case OPT_ISSUER_KEY:
        c->issuer_key = value;
        break;
    case OPT_HOLDER_LINES:
        c->holder_lines = 1;
        break;
    case OPT_RULES:
        if (c->nrules == MAX_RULES)
            return cli_usage_error(c, "too many --rules (at most %d)", MAX_RULES);
        c->rules[c->nrules++] = value;
        break;
    case OPT_JOBS: {
        char *end;
        long n = strtol(value, &end, 10);
        if (*end || n < 1 || n > 256)
            return cli_usage_error(c, "--jobs takes a number from 1 to 256, not '%s'", value);
        c->jobs = (int)n;
        break;
    }
    case OPT_NO_CACHE:
        c->no_cache = 1;
        break;
    case OPT_SHARD:
        return shard_option(c, value);
    }
    return CX_OK;
}

/* Splits argv into options and positional words. help is set by -h/--help,
 * version by --version. */
static int parse(int argc, char **argv, cli *c, cli_opts *seen, int *help, int *version)
{
    int only_args = 0;
    for (int i = 1; i < argc; i++) {
        char *arg = argv[i];
        if (only_args || arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (!c->command)
                c->command = arg;
            else
                c->args[c->nargs++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_args = 1;
            continue;
        }
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            *help = 1;
            continue;
        }
        if (strcmp(arg, "--version") == 0) {
            *version = 1;
            continue;
        }
        static char output[] = "--output";
        if (strcmp(arg, "-o") == 0) arg = output; /* the one short form with a value */
        if (arg[1] != '-') return cli_usage_error(c, "unknown option '%s'", arg);
        const char *eq = strchr(arg, '=');
        size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
        const struct option_spec *o = find_option(c, arg + 2, len);
        if (!o) return unknown_option(c, arg);
        const char *value = NULL;
        if (o->takes_value) {
            if (eq)
                value = eq + 1;
            else if (i + 1 < argc)
                value = argv[++i];
            else
                return cli_usage_error(c, "option '--%s' needs a value", o->name);
        } else if (eq) {
            return cli_usage_error(c, "option '--%s' takes no value", o->name);
        }
        *seen |= o->bit;
        int rc = set_option(c, o, value);
        if (rc) return rc;
    }
    return CX_OK;
}

/* Checks the options seen against what the command accepts. */
static int check_options(cli *c, const cli_command *cmd, cli_opts seen)
{
    cli_opts accepted = cmd->options | OPT_QUIET; /* --quiet applies to every command */
    for (size_t i = 0; i < NOPTIONS; i++)
        if ((seen & option_specs[i].bit) && !(accepted & option_specs[i].bit))
            return cli_option_error(c, cmd->usage, "option '--%s' does not apply to '%s'",
                                    option_specs[i].name, cmd->name);
    if (!c->format) /* text, but for export (yaml), graph (dot), issue (jwt): their first */
        c->format = strncmp(cmd->formats, "yaml", 4) == 0  ? "yaml"
                    : strncmp(cmd->formats, "dot", 3) == 0 ? "dot"
                    : strncmp(cmd->formats, "jwt", 3) == 0 ? "jwt"
                                                           : "text";
    const char *f = strstr(cmd->formats, c->format);
    size_t n = strlen(c->format);
    if (!f || (f != cmd->formats && f[-1] != ' ') || (f[n] != ' ' && f[n] != '\0'))
        return cli_option_error(c, cmd->usage,
                                "unknown --format '%s' for '%s'; expected one of: %s", c->format,
                                cmd->name, cmd->formats);
    return CX_OK;
}

int main(int argc, char **argv)
{
    /* Into a file or a pipe, one write(2) per MiB rather than per 4 KiB:
     * audit --all writes tens of MB, and the writes are the one part that
     * runs on a single thread. A terminal keeps its line buffering. */
    static char out[1 << 20];
    cli c;
    cli_opts seen = 0;
    int help = 0, version = 0;
    if (!isatty(STDOUT_FILENO)) setvbuf(stdout, out, _IOFBF, sizeof out);
    memset(&c, 0, sizeof c);
    c.args = calloc((size_t)argc + 1, sizeof *c.args);
    if (!c.args) return CX_ENOMEM;

    int rc = parse(argc, argv, &c, &seen, &help, &version);
    const cli_command *cmd = rc == CX_OK && c.command ? find_command(c.command) : NULL;
    if (rc != CX_OK) goto done;
    if (version) {
        printf("credex %s (registry schema %d)\n", CREDEX_VERSION, cx_registry_schema_version());
        goto done;
    }
    if (!c.command) {
        print_main_help(help ? stdout : stderr);
        rc = help ? CX_OK : CX_EUSAGE;
        goto done;
    }
    if (strcmp(c.command, "help") == 0) {
        const cli_command *about = c.nargs ? find_command(c.args[0]) : NULL;
        if (c.nargs && !about)
            rc = unknown_command(c.args[0]);
        else if (about)
            print_command_help(about);
        else
            print_main_help(stdout);
        goto done;
    }
    if (!cmd) {
        rc = unknown_command(c.command);
        goto done;
    }
    if (help) {
        print_command_help(cmd);
        goto done;
    }
    if ((rc = check_options(&c, cmd, seen))) goto done;
    if (!c.db) c.db = getenv("CREDEX_DB");
    if (!c.db || !*c.db) c.db = "credex.db";
    cli_today(c.today);
    rc = cmd->run(&c);
done:
    cx_pack_trust_free(c.pack_trust);
    free(c.args);
    if (fflush(stdout) != 0 && rc == CX_OK) {
        perror("credex: writing output");
        rc = 1;
    }
    return rc;
}
