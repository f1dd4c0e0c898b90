"""What the static pass needs to know about trusted classes, without importing them.

``safeload scan`` applies the use-time rules (:mod:`safeload.trust.static`) and the native
checks (:mod:`safeload.trust.shadow`) to the classes a stream names. Importing those classes to
read their MRO, their ``_parameter_constraints`` and their attribute names costs seconds
(``sklearn.linear_model`` pulls in ``scipy.stats``), far more than the scan itself. The facts
are plain data, generated from the installed libraries (:mod:`safeload.trust._gen_facts`) into
:mod:`safeload.trust._sklearn_facts`, and used only when every library they describe is
installed at exactly the version they were generated from; otherwise the pass imports the
classes as before.

The data can only ever *clear* a stream. Whatever it cannot answer exactly (a class or a base
name it does not hold, a constraint it does not express, an attribute the class defines that a
check reads) raises :class:`NeedsImport`, and any refusal found with the data is found again
with the real classes: the pass then runs the way it did before this module existed, so a
refusal, and its message, are always the real classes' (``tests/test_facts.py`` holds the data
equal to the installed libraries and the constraint checker equal to scikit-learn's).
"""

from __future__ import annotations

import functools
import math
import os
import sys
import threading
from collections.abc import Iterable
from typing import Any

__all__ = [
    "ClassFacts",
    "NeedsImport",
    "data_available",
    "facts_for",
    "installed_version",
    "params_valid",
]


#: Set when a :class:`NeedsImport` is raised in this thread, so that a caller that swallowed
#: it on the way still knows the data could not answer (see :func:`take_needs_import`).
_RAISED = threading.local()


class NeedsImport(Exception):
    """The shipped facts cannot answer a question exactly: the pass must import the class."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        _RAISED.flag = True


def take_needs_import() -> bool:
    """Whether a :class:`NeedsImport` was raised in this thread since the last call."""
    raised: bool = getattr(_RAISED, "flag", False)
    _RAISED.flag = False
    return raised


class ClassFacts:
    """The facts about one trusted class that the static pass reads (a stand-in for the class;
    never a class itself, so nothing of it can run)."""

    __slots__ = (
        "_constraints",
        "_defined",
        "_plain_params",
        "aliases",
        "bases",
        "fields",
        "has_dict",
        "has_setstate",
        "module",
        "mro",
        "mro_set",
        "name",
        "plain_meta",
        "qualname",
        "setstate_owner",
    )

    module: str
    qualname: str
    name: str
    has_dict: bool
    has_setstate: bool
    setstate_owner: str
    plain_meta: bool

    def __init__(self, row: list[Any], pool: dict[str, list[str]]) -> None:
        (
            self.module,
            self.qualname,
            self.name,
            mro,
            bases,
            aliases,
            self.has_dict,
            self.has_setstate,
            self.setstate_owner,
            fields,
            plain_params,
            self._constraints,
            self.plain_meta,
        ) = row
        self.mro: tuple[str, ...] = tuple(mro)
        self.mro_set: frozenset[str] = frozenset(self.mro)
        self.bases: frozenset[str] = frozenset(bases)
        self.aliases: frozenset[str] = frozenset(aliases)
        self.fields: tuple[str, ...] | None = None if fields is None else tuple(fields)
        self._plain_params: frozenset[str] = frozenset(plain_params)
        defined: set[str] = set()
        for base in self.mro:
            defined.update(pool[base])
        self._defined: frozenset[str] = frozenset(defined)

    def __repr__(self) -> str:
        return f"<facts of {self.module}.{self.qualname}>"

    @property
    def defined(self) -> frozenset[str]:
        """Every name ``vars()`` of a class in the MRO holds (what ``getattr_static`` finds)."""
        return self._defined

    @property
    def class_names(self) -> frozenset[str]:
        """``classes.class_names`` before the profiles' instance defaults are taken out."""
        return self._defined - self._plain_params

    @property
    def constraints(self) -> dict[str, Any] | None:
        """The class's ``_parameter_constraints`` as data (``None``: not an estimator with a
        constraint dict); a parameter whose constraints the data cannot express maps to
        ``None``."""
        found: dict[str, Any] | None = self._constraints
        return found

    def is_a(self, name: str) -> bool:
        """``issubclass(cls, <the class 'module:qualname' names>)``, for names the data knows."""
        if name not in _known():
            raise NeedsImport(f"{name} is not among the names the facts were generated for")
        return name in self.bases


