"""The static pass's hooks, each called on its own (safeload.pickle.walker.Walker and its helpers).

The walker sends every opcode outside its inline fast path to a handler (``HANDLERS``), and the
handlers run the checks as named hooks. These tests call each hook on a walker and symbolic
values built by hand and assert its verdict; the streams that reach them end to end are in
tests/test_scan.py, tests/test_scan_native.py and the attack corpus.
"""

from __future__ import annotations

import pickletools

import pytest

from safeload._symbolic import _Big, _Box, _Bytes, _Const, _Dict, _Global, _Obj, _Sym, _Tuple
from safeload.exceptions import LimitExceededError
from safeload.pickle.analysis import VIEW_FROM, Unsafe
from safeload.pickle.call_rules import class_from_arg
from safeload.pickle.frame import CONST_OPS, FAST, GET_OPS, PUT_OPS, Frame, fetched_again
from safeload.pickle.names import JOBLIB_WRAPPER
from safeload.pickle.state_rules import (
    dunder_key,
    literal_build_problem,
    mutation_problem,
    rebuild_problem,
    slot_items_problem,
    state_keys_problem,
)
from safeload.pickle.walker import HANDLERS, Walker
from safeload.policy import Limits, resolve_policy

DTYPE = _Global("numpy", "dtype")
RECONSTRUCT = _Global("numpy.core.multiarray", "_reconstruct")
FROMBUFFER = _Global("numpy._core.numeric", "_frombuffer")
TREE = _Global("sklearn.tree._tree", "Tree")
POLICY = resolve_policy(None, ())
#: numpy's own state of ``dtype('f8')``
F8_STATE = (3, "<", None, None, None, -1, -1, 0)


def walker(*, joblib: bool = False, limits: Limits | None = None) -> Walker:
    return Walker(b".", POLICY, limits or Limits(), joblib)


def consts(*values: object) -> _Tuple:
    return _Tuple([_Const(v) for v in values])


def f8() -> _Obj:
    return _Obj(DTYPE, consts("f8", False, True))


def dict_of(**items: object) -> _Dict:
    d = _Dict()
    for key, value in items.items():
        d.items[key] = value if isinstance(value, _Sym) else _Const(value)
    return d


# --- the frame and the dispatch table -----------------------------------------------------------


def test_frame_pop_peek_and_mark() -> None:
    fr = Frame(top=True)
    with pytest.raises(Unsafe, match="stack underflow"):
        fr.pop(0, "POP")
    with pytest.raises(Unsafe, match="stack underflow"):
        fr.peek(0, "DUP")
    with pytest.raises(Unsafe, match="MARK expected but missing"):
        fr.pop_mark(0, "TUPLE")
    below, above = _Const(1), _Const(2)
    fr.stack.append(below)
    fr.metastack.append(fr.stack)
    fr.stack = [above]
    assert fr.peek(0, "DUP") is above
    assert fr.pop_mark(0, "TUPLE") == [above]
    assert fr.stack == [below] and not fr.metastack
    assert fr.pop(0, "POP") is below


def test_every_opcode_is_inline_or_has_a_handler() -> None:
    """An opcode with neither is refused as unsupported: the table must name all the others."""
    inline = {name for name, _ in FAST.values()} | set(CONST_OPS) | PUT_OPS | GET_OPS
    inline.add("MEMOIZE")
    every = {op.name for op in pickletools.opcodes}
    assert set(HANDLERS) == every - inline


def test_handlers_work_on_the_frame() -> None:
    w = walker()
    fr = Frame(top=True)
    fr.stack = [_Const(1), _Const(2)]
    assert HANDLERS["TUPLE2"](w, fr, 0, "TUPLE2", None) is None
    (pair,) = fr.stack
    assert isinstance(pair, _Tuple) and len(pair.items) == 2
    HANDLERS["DUP"](w, fr, 1, "DUP", None)
    assert fr.stack == [pair, pair]
    with pytest.raises(Unsafe, match=r"\(DUP\) drops a built value"):  # (rt52-01)
        HANDLERS["POP"](w, fr, 2, "POP", None)
    fr.stack = [pair]
    assert HANDLERS["STOP"](w, fr, 3, "STOP", None) is pair
    assert w.result.root is pair
    with pytest.raises(Unsafe, match="is refused"):
        HANDLERS["EXT1"](w, fr, 4, "EXT1", 1)


# --- constants and the _frombuffer bookkeeping ----------------------------------------------------


