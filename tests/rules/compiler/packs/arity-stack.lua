pack "arity-stack" { authority = "credex tests", version = "1" }

-- stack with one argument too many
stack "CA-EV-TECH" ({ requires = "CA-EVS-101" }, "extra")
