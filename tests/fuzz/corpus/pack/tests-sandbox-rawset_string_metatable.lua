-- Tampering: rawset into what getmetatable("") returns.
-- Expected: rawset refuses read-only tables.
rawset(getmetatable(""), "__index", {})
