"""``lnsym fold``, ``lnsym attribute`` and ``lnsym compare``: interpretability moves, proved.

Values are given as for ``lnsym eval``: ``--set NAME=VALUE`` with a number, a list ``1,2,3`` or a
file (``.jl``, ``.npy``, ``.txt``, ``.csv``; ``FILE.jl:NAME`` picks one array); ``--set eps=…``
changes ε (default 1e-5). Exit 0 on success, 1 when a numeric check fails, 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from lnsym.cli import chunked
from lnsym.cli.options import add_declarations, add_json, add_values, read_assignments
from lnsym.data import Data, load
from lnsym.errors import DataError
from lnsym.interp import attribute, compare, fold
from lnsym.interp.attribution import Attribution
from lnsym.interp.chunked import TABLE_ROWS, LazyAttribution
from lnsym.interp.fold import DEFAULT_EPS, Fold
from lnsym.proof import Proof

__all__ = ["register"]

_VALUES = """A value is a number, a list such as 1,2,3 or [1, 2, 3], or a file: .jl (the seed format;
FILE.jl:NAME picks one array), .npy, .txt or .csv. --set eps=VALUE sets the regularizer (1e-5)."""

_FOLD_EXAMPLES = f"""examples:
  lnsym fold --set w=probe_token.jl --set b=0.8328 --set x=pre_norm.jl --center
  lnsym fold --set w=W_U.npy --set g=ln_w.npy --set beta=ln_b.npy --axis 0 --center --out W.npy

{_VALUES}"""

_ATTRIBUTE_EXAMPLES = f"""examples:
  lnsym attribute --component emb=emb.npy --component attn=attn.npy --set w=probe_token.jl
  lnsym attribute --components parts.csv --set w=1,0,-1,0 --set b=0.5 --json
  lnsym attribute --component emb=emb.zarr --component attn=attn.zarr --set w=probe.jl \\
      --out shares.zarr --workers 2

{_VALUES}"""

_COMPARE_EXAMPLES = f"""examples:
  lnsym compare 'dot(w, sqrt(n)*u(x, eps)) + b' 'dot(w, LN(x)) + b' \\
      --set x=pre_norm.jl --set w=probe_token.jl --set b=0.8328
  lnsym compare 'sqrt(n)*u(x, n*eps)' 'LN(x)' --set x=1,2,3,6 --json

