"""ε-series: coefficients proved, equal to the issue's closed form, and checked against mpmath's
own Taylor coefficients of a componentwise layer norm (independent of lnsym)."""

from __future__ import annotations

import json

import mpmath
import numpy as np
import pytest

import lnsym
from _data import LN_LOGIT, shared
from lnsym.cli import main
from lnsym.errors import LnsymError, UnsupportedError
from lnsym.interp.expansions import series, truncation_error
from lnsym.numeric.data import read_value
from lnsym.prover import prove


def mp_ln(x: list, eps: mpmath.mpf) -> list:
    n = len(x)
    m = mpmath.fsum(x) / n
    var = mpmath.fsum((t - m) ** 2 for t in x) / n
    return [(t - m) / mpmath.sqrt(var + eps) for t in x]


def test_layer_norm_series_is_proved_and_is_the_issue_s_closed_form() -> None:
    s = series("LN(x)", order=2)
    assert s.proved and [t.power for t in s.terms] == [0, 1, 2]
    # LN(x) = LN_0(x) (1 - n eps/(2|c(x)|^2) + 3 n^2 eps^2/(8 |c(x)|^4)) + O(eps^3)
    expected = ["LN(x, 0)", "-n*LN(x, 0)/(2*norm(c(x))**2)", "3*n**2*LN(x, 0)/(8*norm(c(x))**4)"]
    for term, closed in zip(s.terms, expected, strict=True):
        assert prove(term.coefficient, closed).proved, (term.coefficient, closed)
    assert str(s).endswith("+ O(eps**3)")


def test_coefficients_match_mpmath_taylor() -> None:
    mpmath.mp.dps = 40
    x = [mpmath.mpf(v) for v in ("0.3", "-1.2", "2.5", "0.1", "0")]
    s = series("LN(x)", order=3)
    assert s.proved
    for i in range(5):
        coefficients = mpmath.taylor(lambda e, i=i: mp_ln(x, e)[i], 0, 3)
        for term, expected in zip(s.terms, coefficients, strict=True):
            value = lnsym.kernel(term.coefficient)(np.array([float(v) for v in x]))[i]
            assert float(value) == pytest.approx(float(expected), rel=1e-9, abs=1e-12)


def test_truncation_error_is_exact() -> None:
    mpmath.mp.dps = 50
    values = {"x": read_value("1,2,3,5")}
    x = [mpmath.mpf(v) for v in (1, 2, 3, 5)]
    for order in (0, 1, 2):
        s = series("LN(x)", order=order)
        value, error = truncation_error(s, values, at="0.01", digits=25)
        eps = mpmath.mpf("0.01")
        coefficients = mpmath.taylor(lambda e: mp_ln(x, e)[3], 0, order)
        expected = mp_ln(x, eps)[3] - mpmath.fsum(c * eps**k for k, c in enumerate(coefficients))
        assert mpmath.mpf(error[3]) == pytest.approx(expected, rel=1e-20)
        assert mpmath.mpf(value[3]) == pytest.approx(mp_ln(x, eps)[3], rel=1e-20)


def test_seed_logit_series() -> None:
    values = {
        "x": lnsym.load(shared("pre_norm.jl")),
        "w": lnsym.load(shared("probe_token.jl")),
        "b": read_value("0.8328"),
    }
    # the errors of stopping at eps^0, eps^1, eps^2 quoted in docs/calculus.md
    quoted = ["-3.69474452351e-6", "1.93632222289e-12", "-1.12753063053e-18"]
    for order, expected in enumerate(quoted):
        s = series("dot(w, LN(x)) + b", order=order, vectors="x,w", scalars="b")
        value, error = truncation_error(s, values, digits=12)
        assert error == expected
    value, _ = truncation_error(s, values, digits=30)
    assert value == LN_LOGIT


def test_series_in_a_declared_scalar() -> None:
    s = series("LN(x, alpha*eps)", "alpha", 1, scalars="alpha")
    assert s.proved
    assert prove(s.terms[1].coefficient, "-eps*c(x)/(2*Var(x)**(3/2))").proved


def test_scalar_series_and_latex() -> None:
    s = series("norm(LN(x))**2", order=1)
    assert s.proved
    assert prove(s.terms[0].coefficient, "n").proved
    assert prove(s.terms[1].coefficient, "-n**2/norm(c(x))**2").proved
    assert s.latex().startswith(r"\lVert \operatorname{LN}(x) \rVert^{2} = ")


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("x/eps", "eps", 1), UnsupportedError),  # no expansion, in eps nor in sqrt(eps)
        (("LN(x)", "n", 1), LnsymError),
        (("LN(x)", "alpha", 1), LnsymError),
        (("LN(x)", "eps", -1), LnsymError),
        (("LN(x)", "eps", 99), LnsymError),
    ],
)
def test_bad_series_requests(args: tuple, error: type) -> None:
    with pytest.raises(error):
        series(*args)


def test_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["series", "LN(x)", "--order", "1"]) == 0
    text = capsys.readouterr().out
    assert "LN(x) = LN(x, 0) - eps*c(x)/(2*Var(x)**(3/2)) + O(eps**2)" in text
    # each coefficient, with its condition, and the remainder (the next derivative's finite limit)
    assert text.count("[proved for c(x) != 0:") == 3
    assert "remainder O(eps**2): [proved for c(x) != 0:" in text
    code = main(["series", "LN(x)", "--order", "1", "--set", "x=1,2,3,5", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["proved"] and len(data["error"]) == 4 and data["at"] == "1e-5"
    assert main(["series", "x/eps"]) == 2
    assert "no Taylor series" in capsys.readouterr().err
    assert main(["series", "sqrt(eps)*x", "--order", "0"]) == 0  # in powers of sqrt(eps)
    assert capsys.readouterr().out.startswith("x*sqrt(eps) = x*sqrt(eps) + O(eps**1)\n")
    assert main(["series", "LN(x, alpha*eps)", "--scalars", "alpha", "--in", "alpha",
                 "--set", "x=1,2,3"]) == 2  # fmt: skip
    assert "--set alpha" in capsys.readouterr().err
