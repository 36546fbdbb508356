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

# A graph with blank-node nodes that name no owner (a learning opportunity,
# a master's degree) needs --provider.
run --db c.db import "$DETAILED" --jurisdiction US-TX
expect_rc 3 "a credential without an owner and no --provider"
expect_eq "$ERR" "credex: $DETAILED: /@graph/3: credential 'ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec+a895a294-23e8-46fd-a5cb-8c5dcde27899' has no ceterms:ownedBy or ceterms:offeredBy; give --provider ID" \
    "the ownerless learning opportunity, located at its node"
[ ! -e c.db ] && pass || fail "a refused first import leaves no registry"
run --db c.db import "$DETAILED" --provider acme
expect_rc 3 "no jurisdiction and no --jurisdiction"
expect_eq "$ERR" "credex: $DETAILED: /@graph/0: credential 'ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec' has no jurisdiction credex can tell (one mainJurisdiction place, or its provider's address); give --jurisdiction J" \
    "the jurisdiction, located"

run --db skip.db import "$DETAILED" --jurisdiction US-TX --skip-invalid --report skip.jsonl
expect_rc 0 "--skip-invalid: the ownerless nodes are left out"
expect_eq "$OUT" "imported 1 file (json 1) into skip.db: 1 jurisdiction, 3 providers, 1 credential (content version 1)" \
    "only the certification is imported"
expect_contains "$(cat skip.jsonl)" "{\"file\":\"$DETAILED\",\"pointer\":\"/@graph/4\",\"key\":null,\"why\":\"credential 'ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec+2fd183d0-69d9-4c1d-ad71-6e41cc112da4' has no ceterms:ownedBy or ceterms:offeredBy; give --provider ID\"}" \
    "a credential left out is reported with its error"

run --db c.db import "$DETAILED" --provider acme --jurisdiction US-TX --report r.jsonl
expect_rc 0 "the detailed certification imports"
expect_eq "$OUT" "imported 1 file (json 1) into c.db: 1 jurisdiction, 4 providers, 3 credentials (content version 1)" \
    "the summary: the QA organisations, the owner's placeholder and --provider; two credentials and a learning opportunity"
run --db c.db show credential ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec --format json
expect_eq "$OUT" '{"kind":"credential","id":"ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec","name":"My Certification Name","type":"certification","provider":"ce-a588a18b-2616-4c74-bdcd-6507c0693d0e","jurisdiction":"US-TX","competencies":[],"tags":[],"codes":{"cip":["30.1301","30.2202","31.0504","31.0505","31.0599","31.9999"],"ctid":["ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec"],"naics":["926120","9271","927110","9281","928110"],"onet":["13-2051.00","13-2052.00","13-2061.00","13-2099.01","15-1122.00","15-1152.00"],"soc":["13-2051","13-2052","13-2061","13-2099","15-1122","15-1152"]},"attributes":{"ctdl_status":"Active","ctdl_type":"ceterms:Certification","subject_webpage":"http://example.com/credential/1234"},"grade_scale":[]}' \
    "the certification: CTID id, codes by pattern (O*NET labelled SOC is onet, plus its soc), attributes"
run --db c.db show credential ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec+2fd183d0-69d9-4c1d-ad71-6e41cc112da4 --format json
expect_contains "$OUT" "\"name\":\"Cybersecurity Technology Master's Degree\",\"type\":\"master-degree\",\"provider\":\"acme\"" \
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
run --db c.db list credentials
expect_contains "$OUT" "ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec+a895a294-23e8-46fd-a5cb-8c5dcde27899  Another required learning opportunity (external)  learning-opportunity  acme" \
    "a learning opportunity the requirements name is a credential of type learning-opportunity"
expect_contains "$REPORT" "\"pointer\":\"/@graph/0/ceterms:requires/0/ceterms:targetLearningOpportunity/0\",\"key\":\"ceterms:targetLearningOpportunity\",\"why\":\"a requirement target not among the inputs: not imported\"" \
    "the report: a requirement target the inputs do not hold"
expect_contains "$REPORT" "\"pointer\":\"/@graph/0\",\"key\":null,\"why\":\"jurisdiction 'US-TX': created with its id as its name if the registry lacks it\"" \
    "the report: the jurisdiction --jurisdiction names"

# A provider the registry has is not replaced by a placeholder.
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

