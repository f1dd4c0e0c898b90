"""Post-load checks for allowed types whose native code trusts stored index arrays.

A crafted ``sklearn.tree._tree.Tree`` with a child index out of range loads without complaint and
then crashes the process (or reads out of bounds) in ``predict``; a cycle makes ``predict`` loop
forever. The same holds for histogram-gradient-boosting predictors and KD/Ball trees. skops
refuses these types by default for this reason; safeload loads them and checks them here, after
they are built and before the object is handed to the caller.

The checks themselves live in :mod:`safeload.trust.structures`, one module per family; this
module is their table (``_CHECKED_KINDS``), the walk that finds every built object
(:func:`validate_loaded`) and the errors a failed check becomes (``MalformedArtifactError``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from safeload._numpy_state import ZERO_ITEMS, empty_shape_problem
from safeload.exceptions import (
    LimitExceededError,
    MalformedArtifactError,
    UnsafeStateError,
)
from safeload.trust.object_checks import shared_native_problem
from safeload.trust.structures.arrays import check_bspline, check_sparse, check_spline_transformer
from safeload.trust.structures.bunch import bunch_place_problem
from safeload.trust.structures.clustering import (
    check_birch,
    check_bisecting_kmeans,
    check_feature_agglomeration,
    check_hdbscan,
    check_kmeans,
    check_minibatch_kmeans,
)
from safeload.trust.structures.common import MAX_OBJECTS, MAX_TREE_FEATURES, root_array
from safeload.trust.structures.ensembles import (
    check_bagging,
    check_forest,
    check_gradient_boosting,
    check_tree_estimator,
)
from safeload.trust.structures.estimators import (
    check_chi2_sampler,
    check_count_sketch,
    check_covariance,
    check_gaussian_process,
    check_gaussian_process_classifier,
    check_incremental_pca,
    check_kernel_values,
    check_mixture,
    check_mlp,
    check_polynomial_features,
    check_random_projection,
    check_svm,
)
from safeload.trust.structures.hgb import (
    check_bin_mapper,
    check_hgb,
    check_tree_predictor,
    orphan_predictor_problem,
)
from safeload.trust.structures.labels import (
    check_constant_predictor,
    check_dummy,
    check_label_sources,
    check_one_vs_rest,
    check_voting_classifier,
    check_voting_regressor,
)
from safeload.trust.structures.neighbors import (
    binary_tree_base,
    check_binary_tree,
    check_distance_metric,
    check_neighbors,
    stray_metric_problem,
)
from safeload.trust.structures.randomness import check_random_state, check_seed_sequence
from safeload.trust.structures.trees import check_tree, trees_all_valid
from safeload.trust.structures.values import metadata_validators
from safeload.trust.structures.widths import (
    check_composite_width,
    check_features_out,
    check_index_maps,
    check_linear_shapes,
    check_one_hot_names,
)

__all__ = ["MAX_OBJECTS", "MAX_TREE_FEATURES", "validate_loaded"]


#: The build-time checks of native structures: (module, class names, check), in the order they
#: run. A module or class that this installation lacks is skipped.
_CHECKED_KINDS: tuple[tuple[str, tuple[str, ...], Callable[[Any, Any], None]], ...] = (
    ("sklearn.tree._tree", ("Tree",), check_tree),
    (
        "sklearn.ensemble._hist_gradient_boosting.gradient_boosting",
        ("BaseHistGradientBoosting",),
        check_hgb,
    ),
    (
        "sklearn.ensemble._hist_gradient_boosting.binning",
        ("_BinMapper",),
        check_bin_mapper,
    ),
    (
        "sklearn.ensemble._hist_gradient_boosting.predictor",
        ("TreePredictor",),
        check_tree_predictor,
    ),
    ("sklearn.neighbors", ("KDTree", "BallTree"), check_binary_tree),
    ("sklearn.metrics._dist_metrics", ("DistanceMetric",), check_distance_metric),
    ("sklearn.tree._classes", ("BaseDecisionTree",), check_tree_estimator),
    ("sklearn.ensemble._forest", ("BaseForest",), check_forest),
    ("sklearn.ensemble._bagging", ("BaseBagging",), check_bagging),
    ("sklearn.ensemble._gb", ("BaseGradientBoosting",), check_gradient_boosting),
    ("sklearn.cluster._kmeans", ("_BaseKMeans",), check_kmeans),
    ("sklearn.cluster._kmeans", ("_BaseKMeans",), check_features_out),
    ("sklearn.cluster", ("Birch",), check_birch),
    ("sklearn.cluster", ("MiniBatchKMeans",), check_minibatch_kmeans),
    ("sklearn.cluster", ("BisectingKMeans",), check_bisecting_kmeans),
    ("sklearn.neighbors._base", ("NeighborsBase",), check_neighbors),
    ("sklearn.base", ("BaseEstimator",), check_linear_shapes),
    ("sklearn.base", ("BaseEstimator",), check_index_maps),
    ("numpy.random", ("BitGenerator", "RandomState"), check_random_state),
    ("numpy.random", ("SeedSequence",), check_seed_sequence),
    ("scipy.interpolate", ("BSpline",), check_bspline),
    ("sklearn.preprocessing", ("SplineTransformer",), check_spline_transformer),
    ("sklearn.svm._base", ("BaseLibSVM",), check_svm),
    ("scipy.sparse", ("spmatrix", "sparray"), check_sparse),
    ("sklearn.cluster", ("HDBSCAN",), check_hdbscan),
    ("sklearn.covariance", ("EmpiricalCovariance",), check_covariance),
    ("sklearn.cluster", ("FeatureAgglomeration",), check_feature_agglomeration),
    ("sklearn.preprocessing", ("PolynomialFeatures",), check_polynomial_features),
    ("sklearn.random_projection", ("BaseRandomProjection",), check_random_projection),
    ("sklearn.decomposition", ("IncrementalPCA",), check_incremental_pca),
    ("sklearn.mixture._base", ("BaseMixture",), check_mixture),
    ("sklearn.gaussian_process", ("GaussianProcessRegressor",), check_gaussian_process),
    (
        "sklearn.gaussian_process._gpc",
        ("_BinaryGaussianProcessClassifierLaplace",),
        check_gaussian_process,
    ),
    ("sklearn.kernel_approximation", ("PolynomialCountSketch",), check_count_sketch),
    ("sklearn.kernel_approximation", ("AdditiveChi2Sampler",), check_chi2_sampler),
    ("sklearn.ensemble", ("VotingClassifier",), check_voting_classifier),
    ("sklearn.ensemble", ("VotingRegressor",), check_voting_regressor),
    ("sklearn.dummy", ("DummyClassifier", "DummyRegressor"), check_dummy),
    ("sklearn.preprocessing", ("OneHotEncoder",), check_one_hot_names),
    ("sklearn.pipeline", ("FeatureUnion",), check_composite_width),
    ("sklearn.compose", ("ColumnTransformer",), check_composite_width),
    ("sklearn.ensemble", ("StackingClassifier",), check_label_sources),
    ("sklearn.semi_supervised", ("SelfTrainingClassifier",), check_label_sources),
    (
        "sklearn.neural_network._multilayer_perceptron",
        ("BaseMultilayerPerceptron",),
        check_mlp,
    ),
    ("sklearn.neural_network", ("MLPClassifier",), check_label_sources),
    ("sklearn.multiclass", ("OneVsRestClassifier",), check_label_sources),
    ("sklearn.multiclass", ("OneVsRestClassifier",), check_one_vs_rest),
    ("sklearn.multiclass", ("_ConstantPredictor",), check_constant_predictor),
    ("sklearn.gaussian_process", ("GaussianProcessClassifier",), check_label_sources),
    (
        "sklearn.gaussian_process",
        ("GaussianProcessClassifier",),
        check_gaussian_process_classifier,
    ),
    ("sklearn.gaussian_process.kernels", ("Kernel",), check_kernel_values),
)


def _validators() -> list[tuple[type, Callable[[Any, Any], None]]]:
    import importlib

    found: list[tuple[type, Callable[[Any, Any], None]]] = metadata_validators()
    for module_name, names, check in _CHECKED_KINDS:
        try:
            module = importlib.import_module(module_name)
            kinds = [getattr(module, name) for name in names]
        except (ImportError, AttributeError):  # pragma: no cover
            continue
        if check is check_binary_tree:
            kinds = [binary_tree_base(kind) for kind in kinds]
        found.extend((kind, check) for kind in kinds)
    return found


_CACHE: list[tuple[type, Callable[[Any, Any], None]]] | None = None


def check_applies(check: Callable[[Any, Any], None], cls: type) -> bool:
    """Whether ``check`` runs on instances of ``cls``. The checks every scikit-learn estimator
    gets (coefficient widths, index maps) read attributes such as ``coef_`` and
    ``n_features_in_``; the profile wrappers that compute those from their native model
    (:data:`safeload.trust.profiles.COMPUTED_ATTRIBUTES`) store no such arrays for scikit-learn's
    solvers to index, so those checks do not apply to them."""
    if check not in (check_linear_shapes, check_index_maps):
        return True
    return _computes_attributes(cls) is False


@functools.lru_cache(maxsize=1024)
def _computes_attributes(cls: type) -> bool:
    """Whether ``cls`` is a profile wrapper that computes ``coef_`` and the like (cached: a
    forest asks this once per tree)."""
    from safeload.trust.profiles import COMPUTED_ATTRIBUTES

    names = {f"{base.__module__}:{base.__qualname__}" for base in cls.__mro__}
    return not names.isdisjoint(COMPUTED_ATTRIBUTES)


def checks_for_scan() -> list[tuple[type, Callable[[Any, Any], None]]]:
    """The native-structure checks a load runs after building, as ``(class, check)`` pairs,
    for ``scan`` to run on the stream's shadows (:mod:`safeload.trust.shadow`). Decision trees'
    ``Tree`` is left out: the static pass checks its node arrays itself."""
    global _CACHE
    checks = _CACHE if _CACHE is not None else _validators()
    _CACHE = checks
    return [(cls, check) for cls, check in checks if check is not check_tree]


def validate_loaded(
    obj: Any,
    source: str,
    *,
    max_objects: int = MAX_OBJECTS,
    file_size: int | None = None,
    discarded: list[Any] | None = None,
) -> None:
    """Check everything reachable from ``obj``: first that its state is safe to use
    (:mod:`safeload.trust.usetime`), then the native structures among the objects that walk
    found (which sees inside partials, slices, slots and extension types' state, so a structure
    cannot hide from these checks where a plain ``__dict__`` walk would miss it). A check
    that runs out of memory is a refusal, never a raw ``MemoryError`` (rt27-05). The
    generated-names allowance is paid by the model's arrays up to ``file_size``, the
    artifact's size as stored (:func:`safeload.trust.object_checks.whole_model_problem`).

    ``discarded``: what the stream built and dropped off its stack (the loaders'
    ``discarded``), checked the same way, as the static pass checks every object a stream
    builds (rt50-03), except that it pays nothing towards the names allowance, which counts
    what the model holds (rt34-07)."""
    try:
        # a predictor the model holds needs an owner the model holds (its predict reads the
        # columns its nodes name, bounded only by that owner's width); one dropped is judged
        # against the estimators of both walks, as scan judges the stream's (rt52-02: an
        # estimator dropped with its predictor returned is refused by both)
        model = _validate(obj, source, max_objects, file_size)
        if discarded:
            _validate(discarded, source, max_objects, file_size, held=False, owners=model)
    except MemoryError:
        raise LimitExceededError(
            f"{source}: ran out of memory checking what was built. Nothing was returned.",
            path=source,
        ) from None


def _validate(
    obj: Any,
    source: str,
    max_objects: int,
    file_size: int | None,
    *,
    held: bool = True,
    owners: tuple[list[Any], bool] | None = None,
) -> tuple[list[Any], bool]:
    """Check what ``obj`` reaches (see :func:`validate_loaded`); return its instances and
    whether a histogram-boosting predictor is among them. ``owners``, an earlier call's
    result, is judged with these instances for predictors outside an estimator."""
    global _CACHE
    # (``alive``: what the walk made to read, held while its ids are used)
    instances, numpy_objects, edges, comps, alive = _check_use_time(obj, source, max_objects)
    checks = _CACHE if _CACHE is not None else _validators()
    _CACHE = checks
    kinds = tuple(cls for cls, _ in checks)
    tree_kind = next((cls for cls, check in checks if check is check_tree), None)
    trees: list[Any] = []  # checked together after the walk (see trees_all_valid)
    dtypes: dict[int, str | None] = {}
    for o in numpy_objects:
        dt = o if isinstance(o, np.dtype) else o.dtype
        if id(dt) not in dtypes:  # every object here stays alive, so ids are not reused
            check_built_dtype(dt, dtypes, source)
        if isinstance(o, np.ndarray) and o.itemsize == 0 and o.size:
            raise MalformedArtifactError(
                f"{source} contains an {ZERO_ITEMS} ({o.size:,} items). Nothing was returned.",
                path=source,
            )
        empty = empty_shape_problem(o.shape) if isinstance(o, np.ndarray) else None
        if empty:
            raise MalformedArtifactError(f"{source} contains an {empty}.", path=source)
    check_array_aliasing(numpy_objects, source)
    predictors = False
    for o in instances:
        if isinstance(o, kinds):
            if tree_kind is not None and type(o) is tree_kind:
                trees.append(o)
            else:
                for cls, check in checks:
                    if isinstance(o, cls) and check_applies(check, type(o)):
                        _run_check(check, o, source)
                        predictors = predictors or check is check_tree_predictor
    union = instances
    if owners is not None:
        union = owners[0] + instances
        predictors = predictors or owners[1]
    orphan = orphan_predictor_problem(union) if predictors else None
    if orphan is None and held:
        orphan = (
            stray_metric_problem(obj, edges, instances)
            or bunch_place_problem(obj, edges, instances)
            or shared_native_problem(edges, instances)
        )
    if orphan:
        raise MalformedArtifactError(
            f"{source} contains {orphan}. It was built but refused before use. Nothing was "
            "returned.",
            path=source,
        )
    named = None
    try:
        from safeload.trust.object_checks import whole_model_problem
        from safeload.trust.sharing import path_counts

        if held:
            from safeload.trust.structures.bunch import without_bunch_edges

            meets = path_counts(id(obj), edges, comps=comps)
            output_edges = without_bunch_edges(id(obj), edges, instances)
            output_meets = meets if output_edges is edges else path_counts(id(obj), output_edges)
            named = whole_model_problem(
                instances, file_size, meets, output_meets, graph=(id(obj), edges), top=obj
            )
    except (ValueError, TypeError, AttributeError, OverflowError) as exc:
        named = f"a state the names bound cannot read ({type(exc).__name__}: {exc})"
    if named:
        raise MalformedArtifactError(
            f"{source}: {named}. It was built but refused before use. Nothing was returned.",
            path=source,
        )
    if trees and not trees_all_valid(trees):
        for tree in trees:
            _run_check(check_tree, tree, source)
        raise MalformedArtifactError(  # pragma: no cover - the per-tree checks name the problem
            f"{source} contains an invalid Tree. Nothing was returned.", path=source
        )
    del alive  # (every id the checks used is read: what the walk made may go)
    return instances, predictors


def check_array_aliasing(numpy_objects: list[Any], source: str) -> None:
    """Refuse arrays the file made separately that share memory. numpy keeps a large ``bytes``
    state, or a ``_frombuffer`` buffer, as the array's writeable memory, so two arrays built
    over one object (a memo reference) are one buffer: writing one (an honest ``partial_fit``)
    rewrites the other after its check, a tree's nodes into out-of-range indexes (rt27-06).
    The static pass refuses a buffer claimed twice; this is the same rule on what was built.
    Views an object's own code makes of its arrays share their root array and are allowed;
    distinct roots whose bytes overlap are refused. O(n log n) in the number of arrays."""
    roots: dict[int, Any] = {}
    for o in numpy_objects:
        if isinstance(o, np.ndarray) and o.nbytes:
            root = root_array(o)
            roots[id(root)] = root
    if len(roots) < 2:
        return
    spans = sorted((*_byte_bounds(root), key) for key, root in roots.items())
    reach = spans[0][1]
    for low, high, _key in spans[1:]:
        if low < reach:
            raise MalformedArtifactError(
                f"{source} contains two arrays over the same memory: writing one would "
                "rewrite the other after the checks. Nothing was returned.",
                path=source,
            )
        reach = max(reach, high)


def _byte_bounds(a: Any) -> tuple[int, int]:
    """The first and one-past-last byte addresses of ``a``'s memory (``a`` is not empty)."""
    low = high = int(a.__array_interface__["data"][0])
    for n, stride in zip(a.shape, a.strides, strict=True):
        reach = (n - 1) * stride
        if reach < 0:
            low += reach
        else:
            high += reach
    return low, high + a.itemsize


