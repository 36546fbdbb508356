pack "arity-tagged" { authority = "credex tests", version = "1" }

-- tagged with one argument too many
stack "CA-EV-TECH" { requires = tagged "ev" ({ label = "ev" }, { label = "again" }) }
