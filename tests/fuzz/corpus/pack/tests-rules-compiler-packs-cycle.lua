pack "cycle" { authority = "credex tests", version = "1" }

stack "CA-EV-TECH" { requires = all { "CA-EVS-101", "CA-EV-MASTER" } }
stack "CA-EV-MASTER" { requires = "CA-EV-TECH" }
