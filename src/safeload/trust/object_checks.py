"""The per-object checks that run on every instance the use-time walk reached.

After the walk held the graph's structure, each instance's state is checked by type: stored
keyword arguments, functions called with two arrays, ColumnTransformer's name template,
iteration counts that ``transform`` and ``predict`` run, the dispatch rows that apply to its
class, scikit-learn's parameter constraints, native libraries' parameters, kernels'
``hyperparameter_*`` names and searches' parameter grids.
"""

from __future__ import annotations

import functools
import math
import numbers
import operator
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from safeload.trust import native_params, xgboost_wrapper
from safeload.trust.classes import (
    constraints_of,
    fitted_dispatch_rows,
    kernel_base,
    mro_names,
    search_base,
)
from safeload.trust.dtype_kinds import short
from safeload.trust.graph import Graph, UnsafeState
from safeload.trust.kinds import apply, count_problem
from safeload.trust.params import check_grid, check_params
from safeload.trust.structures.common import root_array
from safeload.trust.structures.names import NATIVE_STATE_HOLDERS

#: Keyword arguments that make a numpy function write into an array the model holds (which
#: may be the very array a native structure was checked with).
_OUTPUT_KEYWORDS = frozenset({"out"})
#: Attributes whose dict is passed as ``**kwargs`` to a stored callable or a metric.
KWARGS_ATTRIBUTES = frozenset(
    {
        "kw_args",
        "inv_kw_args",
        "_kwargs",
        "kernel_params",
        "metric_params",
        "effective_metric_params_",
    }
)


#: Slots whose callable scikit-learn calls with two arrays (kernels, metrics, score functions).
_TWO_ARGUMENT_SLOTS = frozenset({"kernel", "metric", "score_func", "affinity", "_score_func"})
#: Iteration counts that transform or predict run (LDA's E-step, NMF's solver for W), which
#: scikit-learn bounds only from below; honest values are far under the limit.
#: MiniBatchNMF's ``transform`` runs its fitted private copy, ``_transform_max_iter``
#: (10**12 with ``tol=0``: 250 days of CPU, rt37-04), and ``partial_fit`` its
#: ``fresh_restarts_max_iter``.
ITERATION_LIMITS = frozenset(
    {
        "max_doc_update_iter",
        "max_iter_predict",
        "transform_max_iter",
        "_transform_max_iter",
        # MiniBatchNMF.partial_fit solves W with it at every call (rt38-05)
        "fresh_restarts_max_iter",
    }
)
#: Classes whose transform runs its ``max_iter`` solver (NMF's W, per call).
ITERATING_AT_USE = frozenset({"NMF", "MiniBatchNMF"})
MAX_ITERATIONS = 100_000
#: Iteration counts run once per input row, not per call: LDA's E-step runs its rounds for
#: every document, in full when ``mean_change_tol`` is 0 (0.8 s per document at 100,000,
#: rt35-12). The default is 100.
#: Dictionary learning's ``lasso_cd`` encoding fits a Lasso with ``transform_max_iter`` on
#: every input row as a target: coordinate descent runs once per row (2.2 s per row at 100,000
#: on nearly collinear atoms, rt36-11). The default is 1,000.
PER_ROW_LIMITS = {"max_doc_update_iter": 1_000, "transform_max_iter": 10_000}
#: The most per-row work a whole model may ask for, in units of one count at its limit: a
#: union listing one LDA as 200 branches ran its capped E-step 200 times per row (rt36-07).
MAX_PER_ROW_SHARE = 4


def iteration_limit(name: str) -> int:
    """The most iterations the count ``name`` may ask for at use time."""
    return PER_ROW_LIMITS.get(name, MAX_ITERATIONS)


#: Components over which one of NMF's iterations costs what the iteration limits were set for:
#: each runs coordinate descent over the (k, k) Gram of its components ...
FREE_ITERATING_COMPONENTS = 32
#: ... and computes that Gram (and the input's product with the components) once per call,
#: over the features: 32 components over 100,000 features took 5.3 ms a round for one row,
#: nine minutes at NMF's 100,000 (rt81-12).
FREE_ITERATING_FEATURES = 1024
#: Topics over which a round of LDA's E-step (topics x words in the row) costs what
#: ``max_doc_update_iter``'s limit was set for: 81,920 repeated topics took 2 s a row (rt81-03).
FREE_LDA_TOPICS = 1024
#: Atoms over which a round of dictionary learning's ``lasso_cd`` encoding (coordinate descent
#: over the (k, k) Gram of the atoms, per row) costs what ``transform_max_iter``'s limit was
#: set for: 1,024 nearly collinear atoms never met lasso's tolerance, 2.9 s a row (rt81-04);
#: 2,048 atoms at scikit-learn's default 1,000 rounds load (rt82-10: 256 had refused them).
FREE_LASSO_ATOMS = 400
#: The classes whose ``transform`` encodes each row with ``transform_algorithm``.
SPARSE_CODERS = frozenset({"DictionaryLearning", "MiniBatchDictionaryLearning", "SparseCoder"})


def iteration_weight(class_name: str, state: Any, count: str = "max_iter") -> float:
    """What one use-time iteration of the count ``count`` of an instance of ``class_name``
    costs, in iterations at the free sizes: NMF's grows with the square of its components
    past :data:`FREE_ITERATING_COMPONENTS` (1,024 repeated atoms at 100,000 iterations took
    14 minutes for 10 rows, rt80-08) times its features past :data:`FREE_ITERATING_FEATURES`
    (rt81-12); LDA's E-step with its topics past :data:`FREE_LDA_TOPICS` (rt81-03); a
    ``lasso_cd`` encoding with the square of its atoms past :data:`FREE_LASSO_ATOMS`
    (rt81-04). Shapes are read from the instance's own state."""
    if class_name in ITERATING_AT_USE:
        shape = shape_of(state.get("components_"))
        rows, features = (int(shape[0]), int(shape[-1])) if shape else (0, 0)
        return max(1.0, (rows / FREE_ITERATING_COMPONENTS) ** 2) * max(
            1.0, features / FREE_ITERATING_FEATURES
        )
    if count == "max_doc_update_iter" and class_name == "LatentDirichletAllocation":
        # (transform's E-step walks exp_dirichlet_component_'s rows, rt82-11)
        topics = _most_rows(state, ("components_", "exp_dirichlet_component_"))
        return max(1.0, topics / FREE_LDA_TOPICS)
    if count == "transform_max_iter" and class_name in SPARSE_CODERS:
        if _coder_algorithm(state) != "lasso_cd":
            return 1.0
        # (a SparseCoder encodes with its dictionary, a stray components_ aside: rt82-12)
        atoms = _most_rows(state, ("components_", "dictionary"))
        return max(1.0, (atoms / FREE_LASSO_ATOMS) ** 2)
    return 1.0


def _most_rows(state: Any, names: tuple[str, ...]) -> int:
    """The most rows any of the arrays ``names`` in ``state`` has."""
    rows = [shape_of(state.get(name)) for name in names]
    return max((int(shape[0]) for shape in rows if shape), default=0)


def _coder_algorithm(state: Any) -> str | None:
    """A sparse coder's ``transform_algorithm`` as scikit-learn compares it (``==``: numpy's
    str_ is one too, rt82-03)."""
    algorithm = state.get("transform_algorithm")
    return str(algorithm) if issubclass(type(algorithm), str) else None


#: A share of per-row work in a LARS or OMP encoding's units (steps**2 x atoms, what one OMP
#: encoding of 512 steps over 4,096 atoms in general position does in some 1.3 s: rt82-07).
CODER_WORK_PER_SHARE = 250_000_000
#: Each path algorithm's work per unit, against OMP's (measured on those atoms: lars 2.6 s,
#: lasso_lars 10 s, omp 1.3 s a row).
_CODER_WORK = {"omp": 1, "lars": 2, "lasso_lars": 4}


