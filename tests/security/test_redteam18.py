"""Findings of the eighteenth red-team round (rt18-03, 04, 05, 08, 09, 10), one test each.

Each file is an ordinary fitted model with stored values changed. Each test shows the harm
under the plain loader in a child process (a crash by a signal, or a MemoryError under an
address-space limit), then ``load_unsigned`` refusing the same bytes with a message naming
the problem, and ``scan`` agreeing (``parity.load_unsigned`` asserts scan's verdict is
load's). Honest models of the same classes still load, and the method each check protects
gives what it gives under plain pickle.
"""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest

from harm import Child, crashes, plain
from parity import load_unsigned
from safeload import MalformedArtifactError

RNG = np.random.RandomState(0)
X = RNG.rand(60, 3)
Y3 = np.repeat([0, 1, 2], 20)

#: Address space of the plain children: the files' arrays fit, the hostile sizes do not.
_MEMORY = 2 << 30


def _write(tmp_path: Path, obj: Any, name: str = "m.pkl") -> Path:
    path = tmp_path / name
    path.write_bytes(pickle.dumps(obj, protocol=5))
    return path


def _refused(path: Path, problem: str) -> None:
    """load refuses, naming ``problem``; scan agrees (parity.load_unsigned)."""
    with pytest.raises(MalformedArtifactError, match=problem):
        load_unsigned(path)


def _same_as_plain(tmp_path: Path, model: Any, call: Any, name: str) -> None:
    """An honest ``model`` loads (scan agreeing) and ``call(model)`` gives what it gives on
    the plain pickle of the same bytes."""
    path = _write(tmp_path, model, name)
    loaded = load_unsigned(path)
    expected = call(pickle.loads(path.read_bytes()))
    got = call(loaded)
    if hasattr(got, "toarray"):
        got, expected = got.toarray(), expected.toarray()
    np.testing.assert_array_equal(got, expected)


def _crashes(path: Path, call: str, **options: Any) -> Child:
    return crashes(path, call, memory=_MEMORY, timeout=120, **options)


# --- rt18-03: HDBSCAN's single-linkage tree indexes a native union-find ------------------------


def _hdbscan() -> Any:
    from sklearn.cluster import HDBSCAN

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return HDBSCAN(min_cluster_size=5, copy=True).fit(RNG.rand(60, 2))


def test_hdbscan_single_linkage_tree_indexes_are_bounded(tmp_path: Path) -> None:
    """rt18-03: ``dbscan_clustering`` runs ``labelling_at_cut``, whose union-find reads and
    writes ``parent[left_node]`` with bounds checks off."""
    model = _hdbscan()
    tree = model._single_linkage_tree_.copy()
    tree["left_node"][0] = 10**9  # far outside the union-find's arrays
    tree["value"][0] = 0.0  # below any cut, so the merge is applied
    model._single_linkage_tree_ = tree
    path = _write(tmp_path, model)
    _crashes(path, "model.dbscan_clustering(cut_distance=0.5)")
    _refused(path, "_single_linkage_tree_ left_node refers past the points")


def test_hdbscan_tree_refers_only_to_earlier_clusters(tmp_path: Path) -> None:
    """A merge may name only points and clusters made by earlier rows (a cluster number from
    a later row is in the union-find's range, but no honest tree has it)."""
    model = _hdbscan()
    tree = model._single_linkage_tree_.copy()
    tree["right_node"][0] = len(tree) + 1  # the cluster row 0 itself makes
    model._single_linkage_tree_ = tree
    _refused(_write(tmp_path, model), "right_node refers past")


def test_hdbscan_tree_with_relabelled_fields_is_refused(tmp_path: Path) -> None:
    """Cython reads the records by offset: a dtype whose names are exchanged would have the
    check read other fields than the native code (the rt18-01 technique)."""
    model = _hdbscan()
    tree = model._single_linkage_tree_
    dt = tree.dtype
    names = ["right_node", "left_node", "value", "cluster_size"]
    relabelled = np.dtype(
        {"names": names, "formats": [dt.fields[n][0] for n in dt.names],
         "offsets": [dt.fields[n][1] for n in dt.names], "itemsize": dt.itemsize}
    )  # fmt: skip
    model._single_linkage_tree_ = tree.view(relabelled)
    _refused(_write(tmp_path, model), "not a single-linkage tree")


