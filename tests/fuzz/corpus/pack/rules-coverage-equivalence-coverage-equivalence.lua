-- coverage-equivalence.lua -- a template: credentials from other states
-- count as ours when they cover enough of our competencies.
--
-- Adapt the four marked values. Coverage compares competency ids exactly,
-- in integers ("80%" means covered x 100 >= 80 x total); a target with no
-- competencies is never covered. A source that falls short is reported as
-- `partial`, with covered/total and the competencies it lacks.

pack "coverage-equivalence" {
  authority = "State Workforce Credential Office (template)",
  version   = "1.0",
  cite      = "Competency-based articulation policy (adapt: your policy's citation)",
}

equivalence "competency-coverage" {
  from   = matching "^(TX|NV)-",           -- ADAPT: which credentials may count
  to     = matching "^CA-",                -- ADAPT: which of ours they may count as
  when   = coverage "80%",                 -- ADAPT: the threshold
  within = "US-CA",                        -- ADAPT: where the rule applies
}
