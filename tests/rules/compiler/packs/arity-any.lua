pack "arity-any" { authority = "credex tests", version = "1" }

-- any with one argument too many
stack "CA-EV-TECH" { requires = any({ "CA-EVS-101" }, "CA-EVB-201") }
