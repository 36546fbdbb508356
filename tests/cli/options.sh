# options.sh -- every command's usage line lists every option it accepts
# (in --help, and in the usage error for an option it does not take), and
# --quiet is accepted by every command. An option is accepted when the
# command does not answer "does not apply"; each command runs against a
# registry path that cannot exist, so nothing is done past the parser.
. "$SRC/tests/cli/lib.sh"
export CREDEX_DB="$WORK/no-such-dir/x.db"
OPTIONS="db:x format:text rules:x as-of:2026-06-01 explain jobs:1 quiet in:x holder:x stack:x
all from:x to:x fail-unless:met coverage log summary type:x tag:x jurisdiction:x provider:x only:x
skip-invalid report:x lang:x allow-provisional id-map:x
trust:x allow-unverified holders:x cascade
max-input-bytes:1M max-scalar-bytes:64K max-list-items:10 max-trips:5
busy-timeout:1 sync:full imports force output:x
listen:127.0.0.1:0 tokens:x threads:1 max-body:1K timeout:1 scopes:read
credential:x soc:x limit:5 award:x
kid:x out:x key:x pack-trust:x require-signed-packs issuer-id:x issuer-name:x issuer-key:x no-cache
shard:1/1"

run --help
COMMANDS=$(printf '%s\n' "$OUT" | sed -n '/^commands:/,/^$/p' | awk 'NF > 1 { print $1 }')
expect_contains "$COMMANDS" "import" "the command list"
for cmd in $COMMANDS; do
    run "$cmd" --help
    USAGE=$(printf '%s\n' "$OUT" | sed '/^$/q') # the usage lines, up to the first blank
    NAMES=" $(printf '%s\n' "$USAGE" | grep -o -- '--[a-z][a-z-]*' | tr '\n' ' ')" # whole names
    expect_contains "$USAGE" "usage: credex $cmd" "$cmd --help: the usage line"
    for spec in $OPTIONS; do
        opt=${spec%%:*}
        if [ "$opt" = "$spec" ]; then set -- "--$opt"; else set -- "--$opt" "${spec#*:}"; fi
        run "$cmd" "$@"
        case "$ERR" in
        *"does not apply to '$cmd'"*) accepted=0 ;;
        *) accepted=1 ;;
        esac
        if [ "$opt" = quiet ]; then
            expect_eq "$accepted" 1 "--quiet is accepted by $cmd"
        fi
        if [ "$accepted" = 1 ]; then
            expect_contains "$NAMES" " --$opt " "$cmd parses --$opt: its usage line lists it"
        else
            expect_not_contains "$NAMES" " --$opt " "$cmd refuses --$opt: its usage line must not list it"
        fi
    done
done
# an option the command does not take: the usage error shows its usage line
run test --db x.db
expect_rc 2 "--db on test"
expect_eq "$ERR" "credex test: option '--db' does not apply to 'test'
usage: credex test [FILE|DIR...] [--coverage] [--format text|json|junit] [--quiet]
       [--max-input-bytes N] [--max-scalar-bytes N] [--max-list-items N]
       [--pack-trust FILE] [--require-signed-packs]
try 'credex test --help'" "the usage error lists test's options"
run show holder h --format csv
expect_rc 2 "--format csv on show"
expect_contains "$ERR" "expected one of: text json
usage: credex show (credential|holder|group) ID [--db PATH] [--format text|json] [--quiet]" "a bad --format: the usage line"

# every --format value a command takes is in its usage line
run test --help
expect_contains "$OUT" "[--format text|json|junit]" "test: formats in the usage line"
run check --help
expect_contains "$OUT" "[--format text|json]" "check: formats in the usage line"
run import --help
expect_contains "$OUT" "[--format text|json]" "import: formats in the usage line"

# --quiet: no summary chatter, results still printed
unset CREDEX_DB
run init --db q.db --quiet
expect_rc 0 "init --quiet"
expect_eq "$OUT$ERR" "" "init --quiet prints nothing"
run --db q.db import "$SRC/examples/ev-mechanic/catalog.yaml" --quiet
run --db q.db show group EVC --quiet
expect_contains "$OUT" "group EVC" "show --quiet still shows"
run --db q.db equiv TX-EVS-101 CA-EVS-101 --in US-CA --rules "$SRC/examples/ev-mechanic/rules" --as-of 2026-06-01 --quiet
expect_contains "$OUT" "equiv TX-EVS-101 -> CA-EVS-101 in US-CA:" "equiv --quiet still decides"
finish
