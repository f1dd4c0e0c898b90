"""Red team 52's reproducers (helper-96, 12:16-13:02 UTC), all fixed (normal tests): rt52-01
(a value dropped after a DUP is refused by both), rt52-02 (a held predictor needs a held owner),
rt52-03 (Bunch keys), rt52-04 (Cython functions judged as functions), rt52-05 (scan shadows
what the stream drops), rt52-06 (NEWOBJ on a function), rt52-07 (latin-1 text), rt52-08
(bisection), rt52-09 (joblib wrapper keys).

rt52-01 (PARITY) a value dropped from a stack slot DUP pushed escapes discards.discard_cuts.
rt52-02 (PARITY) HGB TreePredictor / estimator split between the model and the discards.
rt52-03 (HARM) a Bunch with an ``__array_interface__`` item in a fitted array attribute
        (fixed at ff30557 during the round).
rt52-04 (PARITY) Cython unpickle helpers (newObj, __pyx_unpickle_*) kept as a value.
rt52-05 (PARITY) a bare object or a failing call that is dropped by POP is never probed by scan.
rt52-06 (PARITY) NEWOBJ on numpy.random.__RandomState_ctor (a function).
rt52-07 (PARITY) an array's protocol-2 data text that latin-1 cannot encode.
rt52-08 (HARM: CPU) joblib object arrays x discard offsets, quadratic.
rt52-09 (PARITY) a joblib wrapper state key that is no attribute name.
Run with the pure snapshot: SAFELOAD_PURE_PYTHON=1 PYTHONPATH=/tmp/rt52p:. pytest test_redteam52.py
"""

# ruff: noqa: E501
from __future__ import annotations

import io
import pickle
import sys
from pathlib import Path

import numpy as np
import pytest

from redteam import assert_scan_predicts_load, parity

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _scaler():
    from sklearn.preprocessing import StandardScaler

    return StandardScaler().fit([[0.0], [1.0]])


def _crafted(kind: str):
    from test_redteam50 import _crafted_csr, _CraftedRandomState, _CraftedTree

    return {"tree": _CraftedTree, "random-state": _CraftedRandomState, "csr": _crafted_csr}[kind]()


def _two(first: object, protocol: int) -> tuple[bytes, bytes]:
    """``first`` and a fitted StandardScaler pickled by one pickler (one memo): the bodies of
    both dumps (PROTO and STOP removed; frames removed by optimize-free re-dump at protocol
    < 4 only)."""
    buf = io.BytesIO()
    p = pickle.Pickler(buf, protocol=protocol)
    p.dump(first)
    one = buf.getvalue()
    p.dump(_scaler())
    two = buf.getvalue()[len(one) :]
    head = 2 if protocol >= 2 else 0
    return one[head:-1], two[head:]


def _hidden_behind_dup(obj: object, protocol: int = 2, combine: bytes = b"\x86") -> bytes:
    """``None DUP <obj> TUPLE2 POP POP <scaler>``: the dropped tuple ``(None, obj)`` sits in
    the slot DUP pushed, so the rewrite records nothing for it."""
    body, model = _two(obj, protocol)
    head = b"\x80" + bytes([protocol]) if protocol >= 2 else b""
    return head + b"N2" + body + combine + b"0" + b"0" + model


@pytest.mark.parametrize("kind", ["tree", "random-state", "csr"])
@pytest.mark.parametrize("protocol", [2, 5])
def test_rt52_01_dropped_tuple_in_dup_slot(tmp_path, kind, protocol):
    data = _hidden_behind_dup(_crafted(kind), protocol)
    assert type(pickle.loads(data)).__name__ == "StandardScaler"
    assert_scan_predicts_load(data, tmp_path, refused=True)