def test_large_const_a_top_level_bytearray_counts_its_consumers() -> None:
    w = walker()
    got = w._large_const(7, "BYTEARRAY8", bytearray(VIEW_FROM), True)
    assert isinstance(got, _Bytes) and (got.pos, got.size) == (7, VIEW_FROM)
    assert w.byte_arrays == [got] and id(got) not in w.bytearrays


@pytest.mark.parametrize("top,joblib", [(False, False), (True, True)])
def test_large_const_a_nested_or_joblib_bytearray_is_a_plain_buffer(
    top: bool, joblib: bool
) -> None:
    w = walker(joblib=joblib)
    got = w._large_const(7, "BYTEARRAY8", bytearray(VIEW_FROM), top)
    assert isinstance(got, _Big) and not w.byte_arrays and id(got) in w.bytearrays


def test_large_const_other_constants_and_the_item_limit() -> None:
    w = walker(limits=Limits(max_item_size=2000))
    got = w._large_const(0, "BINBYTES", b"x" * 1500, True)
    assert isinstance(got, _Big) and not w.bytearrays
    with pytest.raises(LimitExceededError):
        w._large_const(0, "BINUNICODE", "x" * 2001, True)


def test_count_buffer_use_only_for_frombuffer() -> None:
    buffer = _Bytes(0, VIEW_FROM)
    args = _Tuple([buffer, f8(), consts((512,)), _Const("C")])
    w = walker()
    w._count_buffer_use(_Obj(_Global("builtins", "bytearray"), args), args, 0, "REDUCE")
    assert buffer.uses == 0
    w._count_buffer_use(_Obj(FROMBUFFER, args), args, 0, "REDUCE")
    assert buffer.uses == 1
    # a second array over the same buffer is refused (rt27-06)
    with pytest.raises(Unsafe, match="two arrays over one bytes object"):
        w._count_buffer_use(_Obj(_Global("numpy.core.numeric", "_frombuffer"), args), args, 9, "R")
    assert buffer.uses == 2


def test_claim_array_data_skips_what_cpython_shares() -> None:
    """CPython shares b"" and one-byte strings, so honest pickles fetch them again: those are
    not claimed. numpy copies bytes of up to 1000 bytes, but each array still takes its own
    from the stream, so those are claimed once too (rt60-08), as are larger bytes and any
    bytearray."""
    w = walker()
    shared, small, large = _Const(b"x"), _Const(b"x" * 1000), _Big(b"x" * 1001)
    for n in range(3):
        w.claim_array_data(_Obj(RECONSTRUCT, consts()), shared, n, "BUILD")
    w.claim_array_data(_Obj(RECONSTRUCT, consts()), small, 0, "BUILD")
    with pytest.raises(Unsafe, match="copies it into each"):
        w.claim_array_data(_Obj(RECONSTRUCT, consts()), small, 1, "BUILD")
    w.claim_array_data(_Obj(RECONSTRUCT, consts()), large, 0, "BUILD")
    with pytest.raises(Unsafe):
        w.claim_array_data(_Obj(RECONSTRUCT, consts()), large, 1, "BUILD")
    tiny = w._large_const(0, "BYTEARRAY8", bytearray(4), False)
    w.claim_array_data(_Obj(FROMBUFFER, consts()), tiny, 0, "REDUCE")
    with pytest.raises(Unsafe):
        w.claim_array_data(_Obj(FROMBUFFER, consts()), tiny, 1, "REDUCE")


def test_fetched_again_marks_the_buffer_shared() -> None:
    buffer = _Bytes(0, VIEW_FROM)
    fetched_again(_Tuple([buffer, _Const(1)]))  # the argument tuple of a _frombuffer call
    assert buffer.shared
    alone = _Bytes(0, VIEW_FROM)
    fetched_again(alone)
    assert alone.shared


# --- calls ---------------------------------------------------------------------------------------


def test_class_from_arg() -> None:
    reconstructor = _Global("copyreg", "_reconstructor")
    ctor = _Global("numpy.random._pickle", "__bit_generator_ctor")
    cls = _Global("collections", "OrderedDict")
    assert class_from_arg(reconstructor, _Tuple([cls, _Const(None)])).cls is cls
    assert class_from_arg(ctor, consts("PCG64")).cls is ctor
    assert class_from_arg(ctor, consts()).cls is ctor
    assert class_from_arg(reconstructor, consts("x")).cls is None
    assert class_from_arg(ctor, _Tuple([_Obj(cls, consts())])).cls is None


