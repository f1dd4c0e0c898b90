"""The bound on fit-sized factorizations a method redoes on every call (rt84-15, rt84-16): a
random projection's ``pinv`` in ``inverse_transform``, a Gaussian mixture's SVDs in
``sample()``, a covariance estimator's ``pinvh`` when it was kept without its precision.
The work each instance counts, the bound's two sides (absolute, and paid by the file's size),
honest fitted models that load, and crafted ones that scan and load both refuse."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

import safeload
from redteam import assert_refused_with, compressed_joblib, load_honest
from safeload import SafeloadError
from safeload.trust.shadow_values import Shadow, Unknown, Unproven
from safeload.trust.structures.factorizations import (
    BLAS_MADDS,
    FACTOR_SPREAD,
    MAX_CALL_FACTOR_WORK,
    factorization_problem,
    per_call_factorization_work,
)


def _spread(n: int, d: int) -> Any:
    """``n`` rows over ``d`` columns, a one in each row (compressible: the attacker's)."""
    x = np.zeros((n, d))
    x[np.arange(n), np.arange(n) % d] = 1.0
    return x


def _projection(kind: str, shape: tuple[int, int], inverse: Any = False) -> Any:
    from sklearn.random_projection import GaussianRandomProjection, SparseRandomProjection

    cls = GaussianRandomProjection if kind == "gaussian" else SparseRandomProjection
    model: Any = cls(n_components=2, random_state=0)
    model.fit(np.random.RandomState(0).rand(5, shape[1]))
    model.compute_inverse_components = inverse  # (what the file says, after fit)
    components = _spread(*shape)
    model.components_ = components if kind == "gaussian" else sp.csr_matrix(components)
    model.n_components_ = shape[0]
    return model


def _mixture(kind: str, components: int, features: int, cls: Any = None) -> Any:
    from sklearn.mixture import GaussianMixture

    model: Any = (cls or GaussianMixture)(n_components=2, covariance_type=kind, max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (not converged)
        model.fit(np.random.RandomState(0).rand(20, 3))
    eye = np.eye(features)
    covariance = {
        "full": np.repeat(eye[np.newaxis], components, axis=0),
        "tied": eye,
        "diag": np.ones((components, features)),
        "spherical": np.ones(components),
    }[kind]
    model.means_ = np.zeros((components, features))
    model.weights_ = np.full(components, 1 / components)
    model.covariances_ = covariance
    model.precisions_cholesky_ = covariance.copy()
    model.precisions_ = covariance.copy()
    model.n_components = components
    model.n_features_in_ = features
    return model


def _covariance(cls: Any, features: int, store_precision: Any) -> Any:
    model: Any = cls()
    model.fit(np.random.RandomState(0).rand(40, 3))
    model.store_precision = store_precision
    model.covariance_ = np.eye(features)
    model.location_ = np.zeros(features)
    model.precision_ = np.eye(features) if store_precision is True else None
    for name in ("raw_covariance_", "raw_location_"):
        if hasattr(model, name):
            setattr(model, name, None)
    model.n_features_in_ = features
    return model


# --- the work each instance counts ---------------------------------------------------------


@pytest.mark.parametrize("kind", ["gaussian", "sparse"])
def test_projection_work(kind):
    # pinv's SVD of (k, f): min(k, f)**2 x max(k, f); sparse components are made dense
    assert per_call_factorization_work(_projection(kind, (3, 5))) == 3 * 3 * 5
    assert per_call_factorization_work(_projection(kind, (7, 4))) == 4 * 4 * 7
    # compute_inverse_components: inverse_transform multiplies by the stored inverse
    assert per_call_factorization_work(_projection(kind, (3, 5), inverse=True)) == 0
    assert per_call_factorization_work(_projection(kind, (3, 5), inverse=np.True_)) == 0
    # a flag fit never stores counts the work (scikit-learn tests its truth; this pass
    # takes only a bool or a nonzero int as true)
    assert per_call_factorization_work(_projection(kind, (3, 5), inverse=None)) == 45
    assert per_call_factorization_work(_projection(kind, (3, 5), inverse="yes")) == 45
    # an unfitted one, or one without the flag (inverse_transform raises), counts nothing
    unfitted = _projection(kind, (3, 5))
    del unfitted.components_
    assert per_call_factorization_work(unfitted) == 0
    flagless = _projection(kind, (3, 5))
    del flagless.compute_inverse_components
    assert per_call_factorization_work(flagless) == 0


@pytest.mark.parametrize("bayesian", [False, True])
def test_mixture_work(bayesian):
    from sklearn.mixture import BayesianGaussianMixture

    cls = BayesianGaussianMixture if bayesian else None
    # 'full': an SVD of each component's covariance; 'tied': of the one covariance, once per
    # component (per row of means_); 'diag' and 'spherical': none
    assert per_call_factorization_work(_mixture("full", 3, 8, cls)) == 3 * 8**3
    assert per_call_factorization_work(_mixture("tied", 5, 8, cls)) == 5 * 8**3
    assert per_call_factorization_work(_mixture("diag", 5, 8, cls)) == 0
    assert per_call_factorization_work(_mixture("spherical", 5, 8, cls)) == 0
    # numpy's str_ compares as a str does; another value counts the dearer path
    tied = _mixture("tied", 5, 8, cls)
    tied.covariance_type = np.str_("tied")
    assert per_call_factorization_work(tied) == 5 * 8**3
    tied.covariance_type = np.array("tied")
    assert per_call_factorization_work(tied) == 5 * 8**3
    unfitted = _mixture("full", 3, 8, cls)
    del unfitted.covariances_
    assert per_call_factorization_work(unfitted) == 0


@pytest.mark.parametrize(
    "name", ["EmpiricalCovariance", "LedoitWolf", "MinCovDet", "EllipticEnvelope", "OAS"]
)
def test_covariance_work(name):
    import sklearn.covariance

    cls = getattr(sklearn.covariance, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # get_precision() is pinvh(covariance_) unless store_precision is true; score takes
        # an LU of it either way (rt86-04: 6**3 / 3 multiply-adds, BLAS_MADDS an operation),
        # but EllipticEnvelope's, an accuracy
        lu = 0 if name == "EllipticEnvelope" else -(-(6**3 // 3) // BLAS_MADDS)
        assert per_call_factorization_work(_covariance(cls, 6, False)) == 6**3 + lu
        assert per_call_factorization_work(_covariance(cls, 6, 0)) == 6**3 + lu
        assert per_call_factorization_work(_covariance(cls, 6, True)) == lu


def test_other_estimators_count_nothing():
    from sklearn.decomposition import KernelPCA
    from sklearn.linear_model import Ridge

    kernel: Any = KernelPCA(2).fit(np.random.RandomState(0).rand(10, 4))
    assert per_call_factorization_work(kernel) == 0
    assert per_call_factorization_work(Ridge()) == 0


def test_what_scan_cannot_see_is_unproven():
    from sklearn.covariance import EmpiricalCovariance
    from sklearn.mixture import GaussianMixture
    from sklearn.random_projection import GaussianRandomProjection

    cases = [
        (GaussianMixture, {"covariance_type": Unknown("?"), "covariances_": np.eye(3)}),
        (GaussianMixture, {"covariance_type": "tied", "covariances_": Unknown("?")}),
        (
            GaussianMixture,
            {"covariance_type": "tied", "covariances_": np.eye(3), "means_": Unknown("?")},
        ),
        (
            GaussianRandomProjection,
            {"compute_inverse_components": Unknown("?"), "components_": np.eye(3)},
        ),
        (EmpiricalCovariance, {"store_precision": Unknown("?"), "covariance_": np.eye(3)}),
    ]
    for cls, attrs in cases:
        with pytest.raises(Unproven):
            per_call_factorization_work(Shadow(cls, attrs, attrs))
    # what it can see, it counts as the load does, with the class imported or from its facts
    seen = {"covariance_type": "full", "covariances_": np.ones((2, 3, 3))}
    assert per_call_factorization_work(Shadow(GaussianMixture, seen, seen)) == 2 * 27
    from safeload.trust import facts

    for module, name, attrs, work in (
        ("sklearn.mixture._bayesian_mixture", "BayesianGaussianMixture", seen, 2 * 27),
        (
            "sklearn.random_projection",
            "SparseRandomProjection",
            {"compute_inverse_components": False, "components_": sp.csr_matrix((4, 6))},
            4 * 4 * 6,
        ),
        (
            "sklearn.covariance._elliptic_envelope",
            "EllipticEnvelope",
            {"store_precision": False, "covariance_": np.eye(5)},
            5**3,
        ),
    ):
        known = facts.facts_for(module, name)
        assert known is not None
        assert per_call_factorization_work(Shadow(known, attrs, attrs)) == work


# --- the bound ------------------------------------------------------------------------------


def _at(features: int) -> Any:
    from sklearn.covariance import EllipticEnvelope

    # (an EllipticEnvelope: pinvh alone, its score being an accuracy with no LU, rt86-04)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _covariance(EllipticEnvelope, features, False)


def test_absolute_bound():
    # 1,024**3 is the bound itself: kept whatever the file; one feature more is refused
    at = _at(1_024)
    assert per_call_factorization_work(at) == MAX_CALL_FACTOR_WORK
    assert factorization_problem([at], {id(at): 1}, 0) is None
    assert factorization_problem([at], {id(at): 1}, None) is None
    past = _at(1_025)
    problem = factorization_problem([past], {id(past): 1}, 1_000)
    assert problem and "EllipticEnvelope" in problem and "store_precision=True" in problem


def test_meetings_multiply_and_unheld_count_nothing():
    eighth = _at(512)  # 2**27
    assert factorization_problem([eighth], {id(eighth): 8}, 0) is None
    assert factorization_problem([eighth], {id(eighth): 9}, 0)
    other = _at(512)
    assert factorization_problem([eighth, other], {id(eighth): 8, id(other): 1}, 0)
    # an instance the model does not hold (not in meets) pays nothing and costs nothing
    assert factorization_problem([eighth, other], {id(eighth): 8}, 0) is None


def test_bound_paid_by_the_file_size():
    past = _at(1_100)
    work = 1_100**3
    paid = -(-work // FACTOR_SPREAD)  # (the fewest bytes that pay for it)
    assert factorization_problem([past], {id(past): 1}, paid) is None
    assert factorization_problem([past], {id(past): 1}, paid - 1)
    assert factorization_problem([past], {id(past): 2}, paid)


def test_message_names_the_part_and_the_remedy():
    cases = [
        (_projection("sparse", (1_100, 1_100)), "compute_inverse_components=True"),
        (_mixture("full", 1, 1_100), "covariance_type='diag'"),
        (_mixture("tied", 4, 1_024), "'tied' GaussianMixture"),
        (_at(1_100), "store_precision=True"),
    ]
    for model, remedy in cases:
        problem = factorization_problem([model], {id(model): 1}, 0)
        assert problem and remedy in problem, problem
        assert type(model).__name__ in problem


# --- honest fitted models load --------------------------------------------------------------


@pytest.mark.parametrize("inverse", [False, True])
def test_honest_gaussian_projection_loads(tmp_path, inverse):
    from sklearn.random_projection import GaussianRandomProjection

    # 1,024 x 1,100 random components: 1.15e9 operations, past the absolute bound, paid by
    # the 9 MB it stores (128 a byte)
    model: Any = GaussianRandomProjection(
        n_components=1_024, compute_inverse_components=inverse, random_state=0
    ).fit(np.random.RandomState(0).rand(5, 1_100))
    assert per_call_factorization_work(model) == (0 if inverse else 1_024**2 * 1_100)
    loaded = load_honest(model, tmp_path)
    assert loaded.components_.shape == (1_024, 1_100)


@pytest.mark.parametrize("inverse", [False, True])
def test_honest_sparse_projection_loads(tmp_path, inverse):
    from sklearn.random_projection import SparseRandomProjection

    # 256 x 4,096 (2.7e8 operations, under the absolute bound), and 1,024 x 1,536 (1.6e9)
    # paid by its pickle's 487 KB (3,300 a byte); with its inverse stored, nothing to pay
    for k, f in ((256, 4_096),) if inverse else ((256, 4_096), (1_024, 1_536)):
        model: Any = SparseRandomProjection(
            n_components=k, compute_inverse_components=inverse, random_state=0
        ).fit(np.random.RandomState(0).rand(5, f))
        load_honest(model, tmp_path)


def test_honest_sparse_projection_past_the_bound(tmp_path):
    from sklearn.random_projection import SparseRandomProjection

    # the limit: 1,024 x 4,096 sparse components (4.3e9 operations, 2.2 s a call) stored in
    # 790 KB, 5,400 operations a byte: refused, saying how to keep its inverse
    model: Any = SparseRandomProjection(n_components=1_024, random_state=0)
    model.fit(np.random.RandomState(0).rand(5, 4_096))
    path = tmp_path / "m.pkl"
    import pickle

    path.write_bytes(pickle.dumps(model, protocol=5))
    assert not safeload.scan(path).safe
    with pytest.raises(SafeloadError, match="compute_inverse_components=True"):
        safeload.load_unsigned(path)


@pytest.mark.parametrize("kind", ["full", "tied", "diag", "spherical"])
@pytest.mark.parametrize("bayesian", [False, True])
def test_honest_mixtures_load(tmp_path, kind, bayesian):
    from sklearn.mixture import BayesianGaussianMixture, GaussianMixture

    # a tied GaussianMixture of 9 components over 512 features: 1.2e9 operations, past the
    # absolute bound, paid by the 6.3 MB it stores (191 a byte); the others over 64 features
    cls = BayesianGaussianMixture if bayesian else GaussianMixture
    components, features = (9, 512) if kind == "tied" and not bayesian else (4, 64)
    x = np.random.RandomState(0).randn(1_000, features)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (not converged in the two rounds given)
        model: Any = cls(
            n_components=components, covariance_type=kind, max_iter=2, random_state=0
        ).fit(x)
    assert per_call_factorization_work(model) == (
        components * features**3 if kind in ("full", "tied") else 0
    )
    loaded = load_honest(model, tmp_path)
    assert loaded.sample(2)[0].shape == (2, features)


@pytest.mark.parametrize("store_precision", [False, True])
def test_honest_covariances_load(tmp_path, store_precision):
    from sklearn.covariance import EllipticEnvelope, EmpiricalCovariance, MinCovDet

    rng = np.random.RandomState(0)
    # 1,100 features without the precision: 1.39e9 operations (pinvh, and score's LU) paid
    # by 9.7 MB (143 a byte)
    x = rng.randn(1_200, 200 if store_precision else 1_100)
    model: Any = EmpiricalCovariance(store_precision=store_precision).fit(x)
    load_honest(model, tmp_path)
    small = rng.randn(300, 20)
    for cls in (MinCovDet, EllipticEnvelope):
        robust: Any = cls(store_precision=store_precision, random_state=0).fit(small)
        loaded = load_honest(robust, tmp_path)
        assert loaded.mahalanobis(small[:2]).shape == (2,)


# --- crafted ones: scan and load agree ------------------------------------------------------


@pytest.mark.parametrize(
    "kind",
    ["gaussian_projection", "sparse_projection", "full_mixture", "tied_mixture", "covariance"],
)
def test_crafted_refused_by_scan_and_load(tmp_path, kind):
    from sklearn.covariance import MinCovDet

    # each past the absolute bound from a file of a few KB (no call is made here: the red
    # team's tests time them)
    model: Any
    if kind == "gaussian_projection":
        model = _projection("gaussian", (1_100, 1_100))
    elif kind == "sparse_projection":
        model = _projection("sparse", (2_048, 1_100))  # (1,100**2 x 2,048: 2.5e9)
    elif kind == "full_mixture":
        model = _mixture("full", 2, 900)
    elif kind == "tied_mixture":
        model = _mixture("tied", 3, 800)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = _covariance(MinCovDet, 1_100, False)
    path = compressed_joblib(tmp_path, model, 40_000, ("xz", 1))
    assert_refused_with(path)
    with pytest.raises(SafeloadError, match="matrix factorizations"):
        safeload.load_unsigned(path)
    report = safeload.scan(path)
    assert any("matrix factorizations" in f.message for f in report.findings), report


def test_crafted_met_many_times_refused(tmp_path):
    from sklearn.pipeline import FeatureUnion

    # one projection of 600 x 600 (2.2e8, a fifth of the bound) met 8 times by reference
    projection = _projection("gaussian", (600, 600))
    union = FeatureUnion([(f"p{i}", projection) for i in range(8)])
    path = compressed_joblib(tmp_path, union, 10_000, ("xz", 1))
    assert_refused_with(path)
    with pytest.raises(SafeloadError, match="matrix factorizations"):
        safeload.load_unsigned(path)
    alone = compressed_joblib(tmp_path, FeatureUnion([("p", projection)]), 10_000, ("xz", 1))
    assert safeload.scan(alone).safe
    safeload.load_unsigned(alone)
