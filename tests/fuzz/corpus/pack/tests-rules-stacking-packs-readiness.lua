-- readiness.lua -- options on slots: min_results (Ohio's remediation-free
-- ACT sub-scores) and min_grade (CTAG course credit needs a C or better on
-- the course's own grade scale). Illustrative.

pack "oh-readiness" {
  authority = "Ohio Department of Higher Education (illustrative)",
  version   = "2026.1",
  cite      = "Uniform Statewide Standards for Remediation-Free Status (illustrative)",
}

stack "OH-REMED-FREE" {
  name         = "Remediation-Free Status (college-ready)",
  jurisdiction = "US-OH",
  requires = credential "ACT" {
    label       = "ACT sub-scores",
    min_results = { english = 18, math = 22, reading = 22 },
  },
}

stack "OH-CTAG-WLD" {
  name         = "Welding CTAG Credit",
  jurisdiction = "US-OH",
  requires = all {
    credential "OH-WLD-GMAW" { min_grade = "C" },
    credential "OH-WLD-SMAW" { min_grade = "C" },
  },
  cite = "Career-Technical Assurance Guide, Welding (illustrative)",
}
