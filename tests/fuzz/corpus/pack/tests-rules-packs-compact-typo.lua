-- A compact named by its long name instead of its id.
recognize "typo" { into = member_of "HVAC", from = member_of "HVC" }
