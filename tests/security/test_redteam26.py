"""Red team 26: reproducers. Each test first shows the harm under plain pickle (or what
``load_unsigned`` does) in a child process with resource limits, then asserts what should hold;
the "should hold" part fails while the finding stands. Payloads only compute, crash or create a
marker file in the test's tmp dir."""

from __future__ import annotations

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
    LOAD_UNSIGNED,
    MB,
    PLAIN,
    SCAN,
    SCAN_NO_FACTS,
    Call,
    crafted_csr,
    global_,
    prepass_problems,
    run_child,
    short_binstring,
    tuple_dag,
    verdicts,
    write,
)
from safeload.pickle.walker import analyze
from safeload.policy import Policy

# --- rt26-01: callable-allowlist functions called while loading corrupt the heap -------------


def _rt26_01(form: str) -> bytes:
    from sklearn.utils.validation import check_array

    if form == "check_array-coo":  # _ensure_sparse_format -> asformat('coo') -> tocoo: expandptr
        call = Call(check_array, crafted_csr(2**31 - 1), "coo")
    elif form == "check_array-csc":  # -> tocsc: csr_tocsc
        call = Call(check_array, crafted_csr(100_000), "csc")
    elif form == "numpy.sqrt":  # -> csr.sqrt() -> sum_duplicates -> csr_sort_indices
        call = Call(np.sqrt, crafted_csr(100_000))
    else:  # numpy.log1p, same path
        call = Call(np.log1p, crafted_csr(100_000))
    return pickle.dumps(call, protocol=2)


