"""Helpers the red-team reproducers share (``tests/security/test_redteam2*.py`` and ``3*``).

Crafted streams are written opcode by opcode (:func:`global_`, :func:`binunicode`,
:func:`tuple_dag`, ...) or pickled through :class:`Call`; :func:`run_child` runs a plain
loader, ``load_unsigned`` or ``scan`` on the file in a child process (forked from an
interpreter that has imported the heavy modules, :mod:`zygote`) under address-space and CPU
limits (the programs :data:`PLAIN`, :data:`LOAD_UNSIGNED`, :data:`SCAN`), so that a crash, a
hang or a blow-up of memory harms only the child. :func:`refused`, :func:`prepass_problems`
and :func:`verdicts` state what safeload does with the same bytes in the test's own process.
Red teams 30 to 38 run their children through :func:`child` (:data:`HEAVY_IMPORTS`, each
file's CPU and memory limits) and check safeload with :func:`assert_safeload_refuses` (in a
child), :func:`assert_refused` (in this process) and :func:`parity`; their honest
counterparts load through :func:`load_honest`; :func:`open_finding` marks an open finding.
"""

from __future__ import annotations

import contextlib
import pickle
import struct
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safeload
import zygote
from harm import Child
from parity import load_unsigned as load_unsigned_and_scan
from parity import verdicts
from safeload import SafeloadError
from safeload.pickle.walker import analyze
from safeload.policy import Policy

__all__ = [
    "scipy_distribution",
    "p256_pem_and_der",
    "raw_deflate",
    "GB",
    "HANG_CPU",
    "HEAVY_IMPORTS",
    "LOAD_UNSIGNED",
    "MB",
    "NUMPY_ARRAY_WRAPPER",
    "PLAIN",
    "PLAIN_CALL",
    "PLAIN_JOBLIB_CALL",
    "OVR_PREDICT",
    "PLAIN_MODEL",
    "SAFE_CALL",
    "SCAN",
    "SCAN_NO_FACTS",
    "TIMED_PREDICT",
    "UINT8_DTYPE",
    "Call",
    "assert_refused",
    "assert_refused_by_both",
    "assert_refused_with",
    "assert_scan_predicts_load",
    "assert_trust_holds",
    "finishes",
    "memoising_dumps",
    "OPENS_TRUSTING",
    "refusal_advice",
    "scan_trusting",
    "trust_refused",
    "trusting_child",
    "assert_safeload_refuses",
    "base58",
    "bech32",
    "memory_harm_file",
    "binint",
    "binunicode",
    "child",
    "compressed_joblib",
    "cpu_seconds",
    "crc16_xmodem",
    "crafted_csr",
    "dumps_with",
    "ed25519_public",
    "global_",
    "hgb_nodes",
    "joblib_memory_harm",
    "lightgbm_chain",
    "load_honest",
    "loky_workers_call",
    "maxrss",
    "open_finding",
    "parity",
    "printed_pair",
    "prepass_problems",
    "range_of",
    "refused",
    "run_child",
    "run_trusting",
    "short_binstring",
    "xgboost_chain",
    "tuple_dag",
    "until_crash",
    "verdicts",
    "workers_started",
    "write",
]

GB = 1 << 30
MB = 1 << 20

#: CPU seconds a child gets (after its imports, :func:`run_child`) to show a hang of hours.
#: RLIMIT_CPU counts whole seconds, so a load is cut at the first whole second of the child's
#: CPU past what its imports used plus 0.5 s: about 1 s after a fork of the zygote (it has used
#: a few ms), 0.5 to 1.5 s after a fresh interpreter's imports. A method call after a load
#: (:data:`PLAIN_CALL`) is ended to the millisecond (``_call_budget``). Killed there, the child
#: has spent that long on a file that asks for far more, where an honest file of its size
#: takes milliseconds. A call site whose child must do honest work first (fit or predict an
#: honest model) passes a larger ``cpu``.
HANG_CPU = 0.5


# --- the file, and what safeload does with it in this process ---------------------------------


def write(tmp_path: Path, data: bytes, name: str = "m.pkl") -> Path:
    """Write ``data`` to ``tmp_path / name`` and return the path."""
    path = tmp_path / name
    path.write_bytes(data)
    return path


def refused(
    tmp_path: Path, data: bytes, problem: str = "", name: str = "m.pkl", *, scan: bool = False
) -> None:
    """Assert that ``load_unsigned`` refuses ``data`` (written to ``tmp_path / name``) with a
    message matching ``problem``. ``scan``: through ``parity.load_unsigned``, which also asserts
    that ``scan`` calls the file unsafe."""
    load = load_unsigned_and_scan if scan else safeload.load_unsigned
    with pytest.raises(SafeloadError, match=problem or None):
        load(write(tmp_path, data, name))


def assert_refused(path: Path) -> None:
    """Assert that safeload refuses the file at ``path`` in this process: ``scan`` calls its
    bytes unsafe and ``load_unsigned`` raises (for a harm that only a method call after the
    load shows, so that loading alone starts nothing)."""
    assert not safeload.scan(path.read_bytes()).safe
    with pytest.raises(SafeloadError):
        safeload.load_unsigned(path)


def assert_refused_with(path: Path, profiles: Sequence[str] = ()) -> None:
    """:func:`assert_refused` for a file scanned by its path (a joblib file), with the
    opt-in ``profiles``."""
    assert not safeload.scan(path, profiles=list(profiles)).safe
    with pytest.raises(SafeloadError):
        safeload.load_unsigned(path, profiles=list(profiles))


def parity(
    data: bytes, tmp_path: Path, name: str = "m.pkl", profiles: Sequence[str] = ()
) -> tuple[bool, str]:
    """(whether ``scan`` calls ``data`` safe, what ``load_unsigned`` did with it written to
    ``tmp_path / name``: ``'loaded'`` or ``'refused'``): a parity finding asserts the pair.
    A name other than the default pickle one is scanned as a file, so its suffix picks the
    format (joblib, skops) on both sides; ``profiles`` are given to both."""
    path = write(tmp_path, data, name)
    safe = safeload.scan(data if name == "m.pkl" else path, profiles=list(profiles)).safe
    try:
        safeload.load_unsigned(path, profiles=list(profiles))
    except SafeloadError:
        return safe, "refused"
    return safe, "loaded"


def assert_scan_predicts_load(
    data: bytes,
    tmp_path: Path,
    *,
    refused: bool = False,
    name: str = "m.pkl",
    profiles: Sequence[str] = (),
) -> None:
    """Assert that ``scan`` calls ``data`` safe exactly when ``load_unsigned`` loads it (a
    parity finding: no file the load refuses is SAFE, no file it loads is unsafe); with
    ``refused``, also that the load refuses it. ``name`` and ``profiles`` as for ``parity``."""
    safe, outcome = parity(data, tmp_path, name, profiles)
    if refused:
        assert outcome == "refused"
    assert safe == (outcome == "loaded"), (safe, outcome)


def assert_counted_alike(data: bytes, tmp_path: Path, monkeypatch: Any) -> None:
    """Scan calls ``data`` SAFE, the load loads it, and both call
    ``sharing.sharing_problem`` on the model with the same number of counted nodes and
    references: one graph of the model on both sides (rt53-05, rt54-01)."""
    from safeload.trust import sharing

    seen: list[tuple[int, int]] = []
    real = sharing.sharing_problem

    def recording(root: int, edges: dict[int, list[int]], counted: set[int]) -> str | None:
        seen.append((len(counted), sum(len(kids) for kids in edges.values())))
        return real(root, edges, counted)

    monkeypatch.setattr(sharing, "sharing_problem", recording)
    report = safeload.scan(data)
    assert report.safe, report
    assert seen, "scan never counted the graph"
    scanned = seen[-1]
    seen.clear()
    safeload.load_unsigned(write(tmp_path, data))
    assert seen and seen[0] == scanned, (scanned, seen)


