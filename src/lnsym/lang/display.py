r"""Displayed chains that fit the page: long steps break across lines, justifications go where
they fit.

:func:`display` typesets a chain ``head R₁ body₁ R₂ body₂ …`` (each relation ``=``, ``\leq``,
``\overset{?}{=}`` … with an optional justification) as the rows of an ``align*`` environment (or
``aligned``, for MathJax). The layout is chosen from the printed width of each piece, estimated by
:func:`lnsym.lang.measure.formula_width`, against the width of the page (:class:`Page`); nothing
depends on which derivation is printed:

* the head stays left of the relations when every step then fits unbroken, or when it is short
  (a quarter of the line); otherwise it takes a line of its own and the relations start under it;
* a step wider than its column breaks before a top-level ``+`` or ``-`` (the continuation is
  indented by a quad); a term that is still too wide breaks inside its outermost
  ``\left…\right`` group (after a comma, or before ``+``/``-``), whose delimiters become
  ``\bigl…\bigr`` of the size TeX would give them;
* a justification goes in a right-hand column when it fits beside the widest line; otherwise it
  takes its own line under the step, wrapped (at ``;``, then at spaces) to the formulas' width.

>>> print(display("a", [Row("=", "b", ("algebra",))]))
\begin{align*}
  a &= b && \textstyle \text{(algebra)}
\end{align*}
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from lnsym.lang.latex import math_in_text
from lnsym.lang.measure import ELEVEN_POINT, Sizes, delimiter_size, formula_width, tokens

__all__ = ["ARTICLE", "Page", "Row", "display", "fits"]

_QUAD = r"\quad "


@dataclass(frozen=True)
class Row:
    r"""One step of a chain: ``relation`` (LaTeX: ``=``, ``\leq`` …), the right side ``body``
    (LaTeX) and the justification ``note``: its pieces as prose with ``$…$`` math, printed as
    ``(piece; piece)``."""

    relation: str
    body: str
    note: tuple[str, ...] = ()


@dataclass(frozen=True)
class Page:
    r"""The line a display must fit: ``width`` (``\linewidth``, pt), the fraction ``margin`` kept
    free for the error of the width estimate, the least space ``gap`` between the formulas and a
    right-hand note (amsmath's ``\minalignsep``), and the font ``sizes``."""

    width: float = 360.0
    margin: float = 0.04
    gap: float = 10.0
    sizes: Sizes = field(default=ELEVEN_POINT)

    @property
    def usable(self) -> float:
        return self.width * (1 - self.margin)

    def measure(self, tex: str) -> float:
        return formula_width(tex, sizes=self.sizes)


#: ``\documentclass[11pt]{article}`` with its default text width, what lnsym's documents use.
ARTICLE = Page()


def fits(tex: str, page: Page = ARTICLE) -> bool:
    """Whether the display formula ``tex`` fits on one line of ``page``."""
    return page.measure(tex) <= page.usable


def display(
    head: str, rows: Sequence[Row], *, environment: str = "align*", page: Page = ARTICLE
) -> str:
    """The chain as ``environment`` rows: ``head R₁ body₁ …``, laid out to fit ``page``."""
    if not rows:
        raise ValueError("a displayed chain needs at least one step")
    usable, measure = page.usable, page.measure
    head_width = measure(head)
    steps = [f"{{}}{r.relation} {r.body}" for r in rows]
    widest = max(measure(s) for s in steps)
    inline = head_width + widest <= usable or head_width <= usable / 4
    col1 = head_width if inline else 0.0
    indent = "" if inline else _QUAD
    lines: list[list[str]] = []  # [column 1, column 2] of each line; a note may be appended
    if not inline:
        lines += [["", part] for part in _fill(_chunks(head), "", _QUAD, usable, measure)]
    ends = []
    for row in rows:
        parts = _fill(
            _chunks(row.body), f"{indent}{row.relation} ", indent + _QUAD, usable - col1, measure
        )
        lines += [["", part] for part in parts]
        ends.append(len(lines) - 1)
    if inline:
        lines[0][0] = head
    formulas = max(measure("{}" + column) for _, column in lines)
    room = usable - col1
    # notes under their steps are wrapped to the formulas' width (so that they leave room for the
    # right-hand notes) or to the whole room: whichever prints fewer lines
    layouts = [
        _place(rows, col1, formulas, wrap, indent + _QUAD, page)
        for wrap in dict.fromkeys((min(room, max(formulas, room / 2)), room))
    ]
    right, notes = min(layouts, key=lambda layout: sum(len(n) for n in layout[1]))
    out: list[str] = []
    for index, (column1, column2) in enumerate(lines):
        out.append(f"  {column1} &{column2}")
        if index in ends:
            step = ends.index(index)
            if right[step]:
                out[-1] += f" && {_note_tex(_note_text(rows[step].note))}"
            else:
                out += [f"   &{part}" for part in notes[step]]
    return f"\\begin{{{environment}}}\n" + " \\\\\n".join(out) + f"\n\\end{{{environment}}}"


def _place(
    rows: Sequence[Row], col1: float, formulas: float, wrap: float, indent: str, page: Page
) -> tuple[list[bool], list[list[str]]]:
    """Which notes go in the right-hand column, and the lines of those that go under their step
    (the others print one line each, on the right)."""
    measure, usable = page.measure, page.usable
    wrapped = [_notes(row.note, wrap, indent, measure) for row in rows]
    beside = [measure(_note_tex(_note_text(row.note))) if row.note else 0.0 for row in rows]
    # a note goes right when it fits beside the widest line; the notes put under their steps
    # widen column 2, which may push other notes under theirs: repeat until nothing moves
    col2 = formulas
    right = [False] * len(rows)
    for _ in range(len(rows) + 1):
        right = [
            bool(row.note) and col1 + col2 + page.gap + w <= usable
            for row, w in zip(rows, beside, strict=True)
        ]
        below = [
            w for side, (_, widths) in zip(right, wrapped, strict=True) if not side for w in widths
        ]
        wider = max([formulas, *below])
        if wider <= col2:
            break
        col2 = wider
    return right, [[] if side else cells for side, (cells, _) in zip(right, wrapped, strict=True)]


def _note_text(note: Sequence[str]) -> str:
    return "(" + "; ".join(note) + ")"


def _note_tex(text: str) -> str:
    r"""A justification's LaTeX: its math in text style (a fraction as in running text)."""
    return r"\textstyle " + math_in_text(text)


# --------------------------------------------------------------------------------------------------
# Breaking formulas
# --------------------------------------------------------------------------------------------------

_BINARY = {"+", "-"}
_NOT_AFTER = {"", "+", "-", "=", "(", "[", ",", "{", "&", r"\left", r"\cdot", r"\odot", r"\times",
              r"\neq", r"\leq", r"\geq", r"\langle", r"\lVert", "<", ">"}  # fmt: skip


def _chunks(tex: str) -> list[str]:
    """``tex`` cut where a line may break: before a top-level binary ``+``/``-``, after a
    top-level comma."""
    return _split(tokens(tex))


def _split(toks: list[str]) -> list[str]:
    chunks: list[list[str]] = [[]]
    depth = 0
    previous = ""
    for index, token in enumerate(toks):
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif token in (r"\left", r"\begin"):
            depth += 1
        elif token in (r"\right", r"\end"):
            depth -= 1
        if depth == 0 and token in _BINARY and previous not in _NOT_AFTER and chunks[-1]:
            chunks.append([])
        chunks[-1].append(token)
        if depth == 0 and token == "," and index + 1 < len(toks):
            chunks.append([])
        if not token.isspace():
            previous = token
    return [text for c in chunks if (text := "".join(c).strip())]


def _open_up(chunk: str) -> list[str] | None:
    r"""``p \left( a + b \right) s`` → ``["p \bigl( a", "+ b \bigr) s"]``: the chunk cut inside its
    first top-level ``\left…\right`` group that can be cut, or None."""
    toks = tokens(chunk)
    depth = 0
    for start, token in enumerate(toks):
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif token == r"\left" and depth == 0:
            end = _matching_right(toks, start)
            if end is None:
                return None
            opening, inner_start = _delimiter_after(toks, start + 1)
            closing, after = _delimiter_after(toks, end + 1)
            inner = toks[inner_start:end]
            pieces = _split(inner)
            if len(pieces) < 2:
                continue
            size = delimiter_size("".join(inner))
            left = f"\\{size}l{opening}" if size else ("" if opening == "." else opening)
            right = f"\\{size}r{closing}" if size else ("" if closing == "." else closing)
            prefix, suffix = "".join(toks[:start]).strip(), "".join(toks[after:]).strip()
            pieces[0] = f"{prefix} {left} {pieces[0]}".strip()
            pieces[-1] = f"{pieces[-1]} {right} {suffix}".strip()
            return [re.sub(r"\s+", " ", p) for p in pieces]
        elif token == r"\right" and depth == 0:
            return None
    return None


def _matching_right(toks: list[str], start: int) -> int | None:
    depth = 0
    for index in range(start, len(toks)):
        if toks[index] == r"\left":
            depth += 1
        elif toks[index] == r"\right":
            depth -= 1
            if depth == 0:
                return index
    return None


def _delimiter_after(toks: list[str], index: int) -> tuple[str, int]:
    while index < len(toks) and toks[index].isspace():
        index += 1
    return (toks[index], index + 1) if index < len(toks) else (".", index)


def _fill(
    chunks: list[str], first: str, rest: str, usable: float, measure: Callable[[str], float]
) -> list[str]:
    """Chunks packed greedily into lines no wider than ``usable``: the first line starts with
    ``first`` (e.g. the relation), the others with ``rest`` (an indent). A chunk too wide for a
    line of its own is opened up (:func:`_open_up`); one that cannot be is left whole."""

    def line(text: str, number: int) -> str:
        if number == 0:
            return first + text
        return rest + ("{}" if text[:1] in _BINARY else "") + text

    def width(text: str, number: int) -> float:
        return measure("{}" + line(text, number))

    lines: list[str] = []
    current: str | None = None
    queue = list(chunks)
    while queue:
        chunk = queue.pop(0)
        candidate = chunk if current is None else f"{current} {chunk}"
        if width(candidate, len(lines)) <= usable:
            current = candidate
            continue
        if width(chunk, 1) > usable and (opened := _open_up(chunk)):
            queue[0:0] = opened
            continue
        if current is not None:
            lines.append(current)
            current = None
            queue.insert(0, chunk)
            continue
        current = chunk  # cannot be cut: it stays on a line of its own
    if current is not None:
        lines.append(current)
    return [line(text, number) for number, text in enumerate(lines)] or [first.rstrip()]


# --------------------------------------------------------------------------------------------------
# Wrapping justifications
# --------------------------------------------------------------------------------------------------

_WORD = re.compile(r"(?:\$[^$]*\$|[^\s$])+")


def _notes(
    note: Sequence[str], usable: float, indent: str, measure: Callable[[str], float]
) -> tuple[list[str], list[float]]:
    """The note as lines of its own (``indent`` + ``\\text{…}``) no wider than ``usable``
    (where it can be cut), with the width of each."""
    if not note:
        return [], []
    last = len(note) - 1
    units = [
        ("(" if i == 0 else "") + piece + (")" if i == last else ";")
        for i, piece in enumerate(note)
    ]

    def width(text: str) -> float:
        return measure(indent + _note_tex(text))

    lines: list[str] = []
    current: str | None = None
    while units:
        unit = units.pop(0)
        candidate = unit if current is None else f"{current} {unit}"
        if width(candidate) <= usable:
            current = candidate
            continue
        words = _WORD.findall(unit)
        if width(unit) > usable and len(words) > 1:  # a piece too long for a line: cut at spaces
            units[0:0] = words
            continue
        if current is not None:
            lines.append(current)
            current = None
            units.insert(0, unit)
            continue
        current = unit
    if current is not None:
        lines.append(current)
    cells = [indent + _note_tex(text) for text in lines]
    return cells, [measure(cell) for cell in cells]
