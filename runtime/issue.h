/*
 * issue.h -- the Open Badges 3.0 credential `credex issue` makes for a met
 * stack, as values (issue.c fills it from a decision, the snapshot and the
 * registry) and the two JSON forms of it (render_issue.c, through jansson).
 * Nothing here decides, signs or reads a clock.
 */
#ifndef CX_ISSUE_H
#define CX_ISSUE_H

#include <stddef.h>
#include <stdint.h>

/* One award the stack used, as an OB 3.0 Evidence object. */
typedef struct cx__badge_evidence {
    const char *id;        /* the award's source_id, else urn:credex:award:<id> */
    const char *name;      /* the name of the award's credential */
    const char *narrative; /* "CA-EVS-101, issued 2024-12-13" */
} cx__badge_evidence;

/* An OpenBadgeCredential (docs/signing.md, "Issuing badges"). Every string
 * belongs to whoever filled the struct; none is NULL unless its comment
 * says so. */
typedef struct cx__badge {
    const char *id;               /* urn:uuid:...; NULL while the id is being derived */
    const char *issuer_id;        /* an IRI */
    const char *issuer_name;      /* the issuer profile's name */
    char valid_from[21];          /* YYYY-MM-DDT00:00:00Z: the stack award's issue date */
    char valid_until[21];         /* the day after its expiry, or "": it never expires */
    int64_t nbf, exp;             /* the same two as seconds since 1970 (exp unused when "") */
    const char *subject_id;       /* the holder as an IRI */
    const char *achievement_id;   /* the Credential Registry IRI, else urn:credex:credential:<id> */
    const char *achievement_name; /* the credential's name */
    const char *achievement_type; /* OB 3.0's enumeration ("Certificate"), else "ext:<Type>" */
    const char *narrative;        /* criteria.narrative: the stack's label and citation */
    const char *alignment_url;    /* the Credential Registry IRI, or NULL: no alignment */
    const char *alignment_code;   /* the CTID (with alignment_url) */
    const cx__badge_evidence *evidence; /* the awards used, in the decision's order */
    size_t nevidence;
} cx__badge;

/* The credential as one compact JSON object, members in a fixed order
 * (@context, id, type, name, issuer, validFrom, validUntil,
 * credentialSubject, evidence; id left out while b->id is NULL), no
 * newline. malloc'd, the caller frees it; NULL when out of memory. */
char *cx__badge_json(const cx__badge *b);

/* The VC-JWT claims of the credential: {iss, sub, nbf, exp (when it
 * expires), jti, vc}, compact, no newline. malloc'd; NULL when out of
 * memory. */
char *cx__badge_claims_json(const cx__badge *b);

/* The JOSE header of the VC-JWT: {"alg":"EdDSA","kid":kid,"typ":"JWT"},
 * without kid when kid is NULL; compact. malloc'd; NULL when out of memory. */
char *cx__badge_header_json(const char *kid);

#endif
