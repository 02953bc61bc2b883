"""Android ``build.gradle`` (Groovy) and ``build.gradle.kts`` (Kotlin DSL) dependency reader.

Not a Groovy/Kotlin interpreter: a small lexer blanks comments (and, for structure, string
contents), then every statement inside a ``dependencies { … }`` block whose first word is a
configuration is evaluated with a tiny expression evaluator that knows string literals, ``+``
concatenation, ``$var``/``${var}`` interpolation, variables of the same file (``def``/``final``/
``val``/``var``/typed declarations, ``ext.x =``, ``ext { x = … }``, ``extra["x"]``,
``val x by extra(…)``, Groovy maps ``ext.versions = [a: '1']``), ``platform()``/
``enforcedPlatform()``, ``kotlin("x")``, named arguments (``group:``/``name:``/``version:``) and
version-catalog accessors (``libs.x.y``, ``libs.bundles.z``, ``libs.versions.v.get()``).

Decisions (also in the package docstring):

* configurations: tests (``test*``, ``androidTest*``, ``testFixtures*``, ``kaptTest``, …) and
  build tooling (``classpath`` of ``buildscript``, ``lintChecks``, ``detektPlugins``) are
  dropped — they never ship; everything else (``implementation``, ``api``, ``compileOnly``,
  ``runtimeOnly``, ``kapt``/``ksp``/``annotationProcessor``, ``coreLibraryDesugaring``,
  variant forms such as ``debugImplementation`` or ``releaseApi``) is kept;
* a BoM (``platform(…)``) is reported itself, and a library declared without a version gets
  ``"bom:<BoM version>"`` when a BoM of its group (or a parent group) is declared; else None;
* a version that cannot be resolved (unknown variable, a ``buildSrc`` constant) is None;
  a whole coordinate that cannot be resolved (``implementation deps.foo``, a catalog alias with
  no catalog) is recorded as ``unresolved:<expression>`` so it still reaches review;
* ``project(…)``, ``files(…)`` and ``fileTree(…)`` are local code, not SDKs, and are skipped.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from scanner.errors import InputError
from scanner.importers.sdk.interface import MAX_NESTING, ManifestReader, dedupe, read_text, sdk
from scanner.importers.sdk.version_catalog import (
    Catalog,
    CatalogLibrary,
    bom_version_for,
    load_catalog,
)
from scanner.observations import SdkRecord

__all__ = ["GradleReader", "is_configuration", "is_test_configuration", "ships",
           "find_catalogs"]


# ---------------------------------------------------------------------------- configurations

_BASE_CONFIGS = frozenset({
    "implementation", "api", "compile", "compileOnly", "compileOnlyApi", "runtimeOnly",
    "runtime", "provided", "apk", "kapt", "ksp", "annotationProcessor",
    "coreLibraryDesugaring", "classpath", "lintChecks", "lintPublish", "wearApp",
    "androidTestUtil", "detektPlugins", "developmentOnly", "debugImplementation",
})
_VARIANT = re.compile(r"^[a-z][A-Za-z0-9]*(Implementation|Api|CompileOnly|RuntimeOnly|Compile|"
                      r"AnnotationProcessor|Kapt|Ksp|Runtime|Provided|Apk)$")
_PROCESSOR = re.compile(r"^(kapt|ksp)[A-Z][A-Za-z0-9]*$")
_TEST = re.compile(r"(^t|T)est(?![a-z])")
_BUILD_ONLY = frozenset({"classpath", "lintChecks", "lintPublish", "detektPlugins"})


def is_configuration(name: str) -> bool:
    """Whether a word at the start of a statement names a Gradle dependency configuration."""
    return name in _BASE_CONFIGS or bool(_VARIANT.match(name)) or bool(_PROCESSOR.match(name))


def is_test_configuration(name: str) -> bool:
    """testImplementation, androidTestImplementation, testFixturesApi, kaptTest, kspAndroidTest…"""
    return bool(_TEST.search(name))


def ships(name: str) -> bool:
    """Whether dependencies of this configuration are part of the app (see module docstring)."""
    return not is_test_configuration(name) and name not in _BUILD_ONLY


# ---------------------------------------------------------------------------- lexing

@dataclass
class _Src:
    file: str
    text: str
    code: str  # comments blanked (newlines kept): same offsets as text
    skel: str  # code with string contents blanked too (quotes kept): for structure

    def line(self, pos: int) -> str:
        return str(self.text.count("\n", 0, pos) + 1)


def _lex(file: str, text: str) -> _Src:
    code = list(text)
    skel = list(text)
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if c == "/" and i + 1 < n and text[i + 1] == "/":
            j = text.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                code[k] = skel[k] = " "
            i = j
        elif c == "/" and i + 1 < n and text[i + 1] == "*":
            j = text.find("*/", i + 2)
            if j < 0:
                raise InputError(file, str(text.count("\n", 0, i) + 1),
                                 "unterminated /* comment: the file ends inside it")
            for k in range(i, j + 2):
                if text[k] != "\n":
                    code[k] = skel[k] = " "
            i = j + 2
        elif c in "'\"":
            quote = text[i: i + 3] if text[i: i + 3] in ("'''", '"""') else c
            start = i
            i += len(quote)
            depth = 0
            while True:
                if i >= n:
                    raise InputError(file, str(text.count("\n", 0, start) + 1),
                                     "unterminated string literal: the file ends inside it")
                ch = text[i]
                if depth == 0 and text.startswith(quote, i):
                    break
                if ch == "\\":
                    skel[i] = " "
                    if i + 1 < n and text[i + 1] != "\n":
                        skel[i + 1] = " "
                    i += 2
                    continue
                if ch == "\n" and len(quote) == 1:
                    break  # lenient: a stray quote (e.g. in a slashy regex) ends at the line
                if quote[0] == '"' and text.startswith("${", i):
                    depth += 1
                elif ch == "}" and depth:
                    depth -= 1
                if ch != "\n":
                    skel[i] = " "
                i += 1
            if i < n and text[i] != "\n":
                i += len(quote)
        else:
            i += 1
    return _Src(file, text, "".join(code), "".join(skel))