# In one import, the defined provider wins over the placeholder (no second definition).
run --db one.db import org.yaml "$CTDL/ra-certification-outcome-data.json" --jurisdiction US-OR
expect_rc 0 "YAML owner and CTDL credential in one import"
run --db one.db show credential ce-f5b8d26a-690a-4671-bda6-d8fc92647a05 --format json
expect_contains "$OUT" '"provider":"ce-a588a18b-2616-4c74-bdcd-6507c0693d0e","jurisdiction":"US-OR"' \
    "the credential names the defined owner"

# Language maps: en-US is not there, en is (primary subtag); --lang picks others.
run --db l.db import "$BACHELOR" --jurisdiction US-TX --provider acme
expect_rc 0 "the bachelor imports"
run --db l.db show credential ce-cef8a76d-f168-0513-8fac-0b8dc60ef853 --format json
expect_contains "$OUT" '"name":"Bachelor of Science in Accounting","type":"bachelor-degree"' \
    "en-US wanted, en found: the primary subtag"
expect_contains "$OUT" '"attributes":{"ctdl_status":"Active","ctdl_type":"ceterms:BachelorDegree","estimated_duration":"P8W/P12W"' \
    "an estimated duration is an attribute, not hours nor validity"
run --db l.db import "$BACHELOR" --jurisdiction US-TX --provider acme --lang AR-sa
run --db l.db list credentials
expect_contains "$OUT" "بكالوريوس العلوم في المحاسبة" "--lang matches a tag in any case"
run --db l.db list providers
expect_contains "$OUT" "ce-cef8a76d-f168-0513-8fac-0b8dc60ef853+0657b6ce-f7d9-4916-b03d-06cb35b232da  بعض هيئات الاعتماد" \
    "--lang applies to organisations too"
run --db l.db import "$BACHELOR" --jurisdiction US-TX --provider acme --lang fr
run --db l.db list credentials
expect_contains "$OUT" "بكالوريوس العلوم في المحاسبة" \
    "no fr, no fr-*: the byte-wise smallest key (ar-sa), whatever the object order"
run --db l.db import "$BACHELOR" --lang 'en US'
expect_rc 2 "an invalid --lang"
expect_contains "$ERR" "invalid --lang 'en US': expected a language tag such as en-US" "the --lang message"

# Embedded owner without an id: a derived id; the jurisdiction from its address.
run --db e.db import "$CTDL/cr-certification-embedded-assessment.json" --provider acme --jurisdiction US-TX
expect_rc 0 "the certification with embedded objects imports"
run --db e.db show credential ce-28e50037-d306-4f1e-aa9d-22a0e716b7a7 --format json
expect_eq "$OUT" '{"kind":"credential","id":"ce-28e50037-d306-4f1e-aa9d-22a0e716b7a7","name":"Health Informatics","type":"certification","provider":"ce-28e50037-d306-4f1e-aa9d-22a0e716b7a7+9d0b7841fd6606e9130e","jurisdiction":"US-MI","competencies":[],"tags":[],"codes":{"ctid":["ce-28e50037-d306-4f1e-aa9d-22a0e716b7a7"],"naics":["622","62231"]},"attributes":{"ctdl_type":"ceterms:Certification"},"grade_scale":[]}' \
    "an upper-case CTID lower-cased; MI + United States is US-MI; naics"
run --db e.db list providers
expect_contains "$OUT" "Medical Licensing Board of Indiana  US-MI" "the embedded owner is a provider in US-MI"
run --db e.db show credential ce-68b4a3a9-df61-4449-8337-7dbdb5167005 --format json
expect_contains "$OUT" '"id":"ce-68b4a3a9-df61-4449-8337-7dbdb5167005","name":"CSP Examination","type":"assessment","provider":"acme","jurisdiction":"US-TX"' \
    "an embedded required assessment is a credential of type assessment (no owner: --provider)"

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

# CTDL-ASN: frameworks, and competencies with their parent. The samples
# name frameworks by bare UUIDs across files: an id map gives their CTIDs.
cat > fw.csv <<'CSV'
iri,id
f1a08dc6-416e-11e7-ba71-02bd89fdd987,ce-ab70cb5f-d75d-3344-864f-df565d1a17d7
f2abcdc6-416e-11e7-ba71-02bd89fdd123,ce-e970cb9f-d75d-3344-864f-df565d1a37d7
CSV
run --db k.db import "$CTDL/cr-competencies.json"
expect_rc 3 "competencies whose framework is not among the inputs"
expect_eq "$ERR" "credex: $CTDL/cr-competencies.json: /0/ceasn:isPartOf: unknown framework 'f1a08dc6-416e-11e7-ba71-02bd89fdd987'; define it in a catalog first" \
    "the framework reference, located"
