"""Red team 44's findings: rt44-01, -02, -05 and -06 fixed (normal tests: members of a skops zip
may not overlap, two schema nodes may not name one member, a folder lists a link with a
model's name, HDBSCAN's copy rule reads a numpy.str_ metric); the others strict xfails until
fixed. Each test shows the harm under plain pickle where there is one, then asserts what
safeload does."""

from __future__ import annotations

import pickle
import struct
import warnings
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safeload
from redteam import parity, write
from safeload import SafeloadError

# --- rt44-01: HDBSCAN's metric stored as numpy.str_("precomputed"): copy=False passes ---------


def _hdbscan(copy: Any) -> bytes:
    from sklearn.cluster import HDBSCAN

    warnings.simplefilter("ignore")
    X = np.random.RandomState(0).rand(20, 2)
    m = HDBSCAN(metric="euclidean", copy=True, min_cluster_size=3).fit(X)
    m.metric = np.str_("precomputed")
    m.copy = copy
    return pickle.dumps(m, protocol=5)


def _distances() -> np.ndarray:
    x = np.random.RandomState(1).rand(20)
    return np.abs(x[:, None] - x[None, :])


@pytest.mark.parametrize("copy", [False, "warn"])
def test_rt44_01_hdbscan_numpy_str_metric_copy_false(copy: Any, tmp_path: Path) -> None:
    """~1 KB: a fitted HDBSCAN with ``copy=False`` (or its default ``"warn"``, which means
    False) and ``metric`` stored as ``numpy.str_("precomputed")``. rt42-01's rule
    (``trust/in_place.py``) refuses HDBSCAN's ``copy`` off only when ``metric`` is a plain
    ``str`` equal to "precomputed" (``_ONLY_WHEN``: ``type(other) is str``); a ``numpy.str_``
    is not, so the rule skips the parameter. scikit-learn takes it: the constraint
    ``StrOptions`` checks ``isinstance(val, str)`` and ``fit`` compares
    ``self.metric == "precomputed"``, both true for a ``numpy.str_``. ``scan`` calls the file
    SAFE, ``load_unsigned`` loads it, and ``model.fit(D)`` writes the mutual reachability
    distances into the caller's ``D`` (rt42-01's harm). With ``metric="precomputed"`` as a
    plain str both refuse."""
    data = _hdbscan(copy)
    D = _distances()
    before = D.copy()
    pickle.loads(data).fit(D)  # plain pickle: the caller's matrix is overwritten
    assert not np.array_equal(D, before)
    path = write(tmp_path, data)
    assert not safeload.scan(data).safe
    with pytest.raises(SafeloadError):
        safeload.load_unsigned(path)


# --- rt44-02: skops zip members that overlap: the member cache holds n copies of one kernel ---


# Fifield's quoted-overlap zip: ``n`` deflate members whose streams overlap, each quoting (as a
# stored block) the next member's local header and ending in one shared kernel of zeros.
def _lfh(name: bytes, method: int, crc: int, csize: int, usize: int) -> bytes:
    return (
        struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, csize, usize, len(name), 0
        )
        + name
    )


def _cdh(name: bytes, method: int, crc: int, csize: int, usize: int, offset: int) -> bytes:
    return (
        struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            method,
            0,
            0x21,
            crc,
            csize,
            usize,
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        + name
    )


def _stored(n: int) -> bytes:
    return b"\0" + struct.pack("<HH", n, n ^ 0xFFFF)  # a non-final stored block of n bytes


def overlap_zip(members: list[tuple[str, bytes]], n: int, kernel_size: int) -> bytes:
    """``members`` stored as they are, then ``n`` overlapping members ``pad00000``..."""
    out, central = bytearray(), []
    for name, data in members:
        nb, crc = name.encode(), zlib.crc32(data)
        central.append(_cdh(nb, 0, crc, len(data), len(data), len(out)))
        out += _lfh(nb, 0, crc, len(data), len(data)) + data
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    kernel = co.compress(b"\0" * kernel_size) + co.flush()
    kernel_crc = zlib.crc32(b"\0" * kernel_size)
    names = [f"pad{i:05d}".encode() for i in range(n)]
    headers = [b""] * n
    headers[-1] = _lfh(names[-1], 8, kernel_crc, len(kernel), kernel_size)
    prefix, csize, usize = b"", len(kernel), kernel_size
    for i in range(n - 2, -1, -1):  # member i inflates to header i+1 .. header n-1, kernel
        prefix = headers[i + 1] + prefix
        csize += 5 + len(headers[i + 1])
        usize += len(headers[i + 1])
        crc = zlib.crc32(b"\0" * kernel_size, zlib.crc32(prefix))
        headers[i] = _lfh(names[i], 8, crc, csize, usize)
    for i in range(n):
        crc, csz, usz = struct.unpack("<III", headers[i][14:26])
        central.append(_cdh(names[i], 8, crc, csz, usz, len(out)))
        out += headers[i] + (_stored(len(headers[i + 1])) if i < n - 1 else b"")
    out += kernel
    cd = b"".join(central)
    eocd = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), len(cd), len(out), 0
    )
    return bytes(out + cd + eocd)


