/*
 * badges.h -- the Open Badges 3.0 mapper of the catalog loader's JSON table:
 * an OpenBadgeCredential / AchievementCredential tree (json_reader.h) -> a
 * catalog document (provider, credential, holder and award with provenance;
 * docs/interop.md, "Open Badges"). It reads no file, clock or registry.
 */
#ifndef CX_BADGES_H
#define CX_BADGES_H

#include "credex.h"
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

#endif
