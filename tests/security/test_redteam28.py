"""Red team 28, the static pass's findings (rt28-01, 02, 04 to 08, 10 to 13): numpy's
``_frombuffer`` over anything but bytes, ``bytes(B)`` claiming ``B``, and a stream budget that
now sees what every value holds (call results, objects and their states, joblib arrays,
protocol 5 bytearrays, ints) and what every BUILD copies. Each test shows the harm under plain
pickle in a child process under resource limits, then the refusal by the load's own static
pass (before the C unpickler builds anything) and by scan, with the shipped class facts and
without them."""

from __future__ import annotations

import io
import pickle
import struct
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
    refused,
    run_child,
    verdicts,
    write,
)
from safeload.exceptions import LimitExceededError, UnsafeStateError

BUDGET = "reuse memoised values so often"
#: what the pass says when a file asks for more work than its size allows: the stream's
#: budget, one call's arguments, one hashed key
OVER_BUDGET = (BUDGET, "would visit more items", "hashing it would visit")


def _over_budget(problems: list[str]) -> bool:
    return bool(problems) and any(words in problems[0] for words in OVER_BUDGET)


# --- rt28-01: numpy's _frombuffer over an array the stream built ------------------------------


def _hgb_and_nb() -> tuple[Any, Any, Any, bytes]:
    """A fitted HistGradientBoosting model, and a MultinomialNB whose ``feature_count_`` has
    the size of the first predictor's ``nodes``."""
    from sklearn.naive_bayes import MultinomialNB

    rng = np.random.RandomState(0)
    hgb, nodes, raw = hgb_nodes()
    columns = len(raw) // 8 // 7
    nb = MultinomialNB().fit(rng.randint(0, 3, size=(14, columns)), list(range(7)) * 2)
    nb.feature_count_ = np.frombuffer(raw, dtype=np.float64).reshape(7, columns).copy()
    return hgb, nb, nodes, raw


def _pickled(obj: Any, swap: dict[int, Any], protocol: int) -> bytes:
    """``obj`` pickled with the objects whose ids are in ``swap`` reduced as given."""

    class Swapping(pickle.Pickler):
        def reducer_override(self, o: Any) -> Any:
            return swap.get(id(o), NotImplemented)

    buf = io.BytesIO()
    Swapping(buf, protocol=protocol).dump(obj)
    return buf.getvalue()


#: ``model`` is {"hgb": ..., "nb": ...}: an honest partial_fit, then the trees' predict.
NB_WRITES_NODES = (
    "import numpy as np\n"
    "nb, hgb = model['nb'], model['hgb']\n"
    "X = np.zeros((1, nb.feature_count_.shape[1])); X[0, 1] = 1e300\n"
    "nb.partial_fit(X, [0])\n"
    "print('partial_fit', flush=True)\n"
    "hgb.predict(np.random.RandomState(0).rand(5, 4))\n"
    "print('returned', flush=True)\n"
)