# --- the shipped data, and whether it may be used ---------------------------------------------


@functools.lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    import json

    from safeload.trust import _sklearn_facts

    data: dict[str, Any] = json.loads(_sklearn_facts.DATA)
    return data


@functools.lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(_data()["KNOWN"])


def installed_version(distribution: str, package: str) -> str | None:
    """The version of ``distribution`` whose files are the importable ``package``, read from
    its ``.dist-info`` next to the package, without importing it (nor ``importlib.metadata``,
    which costs more than a scan). ``None`` when that cannot be said for sure: the package is
    not found, is not a directory in a site directory, or has no or several ``.dist-info``."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not spec.submodule_search_locations:
        return None
    site = os.path.dirname(os.path.dirname(os.path.abspath(spec.origin)))
    prefix = distribution.replace("-", "_").lower() + "-"
    try:
        names = [
            n for n in os.listdir(site) if n.endswith(".dist-info") and n.lower().startswith(prefix)
        ]
    except OSError:
        return None
    if len(names) != 1:
        return None
    try:
        with open(os.path.join(site, names[0], "METADATA"), encoding="utf-8") as f:
            for line in f:
                if line.startswith("Version:"):
                    return line.partition(":")[2].strip()
                if not line.strip():
                    break
    except OSError:
        return None
    return None


def _python_version() -> str:
    return f"{sys.implementation.name}-{sys.version_info[0]}.{sys.version_info[1]}"


_LOCK = threading.Lock()
_AVAILABLE: list[bool] = []


def data_available() -> bool:
    """Whether the shipped facts describe the installed libraries: every one of them at the
    version the facts were generated from, and the same Python. Checked once per process."""
    if _AVAILABLE:
        return _AVAILABLE[0]
    with _LOCK:
        if not _AVAILABLE:
            _AVAILABLE.append(_check_versions())
    return _AVAILABLE[0]


def _code_print(code: Any, into: Any) -> None:
    into.update(code.co_code)
    into.update(repr(code.co_names).encode())
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            _code_print(const, into)
        else:
            into.update(repr(const).encode())


def code_fingerprint() -> str:
    """A digest of safeload's own code that the facts were computed with (which native checks
    exist, which class names a state key may not hide, which classes have constraints): if a
    change to it is not followed by a new table, the facts are not used."""
    import hashlib

    from safeload import validate
    from safeload.trust import classes
    from safeload.trust.structures import values

    digest = hashlib.sha256()
    for fn in (
        validate._validators,
        values.metadata_validators,
        classes.class_names,
        classes.init_parameters,
        classes.constraints_of,
    ):
        _code_print(fn.__code__, digest)
    # the table of native checks is data, not code: a row added without new facts would let
    # the facts clear a class whose check they do not know
    for module, names, check in validate._CHECKED_KINDS:
        digest.update(repr((module, names, check.__name__)).encode())
    # so is the set of default types class_names lets an instance shadow (rt23, a note)
    digest.update(repr(sorted(t.__name__ for t in classes.PLAIN_DEFAULTS)).encode())
    return digest.hexdigest()


def _check_versions() -> bool:
    try:
        data = _data()
        if data["PYTHON"] != _python_version() or data["CODE"] != code_fingerprint():
            return False
        return all(
            installed_version(dist, package) == version
            for dist, package, version in data["SOURCES"]
        )
    except Exception:  # unreadable facts: the classes are imported, as without them
        return False


_FACTS: dict[tuple[str, str], ClassFacts | None] = {}


def facts_for(module: str, qualname: str) -> ClassFacts | None:
    """The facts about the class ``module.qualname`` names, ``None`` when it names something
    that is not a class. Raises :class:`NeedsImport` for a name the data does not hold."""
    pair = (module, qualname)
    if pair in _FACTS:
        return _FACTS[pair]
    data = _data()
    try:
        row = data["CLASSES"][f"{module}:{qualname}"]
    except KeyError:
        raise NeedsImport(f"{module}.{qualname} is not in the facts") from None
    found = None if row is None else ClassFacts(row, data["VARS"])
    _FACTS[pair] = found
    return found


def check_kinds() -> tuple[tuple[str, str], ...]:
    """The native checks of :func:`safeload.validate._validators` as ``(class name, check
    function name)``, in order."""
    return tuple((name, check) for name, check in _data()["CHECK_KINDS"])


# --- scikit-learn's parameter constraints, as data ---------------------------------------------

#: The values the static pass holds literal parameters as (``literal_state.state_problem`` judges
#: exactly these types).
ATOM_TYPES: tuple[type, ...] = (bool, int, float, str, type(None))


def _satisfied(constraint: Any, value: Any) -> bool:
    """One encoded constraint on an atom (see :mod:`safeload.trust._gen_facts` for the forms,
    each the same test as the scikit-learn constraint it was made from)."""
    tag = constraint[0]
    kind = type(value).__name__
    if tag == "type":  # _InstancesOf, None, array-like, callable, HasMethods...: the type decides
        return kind in constraint[1]
    if tag == "interval":  # Interval(type, left, right, closed)
        _tag, kinds, left, right, closed = constraint
        if kind not in kinds:
            return False
        if kind == "float" and math.isnan(value):
            return False
        low = -math.inf if left is None else left
        high = math.inf if right is None else right
        if (value < low) if closed in ("left", "both") else (value <= low):
            return False
        return not ((value > high) if closed in ("right", "both") else (value >= high))
    if tag == "options":  # Options(type, options), StrOptions
        return kind in constraint[1] and value in frozenset(constraint[2])
    if tag == "nan":  # not Integral, Real, and nan
        return kind == "float" and math.isnan(value)
    if tag == "any":  # _RandomStates, _Booleans, _VerboseHelper, MissingValues, _CVObjects
        return any(_satisfied(c, value) for c in constraint[1])
    raise NeedsImport(f"constraint form {tag!r}")  # pragma: no cover - generated forms only


def params_valid(constraints: dict[str, Any], values: dict[str, Any]) -> bool:
    """``validate_parameter_constraints(constraints, values)`` does not raise, for atom
    values (``bool``, ``int``, ``float``, ``str``, ``None``, exactly). Raises
    :class:`NeedsImport` for a value or a parameter the data cannot judge."""
    for name, value in values.items():
        if name not in constraints:
            continue
        if type(value) not in ATOM_TYPES:
            raise NeedsImport(f"a {type(value).__name__} value for {name}")
        encoded = constraints[name]
        if encoded is None:
            raise NeedsImport(f"the constraints of {name}")
        if encoded == "no_validation":
            continue
        if not any(_satisfied(c, value) for c in encoded):
            return False
    return True


def names_in(names: Iterable[str | None]) -> tuple[str, ...]:
    """The ``'module:qualname'`` entries of a dispatch row's values (``None`` left out)."""
    return tuple(n for n in names if n is not None)


