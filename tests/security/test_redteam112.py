r"""Red team 112 (helper, 21:54-22:45 UTC) on 17bd544 and 9d08015: the hash count's new key
kinds and node memo, the trust rules for own classes (namedtuple's ``__new__``, own
``__hash__`` keys, an own Enum's ``_missing_``, ``numbers.Number``), ``CLEAN_KEYS``' bounds,
``check_sparse`` after rt111-01, and ``HMACKey``'s charges. Snapshot /tmp/rt112p; run from
/work/rt112 with SAFELOAD_PURE_PYTHON=1 and PYTHONPATH=/tmp/rt112p/src:/tmp/rt112p/tests
(Python 3.11, numpy 2.x, scipy 1.17.1, scikit-learn 1.9). Each finding is a strict xfail
asserting the safe behaviour; harm is shown first with plain pickle in a child under CPU or
memory limits (or, for memory kept, in this process); own modules are written to tmp_path.
Figures are process CPU seconds measured in this session.

Findings
--------
rt112-01 (HARM: CPU at load, quadratic; _numpy_state.py ``_uuid_value``, the rt110-02 fix)
         ``uuid.UUID`` keys are evaluated only as NEWOBJ + BUILD ``{"int": n}`` or as
         ``UUID(text)`` of at most 64 characters. ``UUID`` strips any number of braces and
         ``urn:``/``uuid:`` prefixes, and takes ``int``, ``bytes`` and ``fields`` positionally
         (``UUID(None, None, None, None, n)``, ``UUID(None, b16)``, ``UUID(None, None, None,
         fields)``); every such key is ``_NO_KEY``, not counted, and hashes as ``hash(n)``, an
         int of 128 bits the file chooses (``k * (2**61 - 1)``). 10,000 keys
         ``UUID("{" * 40 + hex + "}" * 40)`` (1.2 MB): plain pickle 3.1 s, scan SAFE in 9.6 s,
         ``load_unsigned`` loads in 4.2 s. The test: 200 keys of hash 0 in each of 5 forms
         (braces, urn: prefixes, int, bytes, fields), written as ``dict([(key, 0), ...])``:
         all SAFE and loaded. Fix: evaluate ``UUID`` calls by running ``uuid.UUID(*args)`` on
         the folded arguments (any text length, charged by length), or count every UUID key
         the pass cannot read as one hash (as ``_OwnKey`` does).
rt112-02 (HARM: CPU at load, quadratic; _numpy_state.py ``_key_value``/``_collected``: the
         ``_OwnKey`` rule applies to a key itself only, ``not inner`` and ``own_hash`` is not
         passed down) a trusted class's object with its own ``__hash__`` (a frozen dataclass,
         a NamedTuple) inside a tuple or frozenset key makes the whole key ``_NO_KEY``:
         ``(Feature("x", k * P),)``, ``frozenset([Feature(...)])`` and ``(Cell(k * P, 0),)``
         all share one hash and compare by the class's generated ``__eq__``. 5,000 tuple keys
         after 500 KB of zeros (644 KB): plain pickle 2.3 s, ``load_unsigned(trusted=
         [Feature])`` 4.6 s (scan unproven). The test: 200 keys of each of the three shapes:
         loaded (bare, the same 200 are refused; at protocols 0 and 1, as
         ``copyreg._reconstructor(Feature, object, None)`` + BUILD, alike: 4 files). Fix:
         pass ``own_hash`` through ``_collected`` and count a container key holding an
         own-hash object as one hash per class (or refuse it).
rt112-03 (HONEST-REFUSED, a regression of 17bd544; walk_values.py ``_crowd`` ->
         ``shared_hash_problem``: the own-hash check runs before ``whole``) a list (or tuple)
         of more than 32 objects of a trusted class with its own ``__hash__`` is refused as
         "a dict or set with more than 32 keys of ..., a class you trusted whose own __hash__
         runs": nothing hashes a list's items while loading. ``[Feature(f"c{i}", i) for i in
         range(33)]``, a list and a tuple of 100 NamedTuple ``Cell``s: all refused; at
         17bd544^ the list of 100 Features loaded (32 still load today). A model keeping a
         list of records of the user's own frozen dataclass or NamedTuple is refused.
         Fix: apply the ``_OwnKey`` count to dict keys and set items only (``whole=True``).
rt112-04 (HONEST-REFUSED; the same rule, for real keys) more than 32 honest keys of a trusted
         NamedTuple or frozen dataclass in one dict or set are refused, though no two share a
         hash: a dict keyed by the 100 ``Cell(i, j)`` of a 10 x 10 grid, the set of them, a
         dict of 100 ``Feature(f"c{i}", i)`` keys (which loaded at 17bd544^). A NamedTuple
         hashes as the tuple of its fields and a dataclass's generated ``__hash__`` as the
         tuple of its compared fields: the pass can evaluate both (as ``_NAMED_TUPLES`` does
         for scikit-learn's) and keep the cap for hand-written ``__hash__`` methods only.
rt112-05 (HARM: memory kept for the process's life; trust/trusted_classes.py
         ``_missing_value_problem``, the rt110-07 fix) the cap counts 16 values a file, not
         their size: a value may be a tuple of any number of texts (``_fold`` reads it). 16
         ``Status(tuple of 5,000 1 KB texts)`` calls then a refused LogisticRegression (a
         377 KB zlib joblib file, 81 MB decompressed): ``load_unsigned(trusted=[Status])``
         refuses it and the 16 pseudo-members keep 80 MB; the next file adds its own 16 (RSS
         160 -> 428 -> 511 MB over two files). The test: two files of 16 values of 300 texts:
         9.7 MB kept. Fix: charge the values' folded size (e.g. at most a few KB for all new
         values of a file), or admit only hashable atoms (str/int/float of MAX_CONST).
rt112-06 (HARM: memory kept for the process's life; trust/classes.py ``remember_clean``, the
         rt110-06 fix) the bound is per key set (256 names, 8,192 characters) and 10,000
         sets, so one file still fills it: 5,000 LogisticRegressions, each with 200 distinct
         extra names of 40 characters, and one with a NaN C (a 3 MB zlib joblib file): both
         ``load_unsigned`` and ``scan`` refuse it, and leave 10,000 entries (the load's and
         scan's key orders differ, 5,001 each), 194 MB of str objects; RSS 224 -> 532 MB. The
         test: 500 models: 4 MB of names kept. Fix: a total bound (e.g. 1 MB of names in all)
         or remember clean key sets only once the whole load succeeds.
rt112-07 (HARM: heap overflow at use; trust/structures/arrays.py ``check_sparse``'s DIA branch
         checks only ``data.ndim == 2`` and the diagonal count) scipy's ``dia_matrix.tocsr``
         sizes its buffers by ``nnz``, which counts a diagonal at offset ``2**32`` as empty,
         then hands ``dia_tocsr`` the offsets cast to the index dtype (int32: offset 0, the
         main diagonal), which writes ``min(M, N, L)`` values and indexes past them. A 1,000
         x 1,000 DIA matrix with one diagonal at offset ``2**32`` (8 KB): SAFE and loaded;
         ``toarray``/``tocsr``/``tocsc``/``tocoo``: SIGSEGV or "double free or corruption"
         in plain pickle's process (offsets ``2**40``, ``2**62``, ``-2**32`` alike; an offset
         of ``2**31 - 1`` in an 8 x 6 matrix: ``mean()`` SIGSEGV). Fix: require 1-D integer
         offsets, unique, each ``-M < k < N``.
rt112-08 (HARM: uninitialised memory read, SIGSEGV at use; ``_check_compressed``/
         ``check_sparse`` for BSR) a BSR matrix whose shape is not a multiple of its blocksize
         passes scipy's ``check_format`` (block rows ``M // R``); ``tocsr`` allocates an index
         pointer of ``M + 1`` items with ``np.empty`` and ``bsr_tocsr`` fills ``(M // R) * R
         + 1``: the last is heap garbage (read: 0 where 256 values are stored, or other
         values), and ``tocsc`` indexes with it. (17, 17) with (8, 8) blocks: SAFE, loaded,
         ``tocsc`` SIGSEGV 3 of 3 runs; (5, 5)/(2, 2): 4 of 6; the fuzz's (9, 6)/(2, 2) and
         (9, 7)/(4, 3) crashed in its method sweep. scipy's constructor refuses such a shape.
         Fix: require ``M % R == 0 and N % C == 0``.
rt112-09 (HARM: CPU at load, quadratic, each comparison a hash-table build; _numpy_state.py
         ``_key_value`` does not know ``pandas.CategoricalDtype``, a pandas-profile class
         with a Python ``__hash__``) an unordered CategoricalDtype hashes as the XOR of its
         categories' hashes, each a bijection of the int64 value (splitmix64's finaliser,
         then ``(0x345678 ^ h) * 1000003 + 97531``): ``[k, y_k]`` with ``y_k`` solved makes
         any number of dtypes of one hash, and ``__eq__`` of two of them runs
         ``Index.get_indexer``. 1,000 keys (82 KB): plain pickle 7.5 s,
         ``load_unsigned(profiles=["pandas"])`` 9.3 s; 200 keys written as pickle writes a
         dict: scan SAFE, load loads (written as ``dict(pairs)``: scan unproven). Fix: count
         keys of any allowed class whose hash the pass does not evaluate as one hash per class
         (the ``_OwnKey`` rule for reviewed classes with a Python ``__hash__``:
         CategoricalDtype, StringDtype, PurePath, UUID forms not read).
rt112-10 (HONEST-REFUSED, low; ``check_sparse``'s COO branch: ``rows, cols = matrix.shape``)
         an honest 1-D ``coo_array`` (scipy >= 1.13) and a 3-D one are refused by both ("not
         enough values to unpack (expected 2, got 1)"); the same vector as a 1-D
         ``csr_array`` or ``dok_array`` is SAFE and loaded. Fix: check each coordinate array
         against its axis for any number of axes.
rt112-11 (HONEST-REFUSED, random secrets; signing/hmac_key.py ``_is_multibase_key`` decodes
         every 40-200 character token as bare base58 too, and ``_is_codec_key`` reads only its
         first two bytes and its length) the base58 of ``os.urandom(34)`` starting ``ed 01``,
         ``ec 01`` or ``ef 01`` (and of 35 bytes starting ``e7 01``, ``80 24``, ``86 24``) is
         refused as "a multibase (did:key), libp2p, IPNS or NEAR public key": one random
         base58 secret of 34 or 35 bytes in 21,845 (met once in 60,000 base58 secrets of 33
         to 37 bytes: ``6MkhHBhWG597...``; all 65,536 heads of one random tail tried at 34
         and at 35 bytes: exactly those 3 each refused); the same bytes in hex are accepted.
         9d08015 took the multibase readings to about once in a million. Fix: read bare
         base58 for the peer id and IPNS forms only (``12D3KooW``, ``k51...``: 6 and 8 fixed
         bytes), and a multicodec key only behind its multibase head (``z6Mk...``).

Ported by the maintainer (the same day, 22:20-22:45 UTC; every finding fixed)
-----------------------------------------------------------------------------
* rt112-01: ``UUID(*args)`` is run on the folded arguments (charged by their length); a UUID
  key whose arguments the pass cannot fold counts as one hash with every such key.
* rt112-02, 03, 04: ``WalkValues._own_hash`` says how a class's keys hash: a named tuple
  by its fields, a dataclass's generated ``__hash__`` by the fields it reads (both
  evaluated), any other Python ``__hash__`` as one hash per class (``_OwnKey``), at any
  depth of a tuple or frozenset key, and for dict keys and set items only.
* rt112-05: an own enum's ``_missing_`` is asked only for numbers and texts of at most 200
  characters.
* rt112-06: ``CLEAN_KEYS`` keeps at most 512 KB of names in all.
* rt112-07, 08, 10: DIA offsets must be distinct integers inside the matrix; a BSR shape a
  whole number of blocks; a COO array's coordinates are checked on every axis.
* rt112-09: a reviewed class whose ``__hash__`` is Python code (pandas' CategoricalDtype)
  counts its keys as one hash.
* rt112-11: bare base58 is read for libp2p peer ids and IPNS names only.

Held (tried, no finding)
------------------------
* Hash count, the node memo (``_key_nodes``): a list memoised empty through a list item
  ``(L,)``, then filled by APPENDS (100 fresh 16-item tuples of ``range(1)``), then
  ``frozenset(L)`` referenced 100 times: ``F``'s memo is stale (2 nodes) but every memo
  reference is charged by what it unfolds to now: refused at byte 3,610 (2 layouts, with and
  without the stale memo). ``frozenset(list)``/``tuple(list)`` call DAGs of 16 references a
  level, depth 3 to 9 (8 files): loaded at 3 (0.01 s), refused in 0.01 s from 4. A list of
  100 memo references to a 16-item tuple: refused by the reference budget.
* Other key kinds: ``copyreg._reconstructor(Decimal, Decimal, text)``, the tuple form
  ``Decimal((0, digits, 0))``, ``_reconstructor`` of ``complex``/``int``/``float`` (33
  floats ``2.0**(61*j)`` of one hash): refused by both (5 files). UUID by NEWOBJ + BUILD of
  a dict (200 keys: refused, counted) and of an ``OrderedDict`` (3,000 keys after 400 KB:
  refused, SafeUUID). Every allowed class with a ``__hash__`` other than object's, listed
  from the allowlist (488 names) and the 5 profiles: date/datetime/time/timedelta/timezone
  (siphash of bytes, or xxHash of a 3-int tuple: no cheap multicollision), Decimal, UUID,
  ``_ImputerTriplet`` (evaluated), ``numpy.dtype``, ``PurePath`` (a str hash),
  ``StringDtype`` (two attributes), ``CategoricalDtype`` (rt112-09). pandas
  Timestamp/Timedelta hash ``hash(_value)`` only past datetime's range or with
  nanoseconds: an int64, at most 8 values per residue and 4 resolutions. An object array
  (LabelEncoder ``classes_``) of 2,000 67-node tuples of one hash: refused by its check
  ("not sorted, or of a kind no fit stores"); plain transform 0.04 s anyway (int compares).
* Own Enum ``_missing_`` by other opcodes: NEWOBJ and protocol 4 NEWOBJ_EX are counted with
  REDUCE (40 unknown values: refused, nothing kept); ``_reconstructor(Status, Status, v)``:
  refused (3 files). ``numbers.Number``: a ``__class__``-property proxy (isinstance int and
  Integral, not registered) as ``RBFSampler(n_components=2**22)``: refused by the names'
  width (the rules read it as the int); an ``__index__``-only ``Idx`` as 5 fitted counts:
  4 refused ("not a count", "disagrees"), ``PCA.n_components_`` loaded and read by fit only.
* Honest files after 17bd544: 15 models and containers (CountVectorizer with bigrams 2.2 MB,
  Tfidf, DictVectorizer, an object OneHotEncoder, MultiLabelBinarizer of tuples, 50,000
  tuple and nested-tuple keys, 20,000 Decimal, UUID, frozenset and range keys, negative int
  pairs, 50,000 float keys, a list of 100,000 tuples, a set of 50,000 tuples): all SAFE and
  loaded, load times within 10% of 17bd544^ (nested tuple keys 8.9 s against 9.3 s). 7 key
  kinds at protocols 0, 1, 2 and 5 (28 files): SAFE and loaded. Own Cell/Feature/Status
  objects at protocols 0-5 (30 files): loaded (scan unproven for the NamedTuple and the
  Enum: "is called with arguments", as documented).
* Sparse (a fuzz of 47 crafted top-level matrices: DIA offsets (11 values), offset dtypes
  (4), widths (4), shapes (4), duplicates; BSR shapes and blocks (5), int64 indices; COO
  shapes (3), uint64 rows, rows + 2**32, a lying canonical flag; CSR/CSC shapes (4), index
  dtypes, 2**32 columns, a lying canonical flag; LIL/DOK), each loaded one run through 24
  methods in a child: scan and load agree on all 47; the only crashes are rt112-07's and
  rt112-08's. DOK with crafted keys (7 files): refused or clean. rt111-01's repairs
  (float/bool/object index dtypes, trailing values): scan and load agree (its 5 tests
  pass); uint32 indices: refused by both.
* pandas (profile): 6 honest frames and series (mixed dtypes with a categorical column,
  2,000 columns, int column labels, an object index of ints, a categorical of 1,000 ints, a
  dict of 200 CategoricalDtypes) at protocols 4 and 5: SAFE and loaded (12 files); a frame
  whose object column index holds 200 ints of hash 0: refused by both (2 files).
* CLEAN_KEYS filled to its 10,000 sets by rt112-06's file: a 300-tree forest loads as fast
  after as before (0.22 s; each tree's keys are checked again cheaply).
* CLEAN_KEYS aside, the other process caches (``_MADE``, ``VALID_ATOMS``, ``_HOOKED``,
  ``_FRAME_COLUMNS`` (weakly keyed), the ``lru_cache``s) are keyed by classes or bounded.
* HMACKey: 75,000 random secrets in 18 forms (base85, ascii85, base58, upper hex, colon
  hex, hex with a newline, two UUIDs, lower base32, random printable text, base64 with CRLF,
  raw bytes, diceware-like words, MIME-wrapped base64, url-safe base64, decimal digits,
  base32 alphabet): 0 refused; base58 of 33-37 bytes: 1 in 60,000 (rt112-11). CPU per MB:
  21 secrets of about 1 MB (zeros, random, base64/hex and nested thrice, EBCDIC, UTF-16,
  xxd, colon hex, %XX, a C array, a decimal list, raw deflate of base64, empty stored and
  fixed deflate blocks, 0xFF): 0.35-1.7 s a MB; base64 wrapped at 64-76 columns the most,
  3.4-3.7 s a MB, linear (2 MB: 6.7 s).
"""

