"""Findings of the twenty-fifth red-team round (rt25-01 to rt25-10), one test or more each.

Each test first shows the harm under plain pickle or joblib (in a child process, via
``tests/harm.py``, with a memory or CPU limit where the harm is a blow-up), or what
``load_unsigned`` did with the file; then that the load's own static pass refuses it before
anything is built, and that ``scan`` calls it unsafe with the shipped facts and with the
imported classes. The honest models of rt25-07 (false positives of the previous round's fix)
load and scan safe. rt25-06 is a documented gap for objects that are not data (an estimator
or a kernel where a number belongs: the load refuses, the walk leaves them to it); those cases
are strict xfails.
"""

from __future__ import annotations

import collections
import datetime
import functools
import pathlib
import pickle
import struct
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safeload
from harm import plain
from redteam import (
    HANG_CPU,
    LOAD_UNSIGNED,
    MB,
    NUMPY_ARRAY_WRAPPER,
    PLAIN,
    SCAN,
    UINT8_DTYPE,
    Call,
    binunicode,
    global_,
    prepass_problems,
    range_of,
    refused,
    run_child,
    tuple_dag,
    verdicts,
    write,
)
from safeload import SafeloadError

# --- rt25-01: builtins.str on a crafted sparse matrix crashes load_unsigned ------------------


def _crafted_sparse(kind: str) -> Any:
    """A sparse matrix whose index pointer runs far past its 2-item index/data arrays (the
    pointer of rt24-18): ``tocoo`` expands it with ``_sparsetools.expandptr``, which writes
    small values at file-chosen offsets past the buffer."""
    import scipy.sparse as sp

    dense = np.array([[1.0, 0, 0, 0], [0, 2.0, 0, 0]])
    m = {"csr_matrix": sp.csr_matrix, "csr_array": sp.csr_array, "csc_matrix": sp.csc_matrix}[kind](
        dense if kind != "csc_matrix" else dense.T
    )
    m.indptr = np.array([0, 2**30, 2**31 - 1], dtype=np.int32)
    return m


