"""Generate :mod:`safeload.trust._sklearn_facts` from the installed libraries.

Run ``python -m safeload.trust._gen_facts`` after upgrading scikit-learn, numpy, scipy or
joblib (``tests/test_facts.py`` fails until the shipped facts equal what this computes). It
imports every class on the default allowlist and records what the static pass reads about it
(:mod:`safeload.trust.facts`), including each estimator's ``_parameter_constraints`` in a data
form whose test on a value is the same as scikit-learn's. A constraint it cannot express that
way is recorded as ``None``, and the pass imports the class for that parameter.

Encoded constraints (each tested on ``bool``, ``int``, ``float``, ``str`` and ``None`` values):

* ``("type", kinds)``: satisfied by exactly the value types named in ``kinds``. Used for the
  constraints whose answer on such a value depends on its type only (an instance of a type,
  ``None``, array-likes, sparse matrices, callables, ``HasMethods``, iterables, ``pandas.NA``);
  the answer is scikit-learn's own, asked of sample values of each type.
* ``("interval", kinds, left, right, closed)``: an ``Interval`` (bounds are ints or floats).
* ``("options", kinds, options)``: an ``Options`` or ``StrOptions`` (options are atoms, no NaN).
* ``("nan",)``: the ``"nan"`` constraint.
* ``("any", constraints)``: the helpers that hold a list of constraints and are satisfied by
  any of them (``random_state``, ``boolean``, ``verbose``, ``cv_object``, ``MissingValues``).
"""

from __future__ import annotations

import abc
import functools
import inspect
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["compute", "main", "render"]

#: Sample values of each atom type; a type-only constraint must answer alike for all of them.
_SAMPLES: dict[str, tuple[Any, ...]] = {
    "bool": (False, True),
    "int": (0, 1, -3, 7, 2**40),
    "float": (0.0, 1.5, -2.0, float("nan"), float("inf")),
    "str": ("", "auto", "split", "fit"),
    "NoneType": (None,),
}


#: Class attributes that depend on what the process did, not on the class: copyreg caches
#: ``__slotnames__`` on a class the first time one of its instances is pickled. (A state key
#: with a dunder name is refused whatever the class defines, and a shadow's dunder look-ups
#: need the class: :mod:`safeload.trust.shadow`.)
_PROCESS_STATE = frozenset({"__slotnames__"})


