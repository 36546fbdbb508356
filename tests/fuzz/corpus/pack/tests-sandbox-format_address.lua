-- Nondeterminism: print an address with string.format's %p.
-- Expected: %p is refused.
local where = string.format("%p", {})