def check_built_dtype(dt: Any, seen: dict[int, str | None], source: str) -> None:
    """Refuse a dtype that numpy received but its constructors never make (see
    :func:`safeload._numpy_state.built_dtype_problem`): the check after building that backs the
    static pass's dtype check, for every array and dtype the walk reaches."""
    from safeload._numpy_state import built_dtype_problem

    problem = built_dtype_problem(dt, seen)
    if problem:
        raise MalformedArtifactError(
            f"{source} contains a {problem}. It was built but refused before use, because "
            "numpy would read or write outside its arrays. Nothing was returned.",
            path=source,
        )


def _check_use_time(
    obj: Any, source: str, max_objects: int
) -> tuple[list[Any], list[Any], dict[int, list[int]], Any, list[Any]]:
    from safeload.trust.graph import BadValue
    from safeload.trust.usetime import UnsafeState, WalkLimit, check_use_time

    try:
        return check_use_time(obj, max_objects=max_objects)
    except WalkLimit as exc:
        raise LimitExceededError(f"{source}: {exc.problem}", path=source) from None
    except BadValue as exc:
        raise MalformedArtifactError(
            f"{source}: {exc.path} is {exc.problem}. It was built but refused before use: its "
            "constructor never makes this state, and its methods would compute nonsense. "
            "Nothing was returned.",
            path=source,
        ) from None
    except UnsafeState as exc:
        advice = (
            "It was built but refused before use: only allowed types were built, but this "
            "state would let the model run code, write files or import modules when it is "
            "used. Nothing was returned."
        )
        raise UnsafeStateError(f"{source}: {exc}. {advice}", path=source) from None
    except (MemoryError, RecursionError):
        raise  # (limits, named as such by validate_loaded)
    except Exception as exc:  # the walk failed on what it met: refused, never raw (rt38-15)
        raise UnsafeStateError(
            f"{source}: the check before use failed on an object the file built "
            f"({type(exc).__name__}: {str(exc)[:120]}). Nothing was returned.",
            path=source,
        ) from None


def _run_check(check: Callable[[Any, Any], None], o: Any, source: str) -> None:
    try:
        check(o, None)
    except MemoryError:
        raise  # (a limit, named as one by validate_loaded)
    except Exception as exc:  # any failure of a check refuses (rt36-06)
        # a check that raises for a reason nobody foresaw (int(inf) on a stored count raised
        # OverflowError past the caller's ``except SafeloadError``) still refuses the file
        raise MalformedArtifactError(
            f"{source} contains an invalid {type(o).__name__}: {exc}. It was built but refused "
            "before use, because its native code would read out of bounds, crash or never "
            "finish. Nothing was returned.",
            path=source,
        ) from exc
