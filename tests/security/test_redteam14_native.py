"""Red-team review 14 (rt14): native state no check covered, allocations sized by a number,
and walks that grew exponentially with sharing. One test per finding.

Each test first shows the harm under plain pickle in a child process (a crash, or a hang or a
memory blow-up under an address-space limit and a timeout), then shows ``load_unsigned``
refusing the same bytes, and (through :mod:`parity`) ``scan`` agreeing with it.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import zygote
from harm import Child, crashes, plain
from parity import load_unsigned
from redteam import HANG_CPU, PLAIN, run_child
from safeload import MalformedArtifactError, SafeloadError, scan


def _plain(
    path: Path, call: str = "", *, timeout: float = 60, hang_after_load: float | None = None
) -> Child:
    """Plain pickle (+ ``call``) in a child with 1 GiB of address space."""
    return plain(
        path, call, loads=None, memory=1 << 30, timeout=timeout, hang_after_load=hang_after_load
    )


def _crashes(path: Path, call: str) -> None:
    crashes(path, call, memory=1 << 30)


def _write(tmp_path: Path, data: Any, name: str = "m.pkl") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else pickle.dumps(data, protocol=4))
    return path


# --- f02: bit-generator positions -----------------------------------------------------------


def _dummy(random_state: Any) -> Any:
    from sklearn.dummy import DummyClassifier

    x, y = np.zeros((4, 2)), np.array([0, 1, 0, 1])
    return DummyClassifier(strategy="stratified", random_state=random_state).fit(x, y)


def test_mt19937_position_past_the_key(tmp_path: Path) -> None:
    """f02: ``RandomState.set_state`` stores ``pos`` unchecked; the next draw reads key[pos]."""
    honest = load_unsigned(_write(tmp_path, _dummy(np.random.RandomState(0)), "honest.pkl"))
    assert honest.predict(np.zeros((3, 2))).shape == (3,)
    rs = np.random.RandomState(0)
    st = list(rs.get_state())
    st[2] = 10**9
    rs.set_state(tuple(st))
    path = _write(tmp_path, _dummy(rs))
    _crashes(path, "model.predict(np.zeros((3, 2)))")
    with pytest.raises(MalformedArtifactError, match="pos is out of range"):
        load_unsigned(path)


@pytest.mark.parametrize("where", ["randomstate", "generator", "bare"])
def test_philox_buffer_position_before_the_buffer(tmp_path: Path, where: str) -> None:
    """f02: Philox checks only ``buffer_pos < 4`` before reading ``buffer[buffer_pos]``."""
    bg = np.random.Philox(0)
    honest = {
        "randomstate": np.random.RandomState(bg),
        "generator": np.random.Generator(bg),
        "bare": bg,
    }[where]
    load_unsigned(_write(tmp_path, honest, "honest.pkl"))
    state = bg.state
    state["buffer_pos"] = -(10**9)
    bg.state = state
    path = _write(tmp_path, honest)
    draw = {"randomstate": "model.randint(9)", "generator": "model.integers(9)"}
    _crashes(path, draw.get(where, "model.random_raw()"))
    with pytest.raises(MalformedArtifactError, match="buffer_pos is out of range"):
        load_unsigned(path)


@pytest.mark.parametrize("kind", ["MT19937", "PCG64", "PCG64DXSM", "SFC64", "Philox"])
def test_honest_bit_generators_load(tmp_path: Path, kind: str) -> None:
    bg = getattr(np.random, kind)(1)
    bg.random_raw(7)  # positions mid-buffer
    for obj in (bg, np.random.Generator(bg), np.random.RandomState(bg)):
        loaded = load_unsigned(_write(tmp_path, obj))
        assert type(loaded) is type(obj)


# --- f06: OneHotEncoder's stored column maps ------------------------------------------------

_ONE_HOT_ROWS = "model.transform(np.array([['a']] * 50 + [['b']] * 50, dtype=object))"


def _one_hot(**kwargs: Any) -> Any:
    from sklearn.preprocessing import OneHotEncoder

    x = np.array([["a"]] * 5 + [["b"]] * 5 + [["c"]] + [["d"]], dtype=object)
    return OneHotEncoder(sparse_output=False, **kwargs).fit(x)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_frequency": 2, "handle_unknown": "infrequent_if_exist"},
        {"min_frequency": 2, "drop": "first"},
        {"drop": "first"},
        {"drop": "if_binary"},
        {},
    ],
)
def test_honest_one_hot_encoders_load(tmp_path: Path, kwargs: dict[str, Any]) -> None:
    model = _one_hot(**kwargs)
    loaded = load_unsigned(_write(tmp_path, model))
    x = np.array([["a"], ["b"], ["c"], ["d"]], dtype=object)
    assert np.array_equal(loaded.transform(x), model.transform(x))


def test_one_hot_infrequent_mapping_past_the_columns(tmp_path: Path) -> None:
    """f06: ``_default_to_infrequent_mappings`` values become sparse column indexes that
    ``toarray`` writes at, unbounded."""
    model = _one_hot(min_frequency=2, handle_unknown="infrequent_if_exist")
    assert model._infrequent_enabled
    model._default_to_infrequent_mappings[0][:] = 10**7
    path = _write(tmp_path, model)
    _crashes(path, _ONE_HOT_ROWS)
    with pytest.raises(MalformedArtifactError, match="_default_to_infrequent_mappings"):
        load_unsigned(path)


def test_one_hot_negative_drop_index(tmp_path: Path) -> None:
    """f06b: a negative ``_drop_idx_after_grouping`` decrements category 0 to column -1."""
    model = _one_hot(drop="first")
    model._drop_idx_after_grouping = np.array([-(10**7)], dtype=object)
    path = _write(tmp_path, model)
    _crashes(path, _ONE_HOT_ROWS)
    with pytest.raises(MalformedArtifactError, match="_drop_idx_after_grouping"):
        load_unsigned(path)


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("_infrequent_indices", [np.array([9])], "_infrequent_indices"),
        ("drop_idx_", np.array([7], dtype=object), "drop_idx_"),
        ("_n_features_outs", [1], "_default_to_infrequent_mappings"),
        ("_drop_idx_after_grouping", np.array([3], dtype=object), "_drop_idx_after_grouping"),
    ],
)
def test_one_hot_other_indexes_out_of_range(
    tmp_path: Path, name: str, value: Any, problem: str
) -> None:
    model = _one_hot(min_frequency=2, drop="first")
    setattr(model, name, value)
    with pytest.raises(MalformedArtifactError, match=problem):
        load_unsigned(_write(tmp_path, model))


# --- f13: SGD weight vectors of the wrong number of dimensions ------------------------------

_WIDE = 4_000_000
_SPARSE_ROWS = (
    f"import scipy.sparse as sp\n"
    f"x = sp.csr_matrix((np.ones(6), np.full(6, {_WIDE - 1}), np.arange(7)), shape=(6, {_WIDE}))\n"
)


def _sgd(**kwargs: Any) -> Any:
    import scipy.sparse as sp
    from sklearn.linear_model import SGDClassifier

    x = sp.csr_matrix((np.ones(6), np.full(6, _WIDE - 1), np.arange(7)), shape=(6, _WIDE))
    return SGDClassifier(max_iter=5, tol=None, random_state=0, **kwargs).fit(x, [0, 1] * 3)


def test_sgd_zero_dimensional_average_coef(tmp_path: Path) -> None:
    """f13: a 0-d ``_average_coef``/``_standard_coef`` skipped the width check; partial_fit
    ravels it to one weight and the Cython WeightVector writes at every feature index."""
    model = _sgd(average=True)
    model._average_coef = np.array(0.0)
    model._standard_coef = np.array(0.0)
    path = _write(tmp_path, model)
    # what the sparse rows read past the weights depends on a fresh interpreter's heap
    crashes(
        path,
        _SPARSE_ROWS + "model.partial_fit(x, np.array([0, 1] * 3))",
        memory=1 << 30,
        fresh=True,
    )
    with pytest.raises(MalformedArtifactError, match="_standard_coef has 0 dimensions"):
        load_unsigned(path)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("coef_", np.zeros((1, 1, 3))),
        ("_average_coef", np.zeros((1, 1, 3))),
        ("coef_", np.array(0.0)),
    ],
)
def test_linear_coefficients_of_other_dimensions(tmp_path: Path, name: str, value: Any) -> None:
    from sklearn.linear_model import SGDRegressor

    x = np.random.RandomState(0).randn(20, 3)
    model = SGDRegressor(average=True, max_iter=5, tol=None).fit(x, x[:, 0])
    load_unsigned(_write(tmp_path, model, "honest.pkl"))
    setattr(model, name, value)
    with pytest.raises(MalformedArtifactError, match=f"{name} has"):
        load_unsigned(_write(tmp_path, model))


def test_coefficient_widths_agree_without_n_features_in(tmp_path: Path) -> None:
    """Without ``n_features_in_`` scikit-learn checks the input against ``coef_`` only."""
    from sklearn.linear_model import SGDRegressor

    x = np.random.RandomState(0).randn(20, 3)
    model = SGDRegressor(average=True, max_iter=5, tol=None).fit(x, x[:, 0])
    del model.n_features_in_
    load_unsigned(_write(tmp_path, model, "honest.pkl"))
    model._average_coef = np.zeros(1)
    with pytest.raises(MalformedArtifactError, match="_average_coef is not as wide"):
        load_unsigned(_write(tmp_path, model))


@pytest.mark.parametrize(
    "name",
    [
        "SGDClassifier",
        "SGDRegressor",
        "SGDOneClassSVM",
        "Perceptron",
        "PassiveAggressiveClassifier",
        "PassiveAggressiveRegressor",
    ],
)
@pytest.mark.parametrize("classes", [2, 3])
def test_honest_sgd_family_loads(tmp_path: Path, name: str, classes: int) -> None:
    import sklearn.linear_model as lm

    x = np.random.RandomState(0).randn(30, 4)
    kwargs: dict[str, Any] = {"max_iter": 5, "tol": None}
    if name.startswith("SGD"):
        kwargs["average"] = True
    model = getattr(lm, name)(**kwargs)
    target = np.arange(30) % classes if "Class" in name or name == "Perceptron" else x[:, 0]
    model.fit(x) if name == "SGDOneClassSVM" else model.fit(x, target)
    loaded = load_unsigned(_write(tmp_path, model))
    assert np.array_equal(loaded.predict(x), model.predict(x))


# --- f10: allocations sized by a number in the file -----------------------------------------


def _global(module: str, name: str) -> bytes:
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def _long(n: int) -> bytes:
    raw = n.to_bytes((n.bit_length() + 8) // 8, "little", signed=True)
    return b"\x8a" + bytes([len(raw)]) + raw


def _call(module: str, name: str, *args: bytes) -> bytes:
    return _global(module, name) + b"(" + b"".join(args) + b"tR"


def _range(n: int) -> bytes:
    return _call("builtins", "range", _long(n))


_HUGE = {
    "bytearray": b"\x80\x04" + _call("builtins", "bytearray", _long(2**31)) + b".",
    "bytes": b"\x80\x04" + _call("builtins", "bytes", _long(2**31)) + b".",
    "list_range": b"\x80\x04" + _call("builtins", "list", _range(2**26)) + b".",
    "set_range": b"\x80\x04" + _call("builtins", "set", _range(2**44)) + b".",
    "frozenset_range": b"\x80\x04" + _call("builtins", "frozenset", _range(2**44)) + b".",
    "tuple_range": b"\x80\x04" + _call("builtins", "tuple", _range(2**44)) + b".",
    "reconstructor_base": b"\x80\x02"
    + _call(
        "copyreg",
        "_reconstructor",
        _global("builtins", "tuple"),
        _global("builtins", "tuple"),
        _range(2**44),
    )
    + b".",
    "set_in_a_list": b"\x80\x04]" + _call("builtins", "set", _range(2**44)) + b"a.",
}


@pytest.mark.parametrize("name", sorted(_HUGE))
def test_tiny_file_huge_allocation(tmp_path: Path, name: str) -> None:
    """f10: ``bytearray(2**31)`` (a 32-byte file) zero-fills 2 GiB; ``set(range(2**44))``
    grows until killed. Plain pickle runs out of its 1 GiB address space (or time); the
    narrowed builtins refuse the call, and scan says so."""
    path = _write(tmp_path, _HUGE[name])
    assert len(_HUGE[name]) < 100
    child = _plain(path, timeout=20)
    assert child.hung or "MemoryError" in child.output, child
    # (the _reconstructor form is refused earlier: its base's __init__ would get a call's result)
    # (since red teams 24-25 some forms are refused earlier: a range's length, the base's input)
    with pytest.raises(
        SafeloadError, match="built from|on a value made by a call|range of more than"
    ):
        load_unsigned(path)


@pytest.mark.parametrize("protocol", range(6))
def test_honest_builtin_containers_load(tmp_path: Path, protocol: int) -> None:
    from collections import namedtuple

    value = {
        "set": {1, 2, "a"},
        "frozenset": frozenset({(1, 2), 3}),
        "bytearray": bytearray(b"\x00\xffabc"),
        "empty_bytes": b"",
        "bytes": b"\x00\x80",
        "empty": [set(), frozenset(), bytearray(), ()],
    }
    path = tmp_path / "c.pkl"
    path.write_bytes(pickle.dumps(value, protocol=protocol))
    assert load_unsigned(path) == value
    del namedtuple  # namedtuple classes are not on the allowlist: nothing more to load here


@pytest.mark.parametrize("factory", [list, set, tuple, dict, int])
def test_defaultdict_keeps_the_real_builtin_factory(tmp_path: Path, factory: type) -> None:
    """The narrowed builtins are for calls; a defaultdict's factory stays the builtin itself."""
    from collections import defaultdict

    value = defaultdict(factory, {"a": factory()})
    loaded = load_unsigned(_write(tmp_path, value))
    assert type(loaded) is defaultdict and loaded.default_factory is factory
    assert loaded == value
    pickle.dumps(loaded)  # the model can be saved again


