-- comptia-ladder.lua -- stacks of stacks: CompTIA-style stackable
-- certifications, each conferred when its components are current, one of
-- them built on another (derived awards fill other stacks' slots). Each
-- stack says when its award is issued and when it expires. Illustrative
-- (the real stackables are flat; the issue and expiry rules vary here to
-- exercise every form).

pack "comptia-ladder" {
  authority = "CompTIA stackable certifications (illustrative)",
  version   = "2026.1",
  cite      = "CompTIA Stackable Certifications (illustrative)",
}

stack "COMPTIA-CIOS" {                    -- the defaults: last_component, earliest_component
  name         = "CompTIA IT Operations Specialist",
  jurisdiction = "US",
  requires     = all { "COMPTIA-APLUS", "COMPTIA-NETPLUS" },
}

stack "COMPTIA-CSIS" {                    -- built on CIOS
  name         = "CompTIA Secure Infrastructure Specialist",
  jurisdiction = "US",
  requires     = all { "COMPTIA-CIOS", "COMPTIA-SECPLUS" },
  award        = { issued = "first_component", expires = "earliest_component" },
}

stack "COMPTIA-CSAP" {
  name         = "CompTIA Security Analytics Professional",
  jurisdiction = "US",
  requires     = all { "COMPTIA-SECPLUS", "COMPTIA-CYSA" },
  award        = { expires = "never" },
}

stack "COMPTIA-CSAE" {                    -- built on CSAP
  name         = "CompTIA Security Analytics Expert",
  jurisdiction = "US",
  requires     = all { "COMPTIA-CSAP", "COMPTIA-CASP" },
  award        = { issued = "last_component", expires = "P3Y" },
}
