"""Red team 47's reproducers (all fixed; each runs as a normal test).

rt47-01..08 are scan/load parity findings without harm; rt47-09 is a hang. rt47-02..04, 06
and 07 share one root cause: scan allowed a Cython or numpy reconstructor/``__setstate__``
without modelling the C-level argument parsing it does (typed memoryviews, C doubles/ints,
layout checksums, numpy's ``(iO!O!iO)`` state), so bytes that make the C unpickler raise
were called SAFE.

rt47-01 an array with more than 64 dimensions (numpy's limit): scan calls the file SAFE,
        load_unsigned refuses it (numpy raises "maximum supported dimension ... 64"), for a
        pickled ndarray (protocols 2-5) and for a joblib inline array (parity, no harm).
rt47-02 a DistanceMetric state whose ``p`` is no real number or whose ``vec``/``mat`` arrays are
        not float64: scan SAFE, load_unsigned refuses (the metric's ``__setstate__`` raises),
        standalone, inside a KD tree's state (pickle), and in a skops file (parity, no harm).
rt47-03 a KD/Ball tree state whose arrays are not the dtype its Cython ``__setstate__`` types
        (``data``, ``idx_array``, ``node_bounds``; or Fortran-ordered) or whose counts
        (``leaf_size`` ... ``n_calls``) are a str or a float: scan SAFE, load_unsigned
        refuses (parity, no harm).
rt47-04 a Cython loss of ``SKLEARN_CALLED_WITH_ARGS`` (``sklearn._loss._loss.Cy*Loss``,
        ``sklearn.linear_model._sgd_fast.Hinge``...) made by its class called with a str, None
        or a list for its ``double`` parameter: scan SAFE, load_unsigned refuses (parity, no
        harm).
rt47-05 a decision tree's ``Tree`` state with ``max_depth`` or ``node_count`` a numpy integer
        scalar: the load loads it (Cython converts the scalar), scan calls it unsafe ("node arrays
        the pass cannot read") - a false alarm (parity, no harm); likewise ``Tree(n_features,
        n_classes, n_outputs)`` called with numpy integer counts or an int32 ``n_classes``.
rt47-06 Cython's ``__pyx_unpickle_SeedSequence`` / ``__pyx_unpickle_CyHalfMultinomialLoss``
        ``(cls, checksum, state)`` with a checksum that is not the class's: Cython raises
        "Incompatible checksums", load_unsigned refuses, scan SAFE (parity, no harm). And the
        other way: a SeedSequence state whose ``n_children_spawned`` is the float 1.5 loads,
        scan unsafe.
rt47-07 a pickled ndarray whose ``__setstate__`` tuple has a version other than 0/1 (or a str), an
        ``is_fortran`` flag that is no int (a str, None, a list) or its data as a bytearray:
        numpy's ``array_setstate`` raises, load_unsigned refuses, scan SAFE (parity, no harm).
rt47-08 a numpy RandomState state whose cached ``gauss`` is a str, or whose ``bit_generator`` names
        another generator than the one it is made on ("PCG64" for an MT19937): numpy's
        ``set_state`` raises, load_unsigned refuses, scan SAFE (parity, no harm). Also a
        Generator's bit generator state (numpy 2's ``(state, seed_seq)``): another generator's
        name, or a str/negative ``uinteger`` or a str ``state`` for PCG64/Philox/SFC64, is SAFE
        to scan and refused by the load; MT19937 with a str or 2 ``has_uint32`` (which its
        ``set_state`` ignores) is unsafe to scan and loads (both directions).
rt47-09 (harm: a hang) GaussianRandomProjection whose stored ``components_`` holds one -inf (or
        +inf; a nan returns): admitted by load_unsigned and scan; ``inverse_transform`` hands it to
        ``scipy.linalg.pinv(..., check_finite=False)``, whose LAPACK SVD never returns on a
        non-finite matrix (a 3x6 model, ~1 KB: killed at the CPU limit). Found by
        ``fz/usefuzz.py`` (seed 15).
"""

from __future__ import annotations

import datetime
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safeload
from redteam import (
    NUMPY_ARRAY_WRAPPER,
    UINT8_DTYPE,
    assert_scan_predicts_load,
    binunicode,
    dumps_with,
    global_,
    tree_pickle,
)

# --- rt47-01: an array of more than 64 dimensions: scan SAFE, load refuses ---------------------

_ONES_64 = b"(" + b"K\x01" * 64 + b"t"
_ONES_65 = b"(" + b"K\x01" * 65 + b"t"


def _pickled_65d(protocol: int) -> bytes:
    """``np.zeros((1,) * 64, 'u1')`` pickled, its shape tuple given a 65th 1."""
    data = pickle.dumps(np.zeros((1,) * 64, dtype="u1"), protocol=protocol)
    assert data.count(_ONES_64) == 1
    return data.replace(_ONES_64, _ONES_65)


