"""``lnsym derive PATH [--out DIR]`` and ``lnsym latex EXPR``.

``derive`` checks every step of every derivation and prints a per-step report; it exits 0 when all
steps and claims checked, 1 when one did not (the message names the file, the step and the residual
difference), and 2 for a malformed file. ``latex`` prints the LaTeX of one expression.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from lnsym.cli.options import add_declarations, add_json
from lnsym.derive.check import STEP_TIMEOUT, DerivationResult, check_all
from lnsym.derive.load import load_derivations
from lnsym.documents.tex import write_documents
from lnsym.lang.latex import latex

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    derive_parser = subparsers.add_parser(
        "derive",
        help="check derivations step by step; write LaTeX/Markdown proofs",
        description=(
            "Check every step of the derivations in PATH (a .toml file or a directory of them) "
            "with the prover. Exit 0 if all checked, 1 if a step or claim did not, 2 if a file "
            "is malformed."
        ),
        epilog="""examples:
  lnsym derive derivations/
  lnsym derive derivations/01-main-identity.toml
  lnsym derive derivations/ --out docs/proofs --quiet
  lnsym derive derivations/ --json

A derivation file declares vectors = [...] and scalars = [...] only where the use of a name leaves
its kind open; see docs/derivations.md for the format.""",
    )
    derive_parser.add_argument("path", metavar="PATH", help="a derivation .toml or a directory")
    derive_parser.add_argument(
        "--out",
        metavar="DIR",
        default=None,
        help="also write a standalone .tex per derivation, all.tex and index.md into DIR",
    )
    derive_parser.add_argument(
        "--quiet", "-q", action="store_true", help="print only failures and the summary"
    )
    derive_parser.add_argument(
        "--timeout",
        type=float,
        default=STEP_TIMEOUT,
        metavar="SECONDS",
        help=f"time budget of each step (default: {STEP_TIMEOUT:g}); past it the step is unknown",
    )
    add_json(derive_parser)
    derive_parser.set_defaults(run=run_derive)

    latex_parser = subparsers.add_parser(
        "latex",
        help="print the LaTeX of one expression",
        description="Print the LaTeX of EXPR, kept in the order written.",
        epilog="""examples:
  lnsym latex 'sqrt(n)*u(c(x), n*eps)'
  lnsym latex 'dot(w, LN(a + b))/norm(c(a + b))'
  lnsym latex 'LNA(x, g, beta)'
  lnsym latex 'a*b' --scalars a,b""",
    )
    latex_parser.add_argument("expr", metavar="EXPR", help="an expression of the language")
    add_declarations(latex_parser)
    latex_parser.set_defaults(run=run_latex)


def run_derive(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    derivations = load_derivations(args.path)  # malformed → DerivationError → exit 2
    results = check_all(derivations, timeout=args.timeout)
    seconds = time.perf_counter() - start
    failed = [r for r in results if not r.ok]
    if args.json:
        print(json.dumps(_json(results, seconds), indent=2))
    else:
        for result in results:
            print(result.report(verbose=not args.quiet))
        steps = sum(len(c.steps) - 1 for r in results for c in r.chains)
        claims = sum(len(r.claims) for r in results)
        verdict = f"FAILED {len(failed)} of {len(results)}" if failed else f"OK {len(results)}"
        print(
            f"{verdict} derivations ({steps} steps, {claims} refuted claims) "
            f"checked in {seconds:.2f} s"
        )
    if failed:
        if args.out is not None:
            sys.stderr.write(f"lnsym derive: not writing documents to {args.out}: a step failed\n")
        return 1
    if args.out is not None:
        written = write_documents(results, args.out)
        if not args.json:
            print(f"wrote {len(written)} files to {args.out}")
    return 0


def _json(results: list[DerivationResult], seconds: float) -> dict[str, Any]:
    return {
        "ok": all(r.ok for r in results),
        "seconds": round(seconds, 3),
        "derivations": [
            {
                "path": str(r.derivation.path),
                "title": r.derivation.title,
                "ok": r.ok,
                "chains": [
                    {
                        "name": c.chain.name,
                        "steps": [
                            {
                                "step": s.index,
                                "expr": s.step.text,
                                "by": list(s.step.by),
                                "status": "start" if s.proof is None else s.proof.status.value,
                            }
                            | ({} if s.proof is None else {"proof": s.proof.to_json()})
                            for s in c.steps
                        ],
                    }
                    for c in r.chains
                ],
                "claims": [
                    {
                        "lhs": c.claim.lhs,
                        "rhs": c.claim.rhs,
                        "status": c.proof.status.value,
                        "witness": c.proof.witness.to_json() if c.proof.witness else None,
                        "proof": c.proof.to_json(),
                    }
                    for c in r.claims
                ],
                "failures": r.failures(),
            }
            for r in results
        ],
    }


def run_latex(args: argparse.Namespace) -> int:
    print(latex(args.expr, vectors=args.vectors, scalars=args.scalars))
    return 0
