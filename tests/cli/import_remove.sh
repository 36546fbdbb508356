# import_remove.sh -- a catalog's `remove:` (docs/catalog.md, "Removing"):
# credentials, competencies and memberships removed before the catalog's
# definitions, a removal that something still refers to refused with the
# first dependents named and the registry byte for byte unchanged, and
# --cascade removing those awards with them, reported in the summary and
# the --report file; export no longer lists what went.
. "$SRC/tests/cli/lib.sh"

cat > base.yaml <<'YAML'
version: 1
jurisdictions:
  - { id: US-TX, name: Texas }
  - { id: US-CA, name: California }
groups:
  - id: WEST
    members:
      - { jurisdiction: US-TX, from: 2020-01-01 }
      - { jurisdiction: US-CA, from: 2021-01-01 }
providers:
  - { id: acc, name: Austin CC, jurisdiction: US-TX }
frameworks:
  - id: fw
    name: Framework
    competencies:
      - { id: c.root, text: Root }
      - { id: c.child, text: Child, parent: c.root }
      - { id: c.lone, text: Lone }
credentials:
  - { id: CR-USED, name: Used, type: certificate, provider: acc, jurisdiction: US-TX, competencies: [c.child] }
  - { id: CR-FREE, name: Free, type: certificate, provider: acc, jurisdiction: US-TX, competencies: [c.lone] }
  - { id: CR-KEEP, name: Keep, type: certificate, provider: acc, jurisdiction: US-TX }
holders:
  - id: h1
    jurisdiction: US-TX
    awards:
      - { credential: CR-USED, issued: 2026-01-01 }
      - { credential: CR-KEEP, issued: 2026-01-02 }
  - id: h2
    jurisdiction: US-TX
    awards:
      - { credential: CR-USED, issued: 2026-02-01 }
YAML
run --db r.db import base.yaml --quiet
expect_rc 0 "the base catalog imports"

# Refused imports leave the registry byte for byte as it was.
refused() { # WHAT: exit 3 and the registry unchanged
    expect_rc 3 "$1: exit code"
    if cmp -s r.db before.db && [ ! -s r.db-wal ]; then pass; else fail "$1: registry changed"; fi
}

# A credential no award refers to goes, with its competency list.
printf 'version: 1\nremove:\n  credentials: [CR-FREE]\n' > rm-free.yaml
run --db r.db import rm-free.yaml
expect_rc 0 "removing an unused credential"
expect_eq "$OUT" "imported 1 file into r.db: nothing; 1 removed (content version 2)" \
    "the summary counts the removal"
run --db r.db show credential CR-FREE
expect_rc 2 "the removed credential is gone"
expect_contains "$ERR" "no credential 'CR-FREE' in the registry" "show says it is gone"

# A credential awards refer to: refused, the first dependents named at the id.
printf 'version: 1\nremove:\n  credentials: [CR-KEEP, CR-USED]\n' > rm-used.yaml
cp r.db before.db
run --db r.db import rm-used.yaml
refused "a credential with awards"
expect_eq "$ERR" "credex: rm-used.yaml:3:17: cannot remove credential 'CR-KEEP': award 'h1/CR-KEEP/2026-01-02' of holder 'h1' still refers to it; remove it first or import with --cascade" \
    "the first removal with dependents, located at its id"
printf 'version: 1\nremove:\n  credentials: [CR-USED]\n' > rm-used.yaml
run --db r.db import rm-used.yaml
refused "a credential with two awards"
expect_eq "$ERR" "credex: rm-used.yaml:3:17: cannot remove credential 'CR-USED': award 'h1/CR-USED/2026-01-01' of holder 'h1', award 'h2/CR-USED/2026-02-01' of holder 'h2' still refer to it; remove them first or import with --cascade" \
    "both awards named"

# An id the registry lacks, with the nearest; a reference to what the
# import removes; shapes.
printf 'version: 1\nremove:\n  credentials: [CR-KEP]\n' > typo.yaml
run --db r.db import typo.yaml
refused "an unknown credential"
expect_eq "$ERR" "credex: typo.yaml:3:17: cannot remove credential 'CR-KEP': it is not in the registry; did you mean 'CR-KEEP'?" \
    "the unknown id, located, with the nearest"
