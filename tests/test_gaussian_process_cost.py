"""The cost bound on a fitted Gaussian process's ``log_marginal_likelihood``
(``safeload.trust.structures.estimators.gaussian_process_cost``): what it counts, the honest
models it keeps, and that ``scan`` and ``load`` weigh the same state (red team 83)."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.gaussian_process import GaussianProcessClassifier, GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, Matern, WhiteKernel

import safeload
from redteam import load_honest, write
from safeload.trust.structures.common import Bad
from safeload.trust.structures.estimators import (
    MAX_GP_NUMBERS,
    MAX_GP_WORK,
    check_gaussian_process,
    gaussian_process_cost,
)


def _regressor(kernel: Any, samples: int = 20, features: int = 3, targets: int = 1) -> Any:
    rng = np.random.RandomState(0)
    x = rng.rand(samples, features)
    y = rng.rand(samples, targets) if targets > 1 else rng.rand(samples)
    return GaussianProcessRegressor(kernel=kernel, optimizer=None, alpha=1e-2).fit(x, y)


def test_the_count_follows_the_free_hyperparameters() -> None:
    # n**2 x (6 + h + 3w + t): h free hyperparameters, w of them anisotropic length scales
    scaled = _regressor(ConstantKernel(1.0) * RBF(np.ones(3)) + WhiteKernel(1.0))
    assert gaussian_process_cost(scaled)[0] == 20 * 20 * (6 + 5 + 9 + 1)
    isotropic = _regressor(RBF(1.0), targets=4)
    assert gaussian_process_cost(isotropic)[0] == 20 * 20 * (6 + 1 + 0 + 4)
    # fixed hyperparameters are not in theta, nor in the gradient (rt83-06)
    fixed = _regressor(ConstantKernel(1.0, "fixed") * RBF(np.ones(3), "fixed"))
    assert fixed.kernel_.theta.size == 0
    assert gaussian_process_cost(fixed)[0] == 20 * 20 * (6 + 0 + 0 + 1)


def test_numpy_str_fixed_bounds_count_as_fixed_in_scan_and_load(tmp_path: Path) -> None:
    # scikit-learn tests isinstance(bounds, str): numpy's str_ is fixed too. 400 samples
    # over 900 fixed length scales load; counted as free they would be refused
    rng = np.random.RandomState(0)
    x = rng.rand(400, 900)
    kernel = ConstantKernel(1.0, np.str_("fixed")) * RBF(np.full(900, 3.0), np.str_("fixed"))
    model = GaussianProcessRegressor(kernel=kernel, alpha=1e-2, optimizer=None).fit(x, x[:, 0])
    assert model.kernel_.theta.size == 0
    loaded = load_honest(model, tmp_path)
    assert gaussian_process_cost(loaded) == gaussian_process_cost(model)
    # the same model with free length scales: past the bound, in both
    model.kernel_ = ConstantKernel(1.0) * RBF(np.full(900, 3.0))
    data = pickle.dumps(model, protocol=5)
    assert not safeload.scan(data).safe
    with pytest.raises(safeload.SafeloadError, match="log_marginal_likelihood"):
        safeload.load_unsigned(write(tmp_path, data, "free.pkl"))


def test_a_numeric_matern_gradient_is_one_kernel_per_length_scale() -> None:
    closed = gaussian_process_cost(_regressor(Matern(np.ones(3), nu=1.5)))[1]
    numeric = gaussian_process_cost(_regressor(Matern(np.ones(3), nu=1.0)))[1]
    assert numeric > 4 * closed


def test_a_classifier_counts_its_newton_steps() -> None:
    rng = np.random.RandomState(0)
    x = rng.rand(30, 2)
    model = GaussianProcessClassifier(RBF(1.0), optimizer=None).fit(x, x[:, 0] > 0.5)
    member = model.base_estimator_
    few = gaussian_process_cost(member)[1]
    member.max_iter_predict = 1_000
    assert gaussian_process_cost(member)[1] > 5 * few
    member.max_iter_predict = 1.5
    with pytest.raises(Bad, match="max_iter_predict"):
        check_gaussian_process(member, None)


@pytest.mark.parametrize("classes", [3, 4])
def test_one_vs_rest_members_add_up(tmp_path: Path, classes: int) -> None:
    # each member of 300 samples at 1,000 Newton steps costs some 9 * 10**9 operations: three
    # stay under MAX_GP_WORK in all, four pass it
    rng = np.random.RandomState(0)
    x = rng.rand(300, 2)
    y = np.arange(300) % classes
    model = GaussianProcessClassifier(RBF(1.0), optimizer=None, max_iter_predict=1_000)
    model.fit(x, y)
    works = [gaussian_process_cost(m)[1] for m in model.base_estimator_.estimators_]
    assert all(work <= MAX_GP_WORK for work in works)
    if sum(works) <= MAX_GP_WORK:
        load_honest(model, tmp_path)
        assert classes == 3
    else:
        assert classes == 4
        data = pickle.dumps(model, protocol=5)
        assert not safeload.scan(data).safe
        with pytest.raises(safeload.SafeloadError, match="members would cost"):
            safeload.load_unsigned(write(tmp_path, data))


def test_the_bounds_are_what_the_documentation_says() -> None:
    assert MAX_GP_NUMBERS == 3 * 2**25  # 768 MB of float64
    assert MAX_GP_WORK == 2**35


def test_a_kernel_holding_itself_is_refused() -> None:
    model = _regressor(RBF(1.0) + WhiteKernel(1.0))
    model.kernel_.k2 = model.kernel_
    with pytest.raises(Bad, match="holds itself"):
        gaussian_process_cost(model)
    shared = _regressor(RBF(1.0) + WhiteKernel(1.0))
    shared.kernel_.k2 = shared.kernel_.k1  # (a shared part is weighed where it is used)
    numbers, _ = gaussian_process_cost(shared)
    assert numbers == 20 * 20 * (6 + 2 + 0 + 1)


def test_samples_of_a_slow_dtype_cost_more() -> None:
    # numpy multiplies float16 without BLAS (a DotProduct: rt84-01) and computes float128
    # number by number in any kernel; distance kernels convert ints, float16 and big-endian
    # floats to float64 at full speed (honest int samples had been refused, rt84-18)
    from sklearn.gaussian_process.kernels import DotProduct

    model = _regressor(RBF(1.0), features=500)
    fast = gaussian_process_cost(model)
    for dtype in (np.float16, np.int64, ">f8"):
        model.X_train_ = model.X_train_.astype(dtype)
        assert gaussian_process_cost(model) == fast
    model.X_train_ = model.X_train_.astype(np.longdouble)
    slow = gaussian_process_cost(model)
    assert slow[0] == 2 * fast[0] and slow[1] > 50 * fast[1]
    product = _regressor(DotProduct(), features=500)
    fast = gaussian_process_cost(product)
    product.X_train_ = product.X_train_.astype(np.float16)
    assert gaussian_process_cost(product)[1] > 50 * fast[1]


def test_per_call_overheads_are_counted() -> None:
    # Newton steps (rt84-02), hyperparameters (rt84-03) and a numeric gradient's clones
    # (rt84-04) cost what they cost over two samples too
    rng = np.random.RandomState(0)
    x = rng.rand(2, 3)
    model = GaussianProcessClassifier(RBF(1.0), optimizer=None).fit(x, [0, 1])
    member = model.base_estimator_
    member.max_iter_predict = 100_000
    assert gaussian_process_cost(member)[1] > MAX_GP_WORK
    scales = _regressor(Matern(np.ones(10_000), nu=1.0), samples=2, features=10_000)
    assert gaussian_process_cost(scales)[1] > 10_000 * 5_000_000


@pytest.mark.parametrize("name", ["y_train_", "pi_", "W_sr_", "f_cached"])
def test_a_classifier_keeps_its_vectors_flat(name: str) -> None:
    # a column made the Newton loop's products (n, n, n) (rt84-05)
    rng = np.random.RandomState(0)
    x = rng.rand(30, 2)
    member = GaussianProcessClassifier(RBF(1.0), optimizer=None).fit(x, x[:, 0] > 0.5)
    member = member.base_estimator_
    check_gaussian_process(member, None)
    setattr(member, name, getattr(member, name)[:, np.newaxis])
    with pytest.raises(Bad, match=name):
        check_gaussian_process(member, None)


def test_a_kernel_holds_at_most_max_length_scales() -> None:
    from safeload.trust.structures.estimators import MAX_LENGTH_SCALES, check_kernel_values

    check_kernel_values(RBF(np.ones(MAX_LENGTH_SCALES)), None)
    with pytest.raises(Bad, match="length scales"):
        check_kernel_values(RBF(np.ones(MAX_LENGTH_SCALES + 1)), None)
    with pytest.raises(Bad, match="length scales"):
        check_kernel_values(Matern([1.0] * (MAX_LENGTH_SCALES + 1)), None)