def _joblib_65d() -> bytes:
    """A joblib stream whose one inline array (1 byte) has the shape ``(1,) * 65``."""
    state = (
        b"}(X\x05\x00\x00\x00shape"
        + _ONES_65
        + b"X\x05\x00\x00\x00orderX\x01\x00\x00\x00C"
        + UINT8_DTYPE
        + b"X\n\x00\x00\x00allow_mmap\x89"
        + binunicode("subclass")
        + global_("numpy", "ndarray")
        + b"u"
    )
    return b"\x80\x03" + NUMPY_ARRAY_WRAPPER + b")\x81" + state + b"b\x01."


@pytest.mark.parametrize("form", ["pickle-2", "pickle-5", "joblib", "attribute"])
def test_rt47_01_array_over_64_dimensions_parity(form: str, tmp_path: Path) -> None:
    """~200-300 bytes, harmless: numpy (2.x) makes no array of more than 64 dimensions, so
    the C unpickler's ``ndarray.__setstate__`` (or the joblib reader's ``reshape``) raises
    ValueError and ``load_unsigned`` refuses the file ("could not be loaded: ValueError:
    maximum supported dimension for an ndarray is currently 64, found 65"); ``scan`` counts
    the shape's items and bytes but not its length and calls the same bytes SAFE. With 64
    dimensions both load. A scan SAFE on a file the load refuses (issue 14: scan = load)."""
    if form.startswith("pickle-"):
        data = _pickled_65d(int(form.split("-")[1]))
    elif form == "joblib":
        data = _joblib_65d()
    else:
        from sklearn.preprocessing import StandardScaler

        scaler = StandardScaler().fit(np.random.RandomState(0).rand(4, 2))
        scaler.extra_ = np.zeros((1,) * 64, dtype="u1")
        data = pickle.dumps(scaler, protocol=4)
        assert data.count(_ONES_64) == 1
        data = data.replace(_ONES_64, _ONES_65)
    assert_scan_predicts_load(data, tmp_path)


# --- rt47-02: a DistanceMetric state of the wrong types: scan SAFE, load refuses ---------------


def _knn_with_metric_state(change: Any) -> bytes:
    """A fitted KD-tree KNeighborsClassifier pickled (protocol 4) with its tree's distance
    metric state ``(p, vec, mat)`` passed through ``change``."""

    from sklearn.metrics import DistanceMetric
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.RandomState(0)
    X = rng.rand(40, 4)
    model = KNeighborsClassifier(3, algorithm="kd_tree").fit(X, (X[:, 0] > 0.5).astype(int))

    def reduce(obj: Any) -> Any:
        if isinstance(obj, DistanceMetric):
            func, args, state = obj.__reduce__()
            return func, args, tuple(change(list(state)))
        return NotImplemented

    return dumps_with(model, reduce, protocol=4)


_METRIC_STATES = {
    "p-str": lambda s: ["2.0", *s[1:]],
    "p-timedelta": lambda s: [datetime.timedelta(1), *s[1:]],
    "vec-int64": lambda s: [s[0], np.array([1], dtype=np.int64), s[2]],
    "vec-object": lambda s: [s[0], np.array([1.0], dtype=object), s[2]],
    "mat-object": lambda s: [s[0], s[1], np.array([[1.0]], dtype=object)],
}


@pytest.mark.parametrize("case", sorted(_METRIC_STATES))
def test_rt47_02_distance_metric_state_types_parity(case: str, tmp_path: Path) -> None:
    """~3 KB, harmless: ``DistanceMetric.__setstate__`` (Cython) assigns ``state[0]`` to a
    C double and ``state[1]``/``state[2]`` to float64 memoryviews, so a ``p`` that is a str
    or a timedelta, or a ``vec``/``mat`` of int64 or objects, makes the C unpickler raise
    ("must be real number, not str", "Buffer dtype mismatch, expected 'const float64_t' but
    got 'long'") and ``load_unsigned`` refuse; ``scan`` (its shadow of the tree's metric,
    ``check_distance_metric``) calls the same bytes SAFE. (A ``Decimal`` p both load.) Found
    by mutating skops files (``test_rt47_02_skops``); the pickle form is the same state."""
    data = _knn_with_metric_state(_METRIC_STATES[case])
    assert_scan_predicts_load(data, tmp_path)


def test_rt47_02_honest_metric_state_loads(tmp_path: Path) -> None:
    """The unchanged model: both SAFE and loaded (the fix must keep this)."""
    data = _knn_with_metric_state(lambda s: s)
    assert_scan_predicts_load(data, tmp_path)
    assert safeload.scan(data).safe


