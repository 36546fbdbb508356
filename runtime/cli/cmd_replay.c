/*
 * cmd_replay.c -- `credex replay ID [--rules PATH] [--pack-trust FILE]`:
 * makes a logged decision again through cx_replay_trusted and prints
 * whether it still holds, what changed, and whether each logged pack's
 * signature still verifies (docs/log.md). It judges nothing itself: the library says
 * what changed and which changes explain a difference; this file prints.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The first 12 hex digits of a sha256, enough to tell packs apart. */
static const char *short_sha(const char *sha)
{
    static char buf[2][13];
    static int which;
    if (!sha) return "none";
    which = !which;
    snprintf(buf[which], sizeof buf[which], "%.12s", sha);
    return buf[which];
}

/* "tx-ca (sha256 0a1b.. -> 9f8e..), new-pack (added), old (removed)" */
static void print_pack_changes(const cx_replay_result *rp)
{
    const char *sep = "";
    for (size_t i = 0; i < rp->npacks; i++) {
        const cx_replay_pack *p = &rp->packs[i];
        if (!p->current_sha256)
            printf("%s%s (removed)", sep, p->id);
        else if (strcmp(p->current_sha256, p->sha256) != 0)
            printf("%s%s (sha256 %s -> %s)", sep, p->id, short_sha(p->sha256),
                   short_sha(p->current_sha256));
        else
            continue;
        sep = ", ";
    }
    for (size_t i = 0; i < rp->nnew_packs; i++, sep = ", ")
        printf("%s%s (added)", sep, rp->new_packs[i]);
    printf("\n");
}

/* One line per change in bits, each starting with lead. */
static void print_changes(const cx_replay_result *rp, unsigned bits, const char *lead)
{
    if (bits & CX_CHANGED_REGISTRY)
        printf("  %sregistry data changed (content version %lld -> %lld)\n", lead,
               (long long)rp->logged_content_version, (long long)rp->content_version);
    if (bits & CX_CHANGED_ENGINE)
        printf("  %sengine changed (credex %s -> %s)\n", lead,
               rp->logged_credex_version ? rp->logged_credex_version : "?", CREDEX_VERSION);
    if (bits & CX_CHANGED_PACKS) {
        printf("  %spacks changed: ", lead);
        print_pack_changes(rp);
    }
}

static void print_outcome(const char *what, const char *status, const char *error)
{
    if (status)
        printf("  %s: %s\n", what, status);
    else
        cli_print_line(stdout, "  %s: cannot be decided: %s", what,
                       error ? error : "unknown error");
}

/* Who signed each logged pack and whether that still verifies; nothing
 * when every pack was logged unsigned and no trust file was given. */
static void print_signatures(const cx_replay_result *rp, int trusted)
{
    int any = trusted;
    for (size_t i = 0; i < rp->npacks; i++) any |= rp->packs[i].signer_authority != NULL;
    for (size_t i = 0; any && i < rp->npacks; i++) {
        const cx_replay_pack *p = &rp->packs[i];
        if (!p->signer_authority) {
            cli_print_line(stdout, "  pack %s: unsigned", p->id);
            continue;
        }
        const char *state = p->signature == CX_SIGNATURE_VERIFIES ? "the signature still verifies"
                            : p->signature == CX_SIGNATURE_FAILS
                                ? "the signature no longer verifies: "
                                : "not checked (give --pack-trust)";
        cli_print_line(stdout, "  pack %s: signed by %s for %s; %s%s", p->id,
                       p->signer_kid ? p->signer_kid : "a key without kid", p->signer_authority,
                       state, p->signature == CX_SIGNATURE_FAILS ? p->signature_error : "");
    }
}

static void print_replay(const cx_replay_result *rp, int with_current, int explain, int trusted)
{
    printf("decision %lld %s\n", (long long)rp->id, rp->holds ? "holds" : "no longer holds");
    printf("  %s %s, as of %s, logged %s\n", rp->kind, rp->subject, rp->as_of, rp->created);
    printf("  logged: %s\n", rp->logged_status ? rp->logged_status : "?");
    print_outcome("now, with the logged packs", rp->replayed_status, rp->replayed_error);
    if (with_current)
        print_outcome("now, with the current packs", rp->current_status, rp->current_error);
    if (!rp->holds && !rp->explains)
        printf("  nothing recorded changed (registry content version, engine and packs are the "
               "same): the difference is unexplained\n");
    print_changes(rp, rp->explains, "");
    print_changes(rp, rp->changed & ~rp->explains, "without effect on it: ");
    print_signatures(rp, trusted);
    if (explain) {
        printf("  logged JSON: %s\n", rp->logged_json);
        if (rp->replayed_json) printf("  replayed JSON: %s\n", rp->replayed_json);
        if (rp->current_json) printf("  current JSON: %s\n", rp->current_json);
    }
}

/* The decision id: a positive decimal number. */
static int parse_id(cli *c, long long *id)
{
    char *end;
    if (c->nargs != 1) return cli_usage_error(c, "expected one decision id: credex replay ID");
    errno = 0;
    *id = strtoll(c->args[0], &end, 10);
    if (errno || end == c->args[0] || *end || *id < 1)
        return cli_usage_error(c, "a decision id is a number from credex log, not '%s'",
                               c->args[0]);
    return CX_OK;
}

int cmd_replay(cli *c)
{
    cx_registry *r;
    cx_rules *current = NULL;
    cx_replay_result *rp = NULL;
    cx_error err;
    const cx_pack_trust *trust;
    long long id = 0;
    int rc = parse_id(c, &id);
    if (rc || (rc = cli_pack_trust(c, &trust)) || (rc = cli_open(c, CX_OPEN_READONLY, &r)))
        return rc;
    if (c->nrules) rc = cli_load_rules(c, r, &current); /* only with --rules */
    if (!rc) {
        cx_error_clear(&err);
        rc = cx_replay_trusted(r, (int64_t)id, current, trust, &rp, &err);
        if (rc)
            rc = cli_report(&err);
        else
            print_replay(rp, current != NULL, c->explain, trust != NULL);
    }
    if (!rc && !rp->holds) rc = 1;
    cx_replay_free(rp);
    cx_rules_free(current);
    cx_registry_close(r);
    return rc;
}
