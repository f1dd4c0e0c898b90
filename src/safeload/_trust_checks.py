"""What a caller may trust (``trusted=``): classes only, none of them a known code-execution
primitive under any name. The checks of a name or object the caller (or, for advice, a file)
names; :mod:`safeload.policy` builds policies with them and re-exports the public ones.
"""

from __future__ import annotations

import functools
import importlib
import importlib.machinery
import sys
import types
from collections.abc import Iterable, Mapping
from typing import Any, Final

from safeload._global_names import CODE_NAMES, format_name, parse_name, runs_code
from safeload._installed import installed_package
from safeload._installed import is_stdlib as is_stdlib

#: What ``trusted=`` accepts: ``"module.Name"``, ``"module:Outer.Inner"``, or the object itself.
TrustedSpec = str | type[Any] | Any

#: Why only classes: the reason a refusal gives.
ONLY_CLASSES: Final = (
    "only classes can be trusted: a pickle calls a trusted name with arguments of the file's "
    "choosing, and a function does whatever it does with them (open or write files, import "
    "modules, load another pickle), while a class builds an instance whose state safeload "
    "checks. A denylist of dangerous functions can never be complete"
)


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


#: The installed distributions whose classes ``trusted=`` may name: scikit-learn's (its
#: estimators and their bases, reviewed through the dispatch table and the red teams; its
#: code modules stay refused). Another installed library's classes are trusted only where a
#: profile reviewed them (``profiles=[...]``).
REVIEWED_DISTRIBUTIONS: Final = frozenset({"scikit-learn"})

#: Why a class of another installed package is refused: the reason a refusal gives.
UNREVIEWED_PACKAGE: Final = (
    "safeload has not reviewed that package, and an installed package's classes may open "
    "files, bind ports, import modules, free native handles or run code when they are built "
    "(red teams 87 to 95 found such classes in more than 15 installed packages: scipy.stats' "
    "distributions execute source text kept in their state). trusted= accepts your own "
    "classes (modules of no installed package, or of one installed with pip install -e), "
    "scikit-learn's, and the classes a library's profile reviewed (profiles=[...]); to trust "
    "a class of your own installed package, pass the class object itself (trusted=[MyClass])"
)


def _unreviewed_package(cls: type, own: frozenset[str]) -> str | None:
    """The installed package, other than scikit-learn and those in ``own``, that ``cls``
    belongs to, or ``None``. (By its module: methods a decorator of another package writes
    into the caller's class, attrs' ``__ne__`` or a deprecation wrapper, are the caller's
    choice, rt96-03.)"""
    package = installed_package(str(getattr(cls, "__module__", "")))
    if package is not None and package not in REVIEWED_DISTRIBUTIONS and package not in own:
        return package
    return None


#: How :func:`never_trustable` begins the reason for a name of an unreviewed installed package.
UNREVIEWED_NAME: Final = "a name of the installed package"


def only_unreviewed(never: Mapping[str, str]) -> bool:
    """Whether every name :func:`never_trustable` found is refused only as a name of an
    unreviewed installed package (the caller's own package, passed as the class, would do)."""
    return all(why.startswith(UNREVIEWED_NAME) for why in never.values())


#: The standard-library classes a trusted class may derive from: bases that hold data or
#: declare interfaces and act on nothing (the builtins' classes are all allowed).
PLAIN_BASES: Final = frozenset(
    {
        ("abc", "ABC"),
        ("typing", "Generic"),
        ("typing", "Protocol"),
        ("enum", "Enum"),
        ("enum", "IntEnum"),
        ("enum", "Flag"),
        ("enum", "IntFlag"),
        ("enum", "ReprEnum"),
        ("enum", "StrEnum"),
        ("collections", "OrderedDict"),
        ("collections", "UserDict"),
        ("collections", "UserList"),
        ("collections", "UserString"),
        ("numbers", "Number"),
        ("numbers", "Complex"),
        ("numbers", "Real"),
        ("numbers", "Rational"),
        ("numbers", "Integral"),
    }
    | {
        ("collections.abc", name)
        for name in (
            "Container Hashable Iterable Iterator Reversible Generator Sized Callable "
            "Collection Set MutableSet Mapping MutableMapping MappingView KeysView ItemsView "
            "ValuesView Sequence MutableSequence ByteString"
        ).split()
    }
)


@functools.lru_cache(maxsize=1)
def _profile_libraries() -> frozenset[str | None]:
    """The installed packages of the libraries the trust profiles cover."""
    from safeload.trust.profiles import PROFILES

    return frozenset(installed_package(p.module) for p in PROFILES.values())