_RSS = (
    "import resource\n"
    "def _rss():\n"
    "    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024\n"
    "_base = _rss()\n"
)
_SKOPS_PLAIN = _RSS + (
    "import skops.io as sio\n"
    "model = sio.load(sys.argv[1], trusted=sio.get_untrusted_types(file=sys.argv[1]))\n"
    "print('loaded', flush=True)\n"
    "print('grew_mb', _rss() - _base, flush=True)\n"
)
_SKOPS_SAFELOAD = _RSS + (
    "import safeload\n"
    "print('scan_safe', safeload.scan(open(sys.argv[1], 'rb').read()).safe, flush=True)\n"
    "try:\n"
    "    safeload.load_unsigned(sys.argv[1])\n"
    "    print('loaded', flush=True)\n"
    "except safeload.SafeloadError as exc:\n"
    "    print('refused', str(exc)[:200], flush=True)\n"
    "print('grew_mb', _rss() - _base, flush=True)\n"
)


def _overlapping_skops(n: int, kernel: int) -> bytes:
    import io
    import zipfile

    skops_io = pytest.importorskip("skops.io")
    from sklearn.linear_model import LogisticRegression

    X = np.random.RandomState(0).rand(30, 3)
    honest = skops_io.dumps(LogisticRegression().fit(X, (X[:, 0] > 0.5).astype(int)))
    zf = zipfile.ZipFile(io.BytesIO(honest))
    return overlap_zip([(i.filename, zf.read(i)) for i in zf.infolist()], n, kernel)


def _grew(out: str) -> int:
    return int(out.split("grew_mb")[1].split()[0])


def test_rt44_02_skops_overlapping_members_memory(tmp_path: Path) -> None:
    """~35 KB: an honest skops LogisticRegression plus 6 extra zip members ``pad00000``..
    that skops' schema never names, laid out as a quoted-overlap zip (David Fifield, "A better
    zip bomb"): each member's deflate stream quotes the next member's local header as a stored
    block and all of them end in one shared 25 KB deflate kernel of 25 MB of zeros. Python
    3.11's zipfile has no overlap check, names differ, CRCs and sizes are right. skops never
    opens them (its load grows by a few MB). ``check_zip`` inflates every member and, since
    the one-read change (``_CheckedZip``), keeps every inflated member in ``zf.members``: 150
    MB of RSS for scan and again for ``load_unsigned`` (10 members of 50 MB: 500 MB), which
    both call the file SAFE / load
    it. Memory and CPU grow as members x kernel, i.e. quadratically in the file size (20
    members of a 100 KB kernel: ~2 GB from ~110 KB; safeload's own 32 GB decompressed limit
    is the only bound, and a MemoryError is caught as "corrupt" only under an rlimit)."""
    from redteam import child

    path = write(tmp_path, _overlapping_skops(6, 25_000_000), "m.skops")
    assert path.stat().st_size < 50_000
    plain = child(_SKOPS_PLAIN, path)
    assert plain.loaded and _grew(plain.stdout) < 60, str(plain)
    safe = child(_SKOPS_SAFELOAD, path)
    assert "refused" in safe.stdout or _grew(safe.stdout) < 60, str(safe)
    assert "scan_safe False" in safe.stdout or _grew(safe.stdout) < 60, str(safe)


# --- rt44-03: a dict key or set item the load cannot hash, which scan calls SAFE ---------------


