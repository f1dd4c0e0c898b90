"""Red team 42's rt42-01: an estimator's own ``copy=False`` writes into the caller's data."""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import child, load_honest, open_finding, parity, write

X = np.random.RandomState(0).rand(30, 3)
Y2 = np.arange(30) % 2

_CHANGED = (
    "import pickle, numpy\nmodel = pickle.load(open(sys.argv[1], 'rb'))\n"
    "data = numpy.random.RandomState(0).rand(30, 3)\n"
    "before = data.copy()\n"
    "{call}\n"
    "print('changed', not numpy.array_equal(before, data), flush=True)\n"
)


# --- rt42-01: an estimator's own copy=False writes into the caller's data --------------------


def _rt42_01_model(kind: str) -> Any:
    from sklearn.linear_model import LinearRegression
    from sklearn.preprocessing import (
        Binarizer,
        MaxAbsScaler,
        MinMaxScaler,
        Normalizer,
        PowerTransformer,
        QuantileTransformer,
        RobustScaler,
        StandardScaler,
    )

    warnings.simplefilter("ignore")
    return {
        "StandardScaler": lambda: StandardScaler(copy=False).fit(X.copy()),
        "MinMaxScaler": lambda: MinMaxScaler(copy=False).fit(X.copy()),
        "Normalizer": lambda: Normalizer(copy=False).fit(X.copy()),
        "MaxAbsScaler": lambda: MaxAbsScaler(copy=False).fit(X.copy()),
        "RobustScaler": lambda: RobustScaler(copy=False).fit(X.copy()),
        "Binarizer": lambda: Binarizer(copy=False).fit(X.copy()),
        "PowerTransformer": lambda: PowerTransformer(copy=False).fit(X.copy()),
        "QuantileTransformer": lambda: QuantileTransformer(copy=False, n_quantiles=10).fit(
            X.copy()
        ),
        "LinearRegression-fit": lambda: LinearRegression(copy_X=False).fit(X.copy(), Y2),
    }[kind]()


@open_finding(
    42,
    "rt42-01: an estimator's stored copy=False writes into the caller's data (open: an honest "
    "PowerTransformer holds StandardScaler(copy=False) as _scaler, so the rule needs the holder)",
)
@pytest.mark.parametrize(
    "kind",
    [
        "StandardScaler",
        "MinMaxScaler",
        "Normalizer",
        "MaxAbsScaler",
        "RobustScaler",
        "Binarizer",
        "PowerTransformer",
        "QuantileTransformer",
        "LinearRegression-fit",
    ],
)
def test_rt42_01_estimator_copy_false_writes_caller_data(kind: str, tmp_path: Path) -> None:
    """~500 bytes to 1 KB: rt41-11's harm (the caller's array rewritten in place) from the
    estimator's own ``copy`` / ``copy_X`` parameter instead of a stored keyword.
    ``object_checks.IN_PLACE_KEYWORDS`` holds ``copy`` to ``True`` only in a partial's or a
    ``kw_args`` dict; the same ``copy=False`` stored as an estimator parameter passes
    ``_parameter_constraints`` (it is a bool), so a fitted ``StandardScaler(copy=False)``
    scans SAFE and loads, and ``transform(data)`` (``fit(data, y)`` for a LinearRegression
    with ``copy_X=False``: it centers X in place) returns its result and leaves the caller's
    ``data`` rewritten: scaled, clipped, binarized, quantile-mapped. Shown under plain
    pickle; safeload loads the same bytes and the call changes the data in the same way."""
    model = _rt42_01_model(kind)
    path = write(tmp_path, pickle.dumps(model, protocol=5))
    call = (
        "model.fit(data, numpy.arange(30) % 2)"
        if kind.endswith("-fit")
        else "model.transform(data)"
    )
    plain = child(_CHANGED.format(call=call), path)
    assert "changed True" in plain.stdout, str(plain)
    assert parity(path.read_bytes(), tmp_path) == (False, "refused")


@pytest.mark.parametrize("kind", ["StandardScaler", "PCA", "LinearRegression", "SimpleImputer"])
def test_estimators_that_copy_still_load(kind: str, tmp_path: Path) -> None:
    """The default ``copy=True`` / ``copy_X=True``: scan SAFE, load, and the caller's data
    stays as it was."""
    from sklearn.decomposition import PCA
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LinearRegression
    from sklearn.preprocessing import StandardScaler

    model: Any = {
        "StandardScaler": lambda: StandardScaler().fit(X),
        "PCA": lambda: PCA(2).fit(X),
        "LinearRegression": lambda: LinearRegression().fit(X, Y2),
        "SimpleImputer": lambda: SimpleImputer().fit(X),
    }[kind]()
    loaded = load_honest(model, tmp_path)
    data = X.copy()
    if kind == "LinearRegression":
        loaded.fit(data, Y2)
    else:
        loaded.transform(data)
    assert np.array_equal(data, X)
