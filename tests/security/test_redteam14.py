"""Red team 14: the static pass must agree with the unpickler on containers, keys and dtypes.

Each payload is built from raw opcodes with a harmless effect (a marker file created by
``posix.system``, or a crash of plain pickle in a child process with a timeout). Each test
shows the effect under plain pickle or joblib, then that ``safeload.scan`` calls the bytes
unsafe and ``safeload.load_unsigned`` refuses them before anything is built (whichever build,
compiled or pure, is imported).

Rules under test (the static pass, safeload/pickle/):
- SETITEM(S) only on a dict the stream is building (EMPTY_DICT/DICT, or a call in
  ``DICT_MAKERS``), APPEND(S) only on such a list, ADDITEMS only on such a set (f11, f14);
- no container changes after it was handed to a call or BUILD (f15, f16);
- no BUILD state dict with a key made by a call (f12), no dunder key in a BUILD state, and a
  slot state must be None or a literal dict unless the class takes its state itself (f08);
- ``numpy.dtype`` arguments are exactly ``(type string, False, True)``, as numpy writes (f01).
"""

from __future__ import annotations

import collections
import io
import pickle
import pickletools
import re
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import joblib
import numpy as np
import pytest

import safeload
import zygote
from safeload import MalformedArtifactError
from safeload.pickle.names import DICT_MAKERS, LIST_MAKERS, SET_MAKERS


def _su(text: str) -> bytes:
    """SHORT_BINUNICODE ``text``."""
    raw = text.encode()
    return b"\x8c" + bytes([len(raw)]) + raw