def _skops_knn_metric_state(kind: str) -> bytes:
    """A KD-tree KNeighborsClassifier in skops form, its tree's metric state item 0 (``p``)
    turned into ``datetime.timedelta(1)`` or item 1 (``vec``) into a json object array."""
    import io
    import json
    import zipfile

    import skops.io
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.RandomState(0)
    X = rng.rand(40, 4)
    model = KNeighborsClassifier(3, algorithm="kd_tree").fit(X, (X[:, 0] > 0.5).astype(int))
    src = zipfile.ZipFile(io.BytesIO(skops.io.dumps(model)))
    files = {i.filename: src.read(i) for i in src.infolist()}
    schema = json.loads(files["schema.json"])
    metric = schema["content"]["content"]["_tree"]["content"]["content"][11]["content"]["content"]
    one = {"__class__": "int", "__module__": "builtins", "__loader__": "JsonNode",
           "content": "1", "is_json": True}  # fmt: skip
    args = {"__class__": "tuple", "__module__": "builtins", "__loader__": "TupleNode",
            "content": [one]}  # fmt: skip
    if kind == "p-timedelta":
        metric[0] = {"__class__": "timedelta", "__module__": "datetime",
                     "__loader__": "ConstructorFromReduceNode", "content": args}  # fmt: skip
    else:
        node = metric[1]
        node.pop("file")
        node.update(type="json", content=[one], shape=args)
    files["schema.json"] = json.dumps(schema).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, raw in files.items():
            dst.writestr(name, raw)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["p-timedelta", "vec-object"])
def test_rt47_02_skops(kind: str, tmp_path: Path) -> None:
    """The skops form (what ``fz/skfuzz.py`` seed 4702 found): skops' construct of the tree
    raises ("must be real number, not datetime.timedelta", "Buffer dtype mismatch, expected
    'const float64_t' but got Python object"), ``load_unsigned`` refuses, scan says SAFE."""
    data = _skops_knn_metric_state(kind)
    path = tmp_path / "m.skops"
    path.write_bytes(data)
    safe = safeload.scan(data).safe
    try:
        safeload.load_unsigned(path)
        outcome = "loaded"
    except safeload.SafeloadError:
        outcome = "refused"
    assert safe == (outcome == "loaded"), (safe, outcome)


# --- rt47-03: a KD/Ball tree state of the wrong types: scan SAFE, load refuses ------------------


def _knn_with_tree_state(algorithm: str, index: int, change: Any) -> bytes:
    """A fitted KNeighborsClassifier (``algorithm``) pickled (protocol 4) with item ``index``
    of its tree's ``__reduce__`` state passed through ``change``."""

    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.RandomState(0)
    X = rng.rand(40, 4)
    model = KNeighborsClassifier(3, algorithm=algorithm).fit(X, (X[:, 0] > 0.5).astype(int))
    tree_type = type(model._tree)

    def reduce(obj: Any) -> Any:
        if type(obj) is tree_type:
            func, args, state = obj.__reduce__()
            state = list(state)
            state[index] = change(state[index])
            return func, args, tuple(state)
        return NotImplemented

    return dumps_with(model, reduce, protocol=4)


_TREE_STATES = {
    "data-float32": (0, lambda a: a.astype(np.float32)),
    "data-object": (0, lambda a: a.astype(object)),
    "data-fortran": (0, np.asfortranarray),
    "node_bounds-fortran": (3, np.asfortranarray),
    "idx_array-int32": (1, lambda a: a.astype(np.int32)),
    "node_bounds-float32": (3, lambda a: a.astype(np.float32)),
    "leaf_size-str": (4, lambda n: "1"),
    "n_levels-float": (5, lambda n: 1.5),
    "n_nodes-str": (6, lambda n: "1"),
    "n_calls-str": (10, lambda n: "1"),
}


@pytest.mark.parametrize("algorithm", ["kd_tree", "ball_tree"])
@pytest.mark.parametrize("case", sorted(_TREE_STATES))
def test_rt47_03_binary_tree_state_types_parity(case: str, algorithm: str, tmp_path: Path) -> None:
    """~3-5 KB, harmless: ``BinaryTree64.__setstate__`` (Cython) assigns the state's arrays to
    typed memoryviews (C-contiguous float64 ``data``/``node_bounds``, intp ``idx_array``) and
    its counts to C ints, so a float32/int32/object array ("Buffer dtype mismatch"), a
    Fortran-ordered one ("ndarray is not C-contiguous", joblib files alike) or a str/float count
    ("an integer is required") makes the unpickler raise and ``load_unsigned`` refuse; scan's
    shadow check of the tree (``check_binary_tree``) calls the same bytes SAFE. rt47-02's
    mechanism on the tree that holds the metric (20 of the 26 forms tried disagree)."""
    if case == "node_bounds-fortran" and algorithm == "ball_tree":
        pytest.skip("a ball tree's node_bounds (1, nodes, features) stays C-contiguous")
    index, change = _TREE_STATES[case]
    assert_scan_predicts_load(_knn_with_tree_state(algorithm, index, change), tmp_path)


