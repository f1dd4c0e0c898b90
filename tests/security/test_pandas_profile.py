"""The pandas and category_encoders profiles: honest objects by every writer, and the checks
the narrowed forms (safeload.trust.pandas_forms) and the static pass make before pandas' code
runs. Every load goes through ``tests/parity.py``: scan gives the verdict load gives."""

from __future__ import annotations

import pickle
import struct
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.parity import load_unsigned

from safeload import SafeloadError, UnsafeStateError, UntrustedTypeError

pd = pytest.importorskip("pandas")


def _objects() -> dict[str, Any]:
    return {
        "index_int": pd.Index([1, 2, 3]),
        "index_float": pd.Index([1.5, 2.5]),
        "index_object": pd.Index(["a", "b"], dtype=object),
        "index_str": pd.Index(["a", "b"], name="cols"),
        "range": pd.RangeIndex(2, 12, 3),
        "series": pd.Series([1.0, 2.0], index=["a", "b"], name="x"),
        "series_str": pd.Series(["u", "v", None]),
        "series_cat": pd.Series(pd.Categorical(["a", "b", "a"])),
        "frame": pd.DataFrame(
            {
                "a": [1, 2, 3],
                "b": [1.0, 2.0, 3.0],
                "c": ["x", "y", "z"],
                "d": pd.Categorical(["u", "v", "u"]),
                "e": [True, False, True],
                "f": [1, 2, 3],
            }
        ),
        "categorical": pd.Categorical(["a", "b", "a"], ordered=True),
        "categorical_dtype": pd.CategoricalDtype(["a", "b"], ordered=True),
        "timestamp": pd.Timestamp("2024-01-01 12:30"),
        "timedelta": pd.Timedelta("1D 2h"),
        "meta": {"columns": pd.Index(["a", "b"]), "when": pd.Timestamp("2024-05-01")},
    }


def _equal(got: Any, want: Any) -> None:
    if isinstance(want, pd.DataFrame):
        pd.testing.assert_frame_equal(got, want)
    elif isinstance(want, pd.Series):
        pd.testing.assert_series_equal(got, want)
    elif isinstance(want, pd.Index):
        pd.testing.assert_index_equal(got, want, exact=True)
    elif isinstance(want, pd.Categorical):
        pd.testing.assert_extension_array_equal(got, want)
    elif isinstance(want, dict):
        assert got.keys() == want.keys()
        for key in want:
            _equal(got[key], want[key])
    else:
        assert type(got) is type(want) and got == want


def _write(tmp_path: Path, obj: Any, writer: str) -> Path:
    path = tmp_path / f"m.{writer}"
    if writer.startswith("p"):
        path.write_bytes(pickle.dumps(obj, protocol=int(writer[1:])))
    else:
        import joblib

        joblib.dump(obj, path, compress=3 if writer == "joblib_zlib" else 0)
    return path


_WRITERS = ("p2", "p4", "p5", "joblib", "joblib_zlib")


@pytest.mark.parametrize("writer", _WRITERS)
@pytest.mark.parametrize("kind", sorted(_objects()))
def test_honest_pandas_objects_load_with_the_profile(
    tmp_path: Path, kind: str, writer: str
) -> None:
    obj = _objects()[kind]
    path = _write(tmp_path, obj, writer)
    with pytest.raises(UntrustedTypeError, match="profiles=\\['pandas'\\]"):
        load_unsigned(path)
    _equal(load_unsigned(path, profiles=["pandas"]), obj)


def _frame_bytes() -> bytes:
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [1.5, 2.5], "c": [1, 2], "d": [3.0, 4.0]})
    return pickle.dumps(frame, protocol=4)