from __future__ import annotations

import copyreg
import gc
import pickle
import sys
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safeload
from redteam import (
    HANG_CPU,
    HERE,
    P61,
    PLAIN,
    binunicode,
    child,
    dumps_with,
    global_,
    kept_clean_keys,
    own_module,
    padded,
    scan_and_load,
    trusted_load,
    write,
)

pytestmark = pytest.mark.filterwarnings("ignore")


# --- rt112-01: uuid.UUID keys in the forms _uuid_value does not read ----------------------------


def _uuid_args(k: int, form: str) -> tuple[Any, ...]:
    """The arguments of ``UUID(...)`` for the int ``k * (2**61 - 1)`` (hash 0) in ``form``."""
    n = k * P61
    if form == "brace":  # UUID strips any number of braces (and "urn:"/"uuid:" prefixes)
        return ("{" * 40 + f"{n:032x}" + "}" * 40,)
    if form == "urn":
        return ("urn:" * 20 + f"{n:032x}",)
    if form == "int":  # UUID(hex=None, bytes=None, bytes_le=None, fields=None, int=n)
        return (None, None, None, None, n)
    if form == "bytes":
        return (None, n.to_bytes(16, "big"))
    fields = (n >> 96, (n >> 80) & 0xFFFF, (n >> 64) & 0xFFFF, (n >> 56) & 0xFF)
    return (None, None, None, (*fields, (n >> 48) & 0xFF, n & 0xFFFFFFFFFFFF))


