"""The coverage corpus (issue 15, items 3 and 4): model kinds, written the way people write them.

Each :class:`Kind` names an unfitted estimator and the data it is fitted on. The data sets are
small and synthetic (the whole corpus fits in seconds) and cover what real training code hands
scikit-learn: NumPy arrays, pandas DataFrames (so ``feature_names_in_`` is stored), categorical
and string columns, string class labels, CSR and CSC sparse matrices, raw text, lists of dicts,
missing values, several targets, and seeds given as an int, a ``np.random.RandomState`` or drawn
from a ``np.random.Generator`` (scikit-learn itself refuses a ``Generator`` as ``random_state``).

Kinds fall in three groups:

- ordinary scikit-learn kinds: the bar is that every one loads under the default policy with
  identical output, by every writer;
- kinds refused by design (``by_design`` says why): what they store is code, or a callable the
  allowlist does not admit;
- third-party kinds (``profile`` names the opt-in trust profile): they run only where the library
  is importable.

``benchmarks/coverage_corpus.py`` (``make compare``) writes every kind with every writer in
:data:`WRITERS` and reports what loads; ``tests/test_coverage_corpus.py`` runs every kind with one
writer each.
"""

from __future__ import annotations

import importlib.util
import io
import pickle
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from corpus import _texts

__all__ = [
    "KINDS",
    "WRITERS",
    "Fitted",
    "Kind",
    "available",
    "fit",
    "judge",
    "outputs",
    "plain_read",
    "same_outputs",
    "write",
]

#: Writer name -> file suffix. "Every writer" in issue 15: pickle protocols 2, 4 and 5, joblib
#: uncompressed, zlib and xz, cloudpickle, and skops.
WRITERS: dict[str, str] = {
    "pickle-p2": ".pkl",
    "pickle-p4": ".pkl",
    "pickle-p5": ".pkl",
    "joblib": ".joblib",
    "joblib-zlib": ".joblib",
    "joblib-xz": ".joblib",
    "cloudpickle": ".pkl",
    "skops": ".skops",
}


@dataclass(frozen=True)
class Kind:
    """One model kind: an unfitted estimator (``make``) and the data set it is fitted on."""

    name: str
    data: str
    make: Callable[[], Any]
    #: Why the default policy refuses this kind on purpose (None for kinds that must load).
    by_design: str | None = None
    #: The opt-in trust profile a third-party kind needs (None for scikit-learn kinds).
    profile: str | None = None
    #: The module that must be importable for this kind to run (third-party kinds).
    requires: str | None = None
    #: Applied to the fitted model before writing (for example, dropping a stored reference).
    after_fit: Callable[[Any], None] | None = None

    @property
    def group(self) -> str:
        if self.profile is not None:
            return "third-party"
        return "by-design" if self.by_design is not None else "ordinary"


@dataclass
class Fitted:
    """A fitted kind and the input its outputs are compared on."""

    kind: Kind
    model: Any
    X: Any


def available(kind: Kind) -> bool:
    """Whether the library a third-party kind needs is importable here."""
    return kind.requires is None or importlib.util.find_spec(kind.requires) is not None


# --- data sets ---------------------------------------------------------------------------------


_DATA: dict[str, tuple[Any, Any, Any]] | None = None


