"""Red team 86's per-call log-determinants (rt86-03, rt86-04), fixed in
:mod:`safeload.trust.structures.factorizations`: a PCA's, IncrementalPCA's or
FactorAnalysis's precision built from ``components_`` (and ``score``'s LU of it), and a
covariance estimator's ``score``, an LU of its precision even when it is stored. The
reproducers are in tests/security/test_redteam86.py; here IncrementalPCA's (through
``get_precision``: it has no ``score``), the work and square bytes each counts, and honest
models that keep loading."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import safeload
from redteam import (
    assert_refused_with,
    compressed_joblib,
    load_honest,
    shows_harm,
)
from safeload import SafeloadError
from safeload.trust.shadow_values import Shadow, Unknown, Unproven
from safeload.trust.structures.factorizations import (
    BLAS_MADDS,
    MAX_CALL_FACTOR_WORK,
    MAX_SQUARE_BYTES,
    SQUARE_SPREAD,
    factorization_problem,
    per_call_factorization_work,
    per_call_square_bytes,
)


def _decomposition(kind: str, features: int, noise: Any = None) -> Any:
    """The red team's model: one component over ``features``, a unit vector."""
    from sklearn.decomposition import PCA, FactorAnalysis, IncrementalPCA

    rng = np.random.RandomState(0)
    cls: Any = {"PCA": PCA, "IncrementalPCA": IncrementalPCA, "FactorAnalysis": FactorAnalysis}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model: Any = (
            cls[kind](n_components=1, max_iter=2)
            if kind == "FactorAnalysis"
            else cls[kind](n_components=1)
        ).fit(rng.rand(3, features))
    unit = np.zeros((1, features))
    unit[0, 0] = 1.0
    model.components_ = unit
    model.mean_ = np.zeros(features)
    if kind == "FactorAnalysis":
        model.noise_variance_ = np.ones(features)
    if kind == "IncrementalPCA":
        model.var_ = np.zeros(features)
    if noise is not None:
        model.noise_variance_ = noise
    return model


def _lu(f: int) -> int:
    return f**3 // 3