def test_check_call_refuses_an_allocating_shape() -> None:
    w = walker()
    w._check_call(
        RECONSTRUCT.pair, _Tuple([_Global("numpy", "ndarray"), consts(0), _Const(b"b")]), 0, "R"
    )
    with pytest.raises(Unsafe, match="allocates memory"):
        w._check_call(("numpy", "ndarray"), _Tuple([consts(1 << 28)]), 0, "REDUCE")
    with pytest.raises(Unsafe, match="shape the pass cannot see"):
        w._check_call(("numpy", "ndarray"), _Tuple([_Obj(DTYPE, consts())]), 0, "REDUCE")


def test_check_call_refuses_native_and_pandas_makers() -> None:
    w = walker()
    with pytest.raises(Unsafe):
        w._check_call(("xgboost.core", "Booster"), consts(), 0, "REDUCE")
    with pytest.raises(Unsafe, match="pandas"):
        w._check_call(("pandas", "DataFrame"), consts(), 0, "REDUCE")
    w._check_call(("collections", "OrderedDict"), consts(), 0, "REDUCE")


def test_record_call() -> None:
    w = walker()
    made = _Obj(_Global("builtins", "set"), consts())
    w._record_call(3, ("builtins", "set"), made)
    w._record_call(4, ("collections", "Counter"), _Obj(_Global("collections", "Counter")))
    assert w.result.calls == [(3, made)] and not w.result.pandas_calls
    backed = _Obj(_Global("pandas._libs.arrays", "__pyx_unpickle_NDArrayBacked"))
    w._record_call(5, backed.cls.pair, backed)  # type: ignore[union-attr]
    assert w.pandas_objects == [(5, backed)] and w.result.pandas_calls == [(5, backed)]
    stamp = _Obj(_Global("pandas._libs.tslibs.timestamps", "_unpickle_timestamp"))
    w._record_call(6, stamp.cls.pair, stamp)  # type: ignore[union-attr]
    assert w.result.pandas_calls[1:] == [(6, stamp)] and len(w.pandas_objects) == 1


# --- BUILD ---------------------------------------------------------------------------------------


def test_rebuild_problem() -> None:
    array = _Obj(RECONSTRUCT, consts())
    assert rebuild_problem(array) is None
    array.state = consts()
    assert "already built or used" in (rebuild_problem(array) or "")
    dtype = f8()
    dtype.frozen = True  # handed to a call
    assert "already built or used" in (rebuild_problem(dtype) or "")
    tree = _Obj(TREE, consts(1, 2, 1))
    tree.state = dict_of()
    assert "second BUILD" in (rebuild_problem(tree) or "")
    metric = _Obj(_Global("sklearn.metrics._dist_metrics", "EuclideanDistance64"))
    metric.frozen = True
    assert "second BUILD" in (rebuild_problem(metric) or "")
    other = _Obj(_Global("collections", "OrderedDict"))
    assert rebuild_problem(other) is None
    other.state = dict_of()  # any object: pickle writes one state (rt24-02, rt24-19)
    assert "second BUILD" in (rebuild_problem(other) or "")


def test_dtype_build_problem() -> None:
    w = walker()
    assert w._dtype_build_problem(f8(), consts(*F8_STATE)) is None
    bad = consts(3, "<", None, None, None, 4, 1, 0)  # f8 with a 4-byte element
    assert "numpy never writes" in (w._dtype_build_problem(f8(), bad) or "")
    used = f8()
    assert w._dtype_build_problem(used, consts(*F8_STATE)) is None
    assert "already built or used" in (w._dtype_build_problem(used, consts(*F8_STATE)) or "")
    other = _Obj(_Global("collections", "OrderedDict"))
    assert w._dtype_build_problem(other, bad) is None


def test_array_build_problem_strict_for_array_makers() -> None:
    w = walker()
    array = _Obj(RECONSTRUCT, consts())
    made_by_call = _Obj(_Global("builtins", "tuple"), consts())
    assert "cannot prove" in (w._array_build_problem(array, made_by_call, 0) or "")
    assert w._array_build_problem(_Obj(_Global("collections", "OrderedDict")), consts(), 0) is None
    state = _Tuple([_Const(1), consts(2), f8(), _Const(False), _Const(b"\0" * 16)])
    assert w._array_build_problem(array, state, 0) is None


