r"""How wide a formula prints: an estimate of TeX's layout of the LaTeX that lnsym writes.

:func:`formula_width` reads the LaTeX of a formula and adds up what TeX would put on the line: the
glyph widths of Computer Modern (:mod:`lnsym.lang.fonts`), TeX's spacing between atoms (ordinary,
operator, binary, relation, open, close, punctuation, inner), fractions, roots and sub/superscripts
in their smaller styles, and ``\left…\right`` delimiters sized to what they enclose.
:func:`text_width` does the same for text (``\text{…}`` content, with ``$…$`` math inside).
Widths are in points, for the fonts of an 11 pt ``article`` (:data:`ELEVEN_POINT`).

It is an estimate: kerning and ligatures other than dashes are ignored (they make lines
narrower), and a command it does not know counts as a wide glyph, so it errs on the wide side.
``tests/test_measure.py`` compares it with the widths pdflatex reports for every formula the
derivations print. :mod:`lnsym.lang.display` uses it to decide where a long step breaks.

>>> round(formula_width(r"x + y"), 1)  # pdflatex: 25.40 pt
25.4
>>> formula_width(r"\frac{a}{b}") < formula_width(r"a + b")
True
"""

from __future__ import annotations

import functools
import itertools
import re

from lnsym.lang.fonts import glyph, italic
from lnsym.records import FrozenRecord

__all__ = [
    "DISPLAY",
    "ELEVEN_POINT",
    "SCRIPT",
    "TEXT",
    "Sizes",
    "delimiter_size",
    "formula_width",
    "text_width",
    "tokens",
]

#: math styles (TeX's D, T, S, SS)
DISPLAY, TEXT, SCRIPT, SCRIPTSCRIPT = range(4)


class Sizes(FrozenRecord):
    """The font sizes (pt) of a document: text, script and scriptscript."""

    __match_args__ = ("text", "script", "scriptscript")
    __slots__ = __match_args__
    text: float
    script: float
    scriptscript: float

    def __init__(self, text: float = 10.95, script: float = 8.0, scriptscript: float = 6.0) -> None:
        self._set(text=text, script=script, scriptscript=scriptscript)

    def of(self, style: int) -> float:
        return (self.text, self.text, self.script, self.scriptscript)[style]


#: ``\documentclass[11pt]{article}``, what :mod:`lnsym.documents.tex` writes.
ELEVEN_POINT = Sizes()

# atom classes, and TeX's spacing between them (The TeXbook, chapter 18): 0 none, 1 thin always,
# a/b/c thin/medium/thick except in script styles, * cannot happen
ORD, OP, BIN, REL, OPEN, CLOSE, PUNCT, INNER = range(8)
_SPACING = (
    "01bc000a",
    "11*c000a",
    "bb**b**b",
    "cc*0c00c",
    "00*00000",
    "01bc000a",
    "aa*aaaaa",
    "a1bca0aa",
)
_MU = {"1": 3, "a": 3, "b": 4, "c": 5}

_NULL_DELIMITER = 1.2  # \nulldelimiterspace, pt
_SCRIPT_SPACE = 0.5  # \scriptspace, pt
_BIG = (1.2, 1.8, 2.4, 3.0)  # total height (em) of \big, \Big, \bigg, \Bigg delimiters