def _uuid_calls(n: int, form: str) -> bytes:
    """A dict of ``n`` keys ``UUID(*args)``, written as ``dict([(key, 0), ...])`` (REDUCE)."""
    import uuid

    class Call:
        def __init__(self, args: tuple[Any, ...]) -> None:
            self.args = args

        def __reduce__(self) -> Any:
            return (uuid.UUID, self.args)

    pairs = pickle.dumps([(Call(_uuid_args(k, form)), 0) for k in range(1, n + 1)], 2)
    return b"\x80\x02" + global_("builtins", "dict") + pairs[2:-1] + b"\x85R."


def test_rt112_01_uuid_forms_uncounted(tmp_path: Path) -> None:
    big = write(tmp_path, _uuid_calls(10_000, "brace"), "big.pkl")
    # the harm: plain pickle 3.1 s for these 10,000 keys of hash 0 (1.2 MB; scan SAFE in
    # 9.6 s, load_unsigned 4.2 s), killed here at its limit
    plain = child(PLAIN, big, cpu=HANG_CPU)
    assert plain.crashed and not plain.loaded, plain.output
    outcomes = {}
    for form in ("brace", "urn", "int", "bytes", "fields"):
        data = _uuid_calls(200, form)
        keys = pickle.loads(data)
        assert len(keys) == 200 and len({hash(k) for k in keys}) == 1
        safe, loaded = scan_and_load(write(tmp_path, data, f"{form}.pkl"))
        outcomes[form] = (safe, loaded[:60])
    # today: every form SAFE to scan and loaded (the rule's limit is 32 keys of one hash)
    assert all(not s and v.startswith("refused") for s, v in outcomes.values()), outcomes


