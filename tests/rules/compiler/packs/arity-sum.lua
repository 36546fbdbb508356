pack "arity-sum" { authority = "credex tests", version = "1" }

-- sum with one argument too many
stack "CA-EV-TECH" { requires = sum("hours", 8, tagged "ev", "extra") }