def _child(code: str, path: Path, *, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``code`` (with ``path`` as ``sys.argv[1]``) in a child with a 2 GiB address space."""
    prelude = "import resource, sys\nresource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))\n"
    return zygote.subprocess_run(
        [sys.executable, "-c", prelude + textwrap.dedent(code), str(path)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _refused(path: Path) -> str:
    """Assert scan and load_unsigned refuse ``path``; return scan's first finding."""
    report = safeload.scan(path)
    assert not report.safe
    assert report.findings, report.untrusted
    with pytest.raises(MalformedArtifactError):
        safeload.load_unsigned(path)
    return report.findings[0].message


def _system(marker: Path) -> bytes:
    """Protocol 0 opcodes running ``touch marker`` (what joblib runs after a desync)."""
    return f"cposix\nsystem\n(S'touch {marker}'\ntR".encode()


def _joblib_creates(path: Path, marker: Path) -> None:
    assert not marker.exists()
    _child("import joblib; joblib.load(sys.argv[1])", path)
    assert marker.exists(), "joblib.load did not run the payload"


# --- f14: a slice key empties an object array's list after the pass counted it --------------


def test_f14_slice_setitem_on_a_list_is_refused(tmp_path: Path) -> None:
    n = 200_000
    arr = b"cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85C\x01b\x87R"
    dtype = b"cnumpy\ndtype\n" + _su("O") + b"\x89\x88\x87R"
    lst = b"](" + b"N" * n + b"e"  # n items appended
    lst += b"cbuiltins\nslice\nNN\x86R]s"  # lst[slice(None, None)] = []
    state = b"(K\x01J" + n.to_bytes(4, "little") + b"\x85" + dtype + b"\x89" + lst + b"t"
    path = tmp_path / "f14.pkl"
    path.write_bytes(b"\x80\x04" + arr + state + b"b.")
    crash = _child("import pickle; a = pickle.load(open(sys.argv[1], 'rb')); print(a[-3:])", path)
    assert crash.returncode < 0, crash  # numpy reads 200,000 pointers from an empty list
    assert "SETITEM on a list" in _refused(path)


@pytest.mark.parametrize(
    ("ops", "expected"),
    [
        (b"]NNs", "SETITEM on a list"),
        (b")(NNu", "SETITEMS on a tuple"),
        (b"(\x91N\x85a", "APPEND on a frozenset"),
        (b"}(NN\x85e", "APPENDS on a dict"),
        (b"](N\x90", "ADDITEMS on a list"),
    ],
)
def test_item_opcodes_only_fill_the_container_they_build(
    tmp_path: Path, ops: bytes, expected: str
) -> None:
    path = tmp_path / "m.pkl"
    path.write_bytes(b"\x80\x04" + ops + b".")
    assert expected in _refused(path)


@pytest.mark.parametrize(
    ("cls", "makers", "method"),
    [
        *[(m, DICT_MAKERS, "__setitem__") for m in sorted(DICT_MAKERS)],
        *[(m, LIST_MAKERS, "append") for m in sorted(LIST_MAKERS)],
        *[(m, SET_MAKERS, "add") for m in sorted(SET_MAKERS)],
    ],
)
def test_container_makers_keep_the_builtin_item_methods(
    cls: tuple[str, str], makers: frozenset[tuple[str, str]], method: str
) -> None:
    """A class the pass lets SETITEMS/APPENDS/ADDITEMS fill is a dict/list/set whose item
    method is the builtin one (OrderedDict's keeps the order, nothing else)."""
    from safeload.trust.classes import resolve_class

    found = resolve_class(*cls)
    assert found is not None
    base = {"__setitem__": dict, "append": list, "add": set}[method]
    assert issubclass(found, base)
    own = getattr(found, method)
    assert own is getattr(base, method) or found is collections.OrderedDict


# --- f16 / f15: a dtype's fields dict changed after its BUILD ---------------------------------


_NEG1 = b"J\xff\xff\xff\xff"


def _dtype_with_field(field: str) -> tuple[bytes, bytes]:
    """A structured dtype ``V8`` with field ``a`` of type ``field``: memo 0 is the dtype, 1 its
    fields dict, 2 the field's dtype. Returns (the dtype, a SETITEM moving ``a`` to 2**40)."""
    flags = b"K?" if field == "O8" else b"K\x00"
    order = "|" if field == "O8" else "<"
    ft = (
        b"cnumpy\ndtype\n"
        + _su(field)
        + b"\x89\x88\x87R\x94(K\x03"
        + _su(order)
        + b"NNN"
        + _NEG1
        + _NEG1
        + flags
        + b"tb"
    )
    d = b"cnumpy\ndtype\n" + _su("V8") + b"\x89\x88\x87R\x94"
    fields = b"}\x94" + _su("a") + ft + b"K\x00\x86s"
    dflags = b"K\x1b" if field == "O8" else b"K\x10"
    dstate = b"(K\x03" + _su("|") + b"N" + _su("a") + b"\x85" + fields + b"K\x08K\x01" + dflags
    mutate = b"h\x01" + _su("a") + b"h\x02\x8a\x06" + (2**40).to_bytes(6, "little") + b"\x86s0"
    return d + dstate + b"tb0", mutate


def test_f15_fields_dict_mutated_after_the_dtype_is_refused(tmp_path: Path) -> None:
    dtype, mutate = _dtype_with_field("i8")
    arr = (
        b"cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85C\x01b\x87R"
        b"(K\x01K\x01\x85h\x00\x89C\x08" + b"\x00" * 8 + b"tb"
    )
    path = tmp_path / "f15.pkl"
    path.write_bytes(b"\x80\x04" + dtype + mutate + arr + b".")
    crash = _child("import pickle; a = pickle.load(open(sys.argv[1], 'rb')); print(a['a'])", path)
    assert crash.returncode < 0, crash  # reads 1 TiB past the item
    assert "after it was handed to a call or BUILD" in _refused(path)


def test_f16_object_field_moved_after_the_array_is_refused(tmp_path: Path) -> None:
    dtype, mutate = _dtype_with_field("O8")
    arr = (
        b"cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85C\x01b\x87R"
        b"(K\x01K\x01\x85h\x00\x89](N\x85etb"
    )
    path = tmp_path / "f16.pkl"
    path.write_bytes(b"\x80\x04" + dtype + arr + mutate + b".")
    moved = _child(
        "import pickle; a = pickle.load(open(sys.argv[1], 'rb')); print(a.dtype.fields['a'][1])",
        path,
    )
    assert str(2**40) in moved.stdout, moved  # numpy kept the dict and its moved field
    # inside safeload (before the fix) freeing this array followed the moved field: segfault
    assert "after it was handed to a call or BUILD" in _refused(path)


def test_a_list_handed_to_a_call_is_not_appended_to_afterwards(tmp_path: Path) -> None:
    # builtins.tuple(lst) with lst memoised, then APPEND on lst: the pass saw the tuple's items
    path = tmp_path / "m.pkl"
    path.write_bytes(b"\x80\x04]\x94cbuiltins\ntuple\nh\x00\x85Rh\x00Na\x87.")
    assert "after it was handed to a call or BUILD" in _refused(path)


# --- f11: SETITEM on a built array after the static Tree check read it ------------------------


def test_f11_setitem_on_a_tree_node_array_is_refused(tmp_path: Path) -> None:
    from sklearn.tree import DecisionTreeClassifier

    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    clf = DecisionTreeClassifier(random_state=0).fit(x, np.array([0, 0, 1, 1]))
    data = pickle.dumps(clf, protocol=2)  # protocol 2: no FRAMEs to fix up
    ops = list(pickletools.genops(data))
    vi = next(i for i, (_, arg, _) in enumerate(ops) if arg == "values")
    bi = max(i for i in range(vi) if ops[i][0].name == "BUILD")  # the 'nodes' array's BUILD
    cut = int(ops[bi][2] or 0) + 1
    inject = b"X" + struct.pack("<I", 10) + b"left_child" + b"J" + struct.pack("<i", 10**6) + b"s"
    path = tmp_path / "f11.pkl"
    path.write_bytes(data[:cut] + inject + data[cut:])
    crash = _child(
        "import pickle, numpy as np; m = pickle.load(open(sys.argv[1], 'rb'))\n"
        "print(m.predict(np.array([[0.0], [5.0]])))",
        path,
    )
    assert crash.returncode < 0, crash  # predict follows left_child = 1,000,000
    assert "SETITEM on an object made by numpy" in _refused(path)


# --- f12: a dict key made by a call overrides a key the pass read -----------------------------


def _wrapper(state_items: bytes, dtype: bytes, shape: bytes) -> bytes:
    state = (
        b"}("
        + _su("subclass")
        + b"cnumpy\nndarray\n"
        + _su("shape")
        + shape
        + _su("order")
        + _su("C")
        + _su("dtype")
        + dtype
        + _su("allow_mmap")
        + b"\x89"
        + state_items
        + b"u"
    )
    return b"\x80\x04cjoblib.numpy_pickle\nNumpyArrayWrapper\n)\x81" + state + b"b"


def test_f12_wrapper_key_made_by_a_call_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "f12_marker"
    dtype = b"cnumpy\ndtype\n" + _su("u1") + b"\x89\x88\x87R"
    hidden = b"cbuiltins\nstr\n" + _su("shape") + b"\x85RK\x09\x85"  # str("shape"): (9,)
    head = _wrapper(hidden, dtype, b"K\x02\x85")
    payload, filler = _system(marker), b"AAAAA"
    # the pass: 2 bytes of data, then a string; joblib: 9 bytes, then the payload
    body = b"\x00\x00\x8c" + bytes([len(filler) + len(payload)]) + filler + payload + b"0."
    path = tmp_path / "f12.joblib"
    path.write_bytes(head + body)
    _joblib_creates(path, marker)
    # (a key made by builtins.str is refused as that call since red team 25)
    assert re.search("key made by a call|a call of builtins.str", _refused(path))


def test_honest_dict_keys_that_are_not_strings_still_load(tmp_path: Path) -> None:
    from sklearn.linear_model import LogisticRegression

    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    weights = {0: 1.0, 1: 2.0}
    model = LogisticRegression(class_weight=weights).fit(x, np.array([0, 0, 1, 1]))
    for protocol in range(6):
        path = tmp_path / f"p{protocol}.pkl"
        path.write_bytes(pickle.dumps(model, protocol=protocol))
        assert safeload.scan(path).safe
        assert safeload.load_unsigned(path).class_weight == weights


# --- f08: a slot state swaps the object's class ----------------------------------------------


def _dict_by_call(pairs: bytes) -> bytes:
    """copyreg._reconstructor(dict, dict, (pairs...)): a real dict the pass cannot read."""
    return b"ccopyreg\n_reconstructor\ncbuiltins\ndict\ncbuiltins\ndict\n(" + pairs + b"t\x87R"


def test_f08_class_swap_through_slot_state_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "f08_marker"
    dtype = b"cnumpy\ndtype\n" + _su("u1") + b"\x89\x88\x87R"
    fields = (
        _su("subclass")
        + b"cnumpy\nndarray\n\x86"
        + _su("shape")
        + b"K\x02\x85\x86"
        + _su("order")
        + _su("C")
        + b"\x86"
        + _su("dtype")
        + dtype
        + b"\x86"
        + _su("allow_mmap")
        + b"\x89\x86"
    )
    slots = _su("__class__") + b"cjoblib.numpy_pickle\nNumpyArrayWrapper\n\x86"
    head = (
        b"\x80\x04cscipy.sparse._csr\ncsr_matrix\n)\x81"
        + _dict_by_call(fields)
        + _dict_by_call(slots)
        + b"\x86b"
    )
    payload = _system(marker)
    path = tmp_path / "f08.joblib"
    path.write_bytes(head + b"\x8c" + bytes([len(payload)]) + payload + b"0.")
    _joblib_creates(path, marker)
    why = _refused(path)
    # (since rt106-08 the dicts made of pairs are refused before the slot state is read)
    assert (
        "slot state that is an object made by builtins.dict" in why
        or "copyreg writes the items as a dict" in why
    ), why


def test_dunder_keys_in_a_literal_state_are_refused(tmp_path: Path) -> None:
    # csr_matrix() + BUILD((None, {"__class__": NumpyArrayWrapper}))
    slot = b"}" + _su("__class__") + b"cjoblib.numpy_pickle\nNumpyArrayWrapper\ns"
    path = tmp_path / "m.pkl"
    path.write_bytes(b"\x80\x04cscipy.sparse._csr\ncsr_matrix\n)\x81N" + slot + b"\x86b.")
    assert "dunder attributes are refused" in _refused(path)
    path.write_bytes(b"\x80\x04cscipy.sparse._csr\ncsr_matrix\n)\x81" + slot + b"b.")
    assert "dunder attributes are refused" in _refused(path)


def test_honest_bit_generator_pair_state_still_loads(tmp_path: Path) -> None:
    """A bit generator's state is (state dict, seed sequence): its __setstate__ takes it."""
    rng = np.random.default_rng(0)
    for protocol in (0, 2, 5):
        path = tmp_path / f"p{protocol}.pkl"
        path.write_bytes(pickle.dumps(rng.bit_generator, protocol=protocol))
        assert safeload.scan(path).safe, safeload.scan(path).findings


# --- f01: numpy.dtype(typestr, align=True): the pass must evaluate every argument -------------


def test_f01_dtype_align_argument_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "f01_marker"
    dtype = b"cnumpy\ndtype\n" + _su("i1,i8") + b"\x88\x88\x87R"  # dtype("i1,i8", True, True)
    head = _wrapper(b"", dtype, b"K\x01\x85")
    payload, filler = _system(marker), b"AAAAA"
    # the pass: itemsize 9, then a string; joblib: itemsize 16 (aligned), then the payload
    body = b"\x00" * 9 + b"\x8c" + bytes([len(filler) + len(payload)]) + filler + payload + b"0."
    path = tmp_path / "f01.joblib"
    path.write_bytes(head + body)
    _joblib_creates(path, marker)
    assert "(type string, False, True)" in _refused(path)


def test_honest_dtypes_are_written_with_false_true() -> None:
    for dt in (np.dtype("f8"), np.dtype("i1,i8", align=True), np.dtype([("a", "O")])):
        assert dt.__reduce__()[1][1:] == (False, True)


def test_honest_joblib_structured_aligned_array_still_loads(tmp_path: Path) -> None:
    arr = np.zeros(3, dtype=np.dtype("i1,i8", align=True))
    buf = io.BytesIO()
    joblib.dump({"a": arr}, buf)
    path = tmp_path / "m.joblib"
    path.write_bytes(buf.getvalue())
    assert safeload.scan(path).safe
    assert safeload.load_unsigned(path)["a"].dtype == arr.dtype


def test_a_second_build_on_an_array_is_refused(tmp_path: Path) -> None:
    """BUILD is a change too: the node array a Tree copied would differ from the one the pass
    reads last. numpy writes one state per array."""
    arr = b"cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85C\x01b\x87R"
    dtype = b"cnumpy\ndtype\n" + _su("u1") + b"\x89\x88\x87R"
    state = b"(K\x01K\x01\x85" + dtype + b"\x89C\x01\x00t"
    path = tmp_path / "m.pkl"
    path.write_bytes(b"\x80\x04" + arr + state + b"b" + state + b"b.")
    assert "already built or used" in _refused(path)
    path.write_bytes(b"\x80\x04" + arr + state + b"b.")
    assert safeload.scan(path).safe


def test_partial_keyword_made_by_a_call_is_refused(tmp_path: Path) -> None:
    """A functools.partial's keywords are read by the use-time rules (``out=``): a keyword
    made by a call would override the one they read, so scan and load refuse it alike."""
    import functools

    from sklearn.preprocessing import FunctionTransformer
    from sklearn.utils import check_array

    x = np.array([[0.0], [1.0]])
    holder = FunctionTransformer(functools.partial(check_array, dtype=np.float64)).fit(x)
    data = pickle.dumps(holder, protocol=2)
    literal = b"X\x05\x00\x00\x00dtype"
    assert data.count(literal) == 1
    path = tmp_path / "m.pkl"
    path.write_bytes(data.replace(literal, b"cbuiltins\nstr\n" + literal + b"\x85R"))
    # (a key made by builtins.str is refused as that call since red team 25)
    assert re.search("key made by a call|a call of builtins.str", _refused(path))
    path.write_bytes(data)
    assert safeload.scan(path).safe
