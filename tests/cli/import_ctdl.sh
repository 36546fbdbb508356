# import_ctdl.sh -- CTDL from the Credential Registry through `credex import`
# (docs/interop.md "CTDL"): every real sample in tests/fixtures/interop/ctdl
# imports or is refused with its located message; ids, types, codes,
# attributes, providers and jurisdictions as `show` and `list` give them;
# --provider, --jurisdiction, --lang, --allow-provisional and the report.
. "$SRC/tests/cli/lib.sh"
CTDL="$SRC/tests/fixtures/interop/ctdl"
DETAILED="$CTDL/ra-certification-detailed.json"
BACHELOR="$CTDL/ra-bachelor-multilanguage.json"
OWNER=ce-a588a18b-2616-4c74-bdcd-6507c0693d0e

# A graph with a blank-node credential that names no owner needs --provider.
run --db c.db import "$DETAILED" --jurisdiction US-TX
expect_rc 3 "a credential without an owner and no --provider"
expect_eq "$ERR" "credex: $DETAILED: /@graph/4: credential 'ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec+2fd183d0-69d9-4c1d-ad71-6e41cc112da4' has no ceterms:ownedBy or ceterms:offeredBy; give --provider ID" \
    "the ownerless credential, located at its node"
[ ! -e c.db ] && pass || fail "a refused first import leaves no registry"
run --db c.db import "$DETAILED" --provider acme
expect_rc 3 "no jurisdiction and no --jurisdiction"
expect_eq "$ERR" "credex: $DETAILED: /@graph/0: credential 'ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec' has no jurisdiction credex can tell (one mainJurisdiction place, or its provider's address); give --jurisdiction J" \
    "the jurisdiction, located"

run --db c.db import "$DETAILED" --provider acme --jurisdiction US-TX --report r.jsonl
expect_rc 0 "the detailed certification imports"
expect_eq "$OUT" "imported 1 file (json 1) into c.db: 1 jurisdiction, 4 providers, 2 credentials (content version 1)" \
    "the summary: the QA organisations, the owner's stub and --provider, two credentials"
run --db c.db show credential ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec --format json
expect_eq "$OUT" '{"kind":"credential","id":"ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec","name":"My Certification Name","type":"certification","provider":"ce-a588a18b-2616-4c74-bdcd-6507c0693d0e","jurisdiction":"US-TX","competencies":[],"tags":[],"codes":{"cip":["30.1301","30.2202","31.0504","31.0505","31.0599","31.9999"],"ctid":["ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec"],"naics":["926120","9271","927110","9281","928110"],"onet":["13-2051.00","13-2052.00","13-2061.00","13-2099.01","15-1122.00","15-1152.00"],"soc":["13-2051","13-2052","13-2061","13-2099","15-1122","15-1152"]},"attributes":{"ctdl_status":"Active","ctdl_type":"ceterms:Certification","subject_webpage":"http://example.com/credential/1234"},"grade_scale":[]}' \
    "the certification: CTID id, codes by pattern (O*NET labelled SOC is onet, plus its soc), attributes"
run --db c.db list credentials
expect_contains "$OUT" "ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec+2fd183d0-69d9-4c1d-ad71-6e41cc112da4  Cybersecurity Technology Master's Degree  master-degree  acme" \
    "a blank node: <document ctid>+<label>, provider from --provider"
run --db c.db list providers --format json
expect_contains "$OUT" "{\"id\":\"$OWNER\",\"name\":\"$OWNER\"}" "an owner not among the inputs: created, its id as its name"
run --db c.db list providers
expect_contains "$OUT" "ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec+99fe32d9-ab9e-4f4c-9dad-dbb11e006b28  Council on Social Work Education (CSWE)" \
    "a QA organisation of the graph is a provider"
REPORT=$(cat r.jsonl)
expect_contains "$REPORT" "{\"file\":\"$DETAILED\",\"pointer\":\"/@graph/0/ceterms:ownedBy/0\",\"key\":\"ceterms:ownedBy\",\"why\":\"provider '$OWNER' is not among the inputs: created with its id as its name if the registry lacks it\"}" \
    "the report: the created provider"
expect_contains "$REPORT" "\"pointer\":\"/@graph/0/ceterms:occupationType/2\",\"key\":\"ceterms:occupationType\",\"why\":\"an alignment without a code: not imported\"" \
    "the report: an occupation without a code"
expect_contains "$REPORT" "\"pointer\":\"/@graph/0/ceterms:keyword\",\"key\":\"ceterms:keyword\",\"why\":\"not imported: credex has no place for this key\"" \
    "the report: an unknown key, with its pointer"
expect_contains "$REPORT" "\"pointer\":\"/@graph/3\",\"key\":\"@type\",\"why\":\"a ceterms:LearningOpportunityProfile node: not imported\"" \
    "the report: a node that is no credential"
expect_contains "$REPORT" "\"pointer\":\"/@graph/0\",\"key\":null,\"why\":\"jurisdiction 'US-TX': created with its id as its name if the registry lacks it\"" \
    "the report: the jurisdiction --jurisdiction names"

