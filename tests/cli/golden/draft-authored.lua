-- drafted by `credex draft` from a/clr-transcript.json a/parts.json a/pathway.json a/transfer-value.json
-- Review every REVIEW and MANUAL comment before use.

pack "draft" {
  authority = "Prairie Technical College",
  version = "draft",
}

stack "ce-0a000000-0000-4000-8000-000000000010" {
  name = "Welding Technology AAS",
  requires = all {
    -- from the pathway Welding Technology AAS pathway
    at_least(2) {
      label = "Core courses",
      -- MANUAL: a grade constraint on a credential with no grade scale among the inputs: ce-0a000000-0000-4000-8000-000000000101
      credential "ce-0a000000-0000-4000-8000-000000000101",
      -- MANUAL: a grade constraint on a credential with no grade scale among the inputs: ce-0a000000-0000-4000-8000-000000000102
      credential "ce-0a000000-0000-4000-8000-000000000102",
      credential "ce-0a000000-0000-4000-8000-000000000108" { min_grade = "C" },
    },
    at_least(1) {
      label = "WE116 or WE118",
      credential "ce-0a000000-0000-4000-8000-000000000103",
      credential "ce-0a000000-0000-4000-8000-000000000104",
    },
    sum("credits_semester_hour", 6, any_of { "ce-0a000000-0000-4000-8000-000000000105", "ce-0a000000-0000-4000-8000-000000000106", "ce-0a000000-0000-4000-8000-000000000107" }) { label = "General Education" },
    at_least(1) {
      label = "Capstone",
      credential "ce-0a000000-0000-4000-8000-000000000104",
      all {
        label = "Composition and algebra",
        credential "ce-0a000000-0000-4000-8000-000000000105",
        credential "ce-0a000000-0000-4000-8000-000000000106",
      },
    },
    all {
      label = "Welding electives",
      at_least(1) {
        credential "ce-0a000000-0000-4000-8000-000000000103",
        credential "ce-0a000000-0000-4000-8000-000000000104",
      },
      sum("credits_semester_hour", 4, any_of { "ce-0a000000-0000-4000-8000-000000000103", "ce-0a000000-0000-4000-8000-000000000104" }),
    },
    -- MANUAL: exactly one of (logic:OnlyOne), which credex cannot express: One shop option
    -- MANUAL: a ceterms:JobComponent (Welding shop job): credex has no requirement for it
    -- MANUAL: requiredNumber 1, but 0 of its parts can be drafted: Shop experience
  },
}

stack "ce-0a000000-0000-4000-8000-000000000600" {
  name = "Welding Certificate A",
  requires = all {
    -- REVIEW: from hasPart, not a stated requirement
    credential "ce-0a000000-0000-4000-8000-000000000101",
    credential "ce-0a000000-0000-4000-8000-000000000102",
    credential "ce-0a000000-0000-4000-8000-000000000110",
  },
}

stack "ce-0a000000-0000-4000-8000-000000000700" {
  name = "Welding Certificate B",
  -- REVIEW: 2 profiles (requires, isRequiredFor) drafted as all; CTDL may mean any of them: requires = any { ... }
  requires = all {
    -- Courses and shop hours
    all {
      credential "ce-0a000000-0000-4000-8000-000000000104",
      credential "ce-0a000000-0000-4000-8000-000000000105",
      hours(40, any_of { "ce-0a000000-0000-4000-8000-000000000104", "ce-0a000000-0000-4000-8000-000000000105" }),
    },
    -- from isRequiredFor of ce-0a000000-0000-4000-8000-000000000110: WE112 Blueprint Reading
    all {
      credential "ce-0a000000-0000-4000-8000-000000000110",
    },
  },
  -- REVIEW: hasPart also drafts this stack; to use it instead:
  -- requires = all {
  --     -- REVIEW: from hasPart, not a stated requirement
  --     credential "ce-0a000000-0000-4000-8000-000000000103",
  -- },
}

-- MANUAL: a cycle: its slots lead back to it through other drafted stacks, which credex refuses; keep one direction: ce-0a000000-0000-4000-8000-000000000800
-- stack "ce-0a000000-0000-4000-8000-000000000800" {
--   name = "Cycle C",
--   requires = all {
--     -- REVIEW: from hasPart, not a stated requirement
--     credential "ce-0a000000-0000-4000-8000-000000000900",
--   },
-- }

