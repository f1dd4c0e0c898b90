"""The allowlist: which globals a pickle or joblib stream may resolve, and the resource limits.

Entries are exact ``(module, qualname)`` pairs, each with a one-line reason. There are no
prefixes, wildcards or "trust everything" switches: a name is trusted only if that exact pair is
listed. A dotted qualname (``"Outer.Inner"``) is trusted only if that dotted qualname itself is
listed; safeload never walks attributes from a trusted module to reach something else.
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, Final

from safeload.exceptions import UsageError

__all__ = [
    "Limits",
    "Policy",
    "TrustedSpec",
    "format_name",
    "name_runs_code",
    "never_trustable",
    "parse_name",
    "reviewed",
    "runs_code",
    "trust_problem",
]

#: What ``trusted=`` accepts: ``"module.Name"``, ``"module:Outer.Inner"``, or the object itself.
TrustedSpec = str | type[Any] | Any


def format_name(module: str, qualname: str) -> str:
    """Render a global as ``module.qualname`` (or ``module:qualname`` when the qualname is dotted).

    The colon form keeps nested names unambiguous, and is accepted back by :func:`parse_name`.
    """
    return f"{module}:{qualname}" if "." in qualname else f"{module}.{qualname}"


def parse_name(spec: str) -> tuple[str, str]:
    """Split ``"pkg.mod.Name"`` or ``"pkg.mod:Outer.Inner"`` into ``(module, qualname)``."""
    spec = spec.strip()
    if ":" in spec:
        module, _, qualname = spec.partition(":")
    else:
        module, _, qualname = spec.rpartition(".")
    parts = [*module.split("."), *qualname.split(".")]
    if not module or not qualname or not all(p.isidentifier() for p in parts):
        raise ValueError(
            f"not a global name: {spec!r}; write 'package.module.Name' or "
            "'package.module:Outer.Inner'"
        )
    if "*" in spec:  # pragma: no cover - isidentifier() already refuses it
        raise ValueError("wildcards are not supported")
    return module, qualname


# --- known code-execution primitives: never trusted, never offered as advice -----------------

#: Modules every name of which (and of their submodules) can run code, import or evaluate,
#: deserialize again, touch files, sockets or processes, or walk to something that does.
CODE_MODULES: Final = frozenset(
    {
        "os", "posix", "nt", "subprocess", "_posixsubprocess", "_winapi", "pty", "sys",
        "runpy", "importlib", "pkgutil", "pydoc", "imp", "zipimport",
        "pickle", "_pickle", "marshal", "shelve", "dill", "cloudpickle", "copy_reg",
        "ctypes", "_ctypes", "cffi", "types",
        "code", "codeop", "cProfile", "profile", "pdb", "bdb", "trace", "timeit", "doctest",
        "idlelib", "lib2to3", "ensurepip", "pip", "setuptools", "distutils",
        "operator", "_operator", "inspect", "gc", "signal", "_thread", "threading",
        "multiprocessing", "concurrent", "asyncio", "_asyncio",
        "uuid", "_osx_support", "_aix_support", "platform", "webbrowser",
        "io", "_io", "pathlib", "shutil", "tempfile", "glob", "fileinput", "zipfile", "tarfile",
        "socket", "_socket", "ssl", "_ssl", "http", "urllib", "ftplib", "smtplib", "imaplib",
        "poplib", "telnetlib", "xmlrpc", "logging", "test", "unittest", "venv", "sqlite3",
        "joblib.numpy_pickle_compat", "numpy.testing", "numpy.f2py", "numpy.distutils",
        "sklearn.utils._testing", "sklearn.datasets", "torch", "tensorflow", "keras",
        # import machinery, compilers, files and processes reached by other names (rt14 f05)
        "_frozen_importlib", "_frozen_importlib_external", "_imp", "site", "py_compile",
        "compileall", "zipapp", "linecache", "codecs", "_pyio", "gzip", "bz2", "lzma", "mmap",
        "dbm", "readline", "fcntl", "resource", "atexit", "mailbox", "wave", "aifc", "sunau",
        "socketserver", "wsgiref", "nntplib", "tkinter", "modulefinder",
        "numpy.lib.npyio", "numpy.lib._npyio_impl", "numpy.lib.format", "numpy.lib._format_impl",
        "numpy.lib._datasource", "numpy.ctypeslib", "numpy._core.memmap", "numpy.core.memmap",
        "scipy.io", "scipy.sparse._matrix_io", "pandas.io", "pandas.core.computation",
        "joblib.memory", "joblib.parallel", "joblib._parallel_backends", "joblib.pool",
        "joblib._store_backends", "joblib.executor", "joblib._memmapping_reducer",
        "sklearn.utils.estimator_checks", "sklearn.utils.parallel",
    }
)  # fmt: skip
#: Single names outside those modules that do any of the same.
CODE_NAMES: Final = frozenset(
    {
        *(
            (builtins, name)
            for builtins in ("builtins", "__builtin__", "__builtins__")
            for name in (
                "eval", "exec", "compile", "open", "__import__", "getattr", "setattr",
                "delattr", "input", "breakpoint", "exit", "quit", "help", "vars", "globals",
                "locals", "dir", "type", "memoryview", "execfile", "file",
                "reload", "__loader__", "__spec__",
            )
        ),
        ("functools", "reduce"),
        ("copyreg", "__newobj_ex__"),
        ("joblib", "load"),
        ("joblib.numpy_pickle", "load"),
        ("numpy", "load"),
        ("numpy", "save"),
        ("numpy", "savez"),
        ("numpy", "memmap"),
        ("numpy", "fromfile"),
        ("numpy", "loadtxt"),
        ("numpy", "genfromtxt"),
        ("numpy", "frombuffer"),
        ("numpy", "DataSource"),
        ("numpy", "savetxt"),
        ("numpy", "savez_compressed"),
        ("numpy", "open_memmap"),
        ("joblib", "dump"),
        ("joblib", "Memory"),
        ("joblib", "Parallel"),
        ("pandas", "eval"),
        ("pandas", "read_parquet"),
        ("pandas", "read_excel"),
        ("numpy.lib.npyio", "load"),
        ("numpy.core", "_ufunc_reconstruct"),
        ("scipy.io", "loadmat"),
        ("pandas", "read_csv"),
        ("pandas", "read_pickle"),
        ("pandas.io.pickle", "read_pickle"),
        # native code driven by stored values, or stored Python callables (tests/test_policy.py)
        ("sklearn.cluster._kmeans", "_kmeans_single_lloyd"),
        ("sklearn.metrics._dist_metrics", "PyFuncDistance64"),
    }
)  # fmt: skip
#: Qualname parts that walk from wherever they start to the interpreter's internals.
_CODE_ATTRIBUTES: Final = frozenset(
    {
        "os", "sys", "subprocess", "builtins", "__builtins__", "__globals__", "__code__",
        "__import__", "__subclasses__", "__dict__", "__class__", "__bases__", "__mro__",
        "__getattribute__", "__reduce__", "__reduce_ex__", "__loader__", "__spec__",
        "__func__", "__self__",
    }
)  # fmt: skip


#: Exact names inside ``CODE_MODULES`` that were reviewed as inert data types (the default
#: allowlist's reasons say why). Only these: the rest of each module stays a primitive.
INERT_NAMES: Final = frozenset(
    {
        ("uuid", "UUID"),
        ("pathlib", "PurePosixPath"),
        ("pathlib", "PureWindowsPath"),
        ("pathlib._local", "PurePosixPath"),
        ("pathlib._local", "PureWindowsPath"),
    }
)


def runs_code(module: str, qualname: str) -> bool:
    """True if ``module.qualname`` is a known code-execution primitive: it can run code, import
    or evaluate, deserialize again, open files or start processes, or its qualname walks to
    something that can. Such a name is never trusted, whatever the caller asks."""
    if (module, qualname) in INERT_NAMES:
        return False
    if (module, qualname) in CODE_NAMES:
        return True
    parts = module.split(".")
    for i in range(1, len(parts) + 1):
        if ".".join(parts[:i]) in CODE_MODULES:
            return True
    return any(part in _CODE_ATTRIBUTES for part in qualname.split("."))


def name_runs_code(name: str) -> bool:
    """:func:`runs_code` for a name as written in reports (``module.Name`` / ``module:Q.N``)."""
    module, _, qualname = name.partition(":") if ":" in name else name.rpartition(".")
    return runs_code(module, qualname)


# --- what a caller may trust: classes only --------------------------------------------------

#: Why only classes: the reason a refusal gives.
ONLY_CLASSES: Final = (
    "only classes can be trusted: a pickle calls a trusted name with arguments of the file's "
    "choosing, and a function does whatever it does with them (open or write files, import "
    "modules, load another pickle), while a class builds an instance whose state safeload "
    "checks. A denylist of dangerous functions can never be complete"
)


def reviewed(module: str, qualname: str) -> bool:
    """True if the pair is on the default allowlist: reviewed, with a reason, functions
    included. Any other name a policy holds must be a class (see :func:`trust_problem`)."""
    return (module, qualname) in Policy.default().entries


def _denied_objects() -> list[Any]:
    """The objects of ``CODE_NAMES`` whose modules are already imported (no import here): a
    trusted name that is one of them under another name (``numpy._core.memmap.memmap`` is
    ``numpy.memmap``) is refused like the name itself."""
    found = []
    for module, qualname in CODE_NAMES:
        mod = sys.modules.get(module)
        obj = vars(mod).get(qualname) if mod is not None else None
        if obj is not None:
            found.append(obj)
    return found


def trust_problem(obj: Any) -> str | None:
    """Why the object a trusted name resolves to cannot be trusted, or ``None`` if it can.

    It must be a class (not a function, builtin, method or module), not a class of the
    standard library (those that are safe are on the default allowlist; many others open
    files, sockets or processes when built), and neither it nor a base class may be a known
    code-execution primitive, under any name.
    """
    if not isinstance(obj, type):
        kind = type(obj).__name__
        return f"it is a {kind}, not a class; {ONLY_CLASSES}"
    top = str(getattr(obj, "__module__", "")).partition(".")[0]
    if top in sys.stdlib_module_names:
        return (
            f"it is a class of the Python standard library ({obj.__module__}."
            f"{obj.__qualname__}) that is not on the default allowlist; many such classes open "
            "files, sockets or processes when they are built. Ask for it to be reviewed"
        )
    native = _native_base(obj)
    if native is not None:
        return (
            f"it is, or derives from, {native}, whose __setstate__ hands a model blob to "
            "native code and whose constructor reads model files named by its arguments: such "
            "a class is trusted only through its trust profile (profiles=[...]), which checks "
            "how the file makes it (r15-09)"
        )
    denied = _denied_objects()
    for cls in obj.__mro__:
        module = str(getattr(cls, "__module__", ""))
        qualname = str(getattr(cls, "__qualname__", ""))
        if runs_code(module, qualname) or any(cls is d for d in denied):
            return (
                f"it is, or derives from, {format_name(module, qualname)}, a known "
                "code-execution primitive (it can run code, import modules, open files or "
                "start processes)"
            )
    return None


def _native_base(obj: type) -> str | None:
    """The native-model class (xgboost, LightGBM, CatBoost) ``obj`` is or derives from, under
    whatever name it was reached, or ``None``."""
    from safeload.trust.profiles import NATIVE_STATES

    for cls in obj.__mro__:
        pair = (str(getattr(cls, "__module__", "")), str(getattr(cls, "__qualname__", "")))
        if pair in NATIVE_STATES:
            return format_name(*pair)
    return None


def never_trustable(names: list[str]) -> dict[str, str]:
    """The names among ``names`` that ``trusted=`` would refuse (a function, a standard
    library class, a code primitive under another name), each with why: advice to trust them
    is never given. Only names whose modules are already imported are looked at, and nothing
    is imported or run for it (the file chose the names); the rest are checked if and when a
    caller trusts them."""
    never: dict[str, str] = {}
    for name in names:
        module, _, qualname = name.partition(":") if ":" in name else name.rpartition(".")
        obj = imported_object(module, qualname)
        if obj is not None and not (isinstance(obj, type) and _native_base(obj)):
            # (a native-model class is trusted through its profile: advice names that)
            problem = trust_problem(obj)
            if problem is not None:
                never[name] = problem
    return never


def _spec_to_pair(spec: TrustedSpec) -> tuple[str, str]:
    pair = _spec_pair(spec)
    if runs_code(*pair):
        raise UsageError(
            f"refusing to trust {format_name(*pair)}: it is a known code-execution primitive "
            "(it can run code, import modules, open files or start processes). A file that "
            "refers to it tries to run code: do not load that file."
        )
    if reviewed(*pair):
        return pair
    if isinstance(spec, str):
        try:
            obj = _import_name(*pair)
        except Exception:  # not importable here: checked when a load resolves it
            return pair
    else:
        obj = spec
    problem = trust_problem(obj)
    if problem is not None:
        raise UsageError(f"refusing to trust {format_name(*pair)}: {problem}.")
    return pair


def _import_name(module: str, qualname: str) -> Any:
    """What a load would resolve the caller's name to (the caller chose it, so importing its
    module here is what the load would do anyway)."""
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def imported_object(module: str, qualname: str) -> Any:
    """The object ``module.qualname`` names if its module is already imported, else ``None``.

    For advice on a name a *file* chose: nothing is imported, and only plain attribute values
    are read (``vars``), so no module ``__getattr__`` or descriptor runs."""
    obj: Any = sys.modules.get(module)
    for part in qualname.split("."):
        if obj is None:
            return None
        try:
            obj = vars(obj).get(part)
        except TypeError:
            return None
    return obj


def _spec_pair(spec: TrustedSpec) -> tuple[str, str]:
    if spec is True or spec is False or spec is None:
        raise TypeError(
            f"trusted={spec!r} is not supported: safeload has no 'trust everything' switch. "
            "List the exact names to trust, e.g. trusted=['mypkg.MyTransformer']."
        )
    if isinstance(spec, str):
        return parse_name(spec)
    module = getattr(spec, "__module__", None)
    qualname = getattr(spec, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str) or "<locals>" in qualname:
        raise TypeError(
            f"cannot trust {spec!r}: pass a module-level class, or its name as 'module.Name'"
        )
    return module, qualname


@dataclass(frozen=True)
class Limits:
    """Resource limits for reading one artifact. Exceeding any raises ``LimitExceededError``.

    The defaults fit scikit-learn models of many gigabytes; lower them for untrusted input.
    """

    #: Largest artifact file read from disk, in bytes.
    max_file_size: int = 32 * 2**30
    #: Largest decompressed joblib stream, in bytes (decompression bombs).
    max_decompressed_size: int = 32 * 2**30
    #: Deepest container nesting the stream may build.
    max_depth: int = 1000
    #: Most opcodes in one stream.
    max_opcodes: int = 200_000_000
    #: Largest single length a stream may claim (strings, bytes, arrays), in bytes.
    max_item_size: int = 32 * 2**30

    def __post_init__(self) -> None:
        # A negative or non-integer limit would make every comparison meaningless (``-1``
        # refuses everything, ``float("inf")`` or ``None`` breaks the checks): refuse it here,
        # where the caller made it, rather than at the first load.
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise UsageError(
                    f"Limits({f.name}={value!r}): every limit is a positive whole number "
                    f"(the default is {f.default})"
                )


@dataclass(frozen=True)
class Policy:
    """An exact allowlist of globals, each ``(module, qualname)`` mapped to the reason it is safe.

    Build one with :meth:`default` and :meth:`with_trusted`; a ``Policy`` is immutable and can be
    shared between threads.
    """

    entries: Mapping[tuple[str, str], str] = field(default_factory=dict)
    #: The trust profiles this policy includes (:meth:`with_profiles`); their names are
    #: reviewed like the default's, so functions among them may be trusted.
    profiles: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "entries", MappingProxyType(dict(self.entries)))
        object.__setattr__(self, "profiles", tuple(self.profiles))

    def with_profiles(self, names: Iterable[str]) -> Policy:
        """Return a copy that also trusts every name of the given trust profiles (and of the
        profiles they require), each with the profile's reason.

        Raises :class:`~safeload.UsageError` for an unknown profile name; ``safeload
        profiles`` lists the known ones and what each trusts.
        """
        from safeload.trust.profiles import resolve_profiles

        found = resolve_profiles(names)
        new = dict(self.entries)
        for profile in found:
            for module, qualname, reason in profile.entries:
                new.setdefault((module, qualname), f"[profile {profile.name}] {reason}")
        added = tuple(p.name for p in found if p.name not in self.profiles)
        return Policy(new, (*self.profiles, *added))

    def reviewed(self, module: str, qualname: str) -> bool:
        """True if the pair is on the default allowlist or in one of this policy's profiles:
        reviewed with a reason, so it may be a function (any other name must be a class)."""
        if reviewed(module, qualname):
            return True
        if not self.profiles or (module, qualname) not in self.entries:
            return False
        from safeload.trust.profiles import PROFILES

        return any((module, qualname) in PROFILES[name].names() for name in self.profiles)

    @classmethod
    def default(cls) -> Policy:
        """The built-in allowlist: scikit-learn estimators and their internals, numpy, scipy
        sparse matrices, harmless builtins. Built once, on first use."""
        return _default_policy()

    @classmethod
    def empty(cls) -> Policy:
        """A policy that trusts nothing (every global is refused)."""
        return cls({})

    def with_trusted(
        self, trusted: Iterable[TrustedSpec], reason: str = "trusted by caller"
    ) -> Policy:
        """Return a copy that also trusts each name or object in ``trusted``.

        Accepts ``"module.Name"``, ``"module:Outer.Inner"`` or the class itself. Refuses ``True``,
        anything that is not one exact name, and (``UsageError``) a name that resolves to
        anything but a class, or to a class :func:`trust_problem` refuses; a name that cannot be
        imported yet is checked when a load resolves it.
        """
        specs: list[Any] = [trusted] if isinstance(trusted, (str, bytes, bool)) else list(trusted)
        new = dict(self.entries)
        for spec in specs:
            new.setdefault(_spec_to_pair(spec), reason)
        return Policy(new, self.profiles)

    def allows(self, module: str, qualname: str) -> bool:
        """True if exactly ``module`` / ``qualname`` is on the list."""
        return (module, qualname) in self.entries

    def reason(self, module: str, qualname: str) -> str | None:
        """The reason recorded for an entry, or ``None`` if it is not trusted."""
        return self.entries.get((module, qualname))

    def __contains__(self, name: object) -> bool:
        if isinstance(name, tuple) and len(name) == 2:
            return name in self.entries
        if isinstance(name, str):
            try:
                return parse_name(name) in self.entries
            except ValueError:
                return False
        return False

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(sorted(self.entries))

    def __len__(self) -> int:
        return len(self.entries)


_lock = threading.Lock()
_default: Policy | None = None


def _default_policy() -> Policy:
    global _default
    with _lock:
        if _default is None:
            from safeload._allowlist import default_entries

            _default = Policy(default_entries())
        return _default


def resolve_policy(
    policy: Policy | None, trusted: Iterable[TrustedSpec], profiles: Iterable[str] = ()
) -> Policy:
    """The policy a load runs under: ``policy`` (or the default) plus the names of the trust
    ``profiles`` plus ``trusted``."""
    from safeload.trust.profiles import resolve_profiles

    specs: list[Any] = [trusted] if isinstance(trusted, (str, bytes, bool)) else list(trusted)
    wanted = [p.name for p in resolve_profiles(profiles)]  # usage errors before any work
    for spec in specs:
        _spec_to_pair(spec)  # validates before the (lazy) default list is built
    base = policy if policy is not None else Policy.default()
    if wanted:
        base = base.with_profiles(wanted)
    return base.with_trusted(specs) if specs else base