# ---------------------------------------------------------------------------- limits
# README "Limits on input files". Brackets nest at most MAX_NESTING deep (interface.py).
#: a variable whose value names a variable whose value names … (real files: 2-3)
MAX_REFERENCE_CHAIN = 50
#: expressions inside expressions (parentheses, calls, variables) while evaluating one value
MAX_EVAL_DEPTH = 150
#: variable values looked up while reading one file (real files: a few hundred)
MAX_LOOKUPS = 20_000
#: characters of one evaluated string ("${a}${a}" doubles at every line)
MAX_STRING_CHARS = 4096
#: size of a build file (real ones: under 50 KiB); the general manifest limit is larger
MAX_GRADLE_BYTES = 512 * 1024
#: characters the reader's scans (bracket matching, statement ends, enclosing blocks, variable
#: definitions) may visit in total for one file: a real 15 KB file needs about 30,000;
#: repeated structures (200,000 `dependencies {}` blocks, one name defined 100,000 times,
#: statements continued over thousands of lines) would need billions
MAX_SCAN_CHARS = 2_000_000


class _ScanBudgetExceeded(Exception):
    def __init__(self, pos: int) -> None:
        self.pos = pos


_BUDGET: ContextVar[list[int] | None] = ContextVar("gradle_scan_budget", default=None)


def _spend(chars: int, pos: int) -> None:
    """Charge a scan of `chars` characters (at `pos`) to the file being read."""
    left = _BUDGET.get()
    if left is not None:
        left[0] -= chars
        if left[0] < 0:
            raise _ScanBudgetExceeded(pos)

_PAIRS = {"(": ")", "[": "]", "{": "}"}


