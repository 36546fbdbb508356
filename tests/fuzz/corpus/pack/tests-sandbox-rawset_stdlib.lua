-- Tampering: rawset bypasses __newindex; use it on a shared library table.
-- Expected: rawset refuses read-only tables.
rawset(string, "upper", function() return "pwned" end)
