pack "arity-holder-attr" { authority = "credex tests", version = "1" }

-- holder_attr with one argument too many
stack "CA-EV-TECH" { requires = holder_attr("x", "=", 1, 2) }
