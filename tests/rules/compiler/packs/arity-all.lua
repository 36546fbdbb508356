pack "arity-all" { authority = "credex tests", version = "1" }

-- all with one argument too many
stack "CA-EV-TECH" { requires = all({ "CA-EVS-101" }, "CA-EVB-201") }
