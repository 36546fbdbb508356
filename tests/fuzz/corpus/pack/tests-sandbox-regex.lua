-- Denial of service: a catastrophic PCRE2 pattern through re.test.
-- Expected: PCRE2's match limit stops it; a regex limit trips the decision.
local s = string.rep("a", 5000) .. "b"
local hit = re.test("(a+)+$", s)