# --- rt47-04: a Cython loss called with a str or None: scan SAFE, load refuses ----------------


def _hgb_with_loss_argument(value: Any) -> bytes:
    """A fitted quantile HistGradientBoostingRegressor pickled (protocol 4) with its
    ``CyPinballLoss(quantile)`` written as ``CyPinballLoss(value)``."""

    from sklearn.ensemble import HistGradientBoostingRegressor

    rng = np.random.RandomState(0)
    X = rng.rand(60, 3)
    model = HistGradientBoostingRegressor(max_iter=2, loss="quantile", quantile=0.3)
    model.fit(X, X[:, 0] + 0.1)

    def reduce(obj: Any) -> Any:
        if type(obj).__module__ == "sklearn._loss._loss":
            func, args = obj.__reduce__()[:2]
            return (func, (value,)) if args else (func, args)
        return NotImplemented

    return dumps_with(model, reduce, protocol=4)


@pytest.mark.parametrize("value", ["0.3", None], ids=["str", "none"])
def test_rt47_04_cython_loss_argument_parity(value: Any, tmp_path: Path) -> None:
    """~20 KB, harmless: ``CyPinballLoss.__init__(double quantile)`` raises on a str or None
    ("must be real number"), so the C unpickler's REDUCE fails and ``load_unsigned`` refuses;
    scan calls the same bytes SAFE (it allows the call without modelling the C argument's
    type). A float, numpy float, int or bool loads on both sides."""
    assert_scan_predicts_load(_hgb_with_loss_argument(value), tmp_path)


_CALLED_WITH_ARGS = [
    ("sklearn.linear_model._sgd_fast", "Hinge"),
    ("sklearn.linear_model._sgd_fast", "EpsilonInsensitive"),
    ("sklearn._loss._loss", "CyHuberLoss"),
    ("sklearn._loss._loss", "CyHalfTweedieLoss"),
]


@pytest.mark.parametrize("owner", _CALLED_WITH_ARGS, ids=lambda o: o[1])
@pytest.mark.parametrize("value", ["1.0", None, [1.0]], ids=["str", "none", "list"])
def test_rt47_04_called_with_args_standalone(owner: Any, value: Any, tmp_path: Path) -> None:
    """The same, bare: ``{'x': cls(value)}`` (~100 bytes). With 1.0 both load."""
    import importlib

    from redteam import Call

    cls = getattr(importlib.import_module(owner[0]), owner[1])
    assert_scan_predicts_load(pickle.dumps({"x": Call(cls, value)}, protocol=4), tmp_path)


_LOSS_VALUES = {
    "float": 0.5,
    "int": 1,
    "bool": True,
    "np.float64": np.float64(0.5),
    "np.int64": np.int64(1),
    "np.complex128": np.complex128(1),
    "decimal": __import__("decimal").Decimal("0.5"),
    "decimal-snan": __import__("decimal").Decimal("sNaN"),
    "fraction": __import__("fractions").Fraction(1, 2),
    "huge-int": 10**400,
    "complex": 1j,
    "array-0d": np.array(0.5),
    "array-1": np.array([0.5]),
    "timedelta": datetime.timedelta(1),
    "bytes": b"1",
}


@pytest.mark.parametrize("name", sorted(_LOSS_VALUES))
def test_rt47_04_loss_argument_table(name: str, tmp_path: Path) -> None:
    """Each Cython loss argument form on ``CyHuberLoss`` and ``Hinge``: scan's verdict is the
    load's (a C double takes what has ``__float__`` or ``__index__``; a signalling-NaN
    Decimal, a 2-item array or an int past a double's range raise in the load)."""
    from sklearn._loss._loss import CyHuberLoss
    from sklearn.linear_model._sgd_fast import Hinge

    from redteam import Call

    for cls in (CyHuberLoss, Hinge):
        data = pickle.dumps({"x": Call(cls, _LOSS_VALUES[name])}, protocol=4)
        assert_scan_predicts_load(data, tmp_path)


_LOSS_FORMS = {
    # REDUCE with another count of arguments than __init__ takes: TypeError in the load
    "reduce-none": b")R",
    "reduce-two": b"G?\xe0\x00\x00\x00\x00\x00\x00G?\xe0\x00\x00\x00\x00\x00\x00\x86R",
    # NEWOBJ makes it by __new__, skipping __init__: refused by the walk (pickle calls it)
    "newobj-str": b"X\x01\x00\x00\x00x\x85\x81",
    "newobj-none": b")\x81",
    "obj-none": b"(" + b"\x8c\x13sklearn._loss._loss\x94\x8c\rCyPinballLoss\x94\x93o",
}


