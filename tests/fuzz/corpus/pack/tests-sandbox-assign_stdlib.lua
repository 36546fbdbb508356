-- Tampering: plain assignment into a shared library table.
-- Expected: shared tables are frozen.
math.floor = function(x) return 42 end