@pytest.mark.parametrize("protocol", [2, 5])
def test_rt28_01_frombuffer_view_of_a_checked_array(
    protocol: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``_frombuffer(nodes, float64, shape, 'C')`` (a memo reference to a HistGradientBoosting
    predictor's checked ``nodes``) as a MultinomialNB's ``feature_count_`` is a writeable view
    of the nodes: an honest ``partial_fit`` rewrites them, and ``predict`` segfaults. numpy
    writes its arrays over their own bytes, so any other buffer is refused."""
    from numpy._core.numeric import _frombuffer

    hgb, nb, nodes, _raw = _hgb_and_nb()
    fc = nb.feature_count_
    data = _pickled(
        {"hgb": hgb, "nb": nb}, {id(fc): (_frombuffer, (nodes, fc.dtype, fc.shape, "C"))}, protocol
    )
    if protocol == 5:  # one harm demo is enough: the two protocols make the same objects
        plain = run_child(PLAIN + NB_WRITES_NODES, write(tmp_path, data), cpu=30)
        assert plain.crashed and "partial_fit" in plain.output, f"plain: {plain}"
    assert any("_frombuffer over something other than bytes" in p for p in prepass_problems(data))
    assert verdicts(data, monkeypatch) == {"unsafe"}
    refused(tmp_path, data, "other than bytes")


def test_rt28_01_frombuffer_view_of_an_object_array(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``_frombuffer(object_array, float64, ...)`` is a writeable float view of the object
    array's pointers: reading it leaks heap addresses, an honest ``partial_fit`` adds to them
    and ``inverse_transform`` dereferences the result (SIGSEGV)."""
    from numpy._core.numeric import _frombuffer
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.preprocessing import LabelEncoder

    rng = np.random.RandomState(0)
    le = LabelEncoder().fit(np.array([f"label{i}" for i in range(14)], dtype=object))
    nb = MultinomialNB().fit(rng.randint(0, 3, size=(14, 2)), list(range(7)) * 2)
    view = (_frombuffer, (le.classes_, np.dtype(np.float64), (7, 2), "C"))
    data = _pickled({"le": le, "nb": nb}, {id(nb.feature_count_): view}, 2)
    use = (
        "le, nb = model['le'], model['nb']\n"
        "nb.partial_fit([[1e6, 1e6]], [0])\n"
        "print('partial_fit', flush=True)\n"
        "print(le.inverse_transform([0, 1]), flush=True)\n"
    )
    plain = run_child(PLAIN + use, write(tmp_path, data), cpu=30)
    assert plain.crashed and "partial_fit" in plain.output, f"plain: {plain}"
    assert prepass_problems(data)
    assert verdicts(data, monkeypatch) == {"unsafe"}
    refused(tmp_path, data, "other than bytes")


def test_rt28_01_the_unpicklers_frombuffer_takes_bytes_only() -> None:
    """Behind the pass, the unpickler's stand-in for ``_frombuffer`` refuses an array buffer
    and builds over bytes and bytearrays as numpy does."""
    from numpy._core.numeric import _frombuffer

    from safeload.pickle.unpickler import _frombuffer_standin

    standin = _frombuffer_standin(_frombuffer, "m.pkl")
    f8 = np.dtype(np.float64)
    with pytest.raises(UnsafeStateError, match="m.pkl: numpy's _frombuffer over"):
        standin(np.zeros(4), f8, (4,), "C")
    with pytest.raises(UnsafeStateError):
        standin(np.array([None] * 4, dtype=object), f8, (4,), "C")
    for buffer in (bytes(32), bytearray(32)):
        assert standin(buffer, f8, (4,), "C").tolist() == [0.0] * 4


# --- rt28-02: bytes(B) is B -------------------------------------------------------------------


def test_rt28_02_bytes_of_the_claimed_bytes_is_a_second_claim(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two array states over ``B`` and ``bytes(B)``: CPython returns ``B`` itself, one memory
    for the tree's nodes and the NB counts (``partial_fit`` rewrites the nodes, ``predict``
    segfaults). The load refused it only after building; the pass now follows ``bytes(x)``
    to ``x``, so scan refuses it too."""
    from numpy._core.multiarray import _reconstruct

    hgb, nb, nodes, raw = _hgb_and_nb()
    fc = nb.feature_count_
    empty = (np.ndarray, (0,), b"b")
    swap = {
        id(nodes): (_reconstruct, empty, (1, nodes.shape, nodes.dtype, False, raw)),
        id(fc): (_reconstruct, empty, (1, fc.shape, fc.dtype, False, Call(bytes, raw))),
    }
    data = _pickled({"hgb": hgb, "nb": nb}, swap, 2)
    plain = run_child(PLAIN + NB_WRITES_NODES, write(tmp_path, data), cpu=30)
    assert plain.crashed and "partial_fit" in plain.output, f"plain: {plain}"
    assert any("two arrays over one bytes object" in p for p in prepass_problems(data))
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt28-04, rt28-05, rt28-06: what a call makes costs what it holds --------------------------


def _tuple_of_text_dag(depth: int, fan: int, chars: int) -> bytes:
    """``T1 = tuple(S)`` (a string of ``chars`` characters), ``T(k+1) = tuple([Tk] * fan)``;
    memo: ``tuple`` at 0, ``T1`` at 2, ``Tk`` at ``k + 1``."""
    body = b"\x80\x02" + global_("builtins", "tuple") + b"q\x000"
    body += binunicode("a" * chars) + b"q\x010h\x00h\x01\x85Rq\x020"
    for k in range(2, depth + 1):
        body += b"h\x00(" + (b"h" + bytes([k])) * fan + b"l\x85Rq" + bytes([k + 1]) + b"0"
    return body


def _short(text: str) -> bytes:
    return b"X" + struct.pack("<I", len(text)) + text.encode()


RT28_04 = {
    # one dict key T4: the unpickler hashes 80**3 * 65,536 items (a tuple's hash is not cached)
    "dict-key": _tuple_of_text_dag(4, 80, 65536) + b"}h\x05K\x00s.",
    # no call: a UUID whose int is a flat tuple of 100,000 ints, 10**6 times inside one key
    "uuid-in-tuple-key": (
        b"\x80\x02}("
        + global_("uuid", "UUID")
        + b")\x81}"
        + _short("int")
        + b"(K\x01"
        + b"K\x01" * 99_999  # (not DUP: a stream with DUP that drops a value is refused first)
        + b"tsbq\x050("
        + b"h\x05" * 10_000
        + b"tq\x060("
        + b"h\x06" * 100
        + b"tK\x00u."
    ),
}


@pytest.mark.parametrize("form", list(RT28_04))
def test_rt28_04_hashed_call_results_and_objects_cost_what_they_hold(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A call's result, or an object given its state by BUILD, counted one node however much
    it held: rt26-05's tuple DAG rebuilt from ``tuple()`` results (a 66 KB file hashing
    3.4e10 items), or a UUID whose ``int`` is a long tuple referenced 10**6 times from one
    key (220 KB). Plain pickle is killed at the CPU limit; the pass now charges an object
    its arguments, state and items."""
    data = RT28_04[form]
    plain = run_child(PLAIN, write(tmp_path, data), cpu=HANG_CPU, timeout=60)
    assert plain.crashed or plain.hung, f"plain: {plain}"
    problems = prepass_problems(data)
    assert _over_budget(problems), problems
    assert verdicts(data, monkeypatch) == {"unsafe"}


def _copied(maker: bytes, copier: str, times: int) -> bytes:
    """``V = <maker>`` (memo 2), then ``copier(V)`` ``times`` times into one list."""
    body = b"\x80\x02" + global_("builtins", copier) + b"q\x000" + maker + b"q\x020"
    return body + b"](" + b"h\x00h\x02\x85R" * times + b"e."


RT28_05 = {
    # L = list(S) (64 KB string: 512 KB of pointers), then list(L) 20,000 times: 10 GB
    "list-of-list": _copied(
        global_("builtins", "list") + binunicode("a" * 65536) + b"\x85R", "list", 20_000
    ),
    # E = _codecs.encode(S, 'latin1') (1 MB), then bytearray(E) 20,000 times: 20 GB
    "bytearray-of-encode": _copied(
        global_("_codecs", "encode")
        + binunicode("a" * 1_000_000)
        + binunicode("latin1")
        + b"\x86R",
        "bytearray",
        20_000,
    ),
    # rt28-06: list(S) of one 64 KB string 250 times: 128 MB of pointers from a 66 KB file (the
    # budget charged a string 1 unit per 16 characters, the list makes 8 bytes per character)
    "list-of-text": (
        b"\x80\x02"
        + global_("builtins", "list")
        + b"q\x00"
        + binunicode("a" * 65536)
        + b"q\x01]("
        + b"h\x00h\x01\x85R" * 250
        + b"e."
    ),
}


@pytest.mark.parametrize("form", list(RT28_05))
def test_rt28_05_copies_of_call_results_are_charged(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Copying calls on a call's result, or ``list(str)`` many times: gigabytes from a small
    file. Plain pickle runs out of memory under the limit; the pass refuses before building."""
    data = RT28_05[form]
    grow = 96 << 20 if form == "list-of-text" else 1 * GB
    plain = run_child(PLAIN, write(tmp_path, data), grow=grow, cpu=30, imports=("pickle",))
    assert "MemoryError" in plain.output or plain.crashed, f"plain: {plain}"
    problems = prepass_problems(data)
    assert _over_budget(problems), problems
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt28-07, rt28-08: a BUILD copies its state ------------------------------------------------


def _one_state_built(times: int, keys: int, *, by_call: bool = False) -> bytes:
    """One memoised ``keys``-key dict BUILT into ``times`` StandardScalers; ``by_call``: the
    dict is made by ``dict([(k, 0), ...])`` (update copies what a call's result holds)."""
    body = b"\x80\x02" + global_("sklearn.preprocessing._data", "StandardScaler") + b"q\x000"
    if by_call:
        pairs = b"".join(b"(" + _short(f"k{i}") + b"K\x00t" for i in range(keys))
        body += global_("builtins", "dict") + b"](" + pairs + b"e\x85Rq\x010"
    else:
        body += b"}q\x01(" + b"".join(_short(f"k{i}") + b"K\x00" for i in range(keys)) + b"u0"
    return body + b"](" + b"h\x00)\x81h\x01b" * times + b"e."


def _one_tree_state_built(times: int) -> bytes:
    """``times`` Trees over one memoised node state (about 640 KB)."""
    from sklearn.tree import DecisionTreeRegressor
    from sklearn.tree._tree import Tree

    rng = np.random.RandomState(0)
    X, y = rng.rand(5_000, 3), rng.rand(5_000)
    reduced = DecisionTreeRegressor(random_state=0).fit(X, y).tree_.__reduce__()

    class SharedState:
        def __reduce__(self) -> Any:
            return (Tree, reduced[1], reduced[2])

    return pickle.dumps([SharedState() for _ in range(times)], protocol=4)


@pytest.mark.parametrize("form", ["estimator-dict", "dict-call-state", "tree-state"])
def test_rt28_07_one_state_built_into_many_objects(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One memoised state BUILT into thousands of objects (9 bytes each): every
    ``__dict__.update`` copies the 5,000 keys (1 GB from 90 KB), every
    ``Tree.__setstate__`` the nodes and values (2 GB from 640 KB). The pass walked each
    copy's keys again, too (rt28-08: quadratic, 42 s for a 1 MB file). Each BUILD is now
    charged what it copies, before anything reads the state; a state dict made by a call
    (``dict([...])``) counts what it holds."""
    if form == "tree-state":
        data = _one_tree_state_built(3_000)
    else:
        data = _one_state_built(3_000, 5_000, by_call=form == "dict-call-state")
    path = write(tmp_path, data)
    grow = 1 * GB if form == "tree-state" else 256 << 20
    plain = run_child(PLAIN, path, grow=grow, cpu=60, imports=("pickle", "sklearn.tree"))
    assert "MemoryError" in plain.output or plain.crashed, f"plain: {plain}"
    problems = prepass_problems(data)
    assert _over_budget(problems), problems
    assert verdicts(data, monkeypatch) == {"unsafe"}


def test_rt28_08_a_state_is_looked_at_once() -> None:
    """The pass looks up a BUILD state's dunder keys once per state, however many objects
    are built from it; within the budget (few objects), the state of many BUILDs still
    reports its dunder key as a use-time finding."""
    from safeload.pickle.walker import analyze
    from safeload.policy import Policy

    body = b"\x80\x02" + global_("sklearn.preprocessing._data", "StandardScaler") + b"q\x000"
    body += b"}q\x01(" + _short("__class__") + b"K\x00" + _short("mean_") + b"K\x00"
    data = body + b"u0](" + b"h\x00)\x81h\x01b" * 50 + b"e."
    found = analyze(data, policy=Policy.default(), use_time=True, check_trees=False)
    assert any("'__class__'" in p.message for p in found.problems)


# --- rt28-10: joblib inline arrays and protocol 5 bytearrays -----------------------------------


def _joblib_array_fanned_out() -> bytes:
    """One 64 KB joblib inline array memoised and given 100,000 times to ``AdamOptimizer``."""
    import joblib
    from sklearn.neural_network._stochastic_optimizers import AdamOptimizer

    a = np.full(8192, 1.2345)
    buf = io.BytesIO()
    joblib.dump(Call(AdamOptimizer, [a, 7]), buf, protocol=2)
    data = buf.getvalue()
    end = data.index(a.tobytes()) + a.nbytes
    return data[:end] + b"q\xf0" + b"h\xf0" * 100_000 + data[end:]


def _bytearray_fanned_out(copier: str, times: int) -> bytes:
    """One 1 MB top-level protocol 5 bytearray, then ``copier(BA)`` ``times`` times."""
    body = b"\x80\x05\x8c\x08builtins\x8c" + bytes([len(copier)]) + copier.encode() + b"\x93\x940"
    body += b"\x96" + struct.pack("<Q", 1_000_000) + b"a" * 1_000_000 + b"\x940"
    return body + b"](" + b"h\x00h\x01\x85R" * times + b"e."


@pytest.mark.parametrize("form", ["joblib-array", "p5-bytearray-list", "p5-bytearray-bytes"])
def test_rt28_10_opaque_values_are_charged_their_size(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A joblib inline array (13 GB from 266 KB) and a protocol 5 bytearray (16 to 20 GB from
    1 MB) counted one node wherever they were given; they now count their bytes."""
    if form == "joblib-array":
        data = _joblib_array_fanned_out()
        path = write(tmp_path, data, "m.joblib")
        code = (
            "try:\n    joblib.load(sys.argv[1]); print('loaded')\n"
            "except MemoryError:\n    print('MemoryError')\n"
        )
        plain = run_child(
            code, path, grow=1 * GB, cpu=60, imports=("joblib", "sklearn.neural_network")
        )
    else:
        data = _bytearray_fanned_out(
            *(("list", 2_000) if form.endswith("list") else ("bytes", 20_000))
        )
        plain = run_child(PLAIN, write(tmp_path, data), grow=1 * GB, cpu=60, imports=("pickle",))
    assert "MemoryError" in plain.output or plain.crashed, f"plain: {plain}"
    problems = prepass_problems(data, joblib=form == "joblib-array")
    assert _over_budget(problems), problems
    assert safeload.scan(data).verdict == "unsafe"


# --- rt28-11: a dtype as a type string ---------------------------------------------------------


def test_rt28_11_frombuffer_dtype_must_be_a_dtype(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``_frombuffer(b'', 'S1073741824', (0,), 'C')`` is an empty array with a 1 GiB item from
    a 5-byte string; as a LabelEncoder's ``classes_``, ``transform`` allocates 1 GiB per
    label. The load refused it after building, scan said SAFE: the pass now requires the
    ``numpy.dtype`` numpy writes."""
    from numpy._core.numeric import _frombuffer
    from sklearn.preprocessing import LabelEncoder

    le = LabelEncoder().fit(["a", "b"])
    le.classes_ = Call(_frombuffer, b"", "S1073741824", (0,), "C")
    data = pickle.dumps(le, protocol=5)
    use = (
        "try:\n    model.transform(['a', 'b', 'c']); print('returned')\n"
        "except MemoryError:\n    print('transform MemoryError')\n"
    )
    plain = run_child(
        PLAIN + use,
        write(tmp_path, data),
        grow=1 * GB,
        cpu=30,
        imports=("pickle", "sklearn.preprocessing"),
    )
    assert "transform MemoryError" in plain.output, f"plain: {plain}"
    assert any("not a numpy.dtype" in p for p in prepass_problems(data))
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt28-12: a big int's hash reads every digit -----------------------------------------------


def test_rt28_12_tuple_key_of_one_big_int(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One dict key, a tuple of 100,000 memo references to one 1 MB int (a 1.2 MB file):
    100,000 hashes of the int, a minute of CPU. An int now costs its size."""
    size = 1_000_000
    data = b"\x80\x02\x8b" + struct.pack("<i", size) + b"\xff" * (size - 1) + b"\x7f"
    data += b"q\x010}((" + b"h\x01" * 100_000 + b"tK\x00u."
    plain = run_child(PLAIN, write(tmp_path, data), cpu=HANG_CPU, timeout=60, imports=("pickle",))
    assert plain.crashed or plain.hung, f"plain: {plain}"
    problems = prepass_problems(data)
    assert _over_budget(problems), problems
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt28-13: out of memory while unpickling is a limit ----------------------------------------


def test_rt28_13_memory_error_while_unpickling_is_a_limit() -> None:
    """``Limits`` promise ``LimitExceededError``: running out of memory inside the unpickler
    is one (it was ``MalformedArtifactError`` only)."""
    from safeload.pickle.unpickler import _wrap_errors

    def exhausted() -> Any:
        raise MemoryError

    with pytest.raises(LimitExceededError, match="m.pkl: ran out of memory loading"):
        _wrap_errors("m.pkl", exhausted)