def _ops(madds: int) -> int:
    return -(-madds // BLAS_MADDS)


# --- rt86-03: PCA's and FactorAnalysis's score make a features x features precision ----------


def test_rt86_03_incremental_pca_precision(tmp_path):
    # an IncrementalPCA has no score, but get_precision and get_covariance make the same
    # (features, features) matrix: 8,192 features, 537 MB, from a 752-byte file (the lemma's
    # products of one component are cheap: refused for the matrix's size); with
    # noise_variance_ 0 get_precision inverts get_covariance(), features**3 (and refused for
    # that work)
    features = 8_192
    model = _decomposition("IncrementalPCA", features)
    assert per_call_factorization_work(model) < MAX_CALL_FACTOR_WORK
    assert per_call_square_bytes(model) == 8 * features**2
    path = compressed_joblib(tmp_path, model, 40_000, ("xz", 6))
    assert_refused_with(path)
    with pytest.raises(SafeloadError, match="square matrix of 536,870,912 bytes"):
        safeload.load_unsigned(path)
    zero = _decomposition("IncrementalPCA", features, noise=0.0)
    assert per_call_factorization_work(zero) >= _ops(features**3)
    path = compressed_joblib(tmp_path, zero, 40_000, ("xz", 6))
    shows_harm(path, "model.get_precision()", cpu=1.0, joblib=True)
    with pytest.raises(SafeloadError, match="matrix factorizations on every call"):
        safeload.load_unsigned(path)


def test_rt86_03_work_counted():
    # the lemma: k k f + k**3 + f k k + f f k, then the LU (f**3 / 3) in score; an
    # IncrementalPCA has no score; noise_variance_ 0 (or anything but a nonzero number)
    # inverts the covariance: f f k + f**3
    f, k = 64, 1
    lemma = 2 * k * k * f + k**3 + f * f * k
    assert per_call_factorization_work(_decomposition("PCA", f)) == _ops(lemma + _lu(f))
    assert per_call_factorization_work(_decomposition("IncrementalPCA", f)) == _ops(lemma)
    inverse = f * f * k + f**3
    for noise in (0.0, np.float64(0), np.array([0.5]), None):
        model = _decomposition("PCA", f)
        model.noise_variance_ = noise
        assert per_call_factorization_work(model) == _ops(inverse + _lu(f)), noise
    # a FactorAnalysis inverts when n_components is the features (or a value fit never
    # stores)
    fa = _decomposition("FactorAnalysis", f)
    assert per_call_factorization_work(fa) == _ops(lemma + _lu(f))
    for wanted in (f, np.int64(f), "all", 64.0):
        fa.n_components = wanted
        assert per_call_factorization_work(fa) == _ops(inverse + _lu(f)), wanted
    fa.n_components = None
    assert per_call_factorization_work(fa) == _ops(lemma + _lu(f))
    # the square: (max(k, f))**2 float64
    assert per_call_square_bytes(fa) == 8 * f * f
    wide = _decomposition("PCA", 4)
    wide.components_ = np.zeros((300, 4))
    assert per_call_square_bytes(wide) == 8 * 300 * 300
    # unfitted counts nothing; what scan cannot see is unproven
    unfitted = _decomposition("PCA", f)
    del unfitted.components_
    assert per_call_factorization_work(unfitted) == 0
    from sklearn.decomposition import PCA, FactorAnalysis

    with pytest.raises(Unproven):
        attrs = {"components_": np.eye(3), "noise_variance_": Unknown("?")}
        per_call_factorization_work(Shadow(PCA, attrs, attrs))
    with pytest.raises(Unproven):
        attrs = {"components_": np.eye(3), "n_components": Unknown("?")}
        per_call_factorization_work(Shadow(FactorAnalysis, attrs, attrs))


def test_rt86_03_square_bound():
    # 5,792 features (256 MB) whatever the file; past it, SQUARE_SPREAD a byte
    at = _decomposition("IncrementalPCA", 5_792)
    assert per_call_square_bytes(at) <= MAX_SQUARE_BYTES
    assert factorization_problem([at], {id(at): 1}, 0) is None
    past = _decomposition("IncrementalPCA", 5_793)
    square = per_call_square_bytes(past)
    assert factorization_problem([past], {id(past): 1}, 0)
    paid = -(-square // SQUARE_SPREAD)
    assert factorization_problem([past], {id(past): 1}, paid) is None
    assert factorization_problem([past], {id(past): 1}, paid - 1)


@pytest.mark.parametrize("kind", ["PCA", "IncrementalPCA", "FactorAnalysis"])
def test_rt86_03_honest_decompositions_load(tmp_path, kind):
    from sklearn.datasets import load_digits
    from sklearn.decomposition import PCA, FactorAnalysis, IncrementalPCA

    # measured (OMP_NUM_THREADS=1): over 1,000 x 784 (MNIST-sized) at most 2.6e8 operations
    # (FactorAnalysis of 784 components, score 0.11 s); over 500 x 2,000 PCA() 1.6e9 paid by
    # its 7.6 MB (210 a byte, score 1.0 s), PCA(2) 3.3e8 (0.21 s), under the absolute bound;
    # squares of 4.7 and 30.5 MB; the digits' 64 features cost nothing
    cls: Any = {"PCA": PCA, "IncrementalPCA": IncrementalPCA, "FactorAnalysis": FactorAnalysis}
    rng = np.random.RandomState(0)
    digits = load_digits().data
    cases = [(digits, None), (digits, 10), (rng.rand(1_000, 784), 50), (rng.rand(500, 2_000), 2)]
    if kind == "PCA":
        cases.append((rng.rand(500, 2_000), None))
    for x, k in cases:
        kwargs: dict[str, Any] = {"n_components": k}
        if kind == "FactorAnalysis":
            kwargs["max_iter"] = 5
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model: Any = cls[kind](**kwargs).fit(x)
        loaded = load_honest(model, tmp_path)
        if kind != "IncrementalPCA" and k is not None:
            # (PCA() over the digits inverts a singular covariance: scikit-learn raises)
            assert np.isfinite(loaded.score(x[:2]))


# --- rt86-04: a covariance estimator's score takes a log-determinant of its precision --------


@pytest.mark.parametrize(
    "name",
    [
        "EmpiricalCovariance",
        "LedoitWolf",
        "OAS",
        "ShrunkCovariance",
        "MinCovDet",
        "GraphicalLasso",
        "EllipticEnvelope",
    ],
)
def test_rt86_04_work_counted(name):
    import sklearn.covariance

    cls = getattr(sklearn.covariance, name)
    model: Any = cls()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(np.random.RandomState(0).rand(40, 3))
    f = 64
    model.covariance_ = np.eye(f)
    model.precision_ = np.eye(f)
    model.location_ = np.zeros(f)
    # every subclass shares score (an LU of the stored precision), but EllipticEnvelope,
    # whose score is an accuracy
    lu = 0 if name == "EllipticEnvelope" else _ops(_lu(f))
    assert per_call_factorization_work(model) == lu
    assert per_call_square_bytes(model) == (0 if name == "EllipticEnvelope" else 8 * f * f)
    # store_precision true without precision_: score makes its test covariance, then raises
    model.precision_ = None
    assert per_call_factorization_work(model) == 0
    assert per_call_square_bytes(model) == (0 if name == "EllipticEnvelope" else 8 * f * f)
    # without it: pinvh too (f**3), and the square it makes
    model.store_precision = False
    assert per_call_factorization_work(model) == f**3 + lu
    assert per_call_square_bytes(model) == 8 * f * f


def test_rt86_04_honest_covariances_load(tmp_path):
    from sklearn.covariance import (
        OAS,
        EllipticEnvelope,
        EmpiricalCovariance,
        GraphicalLasso,
        LedoitWolf,
        MinCovDet,
        ShrunkCovariance,
    )

    # a few hundred features: 500 cost 5.2e6 operations (score 5 ms), 1.9 MB of square
    rng = np.random.RandomState(0)
    x = rng.randn(2_000, 500)
    for cls in (EmpiricalCovariance, LedoitWolf, OAS, ShrunkCovariance):
        loaded = load_honest(cls().fit(x), tmp_path)
        assert np.isfinite(loaded.score(x[:2]))
    small = rng.randn(300, 30)
    for robust in (
        MinCovDet(random_state=0),
        EllipticEnvelope(random_state=0),
        GraphicalLasso(alpha=0.5),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loaded = load_honest(robust.fit(small), tmp_path)
        assert loaded.mahalanobis(small[:2]).shape == (2,)


def test_score_work_counts_once_whatever_the_meetings():
    from sklearn.covariance import EmpiricalCovariance

    # no union or ensemble calls its members' score or get_precision (a Pipeline its last
    # step's, once): the dearest such work counts once, not times its meetings. A PCA of
    # 2,400 features (5.8e8 operations, over half the bound) met 8 times, or beside another
    pca = _decomposition("PCA", 2_400)
    work = per_call_factorization_work(pca)
    assert MAX_CALL_FACTOR_WORK // 2 < work <= MAX_CALL_FACTOR_WORK
    other = _decomposition("FactorAnalysis", 2_400)
    assert factorization_problem([pca, other], {id(pca): 8, id(other): 1}, 0) is None
    # a covariance estimator's pinvh (mahalanobis, predict: recursive) still multiplies
    cov: Any = EmpiricalCovariance(store_precision=False).fit(np.random.RandomState(0).rand(9, 3))
    cov.covariance_ = np.eye(600)
    assert factorization_problem([cov], {id(cov): 4}, 0) is None
    assert factorization_problem([cov], {id(cov): 5}, 0)
