-- verified must be true or false, not a string.
stack "CERT-SLOT" {
  requires = all { credential "BADGE-A" { verified = "yes" }, "BADGE-B" },
}