# A provider the registry has is not replaced by a stub.
cat > org.yaml <<YAML
jurisdictions: [{ id: US-OR, name: Oregon }]
providers: [{ id: $OWNER, name: Real Owner, jurisdiction: US-OR }]
YAML
run --db c.db import org.yaml --quiet
expect_rc 0 "the owner, defined"
run --db c.db import "$CTDL/ra-certification-outcome-data.json" --jurisdiction US-OR --report o.jsonl
expect_rc 0 "the outcome-data certification imports"
expect_eq "$OUT" "imported 1 file (json 1) into c.db: 1 credential (content version 3)" \
    "nothing but the credential is defined"
run --db c.db list providers --format json
expect_contains "$OUT" "{\"id\":\"$OWNER\",\"name\":\"Real Owner\",\"jurisdiction\":\"US-OR\"}" "the registry's provider keeps its name"
expect_contains "$(cat o.jsonl)" "\"pointer\":\"/@graph/1\",\"key\":\"@type\",\"why\":\"a qdata:DataSetProfile node: not imported\"" \
    "outcome data: reported"

# In one import, the defined provider wins over the stub (no second definition).
run --db one.db import org.yaml "$CTDL/ra-certification-outcome-data.json" --jurisdiction US-OR
expect_rc 0 "YAML owner and CTDL credential in one import"
run --db one.db show credential ce-f5b8d26a-690a-4671-bda6-d8fc92647a05 --format json
expect_contains "$OUT" '"provider":"ce-a588a18b-2616-4c74-bdcd-6507c0693d0e","jurisdiction":"US-OR"' \
    "the credential names the defined owner"

# Language maps: en-US is not there, en is (primary subtag); --lang picks others.
run --db l.db import "$BACHELOR" --jurisdiction US-TX
expect_rc 0 "the bachelor imports"
run --db l.db show credential ce-cef8a76d-f168-0513-8fac-0b8dc60ef853 --format json
expect_contains "$OUT" '"name":"Bachelor of Science in Accounting","type":"bachelor-degree"' \
    "en-US wanted, en found: the primary subtag"
expect_contains "$OUT" '"attributes":{"ctdl_status":"Active","ctdl_type":"ceterms:BachelorDegree","estimated_duration":"P8W/P12W"' \
    "an estimated duration is an attribute, not hours nor validity"
run --db l.db import "$BACHELOR" --jurisdiction US-TX --lang AR-sa
run --db l.db list credentials
expect_contains "$OUT" "بكالوريوس العلوم في المحاسبة" "--lang matches a tag in any case"
run --db l.db list providers
expect_contains "$OUT" "ce-cef8a76d-f168-0513-8fac-0b8dc60ef853+0657b6ce-f7d9-4916-b03d-06cb35b232da  بعض هيئات الاعتماد" \
    "--lang applies to organisations too"
run --db l.db import "$BACHELOR" --jurisdiction US-TX --lang fr
run --db l.db list credentials
expect_contains "$OUT" "بكالوريوس العلوم في المحاسبة" \
    "no fr, no fr-*: the byte-wise smallest key (ar-sa), whatever the object order"
run --db l.db import "$BACHELOR" --lang 'en US'
expect_rc 2 "an invalid --lang"
expect_contains "$ERR" "invalid --lang 'en US': expected a language tag such as en-US" "the --lang message"

# Embedded owner without an id: a derived id; the jurisdiction from its address.
run --db e.db import "$CTDL/cr-certification-embedded-assessment.json"
expect_rc 0 "the certification with embedded objects imports"
run --db e.db show credential ce-28e50037-d306-4f1e-aa9d-22a0e716b7a7 --format json
expect_eq "$OUT" '{"kind":"credential","id":"ce-28e50037-d306-4f1e-aa9d-22a0e716b7a7","name":"Health Informatics","type":"certification","provider":"ce-28e50037-d306-4f1e-aa9d-22a0e716b7a7+9d0b7841fd6606e9130e","jurisdiction":"US-MI","competencies":[],"tags":[],"codes":{"ctid":["ce-28e50037-d306-4f1e-aa9d-22a0e716b7a7"],"naics":["622","62231"]},"attributes":{"ctdl_type":"ceterms:Certification"},"grade_scale":[]}' \
    "an upper-case CTID lower-cased; MI + United States is US-MI; naics"
run --db e.db list providers
expect_contains "$OUT" "Medical Licensing Board of Indiana  US-MI" "the embedded owner is a provider in US-MI"

# Refused samples, each located; the registry is unchanged.
cp c.db before.db
refused() { # WHAT: exit 3, the registry unchanged
    expect_rc 3 "$1: exit code"
    if cmp -s c.db before.db && [ ! -s c.db-wal ]; then pass; else fail "$1: registry changed"; fi
}
PROVISIONAL="$CTDL/cr-master-degree-provisional.json"
run --db c.db import "$PROVISIONAL" --jurisdiction US-OR
refused "a provisional graph"
expect_eq "$ERR" "credex: $PROVISIONAL: /adms:status: a provisional graph (graphPublicationStatus:Provisional); give --allow-provisional to import it" \
    "the provisional graph, located"