# --- f03b / f07: walks of values shared through the memo ------------------------------------


def _frozenset_key_dag(k: int) -> bytes:
    """``{F_k: 1}`` with ``F_0 = frozenset()``, ``F_i+1 = frozenset({F_i, (F_i,)})``: hashing
    is linear (a frozenset caches its hash), every recursive walk or repr is 2**k."""
    out = b"\x80\x04}(\x91\x94"
    for i in range(k):
        out += b"0(h" + bytes([i]) + b"h" + bytes([i]) + b"\x85\x91\x94"
    return out + b"K\x01s."


def _tuple_dag_refs(refs: int, depth: int = 16) -> bytes:
    """A list holding ``refs`` references to ``T_depth``, ``T_i+1 = (T_i, T_i)``."""
    out = b"\x80\x04]\x94K\x01\x85\x940"
    for i in range(1, depth):
        out += b"h" + bytes([i]) + b"h" + bytes([i]) + b"\x86\x940"
    return out + b"(" + (b"h" + bytes([depth])) * refs + b"e."


def _refused_quickly(path: Path, seconds: float = 20) -> None:
    start = time.monotonic()
    # the sharing bound, or the stream's budget for hashing keys (red team 27, and the hash
    # count's expanded size of a key, rt110-08), met first
    with pytest.raises(
        SafeloadError,
        match="exponential time|reuse memoised values|unfolds into|expand exponentially",
    ):
        load_unsigned(path)  # scan too (parity)
    assert time.monotonic() - start < seconds