def _tree_behind_dup(form: str) -> bytes:
    """The crafted Tree made in a slot DUP pushed, dropped, then a fitted StandardScaler."""
    from test_redteam50 import _CraftedTree

    _cls, args, state = _CraftedTree().__reduce__()
    proto = 0 if form == "reduce-p0" else 2
    body_args, model = _two(args, proto)
    body_state = b""
    if form != "newobj-bare":
        body_state, model = _two(state, proto)
    head = b"" if proto == 0 else b"\x80\x02"
    tree = b"csklearn.tree._tree\nTree\n2"
    make = {
        "newobj-bare": body_args + b"\x81" + b"00",
        "reduce-p0": body_args + b"R" + body_state + b"b00",
        "pop-mark": body_args + b"\x81" + body_state + b"b1",
    }[form]
    lead = b"(" if form == "pop-mark" else b""
    return head + lead + tree + make + model


@pytest.mark.parametrize("form", ["newobj-bare", "reduce-p0", "pop-mark"])
def test_rt52_01_neighbours_dup_slot_forms(tmp_path, form):
    """Neighbours of rt52-01: a REDUCE at protocol 0, NEWOBJ without BUILD, and POP_MARK
    dropping both slots: after a DUP, a dropped built value is refused by both."""
    data = _tree_behind_dup(form)
    assert type(pickle.loads(data)).__name__ == "StandardScaler"
    assert_scan_predicts_load(data, tmp_path, refused=True)


def test_rt52_01_plain_pop_is_recorded(tmp_path):
    """Guard: without the DUP (``<obj> POP``), both refuse (rt50-03's fix)."""
    body, model = _two(_crafted("tree"), 2)
    data = b"\x80\x02" + body + b"0" + model
    assert_scan_predicts_load(data, tmp_path, refused=True)


def _hgb_and_predictor():
    from sklearn.ensemble import HistGradientBoostingRegressor

    X = np.random.RandomState(0).rand(50, 3)
    model = HistGradientBoostingRegressor(max_iter=3).fit(X, X[:, 0])
    return model, model._predictors[0][0]


def _long_binget(idx: int) -> bytes:
    return b"j" + idx.to_bytes(4, "little")


@pytest.mark.parametrize(
    ("form", "refused"), [("predictor-dropped", False), ("estimator-dropped", True)]
)
def test_rt52_02_predictor_owner_across_discard(tmp_path, form, refused):
    """An honest HGB model's stream (protocol 2) plus a memo reference to one of its
    TreePredictors: either the predictor is fetched and dropped after the model (the model is
    returned), or the model is dropped and the predictor returned. Scan checks orphans among
    all built objects (the estimator owns it: SAFE); the load checks the model and the
    discards in two separate walks, one of which holds the predictor without its estimator
    (refused). Fixed: a predictor the model holds needs an owner the model holds (its predict
    is bounded only by that owner's width), so the returned bare predictor is refused by both;
    a dropped one may be owned by anything the stream built, so the first form loads in both."""
    model, pred = _hgb_and_predictor()
    buf = io.BytesIO()
    p = pickle.Pickler(buf, protocol=2)
    p.dump(model)
    get = _long_binget(p.memo.copy()[id(pred)][0])
    body = buf.getvalue()[:-1]
    data = body + get + b"0." if form == "predictor-dropped" else body + b"0" + get + b"."
    assert type(pickle.loads(data)).__name__ in ("HistGradientBoostingRegressor", "TreePredictor")
    assert_scan_predicts_load(data, tmp_path, refused=refused)


@pytest.mark.parametrize(
    ("form", "refused"), [("estimator-dropped", False), ("orphan-dropped", True)]
)
def test_rt52_02_neighbours_dropped_with_model_elsewhere(tmp_path, form, refused):
    """Neighbours of rt52-02, with a StandardScaler as the model: a whole HGB estimator
    dropped (its predictors owned: both load) or a TreePredictor pickled alone and dropped
    (no estimator holds it: both refuse)."""
    model, pred = _hgb_and_predictor()
    body, scaler = _two(model if form == "estimator-dropped" else pred, 2)
    data = b"\x80\x02" + body + b"0" + scaler
    assert type(pickle.loads(data)).__name__ == "StandardScaler"
    assert_scan_predicts_load(data, tmp_path, refused=refused)