# --- rt112-02: keys of a trusted class with its own __hash__, inside a tuple or frozenset -----

_OWN_KEYS = '''
from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True)
class Feature:
    """A feature by its source column and index (a dict key in the project's models)."""

    column: str
    index: int


class Cell(NamedTuple):
    """A grid cell."""

    row: int
    col: int
'''


def _wrapped_features(own: Any, n: int, wrap: Any) -> bytes:
    """A dict of ``n`` keys ``wrap(Feature("x", k * (2**61 - 1)))``: all of one hash (a
    Feature hashes as its fields' tuple), written as pickle writes a Feature (NEWOBJ, BUILD).
    (Built here without the collisions, which would cost this process the same.)"""

    def reduce(o: Any) -> Any:
        if type(o) is not own.Feature:
            return NotImplemented
        return copyreg.__newobj__, (own.Feature,), {"column": o.column, "index": o.index * P61}

    return dumps_with({wrap(own.Feature("x", k)): 0 for k in range(1, n + 1)}, reduce, 4)


def test_rt112_02_own_hash_keys_wrapped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = own_module(tmp_path, monkeypatch, "rt112_keys", _OWN_KEYS)
    big = write(tmp_path, padded(_wrapped_features(own, 8_000, lambda f: (f,)), 800_000))
    # the harm: plain pickle 2.3 s for 5,000 such keys (load_unsigned(trusted=[Feature]) 4.6 s
    # after 500 KB of zeros, 644 KB), killed here at its limit
    plain = child(HERE + PLAIN, big, cpu=HANG_CPU)
    assert plain.crashed and not plain.loaded, plain.output
    # bare, 200 such keys are refused ("more than 32 keys of rt112_keys.Feature, a class you
    # trusted whose own __hash__ ..."); wrapped in a 1-tuple or a frozenset they are not
    outcomes = {}
    for name, wrap in (("tuple", lambda f: (f,)), ("frozenset", lambda f: frozenset([f]))):
        data = _wrapped_features(own, 200, wrap)
        outcomes[name] = trusted_load(write(tmp_path, data, f"{name}.pkl"), [own.Feature])[:80]
    # a trusted NamedTuple hashes as its fields: (Cell(k * P, 0),) keys alike
    cells = {(own.Cell(k * P61, 0),): 0 for k in range(1, 201)}
    path = write(tmp_path, pickle.dumps(cells, 4), "cells.pkl")
    outcomes["cell"] = trusted_load(path, [own.Cell])[:80]
    # today: all three loaded
    assert all(v.startswith("refused") for v in outcomes.values()), outcomes