-- MANUAL: a cycle: its slots lead back to it through other drafted stacks, which credex refuses; keep one direction: ce-0a000000-0000-4000-8000-000000000900
-- stack "ce-0a000000-0000-4000-8000-000000000900" {
--   name = "Cycle D",
--   requires = all {
--     -- REVIEW: from hasPart, not a stated requirement
--     credential "ce-0a000000-0000-4000-8000-000000000800",
--   },
-- }

stack "ce-0a000000-0000-4000-8000-000000001000" {
  name = "Welding Certificate E",
  -- REVIEW: 2 requires profiles drafted as all; CTDL may mean any of them: requires = any { ... }
  requires = all {
    -- REVIEW: alternativeCondition: any one of these fulfils the profile
    any {
      -- Safety
      all {
        credential "ce-0a000000-0000-4000-8000-000000000101",
      },
      -- Army route
      all {
        credential "ce-0a000000-0000-4000-8000-000000000401",
      },
      -- Portfolio route
      -- MANUAL: Submit a portfolio of welds
    },
    -- Blueprints
    all {
      credential "ce-0a000000-0000-4000-8000-000000000110",
    },
    -- REVIEW: a single alternativeCondition, drafted as one more condition
    -- Shop drawing
    all {
      credential "ce-0a000000-0000-4000-8000-000000000103",
    },
  },
}

-- MANUAL: no requirement to draft for ce-0a000000-0000-4000-8000-000000001010
-- stack "ce-0a000000-0000-4000-8000-000000001010" {
--   name = "Welding Inspector Certificate",
    -- Inspection
    -- MANUAL: ceterms:experience Two years in a fabrication shop (a holder attribute or a check, if the catalog has one)
    -- MANUAL: ceterms:yearsOfExperience 2 (a holder attribute or a check, if the catalog has one)
    -- MANUAL: ceterms:minimumAge 18 (a holder attribute or a check, if the catalog has one)
    -- MANUAL: a competency not among the inputs: Reads weld symbols on a blueprint
    -- MANUAL: a competency not among the inputs: Leads a crew
-- }

stack "urn:uuid:0a000000-0000-4000-8000-000000001200" {
  name = "Welding Fundamentals",
  requires = all {
    -- REVIEW: from CLR isParentOf, CLR isChildOf, not a stated requirement
    credential "urn:uuid:0a000000-0000-4000-8000-000000001201",
    credential "urn:uuid:0a000000-0000-4000-8000-000000001202",
  },
}

-- from the TransferValueProfile ce-0a000000-0000-4000-8000-000000000500
-- Army welding course for WE110
-- REVIEW: worth 3 semester_hour; counts_as is all or nothing
counts_as {
  from = "ce-0a000000-0000-4000-8000-000000000401",
  to = "ce-0a000000-0000-4000-8000-000000000101",
  issued_between = { "2024-01-01", "2026-12-31" },
}

-- from the TransferValueProfile ce-0a000000-0000-4000-8000-000000000501
-- Army welding course for WE111, open-ended
counts_as {
  from = "ce-0a000000-0000-4000-8000-000000000401",
  to = "ce-0a000000-0000-4000-8000-000000000102",
  issued_between = { from = "2025-01-01" },
}

-- REVIEW: from a CLR association replacedBy
counts_as { from = "urn:uuid:0a000000-0000-4000-8000-000000001203", to = "urn:uuid:0a000000-0000-4000-8000-000000001202" }

-- REVIEW: from a CLR association exactMatchOf
equivalent { "urn:uuid:0a000000-0000-4000-8000-000000001202", "urn:uuid:0a000000-0000-4000-8000-000000001204" }

-- MANUAL: CLR association isRelatedTo urn:uuid:0a000000-0000-4000-8000-000000001201 -> urn:uuid:0a000000-0000-4000-8000-000000009999: names an achievement not in this file
-- MANUAL: CLR association precedes urn:uuid:0a000000-0000-4000-8000-000000001201 -> urn:uuid:0a000000-0000-4000-8000-000000001202: credex has no rule for it
-- MANUAL: a pathway whose destination is not a credential among the inputs (no stack to draft): Welding career path
-- MANUAL: a transfer value naming what is not among the inputs: https://credentialengineregistry.org/resources/ce-0b000000-0000-4000-8000-000000000001