def load_honest(model: Any, tmp_path: Path, profiles: Sequence[str] = ()) -> Any:
    """``model`` pickled (protocol 5) and written to ``tmp_path``, called safe by ``scan``
    (of its bytes, or of the file with ``profiles``) and loaded by ``load_unsigned``: what
    an honest file next to a red-team fix must keep doing."""
    data = pickle.dumps(model, protocol=5)
    path = write(tmp_path, data)
    report = safeload.scan(path, profiles=list(profiles)) if profiles else safeload.scan(data)
    assert report.safe, report
    return safeload.load_unsigned(path, profiles=list(profiles))


def open_finding(team: int, what: str) -> pytest.MarkDecorator:
    """A finding of red team ``team`` not fixed yet: a strict xfail, so the test fails (and
    the mark must go) once it is fixed."""
    return pytest.mark.xfail(strict=True, reason=f"open (red team {team}): {what}")


def prepass_problems(data: bytes, joblib: bool = False) -> list[str]:
    """What the load's own static pass (the one ``load_unsigned`` runs before the C unpickler
    builds anything) finds: an empty list means the unpickler runs the stream."""
    found = analyze(data, policy=Policy.default(), joblib=joblib, use_time=False, check_trees=False)
    return [p.message for p in found.problems]


# ``verdicts`` (scan's verdict with the shipped facts and with the imported classes) is
# ``parity.verdicts``, re-exported here so the red-team files import their helpers from one place.


# --- opcodes ----------------------------------------------------------------------------------


def global_(module: str, name: str) -> bytes:
    """GLOBAL ``module.name`` (protocol 0's ``c`` opcode)."""
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def long1(value: int) -> bytes:
    """LONG1 ``value``."""
    raw = pickle.encode_long(value)
    return b"\x8a" + bytes([len(raw)]) + raw


def reduce_call(module: str, name: str, args: bytes) -> bytes:
    """REDUCE ``module.name(*args)`` (``args``: the opcodes of the arguments)."""
    return global_(module, name) + b"(" + args + b"tR"


def assert_one_hash(data: bytes, n: int) -> None:
    """Plain pickle loads ``data`` into ``n`` different keys of one hash (cheap for 200)."""
    keys = pickle.loads(data)
    assert len(keys) == n and len({hash(k) for k in keys}) == 1


def binunicode(text: str) -> bytes:
    """BINUNICODE ``text`` (a 4-byte length)."""
    raw = text.encode()
    return b"X" + struct.pack("<I", len(raw)) + raw


def short_binstring(text: str) -> bytes:
    """SHORT_BINSTRING ``text`` (a 1-byte length), which Python 3's unpickler decodes to a
    ``str`` (ASCII by default)."""
    raw = text.encode()
    return b"U" + bytes([len(raw)]) + raw


def binint(n: int) -> bytes:
    """BININT ``n`` (a signed 4-byte int)."""
    return b"J" + struct.pack("<i", n)


def range_of(n: int) -> bytes:
    """``builtins.range(n)`` by REDUCE (``n`` a signed 4-byte int)."""
    return global_("builtins", "range") + binint(n) + b"\x85R"


def tuple_dag(depth: int, fan: int, memo: int = 10) -> bytes:
    """``T0 = (1,)``, ``Tk = (Tk-1,) * fan`` through the memo; leaves ``T_depth`` on the stack.
    ``2 * fan`` bytes per level, ``fan ** depth`` leaves for anything that walks it. Memo slots
    ``memo`` to ``memo + depth`` are used."""
    body = b"K\x01\x85q" + bytes([memo])
    for k in range(1, depth + 1):
        body += b"0(" + (b"h" + bytes([memo + k - 1])) * fan + b"tq" + bytes([memo + k])
    return body


#: GLOBAL ``joblib.numpy_pickle.NumpyArrayWrapper``: a joblib array placeholder's class.
NUMPY_ARRAY_WRAPPER = global_("joblib.numpy_pickle", "NumpyArrayWrapper")

#: The ``dtype`` item of a placeholder's state: ``'dtype': numpy.dtype('u1')``, as joblib pickles
#: it (``dtype('u1', False, True)`` + BUILD of its state tuple).
UINT8_DTYPE = (
    b"X\x05\x00\x00\x00dtypecnumpy\ndtype\nX\x02\x00\x00\x00u1\x89\x88\x87R"
    b"(K\x03X\x01\x00\x00\x00|NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"
)


class Call:
    """Pickles as ``func(*args)`` (REDUCE)."""

    def __init__(self, func: Any, *args: Any) -> None:
        self.func, self.args = func, args

    def __reduce__(self) -> Any:
        return (self.func, self.args)


def dumps_with(
    obj: Any, reduce: Callable[[Any], Any], protocol: int = 4, *, joblib: bool = False
) -> bytes:
    """``obj`` pickled (``joblib=True``: by joblib's pickler, arrays inline) with ``reduce`` as
    the pickler's ``reducer_override``: for each object it returns the ``__reduce__`` tuple to
    write instead of the object's own, or ``NotImplemented`` to leave it alone. The crafted
    states of the parity files are made this way (an honest model, one state item changed)."""
    import io

    base: Any = pickle.Pickler
    if joblib:
        from joblib.numpy_pickle import NumpyPickler

        base = NumpyPickler

    class _Pickler(base):  # type: ignore[misc]
        def reducer_override(self, o: Any) -> Any:
            return reduce(o)

    buf = io.BytesIO()
    _Pickler(buf, protocol=protocol).dump(obj)
    return buf.getvalue()


def popped_before(first: Any, model: Any, protocol: int = 4) -> bytes:
    """One stream: ``first`` pickled and popped off the stack (built, then dropped), then
    ``model``, which is what the stream returns. One pickler writes both, so the memo carries
    over (``model`` may refer to what ``first`` memoised)."""
    import io

    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=protocol)
    pickler.dump(first)
    head = buf.getvalue()
    pickler.dump(model)
    tail = buf.getvalue()[len(head) :]
    start = 2 if protocol >= 2 else 0  # (the second dump's PROTO)
    return head[:-1] + b"0" + tail[start:]  # STOP dropped, POP, the model's opcodes


def tree_pickle(
    *,
    args: Callable[[Any], Any] | None = None,
    state: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    protocol: int = 4,
    joblib: bool = False,
) -> bytes:
    """A fitted ``DecisionTreeClassifier(max_depth=3)`` (60 rows, 3 features) pickled with its
    ``Tree``'s reduce tuple rewritten: ``args`` maps ``(n_features, n_classes, n_outputs)``,
    ``state`` maps a copy of the state dict. The shared base of the red teams' tree files."""
    from sklearn.tree import DecisionTreeClassifier
    from sklearn.tree._tree import Tree

    rng = np.random.RandomState(0)
    X = rng.rand(60, 3)
    model = DecisionTreeClassifier(max_depth=3).fit(X, (X[:, 0] > 0.5).astype(int))

    def reduce(obj: Any) -> Any:
        if type(obj) is Tree:
            func, made, kept = obj.__reduce__()
            made = args(made) if args is not None else made
            kept = state(dict(kept)) if state is not None else kept
            return func, made, kept
        return NotImplemented

    return dumps_with(model, reduce, protocol=protocol, joblib=joblib)