run --db k.db import "$CTDL/cr-competency-frameworks.json" --id-map fw.csv --report k.jsonl
expect_rc 0 "the frameworks import"
expect_eq "$OUT" "imported 1 file (json 1) into k.db: 2 frameworks (content version 1)" "two frameworks"
expect_contains "$(cat k.jsonl)" "\"pointer\":\"/0/ceasn:hasTopChild\",\"key\":\"ceasn:hasTopChild\",\"why\":\"not imported: credex has no place for this key\"" \
    "the inverse links are reported"
run --db k.db import "$CTDL/cr-competencies.json" --id-map fw.csv
expect_rc 0 "the competencies of frameworks the registry has"
expect_eq "$OUT" "imported 1 file (json 1) into k.db: 5 competencies (content version 2)" "five competencies"
run --db k.db export --only frameworks
expect_eq "$OUT" "version: 1
frameworks:
  - id: ce-ab70cb5f-d75d-3344-864f-df565d1a17d7
    name: Georgia Standards of Excellence
    competencies:
      - id: ce-399b893c-8ebe-39db-9a87-525539be793c
        text: High School
      - id: ce-d6f4336c-5003-3843-95ea-2e4f885296c9
        text: Kindergarten
  - id: ce-e970cb9f-d75d-3344-864f-df565d1a37d7
    name: Science Georgia Standards of Excellence - 2016
    competencies:
      - id: ce-53db0d38-1b6e-3d0e-bb30-266b0707dc8d
        text: Earth and Space Science
        parent: ce-89437c7d-247d-3887-b3a1-59451ba05096
      - id: ce-7e57c787-671d-344f-9491-4a8151437029
        text: Astronomy
      - id: ce-89437c7d-247d-3887-b3a1-59451ba05096
        text: Life Science" "frameworks by CTID; competencies with text (en-us) and the parent isChildOf names"
run --db both.db import "$CTDL/cr-competencies.json" "$CTDL/cr-competency-frameworks.json" --id-map fw.csv
expect_eq "$OUT" "imported 2 files (json 2) into both.db: 2 frameworks, 5 competencies (content version 1)" \
    "both files in one import, in any order"

# A graph written here: hours from clock hours, other credits as
# attributes, renewalFrequency, two owners, a main jurisdiction by name,
# a framework with competencies in the same graph, one without a CTID.
cat > syn.json <<'JSON'
{"@context": "https://credreg.net/ctdl/schema/context/json",
 "@id": "https://credentialengineregistry.org/graph/ce-11111111-2222-3333-4444-555555555555",
 "@graph": [
  {"@type": "ceterms:MicroCredential",
   "@id": "https://credentialengineregistry.org/resources/ce-11111111-2222-3333-4444-555555555555",
   "ceterms:ctid": "ce-11111111-2222-3333-4444-555555555555",
   "ceterms:name": "EV Safety Micro",
   "ceterms:ownedBy": ["https://credentialengineregistry.org/resources/ce-bbbbbbbb-0000-4000-8000-000000000000",
                       "https://credentialengineregistry.org/resources/ce-aaaaaaaa-0000-4000-8000-000000000000"],
   "ceterms:jurisdiction": [{"@type": "ceterms:JurisdictionProfile",
     "ceterms:mainJurisdiction": [{"@type": "ceterms:Place", "ceterms:addressRegion": "Texas", "ceterms:addressCountry": "USA"}]}],
   "ceterms:creditValue": [
     {"@type": "schema:ValueProfile", "schema:value": 40.0,
      "ceterms:creditUnitType": {"@type": "ceterms:CredentialAlignmentObject", "ceterms:targetNode": "creditUnit:ClockHour"}},
     {"@type": "schema:ValueProfile", "schema:value": 3, "ceterms:creditUnitType": ["creditUnit:SemesterHour"]}],
   "ceterms:renewalFrequency": "P3Y",
   "ceterms:dateEffective": "2024-01-15T00:00:00Z",
   "ceterms:expirationDate": "2030-01-01T02:00:00+05:00",
   "ceterms:occupationType": [{"ceterms:codedNotation": "49-3023"}, {"ceterms:codedNotation": "X-1"}]},
  {"@type": "ceasn:CompetencyFramework", "@id": "_:fw",
   "ceterms:ctid": "ce-cccccccc-0000-4000-8000-000000000000", "ceasn:name": {"en": "EV Framework"}},
  {"@type": "ceasn:Competency", "@id": "_:c2", "ceterms:ctid": "ce-eeeeeeee-0000-4000-8000-000000000000",
   "ceasn:competencyText": "Lockout", "ceasn:isPartOf": ["_:fw"], "ceasn:isChildOf": ["_:c1"]},
  {"@type": "ceasn:Competency", "@id": "_:c1", "ceterms:ctid": "ce-dddddddd-0000-4000-8000-000000000000",
   "ceasn:competencyText": {"en-US": "HV safety"}, "ceasn:isPartOf": "_:fw"},
  {"@type": "ceasn:Competency", "ceasn:competencyText": "No CTID", "ceasn:isPartOf": ["_:fw"]}
 ]}
