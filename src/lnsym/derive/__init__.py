"""Derivations: ``derivations/*.toml`` → checked chains and claims.

* :mod:`lnsym.derive.load` — reading a derivation file (chains of steps, claims);
* :mod:`lnsym.derive.check` — proving every step and refuting every claim; the results;
* :mod:`lnsym.derive.justifications` — the labels a step may cite (documentation, not axioms).
"""
