# import_merge.sh -- several files, one import (docs/interop.md): holders,
# providers, jurisdictions and credentials of JSON, JWS and CSV inputs merge
# by id in byte order of the input paths, whatever order the command line
# gives; every value left out is reported and counted; what the registry
# has stands; one credential id with two names or types is an error of
# every item that uses it; a YAML catalog's second definition stays an error.
. "$SRC/tests/cli/lib.sh"
cp "$SRC"/tests/cli/merge/* .
Q="'"

run --db base.db import "$SRC/examples/ev-mechanic/catalog.yaml" --quiet
expect_rc 0 "the EV catalog imports"

# Two Open Badges and a CSV give one holder: the first non-empty value of
# each field in byte order of the paths (a-badge.json), the others reported.
cp base.db one.db
run --db one.db import a-badge.json b-badge.json c-awards.csv --allow-unverified --report one.jsonl
expect_rc 0 "two badges and a CSV for one holder"
expect_eq "$OUT" "imported 3 files (csv 1, json 2) into one.db: 1 provider, 2 credentials, 3 holders, 3 awards; 4 differing values ignored (one.jsonl) (content version 2)" \
    "the summary: one provider; holders count each file's entries; the values left out counted"
expect_eq "$(cat one.jsonl)" '{"file":"b-badge.json","pointer":"/issuer","key":"name","why":"provider '$Q'urn:uuid:merge-issuer'$Q' has name '$Q'Alamo Welding School'$Q' at a-badge.json: /issuer; '$Q'Alamo Welding Institute'$Q' is ignored"}
{"file":"b-badge.json","pointer":"/issuer","key":"jurisdiction","why":"provider '$Q'urn:uuid:merge-issuer'$Q' has jurisdiction '$Q'US-TX'$Q' at a-badge.json: /issuer; '$Q'US-CA'$Q' is ignored"}
{"file":"b-badge.json","pointer":"/credentialSubject","key":"jurisdiction","why":"holder '$Q'did:example:learner-1'$Q' has jurisdiction '$Q'US-TX'$Q' at a-badge.json: /credentialSubject; '$Q'US-CA'$Q' is ignored"}
{"file":"c-awards.csv","pointer":null,"line":2,"key":"holder_jurisdiction","why":"holder '$Q'did:example:learner-1'$Q' has holder_jurisdiction '$Q'US-TX'$Q' at a-badge.json: /credentialSubject; '$Q'US-NV'$Q' is ignored"}' \
    "each differing value is reported where it was given, naming where the kept one was"
run --db one.db show holder did:example:learner-1 --format json
expect_contains "$OUT" '"id":"did:example:learner-1","jurisdiction":"US-TX"' "the holder takes the first jurisdiction"
expect_contains "$OUT" '"did:example:learner-1/TX-EVS-101/2026-02-02"' "the CSV's award joins the badges' awards"
expect_contains "$OUT" '"credential":"urn:uuid:merge-weld-201"' "so does the second badge's"
run --db one.db list providers
expect_contains "$OUT" "urn:uuid:merge-issuer  Alamo Welding School" "the provider takes the first name"
expect_contains "$OUT" "Alamo Welding School                                  US-TX" "and the first jurisdiction"
run --db one.db export
printf '%s\n' "$OUT" > one.yaml

# The same inputs listed in the reverse order: the same registry, byte for byte.
cp base.db rev.db
run --db rev.db import c-awards.csv b-badge.json a-badge.json --allow-unverified --report rev.jsonl
expect_rc 0 "the reverse order imports"
expect_eq "$(cat rev.jsonl)" "$(cat one.jsonl)" "the same report whatever the order"
run --db rev.db export
printf '%s\n' "$OUT" > rev.yaml
if cmp -s one.yaml rev.yaml; then pass; else fail "the export differs with the order reversed"; fi

# Against the registry, what it has stands: a badge given again keeps the
# provider's and the holder's values, each differing one reported.
run --db one.db import b-badge.json --allow-unverified --report again.jsonl
expect_rc 0 "the second badge again"
expect_eq "$OUT" "imported 1 file (json 1) into one.db: 1 holder, 1 award; 3 differing values ignored (again.jsonl) (content version 3)" \
    "its award is replaced; the provider and credential are the registry's"
expect_eq "$(cat again.jsonl)" '{"file":"b-badge.json","pointer":"/issuer","key":"name","why":"provider '$Q'urn:uuid:merge-issuer'$Q' has name '$Q'Alamo Welding School'$Q' in the registry; '$Q'Alamo Welding Institute'$Q' is ignored"}
{"file":"b-badge.json","pointer":"/issuer","key":"jurisdiction","why":"provider '$Q'urn:uuid:merge-issuer'$Q' has jurisdiction '$Q'US-TX'$Q' in the registry; '$Q'US-CA'$Q' is ignored"}
{"file":"b-badge.json","pointer":"/credentialSubject","key":"jurisdiction","why":"holder '$Q'did:example:learner-1'$Q' has jurisdiction '$Q'US-TX'$Q' in the registry; '$Q'US-CA'$Q' is ignored"}' \
    "the registry's values are named as kept"
run --db one.db list providers
expect_contains "$OUT" "Alamo Welding School                                  US-TX" "the registry's provider is unchanged"

# Attributes merge key by key; a YAML holder of the import stands, then
# the registry's holder does.
IRI=https://example.org/learners/7
HID=x-$(printf %s "$IRI" | sha256sum | cut -c1-20)
sed "s#did:example:learner-1#$IRI#" a-badge.json > iri.json
sed "s#did:example:learner-1#$IRI#; s#merge-vc-b#merge-vc-b2#" b-badge.json > iri2.json
printf 'holders:\n  - { id: %s, jurisdiction: US-CA, attributes: { source_iri: "https://example.org/old", cohort: "2026" } }\n' "$HID" > z.yaml
cp base.db attr.db
run --db attr.db import iri.json z.yaml --allow-unverified --report attr.jsonl
expect_rc 0 "a YAML holder and a badge of its id"
expect_eq "$OUT" "imported 2 files (json 1, yaml 1) into attr.db: 1 provider, 1 credential, 2 holders, 1 award; 2 differing values ignored (attr.jsonl) (content version 2)" \
    "the summary"
expect_eq "$(cat attr.jsonl)" '{"file":"iri.json","pointer":"/credentialSubject","key":"jurisdiction","why":"holder '$Q$HID$Q' has jurisdiction '$Q'US-CA'$Q' at z.yaml:2:5; '$Q'US-TX'$Q' is ignored"}
{"file":"iri.json","pointer":"/credentialSubject","key":"source_iri","why":"holder '$Q$HID$Q' has source_iri '$Q'https://example.org/old'$Q' at z.yaml:2:5; '$Q'https://example.org/learners/7'$Q' is ignored"}' \
    "the YAML holder's values stand, whatever the byte order"
run --db attr.db show holder "$HID" --format json
expect_contains "$OUT" '"jurisdiction":"US-CA","attributes":{"cohort":"2026","source_iri":"https://example.org/old"},"awards":[{"id":"'"$HID"'/urn:uuid:merge-weld-101/2026-01-05"' \
    "the YAML attributes, and the badge's award"
run --db attr.db import iri2.json --allow-unverified --report attr2.jsonl
expect_rc 0 "another badge of that holder"
expect_contains "$(cat attr2.jsonl)" '{"file":"iri2.json","pointer":"/credentialSubject","key":"source_iri","why":"holder '$Q$HID$Q' has source_iri '$Q'https://example.org/old'$Q' in the registry; '$Q'https://example.org/learners/7'$Q' is ignored"}' \
    "the registry's attribute stands"
run --db attr.db show holder "$HID" --format json
expect_contains "$OUT" '"attributes":{"cohort":"2026","source_iri":"https://example.org/old"}' "unchanged"
expect_contains "$OUT" '"credential":"urn:uuid:merge-weld-201"' "and the award added"

# A CLR and a badge define one achievement with two names: an error of
# each award that uses it, none imported.
cp base.db two.db
run --db two.db import e-badge.json d-transcript.json --allow-unverified --jurisdiction US-TX
expect_rc 3 "one achievement, two names"
expect_eq "$ERR" "credex: d-transcript.json: /credentialSubject/verifiableCredential/0: credential 'urn:uuid:merge-safety' is defined with two names: 'Shop Safety' at d-transcript.json: /credentialSubject/verifiableCredential/0/credentialSubject/achievement, 'Workshop Safety' at e-badge.json: /credentialSubject/achievement; no item that uses it is imported" \
    "the first item that uses it, in byte order, names both definitions"
if cmp -s two.db base.db; then pass; else fail "a conflict changed the registry"; fi
run --db two.db import e-badge.json d-transcript.json --allow-unverified --jurisdiction US-TX --skip-invalid --report two.jsonl
expect_rc 0 "--skip-invalid leaves out every item that uses it"
expect_eq "$OUT" "imported 2 files (json 2) into two.db: 1 provider; 2 left out (two.jsonl) (content version 2)" \
    "both awards left out, neither holder nor the achievement imported"
expect_eq "$(cat two.jsonl)" '{"file":"d-transcript.json","pointer":"/credentialSubject/verifiableCredential/0","key":null,"why":"credential '$Q'urn:uuid:merge-safety'$Q' is defined with two names: '$Q'Shop Safety'$Q' at d-transcript.json: /credentialSubject/verifiableCredential/0/credentialSubject/achievement, '$Q'Workshop Safety'$Q' at e-badge.json: /credentialSubject/achievement; no item that uses it is imported"}
{"file":"e-badge.json","pointer":null,"key":null,"why":"credential '$Q'urn:uuid:merge-safety'$Q' is defined with two names: '$Q'Shop Safety'$Q' at d-transcript.json: /credentialSubject/verifiableCredential/0/credentialSubject/achievement, '$Q'Workshop Safety'$Q' at e-badge.json: /credentialSubject/achievement; no item that uses it is imported"}' \
    "each item is reported at its place"
run --db two.db list credentials
expect_not_contains "$OUT" "merge-safety" "the achievement is not imported"

# A CLR's bare achievement is an item too: reported with the award.
cp base.db bare.db
run --db bare.db import i-bare.json e-badge.json --allow-unverified --jurisdiction US-TX --skip-invalid --report bare.jsonl
expect_rc 0 "a bare achievement and a badge, two names"
expect_eq "$(cat bare.jsonl)" '{"file":"e-badge.json","pointer":null,"key":null,"why":"credential '$Q'urn:uuid:merge-safety'$Q' is defined with two names: '$Q'Workshop Safety'$Q' at e-badge.json: /credentialSubject/achievement, '$Q'Safety First'$Q' at i-bare.json: /credentialSubject/achievement/0; no item that uses it is imported"}
{"file":"i-bare.json","pointer":"/credentialSubject/achievement/0","key":null,"why":"credential '$Q'urn:uuid:merge-safety'$Q' is defined with two names: '$Q'Workshop Safety'$Q' at e-badge.json: /credentialSubject/achievement, '$Q'Safety First'$Q' at i-bare.json: /credentialSubject/achievement/0; no item that uses it is imported"}' \
    "the award and the bare definition, each at its place"
run --db bare.db list credentials
expect_not_contains "$OUT" "merge-safety" "neither definition is imported"

# The same definition twice is one credential.
sed 's/Workshop Safety/Shop Safety/' e-badge.json > e-same.json
cp base.db same.db
run --db same.db import e-same.json d-transcript.json --allow-unverified --jurisdiction US-TX --report same.jsonl
expect_rc 0 "one achievement defined alike by two inputs"
expect_eq "$OUT" "imported 2 files (json 2) into same.db: 1 provider, 1 credential, 2 holders, 2 awards (content version 2)" \
    "one credential, each award imported"
expect_eq "$(cat same.jsonl)" "" "nothing to report"

# A different type is a conflict too; a different grade scale is not.
sed 's/"Course"/"Certificate"/' e-same.json > e-type.json
cp base.db type.db
run --db type.db import e-type.json d-transcript.json --allow-unverified --jurisdiction US-TX
expect_rc 3 "one achievement, two types"
expect_contains "$ERR" "credential 'urn:uuid:merge-safety' is defined with two types: 'course' at d-transcript.json: /credentialSubject/verifiableCredential/0/credentialSubject/achievement, 'certificate' at e-type.json: /credentialSubject/achievement" \
    "the types are named"

# Two CTDL files name one organisation differently: the first name stands.
cp base.db ctdl.db
run --db ctdl.db import g-ctdl.json f-ctdl.json --jurisdiction US-TX --report ctdl.jsonl
expect_rc 0 "one organisation in two CTDL files"
expect_eq "$OUT" "imported 2 files (json 2) into ctdl.db: 1 provider, 2 credentials; 1 differing value ignored (ctdl.jsonl) (content version 2)" \
    "one provider, the other name counted"
expect_contains "$(cat ctdl.jsonl)" '{"file":"g-ctdl.json","pointer":"/@graph/1","key":"name","why":"provider '$Q'ce-0a0a0a0a-0000-4000-8000-000000000000'$Q' has name '$Q'Gulf Coast Trades'$Q' at f-ctdl.json: /@graph/1; '$Q'Gulf Coast Trades Institute'$Q' is ignored"}' \
    "the second name is reported"
run --db ctdl.db list providers
expect_contains "$OUT" "ce-0a0a0a0a-0000-4000-8000-000000000000  Gulf Coast Trades  " "f-ctdl.json's name, the first in byte order"
run --db ctdl.db export
printf '%s\n' "$OUT" > ctdl.yaml
cp base.db ctdl2.db
run --db ctdl2.db import f-ctdl.json g-ctdl.json --jurisdiction US-TX
run --db ctdl2.db export
printf '%s\n' "$OUT" > ctdl2.yaml
if cmp -s ctdl.yaml ctdl2.yaml; then pass; else fail "the CTDL export differs with the order reversed"; fi

# One CTID defined by two CTDL files with two names: an error of each
# definition; --skip-invalid leaves both out.
sed 's/000000000002/000000000001/g' g-ctdl.json > h-ctdl.json
cp base.db twice.db
run --db twice.db import h-ctdl.json f-ctdl.json --jurisdiction US-TX
expect_rc 3 "one CTID, two names"
expect_eq "$ERR" "credex: f-ctdl.json: /@graph/0: credential 'ce-0f0f0f0f-0000-4000-8000-000000000001' is defined with two names: 'HVAC Technician I' at f-ctdl.json: /@graph/0, 'HVAC Technician II' at h-ctdl.json: /@graph/0; no item that uses it is imported" \
    "located at the first definition"
run --db twice.db import h-ctdl.json f-ctdl.json --jurisdiction US-TX --skip-invalid --report twice.jsonl
expect_rc 0 "--skip-invalid leaves both definitions out"
expect_eq "$OUT" "imported 2 files (json 2) into twice.db: 1 provider; 1 differing value ignored (twice.jsonl) (content version 2)" \
    "no credential imported"
expect_contains "$(cat twice.jsonl)" '{"file":"h-ctdl.json","pointer":"/@graph/0","key":null,"why":"credential '$Q'ce-0f0f0f0f-0000-4000-8000-000000000001'$Q' is defined with two names:' \
    "the second definition is reported too"

# A YAML catalog keeps its rule: a second definition is an error naming both places.
printf 'providers:\n  - { id: ce-0a0a0a0a-0000-4000-8000-000000000000, name: Gulf Coast, jurisdiction: US-TX }\n' > own.yaml
cp base.db yaml.db
run --db yaml.db import own.yaml f-ctdl.json --jurisdiction US-TX
expect_rc 3 "a YAML provider and a CTDL organisation of one id"
expect_eq "$ERR" "credex: f-ctdl.json: /@graph/1: provider 'ce-0a0a0a0a-0000-4000-8000-000000000000' is defined twice in this import (first at own.yaml:2:11)" \
    "a second definition, both places named"
finish