def _opcodes(obj: Any, base: int = 200) -> bytes:
    """``obj``'s protocol-2 opcodes without PROTO/STOP, its memo indexes moved to ``base`` and
    up (as LONG_BINPUT/LONG_BINGET), to splice into another stream."""
    import pickletools

    data = pickle.dumps(obj, protocol=2)
    ops = list(pickletools.genops(data))
    out = bytearray()
    for (op, arg, pos), (_, _, end) in zip(ops, [*ops[1:], (None, None, len(data))], strict=False):
        if op.name in ("PROTO", "STOP"):
            continue
        if op.name in ("BINPUT", "LONG_BINPUT", "PUT"):
            out += b"r" + struct.pack("<I", base + int(arg))
        elif op.name in ("BINGET", "LONG_BINGET", "GET"):
            out += b"j" + struct.pack("<I", base + int(arg))
        else:
            out += data[pos:end]
    return bytes(out)


def _unhashable(kind: str) -> Any:
    import collections
    import datetime
    import decimal
    import pathlib
    import uuid

    from sklearn.utils import Bunch

    return {
        "void": np.void(b"ab"),
        "structured-record": np.array([(1, 2.0)], dtype=[("a", "i4"), ("b", "f8")])[0],
        "tuple-of-void": (np.void(b"ab"),),
        "ndarray": np.arange(3),
        "slice": slice(1, 2),
        "bytearray": bytearray(b"ab"),
        "OrderedDict": collections.OrderedDict(a=1),
        "Bunch": Bunch(a=1),
        "dict-keyed-by-date": {datetime.date(2020, 1, 1): 1},
        "dict-keyed-by-Decimal": {decimal.Decimal("1.5"): 1},
        "dict-keyed-by-UUID": {uuid.UUID(int=5): 1},
        "dict-keyed-by-path": {pathlib.PurePosixPath("a"): 1},
    }[kind]


_UNHASHABLE = [
    "void",
    "structured-record",
    "tuple-of-void",
    "ndarray",
    "slice",
    "bytearray",
    "OrderedDict",
    "Bunch",
    "dict-keyed-by-date",
    "dict-keyed-by-Decimal",
    "dict-keyed-by-UUID",
    "dict-keyed-by-path",
]


@pytest.mark.parametrize(
    ("kind", "where"),
    [
        (kind, where)
        for kind in _UNHASHABLE
        for where in ("dict-key", "frozenset-item", "model-attribute-key")
        if not (where == "frozenset-item" and kind.startswith("dict-keyed"))
    ],
)
def test_rt44_03_unhashable_key_parity(kind: str, where: str, tmp_path: Path) -> None:
    """~0.1-1 KB, harmless: a dict (top level, or a fitted LinearRegression's extra attribute
    ``extra_``) keyed by, or a ``frozenset`` of, a value Python cannot hash: a numpy void
    scalar or structured record (numpy's ``scalar`` makes them writeable, and numpy refuses
    to hash a writeable void), a tuple holding one, an ndarray, a ``slice`` (unhashable
    before 3.12), a ``bytearray``, an ``OrderedDict``, a ``Bunch``, or a dict keyed by a
    date, Decimal, UUID or PurePosixPath (values scan builds since rt42-05). Plain pickle and
    ``load_unsigned`` fail on SETITEMS / the frozenset call ("unhashable type"), a refusal;
    scan called each SAFE (scan SAFE, load refuses). Fixed: the walk decides whether each dict
    key and set item hashes as CPython does (a dict, list, set, bytearray or array never; a
    tuple by its items) and lists the objects made by calls, which the native pass makes and
    hashes (a writeable void, an array, an OrderedDict: "unhashable key"; one it cannot make:
    unproven); a ``set``/``frozenset`` call hashes its items the same way."""
    from sklearn.linear_model import LinearRegression

    from redteam import parity

    key = _opcodes(_unhashable(kind))
    if where == "dict-key":
        data = b"\x80\x02}(" + key + b"K\x01u."
    elif where == "frozenset-item":
        data = b"\x80\x02c__builtin__\nfrozenset\n]" + key + b"a\x85R."
    else:
        X = np.random.RandomState(0).rand(20, 3)
        m = LinearRegression().fit(X, X[:, 0])
        m.extra_ = {"MARKER_RT44": 1}
        host = pickle.dumps(m, protocol=2)
        literal = b"X\x0b\x00\x00\x00MARKER_RT44"
        assert host.count(literal) == 1
        data = host.replace(literal, key)
    with pytest.raises(TypeError, match="unhashable"):
        pickle.loads(data)
    safe, outcome = parity(data, tmp_path)
    assert outcome == "refused"
    assert safe == (outcome == "loaded"), (safe, outcome)