def test_shared_frozenset_key_is_refused_in_linear_time(tmp_path: Path) -> None:
    """f03b: plain pickle loads it at once, but any recursive use never ends; safeload's own
    use-time walk labelled the value with the key's repr (2**64 characters) and never ended
    either, before its sharing check could refuse the graph."""
    path = _write(tmp_path, _frozenset_key_dag(64))
    assert len(path.read_bytes()) < 600
    child = _plain(path, "repr(model)", hang_after_load=1.5)
    assert child.loaded and (child.hung or "MemoryError" in child.output), child
    _refused_quickly(path)


def test_scan_walks_shared_literals_once(tmp_path: Path) -> None:
    """f07: scan's use-time pass walked a tuple DAG of depth 16 once per 2-byte reference
    (0.2 s each); now each node once. Plain pickle's repr unfolds it too."""
    path = _write(tmp_path, _tuple_dag_refs(1000))
    child = _plain(path, "repr(model)", hang_after_load=1.5)
    assert child.loaded and (child.hung or "MemoryError" in child.output), child
    start = time.monotonic()
    report = scan(path)
    assert time.monotonic() - start < 10
    assert not report.safe
    _refused_quickly(path)


def _tuple_dag_key(k: int) -> bytes:
    """``{T_k: 1}`` with ``T_0 = ()``, ``T_i+1 = (T_i, T_i)``: tuple hashes are not cached, so
    the C unpickler's SETITEM hashes 2**k tuples."""
    out = b"\x80\x04})\x94"
    for i in range(k):
        out += b"0h" + bytes([i]) + b"h" + bytes([i]) + b"\x86\x94"
    return out + b"K\x01s."