def _qualified(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _kinds_of(test: Any) -> tuple[str, ...] | None:
    """The atom types whose samples all satisfy ``test``; ``None`` if a type answers both ways."""
    kinds = []
    for kind, samples in _SAMPLES.items():
        answers = {bool(test(s)) for s in samples}
        if len(answers) != 1:
            return None
        if answers == {True}:
            kinds.append(kind)
    return tuple(kinds)


def _encode(constraint: Any) -> Any:
    """The data form of one scikit-learn constraint object, or ``None``."""
    from sklearn.utils import _param_validation as pv

    kind = type(constraint)
    type_only = tuple(
        getattr(pv, name)
        for name in (
            "_InstancesOf",
            "_NoneConstraint",
            "_ArrayLikes",
            "_SparseMatrices",
            "_Callables",
            "HasMethods",
            "_IterablesNotString",
            "_PandasNAConstraint",
        )
        if hasattr(pv, name)
    )
    composite = tuple(
        getattr(pv, name)
        for name in ("_RandomStates", "_Booleans", "_VerboseHelper", "MissingValues", "_CVObjects")
        if hasattr(pv, name)
    )
    if kind in type_only:
        kinds = _kinds_of(constraint.is_satisfied_by)
        return None if kinds is None else ("type", kinds, _objects(constraint))
    if kind is pv.Interval:
        kinds = _kinds_of(lambda v: isinstance(v, constraint.type))
        bounds = (constraint.left, constraint.right)
        plain = all(type(b) in (int, float, type(None)) and b == b for b in bounds)
        if kinds is None or not plain:
            return None
        return ("interval", kinds, constraint.left, constraint.right, constraint.closed)
    if kind in (pv.Options, pv.StrOptions):
        kinds = _kinds_of(lambda v: isinstance(v, constraint.type))
        options = list(constraint.options)
        plain = all(type(o) in (bool, int, float, str, type(None)) for o in options)
        if kinds is None or not plain or any(o != o for o in options):
            return None
        return ("options", kinds, tuple(sorted(options, key=repr)))
    if kind is getattr(pv, "_NanConstraint", None):
        return ("nan",)
    if kind in composite and type(constraint).is_satisfied_by is not pv._Constraint.is_satisfied_by:
        parts = [_encode(c) for c in constraint._constraints]
        if any(p is None for p in parts):
            return None
        return ("any", tuple(parts))
    return None


def _objects(constraint: Any) -> Any:
    """How a type-only constraint judges an instance of a class that is no atom, in the terms
    of the class's facts (:mod:`safeload.trust.param_objects` reads it; rt36-03)."""
    from sklearn.utils import _param_validation as pv

    kind = type(constraint)
    if kind is pv._InstancesOf:
        return ("isa", *_instance_test(constraint.type))
    if kind is pv._NoneConstraint:
        return ("isa", (), True)
    if kind is getattr(pv, "_SparseMatrices", None):
        return ("isa", *_sparse_base())
    if kind is pv._Callables:
        return ("call",)
    if kind is pv.HasMethods:
        return ("methods", tuple(constraint.methods))
    if kind is pv._ArrayLikes:
        # _is_arraylike: never a sparse matrix, else __len__, shape or __array__
        return ("arraylike", _sparse_base()[0])
    if kind is getattr(pv, "_IterablesNotString", None):
        return ("iter",)
    if kind is getattr(pv, "_PandasNAConstraint", None):
        # isinstance(val, type(pandas.NA)) and pandas.isna(val): no other object passes
        # (a sparse matrix as missing_values, found by fuzz/parity_states.py)
        try:
            import pandas
        except ImportError:  # pragma: no cover - scikit-learn's test is then always False
            return ("isa", (), True)
        return ("isa", *_instance_test(type(pandas.NA)))
    return ("unknown",)


_SPARSE_BASES = ("SparseABC", "_spbase")


def _sparse_base() -> tuple[tuple[str, ...], bool]:
    """``issparse``'s test: isinstance of scipy's SparseABC (of _spbase before it existed),
    as the names an instance's MRO holds, and whether the MRO decides it."""
    import scipy.sparse

    bases = [k for k in scipy.sparse.csr_matrix.__mro__ if k.__name__ in _SPARSE_BASES]
    return _instance_test(bases[-1])


#: ``collections.abc`` classes whose ``__subclasshook__`` answers only for the class itself
#: (``if cls is Sized: return _check_methods(C, "__len__")``, else ``NotImplemented``), so an
#: ABC that inherits one (``MutableMapping`` inherits ``Collection``'s) has no hook of its own.
_SELF_ONLY_HOOKS = frozenset(
    f"collections.abc:{name}"
    for name in (
        "AsyncGenerator",
        "AsyncIterable",
        "AsyncIterator",
        "Awaitable",
        "Buffer",
        "Callable",
        "Collection",
        "Container",
        "Generator",
        "Hashable",
        "Iterable",
        "Iterator",
        "Reversible",
        "Sized",
    )
)


#: The modules of the abstract classes scikit-learn's constraints name, always imported.
_ABC_MODULES = frozenset({"abc", "collections.abc", "_collections_abc", "numbers"})


def _streamable(cls: type) -> bool:
    """Whether a stream can make an instance of ``cls`` (a builtin, a numpy type, or a class on
    the default allowlist), or ``cls`` is one of the standard abstract classes that lead to
    them."""
    module = cls.__module__
    if module in ("builtins", *_ABC_MODULES) or module.split(".")[0] == "numpy":
        return True
    return cls in _trusted_types()


@functools.lru_cache(maxsize=1)
def _trusted_types() -> frozenset[type]:
    from safeload._allowlist import default_entries
    from safeload.trust.classes import resolve

    found = (resolve(module, qualname) for module, qualname in default_entries())
    return frozenset(f for f in found if isinstance(f, type))


def _hook_declines(cls: type) -> bool:
    """Whether ``cls.__subclasshook__`` returns ``NotImplemented`` for every class: it is
    ``object``'s, or one of :data:`_SELF_ONLY_HOOKS` inherited from another class."""
    owner = next(k for k in cls.__mro__ if "__subclasshook__" in vars(k))
    return owner is object or (owner is not cls and _qualified(owner) in _SELF_ONLY_HOOKS)


def _instance_test(target: type) -> tuple[tuple[str, ...], bool]:
    """``isinstance(x, target)`` as names an MRO may hold: the names, and whether "some name
    is in the MRO of ``x``'s class" is exactly its answer.

    For a class whose metaclass is ``type`` that is the class alone. An ABC (``ABCMeta``'s
    ``__subclasscheck__``) also takes a subclass of any class registered with it or with one
    of its subclasses, so those are named too (``numbers.Integral``: ``int`` and
    ``numpy.integer``; ``MutableMapping``: ``dict``; rt38-03); the answer is exact when no
    ABC on the way has a ``__subclasshook__`` that may answer (:func:`_hook_declines`) and
    every registered class that is no ABC has metaclass ``type``. A class registered later in
    the process can only make more objects pass, so a "no" read from these names is at worst
    stricter than the load."""
    if type(target) is type:
        return (_qualified(target),), True
    if type(target) is not abc.ABCMeta:
        return (_qualified(target),), False
    names = {_qualified(target)}
    decides = True
    seen: set[type] = set()
    todo: list[type] = [target]
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        if cls is not target and not _streamable(cls):
            # what a module registered with the ABC depends on what the process imported
            # (protobuf registers three classes with Mapping): only classes a stream can make
            # count, so the facts are the same in every process; missing one, the answer can
            # only be stricter than the load's
            continue
        if type(cls) is not abc.ABCMeta:
            names.add(_qualified(cls))
            decides = decides and type(cls) is type
            continue
        if not _hook_declines(cls):
            decides = False
        registered = (ref() for ref in abc._get_dump(cls)[0])  # type: ignore[attr-defined]
        todo.extend(found for found in registered if found is not None)
        todo.extend(cls.__subclasses__())
    if not decides:  # only "yes" is exact: the names of a process's registrations add nothing
        return (_qualified(target),), False
    return tuple(sorted(names)), True


def _encode_param(raw: Any) -> Any:
    from sklearn.utils._param_validation import make_constraint

    if isinstance(raw, str) and raw == "no_validation":
        return "no_validation"
    if not isinstance(raw, list):
        return None
    try:
        made = [make_constraint(c) for c in raw]
    except (ValueError, TypeError):
        return None
    parts = [_encode(c) for c in made]
    return None if any(p is None for p in parts) else tuple(parts)


def _constraints(cls: type) -> dict[str, Any] | None:
    from safeload.trust.classes import constraints_of

    raw = constraints_of(cls)
    if raw is None:
        return None
    return {name: _encode_param(value) for name, value in sorted(raw.items())}


def known_names() -> set[str]:
    """The ``module:qualname`` names the static pass asks "is a subclass of" about."""
    from safeload import validate
    from safeload.trust.dispatch import ROWS
    from safeload.trust.profiles import PROFILE_ROWS

    names = {row.cls for row in ROWS}
    for row in (*ROWS, *PROFILE_ROWS):
        if row.kind in ("instance_of", "each_instance_of", "rebuilt"):
            names.update(v for v in row.values if isinstance(v, str))
    names.update(
        {
            "builtins:dict",
            "builtins:list",
            "builtins:tuple",
            "functools:partial",
            "sklearn.base:BaseEstimator",
            "sklearn.calibration:_CalibratedClassifier",
            "sklearn.gaussian_process.kernels:Kernel",
            "sklearn.model_selection._search:BaseSearchCV",
            "sklearn.metrics._scorer:_BaseScorer",
            "sklearn.metrics._scorer:_PassthroughScorer",
            "sklearn.metrics._scorer:_MultimetricScorer",
        }
    )
    names.update(_qualified(kind) for kind, _check in validate._validators())
    return names


def _setstate_owner(cls: type) -> str:
    owner = next((k for k in cls.__mro__ if "__setstate__" in vars(k)), object)
    return f"{owner.__module__}.{owner.__qualname__}"


def compute() -> dict[str, Any]:
    """The facts about every class on the default allowlist, from the installed libraries."""
    import warnings

    with warnings.catch_warnings():
        # the allowlist names numpy.core.* too (older pickles), which numpy 2 deprecates
        warnings.simplefilter("ignore", DeprecationWarning)
        return _compute()


def _compute() -> dict[str, Any]:
    import importlib.metadata

    from safeload import validate
    from safeload._allowlist import default_entries
    from safeload.trust.classes import PLAIN_DEFAULTS, init_parameters, resolve

    known = sorted(known_names())
    resolved = {name: resolve(*name.split(":", 1)) for name in known}
    pool: dict[str, tuple[str, ...]] = {}
    owners: dict[str, type] = {}
    classes: dict[tuple[str, str], Any] = {}
    tops: set[str] = set()
    for module, qualname in sorted(default_entries()):
        tops.add(module.split(".")[0])
        found = resolve(module, qualname)
        if not isinstance(found, type):
            classes[(module, qualname)] = None
            continue
        cls = found
        mro = tuple(_qualified(base) for base in cls.__mro__)
        for base, name in zip(cls.__mro__, mro, strict=True):
            if owners.setdefault(name, base) is not base:
                raise RuntimeError(f"two classes are named {name}")
            names = (str(n) for n in vars(base) if n not in _PROCESS_STATE)
            pool.setdefault(name, tuple(sorted(names)))
        params = init_parameters(cls)
        defined = {n for name in mro for n in pool[name]}
        plain = sorted(
            n
            for n in params & defined
            if type(inspect.getattr_static(cls, n, None)) in PLAIN_DEFAULTS
        )
        bases = sorted(n for n, k in resolved.items() if isinstance(k, type) and issubclass(cls, k))
        aliases = sorted(n for n, k in resolved.items() if k is cls)
        fields = getattr(cls, "_fields", None)
        classes[(module, qualname)] = (
            cls.__module__,
            cls.__qualname__,
            cls.__name__,
            mro,
            tuple(bases),
            tuple(aliases),
            getattr(cls, "__dictoffset__", 0) != 0,
            getattr(cls, "__setstate__", None) is not None,
            _setstate_owner(cls),
            tuple(fields) if isinstance(fields, tuple) else None,
            tuple(plain),
            _constraints(cls),
            type(cls) in (type, abc.ABCMeta),
        )
    check_kinds = tuple(
        (_qualified(kind), check.__name__) for kind, check in validate._validators()
    )
    distributions = importlib.metadata.packages_distributions()
    sources = []
    for top in sorted(tops):
        if top in sys.stdlib_module_names or top == "builtins":
            continue
        dist = distributions[top][0]
        sources.append((dist, top, importlib.metadata.version(dist)))
    from safeload.trust.facts_versions import code_fingerprint

    return {
        "CODE": code_fingerprint(),
        "PYTHON": f"{sys.implementation.name}-{sys.version_info[0]}.{sys.version_info[1]}",
        "SOURCES": tuple(sources),
        "KNOWN": tuple(known),
        "CHECK_KINDS": check_kinds,
        "VARS": dict(sorted(pool.items())),
        "CLASSES": classes,
    }


def render(facts: dict[str, Any]) -> str:
    """The source of :mod:`safeload.trust._sklearn_facts` for ``facts``: one JSON string (a
    Python module of this many literals takes longer to compile than a scan; the JSON parses in
    milliseconds). Tuples become lists and ``(module, qualname)`` keys ``"module:qualname"``."""
    versions = ", ".join(f"{dist} {version}" for dist, _top, version in facts["SOURCES"])
    data = dict(facts)
    data["CLASSES"] = {f"{m}:{q}": row for (m, q), row in facts["CLASSES"].items()}
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=True)
    lines = [
        '"""Facts about the classes on the default allowlist, for a scan that imports none of',
        "them (:mod:`safeload.trust.facts`).",
        "",
        f"Generated by ``python -m safeload.trust._gen_facts`` from {versions}",
        f"on {facts['PYTHON']}. Do not edit: regenerate after upgrading any of them.",
        '"""',
        "",
        "# fmt: off",
        "# ruff: noqa: E501",
        f"DATA = {text!r}",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Write the facts file next to this module."""
    target = Path(__file__).with_name("_sklearn_facts.py")
    target.write_text(render(compute()), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