def crafted_csr(pointer: int) -> Any:
    """A csr matrix whose index pointer runs past its 2-item index/data arrays (rt24-18's
    pointer ``2**31 - 1``, or a moderate one that scipy's C++ walks without a large
    allocation), its indices marked unsorted."""
    import scipy.sparse as sp

    m = sp.csr_matrix(np.array([[1.0, 0, 0, 0], [0, 2.0, 0, 0]]))
    m.indptr = np.array([0, 1, pointer], dtype=np.int32)
    m.has_sorted_indices = False
    return m


def hgb_nodes() -> tuple[Any, Any, bytes]:
    """A small fitted ``HistGradientBoostingClassifier``, its first predictor's ``nodes`` (a
    checked native structure: indexes a crafted write turns out of range) and their bytes,
    more than 1000 (numpy keeps such a ``bytes`` array state as the array's memory) and a
    multiple of 56 (seven float64 rows of any width)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.RandomState(0)
    X = rng.rand(200, 4)
    y = (X[:, 0] + X[:, 1] > 1).astype(int)
    hgb = HistGradientBoostingClassifier(
        max_iter=3, random_state=0, min_samples_leaf=2, max_leaf_nodes=31
    ).fit(X, y)
    nodes = hgb._predictors[0][0].nodes
    raw = nodes.tobytes()
    assert len(raw) > 1000 and len(raw) % 56 == 0
    return hgb, nodes, raw


# --- a child process under limits ----------------------------------------------------------------

#: Plain pickle: ``model`` is the unpickled object; ``loaded`` once the load returns,
#: ``MemoryError`` (on stdout) if it ran out of memory.
PLAIN = (
    "import pickle\n"
    "try:\n"
    "    model = pickle.load(open(sys.argv[1], 'rb'))\n"
    "    print('loaded', flush=True)\n"
    "except MemoryError:\n"
    "    print('MemoryError', flush=True)\n"
)

#: ``safeload.load_unsigned``: ``loaded`` (and ``model``), ``refused <why>``, or
#: ``raw MemoryError`` (a MemoryError the load did not turn into a refusal).
LOAD_UNSIGNED = (
    "import safeload\n"
    "try:\n"
    "    model = safeload.load_unsigned(sys.argv[1])\n"
    "    print('loaded', flush=True)\n"
    "except safeload.SafeloadError as exc:\n"
    "    print('refused', str(exc)[:300], flush=True)\n"
    "except MemoryError:\n"
    "    print('raw MemoryError', flush=True)\n"
)

#: ``safeload.scan`` of the file's bytes: ``verdict <verdict> [<findings>]``.
SCAN = (
    "import safeload\n"
    "report = safeload.scan(open(sys.argv[1], 'rb').read())\n"
    "print('verdict', report.verdict, [f.message[:200] for f in report.findings], flush=True)\n"
)

#: :data:`SCAN` judging from the imported classes (the shipped class facts switched off).
SCAN_NO_FACTS = "from safeload.trust import facts\nfacts.data_available = lambda: False\n" + SCAN


#: A method call on a model plain pickle loaded: ``loaded``, then ``call done`` or ``call
#: MemoryError``, then ``maxrss_mb <n>`` (format with ``call=``; red teams 31 to 33).
PLAIN_CALL = (
    "import pickle, numpy\n"
    "model = pickle.load(open(sys.argv[1], 'rb'))\n"
    "print('loaded', flush=True)\n"
    "globals().get('_call_budget', lambda: None)()\n"
    "try:\n"
    "    {call}\n"
    "    print('call done', flush=True)\n"
    "except MemoryError:\n"
    "    print('call MemoryError', flush=True)\n"
    "import resource\n"
    "print('maxrss_mb', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, flush=True)\n"
)
#: :data:`PLAIN_CALL` with ``joblib.load`` in place of ``pickle.load``.
PLAIN_JOBLIB_CALL = PLAIN_CALL.replace(
    "pickle.load(open(sys.argv[1], 'rb'))", "__import__('joblib').load(sys.argv[1])"
)

#: The same call on a skops file loaded by skops itself, every type it names trusted.
PLAIN_SKOPS_CALL = PLAIN_CALL.replace(
    "import pickle, numpy\nmodel = pickle.load(open(sys.argv[1], 'rb'))\n",
    "import numpy, skops.io as sio\n"
    "model = sio.load(sys.argv[1], trusted=sio.get_untrusted_types(file=sys.argv[1]))\n",
)

#: The same call after safeload: ``scan_safe <bool>``, then ``refused <why>`` (exit 0) or
#: ``loaded``, ``call done``/``call MemoryError`` and ``maxrss_mb <n>``.
SAFE_CALL = (
    "import safeload, numpy\n"
    "report = safeload.scan(open(sys.argv[1], 'rb').read())\n"
    "print('scan_safe', report.safe, flush=True)\n"
    "try:\n"
    "    model = safeload.load_unsigned(sys.argv[1])\n"
    "except safeload.SafeloadError as exc:\n"
    "    print('refused', str(exc)[:300], flush=True)\n"
    "    raise SystemExit(0)\n"
    "print('loaded', flush=True)\n"
    "try:\n"
    "    {call}\n"
    "    print('call done', flush=True)\n"
    "except MemoryError:\n"
    "    print('call MemoryError', flush=True)\n"
    "import resource\n"
    "print('maxrss_mb', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, flush=True)\n"
)

#: :data:`SAFE_CALL` with the pandas profile, on both sides.
PANDAS_SAFE_CALL = SAFE_CALL.replace(
    "safeload.scan(open(sys.argv[1], 'rb').read())",
    "safeload.scan(sys.argv[1], profiles=['pandas'])",
).replace("load_unsigned(sys.argv[1])", "load_unsigned(sys.argv[1], profiles=['pandas'])")


#: A child program: load the file with plain pickle, then print ``cpu <seconds>`` that one
#: ``predict`` of 5 rows of 4 features took (see :func:`cpu_seconds`).
TIMED_PREDICT = (
    "import pickle, time, numpy\n"
    "model = pickle.load(open(sys.argv[1], 'rb'))\n"
    "t = time.process_time()\n"
    "model.predict(numpy.random.RandomState(1).rand(5, 4))\n"
    "print('cpu', time.process_time() - t, flush=True)\n"
)


def cpu_seconds(out: str) -> float:
    """The CPU seconds a :data:`TIMED_PREDICT` child printed."""
    return float(out.split("cpu")[1].split()[0])


#: The start of a child program that loads the file with plain pickle into ``model`` (the
#: program goes on with what shows the harm).
PLAIN_MODEL = "import pickle, numpy\nmodel = pickle.load(open(sys.argv[1], 'rb'))\n"


def printed_pair(out: str, label: str) -> tuple[int, int]:
    """The two integers a child printed after ``label`` (``print('columns', a, b)``)."""
    first, second = out.split(label)[1].split()[:2]
    return int(first), int(second)


#: A child program: ``{load}`` (plain pickle or safeload's load of ``sys.argv[1]``) into
#: ``model``, then ``predict`` of 1 to 299 rows of 3 features: a one-vs-rest that writes
#: past its output matrix dies on the way (red team 42).
OVR_PREDICT = (
    "import pickle, numpy, safeload\n"
    "model = {load}\n"
    "print('loaded', flush=True)\n"
    "for i in range(1, 300):\n"
    "    model.predict(numpy.random.RandomState(1).rand(i, 3))\n"
    "print('returned', flush=True)\n"
)


def maxrss(out: str) -> int:
    """The peak RSS in MB a :data:`PLAIN_CALL` or :data:`SAFE_CALL` child printed."""
    return int(out.split("maxrss_mb")[1].split()[0])


def loky_workers_call(call: str, at_least: int) -> str:
    """A ``{call}`` for :data:`PLAIN_CALL` or :data:`SAFE_CALL` that runs ``call`` (statements
    on one line, ``;`` between them) on a thread and prints ``workers <n>``: how many loky
    worker processes the child has started, as soon as there are ``at_least`` of them (or
    after 60 s). Then it kills its own process group, the child and its workers: the workers
    are counted when they are started, and never spend the seconds of CPU each takes to
    import numpy and scikit-learn and run its share of the call (:func:`workers_started`)."""
    return (
        "import os, signal, threading, time\n"
        "    def _workers():\n"
        "        found = 0\n"
        "        for task in os.listdir('/proc/self/task'):\n"
        "            for pid in open(f'/proc/self/task/{task}/children').read().split():\n"
        "                try:\n"
        "                    found += b'LokyProcess' in open(f'/proc/{pid}/cmdline', 'rb').read()\n"
        "                except OSError:\n"
        "                    pass\n"
        "        return found\n"
        f"    threading.Thread(target=exec, args=({call!r}, globals()), daemon=True).start()\n"
        "    _deadline = time.monotonic() + 60\n"
        f"    while _workers() < {at_least} and time.monotonic() < _deadline:\n"
        "        time.sleep(0.02)\n"
        "    print('workers', _workers(), flush=True)\n"
        "    os.killpg(0, signal.SIGKILL)"
    )


def workers_started(out: str) -> int:
    """The count a :func:`loky_workers_call` printed (-1 if it printed none)."""
    return int(out.split("workers")[1].split()[0]) if "workers" in out else -1


def until_crash(run: Any, tries: int = 5) -> Any:
    """``run()`` (a child that should crash) up to ``tries`` times until it does: whether an
    out-of-bounds read faults depends on what lies past the array in that interpreter (three
    tries once met three quiet runs in a CI clone, rt103-01)."""
    child = run()
    for _ in range(tries - 1):
        if child.crashed:
            break
        child = run()
    return child


def assert_refused_by_both(child: Any) -> None:
    """A :data:`SAFE_CALL` child's output: scan said unsafe and the load refused."""
    assert "scan_safe False" in child.stdout, str(child)
    assert "refused" in child.stdout, str(child)