def test_tuple_dag_key_scan_refuses(tmp_path: Path) -> None:
    """f03: plain pickle hashes the key for ever; scan refuses the stored sharing at once."""
    path = _write(tmp_path, _tuple_dag_key(60))
    # hashing the key never ends: killed by SIGXCPU before the load returns
    child = run_child(PLAIN, path, cpu=HANG_CPU)
    assert child.crashed and not child.loaded, child
    start = time.monotonic()
    report = scan(path)
    assert not report.safe and time.monotonic() - start < 10
    message = report.findings[0].message
    assert "exponential time" in message or "reuse memoised values" in message


def test_tuple_dag_key_load_refuses(tmp_path: Path) -> None:
    path = _write(tmp_path, _tuple_dag_key(60))
    code = (
        "import sys, safeload\ntry:\n    safeload.load_unsigned(sys.argv[1])\n"
        "except safeload.SafeloadError:\n    print('refused')\n"
    )
    try:
        proc = zygote.subprocess_run(
            [sys.executable, "-c", code, str(path)], capture_output=True, timeout=20, check=False
        )
    except subprocess.TimeoutExpired:
        proc = None
    assert proc is not None and b"refused" in proc.stdout


# --- allocations sized by the file, found after the red team -------------------------------

#: numpy.ndarray((2**28,), numpy.dtype("O8", False, True)): 2 GiB of None before any check.
_BIG_OBJECT_ARRAY = (
    b"\x80\x04\x8c\x05numpy\x8c\x07ndarray\x93J\x00\x00\x00\x10\x85\x8c\x05numpy\x8c\x05dtype"
    b"\x93\x8c\x02O8\x89\x88\x87R\x86R."
)
#: builtins.bytearray(2**30), discarded by POP, then None: the allocation leaves no value behind.
_DISCARDED_BYTEARRAY = b"\x80\x04\x8c\x08builtins\x8c\tbytearray\x93J\x00\x00\x00@\x85R0N."


