# list.sh -- `credex list credentials|holders|groups|stacks|providers`
# (docs/json.md, "credex list"): the rows of the ev-mechanic catalog and
# rules in each format, sorted by id in byte order, the filters, and the
# usage errors (a filter for a kind it does not apply to, an unknown kind
# or id).
. "$SRC/tests/cli/lib.sh"
EV="$SRC/examples/ev-mechanic"
export CREDEX_DB="$WORK/ev.db"
run import "$EV/catalog.yaml"
expect_rc 0 "import"

# --- credentials: text, every row by id ----------------------------------
run list credentials
expect_rc 0 "list credentials"
expect_eq "$(echo "$OUT" | sed -n 1p)" \
    "id            name                                           type              provider    jurisdiction" \
    "credentials: the header, padded to the widest cell"
expect_eq "$(echo "$OUT" | sed -n 2p)" \
    "ASE-A1        Engine Repair                                  certification     ase         US" \
    "credentials: the first row"
expect_eq "$(echo "$OUT" | sed 1d | awk '{print $1}' | tr '\n' ' ')" \
    "ASE-A1 ASE-L3 AZ-EVS-110 CA-EV-ORIENT CA-EV-TECH CA-EVB-201 CA-EVC-203 CA-EVD-202 CA-EVS-101 NV-EVD-2 NV-EVS-1 TX-EVB-201 TX-EVD-202 TX-EVS-101 TX-EVS-R " \
    "credentials: every id, in byte order (CA-EV-TECH before CA-EVB-201)"

# --- filters, each in JSON Lines -----------------------------------------
run list credentials --tag ev --jurisdiction US-TX --format json
expect_rc 0 "list credentials --tag --jurisdiction"
expect_eq "$OUT" '{"id":"TX-EVB-201","name":"EV Battery Systems","type":"micro-credential","provider":"tstc-waco","jurisdiction":"US-TX"}
{"id":"TX-EVD-202","name":"EV Drivetrain and Regenerative Braking","type":"micro-credential","provider":"tstc-waco","jurisdiction":"US-TX"}
{"id":"TX-EVS-101","name":"EV High-Voltage Safety","type":"micro-credential","provider":"austin-cc","jurisdiction":"US-TX"}
{"id":"TX-EVS-R","name":"EV High-Voltage Safety Refresher","type":"micro-credential","provider":"austin-cc","jurisdiction":"US-TX"}' \
    "credentials with tag ev in US-TX, keys in a fixed order"
