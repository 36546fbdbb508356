-- machining.lua -- windows: a certificate whose credentials must have been
-- earned within five years of each other (span), and a currency status
-- that counts only credentials earned in the five years before the
-- decision (recent). NIMS credentials never expire here. Illustrative.

pack "oh-machining" {
  authority = "Auburn Career Center, Precision Machining (illustrative)",
  version   = "2026.1",
  cite      = "Auburn Career Center Program Guide 2026-27, Precision Machining",
}

stack "OH-MFG-MACH" {
  name         = "Machining Technician Certificate",
  jurisdiction = "US-OH",
  requires = all {
    "NIMS-MMS1",
    at_least(2) { "NIMS-CNCM", "NIMS-CNCT", "NIMS-DPM" },
  },
  window = { span = "P5Y" },
}

stack "OH-MFG-CURRENT" {
  name         = "Current Manufacturing Credential Holder",
  jurisdiction = "US-OH",
  requires = all {
    "OSHA-10-GI",
    any { "NIMS-MMS1", "MSSC-CPT" },
  },
  window = { recent = "P5Y" },
}
