-- more.lua -- stacks for `credex next` beyond packs/ (tests/rules/next/
-- more.test.yaml): six electives of thirty, whose cheapest completion the
-- search must find without trying every set, and a currency window that
-- makes a holder earn a course again.
pack "next-more" { authority = "credex tests", version = "1" }

local electives = { label = "six electives" }
for i = 1, 30 do electives[i] = string.format("E%02d", i) end
stack "S-K" { jurisdiction = "XX", requires = at_least(6)(electives) }

-- C1 counts only when earned in the last year
stack "S-J" { jurisdiction = "XX", requires = all { "C1" }, window = { recent = "P1Y" } }