# --- rt112-03: a list of more than 32 objects of a trusted class with its own __hash__ ----------


def test_rt112_03_own_objects_in_lists_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = own_module(tmp_path, monkeypatch, "rt112_records", _OWN_KEYS)
    honest = {
        "features": ([own.Feature(f"c{i}", i) for i in range(33)], own.Feature),
        "cells": ([own.Cell(i, i) for i in range(100)], own.Cell),
        "tuple": (tuple(own.Cell(i, -i) for i in range(100)), own.Cell),
    }
    outcomes = {}
    for name, (value, cls) in honest.items():
        path = write(tmp_path, pickle.dumps(value, 5), f"{name}.pkl")
        outcomes[name] = trusted_load(path, [cls])[:110]
    # nothing hashes a list's items while loading; 32 Features load, and at 17bd544^ the list
    # of 100 loaded too. Today all three are refused: "a dict or set with more than 32 keys of
    # rt112_records.Feature, a class you trusted whose own __hash__ ..."
    assert all(v == "loaded" for v in outcomes.values()), outcomes


# --- rt112-04: honest NamedTuple and dataclass keys refused --------------------------------------


def test_rt112_04_honest_own_keys_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = own_module(tmp_path, monkeypatch, "rt112_honest", _OWN_KEYS)
    honest = {
        "grid": ({own.Cell(i, j): i * j for i in range(10) for j in range(10)}, own.Cell),
        "cells": ({own.Cell(i, j) for i in range(10) for j in range(10)}, own.Cell),
        "features": ({own.Feature(f"c{i}", i): i for i in range(100)}, own.Feature),
    }
    outcomes = {}
    for name, (value, cls) in honest.items():
        assert len({hash(k) for k in value}) == len(value)  # no two keys share a hash
        path = write(tmp_path, pickle.dumps(value, 5), f"{name}.pkl")
        outcomes[name] = trusted_load(path, [cls])[:100]
    # today: all refused ("a dict or set with more than 32 keys of rt112_honest.Cell, a class
    # you trusted whose own __hash__ runs on the file's values"): the pass can evaluate a
    # named tuple's hash (its fields' tuple), as _NAMED_TUPLES does for scikit-learn's
    assert all(v == "loaded" for v in outcomes.values()), outcomes


