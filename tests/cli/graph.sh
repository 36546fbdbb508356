# graph.sh -- `credex graph` on the EV mechanic example: the DOT of a stack,
# a jurisdiction and a holder's overlay byte for byte against golden files
# (tests/cli/golden/graph-*.dot), the colours a learner reads off the map,
# the same bytes on a second run, SVG that is well-formed XML and names
# every node of its DOT, the pictures checked in under docs/img/ made again
# and compared (so they cannot go stale), and the errors a user can cause.
# CREDEX_UPDATE_GOLDEN=1 rewrites the golden files and the pictures.
. "$SRC/tests/cli/lib.sh"
GOLDEN="$SRC/tests/cli/golden"
IMG="$SRC/docs/img"
RULES="$SRC/examples/ev-mechanic/rules"
# Graphviz keeps some of its own buffers for the life of the process
export LSAN_OPTIONS="suppressions=$SRC/tests/cli/graphviz.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export CREDEX_DB="$WORK/ev.db"
run import "$SRC/examples/ev-mechanic/catalog.yaml"
expect_rc 0 "import the EV example"

graph() { run graph --rules "$RULES" "$@"; }

# ------------------------------------------------------------------- DOT
graph --stack CA-EV-TECH
expect_rc 0 "graph --stack"
printf '%s\n' "$OUT" >stack.dot
expect_golden stack.dot graph-stack.dot
expect_eq "$ERR" "" "graph --stack: nothing on stderr"
expect_contains "$OUT" '"requirement:CA-EV-TECH:0002" [label="2 of 3"' "the electives: 2 of 3"
expect_contains "$OUT" '[label="shop hours\n120 hours\ntagged \"ev\""' "shop hours: 120, labelled"
expect_contains "$OUT" '"credential:CA-EVS-101" -> "requirement:CA-EV-TECH:0000" [label="safety"]' \
    "the safety slot's label on its edge"
expect_contains "$OUT" '"credential:TX-EVS-101" -> "credential:CA-EVS-101" [label="counts_as in \"US-CA\"\nUS-TX -> US-CA", style=dashed]' \
    "an articulation as a dashed edge labelled with the jurisdictions"
expect_contains "$OUT" '"credential:TX-EVS-R" -> "credential:TX-EVS-101" [label="renews", style=dotted]' \
    "the renewal, dotted"
expect_contains "$OUT" 'Rio Hondo College Catalog 2026-27, EV Technician Certificate (TOP 0948.40)' \
    "the stack's citation from the pack"
expect_contains "$OUT" '"credential:CA-EV-TECH" [label="CA-EV-TECH\nEV Technician Certificate\ncertificate, US-CA", shape=box3d' \
    "the stack's credential: id, name, a shape of its own"
expect_not_contains "$OUT" "as of" "no date without --as-of"
run graph --stack CA-EV-TECH --rules "$RULES"
expect_eq "$OUT" "$(cat stack.dot)" "the same bytes on a second run"

graph --jurisdiction US-CA --as-of 2025-06-01
expect_rc 0 "graph --jurisdiction"
printf '%s\n' "$OUT" >jurisdiction.dot
expect_golden jurisdiction.dot graph-jurisdiction.dot
expect_contains "$OUT" 'label="credex pathway map: jurisdiction US-CA, as of 2025-06-01"' "the title"
# before 2025-07-01 the Texas battery articulation is not yet in effect
expect_not_contains "$OUT" '"credential:TX-EVB-201" -> "credential:CA-EVB-201"' \
    "a rule not in effect on the day is left out"

graph --stack CA-EV-TECH --holder h-tx-0001 --as-of 2026-06-01
expect_rc 0 "graph --holder"
printf '%s\n' "$OUT" >holder.dot
expect_golden holder.dot graph-holder.dot
fill() { # fill ID: the fill colour of credential ID's node in $OUT
    printf '%s\n' "$OUT" | sed -n "s/^  \"credential:$1\" \[.*fillcolor=\"\(#[0-9a-f]*\)\".*/\1/p"
}
expect_eq "$(fill TX-EVS-101)" "#b2f2bb" "Miguel earned TX-EVS-101 (green)"
expect_eq "$(fill CA-EVS-101)" "#d3f9d8" "CA-EVS-101 counts through his Texas module (light green)"
expect_eq "$(fill CA-EVB-201)" "#d3f9d8" "CA-EVB-201 counts through competency coverage"
expect_eq "$(fill CA-EVD-202)" "#ffc9c9" "CA-EVD-202 is missing (red)"
expect_eq "$(fill CA-EVC-203)" "#ffc9c9" "CA-EVC-203 is missing"
expect_eq "$(fill CA-EV-TECH)" "#ffc9c9" "the certificate is not yet his"
expect_eq "$(fill NV-EVS-1)" "" "a credential he has nothing to do with is not coloured"
expect_contains "$OUT" '"legend:6:3" [label="expired or no longer valid"' "the legend explains the colours"