@pytest.mark.parametrize("form", sorted(_LOSS_FORMS))
def test_rt47_04_loss_call_forms(form: str, tmp_path: Path) -> None:
    """``CyPinballLoss`` made by REDUCE with no or two arguments (the load raises TypeError,
    scan was SAFE), or by NEWOBJ/OBJ (``__new__`` without ``__init__``: it loaded, holding a
    quantile nothing converted): both refuse each form."""
    body = _LOSS_FORMS[form]
    if form.startswith("obj"):
        data = b"\x80\x04}\x8c\x01x" + body + b"s."
    else:
        data = b"\x80\x02}X\x01\x00\x00\x00x" + global_("sklearn._loss._loss", "CyPinballLoss")
        data += body + b"s."
    assert_scan_predicts_load(data, tmp_path)
    assert not safeload.scan(data).safe


def test_rt47_04_honest_loss_argument(tmp_path: Path) -> None:
    """The honest quantile model: both SAFE and loaded."""
    data = _hgb_with_loss_argument(0.3)
    assert_scan_predicts_load(data, tmp_path)
    assert safeload.scan(data).safe


# --- rt47-05: a Tree state count as a numpy integer: scan unsafe, load loads -----------------


def _tree_with_state_item(key: str, kind: Any) -> bytes:
    """The red teams' tree file (protocol 4) with ``tree_``'s state item ``key`` written as
    ``kind(value)``."""
    return tree_pickle(state=lambda state: {**state, key: kind(state[key])})


@pytest.mark.parametrize("key", ["max_depth", "node_count"])
@pytest.mark.parametrize("kind", [np.int32, np.int64], ids=["int32", "int64"])
def test_rt47_05_tree_count_numpy_scalar_parity(key: str, kind: Any, tmp_path: Path) -> None:
    """~3 KB, harmless: ``Tree.__setstate__`` reads ``max_depth`` and ``node_count`` into C
    integers, which a numpy integer scalar converts to (the load's tree check reads the same
    numbers and returns the model); scan's tree rule reads only a literal int there and calls
    the file unsafe ("sklearn Tree whose node arrays the pass cannot read from the stream").
    A numpy bool is refused by both. The opposite direction of rt47-02..04: a false alarm."""
    assert_scan_predicts_load(_tree_with_state_item(key, kind), tmp_path)


# --- rt47-06: a SeedSequence unpickled with a wrong Cython checksum: scan SAFE, load refuses ---


@pytest.mark.parametrize("delta", [1, -65708578], ids=["plus-one", "zero"])
def test_rt47_06_seed_sequence_checksum_parity(delta: int, tmp_path: Path) -> None:
    """~200 bytes, harmless: Cython's ``__pyx_unpickle_SeedSequence`` compares its second
    argument with the class's layout checksum and raises ``PickleError: Incompatible
    checksums`` otherwise, so ``load_unsigned`` refuses ``{'s': SeedSequence(5)}`` with the
    checksum changed; scan calls the same bytes SAFE (it allows the helper whatever the
    checksum). Unchanged, both load."""
    import struct

    seq = np.random.SeedSequence(5)
    checksum = seq.__reduce__()[1][1]
    data = pickle.dumps({"s": seq}, protocol=2)
    old = b"J" + struct.pack("<i", checksum)
    assert data.count(old) == 1
    assert_scan_predicts_load(data, tmp_path)  # honest: both load
    changed = data.replace(old, b"J" + struct.pack("<i", checksum + delta))
    assert_scan_predicts_load(changed, tmp_path)


def test_rt47_06_multinomial_loss_checksum_parity(tmp_path: Path) -> None:
    """rt47-06 on scikit-learn's ``CyHalfMultinomialLoss`` (what a multiclass HGB keeps)."""
    import struct

    from sklearn._loss._loss import CyHalfMultinomialLoss

    loss = CyHalfMultinomialLoss()
    checksum = loss.__reduce__()[1][1]
    data = pickle.dumps({"x": loss}, protocol=2)
    old = b"J" + struct.pack("<i", checksum)
    assert data.count(old) == 1
    assert_scan_predicts_load(data, tmp_path)  # honest: both load
    assert_scan_predicts_load(data.replace(old, b"J" + struct.pack("<i", checksum + 1)), tmp_path)


# --- rt47-07: an ndarray state numpy's __setstate__ cannot parse: scan SAFE, load refuses -----


