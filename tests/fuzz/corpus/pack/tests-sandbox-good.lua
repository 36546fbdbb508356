-- A well-behaved pack: the sandbox must still load it after every hostile
-- one, with the shared libraries unchanged. Not an escape attempt.
assert(("a"):upper() == "A" and string.upper("b") == "B", "string was changed")
assert(tostring(12) == "12" and math.floor(2.5) == 2, "base or math was changed")
assert(getmetatable("").__index.upper == string.upper, "string metatable was changed")
local function rule(id, parts)
  return declare("rule", { id = id, parts = parts })
end
rule("GOOD-1", { "A", "B" })
rule("GOOD-2", { check = function(ctx) return ctx.n > 1, "n must be more than 1" end })
