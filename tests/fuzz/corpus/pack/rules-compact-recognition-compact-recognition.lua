-- compact-recognition.lua -- a template for an interstate compact: a
-- member state recognises credentials issued in another member state, on
-- the date of the decision (membership is dated: a state that joined
-- later, or left, is not a member then), with an extra condition some
-- members add, and a deny that overrides everything for a closed provider.
--
-- Order of decision (docs/design.md §4): an award not valid on the date is denied;
-- one issued in the receiving state is accepted; a deny overrides; a
-- recognize whose requirements are met accepts; unmet requirements make
-- it conditional, listing what is missing; else not recognised, with the
-- near misses ("US-CT joined EVC on 2025-10-01; as-of is 2025-06-01").

pack "compact-recognition" {
  authority = "Interstate Compact Commission (template)",
  version   = "1.0",
  cite      = "Compact, Art. IV: mutual recognition (adapt: your compact's article)",
}

-- ADAPT: the group (a compact in your catalog) and the credentials it covers.
-- Any recognize that applies and is met accepts, so members that add a
-- condition (Oregon, below) are left out of the plain rule.
recognize "compact-members" {
  into        = all_of { member_of "HVC", { "US-WA", "US-ID", "US-MT" } },
  from        = member_of "HVC",
  credentials = tagged "hvac",
}

-- ADAPT: a member that adds a state-specific module before it recognises.
recognize "compact-oregon" {
  into        = "US-OR",
  from        = member_of "HVC",
  credentials = tagged "hvac",
  requires    = { "OR-HVAC-LAW" },
  cite        = "Oregon implementing rule (adapt)",
}

-- ADAPT: a provider whose credentials no member accepts any more.
deny "closed-provider" {
  credentials = from_provider "sunset-trade-institute",
  reason      = "provider lost accreditation on 2025-01-31",
}