def own_packages(given: Iterable[tuple[str, str]]) -> frozenset[str]:
    """The installed packages the caller named as its own by passing a class of each: not
    by passing a reviewed class, nor a class of a library a profile covers (XGBClassifier
    passed as the object made every xgboost name trustable, DMatrix too: red team 96)."""
    libraries = _profile_libraries()
    found = {
        installed_package(module)
        for module, qualname in given
        if not reviewed_pair((module, qualname))
    }
    return frozenset(p for p in found if p is not None and p not in libraries)


def reviewed_pair(pair: tuple[str, str]) -> bool:
    """Whether ``pair`` is on the default allowlist or a trust profile's list."""
    from safeload.policy import Policy

    return pair in Policy.default().entries or pair in _profile_names()


@functools.lru_cache(maxsize=1)
def _profile_names() -> frozenset[tuple[str, str]]:
    """Every name a trust profile reviewed (the profiles do not change in a run)."""
    from safeload.trust.profiles import PROFILES

    return frozenset().union(*(p.names() for p in PROFILES.values()))


@functools.lru_cache(maxsize=1)
def reviewed_packages() -> frozenset[str]:
    """The installed packages whose names the default allowlist or a profile reviewed
    (scikit-learn, numpy, scipy, joblib, the profile libraries): their classes keep every
    rule written for them, however a caller trusts them."""
    from safeload.policy import Policy

    pairs = set(Policy.default().entries) | set(_profile_names())
    found = {installed_package(module) for module, _name in pairs}
    return frozenset(p for p in found if p is not None)


def _reviewed_class(cls: type) -> bool:
    return reviewed_pair(
        (str(getattr(cls, "__module__", "")), str(getattr(cls, "__qualname__", "")))
    )


def trust_problem(obj: Any, *, own: frozenset[str] = frozenset()) -> str | None:
    """Why the object a trusted name resolves to cannot be trusted, or ``None`` if it can.

    It must be a class (not a function, builtin, method or module), not a class of the
    standard library (those that are safe are on the default allowlist; many others open
    files, sockets or processes when built), neither it nor a base class may be a known
    code-execution primitive, under any name, and none of them may be a class of an
    installed package safeload has not reviewed (:data:`UNREVIEWED_PACKAGE`), other than
    those in ``own``: the packages whose classes the caller passed as class objects
    (:func:`own_packages`), which count as the caller's.
    """
    if not isinstance(obj, type):
        kind = type(obj).__name__
        return f"it is a {kind}, not a class; {ONLY_CLASSES}"
    if is_stdlib(str(getattr(obj, "__module__", ""))):
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
        # a library may give a class the name it exports it under (pandas writes
        # ExcelWriter.__module__ = "pandas"): its methods keep the module that defines them
        for where in _method_modules(cls):
            if runs_code(where, qualname):
                return (
                    f"it is, or derives from, {format_name(module, qualname)}, whose methods "
                    f"are defined in {where}, among the known code-execution primitives (it "
                    "can run code, import modules, open files or start processes)"
                )
    scalar = next((b for b in (int, float, complex, str, bytes) if issubclass(obj, b)), None)
    if scalar is not None:
        # rt107-01, 02, 08: the rules read counts, sizes and names by their exact type (a
        # count is an int, a name template a str) or print them with str(); an own Count(int)
        # as a Gaussian process's n_targets counted 0 (3.2 GB at predict), an own Text(str)
        # name template was not counted, a (str, Enum) member read as "Algo.lasso_cd"
        return (
            f"it derives from {scalar.__name__} (an enum with a {scalar.__name__} mixin "
            "too): safeload's rules read counts, sizes and names by their exact type, and an "
            f"object of a {scalar.__name__} subclass stands where they read one unseen; keep "
            "plain values in a model (or a plain enum.Enum)"
        )
    import numbers

    if issubclass(obj, numbers.Number):
        # rt110-05: a class registered as numbers.Integral (with __index__) passes
        # scikit-learn's Interval(Integral, ...) as the count it stands for, and the rules
        # read about 50 counts by exact type: an own Count(2**22) as RBFSampler's
        # n_components loaded where the int is refused, and transform asked for 3.3 GB
        return (
            "it is registered as a number (numbers.Number): safeload's rules read counts "
            "and sizes by their exact type, and an object that stands for a number where "
            "they read one is unseen; keep plain numbers in a model"
        )
    mixed = _two_reviewed_bases(obj)
    if mixed is not None:
        return mixed
    computed = _computed_state(obj)
    if computed is not None:
        return computed
    # (a reviewed class's bases were reviewed with it: XGBClassifier's XGBModel)
    covered = {base for cls in obj.__mro__ if _reviewed_class(cls) for base in cls.__mro__}
    for cls in obj.__mro__:
        if cls in covered:
            continue
        module = str(getattr(cls, "__module__", ""))
        if is_stdlib(module) and module != "builtins":
            pair = (module, str(getattr(cls, "__qualname__", "")))
            if pair not in PLAIN_BASES:
                return (
                    f"it derives from {format_name(*pair)}, a class of the standard library "
                    "that is not a plain base (its construction may open what its arguments "
                    "name: an own subclass of xml.etree's ElementTree read a path, rt96-09)"
                )
        if module != "builtins" and module not in sys.modules:
            # (an extension type may name a module that does not exist: scipy's uarray
            # types say "uarray", Cython's shared types "_cython_3_x"; whose package it is
            # cannot be told, rt99-05)
            where = format_name(module, str(getattr(cls, "__qualname__", "")))
            which = "it is" if cls is obj else f"it derives from {where},"
            return (
                f"{which} a class whose module, {module}, is not a loaded module: the package "
                "it comes from cannot be told"
            )
        if _compiled_scikit_learn(cls, module):
            where = format_name(module, str(getattr(cls, "__qualname__", "")))
            which = "it is" if cls is obj else f"it derives from {where},"
            return (
                f"{which} a compiled class of scikit-learn that no list reviewed: its internal "
                "Cython helpers read memory their constructor never set when a bare one is "
                "used or pickled (rt99-15), so only the reviewed ones are trusted"
            )
        package = _unreviewed_package(cls, own)
        if package is not None:
            where = format_name(str(cls.__module__), str(cls.__qualname__))
            which = "it is" if cls is obj else f"it derives from {where},"
            return f"{which} a class of the installed package {package}: {UNREVIEWED_PACKAGE}"
        if module != "builtins" and "__del__" in vars(cls):
            where = format_name(module, str(getattr(cls, "__qualname__", "")))
            return (
                f"{where}.__del__ is a finalizer: it runs the class's code on whatever state a "
                "file gave an object of it, whenever the object is dropped, even inside a load "
                "that then refuses the file (rt103-06). Trust a class without one (close "
                "resources with a context manager or weakref.finalize)"
            )
    return None


