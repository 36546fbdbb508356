-- health.lua -- Auburn Career Center's health-science certificates: every
-- kind of slot (a plain id, credential with a label, matching, competency,
-- tagged) and the structures (any, at_least, a labelled total).
-- Illustrative: the program rules are not Auburn's published ones.

pack "oh-health" {
  authority = "Auburn Career Center, Health Sciences (illustrative)",
  version   = "2026.1",
  cite      = "Auburn Career Center Program Guide 2026-27, Health Sciences",
}

stack "OH-HLT-PCT" {
  name         = "Patient Care Technician Certificate",
  jurisdiction = "US-OH",
  requires = all {
    "OH-STNA",                                -- a plain string is credential "OH-STNA"
    credential "AHA-BLS" { label = "CPR" },   -- a labelled credential slot
    matching "^NHA-C(PT|ET)$",                -- phlebotomy or EKG technician
    competency "hlt.vitals",                  -- STNA or the home health aide course
    tagged "infection-control",               -- bloodborne pathogens training
  },
}

stack "OH-HLT-ALLIED" {
  name         = "Allied Health Core Certificate",
  jurisdiction = "US-OH",
  requires = all {
    any { "AHA-BLS", "ARC-BLS", label = "CPR card" },
    at_least(2) { "OH-STNA", "NHA-CPT", "NHA-CET", label = "two clinical credentials" },
    hours(150, tagged "health") { label = "clinical hours" },
  },
}
