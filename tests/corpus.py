"""A corpus of fitted scikit-learn models, shared by the policy, corpus and skops tests.

Every model is small and fitted on synthetic data with a fixed ``random_state``, so the whole
corpus fits in a few seconds and ``probe`` gives the same answer every time. The fitted list is
built once per process and cached.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["CorpusModel", "build_corpus", "probe"]


@dataclass
class CorpusModel:
    """One fitted model, and an input on which ``probe(estimator, X)`` is deterministic."""

    name: str
    estimator: Any
    X: Any


_CACHE: list[CorpusModel] | None = None

_WORDS = (
    "model risk signed artifact pickle joblib load trust key tree forest "
    "linear kernel vector sparse dense array matrix score split fold grid"
).split()


def probe(model: Any, X: Any) -> Any:
    """The model's deterministic output on ``X``: predict, transform, a score, or neighbours.

    Returns an ndarray, or a scipy sparse matrix when the model transforms into one.
    """
    for method in ("predict", "transform", "decision_function", "score_samples"):
        fn = getattr(model, method, None)
        if fn is not None:
            out = fn(X)
            return out if hasattr(out, "toarray") else np.asarray(out)
    if hasattr(model, "kneighbors"):  # unsupervised neighbours: the neighbour indices
        return np.asarray(model.kneighbors(X, return_distance=False))
    if hasattr(model, "labels_"):  # clustering without predict (DBSCAN): the training labels
        return np.asarray(model.labels_)
    raise TypeError(f"{type(model).__name__} has no method to probe")


def _texts(rng: np.random.RandomState, n: int) -> tuple[list[str], np.ndarray]:
    docs, labels = [], []
    for _ in range(n):
        label = int(rng.randint(2))
        pool = _WORDS[: len(_WORDS) // 2] if label else _WORDS[len(_WORDS) // 2 :]
        words = rng.choice(pool, size=6).tolist() + rng.choice(_WORDS, size=2).tolist()
        docs.append(" ".join(words))
        labels.append(label)
    return docs, np.array(labels)


def _build() -> list[CorpusModel]:
    import pandas as pd
    import scipy.sparse as sp
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.cluster import DBSCAN, Birch, FeatureAgglomeration, KMeans, MiniBatchKMeans
    from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
    from sklearn.datasets import make_classification, make_regression
    from sklearn.decomposition import PCA, TruncatedSVD
    from sklearn.ensemble import (
        AdaBoostClassifier,
        ExtraTreesClassifier,
        GradientBoostingClassifier,
        GradientBoostingRegressor,
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
        IsolationForest,
        RandomForestClassifier,
        RandomForestRegressor,
        StackingClassifier,
        VotingClassifier,
    )
    from sklearn.experimental import enable_iterative_imputer  # noqa: F401
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.feature_selection import SelectKBest, f_classif
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel
    from sklearn.impute import IterativeImputer, SimpleImputer
    from sklearn.linear_model import (
        ElasticNet,
        Lasso,
        LinearRegression,
        LogisticRegression,
        PoissonRegressor,
        Ridge,
        SGDClassifier,
    )
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.naive_bayes import GaussianNB, MultinomialNB
    from sklearn.neighbors import KNeighborsClassifier, LocalOutlierFactor, NearestNeighbors
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import (
        FunctionTransformer,
        OneHotEncoder,
        PolynomialFeatures,
        QuantileTransformer,
        StandardScaler,
    )
    from sklearn.svm import SVC, SVR, LinearSVC
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    rng = np.random.RandomState(0)
    xc, yc = make_classification(
        n_samples=120, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    xb, yb = make_classification(n_samples=120, n_features=6, random_state=1)
    xr, yr = make_regression(n_samples=120, n_features=6, noise=0.5, random_state=2)
    counts = rng.poisson(3.0, size=(120, 8))
    xcp, xbp, xrp = xc[:20], xb[:20], xr[:20]

    frame = pd.DataFrame(
        {
            "colour": rng.choice(["red", "green", "blue"], size=120),
            "size": rng.rand(120),
            "weight": rng.rand(120) * 10,
        }
    )
    frame_y = (frame["size"] + (frame["colour"] == "red")).to_numpy() > 1.0

    xnan = xr.copy()
    xnan[rng.rand(*xnan.shape) < 0.1] = np.nan
    docs, doc_y = _texts(rng, 80)
    sparse = sp.random(60, 30, density=0.2, format="csr", random_state=3)
    sparse_y = np.arange(60) % 2

    def rs(cls: Callable[..., Any], **kw: Any) -> Any:
        return cls(random_state=0, **kw)

    small_forest = {"n_estimators": 5, "max_depth": 4}
    lr = {"max_iter": 500}
    models: list[tuple[str, Any, Any, Any, Any]] = [
        ("linear_regression", LinearRegression(), xr, yr, xrp),
        ("ridge", Ridge(alpha=0.5), xr, yr, xrp),
        ("lasso", Lasso(alpha=0.1), xr, yr, xrp),
        ("elastic_net", ElasticNet(alpha=0.1), xr, yr, xrp),
        ("logistic_regression", LogisticRegression(**lr), xc, yc, xcp),
        ("sgd_classifier", rs(SGDClassifier, max_iter=50, tol=None), xb, yb, xbp),
        (
            "scaled_logistic_pipeline",
            make_pipeline(StandardScaler(), LogisticRegression(**lr)),
            xc,
            yc,
            xcp,
        ),
        (
            "column_transformer",
            make_pipeline(
                ColumnTransformer(
                    [
                        ("cat", OneHotEncoder(handle_unknown="ignore"), ["colour"]),
                        ("num", StandardScaler(), ["size", "weight"]),
                    ]
                ),
                LogisticRegression(**lr),
            ),
            frame,
            frame_y,
            frame.iloc[:20],
        ),
        ("random_forest_classifier", rs(RandomForestClassifier, **small_forest), xc, yc, xcp),
        ("random_forest_regressor", rs(RandomForestRegressor, **small_forest), xr, yr, xrp),
        ("extra_trees", rs(ExtraTreesClassifier, **small_forest), xc, yc, xcp),
        ("decision_tree_classifier", rs(DecisionTreeClassifier, max_depth=5), xc, yc, xcp),
        ("decision_tree_regressor", rs(DecisionTreeRegressor, max_depth=5), xr, yr, xrp),
        (
            "gradient_boosting_classifier",
            rs(GradientBoostingClassifier, **small_forest),
            xb,
            yb,
            xbp,
        ),
        (
            "gradient_boosting_multiclass",
            rs(GradientBoostingClassifier, n_estimators=3),
            xc,
            yc,
            xcp,
        ),
        ("gradient_boosting_regressor", rs(GradientBoostingRegressor, **small_forest), xr, yr, xrp),
        (
            "hist_gradient_boosting_classifier",
            rs(HistGradientBoostingClassifier, max_iter=5),
            xc,
            yc,
            xcp,
        ),
        (
            "hist_gradient_boosting_regressor",
            rs(HistGradientBoostingRegressor, max_iter=5),
            xr,
            yr,
            xrp,
        ),
        ("isolation_forest", rs(IsolationForest, n_estimators=5), xr, None, xrp),
        ("adaboost", rs(AdaBoostClassifier, n_estimators=5), xb, yb, xbp),
        (
            "voting_classifier",
            VotingClassifier(
                [("lr", LogisticRegression(**lr)), ("nb", GaussianNB())], voting="soft"
            ),
            xc,
            yc,
            xcp,
        ),
        (
            "stacking_classifier",
            StackingClassifier(
                [("lr", LogisticRegression(**lr)), ("dt", rs(DecisionTreeClassifier, max_depth=3))],
                final_estimator=LogisticRegression(**lr),
                cv=3,
            ),
            xb,
            yb,
            xbp,
        ),
        ("knn_kd_tree", KNeighborsClassifier(algorithm="kd_tree"), xc, yc, xcp),
        ("knn_ball_tree", KNeighborsClassifier(algorithm="ball_tree"), xc, yc, xcp),
        ("nearest_neighbors", NearestNeighbors(n_neighbors=3), xr, None, xrp),
        ("svc_probability", rs(SVC, probability=True), xb, yb, xbp),
        ("linear_svc", rs(LinearSVC), xb, yb, xbp),
        ("svr", SVR(), xr, yr, xrp),
        (
            "pca_kmeans",
            make_pipeline(rs(PCA, n_components=3), rs(KMeans, n_clusters=3, n_init=2)),
            xr,
            None,
            xrp,
        ),
        ("gaussian_nb", GaussianNB(), xc, yc, xcp),
        ("multinomial_nb", MultinomialNB(), counts, yc, counts[:20]),
        ("mlp_classifier", rs(MLPClassifier, hidden_layer_sizes=(8,), max_iter=50), xb, yb, xbp),
        (
            "tfidf_logistic",
            make_pipeline(TfidfVectorizer(), LogisticRegression(**lr)),
            docs,
            doc_y,
            docs[:20],
        ),
        (
            "count_multinomial_nb",
            make_pipeline(CountVectorizer(), MultinomialNB()),
            docs,
            doc_y,
            docs[:20],
        ),
        (
            "grid_search",
            GridSearchCV(
                LogisticRegression(**lr),
                {"C": [0.1, 1.0]},
                cv=StratifiedKFold(3),
                scoring="accuracy",
            ),
            xb,
            yb,
            xbp,
        ),
        ("calibrated_classifier", CalibratedClassifierCV(rs(LinearSVC), cv=3), xb, yb, xbp),
        ("imputer_pipeline", make_pipeline(SimpleImputer(), Ridge()), xnan, yr, xnan[:20]),
        ("truncated_svd_sparse", rs(TruncatedSVD, n_components=4), sparse, None, sparse[:20]),
        (
            "minibatch_kmeans",
            rs(MiniBatchKMeans, n_clusters=3, n_init=2, batch_size=32),
            xr,
            None,
            xrp,
        ),
        ("dbscan", DBSCAN(eps=3.0), xr, None, xrp),
        ("local_outlier_factor", LocalOutlierFactor(n_neighbors=10, novelty=True), xr, None, xrp),
        ("quantile_transformer", rs(QuantileTransformer, n_quantiles=50), xr, None, xrp),
        ("polynomial_features", PolynomialFeatures(degree=2), xr, None, xrp),
        ("function_transformer_log1p", FunctionTransformer(np.log1p), counts, None, counts[:20]),
        # Internals and stored functions beyond the list above.
        (
            "knn_sparse_input",
            KNeighborsClassifier(algorithm="brute"),
            sparse,
            sparse_y,
            sparse[:20],
        ),
        (
            "gaussian_process_regressor",
            rs(GaussianProcessRegressor, kernel=ConstantKernel() * RBF() + WhiteKernel()),
            xr[:40],
            yr[:40],
            xrp,
        ),
        ("feature_agglomeration", FeatureAgglomeration(n_clusters=3), xr, None, xrp),
        ("select_k_best", make_pipeline(SelectKBest(f_classif, k=3), GaussianNB()), xc, yc, xcp),
        ("iterative_imputer", rs(IterativeImputer, max_iter=3), xnan, None, xnan[:20]),
        (
            "transformed_target_log",
            TransformedTargetRegressor(Ridge(), func=np.log, inverse_func=np.exp),
            xr,
            np.abs(yr) + 1.0,
            xrp,
        ),
        ("poisson_regressor", PoissonRegressor(), xr, np.abs(yr) + 1.0, xrp),
        ("birch", Birch(n_clusters=3), xr, None, xrp),
    ]
    out = []
    with warnings.catch_warnings():
        # Tiny data and few iterations: convergence and deprecation notices are expected.
        warnings.simplefilter("ignore")
        for name, est, x, y, x_probe in models:
            est.fit(x) if y is None else est.fit(x, y)
            out.append(CorpusModel(name, est, x_probe))
    return out


def build_corpus() -> list[CorpusModel]:
    """The fitted corpus (built on the first call, then returned from the cache)."""
    global _CACHE
    if _CACHE is None:
        _CACHE = _build()
    return list(_CACHE)
