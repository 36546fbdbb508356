-- comptia-renewal.lua -- CompTIA's continuing-education rule: earning a
-- higher certification renews the lower ones that are still current.

pack "comptia-renewal" {
  authority = "CompTIA Continuing Education Program (illustrative)",
  version   = "2026.1",
  cite      = "CompTIA CE Program Policies: renewing with a higher-level certification",
}

renews "COMPTIA-SECPLUS" { "COMPTIA-NETPLUS", "COMPTIA-APLUS" }