# --- the questions the static pass asks, of a class or of its facts ---------------------------
#
# Each function takes what :func:`safeload.trust.static` holds for a trusted name: the class
# itself (the import path, answered exactly as before) or its :class:`ClassFacts`.

_KERNEL = "sklearn.gaussian_process.kernels:Kernel"
_SEARCH = "sklearn.model_selection._search:BaseSearchCV"
_ESTIMATOR = "sklearn.base:BaseEstimator"
_ESTIMATOR_LIKE = "sklearn.calibration:_CalibratedClassifier"
_SCORERS = (
    "sklearn.metrics._scorer:_BaseScorer",
    "sklearn.metrics._scorer:_PassthroughScorer",
    "sklearn.metrics._scorer:_MultimetricScorer",
)
_CONTAINERS = ("builtins:dict", "builtins:list", "builtins:tuple")


def has_dict(cls: Any) -> bool:
    """Whether instances have a ``__dict__`` (``__dictoffset__`` is not 0)."""
    if isinstance(cls, ClassFacts):
        return cls.has_dict
    return getattr(cls, "__dictoffset__", 0) != 0


def qualname(cls: Any) -> str:
    """``cls.__qualname__``."""
    if isinstance(cls, ClassFacts):
        return cls.qualname
    name: str = cls.__qualname__
    return name