# --- rt44-04: numpy str_/bytes_ dict keys scan cannot read: scan unsafe, load loads ------------


@pytest.mark.parametrize(
    "case", ["vocabulary-str_", "vocabulary-bytes_", "empty-str_-key", "empty-bytes_-key"]
)
def test_rt44_04_numpy_text_key_parity(case: str, tmp_path: Path) -> None:
    """~0.1-1.5 KB, harmless, scan stricter than the load (a false alarm):
    ``vocabulary-*``: a fitted CountVectorizer whose ``vocabulary_`` is
    ``{numpy.str_('ee'): 0, 'bb': 1, 'cc': 2, 'dd': 3}`` (or a ``numpy.bytes_`` key). The load
    checks the vocabulary after building and returns the model; scan: "unproven: the
    CountVectorizer check needs the keys of vocabulary_; a load checks it after building,
    scan cannot", UNSAFE, though it makes the same scalars with numpy's ``scalar`` elsewhere
    (rt42-03) and keys dicts by built values (rt42-05). Any length (rt43-02 is plain ``str``
    keys over 1 KB in keyword dicts).
    ``empty-*``: ``{numpy.str_(''): 1}`` (or ``numpy.bytes_(b'')``) pickled at protocol 2
    (0 and 1 alike: the empty payload is written as a ``bytes()`` call, or ``_codecs.encode``).
    The same scalar as a value scans SAFE (``scalar_problem`` reads ``bytes()``), and as a key
    at protocol 3 too; as a key at protocol 0-2 scan says "unproven: the pass cannot model this
    state (a numpy scalar the pass cannot read)" while the load returns the dict: a label map
    made from a numpy string array with an empty label is keyed so.
    Fixed: the builder keys a dict by a numpy.str_/bytes_ it makes (they hash and compare as
    the str/bytes they hold), and makes ``bytes()`` (protocols 0-2) as the load does."""
    from sklearn.feature_extraction.text import CountVectorizer

    from redteam import parity

    if case.startswith("vocabulary"):
        m = CountVectorizer().fit(["aa bb cc", "bb cc dd"])
        k: Any = np.str_("ee") if case == "vocabulary-str_" else np.bytes_(b"ee")
        m.vocabulary_ = {k: 0, "bb": 1, "cc": 2, "dd": 3}
        data = pickle.dumps(m, protocol=5)
    else:
        k = np.str_("") if case == "empty-str_-key" else np.bytes_(b"")
        data = pickle.dumps({k: 1}, protocol=2)
    safe, outcome = parity(data, tmp_path)
    assert safe == (outcome == "loaded"), (safe, outcome)


# --- the grammar fuzz (fuzz/parity_grammar.py): calls of containers on what they cannot take --


@pytest.mark.parametrize(
    "data",
    [
        b"\x80\x05ccollections\ndefaultdict\ncnumpy\nlog1p\n\x85)\x86R.",
        b"\x80\x05cbuiltins\ndict\ncbuiltins\ndict\n]\x86R.",
        b"\x80\x05cbuiltins\ndict\ncnumpy\nfloat64\n\x85R.",
        b"\x80\x05cbuiltins\ndict\n]cnumpy\nfloat64\na\x85R.",
        b"\x80\x05ccollections\nCounter\ncbuiltins\nobject\n)R\x85R\x85.",
        b"\x80\x05cdecimal\nDecimal\nX\x01\x00\x00\x00acbuiltins\nobject\n)R\x86R.",
        b"\x80\x05cbuiltins\ndict\nccollections\nOrderedDict\n\x85R.",
        b"\x80\x05csklearn.preprocessing._data\nStandardScaler\n)RNb.",
        b"\x80\x05cbuiltins\nset\nccollections\nOrderedDict\n)R]X\x01\x00\x00\x00a\x85a\x86\x85R.",
        b"\x80\x05cbuiltins\nset\n]ccollections\nCounter\n)Ra\x85R.",
    ],
)
def test_grammar_fuzz_call_parity(data: bytes, tmp_path: Path) -> None:
    """Found by ``fuzz/parity_grammar.py`` (scan SAFE, load refuses): ``dict``, ``defaultdict``,
    ``Counter``, ``Decimal``, ``set`` called on values they cannot take (a ufunc, a class, an
    object, an unhashable item) fail in the unpickler; scan assumed the call succeeded where it
    could not evaluate it. Now a result of these calls the pass cannot make is unproven. A
    ``BUILD`` of ``None`` on an estimator: ``BaseEstimator.__setstate__(None)`` fails."""
    from redteam import parity

    safe, outcome = parity(data, tmp_path)
    assert outcome == "refused"
    assert safe == (outcome == "loaded"), (safe, outcome)


