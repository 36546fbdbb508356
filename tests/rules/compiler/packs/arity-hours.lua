pack "arity-hours" { authority = "credex tests", version = "1" }

-- hours with one argument too many
stack "CA-EV-TECH" { requires = hours(120, any_credential, "extra") }