def _pointer_bunch(shape=(3,)):
    """A scikit-learn Bunch whose item ``__array_interface__`` describes a writeable float64
    array at address 4096: ``Bunch.__getattr__`` answers any attribute with an item, and
    numpy reads ``__array_interface__`` off the instance when it converts an object."""
    from sklearn.utils import Bunch

    iface = {"data": (4096, False), "shape": shape, "typestr": "<f8", "version": 3}
    return Bunch(__array_interface__=iface)


def _bunch_model(which: str):
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler

    X = np.random.RandomState(0).rand(30, 3)
    y = (X[:, 0] > 0.5).astype(int)
    model, attr = {
        "logreg.intercept_": (LogisticRegression().fit(X, y), "intercept_"),
        "pca.mean_": (PCA(2).fit(X), "mean_"),
        "minmax.min_": (MinMaxScaler().fit(X), "min_"),
        "maxabs.scale_": (MaxAbsScaler().fit(X), "scale_"),
    }[which]
    setattr(model, attr, _pointer_bunch())
    return model


_BUNCH_CALLS = {
    "logreg.intercept_": "model.predict(numpy.random.rand(10, 3))",
    "pca.mean_": "model.transform(numpy.random.rand(10, 3))",
    "minmax.min_": "model.transform(numpy.random.rand(10, 3))",
    "maxabs.scale_": "model.transform(numpy.random.rand(10, 3))",
}


@pytest.mark.parametrize("which", list(_BUNCH_CALLS))
def test_rt52_03_bunch_array_interface_pointer(tmp_path, which):
    from redteam import assert_safeload_refuses, child, write

    path = write(tmp_path, pickle.dumps(_bunch_model(which), protocol=5))
    plain = child(
        f"import pickle\nmodel = pickle.load(open(sys.argv[1], 'rb'))\n{_BUNCH_CALLS[which]}\n",
        path,
    )
    assert plain.returncode == -11, str(plain)  # plain pickle: the call segfaults
    assert_safeload_refuses(path, _BUNCH_CALLS[which])


@pytest.mark.parametrize(
    "data",
    [
        b"\x80\x02csklearn.neighbors._kd_tree\nnewObj\n.",
        b"\x80\x02]csklearn.neighbors._kd_tree\nnewObj\na.",
        b"\x80\x02csklearn.metrics._dist_metrics\nnewObj\n.",
        b"\x80\x02csklearn.neighbors._ball_tree\nnewObj\n.",
        b"\x80\x02cnumpy.random.bit_generator\n__pyx_unpickle_SeedSequence\n.",
        b"\x80\x02csklearn._loss._loss\n__pyx_unpickle_CyHalfMultinomialLoss\n.",
    ],
    ids=["kd-tree", "in-list", "dist-metrics", "ball-tree", "pyx-seed-seq", "pyx-multinomial"],
)
def test_rt52_04_newobj_helper_as_value(tmp_path, data):
    obj = pickle.loads(data)
    assert callable(obj[0] if isinstance(obj, list) else obj)
    assert_scan_predicts_load(data, tmp_path, refused=True)


@pytest.mark.parametrize(
    "data",
    [b"\x80\x02ccopyreg\n_reconstructor\n.", b"\x80\x02ccopyreg\n__newobj__\n."],
    ids=["reconstructor", "newobj"],
)
def test_rt52_04_other_makers_as_value_agree(tmp_path, data):
    """Guard: copyreg's makers kept as a value are refused by both."""
    assert_scan_predicts_load(data, tmp_path, refused=True)


def _allowlisted_functions() -> list[tuple[str, str]]:
    """Every allowlisted name that imports to something other than a class."""
    from safeload._allowlist import default_entries
    from safeload.trust.classes import resolve

    return [
        (m, q)
        for m, q in sorted(default_entries())
        if (o := resolve(m, q)) is not None and not isinstance(o, type)
    ]