# --- rt44-05: a model-named symlink inside a folder is skipped by scan/verify DIR and the gate --

#: A protocol-0 pickle (printable: not a model by its first bytes) that runs a shell command.
_PROTOCOL0_PAYLOAD = b'cos\nsystem\n(S"touch PWNED_RT44"\ntR.'


def _folder_with_linked_model(tmp_path: Path, target: str) -> Path:
    """``models/`` with an honest ``ok.pkl`` and ``model.pkl``, a link inside the folder to a
    file the listing passes over: ``notes.txt`` (a protocol-0 pickle, printable head) or
    ``sub/w.sig`` (a protocol-4 pickle under a signature's name)."""
    import os

    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "ok.pkl").write_bytes(pickle.dumps({"a": 1}, protocol=5))
    if target == "notes.txt":
        (folder / "notes.txt").write_bytes(_PROTOCOL0_PAYLOAD)
    else:
        (folder / "sub").mkdir()
        (folder / "sub" / "w.sig").write_bytes(
            b"\x80\x04" + _PROTOCOL0_PAYLOAD  # the same opcodes behind a protocol-4 header
        )
    os.symlink(target, folder / "model.pkl")  # a link that stays inside the folder
    return folder


@pytest.mark.parametrize("target", ["notes.txt", "sub/w.sig"])
@pytest.mark.parametrize("command", ["scan", "verify", "plugin-collection"])
def test_rt44_05_folder_symlink_to_unlisted_file_skipped(
    command: str, target: str, tmp_path: Path
) -> None:
    """~40 B: a folder holding ``ok.pkl`` (honest; signed for ``verify``), ``notes.txt`` (a
    protocol-0 pickle that calls ``os.system``: printable first bytes and a text name, so by
    design not a model file of its own) and ``model.pkl``, a symbolic link to ``notes.txt``
    that stays inside the folder. ``cli._paths.list_folder`` skips every link that stays
    inside ("its target is listed where it is"), but the target is not listed (not a model
    name, not a model's first bytes). So ``safeload scan models/`` prints only ``SAFE ok.pkl``
    and exits 0, ``safeload verify models/ --pub k.pub`` prints ``OK ok.pkl`` and exits 0, and
    the pytest plugin's ``--safeload-models models/`` gate (``expand``) collects only
    ``ok.pkl`` and passes, while ``pickle.load(open("models/model.pkl", "rb"))`` runs the
    command (a ``joblib.load`` alike). ``safeload scan models/model.pkl`` names it UNSAFE
    (os.system): only the folder expansion misses it. A folder gate that silently passes an
    unsigned, code-running model file under a model name. ``sub/w.sig``: the target may be a
    binary pickle too, under a name the listing skips (``*.sig`` files are never listed)."""
    import io

    from redteam import PLAIN, child
    from safeload.cli import main
    from safeload.cli._paths import expand

    folder = _folder_with_linked_model(tmp_path, target)
    shown = child(PLAIN, folder / "model.pkl")
    assert "loaded" in shown.stdout and (folder / "PWNED_RT44").exists(), str(shown)
    (folder / "PWNED_RT44").unlink()
    out = io.StringIO()
    if command == "scan":
        code = main(["scan", str(folder)], stdout=out, stderr=io.StringIO())
        assert code != 0 and "model.pkl" in out.getvalue(), (code, out.getvalue())
    elif command == "verify":
        key = tmp_path / "k"
        made = main(
            ["keygen", "k", "--dir", str(tmp_path)], stdout=io.StringIO(), stderr=io.StringIO()
        )
        assert made == 0
        signed = main(
            ["sign", str(folder / "ok.pkl"), "--key", f"{key}.key"],
            stdout=io.StringIO(), stderr=io.StringIO(),
        )  # fmt: skip
        assert signed == 0
        code = main(["verify", str(folder), "--pub", f"{key}.pub"], stdout=out, stderr=out)
        assert code != 0, (code, out.getvalue())
    else:
        listed = {Path(p).name for p in expand([str(folder)])}
        assert "model.pkl" in listed or Path(target).name in listed, listed


# --- rt44-06: many skops array nodes naming one zip member: n arrays from one member -----------


