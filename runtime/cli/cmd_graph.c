/*
 * cmd_graph.c -- `credex graph`: loads the packs, asks the library for the
 * pathway map (cx_graph_dot, cx_graph_svg) and writes its bytes to stdout
 * or -o FILE (a temporary file renamed over it once complete). It draws
 * nothing itself. Uses credex.h and the C library only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cmd_graph(cli *c)
{
    cx_registry *r = NULL;
    cx_rules *rules = NULL;
    char *map = NULL;
    size_t n = 0;
    cx_error err;
    cx_error_clear(&err);
    if (c->nargs)
        return cli_usage_error(c, "graph takes no arguments; choose with --stack, "
                                  "--credential or --jurisdiction");
    cx_graph_options opt = {
        .stack = c->stack,
        .credential = c->credential,
        .jurisdiction = c->filter.jurisdiction,
        .holder = c->holder,
        /* a holder is seen on a day (today by default, as audit); a map of
         * rules alone carries a date only when one is asked for */
        .as_of = c->as_of    ? c->as_of
                 : c->holder ? cli_as_of(c)
                             : NULL,
    };
    int rc = cli_open(c, CX_OPEN_READONLY, &r);
    if (rc || (rc = cli_load_rules(c, r, &rules))) goto done;
    if (strcmp(c->format, "svg") == 0)
        rc = cx_graph_svg(rules, &opt, &map, &n, &err);
    else
        rc = cx_graph_dot(rules, &opt, &map, &n, &err);
    if (rc) {
        rc = cli_report(&err);
    } else if (c->output) {
        rc = cli_write_file(c->output, map, n);
    } else if (fwrite(map, 1, n, stdout) != n) {
        fprintf(stderr, "credex: cannot write the map\n");
        rc = 1;
    }
done:
    free(map);
    cx_rules_free(rules);
    cx_registry_close(r);
    return rc;
}
