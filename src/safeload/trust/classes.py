"""The classes the use-time checks ask about, resolved from the modules already imported.

Each table is resolved once, by name, from what is importable now (nothing here imports a
class the policy does not already trust): the functions a model may store
(:mod:`safeload.trust.callables`), the types it may keep as values, the dispatch-table rows
(:mod:`safeload.trust.dispatch`, :mod:`safeload.trust.profiles`) that apply to a class, the
names a class defines that instance state must not hide, and scikit-learn's base classes and
``_parameter_constraints``.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import sys
from typing import Any

from safeload.trust.callables import CALLABLE_ROWS, TYPE_VALUE_ROWS
from safeload.trust.dispatch import ROWS, DispatchRow
from safeload.trust.profiles import INSTANCE_DEFAULTS, PROFILE_ROWS, estimator_like_names
from safeload.trust.trusted_classes import defining_class


def resolve(module: str, qualname: str) -> Any:
    try:
        found: Any = sys.modules.get(module) or importlib.import_module(module)
    except ImportError:
        return None
    for part in qualname.split("."):
        found = getattr(found, part, None)
        if found is None:
            return None
    return found


@functools.lru_cache(maxsize=1)
def callables() -> dict[int, str]:
    """id() of every allowed function -> its name (the objects are kept alive by their
    modules, so the ids stay valid)."""
    found: dict[int, str] = {}
    for module, qualname, _reason in CALLABLE_ROWS:
        obj = resolve(module, qualname)
        if obj is not None:
            found[id(obj)] = f"{module}.{qualname}"
    return found


@functools.lru_cache(maxsize=1)
def type_values() -> frozenset[type]:
    found = set()
    for module, qualname, _reason in TYPE_VALUE_ROWS:
        obj = resolve(module, qualname)
        if isinstance(obj, type):
            found.add(obj)
    return frozenset(found)


@functools.lru_cache(maxsize=1)
def data_only_types() -> frozenset[type]:
    """Extension types whose ``__setstate__`` converts everything it is given to numbers and
    numeric arrays, so nothing can hide in them: walking their state would only cost time (a
    forest has hundreds). Their index arrays are the native checks' business."""
    return frozenset(_classes_named(DATA_ONLY_TYPES))


#: :func:`data_only_types` by name (scan's shadow graph does not enter them either).
DATA_ONLY_TYPES = ("sklearn.tree._tree:Tree",)


@functools.lru_cache(maxsize=1)
def enum_member_types() -> frozenset[type]:
    """Enum classes whose members an allowed type's ``__setstate__`` looks up by value
    (``uuid.UUID`` stores ``SafeUUID(state["is_safe"])``): a member is the class's own
    singleton, never built from the file, and none of these enums is on the allowlist."""
    return frozenset(_classes_named(("uuid:SafeUUID",)))


@functools.lru_cache(maxsize=1)
def _resolved_rows() -> tuple[tuple[type, DispatchRow], ...]:
    rows = []
    for row in ROWS:
        module, _, qualname = row.cls.partition(":")
        cls = resolve(module, qualname)
        if isinstance(cls, type):
            rows.append((cls, row))
    return tuple(rows)


_ROWS_BY_TYPE: dict[type, tuple[DispatchRow, ...]] = {}


def fitted_dispatch_rows(cls: type) -> tuple[DispatchRow, ...]:
    """The dispatch-table rows that apply to instances of ``cls`` (its own and its bases')."""
    rows = _ROWS_BY_TYPE.get(cls)
    if rows is None:
        rows = tuple(row for base, row in _resolved_rows() if issubclass(cls, base))
        # profile rows match by name along the MRO: nothing is imported to apply them, and
        # they apply however the class came to be trusted
        names = mro_names(cls)
        rows += tuple(row for row in PROFILE_ROWS if row.cls in names)
        _ROWS_BY_TYPE[cls] = rows
    return rows


_MRO_NAMES: dict[type, frozenset[str]] = {}


def mro_names(cls: type) -> frozenset[str]:
    """``module:qualname`` of ``cls`` and each of its bases (remembered per class: a forest's
    hundreds of trees ask for the same two classes' names)."""
    found = _MRO_NAMES.get(cls)
    if found is None:
        found = frozenset(f"{base.__module__}:{base.__qualname__}" for base in cls.__mro__)
        if len(_MRO_NAMES) < 10_000:
            _MRO_NAMES[cls] = found
    return found


_REBUILT: dict[type, dict[str, tuple[str | None, ...]]] = {}


def rebuilt_attributes(cls: type) -> dict[str, tuple[str | None, ...]]:
    """Attributes the class's own ``__setstate__`` rebuilds (kind ``rebuilt``): not walked."""
    found = _REBUILT.get(cls)
    if found is None:
        found = {r.attribute: r.values for r in fitted_dispatch_rows(cls) if r.kind == "rebuilt"}
        _REBUILT[cls] = found
    return found


