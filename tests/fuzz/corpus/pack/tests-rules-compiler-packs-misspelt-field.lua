pack "misspelt-field" { authority = "credex tests", version = "1" }

stack "CA-EV-TECH" {
  requires = "CA-EVS-101",
  windw = { span = "P5Y" },
}
