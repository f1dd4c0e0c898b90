"""SplineTransformer and scipy's BSpline (issue 15, item 1): honest models load by default with
identical output; the knots, coefficients, degree and stored ``_asarray`` that scipy's native
evaluation trusts are checked after building."""

from __future__ import annotations

import io
import pickle
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
from scipy.interpolate import BSpline
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import SplineTransformer

import zygote
from parity import load_unsigned
from safeload import MalformedArtifactError

RNG = np.random.RandomState(0)
X = RNG.rand(80, 3)
Y = np.sin(6 * X[:, 0]) + X[:, 1]
#: Inside and outside the training range (extrapolation is exercised).
X_NEW = np.random.RandomState(1).rand(40, 3) * 1.6 - 0.3

WRITERS = ["p2.pkl", "p4.pkl", "p5.pkl", "plain.joblib", "zlib.joblib", "xz.joblib"]


def _write(path: Path, obj: Any) -> None:
    if path.name.endswith(".pkl"):
        path.write_bytes(pickle.dumps(obj, protocol=int(path.name[1])))
        return
    buf = io.BytesIO()
    compress: Any = {"plain": 0, "zlib": ("zlib", 3), "xz": ("xz", 3)}[path.name.split(".")[0]]
    joblib.dump(obj, buf, compress=compress)
    path.write_bytes(buf.getvalue())


def _dense(out: Any) -> Any:
    return out.toarray() if hasattr(out, "toarray") else out


@pytest.mark.parametrize("extrapolation", ["constant", "linear", "continue", "periodic"])
@pytest.mark.parametrize("sparse_output", [False, True])
def test_spline_transformer_loads_with_identical_output(
    tmp_path: Path, extrapolation: str, sparse_output: bool
) -> None:
    model = SplineTransformer(
        n_knots=6, degree=3, extrapolation=extrapolation, sparse_output=sparse_output
    ).fit(X)
    expected = _dense(model.transform(X_NEW))
    for writer in WRITERS:
        path = tmp_path / writer
        _write(path, model)
        loaded = load_unsigned(path)
        np.testing.assert_array_equal(_dense(loaded.transform(X_NEW)), expected, err_msg=writer)
        assert list(loaded.get_feature_names_out()) == list(model.get_feature_names_out())


@pytest.mark.parametrize("degree", [1, 2, 5])
def test_spline_pipeline_predicts_identically(tmp_path: Path, degree: int) -> None:
    model = make_pipeline(
        SplineTransformer(degree=degree, knots="quantile", include_bias=False), Ridge()
    ).fit(X, Y)
    path = tmp_path / "p5.pkl"
    _write(path, model)
    np.testing.assert_array_equal(load_unsigned(path).predict(X_NEW), model.predict(X_NEW))


def test_a_standalone_bspline_loads(tmp_path: Path) -> None:
    spline = BSpline(np.array([0, 0, 0, 0.5, 1, 1, 1.0]), np.array([1.0, -2.0, 3.0, 0.5]), 2)
    path = tmp_path / "p4.pkl"
    _write(path, spline)
    loaded = load_unsigned(path)
    x = np.linspace(-0.2, 1.2, 15)
    np.testing.assert_array_equal(loaded(x), spline(x))
    np.testing.assert_array_equal(loaded.derivative()(x), spline.derivative()(x))


def _edit(change: Callable[[Any], None], **params: Any) -> Callable[[], Any]:
    def build() -> Any:
        model = SplineTransformer(**params).fit(X)
        change(model.bsplines_[1])
        return model

    return build


def _set(**state: Any) -> Callable[[Any], None]:
    return lambda spline: spline.__dict__.update(state)


def _knot(index: int, value: float) -> Callable[[Any], None]:
    def change(spline: Any) -> None:
        spline.__dict__["_t"] = spline._t.copy()
        spline._t[index] = value

    return change


def _model_edit(change: Callable[[Any], None]) -> Callable[[], Any]:
    def build() -> Any:
        model = SplineTransformer().fit(X)
        change(model)
        return model

    return build