def short_name(cls: Any) -> str:
    """``cls.__name__``."""
    if isinstance(cls, ClassFacts):
        return cls.name
    name: str = cls.__name__
    return name


def fields(cls: Any) -> tuple[str, ...] | None:
    """A named tuple's ``_fields``, ``None`` for other classes."""
    if isinstance(cls, ClassFacts):
        return cls.fields
    found = getattr(cls, "_fields", None)
    return found if isinstance(found, tuple) else None


def has_setstate(cls: Any) -> bool:
    """Whether the class (or a base) defines ``__setstate__``."""
    if isinstance(cls, ClassFacts):
        return cls.has_setstate
    return getattr(cls, "__setstate__", None) is not None


def constraint_names(cls: Any) -> frozenset[str]:
    """The parameters the class holds to ``_parameter_constraints``."""
    if isinstance(cls, ClassFacts):
        return frozenset(cls.constraints or ())
    from safeload.trust.classes import constraints_of

    return frozenset(constraints_of(cls) or ())


def setstate_owner(cls: Any) -> str:
    """``module.qualname`` of the class whose ``__setstate__`` instances use
    (``builtins.object`` when no class in the MRO defines one)."""
    if isinstance(cls, ClassFacts):
        return cls.setstate_owner
    owner = next((k for k in cls.__mro__ if "__setstate__" in vars(k)), object)
    return f"{owner.__module__}.{owner.__qualname__}"


def mro_names(cls: Any) -> frozenset[str]:
    """``module:qualname`` of the class and each of its bases."""
    if isinstance(cls, ClassFacts):
        return cls.mro_set
    from safeload.trust.classes import mro_names as class_mro_names

    return class_mro_names(cls)


_ROWS: dict[int, tuple[Any, ...]] = {}


def dispatch_rows(cls: Any) -> tuple[Any, ...]:
    """:func:`safeload.trust.classes.fitted_dispatch_rows`."""
    from safeload.trust.classes import fitted_dispatch_rows

    if not isinstance(cls, ClassFacts):
        return fitted_dispatch_rows(cls)
    rows = _ROWS.get(id(cls))
    if rows is None:
        from safeload.trust.dispatch import ROWS
        from safeload.trust.profiles import PROFILE_ROWS

        rows = tuple(row for row in ROWS if cls.is_a(row.cls))
        rows += tuple(row for row in PROFILE_ROWS if row.cls in cls.mro_set)
        _ROWS[id(cls)] = rows  # facts objects live as long as the process (see _FACTS)
    return rows


def literal_attributes(cls: Any) -> frozenset[str]:
    """:func:`safeload.trust.literal_state.literal_attributes`."""
    from safeload.trust import literal_state

    if not isinstance(cls, ClassFacts):
        return literal_state.literal_attributes(cls)
    rows = {r.attribute for r in dispatch_rows(cls) if r.kind in literal_state.LITERAL_KINDS}
    return frozenset(rows | set(cls.constraints or ()))


