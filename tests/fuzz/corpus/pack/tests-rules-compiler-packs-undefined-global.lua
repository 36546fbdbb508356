pack "undefined-global" { authority = "credex tests", version = "1" }

stack "CA-EV-TECH" {
  requires = al { "CA-EVS-101" },
}