_CLASS_NAMES: dict[type, frozenset[str]] = {}
#: Class-level values an instance's own attribute of the same name may hide (see class_names).
PLAIN_DEFAULTS = (bool, int, float, str, type(None))


def class_names(cls: type) -> frozenset[str]:
    """The names ``cls`` defines that instance state must not hide.

    Left out: a constructor parameter whose class-level value is a plain constant. scikit-learn
    stores every constructor parameter on the instance, so honest state always hides such a
    class default (``Lars.positive = False`` and ``LassoLarsIC(positive=...)``); the value then
    gets the same parameter checks as any other parameter. So is any plain constant the
    caller's own class sets (:func:`_callers_data`). Methods, properties and class settings
    that are not parameters stay protected."""
    names = _CLASS_NAMES.get(cls)
    if names is None:
        params = init_parameters(cls)
        names = frozenset(
            name
            for base in cls.__mro__
            for name in vars(base)
            if _protected(cls, base, name, params)
        )
        for base in cls.__mro__:
            names -= INSTANCE_DEFAULTS.get(f"{base.__module__}:{base.__qualname__}", frozenset())
        _CLASS_NAMES[cls] = names
    return names


def _protected(cls: type, base: type, name: str, params: frozenset[str]) -> bool:
    """Whether instance state of ``cls`` may not set ``name``, which ``base`` defines."""
    value = inspect.getattr_static(cls, name, None)
    if type(value) is functools.cached_property and _callers_data(
        defining_class(cls, name) or cls, name
    ):
        # the caller's cached_property keeps its value in the instance's dict, before any
        # base's property of that name is reached (an own forest caching scikit-learn's
        # feature_importances_, rt105-06; an own one, rt103-05)
        return False
    if _callers_data(base, name):
        return not _plain_constant(value, 0)
    return name not in params or type(value) not in PLAIN_DEFAULTS


def _plain_constant(value: Any, depth: int) -> bool:
    """A plain constant, or a tuple, frozenset, set, list or dict of them of at most 4,096
    items (a dataclass keeps a field's tuple default on the class; a text cleaner starts from
    a stop-word set, a configured class from a dict of defaults: rt101-15)."""
    if type(value) in PLAIN_DEFAULTS:
        return True
    if depth >= 2 or type(value) not in (tuple, frozenset, set, list, dict) or len(value) > 4096:
        return False
    items = (*value.keys(), *value.values()) if type(value) is dict else value
    return all(_plain_constant(item, depth + 1) for item in items)


def _callers_data(base: type, name: str) -> bool:
    """Whether ``name`` is a class-level default of the caller's own code: a class of no
    installed package (``trusted=``) that sets it, not as a dunder, where instances may
    override it as their code does (``calls = 0``, then ``self.calls += 1``; rt99-11). Its
    value must still be a plain constant (:func:`_plain_constant`)."""
    from safeload._installed import installed_package
    from safeload._trust_checks import is_stdlib, reviewed_packages

    module = str(getattr(base, "__module__", ""))
    if name.startswith("__") or module == "builtins" or is_stdlib(module):
        return False
    # (a class of an installed package reaches a load only as the caller's, passed as the
    # class: an editable install of their own project, rt101-07; the reviewed packages'
    # classes, scikit-learn's, numpy's, the profile libraries', keep their rules)
    package = installed_package(module)
    return package is None or package not in reviewed_packages()


def init_parameters(cls: type) -> frozenset[str]:
    try:
        sig = inspect.signature(inspect.getattr_static(cls, "__init__"))
    except (TypeError, ValueError):
        return frozenset()
    return frozenset(
        name
        for name, p in sig.parameters.items()
        if name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    )


def _classes_named(names: tuple[str | None, ...]) -> tuple[type, ...]:
    """The classes ``names`` name that can be imported now. Cached only once every name
    resolved: a class asked about before its library was imported (CatBoost's ``_catboost``
    module exists only once ``catboost`` is imported) is looked up again next time, not taken
    as absent for good."""
    cached = _NAMED.get(names)
    if cached is not None:
        return cached
    found = []
    for name in names:
        if name is None:
            continue
        module, _, qualname = name.partition(":")
        cls = resolve(module, qualname)
        if isinstance(cls, type):
            found.append(cls)
    result = tuple(found)
    if len(result) == sum(name is not None for name in names):
        _NAMED[names] = result
    return result


_NAMED: dict[tuple[str | None, ...], tuple[type, ...]] = {}


def profile_estimator_like(cls: type) -> bool:
    """A profile class that stands where an estimator is used without deriving from
    ``BaseEstimator`` (a CatBoost model), matched by name (nothing imported)."""
    return not mro_names(cls).isdisjoint(estimator_like_names())


# --- scikit-learn's own base classes and parameter constraints ------------------------------