def _array_with_state(change: Any) -> bytes:
    """``{'a': np.arange(6.).reshape(2, 3)}`` pickled (protocol 2) with the array's
    ``__setstate__`` tuple ``(version, shape, dtype, is_fortran, data)`` passed through
    ``change``."""

    array = np.arange(6, dtype=np.float64).reshape(2, 3)

    def reduce(obj: Any) -> Any:
        if type(obj) is np.ndarray:
            func, args, state = obj.__reduce__()
            return func, args, tuple(change(list(state)))
        return NotImplemented

    return dumps_with({"a": array}, reduce, protocol=2)


_ARRAY_STATES = {
    "version-99": lambda s: [99, *s[1:]],
    "version-str": lambda s: ["1", *s[1:]],
    "fortran-str": lambda s: [*s[:3], "x", s[4]],
    "fortran-none": lambda s: [*s[:3], None, s[4]],
    "fortran-list": lambda s: [*s[:3], [1], s[4]],
    "data-bytearray": lambda s: [*s[:4], bytearray(s[4])],
}


@pytest.mark.parametrize("case", sorted(_ARRAY_STATES))
def test_rt47_07_array_state_header_parity(case: str, tmp_path: Path) -> None:
    """~150 bytes, harmless: numpy's ``array_setstate`` parses its tuple as ``(iO!O!iO)`` and
    accepts versions 0 and 1 only ("can't handle version 99 of numpy.ndarray pickle"; "an
    integer is required"), and its data as bytes (or a list for object arrays), so the C
    unpickler raises and ``load_unsigned`` refuses; scan calls the same bytes SAFE. A
    4- or 6-item state, or a shape of a list or numpy ints, is refused by both; unchanged,
    both load."""
    assert_scan_predicts_load(_array_with_state(_ARRAY_STATES[case]), tmp_path)


# --- rt47-08: a RandomState state numpy refuses: scan SAFE, load refuses ----------------------


def _random_state_with(key: str, value: Any) -> bytes:
    """``{'r': RandomState(0)}`` pickled (protocol 2) with its state dict's ``key`` set to
    ``value``."""

    state = np.random.RandomState(0)

    def reduce(obj: Any) -> Any:
        if type(obj) is np.random.RandomState:
            func, args, st = obj.__reduce__()
            return func, args, {**st, key: value}
        return NotImplemented

    return dumps_with({"r": state}, reduce, protocol=2)


@pytest.mark.parametrize(("key", "value"), [("gauss", "x"), ("bit_generator", "PCG64")])
def test_rt47_08_random_state_parity(key: str, value: Any, tmp_path: Path) -> None:
    """~2.6 KB, harmless: ``RandomState.__setstate__`` (``set_state``) converts the cached
    ``gauss`` to a C double ("must be real number, not str") and checks that the state's
    ``bit_generator`` is the generator it was made on ("state must be for a MT19937 PRNG"),
    so ``load_unsigned`` refuses; ``check_random_state`` (scan's shadow) calls the same bytes
    SAFE. (A wrong ``pos``/``has_gauss``/short ``key`` is refused by both.)"""
    assert_scan_predicts_load(_random_state_with(key, value), tmp_path)


def _generator_with(kind: str, change: Any) -> bytes:
    """``{'g': Generator(kind(0))}`` pickled (protocol 2) with its bit generator's state dict
    passed through ``change``."""

    gen = np.random.Generator(getattr(np.random, kind)(0))

    def reduce(obj: Any) -> Any:
        if isinstance(obj, np.random.BitGenerator):
            func, args, st = obj.__reduce__()
            if isinstance(st, tuple):
                return func, args, (change(dict(st[0])), *st[1:])
            return func, args, change(dict(st))
        return NotImplemented

    return dumps_with({"g": gen}, reduce, protocol=2)


_GENERATOR_CASES = {
    "PCG64-name-SFC64": ("PCG64", lambda s: {**s, "bit_generator": "SFC64"}),
    "MT19937-name-SFC64": ("MT19937", lambda s: {**s, "bit_generator": "SFC64"}),
    "PCG64-uinteger-str": ("PCG64", lambda s: {**s, "uinteger": "x"}),
    "Philox-uinteger-neg": ("Philox", lambda s: {**s, "uinteger": -1}),
    "SFC64-state-str": ("SFC64", lambda s: {**s, "state": "x"}),
    "Philox-counter-short": (
        "Philox",
        lambda s: {**s, "state": {**s["state"], "counter": s["state"]["counter"][:1]}},
    ),
    "MT19937-has_uint32-2": ("MT19937", lambda s: {**s, "has_uint32": 2}),
    "MT19937-has_uint32-str": ("MT19937", lambda s: {**s, "has_uint32": "x"}),
}


