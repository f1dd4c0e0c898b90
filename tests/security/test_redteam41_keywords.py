"""Red team 41's rt41-11 (stored keywords that make a function write into the caller's data)."""

from __future__ import annotations

import functools
import pickle
from pathlib import Path

import numpy as np
import pytest

from redteam import PLAIN_MODEL, load_honest, parity

X = np.random.RandomState(0).rand(30, 3)
Y2 = np.arange(30) % 2


# --- rt41-11: a stored overwrite_input=True makes np.median sort the caller's array ------------


def _rt41_11_transformer(form: str) -> bytes:
    from sklearn.preprocessing import FunctionTransformer

    if form == "kw_args":
        m = FunctionTransformer(np.median, kw_args={"overwrite_input": True, "axis": 1})
    else:
        m = FunctionTransformer(functools.partial(np.median, overwrite_input=True, axis=1))
    return pickle.dumps(m.fit(X), protocol=5)


@pytest.mark.parametrize("form", ["kw_args", "partial"])
def test_rt41_11_median_overwrite_input_writes_caller_data(form: str, tmp_path: Path) -> None:
    """~500 bytes: a fitted ``FunctionTransformer(np.median, kw_args={'overwrite_input':
    True, 'axis': 1})``, or the same as ``functools.partial(np.median, overwrite_input=True,
    axis=1)``. ``np.median`` is on the callable allowlist and a partial binding keywords only
    is allowed; ``keyword_problem`` refuses ``out``, ``where``, ``n_jobs``, ``labels`` and
    ``dtype`` keywords, not ``overwrite_input``. FunctionTransformer (``validate=False``, its
    default) hands the caller's array itself to ``func``, and ``np.median(...,
    overwrite_input=True)`` partially sorts it in place: ``transform(data)`` returns the
    medians and leaves the caller's ``data`` reordered (each row sorted here). The same harm
    the ``out=``/positional-argument rules exist for (the caller's data turned into an output
    buffer). Scan SAFE, load_unsigned loads it."""
    from redteam import child, write

    path = write(tmp_path, _rt41_11_transformer(form))
    code = (
        PLAIN_MODEL + "data = numpy.array([[3.0, 1.0, 2.0], [9.0, 7.0, 8.0]])\n"
        "before = data.copy()\n"
        "model.transform(data)\n"
        "print('changed', not numpy.array_equal(before, data), flush=True)\n"
    )
    plain = child(code, path)
    assert "changed True" in plain.stdout, str(plain)
    assert parity(path.read_bytes(), tmp_path) == (False, "refused")


def test_rt41_11_mutual_info_copy_false_writes_caller_data(tmp_path: Path) -> None:
    """~600 bytes, the same class as the ``overwrite_input`` case: a fitted SelectKBest whose
    ``score_func`` is ``functools.partial(mutual_info_classif, copy=False)`` (on the callable
    allowlist; ``copy`` is not a refused keyword). ``fit`` (a public method the promise covers)
    hands the caller's float64 array through ``validate_data`` uncopied, and
    ``_estimate_mi(copy=False)`` scales its continuous columns and adds noise in place: the
    caller's ``X`` comes back changed. Scan SAFE, load_unsigned loads it."""
    from sklearn.feature_selection import SelectKBest, mutual_info_classif

    from redteam import child, write

    m = SelectKBest(functools.partial(mutual_info_classif, copy=False), k=2).fit(X.copy(), Y2)
    path = write(tmp_path, pickle.dumps(m, protocol=5))
    code = (
        PLAIN_MODEL + "data = numpy.random.RandomState(0).rand(30, 3)\n"
        "before = data.copy()\n"
        "model.fit(data, numpy.arange(30) % 2)\n"
        "print('changed', not numpy.array_equal(before, data), flush=True)\n"
    )
    plain = child(code, path)
    assert "changed True" in plain.stdout, str(plain)
    assert parity(path.read_bytes(), tmp_path) == (False, "refused")


@pytest.mark.parametrize(
    "func",
    [
        functools.partial(np.median, axis=1, overwrite_input=False),
        np.median,
    ],
    ids=["median-overwrite-False", "median"],
)
def test_functions_that_copy_their_input_still_load(func: object, tmp_path: Path) -> None:
    """Stored with the value that leaves the input alone (or not stored), the same keywords
    load and scan SAFE."""
    from sklearn.preprocessing import FunctionTransformer

    model = load_honest(FunctionTransformer(func).fit(X), tmp_path)
    data = X.copy()
    model.transform(data)
    assert np.array_equal(data, X)


@pytest.mark.parametrize("value", [np.True_, 1, None, "yes"])
def test_in_place_keywords_take_only_a_plain_bool(value: object, tmp_path: Path) -> None:
    """``overwrite_input`` stored as numpy's True, 1, None or a string: refused by both
    sides (numpy reads any truthy value as True)."""
    from sklearn.preprocessing import FunctionTransformer

    m = FunctionTransformer(np.median, kw_args={"overwrite_input": value, "axis": 1}).fit(X)
    assert parity(pickle.dumps(m, protocol=5), tmp_path) == (False, "refused")


def test_mutual_info_with_copy_true_still_loads(tmp_path: Path) -> None:
    """A SelectKBest scoring with ``partial(mutual_info_classif, copy=True)``: loads, and its
    ``fit`` leaves the caller's data alone."""
    from sklearn.feature_selection import SelectKBest, mutual_info_classif

    m = SelectKBest(functools.partial(mutual_info_classif, copy=True), k=2).fit(X, Y2)
    model = load_honest(m, tmp_path)
    data = X.copy()
    model.fit(data, Y2)
    assert np.array_equal(data, X)