#: What a child's head defines when it has a CPU budget: ``_call_budget()``, which a program
#: calls once its model is loaded (:data:`PLAIN_CALL`). The call then runs to the budget's
#: end or for :data:`HANG_CPU`, whichever is later, to the millisecond (ITIMER_PROF's SIGPROF
#: ends it): RLIMIT_CPU counts whole seconds, so a hang shown within 0.5 s ran on to about
#: 1 s, in some 150 children of a suite past its 10-minute target. The load itself keeps
#: RLIMIT_CPU's whole seconds, as before.
_CALL_BUDGET = (
    "def _call_budget():\n"
    "    import signal\n"
    "    _now = resource.getrusage(resource.RUSAGE_SELF)\n"
    "    _now = _now.ru_utime + _now.ru_stime\n"
    f"    _left = max(_started + _budget - _now, {HANG_CPU})\n"
    "    _hard = resource.getrlimit(resource.RLIMIT_CPU)[1]\n"
    "    _soft = min(math.ceil(_now + _left) + 1, _hard)\n"
    "    resource.setrlimit(resource.RLIMIT_CPU, (_soft, _hard))\n"
    "    signal.signal(signal.SIGPROF, signal.SIG_DFL)\n"
    "    signal.setitimer(signal.ITIMER_PROF, _left)\n"
)


def run_child(
    code: str,
    path: Path,
    *,
    memory: int = 0,
    grow: int = 0,
    cpu: float = 0,
    timeout: float = 120,
    imports: Sequence[str] = (),
    fresh: bool = False,
) -> Child:
    """Run ``code`` (``path`` is ``sys.argv[1]``, the child runs in its folder) in a child
    under an address-space limit of ``memory`` bytes and a limit of ``cpu`` seconds of CPU
    time (RLIMIT_CPU counts whole seconds: the limit is the first whole second past the CPU
    the child has used plus ``cpu``, so it gets at least ``cpu`` and less than one more; a
    program that calls ``_call_budget()`` after its load, as :data:`PLAIN_CALL` does, is
    ended exactly at ``cpu`` or :data:`HANG_CPU` after that call, whichever is later); a
    child past its CPU limit is killed (a negative return code), one still running after
    ``timeout`` seconds is killed (``Child.hung``).

    ``imports`` are imported before the limits are set, so a limit cannot fail an import
    (a ``MemoryError`` is the payload's) and ``cpu`` counts from after them: a slow import is
    not mistaken for the harm. ``grow`` (instead of ``memory``): the address space the child
    may add to what it has after the imports, so the limit is what the payload itself may
    take, on any machine (how much address space numpy's and scikit-learn's thread pools
    reserve at import depends on the number of cores).

    The child is a fork of the :mod:`zygote` (the imports are already done there), or with
    ``fresh`` a new interpreter: for a harm that depends on the heap or the address space as
    a fresh interpreter lays them out (a read past an array that faults, or reads garbage).
    """
    assert not (memory and grow), "an absolute limit or a growth, not both"
    head = "import math, resource, sys, warnings\nwarnings.simplefilter('ignore')\n"
    head += "".join(f"import {module}\n" for module in imports)
    if memory:
        head += f"resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))\n"
    if grow:
        head += (
            "_size = [x for x in open('/proc/self/status') if x.startswith('VmSize:')][0]\n"
            f"_size = int(_size.split()[1]) * 1024 + {grow}\n"
            "resource.setrlimit(resource.RLIMIT_AS, (_size, _size))\n"
        )
    if cpu:
        head += (
            "_used = resource.getrusage(resource.RUSAGE_SELF)\n"
            f"_cpu = math.ceil(_used.ru_utime + _used.ru_stime + {cpu})\n"
            "resource.setrlimit(resource.RLIMIT_CPU, (_cpu, _cpu + 3600))\n"
            f"_started, _budget = _used.ru_utime + _used.ru_stime, {cpu}\n" + _CALL_BUDGET
        )
    returncode, out, err = zygote.run(
        head + code, [str(path)], cwd=path.parent, timeout=timeout, faulthandler=True, fresh=fresh
    )
    return Child(returncode, _text(out), _text(err))


#: What a red-team child (:func:`child`) imports before its limits are set: every module the
#: programs and payloads of red teams 30 to 38 use. The zygote has imported them all already
#: (``safeload`` imports them), so in a forked child this costs nothing; the list makes sure a
#: fresh interpreter (``fresh=True``) has them too before its CPU and memory are counted.
HEAVY_IMPORTS = (
    "pickle",
    "joblib",
    "numpy",
    "safeload",
    "scipy.sparse",
    "sklearn.compose",
    "sklearn.decomposition",
    "sklearn.dummy",
    "sklearn.ensemble",
    "sklearn.feature_extraction",
    "sklearn.feature_extraction.text",
    "sklearn.feature_selection",
    "sklearn.gaussian_process",
    "sklearn.impute",
    "sklearn.kernel_approximation",
    "sklearn.linear_model",
    "sklearn.model_selection",
    "sklearn.neighbors",
    "sklearn.neural_network",
    "sklearn.pipeline",
    "sklearn.preprocessing",
    "sklearn.random_projection",
    "sklearn.svm",
    "sklearn.tree",
)


