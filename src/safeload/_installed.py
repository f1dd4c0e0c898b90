"""Which installed package a module belongs to, read from the environment (its site folders
and the installed distributions' metadata), never by importing the module: what
:mod:`safeload._trust_checks` needs to tell the caller's own classes from other packages'.
It reads package metadata only, never an artifact."""

from __future__ import annotations

import functools
import importlib.metadata
import os
import site
import sys
import sysconfig
from collections.abc import Mapping
from typing import Any

__all__ = ["installed_package", "is_stdlib"]


def is_stdlib(module: str) -> bool:
    """Whether ``module`` is (a submodule of) a module of the Python standard library, known
    without importing anything."""
    return module.partition(".")[0] in sys.stdlib_module_names


@functools.lru_cache(maxsize=1)
def _distributions() -> Mapping[str, list[str]]:
    """Each importable top-level name and the installed distributions that provide it (as
    ``importlib.metadata.packages_distributions``, but one distribution whose metadata cannot
    be read is passed over, not the end of every look-up: a malformed RECORD, rt98-10)."""
    found: dict[str, list[str]] = {}
    for dist in importlib.metadata.distributions():
        name, tops = _tops_of(dist)
        for top in tops:
            found.setdefault(top, []).append(name)
    return found


def _tops_of(dist: Any) -> tuple[str, list[str]]:
    """A distribution's name and top-level names; none where its metadata cannot be read."""
    try:
        name = str(dist.metadata["Name"])
        declared = (dist.read_text("top_level.txt") or "").split()
        files = dist.files or ()
        tops = set(declared) if declared else _inferred_tops(files)
        # an editable wheel (PEP 660: hatchling's, flit's, pdm's) records only a .pth file
        # that puts the project's folder on the path: what lies there is that distribution's
        # (rt101-16: pydantic checked out with pip install -e git+... was "the caller's own")
        for entry in files:
            if str(entry).endswith(".pth"):
                tops |= _pth_tops(dist.locate_file(entry))
        return name, sorted(tops)
    except Exception:  # (unreadable metadata: that distribution is not known)
        return "", []


def _pth_tops(pth: Any) -> set[str]:
    """The top-level modules and packages in the folders the ``.pth`` file ``pth`` adds, read
    as ``site.addpackage`` reads it: every line (not the first 100), a relative one joined
    with the folder the ``.pth`` lies in (rt107-09: ``../checkout`` was looked up from the
    working folder, and the dependency's classes were "the caller's own"). Up to 1 MiB of
    it, and 10,000 entries of each folder."""
    tops: set[str] = set()
    try:
        with open(pth, encoding="utf-8") as fh:
            lines = fh.read(1 << 20).splitlines()
    except (OSError, UnicodeDecodeError):
        return tops
    site = os.path.dirname(os.path.abspath(os.fspath(pth)))
    for line in lines:
        entry_line = line.rstrip()
        if not entry_line.strip() or entry_line.startswith(("#", "import ", "import\t")):
            continue
        folder = os.path.join(site, entry_line)
        if not os.path.isdir(folder):
            continue
        try:
            names = os.listdir(folder)[:10_000]
        except OSError:
            continue
        for entry in names:
            stem = entry[:-3] if entry.endswith(".py") else entry
            if stem.isidentifier() and (
                entry.endswith(".py") or os.path.isdir(os.path.join(folder, entry))
            ):
                tops.add(stem)
    return tops


def _inferred_tops(files: Any) -> set[str]:
    """The top-level names a distribution's RECORD lists (its folders and modules)."""
    import inspect

    tops: set[str] = set()
    for entry in files:
        parts = entry.parts
        if len(parts) > 1:
            tops.add(parts[0])
        else:
            module = inspect.getmodulename(str(entry))
            if module:
                tops.add(module)
    return {t for t in tops if t.isidentifier()}


@functools.lru_cache(maxsize=1)
def _site_folders() -> tuple[str, ...]:
    """The folders installed packages live in."""
    found = {sysconfig.get_paths()[key] for key in ("purelib", "platlib")}
    try:
        found.update(site.getsitepackages())
        found.add(site.getusersitepackages())
    except AttributeError:  # (a virtualenv's old site module)
        pass
    return tuple(os.path.join(os.path.realpath(f), "") for f in found if f)


