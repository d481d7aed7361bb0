"""``lnsym check FILE``: re-check saved verdicts (``lnsym prove --json``) in a fresh process.

Only the trusted checker (:mod:`lnsym.check`) runs: no prover, no SymPy. Exit 0: every verdict's
certificate is accepted; 1: one is rejected (one line saying which part fails); 3: one is outside
the checker's rules (lnsym reports such a verdict as unknown); 2: bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

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
            "Reads one JSON verdict (lnsym prove --json or lnsym series --json), or JSON lines, and re-checks each "
            "certificate or witness with lnsym's small trusted checker, independently of the "
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
            continue
        status, check = item.get("status"), item.get("check")
        if status is None:
            raise DataError(
                f"verdict {number} has no status; give the output of lnsym prove --json"
            )
        label = f"{number}: {status}"
        if status not in ("proved", "refuted"):
            print(
                f"{label}: nothing to check (only proved and refuted verdicts carry certificates)"
            )
            continue
        if not isinstance(check, dict) or not isinstance(check.get("statement"), dict):
            raise DataError(f"verdict {number} has no certificate; save it with lnsym prove --json")
        certificate = check.get("certificate")
        if not isinstance(certificate, dict):
            raise DataError(f"verdict {number}: the certificate is not a JSON object")
        inequality = check["statement"].get("relation") not in (None, "=")
        checker = (
            (check_inequality if inequality else check_proof)
            if status == "proved"
            else check_refutation
        )
        verdict = checker(check["statement"], certificate)
        worst = _worse(worst, _said(label, verdict))
    return worst


def _series(number: int, item: dict[str, Any]) -> int:
    record = item.get("certificate")
    if not isinstance(record, dict) or not isinstance(record.get("terms"), list):
        print(f"{number}: series: nothing to check (only a proved expansion carries certificates)")
        return 0
    if not isinstance(record.get("series"), dict):
        raise DataError(f"series {number}: the certificate is not a JSON object")
    return _said(f"{number}: series", check_series(record["series"], record["terms"]))


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
