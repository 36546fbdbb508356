pack "arity-credential" { authority = "credex tests", version = "1" }

-- credential with one argument too many
stack "CA-EV-TECH" { requires = credential("CA-EVS-101", "CA-EVB-201") }