def installed_package(module: str, *, look: bool = True) -> str | None:
    """The installed package ``module`` belongs to (its distribution's name), or ``None`` for
    the standard library and for the caller's own code. Installed: a distribution's metadata
    on ``sys.path`` names its top-level module (wherever it lies: site-packages, a folder on
    PYTHONPATH or ``pip install --target``, a zip, rt96-01), installed from an index or from
    a folder, in development mode too (``pip install -e``: pip records a project of the
    caller's own and a dependency it checked out from version control alike, rt99-04); or,
    without metadata, the module (any portion of a
    namespace package, rt96-02) lies in a folder installed packages live in. ``look``:
    also find the module's folder (not for advice on names a file chose, read from the
    metadata only). Nothing is imported."""
    top = module.partition(".")[0]
    if not top or is_stdlib(module):
        return None
    if top == "sklearn":
        return "scikit-learn"
    theirs = _distributions().get(top) or []
    places = _places(top) if look else []
    if not places:  # (advice, or a module not found: the metadata decides)
        return theirs[0] if theirs else None
    # (named by the distribution whose folder or zip holds the module; one claiming the name
    # from elsewhere still makes it installed: a copy of pydantic without its metadata on
    # PYTHONPATH is pydantic, rt96-01, and a caller's own ``src`` that a distribution also
    # ships is trusted by passing its classes)
    holders = [d for d in theirs if _base(d) and any(p.startswith(_base(d)) for p in places)]
    if holders or theirs:
        return (holders or theirs)[0]
    if any(p.startswith(_site_folders()) for p in places):
        return top  # (in a site folder, with no metadata for it)
    return _hook_package(top, places)


def _hook_package(top: str, places: list[str]) -> str | None:
    """The installed package whose import hook provides ``top``, where the path search of
    ``sys.path`` does not find it where it is: an editable install by a meta path finder
    (meson-python's ``_<name>_editable_loader``, setuptools' ``__editable___*_finder``) is a
    distribution's code, however little its metadata names (rt103-10). Named by the
    distribution that installed the hook (the hook's module where none did); ``None`` where
    no hook on ``sys.meta_path`` finds ``top`` where it is. (The hooks run here as at every
    import; nothing is imported.)"""
    finders = list(sys.meta_path)
    where = frozenset(_plain(p) for p in places)
    # (once for a search path and a list of hooks: the checks ask it of every object of the
    # caller's classes)
    key = (top, where, tuple(sys.path), tuple(id(f) for f in finders))
    if key not in _HOOKED:
        if len(_HOOKED) > 256:
            _HOOKED.clear()
        _HOOKED[key] = _hook_package_of(top, where, finders)
    return _HOOKED[key]


_HOOKED: dict[tuple[Any, ...], str | None] = {}


def _hook_package_of(top: str, where: frozenset[str], finders: list[Any]) -> str | None:
    import importlib.machinery

    if _spec_at(importlib.machinery.PathFinder, top, where):
        return None
    for finder in finders:
        # (a finder may be a class put on the meta path itself, with class methods: the
        # editables package's RedirectingFinder, hatchling's and pdm's editable installs,
        # whose type is abc's ABCMeta, rt105-03)
        owner = finder if isinstance(finder, type) else type(finder)
        module = str(getattr(owner, "__module__", ""))
        if module in _STANDARD_FINDERS or is_stdlib(module):
            continue
        if _spec_at(finder, top, where):
            return installed_package(module) or f"the import hook {module}"
    return None


def _spec_at(finder: Any, top: str, where: frozenset[str]) -> bool:
    """Whether ``finder`` finds the module ``top`` in one of the places ``where``."""
    try:
        spec = finder.find_spec(top, None)
    except Exception:  # (a hook that fails finds nothing)
        return False
    if spec is None:
        return False
    found = [spec.origin] if spec.origin else list(spec.submodule_search_locations or ())
    return any(isinstance(f, str) and _plain(f) in where for f in found)


def _plain(place: str) -> str:
    return os.path.realpath(place).rstrip(os.sep)


#: The modules of the meta path finders CPython puts on ``sys.meta_path``.
_STANDARD_FINDERS = frozenset({"builtins", "_frozen_importlib", "_frozen_importlib_external"})


@functools.cache
def _base(distribution: str) -> str:
    """The folder (or zip) ``distribution`` is installed in, ending with a separator; empty
    when it cannot be told."""
    try:
        where = importlib.metadata.distribution(distribution).locate_file("")
    except Exception:  # (its metadata unreadable)
        return ""
    return os.path.join(os.path.abspath(str(where)), "")


def _places(top: str) -> list[str]:
    """Where the top-level module ``top`` is (its file, or a namespace package's folders),
    found without importing it; empty where it cannot be found."""
    import importlib.util

    loaded = sys.modules.get(top)
    try:
        # (a module may put another object in its place in sys.modules: no __spec__, rt98-07)
        spec = getattr(loaded, "__spec__", None) if loaded is not None else None
        if loaded is None:
            spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return []
    if spec is None:
        return []
    if spec.origin and os.path.isabs(spec.origin):
        found = [spec.origin]
    else:
        found = [os.path.join(p, "") for p in spec.submodule_search_locations or ()]
    # (as found and with links followed: a site folder of links into a store, rt96-01)
    followed = [
        os.path.join(os.path.realpath(p), "") if p.endswith(os.sep) else os.path.realpath(p)
        for p in found
    ]
    return [*found, *followed]
