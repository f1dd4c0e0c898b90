"""Findings of the twenty-third red-team round (rt23-01 to rt23-09): ways for ``scan`` to call
safe a file that ``load`` refuses, or that harms a plain loader.

Each test shows what the file does under plain pickle or joblib (in a child process), then
``load_unsigned`` refusing it with ``scan`` agreeing (``parity.load_unsigned``), and ``scan``
giving the same verdict whether it judges from the shipped class facts or from the imported
classes. The honest forms next to each (a grid-searched ``C`` that is a numpy float, a
protocol-1 joblib file, an ``OrderedDict`` of keyword arguments) still load and scan safe.
"""

from __future__ import annotations

import collections
import pickle
import pickletools
import struct
import warnings
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import get_scorer
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

import safeload
from harm import plain
from parity import load_unsigned
from redteam import refused, verdicts, write
from safeload import SafeloadError

X = np.arange(12.0).reshape(6, 2)
Y = [0, 1, 0, 1, 0, 1]


# --- rt23-01: a parameter value that is not an atom is held to the class's constraints --------


@pytest.mark.parametrize(
    "value",
    [[1.0], (1.0,), b"x", {"a": 1}, np.float64(-1.0), np.float64("nan"), 1j, frozenset()],
    ids=["list", "tuple", "bytes", "dict", "np-negative", "np-nan", "complex", "frozenset"],
)
def test_rt23_01_a_parameter_that_is_no_atom_is_judged(
    value: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = LogisticRegression().fit(X, Y)
    model.C = value
    data = pickle.dumps(model, protocol=5)
    refused(tmp_path, data, "C", scan=True)
    assert verdicts(data, monkeypatch) == {"unsafe"}


@pytest.mark.parametrize(
    "value", [np.float64(0.5), np.float32(2.0), np.int64(3)], ids=["f8", "f4", "i8"]
)
def test_rt23_01_a_grid_searched_numpy_parameter_still_loads(
    value: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``GridSearchCV`` over ``np.logspace`` leaves numpy floats in ``best_estimator_``."""
    model = LogisticRegression().fit(X, Y)
    model.C = value
    for protocol in (2, 5):
        data = pickle.dumps(model, protocol=protocol)
        path = write(tmp_path, data, f"p{protocol}.pkl")
        assert load_unsigned(path).C == value
        assert verdicts(data, monkeypatch) == {"safe"}


def test_rt23_01_tuple_parameters_of_honest_models_still_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import MinMaxScaler

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp = MLPClassifier(hidden_layer_sizes=(4, 3), max_iter=5).fit(X, Y)
    for model in (mlp, MinMaxScaler(feature_range=(-1, 1)).fit(X)):
        data = pickle.dumps(model, protocol=5)
        load_unsigned(write(tmp_path, data))
        assert verdicts(data, monkeypatch) == {"safe"}


# --- rt23-02 and rt23-03: OBJ and INST calls are the same call step as REDUCE ----------------


def _objify(data: bytes, mode: str) -> bytes:
    """Rewrite each ``copyreg._reconstructor(cls, base, state)`` REDUCE of a protocol-1 pickle
    as ``MARK func cls base state OBJ`` ("obj") or ``MARK cls base state INST copyreg
    _reconstructor`` ("inst"): the C unpickler builds the same objects."""
    ops = list(pickletools.genops(data))
    ends = [ops[i + 1][2] if i + 1 < len(ops) else len(data) for i in range(len(ops))]
    raw = [data[ops[i][2] : ends[i]] for i in range(len(ops))]
    puts = ("BINPUT", "PUT", "LONG_BINPUT")
    memo = {
        ops[i + 1][1]
        for i, (op, arg, _) in enumerate(ops[:-1])
        if op.name == "GLOBAL" and arg == "copyreg _reconstructor" and ops[i + 1][0].name in puts
    }

    def is_func(j: int) -> bool:
        op, arg, _ = ops[j]
        if op.name == "GLOBAL":
            return bool(arg == "copyreg _reconstructor")
        return op.name in ("BINGET", "GET", "LONG_BINGET") and arg in memo

    closers = {"TUPLE", "DICT", "LIST", "OBJ", "INST", "POP_MARK", "APPENDS", "SETITEMS"}
    out: list[bytes] = []
    i = 0
    while i < len(ops):
        if is_func(i):
            j, func = i + 1, [raw[i]]
            if ops[i][0].name == "GLOBAL" and ops[j][0].name in puts:
                func.append(raw[j])
                j += 1
            if ops[j][0].name == "MARK":
                depth, k = 0, j
                while True:
                    depth += ops[k][0].name == "MARK"
                    depth -= ops[k][0].name in closers
                    if depth == 0:
                        break
                    k += 1
                m = k + 1 + (ops[k + 1][0].name in puts)
                if ops[k][0].name == "TUPLE" and ops[m][0].name == "REDUCE":
                    if mode == "obj":
                        out += [b"(", *func, *raw[j + 1 : k], b"o"]
                    else:
                        out += [*func, b"0"] if len(func) == 2 else []
                        out += [b"(", *raw[j + 1 : k], b"icopyreg\n_reconstructor\n"]
                    i = m + 1
                    continue
        out.append(raw[i])
        i += 1
    return b"".join(out)


@pytest.mark.parametrize("mode", ["obj", "inst"])
def test_rt23_02_a_reconstructor_called_by_obj_shows_its_class(
    mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model whose scorer would create a folder at a path the file chose, when used: the
    REDUCE form was refused; rewritten with OBJ or INST, the pass saw an object of class
    ``copyreg._reconstructor`` and ran none of the use-time rules on its state."""
    from safeload._usetime_attacks import fixed_threshold_memory

    marker = tmp_path / "made_by_predict"
    model = pickle.loads(fixed_threshold_memory(str(marker)))
    data = _objify(pickle.dumps(model, protocol=1, fix_imports=False), mode)
    assert b"copyreg\n_reconstructor" in data and b"o" in data
    path = write(tmp_path, data)
    plain(path, "try:\n    model.predict(np.zeros((2, 3)))\nexcept Exception:\n    pass")
    assert marker.is_dir()
    refused(tmp_path, data, "response_method", scan=True)
    assert verdicts(data, monkeypatch) == {"unsafe"}


def _joblib_desync(marker: Path, form: str) -> bytes:
    """A joblib array placeholder made by ``copyreg._reconstructor`` through OBJ or INST:
    joblib reads 5 array bytes after its BUILD (``B`` and a length), the next opcodes run
    ``posix.system``; a pass that does not see the placeholder reads those bytes as a
    BINBYTES that swallows the call."""
    cmd = f"touch {marker}".encode()
    hidden = b"cposix\nsystem\nX" + struct.pack("<I", len(cmd)) + cmd + b"\x85R"
    state = (
        b"}(X\x05\x00\x00\x00shapeK\x05\x85X\x05\x00\x00\x00orderX\x01\x00\x00\x00C"
        b"X\x05\x00\x00\x00dtypecnumpy\ndtype\nX\x02\x00\x00\x00u1\x89\x88\x87R"
        b"(K\x03X\x01\x00\x00\x00|NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"
        b"X\n\x00\x00\x00allow_mmap\x89ub"
    )
    wrapper, base = b"cjoblib.numpy_pickle\nNumpyArrayWrapper\n", b"cbuiltins\nobject\n"
    if form == "obj":
        head = b"(ccopyreg\n_reconstructor\n" + wrapper + base + b"No"
    else:
        head = b"(" + wrapper + base + b"Nicopyreg\n_reconstructor\n"
    return b"\x80\x03" + head + state + b"B" + struct.pack("<I", len(hidden)) + hidden + b"0."


@pytest.mark.parametrize("form", ["obj", "inst"])
def test_rt23_03_a_joblib_placeholder_made_by_obj_is_seen(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "marker"
    data = _joblib_desync(marker, form)
    path = write(tmp_path, data, "m.joblib")
    plain(path, loader="joblib", loads=None)
    assert marker.exists()  # joblib.load ran the command
    marker.unlink()
    assert not safeload.scan(path).safe
    with pytest.raises(SafeloadError):
        load_unsigned(path)
    assert not marker.exists()


@pytest.mark.parametrize("protocol", [0, 1, 2])
def test_rt23_03_joblib_files_of_every_protocol_still_load(
    protocol: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """joblib at protocols 0-1 writes its placeholder by ``copyreg._reconstructor``."""
    path = tmp_path / "m.joblib"
    model = LogisticRegression().fit(X, Y)
    joblib.dump(model, path, protocol=protocol)
    assert load_unsigned(path).predict(X).tolist() == model.predict(X).tolist()
    assert verdicts(path.read_bytes(), monkeypatch) == {"safe"}


# --- rt23-04: a (state, slots) pair given to BaseEstimator.__setstate__ ------------------------


def test_rt23_04_a_tuple_state_for_an_estimator_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = pickle.dumps(LogisticRegression(), protocol=2)
    data = data[: data.rindex(b"b.")] + b"N\x86b."  # BUILD (state, None)
    child = plain(write(tmp_path, data), loads=False)
    assert "pop" in child.output
    refused(tmp_path, data, "tuple|slot state", scan=True)
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt23-05: an OrderedDict is plain data only when what it holds is --------------------------


def _pipeline(kw_args: Any) -> Pipeline:
    a = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    knn = KNeighborsClassifier(n_neighbors=1, algorithm="brute").fit(a, [0, 1])
    ft = FunctionTransformer(np.log1p).fit(a)
    ft.kw_args = kw_args(knn)
    return Pipeline([("f", ft), ("knn", knn)])


def test_rt23_05_ordered_dict_keyword_out_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = pickle.dumps(_pipeline(lambda knn: collections.OrderedDict(out=knn._fit_X)), protocol=4)
    child = plain(
        write(tmp_path, data),
        "before = model[-1]._fit_X.copy()\nmodel.predict(np.full((2, 3), 100.0))\n"
        "print('overwritten', (model[-1]._fit_X != before).any())",
    )
    assert "overwritten True" in child.output
    refused(tmp_path, data, "out", scan=True)
    assert verdicts(data, monkeypatch) == {"unsafe"}


def test_rt23_05_plain_dict_keywords_without_out_still_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(An ``OrderedDict`` of keywords, even an empty one, is refused by load and scan
    alike: the plain-data rule admits builtin containers only.)"""
    data = pickle.dumps(_pipeline(lambda knn: {"where": True}), protocol=4)
    load_unsigned(write(tmp_path, data))
    assert verdicts(data, monkeypatch) == {"safe"}
    data = pickle.dumps(_pipeline(lambda knn: collections.OrderedDict()), protocol=4)
    refused(tmp_path, data, "OrderedDict", scan=True)
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt23-06: an estimator class called with arguments ------------------------------------------

_FT = b"csklearn.preprocessing._function_transformer\nFunctionTransformer\n"
_RC = b"ccopyreg\n_reconstructor\n"


@pytest.mark.parametrize(
    "body",
    [
        _FT + _RC + b"\x85R.",
        b"(" + _FT + _RC + b"o.",
        b"(" + _RC + b"isklearn.preprocessing._function_transformer\nFunctionTransformer\n.",
        _RC + _FT + _FT + _RC + b"\x87R.",  # _reconstructor(FT, FT, func): FT.__init__(obj, func)
    ],
    ids=["reduce", "obj", "inst", "reconstructor-base"],
)
def test_rt23_06_an_estimator_made_by_a_call_with_arguments(
    body: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``FunctionTransformer(copyreg._reconstructor)``: its ``__init__`` stores the argument
    as ``func``, a callable no model may keep, where no rule on BUILD states looks."""
    data = b"\x80\x02" + body
    assert pickle.loads(data).func is __import__("copyreg")._reconstructor
    refused(tmp_path, data, "callable allowlist|__init__|arguments", scan=True)
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt23-07: keyword arguments of NEWOBJ_EX ------------------------------------------------------


def test_rt23_07_newobj_ex_keywords_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``bytes.__new__(bytes, source=N)`` allocates N bytes, N chosen by a 35-byte file."""
    n = 10**7
    data = (
        b"\x80\x04cbuiltins\nbytes\n)}X\x06\x00\x00\x00sourceJ"
        + n.to_bytes(4, "little")
        + b"s\x92."
    )
    child = plain(write(tmp_path, data), "print('length', len(model))")
    assert f"length {n}" in child.output
    refused(tmp_path, data, "NEWOBJ_EX", scan=True)
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt23-08: a numpy scalar of object dtype ------------------------------------------------------


class _ObjectScalar:
    def __reduce__(self) -> Any:
        return (np._core.multiarray.scalar, (np.dtype(object), {"a": 1}))


def test_rt23_08_an_object_scalar_is_no_plain_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ft = FunctionTransformer(np.log1p).fit(np.zeros((2, 3)))
    ft.kw_args = _ObjectScalar()
    data = pickle.dumps(ft, protocol=4)
    plain(write(tmp_path, data), loads=False)  # numpy refuses it: every load fails
    refused(tmp_path, data, "object dtype", scan=True)
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt23-09: the slot state of a BUILD is judged with the state ----------------------------------


def test_rt23_09_slot_state_keys_are_judged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = pickle.dumps(get_scorer("accuracy"), protocol=2)
    tail = b"}X\x10\x00\x00\x00_response_methodX\x06\x00\x00\x00tofiles\x86b."
    data = data[: data.rindex(b"b.")] + tail
    child = plain(write(tmp_path, data), "print('method', model._response_method)")
    assert "method tofile" in child.output
    refused(tmp_path, data, "tofile|slot state with items", scan=True)
    assert verdicts(data, monkeypatch) == {"unsafe"}
