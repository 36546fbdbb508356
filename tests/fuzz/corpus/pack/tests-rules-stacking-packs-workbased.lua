-- workbased.lua -- requirements that need no award: holder attributes
-- (every operator; numbers compare as numbers, text byte-wise) and check
-- predicates (true; false with a reason; anything else is an error).
-- Illustrative work-based-learning rules of a career centre.

pack "oh-work-based-learning" {
  authority = "Auburn Career Center, Work-Based Learning (illustrative)",
  version   = "2026.1",
  cite      = "Auburn Career Center Work-Based Learning Handbook 2026-27 (illustrative)",
}

-- One of each operator, each true for the case holder by default.
stack "OH-WBL-ELIG" {
  name         = "Work-Based Learning Eligibility",
  jurisdiction = "US-OH",
  requires = all {
    holder_attr("age", ">=", 16),
    holder_attr("grade_level", ">", 9),       -- 10 > 9 as numbers ("10" < "9" as text)
    holder_attr("absences", "<", 10),
    holder_attr("discipline_referrals", "<=", 2),
    holder_attr("enrollment", "=", "full-time"),
    holder_attr("work_permit", "~=", "revoked") { label = "work permit in good standing" },
  },
}

-- A grade level written as text ("10th") compares byte-wise with "9".
stack "OH-WBL-GRADE" {
  name         = "Work-Based Learning Grade-Level Check",
  jurisdiction = "US-OH",
  requires = holder_attr("grade_level", ">=", "9"),
}

-- Cohorts are text ("2025-26"): <= compares byte-wise.
stack "OH-WBL-COHORT" {
  name         = "Work-Based Learning Cohort Check",
  jurisdiction = "US-OH",
  requires = all {
    holder_attr("cohort", "<=", "2025-26"),
    tagged "safety",
  },
}

-- A predicate: two credentials earned since the start of grade 11.
stack "OH-CAREER-PASSPORT" {
  name         = "Career Passport",
  jurisdiction = "US-OH",
  requires = all {
    tagged "safety",
    check(function(ctx)
      local recent = 0
      for _, a in ipairs(ctx.awards) do
        if a.issued >= "2024-07-01" then recent = recent + 1 end
      end
      if recent >= 2 then return true end
      return false, "two credentials earned since 2024-07-01 are needed, found " .. recent
    end) { label = "two credentials since grade 11" },
  },
}

-- A predicate that returns something other than true/false: an error.
stack "OH-PORTFOLIO-REVIEW" {
  name         = "Senior Portfolio Review",
  jurisdiction = "US-OH",
  requires = check(function(ctx)
    return "approved"
  end),
}

-- A predicate that raises: an error too, with the message.
stack "OH-PORTFOLIO-RAISE" {
  name         = "Senior Portfolio Review (external reviewer)",
  jurisdiction = "US-OH",
  requires = check(function(ctx)
    error("the reviewer roster is not loaded")
  end),
}