def test_honest_hdbscan_dbscan_clustering(tmp_path: Path) -> None:
    _same_as_plain(tmp_path, _hdbscan(), lambda m: m.dbscan_clustering(0.3), "hdbscan.pkl")


# --- rt18-04: covariance estimators' precision is scipy cdist's VI ----------------------------


def test_covariance_precision_sized_to_features(tmp_path: Path) -> None:
    """rt18-04: ``EllipticEnvelope.predict`` passes ``precision_`` as ``VI`` to scipy's C
    ``cdist``, which reads ``n_features ** 2`` doubles from it: 3.2 GB past a 1x1 matrix."""
    from sklearn.covariance import EllipticEnvelope

    model = EllipticEnvelope(random_state=0).fit(RNG.rand(50, 2))
    d = 20_000
    model.n_features_in_ = d
    model.location_ = np.zeros(d)  # pairwise_distances checks this one against X
    model.precision_ = np.ones((1, 1))  # ... but not VI
    model.covariance_ = np.ones((1, 1))
    path = _write(tmp_path, model)
    _crashes(path, f"model.predict(np.ones((2, {d})))")
    _refused(path, r"covariance_ is not sized to n_features_in_")


def test_covariance_precision_alone_is_checked(tmp_path: Path) -> None:
    from sklearn.covariance import EmpiricalCovariance

    model = EmpiricalCovariance().fit(X)
    model.precision_ = np.ones((1, 1))
    _refused(_write(tmp_path, model), r"precision_ is not sized")


@pytest.mark.parametrize(
    "kind",
    ["EmpiricalCovariance", "nostore", "MinCovDet", "EllipticEnvelope", "LedoitWolf", "OAS",
     "ShrunkCovariance", "GraphicalLasso"],
)  # fmt: skip
def test_honest_covariance_estimators(tmp_path: Path, kind: str) -> None:
    import sklearn.covariance as cov

    if kind == "nostore":
        model = cov.EmpiricalCovariance(store_precision=False).fit(X)
    elif kind in ("MinCovDet", "EllipticEnvelope"):
        model = getattr(cov, kind)(random_state=0).fit(X)
    else:
        model = getattr(cov, kind)().fit(X)
    _same_as_plain(tmp_path, model, lambda m: m.mahalanobis(X[:7]), f"{kind}.pkl")
    if kind == "EllipticEnvelope":
        _same_as_plain(tmp_path, model, lambda m: m.predict(X[:7]), "ee_predict.pkl")


# --- rt18-05: Birch's squared norms are EuclideanArgKmin's Y_norm_squared ----------------------


def test_birch_subcluster_norms_sized_to_centers(tmp_path: Path) -> None:
    """rt18-05: ``Birch.predict`` hands ``_subcluster_norms`` to the Cython
    ``EuclideanArgKmin``, which reads one per center: 16 million centers, one norm."""
    from sklearn.cluster import Birch

    model = Birch(n_clusters=None).fit(RNG.rand(30, 1))
    n = 16_000_000
    model.subcluster_centers_ = np.full((n, 1), 5.0)
    model.subcluster_labels_ = np.zeros(1, dtype=np.int64)
    del model._subcluster_norms
    model._subcluster_norms = np.zeros(1)  # stored last
    path = tmp_path / "birch.joblib"
    joblib.dump(model, path, compress=3)
    assert path.stat().st_size < 1 << 20
    _crashes(path, "model.predict(np.zeros((1, 1)))", loader="joblib")
    _refused(path, "_subcluster_norms is not one squared norm per subcluster center")


@pytest.mark.parametrize("n_clusters", [None, 3])
def test_honest_birch_predicts(tmp_path: Path, n_clusters: int | None) -> None:
    from sklearn.cluster import Birch

    model = Birch(n_clusters=n_clusters, threshold=0.2).fit(X)
    _same_as_plain(tmp_path, model, lambda m: m.predict(X), f"birch{n_clusters}.pkl")


# --- rt18-08: gradient boosting's init_ sizes predict_stages' output buffer --------------------


def _gb_classifier(y: Any = Y3, **params: Any) -> Any:
    from sklearn.ensemble import GradientBoostingClassifier

    return GradientBoostingClassifier(n_estimators=3, max_depth=2, random_state=0, **params).fit(
        X, y
    )


_GB_CALLS = (
    "for _ in range(50):\n"
    "    for n in (2, 100, 1000):\n"
    "        model.decision_function(np.full((n, 3), 0.5))"
)


