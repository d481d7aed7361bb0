r"""The careful path: the normalizations evaluated on rows scaled by a power of two.

The generated kernels compute the definitions as written (:mod:`lnsym.kernels.guards`) and check,
per row and from numbers they have already computed, that the fast result can be trusted. A row
that fails a check is recomputed here, from the definitions and the homogeneity identities
(exact for every :math:`s > 0`):

.. math::

    \operatorname{LN}_\varepsilon(x) = \operatorname{LN}_{\varepsilon/s^2}(x/s),\quad
    \operatorname{RMS}_\varepsilon(x) = \operatorname{RMS}_{\varepsilon/s^2}(x/s),\quad
    u_\varepsilon(y) = u_{\varepsilon/s^2}(y/s),\quad
    \lVert x\rVert = s\,\lVert x/s\rVert,\quad
    \cos(a, b) = \cos(a/s_a, b/s_b),

and :math:`\mu(x) = s\,\mu(x/s)`, :math:`c(x) = s\,c(x/s)`, :math:`\operatorname{Var}[x] =
s^2\operatorname{Var}[x/s]`. As LAPACK's ``nrm2`` does, :math:`s` is chosen from the row's largest
entry — here a power of two :math:`2^k` (scaling by it is exact) with :math:`\max_j |x_j|/s < 1`,
raised when needed so that :math:`\varepsilon/s^2 \le 2^{1001}` stays finite (:math:`2^{121}` in
float32, which JAX computes in unless ``jax_enable_x64`` is set) — so no square or sum of a finite
row overflows, and none underflows unless it is negligible next to
:math:`\varepsilon/s^2`. Centering is exact where it can be: the mean is corrected once
(:math:`d = x - \mu`, then :math:`d - \operatorname{mean}(d)`), and a row whose entries are all
equal has :math:`c(x) = 0` exactly (then :math:`\operatorname{LN}` is 0 for
:math:`\varepsilon > 0` and NaN, 0/0, for :math:`\varepsilon = 0`: the undefined rule).

The functions are written once, with the row primitives of each array library (``_rsum``,
``_rdot``, ``_ldexp``, … from :mod:`lnsym.kernels.numpy_runtime`, ``torch_runtime`` or
``jax_runtime``); a generated module copies them with its library's primitives. ``n`` is the row
length; ``e`` a number or an array with a trailing axis of length 1.

>>> import numpy as np
>>> _careful_ln(np.array([1e200, -1e200, 0.0]), 1e-5, 3).round(6).tolist()
[1.224745, -1.224745, 0.0]
>>> _careful_ln(np.full(3, 0.1), 1e-5, 3).tolist()
[0.0, 0.0, 0.0]
"""

from __future__ import annotations

from lnsym.kernels.numpy_runtime import (
    _all_equal,
    _exponent,
    _ldexp,
    _like,
    _margin,
    _maximum,
    _rdot,
    _rmax_abs,
    _rsum,
    _sqrt,
    _where,
)

__all__ = [
    "_careful_center",
    "_careful_cos",
    "_careful_ln",
    "_careful_mean",
    "_careful_norm",
    "_careful_rms",
    "_careful_unit",
    "_careful_variance",
]


def _row_scale(v, e):
    """k per row: max |v| < 2**k, and e / 4**k <= 2**1001 when e > 0 (``e`` None: no e)."""
    k = _exponent(_rmax_abs(v))
    if e is None:
        return k
    e = _like(e, k)
    return _maximum(k, _where(e > 0, _exponent(e) // 2 - _margin(k), k))


def _centered(v, n):
    """c(v) for a row with max |v| < 1: the mean corrected once; exactly 0 on a constant row."""
    d = v - _rsum(v) / n
    d = d - _rsum(d) / n
    return _where(_all_equal(v), d * 0.0, d)


def _careful_mean(v, n):
    k = _row_scale(v, None)
    return _ldexp(_rsum(_ldexp(v, -k)) / n, k)


def _careful_center(v, n):
    k = _row_scale(v, None)
    return _ldexp(_centered(_ldexp(v, -k), n), k)


def _careful_variance(v, n):
    k = _row_scale(v, None)
    c = _centered(_ldexp(v, -k), n)
    return _ldexp(_rdot(c, c) / n, 2 * k)


def _careful_ln(v, e, n):
    k = _row_scale(v, e)
    c = _centered(_ldexp(v, -k), n)
    e = _like(e, k)
    root = _sqrt(_rdot(c, c) / n + _ldexp(e, -2 * k))
    # c = 0 (a constant row) with e > 0: LN is 0 even where e / 4**k underflowed to 0
    return c / _where((root == 0) & (e > 0), root + 1, root)


def _careful_rms(v, e, n):
    k = _row_scale(v, e)
    w = _ldexp(v, -k)
    return w / _sqrt(_rdot(w, w) / n + _ldexp(_like(e, k), -2 * k))


def _careful_unit(v, e):
    k = _row_scale(v, e)
    w = _ldexp(v, -k)
    return w / _sqrt(_rdot(w, w) + _ldexp(_like(e, k), -2 * k))


def _careful_norm(v):
    k = _row_scale(v, None)
    w = _ldexp(v, -k)
    return _ldexp(_sqrt(_rdot(w, w)), k)


def _careful_cos(a, b):
    wa = _ldexp(a, -_row_scale(a, None))
    wb = _ldexp(b, -_row_scale(b, None))
    return _rdot(wa, wb) / (_sqrt(_rdot(wa, wa)) * _sqrt(_rdot(wb, wb)))
