"""libsvm estimators fitted on sparse input (issue 15, item 1).

Honest models load with identical output from every writer; the arrays libsvm's sparse code
trusts (the support vectors' CSR arrays, the dual coefficients' data buffer, the Platt pairs) are
checked after building, and the forms that crash scikit-learn itself are shown to crash it in a
child process.
"""

from __future__ import annotations

import io
import pickle
import sys
import textwrap
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.svm import SVC, SVR, NuSVC, NuSVR, OneClassSVM

import zygote
from parity import load_unsigned
from safeload import MalformedArtifactError

RNG = np.random.RandomState(0)
X = RNG.rand(60, 6)
X[X < 0.4] = 0.0  # genuinely sparse rows
Y = (X[:, 0] + X[:, 1] > 0.8).astype(int)
Y3 = (X[:, 0] * 3).astype(int)

WRITERS = ["p2.pkl", "p4.pkl", "p5.pkl", "plain.joblib", "zlib.joblib", "xz.joblib"]


def _write(path: Path, model: Any) -> None:
    if path.name.endswith(".pkl"):
        path.write_bytes(pickle.dumps(model, protocol=int(path.name[1])))
        return
    buf = io.BytesIO()
    compress: Any = {"plain": 0, "zlib": ("zlib", 3), "xz": ("xz", 3)}[path.name.split(".")[0]]
    joblib.dump(model, buf, compress=compress)
    path.write_bytes(buf.getvalue())


def _fit(name: str, fmt: str) -> Any:
    data = sp.csr_matrix(X) if fmt == "csr" else sp.csc_matrix(X)
    with warnings.catch_warnings():  # probability= is deprecated in scikit-learn 1.9
        warnings.simplefilter("ignore", FutureWarning)
        models: dict[str, Callable[[], Any]] = {
            "SVC": lambda: SVC().fit(data, Y),
            "SVC-3-class": lambda: SVC().fit(data, Y3),
            "SVC-probability": lambda: SVC(probability=True, random_state=0).fit(data, Y3),
            "NuSVC": lambda: NuSVC().fit(data, Y),
            "NuSVC-probability": lambda: NuSVC(probability=True, random_state=0).fit(data, Y),
            "SVR": lambda: SVR().fit(data, X[:, 0]),
            "NuSVR": lambda: NuSVR().fit(data, X[:, 0]),
            "OneClassSVM": lambda: OneClassSVM().fit(data),
        }
        return models[name]()


def _outputs(model: Any, data: Any) -> list[Any]:
    out = [model.predict(data)]
    if hasattr(model, "decision_function"):
        out.append(model.decision_function(data))
    if getattr(model, "_effective_probability", False):
        out.append(model.predict_proba(data))
    return out


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize(
    "name",
    [
        "SVC",
        "SVC-3-class",
        "SVC-probability",
        "NuSVC",
        "NuSVC-probability",
        "SVR",
        "NuSVR",
        "OneClassSVM",
    ],
)
def test_sparse_fitted_svm_loads_with_identical_output(tmp_path: Path, name: str, fmt: str) -> None:
    """The issue's bug: every one of these was refused ("dual coefficients disagree")."""
    model = _fit(name, fmt)
    assert model._sparse
    data = sp.csr_matrix(X) if fmt == "csr" else sp.csc_matrix(X)
    expected = _outputs(model, data)
    for writer in WRITERS:
        path = tmp_path / writer
        _write(path, model)
        loaded = load_unsigned(path)
        for got, want in zip(_outputs(loaded, data), expected, strict=True):
            np.testing.assert_array_equal(got, want, err_msg=writer)
        # dense input on a sparse-fitted model goes through the same sparse code
        np.testing.assert_array_equal(loaded.predict(X), model.predict(X), err_msg=writer)


def _svc() -> Any:
    return SVC().fit(sp.csr_matrix(X), Y)


def _edit_support_vectors(edit: Callable[[Any], None]) -> Any:
    model = _svc()
    sv = model.support_vectors_.copy()
    edit(sv)
    model.support_vectors_ = sv
    return model


def _index_out_of_range(sv: Any) -> None:
    sv.indices[0] = 10**6


def _negative_index(sv: Any) -> None:
    sv.indices[0] = -(10**6)


def _indptr_not_monotone(sv: Any) -> None:
    sv.indptr[3] = sv.indptr[5] + 10**6


def _indptr_past_the_data(sv: Any) -> None:
    sv.indptr[-1] = 10**8


def _short_data(sv: Any) -> None:
    sv.data = sv.data[:-5]


