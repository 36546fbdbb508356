-- selected.lua -- totals over selected credentials: sum(attr, n, selector)
-- counts only the awards the selector selects ("7 points from health
-- credentials"), with and without group_by. Illustrative.

pack "oh-selected" {
  authority = "Ohio Department of Education and Workforce (illustrative)",
  version   = "2026.1",
  cite      = "Ohio industry-recognized credentials, health pathway (illustrative)",
}

stack "OH-HLT-IRC7" {
  name         = "Health Pathway: 7 IRC Points from Health Credentials",
  jurisdiction = "US-OH",
  requires = sum("points", 7, tagged "health"),
}

stack "OH-IRC-LISTED7" {
  name         = "7 IRC Points in One Career Field from the Listed Credentials",
  jurisdiction = "US-OH",
  requires = sum("points", 7, { "NIMS-MMS1", "NIMS-CNCM", "OH-STNA", "AHA-BLS" }) {
    group_by = "career_field", label = "7 listed points in one career field",
  },
}