@pytest.mark.parametrize("case", sorted(_GENERATOR_CASES))
def test_rt47_08_bit_generator_state_parity(case: str, tmp_path: Path) -> None:
    """~300 bytes, harmless. The bit generators' ``state`` setters (Cython) check the name
    and convert ``uinteger``/``state`` to C integers (load refuses, scan SAFE), while
    MT19937's ignores ``has_uint32`` (load loads, scan unsafe). Unchanged, both load."""
    kind, change = _GENERATOR_CASES[case]
    assert_scan_predicts_load(_generator_with(kind, change), tmp_path)


def _tree_with_args(change: Any) -> bytes:
    """The red teams' tree file (protocol 4) with ``Tree(*args)``'s arguments
    ``(n_features, n_classes, n_outputs)`` passed through ``change``."""
    return tree_pickle(args=change)


_TREE_ARGS = {
    "n_features-int64": lambda a: (np.int64(a[0]), a[1], a[2]),
    "n_outputs-int64": lambda a: (a[0], a[1], np.int64(a[2])),
    "n_classes-int32": lambda a: (a[0], a[1].astype(np.int32), a[2]),
}


@pytest.mark.parametrize("case", sorted(_TREE_ARGS))
def test_rt47_05_tree_arguments_parity(case: str, tmp_path: Path) -> None:
    """rt47-05 on the tree's constructor arguments: Cython's ``Tree.__cinit__`` converts numpy
    integers and copies an int32 ``n_classes`` into its own buffer (the load loads and its
    checks pass); scan calls the file unsafe (it reads only literal ints and an intp array)."""
    assert_scan_predicts_load(_tree_with_args(_TREE_ARGS[case]), tmp_path)


def test_rt47_06_seed_sequence_float_children_parity(tmp_path: Path) -> None:
    """``{'s': SeedSequence(5)}`` with its BUILD state ``(entropy, n_children_spawned, pool,
    pool_size, spawn_key)`` holding ``n_children_spawned=1.5``: the load returns it, scan
    calls it unsafe (a false alarm)."""

    seq = np.random.SeedSequence(5)

    def reduce(obj: Any) -> Any:
        if type(obj) is np.random.SeedSequence:
            func, args, state = obj.__reduce__()
            return func, args, (state[0], 1.5, *state[2:])
        return NotImplemented

    assert_scan_predicts_load(dumps_with({"s": seq}, reduce, protocol=2), tmp_path)


# --- rt47-09: GaussianRandomProjection.components_ with -inf: inverse_transform never returns --


def _projection_with_inf(value: float) -> bytes:
    """A fitted GaussianRandomProjection (6 -> 3, ``compute_inverse_components=False``, the
    default) with one entry of ``components_`` set to ``value``, pickled (protocol 5)."""
    from sklearn.random_projection import GaussianRandomProjection

    model = GaussianRandomProjection(n_components=3, random_state=0)
    model.fit(np.random.RandomState(0).rand(20, 6))
    # the components_ the fuzzer's file held (an honest fit's, one entry made -inf)
    model.components_ = np.array(
        [
            [1.0184761, 0.23103087, 0.56507464, 1.29378029, value, -0.56423165],
            [0.5485338, -0.08738612, -0.05959343, 0.23705916, 0.08316359, 0.8396252],
            [0.43938534, 0.0702491, 0.25626456, 0.19264696, 0.86260696, -0.11844818],
        ]
    )
    return pickle.dumps(model, protocol=5)


#: The harm: inverse_transform of 5 rows (plain pickle's model, or safeload's).
_INVERSE = (
    "import numpy, time\n"
    "t = time.process_time()\n"
    "model.inverse_transform(numpy.random.RandomState(1).rand(5, 3))\n"
    "print('returned', time.process_time() - t, flush=True)\n"
)


def test_rt47_09_plain_pickle_hangs(tmp_path: Path) -> None:
    """The harm without safeload: plain pickle's model, ``inverse_transform`` of 5 rows, is
    killed at the HANG_CPU limit (an honest model's takes milliseconds)."""
    from redteam import HANG_CPU, PLAIN_MODEL, child

    path = tmp_path / "m.pkl"
    path.write_bytes(_projection_with_inf(-np.inf))
    loaded = "print('loaded', flush=True)\n"
    run = child(PLAIN_MODEL + loaded + _INVERSE, path, cpu=HANG_CPU, timeout=60)
    assert "loaded" in run.stdout, run
    assert "returned" not in run.output and (run.crashed or run.hung), run
    honest = tmp_path / "h.pkl"
    honest.write_bytes(_projection_with_inf(0.5))
    run = child(PLAIN_MODEL + _INVERSE, honest, cpu=3, timeout=60)
    assert "returned" in run.output, run


