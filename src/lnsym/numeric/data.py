r"""Loaders for numeric data: the seed's Julia literals, ``.npy``, ``.txt``/``.csv``, comma lists;
and :func:`save`, which writes an array back as ``.npy``, ``.txt`` or ``.csv``.

Every loader returns :class:`Data`: a float array together with the decimal literals it was read
from, so that exact mode (:func:`lnsym.numeric.mpmath_eval.evaluate_mp`) starts from the numbers as written,
not from their binary roundings. Binary sources (``.npy``) have no literals; their exact decimal
expansions are used instead (every binary float is a finite decimal).

Formats:

* ``.jl`` — Julia literals as in the seed notebook: ``#`` comments (and ``#= … =#`` blocks), then
  assignments ``name = [v1, v2, ...]`` (entries separated by commas or blanks, an optional
  ``Float64``/``Float32`` prefix) or ``name = v``; numbers in scientific notation ``1.5e-3``
  (Julia's ``1.5f-3`` is read as ``1.5e-3``);
* ``.txt`` / ``.csv`` / ``.tsv`` — numbers separated by commas, blanks or tabs, ``#`` comments;
  one row per line: a single row or a single column is a vector, several rows of equal length are
  a matrix (one vector per row);
* ``.npy`` — a NumPy array of real numbers (no pickles);
* on the command line, :func:`read_value`: ``0.8328`` (a scalar), ``1,2,3,5`` or ``[1, 2, 3]``
  (a vector), or a path (``data.jl``; ``data.jl:name`` picks one assignment of a ``.jl`` file).

NaN and infinities are rejected with a :class:`~lnsym.errors.DataError` that names the entry.

>>> v = parse_numbers("1, 2.5e0, -3")
>>> v.array.tolist(), v.decimals()
([1.0, 2.5, -3.0], ['1', '2.5e0', '-3'])
>>> read_value("0.8328").shape
()
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np

from lnsym.errors import DataError, argument

__all__ = ["Data", "load", "load_all", "parse_numbers", "read_value", "save"]

#: a decimal literal as written in the seed files, on the command line, and in text tables.
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eEf][+-]?\d+)?\Z")
_NOT_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)(?:16|32|64)?\Z", re.IGNORECASE)
_SEPARATORS = re.compile(r"[,\s]+")
_ASSIGNMENT = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_!]*)\s*=\s*")
_TEXT_SUFFIXES = (".txt", ".csv", ".tsv", ".dat")


@dataclass(frozen=True)
class Data:
    """Numbers read from somewhere: an array (shape ``()`` for a scalar) and its decimal literals.

    ``literals`` holds the decimal strings exactly as written (text sources) in C order, or None
    for binary sources, whose exact decimal expansions :meth:`decimals` computes on demand.
    """

    array: np.ndarray
    source: str
    literals: tuple[str, ...] | None = field(default=None, repr=False)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.array.shape)

    @property
    def is_scalar(self) -> bool:
        return self.array.ndim == 0

    def decimals(self) -> list[str]:
        """The entries (C order) as decimal strings that denote their exact values."""
        if self.literals is not None:
            return list(self.literals)
        return [_exact_decimal(v) for v in self.array.reshape(-1).tolist()]

    def exact(self) -> str | list[str]:
        """A scalar's decimal string, or a vector's list of them (``ndim`` ≤ 1 only)."""
        if self.array.ndim > 1:
            raise DataError(f"{self.source} is {self.array.ndim}-dimensional; take one row")
        values = self.decimals()
        return values[0] if self.is_scalar else values


def _exact_decimal(value: float) -> str:
    """The exact decimal expansion of a binary float (``0.1`` → ``0.1000000000000000055511…``)."""
    return str(Decimal(value))


# --------------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------------


def _number(token: str, where: str) -> str:
    """Check that ``token`` is a finite decimal literal; return it in a form mpmath reads."""
    if _NUMBER.match(token):
        return token.replace("f", "e")
    if _NOT_FINITE.match(token):
        raise DataError(f"{where}: {token!r} is not finite; lnsym needs finite numbers")
    raise DataError(f"{where}: {token!r} is not a number (expected e.g. 3, -0.25 or 1.5e-3)")


def _from_literals(literals: list[str], shape: tuple[int, ...], source: str) -> Data:
    array = np.array([float(t) for t in literals], dtype=np.float64).reshape(shape)
    if not np.all(np.isfinite(array)):  # 1e999 overflows to inf
        bad = int(np.flatnonzero(~np.isfinite(array.reshape(-1)))[0])
        raise DataError(f"{source}: entry {bad + 1} ({literals[bad]}) overflows a float64")
    return Data(array, source, tuple(literals))


def parse_numbers(text: str, source: str = "value") -> Data:
    """``"1,2,3,5"``, ``"[1, 2, 3]"`` or ``"1 2 3"`` → a vector; a single number → a scalar.

    A single number in brackets or with a trailing comma (``[3]``, ``3,``) is a vector of length 1.
    """
    body = text.strip()
    bracketed = body.startswith("[") and body.endswith("]")
    if bracketed:
        body = body[1:-1]
    tokens = [t for t in _SEPARATORS.split(body) if t]
    if not tokens:
        raise DataError(f"{source}: no numbers in {text!r}")
    literals = [_number(t, f"{source}, entry {i + 1}") for i, t in enumerate(tokens)]
    vector = bracketed or len(tokens) > 1 or "," in body
    return _from_literals(literals, (len(literals),) if vector else (), source)


def _finite_array(array: np.ndarray, source: str) -> np.ndarray:
    if array.dtype.kind not in "biuf":
        raise DataError(f"{source}: holds {array.dtype} values; lnsym needs real numbers")
    if array.dtype.kind != "f":
        array = array.astype(np.float64)
    bad = np.flatnonzero(~np.isfinite(array.reshape(-1)))
    if bad.size:
        index = tuple(int(i) for i in np.unravel_index(int(bad[0]), array.shape))
        raise DataError(f"{source}: entry {index} is {array[index]}; lnsym needs finite numbers")
    return array


# --------------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------------


def _strip_comments(text: str) -> str:
    """Blank out ``#= … =#`` blocks and ``#`` line comments, keeping line numbers."""
    text = re.sub(r"#=.*?=#", lambda m: "\n" * m.group().count("\n"), text, flags=re.DOTALL)
    return re.sub(r"#[^\n]*", "", text)


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _read_jl(path: Path) -> dict[str, Data]:
    raw = _read_text(path)
    text = _strip_comments(raw)
    found: dict[str, Data] = {}
    position = 0
    while True:
        while position < len(text) and (text[position].isspace() or text[position] == ";"):
            position += 1
        if position >= len(text):
            break
        match = _ASSIGNMENT.match(text, position)
        where = f"{path}:{_line(text, position)}"
        if match is None:
            snippet = text[position : position + 20].split("\n")[0]
            raise DataError(f"{where}: expected 'name = [v1, v2, ...]', found {snippet!r}")
        name = match.group(1)
        position = match.end()
        prefix = re.match(r"Float(?:16|32|64)(?=\[)", text[position:])
        if prefix:
            position += prefix.end()
        if text.startswith("[", position):
            end = text.find("]", position)
            if end < 0:
                raise DataError(f"{where}: the list of {name!r} has no closing ']'")
            body = text[position + 1 : end]
            if ";" in body or "[" in body:
                raise DataError(f"{where}: {name!r} is not a flat vector; write [v1, v2, ...]")
            value = parse_numbers(f"[{body}]", f"{where}: {name}")
            position = end + 1
        else:
            token = re.match(r"[^\s;]*", text[position:])
            literal = token.group() if token else ""
            value = parse_numbers(literal, f"{where}: {name}")
            position += len(literal)
            if not value.is_scalar:
                raise DataError(f"{where}: write the vector {name!r} in brackets: [v1, v2, ...]")
        if name in found:
            raise DataError(f"{where}: {name!r} is assigned twice")
        found[name] = value
    if not found:
        raise DataError(f"{path}: no assignment 'name = [v1, v2, ...]' found")
    return found