run list credentials --type course --provider rio-hondo --format json
expect_eq "$(echo "$OUT" | sed 's/^{"id":"\([^"]*\)".*/\1/' | tr '\n' ' ')" \
    "CA-EVB-201 CA-EVD-202 CA-EVS-101 " "credentials --type course --provider rio-hondo"
run list credentials --type no-such-type
expect_rc 0 "a filter no row passes"
expect_eq "$OUT" "id  name  type  provider  jurisdiction" "no rows: the header alone"
run list holders --jurisdiction US-CA --format json
expect_eq "$OUT" '{"id":"h-ca-0001","jurisdiction":"US-CA","awards":5}
{"id":"h-ca-0002","jurisdiction":"US-CA","awards":2}
{"id":"h-ca-0003","jurisdiction":"US-CA","awards":3}' "holders --jurisdiction US-CA"
run list groups --jurisdiction US-NV --format json
expect_eq "$OUT" '{"id":"EVC","name":"EV Service Compact","members":5}
{"id":"WEST-EV","name":"Western EV Workforce Consortium","members":3}' \
    "groups with Nevada among their members"
run list groups --jurisdiction US-TX --format json
expect_eq "$OUT" '{"id":"EVC","name":"EV Service Compact","members":5}' "groups with Texas"
run list providers --jurisdiction US-CA --format json
expect_eq "$OUT" "{\"id\":\"cccco\",\"name\":\"California Community Colleges Chancellor's Office\",\"jurisdiction\":\"US-CA\"}
{\"id\":\"cerritos\",\"name\":\"Cerritos College\",\"jurisdiction\":\"US-CA\"}
{\"id\":\"rio-hondo\",\"name\":\"Rio Hondo College\",\"jurisdiction\":\"US-CA\"}" \
    "providers --jurisdiction US-CA"

run list providers
expect_eq "$(echo "$OUT" | tail -n 2)" \
    "tmcc        Truckee Meadows Community College                     US-NV
tstc-waco   Texas State Technical College – Waco                  US-TX" \
    "text columns are padded by characters, not bytes (the en dash)"

# --- CSV: a header, RFC 4180 quoting, CRLF ---------------------------------
run list holders --format csv
expect_rc 0 "list holders --format csv"
expect_eq "$(echo "$OUT" | tr -d '\r')" "id,jurisdiction,awards
h-az-0001,US-AZ,2
h-ca-0001,US-CA,5
h-ca-0002,US-CA,2
h-ca-0003,US-CA,3
h-ct-0001,US-CT,2
h-nv-0001,US-NV,4
h-tx-0001,US-TX,7
h-tx-0002,US-TX,2" "holders as CSV"
expect_eq "$(echo "$OUT" | head -n 1 | od -An -c | tr -d ' \n')" "id,jurisdiction,awards\r\n" \
    "CSV lines end in CRLF"
cat >quoted.yaml <<'YAML'
version: 1
jurisdictions:
  - { id: XQ, name: Quoted }
providers:
  - { id: q-1, name: 'Smith, Jones and "Partners"', jurisdiction: XQ }
YAML
run import quoted.yaml
expect_rc 0 "import a provider whose name needs quoting"
run list providers --jurisdiction XQ --format csv
expect_eq "$(echo "$OUT" | tr -d '\r')" 'id,name,jurisdiction
q-1,"Smith, Jones and ""Partners""",XQ' "a CSV field with a comma and quotes"

# --- stacks come from the rule packs, with the pack file and line ----------
cp -r "$EV/rules" rules
cat >rules/zz-extra.lua <<'LUA'
pack "extra" { version = "1" }

stack "CA-EV-ORIENT" {
  name = "Orientation",
  jurisdiction = "US-CA",
  requires = all { credential "CA-EVS-101" },
}

stack "ASE-L3" {
  requires = all { credential "ASE-A1" },
}
LUA
run list stacks --rules rules --format json
expect_rc 0 "list stacks"
expect_eq "$OUT" '{"id":"ASE-L3","pack":"extra","file":"rules/zz-extra.lua","line":9}
{"id":"CA-EV-ORIENT","name":"Orientation","jurisdiction":"US-CA","pack":"extra","file":"rules/zz-extra.lua","line":3}
{"id":"CA-EV-TECH","name":"EV Technician Certificate","jurisdiction":"US-CA","pack":"ca-ev-certificate","file":"rules/ca-ev-certificate.lua","line":13}' \
    "stacks by id, with pack, file and line; absent name and jurisdiction left out"
run list stacks --jurisdiction US-CA
expect_rc 0 "stacks from ./rules"
expect_eq "$OUT" "id            name                       jurisdiction  pack               file                         line
CA-EV-ORIENT  Orientation                US-CA         extra              rules/zz-extra.lua           3
CA-EV-TECH    EV Technician Certificate  US-CA         ca-ev-certificate  rules/ca-ev-certificate.lua  13" \
    "stacks --jurisdiction US-CA as text"
run list stacks --rules rules --format csv
expect_eq "$(echo "$OUT" | tr -d '\r' | sed -n '1p;2p')" "id,name,jurisdiction,pack,file,line
ASE-L3,,,extra,rules/zz-extra.lua,9" "stacks as CSV: empty fields for absent values"
printf 'stack "BROKEN" { requires = all { "NO-SUCH" } }\n' >rules/broken.lua
run list stacks --rules rules
expect_rc 3 "a broken pack"
expect_contains "$ERR" "rules/broken.lua:1" "the broken pack's error names the file and line"
expect_eq "$OUT" "" "a broken pack: no header, nothing on stdout"
run list stacks --rules rules --format csv
expect_rc 3 "a broken pack, CSV"
expect_eq "$OUT" "" "a broken pack: no CSV header on stdout"
rm rules/broken.lua

# a stack's name comes from a rule pack: invalid UTF-8 becomes U+FFFD and a
# control character is escaped in text, as in a decision; JSON stays JSON
mkdir odd
printf 'pack "odd" { version = "1" }\nstack "CA-EVC-203" {\n  name = "Caf\\xe9 \\x1b[31mred",\n  requires = all { credential "CA-EVS-101" },\n}\n' >odd/odd.lua
run list stacks --rules odd --format json
expect_rc 0 "list stacks --format json with a name that is not UTF-8"
expect_eq "$OUT" "$(printf '{"id":"CA-EVC-203","name":"Caf\xef\xbf\xbd \\u001B[31mred","pack":"odd","file":"odd/odd.lua","line":2}')" \
    "the name as JSON: U+FFFD for the invalid byte, the escape character escaped"
run list stacks --rules odd
expect_rc 0 "list stacks as text with a name that is not UTF-8"
expect_eq "$(echo "$OUT" | sed -n 2p)" "$(printf 'CA-EVC-203  Caf\xef\xbf\xbd \\x1b[31mred  -             odd   odd/odd.lua  2')" \
    "the name as text: U+FFFD, and the escape character shown as \\x1b"

# --- usage errors -----------------------------------------------------------
run list holders --tag ev
expect_rc 2 "a filter for a kind it does not apply to"
expect_contains "$ERR" "credex list: --tag does not apply to holders" "names the filter and the kind"
run list groups --provider ase
expect_rc 2 "--provider on groups"
expect_contains "$ERR" "--provider does not apply to groups" "--provider on groups message"
run list stacks --type course --rules rules
expect_rc 2 "--type on stacks"
expect_contains "$ERR" "--type does not apply to stacks" "--type on stacks message"
run list credentials --rules rules
expect_rc 2 "--rules on credentials"
expect_contains "$ERR" "--rules does not apply to credentials (only to stacks)" "--rules message"
run list credental
expect_rc 2 "an unknown kind"
expect_contains "$ERR" "cannot list 'credental' (did you mean 'credentials'?)" "unknown kind message"
run list
expect_rc 2 "no kind"
run list credentials --jurisdiction US-TXX
expect_rc 2 "an unknown jurisdiction"
expect_contains "$ERR" "no jurisdiction 'US-TXX' in the registry; did you mean 'US-TX'?" \
    "the nearest jurisdiction is suggested"
run list credentials --provider rio-hondoo
expect_rc 2 "an unknown provider"
expect_contains "$ERR" "did you mean 'rio-hondo'?" "the nearest provider is suggested"
run list credentials --format yaml
expect_rc 2 "an unknown format"
run list --help
expect_rc 0 "list --help"
expect_contains "$OUT" "usage: credex list (credentials|holders|groups|stacks|providers)" "list --help usage"
run list credentials --db "$WORK/none.db"
expect_rc 4 "a registry that does not exist"
if [ -e "$WORK/none.db" ]; then fail "list created a registry"; else pass; fi

finish