def state_problem(cls: Any, keys: list[str], literals: dict[str, Any]) -> str | None:
    """:func:`safeload.trust.literal_state.state_problem`; from facts, the same rules with the
    parameter constraints checked by :func:`params_valid` (a refusal is found again, and
    worded, with the class: see :mod:`safeload.trust.static`)."""
    from safeload.trust import literal_state
    from safeload.trust.graph import Graph, UnsafeState
    from safeload.trust.kinds import apply

    if not isinstance(cls, ClassFacts):
        return literal_state.state_problem(cls, keys, literals)
    from safeload.trust.profiles import INSTANCE_DEFAULTS

    names = cls.class_names
    for base in cls.mro:
        names = names - INSTANCE_DEFAULTS.get(base, frozenset())
    for key in keys:
        if key in names or (key.startswith("__") and key.endswith("__")):
            return f"state key {key!r} would hide what {cls.qualname} itself defines"
    graph = Graph(None, 0)
    for row in dispatch_rows(cls):
        if row.attribute in literals and row.kind in literal_state.LITERAL_KINDS:
            try:
                apply(row, literals[row.attribute], graph)
            except UnsafeState as exc:
                return f"{cls.qualname}.{row.attribute} {exc.problem}"
    constraints = cls.constraints
    if not constraints:
        return None
    # a value that is not an atom raises NeedsImport in params_valid: the classes judge it
    todo = {name: value for name, value in literals.items() if name in constraints}
    if todo and not params_valid(constraints, todo):
        return f"{cls.qualname} holds a parameter value it refuses"
    return None


def is_kernel(cls: Any) -> bool:
    """A subclass of scikit-learn's Gaussian-process ``Kernel``."""
    if isinstance(cls, ClassFacts):
        return cls.is_a(_KERNEL)
    from safeload.trust.classes import kernel_base

    kernel = kernel_base()
    return kernel is not None and issubclass(cls, kernel)


def is_search(cls: Any) -> bool:
    """A subclass of scikit-learn's ``BaseSearchCV``."""
    if isinstance(cls, ClassFacts):
        return cls.is_a(_SEARCH)
    from safeload.trust.classes import search_base

    search = search_base()
    return search is not None and issubclass(cls, search)


def is_estimator(cls: Any) -> bool:
    """:func:`safeload.trust.classes.is_estimator_class`."""
    from safeload.trust.classes import is_estimator_class

    if not isinstance(cls, ClassFacts):
        return is_estimator_class(cls)
    from safeload.trust.profiles import estimator_like_names

    if _ESTIMATOR_LIKE not in _known():
        raise NeedsImport(_ESTIMATOR_LIKE)  # pragma: no cover - always generated
    return (
        cls.is_a(_ESTIMATOR)
        or _ESTIMATOR_LIKE in cls.aliases
        or not cls.mro_set.isdisjoint(estimator_like_names())
    )


def is_scorer(cls: Any) -> bool:
    """:func:`safeload.trust.classes.is_scorer_class`."""
    from safeload.trust.classes import is_scorer_class

    if not isinstance(cls, ClassFacts):
        return is_scorer_class(cls)
    return any([cls.is_a(name) for name in _SCORERS])


def is_subclass_of_named(cls: Any, names: tuple[str | None, ...]) -> bool:
    """``issubclass(cls, classes.classes_named(names))``."""
    from safeload.trust.classes import classes_named

    if not isinstance(cls, ClassFacts):
        return issubclass(cls, classes_named(names))
    return any([cls.is_a(name) for name in names_in(names)])


def is_container(cls: Any) -> bool:
    """``issubclass(cls, (dict, list, tuple))``."""
    if isinstance(cls, ClassFacts):
        return any([cls.is_a(name) for name in _CONTAINERS])
    return issubclass(cls, (dict, list, tuple))


def is_partial(cls: Any) -> bool:
    """``cls is functools.partial``."""
    if isinstance(cls, ClassFacts):
        if "functools:partial" not in _known():
            raise NeedsImport("functools:partial")  # pragma: no cover - always generated
        return "functools:partial" in cls.aliases
    return cls is functools.partial


def setstate_from_facts(module: str, qualname: str) -> bool | None:
    """Whether the class ``module.qualname`` names defines ``__setstate__`` (``False`` for
    something that is not a class), from the facts; ``None`` when they cannot say."""
    if not data_available():
        return None
    pair = (module, qualname)
    if pair not in _FACTS and f"{module}:{qualname}" not in _data()["CLASSES"]:
        return None
    found = facts_for(module, qualname)
    return found is not None and found.has_setstate
