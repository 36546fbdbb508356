-- next.lua -- stacks for `credex next` (tests/rules/next): a holder with
-- C1 is one course from S-A, S-B, S-D, S-E and S-F, two from S-C, has met
-- S-H, and cannot complete S-G (a holder attribute) by earning anything.
pack "next" { authority = "credex tests", version = "1" }

stack "S-A" { jurisdiction = "XX", requires = all { "C1", "C2" } }
stack "S-B" { jurisdiction = "XX", requires = all { "C1", any { "C3", "C4" } } }
stack "S-C" { jurisdiction = "XX", requires = at_least(2) { "C4", "C5", "C6" } }
stack "S-D" { jurisdiction = "XX", requires = all { "C5" } }
stack "S-E" { jurisdiction = "XX", requires = all { "C4" } }
stack "S-F" { jurisdiction = "XX", requires = hours(25, tagged "t") }
stack "S-G" { jurisdiction = "XX", requires = all { holder_attr("track", "=", "evening"), "C2" } }
stack "S-H" { jurisdiction = "XX", requires = all { "C1" } }
-- S-I needs S-H's credential and C7, which is no longer offered: out of reach
stack "S-I" { jurisdiction = "XX", requires = all { "S-H", "C7", "Y1" } }
