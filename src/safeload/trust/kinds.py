"""The check of each kind of dispatch row: what a pinned attribute may hold.

Every row of :mod:`safeload.trust.dispatch` (and of the profiles' tables) names a kind;
:func:`apply` runs that kind's check on the value an object holds in the row's attribute. A
check raises :class:`~safeload.trust.graph.UnsafeState` with the path ``<value>``, which the
caller replaces by the attribute's path.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from safeload.trust.classes import (
    base_estimator,
    callables,
    classes_named,
    column_selector,
    estimator_like,
    kernel_base,
    profile_estimator_like,
    scorer_classes,
)
from safeload.trust.dispatch import MAX_THREADS, MAX_WORKERS, DispatchRow
from safeload.trust.dtype_kinds import fitted_dtype_problem, numeric_dtype_problem, short
from safeload.trust.graph import Graph, UnsafeState, is_function, require_data
from safeload.trust.structures.common import MAX_OUTPUT_COLUMNS, MAX_STEP_NAME

_OUTPUT_CONTAINERS = frozenset({"default", "pandas", "polars"})
#: The longest attribute path (``importance_getter``) a loaded model may hold: under the
#: static pass's ``MAX_CONST``, so that scan judges every path the load takes as a literal.
MAX_ATTR_PATH = 1000
_PUBLIC_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


def _bad(problem: str) -> UnsafeState:
    return UnsafeState("<value>", problem)


def apply(row: DispatchRow, value: Any, graph: Graph) -> None:
    check = _KIND_CHECKS.get(row.kind)
    if check is None:  # pragma: no cover - tests/test_usetime.py checks every row's kind
        raise _bad(f"unknown dispatch kind {row.kind!r}")
    check(row, value, graph)


def _one_of(row: DispatchRow, value: Any, graph: Graph) -> None:
    if value is None and None in row.values:
        return
    # a str exactly: scan judges the literal in the stream, and a numpy str scalar is none
    if type(value) is not str or value not in row.values:
        raise _bad(f"is {short(value)}; allowed: {_choices(row)}")


def _regex(row: DispatchRow, value: Any, graph: Graph) -> None:
    from safeload.trust.regex import regex_problem

    if value is None:
        return
    if type(value) is not str:
        raise _bad(f"is {short(value)}, not a plain str pattern")
    if row.values:
        if value not in row.values:
            raise _bad(
                f"is the pattern {short(value)}, not one of the reviewed patterns "
                f"({_choices(row)}): re-save the model with one of them"
            )
        return
    problem = regex_problem(value)
    if problem:
        raise _bad(f"is the pattern {short(value)}, which may never finish: {problem}")


def _each_one_of(row: DispatchRow, value: Any, graph: Graph) -> None:
    # a name, or a list or tuple of names, as scikit-learn's fit stores them. Not an array:
    # scikit-learn indexes or iterates it row by row, which is not the flat list of names
    # a check reads (a (2, 0) array is no name at all, and fit then fails on its rows), and
    # the static pass cannot read the names a string array holds (rt38-14)
    if isinstance(value, str):
        items = [value]
    elif type(value) in (list, tuple):
        items = list(value)
    else:
        raise _bad(f"is {short(value)}, not a list of names")
    for item in items:
        if item is None and None in row.values:
            continue
        if not isinstance(item, str) or item not in row.values:
            raise _bad(f"holds {short(item)}; allowed: {_choices(row)}")


def sequence(value: Any) -> list[Any] | None:
    if type(value) in (list, tuple):
        return list(value)
    if isinstance(value, np.ndarray) and value.ndim <= 2:
        return [v for v in value.ravel().tolist()]
    return None


def _is_estimator(value: Any) -> bool:
    base = base_estimator()
    if base is not None and isinstance(value, base) and not isinstance(value, type):
        return True
    if isinstance(value, type):
        return False
    return type(value) in estimator_like() or profile_estimator_like(type(value))


def _estimator_ok(row: DispatchRow, value: Any) -> bool:
    if value is None or _is_estimator(value):
        return True
    return isinstance(value, str) and value in row.values


def _estimator(row: DispatchRow, value: Any, graph: Graph) -> None:
    if not _estimator_ok(row, value):
        raise _bad(f"holds {short(value)} where an estimator is used")


def _estimators(row: DispatchRow, value: Any, graph: Graph, depth: int = 0) -> None:
    if depth > 3:
        raise _bad("estimators nested too deeply")
    if isinstance(value, dict):
        # scikit-learn iterates what it holds: a dict's keys (a stacking model zips its
        # estimators_ with stack_method_), so the keys must be names: a bare Tree as a key
        # was called on the input (rt38-12)
        if not all(type(key) is str for key in value):
            raise _bad(f"is a dict whose keys are not names: {short(value)}")
        items = list(value.values())
    elif isinstance(value, np.ndarray) and value.dtype.hasobject:
        items = value.ravel().tolist()
    elif type(value) in (list, tuple):
        items = list(value)
    elif _estimator_ok(row, value):
        return
    else:
        raise _bad(f"is {short(value)}, not a collection of estimators")
    for item in items:
        if type(item) in (list, tuple) or (isinstance(item, np.ndarray) and item.dtype.hasobject):
            _estimators(row, item, graph, depth + 1)
        elif not _estimator_ok(row, item):
            raise _bad(f"holds {short(item)} where an estimator is used")


def _step_name(item: Any) -> None:
    if len(item[0]) > MAX_STEP_NAME:
        raise _bad(
            f"names a step with {len(item[0]):,} characters (at most {MAX_STEP_NAME}; each "
            f"output column's name repeats it)"
        )


def _named_estimators(row: DispatchRow, value: Any, graph: Graph) -> None:
    if type(value) not in (list, tuple):
        raise _bad(f"is {short(value)}, not a list of (name, estimator) pairs")
    for item in value:
        if type(item) not in (list, tuple) or len(item) != 2 or type(item[0]) is not str:
            raise _bad(f"holds {short(item)}, not a (name, estimator) pair")
        _step_name(item)
        if not _estimator_ok(row, item[1]):
            raise _bad(f"holds {short(item[1])} where an estimator is used")


def _named_transformers(row: DispatchRow, value: Any, graph: Graph) -> None:
    if type(value) not in (list, tuple):
        raise _bad(f"is {short(value)}, not a list of (name, transformer, columns)")
    selector = column_selector()
    for item in value:
        if type(item) not in (list, tuple) or len(item) != 3 or type(item[0]) is not str:
            raise _bad(f"holds {short(item)}, not a (name, transformer, columns) triple")
        _step_name(item)
        if not _estimator_ok(row, item[1]):
            raise _bad(f"holds {short(item[1])} where a transformer is used")
        columns = item[2]
        if selector is not None and isinstance(columns, selector):
            continue
        require_data(columns, graph, id(value), "[columns]")


def _callable(row: DispatchRow, value: Any, graph: Graph) -> None:
    if value is None or (isinstance(value, str) and value in row.values):
        return
    if type(value) is functools.partial:
        # the walk already held it to an allowed function with data arguments; a subclass's
        # own methods (__call__, __repr__) are not partial's, and scan reads only partial
        # itself (rt103-08)
        return
    if is_function(value) and id(value) in callables():
        return
    raise _bad(f"holds {short(value)}; a stored callable must be on the callable allowlist")


def _scorer(row: DispatchRow, value: Any, graph: Graph) -> None:
    if value is None or isinstance(value, str):
        return  # a scorer name is looked up in scikit-learn's own table
    scorers = scorer_classes()
    if isinstance(value, scorers):
        return  # its own rows pin what it holds
    # a plain dict only, as a multimetric search stores it: scan reads no dict subclass of
    # scorers, and an honest model holds none (rt40-08)
    if type(value) is dict and all(
        isinstance(k, str) and isinstance(v, (str, *scorers)) for k, v in value.items()
    ):
        return
    if type(value) in (list, tuple, set) and all(isinstance(v, str) for v in value):
        return
    _callable(row, value, graph)


def _none(row: DispatchRow, value: Any, graph: Graph) -> None:
    if value is not None:
        raise _bad(f"is {short(value)}; only None is accepted in a loaded model")


def _output_config(row: DispatchRow, value: Any, graph: Graph) -> None:
    if type(value) is not dict:
        raise _bad(f"is {short(value)}, not a dict")
    for key, container in value.items():
        if not isinstance(key, str) or container not in _OUTPUT_CONTAINERS:
            raise _bad(
                f"asks for output container {short(container)}; allowed: "
                + ", ".join(sorted(_OUTPUT_CONTAINERS))
            )
        if container != "default" and graph.root is not None:
            problem = _container_problem(container)
            if problem:
                raise _bad(problem)


def _container_problem(name: str) -> str | None:
    """scikit-learn imports the output container's library by name when the model is used.
    Unless that library is already imported, the import would take the first ``name`` on
    ``sys.path``, and for scripts, notebooks and ``python -c`` that is the working directory.
    So the library must be installed, and not be shadowed by a file in the working directory.
    Finding it runs no code of its own (``importlib.util.find_spec``)."""
    import importlib.util
    import os

    if name in sys.modules:
        return None
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin:
        return (
            f"asks for output container {name!r}, which is not installed: using the model "
            f"would import whatever module named {name!r} is first on the import path"
        )
    origin = os.path.realpath(spec.origin)
    here = os.path.realpath(os.getcwd())
    top = os.path.dirname(origin)
    if os.path.basename(origin) == "__init__.py":
        top = os.path.dirname(top)
    if top == here:  # found through the working directory's entry on sys.path
        return (
            f"asks for output container {name!r}, and the module that name would import is "
            f"{spec.origin}, in the working directory"
        )
    return None


def _attr_path(row: DispatchRow, value: Any, graph: Graph) -> None:
    if callable(value) and not isinstance(value, str):
        _callable(row, value, graph)
        return
    if not isinstance(value, str):
        raise _bad(f"is {short(value)}, not an attribute path")
    if value == "auto" or value in row.values:
        return
    if len(value) > MAX_ATTR_PATH:
        # no honest path is that long, and scan reads a str over MAX_CONST as opaque: both
        # refuse it (rt41-02)
        raise _bad(f"is an attribute path of {len(value):,} characters (at most {MAX_ATTR_PATH})")
    parts = value.split(".")
    if not all(_PUBLIC_NAME.match(p) for p in parts) or not parts[-1].endswith("_"):
        raise _bad(
            f"is {value!r}; an attribute path must be public names ending in a fitted "
            "attribute (such as 'coef_' or 'named_steps.clf.feature_importances_')"
        )


def _data(row: DispatchRow, value: Any, graph: Graph) -> None:
    try:
        require_data(value, graph, id(graph.root), "")
    except UnsafeState as exc:
        raise _bad(exc.problem) from None


def vocabulary_problem(values: list[Any]) -> str | None:
    """Why the values of a vocabulary dict are refused, or ``None``: each must be an int (a
    Python int exactly, or a numpy integer, as a fitted ``vocabulary_`` of ``max_features``
    holds) from 0 to ``len(values) - 1``, and none twice, as scikit-learn requires. Told
    apart without hashing them (a file may give them all one hash)."""
    size = len(values)
    met = bytearray(size)
    for value in values:
        if not (type(value) is int or isinstance(value, np.integer)) or not 0 <= value < size:
            return (
                f"holds the index {short(value)}; a vocabulary's values are the ints 0 to "
                f"{size - 1}, each once"
            )
        index = int(value)
        if met[index]:
            return f"holds the index {index} twice; a vocabulary's values are each index once"
        met[index] = 1
    return None


def _vocabulary(row: DispatchRow, value: Any, graph: Graph) -> None:
    _data(row, value, graph)
    if isinstance(value, dict):
        problem = vocabulary_problem(list(value.values()))
        if problem:
            raise _bad(problem)


def _kernel(row: DispatchRow, value: Any, graph: Graph) -> None:
    kernel = kernel_base()
    if value is None or (kernel is not None and isinstance(value, kernel)):
        return
    if isinstance(value, str) and value in row.values:
        return
    raise _bad(f"holds {short(value)} where a Gaussian-process kernel is used")


def _instance_ok(row: DispatchRow, value: Any) -> bool:
    if value is None:
        return None in row.values
    return not isinstance(value, type) and isinstance(value, classes_named(row.values))


def _instance_of(row: DispatchRow, value: Any, graph: Graph) -> None:
    if not _instance_ok(row, value):
        raise _bad(f"holds {short(value)}; allowed: instances of {_choices(row)}")


def _each_instance_of(row: DispatchRow, value: Any, graph: Graph) -> None:
    items = sequence(value)
    if items is None:
        raise _bad(f"is {short(value)}, not a list")
    for item in items:
        if not _instance_ok(row, item):
            raise _bad(f"holds {short(item)}; allowed: instances of {_choices(row)}")


def _rebuilt(row: DispatchRow, value: Any, graph: Graph) -> None:
    if not isinstance(value, classes_named(row.values)):
        raise _bad(f"holds {short(value)}, not what the class rebuilds")


def _lightgbm_default(row: DispatchRow, key: Any, value: Any) -> bool:
    """Whether a LightGBM Booster's forbidden parameter holds exactly LightGBM's default, as
    a Booster read from a model file does (rt61-04)."""
    if not row.cls.startswith("lightgbm") or type(key) is not str:
        return False
    from safeload.trust._lightgbm_aliases import LIGHTGBM_ALIASES
    from safeload.trust.native_params import lightgbm_default

    return lightgbm_default(LIGHTGBM_ALIASES.get(key, key), value)


def _params(row: DispatchRow, value: Any, graph: Graph) -> None:
    if value is None:
        return
    if type(value) is not dict:
        raise _bad(f"is {short(value)}, not a dict of parameters")
    for key, item in value.items():
        if key in row.values and not _lightgbm_default(row, key, item):
            raise _bad(
                f"holds the parameter {key!r}, which names a file, a path, a host or a stream "
                "for the library's native code; a loaded model may not set it"
            )
    try:
        require_data(value, graph, id(graph.root), "")
    except UnsafeState as exc:
        raise _bad(exc.problem) from None


def _int_one(row: DispatchRow, value: Any, graph: Graph) -> None:
    if type(value) is not int or value != 1:
        raise _bad(f"is {short(value)}; only 1 is accepted (more starts worker processes)")


def _output_width(row: DispatchRow, value: Any, graph: Graph) -> None:
    # a Python int exactly, as the constructor's default and a grid of ints give it (a numpy
    # integer fails category_encoders' own hashing: int % numpy.int64 overflows)
    if type(value) is not int or not 1 <= value <= MAX_OUTPUT_COLUMNS:
        raise _bad(
            f"is {short(value)}; only an int from 1 to {MAX_OUTPUT_COLUMNS:,} is accepted (a "
            "transform allocates, and names, that many output columns per row)"
        )


def count_problem(value: Any, *, none: bool, negative: bool, workers: bool) -> str | None:
    """Why ``value`` is refused as a thread or worker count, or ``None``: ``None`` and negative
    ints (joblib: ``max(cpu_count + 1 + n_jobs, 1)`` workers) where allowed, else an int from
    1 to :data:`MAX_WORKERS` (``workers``: joblib's processes) or :data:`MAX_THREADS`."""
    if value is None and none:
        return None
    if type(value) is int and value < 0 and negative:
        return None
    if workers:
        most, what = MAX_WORKERS, "joblib starts that many threads or worker processes"
    else:
        most, what = MAX_THREADS, "the native code starts that many threads"
    if type(value) is not int or not 1 <= value <= most:
        return f"is {short(value)}; only an int from 1 to {most} is accepted ({what})"
    return None


def _thread_count(row: DispatchRow, value: Any, graph: Graph) -> None:
    problem = count_problem(
        value,
        none=None in row.values,
        negative="negative" in row.values,
        workers="workers" in row.values,
    )
    if problem:
        raise _bad(problem)


def _fitted_dtype(row: DispatchRow, value: Any, graph: Graph) -> None:
    problem = fitted_dtype_problem(value)
    if problem:
        raise _bad(problem)


def _numeric_dtype(row: DispatchRow, value: Any, graph: Graph) -> None:
    if value is None and None in row.values:
        return
    problem = numeric_dtype_problem(value)
    if problem:
        raise _bad(problem)


def _forbidden(row: DispatchRow, value: Any, graph: Graph) -> None:
    raise _bad("may not be set by a file")


_KIND_CHECKS: dict[str, Callable[[DispatchRow, Any, Graph], None]] = {
    "one_of": _one_of,
    "regex": _regex,
    "each_one_of": _each_one_of,
    "estimator": _estimator,
    "estimators": _estimators,
    "named_estimators": _named_estimators,
    "named_transformers": _named_transformers,
    "callable": _callable,
    "scorer": _scorer,
    "none": _none,
    "output_config": _output_config,
    "attr_path": _attr_path,
    "data": _data,
    "vocabulary": _vocabulary,
    "kernel": _kernel,
    "forbidden": _forbidden,
    "int_one": _int_one,
    "output_width": _output_width,
    "thread_count": _thread_count,
    "params": _params,
    "instance_of": _instance_of,
    "rebuilt": _rebuilt,
    "each_instance_of": _each_instance_of,
    "numeric_dtype": _numeric_dtype,
    "fitted_dtype": _fitted_dtype,
}


def _choices(row: DispatchRow) -> str:
    return ", ".join(repr(v) for v in row.values)
