-- it-certificates.lua -- allocation: one award fills one slot, and the
-- evaluator must find an assignment whenever one exists, whatever the
-- order of the parts or of the awards (a greedy first fit fails here).
-- Certificates of a career centre's IT program, over national
-- certifications (no jurisdiction: every valid award counts). Illustrative.

pack "oh-it-certificates" {
  authority = "Auburn Career Center, Information Technology (illustrative)",
  version   = "2026.1",
  cite      = "Auburn Career Center Program Guide 2026-27, Information Technology",
}

-- Slot A (any networking certification: Network+, CCNA, CCST
-- Cybersecurity) first, slot B (Network+ only) second.
stack "OH-IT-NETTECH" {
  name = "Network Technician Certificate",
  requires = all {
    tagged "networking" { label = "networking certification" },
    "COMPTIA-NETPLUS",
  },
}

-- The same two slots, listed the other way round.
stack "OH-IT-NETADMIN" {
  name = "Network Administration Certificate",
  requires = all {
    "COMPTIA-NETPLUS",
    tagged "networking" { label = "networking certification" },
  },
}

-- A chain of three: security (Security+, CySA+, CASP+ or CCST
-- Cybersecurity), networking (Network+, CCNA or CCST Cybersecurity) and
-- Security+ itself.
stack "OH-IT-SECOPS" {
  name = "Security Operations Certificate",
  requires = all {
    tagged "security" { label = "security certification" },
    tagged "networking" { label = "networking certification" },
    "COMPTIA-SECPLUS",
  },
}

-- A choice beside a slot: two security certifications, one of them CySA+.
stack "OH-IT-CYBER2" {
  name = "Cybersecurity Two-Certification Certificate",
  requires = all {
    at_least(2) { "COMPTIA-SECPLUS", "COMPTIA-CYSA", "CISCO-CCST-SEC" },
    matching "^COMPTIA-(CYSA|CASP)$",
  },
}

-- reuse_awards: one Network+ fills both slots.
stack "OH-IT-NETREUSE" {
  name         = "Network Technician Certificate (shared credit)",
  reuse_awards = true,
  requires = all {
    tagged "networking" { label = "networking certification" },
    "COMPTIA-NETPLUS",
  },
}

-- OH-IT-CYBER2's parts the other way round (and the choice's parts too).
stack "OH-IT-SECANALYST" {
  name = "Security Analyst Certificate",
  requires = all {
    matching "^COMPTIA-(CYSA|CASP)$",
    at_least(2) { "CISCO-CCST-SEC", "COMPTIA-CYSA", "COMPTIA-SECPLUS" },
  },
}
