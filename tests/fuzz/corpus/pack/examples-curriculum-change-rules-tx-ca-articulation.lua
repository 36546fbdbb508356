-- tx-ca-articulation.lua -- course-to-course articulation from Texas EV
-- continuing-education modules to California credit courses, one way, in
-- the style of an ASSIST agreement, as the EV advisory group's proposal
-- leaves it (see the PROPOSED note below; compare
-- ../../ev-mechanic/rules/tx-ca-articulation.lua). Illustrative: agreement
-- numbers and dates are not real.

pack "tx-ca-ev-articulation" {
  authority = "California Community Colleges Chancellor's Office, Workforce and Economic Development",
  version   = "2025.2",
  cite      = "Intersegmental Articulation Agreement 2025-14 (Texas EV modules)",
}

-- One way: a Texas module counts toward the California course, in California.
-- PROPOSED: CA-EVB-201's course outline changes (change.yaml), so the
-- battery-module line of the agreement (TX-EVB-201 -> CA-EVB-201, effective
-- 2025-07-01) is suspended until the colleges review the new outline; the
-- competency rule below still applies meanwhile.
counts_as { from = "TX-EVS-101", to = "CA-EVS-101", within = "US-CA" }

-- Arizona's pilot: safety modules completed while the pilot ran count in
-- California; later ones do not.
counts_as {
  from = "AZ-EVS-110", to = "CA-EVS-101", within = "US-CA",
  issued_between = { "2024-06-01", "2025-12-31" },
  cite = "Arizona-California EV pilot articulation, 2024-2025",
}

-- Nevada's safety level 1 and California's safety course were reviewed
-- together by both colleges: each counts as the other, everywhere.
equivalent { "NV-EVS-1", "CA-EVS-101", cite = "TMCC-Rio Hondo joint review, March 2025" }

-- Anything else from a compact state counts when it covers at least 80% of
-- the California course's competencies (the gap is reported when it does not).
equivalence "competency-80" {
  from   = matching "^(TX|NV|AZ)-EV",
  to     = matching "^CA-EV[BDC]-",
  when   = coverage "80%",
  within = "US-CA",
  cite   = "CTE Policy Memo 26-03, competency-based articulation",
}
