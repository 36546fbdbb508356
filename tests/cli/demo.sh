# demo.sh -- `make demo` runs examples/ev-mechanic/demo.sh; this runs it
# the same way and checks the story's key facts appear in its output.
. "$SRC/tests/cli/lib.sh"
out=$(CREDEX="$CREDEX" bash "$SRC/examples/ev-mechanic/demo.sh" 2>&1)
rc=$?
expect_eq "$rc" 0 "demo exit code"
expect_contains "$out" "8 holders, 27 awards, 2 exceptions" "demo: the import summary"
expect_contains "$out" "2025-03-14  TX-EVS-101     active    US-TX       40  2028-03-14" "demo: Miguel's safety module"
expect_contains "$out" "US-CA      from 2025-07-01 until 2030-06-30" "demo: California's dated membership"
expect_contains "$out" '"results":{"english":18,"reading":22}' "demo: JSON with results"
expect_contains "$out" "equiv TX-EVS-101 -> CA-EVS-101 in US-CA: equivalent" "demo: articulation"
expect_contains "$out" "missing: ev.dc-dc" "demo: the drivetrain gap"
expect_contains "$out" 'missing: at_least(1) { "CA-EVD-202", "CA-EVC-203" }' "demo: Miguel's one missing elective"
expect_contains "$out" '"status":"met","subject":{"holder":"h-ca-0001","stack":"CA-EV-TECH"}' "demo: a met certificate as JSON"
expect_contains "$out" "CA-EV-TECH: met 2, in_progress 3, not_started 3, error 0" "demo: the registry at once"
finish