def child(
    code: str,
    path: Path,
    *,
    memory: int = 3 * GB,
    cpu: float = 30,
    timeout: float = 180,
    fresh: bool = False,
) -> Child:
    """:func:`run_child` as the red-team reproducers call it: :data:`HEAVY_IMPORTS` first,
    then ``memory`` bytes of address space the payload may add (``grow``) and ``cpu``
    seconds of CPU; ``fresh``: a new interpreter instead of a fork of the zygote."""
    return run_child(
        code, path, grow=memory, cpu=cpu, timeout=timeout, imports=HEAVY_IMPORTS, fresh=fresh
    )


def assert_safeload_refuses(
    path: Path, call: str, *, memory: int = 3 * GB, cpu: float = 30, timeout: float = 180
) -> None:
    """Assert that a :func:`child` (with these limits) running :data:`SAFE_CALL` (``call``
    after safeload's load) saw ``scan`` call the file unsafe and ``load_unsigned`` refuse it."""
    safe = child(SAFE_CALL.format(call=call), path, memory=memory, cpu=cpu, timeout=timeout)
    assert_refused_by_both(safe)


def memory_harm_file(tmp_path: Path, data: bytes, call: str, limit: int = 300_000) -> Path:
    """Write ``data`` (shorter than ``limit`` bytes) and show its harm first: a :func:`child`
    under 512 MB and 30 s loads it with plain pickle, and ``call`` runs out of memory. Returns
    the path, for the safeload side of the test."""
    assert len(data) < limit, len(data)
    path = write(tmp_path, data)
    shown = child(PLAIN_CALL.format(call=call), path, memory=GB // 2, cpu=30, timeout=60)
    assert "loaded" in shown.stdout and "call MemoryError" in shown.stdout, str(shown)
    return path


def shows_harm(path: Path, call: str, cpu: float = 1.0, *, joblib: bool = False) -> None:
    """Plain pickle (``joblib``: plain joblib) loads ``path`` in a child, and ``call`` is ended
    by the child's CPU limit before it is done (SIGXCPU): the harm a red-team file shows
    before safeload refuses it."""
    program = (PLAIN_JOBLIB_CALL if joblib else PLAIN_CALL).format(call=call)
    plain = child(program, path, cpu=cpu)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)


def imputer(fill_value: Any) -> Any:
    """A ``SimpleImputer(strategy="constant")`` holding ``fill_value``: a parameter that takes
    any value, where the red teams put what ``repr`` formats."""
    from sklearn.impute import SimpleImputer

    return SimpleImputer(strategy="constant", fill_value=fill_value)


def finishes(code: str, path: Path, cpu: float) -> bool:
    """Whether a :func:`child` running ``code`` on ``path`` within ``cpu`` seconds got as far
    as a verdict: printed "loaded", "refused" or "verdict" before its CPU limit."""
    done = child(code, path, cpu=cpu)
    return any(word in done.stdout for word in ("loaded", "refused", "verdict"))


def memoising_dumps(obj: Any, kind: type, keep: Callable[[Any], bool]) -> bytes:
    """``obj`` pickled (protocol 5) by a pure-Python pickler that memoises each value of
    ``kind`` for which ``keep`` holds (pickle memoises a str, never an int or a float), so
    that each is one object referenced by BINGET (red teams 92 and 93)."""
    import io
    from typing import ClassVar

    base: Any = pickle._Pickler  # type: ignore[attr-defined]

    class _Pickler(base):  # type: ignore[misc]
        dispatch: ClassVar[dict[Any, Any]] = dict(base.dispatch)

        def _save(self, value: Any) -> None:
            base.dispatch[kind](self, value)
            if keep(value):
                self.memoize(value)

        dispatch[kind] = _save

    buf = io.BytesIO()
    _Pickler(buf, protocol=5).dump(obj)
    return buf.getvalue()


# --- trusted=: classes of installed packages that act when built (red teams 87 to 93) ---------


def refusal_advice(path: Path) -> str:
    """The message ``load_unsigned`` refuses ``path`` with (the advice it gives)."""
    with pytest.raises(SafeloadError) as info:
        safeload.load_unsigned(path)
    return str(info.value)


def scan_trusting(data: bytes, names: Sequence[str]) -> bool:
    """``scan(data, trusted=names).safe``; a refusal to trust the names is the safe answer."""
    try:
        return bool(safeload.scan(data, trusted=list(names)).safe)
    except safeload.UsageError:
        return False


def trust_refused(names: Sequence[str]) -> bool:
    """Whether ``Policy.with_trusted(names)`` refuses to trust them (a usage error)."""
    try:
        Policy.default().with_trusted(list(names))
    except safeload.UsageError:
        return True
    return False


def assert_trust_holds(path: Path, data: bytes, names: Sequence[str]) -> None:
    """What must hold for a class that acts when built: the refusal of ``path`` does not
    offer ``trusted=``, ``trusted=names`` is refused, and ``scan(data, trusted=names)`` does
    not call the file SAFE."""
    assert "trusted=[" not in refusal_advice(path)
    assert not scan_trusting(data, names)
    assert trust_refused(names)


def run_trusting(program: str, path: Path, names: Sequence[str]) -> str:
    """Run ``program`` (a child script: the file is ``argv[1]``, the names to trust
    ``argv[2:]``) in a fresh interpreter in ``path``'s folder, and return what it printed
    (its standard output and the last 300 characters of its errors)."""
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-c", program, str(path), *names],
        cwd=path.parent,
        timeout=120,
        capture_output=True,
        text=True,
    )
    return run.stdout + run.stderr[-300:]


def trusting_child(audit: str) -> str:
    """A child script for :func:`run_trusting`: an audit hook whose body is ``audit`` (an
    ``if`` on ``event`` and ``args`` that prints what the test looks for), then
    ``load_unsigned`` of the file trusting the names given, printing "loaded" or "refused"
    with the error."""
    return (
        "import os, sys, safeload\n"
        "def _audit(event, args):\n"
        f"    {audit}\n"
        "sys.addaudithook(_audit)\n"
        "try:\n"
        "    safeload.load_unsigned(sys.argv[1], trusted=sys.argv[2:])\n"
        '    print("loaded", flush=True)\n'
        "except Exception as exc:\n"
        '    print("refused", type(exc).__name__, str(exc)[:300].replace(chr(10), " "),'
        " flush=True)\n"
    )


#: A :func:`trusting_child` that prints each file opened under the file's folder (other than
#: the pickle) while loading.
OPENS_TRUSTING = trusting_child(
    'if event == "open" and str(args[0]).startswith(os.path.dirname(os.path.abspath('
    'sys.argv[1]))) and not str(args[0]).endswith(".pkl"): print("opened", args[0], flush=True)'
)


def compressed_joblib(tmp_path: Path, model: Any, limit: int, compress: Any = 3) -> Path:
    """``model`` written with ``joblib.dump(compress=compress)`` to ``tmp_path / "m.joblib"``,
    a file smaller than ``limit`` bytes (what the harm is bought with)."""
    import joblib

    path = tmp_path / "m.joblib"
    if isinstance(compress, tuple) and compress[0] == "xz" and compress[1] > 1:
        # xz's fastest preset first: the payloads are mostly runs, which it packs as small
        # (an identity matrix of 4,096 features: 39,628 bytes against 39,632, in half the
        # time); the preset asked for where that is past the limit
        joblib.dump(model, path, compress=("xz", 1))
        if path.stat().st_size < limit:
            return path
    joblib.dump(model, path, compress=compress)
    assert path.stat().st_size < limit, path.stat().st_size
    return path


