pack "arity-at-least" { authority = "credex tests", version = "1" }

-- at_least with one argument too many
stack "CA-EV-TECH" { requires = at_least(1, "junk") { "CA-EVS-101", "CA-EVB-201" } }
