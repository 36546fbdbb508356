/*
 * badges.h -- the Open Badges, CLR and status-list mappers of the catalog
 * loader's JSON table, and its VC-JWT reader: a JSON tree (json_reader.h)
 * -> a catalog document of format "ob3" (providers, credentials, a holder
 * and awards with provenance; docs/interop.md, "Open Badges and CLR").
 * Nothing here reads the clock, the network or the registry.
 */
#ifndef CX_BADGES_H
#define CX_BADGES_H

#include <stddef.h>

#include "credex.h"
#include "jws.h"
#include "yaml_reader.h"

/* 1 when root is an Open Badges 3.0 credential: a map whose type lists
 * OpenBadgeCredential, AchievementCredential or EndorsementCredential. */
int cx__ob3_recognises(const cx_ynode *root);

/* Maps the credential in json (a document read by cx__json_load_buffer)
 * to a catalog document of the same name, format "ob3", into *out (owned
 * by the caller: cx__ydoc_free; it does not refer to json). Unknown keys
 * and skipped endorsements go to opts->report. CX_EINPUT, located by the
 * JSON Pointer of the value at fault: a context off the allow-list, no
 * subject id, no issue date, an instant that is not RFC 3339, no
 * jurisdiction for the provider, and a credential that is not verified
 * (every embedded proof, or none) without opts->allow_unverified. */
int cx__ob3_map(const cx_ydoc *json, const cx_import_options *opts, cx_ydoc **out, cx_error *err);

/* 1 when root is a CLR 2.0 ClrCredential. */
int cx__clr_recognises(const cx_ynode *root);

/* Maps a ClrCredential (docs/interop.md, "CLR 2.0") to a catalog document
 * of format "ob3" (badge semantics): one award per embedded credential
 * for the CLR's subject, provenance format "clr2"; its bare achievements
 * as credentials; associations to the report. An embedded credential
 * about another subject, or whose achievement id the file defines with
 * another name or type (each such item), is a located error -- with
 * opts->skip_invalid, reported and left out. The CLR's own proof is
 * refused as cx__ob3_map refuses one. */
int cx__clr_map(const cx_ydoc *json, const cx_import_options *opts, cx_ydoc **out, cx_error *err);

/* One achievement a ClrCredential defines, as cx__clr_map reads it. */
typedef struct cx_clr_achievement {
    const cx_ynode *node;        /* the achievement */
    const char *iri;             /* its id as the file writes it */
    char id[201];                /* the credential id import gives it */
    const char *name;            /* its name, or NULL */
    const cx_ynode *grade_scale; /* its first LetterGrade allowedValue list, or NULL */
    const char *clr_issuer;      /* the CLR's issuer: its name, else its id; or NULL */
} cx_clr_achievement;

/* One association of a ClrCredential; an end is NULL when the file
 * defines no achievement of that id (the first definition of an id). */
typedef struct cx_clr_association {
    const cx_ynode *node;                      /* the association */
    const char *type;                          /* associationType, or NULL */
    const char *source_iri, *target_iri;       /* sourceId, targetId, or NULL */
    const cx_clr_achievement *source, *target; /* their achievements, or NULL */
} cx_clr_association;

/* Receives an achievement (as NULL) or an association (a NULL); both
 * live until it returns. A non-zero return stops the visit with it. */
typedef int (*cx_clr_visit_fn)(void *ud, const cx_clr_achievement *a, const cx_clr_association *as);

/* Hands visit every achievement the ClrCredential clr defines (each id
 * once), then every association, for `credex draft`: the ids are those
 * cx__clr_map gives. Checks nothing cx__clr_map checks. CX_ENOMEM, or
 * what visit returned. */
int cx__clr_read(const cx_ynode *clr, cx_clr_visit_fn visit, void *ud);

/* 1 when root is an Open Badges 2.0 Assertion, BadgeClass or Issuer
 * (with the OB 2.0 context). */
int cx__ob2_recognises(const cx_ynode *root);

/* Maps an Open Badges 2.0 document (docs/interop.md, "Open Badges 2.0"):
 * an Issuer -> a provider, a BadgeClass -> a credential of type badge, an
 * Assertion -> the award of the holder opts->holders names for its
 * recipient (an identity is never stored), with its embedded BadgeClass;
 * a BadgeClass or Issuer named by IRI must be among the inputs or in the
 * registry. Hosted verification is never checked: refused unless
 * opts->allow_unverified. */
