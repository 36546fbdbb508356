pack "arity-equivalence" { authority = "credex tests", version = "1" }

-- equivalence with one argument too many
equivalence("e", 2) { from = "TX-EVS-101", to = "CA-EVS-101", when = coverage "80%" }