@functools.lru_cache(maxsize=1)
def base_estimator() -> type | None:
    cls = resolve("sklearn.base", "BaseEstimator")
    return cls if isinstance(cls, type) else None


@functools.lru_cache(maxsize=1)
def estimator_like() -> frozenset[type]:
    """Internal scikit-learn classes that stand where an estimator is used without deriving
    from ``BaseEstimator``."""
    return frozenset(_classes_named(("sklearn.calibration:_CalibratedClassifier",)))


@functools.lru_cache(maxsize=1)
def scorer_classes() -> tuple[type, ...]:
    """The scorer classes (a fitted search or threshold tuner stores one of these)."""
    names = ("_BaseScorer", "_PassthroughScorer", "_MultimetricScorer")
    found = [resolve("sklearn.metrics._scorer", name) for name in names]
    return tuple(cls for cls in found if isinstance(cls, type))


@functools.lru_cache(maxsize=1)
def kernel_base() -> type | None:
    cls = resolve("sklearn.gaussian_process.kernels", "Kernel")
    return cls if isinstance(cls, type) else None


@functools.lru_cache(maxsize=1)
def search_base() -> type | None:
    cls = resolve("sklearn.model_selection._search", "BaseSearchCV")
    return cls if isinstance(cls, type) else None


@functools.lru_cache(maxsize=1)
def column_selector() -> type | None:
    cls = resolve("sklearn.compose._column_transformer", "make_column_selector")
    return cls if isinstance(cls, type) else None


def constraints_of(cls: type) -> dict[str, Any] | None:
    base = base_estimator()
    if base is None or not issubclass(cls, base):
        return None
    constraints = getattr(cls, "_parameter_constraints", None)
    return constraints if isinstance(constraints, dict) else None


# --- the classes' questions, for the other checks and the static pass -----------------------


def resolve_class(module: str, qualname: str) -> type | None:
    """The class ``module.qualname`` names, if it is one (for the static pass, which asks only
    about names the policy already trusts)."""
    found = resolve(module, qualname)
    return found if isinstance(found, type) else None


def is_estimator_class(cls: type) -> bool:
    """Whether instances of ``cls`` may stand where an estimator is used."""
    base = base_estimator()
    return (
        (base is not None and issubclass(cls, base))
        or cls in estimator_like()
        or profile_estimator_like(cls)
    )


def is_scorer_class(cls: type) -> bool:
    """Whether ``cls`` is one of scikit-learn's scorer classes."""
    return issubclass(cls, scorer_classes())


def classes_named(names: tuple[str | None, ...]) -> tuple[type, ...]:
    """The classes that ``'module:qualname'`` entries name (``None`` entries skipped)."""
    return _classes_named(names)


#: (class, state keys) already found clean: the hundreds of trees of a forest share one (filled
#: by the walk's key check and by :func:`safeload.trust.literal_state.state_problem`).
CLEAN_KEYS: set[tuple[type, tuple[Any, ...]]] = set()
#: How many state key sets :data:`CLEAN_KEYS` keeps, and how large one may be: the set lives as
#: long as the process, and a refused file of 100,000 key names of 1,006 characters left 96 MB
#: in it (rt110-06). An estimator's state has some tens of short names.
CLEAN_KEY_SETS = 10_000
CLEAN_KEYS_MAX = 256
CLEAN_KEY_CHARS = 8_192


def remember_clean(cls: type, keys: tuple[Any, ...]) -> None:
    """Keep ``(cls, keys)`` in :data:`CLEAN_KEYS`, if it is small: at most
    :data:`CLEAN_KEYS_MAX` names of :data:`CLEAN_KEY_CHARS` characters in all, and
    :data:`CLEAN_KEY_SETS` sets; a larger one is checked again each time it is met."""
    if len(CLEAN_KEYS) >= CLEAN_KEY_SETS or len(keys) > CLEAN_KEYS_MAX:
        return
    chars = sum(len(k) if isinstance(k, str) else CLEAN_KEY_CHARS for k in keys)
    if chars > CLEAN_KEY_CHARS:
        return
    # (the total counts what is kept: an object per name and a tuple slot, not characters:
    # one-character names kept 36 times the bound, rt113-08)
    kept = sum(sys.getsizeof(k) + 8 for k in keys)
    if _CLEAN_CHARS[0] + kept > CLEAN_CHARS_TOTAL:
        return
    if (cls, keys) not in CLEAN_KEYS:
        _CLEAN_CHARS[0] += kept
        CLEAN_KEYS.add((cls, keys))


#: The bytes of all names :data:`CLEAN_KEYS` keeps at most (their objects and tuple slots):
#: one file of 5,000 models with 200 distinct names each filled its 10,000 sets with 194 MB
#: (rt112-06).
CLEAN_CHARS_TOTAL = 1 << 19
_CLEAN_CHARS = [0]