def test_array_build_problem_object_array_of_the_wrong_length() -> None:
    w = walker()
    objects = _Obj(DTYPE, consts("O8", False, True))
    objects.state = consts(3, "|", None, None, None, -1, -1, 63)
    short = _Box([_Const(None)], "list")
    short.count = 1
    state = _Tuple([_Const(1), consts(3), objects, _Const(False), short])
    assert "one item per element" in (w._array_build_problem(_Obj(RECONSTRUCT), state, 0) or "")
    # any object's state that looks like an array's is checked too
    holder = _Obj(_Global("collections", "OrderedDict"))
    assert "one item per element" in (w._array_build_problem(holder, state, 0) or "")


def test_array_build_problem_forgets_data_on_a_load() -> None:
    raw = _Big(b"\0" * 2048)
    state = _Tuple([_Const(1), consts(256), f8(), _Const(False), raw])
    w = walker()
    assert w._array_build_problem(_Obj(RECONSTRUCT), state, 0) is None
    assert raw.value is not None  # scan reads it again
    w = walker()  # (one walk would refuse a second array over the same bytes: rt27-06)
    w.check_trees = False
    assert w._array_build_problem(_Obj(RECONSTRUCT), state, 0) is None
    assert raw.value is None


def test_tree_build_problem() -> None:
    w = walker()
    tree = _Obj(TREE, consts(1, 2, 1))
    refused = w._tree_build_problem(tree, dict_of(node_count=1))
    assert refused is not None and "not in the form scikit-learn writes" in refused
    assert w._tree_build_problem(_Obj(RECONSTRUCT), dict_of(node_count=1)) is None
    w.check_trees = False  # a load checks the trees it built, but not a state without arrays:
    refused = w._tree_build_problem(tree, dict_of(node_count=1))  # (rt48-05)
    assert refused is not None and "plain arrays" in refused


def test_note_dunder_state() -> None:
    w = walker()
    trusted = _Obj(_Global("collections", "OrderedDict"))
    w._note_dunder_state(dict_of(a=1), trusted, 0, "BUILD")
    assert not w.result.problems
    untrusted = _Obj(_Global("os", "system"))
    w._note_dunder_state(dict_of(__class__=1), untrusted, 0, "BUILD")
    assert not w.result.problems  # refused by its name
    w._note_dunder_state(_Tuple([_Const(None), dict_of(__class__=1)]), trusted, 9, "BUILD")
    (finding,) = w.result.problems
    assert finding.use_time and finding.offset == 9 and "'__class__'" in finding.message
    w._note_dunder_state(dict_of(__dict__=1), trusted, 10, "BUILD")
    assert len(w.result.problems) == 1  # only the first


def test_joblib_wrapper_build_refused_in_a_frame_or_nested() -> None:
    w = walker(joblib=True)
    wrapper = _Obj(_Global(*JOBLIB_WRAPPER))
    fr = Frame(top=True)
    fr.frame_end = 100
    with pytest.raises(Unsafe, match="inside a FRAME"):
        w._joblib_wrapper_build(fr, wrapper, 0, "BUILD")
    with pytest.raises(Unsafe, match="inside an object array"):
        w._joblib_wrapper_build(Frame(top=False), wrapper, 0, "BUILD")
    assert not w.result.wrapper_builds


def test_joblib_wrapper_build_skips_the_array_data() -> None:
    data = b"\x00" * 24 + b"tail"
    w = Walker(data, POLICY, Limits(), True)
    wrapper = _Obj(_Global(*JOBLIB_WRAPPER))
    wrapper.state = dict_of(
        subclass=_Global("numpy", "ndarray"),
        shape=consts(3),
        order="C",
        dtype=f8(),
        allow_mmap=False,
    )
    got = w._joblib_wrapper_build(Frame(top=True), wrapper, 5, "BUILD")
    assert w.result.wrapper_builds == [5] and w.result.array_regions == [(0, 24)]
    assert w.cur.pos == 24 and got is not wrapper


def test_state_keys_and_dunder_key() -> None:
    policy = POLICY
    target = _Obj(_Global("collections", "OrderedDict"))
    unknown = _Dict()
    unknown.unknown_keys = True
    assert "key made by a call" in (state_keys_problem(unknown, target, policy) or "")
    slots = _Tuple([_Const(None), _Obj(_Global("builtins", "dict"))])
    assert "slot state" in (state_keys_problem(slots, target, policy) or "")
    assert state_keys_problem(_Tuple([_Const(None), dict_of(a=1)]), target, policy) is None
    # items in a slot state are setattr'ed while loading (rt24-18); an empty one is nothing
    with_items = _Tuple([_Const(None), dict_of(a=1)])
    assert "slot state with items" in (slot_items_problem(with_items, target, policy) or "")
    assert slot_items_problem(_Tuple([_Const(None), dict_of()]), target, policy) is None
    assert dunder_key(dict_of(__reduce__=1)) == "__reduce__"
    assert dunder_key(dict_of(a=1)) is None