def test_rt52_04_every_allowlisted_function_as_value(tmp_path):
    """The neighbours of rt52-04: every allowlisted function kept as the model and in a list:
    scan and the load agree, and only the callable allowlist's functions load."""
    from redteam import global_, parity
    from safeload.trust.callables import CALLABLE_ROWS

    values = {(m, q) for m, q, _ in CALLABLE_ROWS}
    names = _allowlisted_functions()
    assert len(names) > 50
    wrong = []
    for pair in names:
        for data in (
            b"\x80\x02" + global_(*pair) + b".",
            b"\x80\x02]" + global_(*pair) + b"a.",
        ):
            safe, outcome = parity(data, tmp_path)
            if safe != (outcome == "loaded") or (outcome == "loaded") != (pair in values):
                wrong.append((pair, data[2:3] == b"]", safe, outcome))
    assert not wrong, wrong


_BARE_DROPPED = [
    ("datetime", "date"),
    ("uuid", "UUID"),
    ("scipy.sparse._csr", "csr_matrix"),
    ("scipy.sparse._dok", "dok_matrix"),
    ("numpy.ma.core", "MaskedArray"),
    ("scipy.interpolate._bsplines", "BSpline"),
    ("sklearn.neighbors._kd_tree", "KDTree"),
    ("sklearn.ensemble._hist_gradient_boosting.predictor", "TreePredictor"),
    ("sklearn.frozen._frozen", "FrozenEstimator"),
    ("sklearn.kernel_approximation", "AdditiveChi2Sampler"),
]


@pytest.mark.parametrize("pair", _BARE_DROPPED, ids=[q for _, q in _BARE_DROPPED])
def test_rt52_05_bare_object_dropped(tmp_path, pair):
    from redteam import global_

    data = b"\x80\x02" + global_(*pair) + b")\x81" + b"0" + pickle.dumps(_scaler(), protocol=2)[2:]
    assert_scan_predicts_load(data, tmp_path)


@pytest.mark.parametrize("pair", _BARE_DROPPED[:4], ids=[q for _, q in _BARE_DROPPED[:4]])
def test_rt52_05_bare_object_kept_agrees(tmp_path, pair):
    """Guard: the same bare object kept (the model, or in a list) is refused by both."""
    from redteam import global_

    assert_scan_predicts_load(b"\x80\x02" + global_(*pair) + b")\x81.", tmp_path, refused=True)
    assert_scan_predicts_load(b"\x80\x02]" + global_(*pair) + b")\x81a.", tmp_path, refused=True)


@pytest.mark.parametrize("tail", [b".", b"0N."], ids=["kept", "dropped"])
def test_rt52_06_newobj_on_function(tmp_path, tail):
    data = b"\x80\x02cnumpy.random\n__RandomState_ctor\n)\x81" + tail
    with pytest.raises(pickle.UnpicklingError):
        pickle.loads(data)
    assert_scan_predicts_load(data, tmp_path, refused=True)


def test_rt52_06_maker_functions_are_the_allowlists_functions():
    """``names.MAKER_FUNCTIONS`` plus the callable allowlist are exactly the allowlisted
    names that import to something other than a class (so the list cannot go stale)."""
    from safeload.pickle.call_rules import VALUE_ONLY
    from safeload.pickle.names import MAKER_FUNCTIONS

    functions = set(_allowlisted_functions())
    assert functions - VALUE_ONLY == MAKER_FUNCTIONS
    assert VALUE_ONLY <= functions