# --- rt112-05: an own Enum's _missing_: 16 values a file, of any size -----------------------------

_STATUS_MODULE = '''
import enum


class Status(enum.Enum):
    """A job status; codes a newer server sends are kept as pseudo-members."""

    OK = "ok"
    FAILED = "failed"

    @classmethod
    def _missing_(cls, value):
        member = object.__new__(cls)
        member._name_ = "UNKNOWN"
        member._value_ = value
        return cls._value2member_map_.setdefault(value, member)
'''


def _big_statuses(tag: int, strings: int) -> bytes:
    """16 ``Status(value)`` calls, each value a tuple of ``strings`` texts of 1 KB, then a
    LogisticRegression whose C the load refuses."""
    from sklearn.linear_model import LogisticRegression

    out = b"\x80\x02" + global_("rt112_status", "Status") + b"q\x000("
    for i in range(16):
        texts = b"".join(binunicode(f"{tag}.{i}.{j}." + "x" * 1000) for j in range(strings))
        out += b"h\x00(" + texts + b"t\x85R"
    return out + b"l0" + pickle.dumps(LogisticRegression(C=float("nan")), 2)[2:]


def _kept_bytes(cls: Any) -> int:
    values = [m._value_ for m in cls._value2member_map_.values() if m._name_ == "UNKNOWN"]
    return sum(sys.getsizeof(t) for v in values for t in v)


def test_rt112_05_enum_missing_sizes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = own_module(tmp_path, monkeypatch, "rt112_status", _STATUS_MODULE)
    pickle.loads(_big_statuses(0, 20))  # plain pickle: 16 members of 20 KB each, kept
    assert _kept_bytes(own.Status) > 300_000
    for value in [v for v in own.Status._value2member_map_ if v not in ("ok", "failed")]:
        del own.Status._value2member_map_[value]
    # 16 values of 300 texts (4.8 MB kept; 5,000 texts: a 377 KB zlib joblib file left 80 MB
    # per file), refused, twice: each file adds its own 16
    for tag in (1, 2):
        data = zlib.compress(_big_statuses(tag, 300), 9)
        path = write(tmp_path, data, f"m{tag}.joblib")
        assert trusted_load(path, [own.Status]).startswith("refused")
    gc.collect()
    # today: 32 members holding 9.7 MB of text, for the process's life
    assert _kept_bytes(own.Status) < 1_000_000, _kept_bytes(own.Status)


# --- rt112-06: CLEAN_KEYS: 10,000 key sets of 8 KB ------------------------------------------------


def test_rt112_06_clean_keys_many_sets(tmp_path: Path) -> None:
    import joblib
    from sklearn.linear_model import LogisticRegression

    from safeload.trust import classes

    models = []
    for i in range(500):
        model = LogisticRegression()
        for j in range(200):  # 200 names of 40 characters: 8,000, under CLEAN_KEY_CHARS
            model.__dict__[f"a{i:06d}_{j:04d}".ljust(40, "z")] = 1
        models.append(model)
    models.append(LogisticRegression(C=float("nan")))  # refused after the keys were found clean
    path = tmp_path / "m.joblib"
    joblib.dump(models, path, compress=3)
    del models
    with kept_clean_keys() as before:
        with pytest.raises(safeload.SafeloadError, match="'C' parameter"):
            safeload.load_unsigned(path)
        gc.collect()
        kept = sum(sum(map(len, keys)) for _cls, keys in classes.CLEAN_KEYS - before)
        # today: 501 entries, 4 MB of names (5,000 models, a 3 MB file: load and scan fill all
        # 10,000 entries, 194 MB of str objects, RSS 224 -> 532 MB, all kept after both refused)
        assert kept < 1_000_000, kept


