-- cov.lua -- the coverage fixture's pack (tests/cli/ruletest_coverage.sh):
-- two stacks, two articulations, a recognition with a requirement, a
-- deny and a renewal; the test files beside it exercise some or all.
pack "cov" { authority = "credex tests" }

stack "CERT" {
  jurisdiction = "US-CA",
  requires = all {
    "A-SAFE",
    at_least(2) { label = "electives", "B-1", "B-2", "B-3" },
    hours(100, tagged "ev") { label = "shop hours" },
    holder_attr("age", ">=", 18),
  },
}

stack "SAFE-CARD" {
  jurisdiction = "US-CA",
  requires = any { "A-SAFE", "TX-SAFE" },
}

counts_as { from = "TX-SAFE", to = "A-SAFE", within = "US-CA" }
counts_as { from = "TX-B1", to = "B-1" }

recognize "tx-into-ca" {
  into = "US-CA",
  from = "US-TX",
  requires = { "A-SAFE" },
}

deny "closed" {
  credentials = from_provider "closed-academy",
  reason = "the academy closed",
}

renews "B-2" { "A-SAFE" }
