pack "arity-competency" { authority = "credex tests", version = "1" }

-- competency with one argument too many
stack "CA-EV-TECH" { requires = competency("ev.hv-safety", 1) }
