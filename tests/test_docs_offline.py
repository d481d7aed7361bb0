"""The docs site renders its formulas with no network: MathJax is served by the site itself.

Builds the site, serves it on 127.0.0.1, loads the proofs page (every derivation: hundreds of
formulas) in headless Chromium with every other host unreachable, and checks the rendered DOM:
typeset math (``mjx-container``) and no raw ``\\(`` or ``\\[`` left. A screenshot is kept as a CI
artifact in ``$LNSYM_ARTIFACTS`` (``.ci/run`` sets it and prints the path).
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from lnsym.install import needs

ROOT = Path(__file__).resolve().parents[1]
MATHJAX = ROOT / "node_modules" / "mathjax" / "es5" / "tex-mml-chtml.js"
#: no host but the local server resolves, and everything else goes to a dead proxy.
OFFLINE = [
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1",
]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("chromium is not installed (Debian: apt-get install chromium; .ci/run does)")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    for module in ("mkdocs", "material", "mkdocstrings_handlers", "pymdownx"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(needs("building the site", "docs"))
    if not MATHJAX.is_file():
        pytest.skip("MathJax is not installed: run 'npm ci' (the site vendors it for offline math)")
    out = tmp_path_factory.mktemp("offline") / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _chrome(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            _chromium(),
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            *OFFLINE,
            "--virtual-time-budget=20000",  # lets MathJax finish typesetting before the dump
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _prose(html: str) -> str:
    """The page's article without code blocks (which may show LaTeX source on purpose)."""
    body = html[html.find("<article") : html.find("</article>")]
    return re.sub(r"<(pre|code)\b.*?</\1>", "", body, flags=re.S)


def test_the_site_does_not_load_mathjax_from_a_cdn(site: Path) -> None:
    for page in site.rglob("*.html"):
        scripts = re.findall(r'<script[^>]+src="([^"]+)"', page.read_text())
        assert not [s for s in scripts if s.startswith(("http:", "https:", "//"))], page
    assert (site / "javascripts" / "mathjax" / "tex-mml-chtml.js").is_file()
    fonts = site / "javascripts" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2"
    assert len(list(fonts.glob("*.woff"))) > 10


def test_proofs_page_renders_math_offline(site: Path, server: str) -> None:
    static = _prose((site / "proofs" / "index.html").read_text())
    raw = static.count("\\(") + static.count("\\[")
    assert raw > 100, "the page should hold many formulas for MathJax to typeset"
    done = _chrome("--dump-dom", f"{server}/proofs/")
    assert done.returncode == 0, done.stderr[-2000:]
    rendered = _prose(done.stdout)
    containers = rendered.count("<mjx-container")
    assert containers >= static.count('class="arithmatex"') > 100
    assert "\\(" not in rendered and "\\[" not in rendered, "raw TeX delimiters left on the page"
    assert "<mjx-merror" not in rendered, "MathJax reported a TeX error"


def test_screenshot_of_the_rendered_proofs(server: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("LNSYM_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / "docs-proofs-offline.png"
    shot.unlink(missing_ok=True)
    done = _chrome("--window-size=1200,1400", f"--screenshot={shot}", f"{server}/proofs/")
    assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    image = pytest.importorskip(
        "matplotlib.image", reason=needs("reading the screenshot", "figures")
    )
    pixels = image.imread(shot)
    assert pixels.shape[:2] == (1400, 1200)
    assert pixels.std() > 0.05, "the screenshot is blank"