{_VALUES}"""


def register(subparsers: Any) -> None:
    """Add ``fold``, ``attribute`` and ``compare`` to the ``lnsym`` command line."""
    formatter = argparse.RawDescriptionHelpFormatter
    fo = subparsers.add_parser(
        "fold",
        help="fold an affine LN (g, beta) and bias b into the next reader w",
        description=(
            "Return the folded reader g*w (--center: c(g*w)) and bias <w, beta> + b, after proving "
            "<w, g*LN(x) + beta> + b = <w', LN(x)> + b' and checking it on x (or random rows)."
        ),
        epilog=_FOLD_EXAMPLES,
        formatter_class=formatter,
    )
    add_values(fo, "w, g, beta, b, x, eps")
    fo.add_argument("--center", action="store_true", help="center the folded reader: c(g*w)")
    fo.add_argument("--axis", type=int, default=-1, metavar="K", help="the normalized axis")
    fo.add_argument("--out", default=None, metavar="FILE", help="write the reader (.npy/.txt/.csv)")
    add_json(fo)
    fo.set_defaults(run=run_fold)

    at = subparsers.add_parser(
        "attribute",
        help="direct logit attribution through LN: each component's share",
        description=(
            "Split <w, g*LN(x) + beta> + b for x = sum of the components into "
            "sqrt(n)<g*w, c(a_k)>/sqrt(|c(x)|^2 + n eps) per component plus <w, beta> + b, "
            "and show the (different) per-component LN readings <g*w, LN(a_k)>."
        ),
        epilog=_ATTRIBUTE_EXAMPLES,
        formatter_class=formatter,
    )
    at.add_argument(
        "--component",
        action="append",
        default=[],
        dest="components",
        metavar="NAME=VALUE",
        help="one component a_k of the residual (repeatable, in order)",
    )
    at.add_argument(
        "--components",
        dest="matrix",
        default=None,
        metavar="FILE",
        help="a matrix, one row per component",
    )
    add_values(at, "w, g, beta, b, eps")
    at.add_argument("--axis", type=int, default=-1, metavar="K", help="the normalized axis")
    add_json(at)
    chunked.add_engine_options(at)
    at.set_defaults(run=run_attribute)

    co = subparsers.add_parser(
        "compare",
        help="the exact symbolic difference of two formulas and its size on data",
        description=(
            "Prove or refute LHS = RHS; print LHS - RHS in the language's quantities, its value on "
            "the data at high precision, the quantities it depends on, and the conditions "
            "(mu(v) = 0, eps -> 0) under which it vanishes."
        ),
        epilog=_COMPARE_EXAMPLES,
        formatter_class=formatter,
    )
    co.add_argument("lhs", help="a formula, e.g. 'dot(w, sqrt(n)*u(x, eps)) + b'")
    co.add_argument("rhs", help="a formula, e.g. 'dot(w, LN(x)) + b'")
    add_values(co, "every name of the formulas, and eps")
    add_declarations(co)
    co.add_argument(
        "--assume", action="append", default=[], metavar="EQ", help="an assumption (repeatable)"
    )
    co.add_argument("--digits", type=int, default=30, metavar="N", help="significant digits (30)")
    add_json(co)
    co.set_defaults(run=run_compare)


# --------------------------------------------------------------------------------------------------
# values
# --------------------------------------------------------------------------------------------------


def _only(values: dict[str, Data], allowed: tuple[str, ...], command: str) -> None:
    for name in values:
        if name not in allowed:
            raise DataError(
                f"--set {name}: lnsym {command} takes {', '.join(allowed)}; {name!r} is not one"
            )


def _eps(values: dict[str, Data]) -> float:
    data = values.pop("eps", None)
    if data is None:
        return DEFAULT_EPS
    if not data.is_scalar or float(data.array) <= 0:
        raise DataError("--set eps: the regularizer must be one positive number")
    return float(data.array)


def _short(array: np.ndarray, count: int = 6, digits: int = 10) -> str:
    if np.ndim(array) == 0:
        return f"{float(array):.15g}"
    flat = np.asarray(array).reshape(-1)
    shown = ", ".join(f"{v:.{digits}g}" for v in flat[:count])
    return f"[{shown}{', ...' if flat.size > count else ''}]"


def _verdict(proof: Proof) -> str:
    return f"{proof.status.value.upper()}: {proof.statement()}\n  method: {proof.method}"


# --------------------------------------------------------------------------------------------------
# fold
# --------------------------------------------------------------------------------------------------


def _write(path: str, array: np.ndarray) -> None:
    target = Path(path)
    suffix = target.suffix.lower()
    try:
        if suffix == ".npy":
            np.save(target, array)
        elif suffix in (".txt", ".csv"):
            np.savetxt(
                target,
                np.atleast_1d(array),
                delimiter="," if suffix == ".csv" else " ",
                fmt="%.17g",
            )
        else:
            raise DataError(f"--out {path}: unknown format; use .npy, .txt or .csv")
    except OSError as error:
        raise DataError(f"--out {path}: cannot write it ({error.strerror})") from None


def run_fold(args: argparse.Namespace) -> int:
    values = read_assignments(args.values)
    _only(values, ("w", "g", "beta", "b", "x", "eps"), "fold")
    if "w" not in values:
        raise DataError("no reader given; add --set w=VALUE (a vector, or a matrix of readers)")
    eps = _eps(values)
    result = fold(
        values["w"],
        values.get("g"),
        values.get("beta"),
        values["b"] if "b" in values else 0.0,
        center=args.center,
        x=values.get("x"),
        eps=eps,
        axis=args.axis,
    )
    if args.out:
        _write(args.out, result.reader)
    if args.json:
        print(json.dumps(result.to_json()))
    else:
        print(_fold_report(result, args.out))
    return 0 if result.check is None or result.check.ok else 1


def _fold_report(result: Fold, out: str | None) -> str:
    what = "c(g*w)" if result.centered else "g*w"
    lines = [
        _verdict(result.proof),
        f"folded reader {what}: {_short(result.reader)}  (shape {result.reader.shape})",
        f"folded bias <w, beta> + b: {_short(result.bias)}",
    ]
    if out:
        lines.append(f"wrote the folded reader to {out}")
    check = result.check
    if check is not None:
        where = "16 random rows" if check.random else f"x ({check.unfolded.size} logit(s))"
        verdict = "ok" if check.ok else "FAILED"
        lines += [
            f"check on {where}, eps = {result.eps:g}:",
            f"  unfolded <w, g*LN(x) + beta> + b: {_short(check.unfolded, 4, 15)}",
            f"  folded   <w', LN(x)> + b':        {_short(check.folded, 4, 15)}",
            f"  max |difference| = {check.max_abs_error:.3g} (rounding bound {check.tolerance:.3g}): "
            f"{verdict}",
        ]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# attribute
# --------------------------------------------------------------------------------------------------


def run_attribute(args: argparse.Namespace) -> int:
    values = read_assignments(args.values)
    _only(values, ("w", "g", "beta", "b", "eps"), "attribute")
    lazy = chunked.wanted(args, [*args.components, f"m={args.matrix or ''}"])
    if lazy:
        read = chunked.read_lazy_assignments(
            args.components, args.axis, args.chunk_mb, "--component"
        )
    else:
        read = read_assignments(args.components, "--component")
    components: dict[str, Any] = {name: data.array for name, data in read.items()}
    if args.matrix is not None:
        matrix = chunked.read_matrix(args) if lazy else load(args.matrix).array
        if matrix.ndim < 2:
            raise DataError(f"--components {args.matrix}: expected a matrix, one row per component")
        stem = Path(args.matrix).stem
        for k, row in enumerate(matrix, 1):
            name = f"{stem}[{k}]"
            if name in components:
                raise DataError(f"component {name} is given twice")
            components[name] = row
    if not components:
        raise DataError(
            "no components; add --component NAME=VALUE (repeatable) or --components FILE"
        )
    if "w" not in values:
        raise DataError("no reader given; add --set w=VALUE")
    eps = _eps(values)
    result = attribute(
        components,
        values["w"],
        g=values.get("g"),
        beta=values.get("beta"),
        b=values["b"] if "b" in values else 0.0,
        eps=eps,
        axis=args.axis,
    )
    if isinstance(result, LazyAttribution):
        if args.out is not None:
            return _store_attribution(result, args)
        result = chunked.compute_attribution(result, args)
    if args.json:
        print(json.dumps(result.to_json()))
    else:
        print(_attribution_report(result))
    return 0 if result.ok else 1


def _store_attribution(result: LazyAttribution, args: argparse.Namespace) -> int:
    """Write the attribution table to ``--out`` block by block; check it from the file."""
    rows = [*result.names, *TABLE_ROWS]
    job = {"command": "attribute", "rows": rows, "values": sorted(args.values), "axis": args.axis}
    job["components"] = [*sorted(args.components), *([args.matrix] if args.matrix else [])]
    with chunked.engine_for(args) as runner:
        _, line = chunked.write(result.table(), args, job, f"writing {args.out}", runner)
        error, tolerance = chunked.check_table(args, len(result.names), runner)
    if not args.quiet:
        for proof in result.proofs:
            print(_verdict(proof))
        if len(result.proofs) == 1:
            print("  with " + ", ".join(f"a{k} = {n}" for k, n in enumerate(result.names, 1)))
        print(line)
        print(f"  rows: {', '.join(rows)} (one column per token)")
        verdict = "ok" if error <= tolerance else "FAILED"
        print(f"shares + bias = logit to {error:.3g} (rounding bound {tolerance:.3g}): {verdict}")
        print(_verdict(result.refutation))
    return 0 if error <= tolerance else 1


def _attribution_report(result: Attribution) -> str:
    lines = [_verdict(p) for p in result.proofs]
    if len(result.proofs) == 1:
        named = ", ".join(f"a{k} = {name}" for k, name in enumerate(result.names, 1))
        lines.append(f"  with {named}")
    batch = result.logit.shape
    width = max(12, *(len(name) for name in result.names))
    for index in list(np.ndindex(batch))[:20]:
        title = f"row {index}" if batch else "the logit"
        logit = float(result.logit[index])
        read = logit - float(result.bias[index])
        lines.append(
            f"{title}: <w, g*LN(x) + beta> + b = {logit:.15g}   (eps = {result.eps:g}, shared scale "
            f"sqrt(n)/sqrt(|c(x)|^2 + n eps) = {float(result.scale[index]):.10g})"
        )
        lines.append(
            f"  {'component':<{width}}  {'share':>20}  {'fraction':>9}  {'<g*w, LN(a_k)> alone':>22}"
        )
        for k, name in enumerate(result.names):
            share = float(result.shares[(k, *index)])
            fraction = f"{share / read:9.3f}" if read != 0 else f"{'-':>9}"
            separate = float(result.separate[(k, *index)])
            lines.append(f"  {name:<{width}}  {share:20.15g}  {fraction}  {separate:22.15g}")
        lines.append(f"  {'bias':<{width}}  {float(result.bias[index]):20.15g}")
        total = float(result.total[index])
        lines.append(
            f"  {'sum':<{width}}  {total:20.15g}  (|sum - logit| = {abs(total - logit):.2g})"
        )
        separate_total = float(result.separate_total[index])
        lines.append(
            f"  per-component LN would give {separate_total:.15g}, off by "
            f"{separate_total - logit:.6g}: a different quantity"
        )
    if len(list(np.ndindex(batch))) > 20:
        lines.append("  (first 20 rows shown; --json prints all)")
    verdict = "ok" if result.ok else "FAILED"
    lines.append(
        f"shares + bias = logit to {result.error:.3g} (rounding bound {result.tolerance:.3g}): {verdict}"
    )
    lines.append(_verdict(result.refutation))
    if result.refutation.witness is not None:
        lines.append(result.refutation.witness.describe(width=8))
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# compare
# --------------------------------------------------------------------------------------------------


def run_compare(args: argparse.Namespace) -> int:
    values = read_assignments(args.values)
    result = compare(
        args.lhs,
        args.rhs,
        values,
        vectors=args.vectors,
        scalars=args.scalars,
        assume=args.assume,
        digits=args.digits,
    )
    print(json.dumps(result.to_json()) if args.json else result.report())
    return 0
