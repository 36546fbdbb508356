-- gaps.lua -- one stack per requirement kind, so that each test case's
-- gaps say how far that kind is from holding (docs/json.md, "gaps").

pack "gaps" { authority = "credex tests", version = "1" }

renews "C1-RENEW" { "C1" }

stack "ST-SLOT" { jurisdiction = "US-XX", requires = all { "C1", "C2" } }

stack "ST-HOURS" {
  jurisdiction = "US-XX",
  requires = all { hours(100, any_of { tagged "core", tagged "elective" }) { label = "lab hours" } },
}

stack "ST-SUM" {
  jurisdiction = "US-XX",
  requires = sum("points", 12) { group_by = "field", label = "12 points in one field" },
}

stack "ST-CHOICE" { jurisdiction = "US-XX", requires = at_least(2) { "C3", "C4", "C5", "C6" } }

stack "ST-ANY" { jurisdiction = "US-XX", requires = all { "C3", any { "C5", "C6" } } }

stack "ST-ALL" {
  jurisdiction = "US-XX",
  requires = all { "C5", all { "C3", "C4", label = "elective pair" } },
}

stack "ST-KIND" {
  jurisdiction = "US-XX",
  requires = all { matching "^M-A", tagged "lab", competency "k.safety" },
}

stack "ST-COND" {
  jurisdiction = "US-XX",
  requires = all {
    holder_attr("status", "=", "enrolled"),
    check(function(ctx) return false, "never" end) { label = "dean's check" },
  },
}