def test_rt52_06_newobj_on_every_allowlisted_function(tmp_path):
    """The neighbours of rt52-06: NEWOBJ and NEWOBJ_EX on every allowlisted function, kept
    and dropped, protocols 2 and 4: the C unpickler refuses each, and so do scan and the load."""
    from redteam import global_, parity

    wrong = []
    for pair in _allowlisted_functions():
        for head, tail in (
            (b"\x80\x02", b")\x81."),
            (b"\x80\x04", b")}\x92."),
            (b"\x80\x02", b")\x810N."),
        ):
            data = head + global_(*pair) + tail
            with pytest.raises(pickle.UnpicklingError):
                pickle.loads(data)
            safe, outcome = parity(data, tmp_path)
            if safe or outcome != "refused":
                wrong.append((pair, tail, safe, outcome))
    assert not wrong, wrong


@pytest.mark.parametrize(
    "pair",
    [("datetime", "date"), ("datetime", "timezone"), ("decimal", "Decimal"), ("uuid", "UUID")],
    ids=["date", "timezone", "decimal", "uuid"],
)
def test_rt52_05_obj_call_dropped(tmp_path, pair):
    from redteam import global_

    data = b"\x80\x02(" + global_(*pair) + b"o0N."
    assert_scan_predicts_load(data, tmp_path)


@pytest.mark.parametrize(
    "call",
    [
        b"cdatetime\ndate\n(M\xe4\x07K\x0dK\x01tR",
        b"cdecimal\nDecimal\n(X\x01\x00\x00\x00xtR",
        b"cuuid\nUUID\n(X\x02\x00\x00\x00zztR",
        b"cdatetime\ntimezone\n(K\x05tR",
        b"csklearn._loss._loss\nCyHuberLoss\n)R",
        b"cpathlib\nPurePosixPath\n(K\x01tR",
    ],
    ids=["date", "decimal", "uuid", "timezone", "cy-huber-loss", "pure-path"],
)
def test_rt52_05_failing_call_dropped(tmp_path, call):
    data = b"\x80\x02" + call + b"0N."
    with pytest.raises(Exception):  # noqa: B017 (each call raises its own kind)
        pickle.loads(b"\x80\x02" + call + b".")
    kept = tmp_path / "kept"
    kept.mkdir()
    assert_scan_predicts_load(b"\x80\x02" + call + b".", kept, refused=True)  # kept: both refuse
    assert_scan_predicts_load(data, tmp_path)


@pytest.mark.parametrize(
    "data",
    [
        b"\x80\x02(cdatetime\ndate\n)\x81N1N.",  # POP_MARK drops a bare date with a None
        b"\x80\x04\x8c\x08datetime\x8c\x04date\x93)}\x920N.",  # NEWOBJ_EX, protocol 4
        b"(idatetime\ndate\n0N.",  # INST (protocol 0) that fails, dropped
        b"(cdecimal\nDecimal\nVx\ntR0N.",  # REDUCE at protocol 0
        b"\x80\x02]csklearn.neighbors._kd_tree\nKDTree\n)\x81a0N.",  # bare, in a list
    ],
    ids=["pop-mark", "newobj-ex", "inst-p0", "reduce-p0", "in-list"],
)
def test_rt52_05_neighbours_dropped(tmp_path, data):
    """Neighbours of rt52-05: other opcodes that make the value and POP_MARK; both refuse."""
    assert_scan_predicts_load(data, tmp_path, refused=True)


def _array_with_bad_latin1(protocol: int = 2) -> bytes:
    """``numpy.arange(2.0)`` at protocol 2 (its data written ``_codecs.encode(text,
    'latin1')``) with the text's first character replaced by U+06F7, which latin-1 cannot
    encode: the load's ``_codecs.encode`` raises UnicodeEncodeError."""
    import re

    d = pickle.dumps(np.random.RandomState(0).rand(2), protocol=protocol)
    # the data text: the last BINUNICODE right after a memo GET (of _codecs.encode)
    k = [m.start() + 2 for m in re.finditer(rb"h.X", d, re.S)][-1]
    n = int.from_bytes(d[k + 1 : k + 5], "little")
    text = d[k + 5 : k + 5 + n].decode("utf-8")
    bad = ("\u06f7" + text[1:]).encode("utf-8")
    return d[:k] + b"X" + len(bad).to_bytes(4, "little") + bad + d[k + 5 + n :]


