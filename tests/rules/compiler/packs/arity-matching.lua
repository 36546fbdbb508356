pack "arity-matching" { authority = "credex tests", version = "1" }

-- matching with one argument too many
stack "CA-EV-TECH" { requires = matching("^CA-", "i") }
