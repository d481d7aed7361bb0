"""The trusted checker: re-verifies every verdict's certificate with exact arithmetic.

It imports nothing from the prover and no SymPy: its own reader of the statement, its own table of
definitions, exact polynomials (:mod:`lnsym.check.poly`) and rational ball arithmetic.
"""
