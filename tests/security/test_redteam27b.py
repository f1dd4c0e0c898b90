"""Red team 27, the findings fixed after the round (rt27-03 to rt27-06, rt27-09, rt27-11):
per-stream budgets for what calls copy and what keys cost to hash, an array's size in the
call-argument count, arrays that share one buffer, and a linear sharing check. Each test
shows the harm under plain pickle in a child process under resource limits, then the refusal
by the load (its static pass, before the C unpickler runs) and by scan, with the shipped
class facts and without them."""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safeload
from redteam import (
    GB,
    HANG_CPU,
    PLAIN,
    Call,
    binunicode,
    global_,
    hgb_nodes,
    prepass_problems,
    run_child,
    short_binstring,
    tuple_dag,
    verdicts,
    write,
)
from safeload.exceptions import SafeloadError
from safeload.pickle.walker import analyze
from safeload.policy import Policy
from safeload.validate import validate_loaded


def _refused_by_load(path: Path) -> str:
    """The load's refusal (a SafeloadError) of ``path``, before anything is built."""
    with pytest.raises(SafeloadError) as info:
        safeload.load_unsigned(path)
    return str(info.value)


# --- rt27-03: one array given many times to a constructor -------------------------------------


@pytest.mark.parametrize("form", ["AdamOptimizer", "PredefinedSplit"])
def test_rt27_03_one_array_fanned_out_is_charged_its_size(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``AdamOptimizer([A] * 100_000)`` with one memoised 64 KB array (2 bytes per reference,
    a 266 KB file) runs ``np.zeros_like`` 200,000 times (13 GB); ``PredefinedSplit`` runs
    ``np.array`` on the list (6.5 GB). The call-argument count charged an array one node
    whatever its size; it now costs one node per 16 bytes of its data."""
    from sklearn.model_selection import PredefinedSplit
    from sklearn.neural_network._stochastic_optimizers import AdamOptimizer

    cls = {"AdamOptimizer": AdamOptimizer, "PredefinedSplit": PredefinedSplit}[form]
    data = pickle.dumps(Call(cls, [np.zeros(8192)] * 100_000), protocol=2)
    path = write(tmp_path, data)
    plain = run_child(PLAIN, path, memory=GB, cpu=20)
    assert "MemoryError" in plain.output or plain.crashed, f"plain: {plain}"
    # the memo references to the array are charged its size (the first rule met); the class
    # is refused as called with arguments even when the argument is small
    assert "reuse memoised values" in prepass_problems(data)[0]
    small = pickle.dumps(Call(cls, [np.zeros(8)]), protocol=2)
    assert "called with arguments" in prepass_problems(small)[0]


def test_rt27_03_sklearn_classes_are_never_called_with_arguments() -> None:
    """Every scikit-learn name on the default allowlist, called with one argument by REDUCE
    or NEWOBJ, is refused by the pass, except the few pickle itself calls that way (Cython
    losses with a parameter, the tree, namedtuples, Cython's and scikit-learn's helpers)."""
    from safeload.pickle.call_rules import SKLEARN_CALLED_WITH_ARGS
    from safeload.pickle.names import NEW_OBJ

    policy = Policy.default()
    names = [
        (m, n)
        for m, n in (entry[:2] for entry in policy.entries)
        if m.startswith("sklearn.") and not n.startswith("__pyx_unpickle_")
    ]
    assert len(names) > 200
    passed = []
    for module, name in names:
        glob = global_(module, name)
        for opcode in (b"R", b"\x81"):  # REDUCE, NEWOBJ
            data = b"\x80\x02" + glob + b"K\x05\x85" + opcode + b"."
            found = analyze(data, policy=policy, use_time=False, check_trees=False)
            if not found.problems:
                passed.append((module, name))
    assert set(passed) <= SKLEARN_CALLED_WITH_ARGS | NEW_OBJ, sorted(set(passed))


# --- rt27-04: one key hashed again and again --------------------------------------------------


def _uuid_with(int_value: bytes) -> bytes:
    return global_("uuid", "UUID") + b")\x81" + b"}" + short_binstring("int") + int_value + b"sb"


def _rt27_04(form: str) -> bytes:
    if form == "set-dag":  # a UUID whose int is a tuple DAG of ~500,000 nodes
        return b"\x80\x04\x8f(" + _uuid_with(tuple_dag(3, 80)) + b"2" * 100_000 + b"\x90."
    if form == "dict-dag":
        u = _uuid_with(tuple_dag(3, 80))
        return b"\x80\x02}(" + u + b"q\x05K\x00" + b"h\x05K\x00" * 100_000 + b"u."
    if form == "tuple-key":  # a plain tuple of 80,000 ints as a set item, 80,000 times
        return b"\x80\x04\x8f((K\x01" + b"2" * 79_999 + b"t" + b"2" * 80_000 + b"\x90."
    # set-flat: no sharing, a flat tuple of 100,000 ints inside a UUID, hashed 100,001 times
    u = _uuid_with(b"(K\x01" + b"2" * 99_999 + b"t")
    return b"\x80\x04\x8f(" + u + b"2" * 100_000 + b"\x90."


@pytest.mark.parametrize("form", ["set-dag", "dict-dag", "set-flat", "tuple-key"])
def test_rt27_04_every_hash_of_a_key_is_charged(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unpickler hashes a key or set item every time it is stored, and neither a tuple's
    hash nor a UUID's (``hash(self.int)``) is cached: one object added 100,000 times by 1-byte
    DUPs is 10**10 or more steps from a 100-400 KB file. Plain pickle is killed at its CPU
    limit; each store is now charged to one budget for the whole stream."""
    data = _rt27_04(form)
    path = write(tmp_path, data)
    plain = run_child(PLAIN, path, memory=GB, cpu=HANG_CPU, timeout=60)
    assert plain.crashed or plain.hung, f"plain pickle: {plain}"
    _refused_by_load(path)
    assert prepass_problems(data)
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt27-05: a pure path of one part repeated ------------------------------------------------


@pytest.mark.parametrize("form", ["split", "join"])
def test_rt27_05_pure_path_parts_are_charged_their_length(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``PurePosixPath(*[S] * 4000)``: with ``S = 'a/' * 65536`` (139 KB) the unpickler splits
    2.6 * 10**8 parts; with ``S = 'a' * 2**20`` (1 MB) the load succeeded and the check after
    building joined a 4 GB string (a raw MemoryError escaped ``load_unsigned``). A string now
    costs one node per 16 bytes wherever a call is given it."""
    import pathlib

    part = "a/" * (1 << 16) if form == "split" else "a" * (1 << 20)
    data = pickle.dumps(Call(pathlib.PurePosixPath, *([part] * 4000)), 2)
    path = write(tmp_path, data)
    code = PLAIN + "if 'model' in globals():\n    str(model)\n    print('returned')\n"
    plain = run_child(code, path, memory=GB // 2, cpu=30)
    assert "MemoryError" in plain.output and "returned" not in plain.output, f"plain: {plain}"
    # the memo references to the part are charged its length, and so is the call
    assert "reuse memoised values" in _refused_by_load(path)
    assert verdicts(data, monkeypatch) == {"unsafe"}
    # the call's own count (the first rule met is the references'): 4 references to one
    # 160-byte string count 11 nodes each
    from safeload._symbolic import _Const, _Tuple
    from safeload.pickle.costs import unfolded

    assert unfolded(_Tuple([_Const("a" * 160)] * 4), 10**6, {}) == 1 + 4 * 11


def test_rt27_05_a_check_that_runs_out_of_memory_is_a_refusal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whatever a check after building does, a MemoryError out of it is a LimitExceededError
    naming the file, never a raw MemoryError."""
    import pathlib

    from safeload.exceptions import LimitExceededError
    from safeload.trust.structures import values

    def exhausted(value: Any, context: Any) -> None:
        raise MemoryError

    monkeypatch.setattr(values, "check_pure_path", exhausted)
    monkeypatch.setattr("safeload.validate._CACHE", None)
    with pytest.raises(LimitExceededError, match="m.pkl: ran out of memory checking"):
        validate_loaded({"p": pathlib.PurePosixPath("a", "b")}, "m.pkl")


# --- rt27-06: two arrays over one buffer --------------------------------------------------------


def _rt27_06(form: str) -> bytes:
    from numpy._core.multiarray import _reconstruct
    from numpy._core.numeric import _frombuffer
    from sklearn.naive_bayes import MultinomialNB

    rng = np.random.RandomState(0)
    hgb, nodes, raw = hgb_nodes()
    nf = len(raw) // 8 // 7
    nb = MultinomialNB().fit(rng.randint(0, 3, size=(14, nf)), list(range(7)) * 2)
    nb.feature_count_ = np.frombuffer(raw, dtype=np.float64).reshape(7, nf).copy()
    shared = [nodes, nb.feature_count_]
    view = bytearray(raw)

    class _Aliasing(pickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            # numpy's own reduction of each array, but both hold the same bytes object
            if any(obj is a for a in shared):
                if form == "protocol-5":  # two _frombuffer calls on one bytearray
                    return (_frombuffer, (view, obj.dtype, obj.shape, "C"))
                state = (1, obj.shape, obj.dtype, False, raw)
                return (_reconstruct, (np.ndarray, (0,), b"b"), state)
            return NotImplemented

    buf = io.BytesIO()
    _Aliasing(buf, protocol=5 if form == "protocol-5" else 2).dump({"nb": nb, "hgb": hgb})
    return buf.getvalue()


_USE_06 = (
    "import numpy as np\n"
    "nb, hgb = model['nb'], model['hgb']\n"
    "X = np.zeros((1, nb.feature_count_.shape[1])); X[0, 1] = 1e300\n"
    "nb.partial_fit(X, [0])\n"
    "print('partial_fit', flush=True)\n"
    "hgb.predict(np.random.RandomState(0).rand(5, 4))\n"
    "print('returned', flush=True)\n"
)


@pytest.mark.parametrize("form", ["protocol-2", "protocol-5"])
def test_rt27_06_arrays_over_one_buffer_are_refused(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """numpy keeps a ``bytes`` state of more than 1000 bytes (and any ``_frombuffer`` buffer)
    as the array's writeable memory. Two honest models in a dict, a HistGradientBoosting
    predictor's ``nodes`` and a MultinomialNB's ``feature_count_`` over one bytes object:
    an honest ``partial_fit`` rewrites the checked nodes and ``predict`` reads out of bounds
    (SIGSEGV). The pass refuses a buffer claimed by two arrays; the load also refuses
    overlapping arrays after building."""
    data = _rt27_06(form)
    path = write(tmp_path, data)
    plain = run_child(PLAIN + _USE_06, path, memory=2 * GB, cpu=30)
    assert plain.crashed and "partial_fit" in plain.output, f"plain: {plain}"
    assert "two arrays over one bytes object" in _refused_by_load(path)
    assert verdicts(data, monkeypatch) == {"unsafe"}
    # the check after building, on its own: the model plain pickle built
    with pytest.raises(SafeloadError, match="two arrays over the same memory"):
        validate_loaded(pickle.loads(data), "m.pkl")


def test_rt27_06_honest_arrays_do_not_overlap(tmp_path: Path) -> None:
    """Views an object makes of its own arrays share their root and pass; small bytes that
    CPython shares (``b""``, one-byte strings) are copied by numpy and pass the pass."""
    base = np.arange(10.0)
    validate_loaded({"a": base, "b": base[2:5], "c": base.reshape(2, 5)}, "m.pkl")
    arrays = [np.zeros(0), np.zeros(0), np.zeros(1, "u1"), np.zeros(1, "u1"), np.ones(200)]
    for protocol in (2, 3, 4, 5):
        data = pickle.dumps([*arrays, arrays[-1]], protocol)
        assert not prepass_problems(data)
        path = tmp_path / f"p{protocol}.pkl"
        path.write_bytes(data)
        loaded = safeload.load_unsigned(path)
        assert loaded[-1] is loaded[-2] and len(loaded) == 6


# --- rt27-09: many calls on one memoised constant -----------------------------------------------


def _rt27_09(form: str) -> bytes:
    n = 20_000
    if form == "_codecs.encode":  # each call makes a new 1 MB bytes object
        setup = global_("_codecs", "encode") + b"q\x01" + binunicode("a" * (1 << 20))
        setup += short_binstring("latin1") + b"\x86q\x0200"
        return b"\x80\x02" + setup + b"(" + b"h\x01h\x02R" * n + b"l."
    # tuple(S): a 64 KB string becomes a 512 KB tuple at every 5-byte call
    setup = global_("builtins", "tuple") + b"q\x01" + binunicode("a" * (1 << 16)) + b"\x85q\x0200"
    return b"\x80\x02" + setup + b"(" + b"h\x01h\x02R" * (5 * n) + b"l."


@pytest.mark.parametrize("form", ["_codecs.encode", "tuple"])
def test_rt27_09_calls_on_one_constant_share_one_budget(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each call is 5 bytes (two BINGETs and REDUCE) and copies its whole memoised argument:
    ``_codecs.encode`` of one 1 MB string 20,000 times is 20 GB, ``tuple`` of a 64 KB string
    100,000 times 51 GB; scan's shadows ran the same calls (20 GB RSS, then SAFE). Every call
    now draws on one budget for the whole stream, before anything is built."""
    data = _rt27_09(form)
    path = write(tmp_path, data)
    plain = run_child(PLAIN, path, memory=GB, cpu=30)
    assert "MemoryError" in plain.output or plain.crashed, f"plain: {plain}"
    assert "reuse memoised values so often" in _refused_by_load(path)
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt27-11: the sharing check was quadratic in a repeated set item ----------------------------


def test_rt27_11_sharing_check_looks_at_each_item_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """``static_sharing._sharing_problem`` listed the children of every *occurrence* of a stored
    item: one flat tuple of n ints added n times to a set was n**2 steps of Python before anything
    was built (80 KB: more than a minute). It now looks at each item once: counted here."""
    from safeload.trust import static_sharing

    n = 20_000
    data = b"\x80\x04\x8f((K\x01" + b"2" * (n - 1) + b"t" + b"2" * n + b"\x90."
    seen: list[int] = []
    real = static_sharing._container_kids

    def counting(sym: Any) -> list[Any]:
        seen.append(1)
        return real(sym)

    monkeypatch.setattr(static_sharing, "_container_kids", counting)
    stored = [[object()] * 3]  # the function only needs ids and _container_kids
    assert static_sharing._sharing_problem(stored) is None
    assert len(seen) == 1
    assert verdicts(data, monkeypatch) == {"unsafe"}  # and the repeated hash is refused


# --- rt27-08: a dtype of a huge item as a parameter --------------------------------------------


def _rt27_08(form: str) -> bytes:
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

    enc: Any = (OneHotEncoder if form == "OneHotEncoder" else OrdinalEncoder)()
    enc.fit(np.array([[0], [1]]))
    enc.dtype = np.dtype(("f8", (2**27,)))  # 1 GiB per item, ~100 bytes to write
    return pickle.dumps(enc, protocol=2)


@pytest.mark.parametrize("form", ["OneHotEncoder", "OrdinalEncoder"])
def test_rt27_08_dtype_of_a_huge_item_is_refused(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The encoders' ``dtype`` parameter is not validated by scikit-learn; a sub-array dtype
    ``('f8', (2**27,))`` makes ``transform`` of n rows allocate n GiB (MemoryError under
    1 GiB for 2 rows). A dtype with fields or a sub-array is now limited to 4,096 bytes per
    item, any dtype to 1 MiB, in the pass and after building."""
    data = _rt27_08(form)
    path = write(tmp_path, data)
    use = (
        "import numpy as np\n"
        "try:\n    model.transform(np.array([[0], [1]]))\n    print('returned', flush=True)\n"
        "except MemoryError:\n    print('transform MemoryError', flush=True)\n"
    )
    plain = run_child(PLAIN + use, path, memory=GB, cpu=30)
    assert "transform MemoryError" in plain.output, f"plain: {plain}"
    assert "bytes per item" in _refused_by_load(path)
    assert verdicts(data, monkeypatch) == {"unsafe"}


def test_rt27_08_built_dtype_check_refuses_huge_items() -> None:
    """The check after building says the same as the pass."""
    from safeload._numpy_state import built_dtype_problem

    assert built_dtype_problem(np.dtype(("f8", (2**27,))), {})
    assert built_dtype_problem(np.dtype("S2000000"), {})
    assert built_dtype_problem(np.dtype([("a", "f8", (600,))]), {})
    for honest in ("f8", "U1000", [("a", "f8"), ("b", "i4", (3,))]):
        assert built_dtype_problem(np.dtype(honest), {}) is None


def _rt27_07(form: str) -> bytes:
    from sklearn.dummy import DummyClassifier

    a, b = "A" * 1000, "B" * 1000
    d = np.dtype("f8")
    for _ in range(11):  # 4,094 fields counted per path, names of 1000 characters
        n = d.itemsize
        if form == "wide-record":
            spec = {"names": [a, b], "formats": [d, d], "offsets": [0, n], "itemsize": 2 * n}
        else:  # overlapping fields: the item stays 8 bytes, the repr is still 4 MB
            spec = {"names": [a, b], "formats": [d, d], "offsets": [0, 0], "itemsize": n}
        d = np.dtype(spec)
    held: Any = {
        "wide-record": [d] * 10_000,
        "overlapping-record": [d] * 10_000,
        "array": [np.arange(1000.0) * 1.123456789] * 200_000,
        "string": ["s" * 100_000] * 20_000,
    }[form]
    return pickle.dumps(DummyClassifier(strategy="constant", constant=held), protocol=2)


@pytest.mark.parametrize("form", ["wide-record", "overlapping-record", "array", "string"])
def test_rt27_07_one_value_printed_many_times(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A parameter list holding one memoised value many times, 2 bytes a reference: a 4 MB
    repr dtype 10,000 times (23 KB file), a 1000-item array 200,000 times, a 100 KB string
    20,000 times. ``repr(model)`` builds gigabytes (out of memory, or killed at a CPU limit). A memo
    reference now costs what printing the value costs, from the stream's budget (a record
    dtype wider than 4,096 bytes is refused on its own)."""
    data = _rt27_07(form)
    path = write(tmp_path, data)
    use = (
        "if 'model' in globals():\n"
        "    try:\n        repr(model)\n        print('returned', flush=True)\n"
        "    except MemoryError:\n        print('repr MemoryError', flush=True)\n"
    )
    # killed at its CPU limit (SIGXCPU) or out of memory: either way repr does not return
    plain = run_child(PLAIN + use, path, memory=GB, cpu=HANG_CPU, imports=("sklearn.dummy",))
    assert "MemoryError" in plain.output or plain.crashed, f"plain: {plain}"
    refusal = _refused_by_load(path)
    assert "bytes per item" in refusal or "reuse memoised values so often" in refusal
    assert verdicts(data, monkeypatch) == {"unsafe"}