def test_gradient_boosting_init_width(tmp_path: Path) -> None:
    """rt18-08: a ``DummyClassifier`` init with ``n_classes_ = 1`` for 3 classes makes the raw
    predictions one column wide; the native ``predict_stages`` writes three (a heap overflow
    that glibc detects, or a corrupted heap that hangs malloc)."""
    model = _gb_classifier()
    assert model.n_trees_per_iteration_ == 3
    model.init_.strategy = model.init_._strategy = "most_frequent"
    model.init_.n_classes_ = 1
    path = _write(tmp_path, model)
    child = plain(path, _GB_CALLS, memory=_MEMORY, timeout=60)
    assert child.crashed or child.hung, f"plain pickle + decision_function should corrupt: {child}"
    _refused(path, "init_ n_classes_ disagrees with the classes")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"n_outputs_": 2}, "init_ does not have one output"),
        ({"class_prior_": np.ones(1)}, "class_prior_ disagrees"),
        ({"classes_": np.arange(2)}, "init_ disagrees with the classes"),
        ({"_strategy": "nonsense"}, "strategy unknown"),
    ],
)
def test_gradient_boosting_dummy_classifier_init_is_pinned(
    tmp_path: Path, change: dict[str, Any], problem: str
) -> None:
    model = _gb_classifier()
    for name, value in change.items():
        setattr(model.init_, name, value)
    _refused(_write(tmp_path, model), problem)


def test_gradient_boosting_regressor_init_width(tmp_path: Path) -> None:
    """A ``DummyRegressor`` init with no outputs makes a zero-width buffer (the red team's
    observation to rt18-08); one with two is not what scikit-learn fits either."""
    from sklearn.ensemble import GradientBoostingRegressor

    for outputs, constant in ((0, np.zeros((1, 0))), (2, np.zeros((1, 2)))):
        model = GradientBoostingRegressor(n_estimators=3, random_state=0).fit(X, X[:, 0])
        model.init_.n_outputs_ = outputs
        model.init_.constant_ = constant
        _refused(_write(tmp_path, model, f"r{outputs}.pkl"), "init_ does not have one output")


def test_gradient_boosting_other_init_estimators_are_refused(tmp_path: Path) -> None:
    """The output width of an arbitrary init estimator cannot be proven from its state: only
    "zero" and scikit-learn's default Dummy estimators are admitted as ``init_``."""
    from sklearn.linear_model import LogisticRegression

    model = _gb_classifier(init=LogisticRegression())
    _refused(_write(tmp_path, model), "init_ is not 'zero' or a DummyClassifier")


@pytest.mark.parametrize(
    "kind", ["multiclass", "binary", "zero", "squared_error", "absolute_error", "quantile"]
)
def test_honest_gradient_boosting_predicts(tmp_path: Path, kind: str) -> None:
    from sklearn.ensemble import GradientBoostingRegressor

    model: Any
    if kind == "multiclass":
        model = _gb_classifier()
    elif kind == "binary":
        model = _gb_classifier(y=Y3 > 0)
    elif kind == "zero":
        model = _gb_classifier(init="zero")
    else:
        model = GradientBoostingRegressor(n_estimators=3, loss=kind, random_state=0).fit(X, X[:, 0])
    _same_as_plain(tmp_path, model, lambda m: m.predict(X), f"gb_{kind}.pkl")


# --- rt18-09: n_samples_fit_ is the width of the neighbour graphs -----------------------------


def test_neighbors_graph_width_is_the_fitted_samples(tmp_path: Path) -> None:
    """rt18-09: ``kneighbors_graph`` declares ``n_samples_fit_`` columns for indexes into
    ``_fit_X``; scipy's ``toarray`` writes by them: 128 MB past a 16-byte array."""
    from sklearn.neighbors import KNeighborsTransformer

    model = KNeighborsTransformer(n_neighbors=1, algorithm="brute").fit(np.zeros((10, 1)))
    fit_x = np.zeros((16_000_000, 1))
    fit_x[-1, 0] = 1.0  # the only sample near the query is the last one
    model._fit_X = fit_x
    model.n_samples_fit_ = 2
    path = tmp_path / "knn.joblib"
    joblib.dump(model, path, compress=3)
    child = _crashes(path, "model.transform(np.ones((1, 1))).toarray()", loader="joblib")
    assert "loaded" in child.stdout
    _refused(path, "n_samples_fit_ disagrees with _fit_X")