def _indptr_not_from_zero(sv: Any) -> None:
    sv.indptr[0] = 1


def _short_indptr(sv: Any) -> None:
    sv.indptr = sv.indptr[:-1]


def _csc_support_vectors(model: Any) -> None:
    model.support_vectors_ = model.support_vectors_.tocsc()


def _csc_dual(model: Any) -> None:
    model._dual_coef_ = model._dual_coef_.tocsc()


def _dual_not_fully_stored(model: Any) -> None:
    dual = model._dual_coef_.tocoo()
    keep = np.arange(dual.nnz) != 0
    model._dual_coef_ = sp.csr_matrix(
        (dual.data[keep], (dual.row[keep], dual.col[keep])), shape=dual.shape
    )


def _sparse_precomputed(model: Any) -> None:
    """libsvm's sparse precomputed kernel reads ``x[(int) sv_value]`` of the input row."""
    model.kernel = "precomputed"
    model.shape_fit_ = (X.shape[0], X.shape[1])
    model.n_features_in_ = X.shape[0]
    sv = model.support_vectors_.copy()
    sv.data[:] = 1e9
    model.support_vectors_ = sv


def _probability_without_platt_pairs(model: Any) -> None:
    """libsvm copies one Platt pair per class pair from a null pointer."""
    model._effective_probability = True


def _model_edit(edit: Callable[[Any], None]) -> Callable[[], Any]:
    def build() -> Any:
        model = _svc()
        edit(model)
        return model

    return build


HOSTILE: list[tuple[str, Callable[[], Any], str]] = [
    ("index-out-of-range", lambda: _edit_support_vectors(_index_out_of_range), "column index"),
    ("negative-index", lambda: _edit_support_vectors(_negative_index), "column index"),
    ("indptr-not-monotone", lambda: _edit_support_vectors(_indptr_not_monotone), "monotone"),
    ("indptr-past-data", lambda: _edit_support_vectors(_indptr_past_the_data), "disagree"),
    ("short-data", lambda: _edit_support_vectors(_short_data), "data disagrees"),
    ("indptr-not-from-zero", lambda: _edit_support_vectors(_indptr_not_from_zero), "start at 0"),
    ("short-indptr", lambda: _edit_support_vectors(_short_indptr), "indptr has the wrong"),
    ("csc-support-vectors", _model_edit(_csc_support_vectors), "not a CSR matrix"),
    ("csc-dual-coefficients", _model_edit(_csc_dual), "not a CSR matrix"),
    ("dual-not-fully-stored", _model_edit(_dual_not_fully_stored), "disagree|not fully stored"),
    ("sparse-precomputed", _model_edit(_sparse_precomputed), "precomputed"),
    ("probability-no-pairs", _model_edit(_probability_without_platt_pairs), "_probA"),
]


@pytest.mark.parametrize(
    ("label", "build", "message"), HOSTILE, ids=[label for label, _, _ in HOSTILE]
)
@pytest.mark.parametrize("writer", ["p5.pkl", "zlib.joblib"])
def test_hostile_sparse_svm_is_refused(
    tmp_path: Path, label: str, build: Callable[[], Any], message: str, writer: str
) -> None:
    path = tmp_path / writer
    _write(path, build())
    with pytest.raises(MalformedArtifactError, match=message) as info:
        load_unsigned(path)
    assert str(path) in str(info.value) and "invalid SVC" in str(info.value)


#: The hostile forms on which scikit-learn's own predict faults (the others read a few values
#: out of bounds or compute wrong kernels, which a test cannot observe reliably).
CRASHES = ["indptr-not-monotone", "indptr-past-data", "sparse-precomputed", "probability-no-pairs"]


@pytest.mark.parametrize("label", CRASHES)
def test_plain_pickle_really_crashes(tmp_path: Path, label: str) -> None:
    """Proof that the checks matter: scikit-learn's predict on these files kills the process."""
    build = next(b for name, b, _ in HOSTILE if name == label)
    path = tmp_path / "bad.pkl"
    path.write_bytes(pickle.dumps(build(), protocol=5))
    width = X.shape[0] if label == "sparse-precomputed" else X.shape[1]
    code = textwrap.dedent(f"""
        import pickle, numpy as np, scipy.sparse as sp
        m = pickle.loads(open({str(path)!r}, 'rb').read())
        m.predict(sp.csr_matrix(np.ones((3, {width}))))
    """)
    proc = zygote.subprocess_run(
        [sys.executable, "-c", code], capture_output=True, timeout=120, check=False
    )
    assert proc.returncode < 0, (proc.returncode, proc.stderr[-300:])
