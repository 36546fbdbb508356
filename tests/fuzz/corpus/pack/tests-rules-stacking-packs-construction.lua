-- construction.lua -- a pre-apprenticeship certificate conferred by its
-- components and good for two years of direct entry into an electrical
-- apprenticeship, which also asks for documented training hours (derived
-- awards add no hours). Illustrative; modelled on Ohio's registered
-- pre-apprenticeship programs.

pack "oh-construction" {
  authority = "Ohio State Building & Construction Trades Council (illustrative)",
  version   = "2026.1",
  cite      = "Pre-Apprenticeship Direct Entry Agreement (illustrative)",
}

stack "OH-PREAPP-BLD" {
  name         = "Building Trades Pre-Apprenticeship Certificate",
  jurisdiction = "US-OH",
  requires     = all { "OSHA-10-CON", "NCCER-CORE" },
  award        = { expires = "P2Y" },
}

stack "OH-APPR-ELEC-ENTRY" {
  name         = "Electrical Apprenticeship Direct Entry",
  jurisdiction = "US-OH",
  requires = all {
    "OH-PREAPP-BLD",
    hours(200, any_credential) { label = "documented training hours" },
  },
}

-- Points, too, count only real awards: the derived certificate fills the
-- slot, but its 6 points are not added.
stack "OH-CONST-PATHWAY" {
  name         = "Construction Graduation Pathway",
  jurisdiction = "US-OH",
  requires = all {
    "OH-PREAPP-BLD",
    sum("points", 12) { group_by = "career_field", label = "12 construction points" },
  },
}
