"""Red team 42's rt42-01: an estimator's own ``copy=False`` writes into the caller's data."""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import child, load_honest, parity, write

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
    ``object_checks.IN_PLACE_KEYWORDS`` held ``copy`` to ``True`` only in a partial's or a
    ``kw_args`` dict; the same ``copy=False`` stored as an estimator parameter passes
    ``_parameter_constraints`` (it is a bool), so a fitted ``StandardScaler(copy=False)``
    scanned SAFE and loaded, and ``transform(data)`` (``fit(data, y)`` for a LinearRegression
    with ``copy_X=False``: it centers X in place) returned its result and left the caller's
    ``data`` rewritten: scaled, clipped, binarized, quantile-mapped. Shown under plain
    pickle. Fixed: ``safeload.trust.in_place`` holds every estimator's ``copy``, ``copy_X``
    and ``copy_x`` to True, in the load (``usetime``) and in scan (``shadow``), except a
    sub-estimator in the one slot an honest fit fills that way, which its holder feeds only
    private copies (a PowerTransformer's ``_scaler``, below)."""
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


# --- rt42-01's exception: a PowerTransformer's private StandardScaler(copy=False) -------------


def _transform_leaves_data(loaded: Any) -> None:
    data = X.copy()
    loaded.transform(data)
    loaded.inverse_transform(loaded.transform(data))
    assert np.array_equal(data, X)


@pytest.mark.parametrize("method", ["yeo-johnson", "box-cox"])
def test_power_transformer_private_scaler_loads(method: str, tmp_path: Path) -> None:
    """``PowerTransformer.fit`` stores ``StandardScaler(copy=False)`` as ``_scaler`` and, with
    its own ``copy=True``, hands it only arrays it copied: scan SAFE, load, and the caller's
    data stays as it was (transform and inverse_transform)."""
    from sklearn.preprocessing import PowerTransformer

    model = PowerTransformer(method=method).fit(X)
    assert model._scaler.copy is False  # what an honest fit stores
    _transform_leaves_data(load_honest(model, tmp_path))


def test_power_transformer_in_pipeline_and_union_loads(tmp_path: Path) -> None:
    """The same private scaler deeper in a model: a pipeline's step, a union's branch."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.preprocessing import PowerTransformer, StandardScaler

    model = make_pipeline(
        make_union(PowerTransformer(), StandardScaler()), LogisticRegression()
    ).fit(X, Y2)
    loaded = load_honest(model, tmp_path)
    data = X.copy()
    loaded.predict(data)
    assert np.array_equal(data, X)


def test_power_transformer_without_standardize_loads(tmp_path: Path) -> None:
    """``standardize=False``: no ``_scaler`` at all."""
    from sklearn.preprocessing import PowerTransformer

    _transform_leaves_data(load_honest(PowerTransformer(standardize=False).fit(X), tmp_path))


def test_power_transformer_scaler_shared_with_a_step(tmp_path: Path) -> None:
    """The private scaler is private only if nothing else holds it: the same object (one
    memo reference) also as a pipeline's first step gets the caller's array, and its
    ``copy=False`` scales it in place. Refused by both sides; shown under plain pickle."""
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import PowerTransformer

    power = PowerTransformer().fit(X)
    model = Pipeline([("shared", power._scaler), ("power", power)])
    path = write(tmp_path, pickle.dumps(model, protocol=5))
    plain = child(_CHANGED.format(call="model.transform(data)"), path)
    assert "changed True" in plain.stdout, str(plain)
    assert parity(path.read_bytes(), tmp_path) == (False, "refused")


def test_power_transformer_without_copy_refuses_its_scaler(tmp_path: Path) -> None:
    """A PowerTransformer with ``copy=True`` whose ``_scaler`` is held twice by it (the slot
    and a spare attribute) is no private slot either; and a holder with ``copy=False`` makes
    no copy for it (refused for its own ``copy`` first, and its scaler is not private)."""
    from sklearn.preprocessing import PowerTransformer

    power = PowerTransformer().fit(X)
    power.__dict__["spare_"] = power._scaler
    assert parity(pickle.dumps(power, protocol=5), tmp_path) == (False, "refused")
    own = PowerTransformer().fit(X)
    own.copy = False
    assert parity(pickle.dumps(own, protocol=5), tmp_path) == (False, "refused")


def test_scaler_of_copy_false_elsewhere_than_its_slot(tmp_path: Path) -> None:
    """A ``StandardScaler(copy=False)`` in another class's ``_scaler`` attribute, or as a
    PowerTransformer's other attribute, is not in a private slot: refused by both."""
    from sklearn.preprocessing import MinMaxScaler, PowerTransformer, StandardScaler

    holder = MinMaxScaler().fit(X)
    holder.__dict__["_scaler"] = StandardScaler(copy=False).fit(X)
    assert parity(pickle.dumps(holder, protocol=5), tmp_path) == (False, "refused")
    power = PowerTransformer().fit(X)
    power.__dict__["_other"] = StandardScaler(copy=False).fit(X)
    assert parity(pickle.dumps(power, protocol=5), tmp_path) == (False, "refused")


# --- the other in-place parameters, and a grid that sets them ------------------------------


def test_kmeans_copy_x_false_refused(tmp_path: Path) -> None:
    """``KMeans(copy_x=False).fit(X)`` subtracts the mean from the caller's array and adds it
    back (equal up to rounding, and written meanwhile): refused by both sides."""
    from sklearn.cluster import KMeans

    model = KMeans(2, copy_x=False, n_init=1, random_state=0).fit(X.copy())
    assert parity(pickle.dumps(model, protocol=5), tmp_path) == (False, "refused")


def test_hdbscan_precomputed_copy_default_writes(tmp_path: Path) -> None:
    """HDBSCAN's ``copy`` (default ``"warn"``, meaning False) is used only with
    ``metric="precomputed"``, whose ``fit`` writes the mutual reachability into the caller's
    distance matrix: refused there; with any other metric the default loads."""
    from sklearn.cluster import HDBSCAN

    warnings.simplefilter("ignore")
    distances = np.abs(X[:, None, :] - X[None, :, :]).sum(axis=2)
    model = HDBSCAN(metric="precomputed").fit(distances.copy())
    path = write(tmp_path, pickle.dumps(model, protocol=5))
    code = (
        "import pickle, numpy\nmodel = pickle.load(open(sys.argv[1], 'rb'))\n"
        "x = numpy.random.RandomState(0).rand(30, 3)\n"
        "data = numpy.abs(x[:, None, :] - x[None, :, :]).sum(axis=2)\n"
        "before = data.copy()\nmodel.fit(data)\n"
        "print('changed', not numpy.array_equal(before, data), flush=True)\n"
    )
    plain = child(code, path)
    assert "changed True" in plain.stdout, str(plain)
    assert parity(path.read_bytes(), tmp_path) == (False, "refused")
    load_honest(HDBSCAN(metric="precomputed", copy=True).fit(distances), tmp_path)
    load_honest(HDBSCAN().fit(X), tmp_path)


def test_grid_setting_copy_false_refused(tmp_path: Path) -> None:
    """A search's grid that sets ``copy=False``: ``fit`` refits the best candidate on the
    caller's data, and a pipeline's scaler step then scales it in place. Refused by both
    sides (the grid rule, for any estimator's in-place parameters); a grid of ``True``
    loads."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    search = GridSearchCV(pipe, {"standardscaler__copy": [False]}, cv=2).fit(X, Y2)
    search.best_estimator_.steps[0][1].copy = True  # only the grid says False
    path = write(tmp_path, pickle.dumps(search, protocol=5))
    plain = child(_CHANGED.format(call="model.fit(data, numpy.arange(30) % 2)"), path)
    assert "changed True" in plain.stdout, str(plain)
    assert parity(path.read_bytes(), tmp_path) == (False, "refused")
    honest = GridSearchCV(pipe, {"standardscaler__copy": [True]}, cv=2).fit(X, Y2)
    load_honest(honest, tmp_path)