def _check_balanced(src: _Src) -> None:
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(src.skel):
        if ch in _PAIRS:
            stack.append((ch, i))
            if len(stack) > MAX_NESTING:
                raise InputError(src.file, src.line(i), f"brackets nested more than {MAX_NESTING} "
                                 "deep (the limit; real build files nest a few levels)")
        elif ch in ")]}":
            if not stack or _PAIRS[stack[-1][0]] != ch:
                raise InputError(src.file, src.line(i), f"unbalanced '{ch}': nothing to close")
            stack.pop()
    if stack:
        ch, i = stack[-1]
        raise InputError(src.file, src.line(i), f"'{ch}' is never closed: the file is "
                         "truncated or malformed")


def _match_close(skel: str, open_pos: int) -> int:
    """Position of the bracket closing the one at open_pos (skel is balanced)."""
    depth = 0
    for i in range(open_pos, len(skel)):
        ch = skel[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                _spend(i - open_pos, open_pos)
                return i
    _spend(len(skel) - open_pos, open_pos)
    return len(skel)


def _statement_end(skel: str, pos: int, stop_at_brace: bool = True) -> int:
    """End of the statement starting at pos: newline/';' at depth 0, or a closing bracket."""
    depth = 0
    i = pos
    n = len(skel)
    last = ""  # the last non-blank character before i
    while i < n:
        ch = skel[i]
        if ch in "([":
            depth += 1
        elif ch == "{":
            if depth == 0 and stop_at_brace:
                _spend(i - pos, pos)
                return i  # a trailing closure: `implementation(...) { exclude … }`
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                _spend(i - pos, pos)
                return i
            depth -= 1
        elif depth == 0 and ch in "\n;":
            # a line ending in an operator continues on the next one
            if last and last in "+,=(":
                if ch == ";":
                    last = ch
                i += 1
                continue
            _spend(i - pos, pos)
            return i
        if not ch.isspace():
            last = ch
        i += 1
    _spend(n - pos, pos)
    return n


def _split_top(src: _Src, start: int, end: int) -> list[tuple[int, int]]:
    """Split [start, end) at top-level commas; returns trimmed (start, end) spans."""
    _spend(end - start, start)
    spans = []
    depth = 0
    s = start
    for i in range(start, end):
        ch = src.skel[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            spans.append((s, i))
            s = i + 1
    spans.append((s, end))
    out = []
    for a, b in spans:
        while a < b and src.skel[a].isspace():
            a += 1
        while b > a and src.skel[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
    return out


# ---------------------------------------------------------------------------- values

@dataclass(frozen=True)
class _Platform:
    inner: object


@dataclass(frozen=True)
class _Unresolved:
    expr: str


@dataclass(frozen=True)
class _Skip:
    pass


@dataclass(frozen=True)
class _CatalogLib:
    lib: CatalogLibrary


@dataclass(frozen=True)
class _Bundle:
    libs: tuple[CatalogLibrary, ...]


@dataclass(frozen=True)
class _Named:
    args: dict[str, object]


_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_DOTTED = re.compile(rf"{_IDENT}(?:\s*\.\s*{_IDENT}|\s*\[\s*\"[^\"]*\"\s*\])*")
_STRIP_PREFIXES = ("rootProject.ext.", "project.ext.", "rootProject.extra.", "project.extra.",
                   "ext.", "extra.", "rootProject.", "project.")
_LOCAL_CALLS = frozenset({"project", "files", "fileTree", "gradleApi", "localGroovy",
                          "gradleTestKit", "testFixtures"})


class _Evaluator:
    def __init__(self, src: _Src, catalogs: dict[str, Catalog]) -> None:
        self.src = src
        self.catalogs = catalogs
        self.vars: dict[str, list[tuple[int, int, int]]] = {}  # name → (stmt pos, rhs a, rhs b)
        self._busy: set[str] = set()
        self._depth = 0  # eval() calls open
        self._lookups = 0
        self._collect_variables()

    # -- variables
    def _add(self, name: str, pos: int, a: int, b: int) -> None:
        self.vars.setdefault(name, []).append((pos, a, b))

    def _collect_variables(self) -> None:
        skel, code = self.src.skel, self.src.code
        decl = re.compile(
            r"(?m)(?:^|(?<=[;{]))[ \t]*(?:(?:def|final|val|var|const|private|internal|public|"
            r"static|String|Dependency|Object|Provider<\w+>)\s+)*"
            r"(?:(?:rootProject|project)\.)?(?:(?:ext|extra)\.)?"
            rf"(?P<name>{_IDENT})\s*(?::\s*[\w.<>?]+\s*)?=(?!=)[ \t]*")
        for m in decl.finditer(skel):
            a = m.end()
            b = _statement_end(skel, a, stop_at_brace=False)
            self._add(m.group("name"), m.start(), a, b)
            if skel[a: a + 1] == "[":  # Groovy map literal: name = [k: v, …]
                close = _match_close(skel, a)
                for s, e in _split_top(self.src, a + 1, close):
                    km = re.match(rf"\s*(['\"]?)({_IDENT})\1\s*:", code[s:e])
                    if km:
                        self._add(f"{m.group('name')}.{km.group(2)}", m.start(), s + km.end(), e)
        setter = re.compile(r"\b(?:ext|extra|rootProject\.ext|project\.ext)?\.?set\(\s*"
                            r"(['\"])")
        for m in setter.finditer(skel):
            q = m.end() - 1
            close_q = skel.find(m.group(1), q + 1)
            if close_q < 0:
                continue
            name = code[q + 1: close_q]
            comma = skel.find(",", close_q)
            paren = _match_close(skel, skel.rfind("(", 0, q + 1))
            if comma < 0 or comma > paren or not re.fullmatch(_IDENT, name):
                continue
            self._add(name, m.start(), comma + 1, paren)
        index = re.compile(r"\b(?:ext|extra)\s*\[\s*(['\"])")
        for m in index.finditer(skel):
            q = m.end() - 1
            close_q = skel.find(m.group(1), q + 1)
            eq = re.match(r"\s*\]\s*=(?!=)\s*", skel[close_q + 1:])
            if close_q < 0 or not eq:
                continue
            a = close_q + 1 + eq.end()
            self._add(code[q + 1: close_q], m.start(), a, _statement_end(skel, a, False))
        by_extra = re.compile(rf"\b(?:val|var)\s+(?P<name>{_IDENT})\s*(?::\s*[\w.<>?]+\s*)?"
                              r"by\s+extra\s*\(")
        for m in by_extra.finditer(skel):
            open_p = m.end() - 1
            self._add(m.group("name"), m.start(), open_p + 1, _match_close(skel, open_p))

    def lookup(self, name: str, pos: int) -> object:
        name = re.sub(r"\s+", "", name)
        candidates = [name]
        for p in _STRIP_PREFIXES:
            if name.startswith(p):
                candidates.append(name[len(p):])
        m = re.fullmatch(r"(?:ext|extra)\[\"([^\"]+)\"\]", name)
        if m:
            candidates.append(m.group(1))
        for cand in candidates:
            defs = self.vars.get(cand)
            if not defs or cand in self._busy:
                continue
            _spend(len(defs), pos)
            before = [d for d in defs if d[0] < pos]
            _, a, b = (before[-1] if before else defs[0])
            self._lookups += 1
            if self._lookups > MAX_LOOKUPS:
                raise InputError(self.src.file, self.src.line(pos), (
                    f"variables expand more than {MAX_LOOKUPS} times (the limit; variables "
                    "that each use the previous one several times grow exponentially)"))
            if len(self._busy) >= MAX_REFERENCE_CHAIN:
                raise InputError(self.src.file, self.src.line(pos), (
                    f"more than {MAX_REFERENCE_CHAIN} variables each defined by the next "
                    f"(at {_clip(name)}; the limit)"))
            self._busy.add(cand)
            try:
                return self.eval(a, b)
            finally:
                self._busy.discard(cand)
        return _Unresolved(name)

    # -- expressions
    def eval(self, a: int, b: int) -> object:
        """Value of the expression code[a:b]."""
        if self._depth >= MAX_EVAL_DEPTH:
            raise InputError(self.src.file, self.src.line(a), (
                f"expression nested more than {MAX_EVAL_DEPTH} deep, variables included "
                "(the limit)"))
        self._depth += 1
        try:
            return self._eval(a, b)
        finally:
            self._depth -= 1

    def _eval(self, a: int, b: int) -> object:
        src = self.src
        while True:
            while a < b and src.skel[a].isspace():
                a += 1
            while b > a and src.skel[b - 1].isspace():
                b -= 1
            if a >= b:
                return _Unresolved("")
            # strip redundant parentheses
            if src.skel[a] == "(" and _match_close(src.skel, a) == b - 1:
                a, b = a + 1, b - 1
                continue
            break
        parts = self._split_plus(a, b)
        if len(parts) > 1:
            values = [self.eval(s, e) for s, e in parts]
            if all(isinstance(v, str) for v in values):
                return self._bounded("".join(v for v in values if isinstance(v, str)), a)
            return _Unresolved(src.code[a:b].strip())
        return self._term(a, b)

    def _bounded(self, s: str, pos: int) -> str:
        if len(s) > MAX_STRING_CHARS:
            raise self._too_long(pos)
        return s

    def _too_long(self, pos: int) -> InputError:
        return InputError(self.src.file, self.src.line(pos), (
            f"string expands to more than {MAX_STRING_CHARS} characters (the limit; "
            "real dependency strings are under 200)"))

    def _split_plus(self, a: int, b: int) -> list[tuple[int, int]]:
        _spend(b - a, a)
        out = []
        depth = 0
        s = a
        for i in range(a, b):
            ch = self.src.skel[i]
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth -= 1
            elif ch == "+" and depth == 0:
                out.append((s, i))
                s = i + 1
        out.append((s, b))
        return out

    def _term(self, a: int, b: int) -> object:
        src = self.src
        code = src.code[a:b]
        skel = src.skel[a:b]
        # string literal
        for q in ('"""', "'''", '"', "'"):
            if skel.startswith(q) and skel.endswith(q) and len(skel) >= 2 * len(q):
                inner_a, inner_b = a + len(q), b - len(q)
                if q[0] == "'":
                    return src.code[inner_a:inner_b]
                return self._interpolate(inner_a, inner_b)
        # call: name(args) [.get()] [{closure}]
        m = re.match(rf"({_IDENT}(?:\.{_IDENT})*)\s*\(", skel)
        if m:
            open_p = a + m.end() - 1
            close_p = _match_close(src.skel, open_p)
            fn = code[: m.end() - 1].strip()
            rest = src.skel[close_p + 1: b].strip()
            if rest not in ("", ".get()") and not rest.startswith("{"):
                return _Unresolved(code.strip())
            return self._call(fn, open_p + 1, close_p, code)
        # a (dotted) reference: a variable, ext property or catalog accessor
        ref = re.sub(r"\s+", "", code).removesuffix(".get()")
        if _DOTTED.fullmatch(ref):
            return self._reference(ref, a)
        return _Unresolved(code.strip())

    def _interpolate(self, a: int, b: int) -> object:
        text = self.src.code[a:b]
        out = []
        i = 0
        size = 0
        unresolved = False
        while i < len(text):
            ch = text[i]
            if ch == "\\" and i + 1 < len(text):
                out.append(text[i + 1])
                i += 2
                continue
            if ch == "$" and text.startswith("${", i):
                j = i + 2
                depth = 1
                while j < len(text) and depth:
                    if text[j] == "{":
                        depth += 1
                    elif text[j] == "}":
                        depth -= 1
                    j += 1
                expr = text[i + 2: j - 1]
                v = self._reference(re.sub(r"\s+", "", expr).removesuffix(".get()"), a + i)
                if isinstance(v, str):
                    out.append(v)
                else:
                    unresolved = True
                    out.append("${" + expr + "}")
                i = j
                size += len(out[-1])
                if size > MAX_STRING_CHARS:
                    raise self._too_long(a + i)
                continue
            if ch == "$":
                m = re.match(rf"{_IDENT}(?:\.{_IDENT})*", text[i + 1:])
                if m:
                    # Groovy reads "$a.b" as a property path, Kotlin as a + ".b": try the
                    # longest path that resolves
                    segs = m.group(0).split(".")
                    for k in range(len(segs), 0, -1):
                        v = self._reference(".".join(segs[:k]), a + i)
                        if isinstance(v, str):
                            out.append(v)
                            size += len(v)
                            if size > MAX_STRING_CHARS:
                                raise self._too_long(a + i)
                            consumed = len(".".join(segs[:k]))
                            break
                    else:
                        unresolved = True
                        consumed = m.end()
                        out.append("$" + m.group(0))
                    i += 1 + consumed
                    continue
            out.append(ch)
            i += 1
        s = "".join(out)
        return _Partial(s) if unresolved else s

    def _reference(self, ref: str, pos: int) -> object:
        head = ref.split(".", 1)[0]
        if head in self.catalogs and "." in ref:
            return self._catalog_ref(self.catalogs[head], ref.split(".", 1)[1], ref)
        if head == "libs" and "." in ref:
            return _Unresolved(ref)  # a catalog alias, but no catalog was found
        if head in ("projects",):
            return _Skip()
        return self.lookup(ref, pos)

    def _catalog_ref(self, cat: Catalog, rest: str, ref: str) -> object:
        if rest.startswith("versions."):
            v = cat.version(rest[len("versions."):])
            return v if v is not None else _Unresolved(ref)
        if rest.startswith("bundles."):
            libs = cat.bundle(rest[len("bundles."):])
            return _Bundle(tuple(libs)) if libs is not None else _Unresolved(ref)
        if rest.startswith("plugins."):
            return _Skip()
        lib = cat.library(rest)
        return _CatalogLib(lib) if lib is not None else _Unresolved(ref)

    def _call(self, fn: str, a: int, b: int, code: str) -> object:
        name = fn.rsplit(".", 1)[-1]
        if name in _LOCAL_CALLS:
            return _Skip()
        args = _split_top(self.src, a, b)
        if name in ("platform", "enforcedPlatform"):
            if len(args) != 1:
                return _Unresolved(code.strip())
            return _Platform(self.eval(*args[0]))
        if name == "kotlin" and fn == "kotlin":
            vals = [self.eval(*s) for s in args]
            if vals and isinstance(vals[0], str):
                mod = f"org.jetbrains.kotlin:kotlin-{vals[0]}"
                if len(vals) > 1 and isinstance(vals[1], str):
                    mod += f":{vals[1]}"
                return mod
            return _Unresolved(code.strip())
        if name in ("extra", "provider", "property"):
            if len(args) == 1:
                return self.eval(*args[0])
        return _Unresolved(code.strip())

    def arguments(self, a: int, b: int) -> list[object]:
        """The values of a dependency statement's argument list (named args grouped)."""
        named: dict[str, object] = {}
        values: list[object] = []
        for s, e in _split_top(self.src, a, b):
            m = re.match(rf"({_IDENT})\s*[:=](?!=)\s*", self.src.skel[s:e])
            if m and m.group(1) in ("group", "name", "version", "classifier", "ext",
                                    "configuration", "transitive", "changing"):
                named[m.group(1)] = self.eval(s + m.end(), e)
            else:
                values.append(self.eval(s, e))
        if named:
            values.append(_Named(named))
        return values


def _clip(text: str, limit: int = 80) -> str:
    """A value for an error message: at most `limit` characters."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


@dataclass(frozen=True)
class _Partial:
    """An interpolated string with unresolved parts (kept as written)."""

    text: str


# ---------------------------------------------------------------------------- the reader

@dataclass
class _Dep:
    group: str | None
    artifact: str | None
    version: str | None
    platform: bool
    unresolved: str | None = None


def _coord(value: object) -> _Dep | None:
    """'g:a:v', 'g:a:v:classifier@aar', a partial string, or a catalog library → _Dep."""
    if isinstance(value, _CatalogLib):
        return _Dep(value.lib.group, value.lib.artifact, value.lib.version, False)
    text = value.text if isinstance(value, _Partial) else value
    if not isinstance(text, str):
        return None
    parts = text.split("@", 1)[0].split(":")
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return None
    group, artifact = parts[0], parts[1]
    if "$" in group or "$" in artifact:
        return _Dep(None, None, None, False, unresolved=text)
    version = parts[2] if len(parts) > 2 and parts[2] else None
    if version is not None and "$" in version:
        version = None  # unresolved interpolation: keep the id, not a fake version
    return _Dep(group, artifact, version, False)


class GradleReader(ManifestReader):
    """``build.gradle`` / ``build.gradle.kts`` (any ``*.gradle``/``*.gradle.kts`` file)."""

    name = "gradle"

    def __init__(self, catalogs: dict[str, Catalog] | None = None) -> None:
        self.catalogs = catalogs

    def matches(self, path: Path, head_text: str) -> bool:
        n = path.name
        if n.endswith((".gradle", ".gradle.kts")) and "settings.gradle" not in n:
            return True
        return bool(head_text) and bool(
            re.search(r"^\s*dependencies\s*\{", head_text, re.M)) and bool(
            re.search(r"\b(implementation|api|classpath|plugins)\b", head_text))

    def read(self, path: Path) -> list[SdkRecord]:
        file = str(path)
        text = read_text(path)
        if len(text) > MAX_GRADLE_BYTES:
            raise InputError(file, None, f"file is over the limit of {MAX_GRADLE_BYTES:,} bytes "
                             "for a Gradle build file")
        token = _BUDGET.set([MAX_SCAN_CHARS])
        try:
            return self._read(path, file, text)
        except _ScanBudgetExceeded as e:
            raise InputError(file, str(text.count("\n", 0, e.pos) + 1), (
                f"reading needs more than {MAX_SCAN_CHARS:,} characters of scanning (the "
                "limit; repeated blocks, definitions or continued lines)")) from None
        finally:
            _BUDGET.reset(token)

    def _read(self, path: Path, file: str, text: str) -> list[SdkRecord]:
        src = _lex(file, text)
        _check_balanced(src)
        catalogs = self.catalogs if self.catalogs is not None else find_catalogs(path)
        ev = _Evaluator(src, catalogs)
        deps: list[_Dep] = []
        for conf, a, b, line_pos in self._statements(src):
            if not ships(conf):
                continue
            for value in ev.arguments(a, b):
                deps.extend(self._deps(value, src, line_pos))
        boms = [(d.group, d.version) for d in deps
                if d.platform and d.group and d.version is not None]
        out: list[SdkRecord] = []
        for d in deps:
            if d.unresolved is not None:
                out.append(sdk(f"unresolved:{d.unresolved}", None, "maven", file))
                continue
            assert d.group and d.artifact
            version = d.version
            if version is None and not d.platform:
                version = bom_version_for(d.group, [(g, v) for g, v in boms if g and v])
            out.append(sdk(f"{d.group}:{d.artifact}", version, "maven", file))
        return dedupe(out)

    def _deps(self, value: object, src: _Src, pos: int) -> list[_Dep]:
        if isinstance(value, _Skip):
            return []
        if isinstance(value, _Platform):
            return [_Dep(d.group, d.artifact, d.version, True, d.unresolved)
                    for d in self._deps(value.inner, src, pos)]
        if isinstance(value, _Bundle):
            return [_Dep(lib.group, lib.artifact, lib.version, False) for lib in value.libs]
        if isinstance(value, _Named):
            g, n, v = (value.args.get(k) for k in ("group", "name", "version"))
            if isinstance(g, str) and isinstance(n, str):
                return [_Dep(g, n, v if isinstance(v, str) else None, False)]
            return [_Dep(None, None, None, False, unresolved=src.code[pos:pos + 120]
                         .split("\n", 1)[0].strip())]
        if isinstance(value, _Unresolved):
            if not value.expr:
                return []
            return [_Dep(None, None, None, False, unresolved=value.expr)]
        dep = _coord(value)
        if dep is not None:
            return [dep]
        if isinstance(value, _Partial):
            return [_Dep(None, None, None, False, unresolved=value.text)]
        if isinstance(value, str):
            raise InputError(src.file, src.line(pos),
                             f"expected a dependency \"group:artifact:version\", got {_clip(value)}")
        return []

    @staticmethod
    def _statements(src: _Src) -> list[tuple[str, int, int, int]]:
        """(configuration, args start, args end, statement pos) inside dependencies blocks."""
        skel, code = src.skel, src.code
        regions: list[tuple[int, int]] = []
        for m in re.finditer(r"\bdependencies\s*\{", skel):
            open_b = m.end() - 1
            if _in_test_source_set(src, m.start()):
                continue  # KMP `commonTest.dependencies { … }`, `jvmTest { dependencies { … } }`
            regions.append((open_b + 1, _match_close(skel, open_b)))
        skip: list[tuple[int, int]] = []
        for m in re.finditer(r"\bconstraints\s*\{", skel):
            open_b = m.end() - 1
            skip.append((open_b, _match_close(skel, open_b)))
        out = []
        seen: set[int] = set()
        stmt = re.compile(rf"(?m)(?:^|(?<=[;{{]))[ \t]*(?:(?P<conf>{_IDENT})|\"(?P<q> *)\")"
                          r"[ \t]*(?P<next>[(\"'A-Za-z_\[])")
        for start, end in regions:
            for m in stmt.finditer(skel, start, end):
                pos = m.start("conf") if m.group("conf") else m.start("q") - 1
                if pos in seen or any(s <= pos < e for s, e in skip):
                    continue
                seen.add(pos)
                if m.group("conf"):
                    conf = m.group("conf")
                else:
                    conf = code[m.start("q"): m.end("q")]
                if not is_configuration(conf):
                    continue
                nxt = m.start("next")
                if skel[nxt] == "(":
                    close = _match_close(skel, nxt)
                    after = skel[close + 1: _statement_end(skel, close + 1)].strip()
                    if after and not after.startswith("{") and not after.startswith("."):
                        # `implementation (a) + b` style: treat the whole line as the argument
                        out.append((conf, nxt, _statement_end(skel, nxt), pos))
                    else:
                        out.append((conf, nxt + 1, close, pos))
                else:
                    out.append((conf, nxt, _statement_end(skel, nxt), pos))
        return out


def _in_test_source_set(src: _Src, pos: int) -> bool:
    """Whether a `dependencies {` at pos belongs to a test source set (Kotlin Multiplatform)."""
    skel = src.skel
    headers = [skel[max(0, pos - 80): pos]]  # `commonTest.dependencies {`
    _spend(pos, pos)
    depth = 0
    i = pos - 1
    while i >= 0:  # the headers of the enclosing blocks
        ch = skel[i]
        if ch == "}":
            depth += 1
        elif ch == "{":
            if depth == 0:
                start = skel.rfind("\n", 0, i) + 1
                headers.append(src.code[start:i])
            else:
                depth -= 1
        i -= 1
    first = headers[0].rsplit("\n", 1)[-1]
    candidates = [first.rsplit("dependencies", 1)[0]] + headers[1:]
    for h in candidates:
        for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", h):
            if word not in ("testOptions",) and is_test_configuration(word):
                return True
    return False


def find_catalogs(build_file: Path) -> dict[str, Catalog]:
    """Version catalogs next to a build file: ``gradle/*.versions.toml`` in its directory or up
    to three parents (the root project of ``app/build.gradle``); accessor = file stem."""
    found: dict[str, Catalog] = {}
    d = build_file.resolve().parent
    for _ in range(4):
        gdir = d / "gradle"
        if gdir.is_dir():
            for toml in sorted(gdir.glob("*.versions.toml")):
                name = toml.name[: -len(".versions.toml")]
                if name not in found:
                    found[name] = load_catalog(toml, name)
            if found:
                return found
        if d.parent == d:
            break
        d = d.parent
    return found
