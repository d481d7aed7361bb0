"""``lnsym check FILE``: re-check saved verdicts (``lnsym prove --json``) in a fresh process.

Only the trusted checker (:mod:`lnsym.check`) runs: no prover, no SymPy. Exit 0: every verdict's
certificate is accepted; 1: one is rejected (one line saying which part fails); 3: one is outside
the checker's rules (lnsym reports such a verdict as unknown); 2: bad input.

A certificate proves the statement it carries; the verdict's own fields (``lhs``, ``rhs``, the
relation, ``assumptions``, ``dim``, ``limits``, ``conditions``; a series' formula, variable,
coefficients and order) are what a reader of the file reads, so each must say the same (as the
checker's reader parses it): an edited claim beside an untouched certificate is rejected.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from fractions import Fraction
from typing import Any

from lnsym.check.reader import CheckerInputError, read
from lnsym.check.series import check_series
from lnsym.check.verify import Verdict, check_inequality, check_proof, check_refutation
from lnsym.errors import DataError

__all__ = ["register"]

_EXAMPLES = """examples:
  lnsym prove 'LN(x) = sqrt(n)*u(c(x), n*eps)' --json > proof.json
  lnsym check proof.json
  lnsym prove 'LN(x) = sqrt(n)*u(c(x), eps)' --json | lnsym check -"""


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "check",
        help="re-check saved verdicts (lnsym prove --json) with the trusted checker",
        description=(
            "Reads one JSON verdict (lnsym prove, series or derive --json), or JSON lines, and "
            "re-checks each certificate or witness with lnsym's small trusted checker, independently of the "
            "prover. Exit 0: accepted; 1: rejected (the failing part is named); 3: outside the "
            "checker's rules; 2: bad input."
        ),
        epilog=_EXAMPLES,
    )
    parser.add_argument("file", metavar="FILE", help="a file of saved verdicts, or - for stdin")
    parser.set_defaults(run=run)


def _verdicts(text: str) -> list[dict[str, Any]]:
    try:
        whole = json.loads(text)
        items = whole if isinstance(whole, list) else [whole]
    except json.JSONDecodeError:
        try:
            items = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as error:
            raise DataError(f"not JSON: {error}; give the output of lnsym prove --json") from None
    if not items or not all(isinstance(i, dict) for i in items):
        raise DataError("no verdict found; give the output of lnsym prove --json")
    return items


def run(args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.file == "-" else open(args.file, encoding="utf-8").read()
    worst = 0
    for number, item in enumerate(_verdicts(text), start=1):
        if "expansion" in item:  # lnsym series --json
            worst = _worse(worst, _series(number, item))
        elif "derivations" in item:  # lnsym derive --json
            worst = _worse(worst, _derivations(number, item))
        else:
            worst = _worse(worst, _verdict(str(number), item))
    return worst


def _verdict(label: str, item: dict[str, Any]) -> int:
    """Re-check one saved verdict (``lnsym prove --json``); print the checker's word."""
    status, check = item.get("status"), item.get("check")
    if status is None:
        raise DataError(f"verdict {label} has no status; give the output of lnsym prove --json")
    label = f"{label}: {status}"
    if status not in ("proved", "refuted"):
        print(f"{label}: nothing to check (only proved and refuted verdicts carry certificates)")
        return 0
    if not isinstance(check, dict) or not isinstance(check.get("statement"), dict):
        raise DataError(f"verdict {label} has no certificate; save it with lnsym prove --json")
    certificate = check.get("certificate")
    if not isinstance(certificate, dict):
        raise DataError(f"verdict {label}: the certificate is not a JSON object")
    inequality = check["statement"].get("relation") not in (None, "=")
    checker = (
        (check_inequality if inequality else check_proof)
        if status == "proved"
        else check_refutation
    )
    verdict = checker(check["statement"], certificate)
    mismatch = _claim_mismatch(item, check["statement"]) if verdict.accepted else None
    if mismatch is not None:  # the certificate holds, but for another claim
        print(f"{label}: rejected: {mismatch}")
        return 1
    return _said(label, verdict)


def _derivations(number: int, item: dict[str, Any]) -> int:
    """Re-check every step and claim of a saved ``lnsym derive --json``: each step's proof must
    be of "previous step = this step", each claim's of "lhs = rhs", and be accepted."""
    worst = 0
    derivations = _records(item["derivations"])
    if not derivations:
        raise DataError(f"document {number} holds no derivation; give lnsym derive --json")
    for d, derivation in enumerate(derivations, start=1):
        chains = _records(derivation.get("chains"))
        for c, chain in enumerate(chains, start=1):
            for previous, step in itertools.pairwise(_records(chain.get("steps"))):
                label = f"{number}.{d}.{c} step {step.get('step')}"
                sides = (previous.get("expr"), step.get("expr"))
                worst = _worse(worst, _derived(label, step, sides))
        for k, claim in enumerate(_records(derivation.get("claims")), start=1):
            sides = (claim.get("lhs"), claim.get("rhs"))
            worst = _worse(worst, _derived(f"{number}.{d} claim {k}", claim, sides))
    return worst