def test_an_array_call_with_a_non_empty_shape_is_refused(tmp_path: Path) -> None:
    """numpy's pickles call ndarray/_reconstruct with shape (0,) and set the data by BUILD; a
    shape from the file allocates first. Plain pickle runs out of its 1 GiB; safeload refuses
    it before building anything, and scan says so."""
    path = _write(tmp_path, _BIG_OBJECT_ARRAY)
    child = _plain(path)
    assert child.returncode != 0 and "MemoryError" in child.output, child
    with pytest.raises(MalformedArtifactError, match="non-empty shape"):
        load_unsigned(path)
    honest = _write(tmp_path, {"a": np.arange(5), "b": np.zeros((2, 3))}, "ok.pkl")
    assert load_unsigned(honest)["a"].tolist() == [0, 1, 2, 3, 4]


def test_a_discarded_allocation_is_refused_by_scan_too(tmp_path: Path) -> None:
    """The result of bytearray(2**30) is thrown away (POP): the shadows never meet it, so scan
    checks every such call (it is recorded as a storing call) and agrees with load."""
    path = _write(tmp_path, _DISCARDED_BYTEARRAY)
    child = _plain(path, "assert model is None")
    assert child.returncode != 0 and "MemoryError" in child.output, child
    with pytest.raises(SafeloadError):
        load_unsigned(path)