cat > uses.yaml <<'YAML'
remove:
  credentials: [CR-KEEP]
holders:
  - id: h3
    jurisdiction: US-TX
    awards:
      - { credential: CR-KEEP, issued: 2026-03-01 }
YAML
run --db r.db import uses.yaml --cascade
refused "an award of a credential the same import removes"
expect_eq "$ERR" "credex: uses.yaml:7:23: credential 'CR-KEEP' is removed by this import (at uses.yaml:2:17)" \
    "the reference, located, naming the removal"
printf 'remove:\n  holders: [h1]\n' > shape.yaml
run --db r.db import shape.yaml
refused "an unknown key in remove"
expect_eq "$ERR" "credex: shape.yaml:2:3: unknown key 'holders' in remove; expected one of: credentials, competencies, memberships" \
    "the keys remove takes"
printf 'remove:\n  memberships:\n    - { group: WEST }\n' > shape.yaml
run --db r.db import shape.yaml
refused "a membership without its jurisdiction"
expect_contains "$ERR" "shape.yaml:3:7: a membership to remove is missing required key 'jurisdiction'" \
    "the membership's keys"

# --cascade removes the awards too, and reports each. The JSON summary
# counts them (checked on a copy, so the text run below starts alike).
cp r.db json.db
run --db json.db import rm-used.yaml --cascade --format json
expect_contains "$OUT" '"exceptions":0,"removed":1,"cascaded":2,"content_version":3}' \
    "the JSON summary counts what was removed and what went with it"
run --db r.db show holder h1
expect_contains "$OUT" "awards (2)" "h1 has two awards before"
expect_contains "$OUT" "2026-01-01  CR-USED" "h1's award of CR-USED before"
run --db r.db import rm-used.yaml --cascade --report report.jsonl
expect_rc 0 "--cascade removes a credential with awards"
expect_eq "$OUT" "imported 1 file into r.db: nothing; 1 removed, 2 more with them (--cascade; report.jsonl) (content version 3)" \
    "the summary counts what went with it"
expect_eq "$(cat report.jsonl)" '{"file":"rm-used.yaml","pointer":null,"line":3,"key":"remove","why":"award '"'h1/CR-USED/2026-01-01'"' of holder '"'h1'"' removed with credential '"'CR-USED'"' (--cascade)"}
{"file":"rm-used.yaml","pointer":null,"line":3,"key":"remove","why":"award '"'h2/CR-USED/2026-02-01'"' of holder '"'h2'"' removed with credential '"'CR-USED'"' (--cascade)"}' \
    "the report names each award removed"
run --db r.db show holder h1
expect_contains "$OUT" "awards (1)" "h1 has one award after"
expect_not_contains "$OUT" "CR-USED" "h1's award of CR-USED went"
expect_contains "$OUT" "2026-01-02  CR-KEEP" "h1's other award stays"
run --db r.db show holder h2 --format json
expect_contains "$OUT" '"awards":[]' "h2's only award went"

# Competencies: a child or a credential's list refers to one; --cascade
# gives the children its parent.
cat > more.yaml <<'YAML'
credentials:
  - { id: CR-COMP, name: Comp, type: certificate, provider: acc, jurisdiction: US-TX, competencies: [c.child, c.lone] }
YAML
run --db r.db import more.yaml --quiet
expect_rc 0 "a credential listing competencies"
printf 'remove:\n  competencies: [c.root]\n' > rm-comp.yaml
cp r.db before.db
run --db r.db import rm-comp.yaml
refused "a competency with a child"
expect_eq "$ERR" "credex: rm-comp.yaml:2:18: cannot remove competency 'c.root': competency 'c.child' still refers to it; remove it first or import with --cascade" \
    "the child named"
