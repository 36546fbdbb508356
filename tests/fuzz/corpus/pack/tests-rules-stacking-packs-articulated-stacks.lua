-- articulated-stacks.lua -- a stack's derived credential that counts, by
-- articulation, as a credential another stack requires. The consumer
-- (OH-MFG-FOUND) sorts before the producer (OH-WLD-CERT): only the
-- dependency order, which follows equivalences as well as slots, makes
-- the derived certificate available to it. Illustrative.

pack "articulated-stacks" {
  authority = "Ohio Department of Higher Education (illustrative)",
  version   = "2026.1",
  cite      = "Ohio Career-Technical Credit Transfer (CTAG), welding to manufacturing (illustrative)",
}

stack "OH-WLD-CERT" {
  name         = "Ohio Welding Certificate",
  jurisdiction = "US-OH",
  requires     = all { "OH-WLD-GMAW", "OH-WLD-SMAW" },
}

stack "OH-MFG-FOUND" {
  name         = "Manufacturing Foundations",
  jurisdiction = "US-OH",
  requires     = all { "NIMS-MMS1", "OSHA-10-GI" },
}

-- The welding certificate's measurement and materials content stands for
-- NIMS Machining Level I in the foundations stack.
counts_as { from = "OH-WLD-CERT", to = "NIMS-MMS1", within = "US-OH" }

-- Two articulations that close a cycle: each stack's credential counts
-- toward the other. Neither can wait for the other; they are decided in
-- id order there (OH-CTAG-WLD first), and the order elsewhere still
-- follows the articulation above.
stack "OH-CTAG-WLD" {
  name         = "CTAG Welding Pathway",
  jurisdiction = "US-OH",
  requires     = all { "AWS-SENSE-L1" },
}

stack "OH-WLD-ADV" {
  name         = "Advanced Welding Certificate",
  jurisdiction = "US-OH",
  requires     = all { "OH-WLD-FCAW" },
}

counts_as { from = "OH-WLD-ADV", to = "AWS-SENSE-L1", within = "US-OH" }
counts_as { from = "OH-CTAG-WLD", to = "OH-WLD-FCAW", within = "US-OH" }

-- A stack downstream of that cycle, which sorts before both: it still
-- waits for the advanced certificate it is articulated from.
stack "OH-CONST-PATHWAY" {
  name         = "Construction Pathway",
  jurisdiction = "US-OH",
  requires     = all { "OSHA-10-CON", "NCCER-CORE" },
}

counts_as { from = "OH-WLD-ADV", to = "NCCER-CORE", within = "US-OH" }