@pytest.mark.parametrize("bad", [(0, 1, 10**8), (0, 1, -1), (0, 1, 1), (0, 1, 2)])
def test_block_placements_are_checked_before_the_manager_is_built(
    tmp_path: Path, bad: tuple[int, int, int]
) -> None:
    """Past the columns (the crash of test_pandas_block_placement_past_the_columns), negative,
    a column held twice, a column held by two blocks: refused by the BlockManager stand-in
    before pandas builds anything, and by scan."""
    honest = _frame_bytes()
    placement = struct.pack("<qqq", 0, 1, 3)
    assert honest.count(placement) == 1
    path = tmp_path / "m.pkl"
    path.write_bytes(honest.replace(placement, struct.pack("<qqq", *bad)))
    with pytest.raises(SafeloadError, match="pandas profile"):
        load_unsigned(path, profiles=["pandas"])


def test_categorical_codes_past_the_categories(tmp_path: Path) -> None:
    cats = [f"c{i}" for i in range(200)]
    data = pickle.dumps(pd.Categorical(["c0", "c1", "c2"], categories=cats), protocol=5)
    old = np.array([0, 1, 2], dtype=np.int16).tobytes()
    assert data.count(old) == 1
    path = tmp_path / "m.pkl"
    path.write_bytes(data.replace(old, np.array([0, 1, 30000], dtype=np.int16).tobytes()))
    with pytest.raises(SafeloadError, match="codes run outside"):
        load_unsigned(path, profiles=["pandas"])


def test_series_longer_index_than_values(tmp_path: Path) -> None:
    """A Series whose index is longer than its values: pandas' compiled take would read past
    the values when it is reindexed."""
    path = tmp_path / "m.pkl"
    # the honest bytes load; now a crafted state: 2 values for 3 labels
    state_values = np.array([1.0, 2.0])
    crafted = pd.Series([1.0, 2.0, 3.0], index=[10, 11, 12])
    reduced = crafted.__reduce_ex__(4)
    mgr_state = list(crafted._mgr.__getstate__())
    mgr_state[3]["0.14.1"]["blocks"][0]["values"] = state_values
    mgr_state[3]["0.14.1"]["blocks"][0]["mgr_locs"] = slice(0, 3, 1)

    class _Mgr:
        def __reduce__(self) -> Any:
            from pandas.core.internals.managers import SingleBlockManager

            return (SingleBlockManager.__new__, (SingleBlockManager,), tuple(mgr_state))

    state = dict(reduced[2])
    state["_mgr"] = _Mgr()

    class _Series:
        def __reduce__(self) -> Any:
            return (pd.Series.__new__, (pd.Series,), state)

    path.write_bytes(pickle.dumps(_Series(), protocol=4))
    with pytest.raises(SafeloadError):
        load_unsigned(path, profiles=["pandas"])


def _op_str(s: str) -> bytes:
    raw = s.encode()
    return b"\x8c" + bytes([len(raw)]) + raw


def _op_global(module: str, name: str) -> bytes:
    return _op_str(module) + _op_str(name) + b"\x93"


@pytest.mark.parametrize(
    "body",
    [
        # DataFrame called with arguments (its constructor takes anything): never written
        _op_global("pandas", "DataFrame") + b"]\x85R",
        # Index called directly (Index(range(10**12)) would allocate without bound)
        _op_global("pandas", "Index")
        + _op_global("builtins", "range")
        + b"J\x00\x00\x00\x7f\x85R\x85R",
        # _new_Index of a class other than Index/RangeIndex
        _op_global("pandas.core.indexes.base", "_new_Index")
        + _op_global("pandas", "Categorical")
        + b"}\x86R",
        # a Timestamp with a unit code pandas does not support
        _op_global("pandas._libs.tslibs.timestamps", "_unpickle_timestamp") + b"(K\x01NNK\x0etR",
        # the array maker called with a state of its own (Cython sets it unchecked)
        _op_global("pandas._libs.arrays", "__pyx_unpickle_NDArrayBacked")
        + _op_global("pandas.arrays", "StringArray")
        + b"J\x1fA\xf0\x04K\x01\x87R",
        # an array-backed object never given its state (its buffer stays unset)
        _op_global("pandas._libs.arrays", "__pyx_unpickle_NDArrayBacked")
        + _op_global("pandas.arrays", "StringArray")
        + b"J\x1fA\xf0\x04N\x87R",
        # BUILD on an Index: pandas never writes one (it would replace the checked data)
        _op_global("pandas.core.indexes.base", "_new_Index")
        + _op_global("pandas", "RangeIndex")
        + b"}("
        + _op_str("name")
        + b"N"
        + _op_str("start")
        + b"K\x00"
        + _op_str("stop")
        + b"K\x02"
        + _op_str("step")
        + b"K\x01u\x86R}("
        + _op_str("_range")
        + b"Nub",
        # StringDtype with pyarrow storage (imports pyarrow by name)
        _op_global("pandas", "StringDtype") + _op_str("pyarrow") + b"\x85R",
    ],
)
def test_other_ways_of_making_pandas_objects_are_refused(tmp_path: Path, body: bytes) -> None:
    path = tmp_path / "m.pkl"
    path.write_bytes(b"\x80\x04" + body + b".")
    with pytest.raises(SafeloadError):
        load_unsigned(path, profiles=["pandas"])


