"""Numbers from outside and at high precision: data loaders (:mod:`lnsym.numeric.data`) and the
mpmath evaluation of typed expressions (:mod:`lnsym.numeric.mpmath_eval`)."""