def test_neighbors_tree_samples_are_the_fitted_samples(tmp_path: Path) -> None:
    from sklearn.neighbors import NearestNeighbors

    model = NearestNeighbors(n_neighbors=2, algorithm="kd_tree").fit(X)
    other = NearestNeighbors(n_neighbors=2, algorithm="kd_tree").fit(RNG.rand(90, 3))
    model._tree = other._tree  # queries return indexes up to 89 for a 60-column graph
    _refused(_write(tmp_path, model), "n_samples_fit_ disagrees with the neighbour tree")


@pytest.mark.parametrize("algorithm", ["brute", "kd_tree", "ball_tree", "precomputed"])
def test_honest_neighbour_graphs(tmp_path: Path, algorithm: str) -> None:
    from sklearn.metrics import pairwise_distances
    from sklearn.neighbors import KNeighborsTransformer, RadiusNeighborsTransformer

    if algorithm == "precomputed":
        data: Any = pairwise_distances(X)
        knn = KNeighborsTransformer(n_neighbors=3, metric="precomputed").fit(data)
        radius = RadiusNeighborsTransformer(radius=0.4, metric="precomputed").fit(data)
    else:
        data = X
        knn = KNeighborsTransformer(n_neighbors=3, algorithm=algorithm).fit(data)
        radius = RadiusNeighborsTransformer(radius=0.4, algorithm=algorithm).fit(data)
    _same_as_plain(tmp_path, knn, lambda m: m.transform(data[:9]), f"k_{algorithm}.pkl")
    _same_as_plain(tmp_path, radius, lambda m: m.transform(data[:9]), f"r_{algorithm}.pkl")


# --- rt18-10: stored sizes that transform allocates by ----------------------------------------

_TRANSFORM_MEMORY = (
    "try:\n"
    "    model.transform(np.ones({shape}))\n"
    "except MemoryError as exc:\n"
    "    print('MemoryError', exc, flush=True)"
)


def _sized(kind: str) -> tuple[Any, tuple[int, int], str]:
    """A model whose transform asks for many GiB, the input it gets, and what load says."""
    rng = np.random.RandomState(0)
    model: Any
    if kind == "feature_agglomeration":
        from sklearn.cluster import FeatureAgglomeration

        model = FeatureAgglomeration(n_clusters=2).fit(rng.rand(20, 4))
        model.labels_ = np.array([0, 1, 1, 2 * 10**9])  # np.bincount: 15 GiB
        return model, (1, 4), "labels_ are not one cluster number per feature"
    if kind == "polynomial_features":
        from sklearn.preprocessing import PolynomialFeatures

        model = PolynomialFeatures(2).fit(rng.rand(20, 3))
        model._n_out_full = 2 * 10**9  # np.empty((n, _n_out_full))
        return model, (1, 3), "_n_out_full disagrees with n_features_in_ and degree"
    if kind == "polynomial_count_sketch":
        from sklearn.kernel_approximation import PolynomialCountSketch

        model = PolynomialCountSketch(n_components=10, random_state=0).fit(rng.rand(20, 3))
        model.n_components = 2 * 10**9  # np.zeros((n, degree, n_components)) complex
        model.indexHash_ = np.full_like(model.indexHash_, 2 * 10**9 - 1)
        return model, (1, 3), "degree \\* n_components over"
    from sklearn.kernel_approximation import AdditiveChi2Sampler

    # parameters only: two arrays as large as the input per step, for a billion steps
    model = AdditiveChi2Sampler(sample_steps=10**9, sample_interval=0.5).fit(rng.rand(5, 3))
    return model, (100_000, 3), "sample_steps is not in"


@pytest.mark.parametrize(
    "kind",
    ["feature_agglomeration", "polynomial_features", "polynomial_count_sketch", "chi2_sampler"],
)
def test_stored_sizes_are_derived_or_capped(tmp_path: Path, kind: str) -> None:
    """rt18-10: a file under 1 KB whose transform asks for more memory than the child has."""
    model, shape, problem = _sized(kind)
    path = _write(tmp_path, model)
    assert path.stat().st_size < 1024
    child = plain(path, _TRANSFORM_MEMORY.format(shape=shape), memory=1 << 30, timeout=120)
    assert "MemoryError" in child.stdout, f"plain transform should run out of memory: {child}"
    _refused(path, problem)