@pytest.mark.parametrize("value", [-np.inf, np.inf], ids=["-inf", "inf"])
def test_rt47_09_non_finite_projection_refused(value: float, tmp_path: Path) -> None:
    """~1 KB: ``load_unsigned`` returns the model (and scan calls it SAFE); its public
    ``inverse_transform`` then runs ``scipy.linalg.pinv(components_, check_finite=False)``,
    LAPACK's SVD on a non-finite matrix, which does not return (rt47-09's child above). A
    fix refuses a random projection whose ``components_`` is not finite (or whose
    ``inverse_components_`` is not, with ``compute_inverse_components``)."""
    from redteam import assert_refused

    path = tmp_path / "m.pkl"
    path.write_bytes(_projection_with_inf(value))
    assert_refused(path)


@pytest.mark.parametrize("kind", ["gaussian", "sparse"])
@pytest.mark.parametrize("inverse", [False, True], ids=["no-inverse", "inverse"])
def test_rt47_09_honest_projections_load(kind: str, inverse: bool, tmp_path: Path) -> None:
    """Honest random projections (dense and sparse components, with and without the stored
    inverse) load and scan SAFE; the same with one infinite component, or an infinite entry
    of the stored inverse, are refused by both."""
    from sklearn.random_projection import GaussianRandomProjection, SparseRandomProjection

    cls = GaussianRandomProjection if kind == "gaussian" else SparseRandomProjection
    model = cls(n_components=3, random_state=0, compute_inverse_components=inverse)
    model.fit(np.random.RandomState(0).rand(20, 6))
    data = pickle.dumps(model, protocol=5)
    assert_scan_predicts_load(data, tmp_path)
    assert safeload.scan(data).safe
    name = "inverse_components_" if inverse else "components_"
    value = getattr(model, name)
    if __import__("scipy.sparse").sparse.issparse(value):
        value.data[0] = np.inf
    else:
        value.flat[0] = -np.inf
    data = pickle.dumps(model, protocol=5)
    assert_scan_predicts_load(data, tmp_path)
    assert not safeload.scan(data).safe


_TREE_ARG_TABLE = {
    "n_features-bool": lambda a: (True, a[1], a[2]),
    "n_features-np.bool": lambda a: (np.bool_(True), a[1], a[2]),
    "n_features-float": lambda a: (float(a[0]), a[1], a[2]),
    "n_features-np.uint64": lambda a: (np.uint64(a[0]), a[1], a[2]),
    "n_features-np.float64": lambda a: (np.float64(a[0]), a[1], a[2]),
    "n_outputs-np.int32": lambda a: (a[0], a[1], np.int32(a[2])),
    "n_classes-big-endian-int32": lambda a: (a[0], a[1].astype(">i4"), a[2]),
    "n_classes-big-endian-int64": lambda a: (a[0], a[1].astype(">i8"), a[2]),
    "n_classes-uint64": lambda a: (a[0], a[1].astype(np.uint64), a[2]),
    "n_classes-int16": lambda a: (a[0], a[1].astype(np.int16), a[2]),
    "n_classes-float64": lambda a: (a[0], a[1].astype(np.float64), a[2]),
    "n_classes-2d": lambda a: (a[0], a[1][None], a[2]),
}


@pytest.mark.parametrize("case", sorted(_TREE_ARG_TABLE))
def test_rt47_05_tree_argument_table(case: str, tmp_path: Path) -> None:
    """More forms of ``Tree(n_features, n_classes, n_outputs)``: Cython's ``__index__`` takes
    ints, bools and numpy integers (not floats or numpy bools), and ``Tree`` converts 32- and
    64-bit int ``n_classes`` of either byte order (no other dtype, no 2-D array): scan's
    verdict is the load's for each."""
    assert_scan_predicts_load(_tree_with_args(_TREE_ARG_TABLE[case]), tmp_path)


_TREE_STATE_TABLE = {
    "node_count-np.uint64": ("node_count", np.uint64),
    "node_count-np.float64": ("node_count", np.float64),
    "node_count-bool": ("node_count", lambda n: bool(n) if n == 1 else n),
    "max_depth-np.bool": ("max_depth", np.bool_),
    "max_depth-float": ("max_depth", float),
    "max_depth-str": ("max_depth", str),
    "values-fortran": ("values", np.asfortranarray),
    "values-float32": ("values", lambda v: v.astype(np.float32)),
}


@pytest.mark.parametrize("case", sorted(_TREE_STATE_TABLE))
def test_rt47_05_tree_state_table(case: str, tmp_path: Path) -> None:
    """More forms of a ``Tree`` state's counts and value array: scan's verdict is the
    load's (a numpy unsigned count converts, a float or numpy bool raises, a Fortran or
    float32 value array is refused by ``Tree.__setstate__``)."""
    key, kind = _TREE_STATE_TABLE[case]
    assert_scan_predicts_load(_tree_with_state_item(key, kind), tmp_path)