# --- rt112-07: a DIA matrix whose offsets scipy truncates: heap overflow at tocsr/toarray ---------


def _dia(n: int, offset: int) -> Any:
    import scipy.sparse as sp

    matrix = sp.dia_matrix((np.full((1, n), 7.0), np.array([0])), shape=(n, n))
    matrix.offsets = np.array([offset], dtype=np.int64)  # (as a BUILD sets it)
    return matrix


def test_rt112_07_dia_offsets_heap_overflow(tmp_path: Path) -> None:
    data = pickle.dumps(_dia(1000, 2**32), 5)
    path = write(tmp_path, data)
    assert len(data) < 9_000
    # the harm: nnz (Python) counts the diagonal 0 values, dia_tocsr (C++) reads the offset
    # cast to int32 (0: the main diagonal) and writes 1,000 values and indexes into
    # zero-length buffers: SIGSEGV / "double free or corruption" in toarray, tocsr, tocsc,
    # tocoo (offsets 2**32, 2**40, 2**62, -2**32 alike)
    plain = child(PLAIN + "model.toarray()\nprint('returned', flush=True)\n", path, cpu=20)
    # (or scipy notices the overrun afterwards, in the index pointer it just wrote past: the
    # maintainer's run of this test, as rt57-04's)
    overrun = "Last value of index pointer" in plain.output
    assert plain.loaded and (plain.crashed or overrun) and not plain.returned, plain.output
    # an honest DIA matrix (offsets inside the shape) loads
    honest = write(tmp_path, pickle.dumps(_dia(1000, 3), 5), "honest.pkl")
    assert scan_and_load(honest) == (True, "loaded")
    # today: SAFE to scan and loaded
    safe, loaded = scan_and_load(path)
    assert not safe and loaded.startswith("refused"), (safe, loaded)


# --- rt112-08: a BSR matrix whose shape is not a multiple of its blocks: uninitialised indptr ----


def _bsr(rows: int, block: int) -> Any:
    import scipy.sparse as sp

    matrix = sp.bsr_matrix(np.ones((2 * block, 2 * block)), blocksize=(block, block))
    matrix._shape = (rows, rows)  # (as its BUILD sets it; scipy's constructor refuses it)
    return matrix


_BSR_USE = (
    "csr = model.tocsr()\n"
    "print('last', int(csr.indptr[-1]), 'stored', model.nnz, flush=True)\n"
    "model.tocsc()\n"
    "print('returned', flush=True)\n"
)


def test_rt112_08_bsr_shape_not_multiple(tmp_path: Path) -> None:
    path = write(tmp_path, pickle.dumps(_bsr(17, 8), 5))
    # the harm: tocsr sizes the CSR index pointer by the shape (18 items) and bsr_tocsr fills
    # the 17 of the block rows, so its last item is np.empty's garbage (read here: 0 where 256
    # values are stored; other runs garbage values), and tocsc indexes with it: SIGSEGV (2 of
    # 3 runs at (5, 5) with (2, 2) blocks, 3 of 3 at (17, 17) with (8, 8), 3 of 3 at 129/64)
    plain = child(PLAIN + _BSR_USE, path, cpu=20)
    assert plain.loaded and not plain.returned, plain.output
    assert plain.crashed or "last 256 " not in plain.stdout, plain.output
    # an honest BSR matrix (rows a multiple of its blocks) loads
    honest = write(tmp_path, pickle.dumps(_bsr(16, 8), 5), "honest.pkl")
    assert scan_and_load(honest) == (True, "loaded")
    # today: SAFE to scan and loaded
    safe, loaded = scan_and_load(path)
    assert not safe and loaded.startswith("refused"), (safe, loaded)


# --- rt112-09: pandas CategoricalDtype keys: a hash the file chooses, compared by get_indexer ---

_M64 = (1 << 64) - 1
_MIX = (0xBF58476D1CE4E5B9, 0x94D049BB133111EB)


