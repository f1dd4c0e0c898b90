"""Red team 45's fixes next to the honest models they must keep loading, and their parity.

rt45-02 (category_encoders): ``HashingEncoder.n_components`` is an int from 1 to
``MAX_OUTPUT_COLUMNS`` (an ``output_width`` dispatch row). rt45-05 and rt45-11 (lightgbm): a
wrapper's ``_n_features`` and ``_n_features_in`` are its Booster's ``num_feature()`` (-1 without
a Booster, as ``__init__`` leaves them). rt45-06: every feature name in a LightGBM model text
is at most ``MAX_FEATURE_NAME`` bytes, and there are ``max_feature_idx + 1`` of them. rt45-08:
``_classes`` is None or a 1-d ndarray. rt45-09: scan judges LightGBM's parameters on the values
the stream builds (numpy numbers and strings, arrays, sets), as the load judges the built ones.

Every crafted file here is refused by both ``scan`` and ``load_unsigned`` with a reason; every
honest one (defaults, binary, multiclass, regressor, pandas column names, inside
``SelectFromModel`` and ``Pipeline``; pickle protocols 2 and 5, joblib) scans SAFE and loads.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest

import safeload
from safeload import SafeloadError

RNG = np.random.RandomState(0)
X = RNG.rand(80, 3)
Y2 = (X[:, 0] > 0.5).astype(int)
Y3 = (X[:, 0] * 3).astype(int)
FORMATS = ("pickle-2", "pickle-5", "joblib")


def _dumped(model: Any, fmt: str) -> bytes:
    if fmt == "joblib":
        out = io.BytesIO()
        joblib.dump(model, out)
        return out.getvalue()
    return pickle.dumps(model, protocol=int(fmt.rpartition("-")[2]))


def _outcome(
    model: Any, tmp_path: Path, profiles: list[str], fmt: str = "pickle-5"
) -> tuple[bool, str, Any]:
    """(scan's verdict, 'loaded' or the load's refusal, what the load returned) for ``model``
    written in ``fmt``."""
    path = tmp_path / f"model-{fmt}.pkl"
    path.write_bytes(_dumped(model, fmt))
    safe = safeload.scan(path, profiles=profiles).safe
    try:
        loaded = safeload.load_unsigned(path, profiles=profiles)
    except SafeloadError as exc:
        return safe, f"refused: {exc}", None
    return safe, "loaded", loaded


def _honest(model: Any, tmp_path: Path, profiles: list[str], fmt: str = "pickle-5") -> Any:
    safe, outcome, loaded = _outcome(model, tmp_path, profiles, fmt)
    assert outcome == "loaded", outcome
    assert safe, safeload.scan(tmp_path / f"model-{fmt}.pkl", profiles=profiles).findings
    return loaded


def _refused(
    model: Any, tmp_path: Path, profiles: list[str], match: str, fmt: str = "pickle-5"
) -> None:
    safe, outcome, _ = _outcome(model, tmp_path, profiles, fmt)
    assert outcome.startswith("refused") and match in outcome, outcome
    assert not safe


# --- rt45-02: HashingEncoder.n_components --------------------------------------------------


def _frame() -> Any:
    pd = pytest.importorskip("pandas")
    return pd.DataFrame({"a": ["x", "y", "z", "x"], "b": [1.0, 2.0, 3.0, 4.0]})


def _hashing(**kw: Any) -> Any:
    ce = pytest.importorskip("category_encoders")
    return ce.HashingEncoder(max_process=1, **kw).fit(_frame())


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("n_components", [None, 1, 32, 2**24], ids=repr)
def test_honest_hashing_encoders_load(n_components: Any, fmt: str, tmp_path: Path) -> None:
    """The default (8), small counts and the bound itself; alone and in a Pipeline."""
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline

    small = n_components is None or n_components <= 32
    kw = {"n_components": n_components} if small and n_components is not None else {}
    enc = _hashing(**kw)
    if small:
        loaded = _honest(enc, tmp_path, ["category_encoders"], fmt)
        assert loaded.transform(_frame()).shape == enc.transform(_frame()).shape
        pipe = make_pipeline(
            pytest.importorskip("category_encoders").HashingEncoder(max_process=1, **kw),
            LinearRegression(),
        ).fit(_frame(), [1.0, 2.0, 3.0, 4.0])
        again = _honest(pipe, tmp_path, ["category_encoders"], fmt)
        assert np.allclose(again.predict(_frame()), pipe.predict(_frame()))
    else:
        # the bound itself loads (set after fitting: fit's own transform at 2**24 columns
        # takes gigabytes, and so does each transform of such an encoder, see SECURITY.md)
        enc.n_components = n_components
        assert _honest(enc, tmp_path, ["category_encoders"], fmt).n_components == 2**24


@pytest.mark.parametrize(
    "value",
    [0, -1, 2**24 + 1, 2**31, np.int64(8), np.int64(2**31), True, 8.0, "8", None, np.array(8), [8]],
    ids=repr,
)
def test_hashing_encoder_widths_refused_by_both(value: Any, tmp_path: Path) -> None:
    """Past the bound, not positive, or not an int exactly: scan and load both refuse (a numpy
    integer too: ``HashingEncoder.transform`` itself fails on one, ``int % numpy.int64``
    overflows)."""
    enc = _hashing()
    enc.n_components = value
    for fmt in ("pickle-2", "pickle-5"):
        _refused(enc, tmp_path, ["category_encoders"], "n_components", fmt)