int cx__ob2_map(const cx_ydoc *json, const cx_import_options *opts, cx_ydoc **out, cx_error *err);

/* The top-level keys of a badge document (format "ob3") that the catalog
 * loader skips: its credentials' status entries and a status list, which
 * cx__badge_status reads. NULL-terminated. */
extern const char *const cx__badge_extra_keys[];

/* 1 when root is a BitstringStatusListCredential or StatusList2021Credential. */
int cx__status_list_recognises(const cx_ynode *root);

/* A status list credential -> a badge document holding only the list (its
 * id, statusPurpose, encodedList and the UTC date of its validFrom, the
 * date its status is checked as of). Its proof is not verified: a list can
 * only revoke or suspend. */
int cx__status_list_map(const cx_ydoc *json, const cx_import_options *opts, cx_ydoc **out,
                        cx_error *err);

/* Sets an award's status from a list: status "revoked" or "suspended",
 * or NULL (the bit is clear: unchanged); checked the date of the list, or
 * NULL (an Open Badges 2.0 RevocationList, which has none: only Open
 * Badges 2.0 awards are revoked then). Returns 0, or -1 when out of
 * memory. */
typedef int (*cx_badge_status_fn)(void *ud, const char *source_id, const char *status,
                                  const char *checked);

/* Revokes the assertions an Open Badges 2.0 RevocationList among docs
 * lists, and checks every status entry of the badge documents among docs
 * against the status lists among them (matched by the entry's
 * statusListCredential = the list credential's id), whatever their order,
 * calling apply for each entry checked; an entry whose list is not among
 * them is reported (opts->report) as not checked. CX_EINPUT, located: a
 * list that does not decode, an index out of its range, a statusPurpose
 * other than the list's. */
int cx__badge_status(cx_ydoc *const *docs, size_t ndocs, const cx_import_options *opts,
                     cx_badge_status_fn apply, void *ud, cx_error *err);

/* Marks the award of source_id verified by issuer (note NULL), or
 * unverified with note. Returns 0, or -1 when out of memory. */
typedef int (*cx_badge_verified_fn)(void *ud, const char *source_id, const char *issuer,
                                    const char *note);

/* Verifies every signed Open Badges 2.0 assertion among docs against trust
 * by the issuer of its badge class (embedded in it, or a BadgeClass among
 * docs, in any order), calling verified for each. CX_EINPUT, located at
 * the token: its badge class not among the inputs, every refusal of
 * cx__jws_decode and cx__jws_verify, and an issuer trust lacks without
 * opts->allow_unverified. */
int cx__badge_verify(cx_ydoc *const *docs, size_t ndocs, const cx_trust *trust,
                     const cx_import_options *opts, cx_badge_verified_fn verified, void *ud,
                     cx_error *err);

/* What a reader of a signed form (a VC-JWT) found about its signature. */
typedef struct cx_badge_signature {
    const char *proof; /* the provenance proof: "jwt-EdDSA", "jwt-ES256", "jwt-RS256" */
    int verified;      /* 1: a trusted key of the issuer verified it */
    const char *note;  /* why it is unverified ("issuer not in the trust file"), or NULL */
} cx_badge_signature;

/* The same for the credential vc, a node of a document named file (a
 * VC-JWT's payload, or its "vc" claim), whose signature the caller has
 * checked: sig replaces the embedded proof policy (the caller refused
 * what is not to be imported). */
int cx__ob3_map_signed(const char *file, const cx_ynode *vc, const cx_badge_signature *sig,
                       const cx_import_options *opts, cx_ydoc **out, cx_error *err);

/* A VC-JWT (len bytes of the file named file: a compact JWS whose payload
 * is an Open Badges 3.0 credential, or holds one as its "vc" claim) ->
 * its catalog document, as cx__ob3_map_signed. The token is verified
 * against trust (NULL: no --trust file) by the issuer it names: the
 * JWT's "iss", else the credential's issuer id. Refused, located (the
 * token at file:1:1, a payload value by its JSON Pointer): every refusal
 * of cx__jws_decode and cx__jws_verify (alg none or HS256, an unknown
 * kid, a bad signature), a payload that is not such a credential, an
 * "iss" other than the credential's issuer id, and an issuer the trust
 * set lacks without opts->allow_unverified (then: unverified, "issuer
 * not in the trust file"). */
int cx__ob3_map_jwt(const char *file, const char *data, size_t len, const cx_trust *trust,
                    const cx_import_options *opts, cx_ydoc **out, cx_error *err);

#endif
