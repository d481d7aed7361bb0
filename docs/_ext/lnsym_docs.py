r"""Build-time helpers of the documentation site (an mkdocs hook and a griffe extension).

Nothing here is part of lnsym; ``mkdocs.yml`` loads this file twice:

* as an **mkdocs hook** (``hooks:``): pages may hold placeholders that are replaced, at build time,
  by text generated from lnsym itself, so the docs cannot drift from the code:

  - ``<!-- lnsym:definitions -->`` → the table of :data:`lnsym.lang.definitions.DEFINITIONS` (every name,
    what it prints as, its formula and kinds) and each definition's docstring;
  - ``<!-- lnsym:cli -->`` → ``lnsym COMMAND --help`` for every registered command;
  - ``<!-- lnsym:rules -->`` → the named rules a derivation step may cite
    (:data:`lnsym.derive.justifications.RULES`);

  and when ``docs/proofs/`` has not been generated (``lnsym derive derivations/ --out
  docs/proofs``), the same documents are generated in memory from ``derivations/``;

* as a **griffe extension** (mkdocstrings' ``extensions:``): lnsym's docstrings use a few
  reStructuredText habits (``:math:`…```, ``:class:`…```, ``>>>`` examples, ``::`` literal blocks)
  that are rewritten into Markdown that arithmatex and MathJax render.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEFINITIONS_MARK = "<!-- lnsym:definitions -->"
CLI_MARK = "<!-- lnsym:cli -->"
RULES_MARK = "<!-- lnsym:rules -->"
#: the column width used for ``--help`` text (argparse reads COLUMNS).
HELP_WIDTH = 96

# --------------------------------------------------------------------------------------------------
# reStructuredText habits → Markdown (docstrings)
# --------------------------------------------------------------------------------------------------

_MATH_ROLE = re.compile(r":math:`([^`]+)`")
_XREF_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|data|attr|exc|obj|const):`(~?)([^`]+)`")
_PROMPT = re.compile(r"^(\s*)>>> ")


def _xref(match: re.Match[str]) -> str:
    short, target = match.groups()
    name = target.rsplit(".", 1)[-1] if short else target
    return f"`{name}`"


def rst_to_markdown(text: str) -> str:
    r"""Rewrite the reStructuredText habits of lnsym's docstrings as Markdown.

    >>> rst_to_markdown(r"Mean :math:`\mu(x)`, see :class:`~lnsym.prover.verdict.Proof`.")
    'Mean $\\mu(x)$, see `Proof`.'
    >>> print(rst_to_markdown(".. math::\n\n    a = b\n\nafter"))
    $$
    a = b
    $$
    <BLANKLINE>
    after
    >>> rst_to_markdown(">>> 1 + 1\n2").splitlines()
    ['```pycon', '>>> 1 + 1', '2', '```']
    """
    text = _MATH_ROLE.sub(lambda m: f"${m.group(1).strip()}$", text)
    text = _XREF_ROLE.sub(_xref, text)
    out: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        prompt = _PROMPT.match(line)
        if prompt:  # a doctest block runs to the next blank line
            indent = prompt.group(1)
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i][len(indent) :] if lines[i].startswith(indent) else lines[i])
                i += 1
            if out and out[-1].strip():
                out.append("")
            out += [f"{indent}```pycon", *(indent + b for b in block), f"{indent}```"]
            continue
        if line.strip() == ".. math::":  # a display-math directive: its indented block
            indent = line[: len(line) - len(line.lstrip())]
            i += 1
            block = []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith(indent + " ")):
                block.append(lines[i].strip())
                i += 1
            body = "\n".join(b for b in block if b)
            out += [f"{indent}$$", *(indent + b for b in body.split("\n")), f"{indent}$$", ""]
            continue
        if line.rstrip().endswith("::") and not line.strip().startswith(".."):
            stripped = line.rstrip()[:-2].rstrip()
            line = f"{stripped}:" if stripped else ""
        out.append(line)
        i += 1
    return "\n".join(out)


try:  # the extension exists only where griffe (mkdocstrings) is installed
    import griffe
except ImportError:  # pragma: no cover - griffe ships with mkdocstrings[python]
    griffe = None

if griffe is not None:

    class RstRoles(griffe.Extension):  # type: ignore[misc,name-defined]
        """Rewrite every loaded docstring with :func:`rst_to_markdown`."""

        def on_instance(self, *, obj: Any, **kwargs: Any) -> None:
            if obj.docstring is not None:
                obj.docstring.value = rst_to_markdown(obj.docstring.value)


# --------------------------------------------------------------------------------------------------
# The expression language's table, from lnsym.lang.definitions.DEFINITIONS
# --------------------------------------------------------------------------------------------------


def _instance(cls: Any) -> Any:
    from lnsym.lang.reference import instance

    return instance(cls)


def _unfolded(cls: Any) -> str | None:
    import sympy

    try:
        return str(sympy.latex(_instance(cls).definition()))
    except NotImplementedError:
        return None


def definitions_table() -> str:
    """Markdown: every name of :data:`lnsym.lang.definitions.DEFINITIONS`, a table and the details."""
    import sympy

    from lnsym.lang import reference
    from lnsym.lang.definitions import DEFINITIONS

    built_ins = ["| built-in | kind | meaning |", "|---|---|---|"]
    built_ins += [
        f"| `{name}` | {kind} | {meaning} |" for name, kind, meaning in reference.BUILT_INS
    ]
    rows = [
        "| you type | prints as | formula and convention | arguments → result |",
        "|---|---|---|---|",
    ]
    details = []
    for name, cls in DEFINITIONS.items():
        calls = ", ".join(f"`{c}`" for c in reference.calls(cls))
        printed = sympy.latex(_instance(cls))
        rows.append(f"| {calls} | ${printed}$ | ${cls.formula}$ | {reference.kinds(cls)} |")
        doc = rst_to_markdown(" ".join((cls.__doc__ or "").split()))
        unfolded = _unfolded(cls)
        prover = (
            f"The prover unfolds ${printed}$ to ${unfolded}$."
            if unfolded is not None
            else "A primitive: the prover's normal form is built from it."
        )
        details.append(
            f"`{name}` ([`{cls.__name__}`][{cls.__module__}.{cls.__name__}])\n:   {doc} {prover}\n"
        )
    return "\n".join([*built_ins, "", *rows]) + "\n\n" + "\n".join(details)


# --------------------------------------------------------------------------------------------------
# The rules a derivation may cite, from lnsym.derive.justifications.RULES
# --------------------------------------------------------------------------------------------------


def rules_table() -> str:
    """Markdown: every named rule of :data:`lnsym.derive.justifications.RULES` and the lemma it states."""
    from lnsym.derive.justifications import RULES

    rows = ["| `by = …` | prints as | the lemma (proved by the test suite) |", "|---|---|---|"]
    for name, rule in RULES.items():
        if rule.lemma is None:
            lemma = "—"
        else:
            lemma = f"`{rule.lemma.lhs} = {rule.lemma.rhs}`"
            if rule.lemma.assume:
                lemma += " given " + ", ".join(f"`{a}`" for a in rule.lemma.assume)
        rows.append(f"| `{name}` | {rule.text} | {lemma} |")
    return "\n".join(rows)


# --------------------------------------------------------------------------------------------------
# The command line's reference, from lnsym.cli.build_parser()
# --------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _columns(width: int) -> Iterator[None]:
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(width)
    try:
        yield
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved


def commands() -> dict[str, argparse.ArgumentParser]:
    """Every registered ``lnsym`` command and its parser."""
    from lnsym.cli import build_parser

    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}  # pragma: no cover - lnsym always has commands


def cli_reference() -> str:
    """Markdown: ``lnsym --help`` and ``lnsym COMMAND --help`` for every command."""
    from lnsym.cli import build_parser

    with _columns(HELP_WIDTH):
        parts = ["### `lnsym`", "", "```text", build_parser().format_help().rstrip(), "```", ""]
        for name, parser in commands().items():
            parts += [
                f"### `lnsym {name}`",
                "",
                "```text",
                parser.format_help().rstrip(),
                "```",
                "",
            ]
    return "\n".join(parts)


# --------------------------------------------------------------------------------------------------
# Proof documents when docs/proofs has not been generated
# --------------------------------------------------------------------------------------------------


def proof_documents(derivations: Path = ROOT / "derivations") -> dict[str, str]:
    """What ``lnsym derive derivations/ --out docs/proofs`` writes: file name → text."""
    from lnsym import derive
    from lnsym.derive.load import load_derivations
    from lnsym.documents.tex import COMBINED_TEX, MARKDOWN, combined_tex, markdown, standalone_tex

    results = derive(load_derivations(derivations))
    failed = [str(r.derivation.path) for r in results if not r.ok]
    if failed:
        raise RuntimeError(f"derivations that do not check: {', '.join(failed)}")
    documents = {f"{r.derivation.name}.tex": standalone_tex(r) for r in results}
    documents[COMBINED_TEX] = combined_tex(results)
    documents[MARKDOWN] = markdown(results)
    return documents


# --------------------------------------------------------------------------------------------------
# mkdocs events
# --------------------------------------------------------------------------------------------------


#: where ``npm ci`` installs MathJax (package.json pins it), and the parts of it the site serves.
MATHJAX = ROOT / "node_modules" / "mathjax" / "es5"
MATHJAX_PARTS = ("tex-mml-chtml.js", "input", "output/chtml", "a11y", "ui", "sre")
#: where the built site serves MathJax from (mkdocs.yml's extra_javascript names the entry point).
MATHJAX_SITE_DIR = "javascripts/mathjax"


def mathjax_files(source: Path = MATHJAX) -> list[Path]:
    """The MathJax files the site serves, relative to ``source`` (raises if it is not installed)."""
    if not (source / "tex-mml-chtml.js").is_file():
        from mkdocs.exceptions import PluginError

        raise PluginError(
            f"MathJax is not installed at {source}: run 'npm ci' in the repository root "
            "(package.json pins mathjax) so that the site renders formulas without network"
        )
    found: list[Path] = []
    for part in MATHJAX_PARTS:
        path = source / part
        found += [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return [p.relative_to(source) for p in found]


def on_files(files: Any, config: Any) -> Any:
    """Serve MathJax from the site itself (offline math), and generate ``proofs/`` in memory
    when ``docs/proofs/index.md`` is absent."""
    from mkdocs.structure.files import File

    for relative in mathjax_files():
        file = File(
            f"{MATHJAX_SITE_DIR}/{relative.as_posix()}",
            src_dir=None,
            dest_dir=config["site_dir"],
            use_directory_urls=config["use_directory_urls"],
        )
        file.abs_src_path = str(MATHJAX / relative)
        files.append(file)
    if files.get_file_from_path("proofs/index.md") is not None:
        return files
    for name, text in proof_documents().items():
        files.append(File.generated(config, f"proofs/{name}", content=text))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Replace the placeholders with text generated from lnsym."""
    if DEFINITIONS_MARK in markdown:
        markdown = markdown.replace(DEFINITIONS_MARK, definitions_table())
    if RULES_MARK in markdown:
        markdown = markdown.replace(RULES_MARK, rules_table())
    if CLI_MARK in markdown:
        markdown = markdown.replace(CLI_MARK, cli_reference())
    return markdown