def test_second_build_on_a_string_array_is_refused(tmp_path: Path) -> None:
    """The string array's state is checked at its one BUILD; a second BUILD after the Index
    took it (a buffer of ints under the string dtype) is refused by the static pass."""
    honest = pickle.dumps(pd.Index(["a", "b"]), protocol=2)
    # re-fetch memo 7 (the array) after the Index is made and BUILD it again with its state
    crafted = honest[:-1] + b"0h\x07h\x21b0."  # POP, BINGET 7, BINGET 33 (its state), BUILD
    path = tmp_path / "m.pkl"
    path.write_bytes(crafted)
    with pytest.raises(SafeloadError):
        load_unsigned(path, profiles=["pandas"])


# --- category_encoders -----------------------------------------------------------------------


def _encoders() -> list[Any]:
    ce = pytest.importorskip("category_encoders")
    return [
        ce.OrdinalEncoder(),
        ce.OneHotEncoder(),
        ce.TargetEncoder(),
        ce.BinaryEncoder(),
        ce.CountEncoder(),
        ce.HashingEncoder(max_process=1),
        ce.WOEEncoder(),
        ce.LeaveOneOutEncoder(),
        ce.MEstimateEncoder(),
        ce.CatBoostEncoder(),
        ce.JamesSteinEncoder(),
        ce.HelmertEncoder(),
        ce.SumEncoder(),
        ce.BackwardDifferenceEncoder(),
        ce.PolynomialEncoder(),
        ce.BaseNEncoder(),
    ]


_X = pd.DataFrame(
    {"c": ["a", "b", "a", "c", "b", "a"] * 3, "d": ["x", "y", "x", "x", "y", "y"] * 3}
).assign(n=np.arange(18.0))
_Y = pd.Series([0, 1, 0, 1, 1, 0] * 3)


@pytest.mark.parametrize("writer", ("p4", "p5", "joblib", "joblib_zlib"))
def test_fitted_encoders_load_with_identical_output(tmp_path: Path, writer: str) -> None:
    for encoder in _encoders():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            encoder.fit(_X, _Y)
        path = _write(tmp_path, encoder, writer)
        with pytest.raises(UntrustedTypeError, match="category_encoders"):
            load_unsigned(path)
        got = load_unsigned(path, profiles=["category_encoders"])
        pd.testing.assert_frame_equal(got.transform(_X), encoder.transform(_X))


@pytest.mark.parametrize("count", [2, 0, True, 1.0])
def test_hashing_encoder_worker_processes_are_refused(tmp_path: Path, count: Any) -> None:
    ce = pytest.importorskip("category_encoders")
    encoder = ce.HashingEncoder(max_process=1).fit(_X, _Y)
    encoder.max_process = count
    path = _write(tmp_path, encoder, "p5")
    with pytest.raises(UnsafeStateError, match="max_process"):
        load_unsigned(path, profiles=["category_encoders"])
