-- ctx.lua -- what check(function(ctx) ... end) is handed (docs/rules.md,
-- "check"): the holder's id and attributes, the as-of date, and the
-- counted awards. Each stack reads one part of ctx.
pack "ctx" { authority = "credex tests", version = "1" }

-- ctx.holder_attributes: strings as the catalog holds them
stack "S-A" {
  jurisdiction = "XX",
  requires = all {
    "C1",
    check(function(ctx)
      local years = tonumber(ctx.holder_attributes.experience_years or "")
      if ctx.holder_attributes.track ~= "evening" then
        return false, "track is " .. tostring(ctx.holder_attributes.track)
      end
      if not years or years < 2 then return false, "fewer than 2 years" end
      return true
    end) { label = "evening track for 2 years" },
  },
}

-- ctx.holder, ctx.as_of, ctx.awards
stack "S-B" {
  jurisdiction = "XX",
  requires = check(function(ctx)
    if ctx.as_of ~= "2026-06-01" then return false, "as_of " .. ctx.as_of end
    if ctx.holder ~= "test-holder" then return false, "holder " .. ctx.holder end
    local a = ctx.awards[1] -- then S-A's derived award, when S-A is met
    if a.credential ~= "C1" or a.issued ~= "2025-01-10" or a.expires ~= "never"
        or a.jurisdiction ~= "XX" or a.id ~= "test-holder/C1/2025-01-10" then
      return false, "award " .. a.id
    end
    return true
  end),
}