def test_rt52_07_array_data_not_latin1(tmp_path):
    data = _array_with_bad_latin1()
    with pytest.raises(UnicodeEncodeError):
        pickle.loads(data)
    assert_scan_predicts_load(data, tmp_path, refused=True)


class _Encoded:
    """Pickles as ``_codecs.encode(text, 'latin1')`` (protocols 0-2's bytes) of any text."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __reduce__(self):
        import codecs

        return codecs.encode, (self.text, "latin1")


class _ArrayWithData:
    """Pickles as ``numpy.arange(n, dtype=uint8)`` with its data state replaced by ``data``."""

    def __init__(self, n: int, data: object) -> None:
        self.n, self.data = n, data

    def __reduce__(self):
        func, args, state = np.arange(self.n, dtype=np.uint8).__reduce__()
        return func, args, (*state[:4], self.data)


@pytest.mark.parametrize("protocol", [0, 1, 2])
@pytest.mark.parametrize("size", [8, 300_000], ids=["small", "large"])
@pytest.mark.parametrize("form", ["encoded", "text"])
def test_rt52_07_wide_text_as_array_data(tmp_path, protocol, size, form):
    """The neighbours of rt52-07: a text with a character over U+00FF as an array's data,
    small or over the pass's constant limit, protocols 0-2, written as
    ``_codecs.encode(text, 'latin1')`` or as the text itself (numpy's ``__setstate__``
    encodes a str as latin-1): each load fails, and both refuse; the same text without the
    wide character loads."""
    for text, refused in (("\u06f7" + "a" * (size - 1), True), ("\xe9" + "a" * (size - 1), False)):
        data_state = _Encoded(text) if form == "encoded" else text
        data = pickle.dumps(_ArrayWithData(size, data_state), protocol=protocol)
        if refused:
            with pytest.raises((UnicodeEncodeError, ValueError)):
                pickle.loads(data)
        else:
            assert pickle.loads(data).shape == (size,)
        safe, outcome = parity(data, tmp_path)
        assert (safe, outcome) == ((False, "refused") if refused else (True, "loaded"))


def test_rt52_07_bare_encode_agrees(tmp_path):
    """Guard: the same ``_codecs.encode`` kept as the model is refused by both."""
    data = b"\x80\x02c_codecs\nencode\nX\x02\x00\x00\x00\xdb\xb7X\x06\x00\x00\x00latin1\x86R."
    assert_scan_predicts_load(data, tmp_path, refused=True)


def test_rt52_05_failing_encode_dropped(tmp_path):
    data = b"\x80\x02c_codecs\nencode\nX\x02\x00\x00\x00\xdb\xb7X\x06\x00\x00\x00latin1\x86R0N."
    assert_scan_predicts_load(data, tmp_path)


def test_rt52_03_bunch_pointer_joblib(tmp_path):
    import joblib

    from redteam import assert_safeload_refuses

    path = tmp_path / "m.joblib"
    joblib.dump(_bunch_model("minmax.min_"), path, compress=3)
    assert_safeload_refuses(path, _BUNCH_CALLS["minmax.min_"])


def _joblib_object_arrays_and_pops(tmp_path: Path, arrays: int, pops: int) -> Path:
    """A joblib file of ``arrays`` one-item object arrays, with ``pops`` empty lists built and
    dropped (``]0``) in front of the stream's first opcode."""
    import joblib

    path = tmp_path / "m.joblib"
    joblib.dump([np.array([i], dtype=object) for i in range(arrays)], path)
    data = path.read_bytes()
    assert data[:2] in (b"\x80\x04", b"\x80\x05")
    path.write_bytes(data[:2] + b"]0" * pops + data[2:])
    return path


