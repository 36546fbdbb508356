pack "arity-coverage" { authority = "credex tests", version = "1" }

-- coverage with one argument too many
equivalence "e" { from = "TX-EVS-101", to = "CA-EVS-101", when = coverage("80%", 0.8) }