LEGACY="$CTDL/cr-legacy-certificate-urn-ctid.json"
run --db c.db import "$LEGACY"
refused "a legacy document"
expect_eq "$ERR" "credex: $LEGACY: /@context: an inline @context, which credex does not read (a legacy CTDL document?); expected https://credreg.net/ctdl/schema/context/json" \
    "the legacy context, located"
run --db c.db import "$PROVISIONAL" --jurisdiction US-OR --allow-provisional
expect_rc 0 "--allow-provisional imports it"
run --db c.db show credential ce-53bc7e5d-d39c-4687-ac89-0474f691055d --format json
expect_contains "$OUT" '"type":"master-degree","provider":"ce-8ddbf031-bad6-4b19-b726-066d5f71ad01","jurisdiction":"US-OR"' \
    "an owner named by a /graph/ IRI in upper case: its CTID in lower case"

# CTDL-ASN frameworks and competencies: read, reported, not imported yet.
run --db k.db import "$CTDL/cr-competency-frameworks.json" "$CTDL/cr-competencies.json" --report k.jsonl
expect_rc 0 "the CTDL-ASN samples are read"
expect_eq "$OUT" "imported 2 files (json 2) into k.db: nothing (content version 1)" "nothing is imported"
expect_contains "$(cat k.jsonl)" "{\"file\":\"$CTDL/cr-competencies.json\",\"pointer\":\"/0\",\"key\":\"@type\",\"why\":\"a ceasn:Competency node: not imported\"}" \
    "a competency is reported at its pointer"

# A registry envelope is not read yet.
ENVELOPE="$CTDL/ra-envelope-certification-signed.json"
cp c.db before.db
run --db c.db import "$ENVELOPE"
refused "a registry envelope"
expect_eq "$ERR" "credex: $ENVELOPE: a JSON document credex cannot map (not CTDL; no Open Badges or CLR reader yet); credex imports YAML catalogs, CSV award lists and CTDL today" \
    "the envelope, refused"
# --id-map: CSV iri,id overrides the id of an IRI or a blank node.
cat > map.csv <<'CSV'
iri,id
https://sandbox.credentialengineregistry.org/resources/ce-a588a18b-2616-4c74-bdcd-6507c0693d0e,acme-u
"https://sandbox.credentialengineregistry.org/resources/ce-cef8a76d-f168-0513-8fac-0b8dc60ef853",BS-ACC
_:0657b6ce-f7d9-4916-b03d-06cb35b232da,accreditor
CSV
run --db m.db import "$BACHELOR" --jurisdiction US-TX --id-map map.csv
expect_rc 0 "an import with an id map"
run --db m.db show credential BS-ACC --format json
expect_contains "$OUT" '"id":"BS-ACC","name":"Bachelor of Science in Accounting","type":"bachelor-degree","provider":"acme-u"' \
    "the credential and its owner take the mapped ids"
expect_contains "$OUT" '"codes":{"ctid":["ce-cef8a76d-f168-0513-8fac-0b8dc60ef853"]}' "the CTID stays a code"
run --db m.db list providers --format json
expect_contains "$OUT" '{"id":"accreditor","name":"Some Accreditation Body"}' "a blank node, mapped"
printf 'iri,id\nhttps://example.org/a,-a\n' > badmap.csv
run --db m.db import "$BACHELOR" --jurisdiction US-TX --id-map badmap.csv
expect_rc 3 "a bad id map"
expect_eq "$ERR" "credex: badmap.csv:2: invalid id '-a': expected letters, digits and . _ : + - (starting with a letter or digit, at most 200 characters)" \
    "the id map's error, at its line"
printf 'iri,id\na,b\na,c\n' > twice.csv
run --db m.db import "$BACHELOR" --jurisdiction US-TX --id-map twice.csv
expect_eq "$ERR" "credex: twice.csv:3: the IRI 'a' is given twice" "an IRI mapped twice"

# An IRI that is no registry IRI and no credex id: x- and a SHA-256 prefix.
cat > other.json <<'JSON'
{"@context": "http://credreg.net/ctdl/schema/context/json",
 "@type": "ceterms:DigitalBadge", "@id": "https://example.org/creds/1",
 "ceterms:name": {"en-us": "A Badge", "en-GB": "A British Badge"}}
JSON
run --db x.db import other.json --provider acme --jurisdiction US-TX
expect_rc 0 "a credential known only by an IRI"
run --db x.db show credential x-170085188e09357bc2ee --format json
expect_contains "$OUT" '"name":"A Badge","type":"digital-badge","provider":"acme"' \
    "en-US wanted: en-us matches in any case, before the byte-wise smaller en-GB"
expect_contains "$OUT" '"source_iri":"https://example.org/creds/1"' "the IRI is kept"
finish
