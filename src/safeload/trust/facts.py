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

Here: :class:`ClassFacts`, the shipped data and whether it may be used, and the questions the
static pass asks of a class or of its facts. The versions and the code fingerprint the data is
checked against are :mod:`safeload.trust.facts_versions`'; the use-time rules answered from the
data (dispatch rows, literal state, parameter constraints) :mod:`safeload.trust.facts_rules`'.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Iterable
from typing import Any

from safeload.trust.facts_versions import code_fingerprint, installed_version, python_version

__all__ = [
    "ClassFacts",
    "NeedsImport",
    "data_available",
    "facts_for",
]


#: Set when a :class:`NeedsImport` is raised in this thread, so that a caller that swallowed
#: it on the way still knows the data could not answer (see :func:`take_needs_import`).
_RAISED = threading.local()


class NeedsImport(Exception):
    """The shipped facts cannot answer a question exactly: the pass must import the class."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        _RAISED.flag = True


def needs_import_raised() -> bool:
    """Whether a :class:`NeedsImport` was raised in this thread since the last
    :func:`take_needs_import` (which this does not clear)."""
    return bool(getattr(_RAISED, "flag", False))


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


def _check_versions() -> bool:
    try:
        data = _data()
        if data["PYTHON"] != python_version() or data["CODE"] != code_fingerprint():
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


@functools.lru_cache(maxsize=1)
def check_kinds() -> tuple[tuple[str, str], ...]:
    """The native checks of :func:`safeload.validate._validators` as ``(class name, check
    function name)``, in order."""
    return tuple((name, check) for name, check in _data()["CHECK_KINDS"])


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


def module_and_name(cls: Any) -> tuple[Any, Any]:
    """``(cls.__module__, cls.__name__)``, for a class or the facts standing for one (``None``
    for what has neither)."""
    if isinstance(cls, ClassFacts):
        return (cls.module, cls.name)
    return (getattr(cls, "__module__", None), getattr(cls, "__name__", None))


def module_and_qualname(cls: Any) -> tuple[str, str]:
    """``(cls.__module__, cls.__qualname__)``, for a class or the facts standing for one (the
    key of the tables that name classes by module and qualname)."""
    if isinstance(cls, ClassFacts):
        return (cls.module, cls.qualname)
    return (str(getattr(cls, "__module__", None)), qualname(cls))


def short_name(cls: Any) -> str:
    """The name of :func:`reviewed_base` of ``cls``: the rules keyed on a scikit-learn
    class's name (``NMF``'s iterations, a count sketch's width, a ``Sum`` kernel's terms)
    apply to an own subclass of it too (rt101-04, 08, 09)."""
    if isinstance(cls, ClassFacts):
        return cls.name
    if isinstance(cls, type):
        return reviewed_base(cls).__name__
    name: str = cls.__name__
    return name


@functools.lru_cache(maxsize=1024)
def reviewed_base(cls: type) -> type:
    """The first class of ``cls``'s MRO that a list reviewed (``cls`` itself for a reviewed
    class, and for a class none of whose bases is): the class whose rules an object of ``cls``
    is held to. Every rule keyed on a scikit-learn class's name or module asks this one
    function (:func:`short_name`, ``shadow_values.sklearn_class``), so an own subclass of
    ``Sum``, ``NMF``, ``KDTree`` or ``MahalanobisDistance64`` is checked as its base
    (rt99-18 to 20, rt101-04, 08, 09). Mixins placed first, the standard library's
    (``abc.ABC``, ``typing.Generic``), scikit-learn's (``GenericKernelMixin``) or the
    caller's own, and the caller's installed project never stand in for it (rt101-08,
    rt102-02); a reviewed class of a library, category_encoders' encoders, is its own."""
    from safeload._trust_checks import reviewed_pair

    for base in cls.__mro__:
        if base is object:
            break  # (every class's last base: a class of nothing reviewed is itself)
        if reviewed_pair((str(getattr(base, "__module__", "")), str(base.__qualname__))):
            return base
    return cls


def fields(cls: Any) -> tuple[str, ...] | None:
    """A named tuple's ``_fields``, ``None`` for other classes."""
    if isinstance(cls, ClassFacts):
        return cls.fields
    if not (isinstance(cls, type) and issubclass(cls, tuple)):
        return None  # (a record class listing its fields is no named tuple, rt99-13)
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
    if "sklearn.base" not in sys.modules:
        # a class can derive from BaseEstimator only once sklearn.base is imported: joblib's
        # array header, met in a run on facts, has none without importing scikit-learn
        return frozenset()
    from safeload.trust.classes import constraints_of

    return frozenset(constraints_of(cls) or ())


def unvalidated(cls: Any, name: str) -> bool:
    """Whether the class leaves parameter ``name`` unchecked (``"no_validation"``): the load's
    constraint check takes any value there (SimpleImputer's ``fill_value``)."""
    if isinstance(cls, ClassFacts):
        found = (cls.constraints or {}).get(name)
    else:
        from safeload.trust.classes import constraints_of

        found = (constraints_of(cls) or {}).get(name)
    return isinstance(found, str) and found == "no_validation"


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


def holds_class(module: str, qualname: str) -> bool:
    """Whether the shipped facts hold the class ``module.qualname``."""
    return data_available() and f"{module}:{qualname}" in _data()["CLASSES"]


def identity_hash_from_facts(module: str, qualname: str) -> bool | None:
    """Whether an object that a call of the class ``module.qualname`` makes hashes by its
    identity, from the facts: the first class of its MRO to define ``__hash__`` and the
    first to define ``__new__`` are both ``object``, and its metaclass is ``type`` or
    ``ABCMeta`` (whose ``__call__`` is type's), so each call makes a new object that hashes
    apart from every other. ``None`` when the facts cannot say (not held, not a class, or a
    class defining either: an own ``__hash__`` may be ``None`` or the class's code)."""
    if not data_available():
        return None
    if f"{module}:{qualname}" not in _data()["CLASSES"]:
        return None
    found = facts_for(module, qualname)
    if found is None or not found.plain_meta:
        return None
    pool = _data()["VARS"]
    for dunder in ("__hash__", "__new__"):
        owner = next((base for base in found.mro if dunder in pool.get(base, ())), None)
        if owner != "builtins:object":
            return None
    return True


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