#: family, code and class of a math symbol command
_SYMBOLS: dict[str, tuple[str, int, int]] = {
    **{name: ("mi", code, ORD) for code, name in enumerate(
        "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma "
        "tau upsilon phi chi psi omega varepsilon vartheta varpi varrho varsigma varphi".split(),
        11)},
    **{name: ("rm", code, ORD) for code, name in enumerate(
        "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split())},
    "partial": ("mi", 64, ORD), "ell": ("mi", 96, ORD), "imath": ("mi", 123, ORD),
    "infty": ("sy", 49, ORD), "nabla": ("sy", 114, ORD), "prime": ("sy", 48, ORD),
    "forall": ("sy", 56, ORD), "exists": ("sy", 57, ORD), "emptyset": ("sy", 59, ORD),
    "Vert": ("sy", 107, ORD), "|": ("sy", 107, ORD), "vert": ("sy", 106, ORD),
    "cdot": ("sy", 1, BIN), "times": ("sy", 2, BIN), "ast": ("sy", 3, BIN), "div": ("sy", 4, BIN),
    "pm": ("sy", 6, BIN), "mp": ("sy", 7, BIN), "oplus": ("sy", 8, BIN), "otimes": ("sy", 10, BIN),
    "odot": ("sy", 12, BIN), "circ": ("sy", 14, BIN), "bullet": ("sy", 15, BIN),
    "cap": ("sy", 92, BIN), "cup": ("sy", 91, BIN), "wedge": ("sy", 94, BIN), "vee": ("sy", 95, BIN),
    "setminus": ("sy", 110, BIN),
    "leq": ("sy", 20, REL), "le": ("sy", 20, REL), "geq": ("sy", 21, REL), "ge": ("sy", 21, REL),
    "neq": ("rm", 61, REL), "ne": ("rm", 61, REL), "equiv": ("sy", 17, REL), "sim": ("sy", 24, REL),
    "approx": ("sy", 25, REL), "simeq": ("sy", 39, REL), "ll": ("sy", 28, REL), "gg": ("sy", 29, REL),
    "to": ("sy", 33, REL), "rightarrow": ("sy", 33, REL), "leftarrow": ("sy", 32, REL),
    "mapsto": ("sy", 33, REL), "in": ("sy", 50, REL), "subset": ("sy", 26, REL),
    "subseteq": ("sy", 18, REL), "mid": ("sy", 106, REL), "parallel": ("sy", 107, REL),
    "propto": ("sy", 47, REL), "Rightarrow": ("sy", 41, REL), "iff": ("sy", 44, REL),
    "langle": ("sy", 104, OPEN), "rangle": ("sy", 105, CLOSE), "lVert": ("sy", 107, OPEN),
    "rVert": ("sy", 107, CLOSE), "lvert": ("sy", 106, OPEN), "rvert": ("sy", 106, CLOSE),
    "{": ("sy", 102, OPEN), "}": ("sy", 103, CLOSE), "lbrace": ("sy", 102, OPEN),
    "rbrace": ("sy", 103, CLOSE), "lbrack": ("rm", 91, OPEN), "rbrack": ("rm", 93, CLOSE),
    "lfloor": ("sy", 98, OPEN), "rfloor": ("sy", 99, CLOSE), "lceil": ("sy", 100, OPEN),
    "rceil": ("sy", 101, CLOSE), "colon": ("rm", 58, PUNCT),
    "#": ("rm", 35, ORD), "%": ("rm", 37, ORD), "&": ("rm", 38, ORD), "$": ("rm", 36, ORD),
    "_": ("rm", 95, ORD),
}  # fmt: skip
#: single characters in math: family and class (letters and digits are handled apart)
_CHARACTERS: dict[str, tuple[str, int]] = {
    "+": ("rm", BIN), "-": ("sy", BIN), "*": ("sy", BIN), "=": ("rm", REL), "<": ("mi", REL),
    ">": ("mi", REL), ":": ("rm", REL), "(": ("rm", OPEN), "[": ("rm", OPEN), ")": ("rm", CLOSE),
    "]": ("rm", CLOSE), "!": ("rm", CLOSE), "?": ("rm", CLOSE), ",": ("mi", PUNCT),
    ";": ("rm", PUNCT), ".": ("mi", ORD), "/": ("mi", ORD), "|": ("sy", ORD), "@": ("rm", ORD),
}  # fmt: skip
_CODES = {"-": 0, "*": 3, "|": 106, ",": 59, ".": 58, "/": 61}
_OPERATORS = {
    "cos", "sin", "tan", "exp", "log", "ln", "max", "min", "sup", "inf", "lim", "det", "dim",
    "arg", "sinh", "cosh", "tanh", "arccos", "arcsin", "arctan", "deg", "ker", "gcd", "Pr", "tr",
}  # fmt: skip
_LARGE = {
    "sum": (80, 88),
    "prod": (81, 89),
    "int": (82, 90),
    "bigcup": (83, 91),
    "coprod": (96, 97),
}
#: delimiters: the normal glyph (family, code), then the widths (em of cmex10, which is scaled to
#: the text size) of \big … \Bigg and of the extensible version
_DELIMITERS: dict[str, tuple[tuple[str, int], tuple[float, ...]]] = {
    "(": (("rm", 40), (0.458, 0.597, 0.736, 0.792, 0.875)),
    ")": (("rm", 41), (0.458, 0.597, 0.736, 0.792, 0.875)),
    "[": (("rm", 91), (0.417, 0.472, 0.528, 0.583, 0.667)),
    "]": (("rm", 93), (0.417, 0.472, 0.528, 0.583, 0.667)),
    "langle": (("sy", 104), (0.472, 0.611, 0.75, 0.806, 0.806)),
    "rangle": (("sy", 105), (0.472, 0.611, 0.75, 0.806, 0.806)),
    "|": (("sy", 106), (0.333,) * 5),
    "Vert": (("sy", 107), (0.556,) * 5),
    "{": (("sy", 102), (0.583, 0.667, 0.75, 0.806, 0.889)),
    "lfloor": (("sy", 98), (0.472, 0.528, 0.583, 0.639, 0.667)),
    "lceil": (("sy", 100), (0.472, 0.528, 0.583, 0.639, 0.667)),
    "/": (("mi", 61), (0.578, 0.811, 1.044, 1.278, 1.278)),
}
_DELIMITER_ALIASES = {
    "vert": "|", "lvert": "|", "rvert": "|", "\\|": "Vert", "lVert": "Vert", "rVert": "Vert",
    "}": "{", "lbrace": "{", "rbrace": "{", "\\{": "{", "\\}": "{", "rfloor": "lfloor",
    "rceil": "lceil", "lbrack": "[", "rbrack": "]",
}  # fmt: skip
_SIZED = {"big": 0, "Big": 1, "bigg": 2, "Bigg": 3}
_SIZED_CLASS = {"": ORD, "l": OPEN, "r": CLOSE, "m": REL}
_ACCENTS = {
    "hat", "bar", "tilde", "vec", "dot", "ddot", "check", "breve", "acute", "grave", "mathring",
    "widehat", "widetilde", "overline", "underline", "overrightarrow", "boldsymbol", "mathit",
    "mathnormal", "bm",
}  # fmt: skip
_IGNORED = {
    "allowbreak", "nobreak", "notag", "nonumber", "limits", "nolimits", "displaybreak", "not",
    "strut", "mathstrut", "relax", "protect", "nolinebreak", "linebreak", "newline", "\\",
}  # fmt: skip
_FONTS = {"mathrm": "rm", "operatorname": "rm", "mathbf": "bf", "mathbb": "bb", "mathcal": "cal",
          "mathsf": "rm", "mathtt": "tt", "textrm": "rm", "text": "rm", "mbox": "rm",
          "textnormal": "rm", "textup": "rm", "textit": "rm", "textbf": "bf", "texttt": "tt",
          "textsf": "rm", "emph": "rm", "hbox": "rm"}  # fmt: skip
_TEXT_SYMBOLS = {  # text-mode commands: width in em of the text font
    "ldots": 1.172, "dots": 1.172, "textgreater": 0.778, "textless": 0.778, "textbar": 0.278,
    "textbackslash": 0.5, "textasciitilde": 0.5, "textasciicircum": 0.5, "_": 0.5, "&": 0.778,
    "%": 0.833, "#": 0.833, "{": 0.5, "}": 0.5, "$": 0.5, "textendash": 0.5, "textemdash": 1.0,
    " ": 0.333, ",": 0.167, "quad": 1.0, "qquad": 2.0, "enspace": 0.5, "S": 0.444, "P": 0.611,
}  # fmt: skip
_TEXT_SIZES = {"small": 10.0, "footnotesize": 9.0, "scriptsize": 8.0, "tiny": 6.0,
               "normalsize": 10.95, "large": 12.0}  # fmt: skip
_MU_SPACES = {",": 3, ":": 4, ">": 4, ";": 5, "!": -3, "thinspace": 3}
_EM_SPACES = {" ": 0.333, "quad": 1.0, "qquad": 2.0, "enspace": 0.5}
_TOKEN = re.compile(r"\\[a-zA-Z]+|\\.|\s+|.", re.S)
_DIMENSION = re.compile(r"\s*(-?[\d.]+)\s*(pt|em|ex|mu|in|cm|mm|bp)")
_UNITS = {"pt": 1.0, "in": 72.27, "cm": 28.4528, "mm": 2.84528, "bp": 1.00375}


class _Atom(FrozenRecord):
    __match_args__ = ("kind", "width", "height", "depth")
    __slots__ = __match_args__
    kind: int
    width: float
    height: float
    depth: float

    def __init__(self, kind: int, width: float, height: float = 0.0, depth: float = 0.0) -> None:
        self._set(kind=kind, width=width, height=height, depth=depth)


def _extent(char: str, family: str) -> tuple[float, float]:
    """Height and depth (em) of a glyph: letters by their shape, everything else as a paren."""
    if family in ("rm", "mi") and char.isascii() and char.isalnum():
        tall = char.isupper() or char.isdigit() or char in "bdfhklt"
        return (0.694 if tall else 0.431), (
            0.194 if char in "gjpqy" or (char == "f" and family == "mi") else 0.0
        )
    return 0.75, 0.25


def _design(size: float) -> str:
    return "10" if size >= 9 else "8" if size >= 7 else "6"


class _Reader:
    """A recursive reader of a token list that returns atoms (math) or a width (text)."""

    def __init__(self, tex: str, sizes: Sizes) -> None:
        self.tokens = _TOKEN.findall(tex)
        self.pos = 0
        self.sizes = sizes

    # -- tokens ------------------------------------------------------------------------------

    def peek(self, *, skip_space: bool = True) -> str | None:
        while skip_space and self.pos < len(self.tokens) and self.tokens[self.pos].isspace():
            self.pos += 1
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, *, skip_space: bool = True) -> str | None:
        token = self.peek(skip_space=skip_space)
        if token is not None:
            self.pos += 1
        return token

    def raw_group(self) -> str:
        """The text of the next argument (``{…}`` or one token), unread."""
        if self.peek() != "{":
            return self.take() or ""
        self.pos += 1
        depth, parts = 1, []
        while self.pos < len(self.tokens):
            token = self.tokens[self.pos]
            self.pos += 1
            depth += (token == "{") - (token == "}")
            if depth == 0:
                break
            parts.append(token)
        return "".join(parts)

    def optional(self) -> str | None:
        if self.peek() != "[":
            return None
        self.pos += 1
        parts = []
        while (token := self.take(skip_space=False)) not in (None, "]"):
            parts.append(token)
        return "".join(p for p in parts if p is not None)

    # -- math --------------------------------------------------------------------------------

    def em(self, style: int) -> float:
        return self.sizes.of(style)

    def mu(self, style: int) -> float:
        size = self.sizes.of(style)
        return size * glyph_quad(size) / 18

    def argument(self, style: int, family: str | None = None) -> list[_Atom]:
        if self.peek() == "{":
            self.pos += 1
            return self.math(style, family, stop="}")
        token = self.take()
        if token is None:
            return []
        saved = self.tokens, self.pos
        self.tokens, self.pos = [token], 0
        atoms = self.math(style, family)
        self.tokens, self.pos = saved
        return atoms

    def math(self, style: int, family: str | None = None, stop: str | None = None) -> list[_Atom]:
        """Atoms up to ``stop`` (consumed) or ``\\right`` (not consumed) or the end."""
        atoms: list[_Atom] = []
        while (token := self.peek()) is not None:
            if token == stop:
                self.pos += 1
                break
            if token in ("\\right", "\\middle") or (token == "}" and stop is None):
                break
            if token == "}":  # a stray close brace
                self.pos += 1
                continue
            if token in ("^", "_"):
                self.scripts(atoms, style)
                continue
            if token == "'":
                self.pos += 1
                nucleus = atoms.pop() if atoms else _Atom(ORD, 0.0)
                prime = self.char("sy", 48, ORD, _script(style))
                atoms.append(_Atom(nucleus.kind, nucleus.width + prime.width, nucleus.height))
                continue
            self.pos += 1
            if token in ("\\displaystyle", "\\textstyle", "\\scriptstyle", "\\scriptscriptstyle"):
                style = (
                    ("\\displaystyle", "\\textstyle", "\\scriptstyle").index(token)
                    if (token != "\\scriptscriptstyle")
                    else SCRIPTSCRIPT
                )
                continue
            atoms += self.atom(token, style, family)
        return atoms

    def scripts(self, atoms: list[_Atom], style: int) -> None:
        nucleus = atoms.pop() if atoms else _Atom(ORD, 0.0)
        widths, height, depth = [0.0], nucleus.height, nucleus.depth
        em = self.em(style)
        while (token := self.peek()) in ("^", "_"):
            self.pos += 1
            box = _hlist(self.argument(_script(style)), self.mu(_script(style)), _script(style))
            widths.append(box.width + _SCRIPT_SPACE)
            if token == "^":
                height = max(height, (0.41 if style == DISPLAY else 0.36) * em + box.height)
            else:
                depth = max(depth, 0.25 * em + box.depth)
        atoms.append(_Atom(nucleus.kind, nucleus.width + max(widths), height, depth))

    def char(self, family: str, code: int, kind: int, style: int) -> _Atom:
        size = self.sizes.of(style)
        if family == "ex":
            return _Atom(kind, glyph("cmex10", code) * self.sizes.text, 0.75 * size, 0.25 * size)
        font = {"rm": "cmr", "mi": "cmmi", "sy": "cmsy"}.get(family)
        if font is None:  # bold, blackboard, calligraphic, typewriter: one design size, scaled
            if family == "tt":
                width = 0.525
            elif family == "cal":
                width = glyph("cmsy10", code) if 65 <= code <= 90 else 0.6
            else:
                width = glyph({"bf": "cmbx10", "bb": "msbm10"}[family], code)
            return _Atom(kind, width * size, 0.7 * size, 0.2 * size)
        name = font + _design(size)
        width = glyph(name, code) + italic(name, code)
        height, depth = _extent(chr(code), family)
        return _Atom(kind, width * size, height * size, depth * size)

    def atom(self, token: str, style: int, family: str | None) -> list[_Atom]:
        if token == "{":
            return [self.box(self.math(style, family, stop="}"), style, ORD)]
        if token.isalpha() and len(token) == 1:
            fam = family or "mi"
            return [self.char(fam, ord(token), ORD, style)]
        if token.isdigit():
            return [
                self.char("rm" if family in (None, "mi", "cal") else family, ord(token), ORD, style)
            ]
        if token == "&":
            return []
        if token == "~":
            return [_Atom(ORD, 0.333 * self.sizes.text)]
        if not token.startswith("\\"):
            fam, kind = _CHARACTERS.get(token, ("rm", ORD))
            code = _CODES.get(token, ord(token) if ord(token) < 128 else 63)
            return [self.char(fam, code, kind, style)]
        return self.command(token[1:], style, family)

    def box(self, atoms: list[_Atom], style: int, kind: int) -> _Atom:
        hlist = _hlist(atoms, self.mu(style), style)
        return _Atom(kind, hlist.width, hlist.height, hlist.depth)

    def command(self, name: str, style: int, family: str | None) -> list[_Atom]:
        em, mu = self.em(style), self.mu(style)
        if name in _SYMBOLS:
            fam, code, kind = _SYMBOLS[name]
            return [self.char(fam, code, kind, style)]
        if name in _IGNORED:
            return []
        if name in _MU_SPACES:
            return [_Atom(-1, _MU_SPACES[name] * mu)]
        if name in _EM_SPACES:
            size = em if name == " " else self.sizes.text
            return [_Atom(-1, _EM_SPACES[name] * size)]
        if name in ("hspace", "hskip", "kern", "mkern", "mskip", "hspace*"):
            text = self.raw_group() if self.peek() == "{" else self.dimension_text()
            return [_Atom(-1, self.dimension(text, style))]
        if name in ("frac", "dfrac", "tfrac", "cfrac", "binom", "tbinom", "dbinom"):
            return [self.fraction(name, style)]
        if name == "sqrt":
            return [self.radical(style)]
        if name == "left":
            return [self.delimited(style)]
        for prefix, level in _SIZED.items():
            if name.startswith(prefix) and name[len(prefix) :] in _SIZED_CLASS:
                return [
                    self.delimiter(self.take() or ".", level, _SIZED_CLASS[name[len(prefix) :]])
                ]
        if name in ("mathopen", "mathclose", "mathrel", "mathbin", "mathord", "mathop",
                    "mathpunct", "mathinner"):  # fmt: skip
            kind = ("mathord mathop mathbin mathrel mathopen mathclose mathpunct mathinner".split()
                    .index(name))  # fmt: skip
            return [self.box(self.argument(style, family), style, kind)]
        if name in _OPERATORS:
            return [_Atom(OP, self.text(name, self.em(style)), 0.7 * em, 0.2 * em)]
        if name in _LARGE:
            return [self.large(name, style)]
        if name in ("text", "textrm", "mbox", "textnormal", "textup", "textit", "textbf",
                    "texttt", "textsf", "emph", "hbox"):  # fmt: skip
            width = self.text(self.raw_group(), self.em(style), _FONTS[name])
            return [_Atom(ORD, width, 0.7 * em, 0.2 * em)]
        if name in _FONTS:
            kind = OP if name == "operatorname" else ORD
            if name == "operatorname" and self.peek() == "*":
                self.pos += 1
            return [self.box(self.argument(style, _FONTS[name]), style, kind)]
        if name in ("overset", "underset", "stackrel"):
            over = self.box(self.argument(_script(style)), _script(style), ORD)
            base = self.argument(style, family)
            kind = base[0].kind if len(base) == 1 and base[0].kind in (REL, BIN) else ORD
            inner = self.box(base, style, kind)
            return [
                _Atom(kind, max(over.width, inner.width), inner.height + over.height, inner.depth)
            ]
        if name in ("phantom", "hphantom", "vphantom", "smash"):
            inner = self.box(self.argument(style, family), style, ORD)
            width = 0.0 if name == "vphantom" else inner.width
            tall = name in ("phantom", "vphantom")
            return [_Atom(ORD, width, inner.height if tall else 0.0, inner.depth if tall else 0.0)]
        if name in ("rlap", "llap", "mathrlap", "mathllap", "mathclap", "clap"):
            self.raw_group()
            return [_Atom(ORD, 0.0)]
        if name in _ACCENTS:
            inner = self.box(self.argument(style, family), style, ORD)
            return [_Atom(ORD, inner.width, inner.height + 0.2 * em, inner.depth)]
        if name in ("ldots", "dots", "dotsc", "dotsb", "cdots", "dotsm", "vdots"):
            dot = self.char(
                "sy" if name == "cdots" else "mi", 1 if name == "cdots" else 58, ORD, style
            )
            return [_Atom(INNER, 3 * dot.width + 2 * 3 * mu)]
        if name in ("begin", "end", "label", "tag", "tag*", "ref", "eqref"):
            self.raw_group()
            return []
        if name in _TEXT_SIZES:
            return []
        return [_Atom(ORD, 0.75 * em, 0.75 * em, 0.25 * em)]  # unknown: a wide glyph

    def dimension_text(self) -> str:
        """A dimension written after ``\\kern`` or ``\\hskip`` (``3pt``, ``-1mu``), consumed."""
        match = _DIMENSION.match("".join(self.tokens[self.pos : self.pos + 8]))
        if not match:
            return ""
        length = 0
        while length < match.end() and self.pos < len(self.tokens):
            length += len(self.tokens[self.pos])
            self.pos += 1
        return match.group(0)

    def dimension(self, text: str, style: int) -> float:
        match = _DIMENSION.match(text)
        if not match:
            return 0.0
        value, unit = float(match.group(1)), match.group(2)
        if unit == "em":
            return value * self.sizes.text
        if unit == "ex":
            return value * 0.43 * self.sizes.text
        if unit == "mu":
            return value * self.mu(style)
        return value * _UNITS[unit]

    def fraction(self, name: str, style: int) -> _Atom:
        inner = {"dfrac": TEXT, "dbinom": TEXT, "tfrac": SCRIPT, "tbinom": SCRIPT}.get(name)
        if inner is None:
            inner = (TEXT, SCRIPT, SCRIPTSCRIPT, SCRIPTSCRIPT)[style]
        outer = (
            DISPLAY
            if name in ("dfrac", "dbinom")
            else TEXT
            if name in ("tfrac", "tbinom")
            else style
        )
        num = self.box(self.argument(inner), inner, ORD)
        den = self.box(self.argument(inner), inner, ORD)
        em = self.em(outer)
        up, down = (0.677, 0.686) if outer == DISPLAY else (0.394, 0.345)
        atom = _Atom(INNER, max(num.width, den.width) + 2 * _NULL_DELIMITER,
                     up * em + num.height, down * em + den.depth)  # fmt: skip
        if name.endswith("binom"):
            level = self.level(atom.height, atom.depth, outer)
            paren = self.delimiter("(", level, OPEN)
            return _Atom(INNER, atom.width + 2 * paren.width, atom.height, atom.depth)
        return atom

    def radical(self, style: int) -> _Atom:
        index = self.optional()
        body = self.box(self.argument(style), style, ORD)
        em = self.em(style)
        clearance = (0.04 + 0.43 / 4 if style == DISPLAY else 0.05) * em
        total = body.height + body.depth + clearance + 0.04 * em
        ex = self.sizes.text  # cmex10 is scaled to the text size
        width = 0.833 * em if total <= em else 1.0 * ex if total <= 3.0 * ex else 1.056 * ex
        if index:
            width += 0.5 * self.text(index, self.sizes.scriptscript)
        return _Atom(ORD, width + body.width, body.height + clearance + 0.04 * em, body.depth)

    def level(self, height: float, depth: float, style: int) -> int:
        """Which size TeX picks for a ``\\left`` delimiter around this box: -1 normal, 0 \\big …
        3 \\Bigg, 4 extensible."""
        em = self.em(style)
        axis = 0.25 * em
        needed = 2 * max(height - axis, depth + axis)
        needed = max(needed * 0.901, needed - 5.0)
        if needed <= em:
            return -1
        for level, total in enumerate(_BIG):
            if needed <= total * self.sizes.text:
                return level
        return 4

    def delimiter(self, token: str, level: int, kind: int, style: int = TEXT) -> _Atom:
        name = token.removeprefix("\\")
        name = _DELIMITER_ALIASES.get(name, _DELIMITER_ALIASES.get(token, name))
        if name == ".":
            return _Atom(kind, _NULL_DELIMITER)
        if name not in _DELIMITERS:
            return _Atom(kind, 0.5 * self.em(style))
        (family, code), sizes = _DELIMITERS[name]
        if level < 0:
            atom = self.char(family, code, kind, style)
            return _Atom(kind, atom.width, atom.height, atom.depth)
        ex = self.sizes.text  # cmex10 is scaled to the text size
        total = (*_BIG, _BIG[-1])[level] * ex
        return _Atom(kind, sizes[level] * ex, total * 0.6, total * 0.4)

    def delimited(self, style: int) -> _Atom:
        left = self.take() or "."
        parts: list[_Atom] = []
        delimiters = [left]
        while True:
            parts += self.math(style)
            token = self.take()
            if token not in ("\\middle", "\\right"):
                break
            delimiters.append(self.take() or ".")
            if token == "\\right":
                break
        body = _hlist(parts, self.mu(style), style)
        level = self.level(body.height, body.depth, style)
        width = body.width + sum(self.delimiter(d, level, ORD, style).width for d in delimiters)
        edge = self.delimiter(delimiters[0], level, ORD, style)
        return _Atom(INNER, width, max(body.height, edge.height), max(body.depth, edge.depth))

    def large(self, name: str, style: int) -> _Atom:
        text_code, display_code = _LARGE[name]
        code = display_code if style == DISPLAY else text_code
        atom = _Atom(
            OP, glyph("cmex10", code) * self.sizes.text, 0.9 * self.em(style), 0.5 * self.em(style)
        )
        if style == DISPLAY and name != "int" and self.peek() in ("^", "_"):
            limits = [atom.width]
            while self.peek() in ("^", "_"):
                self.pos += 1
                box = self.box(self.argument(_script(style)), _script(style), ORD)
                limits.append(box.width)
            return _Atom(OP, max(limits), 1.6 * self.em(style), 1.2 * self.em(style))
        return atom

    # -- text --------------------------------------------------------------------------------

    def text(self, text: str, size: float, family: str = "rm") -> float:
        """The width of ``text`` set in text mode at ``size`` (``$…$`` inside is math)."""
        reader = _Reader(
            text, Sizes(size, *(_SCRIPT_SIZES.get(round(size), (0.7 * size, 0.5 * size))))
        )
        return reader.text_run(family, size)

    def text_run(self, family: str, size: float) -> float:
        width, space = 0.0, False
        font = {"bf": "cmbx10"}.get(family, "cmr" + _design(size))
        scale = size
        while (token := self.take(skip_space=False)) is not None:
            if token.isspace():
                space = True
                continue
            if space:  # a space in \text{ for } prints, however many are written
                width += _INTERWORD[_design(size)] * scale
            space = False
            if token == "$":
                atoms = self.math(TEXT, stop="$")
                width += _hlist(atoms, self.mu(TEXT), TEXT).width
            elif token in ("{", "}"):
                continue
            elif token.startswith("\\"):
                name = token[1:]
                if name in _TEXT_SIZES:
                    scale = _TEXT_SIZES[name] * size / 10.95
                elif name in _TEXT_SYMBOLS:
                    width += _TEXT_SYMBOLS[name] * scale
                elif name.isalpha():
                    width += 0.5 * scale  # an unknown text command
            elif token == "-" and self.peek(skip_space=False) == "-":
                self.pos += 1
                if self.peek(skip_space=False) == "-":
                    self.pos += 1
                    width += 1.0 * scale
                else:
                    width += 0.5 * scale
            elif family == "tt":
                width += 0.525 * scale
            else:
                code = ord(token) if ord(token) < 128 else 63
                width += glyph(font, code) * scale
        return width + (_INTERWORD[_design(size)] * scale if space else 0.0)


_INTERWORD = {"10": 0.333, "8": 0.354, "6": 0.417}  # the fonts' space, em
_SCRIPT_SIZES = {11: (8.0, 6.0), 10: (7.0, 5.0), 12: (8.0, 6.0), 9: (6.0, 5.0), 8: (6.0, 5.0)}


def glyph_quad(size: float) -> float:
    """The math quad of cmsy at ``size``, in em (cmsy8 and cmsy6 are wider than scaled cmsy10)."""
    return {"10": 1.0, "8": 1.0625, "6": 1.27777}[_design(size)]


def _script(style: int) -> int:
    return (SCRIPT, SCRIPT, SCRIPTSCRIPT, SCRIPTSCRIPT)[style]


class _HList(FrozenRecord):
    __match_args__ = ("width", "height", "depth")
    __slots__ = __match_args__
    width: float
    height: float
    depth: float

    def __init__(self, width: float, height: float, depth: float) -> None:
        self._set(width=width, height=height, depth=depth)


def _hlist(atoms: list[_Atom], mu: float, style: int) -> _HList:
    """Lay out atoms with TeX's spacing: a binary operator with nothing to act on is ordinary."""
    kinds = [a.kind for a in atoms]
    real = [i for i, k in enumerate(kinds) if k >= 0]
    for position, i in enumerate(real):
        if kinds[i] != BIN:
            continue
        before = kinds[real[position - 1]] if position else None
        after = kinds[real[position + 1]] if position + 1 < len(real) else None
        if before in (None, BIN, OP, REL, OPEN, PUNCT) or after in (None, REL, CLOSE, PUNCT):
            kinds[i] = ORD
    width = sum(a.width for a in atoms)
    height = max((a.height for a in atoms), default=0.0)
    depth = max((a.depth for a in atoms), default=0.0)
    script = style >= SCRIPT
    for left, right in itertools.pairwise(real):
        code = _SPACING[kinds[left]][kinds[right]]
        if code == "1" or (code in "abc" and not script):
            width += _MU[code] * mu
    return _HList(width, height, depth)


def formula_width(tex: str, *, style: int = DISPLAY, sizes: Sizes = ELEVEN_POINT) -> float:
    """The estimated width, in points, of the formula ``tex`` typeset in ``style``."""
    return _formula_width(tex, style, sizes)


@functools.lru_cache(maxsize=8192)  # a layout measures the same pieces many times
def _formula_width(tex: str, style: int, sizes: Sizes) -> float:
    reader = _Reader(tex, sizes)
    atoms = reader.math(style)
    while reader.peek() is not None:  # a stray \right or }: skip it and read on
        reader.pos += 1
        atoms += reader.math(style)
    return _hlist(atoms, reader.mu(style), style).width


def text_width(text: str, *, size: float = ELEVEN_POINT.text) -> float:
    """The estimated width, in points, of ``text`` set in the text font (``$…$`` is math)."""
    return _Reader(text, ELEVEN_POINT).text(text, size)


def delimiter_size(tex: str, *, style: int = DISPLAY, sizes: Sizes = ELEVEN_POINT) -> str:
    r"""The size TeX gives ``\left( … \right)`` around ``tex``: ``""`` (the normal glyph),
    ``"big"``, ``"Big"``, ``"bigg"`` or ``"Bigg"`` — what to write when a group is broken across
    lines and ``\left``/``\right`` must become ``\bigl``/``\bigr``.

    >>> delimiter_size("a + b"), delimiter_size(r"\frac{a}{b}")
    ('', 'Big')
    """
    reader = _Reader(tex, sizes)
    box = _hlist(reader.math(style), reader.mu(style), style)
    level = reader.level(box.height, box.depth, style)
    return "" if level < 0 else ("big", "Big", "bigg", "Bigg")[min(level, 3)]


def tokens(tex: str) -> list[str]:
    r"""``tex`` cut into TeX tokens (``\frac``, ``\,``, ``{``, ``x``, spaces): joined they give
    ``tex`` back.

    >>> tokens(r"\frac{a}{b} + c")
    ['\\frac', '{', 'a', '}', '{', 'b', '}', ' ', '+', ' ', 'c']
    """
    return _TOKEN.findall(tex)