graph --stack CA-EV-TECH --holder h-tx-0002 --as-of 2026-06-01
expect_eq "$(fill TX-EVS-101)" "#ffd8a8" "h-tx-0002: the 2021 safety module has expired (orange)"
expect_eq "$(fill TX-EVB-201)" "#ffd8a8" "h-tx-0002: the revoked battery module is no longer valid"
graph --stack CA-EV-TECH --holder h-ca-0001 --as-of 2026-06-01
expect_eq "$(fill CA-EV-TECH)" "#b2f2bb" "h-ca-0001 has met the certificate"
expect_eq "$(fill CA-EVC-203)" "" "h-ca-0001: an elective not needed is not missing"

graph --credential TX-EVS-101
expect_rc 0 "graph --credential"
expect_contains "$OUT" '"credential:TX-EVS-101" -> "credential:CA-EVS-101"' "--credential: what it counts as"
expect_contains "$OUT" 'subgraph "cluster_stack:CA-EV-TECH"' "--credential: the stack it counts toward, through that"
expect_contains "$OUT" '"credential:TX-EVS-R" -> "credential:TX-EVS-101"' "--credential: what renews it"

graph --credential ASE-A1
expect_not_contains "$OUT" "cluster_stack" "--credential: a credential no stack uses draws no stack"
expect_contains "$OUT" '"credential:ASE-A1" [label="ASE-A1\nEngine Repair\ncertification, US", shape=hexagon]' \
    "--credential: the credential itself, a hexagon"

# Every kind of requirement says what it asks, in the pack's words.
ST="$SRC/tests/rules/stacking"
run --db st.db import "$ST/catalog.yaml" "$ST/selected.yaml"
expect_rc 0 "import the stacking tests' catalogs"
kinds() { run --db st.db graph --rules "$ST/packs/$1"; }
kinds points.lua
expect_contains "$OUT" '"requirement:OH-GRAD-IRC12:0000" [label="12 points in one career field\n12 points\nwithin one career_field", shape=box' \
    "sum with group_by, labelled"
expect_contains "$OUT" '"requirement:OH-MFG-FOUND:0006" [label="1 of 2", shape=circle' "any: 1 of 2"
expect_contains "$OUT" '"requirement:OH-MFG-FOUND:0009" [label="matching \"^NIMS-D[A-Z]+$\"", shape=box' \
    "a matching slot"
expect_contains "$OUT" '"requirement:OH-MFG-FOUND:0010" [label="100 hours\nany_credential", shape=box' \
    "hours over any credential"
kinds selected.lua
expect_contains "$OUT" '[label="7 points\ntagged \"health\"", shape=box' "sum over a selector"
kinds workbased.lua
expect_contains "$OUT" '"requirement:OH-WBL-ELIG:0001" [label="holder_attr(\"age\", \">=\", 16)", shape=box' \
    "holder_attr"
expect_contains "$OUT" '[label="two credentials since grade 11\ncheck(function at line 49)", shape=box' \
    "a labelled check"
kinds readiness.lua
expect_contains "$OUT" '"credential:ACT" -> "credential:OH-REMED-FREE" [label="ACT sub-scores\nenglish >= 18\nmath >= 22\nreading >= 22"];' \
    "min_results on the slot's edge"
expect_contains "$OUT" '"credential:OH-WLD-GMAW" -> "requirement:OH-CTAG-WLD:0000" [label="grade >= C"];' \
    "min_grade on the slot's edge"