def _read_table(path: Path) -> Data:
    text = _strip_comments(_read_text(path))
    rows: list[list[str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        tokens = [t for t in _SEPARATORS.split(line.strip()) if t]
        if tokens:
            rows.append([_number(t, f"{path}:{number}") for t in tokens])
    if not rows:
        raise DataError(f"{path}: no numbers found")
    widths = {len(r) for r in rows}
    if len(rows) == 1 or widths == {1}:
        literals = [t for r in rows for t in r]
        return _from_literals(literals, (len(literals),), str(path))
    if len(widths) > 1:
        raise DataError(f"{path}: rows have different lengths {sorted(widths)}; expected a table")
    return _from_literals([t for r in rows for t in r], (len(rows), len(rows[0])), str(path))


def _read_npy(path: Path) -> Data:
    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise DataError(f"{path}: not a readable .npy array ({error})") from None
    if not isinstance(array, np.ndarray):
        raise DataError(f"{path}: expected one array, found {type(array).__name__}")
    return Data(_finite_array(array, str(path)), str(path))


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a directory, not a data file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"{path}: cannot read it ({error})") from None


def load_all(path: str | Path) -> dict[str, Data]:
    """Every array a file holds, by name (a ``.jl`` file's assignments; otherwise ``{stem: data}``)."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".jl":
        return _read_jl(path)
    if suffix == ".npy":
        return {path.stem: _read_npy(path)}
    if suffix in _TEXT_SUFFIXES:
        return {path.stem: _read_table(path)}
    raise DataError(f"{path}: unknown format {suffix or '(none)'}; use .jl, .npy, .txt or .csv")


def load(path: str | Path, name: str | None = None) -> Data:
    r"""The array in ``path``; for a ``.jl`` file with several assignments, the one named ``name``.

    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "v.jl")
    ...     _ = open(p, "w").write("# a comment\nv = [1.5e-1, -2,\n 3]\n")
    ...     load(p).decimals()
    ['1.5e-1', '-2', '3']
    """
    found = load_all(path)
    if name is not None:
        if name not in found:
            raise DataError(f"{path}: no array named {name!r}; it holds {', '.join(found)}")
        return found[name]
    if len(found) > 1:
        names = ", ".join(found)
        raise DataError(f"{path} holds several arrays ({names}); pick one with {path}:NAME")
    return next(iter(found.values()))


def _is_file(text: str) -> bool:
    """Whether ``text`` names an existing path (a long list of numbers is no file name)."""
    try:
        return Path(text).exists()
    except OSError:  # e.g. the name is too long
        return False


def read_value(text: str) -> Data:
    """A command-line value: a number, a list ``1,2,3`` / ``[1, 2, 3]``, or a file (``f.jl:name``)."""
    body = text.strip()
    if not body:
        raise DataError("empty value; give a number, a list like 1,2,3 or a file")
    looks_numeric = re.fullmatch(r"[\[\]\s,0-9eEf.+\-naNiIty]*", body) is not None
    if looks_numeric and not _is_file(body):
        return parse_numbers(body, source=repr(text))
    path, _, name = body.rpartition(":") if ":" in body and not _is_file(body) else (body, "", "")
    if name and not path:
        path, name = body, ""
    return load(path, name or None)


# --------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------


def save(path: str | Path, array: object, *, option: str = "out") -> None:
    """Write ``array`` to ``path``: ``.npy`` (any shape), ``.txt`` (blank-separated) or ``.csv``
    (one or two axes, every float64 digit kept: ``%.17g``). Errors name ``option`` as the interface
    in use spells it (``--out`` on the command line, ``out=`` in Python)."""
    target = Path(path)
    suffix = target.suffix.lower()
    values = np.asarray(array)
    where = f"{argument(option)} {path}"
    try:
        if suffix == ".npy":
            np.save(target, values)
        elif suffix in (".txt", ".csv"):
            if values.ndim > 2:
                raise DataError(
                    f"{where}: a {values.ndim}-axis array does not fit a text table; use .npy"
                )
            np.savetxt(
                target,
                np.atleast_1d(values),
                delimiter="," if suffix == ".csv" else " ",
                fmt="%.17g",
            )
        else:
            raise DataError(f"{where}: unknown format; use .npy, .txt or .csv")
    except OSError as error:
        raise DataError(f"{where}: cannot write it ({error.strerror})") from None