@pytest.mark.parametrize(
    "form", ["check_array-coo", "check_array-csc", "numpy.sqrt", "numpy.log1p"]
)
def test_rt26_01_callable_allowlist_function_called_while_loading_corrupts_heap(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The functions of the *callable* allowlist (``check_array``, numpy ufuncs, metrics) are
    also on the build allowlist, and the static pass lets REDUCE call them with any object the
    stream built: ``check_array(crafted_csr, 'coo')`` converts it (``tocoo`` ->
    ``_sparsetools.expandptr``), ``numpy.sqrt(crafted_csr)`` sorts its indices in place
    (``csr_sort_indices``) -- both walk the unchecked ``indptr`` in native code while
    unpickling, before any post-build check. ``scan`` says unsafe (its shadow checks the
    matrix), but ``load_unsigned``'s pre-pass finds nothing and the C unpickler runs the call:
    SIGSEGV / ``double free or corruption`` inside ``load_unsigned``."""
    data = _rt26_01(form)
    path = write(tmp_path, data)
    # heap corruption: whether it shows depends on a fresh interpreter's heap, and when: while
    # loading, or later (a futex abort in logging's shutdown after "loaded", seen once), or
    # a deadlock: 30 s tells a hang (a crash takes well under a second; a hang waited out
    # 90 s once cost the whole suite its time budget)
    plain = run_child(PLAIN, path, memory=3 * GB, timeout=30, fresh=True)
    assert plain.crashed or plain.hung, f"plain pickle: {plain}"
    assert verdicts(data, monkeypatch) == {"unsafe"}
    loaded = run_child(LOAD_UNSIGNED, path, memory=3 * GB, timeout=90)
    # should hold: refused before the unpickler runs the call, no crash
    assert not loaded.crashed and not loaded.hung and "refused" in loaded.output, (
        f"load_unsigned: {loaded}"
    )
    assert prepass_problems(data), "the load's pre-pass lets the stream call the function"


# --- rt26-02: the same door: metric functions with quadratic cost, scan SAFE ------------------


def _rt26_02(form: str) -> bytes:
    from sklearn.metrics import adjusted_mutual_info_score, matthews_corrcoef

    if form == "adjusted_mutual_info_score":  # EMI: O(R*C) Python-level lists, 125 bytes
        return pickle.dumps(Call(adjusted_mutual_info_score, range(30_000), range(30_000)), 2)
    if form == "matthews_corrcoef":  # an N x N confusion matrix, N = 2**20
        return pickle.dumps(Call(matthews_corrcoef, range(2**20), range(2**20)), 2)
    # numpy.sqrt(Pipeline whose steps hold a tuple DAG): numpy walks every path (7e8 leaves);
    # the DAG sits in a BUILD state, out of reach of _shared_args (rt25-02's fix)
    body = (
        b"\x80\x02" + global_("numpy", "sqrt") + global_("sklearn.pipeline", "Pipeline") + b")\x81"
    )
    body += (
        b"}"
        + short_binstring("steps")
        + short_binstring("a")
        + tuple_dag(6, 30)
        + b"\x86\x85"
        + b"sb"
    )
    return body + b"\x85R."


@pytest.mark.parametrize(
    "form", ["adjusted_mutual_info_score", "matthews_corrcoef", "numpy.sqrt-pipeline-dag"]
)
def test_rt26_02_callable_allowlist_function_costs_what_the_file_asks(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same door as rt26-01, without a crafted object: allowlisted metric functions called by
    REDUCE on ``range`` arguments (bounded at 2**20 items, rt25-03) cost quadratic time or
    memory while loading: ``adjusted_mutual_info_score(range(30000), range(30000))`` (125
    bytes) runs for minutes (20 s at 20000, x4 per doubling; 2**20 ~ 15 h),
    ``matthews_corrcoef(range(2**20), range(2**20))`` (116 bytes) allocates an N x N confusion
    matrix. ``scan`` says SAFE for both (it never evaluates the call), and ``load_unsigned``
    runs them. The third form hides a tuple DAG in a Pipeline's state and hands the Pipeline
    to ``numpy.sqrt``, which converts it to an array of 7e8 items (scan unsafe, load runs it)."""
    data = _rt26_02(form)
    path = write(tmp_path, data)
    imports = ("sklearn.metrics", "sklearn.pipeline")
    if form == "numpy.sqrt-pipeline-dag":  # an array of 7e8 items (5.6 GB)
        plain = run_child(PLAIN, path, grow=256 * MB, cpu=30, imports=imports)
    else:  # quadratic time (and, for matthews_corrcoef, memory it never gets to)
        plain = run_child(PLAIN, path, memory=2 * GB, cpu=HANG_CPU, imports=imports)
    assert not plain.loaded and (plain.crashed or plain.hung or "MemoryError" in plain.output), (
        f"plain pickle: {plain}"
    )
    assert verdicts(data, monkeypatch) == {"unsafe"}
    assert prepass_problems(data), "the load's pre-pass lets the stream call the function"


# --- rt26-03: a numpy dtype whose fields share one sub-dtype (a DAG): exponential use ---------


def _dag_dtype(depth: int) -> Any:
    """``D0 = float64``, ``Dk`` = two overlapping fields of ``Dk-1`` at offset 0 (itemsize 8):
    pickled with the memo in about 63 bytes per level, ``2**depth`` leaf fields for anything
    that walks it (``==``, ``repr``)."""
    d = np.dtype("f8")
    for _ in range(depth):
        d = np.dtype({"names": ["a", "b"], "formats": [d, d], "offsets": [0, 0], "itemsize": 8})
    return d


def _rt26_03(form: str) -> tuple[bytes, str]:
    from sklearn.preprocessing import OneHotEncoder

    if form == "repr":
        return pickle.dumps(OneHotEncoder(dtype=_dag_dtype(30)), protocol=2), "repr(model)"
    enc = OneHotEncoder().fit(np.array([[0], [1]]))
    enc.dtype = _dag_dtype(30)
    return pickle.dumps(enc, protocol=2), "model.transform(np.array([[0], [1]]))"


@pytest.mark.parametrize("form", ["repr", "transform"])
def test_rt26_03_dtype_dag_exponential_at_use(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A structured dtype whose two (overlapping) fields are one shared sub-dtype, 30 levels
    deep (a 2 KB file): numpy builds it in linear time, and every check safeload runs on it
    (``real_dtype``, ``built_dtype_problem``) is memoised by object, so ``scan`` says SAFE
    (facts on and off) and ``load_unsigned`` returns the model. But numpy's dtype ``==`` and
    ``repr`` walk every path (2**30 leaves; x2 per level): ``repr(model)`` of
    ``OneHotEncoder(dtype=D)`` and ``transform`` of a fitted one (scipy's ``getdtype`` compares
    it) run until the CPU limit kills them, under plain pickle and under ``load_unsigned``."""
    data, call = _rt26_03(form)
    path = write(tmp_path, data)
    use = "import numpy as np\n" + call + "\nprint('returned', flush=True)\n"
    plain = run_child(
        PLAIN + use, path, memory=2 * GB, cpu=HANG_CPU, imports=("sklearn.preprocessing",)
    )
    assert plain.loaded and not plain.returned and (plain.crashed or plain.hung), (
        f"plain pickle: {plain}"
    )
    safe = run_child(
        LOAD_UNSIGNED
        + "if 'model' in dir():\n"
        + "".join("    " + line + "\n" for line in use.splitlines()),
        path,
        memory=2 * GB,
        cpu=15,
        timeout=120,
    )
    # should hold: refused by scan (facts on and off) and by load_unsigned
    assert verdicts(data, monkeypatch) == {"unsafe"}
    assert "refused" in safe.output and not safe.crashed, f"load_unsigned: {safe}"


# --- rt26-04: one bounded range, shared through a list, materialised N times ------------------


def _rt26_04(form: str) -> bytes:
    from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

    cls = AdamOptimizer if form == "AdamOptimizer" else SGDOptimizer
    # one range(2**20) (allowed: rt25-03's bound), memoised, listed 2000 times (4 KB file):
    # __init__ runs np.zeros_like(param) for each (Adam: twice) -> 16-32 GB
    return pickle.dumps(Call(cls, [range(2**20)] * 2000), protocol=2)


@pytest.mark.parametrize("form", ["AdamOptimizer", "SGDOptimizer"])
def test_rt26_04_shared_range_materialised_many_times(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rt25-03's fix bounds each ``range`` to 2**20 items, and ``_shared_args`` counts the
    nodes of the argument tuple (a list of 2000 references is 2001 nodes), but a range is one
    node however many items it stands for. ``AdamOptimizer([R] * 2000)`` (a 4 KB file) makes
    ``__init__`` allocate ``np.zeros_like(R)`` 4000 times: 32 GB. ``scan`` says SAFE for
    ``AdamOptimizer`` (``SGDOptimizer``: unproven), and ``load_unsigned``'s pre-pass lets the
    call run: "ran out of memory loading" under a 2 GiB cap, the whole machine without one."""
    data = _rt26_04(form)
    path = write(tmp_path, data)
    # 256 MiB past the imports: 32 of the 4000 arrays (each conversion of the range to an array
    # takes a Python loop over its 2**20 items: a GiB took ~20 s)
    optimizers = "sklearn.neural_network._stochastic_optimizers"
    plain = run_child(PLAIN, path, grow=256 * MB, cpu=30, imports=(optimizers,))
    assert not plain.loaded and "MemoryError" in plain.output, f"plain pickle: {plain}"
    assert prepass_problems(data), "the load's pre-pass lets the stream make the call"
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt26-05: a UUID whose state holds a tuple DAG, hashed as a dict key or set item ----------


def _uuid_with_dag(depth: int, fan: int) -> bytes:
    """``UUID`` by NEWOBJ + BUILD ``{'int': T}`` (its own ``__setstate__`` stores it): its
    ``__hash__`` is ``hash(self.int)``, i.e. the tuple DAG's ``fan ** depth`` leaves."""
    return (
        global_("uuid", "UUID")
        + b")\x81"
        + b"}"
        + short_binstring("int")
        + tuple_dag(depth, fan)
        + b"sb"
    )


def _rt26_05(form: str) -> bytes:
    if form == "dict-key":
        return b"\x80\x02}" + _uuid_with_dag(6, 100) + b"K\x00s."
    return b"\x80\x04\x8f(" + _uuid_with_dag(6, 100) + b"\x90."  # set-item


@pytest.mark.parametrize("form", ["dict-key", "set-item"])
def test_rt26_05_hash_of_object_holding_tuple_dag_while_loading(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The load's only pre-build bound on shared tuples (``stored_sharing_problem``) runs when
    ``hashes_containers`` sees a *container* hashed (a tuple key or set item), and walks
    containers (a tuple key holding the UUID is caught: it walks through the object then). A
    ``uuid.UUID`` is no container, but its ``__hash__`` hashes the ``int``
    its state gives it, any value: a tuple DAG of 10**12 leaves in a 1.2 KB file. The C
    unpickler hashes it at SETITEM/ADDITEMS, before the post-build checks (``_check_uuid``,
    the sharing walk) could refuse it: ``load_unsigned`` spins until the CPU limit kills it.
    ``scan`` says unsafe (its shadows' sharing walk sees through the object)."""
    data = _rt26_05(form)
    path = write(tmp_path, data)
    plain = run_child(PLAIN, path, memory=2 * GB, cpu=HANG_CPU, imports=("uuid",))
    assert not plain.loaded and (plain.crashed or plain.hung), f"plain pickle: {plain}"
    assert verdicts(data, monkeypatch) == {"unsafe"}
    loaded = run_child(LOAD_UNSIGNED, path, memory=2 * GB, cpu=10, timeout=120)
    # should hold: refused before anything is hashed
    assert "refused" in loaded.output and not loaded.crashed, f"load_unsigned: {loaded}"


# --- rt26-06: the dtype DAG of rt26-03 as a constrained parameter: scan and load hang ---------


@pytest.mark.parametrize("param", ["C", "solver"])
@pytest.mark.parametrize("who", ["scan", "scan-no-facts", "load_unsigned"])
def test_rt26_06_dtype_dag_parameter_hangs_scan_and_load(
    param: str, who: str, tmp_path: Path
) -> None:
    """``LogisticRegression.C`` (or ``solver``) = the 30-level dtype DAG of rt26-03 (2 KB).
    ``static._param_value`` builds the dtype (``_dtype_value``, memoised: cheap) and holds it
    to ``_parameter_constraints``; scikit-learn's ``validate_parameter_constraints`` refuses it
    with ``f"... Got {param_val!r} instead."``, and numpy's dtype ``repr`` walks all 2**30
    paths. ``scan`` (facts on and off) and ``load_unsigned`` (the same check after building)
    spin until the CPU limit kills them (rt25-04's fix bounds the parameter's unfolded size
    through tuples/lists/dicts, not through a dtype's fields)."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression()
    setattr(model, param, _dag_dtype(30))
    data = pickle.dumps(model, protocol=2)
    assert len(data) < 4096
    path = write(tmp_path, data)
    if who == "load_unsigned":
        child = run_child(LOAD_UNSIGNED, path, memory=2 * GB, cpu=15, timeout=120)
        ok = "refused" in child.output
    else:
        code = SCAN_NO_FACTS if who == "scan-no-facts" else SCAN
        child = run_child(code, path, memory=2 * GB, cpu=15, timeout=120)
        ok = "verdict unsafe" in child.output
    # should hold: a verdict (unsafe / refused) within the limits
    assert ok and not child.crashed and not child.hung, f"{who}: {child}"


# --- rt26-07: a BUILD (or a ufunc's out=) rewrites array data after the pass read it ---------


def _rt26_07(form: str) -> tuple[bytes, str]:
    """A fitted DecisionTreeClassifier whose tree's node array is built from valid bytes (what
    scan's tree check reads) and then rewritten with child indices of 10**9 before the Tree's
    BUILD copies it."""
    import io

    import joblib
    from numpy._core.numeric import _frombuffer
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.RandomState(0)
    X = rng.rand(60, 4)
    clf = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, (X[:, 0] > 0.5).astype(int))
    red = clf.tree_.__reduce__()
    state = dict(red[2])
    nodes = state["nodes"]
    bad = nodes.copy()
    bad["left_child"][0] = bad["right_child"][0] = 10**9
    if form == "joblib-inline-array-build":
        buf = io.BytesIO()
        joblib.dump(clf, buf)
        base = buf.getvalue()
        a = analyze(
            base,
            policy=Policy.default(),
            joblib=True,
            keep_values=True,
            check_trees=False,
            use_time=False,
        )
        end = next(e for s, e in a.array_regions if nodes.nbytes <= e - s <= nodes.nbytes + 65)
        idx = next(
            i
            for i, v in enumerate(a.kept[1])
            if "left_child" in (getattr(getattr(v, "real", None), "names", None) or ())
        )
        raw = bad.tobytes()
        # BUILD (1, shape, <the node dtype, memo GET>, False, crafted bytes) on the inline array
        st = (
            b"(K\x01M"
            + struct.pack("<H", len(nodes))
            + b"\x85j"
            + struct.pack("<I", idx)
            + b"\x89B"
            + struct.pack("<I", len(raw))
            + raw
            + b"t"
        )
        return base[:end] + st + b"b" + base[end:], "joblib"
    ba = bytearray(nodes.tobytes())

    class _Nodes:
        def __reduce__(self) -> Any:
            args = (ba, nodes.dtype, nodes.shape, "C")
            if form == "pickle5-frombuffer-build":  # REDUCE _frombuffer, then BUILD bad state
                return (_frombuffer, args, bad.__reduce__()[2])
            return (_frombuffer, args)

    class _Tree:
        def __reduce__(self) -> Any:
            return (red[0], red[1], {**state, "nodes": _Nodes()})

    clf.tree_ = _Tree()
    if form == "pickle5-frombuffer-build":
        return pickle.dumps(clf, protocol=5), "pickle"
    # numpy.sqrt(V, V) with V a float64 _frombuffer view of the node array's bytearray (one
    # bytearray fetched twice: a copy, but shared by both arrays) rewrites the nodes in place
    view = Call(_frombuffer, ba, np.dtype("f8"), (len(ba) // 8,), "C")
    return pickle.dumps((Call(np.sqrt, view, view), clf), protocol=5), "pickle"


@pytest.mark.parametrize(
    "form", ["pickle5-frombuffer-build", "joblib-inline-array-build", "pickle5-ufunc-out-alias"]
)
def test_rt26_07_array_data_rewritten_after_the_pass_read_it(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``_rebuild_problem`` refuses a second BUILD on arrays made by ``_ARRAY_MAKERS``
    (``_reconstruct``, ``ndarray``, masked arrays), but a protocol 5 array is made by
    ``numpy..._frombuffer`` and a joblib inline array is an ``_Array`` (no ``_Obj``): a *first*
    BUILD on either is taken as any object's state (``_array_state_problem`` non-strict) and
    ``ndarray.__setstate__`` replaces the data. scan's tree check reads the node array from the
    ``_frombuffer`` arguments / the inline bytes -- valid -- while plain pickle and
    ``joblib.load`` give the Tree the BUILD's bytes (child index 10**9): ``predict`` reads out
    of bounds. Third form: no BUILD, an allowed ufunc with a positional ``out`` writes into a
    second ``_frombuffer`` array over the same bytearray. ``scan`` SAFE (facts on and off) for
    all three; ``load_unsigned`` refuses (its post-build tree check)."""
    data, loader = _rt26_07(form)
    name = "m.joblib" if loader == "joblib" else "m.pkl"
    path = write(tmp_path, data, name)
    get = "model = model[1] if isinstance(model, tuple) else model\n"
    use = (
        get + "import numpy as np\nX = np.random.RandomState(0).rand(200, 4)\n"
        "model.predict(X)\nprint('returned', flush=True)\n"
    )
    load = (
        PLAIN
        if loader == "pickle"
        else "import joblib\nmodel = joblib.load(sys.argv[1])\nprint('loaded', flush=True)\n"
    )
    plain = run_child(load + use, path, memory=2 * GB, cpu=20, timeout=90)
    assert plain.loaded and not plain.returned and plain.crashed, f"plain {loader}: {plain}"
    # refused: by the static pass now (a BUILD on array data, a call of a kept function), by
    # the post-build tree check before the fix
    with pytest.raises(safeload.SafeloadError):
        safeload.load_unsigned(path)
    assert prepass_problems(data, joblib=loader == "joblib"), "the pre-pass lets it through"
    fmt = "joblib" if loader == "joblib" else None
    assert verdicts(data, monkeypatch, fmt) == {"unsafe"}


# --- rt26-08: the dtype DAG of rt26-03 hashed while loading (dict key, set item) ---------------


def _rt26_08(form: str) -> bytes:
    body = pickle.dumps(_dag_dtype(30), protocol=2)[2:-1]  # (pickling {D: 0} would hash D)
    if form == "dict-key":
        return b"\x80\x02}" + body + b"K\x00s."
    return b"\x80\x04\x8f(" + body + b"\x90."  # set-item


@pytest.mark.parametrize("form", ["dict-key", "set-item"])
def test_rt26_08_dtype_dag_hashed_while_loading(form: str, tmp_path: Path) -> None:
    """numpy's dtype ``__hash__`` walks every field path (x2 per level, not memoised across
    shared sub-dtypes before the first result): the 30-level DAG of rt26-03 (2 KB) as a dict
    key or set item makes the C unpickler hash it at SETITEM/ADDITEMS, inside ``load_unsigned``
    (``hashes_containers`` looks for *container* keys only). As a dict key ``scan`` says SAFE
    (facts on and off) while plain pickle and ``load_unsigned`` spin until killed; as a set
    item ``scan`` itself spins too (its shadow builds the set)."""
    data = _rt26_08(form)
    path = write(tmp_path, data)
    plain = run_child(PLAIN, path, memory=2 * GB, cpu=HANG_CPU, imports=("numpy",))
    assert not plain.loaded and (plain.crashed or plain.hung), f"plain pickle: {plain}"
    for code in (SCAN, SCAN_NO_FACTS):
        scan = run_child(code, path, memory=2 * GB, cpu=10, timeout=120)
        # should hold: scan returns, and says unsafe
        assert "verdict unsafe" in scan.output and not scan.crashed, f"scan: {scan}"
    loaded = run_child(LOAD_UNSIGNED, path, memory=2 * GB, cpu=10, timeout=120)
    assert "refused" in loaded.output and not loaded.crashed, f"load_unsigned: {loaded}"