@pytest.mark.parametrize("kind", ["csr_matrix", "csr_array", "csc_matrix"])
def test_rt25_01_str_of_crafted_sparse_crashes_load_unsigned(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``builtins.str`` is allowlisted "as a dtype/type parameter", but REDUCE may call it on
    any object, and ``str(x)`` runs ``x.__str__`` while unpickling, before any post-build
    check: a sparse matrix's ``__str__`` calls ``tocoo()``, which expands the unchecked
    ``indptr`` in native code (heap write out of bounds, SIGSEGV). ``scan`` says unsafe (its
    shadow checks the matrix), but ``load_unsigned`` itself crashes (faulthandler:
    ``unpickler.py load_pickle_stream`` -> ``scipy/sparse/_base.py __str__`` -> ``tocoo``)."""
    data = pickle.dumps(Call(str, _crafted_sparse(kind)), protocol=2)
    path = write(tmp_path, data)
    # heap corruption: usually SIGSEGV/SIGABRT at once, sometimes only at exit (after "loaded")
    # or a long run of stray writes, which 20 s show as well as 60 (a clean clone waited the
    # full minute once)
    child = plain(path, loads=None, timeout=20)
    assert child.crashed or child.hung, f"plain pickle: {child}"
    assert verdicts(data, monkeypatch) == {"unsafe"}
    loaded = run_child(LOAD_UNSIGNED, path)
    assert not loaded.crashed and "refused" in loaded.output, f"load_unsigned: {loaded}"


# --- rt25-02: tuple DAGs given straight to a call escape the sharing bound --------------------


def _rt25_02(form: str) -> bytes:
    if form == "dict-hash":  # dict(((K, 0),)): the key K hashes in fan**depth steps
        return (
            b"\x80\x02" + global_("builtins", "dict") + tuple_dag(6, 100) + b"K\x00\x86\x85\x85R."
        )
    if form == "ordereddict-hash":
        return (
            b"\x80\x02"
            + global_("collections", "OrderedDict")
            + tuple_dag(6, 100)
            + b"K\x00\x86\x85\x85R."
        )
    if form == "str-repr":  # str(T): a repr of 10**9 leaves
        return b"\x80\x02" + global_("builtins", "str") + tuple_dag(9, 10) + b"\x85R."
    if form == "float64-array":  # numpy.float64(T): an array of 10**9 items
        return b"\x80\x02" + global_("numpy", "float64") + tuple_dag(9, 10) + b"\x85R."
    raise AssertionError(form)


@pytest.mark.parametrize("form", ["dict-hash", "ordereddict-hash", "str-repr", "float64-array"])
def test_rt25_02_tuple_dag_as_call_argument(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The load's only pre-build bound on shared tuples (``stored_sharing_problem``, f03) looks
    at what the stream *stores* (DICT/LIST/SETITEMS items); a tuple DAG built with TUPLE/TUPLE1
    and the memo and handed straight to a call is never looked at. ``dict``, ``OrderedDict``
    (and ``defaultdict``) hash it, ``str`` reprs it, numpy's scalar types convert it to an
    array, each in time or memory ``fan ** depth`` while unpickling, in plain pickle and in
    ``load_unsigned`` (measured: ``dict`` with fan 30, depth 5, 354 bytes: 1.8 s in
    load_unsigned; fan 100, depth 6, 1.2 KB: hours). ``scan`` says SAFE for all four (fast:
    its shadows do not evaluate these calls)."""
    data = _rt25_02(form)
    assert len(data) < 1400
    path = write(tmp_path, data)
    if form.endswith("hash"):
        child = run_child(PLAIN, path, cpu=HANG_CPU)
        assert child.crashed and not child.loaded, f"plain pickle: {child}"  # SIGXCPU
    else:
        # 128 MiB past the imports is enough to show it (the repr asks for ~6 GB, the array for
        # 8 GB): the repr copies every level's string again, so its first 128 MiB take ~4 s of
        # CPU and a GiB ~30 s
        imports = ("numpy",) if form == "float64-array" else ()
        child = run_child(PLAIN, path, grow=128 * MB, imports=imports)
        # on a busy machine the child may still be growing the result when the timeout hits
        assert not child.loaded, f"plain pickle: {child}"
        assert "MemoryError" in child.output or child.hung, f"plain pickle: {child}"
    assert prepass_problems(data), "load_unsigned runs the C unpickler on it"
    assert verdicts(data, monkeypatch) == {"unsafe"}


def test_rt25_02_frozenset_of_dag_hangs_scan_too(tmp_path: Path) -> None:
    """``frozenset(T)`` is the same hash; there scan's own shadow evaluates the call
    (``shadow_builder._PURE_BUILTINS``), so scan does the exponential work as well (measured:
    fan 60, depth 5, 655 bytes: scan 18 s, load_unsigned 14 s). Shown by a CPU limit on a child
    that scans the file."""
    data = b"\x80\x02" + global_("builtins", "frozenset") + tuple_dag(6, 100) + b"\x85R."
    path = write(tmp_path, data)
    child = run_child(PLAIN, path, cpu=HANG_CPU)
    assert child.crashed and not child.loaded, f"plain pickle: {child}"  # SIGXCPU
    assert prepass_problems(data), "load_unsigned runs the C unpickler on it"
    scanned = run_child(SCAN, path, cpu=20)
    assert "verdict unsafe" in scanned.output, f"scan in a child (20 s of CPU): {scanned}"


# --- rt25-03: a lazy range turned into memory by allowed constructors while loading ----------


def _rt25_03(form: str, n: int) -> bytes:
    if form == "float64":
        return b"\x80\x02" + global_("numpy", "float64") + range_of(n) + b"\x85R."
    if form == "float64-newobj":
        return b"\x80\x02" + global_("numpy", "float64") + range_of(n) + b"\x85\x81."
    if form == "randomstate":
        return b"\x80\x02" + global_("numpy.random.mtrand", "RandomState") + range_of(n) + b"\x85R."
    if form == "adam":
        opt = global_("sklearn.neural_network._stochastic_optimizers", "AdamOptimizer")
        return b"\x80\x02" + opt + b"]" + range_of(n) + b"a\x85R."
    raise AssertionError(form)


@pytest.mark.parametrize("form", ["float64", "float64-newobj", "randomstate", "adam"])
def test_rt25_03_range_materialised_while_loading(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rt24-14 bounded a ``range`` kept as data, but a range is also an argument: numpy's
    scalar types (``numpy.float64(range(n))``, by REDUCE or NEWOBJ), ``RandomState(range(n))``
    (legacy seeding: ``np.asarray(seed)``) and ``AdamOptimizer([range(n)])`` (``zeros_like``)
    turn it into an array of ``n`` items while unpickling. 43 to 91 bytes; measured with
    n = 2**22: 190-220 MB peak in load_unsigned, which returns the object; n is up to 2**63.
    scan: SAFE. (``SGDOptimizer`` is the same in load, but scan calls it unproven.)"""
    data = _rt25_03(form, 2**28)
    assert len(data) < 100
    child = plain(write(tmp_path, data), loads=False, memory=1 << 30)
    assert "MemoryError" in child.output, f"plain pickle: {child}"
    assert prepass_problems(data), "load_unsigned runs the C unpickler on it"
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt25-04: scan builds unbounded values for the parameter constraints ---------------------


def _rt25_04(form: str) -> bytes:
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression()
    if form == "frozenset-range":  # _param_value builds frozenset(range(2**26)): 4+ GB
        lr.C = Call(frozenset, Call(range, 2**26))
        return pickle.dumps(lr, protocol=2)
    lr.C = Call(slice, "PLACEHOLDER")  # slice(T): the constraint error message reprs T
    base = pickle.dumps(lr, protocol=2)
    i = base.index(b"PLACEHOLDER") - 5
    return base[:i] + tuple_dag(6, 30, memo=200) + base[i + 5 + len("PLACEHOLDER") :]


@pytest.mark.parametrize("form", ["frozenset-range", "slice-dag-repr"])
def test_rt25_04_scan_builds_unbounded_parameter_values(form: str, tmp_path: Path) -> None:
    """``static._param_value`` (90d1cb7: built recursively, ``range`` added to
    ``_VALUE_TYPES``) builds ``frozenset(range(2**26))`` for ``LogisticRegression.C`` (a 436-byte
    file): scan itself allocates gigabytes (tracemalloc: ``range(10**6)`` costs it 105 MB).
    ``slice(T)`` with a tuple DAG (fan 30, depth 6, 796 bytes) is built cheaply, but the
    constraint check formats ``Got {value!r}``: a repr of 7 * 10**8 leaves. Under a 1.5 GiB
    address-space limit scan reports ``use-time analysis failed: MemoryError`` for both (fail
    closed, but only after exhausting memory; without a limit it takes all the machine has).
    The load refuses both cheaply (narrowed ``frozenset``; the post-build sharing bound)."""
    data = _rt25_04(form)
    refused(tmp_path, data)
    scanned = run_child(SCAN, write(tmp_path, data), memory=3 << 29)
    assert "verdict unsafe" in scanned.output
    assert "MemoryError" not in scanned.output, f"scan under 1.5 GiB: {scanned}"


# --- rt25-05: NEWOBJ bypasses rt24-15's refusal of str(bytes, encoding) ----------------------


def test_rt25_05_newobj_str_with_encoding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """rt24-15's fix refuses ``builtins.str`` called with an encoding in ``call_form_problem``,
    which only REDUCE/INST/OBJ run; NEWOBJ ``str.__new__(str, raw, 'punycode')`` decodes the
    same way (quadratic in the size of ``raw``: rt24 measured 800 KB at 14 s) and is accepted
    by scan and by load_unsigned. (NEWOBJ of the other refused forms fails: ``bytes`` is handed
    out narrowed, a function cannot be NEWOBJ'd, and NEWOBJ of a bit generator does not seed.)"""
    raw = b"-" + b"a" * 100
    args = b"B" + struct.pack("<I", len(raw)) + raw + binunicode("punycode") + b"\x86"
    reduce_form = b"\x80\x03" + global_("builtins", "str") + args + b"R."
    newobj_form = b"\x80\x03" + global_("builtins", "str") + args + b"\x81."
    child = plain(write(tmp_path, newobj_form), "print('type', type(model).__name__)")
    assert "type str" in child.output  # plain pickle decodes it
    refused(tmp_path, reduce_form, "encoding|a call of builtins.str")  # (rt24-15)
    refused(tmp_path, newobj_form, "encoding|a call of builtins.str")
    assert verdicts(newobj_form, monkeypatch) == {"unsafe"}


# --- rt25-06: non-data objects in constrained parameters --------------------------------------


def _rt25_06_values() -> dict[str, Any]:
    from sklearn.gaussian_process.kernels import RBF
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.utils import Bunch

    return {
        "estimator": KNeighborsClassifier(),
        "list-of-estimators": [KNeighborsClassifier()],
        "kernel": RBF(),
        "partial": functools.partial(np.log1p),
        "randomstate": np.random.RandomState(0),
        "uuid": uuid.UUID(int=1),
        "counter": collections.Counter({"a": 1}),
        "time": datetime.time(1),
        "timezone": datetime.timezone.utc,
        "purewindowspath": pathlib.PureWindowsPath("c:/x"),
        "defaultdict": collections.defaultdict(list),
        "bunch": Bunch(a=1),
    }


@pytest.mark.parametrize("which", list(_rt25_06_values()))
def test_rt25_06_non_data_object_in_constrained_parameter(
    which: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``static._state_problem`` calls a constrained parameter unproven only when
    ``_only_data`` holds; any value made of something else (an estimator, a kernel, a partial,
    a RandomState, and the allowlisted metadata types ``_VALUE_CLASSES`` does not list: UUID,
    Counter, time, timezone, PureWindowsPath, defaultdict, Bunch) is skipped and left to the
    load, which refuses it. Wider than the documented rt24-09 gap (arrays only, SECURITY.md).
    Estimators, kernels, partials and random states were judged by the load only until
    rt36-03's fix: scan now judges an object by its class (trust/param_objects.py)."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression()
    lr.C = _rt25_06_values()[which]
    data = pickle.dumps(lr, protocol=4)
    refused(tmp_path, data, "C: holds a value LogisticRegression itself refuses")
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt25-07: false positives of 90d1cb7's "data the walk cannot build is unproven" ------------


def _rt25_07_model(which: str) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import KBinsDiscretizer, OneHotEncoder
    from sklearn.utils.class_weight import compute_class_weight

    x = np.arange(20.0).reshape(10, 2)
    y = np.array([0, 1, 1, 1, 0, 1, 1, 1, 1, 1])
    if which == "kbins-onehot":  # the default encode="onehot": its OneHotEncoder(dtype=X.dtype)
        return KBinsDiscretizer(n_bins=3).fit(x)
    if which == "onehot-dtype":
        return OneHotEncoder(dtype=np.dtype("float32")).fit(x)
    if which == "class-weight-numpy-int-keys":  # the compute_class_weight idiom
        classes = np.unique(y)
        weights = compute_class_weight("balanced", classes=classes, y=y)
        return LogisticRegression(class_weight=dict(zip(classes, weights, strict=True))).fit(x, y)
    if which == "class-weight-numpy-str-keys":
        labels = np.array(["a", "b"] * 5)
        return LogisticRegression(
            class_weight=dict(zip(np.unique(labels), [1.0, 2.0], strict=True))
        ).fit(x, labels)
    if which == "class-weight-long-label":
        labels = np.array(["L" * 1100, "short"] * 5, dtype=object)
        return LogisticRegression(class_weight={"L" * 1100: 2.0, "short": 1.0}).fit(x, labels)
    raise AssertionError(which)


@pytest.mark.parametrize("protocol", [2, 4])
@pytest.mark.parametrize(
    "which",
    [
        "kbins-onehot",
        "onehot-dtype",
        "class-weight-numpy-int-keys",
        "class-weight-numpy-str-keys",
        "class-weight-long-label",
    ],
)
def test_rt25_07_honest_models_scan_unsafe(
    which: str, protocol: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression of 90d1cb7 (all five scan safe on 90d1cb7~1): a constrained parameter whose
    value ``_only_data`` accepts but ``_param_value`` cannot build is now unproven. A
    ``numpy.dtype`` is in ``_DATA_CALLS`` but not buildable, so every ``KBinsDiscretizer`` with
    the default ``encode="onehot"`` (it keeps ``OneHotEncoder(dtype=X.dtype)``) scans UNSAFE,
    at every protocol and in joblib files; a dict with keys made by a call (numpy scalar keys,
    what ``dict(zip(np.unique(y), compute_class_weight(...)))`` gives) or a key over 1024
    characters (a ``_Big``) sets ``unknown_keys``, so ``class_weight`` dicts are unproven.
    ``load_unsigned`` loads all of them."""
    data = pickle.dumps(_rt25_07_model(which), protocol=protocol)
    safeload.load_unsigned(write(tmp_path, data))  # loads
    assert verdicts(data, monkeypatch) == {"safe"}


# --- rt25-08: a joblib placeholder with numpy_array_alignment_bytes = None --------------------


def test_rt25_08_joblib_alignment_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """joblib reads the alignment with ``getattr(self, 'numpy_array_alignment_bytes', None)``
    and the walk with ``_const_value`` (both: ``None`` means no padding byte), but the load's
    array reader (``unpickler._ArrayRegions.build``) tests only that the key is present and
    reads a padding byte: scan SAFE, joblib.load returns the array, load_unsigned refuses
    ("does not fill the region the analysis found"). No harm; scan and load disagree."""
    state = (
        b"}(X\x05\x00\x00\x00shapeK\x03\x85X\x05\x00\x00\x00orderX\x01\x00\x00\x00C"
        + UINT8_DTYPE
        + b"X\n\x00\x00\x00allow_mmap\x89"
        + binunicode("subclass")
        + global_("numpy", "ndarray")
        + binunicode("numpy_array_alignment_bytes")
        + b"Nu"
    )
    data = b"\x80\x03" + NUMPY_ARRAY_WRAPPER + b")\x81" + state + b"b\x01\x02\x03."
    path = write(tmp_path, data, "m.joblib")
    child = plain(path, "print('array', model.tolist())", loader="joblib")
    assert "array [1, 2, 3]" in child.output
    try:
        safeload.load_unsigned(path)
        loaded = "safe"
    except SafeloadError:
        loaded = "unsafe"
    assert verdicts(data, monkeypatch, "joblib") == {loaded}


# --- rt25-09: rt24-08's namedtuple rule reads only a literal tuple of fields ------------------


@pytest.mark.parametrize("fields", ["list", "dict"])
def test_rt25_09_namedtuple_fields_as_list_or_dict(
    fields: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``copyreg._reconstructor(_ImputerTriplet, tuple, fields)`` runs
    ``tuple.__new__(_ImputerTriplet, fields)``, which takes any iterable: a list, or a dict
    (its keys). rt24-08's fix records the call with ``fields`` as its arguments, but
    ``static._problems`` judges a call's arguments (and ``_fields_problem``) only when they are
    a literal ``_Tuple``; rt24-13's base rule refuses only a state *made by a call*. So
    ``estimator='predict'`` passes scan (facts on and off) and load refuses it."""
    head = (
        global_("copy_reg", "_reconstructor")
        + global_("sklearn.impute._iterative", "_ImputerTriplet")
        + global_("__builtin__", "tuple")
    )
    if fields == "list":
        body = b"](K\x00)" + binunicode("predict") + b"e"
    else:
        body = (
            b"}("
            + binunicode("a")
            + b"K\x00"
            + binunicode("b")
            + b"K\x01"
            + binunicode("predict")
            + b"K\x02u"
        )
    data = b"\x80\x02" + head + body + b"\x87R."
    assert pickle.loads(data).estimator == "predict"
    refused(tmp_path, data, "estimator: holds 'predict'|on something else than a tuple")
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt25-10: int() of a Decimal while unpickling, before the Decimal check -----------------


def test_rt25_10_int_of_huge_decimal_while_loading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Decimal bound ("int() or format(d, 'f') of 1E+999999999999999999 would exhaust
    memory", checked after building) comes too late when the stream itself calls
    ``builtins.int(Decimal('1E+1000000'))``: the C unpickler converts it while loading.
    36 bytes; measured: 1E+100000 0.6 s, 1E+1000000 39 s in load_unsigned (which then returns
    the int), 1E+999999999 far longer. scan says unsafe (its shadow checks the Decimal), but
    load_unsigned does the work before any check. Shown with a CPU limit on plain pickle."""
    data = (
        b"\x80\x02"
        + global_("builtins", "int")
        + global_("decimal", "Decimal")
        + binunicode("1E+10000000")
        + b"\x85R\x85R."
    )
    assert len(data) < 64
    path = write(tmp_path, data)
    child = run_child(PLAIN, path, cpu=HANG_CPU, imports=("decimal",))
    assert child.crashed and not child.loaded, f"plain pickle: {child}"  # SIGXCPU
    assert verdicts(data, monkeypatch) == {"unsafe"}
    assert prepass_problems(data), "load_unsigned runs int(Decimal) before checking it"
