-- verified on a recognize rule must be true or false.
recognize "badges-from-b" { into = "US-A", credentials = "BADGE-C", verified = "always" }
