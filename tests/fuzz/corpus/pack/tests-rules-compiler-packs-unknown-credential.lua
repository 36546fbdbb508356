pack "unknown-credential" { authority = "credex tests", version = "1" }

stack "CA-EV-TECH" {
  requires = all { "CA-EVS-101", "CA-EVB-210" },
}
