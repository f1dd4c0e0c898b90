"""Shared fixtures: keys are generated per session (no key material is committed)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from threadpoolctl import threadpool_limits

from safeload import HMACKey, SigningKey

# One OpenMP/BLAS thread per test process, as `make unit` sets it (see TEST_THREADS in the
# Makefile): for children started from here, and for the libraries this process has loaded
# already (safeload's pytest plugin imports numpy before this file runs). LightGBM's
# scikit-learn wrapper ignores OMP_NUM_THREADS: with n_jobs=None it runs a thread per physical
# core (joblib's cpu_count, which LOKY_MAX_CPU_COUNT caps); two of those spinning beside the
# other worker made a 3 s test of honest boosters take 17 s.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "LOKY_MAX_CPU_COUNT"):
    os.environ.setdefault(_var, "1")
threadpool_limits(int(os.environ["OMP_NUM_THREADS"]))

@pytest.fixture(autouse=True)
def _environment_restored() -> Iterator[None]:
    """Fail a test that leaves the process environment changed (use ``monkeypatch.setenv``;
    a module's fixture may set it for the module and restore it after). The harm children
    are forks of a zygote started with the environment the tests started with
    (``zygote.py``); a child whose environment differs is a fresh interpreter, seconds of
    imports instead of milliseconds. One test module that set ``LOKY_MAX_CPU_COUNT`` at import
    made every later child of its worker a fresh interpreter, and the suite 50% slower, with
    nothing failing."""
    before = dict(os.environ)
    yield
    changed = {
        key
        for key in set(os.environ) | set(before)
        if key != "PYTEST_CURRENT_TEST" and os.environ.get(key) != before.get(key)
    }
    assert not changed, f"the test left these environment variables changed: {sorted(changed)}"


AREAS = np.array([[2600], [3000], [3200], [3600], [4000]])
PRICES = np.array([550000, 565000, 610000, 680000, 725000])


@pytest.fixture(scope="session")
def ed_key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture(scope="session")
def other_key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture(scope="session")
def hmac_key() -> HMACKey:
    return HMACKey.generate()


@pytest.fixture(scope="session")
def home_model() -> LinearRegression:
    return LinearRegression().fit(AREAS, PRICES)


@pytest.fixture()
def signed_joblib(tmp_path: Path, ed_key: SigningKey, home_model: LinearRegression) -> Path:
    from safeload import dump

    path = tmp_path / "model.joblib"
    dump(home_model, path, ed_key)
    return path
