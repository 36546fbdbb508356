-- peer_stack.lua -- the stack of issue 16's peer data shape, which the
-- benchmarks (bench_1m.sh, bench_audit.sh, bench_snapshot.sh,
-- bench_whatif.sh) and the test bench/peer_counts decide: two named
-- credentials, two of four, 120 hours, within five years.
pack "bench" { authority = "bench", version = "1" }
stack "C8" {
  jurisdiction = "US-OH",
  requires = all {
    "C1", "C2",
    at_least(2) { "C3", "C4", "C5", "C6" },
    hours(120, { "C1", "C2", "C3", "C4", "C5", "C6" }),
  },
  window = { recent = "P5Y" },
}
