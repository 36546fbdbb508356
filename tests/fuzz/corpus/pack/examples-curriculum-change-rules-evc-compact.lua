-- evc-compact.lua -- the EV Service Compact: a member state recognises EV
-- credentials issued in another member state, on the date of the decision;
-- California adds its orientation module. Illustrative compact, modelled on
-- interstate licensure compacts (dated membership, home-state issuance).

pack "evc-compact" {
  authority = "EV Service Compact Commission",
  version   = "2025.3",
  cite      = "EV Service Compact, Art. IV (mutual recognition)",
}

-- Members other than California (which adds a condition, below).
recognize "evc-members" {
  into        = all_of { member_of "EVC", { "US-TX", "US-NV", "US-AZ", "US-CT" } },
  from        = member_of "EVC",
  credentials = tagged "ev",
}

-- California recognises compact credentials once the holder has completed
-- its orientation on state warranty and battery-labelling rules.
recognize "evc-california" {
  into        = "US-CA",
  from        = member_of "EVC",
  credentials = tagged "ev",
  requires    = { "CA-EV-ORIENT" },
  cite        = "Cal. EV Service Compact implementing regulations §4.2 (illustrative)",
}

-- Partial members recognise safety modules only.
deny "evc-partial-scope" {
  into        = member_of "EVC" { status = "partial" },
  credentials = all_of { tagged "ev", matching "^(?!.*-EVS-)" },
  reason      = "a partial member recognises compact safety modules only",
}
