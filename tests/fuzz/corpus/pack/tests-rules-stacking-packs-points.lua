-- points.lua -- totals: Ohio's industry-recognised-credential graduation
-- pathway (12 points within one career field), the same without the
-- career-field rule, a welding certificate's lab hours, and a
-- manufacturing certificate whose unlabelled parts name themselves in
-- `missing`. Illustrative.

pack "oh-points" {
  authority = "Ohio Department of Education and Workforce (illustrative)",
  version   = "2026.1",
  cite      = "Ohio graduation requirements, industry-recognized credential pathway (illustrative)",
}

stack "OH-GRAD-IRC12" {
  name         = "Graduation Pathway: 12 IRC Points in One Career Field",
  jurisdiction = "US-OH",
  requires = sum("points", 12) { group_by = "career_field", label = "12 points in one career field" },
}

stack "OH-IRC-POINTS12" {
  name         = "12 IRC Points (any career field)",
  jurisdiction = "US-OH",
  requires = sum("points", 12),
}

stack "OH-WLD-CERT" {
  name         = "Welding Technology Certificate",
  jurisdiction = "US-OH",
  requires = all {
    "OH-WLD-GMAW",
    hours(450, tagged "welding") { label = "welding lab hours" },
  },
}

stack "OH-MFG-FOUND" {
  name         = "Manufacturing Foundations Certificate",
  jurisdiction = "US-OH",
  requires = all {
    "OSHA-10-GI",
    at_least(2) { "NIMS-MMS1", "NIMS-CNCM", "NIMS-CNCT" },
    any { "MSSC-CPT", "AWS-SENSE-L1" },
    matching "^NIMS-D[A-Z]+$",
    hours(100, any_credential),
    sum("points", 9),
  },
}