# ------------------------------------------------------------------- SVG
svg_check() { # svg_check DOT SVG WHAT: well-formed, and every node of DOT is titled in SVG
    python3 - "$1" "$2" <<'EOF'
import re, sys, xml.etree.ElementTree as ET
dot = open(sys.argv[1], encoding="utf-8").read()
ids = set(re.findall(r'^ +"((?:[^"\\]|\\.)*)" \[', dot, re.M))
root = ET.parse(sys.argv[2]).getroot()
titles = {t.text for t in root.iter("{http://www.w3.org/2000/svg}title")}
missing = sorted(i for i in ids if i not in titles)
print(len(ids), "nodes;", "missing: " + " ".join(missing) if missing else "all titled")
EOF
}
graph --stack CA-EV-TECH --format svg -o "$WORK/stack.svg"
expect_rc 0 "graph --format svg -o"
expect_eq "$OUT$ERR" "" "-o: nothing printed"
expect_eq "$(svg_check stack.dot stack.svg)" "31 nodes; all titled" "the SVG parses and names every node"
expect_contains "$(cat stack.svg)" "<title>credential:CA&#45;EV&#45;TECH</title>" "the stack's node in the SVG"
graph --stack CA-EV-TECH --format svg
expect_eq "$OUT" "$(cat stack.svg)" "SVG: the same bytes on a second run, to stdout"
graph --stack CA-EV-TECH --holder h-tx-0001 --as-of 2026-06-01 --format svg -o holder.svg
expect_eq "$(svg_check holder.dot holder.svg)" "35 nodes; all titled" "the holder's SVG parses and names every node"
expect_contains "$(cat holder.svg)" 'fill="#ffc9c9"' "the SVG carries the missing colour"

# The pictures in docs/img/ (README.md, docs/graph.md), made again.
for pic in "ev-pathway.svg:--stack CA-EV-TECH" \
    "ev-pathway-miguel.svg:--stack CA-EV-TECH --holder h-tx-0001 --as-of 2026-06-01"; do
    name=${pic%%:*}
    # shellcheck disable=SC2086
    graph ${pic#*:} --format svg -o "$WORK/$name"
    if [ "${CREDEX_UPDATE_GOLDEN:-}" = 1 ]; then cp "$WORK/$name" "$IMG/$name"; fi
    if cmp -s "$WORK/$name" "$IMG/$name"; then
        pass
    else
        fail "docs/img/$name is stale: make it again with credex graph ${pic#*:} --format svg"
    fi
done

# Names are text in the picture, never DOT syntax or a control.
printf 'version: 1\njurisdictions:\n  - { id: XX, name: Somewhere }\ncredentials:\n  - { id: A, name: "say \\"hi\\" \\\\ back \\u202e evil", type: course, jurisdiction: XX }\n  - { id: S, name: Stack, type: certificate, jurisdiction: XX }\n' >esc.yaml
printf 'pack "p" { version = "1", authority = "x" }\nstack "S" { jurisdiction = "XX", requires = all { credential "A" { label = "l\\"q" } } }\n' >esc.lua
run --db esc.db import esc.yaml
run --db esc.db graph --rules esc.lua
expect_contains "$OUT" '"credential:A" [label="A\nsay \"hi\" \\ back \\u202e evil\ncourse, XX", shape=box];' \
    "quotes, backslashes and a bidirectional control in a name, escaped"
expect_contains "$OUT" '"credential:A" -> "requirement:S:0000" [label="l\"q"];' "a quote in a label, escaped"
run --db esc.db graph --rules esc.lua --format svg -o esc.svg
expect_eq "$(svg_check /dev/null esc.svg)" "0 nodes; all titled" "such names still make well-formed SVG"
expect_contains "$(cat esc.svg)" 'say &quot;hi&quot; \ back \u202e evil' "the name as text in the SVG"

# ---------------------------------------------------------------- errors
graph --stack CA-EV-TEC
expect_rc 2 "an unknown stack"
expect_eq "$ERR" "credex: --stack: no stack 'CA-EV-TEC' in the rules; did you mean 'CA-EV-TECH'?" \
    "an unknown stack: the nearest"
graph --holder h-tx-001
expect_rc 2 "an unknown holder"
expect_eq "$ERR" "credex: --holder: no holder 'h-tx-001' in the registry; did you mean 'h-tx-0001'?" \
    "an unknown holder: the nearest"
graph --jurisdiction US-C
expect_rc 2 "an unknown jurisdiction"
graph --stack CA-EV-TECH --jurisdiction US-CA
expect_rc 2 "two choices at once"
expect_eq "$ERR" "credex: give at most one of --stack, --credential and --jurisdiction" \
    "two choices at once: the message"
graph --format png
expect_rc 2 "an unknown format"
expect_contains "$ERR" "unknown --format 'png' for 'graph'; expected one of: dot svg" "the formats"
graph --as-of 2026-13-01
expect_rc 2 "a malformed date"
graph --stack CA-EV-TECH -o "$WORK/no-such-dir/x.dot"
expect_rc 1 "-o into a missing folder"
expect_contains "$ERR" "credex: cannot write $WORK/no-such-dir/x.dot" "-o: the file named"
finish