def _aliased_skops(n: int, size: int) -> bytes:
    """A skops dict of ``n`` arrays whose ``NdArrayNode`` each name the same ``.npy`` member
    (``size`` zero bytes, deflated to ~size/1000), each with its own ``__id__`` (skops builds
    nodes of one ``__id__`` once)."""
    import io
    import json
    import zipfile

    skops_io = pytest.importorskip("skops.io")
    honest = skops_io.dumps({"k0": np.zeros(size, dtype=np.uint8)})
    zf = zipfile.ZipFile(io.BytesIO(honest))
    schema = json.loads(zf.read("schema.json"))
    node = schema["content"]["k0"]
    schema["content"] = {f"k{i}": dict(node, __id__=node["__id__"] + 1 + i) for i in range(n)}
    key_type = schema["key_types"]["content"][0]
    schema["key_types"]["content"] = [dict(key_type) for _ in range(n)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for info in zf.infolist():
            data = json.dumps(schema).encode() if info.filename == "schema.json" else zf.read(info)
            z.writestr(info.filename, data)
    return out.getvalue()


def test_rt44_06_skops_nodes_sharing_one_member(tmp_path: Path) -> None:
    """~4 KB: a skops file of a dict whose 30 values are ``NdArrayNode``s that all name ONE
    zip member, a 3 MB ``.npy`` of zeros (deflated to ~3 KB), each node with its own
    ``__id__``. skops reads the member once per node and ``np.load``s a new array each time;
    nothing in a skops file ties a member to one node. The plain skops load makes 30 distinct
    3 MB arrays: 90 MB from 4 KB, and memory grows as nodes x member size while the file
    grows as nodes + member/1000 (200 nodes of 10 MB: 2 GB from 11.5 KB). safeload calls it
    SAFE and ``load_unsigned`` builds all of them; scan itself peaks higher (the stand-in
    stream it judges holds each array again). A pickle (or a compressed joblib file) cannot
    alias this way: the same data twice is one memo reference, one object."""
    from redteam import child

    path = write(tmp_path, _aliased_skops(30, 3_000_000), "m.skops")
    assert path.stat().st_size < 12_000
    plain = child(_SKOPS_PLAIN, path)
    assert plain.loaded and _grew(plain.stdout) > 60, str(plain)
    safe = child(_SKOPS_SAFELOAD, path)
    assert "scan_safe False" in safe.stdout and "refused" in safe.stdout, str(safe)


# --- rt44-07: a search whose grid sets HDBSCAN's metric to "precomputed" under copy="warn" ----


def _search_over(estimator: Any, grid: Any, *, randomized: bool = False, fit: bool = True) -> bytes:
    from sklearn.model_selection import GridSearchCV, RandomizedSearchCV

    warnings.simplefilter("ignore")
    n = 30
    idx = np.arange(n)
    search: Any
    if randomized:
        search = RandomizedSearchCV(
            estimator, grid, n_iter=1, cv=[(idx, idx)], scoring="adjusted_rand_score"
        )
    else:
        search = GridSearchCV(estimator, grid, cv=[(idx, idx)], scoring="adjusted_rand_score")
    if fit:
        search.fit(_distances_n(n), idx % 2)
        del search._checked_cv_orig  # the fitted wrapper of cv (not on the allowlist)
        del search.best_estimator_  # refit makes a new one from best_params_
    return pickle.dumps(search, protocol=5)


def _hdbscan_search(grid: Any, *, randomized: bool = False, pipeline: bool = False) -> bytes:
    from sklearn.cluster import HDBSCAN
    from sklearn.pipeline import Pipeline

    estimator: Any = HDBSCAN(min_cluster_size=3)
    if pipeline:
        estimator = Pipeline([("h", estimator)])
    return _search_over(estimator, grid, randomized=randomized, fit=not pipeline)


def _distances_n(n: int, seed: int = 1) -> np.ndarray:
    x = np.random.RandomState(seed).rand(n)
    return np.abs(x[:, None] - x[None, :])


def _refit_writes(data: bytes) -> bool:
    """Whether a plain-pickle load of the search, fitted on a caller's ``D``, changes ``D``."""
    D = _distances_n(30)
    before = D.copy()
    pickle.loads(data).fit(D, np.arange(30) % 2)
    return not np.array_equal(D, before)


_HDBSCAN_GRIDS: dict[str, tuple[Any, dict[str, bool]]] = {
    "grid": ({"metric": ["precomputed"]}, {}),
    "grid-list-of-dicts": ([{"metric": ["precomputed"], "min_cluster_size": [3]}], {}),
    "grid-numpy-str": ({"metric": [np.str_("precomputed")]}, {}),
    "grid-array": ({"metric": np.array(["precomputed"])}, {}),
    "randomized": ({"metric": ["precomputed"]}, {"randomized": True}),
    "pipeline-key": ({"h__metric": ["precomputed"]}, {"pipeline": True}),
    "pipeline-copy-warn": (
        {"h__metric": ["precomputed"], "h__copy": ["warn"]},
        {"pipeline": True},
    ),
}


@pytest.mark.parametrize("case", sorted(_HDBSCAN_GRIDS))
def test_rt44_07_search_grid_sets_hdbscan_precomputed(case: str, tmp_path: Path) -> None:
    """~3 KB: a GridSearchCV over ``HDBSCAN(min_cluster_size=3)`` (its ``copy`` the default
    ``"warn"``, which means False, and ``metric="euclidean"``: rt42-01's rule takes it, the
    copy matters only with ``metric="precomputed"``) whose ``param_grid`` is
    ``{"metric": ["precomputed"]}``, ``cv`` one split of all rows, ``scoring``
    ``"adjusted_rand_score"``. The grid rule judged a grid's values only for the in-place
    parameters themselves, not for the parameter the HDBSCAN's copy depends on: scan SAFE,
    ``load_unsigned`` loaded, and ``search.fit(D, y)`` refits ``HDBSCAN(copy="warn",
    metric="precomputed")`` on the caller's ``D``, writing the mutual reachability distances
    into it (rt42-01's harm). A RandomizedSearchCV's ``param_distributions``, a list of
    grids, a numpy.str_ or an array of candidates, and a grid key ``h__metric`` over a
    Pipeline holding the HDBSCAN do the same (each shown writing under plain pickle).

    Fixed: ``trust/in_place.py`` judges each search's grid against the in-place conditions
    (``IN_PLACE_CONDITIONS``) of the estimators the model holds, the grid's candidates for
    a parameter the key addresses replacing the stored value: scan and load both refuse."""
    grid, how = _HDBSCAN_GRIDS[case]
    data = _hdbscan_search(grid, **how)
    assert _refit_writes(data)  # plain pickle: the caller's D is overwritten
    assert parity(data, tmp_path) == (False, "refused")


def test_rt44_07_grid_replacing_the_step_and_setting_its_metric(tmp_path: Path) -> None:
    """A grid that replaces the pipeline's step and sets the new step's metric
    (``{"h": [HDBSCAN()], "h__metric": ["precomputed"]}``): the key's path is not the stored
    step, so its candidates join every HDBSCAN's stored values; refused by both, and the
    refit does write."""
    from sklearn.cluster import HDBSCAN

    data = _hdbscan_search(
        {"h": [HDBSCAN(min_cluster_size=3, copy=True)], "h__metric": ["precomputed"],
         "h__copy": [False]},
        pipeline=True,
    )  # fmt: skip
    assert _refit_writes(data)
    assert parity(data, tmp_path) == (False, "refused")
    data = _hdbscan_search(
        {"steps": [[("h", HDBSCAN(min_cluster_size=3))]], "h__metric": ["precomputed"]},
        pipeline=True,
    )
    assert _refit_writes(data)
    assert parity(data, tmp_path) == (False, "refused")


_HDBSCAN_HONEST: dict[str, tuple[Any, dict[str, bool]]] = {
    "copy-true-with-precomputed": ({"metric": ["precomputed"], "copy": [True]}, {}),
    "other-metrics": ({"metric": ["euclidean", "manhattan"]}, {}),
    "min-cluster-size": ({"min_cluster_size": [3, 5]}, {}),
    "randomized-sizes": ({"min_cluster_size": [3, 4, 5]}, {"randomized": True}),
    "pipeline-copy-true": (
        {"h__metric": ["precomputed"], "h__copy": [True]},
        {"pipeline": True},
    ),
    "pipeline-sizes": ({"h__min_cluster_size": [3, 4]}, {"pipeline": True}),
}


@pytest.mark.parametrize("case", sorted(_HDBSCAN_HONEST))
def test_rt44_07_honest_hdbscan_searches_load(case: str, tmp_path: Path) -> None:
    """Searches over HDBSCAN that never refit it with ``metric="precomputed"`` and its copy
    off keep loading, and their refit leaves the caller's data alone."""
    grid, how = _HDBSCAN_HONEST[case]
    data = _hdbscan_search(grid, **how)
    assert not _refit_writes(data)
    assert parity(data, tmp_path) == (True, "loaded")


# --- rt44-08: TSNE(metric="precomputed", method="exact") squares the caller's matrix in place --


def _tsne(**params: Any) -> Any:
    from sklearn.manifold import TSNE

    warnings.simplefilter("ignore")
    base: dict[str, Any] = {
        "n_components": 2, "perplexity": 5, "max_iter": 250, "random_state": 0, "init": "random",
    }  # fmt: skip
    return TSNE(**{**base, **params})


@pytest.mark.parametrize("call", ["fit", "fit_transform"])
@pytest.mark.parametrize("metric", ["precomputed", "numpy-str"])
def test_rt44_08_tsne_precomputed_exact_writes_caller_data(
    call: str, metric: str, tmp_path: Path
) -> None:
    """~1 KB: a fitted ``TSNE(metric="precomputed", method="exact", init="random")``, every
    parameter one scikit-learn's constraints take, no copy parameter anywhere. Its
    ``_fit`` takes ``distances = X`` (the validated input, not copied when the caller's
    matrix is already float64) and then ``distances **= 2``: ``model.fit(D)`` (and
    ``fit_transform``) squares the caller's distance matrix where it lies, rt42-01's harm
    (an estimator writing into the caller's data) through a parameter that is not named
    ``copy``; ``method="barnes_hut"`` leaves ``D`` alone. Scan SAFE, ``load_unsigned``
    loaded.

    Fixed: ``IN_PLACE_CONDITIONS`` has TSNE's row (metric "precomputed", a str subclass too,
    and method "exact"): scan and load both refuse."""
    m = _tsne(metric="precomputed", method="exact").fit(_distances_n(30, seed=0))
    if metric == "numpy-str":
        m.metric = np.str_("precomputed")
    data = pickle.dumps(m, protocol=5)
    D = _distances_n(30)
    before = D.copy()
    getattr(pickle.loads(data), call)(D)  # plain pickle: the caller's D is squared
    assert np.allclose(D, before**2) and not np.array_equal(D, before)
    assert parity(data, tmp_path) == (False, "refused")


@pytest.mark.parametrize(
    ("stored", "grid"),
    [
        ({"metric": "precomputed"}, {"method": ["exact"]}),
        ({"method": "exact"}, {"metric": ["precomputed"]}),
        ({}, {"metric": ["precomputed"], "method": ["exact"]}),
    ],
)
def test_rt44_08_tsne_grid_sets_exact_or_precomputed(
    stored: dict[str, Any], grid: dict[str, Any], tmp_path: Path
) -> None:
    """An (unfitted) GridSearchCV over a TSNE whose grid makes it ``metric="precomputed"``
    with ``method="exact"``: the scores fail (TSNE predicts nothing, the error score is nan)
    and the refit runs on the caller's ``D``, squaring it. Refused by both, by the in-place
    rule's TSNE row (the grid rows of ``_CalibratedClassifier.method``, which once refused any
    grid naming ``method``, no longer judge keys: no key reaches that class)."""
    data = _search_over(_tsne(**stored), grid, fit=False)
    assert _refit_writes(data)
    assert parity(data, tmp_path) == (False, "refused")


@pytest.mark.parametrize(
    ("params", "grid"),
    [
        ({}, None),
        ({"metric": "precomputed"}, None),
        ({"method": "exact"}, None),
        ({"metric": "precomputed"}, {"perplexity": [4, 5]}),
        ({"method": "exact"}, {"metric": ["euclidean", "cosine"]}),
    ],
)
def test_rt44_08_honest_tsne_loads(
    params: dict[str, Any], grid: dict[str, Any] | None, tmp_path: Path
) -> None:
    """TSNE with its default ``method="barnes_hut"``, or exact on features, loads, fitted
    or in a search whose grid never makes it exact on a precomputed matrix, and leaves the
    caller's data alone."""
    if grid is None:
        data = pickle.dumps(_tsne(**params).fit(_distances_n(30, seed=0)), protocol=5)
        D = _distances_n(30)
        before = D.copy()
        pickle.loads(data).fit(D)
        assert np.array_equal(D, before)
    else:
        data = _search_over(_tsne(**params), grid, fit=False)
        assert not _refit_writes(data)
    assert parity(data, tmp_path) == (True, "loaded")
