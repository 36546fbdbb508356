pack("arity-pack", "extra") { authority = "credex tests", version = "1" }