def _two_reviewed_bases(obj: type) -> str | None:
    """Why ``obj`` cannot be trusted for deriving from two reviewed classes neither of which
    derives from the other (``class ScaledDensity(StandardScaler, KernelDensity)``,
    ``class Record(dict, KernelDensity)``): an object is held to the rules of one reviewed
    class, the first of its MRO (``facts.reviewed_base``), and the other's went unchecked
    (a 200,000-item ``bandwidth_`` asked 3.2 GB at use, rt105-04)."""
    if _reviewed_class(obj):
        return None
    reviewed = [c for c in obj.__mro__ if c is not object and _reviewed_class(c)]
    if not reviewed:
        return None
    first = reviewed[0]
    other = next((c for c in reviewed[1:] if c not in first.__mro__), None)
    if other is None:
        return None
    names = [format_name(str(c.__module__), str(c.__qualname__)) for c in (first, other)]
    return (
        f"it derives from two reviewed classes, {names[0]} and {names[1]}, neither a base of "
        "the other: safeload holds an object to the rules of one reviewed class, so a trusted "
        "class may derive from one line of them only"
    )


def _computed_state(obj: type) -> str | None:
    """Why ``obj`` cannot be trusted for computing, by a descriptor of its own (a property, a
    ``cached_property``), an attribute that the code of its reviewed classes reads from the
    instance and that none of them defines on the class: ``coef_`` as a property over an own
    ``weights_`` (rt107-05). safeload's rules read a reviewed class's state from the
    instance dict, where the name is then missing, while scikit-learn's methods read the
    property: a one-vs-rest of two such Ridges whose ``bias_`` is (1000, 1) was SAFE, loaded,
    and its ``predict`` died of SIGSEGV. A property over a name a reviewed class itself
    computes (``feature_importances_``) stays allowed (rt103-05, rt105-06); so do properties
    under new names no reviewed code reads."""
    if _reviewed_class(obj):
        return None
    reviewed = [c for c in obj.__mro__ if c is not object and _reviewed_class(c)]
    if not reviewed:
        return None
    covered = {base for c in reviewed for base in c.__mro__}
    read: set[str] = set()
    for c in covered:
        if c is not object:
            read |= names_read(c)
    for cls in obj.__mro__:
        if cls in covered:
            continue
        for hook in ("__getattr__", "__getattribute__"):
            if hook in vars(cls):
                # (an own __getattr__ answering coef_ from weights_ is the same alias, and
                # answers any name: rt109-02)
                where = format_name(str(cls.__module__), str(cls.__qualname__))
                return (
                    f"{where} defines {hook}, which may answer attributes the code of its "
                    "scikit-learn base reads from the instance: safeload checks them where "
                    "the base keeps them, in the instance's state, and would not see the "
                    "values its methods use"
                )
        for name, value in vars(cls).items():
            if name.startswith("__") and name.endswith("__"):
                continue
            if isinstance(value, (types.FunctionType, classmethod, staticmethod)):
                continue
            if not hasattr(type(value), "__get__") or name not in read:
                continue
            if any(name in vars(base) for base in covered):
                continue
            where = format_name(str(cls.__module__), str(cls.__qualname__))
            return (
                f"{where} computes {name}, which the code of its scikit-learn base reads from "
                f"the instance, as a {type(value).__name__}: safeload checks that attribute "
                "where the base keeps it, in the instance's state, and would not see the "
                "value its methods use. Store it under that name instead"
            )
    return None


