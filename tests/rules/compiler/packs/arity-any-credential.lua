pack "arity-any-credential" { authority = "credex tests", version = "1" }

-- any_credential with one argument too many
stack "CA-EV-TECH" { requires = hours(120, any_credential("ev")) }