def test_polynomial_degree_is_capped(tmp_path: Path) -> None:
    """With interaction_only the output width stops growing past n_features, but transform
    still loops once per degree: the degree is capped."""
    from sklearn.preprocessing import PolynomialFeatures

    model = PolynomialFeatures(10**9, interaction_only=True)
    model.fit(X[:, :2])
    _refused(_write(tmp_path, model), "degree too large")


def test_honest_size_driven_transforms(tmp_path: Path) -> None:
    from sklearn.cluster import FeatureAgglomeration
    from sklearn.kernel_approximation import AdditiveChi2Sampler, PolynomialCountSketch
    from sklearn.preprocessing import PolynomialFeatures

    data = RNG.rand(30, 5)
    models: list[Any] = [
        FeatureAgglomeration(n_clusters=2).fit(data),
        FeatureAgglomeration(n_clusters=None, distance_threshold=0.5).fit(data),
        PolynomialFeatures(3).fit(data),
        PolynomialFeatures((2, 3), include_bias=False).fit(data),
        PolynomialFeatures(2, interaction_only=True).fit(data),
        PolynomialFeatures(0).fit(data),
        PolynomialCountSketch(n_components=50, degree=3, random_state=0).fit(data),
        AdditiveChi2Sampler().fit(data),
        AdditiveChi2Sampler(sample_steps=5, sample_interval=0.3).fit(data),
    ]
    for i, model in enumerate(models):
        _same_as_plain(tmp_path, model, lambda m: m.transform(data), f"sized{i}.pkl")


# --- rt18 observation: histogram boosting's categorical bitsets ------------------------------


def _categorical_hgb() -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    data = RNG.rand(200, 3)
    data[:, 0] = (data[:, 0] * 5).astype(int)
    model = HistGradientBoostingClassifier(max_iter=3, categorical_features=[0], random_state=0)
    return model.fit(data, (data[:, 0] > 2).astype(int)), data


def test_hgb_bitsets_are_rows_of_eight_words(tmp_path: Path) -> None:
    """The native predictor reads 8 words from a bitset row: a (k, 1) array is read past
    (no crash shown, so an observation of the red team, not a finding)."""
    model, _ = _categorical_hgb()
    pred = model._predictors[0][0]
    pred.raw_left_cat_bitsets = np.ascontiguousarray(pred.raw_left_cat_bitsets[:, :1])
    _refused(_write(tmp_path, model), "bitsets are not rows of 8 words")


def test_hgb_categorical_split_only_on_categorical_features(tmp_path: Path) -> None:
    """A categorical split on a numeric feature reads a known-categories bitset that does not
    exist (row 0 of a (0, 8) array when no feature is categorical)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(max_iter=3, random_state=0).fit(X, X[:, 0] > 0.5)
    pred = model._predictors[0][0]
    nodes = pred.nodes.copy()
    split = np.flatnonzero(nodes["is_leaf"] == 0)[0]
    nodes["is_categorical"][split] = 1
    nodes["bitset_idx"][split] = 0
    pred.nodes = nodes
    pred.binned_left_cat_bitsets = np.zeros((1, 8), dtype=np.uint32)
    pred.raw_left_cat_bitsets = np.zeros((1, 8), dtype=np.uint32)
    _refused(_write(tmp_path, model), "splits by category on a feature that is not categorical")


def test_honest_categorical_hgb_predicts(tmp_path: Path) -> None:
    model, data = _categorical_hgb()
    _same_as_plain(tmp_path, model, lambda m: m.predict_proba(data), "hgb_cat.pkl")


def test_unfitted_estimators_of_the_checked_kinds_load(tmp_path: Path) -> None:
    """Every new check passes an estimator that was never fitted (its attributes are absent)."""
    from sklearn.cluster import HDBSCAN, Birch, FeatureAgglomeration
    from sklearn.covariance import EllipticEnvelope, MinCovDet
    from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
    from sklearn.kernel_approximation import AdditiveChi2Sampler, PolynomialCountSketch
    from sklearn.neighbors import KNeighborsTransformer
    from sklearn.preprocessing import PolynomialFeatures

    kinds = [HDBSCAN, Birch, FeatureAgglomeration, EllipticEnvelope, MinCovDet,
             GradientBoostingClassifier, GradientBoostingRegressor, AdditiveChi2Sampler,
             PolynomialCountSketch, KNeighborsTransformer, PolynomialFeatures]  # fmt: skip
    for kind in kinds:
        loaded = load_unsigned(_write(tmp_path, kind(), f"{kind.__name__}.pkl"))
        assert type(loaded) is kind