def _unshift(v: int, s: int) -> int:
    r = v
    for _ in range(64 // s + 1):
        r = v ^ (r >> s)
    return r & _M64


def _category_hash(x: int) -> int:
    """What pandas' ``hash_array`` and ``combine_hash_arrays`` make of one int64 category of
    an unordered CategoricalDtype (splitmix64's finaliser, then ``(0x345678 ^ h) * 1000003 +
    97531``); the dtype hashes as the XOR of its categories' (``_hash_categories``)."""
    x &= _M64
    x ^= x >> 30
    x = (x * _MIX[0]) & _M64
    x ^= x >> 27
    x = (x * _MIX[1]) & _M64
    x ^= x >> 31
    return (((0x345678 ^ x) * 1000003) + 97531) & _M64


def _category_for(h: int) -> int:
    """The int64 category whose hash is ``h`` (every step above is a bijection)."""
    x = (((h - 97531) * pow(1000003, -1, 1 << 64)) & _M64) ^ 0x345678
    x = _unshift(x, 31)
    x = (x * pow(_MIX[1], -1, 1 << 64)) & _M64
    x = _unshift(x, 27)
    x = (x * pow(_MIX[0], -1, 1 << 64)) & _M64
    x = _unshift(x, 30)
    return x - (1 << 64) if x >= 1 << 63 else x


def _categorical_keys(n: int) -> bytes:
    """A dict of ``n`` keys ``CategoricalDtype([k, y_k])``, ``y_k`` chosen so that every key
    hashes alike, pickled as pandas pickles a dtype (NEWOBJ, BUILD of its categories)."""
    import pandas as pd

    target = 0x1234567890ABCDEF

    def reduce(o: Any) -> Any:
        if type(o) is not pd.CategoricalDtype:
            return NotImplemented
        k = int(o.categories[0])
        categories = pd.Index([k, _category_for(target ^ _category_hash(k))], dtype="int64")
        return (
            copyreg.__newobj__,
            (pd.CategoricalDtype,),
            {"categories": categories, "ordered": False},
        )

    honest = {pd.CategoricalDtype(pd.Index([k, -k], dtype="int64")): 0 for k in range(1, n + 1)}
    return dumps_with(honest, reduce, 4)


def test_rt112_09_categorical_dtype_keys(tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    big = write(tmp_path, _categorical_keys(1_000), "big.pkl")
    # the harm: each comparison of two keys of one hash builds a hash table (get_indexer):
    # 1,000 keys (82 KB): plain pickle 7.5 s, load_unsigned(profiles=["pandas"]) 9.3 s; 5,000
    # keys some 190 s. Killed here at its limit
    plain = child(PLAIN, big, cpu=HANG_CPU)
    assert plain.crashed and not plain.loaded, plain.output
    data = _categorical_keys(200)
    keys = pickle.loads(data)
    assert len(keys) == 200 and len({hash(k) for k in keys}) == 1
    path = write(tmp_path, data)
    safe = safeload.scan(path, profiles=["pandas"]).safe
    try:
        safeload.load_unsigned(path, profiles=["pandas"])
        loaded = "loaded"
    except safeload.SafeloadError as exc:
        loaded = f"refused: {exc}"
    # today: SAFE to scan and loaded (the rule's limit is 32 keys of one hash)
    assert not safe and loaded.startswith("refused"), (safe, loaded[:100])


# --- rt112-10: honest 1-D and n-D coo_arrays refused by a failing unpack -------------------------


def test_rt112_10_coo_not_2d_refused(tmp_path: Path) -> None:
    import scipy.sparse as sp

    vector = np.array([0.0, 1, 0, 2, 0, 0, 3])
    honest = {
        "coo_1d": sp.coo_array(vector),
        "coo_3d": sp.coo_array(np.arange(24.0).reshape(2, 3, 4)),
        # (the same vector as a 1-D csr_array or dok_array is SAFE and loaded)
    }
    outcomes = {}
    for name, matrix in honest.items():
        data = pickle.dumps(matrix, 5)
        assert (pickle.loads(data).toarray() == matrix.toarray()).all()
        outcomes[name] = scan_and_load(write(tmp_path, data, f"{name}.pkl"))
    # today: both refused: "contains an invalid coo_array: not enough values to unpack
    # (expected 2, got 1)" / "too many values to unpack (expected 2)"
    assert all(v == (True, "loaded") for v in outcomes.values()), outcomes


# --- rt112-11: random base58 secrets of 34 or 35 bytes read as bare multicodec keys --------------

_B58 = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _base58(raw: bytes) -> bytes:
    number, out = int.from_bytes(raw, "big"), b""
    while number:
        number, digit = divmod(number, 58)
        out = _B58[digit : digit + 1] + out
    return b"1" * (len(raw) - len(raw.lstrip(b"\0"))) + out


def test_rt112_11_base58_secret_refused() -> None:
    import os

    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    # met in this session among 60,000 base58 secrets of os.urandom(33..37): the base58 of 34
    # random bytes that happen to start ed 01 (refused: "a multibase (did:key), libp2p, IPNS
    # or NEAR public key"; the same bytes as hex are accepted)
    met = b"6MkhHBhWG5972CUtww7b3Sw4oZ29kuDGU2wzuDaHqWhMuSv"
    # the refusal reads only the first two bytes and the length: 3 of the 65,536 heads of a
    # 34-byte secret (Ed25519, X25519, sr25519) and 3 of a 35-byte one (secp256k1, P-256,
    # SM2): one random base58 secret of that size in 21,845
    secrets = [met] + [
        _base58(head + os.urandom(size))
        for head, size in ((b"\xec\x01", 32), (b"\xef\x01", 32), (b"\xe7\x01", 33))
    ]
    refused = []
    for secret in secrets:
        try:
            HMACKey(secret)
        except KeyFormatError:
            refused.append(secret[:12])
    # today: all four refused (9d08015 took the multibase readings to about once in a million)
    assert not refused, refused