@functools.lru_cache(maxsize=512)
def names_read(cls: type) -> frozenset[str]:
    """The attribute and global names the code defined on ``cls`` (its functions, properties,
    class and static methods, and the functions nested in them) mentions: what its methods
    may read from an instance."""
    names: set[str] = set()
    todo: list[Any] = []
    for value in vars(cls).values():
        for part in (value, getattr(value, "__func__", None), getattr(value, "func", None)):
            if part is not None:
                todo.append(getattr(part, "__wrapped__", part))
        if isinstance(value, property):
            todo.extend(f for f in (value.fget, value.fset, value.fdel) if f is not None)
    seen: set[int] = set()
    while todo:
        item = todo.pop()
        code = getattr(item, "__code__", item)
        if not isinstance(code, types.CodeType) or id(code) in seen:
            continue
        seen.add(id(code))
        names.update(code.co_names)
        todo.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
    return frozenset(names)


def _compiled_scikit_learn(cls: type, module: str) -> bool:
    """Whether ``cls`` is a class of scikit-learn defined in a compiled (extension) module."""
    if not module.startswith("sklearn.") or installed_package(module) != "scikit-learn":
        return False
    spec = getattr(sys.modules.get(module), "__spec__", None)
    origin = str(getattr(spec, "origin", "") or "")
    return origin.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


def _method_modules(cls: type) -> set[str]:
    """The modules that define the functions in ``cls``'s own namespace (its methods, static
    and class methods), other than the module its ``__module__`` names."""
    own = str(getattr(cls, "__module__", ""))
    found: set[str] = set()
    for value in list(vars(cls).values()):
        func = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
        if isinstance(func, types.FunctionType):
            where = func.__module__
            if isinstance(where, str) and where != own:
                found.add(where)
    return found


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
        if is_stdlib(module):
            # known without importing it: trust_problem refuses every standard-library class
            # and every function, so a standard-library name is never trustable (advice to
            # trust antigravity.geohash imported it, and its import opened a browser, rt87-06)
            never[name] = (
                "a name of the Python standard library that is not on the default allowlist: "
                "trusted= refuses every such name (many open files, sockets or processes)"
            )
            continue
        package = installed_package(module, look=False)
        if package is not None and package not in REVIEWED_DISTRIBUTIONS:
            if not reviewed_pair((module, qualname)):
                # known without importing it (the installed packages' metadata)
                never[name] = (
                    f"{UNREVIEWED_NAME} {package}, which safeload has not "
                    "reviewed: trusted= refuses such names (their classes may open files, "
                    "bind ports or run code when built); only if the package is your own, "
                    "pass the class object itself from Python (trusted=[TheClass])"
                )
                continue
        obj = imported_object(module, qualname)
        if obj is not None and not (isinstance(obj, type) and _native_base(obj)):
            # (a native-model class is trusted through its profile: advice names that)
            problem = trust_problem(obj)
            if problem is not None:
                never[name] = problem
    return never


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