def test_literal_build_problem() -> None:
    # a container the stream made has no __dict__ or __setstate__: only None and (None, {})
    # change nothing in CPython's BUILD (rt43-05)
    no_ops = [_Const(None), _Tuple([_Const(None), dict_of()])]
    failing = [dict_of(), dict_of(a=1), _Box([], "list"), _Tuple([_Const(None), _Const(None)])]
    failing.append(_Tuple([_Const(None), dict_of(a=1)]))
    for target in (_Box([], "list"), _Box([], "set"), _Tuple([]), _Dict()):
        for state in no_ops:
            assert literal_build_problem(state, target) is None
        for state in failing:
            assert "no attributes" in (literal_build_problem(state, target) or "")
    assert literal_build_problem(dict_of(a=1), _Obj(DTYPE)) is None  # not a literal


def test_mutation_problem() -> None:
    assert mutation_problem("SETITEMS", _Dict()) is None
    assert mutation_problem("APPENDS", _Box([], "list")) is None
    assert mutation_problem("ADDITEMS", _Box([], "set")) is None
    assert "__setitem__" in (mutation_problem("SETITEM", _Obj(RECONSTRUCT)) or "")
    assert "append" in (mutation_problem("APPEND", _Box([], "set")) or "")
    frozen = _Dict()
    frozen.frozen = True
    assert "after it was handed" in (mutation_problem("SETITEM", frozen) or "")


# --- what earlier issues added: pandas, native models, joblib placeholders -----------------------


def test_pandas_made() -> None:
    w = walker()
    frame = _Global("pandas", "DataFrame")
    made = _Obj(frame, consts())
    w._pandas_made(frame.pair, consts(), 0, "NEWOBJ", made)
    assert w.pandas_objects == [(0, made)]
    with pytest.raises(Unsafe, match="with arguments"):
        w._pandas_made(frame.pair, consts(1), 0, "NEWOBJ", None)
    with pytest.raises(Unsafe, match="never write"):
        w._pandas_made(frame.pair, consts(), 0, "OBJ", None)
    with pytest.raises(Unsafe, match="made by copyreg._reconstructor"):
        w._pandas_made(("copyreg", "_reconstructor"), _Tuple([frame]), 0, "REDUCE", None)


def test_pandas_build_once() -> None:
    w = walker()
    made = _Obj(_Global("pandas", "DataFrame"), consts())
    w._pandas_build(made, 0, "BUILD")
    made.state = dict_of()
    with pytest.raises(Unsafe, match="second BUILD"):
        w._pandas_build(made, 0, "BUILD")
    w._pandas_build(_Obj(_Global("collections", "OrderedDict")), 0, "BUILD")


def test_native_call_and_build() -> None:
    w = walker()
    booster = _Global("xgboost.core", "Booster")
    with pytest.raises(Unsafe):
        w._native_call(booster.pair, consts(), 0, "REDUCE")
    with pytest.raises(Unsafe):
        w._native_call(("copyreg", "_reconstructor"), _Tuple([booster]), 0, "REDUCE")
    made = _Obj(booster, consts())
    made.state = dict_of()
    assert "second BUILD" in (w._native_build(made, dict_of()) or "")


def test_check_all_built() -> None:
    w = walker()
    w._check_all_built()
    made = _Obj(_Global("pandas", "DataFrame"), consts())
    w.pandas_objects.append((3, made))
    with pytest.raises(Unsafe, match="never given its state"):
        w._check_all_built()
    made.state = dict_of()
    w._check_all_built()
    booster = _Obj(_Global("xgboost.core", "Booster"), consts())
    w.native_objects.append((4, booster))
    with pytest.raises(Unsafe, match="never given its state"):
        w._check_all_built()


def test_joblib_placeholder() -> None:
    plain = walker()
    with pytest.raises(Unsafe, match="read it as joblib"):
        plain._joblib_placeholder(*JOBLIB_WRAPPER, 0, "GLOBAL")
    assert plain.result.joblib_content
    reader = walker(joblib=True)
    reader._joblib_placeholder(*JOBLIB_WRAPPER, 0, "GLOBAL")
    with pytest.raises(Unsafe, match="under another name"):
        reader._joblib_placeholder("joblib.numpy_pickle", "NDArrayWrapper", 0, "GLOBAL")
