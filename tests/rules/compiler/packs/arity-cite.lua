pack "arity-cite" { authority = "credex tests", version = "1" }

-- cite with one argument too many
stack "CA-EV-TECH" { requires = "CA-EVS-101", cite = cite("Memo 26-03", "p. 4") }