run --db r.db import rm-comp.yaml --cascade --report report.jsonl
expect_rc 0 "--cascade removes a competency with a child"
expect_contains "$(cat report.jsonl)" "competency 'c.child' takes the parent of removed competency 'c.root' (--cascade)" \
    "the report names the child"
printf 'remove:\n  competencies: [c.lone]\n' > rm-lone.yaml
run --db r.db import rm-lone.yaml --cascade --report report.jsonl
expect_rc 0 "--cascade removes a competency a credential lists"
expect_contains "$(cat report.jsonl)" "credential 'CR-COMP' no longer lists removed competency 'c.lone' (--cascade)" \
    "the report names the credential"
run --db r.db show credential CR-COMP --format json
expect_contains "$OUT" '"competencies":["c.child"]' "the credential lists the competency left"

# Memberships: every dated membership of the jurisdiction in the group.
printf 'remove:\n  memberships:\n    - { group: WEST, jurisdiction: US-CA }\n    - { group: WEST, jurisdiction: US-CA }\n' > rm-member.yaml
run --db r.db import rm-member.yaml
expect_rc 0 "removing a membership (listed twice: once)"
expect_contains "$OUT" "; 1 removed" "the summary counts it once"
run --db r.db show group WEST
expect_not_contains "$OUT" "US-CA" "US-CA is no longer a member"
expect_contains "$OUT" "US-TX      from 2020-01-01" "US-TX still is"
cp r.db before.db
run --db r.db import rm-member.yaml
refused "a membership the group no longer has"
expect_eq "$ERR" "credex: rm-member.yaml:3:16: cannot remove the membership of 'US-CA' in group 'WEST': the registry has none" \
    "the missing membership, located"

# Removals come before the definitions of the same import.
cat > again.yaml <<'YAML'
remove:
  credentials: [CR-KEEP]
credentials:
  - { id: CR-KEEP, name: Keep again, type: certificate, provider: acc, jurisdiction: US-TX }
YAML
run --db r.db import again.yaml --cascade
expect_rc 0 "remove and define again in one import"
expect_contains "$OUT" "1 credential; 1 removed, 1 more with them" "the award of the old one went"
run --db r.db show credential CR-KEEP
expect_contains "$OUT" "credential CR-KEEP: Keep again" "the new definition stands"

# An award of a credential the same import removes is refused at the
# award, in YAML and in a CSV list: the import's foreign-key pass leaves
# the award table to these checks (registry_import.c check_references).
cp r.db before.db
printf 'version: 1\nremove:\n  credentials: [CR-KEEP]\nholders:\n  - id: h1\n    jurisdiction: US-TX\n    awards:\n      - { credential: CR-KEEP, issued: 2026-03-01 }\n' > rm-award.yaml
run --db r.db import rm-award.yaml
refused "an award of a credential removed by the same import"
expect_eq "$ERR" "credex: rm-award.yaml:8:23: credential 'CR-KEEP' is removed by this import (at rm-award.yaml:3:17)" \
    "the award, located, and the removal"
printf 'version: 1\nremove:\n  credentials: [CR-KEEP]\n' > rm-keep.yaml
printf 'holder,credential,issued\nh2,CR-KEEP,2026-03-01\n' > keep.csv
run --db r.db import rm-keep.yaml keep.csv
refused "a CSV award of a credential removed by the same import"
expect_eq "$ERR" "credex: keep.csv:2: column 'credential': credential 'CR-KEEP' is removed by this import (at rm-keep.yaml:3:17)" \
    "the CSV row, located, and the removal"

# Export no longer lists what went.
run --db r.db export
expect_rc 0 "export"
expect_not_contains "$OUT" "CR-USED" "no removed credential"
expect_not_contains "$OUT" "CR-FREE" "no removed credential"
expect_not_contains "$OUT" "c.root" "no removed competency"
expect_not_contains "$OUT" "c.lone" "no removed competency"
expect_not_contains "$OUT" "from: 2021-01-01" "no removed membership"
expect_contains "$OUT" "  - id: US-CA" "the jurisdiction itself stays"
finish