def _build_data() -> dict[str, tuple[Any, Any, Any]]:
    """Data set name -> (X to fit, y to fit or None, X to probe)."""
    import pandas as pd
    import scipy.sparse as sp
    from sklearn.datasets import make_classification, make_regression

    rng = np.random.RandomState(0)
    xc, yc = make_classification(
        n_samples=120, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    xb, yb = make_classification(n_samples=120, n_features=6, random_state=1)
    xr, yr = make_regression(n_samples=120, n_features=6, noise=0.5, random_state=2)
    xc_p, xb_p, xr_p = xc[:20], xb[:20], xr[:20]
    counts = rng.poisson(3.0, size=(120, 8))
    cols = [f"f{i}" for i in range(6)]

    frame = pd.DataFrame(
        {
            "colour": rng.choice(["red", "green", "blue"], size=120),
            "city": rng.choice(["oslo", "lima", "pune", "kobe"], size=120),
            "size": rng.rand(120),
            "weight": rng.rand(120) * 10,
        }
    )
    frame_y = (frame["size"] + (frame["colour"] == "red")).to_numpy() > 1.0
    frame_cat = frame.astype({"colour": "category", "city": "category"})
    species = pd.Series(np.array(["setosa", "versicolor", "virginica"])[yc], name="species")

    xnan = xr.copy()
    xnan[rng.rand(*xnan.shape) < 0.1] = np.nan
    docs, doc_y = _texts(rng, 80)
    sparse = sp.random(60, 30, density=0.2, format="csr", random_state=3)
    row_sums = np.asarray(sparse.sum(axis=1)).ravel()
    sparse_y = (row_sums > np.median(row_sums)).astype(int)
    semi_y = yc.copy()
    semi_y[rng.rand(120) < 0.6] = -1
    records = [
        {"colour": str(c), "size": float(s), "n": int(n)}
        for c, s, n in zip(frame["colour"], frame["size"], counts[:, 0], strict=True)
    ]

    gen = np.random.default_rng(7)  # data drawn from a Generator, as numpy now recommends
    xg = gen.normal(size=(120, 5))
    yg = (xg[:, 0] + 0.5 * xg[:, 1] > 0).astype(int)

    return {
        "multiclass": (xc, yc, xc_p),
        "binary": (xb, yb, xb_p),
        "regression": (xr, yr, xr_p),
        "regression_small": (xr[:40], yr[:40], xr_p),
        "positive_target": (xr, np.abs(yr) + 1.0, xr_p),
        "two_targets": (xr, np.column_stack([yr, 0.5 * yr + xr[:, 0]]), xr_p),
        "multilabel": (xc, np.column_stack([yc == 0, yc == 1, xc[:, 0] > 0]).astype(int), xc_p),
        "unlabelled": (xr, None, xr_p),
        "nonnegative": (np.abs(xc), yc, np.abs(xc_p)),
        "counts": (counts, yc, counts[:20]),
        "missing": (xnan, yr, xnan[:20]),
        "missing_unlabelled": (xnan, None, xnan[:20]),
        "semi_supervised": (xc, semi_y, xc_p),
        "frame": (frame, frame_y, frame.iloc[:20]),
        "frame_categorical": (frame_cat, frame_y, frame_cat.iloc[:20]),
        "frame_numeric": (pd.DataFrame(xc, columns=cols), yc, pd.DataFrame(xc_p, columns=cols)),
        "frame_regression": (
            pd.DataFrame(xr, columns=cols),
            pd.Series(yr, name="price"),
            pd.DataFrame(xr_p, columns=cols),
        ),
        "frame_string_target": (
            pd.DataFrame(xc, columns=cols),
            species,
            pd.DataFrame(xc_p, columns=cols),
        ),
        "string_labels": (xc, np.array(["cat", "dog", "eel"])[yc], xc_p),
        "sparse_csr": (sparse, sparse_y, sparse[:20]),
        "sparse_csc": (sparse.tocsc(), sparse_y, sparse[:20].tocsc()),
        "sparse_regression": (sparse, row_sums, sparse[:20]),
        "sparse_unlabelled": (sparse, None, sparse[:20]),
        "text": (docs, doc_y, docs[:20]),
        "records": (records, frame_y, records[:20]),
        "labels_only": (yc, None, yc[:20]),
        "one_feature": (xr[:, 0], yr, xr_p[:, 0]),
        "generator": (xg, yg, xg[:20]),
    }


def _data(name: str) -> tuple[Any, Any, Any]:
    global _DATA
    if _DATA is None:
        _DATA = _build_data()
    return _DATA[name]


# --- fitting and comparing ---------------------------------------------------------------------

#: Output methods compared between the original and the loaded model, where the original has them.
_METHODS = ("predict", "predict_proba", "transform", "decision_function", "score_samples")


def fit(kind: Kind) -> Fitted:
    """Fit ``kind`` on its data set (warnings about tiny data and few iterations are expected)."""
    X, y, x_probe = _data(kind.data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = kind.make()
        model.fit(X) if y is None else model.fit(X, y)
    if kind.after_fit is not None:
        kind.after_fit(model)
    return Fitted(kind, model, x_probe)


def outputs(model: Any, X: Any) -> dict[str, Any]:
    """Every deterministic output of ``model`` on ``X``: method name -> array (or sparse matrix).

    Methods the model does not offer, or that raise on it, are left out; the caller compares the
    original's dict with the loaded model's, so a method that raises only after loading shows.
    """
    out: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for method in _METHODS:
            fn = getattr(model, method, None)
            if fn is None:
                continue
            try:
                value = fn(X)
            except Exception:  # noqa: S112 - not offered in this configuration
                continue
            out[method] = value if hasattr(value, "toarray") else np.asarray(value)
        if not out and hasattr(model, "kneighbors"):
            out["kneighbors"] = np.asarray(model.kneighbors(X, return_distance=False))
        if not out and hasattr(model, "labels_"):  # clustering without predict
            out["labels_"] = np.asarray(model.labels_)
    return out


def _equal(a: Any, b: Any) -> bool:
    if hasattr(a, "toarray") != hasattr(b, "toarray"):
        return False
    if hasattr(a, "toarray"):
        a, b = a.toarray(), b.toarray()
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind in "fc":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


def same_outputs(expected: dict[str, Any], model: Any, X: Any) -> str | None:
    """None when ``model`` gives exactly ``expected`` on ``X``; otherwise what differs."""
    try:
        got = outputs(model, X)
    except Exception as exc:  # a loaded model that cannot be probed is wrong
        return f"probing the loaded model raised {type(exc).__name__}: {exc}"
    if set(got) != set(expected):
        return f"methods differ: {sorted(expected)} before, {sorted(got)} after loading"
    diff = [m for m in expected if not _equal(expected[m], got[m])]
    return f"{', '.join(diff)} differ" if diff else None


def judge(
    expected: dict[str, Any], loaded: Any, X: Any, data: bytes, writer: str
) -> tuple[str, str]:
    """``("loaded", "")`` when ``loaded`` gives exactly ``expected``; ``("wrong", what differs)``
    otherwise, unless the writer's own reader gives the same as ``loaded`` on the same bytes:
    then the round trip itself changed the output (a strided array saved contiguous, rounded
    differently by BLAS), not safeload, and the note says so."""
    diff = same_outputs(expected, loaded, X)
    if diff is None:
        return "loaded", ""
    if same_outputs(outputs(plain_read(data, writer), X), loaded, X) is None:
        return "loaded", f"as the writer's own reader does; the in-memory original differs: {diff}"
    return "wrong", diff


def plain_read(data: bytes, writer: str) -> Any:
    """What the writer's own reader makes of ``data`` (only ever the corpus's own files)."""
    if writer.startswith(("pickle", "cloudpickle")):
        return pickle.loads(data)
    if writer.startswith("joblib"):
        import joblib

        return joblib.load(io.BytesIO(data))
    import skops.io

    return skops.io.loads(data, trusted=skops.io.get_untrusted_types(data=data))


def write(model: Any, writer: str) -> bytes:
    """``model`` as the file ``writer`` makes (see :data:`WRITERS`)."""
    if writer.startswith("pickle-p"):
        return pickle.dumps(model, protocol=int(writer[-1]))
    if writer.startswith("joblib"):
        import joblib

        compress: Any = {"joblib": 0, "joblib-zlib": ("zlib", 3), "joblib-xz": ("xz", 3)}[writer]
        buf = io.BytesIO()
        joblib.dump(model, buf, compress=compress)
        return buf.getvalue()
    if writer == "cloudpickle":
        import cloudpickle

        return bytes(cloudpickle.dumps(model))
    if writer == "skops":
        import skops.io

        return bytes(skops.io.dumps(model))
    raise ValueError(f"unknown writer {writer!r}")


# --- the kinds ---------------------------------------------------------------------------------


def log_plus_one(x: Any) -> Any:
    """A user's own function in a FunctionTransformer: pickled by reference to this module."""
    return np.log1p(x)


def _drop_fit_reference(model: Any) -> None:
    # BisectingKMeans stores its fit routine (_kmeans_single_lloyd) but calls it only in fit;
    # safeload's refusal says to delete it before saving.
    del model._kmeans_single


def _sklearn_kinds() -> list[Kind]:
    from scipy import stats
    from sklearn import (
        calibration,
        cluster,
        compose,
        covariance,
        cross_decomposition,
        decomposition,
        discriminant_analysis,
        dummy,
        ensemble,
        feature_extraction,
        feature_selection,
        gaussian_process,
        impute,
        isotonic,
        kernel_approximation,
        kernel_ridge,
        linear_model,
        manifold,
        mixture,
        model_selection,
        multiclass,
        multioutput,
        naive_bayes,
        neighbors,
        neural_network,
        pipeline,
        preprocessing,
        random_projection,
        semi_supervised,
        svm,
        tree,
    )
    from sklearn.experimental import enable_halving_search_cv, enable_iterative_imputer  # noqa: F401
    from sklearn.feature_extraction import text
    from sklearn.gaussian_process import kernels

    lm, ens, pre, nb, nbr = linear_model, ensemble, preprocessing, naive_bayes, neighbors
    mp = pipeline.make_pipeline
    few = {"n_estimators": 5, "max_depth": 4, "random_state": 0}
    lr = lambda **kw: lm.LogisticRegression(max_iter=500, **kw)  # noqa: E731
    K: Callable[..., Kind] = Kind
    kinds = [
        # linear models: regression
        K("linear_regression", "regression", lm.LinearRegression),
        K("ridge", "regression", lambda: lm.Ridge(alpha=0.5)),
        K("ridge_cv", "regression", lambda: lm.RidgeCV(alphas=[0.1, 1.0, 10.0])),
        K("lasso", "regression", lambda: lm.Lasso(alpha=0.1)),
        K("lasso_cv", "regression", lambda: lm.LassoCV(cv=3, alphas=10)),
        K("elastic_net", "regression", lambda: lm.ElasticNet(alpha=0.1)),
        K("elastic_net_cv", "regression", lambda: lm.ElasticNetCV(cv=3, alphas=10)),
        K("lars", "regression", lm.Lars),
        K("lasso_lars_ic", "regression", lm.LassoLarsIC),
        K("omp", "regression", lm.OrthogonalMatchingPursuit),
        K("bayesian_ridge", "regression", lm.BayesianRidge),
        K("ard_regression", "regression", lm.ARDRegression),
        K("huber", "regression", lm.HuberRegressor),
        K("theil_sen", "regression_small", lambda: lm.TheilSenRegressor(random_state=0)),
        K("ransac", "regression", lambda: lm.RANSACRegressor(random_state=0)),
        K("quantile_regressor", "regression", lambda: lm.QuantileRegressor(alpha=0.0)),
        K("poisson_regressor", "positive_target", lm.PoissonRegressor),
        K("gamma_regressor", "positive_target", lm.GammaRegressor),
        K("tweedie_regressor", "positive_target", lambda: lm.TweedieRegressor(power=1.5)),
        K("sgd_regressor", "regression", lambda: lm.SGDRegressor(random_state=0)),
        K("multitask_lasso", "two_targets", lambda: lm.MultiTaskLasso(alpha=0.1)),
        K("multitask_elastic_net", "two_targets", lambda: lm.MultiTaskElasticNet(alpha=0.1)),
        # linear models: classification
        K("logistic_regression", "multiclass", lr),
        K("logistic_regression_cv", "binary", lambda: lm.LogisticRegressionCV(cv=3, max_iter=300)),
        K("ridge_classifier", "multiclass", lm.RidgeClassifier),
        K("ridge_classifier_cv", "binary", lm.RidgeClassifierCV),
        K("sgd_log_loss", "multiclass", lambda: lm.SGDClassifier(loss="log_loss", random_state=0)),
        K("perceptron", "binary", lambda: lm.Perceptron(random_state=0)),
        K("passive_aggressive", "binary", lambda: lm.PassiveAggressiveClassifier(random_state=0)),
        K("sgd_one_class_svm", "unlabelled", lambda: lm.SGDOneClassSVM(random_state=0)),
        # naive Bayes and discriminant analysis
        K("gaussian_nb", "multiclass", nb.GaussianNB),
        K("multinomial_nb", "counts", nb.MultinomialNB),
        K("complement_nb", "counts", nb.ComplementNB),
        K("bernoulli_nb", "binary", nb.BernoulliNB),
        K("categorical_nb", "counts", nb.CategoricalNB),
        K("lda", "multiclass", discriminant_analysis.LinearDiscriminantAnalysis),
        K(
            "qda",
            "multiclass",
            lambda: discriminant_analysis.QuadraticDiscriminantAnalysis(reg_param=0.1),
        ),
        # support vector machines, dense and sparse
        K("svc_rbf", "multiclass", svm.SVC),
        K("svc_probability", "binary", lambda: svm.SVC(probability=True, random_state=0)),
        K("nu_svc", "binary", svm.NuSVC),
        K("svr", "regression", svm.SVR),
        K("nu_svr", "regression", svm.NuSVR),
        K("linear_svc", "binary", lambda: svm.LinearSVC(random_state=0)),
        K("linear_svr", "regression", lambda: svm.LinearSVR(random_state=0)),
        K("one_class_svm", "unlabelled", svm.OneClassSVM),
        K("svc_sparse_csr", "sparse_csr", svm.SVC),
        K(
            "svc_sparse_csc_probability",
            "sparse_csc",
            lambda: svm.SVC(probability=True, random_state=0),
        ),
        K("svr_sparse", "sparse_regression", svm.SVR),
        K("one_class_svm_sparse", "sparse_unlabelled", svm.OneClassSVM),
        K("linear_svc_sparse", "sparse_csr", lambda: svm.LinearSVC(random_state=0)),
        # neighbours, with each algorithm
        K("knn_kd_tree", "multiclass", lambda: nbr.KNeighborsClassifier(algorithm="kd_tree")),
        K("knn_ball_tree", "multiclass", lambda: nbr.KNeighborsClassifier(algorithm="ball_tree")),
        K("knn_brute", "multiclass", lambda: nbr.KNeighborsClassifier(algorithm="brute")),
        K("knn_sparse", "sparse_csr", lambda: nbr.KNeighborsClassifier(algorithm="brute")),
        K("knn_regressor", "regression", lambda: nbr.KNeighborsRegressor(weights="distance")),
        K("radius_classifier", "multiclass", lambda: nbr.RadiusNeighborsClassifier(radius=5.0)),
        K("radius_regressor", "regression", lambda: nbr.RadiusNeighborsRegressor(radius=5.0)),
        K("nearest_centroid", "multiclass", nbr.NearestCentroid),
        K("nearest_neighbors", "unlabelled", lambda: nbr.NearestNeighbors(n_neighbors=3)),
        K("kneighbors_transformer", "unlabelled", lambda: nbr.KNeighborsTransformer(n_neighbors=3)),
        K("kernel_density", "unlabelled", lambda: nbr.KernelDensity(bandwidth=0.5)),
        K(
            "local_outlier_factor",
            "unlabelled",
            lambda: nbr.LocalOutlierFactor(n_neighbors=10, novelty=True),
        ),
        K(
            "nca",
            "multiclass",
            lambda: nbr.NeighborhoodComponentsAnalysis(n_components=2, max_iter=20, random_state=0),
        ),
        # trees and ensembles; seeds as int and as RandomState
        K(
            "decision_tree_classifier",
            "multiclass",
            lambda: tree.DecisionTreeClassifier(max_depth=5, random_state=0),
        ),
        K(
            "decision_tree_regressor",
            "regression",
            lambda: tree.DecisionTreeRegressor(max_depth=5, random_state=0),
        ),
        K("extra_tree_classifier", "multiclass", lambda: tree.ExtraTreeClassifier(random_state=0)),
        K("random_forest_classifier", "multiclass", lambda: ens.RandomForestClassifier(**few)),
        K(
            "random_forest_random_state",
            "binary",
            lambda: ens.RandomForestClassifier(
                n_estimators=5, random_state=np.random.RandomState(3)
            ),
        ),
        K(
            "random_forest_generator_seed",
            "generator",
            lambda: ens.RandomForestClassifier(
                n_estimators=5, random_state=np.random.default_rng(11).integers(2**31)
            ),
        ),
        K("random_forest_regressor", "regression", lambda: ens.RandomForestRegressor(**few)),
        K("extra_trees_regressor", "regression", lambda: ens.ExtraTreesRegressor(**few)),
        K(
            "gradient_boosting_classifier",
            "multiclass",
            lambda: ens.GradientBoostingClassifier(n_estimators=5, random_state=0),
        ),
        K(
            "gradient_boosting_regressor",
            "regression",
            lambda: ens.GradientBoostingRegressor(
                n_estimators=5, random_state=np.random.RandomState(1)
            ),
        ),
        K(
            "hgb_classifier",
            "multiclass",
            lambda: ens.HistGradientBoostingClassifier(max_iter=5, random_state=0),
        ),
        K(
            "hgb_regressor_missing",
            "missing",
            lambda: ens.HistGradientBoostingRegressor(max_iter=5),
        ),
        K(
            "hgb_categorical_frame",
            "frame_categorical",
            lambda: ens.HistGradientBoostingClassifier(
                max_iter=5, categorical_features="from_dtype"
            ),
        ),
        K(
            "adaboost_classifier",
            "binary",
            lambda: ens.AdaBoostClassifier(n_estimators=5, random_state=0),
        ),
        K(
            "adaboost_regressor",
            "regression",
            lambda: ens.AdaBoostRegressor(n_estimators=5, random_state=0),
        ),
        K(
            "bagging_classifier",
            "multiclass",
            lambda: ens.BaggingClassifier(n_estimators=4, random_state=0),
        ),
        K(
            "bagging_regressor_knn",
            "regression",
            lambda: ens.BaggingRegressor(nbr.KNeighborsRegressor(), n_estimators=3, random_state=0),
        ),
        K(
            "isolation_forest",
            "unlabelled",
            lambda: ens.IsolationForest(n_estimators=5, random_state=0),
        ),
        K(
            "random_trees_embedding",
            "unlabelled",
            lambda: ens.RandomTreesEmbedding(n_estimators=4, max_depth=3, random_state=0),
        ),
        K(
            "stacking_classifier",
            "binary",
            lambda: ens.StackingClassifier(
                [("lr", lr()), ("dt", tree.DecisionTreeClassifier(max_depth=3, random_state=0))],
                final_estimator=lr(),
                cv=3,
            ),
        ),
        K(
            "stacking_regressor",
            "regression",
            lambda: ens.StackingRegressor(
                [("ridge", lm.Ridge()), ("knn", nbr.KNeighborsRegressor())], cv=3
            ),
        ),
        K(
            "voting_classifier_soft",
            "multiclass",
            lambda: ens.VotingClassifier([("lr", lr()), ("nb", nb.GaussianNB())], voting="soft"),
        ),
        K(
            "voting_regressor",
            "regression",
            lambda: ens.VotingRegressor(
                [
                    ("lr", lm.LinearRegression()),
                    ("dt", tree.DecisionTreeRegressor(max_depth=3, random_state=0)),
                ]
            ),
        ),
        # clustering and mixtures
        K("kmeans", "unlabelled", lambda: cluster.KMeans(n_clusters=3, n_init=2, random_state=0)),
        K(
            "minibatch_kmeans",
            "unlabelled",
            lambda: cluster.MiniBatchKMeans(n_clusters=3, n_init=2, batch_size=32, random_state=0),
        ),
        K(
            "bisecting_kmeans_without_fit_reference",
            "unlabelled",
            lambda: cluster.BisectingKMeans(n_clusters=4, random_state=0),
            after_fit=_drop_fit_reference,
        ),
        K("dbscan", "unlabelled", lambda: cluster.DBSCAN(eps=3.0)),
        K("hdbscan", "unlabelled", lambda: cluster.HDBSCAN(min_cluster_size=5)),
        K("optics", "unlabelled", lambda: cluster.OPTICS(min_samples=5)),
        K("agglomerative", "unlabelled", lambda: cluster.AgglomerativeClustering(n_clusters=3)),
        K("birch", "unlabelled", lambda: cluster.Birch(n_clusters=3)),
        K("mean_shift", "unlabelled", lambda: cluster.MeanShift(bandwidth=4.0)),
        K(
            "affinity_propagation",
            "unlabelled",
            lambda: cluster.AffinityPropagation(random_state=0),
        ),
        K(
            "spectral_clustering",
            "unlabelled",
            lambda: cluster.SpectralClustering(n_clusters=3, random_state=0),
        ),
        K(
            "feature_agglomeration",
            "unlabelled",
            lambda: cluster.FeatureAgglomeration(n_clusters=3),
        ),
        K(
            "gaussian_mixture",
            "unlabelled",
            lambda: mixture.GaussianMixture(n_components=3, random_state=0),
        ),
        K(
            "bayesian_gaussian_mixture",
            "unlabelled",
            lambda: mixture.BayesianGaussianMixture(n_components=3, max_iter=50, random_state=0),
        ),
        # decomposition, manifold, cross decomposition, projections
        K("pca", "unlabelled", lambda: decomposition.PCA(n_components=3, random_state=0)),
        K(
            "pca_whiten_frame",
            "frame_regression",
            lambda: decomposition.PCA(n_components=0.9, whiten=True),
        ),
        K("incremental_pca", "unlabelled", lambda: decomposition.IncrementalPCA(n_components=3)),
        K(
            "kernel_pca",
            "unlabelled",
            lambda: decomposition.KernelPCA(n_components=3, kernel="rbf"),
        ),
        K(
            "truncated_svd_sparse",
            "sparse_unlabelled",
            lambda: decomposition.TruncatedSVD(n_components=4, random_state=0),
        ),
        K(
            "nmf",
            "nonnegative",
            lambda: decomposition.NMF(n_components=3, max_iter=300, random_state=0),
        ),
        K(
            "minibatch_nmf",
            "nonnegative",
            lambda: decomposition.MiniBatchNMF(n_components=3, random_state=0),
        ),
        K("fast_ica", "unlabelled", lambda: decomposition.FastICA(n_components=3, random_state=0)),
        K(
            "factor_analysis",
            "unlabelled",
            lambda: decomposition.FactorAnalysis(n_components=2, random_state=0),
        ),
        K(
            "lda_topics",
            "counts",
            lambda: decomposition.LatentDirichletAllocation(
                n_components=3, max_iter=5, random_state=0
            ),
        ),
        K(
            "minibatch_dictionary_learning",
            "unlabelled",
            lambda: decomposition.MiniBatchDictionaryLearning(
                n_components=4, max_iter=5, random_state=0
            ),
        ),
        K(
            "sparse_pca",
            "unlabelled",
            lambda: decomposition.SparsePCA(n_components=3, max_iter=10, random_state=0),
        ),
        K("isomap", "unlabelled", lambda: manifold.Isomap(n_components=2)),
        K(
            "locally_linear_embedding",
            "unlabelled",
            lambda: manifold.LocallyLinearEmbedding(n_components=2, random_state=0),
        ),
        K(
            "pls_regression",
            "two_targets",
            lambda: cross_decomposition.PLSRegression(n_components=2),
        ),
        K("pls_canonical", "two_targets", lambda: cross_decomposition.PLSCanonical(n_components=2)),
        K("cca", "two_targets", lambda: cross_decomposition.CCA(n_components=1)),
        K(
            "gaussian_random_projection",
            "unlabelled",
            lambda: random_projection.GaussianRandomProjection(n_components=3, random_state=0),
        ),
        K(
            "sparse_random_projection",
            "unlabelled",
            lambda: random_projection.SparseRandomProjection(n_components=3, random_state=0),
        ),
        K(
            "nystroem_svc",
            "binary",
            lambda: mp(
                kernel_approximation.Nystroem(n_components=20, random_state=0),
                svm.LinearSVC(random_state=0),
            ),
        ),
        K(
            "rbf_sampler_sgd",
            "binary",
            lambda: mp(
                kernel_approximation.RBFSampler(n_components=20, random_state=0),
                lm.SGDClassifier(random_state=0),
            ),
        ),
        K(
            "polynomial_count_sketch",
            "unlabelled",
            lambda: kernel_approximation.PolynomialCountSketch(n_components=10, random_state=0),
        ),
        # preprocessing
        K("standard_scaler_frame", "frame_numeric", pre.StandardScaler),
        K("min_max_scaler", "unlabelled", pre.MinMaxScaler),
        K("max_abs_scaler_sparse", "sparse_unlabelled", pre.MaxAbsScaler),
        K("robust_scaler", "unlabelled", pre.RobustScaler),
        K("normalizer", "unlabelled", pre.Normalizer),
        K("power_transformer", "unlabelled", pre.PowerTransformer),
        K(
            "quantile_transformer",
            "unlabelled",
            lambda: pre.QuantileTransformer(n_quantiles=50, random_state=0),
        ),
        K("polynomial_features", "unlabelled", lambda: pre.PolynomialFeatures(degree=2)),
        K("spline_transformer", "unlabelled", lambda: pre.SplineTransformer(n_knots=4, degree=3)),
        K(
            "kbins_discretizer",
            "unlabelled",
            lambda: pre.KBinsDiscretizer(
                n_bins=4, encode="ordinal", quantile_method="averaged_inverted_cdf"
            ),
        ),
        K("one_hot_encoder_frame", "frame", lambda: pre.OneHotEncoder(handle_unknown="ignore")),
        K(
            "ordinal_encoder_frame",
            "frame",
            lambda: pre.OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1),
        ),
        K(
            "target_encoder",
            "frame",
            lambda: compose.make_column_transformer(
                (pre.TargetEncoder(random_state=0), ["colour", "city"]), remainder="passthrough"
            ),
        ),
        K("label_encoder", "labels_only", pre.LabelEncoder),
        K(
            "function_transformer_log1p",
            "counts",
            lambda: pre.FunctionTransformer(np.log1p, inverse_func=np.expm1),
        ),
        K(
            "simple_imputer_median",
            "missing_unlabelled",
            lambda: impute.SimpleImputer(strategy="median", add_indicator=True),
        ),
        K("knn_imputer", "missing_unlabelled", lambda: impute.KNNImputer(n_neighbors=3)),
        K(
            "iterative_imputer",
            "missing_unlabelled",
            lambda: impute.IterativeImputer(max_iter=3, random_state=0),
        ),
        K("missing_indicator", "missing_unlabelled", impute.MissingIndicator),
        # feature selection
        K(
            "select_k_best",
            "multiclass",
            lambda: mp(
                feature_selection.SelectKBest(feature_selection.f_classif, k=3), nb.GaussianNB()
            ),
        ),
        K(
            "select_percentile_chi2",
            "counts",
            lambda: feature_selection.SelectPercentile(feature_selection.chi2, percentile=50),
        ),
        K(
            "select_mutual_info",
            "regression",
            lambda: feature_selection.SelectKBest(feature_selection.mutual_info_regression, k=3),
        ),
        K("variance_threshold", "unlabelled", lambda: feature_selection.VarianceThreshold(0.1)),
        K("rfe", "multiclass", lambda: feature_selection.RFE(lr(), n_features_to_select=3)),
        K(
            "rfecv",
            "binary",
            lambda: feature_selection.RFECV(lm.LogisticRegression(max_iter=200), cv=3),
        ),
        K(
            "select_from_model",
            "multiclass",
            lambda: mp(feature_selection.SelectFromModel(ens.RandomForestClassifier(**few)), lr()),
        ),
        K(
            "sequential_feature_selector",
            "regression",
            lambda: feature_selection.SequentialFeatureSelector(
                lm.LinearRegression(), n_features_to_select=2, cv=3
            ),
        ),
        # neural networks, Gaussian processes, kernel ridge, isotonic, dummies
        K(
            "mlp_classifier",
            "multiclass",
            lambda: neural_network.MLPClassifier(
                hidden_layer_sizes=(8,), max_iter=50, random_state=0
            ),
        ),
        K(
            "mlp_regressor",
            "regression",
            lambda: neural_network.MLPRegressor(
                hidden_layer_sizes=(8,), max_iter=50, random_state=0
            ),
        ),
        K(
            "bernoulli_rbm",
            "nonnegative",
            lambda: neural_network.BernoulliRBM(n_components=4, n_iter=3, random_state=0),
        ),
        K(
            "gp_regressor_rbf_white",
            "regression_small",
            lambda: gaussian_process.GaussianProcessRegressor(
                kernels.ConstantKernel() * kernels.RBF() + kernels.WhiteKernel(), random_state=0
            ),
        ),
        K(
            "gp_regressor_matern",
            "regression_small",
            lambda: gaussian_process.GaussianProcessRegressor(
                kernels.Matern(nu=2.5) + kernels.DotProduct(), normalize_y=True
            ),
        ),
        K(
            "gp_regressor_periodic",
            "regression_small",
            lambda: gaussian_process.GaussianProcessRegressor(
                kernels.ExpSineSquared(periodicity=5.0) * kernels.RBF()
                + kernels.RationalQuadratic()
                + kernels.WhiteKernel(),
                normalize_y=True,
                random_state=0,
            ),
        ),
        K(
            "gp_classifier",
            "binary",
            lambda: gaussian_process.GaussianProcessClassifier(kernels.RBF(), random_state=0),
        ),
        K("kernel_ridge", "regression", lambda: kernel_ridge.KernelRidge(kernel="rbf", alpha=0.1)),
        K(
            "isotonic_regression",
            "one_feature",
            lambda: isotonic.IsotonicRegression(out_of_bounds="clip"),
        ),
        K("dummy_classifier", "multiclass", lambda: dummy.DummyClassifier(strategy="prior")),
        K("dummy_regressor", "regression", lambda: dummy.DummyRegressor(strategy="median")),
        # calibration, thresholds, multi-output, multi-class, semi-supervised, outliers
        K(
            "calibrated_sigmoid",
            "binary",
            lambda: calibration.CalibratedClassifierCV(svm.LinearSVC(random_state=0), cv=3),
        ),
        K(
            "calibrated_isotonic",
            "binary",
            lambda: calibration.CalibratedClassifierCV(nb.GaussianNB(), method="isotonic", cv=3),
        ),
        K(
            "tuned_threshold",
            "binary",
            lambda: model_selection.TunedThresholdClassifierCV(lr(), cv=3),
        ),
        K(
            "fixed_threshold",
            "binary",
            lambda: model_selection.FixedThresholdClassifier(lr(), threshold=0.3),
        ),
        K(
            "multi_output_regressor",
            "two_targets",
            lambda: multioutput.MultiOutputRegressor(lm.Ridge()),
        ),
        K("multi_output_classifier", "multilabel", lambda: multioutput.MultiOutputClassifier(lr())),
        K(
            "classifier_chain",
            "multilabel",
            lambda: multioutput.ClassifierChain(lr(), random_state=0),
        ),
        K("regressor_chain", "two_targets", lambda: multioutput.RegressorChain(lm.Ridge())),
        K(
            "one_vs_rest",
            "multiclass",
            lambda: multiclass.OneVsRestClassifier(svm.LinearSVC(random_state=0)),
        ),
        K("one_vs_one", "multiclass", lambda: multiclass.OneVsOneClassifier(lr())),
        K(
            "output_code",
            "multiclass",
            lambda: multiclass.OutputCodeClassifier(lr(), random_state=0),
        ),
        K("label_propagation", "semi_supervised", semi_supervised.LabelPropagation),
        K(
            "label_spreading",
            "semi_supervised",
            lambda: semi_supervised.LabelSpreading(kernel="knn"),
        ),
        K(
            "self_training",
            "semi_supervised",
            lambda: semi_supervised.SelfTrainingClassifier(
                svm.SVC(probability=True, random_state=0)
            ),
        ),
        K("elliptic_envelope", "unlabelled", lambda: covariance.EllipticEnvelope(random_state=0)),
        # search objects (parameter lists; distributions are in the by-design group)
        K(
            "grid_search",
            "binary",
            lambda: model_selection.GridSearchCV(
                lr(), {"C": [0.1, 1.0]}, cv=model_selection.StratifiedKFold(3), scoring="accuracy"
            ),
        ),
        K(
            "randomized_search_lists",
            "multiclass",
            lambda: model_selection.RandomizedSearchCV(
                tree.DecisionTreeClassifier(random_state=0),
                {"max_depth": [2, 3, 4, None], "min_samples_leaf": [1, 2, 5]},
                n_iter=4,
                cv=3,
                random_state=0,
            ),
        ),
        K(
            "halving_grid_search",
            "binary",
            lambda: model_selection.HalvingGridSearchCV(
                lr(), {"C": [0.1, 1.0, 10.0]}, cv=3, random_state=0
            ),
        ),
        K(
            "grid_search_pipeline_multi_metric",
            "multiclass",
            lambda: model_selection.GridSearchCV(
                mp(pre.StandardScaler(), svm.SVC()),
                {"svc__C": [0.5, 2.0]},
                cv=3,
                scoring=["accuracy", "f1_macro"],
                refit="f1_macro",
            ),
        ),
        # pipelines the way they are written around real data
        K(
            "pipeline_frame_column_transformer",
            "frame",
            lambda: mp(
                compose.ColumnTransformer(
                    [
                        ("cat", pre.OneHotEncoder(handle_unknown="ignore"), ["colour", "city"]),
                        ("num", pre.StandardScaler(), ["size", "weight"]),
                    ]
                ),
                lr(),
            ),
        ),
        K(
            "pipeline_column_selector",
            "frame",
            lambda: mp(
                compose.make_column_transformer(
                    (pre.OrdinalEncoder(), compose.make_column_selector(dtype_include=object)),
                    (pre.StandardScaler(), compose.make_column_selector(dtype_include="number")),
                ),
                ens.RandomForestClassifier(**few),
            ),
        ),
        K(
            "pipeline_frame_string_target",
            "frame_string_target",
            lambda: mp(pre.StandardScaler(), lr()),
        ),
        K("string_class_labels", "string_labels", lambda: ens.ExtraTreesClassifier(**few)),
        K(
            "pipeline_feature_union",
            "multiclass",
            lambda: mp(
                pipeline.FeatureUnion(
                    [
                        ("pca", decomposition.PCA(n_components=2)),
                        ("kbest", feature_selection.SelectKBest(k=2)),
                    ]
                ),
                lr(),
            ),
        ),
        K(
            "transformed_target_log",
            "positive_target",
            lambda: compose.TransformedTargetRegressor(
                lm.Ridge(), func=np.log, inverse_func=np.exp
            ),
        ),
        K(
            "transformed_target_scaler",
            "regression",
            lambda: compose.TransformedTargetRegressor(
                lm.Ridge(), transformer=pre.StandardScaler()
            ),
        ),
        K(
            "pipeline_frame_regression",
            "frame_regression",
            lambda: mp(pre.RobustScaler(), lm.Ridge()),
        ),
        K("dict_vectorizer", "records", lambda: mp(feature_extraction.DictVectorizer(), lr())),
        K("text_count_nb", "text", lambda: mp(text.CountVectorizer(), nb.MultinomialNB())),
        K(
            "text_tfidf_logistic",
            "text",
            lambda: mp(text.TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), lr()),
        ),
        K(
            "text_tfidf_stop_words",
            "text",
            lambda: mp(
                text.TfidfVectorizer(stop_words="english", min_df=2), svm.LinearSVC(random_state=0)
            ),
        ),
        K(
            "text_char_ngrams",
            "text",
            lambda: mp(
                text.TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3)),
                lm.SGDClassifier(random_state=0),
            ),
        ),
        K(
            "text_hashing_sgd",
            "text",
            lambda: mp(text.HashingVectorizer(n_features=256), lm.SGDClassifier(random_state=0)),
        ),
        K(
            "text_count_tfidf_transformer",
            "text",
            lambda: mp(text.CountVectorizer(), text.TfidfTransformer(), nb.ComplementNB()),
        ),
    ]
    by_design = [
        K(
            "randomized_search_scipy_distributions",
            "binary",
            lambda: model_selection.RandomizedSearchCV(
                lr(),
                {"C": stats.loguniform(1e-2, 1e2)},
                n_iter=3,
                cv=3,
                random_state=0,
            ),
            by_design="scipy.stats distributions pickle a bound method through builtins.getattr; "
            "save best_estimator_ instead",
        ),
        K(
            "function_transformer_lambda",
            "counts",
            lambda: pre.FunctionTransformer(lambda x: np.log1p(x)),
            by_design="a lambda is code: pickle cannot write it, cloudpickle writes its bytecode",
        ),
        K(
            "function_transformer_user_function",
            "counts",
            lambda: pre.FunctionTransformer(log_plus_one),
            by_design="a user's own function is not on the allowlist (trust it with trusted=)",
        ),
        K(
            "bisecting_kmeans_as_fitted",
            "unlabelled",
            lambda: cluster.BisectingKMeans(n_clusters=4, random_state=0),
            by_design="stores a reference to its fit routine (_kmeans_single_lloyd); the refusal "
            "says to delete model._kmeans_single before saving",
        ),
    ]
    return kinds + by_design


