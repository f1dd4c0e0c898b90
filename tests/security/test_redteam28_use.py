"""Red team 28, the use-time findings fixed after the round (rt28-03, rt28-09, rt28-14 to
rt28-16): state that sizes what a loaded model's public methods allocate or compute (an
encoder's ``dtype`` given as a type string, fitted ints of forests and boosters, a seed
sequence's entropy), arrays inside checked pandas objects in the aliasing check, and the
sharing bound on a leaf repeated in a flat list. Each test shows the harm under plain pickle
in a child process under resource limits, then the refusal by ``load_unsigned`` (after
building, before anything is returned) and by scan, with the shipped class facts and without
them."""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import GB, HANG_CPU, PLAIN, Call, hgb_nodes, refused, run_child, verdicts, write

# --- rt28-03: the arrays of checked pandas objects are in the aliasing check -----------------


def _rt28_03() -> bytes:
    """A HistGradientBoosting predictor's ``nodes`` built over bytes ``B`` and a DataFrame
    whose float64 block is built over ``bytes(B)``, which CPython returns as ``B`` itself: one
    memory, two arrays (the block reinterprets the nodes as floats)."""
    import pandas as pd
    from numpy._core.multiarray import _reconstruct

    hgb, nodes, raw = hgb_nodes()
    df = pd.DataFrame(np.zeros((7, len(raw) // 56)))
    vals = df._mgr.blocks[0].values
    assert vals.flags.c_contiguous and vals.nbytes == len(raw)
    via = Call(bytes, raw)

    class P(pickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            state = {id(nodes): raw, id(vals): via}.get(id(obj))
            if state is None:
                return NotImplemented
            return (_reconstruct, (np.ndarray, (0,), b"b"), (1, obj.shape, obj.dtype, False, state))

    buf = io.BytesIO()
    P(buf, protocol=2).dump({"hgb": hgb, "df": df})
    return buf.getvalue()


_DF_WRITES_NODES = (
    "import numpy as np\n"
    "df, hgb = model['df'], model['hgb']\n"
    "node = hgb._predictors[0][0].nodes[:1].copy(); node['feature_idx'] = 10**9\n"
    "df.iloc[0:7, 0] = node.view(np.float64)\n"  # a user writing numbers into the frame
    "print('written', flush=True)\n"
    "hgb.predict(np.random.RandomState(0).rand(5, 4))\n"
    "print('returned', flush=True)\n"
)


def test_rt28_03_pandas_blocks_are_in_the_aliasing_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the opt-in ``pandas`` profile, the use-time walk takes checked pandas objects as
    values, so their arrays never reached ``check_array_aliasing``: a DataFrame block over the
    bytes of a HGB predictor's nodes loaded, and writing numbers into the frame
    (``df.iloc[...] = ...``, in place) rewrote the nodes: ``predict`` segfaults under plain
    pickle. The walk now hands the arrays inside checked pandas objects (block values, index
    data, codes) to the dtype and aliasing checks."""
    import safeload
    from safeload import SafeloadError

    data = _rt28_03()
    path = write(tmp_path, data)
    plain = run_child(PLAIN + _DF_WRITES_NODES, path, memory=4 * GB, cpu=30)
    assert plain.crashed and "written" in plain.output, f"plain: {plain}"
    # the static pass refuses the second claim on B through bytes(B) (rt28-02) ...
    with pytest.raises(SafeloadError, match="two arrays over one bytes object"):
        safeload.load_unsigned(path, profiles=["pandas"])
    assert verdicts(data, monkeypatch, profiles=["pandas"]) == {"unsafe"}
    # ... and the check after building sees the frame's block over the nodes' memory
    from safeload.validate import validate_loaded

    built = pickle.loads(data)  # builds only: the harm needs a write and a predict
    with pytest.raises(SafeloadError, match="same memory"):
        validate_loaded(built, "m.pkl")


def _series_over_sparse_indices() -> bytes:
    """A csr matrix and a Series whose values are the matrix's ``indices`` (one array object
    through the memo): the aliasing check allows one array reached twice."""
    import pandas as pd
    import scipy.sparse as sp

    m = sp.csr_matrix(np.eye(4) * 2.0)
    s = pd.Series(m.indices, copy=False)
    assert s._mgr.blocks[0].values is m.indices
    return pickle.dumps({"m": m, "s": s}, protocol=4)


def test_rt28_03_a_pandas_block_is_no_array_of_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found while fixing rt28-03: a Series whose block *is* an array the model holds (one
    object, so one root for ``check_array_aliasing``) loaded with the pandas profile, and
    ``s[:] = 10**9`` (in place) rewrote a checked sparse matrix's column indices: ``m @ x``
    reads far out of bounds (SIGSEGV under plain pickle). A numeric pandas block may not be
    an array the walk reaches elsewhere, in load and scan alike."""
    import safeload
    from safeload import SafeloadError

    data = _series_over_sparse_indices()
    path = write(tmp_path, data)
    use = (
        "import numpy as np\nmodel['s'][:] = 10**9\nprint('written', flush=True)\n"
        "print(model['m'] @ np.ones(4))\nprint('returned', flush=True)\n"
    )
    plain = run_child(PLAIN + use, path, memory=4 * GB, cpu=30)
    assert plain.crashed and "written" in plain.output, f"plain: {plain}"
    with pytest.raises(SafeloadError, match="values of a pandas block"):
        safeload.load_unsigned(path, profiles=["pandas"])
    assert verdicts(data, monkeypatch, profiles=["pandas"]) == {"unsafe"}


def test_rt28_03_a_kd_tree_index_array_as_a_series(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same, with a KD tree's ``idx_array`` as the Series' values: ``KDTree`` is a Python
    subclass of the extension type and has an (empty) ``__dict__``, so the use-time walk never
    looked into its reduced state, and its arrays were in no check after building. The walk
    now enters the reduced state of such classes, and the Series is refused (scan already
    refused it). Plain pickle: ``predict`` after ``s[:] = 10**9`` reads out of bounds."""
    import pandas as pd
    from sklearn.neighbors import KNeighborsClassifier

    import safeload
    from safeload import SafeloadError

    rng = np.random.RandomState(0)
    X = rng.rand(50, 3)
    knn = KNeighborsClassifier(algorithm="kd_tree").fit(X, (X[:, 0] > 0.5).astype(int))
    idx = knn._tree.__getstate__()[1]
    s = pd.Series(idx, copy=False)
    assert s._mgr.blocks[0].values is idx
    data = pickle.dumps({"knn": knn, "s": s}, protocol=4)
    path = write(tmp_path, data)
    use = (
        "import numpy as np\nmodel['s'][:] = 10**9\nprint('written', flush=True)\n"
        "model['knn'].predict(np.random.rand(3, 3))\nprint('returned', flush=True)\n"
    )
    plain = run_child(PLAIN + use, path, memory=4 * GB, cpu=30)
    assert plain.crashed and "written" in plain.output, f"plain: {plain}"
    with pytest.raises(SafeloadError, match="values of a pandas block"):
        safeload.load_unsigned(path, profiles=["pandas"])
    assert safeload.scan(data, profiles=["pandas"]).verdict == "unsafe"


def test_rt28_03_honest_frames_still_load(tmp_path: Path) -> None:
    """Frames and series (numeric, categorical, string, named index) next to a model load
    with the pandas profile: their arrays are distinct memory."""
    import pandas as pd
    from sklearn.linear_model import LinearRegression

    import safeload

    df = pd.DataFrame(
        {"a": [1.0, 2.0, 3.0], "b": [1, 2, 3], "c": pd.Categorical(["x", "y", "x"])},
        index=pd.Index(["r1", "r2", "r3"], name="row"),
    )
    model = LinearRegression().fit(df[["a", "b"]].to_numpy(), [1.0, 2.0, 3.0])
    data = pickle.dumps({"df": df, "s": df["a"], "m": model}, protocol=4)
    loaded = safeload.load_unsigned(write(tmp_path, data), profiles=["pandas"])
    assert loaded["df"].equals(df) and loaded["s"].equals(df["a"])
    assert safeload.scan(data, profiles=["pandas"]).verdict == "safe"


# --- rt28-09: an encoder's dtype parameter as a type string, or a 1 MiB dtype -----------------

_RT28_09 = {
    # (class, dtype parameter, rows transformed): each row allocates one item per output column
    "OneHotEncoder-str-S": ("OneHotEncoder", "S1073741824", 3),  # 1 GiB per row
    "OrdinalEncoder-str-U": ("OrdinalEncoder", "U268435456", 3),  # 1 GiB per row
    "OneHotEncoder-str-record": ("OneHotEncoder", "f8,(1073741824)V1", 3),  # a 1 GiB record
    "OneHotEncoder-dtype-S1MiB": ("OneHotEncoder", np.dtype("S1048576"), 3000),  # 1 MiB items
}


def _rt28_09(form: str) -> bytes:
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

    name, dt, _rows = _RT28_09[form]
    enc: Any = OneHotEncoder(sparse_output=False) if name == "OneHotEncoder" else OrdinalEncoder()
    enc.fit(np.array([[0], [1]]))
    enc.dtype = dt
    return pickle.dumps(enc, protocol=2)


@pytest.mark.parametrize("form", list(_RT28_09))
def test_rt28_09_dtype_parameter_is_a_number_type(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """numpy takes a type string wherever it takes a dtype, and the encoders' ``dtype``
    parameter is ``no_validation`` in scikit-learn: ``'S1073741824'`` (or ``'U268435456'``, or
    the record ``'f8,(1073741824)V1'``) makes ``transform`` allocate 1 GiB per row, and a dtype
    object of exactly 1 MiB (under the dtype checks' bound) 1 MiB per row. Plain pickle:
    ``transform`` of 3 (3,000) rows runs out of memory. Every ``dtype`` attribute of an
    estimator is now a numeric scalar type, a plain dtype of one, or a short code naming one."""
    data = _rt28_09(form)
    path = write(tmp_path, data)
    rows = _RT28_09[form][2]
    use = (
        "import numpy as np\n"
        "try:\n"
        f"    model.transform(np.zeros(({rows}, 1), dtype=int))\n"
        "    print('returned', flush=True)\n"
        "except MemoryError:\n"
        "    print('transform MemoryError', flush=True)\n"
    )
    plain = run_child(PLAIN + use, path, grow=GB, cpu=30, imports=("sklearn.preprocessing",))
    assert "transform MemoryError" in plain.output, f"plain: {plain}"
    refused(tmp_path, data, r"\.dtype: .*(not a numeric scalar type|numeric type code)")
    assert verdicts(data, monkeypatch) == {"unsafe"}


@pytest.mark.parametrize(
    "dtype", [np.float64, np.float32, np.int64, np.bool_, float, int, bool, "float32", None]
)
def test_rt28_09_number_types_load(
    dtype: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What honest encoders hold (a numpy number type, the default ``numpy.float64``, a
    builtin number type, a short code such as ``'float32'``) loads and scans safe."""
    from sklearn.preprocessing import OneHotEncoder

    import safeload

    enc = OneHotEncoder(sparse_output=False).fit(np.array([[0], [1]]))
    enc.dtype = dtype
    if dtype is None:
        enc.dtype = np.dtype("float32")
    data = pickle.dumps(enc, protocol=4)
    loaded = safeload.load_unsigned(write(tmp_path, data))
    assert loaded.transform(np.array([[1]])).tolist() == [[0, 1]]
    assert verdicts(data, monkeypatch) == {"safe"}


def test_rt28_09_other_dtype_holders_and_grids(tmp_path: Path) -> None:
    """The row is on every estimator: DictVectorizer, the text vectorizers and
    KBinsDiscretizer are held to it too, and a search may not set such a dtype in ``fit``."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.model_selection import GridSearchCV
    from sklearn.preprocessing import KBinsDiscretizer, OneHotEncoder

    vec = DictVectorizer(sparse=False).fit([{"a": 1}])
    vec.dtype = "S1073741824"
    refused(tmp_path, pickle.dumps(vec, protocol=4), r"\.dtype: ")
    kb = KBinsDiscretizer(n_bins=2).fit(np.array([[0.0], [1.0], [2.0]]))
    kb.dtype = "U268435456"
    refused(tmp_path, pickle.dumps(kb, protocol=4), r"\.dtype: ")
    search = GridSearchCV(OneHotEncoder(), {"dtype": [np.float64, "S1073741824"]})
    refused(tmp_path, pickle.dumps(search, protocol=4), r"param_grid.*dtype")


# --- rt28-14: fitted ints that size what predict allocates ------------------------------------


def _rt28_14(form: str) -> bytes:
    from sklearn import ensemble

    rng = np.random.RandomState(0)
    X = rng.rand(60, 4)
    y = (X[:, 0] * 3).astype(int)
    model: Any
    if form == "HGB.n_trees_per_iteration_":
        model = ensemble.HistGradientBoostingRegressor(max_iter=2).fit(X, X.sum(1))
        model.n_trees_per_iteration_ = 2**28  # raw_predictions = np.zeros((n, 2**28))
    elif form == "RandomForest.n_classes_":
        model = ensemble.RandomForestClassifier(2, random_state=0).fit(X, y)
        model.n_classes_ = 2**28  # predict_proba: np.zeros((n, n_classes_))
    elif form == "RandomForest.n_classes_-multioutput":
        model = ensemble.RandomForestClassifier(2, random_state=0).fit(X, np.c_[y, y > 0])
        model.n_classes_ = [3, 2**28]
    elif form == "RandomForestRegressor.n_outputs_":
        model = ensemble.RandomForestRegressor(2, random_state=0).fit(X, X.sum(1))
        model.n_outputs_ = 2**28  # predict: np.zeros((n, n_outputs_)) when n_outputs_ > 1
    else:
        model = ensemble.BaggingClassifier(n_estimators=2, random_state=0).fit(X, y)
        model.n_classes_ = 2**28  # predict_proba: np.zeros((n, n_classes_)) per estimator
    return pickle.dumps(model, protocol=4)


@pytest.mark.parametrize(
    "form",
    [
        "HGB.n_trees_per_iteration_",
        "RandomForest.n_classes_",
        "RandomForest.n_classes_-multioutput",
        "RandomForestRegressor.n_outputs_",
        "Bagging.n_classes_",
    ],
)
def test_rt28_14_fitted_ints_agree_with_the_trees(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``HistGradientBoosting._raw_predict`` allocates ``(n_samples,
    n_trees_per_iteration_)``, a forest's ``predict_proba`` and Bagging's ``(n_samples,
    n_classes_)``, a multi-output forest's ``predict`` ``(n_samples, n_outputs_)``: one int
    set to 2**28 makes ``predict`` of 2 rows allocate 4 GB. These ints now agree with what
    they count (each iteration's predictors, ``classes_``, each tree's ``n_outputs`` and
    ``n_classes``)."""
    data = _rt28_14(form)
    path = write(tmp_path, data)
    use = (
        "import numpy as np\n"
        "try:\n    model.predict(np.zeros((2, 4))); print('returned')\n"
        "except MemoryError:\n    print('predict MemoryError')\n"
    )
    if form != "RandomForest.n_classes_-multioutput":  # the same harm as the one-output form
        plain = run_child(PLAIN + use, path, grow=GB, cpu=30, imports=("sklearn.ensemble",))
        assert "predict MemoryError" in plain.output, f"plain: {plain}"
    refused(tmp_path, data, "disagree|malformed")
    assert verdicts(data, monkeypatch) == {"unsafe"}


def test_rt28_14_honest_ensembles_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Forests (one and several outputs, classifier and regressor, bootstrap subsamples),
    random-trees embedding, isolation and bagging ensembles, and histogram boosting (binary,
    multi-class, regression) hold ints that agree with their trees."""
    from sklearn import ensemble

    import safeload

    rng = np.random.RandomState(0)
    X = rng.rand(60, 4)
    y = (X[:, 0] * 3).astype(int)
    models = [
        ensemble.RandomForestClassifier(2, random_state=0).fit(X, y),
        ensemble.RandomForestClassifier(2, max_samples=5, random_state=0).fit(X, y),
        ensemble.ExtraTreesClassifier(2, random_state=0).fit(X, np.c_[y, y > 0]),
        ensemble.ExtraTreesRegressor(2, random_state=0).fit(X, X[:, :2]),
        ensemble.RandomTreesEmbedding(2, random_state=0).fit(X),
        ensemble.IsolationForest(n_estimators=2, random_state=0).fit(X),
        ensemble.BaggingClassifier(n_estimators=2, random_state=0).fit(X, y),
        ensemble.BaggingRegressor(n_estimators=2, random_state=0).fit(X, X[:, 0]),
        ensemble.HistGradientBoostingClassifier(max_iter=2).fit(X, y),
        ensemble.HistGradientBoostingClassifier(max_iter=2).fit(X, y > 0),
        ensemble.HistGradientBoostingRegressor(max_iter=2).fit(X, X[:, 0]),
    ]
    for i, model in enumerate(models):
        data = pickle.dumps(model, protocol=4)
        loaded = safeload.load_unsigned(write(tmp_path, data, f"m{i}.pkl"))
        method = "predict" if hasattr(model, "predict") else "transform"
        got, want = getattr(loaded, method)(X[:3]), getattr(model, method)(X[:3])
        assert np.array_equal(
            np.asarray(got.todense() if hasattr(got, "todense") else got),
            np.asarray(want.todense() if hasattr(want, "todense") else want),
        )
        assert verdicts(data, monkeypatch) == {"safe"}, model


# --- rt28-15: a seed sequence's entropy sizes spawn's quadratic conversion ---------------------


def _seed_sequence_with(entropy: Any) -> bytes:
    """A pickled ``SeedSequence`` (in a dict) whose state holds ``entropy``."""
    func, args, state = np.random.SeedSequence(1).__reduce_ex__(4)

    class Seq:
        def __reduce__(self) -> Any:
            return (func, args, (entropy, *state[1:]))

    return pickle.dumps({"seq": Seq()}, protocol=4)


def test_rt28_15_seed_sequence_entropy_is_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``spawn`` makes a child ``SeedSequence(self.entropy, ...)``, whose conversion of the
    entropy to 32-bit words is quadratic in its size: a 200 KB int as the entropy keeps
    ``spawn(1)`` busy for about 20 s of CPU (1 MB: minutes). The entropy is now ``None``, an
    int of at most 4,096 bits, or at most 64 such ints."""
    data = _seed_sequence_with((1 << (8 * 200_000)) - 1)
    path = write(tmp_path, data)
    use = "model['seq'].spawn(1)\nprint('returned', flush=True)\n"
    plain = run_child(PLAIN + use, path, cpu=HANG_CPU, timeout=60, imports=("numpy",))
    assert "loaded" in plain.output and "returned" not in plain.output, f"plain: {plain}"
    assert plain.crashed or plain.hung, f"plain: {plain}"
    refused(tmp_path, data, "seed sequence entropy")
    assert verdicts(data, monkeypatch) == {"unsafe"}
    for entropy in (2**5000, [1] * 65, -1, [[1]], "abc"):
        refused(tmp_path, _seed_sequence_with(entropy), "seed sequence entropy")


@pytest.mark.parametrize(
    "entropy", [None, 1, 2**128 - 1, 2**4096 - 1, [1, 2, 3], (5,), np.array([1, 2], np.uint32)]
)
def test_rt28_15_seeds_numpy_makes_load(
    entropy: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What numpy keeps: OS entropy (128 bits), an int seed, a short list or array of them."""
    import safeload

    data = _seed_sequence_with(entropy)
    loaded = safeload.load_unsigned(write(tmp_path, data))
    assert len(loaded["seq"].spawn(1)) == 1
    assert verdicts(data, monkeypatch) == {"safe"}
    fresh = pickle.dumps(np.random.default_rng().spawn(2), protocol=4)
    assert len(safeload.load_unsigned(write(tmp_path, fresh, "g.pkl"))) == 2


# --- rt28-16: one leaf repeated in a flat list: a walk linear in the file ---------------------


def _leaf(kind: str) -> Any:
    import datetime
    import decimal
    import pathlib
    import uuid

    return {
        "date": datetime.date(2020, 1, 1),
        "PurePosixPath": pathlib.PurePosixPath("a/b"),
        "Decimal": decimal.Decimal("1.5"),
        "UUID": uuid.UUID(int=5),
    }[kind]


@pytest.mark.parametrize("kind", ["date", "PurePosixPath", "Decimal", "UUID"])
def test_rt28_16_flat_list_repeating_one_leaf_loads(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``{"values": [d] * 100}`` (how pickle writes a list repeating one object) was refused
    by the load's sharing bound ("would meet them more than 88 times although it holds 3")
    while scan said safe. A recursive walk meets ``d`` once per reference: linear in the file.
    The bound now allows 8 visits per object *and reference* of the graph, in load and scan
    alike."""
    import safeload

    for n in (100, 10_000):
        data = pickle.dumps({"values": [_leaf(kind)] * n}, protocol=4)
        loaded = safeload.load_unsigned(write(tmp_path, data))
        assert len(loaded["values"]) == n
        assert verdicts(data, monkeypatch) == {"safe"}


def test_rt28_16_leaf_lists_reached_many_times_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the bound is for stays refused, now by scan too: 10,000 one-item lists each
    holding one list of 10,000 references to one date (a 70 KB file) is 10**8 visits for
    any recursive walk (``repr``: killed at the CPU limit), although it has only 20,000
    references; scan, which did not count leaves it builds itself, said safe."""
    import datetime

    inner = [datetime.date(2020, 1, 1)] * 10_000
    data = pickle.dumps([[inner] for _ in range(10_000)], protocol=4)
    path = write(tmp_path, data)
    use = "text = repr(model)\nprint('returned', len(text), flush=True)\n"
    plain = run_child(PLAIN + use, path, grow=GB, cpu=HANG_CPU, timeout=60)
    assert "loaded" in plain.output and "returned" not in plain.output, f"plain: {plain}"
    refused(tmp_path, data, "would meet them more than|unfolds into")
    assert verdicts(data, monkeypatch) == {"unsafe"}
