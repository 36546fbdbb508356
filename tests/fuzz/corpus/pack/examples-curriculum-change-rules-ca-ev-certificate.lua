-- ca-ev-certificate.lua -- the EV Technician Certificate (CA-EV-TECH) as the
-- EV advisory group PROPOSES to change it for 2027: the charging course
-- CA-EVC-203 is no longer an elective (charging moves into the new battery
-- course outline, see change.yaml), so both remaining electives are
-- required. Compare ../../ev-mechanic/rules/ca-ev-certificate.lua, the
-- certificate as it stands. Illustrative, like the rest of the example.

pack "ca-ev-certificate" {
  authority = "Rio Hondo College, Automotive Technology (CTE)",
  version   = "2027.1-proposed",
  cite      = "Rio Hondo College Catalog 2026-27, EV Technician Certificate (TOP 0948.40)",
}

stack "CA-EV-TECH" {
  name         = "EV Technician Certificate",
  jurisdiction = "US-CA",
  requires = all {
    credential "CA-EVS-101" { label = "safety" },
    at_least(2) { "CA-EVB-201", "CA-EVD-202" },
    hours(120, tagged "ev") { label = "shop hours" },
  },
  window = { span = "P5Y" },
  award  = { issued = "last_component", expires = "earliest_component" },
}
