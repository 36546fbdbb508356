-- verified on a total must be true or false, not a number.
stack "CERT-HOURS" {
  requires = hours(20, tagged "course") { verified = 1 },
}
