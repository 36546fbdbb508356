/*
 * audit.c -- a small program on libcredex's public API (credex.h only):
 * loads a catalog into a private in-memory registry, compiles rule packs
 * against it and prints, for one holder, each stack's status and what is
 * missing (or, when met, since and until when). It is what tests/cli/install.sh builds against an
 * installed copy.
 *
 *   credex-audit CATALOG RULES HOLDER AS-OF
 */
#include <credex.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    cx_registry *registry = NULL;
    cx_rules *rules = NULL;
    cx_decision **decisions = NULL;
    size_t ndecisions = 0;
    cx_error err;
    int rc = CX_EUSAGE;

    cx_error_clear(&err);
    if (argc != 5) {
        fprintf(stderr, "usage: %s CATALOG RULES HOLDER AS-OF\n", argv[0]);
        return CX_EUSAGE;
    }
    const char *catalog = argv[1], *pack_dir = argv[2], *holder = argv[3], *as_of = argv[4];

    if ((rc = cx_registry_open(NULL, CX_OPEN_MEMORY, &registry, &err)) ||
        (rc = cx_catalog_import(registry, &catalog, 1, NULL, NULL, NULL, &err)) ||
        (rc = cx_rules_load(registry, &pack_dir, 1, &rules, NULL, &err)) ||
        (rc = cx_audit(rules, holder, NULL, as_of, &decisions, &ndecisions, &err)))
        goto done;

    printf("credex %s: %s on %s\n", CREDEX_VERSION, holder, as_of);
    for (size_t i = 0; i < ndecisions; i++) {
        const cx_decision *d = decisions[i];
        printf("%s: %s\n", d->stack, cx_status_name(d->status));
        if (d->status == CX_MET)
            printf("  issued %s, expires %s\n", d->issued, d->expires[0] ? d->expires : "never");
        for (size_t m = 0; m < d->nmissing; m++) printf("  missing: %s\n", d->missing[m]);
    }

done:
    if (rc) {
        char message[1400];
        cx_error_format(&err, message, sizeof message);
        fprintf(stderr, "credex-audit: %s\n", message);
    }
    cx_decisions_free(decisions, ndecisions);
    cx_rules_free(rules);
    cx_registry_close(registry);
    return rc;
}
