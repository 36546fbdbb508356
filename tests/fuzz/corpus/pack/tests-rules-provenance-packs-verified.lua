-- verified.lua -- verified = true on a credential slot, an hours and a sum
-- total, and a recognize rule (docs/rules.md, "Verified awards").
-- Illustrative.

pack "provenance-tests" {
  authority = "credex tests",
  version   = "1",
}

stack "CERT-SLOT" {
  name         = "Certificate from verified badge A",
  jurisdiction = "US-A",
  requires = all { credential "BADGE-A" { verified = true }, "BADGE-B" },
}

stack "CERT-SLOT-ANY" {
  name         = "Certificate from any badge A",
  jurisdiction = "US-A",
  requires = all { "BADGE-A", "BADGE-B" },
}

stack "CERT-HOURS" {
  name         = "Certificate from 20 verified hours",
  jurisdiction = "US-A",
  requires = hours(20, tagged "course") { verified = true, label = "20 verified course hours" },
}

stack "CERT-SUM" {
  name         = "Certificate from 6 verified credits",
  jurisdiction = "US-A",
  requires = sum("credits", 6) { verified = true },
}

recognize "verified-badges-from-b" {
  into        = "US-A",
  from        = "US-B",
  credentials = "BADGE-C",
  verified    = true,
}