def _records(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise DataError("a derivation's chains, steps and claims must be lists of JSON objects")
    return value


def _derived(label: str, record: dict[str, Any], claim: tuple[Any, Any]) -> int:
    """One step or claim of a derivation: its saved proof, proving what the file claims."""
    proof = record.get("proof")
    if not isinstance(proof, dict):
        raise DataError(f"{label} carries no proof; save it with lnsym derive --json")
    if proof.get("status") != record.get("status"):
        print(f"{label}: rejected: its proof's verdict is not the step's; re-run lnsym derive")
        return 1
    check = proof.get("check")
    statement = check.get("statement") if isinstance(check, dict) else None
    if isinstance(statement, dict) and not (
        _same(statement.get("lhs"), claim[0]) and _same(statement.get("rhs"), claim[1])
    ):
        print(f"{label}: rejected: its proof is of another statement; re-run lnsym derive")
        return 1
    return _verdict(label, proof)


def _same(left: Any, right: Any) -> bool:
    """Two formulas are the same claim when the checker reads them as the same tree (or, where
    it cannot read one, when they are the same text but for spaces)."""
    if not isinstance(left, str) or not isinstance(right, str):
        return bool(left == right)
    try:
        return read(left) == read(right)
    except CheckerInputError:
        return left.replace(" ", "") == right.replace(" ", "")


def _same_list(left: Any, right: Any) -> bool:
    left, right = list(left or ()), list(right or ())
    return len(left) == len(right) and all(map(_same, left, right))


def _claim_mismatch(item: dict[str, Any], statement: dict[str, Any]) -> str | None:
    """Which of the verdict's fields says something else than the certificate's statement."""
    fields = [
        ("lhs", _same(item.get("lhs"), statement.get("lhs"))),
        ("rhs", _same(item.get("rhs"), statement.get("rhs"))),
        ("relation", item.get("relation", "=") == statement.get("relation", "=")),
        ("assumptions", _same_list(item.get("assumptions"), statement.get("assume"))),
        ("dim", item.get("dim") == statement.get("dim")),
        ("conditions", _same_list(item.get("conditions"), statement.get("conditions"))),
    ]
    limits, proved = item.get("limits") or {}, statement.get("limits") or {}
    same_limits = isinstance(limits, dict) and isinstance(proved, dict)
    same_limits = same_limits and sorted(limits) == sorted(proved)
    fields.append(("limits", same_limits and all(_same(limits[k], proved[k]) for k in proved)))
    for name, same in fields:
        if not same:
            return f"the verdict's {name} is not what its certificate proves; re-run lnsym prove"
    return None


def _series_mismatch(item: dict[str, Any], series: dict[str, Any]) -> str | None:
    """Which of an expansion's fields says something else than its certificate."""
    coefficients = list(series.get("coefficients") or ())
    terms = item.get("terms")
    said = [t.get("coefficient") for t in terms or () if isinstance(t, dict)]
    half = series.get("half") is not None
    order = (
        item.get("remainder", {}).get("order") if isinstance(item.get("remainder"), dict) else None
    )
    fields = [
        ("formula", _same(item.get("expr"), series.get("expr"))),
        ("variable", item.get("variable") == series.get("variable")),
        ("coefficients", _same_list(said, coefficients)),
        ("order", order is None or Fraction(len(coefficients), 2 if half else 1) == order),
    ]
    for name, same in fields:
        if not same:
            return f"the expansion's {name} is not what its certificate proves; re-run lnsym series"
    return None


def _series(number: int, item: dict[str, Any]) -> int:
    record = item.get("certificate")
    if not isinstance(record, dict) or not isinstance(record.get("terms"), list):
        print(f"{number}: series: nothing to check (only a proved expansion carries certificates)")
        return 0
    if not isinstance(record.get("series"), dict):
        raise DataError(f"series {number}: the certificate is not a JSON object")
    verdict = check_series(record["series"], record["terms"])
    mismatch = _series_mismatch(item, record["series"]) if verdict.accepted else None
    if mismatch is not None:  # the certificate holds, but for another expansion
        print(f"{number}: series: rejected: {mismatch}")
        return 1
    return _said(f"{number}: series", verdict)


def _said(label: str, verdict: Verdict) -> int:
    """Print the checker's word; the exit code it asks for (0 accepted, 3 not checkable, 1)."""
    if verdict.accepted:
        print(f"{label}: accepted")
        return 0
    if not verdict.checked:
        print(f"{label}: not checkable: {verdict.reason}")
        return 3
    print(f"{label}: rejected: {verdict.reason}")
    return 1


def _worse(worst: int, code: int) -> int:
    """A rejection (1) outranks a verdict outside the rules (3), which outranks acceptance."""
    return 1 if 1 in (worst, code) else max(worst, code)
