"""Red team 30 (an independent helper session, 03:04-03:51 UTC on 35dd5c2): its reproducers,
kept as written (write-up: the stop's closing note). Each test first shows the harm under
plain pickle (or what ``load_unsigned``'s model does) in a child process under resource
limits, then asserts what should hold: a refusal, by scan too. Payloads only compute or
allocate; nothing is written outside the test's tmp dir."""

from __future__ import annotations

import struct
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from redteam import (
    GB,
    HANG_CPU,
    HEAVY_IMPORTS,
    LOAD_UNSIGNED,
    PLAIN,
    binunicode,
    child,
    global_,
    prepass_problems,
    run_child,
    verdicts,
    write,
)

P2 = b"\x80\x02"


def _put(i: int) -> bytes:
    return b"r" + struct.pack("<I", i)


def _get(i: int) -> bytes:
    return b"j" + struct.pack("<I", i)


_child = partial(child, memory=2 * GB, cpu=20)


_REPR = (
    "try:\n"
    "    print('repr', len(repr(model)), flush=True)\n"
    "except MemoryError:\n"
    "    print('repr MemoryError', flush=True)\n"
)


def _assert_repr_blowup_refused(
    data: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``repr`` of what plain pickle loads from ``data`` runs out of memory (1 GiB: the
    payloads ask for 6.5 and 16.5 GB, and the child gets there twice as fast as under the
    2 GiB the red team used); the load in a child refuses, scan calls the bytes unsafe and
    so does the load's static pass."""
    path = write(tmp_path, data)
    # (under 512 MiB, not 1 GiB: the same MemoryError of 6.5 and 16.5 GB asked, sooner)
    plain = _child(PLAIN + _REPR, path, memory=GB // 2, cpu=30)
    assert "repr MemoryError" in plain.stdout, f"plain: {plain}"
    loaded = _child(LOAD_UNSIGNED + _REPR, path, cpu=30)
    # today: "loaded" then "repr MemoryError"
    assert "refused" in loaded.stdout, f"load: {loaded}"
    assert verdicts(data, monkeypatch) == {"unsafe"}
    assert prepass_problems(data)


# --- rt30-01: a cycle makes the end-of-walk unfolded count cache a partial count ------------


def _rt30_01_linear(n: int = 100_000, xlen: int = 65536) -> bytes:
    """``A = []``, ``B = [A]``, then ``A += [B, X]`` (X a 64 KB string), root
    ``[A, B, B, ..., B]`` (100,000 memo references, 5 bytes each). ``unfolded`` counts ``A``
    first: while ``A`` is in progress it counts ``B`` as ``[A]`` = 2 nodes (the cycle back to
    ``A`` counts one) and caches that; every later ``B`` costs 2. But ``repr(B)`` is
    ``[[[...], 'XXXX...']]``: it prints ``X`` each time (6.5 GB)."""
    s = P2
    s += b"]" + _put(0) + b"0"  # A
    s += b"]" + _put(1)  # B
    s += _get(0) + b"a0"  # B.append(A)
    s += _get(0) + b"(" + _get(1) + binunicode("x" * xlen) + b"e0"  # A.extend([B, X])
    return s + b"](" + _get(0) + _get(1) * n + b"e."


def test_rt30_01_cycle_hides_shared_container_from_unfolded_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """566 KB: plain pickle loads in ms and repr asks for 6.5 GB (MemoryError under 2 GiB);
    scan says SAFE and load_unsigned returns the same list. Should hold: refused."""
    data = _rt30_01_linear()
    _assert_repr_blowup_refused(data, tmp_path, monkeypatch)


def _expo_body(k: int, fan: int = 2, base: int = 200) -> bytes:
    """Leaves ``R_k`` on the stack: ``R_0 = 'x'``; ``A_i = []``, ``B_i = [A_i]``,
    ``A_i += [B_i, R_{i-1}]``, ``R_i = [A_i, B_i, B_i]`` (memo indexes from ``base``; 60 bytes
    per level). Counting ``R_i`` enters ``A_i`` first, meets ``B_i`` while ``A_i`` is in
    progress and caches ``B_i`` as ``[A_i]`` = 2 nodes (static ``unfolded``), or 1 object
    (the load's ``sharing.first_over_cap``: "an edge back into the current path counts
    nothing"); both counts grow linearly in ``k``. ``repr(B_i)`` from outside ``A_i`` prints
    ``A_i`` again, ``R_{i-1}`` included, so ``repr(R_k)`` is about ``3 ** k`` characters."""
    s = binunicode("x") + _put(base) + b"0"
    for i in range(1, k + 1):
        a, b, r = base + 3 * i, base + 3 * i + 1, base + 3 * i + 2
        prev = base + 3 * (i - 1) + 2 if i > 1 else base
        s += b"]" + _put(a) + b"0"
        s += b"]" + _put(b) + _get(a) + b"a0"
        s += _get(a) + b"(" + _get(b) + _get(prev) + b"e0"
        s += b"](" + _get(a) + _get(b) * fan + b"e" + _put(r) + b"0"
    return s + _get(base + 3 * k + 2)


def _rt30_01_exponential(k: int = 30) -> bytes:
    return P2 + _expo_body(k) + b"."


def _rt30_01_in_estimator(k: int = 30) -> bytes:
    """The same list as ``OneHotEncoder(categories=R_k)`` (a list is a valid value): sklearn's
    ``repr`` (pprint with its own recursion guard) prints it in full before truncating."""
    import pickle

    from sklearn.preprocessing import OneHotEncoder

    head = pickle.dumps(OneHotEncoder(categories="SENTINEL_"), protocol=2)
    lit = binunicode("SENTINEL_")
    i = head.index(lit)
    return head[:i] + _expo_body(k) + head[i + len(lit) :]


@pytest.mark.parametrize("form", ["exponential", "in-estimator"])
def test_rt30_01_cycle_exponential_repr(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """1.9 KB (2.2 KB in an estimator): plain pickle loads in ms, repr needs ~3**30 characters
    (killed at the CPU limit or out of memory); scan says SAFE, load_unsigned returns the
    model (the post-build sharing check counts the same cycle as nothing) and repr never
    returns. Should hold: refused."""
    data = _rt30_01_exponential() if form == "exponential" else _rt30_01_in_estimator()
    assert len(data) < 2500
    path = write(tmp_path, data)
    plain = _child(PLAIN + _REPR, path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "repr " not in plain.stdout.replace(
        "repr MemoryError", ""
    ), f"plain: {plain}"
    assert plain.crashed or "repr MemoryError" in plain.stdout, f"plain: {plain}"
    loaded = _child(LOAD_UNSIGNED + _REPR, path, cpu=5)
    # today: "loaded", then killed at the CPU limit inside repr
    assert "refused" in loaded.stdout, f"load: {loaded}"
    assert verdicts(data, monkeypatch) == {"unsafe"}
    assert prepass_problems(data)


# --- rt30-02: arrays of zero-byte items and 2**62 elements: no data, endless loops ----------


def _rt30_02(count: int = 2**62, dtype: str = "S0") -> bytes:
    """A fitted ``LabelEncoder`` whose ``classes_`` is an array of ``count`` items of a
    zero-byte dtype (``S0``, ``U0``): numpy accepts the empty data string for any
    count, the budget counts an array by its bytes (none), and no check after building bounds
    an array's element count. ``transform`` builds ``{val: i for i, val in enumerate(classes_)}``
    (sklearn.utils._encode._map_to_integer): 2**62 iterations."""
    import pickle

    import numpy as np
    from sklearn.preprocessing import LabelEncoder

    le = LabelEncoder().fit(["a", "b"])
    le.classes_ = np.ndarray((count,), dtype=dtype)
    return pickle.dumps(le, protocol=2)


@pytest.mark.parametrize("dtype", ["S0", "U0"])
def test_rt30_02_zero_itemsize_array_of_2_62_elements(
    dtype: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """322 bytes: plain pickle and load_unsigned both return the encoder; ``transform([b''])``
    spins until the CPU limit (10**9 items already take > 60 s; 2**62 never end); scan says
    SAFE. Should hold: refused (an element count bound, or zero-itemsize dtypes refused)."""
    data = _rt30_02(dtype=dtype)
    assert len(data) < 400
    path = write(tmp_path, data)
    call = "model.transform([b''])\nprint('returned', flush=True)\n"
    plain = _child(PLAIN + call, path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and plain.crashed and "returned" not in plain.stdout, (
        f"plain: {plain}"
    )
    loaded = _child(LOAD_UNSIGNED + call, path, cpu=5)
    # today: "loaded", then killed at the CPU limit inside transform
    assert "refused" in loaded.stdout, f"load: {loaded}"
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt30-03: str dict keys up to 1024 characters are not counted by ``unfolded`` ------------


def _rt30_03(m: int = 1000, n: int = 16_000, klen: int = 1024) -> bytes:
    """``D = {k_1: None, ..., k_1000: None}`` with 1024-character keys (each a ``_Const``,
    ``MAX_CONST`` is 1024, stored in ``_Dict.items`` by its value), referenced 16,000 times
    from a list. ``unfolded`` counts a dict's values, not its str keys: each reference costs
    1,001 units (16 KB at 16 bytes a unit) and prints 1.03 MB."""
    s = P2 + b"}" + _put(0) + b"("
    for i in range(m):
        s += binunicode(f"{i:06d}" + "k" * (klen - 6)) + b"N"
    s += b"u0"
    return s + b"](" + _get(0) * n + b"e."


def test_rt30_03_dict_str_keys_not_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """1.11 MB: ``repr(model)`` is 16.5 GB (14,900 bytes per file byte, ~58 times the
    documented ~256); MemoryError under 2 GiB both under plain pickle and after load_unsigned;
    scan says SAFE. Should hold: refused (keys counted like any string)."""
    data = _rt30_03()
    _assert_repr_blowup_refused(data, tmp_path, monkeypatch)


# --- rt30-04: n_jobs of scikit-learn estimators is unbounded: predict starts n_jobs threads ---


def _rt30_04(n_jobs: int = 100_000) -> bytes:
    """A fitted ``KNeighborsClassifier(algorithm='kd_tree', n_jobs=100_000)``: ``kneighbors``
    runs ``Parallel(n_jobs, prefer='threads')``, and joblib's threading backend makes a
    ``ThreadPool(n_jobs)``, which starts every worker thread at once. safeload bounds thread
    counts for the native boosters (``native_params._threads_problem``) but keeps a scikit-learn
    ``n_jobs`` as plain data (``_parameter_constraints``: any Integral)."""
    import pickle

    import numpy as np
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.RandomState(0)
    X = rng.rand(50, 3)
    y = (X[:, 0] > 0.5).astype(int)
    model = KNeighborsClassifier(algorithm="kd_tree", n_jobs=n_jobs).fit(X, y)
    return pickle.dumps(model, protocol=2)


_THREADS = (
    "import threading\n"
    "try:\n"
    "    model.predict(numpy.zeros((4, 3)))\n"
    "except BaseException as exc:\n"
    "    print('error', type(exc).__name__, flush=True)\n"
    "print('threads', threading.active_count(), flush=True)\n"
)


def _threads(child: Any) -> int:
    lines = [x for x in child.stdout.splitlines() if x.startswith("threads ")]
    return int(lines[-1].split()[1]) if lines else 0


def test_rt30_04_unbounded_n_jobs_starts_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """4.2 KB: ``predict`` on 4 rows starts threads until the address space (3 GiB here: about
    210 threads of 8 MiB stacks) runs out; without a limit it asks for 100,000 threads, which
    exhausts the system's thread and pid limits for every process on the machine. Same under
    plain pickle and after load_unsigned; scan SAFE. Should hold: refused (n_jobs bounded like
    the native boosters' thread counts)."""
    data = _rt30_04()
    path = write(tmp_path, data)
    code = "import numpy\n"
    plain = run_child(PLAIN + code + _THREADS, path, memory=3 * GB, cpu=30, imports=HEAVY_IMPORTS)
    assert _threads(plain) > 100, f"plain: {plain}"
    loaded = run_child(
        LOAD_UNSIGNED + code + _THREADS, path, memory=3 * GB, cpu=30, imports=HEAVY_IMPORTS
    )
    # today: "loaded", then ~210 threads and a RuntimeError inside joblib's pool
    assert "refused" in loaded.stdout, f"load: {loaded}"
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt30-05: the load's pass counts a joblib object array as one node ----------------------

_JOBLIB = (
    "import joblib\n"
    "try:\n"
    "    model = joblib.load(sys.argv[1])\n"
    "    print('loaded', flush=True)\n"
    "except MemoryError:\n"
    "    print('MemoryError', flush=True)\n"
)


def _rt30_05(n: int = 100_000) -> bytes:
    """joblib's own dump of a 1-item object array holding ``[(S,)] * 100_000``, ``S`` a
    64 KB string: the nested pickle references one memoised tuple 100,000 times (rt29-03's
    tuple form). scan walks the nested pickle (``check_trees=True``) and its end-of-walk
    check refuses; the load's own pass runs with ``check_trees=False``, where
    ``Walker._joblib_array`` returns ``_OPAQUE`` for an object array, so
    ``_check_unfolded_result`` counts the whole array as one node; the post-build sharing
    check counts objects, not string sizes."""
    import io

    import joblib
    import numpy as np

    a = np.empty(1, dtype=object)
    a[0] = [("A" * 65536,)] * n
    buf = io.BytesIO()
    joblib.dump(a, buf)
    return buf.getvalue()


def test_rt30_05_joblib_object_array_opaque_to_load_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """266 KB: joblib.load returns the array and ``repr`` asks for 6.5 GB (MemoryError under
    1 GiB here, 2 GiB for the red team); scan says UNSAFE, but load_unsigned returns the same
    array and its repr runs out of memory the same way (a refusal turned into a load). Should
    hold: load_unsigned refuses."""
    data = _rt30_05()
    path = write(tmp_path, data, "m.joblib")
    # (under 512 MiB, not 1 GiB: the same MemoryError of 6.5 GB asked, sooner)
    plain = _child(_JOBLIB + _REPR, path, memory=GB // 2, cpu=30)
    assert "repr MemoryError" in plain.stdout, f"plain: {plain}"
    assert verdicts(data, monkeypatch, fmt="joblib") == {"unsafe"}  # holds today
    loaded = _child(LOAD_UNSIGNED + _REPR, path, cpu=30)
    # today: "loaded" then "repr MemoryError"
    assert "refused" in loaded.stdout, f"load: {loaded}"
    assert prepass_problems(data, joblib=True)


# --- rt30-06: IsotonicRegression's rebuild is charged by bytes; zero-byte items rebuild free ---


def _rt30_06(count: int = 10**8) -> bytes:
    """A fitted ``IsotonicRegression`` whose ``X_thresholds_`` is ``count`` items of ``S0``
    and ``y_thresholds_`` a float array of shape ``(0, count)``: both 0 bytes of data, so
    ``REBUILT_FROM_STATE``'s 4 copies of the state's data cost nothing. ``__setstate__``
    builds ``interp1d(X, y)``: a mergesort ``argsort`` of ``count`` items (an 8-byte index
    per item plus scratch) and the reordering, at load, before any check."""
    import pickle

    import numpy as np
    from sklearn.isotonic import IsotonicRegression

    m = IsotonicRegression().fit([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    m.X_thresholds_ = np.ndarray((count,), dtype="S0")
    m.y_thresholds_ = np.ndarray((0, count), dtype="f8")
    m.__dict__.pop("f_", None)
    return pickle.dumps(m, protocol=2)


#: Peak resident memory in MB, from the kernel's high-water mark. ``_BEFORE`` resets that mark
#: first: the child's imports can leave it hundreds of MB above the memory in use when the load
#: starts (a clean clone measured 832 MB before a load that peaked at 1,126 MB), and a growth
#: read against a stale peak is too small.
_PEAK = (
    "def peak_mb():\n"
    "    line = [x for x in open('/proc/self/status') if x.startswith('VmHWM:')][0]\n"
    "    return int(line.split()[1]) // 1024\n"
)
_GROWTH = "print('rss', peak_mb(), flush=True)\n"
_BEFORE = _PEAK + (
    "open('/proc/self/clear_refs', 'w').write('5')\n"
    "print('rss0', peak_mb(), flush=True)\n"
)


def _grown_mb(child: Any) -> int:
    vals = {}
    for line in child.stdout.splitlines():
        key, _, val = line.partition(" ")
        if key in ("rss0", "rss"):
            vals[key] = int(val)
    return vals.get("rss", 0) - vals.get("rss0", 0)


def test_rt30_06_isotonic_rebuild_of_zero_byte_arrays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """643 bytes: the load itself takes ~8 s of CPU and ~950 MB of memory (10**8 items; 10**9
    asks for 7.5 GiB, 'ran out of memory loading' under a limit, a load on a large machine);
    plain pickle the same. load_unsigned returns the model; scan says SAFE. Should hold:
    refused by the static pass, before anything is built."""
    data = _rt30_06(3 * 10**7)  # 10**8 in the report; the refusal does not depend on it
    assert len(data) < 700
    path = write(tmp_path, data)
    plain = _child(_BEFORE + PLAIN + _GROWTH, path, cpu=60)
    assert "loaded" in plain.stdout and _grown_mb(plain) > 200, f"plain: {plain}"
    loaded = _child(_BEFORE + LOAD_UNSIGNED + _GROWTH, path, cpu=60)
    # today: "loaded", ~950 MB grown during the load
    assert "refused" in loaded.stdout and _grown_mb(loaded) < 100, f"load: {loaded}"
    assert prepass_problems(data)
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt30-07: rt30-01's cycle as ``_sklearn_version``: load_unsigned itself never returns ------


def _rt30_07(k: int = 30) -> bytes:
    """``StandardScaler`` with the state ``{'_sklearn_version': R_30}`` (rt30-01's cyclic list,
    whose repr is ~3**30 characters). ``BaseEstimator.__setstate__`` compares it with
    ``__version__`` and warns ``InconsistentVersionWarning``, whose ``__str__`` formats it:
    ``warnings.warn`` computes ``str(message)`` before any filter. ``build_nodes`` counts the
    value as one node (``__dict__.update`` copies a reference), and the end-of-walk check is
    fooled by the cycle as in rt30-01."""
    s = P2 + global_("sklearn.preprocessing._data", "StandardScaler") + b")\x81"
    return s + b"}" + binunicode("_sklearn_version") + _expo_body(k, base=10) + b"sb."


def test_rt30_07_version_string_formatted_at_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """1.9 KB: plain pickle.load and load_unsigned both spend their whole CPU limit inside the
    load (inside BaseEstimator.__setstate__'s warning); scan says SAFE. Should hold: refused
    before anything is built."""
    data = _rt30_07()
    assert len(data) < 2100
    path = write(tmp_path, data)
    plain = _child(PLAIN, path, cpu=HANG_CPU)
    assert plain.crashed and "loaded" not in plain.stdout, f"plain: {plain}"
    loaded = _child(LOAD_UNSIGNED, path, cpu=5)
    # today: killed at the CPU limit, nothing printed
    assert "refused" in loaded.stdout, f"load: {loaded}"
    assert verdicts(data, monkeypatch) == {"unsafe"}
    assert prepass_problems(data)


# --- rt30-08: BaseEstimator.__setstate__ pops from a dict the pass froze and shared ----------


def _rt30_08() -> bytes:
    """A structured dtype with one field ``_sklearn_version`` (numpy keeps the fields dict
    by reference, memo 7 in numpy's own pickle), then ``StandardScaler`` given that same dict
    as its BUILD state: ``BaseEstimator.__setstate__`` does ``state.pop('_sklearn_version')``,
    emptying the dtype's fields while its names still list the field. The pass treats a dict
    handed to a BUILD as frozen and unchanged."""
    import pickle

    import numpy as np

    dt = pickle.dumps(np.dtype([("_sklearn_version", "<f8")]), protocol=2)
    assert dt.endswith(b"b.")
    s = P2 + dt[2:-1]  # leaves the dtype on the stack; its fields dict is memo 7
    s += global_("sklearn.preprocessing._data", "StandardScaler") + b")\x81h\x07b"
    return s + b"\x86."


def test_rt30_08_setstate_mutates_shared_dtype_fields(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """~160 bytes: under plain pickle the dtype's ``fields`` is ``{}`` while ``names`` is
    ``('_sklearn_version',)`` (repr raises KeyError); load_unsigned refuses after building
    ("a numpy dtype that numpy's constructors never make"), scan says SAFE: the two verdicts
    differ. Should hold: scan (and the load's pass) refuse a dict given to two BUILDs / a
    dtype's fields dict given to a BUILD."""
    data = _rt30_08()
    path = write(tmp_path, data)
    code = "print('fields', len(model[0].fields), 'names', len(model[0].names), flush=True)\n"
    plain = _child(PLAIN + code, path)
    assert "fields 0 names 1" in plain.stdout, f"plain: {plain}"
    loaded = _child(LOAD_UNSIGNED, path)
    assert "refused" in loaded.stdout, f"load: {loaded}"  # holds today (post-build check)
    assert verdicts(data, monkeypatch) == {"unsafe"}  # today: safe
    assert prepass_problems(data)