def coder_row_share(class_name: str, state: Any) -> float:
    """The per-row shares a sparse coder's LARS or OMP encoding costs: each of its steps
    (``transform_n_nonzero_coefs``, a tenth of the features by default; ``lasso_lars`` up to
    ``transform_max_iter``, at most the features) walks every atom and the active set's
    factor (rt82-07). ``lasso_cd`` is weighed by :func:`iteration_weight`."""
    if class_name not in SPARSE_CODERS:
        return 0.0
    algorithm = _coder_algorithm(state)
    factor = _CODER_WORK.get(algorithm or "", 0)
    if not factor:
        return 0.0
    shapes = [shape_of(state.get(name)) for name in ("components_", "dictionary")]
    atoms = max((int(shape[0]) for shape in shapes if shape), default=0)
    features = max((int(shape[-1]) for shape in shapes if shape), default=0)
    if algorithm == "lasso_lars":
        steps: Any = state.get("transform_max_iter")
    else:
        steps = state.get("transform_n_nonzero_coefs")
        if steps is None:
            steps = max(features // 10, 1)
    from safeload.trust.structures.common import is_int

    if not (is_int(steps) and int(steps) > 0):
        return 0.0  # (transform refuses it)
    walked = min(int(steps), features, atoms) if features and atoms else 0
    return float(factor * walked * walked * atoms / CODER_WORK_PER_SHARE)


def use_time_counts(state: Any, class_name: str) -> set[str]:
    """The iteration counts among ``state``'s keys that a method runs at use time
    (:data:`ITERATION_LIMITS`, and ``max_iter`` for the classes in :data:`ITERATING_AT_USE`,
    ``class_name`` being the instance's class's ``__name__``)."""
    names = set(ITERATION_LIMITS.intersection(state))
    if "max_iter" in state and class_name in ITERATING_AT_USE:
        names.add("max_iter")
    return names


#: How many times the model's own arrays its estimators may be met, in bytes, by the recursive
#: methods that meet one estimator once per reference (``predict`` of a voting model over
#: its list), beyond :data:`MAX_REPEATED_BYTES`.
REPEAT_SPREAD = 8
MAX_REPEATED_BYTES = 1 << 26
#: How many times an honest model meets one instance or array: once, or twice for a voting or
#: stacking ensemble's (``estimators_`` and ``named_estimators_``). Meetings beyond these
#: are what sharing buys: 2 bytes of memo reference each.
HONEST_MEETINGS = 2
#: The output columns that meetings beyond :data:`HONEST_MEETINGS` may add to one input row's
#: results, summed over every instance and array, beyond :data:`ROW_OUTPUT_SPREAD` per 8
#: bytes of the arrays the model stores (each array once). Each meeting sizes a result of its
#: own: 200 distinct LogisticRegressions sharing one 4,096-label classes_, coef_ and intercept_
#: made predict_proba return 13 GB for 2,000 rows from 218 KB (rt56-05), 200 regressors
#: sharing one (4096, 4) coef_ 13 GB from 176 KB (rt57-01), one PCA listed 200 times in a
#: ColumnTransformer's tuples alike (rt57-05), one PolynomialFeatures listed 200 times in a
#: union 13 GB from 2.4 KB (rt58-09). An output width met once or twice is honest whatever it
#: is (a count sketch of 40,000 components, a ridge of 5,000 targets).
MAX_ROW_OUTPUTS = 1 << 15
#: Output columns per input row that no stored array pays for, summed over the whole model:
#: a count sketch's width is its ``degree * n_components`` parameters (its hashes are
#: ``(degree, n_features_in_)``), so one of 2,000,000 components was a 437-byte file whose
#: ``transform`` of 2,000 rows allocated 32 GB, and 200 distinct sketches of 4,096 in a union
#: 13 GB from 50 KB (rt58-01). An honest sketch has up to some 10**5 components (rt58-06: one
#: of 40,000 at degree 2 is 80,000 columns).
MAX_FREE_COLUMNS = 1 << 18
#: The classes whose output width is a product of parameters, and the parameters.
FREE_WIDTHS = {
    "PolynomialCountSketch": ("degree", "n_components"),
    # category_encoders' HashingEncoder writes n_components columns (an int64 each), whatever
    # it stores: 2**24 in an 858-byte file made 13 GB for 100 rows (rt59-06)
    "HashingEncoder": ("n_components",),
    # an unfitted GaussianProcessRegressor predicts its prior, (n, n_targets): 2**20 in a
    # 252-byte file (rt59-09); a fitted one sizes by its arrays and n_targets is None or small
    "GaussianProcessRegressor": ("n_targets",),
}
#: Transformers that ``transform`` without being fitted, whose output is as wide as their
#: input (or a parameter's multiple of it, :func:`_input_factor`): nothing they store says
#: their width or pays for it. One Normalizer listed 10,000 times in a union copied its input
#: 10,000 times (rt60-10), 10,000 distinct Binarizers alike (rt61-01); an unfitted
#: AdditiveChi2Sampler of 1,000 steps listed 2,000 times, 3,998,000 times (rt60-11).
INPUT_WIDE = frozenset(
    {
        "Normalizer",
        "Binarizer",
        "FunctionTransformer",
        "AdditiveChi2Sampler",
        "PatchExtractor",
        # hashing needs no fit either: a sparse result with an entry per token of its input
        "HashingVectorizer",
        "FeatureHasher",
        # its dictionary is a parameter: a row of it is an output column (:data:`OUTPUT_AXES`)
        "SparseCoder",
    }
)
#: Composites and wrappers whose ``transform`` hands the input to the estimators they hold,
#: which count for themselves (:func:`peak_input_copies`). (Voting and stacking ensembles
#: count a copy: stacking with ``passthrough`` returns its input beside the predictions, and
#: 1,500 in a union copied it 1,500 times, rt63-01.)
DELEGATING = frozenset(
    {
        "Pipeline",
        "FeatureUnion",
        "ColumnTransformer",
        "GridSearchCV",
        "RandomizedSearchCV",
        "HalvingGridSearchCV",
        "HalvingRandomSearchCV",
        "FrozenEstimator",
    }
)
#: Transformers that transform without a fit of their own: ``SelectFromModel(prefit=True)``
#: selects with the estimator it was given.
PREFIT = frozenset({"SelectFromModel"})
#: Copies of the input one row may take at once in the transformers' results
#: (:func:`peak_input_copies`): every meeting counts, distinct or not, since such a
#: transformer stores nothing that pays for its width, or what it stores compresses to
#: almost nothing. One Normalizer listed 10,000 times in a union (rt60-10), 10,000 distinct
#: Binarizers (rt61-01), 10,000 scalers keeping no statistics (rt61-06) or statistics that
#: joblib's ``compress=3`` shrank to 160 KB (rt61-10), 1,500 keep-all feature selectors,
#: ordinal encoders or discretizers in 46 KB (rt62-01). A column transformer scaling each of
#: 1,000 columns on its own holds one copy.
MAX_INPUT_COPIES = 1024


def peak_input_copies(
    root: int, edges: dict[int, list[int]], instances: Any
) -> tuple[float, float]:
    """How many copies of one input row the model may hold at once while it transforms or
    predicts, each as wide as the input; and how many columns per input column those copies
    hold (each weighted by :func:`_width_factor`). A copy is what a :func:`_copies_input`
    transformer gives (its :func:`_input_factor`); copies add over a union's or column
    transformer's branches (their results sit side by side; a column transformer's branch
    weighted by the share of the columns it reads, :func:`_column_shares`), multiply along a
    pipeline's steps (each step transforms the previous step's result), and anything else
    (an ensemble, a search or a dict runs one estimator at a time and keeps only its result)
    holds the largest of what it holds. Counted in one walk over the graph ``edges`` from
    ``root`` (ids; the instances are ``instances``) from the leaves up, each instance once, a
    cycle as one union of its members.

    Counting every meeting instead (rt61-10's fix) refused honest models: a bagging ensemble
    of 1,100 scaled trees, which never holds two members' copies, and a column transformer's
    unfitted templates beside its fitted branches (rt62-05, rt62-08); and paying for copies
    with file bytes let 3,000 scalers in a 5 MB file copy any input 3,000 times (rt62-07)."""
    from safeload.trust.shadow_values import class_of
    from safeload.trust.sharing import components
    from safeload.trust.structures.names import _COLUMNS, _PIPELINE, _UNION, _attrs, _mro

    by_id = {id(obj): obj for obj in instances}
    # every column transformer of the model reads MAX_COLUMN_KEYS column keys in all (rt63-13:
    # 100 of 2**20 each took 28 s); past that every branch counts whole
    budget = [MAX_COLUMN_KEYS]
    # a column transformer whose sparse_threshold is below its default makes its branches'
    # sparse results dense (0: always), and a fitted one does what its stored sparse_output_
    # says: sparse one-hot results under it then count whole (rt63-15, rt63-16); only under
    # it: one of dense branches elsewhere in the model densifies nothing here (rt64-08)
    dense = _output_reach(
        [id(o) for o in instances if _COLUMNS in _mro(class_of(o)) and _densifies(_attrs(o))],
        edges,
        by_id,
    )
    _, order = components(root, edges)
    #: id: ((output copies, peak copies), (output columns, peak columns)) per input column
    value: dict[int, tuple[tuple[float, float], ...]] = {}
    none = ((0.0, 0.0), (0.0, 0.0))
    whole = ((1.0, 1.0), (1.0, 1.0))

    def of(entry: Any) -> tuple[tuple[float, float], ...]:
        if type(entry) is str:  # "passthrough" copies its input; "drop" gives nothing
            return whole if entry == "passthrough" else none
        if entry is None:
            return whole
        return value.get(id(entry), whole)  # (not counted yet: a cycle's member)

    held_outputs: dict[int, int] = {}

    def member_width(member: Any) -> int:
        """The widest output anything under an ensemble's member holds (rt65-14, rt65-16:
        a search's best estimator, a wrapped regressor, a neighbours regressor's targets)."""
        key = id(member)
        if key not in held_outputs:
            held_outputs[key] = max(
                (
                    _outputs_held(facts_short_name(class_of(by_id[k])), _attrs(by_id[k]))
                    for k in _reachable([key], edges)
                    if k in by_id
                ),
                default=0,
            )
        return held_outputs[key]

    def node(key: int, inside: set[int]) -> tuple[tuple[float, float], ...]:
        obj = by_id.get(key)
        skip = inside | _label_helpers(obj)
        kids = [value.get(k, none) for k in edges.get(key, ()) if k not in skip]
        held = tuple(
            (max((k[m][0] for k in kids), default=0.0), max((k[m][1] for k in kids), default=0.0))
            for m in (0, 1)
        )
        if obj is None:
            return held
        cls = class_of(obj)
        attrs = _attrs(obj)
        mro = _mro(cls)
        if _PIPELINE in mro or _UNION in mro or _COLUMNS in mro:
            key_name = "steps" if _PIPELINE in mro else "transformer_list"
            if _COLUMNS in mro:
                key_name = "transformers_" if "transformers_" in attrs else "transformers"
            entries = _entries(attrs.get(key_name))
            if entries is None:
                # a composite whose entries this cannot read: all it holds side by side
                return tuple(
                    (sum(k[m][0] for k in kids), sum(max(k[m]) for k in kids)) for m in (0, 1)
                )
            if _PIPELINE in mro:
                return tuple(_pipeline([of(step[1])[m] for step in entries]) for m in (0, 1))
            if _UNION in mro:
                shares = [1.0] * len(entries)
            else:
                shares = _column_shares(
                    entries,
                    attrs.get("_transformer_to_input_indices"),
                    attrs.get("feature_names_in_"),
                    budget,
                )
            branches = [of(entry[1]) for entry in entries]
            return tuple(
                (
                    sum(share * b[m][0] for share, b in zip(shares, branches, strict=True)),
                    sum(share * max(b[m]) for share, b in zip(shares, branches, strict=True)),
                )
                for m in (0, 1)
            )
        name = facts_short_name(cls)
        # a predictor's own outputs (and hidden layers) per input column, whatever holds it
        copies_input = _copies_input(cls, name, attrs)
        # (a transformer has no free outputs: its results sit side by side in a union)
        own = _predictor_columns(cls, name, attrs, 0 if copies_input else FREE_PREDICTOR_OUTPUTS)
        members: Any = attrs.get("estimators_")
        if name in SIDE_BY_SIDE and type(members) in (list, tuple) and _fitted(attrs):
            # its members' outputs at once, each whole (rt66-19)
            beside = sum(max(1, member_width(m)) for m in members)
            # on the members' input widths, not the holder's own (rt67-03: _stored_inputs)
            own = max(own, max(beside - FREE_PREDICTOR_OUTPUTS, 0) / _checked_inputs(attrs))
        if copies_input or _predicts_wide(name, attrs):
            copies = float(_input_factor(name, attrs))
            free = 0 if copies_input else FREE_PREDICTOR_OUTPUTS
            columns = copies * _width_factor(name, attrs, key in dense, member_width, free)
            columns = max(columns, own)
            return (copies, max(copies, held[0][1])), (columns, max(columns, held[1][1]))
        if own > 1.0:
            return held[0], (max(own, held[1][0]), max(own, held[1][1]))
        return held

    for members in order:
        if len(members) == 1 and members[0] not in edges and members[0] not in by_id:
            continue  # a container holding no object: ``none``, as ``value.get`` gives it
        inside = set(members) if len(members) > 1 else set()
        if inside:  # a cycle: every member's own copies and what it holds, side by side
            total = [node(key, inside) for key in members]
            both = tuple(
                (sum(t[m][0] for t in total), sum(max(t[m]) for t in total)) for m in (0, 1)
            )
            for key in members:
                value[key] = both
        else:
            value[members[0]] = node(members[0], inside)
    found = value.get(root, none)
    return found[0][1], found[1][1]


#: Where a classifier keeps the LabelBinarizer it encodes its targets with at fit and decodes
#: its scores with: it is never handed the input, so its classes are not columns of the input
#: (the classifier's own outputs count them). Counted as a transformer of the input, it refused
#: honest classifiers of more than 4,096 classes (rt68-08). Only these classes, which never
#: hand it their input (a search's LabelBinarizer member stored there too was hidden, rt69-03).
LABEL_HELPERS = {
    "RidgeClassifier": "_label_binarizer",
    "RidgeClassifierCV": "_label_binarizer",
    "MLPClassifier": "_label_binarizer",
    "OneVsRestClassifier": "label_binarizer_",
}


def _label_helpers(obj: Any) -> set[int]:
    """The id of the LabelBinarizer a :data:`LABEL_HELPERS` classifier ``obj`` keeps there, if
    nothing else in ``obj`` (an attribute, or an item of a list or tuple one) holds it too."""
    from safeload.trust.shadow_values import class_of
    from safeload.trust.structures.names import _attrs

    key = LABEL_HELPERS.get(facts_short_name(class_of(obj))) if obj is not None else None
    if key is None:
        return set()
    attrs = _attrs(obj)
    helper = attrs.get(key)
    if helper is None or facts_short_name(class_of(helper)) != "LabelBinarizer":
        return set()
    for name, value in attrs.items():
        items = value if type(value) in (list, tuple) else (value,)
        if name != key and any(item is helper for item in items):
            return set()
    return {id(helper)}


#: Outputs (or values per row held while predicting) a predictor may give whatever its input's
#: width, before the rest count per input column: an honest KNeighborsClassifier of 10,000
#: places from latitude and longitude, or a Ridge of 5,000 targets on one column, predicts
#: wider than 4,096 per input column (rt66-13), and a radius neighbours model of 45,000
#: samples over 10 features holds up to 4,500 per input column (rt66-07); a nearest-label
#: lookup from latitude and longitude to the 41,700 US ZIP codes (rt67-11). 65,536 values
#: are 512 KB a row. A predictor is not held side by side with others (a union transforms;
#: the holders that keep members' results side by side add them up, :data:`SIDE_BY_SIDE`),
#: so the allowance does not add up; a transformer has none.
FREE_PREDICTOR_OUTPUTS = 1 << 16


def _predictor_columns(
    cls: Any, name: str, attrs: dict[str, Any], free: int = FREE_PREDICTOR_OUTPUTS
) -> float:
    """The columns per input column that a fitted estimator with an output method gives or
    holds for each row, as its stored arrays size them (0 for anything else): its outputs
    (:func:`_outputs_held`: labels, targets, ``coef_`` rows, a mixture's components), or a
    multilayer perceptron's widest hidden layer, over its input columns (``n_features_in_``,
    or one without it), past ``free`` (:data:`FREE_PREDICTOR_OUTPUTS` for a predictor; none
    for a transformer, whose results sit side by side in a union). Each is a dense ``(rows,
    width)`` array when it predicts: a linear classifier's ``coef_`` of 1,000,000 zero rows,
    an MLP's hidden layer of 1,000,000 units and a Gaussian mixture of 1,000,000 components,
    each on one input column, were 3-110 KB files asking 1.6 GB for 200 rows (rt66-01,
    rt66-03, rt66-04)."""

    if name in DELEGATING or not _fitted(attrs) or not _has_output_method(cls):
        return 0.0
    width = _outputs_held(name, attrs, every_axis=True)
    if name in ("MLPClassifier", "MLPRegressor"):
        layers: Any = attrs.get("coefs_")
        for layer in layers if type(layers) in (list, tuple) else ():
            shape = shape_of(layer)
            if shape and len(shape) == 2:
                width = max(width, shape[1])
    return max(width - free, 0) / _checked_inputs(attrs)


def _checked_inputs(attrs: dict[str, Any]) -> int:
    """:func:`_stored_inputs`, or one when nothing that checks says."""
    from safeload.trust.structures.common import is_int

    n_in: Any = _stored_inputs(attrs)
    return int(n_in) if is_int(n_in) and int(n_in) > 0 else 1


def _axis_width(value: Any, axis: int) -> int:
    """The length of ``value``'s axis ``axis`` (negative from the last): an array's, sparse
    matrix's or pandas object's, or a list's or tuple's (its length on axis 0, its first
    item's along the rest)."""
    shape = shape_of(value)
    if shape is not None:
        return shape[axis] if -len(shape) <= axis < len(shape) else 0
    if type(value) not in (list, tuple) or not value:
        return 0
    if axis == 0:
        return len(value)
    return _axis_width(value[0], axis - 1 if axis > 0 else axis)


def _widest_axis(value: Any, depth: int) -> int:
    """The longest axis of ``value``: an array's, sparse matrix's or pandas object's, or a
    list's or tuple's length and its items' (``depth`` levels down, the first 4,096 items
    at each)."""
    shape = shape_of(value)
    if shape is not None:
        return max(shape, default=0)
    if type(value) not in (list, tuple):
        return 0
    widest = len(value)
    if depth > 0:
        for item in value[:4096]:
            widest = max(widest, _widest_axis(item, depth - 1))
    return widest


def _widest_under(obj: Any, depth: int) -> int:
    """The longest axis of anything an estimator ``obj`` holds (:func:`_widest_axis`), its
    ``n_features_in_``, and the same of the estimators it holds, ``depth`` levels down; past
    that, or past a list of 4,096 items, :data:`UNREAD_WIDTH`."""
    from safeload.trust.structures.names import _attrs

    attrs = _attrs(obj)
    widest = _count_of(attrs.get("n_features_in_"))
    for value in attrs.values():
        widest = max(widest, _widest_axis(value, 2))
        items = value if type(value) in (list, tuple) else (value,)
        if len(items) > 4096:
            return UNREAD_WIDTH
        for item in items:
            if type(item) in (list, tuple) and len(item) >= 2:
                item = item[1]  # a pipeline's ("name", step)
            if _attrs(item):
                if depth <= 0:
                    return UNREAD_WIDTH  # deeper than read: fail closed (rt67-21)
                widest = max(widest, _widest_under(item, depth - 1))
    return widest


#: The width of what :func:`_widest_under` does not read (nested past its depth, or a list
#: past 4,096 items): more than any bound allows, so the model is refused.
UNREAD_WIDTH = 1 << 40


def _stored_inputs(attrs: dict[str, Any], depth: int = 0) -> Any:
    """The input columns an estimator with attributes ``attrs`` checks its input against, or
    ``None`` when nothing that checks says. Its own ``n_features_in_``, unless it holds
    fitted estimators (a meta-estimator, a voting or stacking ensemble whose width is a
    property over its members): those hand the input on, some without checking it, and may
    allocate their result first (CalibratedClassifierCV's probabilities, rt67-04; a
    multi-output wrapper, rt67-03). Its width is then the fewest its fitted members check,
    every one of them saying (an honest 2,100-class soft voter on 10 columns was counted on
    one, rt66-06); a pipeline's, its first step's. A dummy estimator stores
    ``n_features_in_`` but never checks it, nor does a FunctionTransformer that does not
    validate (rt66-17): ``None``."""
    from safeload.trust.structures.common import is_int
    from safeload.trust.structures.names import _attrs

    if depth > 8:
        return None
    if "strategy" in attrs and ("class_prior_" in attrs or "constant_" in attrs):
        return None
    if "_fit_X" in attrs and "precomputed" in (attrs.get("metric"), attrs.get("effective_metric_")):
        # a neighbours model on precomputed distances checks no width: its query is distances
        # to the fitted samples, and a sparse query any width at all (rt68-01)
        return None
    if "nbrs_" in attrs and "dist_matrix_" in attrs:
        # Isomap hands its input to its neighbours model unchecked (rt68-02)
        return _stored_inputs(_attrs(attrs["nbrs_"]), depth + 1)
    if "_transformer_to_input_indices" in attrs and "feature_names_in_" in attrs:
        # a column transformer fitted on a frame reads a frame by the names its kept branches
        # use, and checks no count (rt68-06)
        return _frame_columns(attrs)
    if "func" in attrs and "inverse_func" in attrs and attrs.get("validate") is not True:
        return None
    steps: Any = attrs.get("steps")
    if type(steps) is list and steps and type(steps[0]) is tuple and len(steps[0]) == 2:
        return _stored_inputs(_attrs(steps[0][1]), depth + 1)
    members = _fitted_members(attrs)
    if members:
        found = [_stored_inputs(_attrs(m), depth + 1) for m in members]
        if all(is_int(n) and int(n) > 0 for n in found):
            return min(int(n) for n in found)
        return None
    n_in: Any = attrs.get("n_features_in_")
    return n_in if is_int(n_in) else None


def _frame_columns(attrs: dict[str, Any]) -> int | None:
    """The distinct columns a column transformer fitted on a frame asks a frame for: the names
    (``feature_names_in_``) of the input indices (``_transformer_to_input_indices``) of its
    branches that are not dropped; ``None`` when they cannot be read, or for more than
    :data:`MAX_FRAME_NAMES` names. Remembered per names array: one column transformer shared
    by many pipelines is read once."""
    indices: Any = attrs.get("_transformer_to_input_indices")
    names: Any = attrs.get("feature_names_in_")
    entries = _entries(attrs.get("transformers_"))
    if not issubclass(type(indices), dict) or entries is None:
        return None
    if not (type(names) is np.ndarray and names.ndim == 1 and len(names) <= MAX_FRAME_NAMES):
        return None
    kept = {entry[0] for entry in entries if not _is_drop(entry[1])}
    # (what is kept is part of the key: two transformers may share names and indices and
    # drop different branches, rt69-04)
    key = (id(indices), frozenset(name for name in kept if type(name) is str))
    cached = _FRAME_COLUMNS.get(id(names))
    if cached is None or cached[0]() is not names:
        cached = (weakref.ref(names), {})
        _FRAME_COLUMNS[id(names)] = cached
        weakref.finalize(names, _FRAME_COLUMNS.pop, id(names), None)
    known = cached[1]
    if key in known:
        return known[key]
    read = np.zeros(len(names), dtype=bool)
    found: int | None = None
    for branch, picked in dict.items(indices):
        if type(branch) is not str or branch not in kept:
            continue
        at = _index_list(picked)
        at = None if at is None else np.asarray(at)
        if at is None or at.ndim != 1 or at.size > len(names):
            break
        if at.size and (
            at.dtype.kind not in "iu" or int(at.min()) < 0 or int(at.max()) >= len(names)
        ):
            break
        read[at.astype(np.intp)] = True
    else:
        found = len(set(names[read].tolist())) or None
    known[key] = found
    return found


#: The frame columns past which :func:`_frame_columns` does not read a column transformer's
#: names (its width is then unknown: one column).
MAX_FRAME_NAMES = 1 << 16
#: What :func:`_frame_columns` found, by the id of the names array (while it lives), then by
#: the id of the indices dict and the names of the kept branches.
_FRAME_COLUMNS: dict[int, tuple[weakref.ref[Any], dict[Any, int | None]]] = {}


#: Where a meta-estimator keeps the fitted estimators it hands its input to: a list of
#: members, a refitted best or single estimator, a calibrated classifier's classifier. (Not
#: a helper it fits on something else: KernelPCA's centerer reads the kernel, a text
#: vectorizer's TF-IDF the counts, a stacking's final estimator the predictions.)
INPUT_MEMBERS = frozenset(
    {"estimators_", "estimator_", "best_estimator_", "calibrated_classifiers_", "estimator"}
)


def _fitted_members(attrs: dict[str, Any]) -> list[Any]:
    """The fitted estimators (anything with an output method and a fitted attribute) that
    ``attrs`` keeps where a meta-estimator keeps what it hands its input to
    (:data:`INPUT_MEMBERS`), as values or in a list or tuple; an unfitted template
    (``estimator`` before a fit) is no member. Every item of a list is read: the fewest
    input columns of any member bound the holder's."""
    from safeload.trust.shadow_values import class_of
    from safeload.trust.structures.names import _attrs

    found: list[Any] = []
    for key in INPUT_MEMBERS:
        value: Any = attrs.get(key)
        items = value if type(value) in (list, tuple) else (value,)
        for item in items:
            if type(item) in (list, tuple) and len(item) >= 2:
                item = item[1]  # a ("name", estimator, ...) entry
            if item is None or type(item) in (str, int, float, bool):
                continue
            # (an ``estimator`` parameter is a template until fitted; what the fitted
            # attributes hold is fitted, a calibrated classifier's too, which stores no
            # attribute ending in an underscore)
            fitted = key != "estimator" or _fitted(_attrs(item))
            if fitted and _has_output_method(class_of(item)):
                found.append(item)
    return found


#: Transformers whose result is dense whatever their input: what a pipeline hands on after
#: one of them is no longer a sparse vectorizer's result (:func:`_output_reach`).
DENSE_RESULTS = frozenset(
    {
        "TruncatedSVD",
        "PCA",
        "NMF",
        "MiniBatchNMF",
        "LatentDirichletAllocation",
        "GaussianRandomProjection",
        "KMeans",
        "MiniBatchKMeans",
        "Nystroem",
        "RBFSampler",
    }
)


def _real_steps(pipeline: Any) -> list[Any]:
    """A pipeline's steps that are estimators (not ``None`` or ``"passthrough"``), in order;
    empty when its ``steps`` cannot be read (:func:`_entries`)."""
    from safeload.trust.structures.names import _attrs

    steps = _entries(_attrs(pipeline).get("steps"))
    return [step[1] for step in steps or () if step[1] not in (None, "passthrough")]


def _dense_result(obj: Any, depth: int) -> bool:
    """Whether ``obj``'s result is dense whatever its input: a :data:`DENSE_RESULTS`
    transformer, a pipeline whose last step's is, or a union whose every branch's is
    (rt67-15: two TruncatedSVDs in a union after a vectorizer), ``depth`` levels down."""
    from safeload.trust.shadow_values import class_of
    from safeload.trust.structures.names import _PIPELINE, _UNION, _attrs, _mro

    cls = class_of(obj)
    if facts_short_name(cls) in DENSE_RESULTS:
        return True
    if depth <= 0:
        return False
    mro = _mro(cls)
    if _PIPELINE in mro:
        real = _real_steps(obj)
        return bool(real) and _dense_result(real[-1], depth - 1)
    if _UNION in mro:
        branches = _entries(_attrs(obj).get("transformer_list"))
        real = [b[1] for b in branches or () if b[1] != "drop"]
        return bool(real) and all(_dense_result(b, depth - 1) for b in real)
    return False


def _output_reach(
    starts: list[int], edges: dict[int, list[int]], by_id: dict[int, Any]
) -> set[int]:
    """The ids reachable in the graph ``edges`` from ``starts`` whose results are (part of)
    the results of ``starts``: as :func:`_reachable`, but a pipeline's result is its last
    step's, or (when that step may keep its input sparse) the steps' before it, down to one
    in :data:`DENSE_RESULTS`. A densifying column transformer makes its branches' results
    dense, not what a branch's pipeline hands from step to step: a text vectorizer whose
    sparse result a TruncatedSVD reduces in the same branch (rt66-11)."""
    from safeload.trust.shadow_values import class_of
    from safeload.trust.structures.names import _PIPELINE, _mro

    seen = set(starts)
    todo = list(starts)
    while todo:
        key = todo.pop()
        kids: Any = edges.get(key, ())
        obj = by_id.get(key)
        if obj is not None and _PIPELINE in _mro(class_of(obj)):
            real = _real_steps(obj)
            if real and all(id(step) in by_id for step in real):
                # the last step, and the steps before it down to one whose result is dense
                # whatever it is given: a TfidfTransformer or scaler keeps a vectorizer's
                # sparse result sparse (rt67-05)
                kids = []
                for step in reversed(real):
                    kids.append(id(step))
                    if _dense_result(step, 4):
                        break
        for kid in kids:
            if kid not in seen:
                seen.add(kid)
                todo.append(kid)
    return seen


def _reachable(starts: list[int], edges: dict[int, list[int]]) -> set[int]:
    """The ids reachable in the graph ``edges`` from ``starts`` (themselves included)."""
    seen = set(starts)
    todo = list(starts)
    while todo:
        for kid in edges.get(todo.pop(), ()):
            if kid not in seen:
                seen.add(kid)
                todo.append(kid)
    return seen


def _pipeline(steps: list[tuple[float, float]]) -> tuple[float, float]:
    """(output, peak) of a pipeline whose steps give ``steps`` (output, peak) each, in units
    of the pipeline's input: each step's result is its input times the steps before."""
    out = peak = 1.0
    for step_out, step_peak in steps:
        peak = max(peak, out * max(step_out, step_peak))
        out *= max(step_out, 1.0)
    return out, peak


def _densifies(attrs: dict[str, Any]) -> bool:
    """Whether a column transformer with attributes ``attrs`` may make a sparse one-hot result
    dense: its ``sparse_threshold`` below the default 0.3 (a result of ``c`` categories a
    column is ``1 / c`` dense) or not a number, or, fitted, a ``sparse_output_`` that is not
    True (``transform`` stacks densely by it, whatever the threshold says)."""
    threshold: Any = attrs.get("sparse_threshold")
    if not (type(threshold) in (int, float) and threshold >= 0.3):
        return True
    return "sparse_output_" in attrs and attrs["sparse_output_"] is not True


def _width_factor(
    name: str,
    attrs: dict[str, Any],
    densify: bool = False,
    member_width: Callable[[Any], int] | None = None,
    free: int = 0,
) -> float:
    """How many output columns a fitted transformer gives per input column, as it stores
    them (at least one): a polynomial or spline expansion's ``n_output_features_`` or
    ``n_features_out_``; the output axis of a projection's, kernel approximation's,
    clusterer's or kernel estimator's fitted arrays (:data:`OUTPUT_AXES`); a dense one-hot
    encoder's categories (``categories_``, ``_n_features_outs``, rt63-09), a dense one-hot
    discretizer's bins (``n_bins_``), category_encoders' mapping frames; a multiclass target
    encoder's classes; a neighbours graph's or random trees embedding's values a row
    (:func:`_graph_width`); an ensemble's members' outputs (:func:`_ensemble_width`, with
    ``member_width`` reading what each member holds); label binarizers' labels. A sparse
    result holds one value per input value, unless ``densify``: a column transformer above
    it may make it dense (:data:`SPARSE_RESULTS`). Without ``n_features_in_`` nothing checks
    the input's width, and every output column counts whole (rt64-09). A predictor's first
    ``free`` columns are not counted (:data:`FREE_PREDICTOR_OUTPUTS`)."""
    from safeload.trust.structures.common import is_int

    n_in: Any = _stored_inputs(attrs)
    widest = 1
    if name == "SparseCoder":  # unfitted: its dictionary, (n_components, n_features)
        rows, n_in = _dictionary_shape(attrs.get("dictionary"))
        widest = rows
    if name in CONTRAST_ENCODERS and is_int(attrs.get("_dim")):
        # (category_encoders check the input's width against _dim, not n_features_in_)
        n_in = min(int(attrs["_dim"]), int(n_in)) if is_int(n_in) else attrs["_dim"]
    if not is_int(n_in) or int(n_in) <= 0:
        # scikit-learn checks the input's width only against a stored n_features_in_: without
        # one, every output column is one input column's (rt64-09)
        n_in = 1
    for key in ("n_output_features_", "n_features_out_"):
        n_out: Any = attrs.get(key)
        if is_int(n_out) and int(n_out) > 0:
            widest = max(widest, int(n_out))
    for key, axis in OUTPUT_AXES.items():
        shape = shape_of(attrs.get(key))
        if shape is not None and len(shape) > axis:
            widest = max(widest, shape[axis])
    if name in CONTRAST_ENCODERS:
        widest = max(widest, _mapping_columns(attrs.get("mapping"), int(n_in)))
        widest = max(widest, _total_size([attrs.get("feature_names_out_")]))
    sparse = attrs.get("sparse_output", attrs.get("sparse")) is True and not densify
    if name == "OneHotEncoder" and not sparse:
        widest = max(widest, _total_size(attrs.get("categories_")))
        widest = max(widest, _total_count(attrs.get("_n_features_outs")))
    encode = attrs.get("encode")
    dense_bins = encode == "onehot-dense" or (densify and encode != "ordinal")
    if name == "KBinsDiscretizer" and dense_bins:
        widest = max(widest, _total_count(attrs.get("n_bins_")))
    if name == "TargetEncoder":
        widest = max(widest, int(n_in) * _total_size([attrs.get("classes_")]))
    if name in NEIGHBOUR_GRAPHS or name in NEIGHBOUR_PREDICTORS or name == "RandomTreesEmbedding":
        widest = max(widest, _graph_width(name, attrs, densify))
    if name == "Isomap":  # transform fills a dense row of every fitted sample (rt65-22)
        from safeload.trust.structures.names import _attrs

        matrix = shape_of(attrs.get("dist_matrix_"))
        widest = max(widest, matrix[0] if matrix else 0)
        widest = max(widest, _count_of(_attrs(attrs.get("nbrs_")).get("n_samples_fit_")))
    if name in ENSEMBLE_TRANSFORMS:
        widest = max(widest, _ensemble_width(name, attrs, int(n_in), member_width))
    flag = "sparse" if name == "DictVectorizer" else "sparse_output"
    dense = name in LABEL_COLUMNS and attrs.get(flag) is not True
    if dense or (densify and name in SPARSE_RESULTS):
        widest = max(widest, _columns_of(name, attrs))
    if name in SPLIT_SIGN and attrs.get("split_sign") is not False:
        widest *= 2  # positive and negative parts side by side (rt65-04)
    return max(widest - free, 1) / int(n_in)


#: Transformers whose sparse result a densifying column transformer makes a dense column per
#: feature it may hold (rt65-02: a HashingVectorizer's 2**20, a k-neighbours graph over
#: 200,000 samples, each as the one branch of ``ColumnTransformer(sparse_threshold=0)``).
SPARSE_RESULTS = frozenset(
    {
        "HashingVectorizer",
        "FeatureHasher",
        "CountVectorizer",
        "TfidfVectorizer",
        "DictVectorizer",
        "KNeighborsTransformer",
        # (their sparse_output=True results alike, rt65-15)
        "LabelBinarizer",
        "MultiLabelBinarizer",
    }
)
#: Transformers that give a column per label or feature name they store, unless sparse (a
#: ``sparse_output``, or DictVectorizer's ``sparse``, that is True) (rt65-03: a
#: LabelBinarizer of 200,000 classes, 52 KB, asked 1.6 GB for 1,000 labels).
LABEL_COLUMNS = frozenset({"LabelBinarizer", "MultiLabelBinarizer", "DictVectorizer"})
#: Sparse coders whose ``split_sign`` gives each component's positive and negative parts.
SPLIT_SIGN = frozenset({"SparseCoder", "DictionaryLearning", "MiniBatchDictionaryLearning"})


def _columns_of(name: str, attrs: dict[str, Any]) -> int:
    """The columns a :data:`SPARSE_RESULTS` or :data:`LABEL_COLUMNS` transformer's result has
    (a sparse one's, dense: unless ``densify``, only its stored values count): its hashing
    width, vocabulary, feature names, labels or fitted samples."""
    if name in ("HashingVectorizer", "FeatureHasher"):
        return _count_of(attrs.get("n_features"))
    if name == "KNeighborsTransformer":
        return _fitted_samples(attrs)
    width = _label_count(attrs)
    for key in ("vocabulary_", "feature_names_"):
        value: Any = attrs.get(key)
        if type(value) in (dict, list):
            width = max(width, len(value))
    return width


#: Arrays whose second axis, when they have one, is an estimator's outputs: a neighbours
#: regressor's targets, a Gaussian process's training targets and weights, a dummy
#: regressor's constants (one-dimensional, one output: rt65-23).
OUTPUT_COLUMNS = frozenset({"_y", "y_train_", "alpha_", "constant_"})
#: Arrays whose first axis is a predictor's outputs, where its labels may not say so: the
#: probabilities of a naive Bayes model or a dummy classifier come one per row of these, not
#: per label, and a mixture's one per component. Found by ``fuzz/output_sweep.py``: a
#: ComplementNB whose ``feature_log_prob_`` had 64 rows over 30 labels predicted 64
#: probabilities a row, and each is a stacking or voting member's width.
OUTPUT_ROWS: dict[str, tuple[str | tuple[str, int], ...]] = {
    "GaussianNB": ("theta_", "var_", "class_prior_", "class_count_"),
    "MultinomialNB": ("feature_log_prob_", "class_log_prior_", "class_count_"),
    "ComplementNB": ("feature_log_prob_", "class_log_prior_", "class_count_"),
    "BernoulliNB": ("feature_log_prob_", "class_log_prior_", "class_count_"),
    "CategoricalNB": ("feature_log_prob_", "class_log_prior_", "class_count_"),
    "DummyClassifier": ("class_prior_",),
    # a mixture's precisions broadcast against its means: 1,000,000 spherical or diagonal
    # precisions beside one mean gave a row of each (rt66-14)
    "GaussianMixture": ("weights_", "means_", "precisions_cholesky_", "covariances_"),
    "BayesianGaussianMixture": (
        "weights_",
        "means_",
        "degrees_of_freedom_",
        "mean_precision_",
        "precisions_cholesky_",
        "covariances_",
        # an array, or a tuple of two (its Dirichlet process): one item per component
        "weight_concentration_",
    ),
    # normalize_y's mean and scale broadcast against the predicted targets (rt66-14)
    "GaussianProcessRegressor": ("_y_train_std", "_y_train_mean"),
    # predict(return_std=True) is ((X @ sigma_) * X).sum(1): sigma_'s columns (rt66-15)
    "BayesianRidge": (("sigma_", 1),),
    "ARDRegression": (("sigma_", 1),),
    # predict_proba is the kernel times label_distributions_: its columns (output sweep)
    "LabelSpreading": (("label_distributions_", 1),),
    "LabelPropagation": (("label_distributions_", 1),),
    # arrays that broadcast against the input before anything reduces them (rt67-16)
    "LinearDiscriminantAnalysis": ("xbar_", "means_", "scalings_"),
    "QuadraticDiscriminantAnalysis": ("means_", "rotations_", "scalings_"),
    "_BinaryGaussianProcessClassifierLaplace": ("W_sr_", "pi_", "f_cached", "y_train_"),
    # predict measures every stored centre (rt67-17)
    "AffinityPropagation": ("cluster_centers_",),
    # predict measures each row's member scores against every code_book_ row (rt67-01)
    "OutputCodeClassifier": ("code_book_",),
    # a distance to each centroid, or to each stored centre (rt66-12)
    "NearestCentroid": ("centroids_",),
    "MeanShift": ("cluster_centers_",),
    # libsvm's predict evaluates the kernel of each row against every support vector:
    # 5,000,000 zero ones (21 KB) took 50 ms a row (rt66-12)
    "SVC": ("support_vectors_",),
    "NuSVC": ("support_vectors_",),
    "SVR": ("support_vectors_",),
    "NuSVR": ("support_vectors_",),
    "OneClassSVM": ("support_vectors_",),
}
#: Predictors that hold every member's predictions at once, side by side (a column or a
#: result per member): the multi-output wrappers and chains, AdaBoostRegressor's weighted
#: median, and the one-vs-one and output-code classifiers' decision values. 30 Ridges of
#: 32,000 zero-weight targets each, every one within :data:`FREE_PREDICTOR_OUTPUTS`, held
#: 960,000 a row together (rt66-19). (Voting and stacking are :data:`ENSEMBLE_TRANSFORMS`;
#: the other ensembles add their members up.)
SIDE_BY_SIDE = frozenset(
    {
        "MultiOutputRegressor",
        "MultiOutputClassifier",
        "RegressorChain",
        "ClassifierChain",
        "AdaBoostRegressor",
        # every member's decision values, stacked (rt67-02)
        "OneVsOneClassifier",
        "OutputCodeClassifier",
    }
)
#: Meta-estimators with a fitted estimator per output.
PER_OUTPUT = frozenset(
    {"MultiOutputRegressor", "MultiOutputClassifier", "RegressorChain", "ClassifierChain"}
)


def _outputs_held(name: str, attrs: dict[str, Any], every_axis: bool = False) -> int:
    """The widest output an estimator (short class name ``name``, attributes ``attrs``) may
    give: its labels, its ``n_outputs_``, its ``coef_`` rows or ``intercept_`` items, an
    :data:`OUTPUT_COLUMNS` array's columns, an :data:`OUTPUT_ROWS` array's rows (or its
    named axis; each of a list of them added up: a multi-output dummy's priors), or a
    :data:`PER_OUTPUT` estimator's members. With ``every_axis``, what it holds while it
    predicts, one at a time: an :data:`OUTPUT_ROWS` array's longest axis, which broadcasts
    against the input (rt67-13: GaussianNB's ``theta_`` columns, a full mixture's last
    axis). (Not for an ensemble member's outputs, which sit side by side: a text naive
    Bayes' ``feature_log_prob_`` columns are its vocabulary, not its outputs, rt59-07.)"""
    width = max(_label_count(attrs), _count_of(attrs.get("n_outputs_")))
    for entry in OUTPUT_ROWS.get(name, ()):
        # (a list or tuple of numbers broadcasts as an array does, rt67-07)
        key, axis = entry if isinstance(entry, tuple) else (entry, 0)
        value: Any = attrs.get(key)

        def measure(part: Any, axis: int = axis) -> int:
            return _widest_axis(part, 2) if every_axis else _axis_width(part, axis)

        if type(value) in (list, tuple) and value and shape_of(value[0]) is not None:
            # one array per output, each a result of its own, all returned at once
            # (a multi-output dummy's priors, rt67-18); past 4,096 unread (rt67-22)
            if len(value) > 4096:
                return UNREAD_WIDTH
            width = max(width, sum(measure(part) for part in value))
        width = max(width, measure(value))
    for key in ("coef_", "intercept_", *OUTPUT_COLUMNS):
        shape = shape_of(attrs.get(key))
        if shape and key in ("coef_", "intercept_"):
            width = max(width, shape[0])
        elif shape is not None and len(shape) >= 2:
            width = max(width, shape[1])
    if name == "TransformedTargetRegressor":
        # predict returns its target transformer's inverse, as wide as the targets it was
        # fitted on (rt65-20: 4,096 pooled into one by a FeatureAgglomeration)

        # and its inverse may be as wide as any array it holds, whatever kind it is (rt67-10:
        # a random projection's inverse_components_, a selector's variances_, a PCA inside
        # a pipeline): the longest axis under it, and every n_features_in_
        width = max(width, _widest_under(attrs.get("transformer_"), 4))
    if name == "KernelRidge":  # predict is K @ dual_coef_ (rt66-10)
        shape = shape_of(attrs.get("dual_coef_"))
        if shape and len(shape) >= 2:
            width = max(width, shape[1])
    members: Any = attrs.get("estimators_")
    if name in PER_OUTPUT and type(members) in (list, tuple):
        width = max(width, len(members))
    return width


#: Ensembles whose ``transform`` gives their members' predictions side by side: each
#: member's probabilities (soft voting, stacking on ``predict_proba``), or one column each,
#: and the input again with stacking's ``passthrough``. Twelve soft voters over 100,000
#: labels, 34 KB, held 1.2 million columns a row for one input column (rt64-11).
ENSEMBLE_TRANSFORMS = frozenset(
    {"VotingClassifier", "VotingRegressor", "StackingClassifier", "StackingRegressor"}
)


def _ensemble_width(
    name: str, attrs: dict[str, Any], n_in: int, member_width: Callable[[Any], int] | None
) -> int:
    """The columns an :data:`ENSEMBLE_TRANSFORMS` ensemble's ``transform`` gives a row: each
    fitted member's predictions (a hard voter's one column, rt65-05) or probabilities (soft
    voting, stacking) or targets (rt65-10), as wide as anything the member holds gives
    (``member_width``; without it, fail closed), and its input with stacking's
    ``passthrough``."""
    members: Any = attrs.get("estimators_")
    width = 0
    if type(members) in (list, tuple):  # (a tuple too: rt65-13)
        if name == "VotingClassifier" and attrs.get("voting") == "hard":
            width = len(members)
        elif member_width is None:
            width = (POLYNOMIAL_SPREAD + 1) * n_in
        else:
            # each member's own: a member's classes_ need not be the ensemble's
            own = _label_count(attrs)
            width = sum(max(1, own, member_width(m)) for m in members)
    if "passthrough" in attrs and attrs["passthrough"] is not False:  # (stacking's)
        width += n_in
    return width


#: Transformers whose result is a sparse graph of the fitted samples: a value for each
#: neighbour of a row (``n_neighbors + 1``), or for every fitted sample within the radius.
#: Ten KNeighborsTransformers of 19,999 neighbours over 20,000 zero rows of one column, 8.6 KB,
#: held 200,000 values a row per input column (rt64-05).
NEIGHBOUR_GRAPHS = frozenset({"KNeighborsTransformer", "RadiusNeighborsTransformer"})


def _fitted_samples(attrs: dict[str, Any]) -> int:
    """How many samples a neighbours estimator was fitted on: ``_fit_X``'s rows or its
    ``n_samples_fit_``, the larger."""
    fitted = shape_of(attrs.get("_fit_X"))
    return max(fitted[0] if fitted else 0, _count_of(attrs.get("n_samples_fit_")))


def _graph_width(name: str, attrs: dict[str, Any], densify: bool) -> int:
    """The values a row of a neighbours graph (:data:`NEIGHBOUR_GRAPHS`) or a random trees
    embedding holds, whatever the input's width: a k-neighbours graph ``n_neighbors + 1``, a
    radius graph every fitted sample; a random trees embedding one per tree (sparse) or per
    leaf of every tree (dense, or made dense by a column transformer): 100 trees of depth 10
    on one column were 47,800 columns a row (rt64-04)."""
    from safeload.trust.structures.names import _attrs

    if name.startswith("KNeighbors") or name in ("LocalOutlierFactor", "LocallyLinearEmbedding"):
        count = max(_count_of(attrs.get("n_neighbors")), _count_of(attrs.get("n_neighbors_")))
        targets = shape_of(attrs.get("_y"))
        if name in NEIGHBOUR_PREDICTORS:
            # kneighbors' distances and indices, the neighbours' labels or targets and their
            # weights: four (rows, n_neighbors) arrays at once (rt67-19)
            count = 4 * count
        if name == "KNeighborsRegressor" and targets and len(targets) >= 2:
            # predict averages _y[neighbours]: (rows, n_neighbors, *targets) at once (rt67-06,
            # in any number of dimensions: rt67-12)
            return (count + 1) * max(math.prod(targets[1:]), 1)
        return count + 1
    if name.startswith("RadiusNeighbors"):
        return _fitted_samples(attrs)
    trees = attrs.get("estimators_")
    count = max(_count_of(attrs.get("n_estimators")), len(trees) if type(trees) is list else 0)
    # transform is one_hot_encoder_.transform(apply(X)): the encoder's flag decides (rt64-10)
    encoder = _attrs(attrs.get("one_hot_encoder_"))
    if encoder.get("sparse_output", encoder.get("sparse")) is True and not densify:
        return count
    return max(count, _total_size(encoder.get("categories_")))


#: Fitted arrays (and SparseCoder's dictionary) one of whose axes is a transformer's output
#: width: ``transform`` projects each row onto, or measures its distance to, every row (or
#: column) of it. Zeros compress to nothing, so a union of 200 RBFSamplers of 4,096
#: components on one input column held 819,200 columns a row from 79 KB, as PCAs with a
#: (4096, 1) ``components_`` alike.
OUTPUT_AXES = {
    # PCA and the other decompositions, random projections, Nystroem, NCA, BernoulliRBM
    "components_": 0,
    "random_weights_": 1,  # RBFSampler, SkewedChi2Sampler
    "cluster_centers_": 0,  # the k-means family: a distance to each centre
    "subcluster_centers_": 0,  # Birch, alike
    "eigenvectors_": 1,  # KernelPCA
    "embedding_": 1,  # Isomap, LocallyLinearEmbedding
    "x_rotations_": 1,  # PLSRegression, PLSCanonical, CCA
    "x_weights_": 1,  # PLSSVD
    "scalings_": 1,  # LinearDiscriminantAnalysis
    # LatentDirichletAllocation's transform reads it, not components_ (fuzz/output_sweep.py)
    "exp_dirichlet_component_": 0,
    "dictionary": 0,  # SparseCoder
    "normalization_": 0,  # Nystroem: its kernel times normalization_.T (rt65-01)
    # KernelPCA: the kernel of the input against every fitted sample, held dense before it
    # is projected (1,000,000 zero samples, 106 KB, asked 1.6 GB for 200 rows, rt65-09)
    "X_fit_": 0,
    # and its inverse_transform, the kernel against every fitted sample's projection: as many
    # as X_fit_ in an honest fit (rt66-09: 1,000,000 zero ones beside 20 samples, 3 KB)
    "X_transformed_fit_": 0,
    "X_train_": 0,  # the Gaussian processes' predict, alike
    "X_": 0,  # label propagation and spreading
}
#: Estimators that are no transformers but whose ``predict`` holds the kernel of its input
#: against every fitted sample, dense, as KernelPCA's ``transform`` does (rt65-09: a
#: GaussianProcessRegressor of 1,000,000 zero samples, 109 KB, asked 1.6 GB for 200 rows):
#: each counts as a copy of the input as wide as its fitted samples (:data:`OUTPUT_AXES`).
KERNEL_PREDICTORS = frozenset(
    {
        "GaussianProcessRegressor",
        "_BinaryGaussianProcessClassifierLaplace",
        "KernelRidge",
        "LabelPropagation",
        "LabelSpreading",
    }
)
#: Neighbours predictors whose ``predict`` holds each row's neighbours at once: every fitted
#: sample within the radius, or ``n_neighbors`` (rt65-21: a RadiusNeighborsRegressor of
#: 1,000,000 zero samples, 70 KB, held 3.2 GB for 200 rows).
NEIGHBOUR_PREDICTORS = frozenset(
    {
        "RadiusNeighborsRegressor",
        "RadiusNeighborsClassifier",
        "KNeighborsRegressor",
        "KNeighborsClassifier",
        # they query kneighbors with a stored count too: LocalOutlierFactor's scores with
        # n_neighbors_, LocallyLinearEmbedding's transform with n_neighbors (rt66-02: 200,000
        # over 200,000 zero samples of one column, 15-39 KB, asked 3 GB for 2,000 rows)
        "LocalOutlierFactor",
        "LocallyLinearEmbedding",
    }
)


def _predicts_wide(name: str, attrs: dict[str, Any]) -> bool:
    """Whether a fitted estimator that is no transformer holds a row per fitted sample (or
    neighbour) when it predicts: :data:`KERNEL_PREDICTORS` (label propagation but with its
    sparse ``knn`` kernel, rt65-24) and :data:`NEIGHBOUR_PREDICTORS`."""
    if not _fitted(attrs):
        return False
    if name in ("LabelPropagation", "LabelSpreading") and attrs.get("kernel") == "knn":
        return False
    return name in KERNEL_PREDICTORS or name in NEIGHBOUR_PREDICTORS


#: category_encoders' encoders that write a column per entry of their mapping frames.
CONTRAST_ENCODERS = frozenset(
    {
        "OneHotEncoder",
        "BinaryEncoder",
        "BaseNEncoder",
        "HelmertEncoder",
        "SumEncoder",
        "PolynomialEncoder",
        "BackwardDifferenceEncoder",
    }
)


def _dictionary_shape(dictionary: Any) -> tuple[int, int]:
    """A SparseCoder's dictionary's (rows, columns): an array's, or a list's of lists
    (``transform`` takes either; a list of 4,096 references to one row is 8 KB); a form this
    cannot measure is as wide as :data:`POLYNOMIAL_SPREAD` allows and one more (fail closed)."""
    shape = shape_of(dictionary)
    if shape is not None and len(shape) == 2:
        return shape[0], shape[1]
    if type(dictionary) in (list, tuple) and dictionary:
        first = dictionary[0]
        return len(dictionary), len(first) if type(first) in (list, tuple) else 1
    return POLYNOMIAL_SPREAD + 1, 1


def _mapping_columns(mapping: Any, n_in: int) -> int:
    """The columns a category_encoders encoder's ``mapping`` (a list of ``{"col": ...,
    "mapping": frame}``) writes: each frame's columns for the column it encodes, and the
    other input columns as they are."""
    if type(mapping) is not list:
        return 0
    written = 0
    for entry in mapping:
        frame = dict.get(entry, "mapping") if issubclass(type(entry), dict) else None
        shape = shape_of(frame)
        if shape is not None and len(shape) == 2:
            written += shape[1]
    return written + max(0, n_in - len(mapping))


def _total_size(arrays: Any) -> int:
    """The items of a list of arrays (or other sized values), together; 0 for anything else."""
    if type(arrays) not in (list, tuple):
        return 0
    return sum(int(np.size(a)) for a in arrays if issubclass(type(a), np.ndarray))


def _total_count(counts: Any) -> int:
    """Stored counts (:func:`_count_of` each) in a list or tuple, summed, or one of them."""
    if type(counts) in (list, tuple):
        return sum(_count_of(count) for count in counts)
    return _count_of(counts)


def _entries(entries: Any) -> list[tuple[Any, ...]] | None:
    """A pipeline's ``steps`` or a composite's ``(name, estimator, ...)`` entries, as tuples;
    ``None`` for anything else (not a list or tuple of fewer than 100,000 such entries)."""
    if type(entries) not in (list, tuple) or len(entries) >= 100_000:
        return None
    if not all(type(e) in (list, tuple) and len(e) >= 2 for e in entries):
        return None
    return [tuple(e) for e in entries]


#: Column keys :func:`_column_shares` reads over all of one column transformer's branches;
#: past it every branch counts a whole copy. Each key is a column in the file, or a slice's
#: member: 40 branches of ``slice(0, 2**20 - 1)`` had taken 6 s and 1.8 GB (rt63-06).
MAX_COLUMN_KEYS = 1 << 20


def _branch_columns(columns: Any) -> tuple[str, Any] | None:
    """The columns a column transformer's branch reads, as ``(kind, keys)`` without copying
    them: ``"name"`` and the column names, or ``"index"`` and the non-negative column indices
    (a boolean mask's true positions, a slice's range), each as often as it is read; ``None``
    for any other form (a negative index, a slice without a stop). The keys of a list are
    checked by the caller (:func:`_shares`)."""
    if type(columns) is str:
        return "name", (columns,)
    if type(columns) is int:
        return ("index", (columns,)) if columns >= 0 else None
    if type(columns) is slice:
        start, stop, step = columns.start, columns.stop, columns.step
        if all(v is None or (type(v) is int and v >= 0) for v in (start, stop, step)):
            if stop is not None and step != 0:
                return "index", range(start or 0, stop, step or 1)
        return None
    if type(columns) in (list, tuple):
        return "list", columns
    if type(columns) is np.ndarray and columns.ndim == 1:
        if columns.dtype == np.bool_:
            return "mask", columns
        if columns.dtype.kind in "iu":
            return "array", columns
    return None


def _is_drop(branch: Any) -> bool:
    return type(branch) is str and branch == "drop"


def _column_shares(
    entries: list[tuple[Any, ...]],
    indices: Any = None,
    names: Any = None,
    budget: list[int] | None = None,
) -> list[float]:
    """The share of a column transformer's input each of its ``entries`` reads: how many
    columns it selects (a column listed twice is read twice) over how many distinct columns
    all the branches that read anything select, since the input holds at least those (not
    over ``n_features_in_``, which a frame's names check instead: rt62-11); 1 for a branch
    whose columns are in another form, and for all when names and indices mix. A frame is
    selected by ``_transformer_to_input_indices`` (``indices``, by branch name) and checked
    by the names they give in ``feature_names_in_`` (``names``; two indices may name one
    column), an array by the entries' columns: each branch's larger share of the two
    (rt63-03, rt63-10). A branch whose columns are empty is skipped by ``transform`` and
    widens nothing. ``budget``: the column keys left to read, shared by every column
    transformer of the model (:data:`MAX_COLUMN_KEYS`), spent here."""
    if budget is None:
        budget = [MAX_COLUMN_KEYS]
    specs = [
        _branch_columns(entry[2]) if len(entry) > 2 and not _is_drop(entry[1]) else None
        for entry in entries
    ]
    by_spec = _shares(specs, budget=budget)
    if indices is None:
        return by_spec
    if not issubclass(type(indices), dict):
        return [1.0] * len(entries)
    stored: list[Any] = []
    for entry in entries:
        found = None if _is_drop(entry[1]) else _index_list(dict.get(indices, entry[0]))
        budget[0] -= 0 if found is None else len(found)
        if budget[0] < 0:
            return [1.0] * len(entries)
        stored.append(found)
    by_index = _shares(
        [_named(found, names) for found in stored],
        skip=[spec is not None and len(spec[1]) == 0 for spec in specs],
        budget=budget,
    )
    return [max(a, b) for a, b in zip(by_spec, by_index, strict=True)]


def _named(found: Any, names: Any) -> tuple[str, Any] | None:
    """A branch's stored input indices as the column names they give (``names``, a 1-D array
    of the fitted frame's column names), or as indices when there are none."""
    columns = _branch_columns(found)
    if names is None or columns is None:
        return columns
    if not (type(names) is np.ndarray and names.ndim == 1) or len(columns[1]) > len(names):
        return None
    picked = np.asarray(columns[1] if columns[0] != "mask" else np.flatnonzero(columns[1]))
    if picked.size and (
        picked.dtype.kind not in "iu" or int(picked.min()) < 0 or int(picked.max()) >= len(names)
    ):
        return None
    return "name", [str(name) for name in names[picked.astype(np.intp)]]


def _index_list(found: Any) -> Any:
    """A branch's ``_transformer_to_input_indices`` entry as a list of ints, or ``None``."""
    if type(found) is list:
        return found
    if type(found) is np.ndarray and found.ndim == 1 and found.dtype.kind in "iu":
        return found
    return None


def _shares(
    read: list[tuple[str, Any] | None],
    skip: list[bool] | None = None,
    budget: list[int] | None = None,
) -> list[float]:
    """The shares :func:`_column_shares` gives for each branch's columns (``None``: unknown;
    ``skip``: branches ``transform`` skips, share 0), spending ``budget`` (the column keys
    left to read, :data:`MAX_COLUMN_KEYS`)."""
    whole = [1.0] * len(read)
    if budget is None:
        budget = [MAX_COLUMN_KEYS]
    kinds: set[str] = set()
    counts: list[int | None] = []
    distinct: set[Any] = set()
    for number, found in enumerate(read):
        if skip is not None and skip[number]:
            counts.append(0)
            continue
        if found is None:
            counts.append(None)
            continue
        kind, keys = found
        budget[0] -= len(keys)
        if budget[0] < 0:
            return whole
        if kind == "list":
            if all(type(c) is str for c in keys):
                kind = "name"
            elif all(type(c) is int and c >= 0 for c in keys):
                kind = "index"
            else:
                counts.append(None)
                continue
        elif kind == "mask":
            kind, keys = "index", np.flatnonzero(keys).tolist()
        elif kind == "array":
            if keys.size and int(keys.min()) < 0:
                counts.append(None)
                continue
            kind, keys = "index", keys.tolist()
        kinds.add(kind)
        counts.append(len(keys))
        distinct.update(keys)
    if len(kinds) != 1 or not distinct:
        return whole
    return [1.0 if n is None else n / len(distinct) for n in counts]


def _copies_input(cls: Any, name: str, attrs: dict[str, Any]) -> bool:
    """Whether an instance of ``cls`` (short name ``name``) with attributes ``attrs`` makes an
    input-sized result each time it transforms: an :data:`INPUT_WIDE` transformer, or a
    fitted one (:func:`_fitted`, or :data:`PREFIT`) of any class with a ``transform`` but
    :data:`DELEGATING`. A scaler's or selector's output is its input's width (a reducer's
    less: counted as a copy all the same), whatever its statistics cost in the file. An
    unfitted one raises before it reads its input: a column transformer's templates in
    ``transformers`` had doubled what its fitted ``transformers_`` copy (rt62-05)."""
    if name in INPUT_WIDE:
        return True
    if name in DELEGATING or not _defines(cls, ("transform",)):
        return False
    return _fitted(attrs) or name in PREFIT


def _fitted(attrs: dict[str, Any]) -> bool:
    """Whether an estimator with attributes ``attrs`` is fitted as scikit-learn's
    ``check_is_fitted`` decides it (an attribute ending ``_``, not starting ``__``): an
    unfitted one raises ``NotFittedError`` before it reads its input."""
    return any(type(key) is str and key.endswith("_") and not key.startswith("__") for key in attrs)


def _input_factor(name: str, attrs: dict[str, Any]) -> int:
    """How many output values an :data:`INPUT_WIDE` transformer gives per input value:
    ``2 sample_steps - 1`` for the chi-squared sampler, the patch area for a patch
    extractor, else one."""
    if name == "AdditiveChi2Sampler":
        return max(2 * _count_of(attrs.get("sample_steps")) - 1, 1)
    if name == "PatchExtractor":
        size = attrs.get("patch_size")
        if type(size) is tuple:
            return max(math.prod(_count_of(n) for n in size), 1)
    return 1


#: Output columns each input column pays for in a polynomial expansion: scikit-learn's own fit
#: of PolynomialFeatures(degree=80) on 4 inputs is a 261-byte file of 1,929,501 output
#: columns per row (rt58-12); the honest expansions (degree 2 of 4,096 inputs, 8.4 million
#: columns; degree 3 of 100, 176,851) stay under 4,096 per input column. Columns past that
#: count as free (:data:`MAX_FREE_COLUMNS`). It also bounds the columns per input column all
#: transformers hold at once (:func:`peak_input_copies`), whatever pays for them: paying
#: past it with the file's bytes let 3 MB of padding buy 163,840 columns per input column
#: (rt64-15), as it had bought input copies (rt62-07). So a clusterer of more than 4,096
#: centres per input column (a 9,000-place codebook in two dimensions, rt64-12) and a radius
#: graph over more than 4,096 samples per input column (rt64-13) are refused (SECURITY.md).
POLYNOMIAL_SPREAD = 4096
#: Repeated output columns per 8 stored bytes (an object array's item counts as one byte,
#: what a memo reference to one value costs: rt58-05).
ROW_OUTPUT_SPREAD = 4
#: What meeting an instance costs beyond its arrays, in bytes of array work: a Python-level
#: method call (a DummyRegressor's ``predict`` is about 30 microseconds, as much time as
#: reading a few KiB). A voting model listing one DummyRegressor, 8 bytes of arrays, 40,000
#: times by 2-byte memo references predicted 40 times slower per byte than an honest one
#: (rt39-07).
MEET_BYTES = 4096


def whole_model_problem(
    instances: Any,
    file_size: int | None,
    meets: dict[int, int],
    output_meets: dict[int, int] | None = None,
    graph: tuple[int, dict[int, list[int]]] | None = None,
    top: Any = None,
) -> str | None:
    """Why the whole model's use-time work is refused, or ``None``: the bounds that sum
    over every instance the model holds, each weighted by how often a recursive method meets it
    (``meets``, by id, as :func:`safeload.trust.sharing.path_counts` gives it; an instance not
    in it is not held by the model). One pass reads each instance's attributes once, for the
    load's built objects and scan's shadows alike:

    - the names ``get_feature_names_out`` may write
      (:class:`safeload.trust.structures.names.NameLedger`);
    - the use-time iteration counts (:data:`ITERATION_LIMITS`, and ``max_iter`` of the classes
      in :data:`ITERATING_AT_USE`) as a share of their limit may add up to at most
      :data:`MAX_PER_ROW_SHARE`: a union listing one capped LDA (rt36-07) or NMF (rt37-03) as
      200 branches ran it 200 times;
    - the output columns that instances and arrays met more than :data:`HONEST_MEETINGS` times
      add to one input row (:class:`RepeatedOutputs`), at most :data:`MAX_ROW_OUTPUTS` or
      :data:`ROW_OUTPUT_SPREAD` per 8 bytes the model stores; met as the output methods meet
      them (``output_meets``: not through an ensemble's ``named_estimators_``, see
      :func:`safeload.trust.structures.bunch.without_bunch_edges`; ``meets`` when not given);
    - each instance's own arrays, plus :data:`MEET_BYTES` for the call itself, times how often
      it is met may add up to at most :data:`MAX_REPEATED_BYTES` or :data:`REPEAT_SPREAD` times
      what the model stores (each array once, whoever holds it): a voting model listing one
      brute-force KNN of 20,000 samples 250 times by reference did 250 times its work in every
      ``predict`` (rt38-01), one listing a DummyRegressor 40,000 times made 40,000 calls
      (rt39-07), 250 distinct KNNs sharing one ``_fit_X`` searched it 250 times (rt40-03);
      honest ensembles meet an estimator once or twice (``estimators_`` and
      ``named_estimators_``);
    - the factorizations a method redoes on every call, whatever the rows (a random
      projection's ``pinv``, a mixture's SVDs in ``sample()``, a covariance estimator's
      ``pinvh`` without its precision; and, once a call, ``score``'s LU of a covariance
      estimator's precision or of a PCA's or FactorAnalysis's, and the square matrix it
      makes), times how often it is met
      (:func:`safeload.trust.structures.factorizations.factorization_problem`), paid by the
      file's size;
    - what ``repr`` of each estimator or kernel costs, times how often it is met, and of a
      model that is a plain container (``top``) of them
      (:func:`safeload.trust.structures.printing.printed_problem`).
    """
    from safeload.trust import facts
    from safeload.trust.shadow_values import class_of
    from safeload.trust.structures.common import is_int
    from safeload.trust.structures.names import (
        NameLedger,
        _attrs,
        native_arrays,
        own_array_groups,
    )
    from safeload.trust.structures.widths import MAX_LLE_NEIGHBOURS, lle_row_work

    ledger = NameLedger()
    share = 0.0
    stored = 0
    used = 0
    repeated = RepeatedOutputs()
    paid_bytes = 0  # bytes of the arrays the model stores, each once (object items: 1 byte)
    seen_roots: set[int] = set()
    seen_groups: dict[int, dict[int, Any]] = {}
    lists: dict[Any, tuple[Any, dict[int, Any]]] = {}
    unions = _RootUnions()
    for obj in instances:
        times = meets.get(id(obj), 0)
        if not times:
            continue
        attrs = _attrs(obj)
        # the arrays it holds itself, and those of each list it holds: a list many estimators
        # hold is read once for the whole model (rt79-02)
        roots, groups = own_array_groups(attrs, lists)
        columns = ledger.add(obj, times, attrs, roots, groups)
        roots.update(native_arrays(obj))  # (after the names: a tree's nodes name nothing)
        short = facts.short_name(class_of(obj))
        for name in use_time_counts(attrs, short):
            count = attrs[name]
            if count is not None and is_int(count) and int(count) > 0:
                weight = iteration_weight(short, attrs, name)
                share += times * int(count) * weight / iteration_limit(name)
        share += times * coder_row_share(short, attrs)
        if short == "LocallyLinearEmbedding":
            # a (k, k) solve per row, at most one at the neighbour bound's k a share: 60
            # members of k = 1,000 in a voting model took 21 s a row (rt76-01)
            share += times * lle_row_work(attrs) / MAX_LLE_NEIGHBOURS**3
        nodes, interactions = booster_shape(obj)
        boosted = BOOSTER_NODE_BYTES * nodes
        stored += boosted
        used += times * (MEET_BYTES + boosted + unions.bytes_of(roots, groups))
        # what the model stores counts each array once, whoever holds it: 250 distinct KNNs
        # over one memoised 640 KB _fit_X each did the whole search in predict (rt40-03)
        stored += MEET_BYTES
        for group in (roots, *groups):
            if group is not roots:
                if id(group) in seen_groups:
                    continue  # (every array of it is in seen_roots)
                seen_groups[id(group)] = group
            stored += sum(int(root.nbytes) for key, root in group.items() if key not in seen_roots)
            paid_bytes += sum(
                int(root.size) if root.dtype.hasobject else int(root.nbytes)
                for key, root in group.items()
                if key not in seen_roots
            )
            seen_roots.update(group)
        calls = times if output_meets is None else output_meets.get(id(obj), 0)
        if calls:
            repeated.add(class_of(obj), calls, attrs, columns)
            repeated.free += calls * interactions  # (xgboost's pred_interactions, rt62-06)

    named = ledger.problem(file_size)
    if named:
        return named
    if share > MAX_PER_ROW_SHARE:
        return (
            f"its estimators would run {share:.1f} times the iteration limit of a method "
            f"call or input row (at most {MAX_PER_ROW_SHARE}: one estimator met in many "
            "places runs its rounds each time)"
        )
    paid = max(MAX_ROW_OUTPUTS, ROW_OUTPUT_SPREAD * paid_bytes // 8)
    if repeated.free > MAX_FREE_COLUMNS:
        return (
            f"its estimators would give {repeated.free:,} output columns per input row that "
            f"no stored array or input column pays for (at most {MAX_FREE_COLUMNS:,}: a count "
            "sketch's width, a polynomial expansion's or xgboost's SHAP interaction values' "
            "is its parameters)"
        )
    copies, wide = (0.0, 0.0) if graph is None else peak_input_copies(*graph, instances)
    if copies > MAX_INPUT_COPIES:
        return (
            f"its transformers would hold {copies:,.0f} copies of the input at once (at most "
            f"{MAX_INPUT_COPIES}: a scaler or feature selector gives a result as wide as its "
            "input each time it is met, side by side in a union, and what it stores compresses "
            "to almost nothing)"
        )
    if wide > POLYNOMIAL_SPREAD:
        return (
            f"its transformers and predictors would hold {wide:,.0f} columns per input column "
            f"at once (at most {POLYNOMIAL_SPREAD:,}: an expansion or projection side by side "
            "with others in a union widens its input each time it is met, and a predictor "
            f"holds a value per output, component or hidden unit past "
            f"{FREE_PREDICTOR_OUTPUTS:,} a row)"
        )
    outputs = repeated.total()
    if outputs > paid:
        return (
            f"its estimators would give {outputs:,} more output columns per input row through "
            f"instances and arrays met more than {HONEST_MEETINGS} times (at most {paid:,}: "
            "one estimator or array met in many places sizes a result each time)"
        )
    bound = max(MAX_REPEATED_BYTES, REPEAT_SPREAD * stored)
    if used > bound:
        return (
            f"its estimators would be met {used:,} bytes' worth by one predict or transform "
            f"(more than {bound:,}: an estimator listed many times by reference does its work "
            "each time)"
        )
    # a fit-sized SVD or eigen solve that a method redoes on every call (rt84-15, rt84-16)
    from safeload.trust.structures.factorizations import factorization_problem

    factored = factorization_problem(instances, meets, file_size)
    if factored:
        return factored
    # what repr formats: each estimator's and kernel's parameters, as often as it is met
    # (rt84-17)
    from safeload.trust.structures.printing import printed_problem

    return printed_problem(instances, meets, top, file_size)


#: Native model parts (module, class): each holds, outside any ``__dict__``, the arrays or
#: model a method walks: a decision tree's nodes, a neighbours tree's samples, a gradient
#: boosting library's trees. ``fit`` gives each one owner.
#: The gradient boosting libraries' Boosters, whose trees :func:`booster_shape` counts.
BOOSTERS = frozenset({("xgboost.core", "Booster"), ("lightgbm.basic", "Booster")})
NATIVE_PARTS = NATIVE_STATE_HOLDERS | BOOSTERS


def _native_part(cls: Any) -> bool:
    from safeload.trust.facts import module_and_name

    return module_and_name(cls) in NATIVE_PARTS


#: What one node of a gradient boosting library's Booster counts in the whole-model work
#: bound, for each meeting: as much as a scikit-learn tree's node (its ``Tree`` node record).
BOOSTER_NODE_BYTES = 64


def booster_shape(obj: Any) -> tuple[int, int]:
    """How many tree nodes an XGBoost or LightGBM ``Booster`` holds, and how many output
    values per row its SHAP interaction values take that no input column pays for; ``(0,
    0)`` for anything else. Read from its model as xgboost serialises it (``save_raw``) or
    LightGBM writes it (``model_to_string``) for a built one, and from the model blob or
    text in the stream for scan's shadow of one.

    Its trees are native memory no ``__dict__`` shows: one wrapper met 120 times, as 120
    pipelines' step, walked them 120 times a row while the whole-model bound counted 4 KiB
    a meeting (rt60-12), and then a count of trees missed one chain tree of depth 20,000
    met 200 times (rt61-02). xgboost's ``pred_interactions`` gives ``groups * (num_feature +
    1) ** 2`` values a row: past :data:`POLYNOMIAL_SPREAD` per input column, as a polynomial
    expansion's columns, they count as free columns (rt62-06: a 4.8 KB model saying 20,000
    features asked 1.6 GB for one row). LightGBM's ``pred_contrib`` gives ``num_class *
    (num_feature + 1)``, counted alike."""
    from safeload.trust.facts import module_and_name
    from safeload.trust.shadow_values import Shadow, Unproven, class_of, state_item

    name = module_and_name(class_of(obj))
    if name not in BOOSTERS:
        return 0, 0
    key = "_handle" if name == ("lightgbm.basic", "Booster") else "handle"
    if type(obj) is Shadow:
        model = state_item(obj, key)
        if model is None:
            raise Unproven(f"the model of a {name[0].split('.')[0]} Booster")
    else:
        try:
            # every tree: model_to_string's default stops at best_iteration, and predict
            # takes any num_iteration (rt62-10); the stream's text is __getstate__'s, all trees
            if key == "_handle":
                model = obj.model_to_string(num_iteration=-1)
            else:
                model = bytes(obj.save_raw("ubj"))
        except Exception as exc:  # the library's own errors: a state the bound cannot read
            raise ValueError(f"a Booster's model ({type(exc).__name__})") from None
    if key == "_handle":
        if type(model) is not str:
            raise Unproven("the model text of a LightGBM Booster")
        from safeload.trust.lightgbm_text import header_num_class, header_num_feature, text_nodes

        # pred_contrib gives num_class * (num_feature + 1) values a row: a class costs a
        # one-leaf tree, a feature a name (rt64-06: 20,000 classes over 10,000 features,
        # 150 KB, asked 1.6 GB for one row)
        classes, features = header_num_class(model), header_num_feature(model)
        if classes is None or features is None:
            raise Unproven("the header of a LightGBM model text")
        return text_nodes(model), max(0, classes * (features + 1) - POLYNOMIAL_SPREAD * features)
    if not isinstance(model, (bytes, bytearray, memoryview)):
        raise Unproven("the model blob of an xgboost Booster")
    from safeload.trust.xgboost_model import tree_nodes

    nodes, features, groups = tree_nodes(model)
    return nodes, max(0, groups * (features + 1) ** 2 - POLYNOMIAL_SPREAD * features)


def shared_native_problem(edges: dict[int, list[int]], instances: list[Any]) -> str | None:
    """Why the model is refused for a native part (:data:`NATIVE_PARTS`) that more than one
    object holds, or ``None``. Fit makes one for its estimator, so distinct holders are copies
    made to share it: 120 tree wrappers over one deep ``Tree`` (rt60-03), 120 KNNs over one KD
    tree (rt60-06), 120 XGBoost or LightGBM wrappers over one ``Booster`` (rt60-07) each
    walked it again in every ``predict``, work the whole-model bound charges by what an
    estimator holds itself. (One holder met many times, a FrozenEstimator listed again, is
    counted by that bound.) ``edges`` is the graph the load's walk or scan's shadows give,
    read by class names only."""
    from safeload.trust.shadow_values import class_of

    native = {id(o) for o in instances if _native_part(class_of(o))}
    if not native:
        return None
    # a container (a dict saved beside the model holding its booster, for SHAP or
    # save_model later, rt60-14) walks nothing; only an instance's attribute makes it a part
    kinds = {id(o): class_of(o) for o in instances}
    holders: dict[int, set[int]] = {}
    for parent, kids in edges.items():
        kind = kinds.get(parent)
        if kind is None or (
            isinstance(kind, type) and issubclass(kind, (dict, list, tuple, set, frozenset))
        ):
            continue
        for kid in kids:
            if kid in native and kid != parent:
                holders.setdefault(kid, set()).add(parent)
    most = max((len(h) for h in holders.values()), default=0)
    if most > 1:
        return (
            f"a native model part (a tree, a neighbours tree or a booster) held by {most} "
            "objects; fit gives each estimator its own, and each holder walks it again"
        )
    return None


#: Stored counts that are output widths: one column per output, class, component, feature
#: or generated feature. Read only for an instance met more than :data:`HONEST_MEETINGS`
#: times, where counting a width that is not an output costs nothing honest.
OUTPUT_COUNTS = (
    "n_outputs_",
    "_n_features_out",
    "n_classes_",
    "n_output_features_",
    "n_components",
    "n_components_",
    "n_features",
    "n_features_in_",
)


#: The methods whose results have a column per output: an instance with none of them (a
#: Birch CF-tree node, a binner's state) sizes no result.
OUTPUT_METHODS = (
    "predict",
    "predict_proba",
    "predict_log_proba",
    "decision_function",
    "transform",
    "score_samples",
    "inverse_transform",
)


def facts_short_name(cls: Any) -> str:
    """The class's ``__name__`` (or its facts' name), or ``""`` for what is no class."""
    from safeload.trust import facts
    from safeload.trust.facts import ClassFacts

    if type(cls) is ClassFacts or isinstance(cls, type):
        return facts.short_name(cls)
    return ""


@functools.lru_cache(maxsize=1024)
def _has_output_method(cls: Any) -> bool:
    """Whether the class (or, in a scan on facts, the :class:`~safeload.trust.facts.ClassFacts`
    standing for it) defines one of :data:`OUTPUT_METHODS` anywhere in its MRO."""
    return _defines(cls, OUTPUT_METHODS)


def _defines(cls: Any, methods: tuple[str, ...]) -> bool:
    """Whether the class (or the :class:`~safeload.trust.facts.ClassFacts` standing for it in
    a scan on facts) defines one of ``methods`` anywhere in its MRO; True for anything that
    is not a class (fail closed)."""
    from safeload.trust.facts import ClassFacts

    if type(cls) is ClassFacts:
        return any(name in cls.defined for name in methods)
    if not isinstance(cls, type):
        return True
    return any(name in vars(base) for base in cls.__mro__ for name in methods)


class _RootUnions:
    """The bytes of the distinct arrays an estimator holds, in its own attributes and in the
    lists :func:`own_array_groups` gives: the union of a set of lists read once per set, so
    that 1,000 estimators holding one list of 12,000 arrays cost 1,000 lookups (rt79-02)."""

    def __init__(self) -> None:
        self._known: dict[tuple[int, ...], tuple[list[dict[int, Any]], set[int], int]] = {}

    def bytes_of(self, roots: dict[int, Any], groups: list[dict[int, Any]]) -> int:
        """The bytes of the arrays ``roots`` and ``groups`` hold, each array once."""
        if not groups:
            return sum(int(root.nbytes) for root in roots.values())
        key = tuple(id(group) for group in groups)
        known = self._known.get(key)
        if known is None:
            merged: dict[int, Any] = {}
            for group in groups:
                merged.update(group)
            # (the groups kept with it: their ids are the key)
            known = (groups, set(merged), sum(int(root.nbytes) for root in merged.values()))
            self._known[key] = known
        _, held, total = known
        return total + sum(int(root.nbytes) for k, root in roots.items() if k not in held)


class RepeatedOutputs:
    """The output columns that meetings beyond :data:`HONEST_MEETINGS` add to one input row.

    Two kinds of repetition, each counted past its honest meetings: an instance met many
    times (listed by reference, in a list, a tuple or a FrozenEstimator list) gives a result as
    wide as its widest output each time: its labels, its largest output count
    (:data:`OUTPUT_COUNTS`), the columns the names bound counts for it, or the longest axis of
    a part it holds; a part (an array, sparse matrix, pandas object or sub-array dtype) met
    more often than its most-met holder is (held by many distinct estimators, or many times
    in one estimator's lists) gives a result as long as its longest axis each further time
    (distinct regressors sharing one ``coef_``). A meeting is charged once: a frozen model
    listed 100 times was charged its labels, ``coef_``, ``intercept_`` and ``classes_`` each
    time, five times its real width (rt59-15). Only instances of classes with an output method
    (:data:`OUTPUT_METHODS`) are read: a Birch CF-tree node, met along its leaf links, sizes
    no result."""

    def __init__(self) -> None:
        #: output columns no stored array pays for (:data:`FREE_WIDTHS`), every meeting
        self.free = 0
        self._excess = 0
        self._meets: dict[int, int] = {}  # a part's key: meetings through every holder
        self._top: dict[int, int] = {}  # a part's key: its most-met holder's meetings
        self._widths: dict[int, int] = {}
        #: a container (by id and level) read already: it, its widest axis, its parts' counts
        self._walked: dict[tuple[int, int], tuple[Any, int, dict[int, int]]] = {}
        #: a container instances' attributes hold (by id): its parts' counts, its meetings
        #: through every holder, and its most-met holder's meetings
        self._held: dict[int, list[Any]] = {}

    def add(self, cls: Any, times: int, attrs: dict[str, Any], named: int = 0) -> None:
        """Count an instance of ``cls`` met ``times`` times, with attributes ``attrs``, that
        names ``named`` output columns (what the names bound counted for it)."""
        if not _has_output_method(cls):
            return
        name = facts_short_name(cls)
        free = FREE_WIDTHS.get(name)
        if free is not None:
            self.free += times * math.prod(_count_of(attrs.get(key)) for key in free)
        if name == "PolynomialFeatures":
            expanded = _count_of(attrs.get("n_output_features_"))
            inputs = _count_of(attrs.get("n_features_in_"))
            self.free += times * max(0, expanded - POLYNOMIAL_SPREAD * inputs)
        parts: dict[int, int] = {}  # this instance's parts: key -> occurrences
        held = self._containers(attrs.values())
        widest_part = self._add_items(attrs.values(), parts, 0, held)
        for part, occurrences in parts.items():
            self._meets[part] = self._meets.get(part, 0) + times * occurrences
            self._top[part] = max(self._top.get(part, 0), times)
        # a container the attributes hold counts its parts when the total is taken, once for
        # all its holders: one list of 12,000 arrays held by 1,000 estimators had its parts
        # counted 1,000 times (rt79-02), as it had been per attribute (rt78-06)
        for item, count in held.values():
            known = self._known(item, 0)
            widest_part = max(widest_part, known[1])
            entry = self._held.get(id(item))
            if entry is None:
                self._held[id(item)] = [known[2], times * count, times]
            else:
                entry[1] += times * count
                entry[2] = max(entry[2], times)
        if times > HONEST_MEETINGS:
            # (the names bound knows each transformer's output columns: a vectorizer's
            # vocabulary, a target encoder's features times classes, rt59-01)
            widest = max(_label_count(attrs), named, widest_part)
            for count in OUTPUT_COUNTS:
                widest = max(widest, _count_of(attrs.get(count)))
            steps = _count_of(attrs.get("sample_steps"))  # AdditiveChi2Sampler
            if steps:
                widest = max(widest, _count_of(attrs.get("n_features_in_")) * (2 * steps - 1))
            self._excess += (times - HONEST_MEETINGS) * widest

    @staticmethod
    def _containers(items: Any) -> dict[int, list[Any]]:
        """The lists, tuples and dicts among ``items``: id -> [container, how many times]."""
        held: dict[int, list[Any]] = {}
        for item in items:
            kind = type(item)
            if kind in (list, tuple) or issubclass(kind, dict):
                entry = held.get(id(item))
                if entry is None:
                    held[id(item)] = [item, 1]
                else:
                    entry[1] += 1
        return held

    def _add_items(
        self, items: Any, parts: dict[int, int], depth: int, held: dict[int, list[Any]]
    ) -> int:
        """:meth:`_add_parts` of each of ``items`` at ``depth`` but the containers ``held``
        among them (:meth:`_containers`); their widest axis. Each of those the caller adds
        once, its parts times its count: one list of 6,000 arrays held 6,000 times had its
        parts added one by one per reference (rt77-09), and by 4,000 attributes alike
        (rt78-06)."""
        widest = 0
        for item in items:
            if id(item) not in held:
                widest = max(widest, self._add_parts(item, parts, depth))
        return widest

    def _known(self, value: Any, depth: int) -> tuple[Any, int, dict[int, int]]:
        """The container ``value`` read at ``depth``, once: it, its widest axis, and its
        parts' counts (lists, tuples and dicts two levels deep)."""
        known = self._walked.get((id(value), depth))
        if known is None:
            widest = 0
            found: dict[int, int] = {}
            # (dict's own values: an OrderedDict entry answers .get as a dict does, rt60-09)
            items = dict.values(value) if issubclass(type(value), dict) else value
            if depth < 2 and len(value) < 100_000:
                held = self._containers(items)
                widest = self._add_items(items, found, depth + 1, held)
                for item, times in held.values():
                    inner = self._known(item, depth + 1)
                    widest = max(widest, inner[1])
                    for key, count in inner[2].items():
                        found[key] = found.get(key, 0) + count * times
            known = (value, widest, found)
            self._walked[(id(value), depth)] = known
        return known

    def _add_parts(self, value: Any, parts: dict[int, int], depth: int) -> int:
        """Note the parts in ``value`` (lists, tuples and dicts two levels deep); their widest
        axis. (category_encoders keeps its mapping frames in a list of dicts: one frame in
        every entry was one part met once, rt60-01.)"""
        kind = type(value)
        if kind in (list, tuple) or issubclass(kind, dict):
            # a container met again counts its parts again without its items read again:
            # 60 stumps sharing one list of 50,000 floats read it 60 times (rt74-07)
            known = self._known(value, depth)
            for key, count in known[2].items():
                parts[key] = parts.get(key, 0) + count
            return known[1]
        if kind in _PLAIN_SCALARS:
            return 0  # (most items of a long list: no shape to read)
        shape = shape_of(value)
        if shape is None or not shape:
            return 0
        width = max(shape)
        for key in _part_keys(value):
            parts[key] = parts.get(key, 0) + 1
            self._widths[key] = max(self._widths.get(key, 0), width)
        return width

    def total(self) -> int:
        """The repeated output columns, over every instance and part added."""
        meets_of = dict(self._meets)
        top_of = dict(self._top)
        for parts, meets, top in self._held.values():
            for key, count in parts.items():
                meets_of[key] = meets_of.get(key, 0) + meets * count
                top_of[key] = max(top_of.get(key, 0), top)
        repeated = 0
        for key, meets in meets_of.items():
            allowed = max(HONEST_MEETINGS, top_of[key])
            if meets > allowed:
                repeated += (meets - allowed) * self._widths[key]
        return self._excess + repeated


#: Types whose values have no shape.
_PLAIN_SCALARS = frozenset({float, int, bool, str, bytes, type(None)})


def _part_keys(value: Any) -> list[int]:
    """What identifies a part: an array by its root buffer; a sparse matrix by each buffer it
    holds (200 distinct CSR wrappers over one ``data`` were 200 parts met once each, rt59-10;
    over one ``indptr`` and ``indices`` with their own ``data``, rt59-14); anything else by
    itself."""
    from safeload.trust.pandas_forms import is_checked_pandas, pandas_contents

    if issubclass(type(value), np.ndarray):
        return [id(root_array(value))]
    keys = [id(value)]
    if is_checked_pandas(value):
        # a frame's state is its manager, not an array: 200 frames over one block were 200
        # parts met once each (rt60-02). Its values, not its index (many honest frames and
        # series share one index object)
        # (a categorical column's block holds codes, rt60-13)
        contents = pandas_contents(value)
        keys.extend(id(root_array(a)) for a in (*contents.blocks, *contents.extension))
        return list(dict.fromkeys(keys))
    state = vars(value) if hasattr(value, "__dict__") else {}
    if type(state) is dict:
        for item in state.values():
            if issubclass(type(item), np.ndarray):
                keys.append(id(root_array(item)))
    return keys


def _label_count(attrs: dict[str, Any]) -> int:
    """How many labels ``classes_`` (or a calibrator's ``classes``) holds: one array, or one per
    output, in whatever container holds them (rt57-08's pandas Index and sub-array dtype).
    ``predict_proba`` and ``decision_function`` give each input row a column per label."""
    labels = 0
    for key in ("classes_", "classes"):
        value: Any = attrs.get(key)
        if value is None:
            continue
        parts: Any = value if type(value) in (list, tuple) else (value,)
        for part in parts:
            labels += _item_count(part)
    return labels


#: Types that are never an array, a sparse matrix, a pandas object or a dtype (``shape_of``
#: answers ``None`` for them without asking further).
_PLAIN_VALUES = frozenset({type(None), bool, int, float, str, bytes, list, tuple, dict})


def shape_of(value: Any) -> tuple[int, ...] | None:
    """The shape of an array, sparse matrix or pandas object (or a sub-array dtype's), or
    ``None`` for anything else."""
    kind = type(value)
    if kind is np.ndarray:
        # (numpy's own shape: a tuple of ints)
        return value.shape  # type: ignore[no-any-return]
    # type(), not isinstance: a value scan cannot see (an Unknown) raises on isinstance
    if issubclass(kind, np.ndarray):
        return tuple(int(n) for n in value.shape)
    if kind in _PLAIN_VALUES:
        return None
    if issubclass(kind, np.dtype):
        # (a plain dtype's shape is (): numpy shares one dtype object among many arrays)
        return tuple(int(n) for n in value.shape)
    from safeload.trust.pandas_forms import is_checked_pandas
    from safeload.trust.shadow_values import class_of

    cls = class_of(value)
    if (isinstance(cls, type) and cls.__module__.startswith("scipy.sparse")) or (
        is_checked_pandas(value)
    ):
        shape = getattr(value, "shape", None)
        if type(shape) is tuple and all(isinstance(n, (int, np.integer)) for n in shape):
            return tuple(int(n) for n in shape)
    return None


def _item_count(part: Any) -> int:
    """How many labels one part of ``classes_`` holds: the items of an array, sparse matrix,
    pandas object or sub-array dtype (``size(classes_)`` reads the shape whatever holds it),
    the length of a list, or one for a single label."""
    shape = shape_of(part)
    if shape is not None:
        return max(math.prod(shape), 1) if issubclass(type(part), np.dtype) else math.prod(shape)
    if type(part) in (list, tuple):
        return len(part)
    return 1


def _count_of(value: Any) -> int:
    """A stored count (an int, or an array of counts: a multi-output tree's ``n_classes_``);
    by ``type()``, as a value scan cannot see raises on ``isinstance``."""
    kind = type(value)
    if kind is int or issubclass(kind, np.integer):
        return max(int(value), 0)
    if issubclass(kind, np.ndarray) and value.dtype.kind in "iu" and value.ndim == 1:
        return int(value.sum()) if value.size else 0
    if kind is not bool and issubclass(kind, numbers.Integral):
        # a trusted class registered as an Integral (with __index__) passes scikit-learn's
        # Interval(Integral, ...) and numpy's shapes as the count it stands for (rt109-09)
        try:
            return max(operator.index(value), 0)
        except Exception:
            return 0
    return 0


def check_name_template(template: str, path: str) -> None:
    """ColumnTransformer formats every output name with this template: only the two documented
    fields, each at most once, with no format specification (``{feature_name:>1500000000}``
    makes each name 1.5 GB)."""
    import string

    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        raise UnsafeState(path, "is not a format string") from None
    fields = []
    for _text, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in ("transformer_name", "feature_name") or spec or conversion:
            raise UnsafeState(
                path, "may use only {transformer_name} and {feature_name}, without format specs"
            )
        fields.append(field)
    if len(fields) != len(set(fields)):
        # "{feature_name}" * 71 makes every name 71 times longer, and column transformers in a
        # pipeline multiply it again per layer (rt32-04, rt32-12)
        raise UnsafeState(path, "uses a field more than once")
    if len(template) > 1000:
        raise UnsafeState(path, "is longer than 1000 characters")


#: The most labels a stored metric keyword may list (honest ones list the classes).
MAX_STORED_LABELS = 1 << 16
#: Keywords with which a function writes into the array it is given, and the one value each
#: may be stored with. FunctionTransformer (``validate=False``, its default) hands the
#: caller's own array to its function: ``np.median(..., overwrite_input=True)`` sorted the
#: caller's rows, and ``mutual_info_classif(..., copy=False)`` (a SelectKBest's score
#: function, run by ``fit``) scaled its columns and added noise to them (rt41-11). scipy's
#: ``overwrite_a``/``overwrite_b`` and numpy's ``copy=False`` (``nan_to_num``) do the same.
IN_PLACE_KEYWORDS = {
    "overwrite_input": False,
    "overwrite_a": False,
    "overwrite_b": False,
    "copy": True,
}
#: The stored keywords :func:`keyword_problem` judges by value (scan needs each as a literal).
JUDGED_KEYWORDS = frozenset({"n_jobs", "where", "labels", "dtype", *IN_PLACE_KEYWORDS})


def keyword_problem(key: Any, value: Any) -> str | None:
    """Why a keyword argument stored for a function (a ``functools.partial``'s, a metric's
    ``**kwargs``) is refused, or ``None``: what the function sizes or starts by it is held as
    the same value is where an estimator stores it. ``n_jobs`` starts joblib workers
    (``mutual_info_classif(n_jobs=64)``: 66 processes, rt37-02), ``dtype`` sizes every
    converted cell (``check_array(dtype='S1073741824')``: 1 GiB per input value, rt37-07)."""
    if key == "n_jobs":
        return count_problem(value, none=True, negative=True, workers=True)
    if key in IN_PLACE_KEYWORDS:
        allowed = IN_PLACE_KEYWORDS[key]
        if type(value) is bool and value is allowed:
            return None
        return (
            f"is {short(value)}: stored with any value but {allowed}, it makes the function "
            "write into the array it is given (the caller's data)"
        )
    if key == "where" and value is not True:
        # a ufunc skips the elements where= masks out of the fresh output it returns: memory
        # it never wrote (a freed array came back whole, rt38-07); True is numpy's default
        return "is not True: a stored where= makes a ufunc return memory it never wrote"
    if key == "labels" and value is not None:
        # metrics binarize y densely against their labels: n rows x len(labels) ints; a range
        # stores 2**20 labels in a few bytes (8 MiB per row of score, rt38-10)
        size = len(value) if type(value) in (list, tuple) else None
        if isinstance(value, np.ndarray) and value.ndim == 1:
            size = int(value.size)
        if size is None or size > MAX_STORED_LABELS:
            return (
                f"is {short(value)}: a metric's labels must be a list or array of at most "
                f"{MAX_STORED_LABELS:,} labels"
            )
        return None
    if key == "dtype" and not (value is None or value == "numeric"):
        from safeload.trust.dtype_kinds import numeric_dtype_problem

        if type(value) in (list, tuple):  # check_array's list of accepted dtypes
            problems = [numeric_dtype_problem(v) for v in value]
            return next((p for p in problems if p), None)
        return numeric_dtype_problem(value)
    return None


def keyword_key_problem(key: Any) -> str | None:
    """Why a key of a stored keyword dict is refused, or ``None``: only a plain ``str`` names a
    keyword. ``**kwargs`` raises ``TypeError`` on any other key, so no working model stores
    one, and a str subclass (``numpy.str_('out')``) passes for the keyword it equals (rt24-17,
    rt39-05); refusing them all lets scan read a literal key exactly as the load does."""
    if type(key) is not str:
        return f"is a keyword of type {type(key).__name__}, not a plain str"
    return None


def check_kwargs(kwargs: Any, path: str) -> None:
    if isinstance(kwargs, dict):
        for key in kwargs:
            problem = keyword_key_problem(key)
            if problem:
                raise UnsafeState(f"{path}[{short(key)}]", problem)
            if key in _OUTPUT_KEYWORDS:
                raise UnsafeState(
                    f"{path}[{key!r}]",
                    "a stored keyword argument would make the function write into an array "
                    "the model holds",
                )
            problem = keyword_problem(key, kwargs[key])
            if problem:
                raise UnsafeState(f"{path}[{key!r}]", problem)


#: Classes whose ``__getattr__`` forwards every attribute an instance lacks to the object in
#: one of its own attributes: a FrozenEstimator's ``getattr(self.estimator, name)``
#: (frozen/_frozen.py:72-77).
DELEGATES = {"sklearn.frozen._frozen:FrozenEstimator": "estimator"}


def delegation_problem(obj: Any) -> str | None:
    """Why looking up an attribute ``obj`` lacks would never end, or ``None``: an instance of
    a class in :data:`DELEGATES` that does not hold the attribute it forwards to (looking
    that up is forwarded again: one made by NEWOBJ alone), or a chain of them that comes back
    to one of them. Python stops at its recursion limit, which a load's check that looked up
    a missing attribute met by accident (rt38-17). The same rule on what a load built and on
    scan's shadows (whose ``vars`` is the state the stream gives, or raises ``Unproven``)."""
    from safeload.trust.shadow_values import class_of

    seen: set[int] = set()
    while True:
        attribute = _forwarded_to(class_of(obj))
        if attribute is None:
            return None
        if id(obj) in seen:
            return (
                f"forwards the attributes it lacks through {attribute} back to itself: "
                "looking one up would never end"
            )
        seen.add(id(obj))
        state = vars(obj)
        if attribute not in state:
            return (
                f"has no {attribute}, to which its __getattr__ forwards every attribute it "
                f"lacks ({attribute} too): looking one up would never end"
            )
        obj = state[attribute]


@functools.lru_cache(maxsize=1024)
def _forwarded_to(cls: Any) -> str | None:
    """The attribute :data:`DELEGATES` names for the class (or its facts), or ``None``."""
    from safeload.trust import facts

    return next((DELEGATES[n] for n in sorted(facts.mro_names(cls)) if n in DELEGATES), None)


def two_argument_problem(state: dict[str, Any]) -> tuple[str, str] | None:
    """(the slot, why) when an instance's attributes hold a numpy function (a ufunc or an
    array-function dispatcher, bare or in a ``functools.partial``) where scikit-learn calls
    the stored callable with two arrays (:data:`_TWO_ARGUMENT_SLOTS`), else ``None``. The load
    applies it to the ``__dict__`` it built and scan to its shadows' attributes
    (:mod:`safeload.trust.shadow`), so both read the same values by the same rule (rt41-01)."""
    for name in sorted(_TWO_ARGUMENT_SLOTS.intersection(state)):
        fn = state[name]
        inner = fn.func if isinstance(fn, functools.partial) else fn
        if isinstance(inner, (np.ufunc, type(np.mean))):
            return name, (
                "a numpy function where two arrays are passed: its second would be written to "
                "(a ufunc's out)"
            )
    return None


def check_instance(obj: Any, graph: Graph) -> None:
    problem = delegation_problem(obj)
    if problem:
        raise UnsafeState(graph.path(id(obj)), problem)
    state = getattr(obj, "__dict__", None)
    fields = getattr(type(obj), "_fields", None)
    if isinstance(obj, tuple) and isinstance(fields, tuple):
        state = dict(zip(fields, obj, strict=False))  # a namedtuple's fields
    if not isinstance(state, dict):
        return
    for name in KWARGS_ATTRIBUTES.intersection(state):
        check_kwargs(state[name], f"{graph.path(id(obj))}.{name}")
    found = two_argument_problem(state)
    if found:
        raise UnsafeState(f"{graph.path(id(obj))}.{found[0]}", found[1])
    template = state.get("verbose_feature_names_out")
    if isinstance(template, str):
        check_name_template(template, f"{graph.path(id(obj))}.verbose_feature_names_out")
    # (the name of the reviewed class whose rules the object is held to, as scan reads it: an
    # own NMF subclass asked 4x NMF's iteration limit at use, rt105-07)
    from safeload.trust import facts

    for name in use_time_counts(state, facts.short_name(type(obj))):
        count = state[name]
        if isinstance(count, (int, np.integer)) and int(count) > iteration_limit(name):
            raise UnsafeState(
                f"{graph.path(id(obj))}.{name}",
                f"asks for more than {iteration_limit(name)} iterations at use time",
            )
    rows = fitted_dispatch_rows(type(obj))
    for row in rows:
        if row.attribute in state:
            try:
                apply(row, state[row.attribute], graph)
            except UnsafeState as exc:
                if exc.path.startswith("<"):
                    raise UnsafeState(
                        f"{graph.path(id(obj))}.{row.attribute}",
                        f"{exc.problem} (it drives {row.drives})",
                        names=exc.names,
                    ) from None
                raise
    constraints = constraints_of(type(obj))
    if constraints:
        check_params(type(obj), state, constraints, lambda: graph.path(id(obj)))
    names = mro_names(type(obj))
    native = native_params.object_problem(names, obj, state)
    if native is not None:  # LightGBM / CatBoost parameters (r15-01/02/03/07/14)
        raise UnsafeState(f"{graph.path(id(obj))}.{native[0]}", native[1])
    wrapper = xgboost_wrapper.wrapper_problem(names, state)
    if wrapper is not None:  # an xgboost wrapper's n_classes_ (rt45-03)
        raise UnsafeState(f"{graph.path(id(obj))}.{wrapper[0]}", wrapper[1])
    kernel = kernel_base()
    if kernel is not None and isinstance(obj, kernel):
        for key in state:
            if key.startswith("hyperparameter_"):
                raise UnsafeState(
                    f"{graph.path(id(obj))}.{key}",
                    "a kernel reads and writes every attribute named hyperparameter_* by the "
                    "name stored in it; only the class may define them",
                )
    search = search_base()
    if search is not None and isinstance(obj, search):
        for grid_name in ("param_grid", "param_distributions"):
            if grid_name in state:
                check_grid(state[grid_name], f"{graph.path(id(obj))}.{grid_name}", graph)
