"""The native-structure checks of a load, applied by ``scan`` to what the stream says.

A load builds the objects and then runs :mod:`safeload.validate`'s checks on them (libsvm
models, KD/Ball trees, histogram gradient-boosting predictors, sparse matrices, neighbours,
k-means, coefficient widths...). ``scan`` builds nothing, so until now it could call a file
safe that a load refuses. Here the static pass's symbolic values are turned into *shadows*:

* constants, tuples, lists, sets and string-keyed dicts become the Python values they denote;
* arrays become numpy arrays read from the stream (views of it; object arrays are filled with
  the shadows of their items), numpy scalars and dtypes the values numpy would make;
* an instance of an allowed class becomes a :class:`Shadow`: it reports that class as its
  ``__class__`` (so ``isinstance`` answers as for the real object), holds the state the stream
  gives it as its attributes, and reads plain data attributes of the class (never properties
  or methods, which would run code);
* functions and classes stored as values are the allowed objects themselves;
* anything else (the result of a call the pass cannot evaluate, a dict with keys the pass does
  not keep) is :data:`UNKNOWN`-like: any use of it raises :class:`Unproven`, even ``isinstance``.

The same check functions then run on the shadows. A check that fails is the same refusal a
load would give; a check that touches an unknown value is *unproven*, and unproven is unsafe:
scan never reports as safe what it could not check. Nothing here imports a module the policy
does not trust, calls a constructor of a class from the file, or runs a ``__setstate__``.

The shadows and what the pass cannot see are in :mod:`safeload.trust.shadow_values`, the
builder in :mod:`safeload.trust.shadow_builder`, and what a BUILD gives an instance in
:mod:`safeload.trust.shadow_state`; this module runs the checks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from safeload.policy import Policy
from safeload.trust import facts
from safeload.trust.facts import ClassFacts, NeedsImport
from safeload.trust.shadow_builder import Builder
from safeload.trust.shadow_made import key_hash_problem
from safeload.trust.shadow_values import Shadow, Unknown, Unproven, is_real, state_item
from safeload.trust.shadow_values import class_of as class_of
from safeload.trust.static_masked import masked_place_problem

__all__ = ["Shadow", "Unproven", "native_findings"]


def native_findings(
    analysis: Any, reader: Any, policy: Policy, file_size: int | None = None
) -> list[Any]:
    """Findings for the native structures in ``analysis`` that a load would refuse, or that
    the pass cannot check (unproven, so unsafe).

    Shadows of scikit-learn estimators are first made from the classes' facts
    (:mod:`safeload.trust.facts`), which imports none of them; a stream is cleared that way only
    when every check ran on them without needing a class. Otherwise, and for any refusal, the
    shadows are made again with the classes imported, as they always were."""
    if facts.data_available() and not _named_class_needs_import(analysis, policy):
        facts.take_needs_import()
        found = _native_findings(analysis, reader, policy, file_size, data=True)
        if not found and not facts.take_needs_import():
            return found
    return _native_findings(analysis, reader, policy, file_size, data=False)


#: :func:`_checks_on_facts` by ``id`` of the facts (which live as long as the process, see
#: :func:`safeload.trust.facts.facts_for`): the checks, or why the class is needed.
_ON_FACTS: dict[int, tuple[ClassFacts, list[Callable[[Any, Any], None]] | str]] = {}


def _checks_on_facts(cls: Any) -> list[Callable[[Any, Any], None]]:
    """The checks a load runs on an instance of the class ``cls``'s facts stand for: those
    that read only the instance's state (every estimator's generic ones, and decision trees'
    and forests', whose ``Tree`` shadows the builder makes from facts too) run on such a
    shadow; any other needs the class. Worked out once per class (a forest asks once per
    tree)."""
    if type(cls) is not ClassFacts:
        raise NeedsImport("an instance the facts do not describe")
    known = _ON_FACTS.get(id(cls))
    if known is None or known[0] is not cls:
        try:
            found: list[Callable[[Any, Any], None]] | str = _facts_checks(cls)
        except NeedsImport as exc:
            found = str(exc)
        known = _ON_FACTS[id(cls)] = (cls, found)
    if isinstance(known[1], str):
        raise NeedsImport(known[1])
    return list(known[1])


def _named_class_needs_import(analysis: Any, policy: Policy) -> bool:
    """Whether the run on facts would end by asking for the run with the classes imported, as
    far as the names the stream uses tell: a trusted name the facts do not hold, a class whose
    checks need it, or a name the facts cannot shadow from a module not imported yet (as
    :meth:`Builder._global` decides). That run is then skipped: a joblib file of 1,000
    calibrated members was checked twice, half its scan time. Answering ``True`` wrongly
    costs that time only; the run with the classes decides either way."""
    from safeload.trust.shadow_builder import resolvable_on_facts
    from safeload.trust.shadow_state import TREE, shadowable

    for ref in getattr(analysis, "globals", ()):
        pair = (ref.module, ref.qualname)
        if not policy.allows(*pair):
            continue  # (an Unknown in either run)
        try:
            known = facts.facts_for(*pair)
        except NeedsImport:
            return True
        if known is not None and (shadowable(known) or pair == TREE):
            try:
                _checks_on_facts(known)
            except NeedsImport:
                return True
            continue
        if not resolvable_on_facts(pair):
            return True
    return False


def _first_needing_import(instances: list[Any]) -> str | None:
    """Why the checks of one of ``instances`` cannot run on facts (:func:`_checks_on_facts`),
    or ``None``; also when a :class:`NeedsImport` was raised and swallowed on the way."""
    if facts.needs_import_raised():
        return "a class the facts do not describe"
    for made in instances:
        cls = class_of(made)
        if isinstance(cls, type) and f"{cls.__module__}.{cls.__qualname__}" in _NO_CHECKS:
            continue
        try:
            _checks_on_facts(cls)
        except NeedsImport as exc:
            return str(exc)
    return None


def _facts_checks(cls: ClassFacts) -> list[Callable[[Any, Any], None]]:
    """:func:`_checks_on_facts`, worked out."""
    from safeload.trust.profiles import COMPUTED_ATTRIBUTES
    from safeload.trust.structures.ensembles import check_forest, check_tree_estimator
    from safeload.trust.structures.widths import check_index_maps, check_linear_shapes

    widths: dict[str, Callable[[Any, Any], None]] = {
        "check_linear_shapes": check_linear_shapes,
        "check_index_maps": check_index_maps,
    }
    on_state: dict[str, Callable[[Any, Any], None]] = {
        "check_tree_estimator": check_tree_estimator,
        "check_forest": check_forest,
    }
    found = []
    for name, check in facts.check_kinds():
        if check == "check_tree" or not cls.is_a(name):
            continue  # the tree's nodes are the static pass's own check
        if check in on_state:
            found.append(on_state[check])
        elif check not in widths:
            raise NeedsImport(f"the {check} check of a {cls.qualname}")
        elif cls.mro_set.isdisjoint(COMPUTED_ATTRIBUTES):  # validate.check_applies
            found.append(widths[check])
    return found


def _native_findings(
    analysis: Any, reader: Any, policy: Policy, file_size: int | None, *, data: bool
) -> list[Any]:
    """The findings, on shadows made from facts (``data``) or with the classes imported. Only
    the run with the classes imports :mod:`safeload.validate` and the native-structure checks
    (a run on facts needs the few in :func:`_facts_checks`)."""
    from safeload.pickle.analysis import Finding

    root = analysis.root
    if root is None:
        return []
    builder = Builder(reader, policy, data=data)
    try:
        builder.value(root)
        # every object the stream builds, also those only a container the pass does not
        # follow holds (a load's walk reaches those through the real container)
        for _pos, obj, _state in analysis.builds:
            builder.value(obj)
        for _pos, obj in analysis.calls:  # calls whose result the stream may discard (POP)
            builder.value(obj)
        for _pos, obj in analysis.pandas_calls:
            builder.value(obj)
        # what the stream drops off its stack (POP, POP_MARK): the load keeps it and checks
        # it as it checks the model, names allowance aside, so a bare object or a call that
        # fails, dropped, is made here too (rt52-05)
        for obj in analysis.dropped:
            builder.value(obj)
        # the objects the stream uses as dict keys or set items: the load hashes each as it
        # stores it, and fails on one it cannot hash (rt44-03)
        for _pos, obj in analysis.hashed:
            unhashable = key_hash_problem(builder.value(obj))
            if unhashable:
                builder.problems.append(unhashable)
                break
        if builder.problems:
            return [Finding(0, "", builder.problems[0])]
        if data:
            # a class whose checks need it imported makes the caller run again with the
            # classes: the rest of this run would be thrown away (a model of 1,000 calibrated
            # members was checked twice, half its scan time)
            needed = _first_needing_import(builder.instances)
            if needed is not None:
                return [Finding(0, "", f"unproven from facts: {needed}")]
        # inside the try: walking a state the pass could not prove raises Unproven
        top = builder.value(root)
        graph = _shadow_graph(top)
        problem = (
            _sharing_problem(top, graph)
            or _dropped_sharing_problem(builder, analysis.dropped)
            or _iteration_problem(builder.instances)
            or _delegation_problem(builder.instances)
            or _two_argument_problem(builder.instances)
            or _xgboost_wrapper_problem(builder.instances)
            or _native_params_problem(builder.instances)
            or _in_place_problem(builder, root)
            or _pandas_block_problem(top)
            or masked_place_problem(root)
            or _dropped_masked_problem(analysis.dropped)
        )
        from safeload.trust.object_checks import shared_native_problem
        from safeload.trust.structures.bunch import bunch_place_problem

        # (on facts too: they read class names only)
        orphan = bunch_place_problem(top, graph[0], builder.instances) or shared_native_problem(
            graph[0], builder.instances
        )
        if not data and orphan is None:
            from safeload.trust.structures.hgb import (
                held_orphan_problem,
                orphan_predictor_problem,
            )
            from safeload.trust.structures.neighbors import stray_metric_problem

            orphan = (
                held_orphan_problem(top, graph[0], builder.instances)
                or orphan_predictor_problem(builder.instances)
                or stray_metric_problem(top, graph[0], builder.instances)
            )
        # the instances the model holds, each as often as a recursive method meets it (as the
        # load's walk records them): one built and discarded (POP) pays for nothing (rt34-07),
        # one listed as 20 branches writes its names 20 times (rt35-10)
        from safeload.trust.object_checks import whole_model_problem
        from safeload.trust.sharing import path_counts

        # (not through the raw state of a shadow without attributes: a KD tree's
        # __setstate__ reads the items it knows and drops the rest, which the load's walk
        # never meets, rt35-14)
        opaque = {
            id(o)
            for o in builder.instances
            if type(o) is Shadow and object.__getattribute__(o, "_attrs") is None
        }
        edges = {key: ([] if key in opaque else kids) for key, kids in graph[0].items()}
        from safeload.trust.structures.bunch import without_bunch_edges

        meets = path_counts(id(top), edges)
        output_edges = without_bunch_edges(id(top), edges, builder.instances)
        output_meets = meets if output_edges is edges else path_counts(id(top), output_edges)
        named = whole_model_problem(
            builder.instances, file_size, meets, output_meets, graph=(id(top), edges), top=top
        )
    except RecursionError:
        return [Finding(0, "", "unproven: the object graph is too deep to check statically")]
    except Exception as exc:  # fail closed: what cannot be modelled is not proven
        return [Finding(0, "", f"unproven: the pass cannot model this state ({exc})")]
    if problem:
        return [Finding(0, "", problem, use_time=True)]
    if orphan:
        return [Finding(0, "", f"crafted model: {orphan} (a load refuses it)")]
    if named:
        return [Finding(0, "", f"{named} (a load refuses it)", use_time=True)]
    for made in builder.instances:
        cls = class_of(made)
        if isinstance(cls, type) and f"{cls.__module__}.{cls.__qualname__}" in _NO_CHECKS:
            continue  # a dict (subclass) made for real: no check of a load applies to it
        try:
            if data:
                applying = _checks_on_facts(cls)
            else:
                from safeload import validate

                applying = [
                    check
                    for kind, check in validate.checks_for_scan()
                    if issubclass(cls, kind) and validate.check_applies(check, cls)
                ]
        except NeedsImport as exc:
            return [Finding(0, "", f"unproven from facts: {exc}")]
        for check in applying:
            try:
                check(made, None)
            except Unproven as exc:
                return [
                    Finding(
                        0,
                        "",
                        f"unproven: the {facts.qualname(cls)} check needs {exc}; a load checks "
                        "it after building, scan cannot",
                    )
                ]
            except Exception as exc:  # fail closed: a load refuses on the same errors
                return [
                    Finding(
                        0,
                        "",
                        f"crafted {facts.qualname(cls)}: {exc} (a load refuses it: its native "
                        "code would read out of bounds, crash or never finish)",
                    )
                ]
    return []


def _dropped_sharing_problem(builder: Builder, dropped: list[Any]) -> str | None:
    """:func:`_sharing_problem` on what the stream drops, as one list: the load walks the
    dropped values it keeps as one list apart from the model, with the same sharing and
    nesting bounds (rt53-04: a shared tuple DAG dropped by POP was safe to scan)."""
    if not dropped:
        return None
    return _sharing_problem([builder.value(obj) for obj in dropped])


def _dropped_masked_problem(dropped: list[Any]) -> str | None:
    """:func:`masked_place_problem` on what the stream drops, as a list: the load walks the
    dropped values it keeps as one list, apart from the model (rt52-05)."""
    if not dropped:
        return None
    from safeload._symbolic import _Box

    return masked_place_problem(_Box(list(dropped)))


#: The dict subclasses the builder makes for real that no native check applies to
#: (``tests/security/test_redteam41_parity.py`` holds ``validate.checks_for_scan`` to it).
_NO_CHECKS = frozenset(
    {
        "builtins.dict",
        "collections.OrderedDict",
        "collections.defaultdict",
        "sklearn.utils._bunch.Bunch",
        # (joblib's array header: the load puts the array it stands for in its place)
        "joblib.numpy_pickle.NumpyArrayWrapper",
    }
)


def _children(value: Any) -> list[Any]:
    """What a recursive walk of ``value`` (repr, clone, get_params, the use-time walk) meets:
    what the load's walk (:func:`safeload.trust.usetime._children`) enters in the value the
    load builds, a slice's parts and a dict's keys included (rt53-03)."""
    kind = type(value)
    if kind is Shadow:
        attrs = object.__getattribute__(value, "_attrs")
        reduced = _reduced_children(value, attrs)
        if reduced is not None:
            return reduced
        if attrs is not None:
            held = _class_attributes(class_of(value))
            if held is None:
                return list(attrs.values())
            # as the load's walk: the one class such an attribute keeps is no edge (rt54-07)
            return [v for k, v in attrs.items() if not _is_class_named(v, held.get(k))]
        state = object.__getattribute__(value, "_state")
        return list(state) if isinstance(state, (tuple, list)) else []
    if kind is Unknown:  # a value the pass cannot make: what it knows the value holds
        return list(object.__getattribute__(value, "held"))
    if kind in (list, tuple, set, frozenset):
        return list(value)
    if kind is dict:
        return [*value.keys(), *value.values()]
    if kind is slice:
        return [value.start, value.stop, value.step]
    if kind is np.ndarray:
        # (as the load's walk reads one: a record array's rows are tuples, entered, rt93-09)
        return value.view(np.ndarray).ravel().tolist() if value.dtype.hasobject else []
    if kind is ClassFacts:  # a class kept as a value, from facts: the walk does not enter it
        return []
    # made for real (a partial, a sparse matrix, a random state, a date, a dict subclass, a
    # masked array): exactly what the load's walk enters in it, by the same code (rt54-01)
    from safeload.trust.usetime import entered

    return entered(value)


def _reduced_children(shadow: Shadow, attrs: dict[str, Any] | None) -> list[Any] | None:
    """What the load's walk meets in the object ``shadow`` stands for when that walk reads it
    through its ``__reduce_ex__`` (:func:`safeload.trust.usetime.walks_reduced`: a random
    state, a bit generator, a seed sequence, a KD tree, a distance metric): the values inside
    its reduced arguments and state (rt54-01), else ``None``. The state is the one the load's
    object keeps (what numpy's or Cython's setters made of the stream's, ``converted``)."""
    from safeload.trust.usetime import reduced_values, walks_reduced

    cls: Any = class_of(shadow)
    if not isinstance(cls, type):
        return None  # (from facts: scikit-learn estimators, which keep a __dict__)
    d = (attrs if attrs is not None else {}) if facts.has_dict(cls) else None
    if not walks_reduced(cls, d):
        return None
    args = object.__getattribute__(shadow, "_args")
    return reduced_values(args, object.__getattribute__(shadow, "_state"))


def _class_attributes(cls: Any) -> dict[str, tuple[str, str]] | None:
    """The attributes :data:`safeload.trust.callables.CLASS_ATTRIBUTES` lets the class
    ``cls`` (a class or its facts) keep a class in, or ``None``."""
    from safeload.trust.callables import CLASS_ATTRIBUTES

    return CLASS_ATTRIBUTES.get(facts.module_and_qualname(cls))


def _is_class_named(value: Any, pair: tuple[str, str] | None) -> bool:
    """Whether ``value`` is exactly the class ``pair`` names (a class, or its facts), as
    :func:`safeload.trust.usetime._is_held_class` asks of the loaded value."""
    if pair is None:
        return False
    if type(value) is ClassFacts:
        return (value.module, facts.qualname(value)) == pair
    return isinstance(value, type) and (value.__module__, value.__qualname__) == pair


#: The containers the load's walk enters without calling them instances.
_PLAIN_CONTAINERS = (dict, list, tuple, set, frozenset, slice)


def _is_instance(value: Any) -> bool:
    """Whether the load's walk calls the value the load builds for ``value`` an instance
    (:func:`safeload.trust.usetime._held`), which the sharing bound counts whatever it holds:
    a shadow, an object the pass cannot see, or one the builder made for real (a date, a
    sparse matrix, a dict subclass); not a plain container, an array, a dtype, a class, a
    function or a partial, nor an enum member or a checked pandas object, which that walk
    does not enter."""
    import functools
    import sys
    import types

    from safeload.trust.classes import enum_member_types
    from safeload.trust.graph import is_function, value_leaf

    kind = type(value)
    if kind is Shadow:
        return True
    if value_leaf(value):
        return False
    if kind is Unknown:  # a value of a type the pass knows, or one a call made
        made_as = object.__getattribute__(value, "made_as")
        if isinstance(made_as, type) and issubclass(made_as, np.ndarray):
            return False  # (a masked array: the load's walk enters it as an array)
        return made_as is None or made_as not in _PLAIN_CONTAINERS
    if kind in _PLAIN_CONTAINERS:
        return False
    if isinstance(value, _PLAIN_CONTAINERS):
        return True
    if isinstance(value, (np.ndarray, np.generic, np.dtype, type, functools.partial)):
        return False
    if isinstance(value, types.ModuleType) or is_function(value):
        return False
    if kind in enum_member_types():
        return False
    if "pandas" in sys.modules:
        from safeload.trust.pandas_forms import is_checked_pandas

        return not is_checked_pandas(value)
    return True


_ShadowGraph = tuple[dict[int, list[int]], set[int], dict[int, list[Any]]]


def _sharing_problem(root: Any, graph: _ShadowGraph | None = None) -> str | None:
    """The use-time walk's sharing bound (:func:`safeload.trust.sharing.sharing_problem`, the
    one rule) and nesting bound on the shadows: one object met through the memo in many
    places makes scikit-learn's recursive methods exponential."""
    from safeload.trust.sharing import counted_nodes, sharing_problem

    edges, instances, children = graph if graph is not None else _shadow_graph(root)
    counted = counted_nodes(edges, instances)
    if counted:
        problem = sharing_problem(id(root), edges, counted)
        if problem:
            return problem
    return _nesting_problem(root, edges, instances, children)


def _shadow_graph(root: Any) -> _ShadowGraph:
    """The edges between the objects reachable from ``root`` (node id -> the ids of the objects
    it holds, once per reference; a node that holds none has no entry), exactly as the load's
    use-time walk records them (:attr:`safeload.trust.graph.Graph.edges`); the ids of the
    instances among them (:func:`_is_instance`); each node's children."""
    from safeload.trust.graph import ATOMS, value_leaf

    edges: dict[int, list[int]] = {}
    instances: set[int] = set()
    children: dict[int, list[Any]] = {id(root): _children(root)}
    seen: set[int] = set()
    stack = [root]
    while stack:
        value = stack.pop()
        key = id(value)
        if key in seen:
            continue
        seen.add(key)
        if _is_instance(value):
            instances.add(key)
        if type(value) is Shadow and _data_only(value):
            continue  # as the load's walk: a decision tree's Tree holds numbers only
        # not isinstance: a shadow reports its class
        kids = [
            k
            for k in children[key]
            if not issubclass(type(k), (*ATOMS, np.generic)) and not value_leaf(k)
        ]
        if not kids:
            continue
        for kid in kids:
            if id(kid) not in children:
                children[id(kid)] = _children(kid)
        edges[key] = [id(k) for k in _walked(value, kids)]
        stack.extend(kids)
    return edges, instances, children


def _walked(value: Any, kids: list[Any]) -> list[Any]:
    """``kids`` less what ``value`` holds through its :data:`~safeload.trust.sharing.
    UNWALKED_LINKS` (one occurrence each, by identity), as the load's walk records edges."""
    from safeload.trust.sharing import UNWALKED_LINKS

    if type(value) is not Shadow:
        return kids
    cls: Any = class_of(value)
    links = UNWALKED_LINKS.get(facts.module_and_qualname(cls))
    attrs = object.__getattribute__(value, "_attrs") if links else None
    if not attrs:
        return kids
    kept = list(kids)
    for name in links:  # type: ignore[union-attr]
        if name in attrs:
            held = attrs[name]
            for i, kid in enumerate(kept):
                if kid is held:
                    del kept[i]
                    break
    return kept


def _data_only(shadow: Shadow) -> bool:
    """Whether the shadow stands for one of the extension types the load's walk does not
    enter (:func:`safeload.trust.classes.data_only_types`)."""
    from safeload.trust.classes import DATA_ONLY_TYPES

    cls: Any = class_of(shadow)
    module, qualname = facts.module_and_qualname(cls)
    return f"{module}:{qualname}" in DATA_ONLY_TYPES


def _nesting_problem(
    root: Any, edges: dict[int, list[int]], instances: set[int], children: dict[int, list[Any]]
) -> str | None:
    """The load's nesting bound (:func:`safeload.trust.sharing.deepest_nesting`) on the
    shadows: the estimators among the instances, a leaf one (holding no object) included."""
    from safeload.trust.facts import is_estimator
    from safeload.trust.sharing import MAX_ESTIMATOR_NESTING, deepest_nesting, nesting_problem

    values = {id(root): root, **{id(kid): kid for kids in children.values() for kid in kids}}
    estimators = {  # only shadows stand for instances of classes (plain containers are not)
        key
        for key in instances
        if type(values[key]) is Shadow and is_estimator(class_of(values[key]))
    }
    depth = deepest_nesting(id(root), edges, estimators)
    if depth > MAX_ESTIMATOR_NESTING:
        return nesting_problem(depth)
    return None


def _pandas_block_problem(root: Any) -> str | None:
    """The load's rule on checked pandas objects' blocks
    (:func:`safeload.trust.usetime.pandas_block_problem`) on the shadows: a numeric block that
    is also an array the model holds elsewhere."""
    import sys

    if "pandas" not in sys.modules:
        return None  # no pandas object was made
    from safeload.trust.pandas_forms import is_checked_pandas, pandas_contents
    from safeload.trust.usetime import pandas_block_problem

    arrays: list[Any] = []
    blocks: list[Any] = []
    dtypes: list[Any] = []
    seen: set[int] = set()
    stack = [root]
    while stack:
        value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        kind = type(value)  # not isinstance: a shadow reports its class
        if kind is np.ndarray:
            arrays.append(value)
        elif kind is not Shadow and is_checked_pandas(value):
            contents = pandas_contents(value)
            blocks.extend(contents.blocks)
            dtypes.extend(contents.dtypes)
            if contents.unpaid_range:
                return f"the model holds {contents.unpaid_range}"
            continue
        stack.extend(_children(value))
        if kind is not Shadow and kind is not Unknown:
            # an object the builder made for real (a sparse matrix): its arrays
            state = getattr(value, "__dict__", None)
            if type(state) is dict:
                stack.extend(state.values())
    return pandas_block_problem(arrays, blocks, dtypes)


def _delegation_problem(instances: list[Any]) -> str | None:
    """The load's rule on classes whose ``__getattr__`` forwards to an attribute
    (:func:`safeload.trust.object_checks.delegation_problem`), on the shadows."""
    from safeload.trust.object_checks import delegation_problem

    for made in instances:
        if type(made) is Shadow:
            problem = delegation_problem(made)
            if problem:
                return f"{facts.qualname(class_of(made))} {problem}"
    return None


def _two_argument_problem(instances: list[Any]) -> str | None:
    """The load's rule on numpy functions where scikit-learn passes two arrays
    (:func:`safeload.trust.object_checks.two_argument_problem`), on the shadows' attributes
    (the stored function is the allowed object itself, a partial one the builder made)."""
    from safeload.trust.object_checks import two_argument_problem

    for made in instances:
        if type(made) is Shadow:
            attrs = object.__getattribute__(made, "_attrs")
        else:  # made for real (an OrderedDict given attributes): its __dict__, as the load's
            attrs = getattr(made, "__dict__", None)
        found = two_argument_problem(attrs) if type(attrs) is dict and attrs else None
        if found:
            return f"{facts.qualname(class_of(made))}.{found[0]} {found[1]}"
    return None


def _xgboost_wrapper_problem(instances: list[Any]) -> str | None:
    """The load's rule on xgboost's wrappers (an ``XGBClassifier``'s ``n_classes_`` is its
    Booster's, :func:`safeload.trust.xgboost_wrapper.wrapper_problem`), on the shadows: their
    Booster's parameters come from the blob the stream holds (rt45-03)."""
    from safeload.trust.xgboost_wrapper import XGB_MODEL, wrapper_problem

    for made in instances:
        if type(made) is not Shadow:
            continue
        names = facts.mro_names(class_of(made))
        if XGB_MODEL not in names:
            continue
        found = wrapper_problem(names, vars(made))  # Unproven if the state is not a dict
        if found:
            return f"{facts.qualname(class_of(made))}.{found[0]} {found[1]}"
    return None


def _native_params_problem(instances: list[Any]) -> str | None:
    """The load's rule on LightGBM's parameters, widths and classes
    (:func:`safeload.trust.native_params.object_problem`), on the shadows: the values the
    stream builds (numpy numbers, strings and arrays, sets: rt45-09) and each Booster's
    number of features read from the model text it holds (rt45-05, rt45-11)."""
    from safeload.trust import native_params

    for made in instances:
        if type(made) is not Shadow:
            continue
        cls = class_of(made)
        names = facts.mro_names(cls)
        if names.isdisjoint(native_params.SHADOW_CLASSES):
            continue
        state = object.__getattribute__(made, "_attrs")
        if state is None:  # a Booster: the state its __setstate__ is handed
            state = object.__getattribute__(made, "_state")
        if type(state) is not dict:
            raise Unproven(f"the state of a {facts.qualname(cls)}")
        found = native_params.shadow_problem(names, state, _booster_text)
        if found:
            return f"{facts.qualname(cls)}.{found[0]} {found[1]}"
    return None


def _booster_text(booster: Any) -> Any:
    """The model text (``_handle``) a LightGBM Booster's shadow holds, or ``None``."""
    return state_item(booster, "_handle") if type(booster) is Shadow else None


def _shadow_state(made: Any) -> dict[str, Any] | None:
    """A shadow's attributes, or the ``__dict__`` of what the builder made for real."""
    if type(made) is Shadow:
        attrs = object.__getattribute__(made, "_attrs")
    else:
        attrs = getattr(made, "__dict__", None)
    return attrs if type(attrs) is dict else None


def _in_place_problem(builder: Builder, root: Any) -> str | None:
    """The load's rule on estimators stored with an in-place parameter off
    (:func:`safeload.trust.in_place.in_place_problem`), on the shadows' attributes. A
    sub-estimator in its holder's private slot must be held by nothing else: counted in the
    stream (every reference, as :mod:`safeload.trust.static_masked` counts them), where it must
    be referenced once, by its holder's BUILD state dict, itself referenced once."""
    from safeload.trust.in_place import in_place_problem

    syms: dict[int, int] = {}
    stream: tuple[dict[int, list[int]], dict[int, Any]] | None = None

    def held_once(obj: Any, holder: Any, slot: str) -> bool:
        nonlocal stream
        from safeload._symbolic import _Obj
        from safeload.trust.static_masked import stream_references

        if not syms:
            for key, value in builder.done.items():
                if type(value) is Shadow:
                    syms.setdefault(id(value), key)
        if stream is None:
            stream = stream_references(root)
        references, nodes = stream
        sym, owner = syms.get(id(obj)), syms.get(id(holder))
        node = nodes.get(owner) if owner is not None else None
        state = node.state if isinstance(node, _Obj) else None
        return (
            sym is not None
            and state is not None
            and references.get(sym) == [id(state)]
            and references.get(id(state)) == [owner]
        )

    found = in_place_problem(builder.instances, _shadow_state, held_once)
    if found is None:
        return None
    made, name, why = found
    return f"{facts.qualname(class_of(made))}.{name} {why}"


def _iteration_problem(instances: list[Any]) -> str | None:
    """The use-time walk's cap on iteration counts that ``transform``/``predict`` loop over
    (:data:`safeload.trust.object_checks.ITERATION_LIMITS`), on the shadows' numbers (plain ints and
    numpy integer scalars alike)."""
    from safeload.trust.object_checks import iteration_limit, use_time_counts

    for made in instances:
        if type(made) is not Shadow:
            continue
        attrs = object.__getattribute__(made, "_attrs")
        if not attrs:
            continue
        cls = class_of(made)
        for name in sorted(use_time_counts(attrs, facts.short_name(cls))):
            count = attrs[name]
            if is_real(count, (int, np.integer)) and int(count) > iteration_limit(name):
                return (
                    f"{facts.qualname(cls)}.{name} asks for more than {iteration_limit(name)} "
                    "iterations at use time"
                )
    return None
