/*
 * cmd_keys.c -- `credex keys new [--kid K] --out FILE`: a new Ed25519
 * private JWK written by the library (cx_keys_new) and its public JWK
 * printed for a trust file. It never sees the private key. Uses credex.h
 * only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_keys(cli *c)
{
    cx_error err;
    char *jwk = NULL;
    if (c->nargs != 1 || strcmp(c->args[0], "new") != 0)
        return cli_usage_error(c, "expected: credex keys new [--kid K] --out FILE");
    if (!c->out) return cli_usage_error(c, "credex keys new needs --out FILE");
    cx_error_clear(&err);
    if (cx_keys_new(c->out, c->kid, &jwk, &err) != CX_OK) {
        if (err.code == CX_EUSAGE) return cli_usage_error(c, "--kid: %s", err.message);
        return cli_report(&err);
    }
    printf("%s\n", jwk);
    free(jwk);
    if (!c->quiet)
        cli_print_line(stderr,
                       "credex keys: wrote the private key to %s (mode 0600: keep it secret); "
                       "the line above is its public JWK, for the keys of an issuer in a trust "
                       "file",
                       c->out);
    return CX_OK;
}