def test_rt52_08_joblib_object_arrays_times_discards(tmp_path):
    """4,000 object arrays and 200,000 dropped lists (1.18 MB): each part alone loads in
    ~2-4 s of CPU; together ~22 s (``inside = [pos - start for pos in self.discards if
    start <= pos < end]`` runs once per object array over all discards: 8e8 steps). Plain
    joblib loads the file in well under a second. The load must finish within 12 s."""
    import joblib

    from redteam import child

    path = _joblib_object_arrays_and_pops(tmp_path, 4000, 200_000)
    assert len(joblib.load(path)) == 4000
    run = child(
        "import safeload\nmodel = safeload.load_unsigned(sys.argv[1])\nprint('loaded', len(model))\n",
        path,
        cpu=12,
        timeout=120,
    )
    assert run.returncode == 0 and "loaded 4000" in run.stdout, str(run)[:300]


def test_rt52_09_wrapper_state_odd_key(tmp_path):
    import joblib
    from sklearn.preprocessing import StandardScaler

    path = tmp_path / "m.joblib"
    joblib.dump(StandardScaler().fit(np.random.RandomState(0).rand(5, 2)), path)
    data = path.read_bytes()
    assert data.count(b"allow_mmap") == 1  # memoised after the first wrapper
    path.write_bytes(data.replace(b"allow_mmap", b"(llow_mmap"))
    assert type(joblib.load(path)).__name__ == "StandardScaler"
    assert_scan_predicts_load(path.read_bytes(), tmp_path, refused=True)


_KEY = b"\x8c\x0aallow_mmap"  # SHORT_BINUNICODE "allow_mmap" (protocols 4-5)


@pytest.mark.parametrize(
    "key",
    [
        b"\x8c\x0aallow mmap",
        b"\x8c\x0axllow_mmap",
        b"\x8c\x0a__dict__xx",
        b"(NNNNNNNNNNt",
        b"K\x01" + b"N0" * 5,
    ],
    ids=["space", "unknown-identifier", "dunder", "tuple", "int"],
)
def test_rt52_09_wrapper_state_other_keys(tmp_path, key):
    """The neighbours of rt52-09: a wrapper state key joblib never writes (not an attribute
    name, an unknown attribute, a tuple, a number; the same length, so the frames still
    fit): plain joblib loads each, scan and the load both refuse."""
    import joblib

    path = tmp_path / "m.joblib"
    joblib.dump(np.arange(3.0), path, protocol=4)
    data = path.read_bytes()
    assert data.count(_KEY) == 1 and len(key) == len(_KEY)
    path.write_bytes(data.replace(_KEY, key))
    assert joblib.load(path).shape == (3,)
    assert_scan_predicts_load(path.read_bytes(), tmp_path, refused=True)


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
@pytest.mark.parametrize("compress", [0, 3])
def test_rt52_09_honest_wrapper_states_load(tmp_path, protocol, compress):
    """Guard: joblib's own wrapper states (every key it writes) load and scan SAFE, for numeric
    and object arrays, compressed or not."""
    import joblib
    from sklearn.preprocessing import StandardScaler

    from redteam import parity

    model = StandardScaler().fit(np.random.RandomState(0).rand(5, 2))
    model.extra_ = np.array(["a", 1], dtype=object)
    path = tmp_path / "m.joblib"
    joblib.dump(model, path, protocol=protocol, compress=compress)
    assert parity(path.read_bytes(), tmp_path) == (True, "loaded")


def test_rt52_01_dup_class_under_newobj(tmp_path):
    from test_redteam50 import _CraftedTree

    _cls, args, state = _CraftedTree().__reduce__()
    a = pickle.dumps(args, protocol=2)[2:-1]
    s = pickle.dumps(state, protocol=2)[2:-1]
    model = pickle.dumps(_scaler(), protocol=2)[2:]
    data = b"\x80\x02csklearn.tree._tree\nTree\n2" + a + b"\x81" + s + b"b00" + model
    assert type(pickle.loads(data)).__name__ == "StandardScaler"
    assert_scan_predicts_load(data, tmp_path, refused=True)