def _third_party_kinds() -> list[Kind]:
    def imblearn_smote() -> Any:
        from imblearn.over_sampling import SMOTE
        from imblearn.pipeline import make_pipeline as imb_pipeline
        from sklearn.linear_model import LogisticRegression

        return imb_pipeline(SMOTE(random_state=0), LogisticRegression(max_iter=500))

    def imblearn_brf() -> Any:
        from imblearn.ensemble import BalancedRandomForestClassifier

        return BalancedRandomForestClassifier(n_estimators=5, random_state=0)

    def xgb_classifier() -> Any:
        from xgboost import XGBClassifier

        return XGBClassifier(n_estimators=5, max_depth=3)

    def xgb_regressor() -> Any:
        from xgboost import XGBRegressor

        return XGBRegressor(n_estimators=5, max_depth=3)

    def lgbm_classifier() -> Any:
        from lightgbm import LGBMClassifier

        return LGBMClassifier(n_estimators=5, verbose=-1)

    def lgbm_regressor() -> Any:
        from lightgbm import LGBMRegressor

        return LGBMRegressor(n_estimators=5, verbose=-1)

    def catboost_classifier() -> Any:
        from catboost import CatBoostClassifier

        return CatBoostClassifier(
            iterations=5, verbose=False, random_seed=0, allow_writing_files=False
        )

    def catboost_regressor() -> Any:
        from catboost import CatBoostRegressor

        return CatBoostRegressor(
            iterations=5, verbose=False, random_seed=0, allow_writing_files=False
        )

    def ce_target_encoder() -> Any:
        from category_encoders import TargetEncoder
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        return make_pipeline(
            TargetEncoder(cols=["colour", "city"]), LogisticRegression(max_iter=500)
        )

    def ce_one_hot() -> Any:
        from category_encoders import OneHotEncoder

        return OneHotEncoder(cols=["colour", "city"])

    K: Callable[..., Kind] = Kind
    return [
        K(
            "imblearn_smote_pipeline",
            "binary",
            imblearn_smote,
            profile="imblearn",
            requires="imblearn",
        ),
        K(
            "imblearn_balanced_forest",
            "multiclass",
            imblearn_brf,
            profile="imblearn",
            requires="imblearn",
        ),
        K(
            "xgboost_classifier",
            "multiclass",
            xgb_classifier,
            profile="xgboost",
            requires="xgboost",
        ),
        K(
            "xgboost_regressor_frame",
            "frame_regression",
            xgb_regressor,
            profile="xgboost",
            requires="xgboost",
        ),
        K(
            "lightgbm_classifier",
            "multiclass",
            lgbm_classifier,
            profile="lightgbm",
            requires="lightgbm",
        ),
        K(
            "lightgbm_regressor_frame",
            "frame_regression",
            lgbm_regressor,
            profile="lightgbm",
            requires="lightgbm",
        ),
        K(
            "catboost_classifier",
            "multiclass",
            catboost_classifier,
            profile="catboost",
            requires="catboost",
        ),
        K(
            "catboost_regressor",
            "regression",
            catboost_regressor,
            profile="catboost",
            requires="catboost",
        ),
        K(
            "category_encoders_target",
            "frame",
            ce_target_encoder,
            profile="category_encoders",
            requires="category_encoders",
        ),
        K(
            "category_encoders_one_hot",
            "frame",
            ce_one_hot,
            profile="category_encoders",
            requires="category_encoders",
        ),
    ]


KINDS: list[Kind] = _sklearn_kinds() + _third_party_kinds()