def joblib_memory_harm(path: Path, call: str, memory: int = GB // 2) -> None:
    """Show the harm of the joblib file at ``path`` first: a :func:`child` under ``memory``
    bytes and 30 s loads it with plain ``joblib.load``, and ``call`` runs out of memory."""
    shown = child(PLAIN_JOBLIB_CALL.format(call=call), path, memory=memory, cpu=30, timeout=60)
    assert "loaded" in shown.stdout and "call MemoryError" in shown.stdout, str(shown)


def joblib_out_of_memory(path: Path, call: str, memory: int = GB // 2) -> None:
    """:func:`joblib_memory_harm` where native code may fail the allocation its own way:
    plain joblib loads the file at ``path`` in a child under ``memory`` and 30 s, and
    ``call`` raises a MemoryError, prints ``std::bad_alloc`` or crashes."""
    shown = child(PLAIN_JOBLIB_CALL.format(call=call), path, memory=memory, cpu=30, timeout=90)
    assert "loaded" in shown.stdout, str(shown)
    assert "MemoryError" in shown.output or "bad_alloc" in shown.output or shown.crashed, str(shown)


def xgboost_interactions_spin(path: Path, features: int, program: str = PLAIN_JOBLIB_CALL) -> None:
    """Plain loading (``program``: :data:`PLAIN_JOBLIB_CALL` or :data:`PLAIN_CALL`) of the
    xgboost model at ``path`` runs out of a :data:`HANG_CPU` CPU limit computing the SHAP
    interaction values of one row of ``features`` columns."""
    call = (
        "model.get_booster().predict(__import__('xgboost').DMatrix("
        f"numpy.zeros((1, {features}))), pred_interactions=True)"
    )
    plain = child(program.format(call=call), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU


def assert_secret_refused(text: str) -> None:
    """``HMACKey`` refuses ``text`` as a secret (it is a public key in some form)."""
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    with pytest.raises(KeyFormatError):
        HMACKey(text.encode())


def _text(out: bytes | str | None) -> str:
    if out is None:
        return ""
    return out.decode(errors="replace") if isinstance(out, bytes) else out


def xgboost_chain(
    depth: int, *, trees: int = 1, features: int = 1, always_right: bool = False
) -> Any:
    """An XGBClassifier whose ``trees`` trees are each a valid chain in xgboost's breadth-first
    order: node 2k splits feature ``k % features``, its left child 2k + 1 a leaf, its right
    child 2k + 2 the next split; at k + 0.5 (a large input walks all ``depth``) or, with
    ``always_right``, at -1 (every row walks all of it)."""
    import json

    from xgboost import XGBClassifier

    rng = np.random.RandomState(0)
    X = rng.rand(200, features)
    clf = XGBClassifier(n_estimators=trees, max_depth=2, n_jobs=1).fit(
        X, (X[:, 0] > 0.5).astype(int)
    )
    booster = clf.get_booster()
    model = json.loads(booster.save_raw("json"))
    n = 2 * depth + 1
    for tree in model["learner"]["gradient_booster"]["model"]["trees"]:
        left, right, parents, cond = [-1] * n, [-1] * n, [2147483647] * n, [0.1] * n
        split = [0] * n
        for k in range(depth):
            i = 2 * k
            left[i], right[i] = i + 1, i + 2
            cond[i] = -1.0 if always_right else k + 0.5
            split[i] = k % features
            parents[i + 1] = parents[i + 2] = i
        tree.update(
            left_children=left,
            right_children=right,
            parents=parents,
            split_conditions=cond,
            split_indices=split,
            default_left=[0] * n,
            split_type=[0] * n,
            base_weights=[0.0] * n,
            loss_changes=[0.0] * n,
            sum_hessian=[1.0] * n,
            categories=[],
            categories_nodes=[],
            categories_segments=[],
            categories_sizes=[],
        )
        tree["tree_param"]["num_nodes"] = str(n)
    booster.load_model(bytearray(json.dumps(model).encode()))
    clf._Booster = booster
    return clf


def one_leaf_xgboost(trees: int, *, groups: int = 1, features: int = 1) -> Any:
    """An xgboost model of ``trees`` one-leaf trees, a round of one per output group (an
    ``XGBClassifier`` of ``groups`` classes, or an ``XGBRegressor`` for one), over
    ``features`` features: xgboost's own JSON of a one-round fit with only the counts
    changed, loaded back into the wrapper. (Red team 64's builder, for any shape.)"""
    import json

    import xgboost as xgb

    x = np.zeros((3, features))
    x[:, 0] = [0.0, 1.0, 2.0]
    if groups > 1:
        model: Any = xgb.XGBClassifier(n_estimators=1, max_depth=1, gamma=1e9, n_jobs=1)
        model.fit(x, [0, 1, 2])
    else:
        model = xgb.XGBRegressor(n_estimators=1, max_depth=1, gamma=1e9, n_jobs=1)
        model.fit(x, [0.0, 1.0, 2.0])
    doc = json.loads(model.get_booster().save_raw("json"))
    booster = doc["learner"]["gradient_booster"]["model"]
    leaf = dict(booster["trees"][0])
    leaf.pop("id")
    assert leaf["tree_param"]["num_nodes"] == "1"
    body = json.dumps(leaf)[1:-1]
    booster["trees"] = "@TREES@"
    booster["tree_info"] = [t % groups for t in range(trees)]
    booster["iteration_indptr"] = list(range(0, trees + 1, groups))
    booster["gbtree_model_param"]["num_trees"] = str(trees)
    param = doc["learner"]["learner_model_param"]
    param["num_feature"] = str(features)
    if groups > 1:
        param["num_class"] = str(groups)
        param["base_score"] = "[" + ",".join(["5E-1"] * groups) + "]"
    text = json.dumps(doc).replace(
        '"@TREES@"', "[" + ",".join(f'{{"id": {t}, {body}}}' for t in range(trees)) + "]"
    )
    built = xgb.Booster()
    built.load_model(bytearray(text.encode()))
    model._Booster = built
    if groups > 1:
        model.n_classes_ = groups
    return model


def lightgbm_chain(depth: int, *, features: int = 1, always_right: bool = False) -> Any:
    """An LGBMClassifier of one tree with ``depth + 1`` leaves, a chain: internal node k splits
    feature ``k % features`` at k + 0.5 (or, ``always_right``, at -1), its left child leaf k,
    its right child node k + 1. The text is parsed and written again by LightGBM (so
    ``tree_sizes`` is its own), and the Booster keeps the params its fit gave it (a
    text-loaded Booster's params are refused)."""
    import re

    import lightgbm as lgb
    from lightgbm import LGBMClassifier

    rng = np.random.RandomState(0)
    X = rng.rand(200, features)
    clf = LGBMClassifier(
        n_estimators=1, num_leaves=2, n_jobs=1, verbose=-1, min_child_samples=1
    ).fit(X, (X[:, 0] > 0.5).astype(int))
    params = dict(clf.booster_.params)
    head, rest = clf.booster_.model_to_string().split("Tree=0\n", 1)
    tree, tail = rest.split("\n\n\n", 1)
    lines = dict(line.split("=", 1) for line in tree.split("\n") if "=" in line)

    def join(values: Any) -> str:
        return " ".join(map(str, values))

    d = depth
    lines.update(
        num_leaves=str(d + 1),
        split_feature=join([k % features for k in range(d)]),
        split_gain=join([1] * d),
        threshold=join([-1.0 if always_right else k + 0.5 for k in range(d)]),
        decision_type=join([2] * d),
        left_child=join([-(k + 1) for k in range(d)]),
        right_child=join([k + 1 for k in range(d - 1)] + [-(d + 1)]),
        leaf_value=join([0.1] * (d + 1)),
        leaf_weight=join([1] * (d + 1)),
        leaf_count=join([1] * (d + 1)),
        internal_value=join([0] * d),
        internal_weight=join([1] * d),
        internal_count=join([d + 1 - k for k in range(d)]),
    )
    body = "\n".join(f"{k}={v}" for k, v in lines.items())
    text = re.sub(r"tree_sizes=\d+", "tree_sizes=0", head) + "Tree=0\n" + body + "\n\n\n" + tail
    booster = lgb.Booster(model_str=lgb.Booster(model_str=text).model_to_string())
    booster.params = params
    clf._Booster = booster
    return clf


_BECH32_CHARS = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def bech32(hrp: str, data: bytes) -> str:
    """``data`` as a bech32 string (BIP 173) with human-readable part ``hrp``."""
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    acc = bits = 0
    five: list[int] = []
    for byte in data:
        acc, bits = (acc << 8) | byte, bits + 8
        while bits >= 5:
            bits -= 5
            five.append((acc >> bits) & 31)
    if bits:
        five.append((acc << (5 - bits)) & 31)
    check = 1
    for value in [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + five + [0] * 6:
        top = check >> 25
        check = ((check & 0x1FFFFFF) << 5) ^ value
        for i, g in enumerate(generator):
            if (top >> i) & 1:
                check ^= g
    check ^= 1
    tail = [(check >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_BECH32_CHARS[c] for c in five + tail)


_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58(data: bytes) -> str:
    """``data`` in Bitcoin's base58 (leading zero bytes as ``1``)."""
    n, out = int.from_bytes(data, "big"), ""
    while n:
        n, r = divmod(n, 58)
        out = _BASE58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def crc16_xmodem(data: bytes) -> int:
    """CRC16-XMODEM, the check of Stellar's StrKeys and NATS nkeys."""
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def ed25519_public() -> bytes:
    """A fixed raw Ed25519 public key (of the private key ``bytes(range(32))``)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32))).public_key()
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


#: A child that scans and then loads the file, printing what each said (for a harm in
#: safeload's own checks: both must finish within the child's CPU).
SCAN_THEN_LOAD = (
    "import safeload\n"
    "print('verdict', safeload.scan(sys.argv[1]).verdict, flush=True)\n"
    "try:\n"
    "    safeload.load_unsigned(sys.argv[1])\n"
    "    print('load loaded', flush=True)\n"
    "except safeload.SafeloadError:\n"
    "    print('load refused', flush=True)\n"
)


def hmac_refuses(secret: bytes) -> None:
    """``HMACKey`` refuses ``secret`` (a public key in some form, an archive)."""
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    with pytest.raises(KeyFormatError):
        HMACKey(secret)


#: A child that makes an HMACKey of the file's bytes: ``made`` or ``refused``.
HMAC_OF_FILE = (
    "from safeload.exceptions import KeyFormatError\n"
    "from safeload.signing.hmac_key import HMACKey\n"
    "try:\n"
    "    HMACKey(open(sys.argv[1], 'rb').read())\n"
    "    print('made', flush=True)\n"
    "except KeyFormatError:\n"
    "    print('refused', flush=True)\n"
)


def ridge_holding(items: bytes, prelude: bytes = b"") -> bytes:
    """A protocol-2 pickle of a fitted Ridge whose attribute ``junk`` is the list the opcodes
    ``items`` push (after ``prelude``, which leaves nothing on the stack)."""
    import pickle

    from sklearn.linear_model import Ridge

    x = np.random.RandomState(0).rand(20, 2)
    model = Ridge().fit(x, x[:, 0])
    model.junk = "PLACEHOLDER"
    data = pickle.dumps(model, protocol=2)
    text = b"X\x0b\x00\x00\x00PLACEHOLDER"
    assert data.count(text) == 1
    return data.replace(text, prelude + b"(" + items + b"l")


def self_signed_certificate() -> tuple[Any, Any]:
    """A new P-256 key and a self-signed certificate of it (CN "model signer", a day valid)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "model signer")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return key, cert


def code_page_reading(raw: bytes, page: str) -> str:
    """``raw`` as a program reading it with the single-byte ``page`` makes it: each byte
    decoded alone, an undefined byte as its own code point (what Windows'
    MultiByteToWideChar does with cp1252's holes)."""
    out = []
    for byte in raw:
        try:
            out.append(bytes([byte]).decode(page))
        except UnicodeDecodeError:
            out.append(chr(byte))
    return "".join(out)


def unix_compress(data: bytes) -> bytes:
    """What ``compress pub.pem`` (ncompress) writes: magic 1F 9D, block mode with codes up to
    16 bits (0x90), LZW codes from 9 bits, least significant bit first, in groups of eight
    codes per width (a group is padded when the width grows). ``gzip -dc`` reads it back."""
    table = {bytes([i]): i for i in range(256)}
    next_code, width = 257, 9  # (256 is CLEAR in block mode)
    codes: list[tuple[int, int]] = []
    word = b""
    for byte in data:
        longer = word + bytes([byte])
        if longer in table:
            word = longer
            continue
        codes.append((table[word], width))
        if next_code < 1 << 16:
            table[longer] = next_code
            next_code += 1
            if next_code > 1 << width and width < 16:
                width += 1
        word = bytes([byte])
    if word:
        codes.append((table[word], width))
    out = bytearray(b"\x1f\x9d\x90")
    bits = nbits = group = 0
    current = 9
    for code, size in codes:
        if size != current:
            if group % 8:
                nbits += (8 - group % 8) * current
            while nbits >= 8:
                out.append(bits & 0xFF)
                bits >>= 8
                nbits -= 8
            group, current = 0, size
        bits |= code << nbits
        nbits += size
        group += 1
        while nbits >= 8:
            out.append(bits & 0xFF)
            bits >>= 8
            nbits -= 8
    if nbits:
        out.append(bits & 0xFF)
    return bytes(out)


def fixed_p256_key() -> tuple[bytes, bytes]:
    """A fixed P-256 public key as DER (SubjectPublicKeyInfo) and as PEM."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.derive_private_key(12345678901234567890, ec.SECP256R1()).public_key()
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return der, pem


def collinear_coder(kind: str) -> Any:
    """A sparse coder (``kind``: DictionaryLearning, MiniBatchDictionaryLearning or
    SparseCoder) of 1,024 nearly collinear atoms over 20 features (a base atom plus small
    multiples of 1/4096, which xz packs into some 8 KB), encoding with ``lasso_cd`` at 10,000
    rounds and alpha 1e-6: coordinate descent never meets its tolerance, 2.9 s a row
    (rt81-04)."""
    from sklearn import decomposition

    rng = np.random.RandomState(0)
    base = np.round(rng.rand(20) * 64) / 64 + 0.5
    atoms = base + rng.randint(-1, 2, (1_024, 20)) / 4096.0
    cls = getattr(decomposition, kind)
    model: Any
    if kind == "SparseCoder":
        model = cls(dictionary=atoms, transform_algorithm="lasso_cd")
        model.fit(np.zeros((2, 20)))
    else:
        model = cls(n_components=4, random_state=0, max_iter=5, transform_algorithm="lasso_cd")
        model.fit(rng.rand(60, 20))
        model.components_ = atoms
        model.n_components = 1_024
        if kind == "MiniBatchDictionaryLearning":
            model._n_components = 1_024
    model.transform_max_iter = 10_000
    model.transform_alpha = 1e-6
    return model


def p256_pem_and_der() -> tuple[bytes, bytes]:
    """One fixed P-256 public key as PEM and as DER (the HMAC red-team tests' key)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.derive_private_key(12345678901234567890, ec.SECP256R1()).public_key()
    info = serialization.PublicFormat.SubjectPublicKeyInfo
    return (
        key.public_bytes(serialization.Encoding.PEM, info),
        key.public_bytes(serialization.Encoding.DER, info),
    )


def raw_deflate(data: bytes, flush: int) -> bytes:
    """``data`` as raw deflate (no zlib or gzip header), ended by ``flush`` (``Z_FINISH``,
    ``Z_SYNC_FLUSH``, ...): the HMAC red-team tests' streams."""
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(flush)


def scipy_distribution(marker: Path) -> bytes:
    """A scipy.stats ``norm_gen`` whose state holds ``_parse_arg_template``: text that
    ``rv_generic.__setstate__`` executes (red team 95, rt95-01), here writing ``marker``."""
    code = (
        f"import pathlib; pathlib.Path({str(marker)!r}).write_text('ran')\n"
        "def _parse_args(self, *a, **k): return a, 0, 1\n"
        "def _parse_args_stats(self, *a, **k): return a, 0, 1, 'mv'\n"
        "def _parse_args_rvs(self, *a, **k): return a, 0, 1, None\n"
    )
    return (
        b"\x80\x02"
        + global_("scipy.stats._continuous_distns", "norm_gen")
        + b")\x81}"
        + binunicode("_parse_arg_template")
        + binunicode(code)
        + b"sb."
    )


# --- a dependency installed by an import hook (rt103-10, rt105-03) ----------------------------

#: A dependency's class that, as scipy.stats' distributions do (rt95-01), compiles text kept in
#: its state when it is unpickled: the module an import-hook editable install provides.
HOOKED_DEPENDENCY = """
class Template:
    def __setstate__(self, state):
        self.__dict__.update(state)
        exec(self._template, {})
"""


def hooked_dependency_child(name: str) -> str:
    """A child that adds the folder ``site`` as site-packages (running its ``.pth`` files),
    then prints whose package ``name`` is, whether a refusal's advice offers
    ``trusted=['<name>.Template']``, and whether the load with that trust loads ``sys.argv[1]``."""
    return f"""
import os, site, sys
site.addsitedir(os.path.abspath("site"))  # (site-packages: runs the .pth, as at start-up)
import safeload
from safeload._installed import installed_package
print("installed:", installed_package("{name}"), flush=True)
try:
    safeload.load_unsigned(sys.argv[1])
except safeload.SafeloadError as exc:
    print("advice offers it:", "trusted=['{name}.Template']" in str(exc), flush=True)
try:
    safeload.load_unsigned(sys.argv[1], trusted=["{name}.Template"])
    print("load: loaded", flush=True)
except safeload.SafeloadError as exc:
    print("load: refused", str(exc)[:200], flush=True)
"""


def own_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, source: str) -> Any:
    """The caller's own module ``name`` (``source``) written to ``tmp_path``, put on the path
    and imported fresh: the trusted classes of the red-team files live in one."""
    import importlib
    import sys

    (tmp_path / f"{name}.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)
    return importlib.import_module(name)


def trusted_load(path: Path, trusted: list[Any]) -> str:
    """``"loaded"``, or ``"refused: ..."``: ``load_unsigned`` of ``path`` with ``trusted``
    (a class that cannot be trusted is a usage error, a SafeloadError too)."""
    import safeload

    try:
        safeload.load_unsigned(path, trusted=trusted)
    except safeload.SafeloadError as exc:
        return f"refused: {exc}"
    return "loaded"


def trusted_scan_safe(data: bytes, trusted: list[Any]) -> bool:
    """``scan``'s SAFE with ``trusted``; ``False`` where a class cannot be trusted at all."""
    import safeload

    try:
        return safeload.scan(data, trusted=trusted).safe
    except safeload.UsageError:
        return False


#: every int ``k * P61`` hashes to 0 (Python hashes ints modulo ``2**61 - 1``)
P61 = 2**61 - 1
#: the first lines of a child program whose own modules live in its folder (``tmp_path``)
HERE = "import sys\nsys.path.insert(0, '.')\n"


def scan_and_load(path: Path, trusted: list[Any] | None = None) -> tuple[bool, str]:
    """(``scan``'s SAFE, what ``load_unsigned`` did) for ``path`` with ``trusted``, in this
    process."""
    return trusted_scan_safe(path.read_bytes(), trusted or []), trusted_load(path, trusted or [])


def padded(data: bytes, pad: int) -> bytes:
    """``data`` (a protocol 2+ pickle, optimised) with a dropped BINBYTES of ``pad`` zeros
    after PROTO: a file large enough for a count to be reached within its budget."""
    import pickletools

    data = pickletools.optimize(data)
    return data[:2] + b"B" + pad.to_bytes(4, "little") + bytes(pad) + b"0" + data[2:]


@contextlib.contextmanager
def kept_clean_keys(empty: bool = False) -> Iterator[set[Any]]:
    """Save the clean-key cache (its key sets and the total it has charged), yield the sets it
    held (emptied first if ``empty``), and restore both afterwards: a test that fills it
    leaves later tests' caching as it found it."""
    from safeload.trust import classes

    before, charged = set(classes.CLEAN_KEYS), classes._CLEAN_CHARS[0]
    if empty:
        classes.CLEAN_KEYS.clear()
        classes._CLEAN_CHARS[0] = 0
    try:
        yield set() if empty else before
    finally:
        classes.CLEAN_KEYS.clear()
        classes.CLEAN_KEYS.update(before)
        classes._CLEAN_CHARS[0] = charged


def own_class_child(module: str, cls: str, use: str, how: str) -> str:
    """A child program (for :func:`child`, run in the folder of the caller's own module
    ``module``) that loads ``sys.argv[1]`` with plain pickle (``how="plain"``) or with
    ``load_unsigned`` trusting ``module.cls``, prints "loaded" (or "refused" and exits), runs
    ``use`` (lines that call ``model``'s methods) and prints "returned"."""
    lines = [
        'sys.path.insert(0, ".")',
        "import pickle, numpy",
        f"import {module}",
    ]
    if how == "plain":
        lines.append('model = pickle.load(open(sys.argv[1], "rb"))')
    else:
        lines += [
            "import safeload",
            "try:",
            f"    model = safeload.load_unsigned(sys.argv[1], trusted=[{module}.{cls}])",
            "except safeload.SafeloadError as exc:",
            '    print("refused", str(exc)[:200], flush=True)',
            "    raise SystemExit(0)",
        ]
    lines += ['print("loaded", flush=True)', use.rstrip("\n"), 'print("returned", flush=True)']
    return "\n" + "\n".join(lines) + "\n"


#: Predictions of 1 to 299 rows of 3 features (an :func:`own_class_child`'s ``use``): a broken
#: intercept's rows show in some of them.
PREDICT_ROWS = """for i in range(1, 300):
    model.predict(numpy.random.RandomState(1).rand(i, 3))"""


#: An own class registered as ``numbers.Integral`` (rt109-09, rt110-05): it stands for an int
#: wherever scikit-learn asks for one.
COUNT_MODULE = '''
import numbers


class Count:
    """A count of things, usable wherever an int is (registered as an Integral)."""

    __slots__ = ("n",)

    def __init__(self, n=0):
        self.n = n

    def __index__(self):
        return self.n

    __int__ = __index__

    def __eq__(self, other):
        return int(self) == other

    def __hash__(self):
        return hash(self.n)

    def __lt__(self, other):
        return int(self) < other

    def __le__(self, other):
        return int(self) <= other

    def __gt__(self, other):
        return int(self) > other

    def __ge__(self, other):
        return int(self) >= other

    def __repr__(self):
        return f"Count({self.n})"

    def __getstate__(self):
        return self.n

    def __setstate__(self, n):
        self.n = n


numbers.Integral.register(Count)
'''