JSON
run --db s.db import syn.json --report s.jsonl
expect_rc 0 "the written graph imports"
expect_eq "$OUT" "imported 1 file (json 1) into s.db: 1 jurisdiction, 1 provider, 1 framework, 2 competencies, 1 credential (content version 1)" \
    "its summary"
run --db s.db show credential ce-11111111-2222-3333-4444-555555555555 --format json
expect_eq "$OUT" '{"kind":"credential","id":"ce-11111111-2222-3333-4444-555555555555","name":"EV Safety Micro","type":"micro-credential","provider":"ce-aaaaaaaa-0000-4000-8000-000000000000","jurisdiction":"US-TX","hours":40,"valid_for":"P3Y","effective_from":"2024-01-15","effective_until":"2029-12-31","competencies":[],"tags":[],"codes":{"ctid":["ce-11111111-2222-3333-4444-555555555555"],"soc":["49-3023"]},"attributes":{"credits_semester_hour":"3","ctdl_type":"ceterms:MicroCredential"},"grade_scale":[]}' \
    "clock hours are hours (40.0 is 40), semester hours an attribute; the smallest owner; Texas, USA is US-TX; an instant's UTC date"
S_REPORT=$(cat s.jsonl)
expect_contains "$S_REPORT" '{"file":"syn.json","pointer":"/@graph/0/ceterms:ownedBy/0","key":"ceterms:ownedBy","why":"another provider '"'ce-bbbbbbbb-0000-4000-8000-000000000000'"' of '"'ce-11111111-2222-3333-4444-555555555555'"': not kept"}' \
    "the second owner is reported"
expect_contains "$S_REPORT" '"pointer":"/@graph/0/ceterms:occupationType/1/ceterms:codedNotation","key":"ceterms:occupationType","why":"code '"'X-1'"' matches no code scheme credex keeps"' \
    "a code of no scheme is reported"
expect_contains "$S_REPORT" '{"file":"syn.json","pointer":"/@graph/4","key":"@type","why":"a competency without a CTID or a framework: not imported"}' \
    "a competency without a CTID is reported, not imported"
run --db s.db export --only frameworks
expect_eq "$OUT" "version: 1
frameworks:
  - id: ce-cccccccc-0000-4000-8000-000000000000
    name: EV Framework
    competencies:
      - id: ce-dddddddd-0000-4000-8000-000000000000
        text: HV safety
      - id: ce-eeeeeeee-0000-4000-8000-000000000000
        text: Lockout
        parent: ce-dddddddd-0000-4000-8000-000000000000" \
    "blank-node references to nodes with a CTID resolve to the CTID; the parent from isChildOf"

# A registry envelope: the JWS in resource is verified with the key the
# envelope carries; the trust file says whether that key is trusted; only
# the verified payload is mapped, never decoded_resource.
ENVELOPE="$CTDL/ra-envelope-certification-signed.json"
cp c.db before.db
run --db c.db import "$ENVELOPE" --jurisdiction US
refused "an envelope signed by a key no trust entry holds"
expect_eq "$ERR" "credex: $ENVELOPE: /resource: signed by a key no trust entry holds; give --trust FILE with an issuer holding it, or --allow-unverified" \
    "the untrusted key, located"
