"""The documentation works: its code runs, its figures regenerate, its names import, it builds.

Executable pages: in ``docs/*.md`` (and ``README.md``), every fenced ``python`` block is executed
(one namespace per page, working directory the repository root) and every ``console`` block's
``$ command`` lines are run; an ``output`` block right after a ``python`` block, and the lines after each ``$ command``,
are compared with what was printed (doctest rules: ``...`` matches anything, whitespace is
normalized). ``bash`` blocks are shown, never run. Markers, as HTML comments:

* ``<!-- docs-test: skip -->`` on the line before a block: do not run it;
* ``<!-- docs-test: requires-data -->`` anywhere in a page: skip the page when the seed vectors
  (``../shared/data``) are absent;
* ``<!-- docs-test: requires-modules: torch, transformer_lens -->``: skip the page (with the
  reason) when one of those optional extras is not installed.
"""

from __future__ import annotations

import contextlib
import doctest
import importlib
import importlib.util
import io
import itertools
import os
import re
import shlex
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from lnsym.install import extra_of, needs

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SHARED_DATA = ROOT.parent / "shared" / "data"
FIGURE_NAMES = ("ln_geometry.png", "ln_length.png", "ln_uncentered_error.png")
_FENCE = re.compile(
    r"^(?P<indent>[ ]*)```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```[ ]*$", re.M | re.S
)
_SKIP = "<!-- docs-test: skip -->"
_REQUIRES_DATA = "<!-- docs-test: requires-data -->"
_REQUIRES_MODULES = re.compile(r"<!-- docs-test: requires-modules: ([\w, ]+) -->")
_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _helpers() -> ModuleType:
    """docs/_ext/lnsym_docs.py (the mkdocs hook), imported from its path."""
    path = DOCS / "_ext" / "lnsym_docs.py"
    spec = importlib.util.spec_from_file_location("lnsym_docs_hook", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------------------------------
# executable pages
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    lang: str
    body: str
    line: int
    skip: bool


def blocks(text: str) -> list[Block]:
    """The fenced code blocks of a Markdown page, in order."""
    found = []
    for match in _FENCE.finditer(text):
        indent = len(match.group("indent"))
        body = "\n".join(line[indent:] for line in match.group("body").split("\n"))
        before = text[: match.start()].rstrip().rsplit("\n", 1)[-1].strip()
        line = text.count("\n", 0, match.start()) + 1
        found.append(Block(match.group("lang"), body, line, before == _SKIP))
    return found


def _pages() -> list[Path]:
    """Pages with code to run: ``docs/*.md``, and the README once its blocks are marked."""
    candidates = [*sorted(DOCS.glob("*.md")), ROOT / "README.md"]
    return [
        p
        for p in candidates
        if p.is_file() and any(b.lang in ("python", "console") for b in blocks(p.read_text()))
    ]


def _check(want: str, got: str, where: str) -> None:
    checker = doctest.OutputChecker()
    if not checker.check_output(want, got, _FLAGS):
        example = doctest.Example("", want)
        raise AssertionError(
            f"{where}: output differs\n{checker.output_difference(example, got, _FLAGS)}"
        )


def _console(block: Block, page: str) -> None:
    commands: list[tuple[str, list[str]]] = []
    for line in block.body.rstrip("\n").split("\n"):
        if line.startswith("$ "):
            commands.append((line[2:], []))
        elif commands:
            commands[-1][1].append(line)
    assert commands, f"{page}:{block.line}: a console block without a '$ ' command"
    for command, expected in commands:
        argv = shlex.split(command)
        if argv[0] == "lnsym":  # the console script, run with this interpreter
            argv = [sys.executable, "-m", "lnsym", *argv[1:]]
        elif argv[0] == "python":
            argv[0] = sys.executable
        env = {**os.environ, "COLUMNS": "96"}
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
        _check(
            "\n".join(expected) + "\n",
            done.stdout + done.stderr,
            f"{page}:{block.line} {command!r}",
        )


def run_page(path: Path) -> int:
    """Execute the page's blocks; returns how many blocks ran."""
    text = path.read_text(encoding="utf-8")
    page = path.relative_to(ROOT).as_posix()
    namespace: dict[str, object] = {"__name__": f"docs_{path.stem.replace('-', '_')}"}
    found = blocks(text)
    ran = 0
    for index, block in enumerate(found):
        if block.skip:
            continue
        if block.lang == "console":
            _console(block, page)
            ran += 1
        elif block.lang == "python":
            stdout = io.StringIO()
            with contextlib.redirect_stdout(stdout):
                exec(compile(block.body, f"{page}:{block.line}", "exec"), namespace)
            ran += 1
            following = found[index + 1] if index + 1 < len(found) else None
            if following is not None and following.lang == "output":
                _check(following.body, stdout.getvalue(), f"{page}:{block.line}")
    return ran


@pytest.mark.parametrize("path", _pages(), ids=lambda p: p.name)
def test_page_runs(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if _REQUIRES_DATA in path.read_text() and not (SHARED_DATA / "pre_norm.jl").is_file():
        pytest.skip(f"../shared/data is absent ({SHARED_DATA}); the seed vectors are not copied")
    for match in _REQUIRES_MODULES.finditer(path.read_text()):
        for module in (m.strip() for m in match.group(1).split(",")):
            pytest.importorskip(module, reason=needs(path.name, extra_of(module)))
    monkeypatch.chdir(ROOT)
    assert run_page(path) > 0


def test_output_blocks_follow_code() -> None:
    """An ``output`` block is only checked after a ``python`` block; a stray one is a mistake."""
    for path in DOCS.glob("*.md"):
        found = blocks(path.read_text())
        for before, block in itertools.pairwise(found):
            if block.lang == "output":
                assert before.lang == "python", (
                    f"{path.name}:{block.line}: output after {before.lang}"
                )


def test_fence_parser() -> None:
    text = "a\n\n```python\nprint(1)\n```\n\n<!-- docs-test: skip -->\n```console\n$ x\n```\n"
    found = blocks(text)
    assert [(b.lang, b.body, b.skip) for b in found] == [
        ("python", "print(1)\n", False),
        ("console", "$ x\n", True),
    ]


# --------------------------------------------------------------------------------------------------
# figures
# --------------------------------------------------------------------------------------------------


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_figures_regenerate(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason=needs("the figures", "figures"))
    from lnsym.documents.figures import FIGURES, write_all

    assert tuple(FIGURES) == FIGURE_NAMES
    written = write_all(tmp_path)
    assert sorted(p.name for p in written) == sorted(FIGURE_NAMES)
    for path in written:
        width, height = _png_size(path)
        # about 1100 px wide: crisp, and readable scaled down to a README's ~800 px
        assert 1000 <= width <= 1400 and 600 <= height <= 1100, (path.name, width, height)
        committed = DOCS / "figures" / path.name
        assert committed.is_file(), f"{committed} missing: run lnsym figures docs/figures"
        assert _png_size(committed) == (width, height)


def test_figures_cli(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason=needs("the figures", "figures"))
    import argparse

    from lnsym.cli import figures as command

    parser = argparse.ArgumentParser()
    command.register(parser.add_subparsers())
    args = parser.parse_args(["figures", str(tmp_path), "--only", "ln_length.png"])
    assert args.run(args) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["ln_length.png"]


def test_geometry_numbers() -> None:
    from lnsym.documents.figures import geometry_data

    data = geometry_data()
    assert np.allclose(data.centered + data.mean, data.x)  # x = c(x) + mu(x) 1
    assert abs(data.centered.sum()) < 1e-12  # c(x) in the plane orthogonal to 1
    lengths = np.linalg.norm(np.vstack([data.normalized, data.others_normalized]), axis=-1)
    # |LN(x)|^2 = n Var/(Var + eps): just inside the circle of radius sqrt(3)
    assert np.allclose(lengths, np.sqrt(3.0), rtol=1e-3) and np.all(lengths < np.sqrt(3.0))
    assert np.allclose(np.vstack([data.normalized, data.others_normalized]).sum(-1), 0.0)
    cosine = data.normalized @ data.centered / (np.linalg.norm(data.centered) * lengths[0])
    assert cosine == pytest.approx(1.0)  # LN(x) points along c(x)


def test_length_numbers() -> None:
    from lnsym.documents.figures import length_data

    data = length_data(points=41)
    root_n = np.sqrt(data.n)
    for e, lengths in data.lengths.items():
        expected = root_n * data.centered_norms / np.sqrt(data.centered_norms**2 + data.n * e)
        assert np.allclose(lengths, expected, rtol=1e-9)
        assert np.all(np.diff(lengths) > 0) and np.all(lengths < root_n)
    assert data.lengths[1e-5][-1] == pytest.approx(root_n, rel=1e-6)
    assert data.lengths[1e-5][0] < 0.01 * root_n


def test_uncentered_numbers() -> None:
    from lnsym.documents.figures import uncentered_data

    data = uncentered_data(points=46)
    assert data.std == pytest.approx(1.0)
    for e, errors in data.errors.items():
        floor = (data.n - 1) * e / (2 * data.n * data.std**2)
        assert errors[0] == pytest.approx(floor, rel=0.02)  # mu -> 0: only eps vs n*eps is left
        assert np.all(np.diff(errors) >= -1e-12)
        assert errors[-1] == pytest.approx(np.sqrt(2.0), rel=1e-2)  # mu >> sigma: orthogonal
    # the dashed curve is the footer's sqrt(n) u_{n eps}(x): recomputed componentwise in numpy
    rng = np.random.default_rng(20240601 + 1)
    centered = rng.normal(size=data.n)
    centered -= centered.mean()
    centered /= centered.std()
    e = data.scaled_eps
    for mean, plotted in zip(data.means[::9], data.scaled_errors[::9], strict=True):
        x = centered + mean
        c = x - x.mean()
        ln = c / np.sqrt(c.var() + e)
        approx = np.sqrt(data.n) * x / np.sqrt(x @ x + data.n * e)
        assert plotted == pytest.approx(np.linalg.norm(approx - ln) / np.linalg.norm(ln), rel=1e-6)
    assert data.scaled_errors[0] < 1e-6  # no floor: exact at mu(x) = 0 (the proved identity)
    assert data.scaled_errors[0] == pytest.approx(data.means[0] / data.std, rel=1e-2)


def test_geometry_draws_c_and_ln_apart() -> None:
    """LN(x) is parallel to c(x); its arrow is offset so that it does not cover c(x)."""
    pytest.importorskip("matplotlib", reason=needs("the figures", "figures"))
    import matplotlib

    matplotlib.use("Agg")
    from lnsym.documents.figures import geometry, geometry_data

    data = geometry_data()
    figure = geometry(data)
    ax = figure.axes[0]
    quivers = [c for c in ax.collections if type(c).__name__ == "Line3DCollection"]
    along = data.centered / np.linalg.norm(data.centered)

    def off_line(point: np.ndarray) -> float:  # distance from the line through 0 and c(x)
        return float(np.linalg.norm(point - (point @ along) * along))

    shafts = [np.asarray(q._segments3d[0], dtype=float) for q in quivers]
    on_line = [s for s in shafts if max(off_line(p) for p in s) < 1e-9]
    beside = [s for s in shafts if min(off_line(p) for p in s) > 0.1]
    # c(x) lies on the line; the LN(x) shaft runs beside it, as long as LN(x) (sqrt 3)
    assert len(on_line) == 1
    assert any(np.linalg.norm(s[0] - s[1]) == pytest.approx(np.sqrt(3), rel=1e-3) for s in beside)
    texts = [t.get_text() for t in figure.texts] + [t.get_text() for t in ax.texts]
    assert any("beside c(x)" in t for t in texts)
    labels = [t.get_text() for t in figure.legends[0].get_texts()]
    assert any("c(x)" in t for t in labels) and any("LN" in t for t in labels)
    for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
        assert axis.get_rotate_label(axis.get_label_text()) is False  # x_1, x_2, x_3 upright


# --------------------------------------------------------------------------------------------------
# names, links, generated reference text
# --------------------------------------------------------------------------------------------------


def _directives() -> list[str]:
    names = []
    for path in (DOCS / "api").glob("*.md"):
        names += re.findall(r"^::: ([\w.]+)", path.read_text(), flags=re.M)
    return names


def _resolve(dotted: str) -> object:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            obj = getattr(obj, attribute)
        return obj
    raise ImportError(dotted)


def test_every_documented_name_imports() -> None:
    directives = _directives()
    assert "lnsym" in directives and "lnsym.lang.definitions" in directives
    for dotted in directives:
        _resolve(dotted)
    for path in DOCS.rglob("*.md"):
        prose = _FENCE.sub("", path.read_text())
        for target in re.findall(r"\]\[([\w.]+)\]", prose):
            assert target.startswith("lnsym"), f"{path.name}: cross-reference {target}"
            _resolve(target)


def test_every_public_name_is_documented() -> None:
    import lnsym

    modules = [m for m in map(_resolve, _directives()) if isinstance(m, ModuleType)]
    listed = set(
        re.findall(r"members: \[([^\]]*)\]", (DOCS / "api" / "index.md").read_text())[0]
        .replace(" ", "")
        .split(",")
    )
    for name in lnsym.__all__:
        if name == "__version__" or name in listed:
            continue
        obj = getattr(lnsym, name)
        homes = [
            m.__name__
            for m in modules
            if m is not lnsym and name in getattr(m, "__all__", ()) and getattr(m, name) is obj
        ]
        assert homes, f"lnsym.{name} is in __all__ but no API page documents it"


def test_images_and_local_links_resolve() -> None:
    pages = [*DOCS.glob("*.md"), ROOT / "README.md"]
    for page in pages:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
            if "://" in target or target.startswith("#"):
                continue
            path = (page.parent / target.split("#")[0]).resolve()
            if path.relative_to(ROOT).parts[:2] == ("docs", "proofs"):
                continue  # generated by lnsym derive, or in memory by the docs build
            assert path.exists(), f"{page.name}: link to {target} does not resolve"


def test_definitions_table_is_generated_from_the_definitions() -> None:
    from lnsym.lang.definitions import DEFINITIONS
    from lnsym.lang.parser import RESERVED

    helpers = _helpers()
    table = helpers.definitions_table()
    for name, cls in DEFINITIONS.items():
        assert f"`{name}(" in table and cls.formula in table, name
    assert "`LN(x)`, `LN(x, e)`" in table and "vector → scalar" in table
    page = (DOCS / "language.md").read_text()
    assert helpers.DEFINITIONS_MARK in page
    for name in sorted(RESERVED - set(DEFINITIONS)):
        assert f"`{name}`" in page, f"language.md does not explain {name}"


def test_cli_reference_lists_every_command() -> None:
    helpers = _helpers()
    text = helpers.cli_reference()
    commands = helpers.commands()
    assert {"prove", "derive", "latex"} <= set(commands)
    for name in commands:
        assert f"### `lnsym {name}`" in text and f"usage: lnsym {name}" in text
    assert helpers.CLI_MARK in (DOCS / "cli.md").read_text()


def test_docstring_rewriting() -> None:
    helpers = _helpers()
    failures, tried = doctest.testmod(helpers, optionflags=_FLAGS)
    assert tried > 0 and failures == 0
    text = helpers.rst_to_markdown("Run::\n\n    lnsym prove\n\nsee :func:`lnsym.prove`")
    assert text == "Run:\n\n    lnsym prove\n\nsee `lnsym.prove`"


def test_proof_documents_can_be_generated_in_memory() -> None:
    documents = _helpers().proof_documents()
    assert {"index.md", "all.tex"} <= set(documents)
    assert documents["index.md"].startswith("# ")
    assert "\\begin{align*}" in documents["all.tex"]


# --------------------------------------------------------------------------------------------------
# the site
# --------------------------------------------------------------------------------------------------


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    for module in ("mkdocs", "material", "mkdocstrings_handlers.python", "pymdownx"):
        if importlib.util.find_spec(module.split(".")[0]) is None:
            pytest.skip(needs("building the site", "docs"))
    if not (ROOT / "node_modules" / "mathjax" / "es5" / "tex-mml-chtml.js").is_file():
        pytest.skip("MathJax is not installed: run 'npm ci' (the site vendors it for offline math)")
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    language = (site / "language" / "index.html").read_text()
    assert "LN(x, e)" in language and 'class="arithmatex"' in language
    assert (site / "proofs" / "index.html").is_file() and (site / "proofs" / "all.tex").is_file()
    for name in FIGURE_NAMES:
        assert (site / "figures" / name).is_file()
    cli = (site / "cli" / "index.html").read_text()
    assert "usage: lnsym prove" in cli
    api = (site / "api" / "language" / "index.html").read_text()
    assert "lnsym.lang.definitions.LayerNorm" in api and ":math:" not in api
    for page in site.rglob("index.html"):  # every formula reached MathJax: no raw $…$ left
        html = page.read_text()
        body = html[html.find("<article") : html.find("</article>")]
        body = re.sub(r"<(pre|code)\b.*?</\1>", "", body, flags=re.S)
        assert "$$" not in body, f"{page}: a display formula was not converted"
        assert not re.search(r"(?<![\\\w])\$[^$<]{1,80}\$", body), f"{page}: raw inline math"
