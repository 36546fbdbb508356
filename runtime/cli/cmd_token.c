/*
 * cmd_token.c -- `credex token new NAME --scopes LIST`: a fresh random
 * token from the kernel (getrandom), printed once, and the tokens-file
 * line holding its SHA-256 (cx_token_hash). It keeps nothing. Uses credex.h
 * only.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "cli.h"

static const char *const scope_names[] = {"read", "decide", "whatif", "admin", "issue"};

/* Checks the comma-separated scopes and writes them as a YAML flow list. */
static int scopes_yaml(cli *c, char *out, size_t size)
{
    unsigned seen = 0;
    const char *p = c->scopes;
    size_t used = 0;
    out[0] = '\0';
    while (p && *p) {
        size_t len = strcspn(p, ",");
        size_t k = 0;
        while (k < 5 && (strlen(scope_names[k]) != len || strncmp(scope_names[k], p, len) != 0))
            k++;
        if (k == 5)
            return cli_usage_error(
                c, "unknown scope '%.*s'; expected read, decide, whatif, admin or issue", (int)len,
                p);
        if (!(seen & (1u << k)))
            used +=
                (size_t)snprintf(out + used, size - used, "%s%s", seen ? ", " : "", scope_names[k]);
        seen |= 1u << k;
        p += len + (p[len] == ',');
    }
    if (!seen)
        return cli_usage_error(c,
                               "--scopes needs at least one of read, decide, whatif, admin, issue");
    return CX_OK;
}

/* A name is written into YAML unquoted: letters, digits, '.', '_', '-'. */
static int plain_name(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

int cmd_token(cli *c)
{
    unsigned char bytes[32];
    char token[4 + 2 * sizeof bytes + 1] = "cxt_", digest[65], scopes[64];
    if (c->nargs != 2 || strcmp(c->args[0], "new") != 0)
        return cli_usage_error(c, "expected: credex token new NAME --scopes LIST");
    if (!plain_name(c->args[1]))
        return cli_usage_error(c, "a token's name is letters, digits, '.', '_' and '-', not '%s'",
                               c->args[1]);
    if (!c->scopes) return cli_usage_error(c, "credex token new needs --scopes");
    int rc = scopes_yaml(c, scopes, sizeof scopes);
    if (rc) return rc;
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes) {
        perror("credex token: getrandom");
        return CX_ENOMEM;
    }
    for (size_t i = 0; i < sizeof bytes; i++) snprintf(token + 4 + 2 * i, 3, "%02x", bytes[i]);
    cx_token_hash(token, digest);
    printf("%s\n", token);
    printf("  - {name: %s, sha256: %s, scopes: [%s]}\n", c->args[1], digest, scopes);
    if (!c->quiet)
        fprintf(stderr, "credex token: the first line is the token, shown this once: give it to "
                        "the client; add the second line under 'tokens:' in the tokens file\n");
    return CX_OK;
}