# the envelope's public key, as a JWK (modulus and exponent of its PEM)
cat > trust.yaml <<YAML
issuers:
  - id: https://credentialengineregistry.org/publishers/sample
    keys:
      - { kty: RSA, e: AQAB, n: uvC6aDDGq4eKc0zgagoqXCzWwSHtczP4FAHGyQIGArZJdrwFfUg5KIaL0uQjjkbA5SanoP_w5xJhA8ilA2TjIPTc1Kpkjq2RBrALOPtsRVc9pbWjg1jbKgg4KBi0MM965K3njeKiVy1REQ9i2z1xik40c2TXBoppXHoRfpznHV-BrIVO_85zHPov8GBLlmfZmrz2CqiI32aGHMqFEEfGcuRvq01KEbZUz5iTtx_TRLPpM6Akefa6DYlBlxcd9vEzJE8yQVg6RAPJiRcQG1xUDYqkF1Ys1XCFfZGT97bNHYLrtW-OW2EPLvMtPlEUtoVVy54z-WnFFi6LHOugHSAJkWnPM5LqfmAahkD1kJ6Pcib3vqzsdw1_hJxB--AlBS8MTVdbYme7XT_BgzTLg1Vyy9szsqSix2faZPWQxMN2px7YkRQx9MUsGO6BGJ8Pg3DHUspLYubEBZSSggw7l0Yb96s3SNacbSlF8bvHfeSbw_UenNEAeOcG8gi7H50rYpJrTnaCF9mtfRnnjSC8eH21DteJKyyXarWaXIWaAwQ7QpIpFGOdjKrfEGuMcmLCpAd8Ci2f6RKqQVpFw1irzietPHcp02d36P7Vx_zNYwjqZMhyO2JnILr-pHpoPD3Ju2pCBFszEcXAzHnTUwJpATl6rjOxm4qNKAAkF3Zua4zHNsE }
YAML
run --db v.db import "$ENVELOPE" --trust trust.yaml --jurisdiction US --report v.jsonl
expect_rc 0 "a trusted envelope imports"
expect_eq "$OUT" "imported 1 file (json 1) into v.db: 1 jurisdiction, 5 providers, 1 credential (content version 1)" \
    "the envelope's summary"
run --db v.db show credential ce-14525aea-57c5-4f5a-8f1c-bdc95c7f8b9b --format json
expect_contains "$OUT" '"name":"21st Century Skills for Workplace Success","type":"certification","provider":"ce-6a62b250-a1a2-4d31-a702-cdc2437efd31","jurisdiction":"US","effective_from":"2016-09-01"' \
    "the signed certification"
V_REPORT=$(cat v.jsonl)
expect_contains "$V_REPORT" "{\"file\":\"$ENVELOPE\",\"pointer\":\"/decoded_resource\",\"key\":\"decoded_resource\",\"why\":\"not read: the verified resource is mapped instead\"}" \
    "decoded_resource is never read"
expect_contains "$V_REPORT" "{\"file\":\"$ENVELOPE#resource\",\"pointer\":\"/@graph/0/ceterms:jurisdiction/0/ceterms:mainJurisdiction/0\",\"key\":\"ceterms:mainJurisdiction\",\"why\":\"a place credex cannot tell as an ISO 3166 code\"}" \
    "the payload's pointers are the resource's; a continent is no ISO place"
expect_not_contains "$V_REPORT" "imported unverified" "a trusted key: nothing unverified"
run --db u.db import "$ENVELOPE" --allow-unverified --jurisdiction US --report u.jsonl
expect_rc 0 "--allow-unverified imports an untrusted envelope"
expect_contains "$(cat u.jsonl)" "{\"file\":\"$ENVELOPE\",\"pointer\":\"/resource\",\"key\":\"resource_public_key\",\"why\":\"signed by a key no trust entry holds: imported unverified\"}" \
    "and reports it"
# one changed character of the signed payload: refused, whatever the options
sed 's/ew0KICAiQGNvbnRleHQi/ew0KICAiQGNvbnRleHQj/' "$ENVELOPE" > tampered.json
cmp -s tampered.json "$ENVELOPE" && fail "the payload was not changed" || pass
run --db c.db import tampered.json --trust trust.yaml --allow-unverified --jurisdiction US
refused "a tampered envelope"
expect_eq "$ERR" "credex: tampered.json: /resource: bad signature: the resource is not what resource_public_key signed" \
    "the tampered payload, located"
finish
