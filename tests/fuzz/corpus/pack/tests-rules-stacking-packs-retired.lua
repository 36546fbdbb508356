-- retired.lua -- a stack's `effective` dates: the 2019 welding certificate
-- was offered from July 2019 until June 2025 (its successor is
-- OH-WLD-CERT); outside those dates it confers nothing, so the advanced
-- certificate built on it cannot use it either. Illustrative.

pack "oh-welding-2019" {
  authority = "Eastland-Fairfield Career & Technical Schools (illustrative)",
  version   = "2019.1",
  cite      = "Eastland-Fairfield Program Guide 2019-20, Welding Technology",
}

stack "OH-WLD-CERT-2019" {
  name         = "Welding Technology Certificate (2019 program)",
  jurisdiction = "US-OH",
  requires     = all { "OH-WLD-GMAW", "OH-WLD-SMAW" },
  effective    = { from = "2019-07-01", to = "2025-06-30" },
}

stack "OH-WLD-ADV" {
  name         = "Advanced Welding Certificate",
  jurisdiction = "US-OH",
  requires     = all { "OH-WLD-CERT-2019", "OH-WLD-FCAW" },
}