HOSTILE: list[tuple[str, Callable[[], Any], str]] = [
    ("short-coefficients", _edit(lambda s: _set(_c=s._c[:2].copy())(s)), "disagree with knots"),
    ("long-knots", _edit(lambda s: _set(_t=np.linspace(0, 1, 500))(s)), "disagree with knots"),
    ("degree-too-big", _edit(_set(k=50)), "fewer than 2k\\+2 knots"),
    ("degree-negative", _edit(_set(k=-1)), "non-negative"),
    ("degree-not-int", _edit(_set(k=3.0)), "non-negative int"),
    ("knots-unsorted", _edit(_knot(5, 1e9)), "not sorted"),
    ("knots-nan", _edit(_knot(5, np.nan)), "not finite"),
    ("knots-inf", _edit(_knot(-1, np.inf)), "not finite"),
    ("few-knots", _edit(lambda s: _set(_t=s._t[:4].copy())(s)), "fewer than 2k\\+2"),
    ("knots-int", _edit(lambda s: _set(_t=s._t.astype(np.int64))(s)), "1-D float64"),
    ("knots-2d", _edit(lambda s: _set(_t=s._t.reshape(1, -1).copy())(s)), "1-D float64"),
    ("coefficients-object", _edit(lambda s: _set(_c=s._c.astype(object))(s)), "float64"),
    ("axis", _edit(_set(axis=1)), "axis"),
    ("extrapolate", _edit(_set(extrapolate="wrap")), "extrapolate"),
    ("asarray-swapped", _edit(_set(_asarray=np.log)), "_asarray is not numpy's"),
    ("width-differs", _edit(lambda s: _set(_c=np.eye(s._c.shape[0])[:, :3].copy())(s)), "widths"),
    ("degree-differs", _model_edit(lambda m: setattr(m, "degree", 2)), "degree disagrees"),
    ("one-spline-short", _model_edit(lambda m: m.bsplines_.pop()), "one spline per feature"),
    (
        "features-out",
        _model_edit(lambda m: setattr(m, "n_features_out_", 10**6)),
        "n_features_out_ disagrees",
    ),
]


@pytest.mark.parametrize(
    ("label", "build", "message"), HOSTILE, ids=[label for label, _, _ in HOSTILE]
)
def test_hostile_spline_is_refused(
    tmp_path: Path, label: str, build: Callable[[], Any], message: str
) -> None:
    path = tmp_path / "p5.pkl"
    _write(path, build())
    with pytest.raises(MalformedArtifactError, match=message) as info:
        load_unsigned(path)
    assert str(path) in str(info.value)


def test_a_stored_function_off_the_callable_allowlist_is_refused(tmp_path: Path) -> None:
    """A stored ``_asarray`` off the allowlist is refused before the validator runs. It used
    to be trusted by name, which reached the callable allowlist (its dispatch row); since rt14
    f05 a caller can trust only classes, so the function is refused when it is trusted, and
    the refusal of the file offers no advice to trust it."""
    from sklearn.utils.validation import column_or_1d

    from safeload import UntrustedTypeError, UsageError

    model = SplineTransformer().fit(X)
    model.bsplines_[0]._asarray = column_or_1d
    path = tmp_path / "p5.pkl"
    _write(path, model)
    with pytest.raises(UsageError, match="not a class"):
        load_unsigned(path, trusted=["sklearn.utils.validation.column_or_1d"])
    with pytest.raises(UntrustedTypeError, match="can never be trusted") as info:
        load_unsigned(path)
    assert "trusted=[" not in str(info.value)


def test_plain_pickle_reads_far_past_the_coefficients(tmp_path: Path) -> None:
    """Proof that the check matters: with knots far longer than the coefficients (and the
    coefficients wide), scipy's evaluation reads gigabytes past their buffer and faults."""
    model = SplineTransformer().fit(X)
    spline = model.bsplines_[0]
    spline.__dict__.update(_t=np.linspace(-1, 2, 100_000), _c=np.ones((1, 100_000)))
    path = tmp_path / "bad.pkl"
    path.write_bytes(pickle.dumps(model, protocol=5))
    with pytest.raises(MalformedArtifactError, match="disagree with knots"):
        load_unsigned(path)
    code = textwrap.dedent(f"""
        import pickle, numpy as np
        m = pickle.loads(open({str(path)!r}, 'rb').read())
        m.transform(np.full((3, 3), 1.9))
    """)
    proc = zygote.subprocess_run(
        [sys.executable, "-c", code], capture_output=True, timeout=120, check=False
    )
    assert proc.returncode < 0, (proc.returncode, proc.stderr[-300:])
