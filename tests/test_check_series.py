"""The trusted checker on series (lnsym.check.series): real expansions accepted, doctored ones not.

A series is accepted only when each coefficient's checked limit is about ``D^k G / k!`` of *this*
expression (the checker differentiates it itself), states the coefficient the series prints, and
the remainder's limit is checked too; every doctored copy below must be rejected.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from lnsym import series
from lnsym.check.series import check_series

Data = dict[str, Any]

_SERIES = {
    "LN": ("LN(x)", {"order": 1}),
    "half": ("sqrt(eps)*LN(x)", {"order": 1}),
    "scalar": ("LN(alpha*x + x)", {"in_": "alpha", "scalars": "alpha", "order": 1}),
}
_CACHE: dict[str, Data] = {}


def _record(name: str) -> Data:
    if name not in _CACHE:
        expr, options = _SERIES[name]
        result = series(expr, **options)
        assert result.proved and result.checked, result.report()
        record = result.certificate()
        assert record is not None
        _CACHE[name] = record
    return copy.deepcopy(_CACHE[name])


@pytest.mark.parametrize("name", sorted(_SERIES))
def test_real_series_accepted(name: str) -> None:
    record = _record(name)
    verdict = check_series(record["series"], record["terms"])
    assert verdict.accepted and verdict.checked, verdict


def _set(path: tuple[Any, ...], value: Any) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _drop_remainder(data: Data) -> None:
    data["terms"].pop()


def _swap_terms(data: Data) -> None:
    data["terms"][0], data["terms"][1] = data["terms"][1], data["terms"][0]


def _other_expression(data: Data) -> None:
    data["series"]["expr"] = "RMS(x)"


_MUTATIONS = [
    ("LN", "coefficient changed", _set(("series", "coefficients", 0), "x")),
    ("LN", "remainder dropped", _drop_remainder),
    ("LN", "terms swapped", _swap_terms),
    ("LN", "another expression", _other_expression),
    ("LN", "a term's limit moved", _set(("terms", 1, "statement", "limits"), {"eps": "1"})),
    ("LN", "a condition left out", _set(("series", "conditions"), [])),
    ("LN", "a term's certificate emptied", _set(("terms", 0, "certificate", "point"), None)),
    ("LN", "a term's side edited", _set(("terms", 1, "statement", "lhs"), "diff(RMS(x), eps)")),
    ("half", "read as integer powers", _set(("series", "half"), None)),
    ("half", "another root variable", _set(("series", "half"), "s")),
    ("scalar", "expanded in eps instead", _set(("series", "variable"), "eps")),
    ("scalar", "a vector renamed", _set(("series", "vectors"), ["y"])),
]


@pytest.mark.parametrize(
    ("name", "mutation"), [pytest.param(n, m, id=f"{n}:{label}") for n, label, m in _MUTATIONS]
)
def test_doctored_series_rejected(name: str, mutation: Callable[[Data], None]) -> None:
    record = _record(name)
    mutation(record)
    verdict = check_series(record["series"], record["terms"])
    assert not verdict.accepted, "a doctored series was accepted"
    assert verdict.checked, f"not even checked: {verdict.reason}"
    assert verdict.reason


def test_a_fractional_power_needs_its_half_powers() -> None:
    """sqrt(eps) = 0 + O(eps) is false; in powers of sqrt(eps) the series is checked."""
    result = series("sqrt(eps)", order=0)
    assert result.half is not None and result.checked
    assert [str(t.coefficient) for t in result.terms] == ["0", "1"]
    assert "checked: series certificate checked by lnsym.check" in result.report()
    assert result.to_json()["checked"] is True


def test_an_unproved_remainder_is_not_checked() -> None:
    result = series("sqrt(alpha)", "alpha", 0, scalars="alpha")
    assert not result.proved and not result.checked
    assert result.check_note.startswith("not checked")
