pack "unknown-in-sum" { authority = "credex tests", version = "1" }

stack "CA-EV-TECH" {
  requires = sum("points", 12, { "CA-EVS-101", "CA-EVB-210" }),
}
