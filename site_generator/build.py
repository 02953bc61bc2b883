"""Render a Disclosure into the public site (HTML ja/en, CSS, JSON, CSV), deterministically and atomically.

``build_site(d, out_dir)`` renders every file into a fresh temporary directory next to
``out_dir`` (same file system), then swaps it in whole: on Linux with one atomic
``renameat2(RENAME_EXCHANGE)``, elsewhere by renaming the old directory away and the new one in.
If anything fails before the swap, ``out_dir`` is left exactly as it was and the temporary
directory is removed.

The swap deletes the previous content of ``out_dir``, so gaibu only builds into a folder it can
prove holds nothing but its own output (``check_out_dir``): a folder that does not exist yet, an
empty folder, a folder with the ``.gaibu-site`` marker every build writes (listing the files of
that build) and nothing beyond those files, or a site built by a gaibu from before the marker,
recognised by its file set (only files gaibu writes, including index.html, en/index.html,
style.css and the four JSON/CSV files). Anything else is refused with one line naming the first
foreign entries, and so are ``/``, the home folder, the current folder and its ancestors, and any
folder that is or holds a protected path (the database file, targets.yaml).

Templates: Jinja2 with autoescaping for every template and ``StrictUndefined``. A company's
``templates_dir`` is searched before the packaged ``site_generator/templates``, so any single
file (a page, ``base.html``, ``macros.html``, ``i18n/ja.html``, ``style.css``) can be replaced
on its own.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from site_generator.export import to_csv, to_json
from site_generator.model import Disclosure
from site_generator.views import (
    LANGS,
    PAGES,
    absolute,
    change_views,
    company_view,
    format_date,
    href_between,
    http_url,
    last_update,
    mailto,
    merged_app_views,
    page_path,
    property_view,
    sorted_properties,
)

PACKAGED_TEMPLATES = Path(__file__).resolve().parent / "templates"
_ID_ATTR = re.compile(r"""\sid="([^"]*)\"""")


class BuildError(Exception):
    """The site could not be built; the previous output is unchanged."""


MARKER = ".gaibu-site"
_MARKER_HEAD = "gaibu site: every file below was written by gaibu build; the next build replaces them all\n"
# a site built before the marker existed: these files must all be there (and nothing foreign)
_LEGACY_REQUIRED = frozenset({"index.html", "en/index.html", "style.css", "web.json", "web.csv",
                              "app.json", "app.csv"})


def _marker_text(files: list[str]) -> bytes:
    return (_MARKER_HEAD + "".join(f"{f}\n" for f in sorted(files))).encode("utf-8")


def _marker_files(out_dir: Path) -> set[str] | None:
    marker = out_dir / MARKER
    if not marker.is_file() or marker.is_symlink():
        return None
    try:
        text = marker.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if not text.startswith(_MARKER_HEAD):
        return None
    return {ln for ln in text[len(_MARKER_HEAD):].splitlines() if ln}


def _foreign(root: Path, known_files: set[str], known_dirs: set[str], limit: int = 4) -> list[str]:
    """Up to ``limit`` entries under root that are not known (stops early in a big folder).

    Symbolic links count as files and are never followed."""
    found: list[str] = []
    for here, subdirs, names in os.walk(root, followlinks=False):
        rel = Path(here).relative_to(root)
        keep = []
        for d in sorted(subdirs):
            p = (rel / d).as_posix()
            if (Path(here) / d).is_symlink():
                if p not in known_files:
                    found.append(p)
            elif p not in known_dirs:
                found.append(p + "/")
            else:
                keep.append(d)
        subdirs[:] = keep
        found += [(rel / n).as_posix() for n in sorted(names) if (rel / n).as_posix() not in known_files]
        if len(found) >= limit:
            break
    return found


def _within(a: Path, b: Path) -> bool:
    """a is b or lies inside b."""
    return a == b or b in a.parents


def check_out_dir(out_dir: Path, protect: tuple[Path, ...] = (), will_write: set[str] | None = None
                  ) -> None:
    """Raise BuildError unless replacing ``out_dir`` can only remove what gaibu wrote there."""
    out_dir = Path(out_dir)
    if out_dir.is_symlink():
        raise BuildError(f"{out_dir} is a symbolic link; build into the directory it points to")
    try:
        real = out_dir.resolve()
    except (OSError, RuntimeError) as e:
        raise BuildError(f"{out_dir}: {getattr(e, 'strerror', None) or e}") from None
    if real == Path(real.anchor):
        raise BuildError(f"{out_dir} is the root folder; choose a new or empty folder for the site")
    home = Path.home().resolve()
    if real == home:
        raise BuildError(f"{out_dir} is the home folder; choose a new or empty folder for the site")
    cwd = Path.cwd().resolve()
    if _within(cwd, real):
        raise BuildError(f"{out_dir} is the current folder or one of its parents; choose a new "
                         "or empty folder for the site (e.g. --out site.out)")
    for p in protect:
        pr = Path(p).absolute().resolve()
        if _within(pr, real):
            raise BuildError(f"{out_dir} holds {p}, which a build would delete; choose a new or "
                             "empty folder for the site")
    if not out_dir.exists():
        above = real.parent
        while not above.exists():
            above = above.parent
        if not above.is_dir():
            raise BuildError(f"cannot create {out_dir}: {above} is a file, not a folder")
        return
    if not out_dir.is_dir():
        raise BuildError(f"{out_dir} exists and is not a directory")
    listed = _marker_files(out_dir)
    if listed is not None:
        known = listed | {MARKER}
        why = "files the last build did not write"
    else:
        known = {MARKER}
        if all((out_dir / f).is_file() for f in _LEGACY_REQUIRED):
            known |= set(will_write or ())  # a site built by gaibu before the marker existed
        why = "files gaibu did not write (no .gaibu-site marker)"
    parents = {q.as_posix() for f in known for q in Path(f).parents if q.as_posix() != "."}
    try:
        foreign = _foreign(out_dir, known, parents)
    except OSError as e:
        raise BuildError(f"{out_dir}: {e.strerror or e}") from None
    if foreign:
        shown = ", ".join(foreign[:3]) + (" and more" if len(foreign) > 3 else "")
        raise BuildError(f"{out_dir} is not empty and holds {why}: {shown}; a build replaces the "
                         "whole folder, so choose a new or empty folder (or move those files away)")


def make_environment(templates_dir: Path | None = None) -> Environment:
    """The Jinja2 environment: company templates first, packaged ones as fallback, file by file."""
    search = []
    if templates_dir is not None:
        if not Path(templates_dir).is_dir():
            raise BuildError(f"templates_dir {templates_dir} is not a directory")
        search.append(str(templates_dir))
    search.append(str(PACKAGED_TEMPLATES))
    env = Environment(
        loader=FileSystemLoader(search, encoding="utf-8"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        newline_sequence="\n",
        auto_reload=False,
    )
    env.globals.update(http_url=http_url, mailto=mailto)
    return env


def _page_context(d: Disclosure, env: Environment, lang: str, page: str) -> dict[str, Any]:
    other = "en" if lang == "ja" else "ja"
    alternates = {}
    for alt in LANGS:
        alternates[alt] = (absolute(d.company.base_url, page_path(alt, page))
                           or href_between(lang, alt, page))
    kind = page if page in ("web", "app") else None
    props = {k: [property_view(p, lang) for p in sorted_properties(d, k)] for k in ("web", "app")}
    # the app page shows an app's iOS and Android lists together where they are the same
    app_sections = merged_app_views(sorted_properties(d, "app"), lang)

    def date_text(value: date | None) -> str:
        return format_date(value, lang)

    return {
        "lang": lang,
        "other_lang": other,
        "t": env.get_template(f"i18n/{lang}.html").module,
        "root": "" if lang == "ja" else "../",
        "page": page,
        "kind": kind,
        "company": company_view(d, lang),
        "canonical": absolute(d.company.base_url, page_path(lang, page)),
        "alternates": alternates,
        "other_lang_href": href_between(lang, other, page),
        "date_text": date_text,
        "properties": (app_sections if kind == "app" else props[kind]) if kind else [],
        "web_properties": props["web"],
        "app_properties": props["app"],
        "changes": change_views(d, lang),
        "last_update": last_update(d),
        "removal_after_scans": d.removal_after_scans,
    }


def _check_ids(path: str, html: str) -> None:
    ids = _ID_ATTR.findall(html)
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise BuildError(f"{path}: duplicate element ids {dupes} (property names or service ids "
                         "that collide as anchors)")


def _normalise(text: str) -> bytes:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n"):
        text += "\n"
    return text.encode("utf-8")


def render_files(d: Disclosure, templates_dir: Path | None = None
                 ) -> Iterator[tuple[str, Callable[[], bytes]]]:
    """(relative path, renderer) for every output file, in a fixed order; renderers may raise."""
    env = make_environment(templates_dir)

    def page(lang: str, name: str) -> Callable[[], bytes]:
        def render() -> bytes:
            path = page_path(lang, name)
            html = env.get_template(f"{name}.html").render(_page_context(d, env, lang, name))
            _check_ids(path, html)
            return _normalise(html)
        return render

    def css() -> bytes:
        assert env.loader is not None
        source, _, _ = env.loader.get_source(env, "style.css")
        return _normalise(source)

    for lang in LANGS:
        for name in PAGES:
            yield page_path(lang, name), page(lang, name)
    yield "style.css", css
    for kind in ("web", "app"):
        yield f"{kind}.json", (lambda k=kind: _normalise(to_json(d, k)))  # type: ignore[misc]
        yield f"{kind}.csv", (lambda k=kind: _normalise(to_csv(d, k)))  # type: ignore[misc]


def render_site(d: Disclosure, templates_dir: Path | None = None) -> dict[str, bytes]:
    """Every output file in memory: relative path → bytes (for tests and previews)."""
    return {path: render() for path, render in render_files(d, templates_dir)}


def build_site(d: Disclosure, out_dir: Path, templates_dir: Path | None = None,
               protect: tuple[Path, ...] = ()) -> list[Path]:
    """Render ``d`` into ``out_dir`` atomically; return the relative paths written, sorted.

    ``protect``: paths (database file, targets.yaml) that ``out_dir`` must not be or contain.
    Besides the site, every build writes the ``.gaibu-site`` marker (not in the returned list).
    """
    out_dir = Path(out_dir)
    expected = {rel for rel, _ in render_files(d, templates_dir)}
    check_out_dir(out_dir, protect, expected)
    try:
        parent = out_dir.absolute().parent
        parent.mkdir(parents=True, exist_ok=True)
        mode = (out_dir.stat().st_mode & 0o7777) if out_dir.exists() else 0o755
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=parent))
    except OSError as e:
        raise BuildError(f"cannot create {out_dir}: {e.strerror or e}"
                         + (f" ({e.filename})" if e.filename else "")) from None
    written: list[Path] = []
    try:
        for rel, render in render_files(d, templates_dir):
            data = render()
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            written.append(Path(rel))
        (tmp / MARKER).write_bytes(_marker_text([p.as_posix() for p in written]))
        for sub in sorted(p for p in tmp.rglob("*") if p.is_dir()):
            sub.chmod(mode)
        tmp.chmod(mode)
        # again, right before the swap: nothing foreign may have appeared while rendering
        check_out_dir(out_dir, protect, {p.as_posix() for p in written})
        _swap_in(tmp, out_dir.absolute())
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise BuildError(f"cannot write {out_dir}: {e.strerror or e}"
                         + (f" ({e.filename})" if e.filename else "")) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return sorted(written)


def _swap_in(new: Path, out_dir: Path) -> None:
    """Make ``new`` the content of ``out_dir``; the old content (if any) is deleted afterwards."""
    if not out_dir.exists():
        os.rename(new, out_dir)
        return
    if _exchange(new, out_dir):
        shutil.rmtree(new, ignore_errors=True)  # ``new`` now holds the previous site
        return
    old = new.with_name(new.name.replace(".new-", ".old-", 1))
    os.rename(out_dir, old)
    try:
        os.rename(new, out_dir)
    except BaseException:
        os.rename(old, out_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EPERM):
        return False
    raise OSError(err, os.strerror(err), str(b))
