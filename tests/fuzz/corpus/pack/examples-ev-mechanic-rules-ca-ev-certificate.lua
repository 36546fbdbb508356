-- ca-ev-certificate.lua -- the EV Technician Certificate (CA-EV-TECH) as
-- Rio Hondo College's CTE program defines it: the safety course, two of
-- three electives, 120 hours of EV coursework, all within five years.
-- Illustrative: modelled on a credit certificate under Cal. Code Regs.
-- tit. 5 §55070; the program, ids and hours are not a real catalog's.

pack "ca-ev-certificate" {
  authority = "Rio Hondo College, Automotive Technology (CTE)",
  version   = "2026.1",
  cite      = "Rio Hondo College Catalog 2026-27, EV Technician Certificate (TOP 0948.40)",
}

stack "CA-EV-TECH" {
  name         = "EV Technician Certificate",
  jurisdiction = "US-CA",
  requires = all {
    credential "CA-EVS-101" { label = "safety" },
    at_least(2) { "CA-EVB-201", "CA-EVD-202", "CA-EVC-203" },
    hours(120, tagged "ev") { label = "shop hours" },
  },
  window = { span = "P5Y" },
  award  = { issued = "last_component", expires = "earliest_component" },
}
