-- Loaded after redefine_a.lua: sees the shared globals, not redefine_a's.
assert(tostring(12) == "12", "tostring was redefined for this pack")
assert(string.upper("a") == "A", "string was redefined for this pack")
assert(rawget(_ENV, "helper") == nil, "a global leaked from another pack")
declare("marker", { by = "redefine_b", upper = ("a"):upper() })
