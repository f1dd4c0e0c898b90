r"""Red team 115 (helper, 01:11-01:50 UTC) on ee48645..8ed8163 (the hash count and its fixes of
rt114: ``_Obj.key``, ``_SAME_VALUE``, the "number" mode, ``call_keys`` through ``_through`` and
shared copy tables, pandas Timestamp/Timedelta keys, paths of any length). Snapshot
/tmp/rt115p; run from /work/rt115 with SAFELOAD_PURE_PYTHON=1 and
PYTHONPATH=/tmp/rt115p/src:/tmp/rt115p/tests (Python 3.11.7). ee48645 (/tmp/rt114p) and
ee48645^ (/tmp/rt114old) were run for regressions. Each finding is a strict xfail asserting the
safe behaviour; the harm is shown first with plain pickle in a child under the CPU limit
(``HANG_CPU``), then with 200 keys whose hashes this process checks. Figures are process CPU
seconds measured in this session (2 busy cores), each in its own process.

Findings
--------
rt115-01 (HARM: CPU at load, quadratic, DEFAULT policy, scan SAFE; walk_values.py ``call_keys``
         / ``_through``) ``_through`` reads a ``tuple``/``list``/``set``/``frozenset`` call's
         *argument*, never what was stored into the call's result afterwards (APPENDS on a
         ``list(...)`` result, ADDITEMS on a ``set(...)`` result: kept in ``_Obj.held``), and the
         APPENDS itself is counted only when its target is a ``_Box``. So ``set(L)`` /
         ``frozenset(L)`` / ``dict(L)`` / ``defaultdict(int, L)`` with ``L = list([])`` then
         APPENDS of ``k * (2**61 - 1)`` (pairs ``(kP, 0)`` for dicts) count nothing: 40,000 keys
         (479 KB): plain pickle 8.0 s, ``scan`` SAFE after 19.0 s, ``load_unsigned`` loaded in
         10.1 s. The same gap defeats rt114-09's shared tables: ``S(i+1) = set(tuple(Si))`` (or
         ``set(list(Si))``) + ADDITEMS of 32 ints of hash 0: the ``tuple(...)`` call has no
         table to share and ``_through`` reaches ``Si``'s argument, not its ADDITEMS, so each
         table sees 32 (20 levels: 640 keys of one hash, SAFE and loaded). And ``dict(A)`` for an
         ``(n, 2)`` object array ``A`` whose rows are ``((kP, S), 0)`` (``S`` a 70-item tuple,
         past the 64 nodes an array's count reads): ``_through`` answers None and nothing is
         refused; ``scan`` says "unproven: a dict made from values the pass cannot see" but
         ``load_unsigned`` LOADS it (a scan/load disagreement): 40,000 rows (879 KB): plain
         14.8 s, ``load_unsigned`` loaded in 18.5 s. At use too: pickle's own list-items form
         (``__reduce__``'s 4th item: ``list([])`` + APPENDS) for a ``CountVectorizer``'s
         ``stop_words`` of 40,000 ints of hash 0 (480 KB): ``load_unsigned`` loads it in 1.7 s
         and every ``transform`` then takes 8.9 s (``frozenset(stop_words)``; plain pickle the
         same); the same items as a plain list are refused. The test: 200 keys in each of the 4
         call shapes, the 2 chains, ``dict(array)`` and the vectorizer: 7 SAFE and loaded, 1
         unproven and loaded.
         Present at ee48645 too. Fix: when ``_through`` meets an ``_Obj`` with ``held`` items
         (or a source it cannot read at all, such as an array), count ``held`` too, or refuse
         (a set/frozenset call of an unreadable source past 32 items, as dicts already are; a
         ``dict``/``defaultdict`` call whose source is unreadable: refuse outright, pickle
         never writes one); count APPENDS/ADDITEMS into an ``_Obj`` of ``builtins.list``/``set``
         in its own table, and let a ``tuple``/``list`` call share its source's table.
rt115-02 (HARM: CPU at load, quadratic, DEFAULT policy, scan SAFE; ``call_keys``: rt114-06's fix
         incomplete) a 2-item set given as a pair is read "both items" only when it is a ``_Box``
         (FROZENSET, EMPTY_SET + ADDITEMS); a set made by a call, ``set([8k + 1, kP])`` or
         ``frozenset([...])`` (protocol 2's own form), or wrapped in ``tuple(...)`` /
         ``list(...)``, is read by ``_through`` down to its *list*, whose first item
         (``8k + 1``) is taken as the key, while the set iterates its hash-0 item first and the
         load's key is ``kP``. 40,000 pairs ``dict([frozenset([8k+1, kP]), ...])`` (1.67 MB):
         plain pickle 8.5 s, ``scan`` SAFE after 25.2 s, ``load_unsigned`` loaded in 13.7 s.
         The test: 200 pairs by ``set``, ``frozenset``, ``tuple(set(...))``,
         ``list(frozenset(...))``: all SAFE and loaded. Present at ee48645 too. Fix: make
         ``_through`` remember that it passed a ``set``/``frozenset`` call (or a set box) and
         count every item of such a pair as a possible key.
rt115-03 (HARM: CPU at load, quadratic, DEFAULT policy, scan SAFE; _numpy_state.py
         ``_made_value``'s ``_COLLECTING`` branch) a key ``tuple(S)`` with ``S`` a set box
         (EMPTY_SET + ADDITEMS, or FROZENSET) is hashed as the tuple of ``S``'s items *in the
         order the stream wrote them*; the load's tuple has the set's iteration order (and its
         deduplication). Writing ``(b, a)`` for rt114-02's compensating pairs ``(a, b)`` (all of
         one CPython tuple hash) that a 2-item set iterates as ``(a, b)``: the pass sees 200
         hashes, the load 200 different keys of one hash. 40,000 keys (1.52 MB): plain pickle
         14.5 s, ``scan`` SAFE after 30.8 s, ``load_unsigned`` loaded in 23.3 s. The test: 200
         keys over ADDITEMS sets and over FROZENSETs: both SAFE and loaded. Present at ee48645
         too. Fix: evaluate ``tuple(x)`` only for a list or tuple ``x``; a ``tuple`` of a set or
         frozenset (box or call) makes the key an ``_OwnKey`` (32 per container), as other
         calls the pass cannot follow do (pickle never writes ``tuple(set)``).
rt115-04 (HONEST-REFUSED, regressions; _numpy_state.py ``_key_value`` / ``_stand_in``: a
         whole-key ``_codecs.encode`` call, a ``_Big`` text (one longer than 1,024 characters
         or bytes) and a numpy str/bytes scalar whose data is such a ``_Big`` are ``_UNKNOWN``,
         "a hash the file may choose", though a str or bytes hash is seeded and
         ``_text_value`` can read all three) dicts and sets of more than 32 such keys are
         refused by ``scan`` and ``load_unsigned`` ("more than 32 keys holding
         _codecs.encode / a value the pass cannot read / numpy._core.multiarray.scalar made in
         a way whose hash the pass cannot evaluate"): at protocol 2 ANY bytes key (40 keys
         ``b"k%d"``, 100 SHA-256 digests, a set of 40 bytes) and bytes of 2,000 in tuple keys;
         at protocols 2 and 5, str keys of 1,025 characters or more (1,024 load), bytes keys of
         1,028, and ``np.str_`` keys of 300 characters (1,200 bytes of UCS-4), whole or in
         tuples (what ``dict(zip(encoder.classes_, ...))`` makes of long labels). The test: 18
         files, 14 refused. At ee48645^ all 18 load. At ee48645 the protocol-2 bytes and the
         ``np.str_`` ones were refused already (rt114 tried bytes inside tuples and short
         ``np.str_`` only); the long texts and protocol-5 long bytes broke in
         a8b94ea..8ed8163. Fix: ``_key_value`` of a whole ``_codecs.encode`` key ->
         ``_text_value`` (as for an inner one) and of a whole ``_Big`` str/bytes -> its value;
         ``_stand_in`` of an immutable ``_Big`` str/bytes and of a numpy ``U``/``S`` scalar the
         pass does not build -> ``_Unseen`` (their hashes are seeded). The same rule (a value
         read only ``inner``) refuses whole ``numpy.dtype`` keys: a map of 40 dtypes ``U1`` to
         ``U40``, or of 34 common dtypes (``i1`` ... ``>c16``, ``M8[ns]``, ``O``, ``g``), to
         names (4 files, protocols 2 and 5: "more than 32 keys holding numpy.dtype made in a way
         whose hash the pass cannot evaluate"); they load at ee48645^, not at ee48645. Fix:
         answer ``sym.real`` for a whole dtype key too.

rt115-05 (CRASH: ``scan`` and ``load_unsigned`` raise SystemError, not a report / a
         SafeloadError; _numpy_state.py ``_scalar_value``, which catches only ``_NotCanonical``
         and KeyError, and walk_stream.py's "malformed stream" net, which does not list
         SystemError) a numpy ``<U1`` scalar (protocol 2's ``scalar(dtype('U1'),
         encode(raw, 'latin1'))``) whose 4 bytes are a code point past U+10FFFF makes
         ``np.frombuffer(...)[0]`` raise ``SystemError: invalid maximum character passed to
         PyUnicode_New`` inside the hash count, as a whole key, an item of a tuple key, of a
         FROZENSET, or of a plain list (the list count evaluates small items too): 4 files of
         120-126 bytes, each raising out of ``scan`` and out of ``load_unsigned``. The same scalar
         as a bare value is refused cleanly ("numpy's multiarray.scalar refuses the payload");
         plain pickle fails with the same SystemError, so there is no load harm, but a caller
         (or ``safeload scan`` in CI) that handles SafeloadError / an unsafe report gets an
         unexpected exception from a 120-byte file. Present at ee48645^ and ee48645 too. Fix:
         catch ``Exception`` around the numpy build in ``_scalar_value`` (answer ``_NO_KEY``: the
         walk's own scalar rule refuses it later), and add SystemError (or ``Exception``) to the
         "malformed stream" net. (A structured scalar with such a field: rt115-06.)

rt115-06 (CRASH: SIGSEGV of the process running ``scan`` or ``load_unsigned``; _numpy_state.py
         ``_scalar_value`` builds numpy scalars from ``np.frombuffer`` (read-only) and
         ``shared_hash_problem`` hashes them) a structured scalar key ``scalar(dtype([('a',
         '<U1'), ('b', '<i8')]), raw)`` whose ``U`` field holds the code point 0x110000: the
         pass's read-only ``np.void`` is hashable, and numpy's void hash reads the bad field and
         segfaults (numpy 2.4; ``hash(np.frombuffer(raw, dt, count=1)[0])`` alone crashes). The
         load's own scalar is a writeable copy, which numpy refuses to hash: plain pickle raises
         ``TypeError: unhashable type: 'writeable void-scalar'``. A 232-byte file (protocol 2,
         nothing trusted) kills ``scan`` and ``load_unsigned`` (returncode -11, a "Fatal Python
         error: Segmentation fault"): a scanning service or CI job dies instead of reporting.
         The same scalar as an item of a tuple key, or merely of a plain list (the list count
         evaluates small items), crashes both as well (4 more runs); and as the one item of an
         object array (418 bytes), which plain pickle LOADS without error (nothing hashes it),
         the object-array count segfaults ``scan`` and ``load_unsigned`` too. As a bare value
         it is SAFE and loads. The test: the key file and the array file, 4 child runs.
         Present at ee48645^ and ee48645 too. (rt115-05 is the same scalar path raising.) Fix:
         never hash a structured (``V``) scalar in the pass: a void the load makes is writeable
         and unhashable, so answer ``_NO_KEY`` for ``dt.names is not None`` / ``dt.kind == "V"``
         (the load then fails cleanly, as plain pickle does); and validate ``U`` data (every
         4-byte unit <= 0x10FFFF) before building any scalar or array of it in the pass.

Ported by the maintainer (b61efeb and the next commit)
-----------------------------------------------------
All six are fixed; their tests now assert the safe behaviour (6 strict xfails removed).
* rt115-01: ``_through`` takes what the stream stored into a collecting call's result
  (``held``); APPENDS into a list a call made are counted as a list's items; a set or dict
  made by a call on values the pass cannot read is refused.
* rt115-02: a pair through a ``set``/``frozenset`` call counts both items.
* rt115-03: ``tuple(S)`` of a set counts as one hash per key.
* rt115-04: protocol 2's bytes, long texts and bytes stand in as seeded (``_Unseen``); a long
  ``np.str_`` is read; a checked dtype is its real dtype as a whole key too.
* rt115-05/06: ``_scalar_value`` builds numbers, booleans, datetimes and texts only (never a
  structured scalar), checks a text's code points first, and answers nothing when numpy
  raises; SystemError is a malformed stream. The object-array file loads, as with plain
  pickle (nothing hashes its item): its test expects that now.

Held (tried, no finding)
------------------------
* ``_Obj.key`` staleness: a UUID keyed by its BUILD's ``{"int": k}`` (memoised through a list
  and a frozenset) then given a second BUILD ``{"int": k * (2**61 - 1)}`` (200 keys, 2 files):
  refused ("a second BUILD on what uuid.UUID makes", "BUILD on an object that a call argument or
  a dict key already holds"). (read) own-class keys are recomputed before the memo is read;
  ``_DTYPE``/``CODECS_ENCODE``/seeded ``_BUILT`` values memoised in an inner context and then
  read as whole keys are the real values (more exact, not less); a value computed with
  ``whole=False`` is memoised only when every item was read, as with ``whole=True``.
* NaN-like values: 200 separate ``scalar(dtype('M8[ns]'), NaT)`` keys and 200 separate
  ``np.float64(nan)`` keys: the pass builds each and they hash by identity on both sides (SAFE;
  200 hashes at load too: no harm). A structured ``np.void`` key of valid data: the pass's
  read-only scalar hashes, the load's is a "writeable void-scalar" and unhashable (the load
  fails at once, as plain pickle does; with a bad ``U`` field: rt115-06).
* The values the pass builds to hash, fuzzed in a child: ``np.frombuffer(raw, dt)[0]`` for 24
  dtypes (datetime64/timedelta64 of 9 units, bool, float16, complex64, ``U2``, ``S3``, 9
  structured ones) x 305 raw values (extremes and random), through ``hash``, ``repr`` and
  ``==``: only structured dtypes with a ``U`` field crash (rt115-06), ``U`` alone raises
  SystemError (rt115-05). The pandas profile's checked ``_unpickle_timestamp`` /
  ``_timedelta_unpickle`` for 4 resolutions x 314 int64 values (extremes, datetime's bounds,
  random): all build and hash. ``date``/``datetime``/``time`` from 20,000 random byte states
  (4 tzinfos): they build and hash, or raise TypeError/ValueError (the net's "malformed
  stream"; the load raises the same), never crash. Arrays of ``U1`` and of the structured
  dtype holding 0x110000 (protocols 2 and 5, 4 files): the pass builds no items of them; SAFE
  and loaded, as plain. 6,800 byte-mutated protocol-2 pickles of structured / ``U3`` /
  nested dtypes, arrays and dtype-keyed dicts through ``scan`` (one child per 3,000): no
  exception out of ``scan``, no crash.
* ``_reconstructor`` variants: ``_codecs.encode`` with 5 other codecs (refused: "latin-1 spelled
  'latin1' only"); NEWOBJ_EX with keyword arguments on a trusted namedtuple (refused: "no
  allowlisted class is pickled with them"); ``_reconstructor(dict, dict, D)`` + SETITEMS: 64
  keys of one hash (32 + 32, bounded), and chained 20 deep: refused ("on a value made by a
  call"); ``_reconstructor(set|frozenset, set|frozenset, L)`` over 200 ``(kP, S)`` items (4
  files): the load fails ("X is not a type object": set and frozenset are handed out as
  functions). Python 2 names (``__builtin__.set``/``frozenset``, ``copy_reg._reconstructor`` on
  ``__builtin__.int``; 5 files): mapped, counted and refused like the Python 3 names.
  ``np.longdouble`` keys ``1 + k * 2**-60`` (200 keys of 2 hashes, and ``clongdouble``; 3
  files): built and refused. ``fractions.Fraction``
  keys: never allowed. No number constant is an allowed global (``numpy.pi``/``e``/``inf``/
  ``nan``/``euler_gamma``, ``math.pi``, ``datetime.MINYEAR``/``MAXYEAR``, ``sys.maxsize``: 9
  names), so no ``_SameHash("global")`` stands for a chosen number.
* A key ``tuple(L)`` (or ``tuple(S)``) evaluated while ``L`` held the compensating pair
  ``(a, b)``, then APPENDS / ADDITEMS on ``L`` so that the pass would read three items: refused
  ("APPEND changes a list after it was handed to a call or BUILD"; 200 keys, 2 files).
* ``dict(pairs)`` with pairs the pass cannot read (dicts, 2-character texts, 17-deep
  ``tuple`` calls): counted as unread, refused past 32 (read).
* ``call_keys`` depth: ``set(tuple(...(L)))`` 16 and 17 calls deep over 200 ``(kP, S)`` items:
  refused by the reuse charge (each copy charged); one level: refused by the count.
  NEWOBJ / NEWOBJ_EX on ``frozenset`` with a list argument (4 files): refused ("hands out as a
  function"), or by the list's own count.
* ``set(A)`` / ``frozenset(A)`` / ``set(list(A))`` of an object array: refused at load ("built
  from a list, tuple, set or string only"); ``Counter(L)``, ``Counter(tuple(L))``: refused
  ("built from a plain dict only"). MultiLabelBinarizer ``classes_`` of 200 ``(kP, S)`` tuples
  (hashed at transform): refused ("classes_ is an object array holding arrays or objects").
* ``_hash_mode`` over every class the default policy and the 6 profiles allow that has a
  ``__hash__`` of its own and is not in ``EVALUATED_KEYS`` (28): 22 number classes answer
  "number" (``int``, ``float``, ``bool``, 19 numpy scalar types incl. ``longdouble``,
  ``datetime64``, ``object_``), ``CategoricalDtype``/``StringDtype`` "opaque", and only
  ``str``, ``bytes``, ``np.str_``, ``np.bytes_`` None (seeded hashes): no class stands in as
  ``_Unseen`` while a file chooses its hash.
* Paths of many parts in keys (``_built_value`` builds a path for each tuple key): 50 keys
  ``(PurePosixPath(*20,000 memoised "a"), i)``, 2.0 MB: plain pickle 0.3 s, ``scan`` 3.3 s,
  ``load_unsigned`` 4.6 s, both refusing ("a path of 20,000 parts (at most 256)"); linear (3 us
  a part), charged by the budget.
* (read) ``_SEEDED`` "datetime"/"time": an aware datetime's hash is NOT seeded (CPython hashes
  the UTC ``timedelta``'s ``(days, seconds, us)`` tuple), and a whole-key aware datetime is
  skipped as ``_Unseen``; but distinct keys are distinct UTC instants, and bounded days,
  seconds and microseconds leave no tuple-hash multicollision to find (about 2**58 triples in
  a 2**64 space; the third lane would have to be solved into [0, 10**6)). Worth a comment.
* Realistic fitted models and bundles, protocols 2 and 5 (22 files): CountVectorizer with 59
  stop words, TfidfVectorizer (1-2 grams), DictVectorizer (350 features), OneHotEncoder and
  OrdinalEncoder on 80 + 45 text categories, LabelEncoder, MultiLabelBinarizer, a
  ColumnTransformer + LogisticRegression pipeline on a DataFrame (pandas profile), a dict
  bundle of it with a 100-class map and a 500-token vocabulary, ``groupby().mean().to_dict()``
  and a ``(str, Timestamp)`` MultiIndex ``to_dict()``: all SAFE and loaded.
  ``_pydecimal.Decimal`` keys (plain pickle: 100,000 ``(D, i)`` keys over one 4,299-digit
  ``D`` took 38.8 s, ``_pydecimal`` hashing ``int(D._int)`` each time): not allowed by default;
  with ``decimal.Decimal`` the reuse charge refuses the same shape.
* Honest keys, with the pandas profile where pandas, protocols 2 and 5 (74 files):
  ``Series.to_dict()`` of daily, hourly and nanosecond DatetimeIndexes, MultiIndex
  ``(Timestamp, str)`` tuples, Timedeltas (minutes, nanoseconds), Timestamps before 1678 and in
  seconds, Timestamps near 2**62 ns, datetime64, ``(np.int64, str)``, float32/float64 scalars,
  floats, mixed tuples, aware datetimes, frozensets, ``(frozenset, i)``, an int set, deep paths
  (as keys, and 2,000 ``(40-part path, i)`` keys), Decimals, complexes, short ``np.str_``,
  ``(np.bool_, i)``, ``np.int64``, Counter, OrderedDict, defaultdict, 5,000 ``(date, i)`` keys,
  3,000 ``(60-tuple, i)`` keys, 50 sets of 40 ``(5,000-char text, i)``, ``(text of up to
  50,000 characters, i)`` tuples, 1-tuples and frozensets of long texts, texts of up to 1,024
  characters as keys: all SAFE and loaded. Refused, but not by the count (the load refuses the
  objects themselves): tz-aware Timestamp keys ("a Timestamp with a frequency or a time zone
  (not reviewed)") and NaT (``_nat_unpickle`` not reviewed); 2,000 keys ``(one memoised
  20,000-char text, i)``: the reuse charge ("reuse memoised values so often ..."), unchanged
  with ``_text_value``'s charge removed (a str hash is cached: arguably an honest refusal of
  the reuse charge, outside this brief).
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safeload
from redteam import (
    HANG_CPU,
    LOAD_UNSIGNED,
    P61,
    PLAIN,
    SCAN,
    assert_one_hash,
    child,
    global_,
    long1,
    reduce_call,
    scan_and_load,
    write,
)

pytestmark = pytest.mark.filterwarnings("ignore")


# --- rt115-01: call_keys reads a source's arguments, not what was stored into it after -------


def _held_keys(n: int, kind: str) -> bytes:
    """``kind(L)`` where ``L = list([])`` (a call's result) then APPENDS ``n`` ints ``k * (2**61
    - 1)`` (pairs ``(k * (2**61 - 1), 0)`` for a dict): ``_through(L)`` reads ``list``'s
    argument, the empty list, and nothing counts the appended items (nor does the APPENDS: its
    target is no ``_Box``)."""
    src = reduce_call("builtins", "list", b"]")
    if kind in ("dict", "defaultdict"):
        src += b"(" + b"".join(b"(" + long1(k * P61) + b"K\x00t" for k in range(1, n + 1)) + b"e"
    else:
        src += b"(" + b"".join(long1(k * P61) for k in range(1, n + 1)) + b"e"
    if kind == "defaultdict":
        body = reduce_call("collections", "defaultdict", global_("builtins", "int") + src)
    else:
        body = reduce_call("builtins", kind, src)
    return b"\x80\x04" + body + b"."


def _wrapped_chain(levels: int, wrap: str) -> bytes:
    """``S0 = set()``, ``S(i+1) = set(wrap(Si))`` + ADDITEMS of 32 ints ``k * (2**61 - 1)``:
    ``_through`` reads ``Si``'s argument (not its ADDITEMS) and ``wrap(Si)`` has no table to
    share, so each table counts 32; the last set holds ``32 * levels``."""
    k = 0
    out = b"\x8f"
    for _ in range(levels):
        out = reduce_call("builtins", "set", reduce_call("builtins", wrap, out)) + b"("
        for _ in range(32):
            k += 1
            out += long1(k * P61)
        out += b"\x90"
    return b"\x80\x04" + out + b"."


class _Reduce:
    def __init__(self, f: Any, a: Any) -> None:
        self.f, self.a = f, a

    def __reduce__(self) -> Any:
        return self.f, (self.a,)


def _array_dict(n: int) -> bytes:
    """``dict(A)``, ``A`` an ``(n, 2)`` object array whose rows are ``((k * (2**61 - 1), S),
    0)`` (``S`` one 70-item tuple: past the 64 nodes an array's count reads)."""
    s = tuple([1] * 70)
    rows = np.empty((n, 2), dtype=object)
    for k in range(n):
        rows[k, 0] = ((k + 1) * P61, s)
        rows[k, 1] = 0
    return pickle.dumps(_Reduce(dict, rows), 2)


class _ListItems:
    """A list pickled as pickle writes ``__reduce__``'s list items: ``list([])`` (REDUCE) then
    APPENDS of ``items``."""

    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def __reduce__(self) -> Any:
        return list, ([],), None, iter(self.items)


def _vectorizer(n: int) -> bytes:
    """A fitted ``CountVectorizer`` whose ``stop_words`` is ``list([])`` + APPENDS of ``n`` ints
    ``k * (2**61 - 1)``: every ``transform`` builds ``frozenset(stop_words)`` (rt109-11)."""
    from sklearn.feature_extraction.text import CountVectorizer

    model = CountVectorizer().fit(["alpha beta gamma", "beta gamma delta"])
    model.stop_words = _ListItems([k * P61 for k in range(1, n + 1)])
    return pickle.dumps(model, 4)


def test_rt115_01_held_items_of_a_source(tmp_path: Path) -> None:
    big = write(tmp_path, _held_keys(40_000, "set"), "big.pkl")
    # the harm: 40,000 ints of hash 0 (479 KB): plain pickle 8.0 s, scan SAFE after 19.0 s,
    # load_unsigned loaded in 10.1 s; killed here at the limit
    plain = child(PLAIN, big, cpu=HANG_CPU)
    assert plain.crashed and not plain.loaded, plain.output
    outcomes = {}
    for kind in ("set", "frozenset", "dict", "defaultdict"):
        data = _held_keys(200, kind)
        assert_one_hash(data, 200)
        outcomes[kind] = scan_and_load(write(tmp_path, data, f"{kind}.pkl"))
    for wrap in ("tuple", "list"):
        data = _wrapped_chain(20, wrap)
        assert_one_hash(data, 640)
        outcomes[f"chain_{wrap}"] = scan_and_load(write(tmp_path, data, f"chain_{wrap}.pkl"))
    data = _array_dict(200)
    assert_one_hash(data, 200)
    outcomes["array_dict"] = scan_and_load(write(tmp_path, data, "array_dict.pkl"))
    data = _vectorizer(200)
    words = pickle.loads(data).stop_words
    assert len(set(words)) == 200 and len({hash(w) for w in words}) == 1
    outcomes["vectorizer"] = scan_and_load(write(tmp_path, data, "vectorizer.pkl"))
    # today: the seven SAFE and loaded; dict(array): scan "unproven" but load_unsigned loads it
    assert all(v.startswith("refused") for _, v in outcomes.values()), outcomes
    assert not any(s for s, _ in outcomes.values()), outcomes


# --- rt115-02: a pair made by set([...]) / frozenset([...]) is read through to its list --------


def _called_set_pairs(n: int, shape: str) -> bytes:
    """``dict([shape([8k + 1, k * (2**61 - 1)]), ...])``: the set iterates its hash-0 item
    first, so the load's key is ``kP`` (one hash for all); ``_through`` reads the list the
    call was given and takes its first item, ``8k + 1``."""
    out = b""
    for k in range(1, n + 1):
        listed = b"(" + long1(8 * k + 1) + long1(k * P61) + b"l"
        if shape == "set":
            out += reduce_call("builtins", "set", listed)
        elif shape == "frozenset":
            out += reduce_call("builtins", "frozenset", listed)
        elif shape == "tuple_set":
            out += reduce_call("builtins", "tuple", reduce_call("builtins", "set", listed))
        else:  # list_frozenset
            out += reduce_call("builtins", "list", reduce_call("builtins", "frozenset", listed))
    body = b"(" + out + b"l"
    return b"\x80\x04" + reduce_call("builtins", "dict", body) + b"."


def test_rt115_02_called_set_pairs(tmp_path: Path) -> None:
    big = write(tmp_path, _called_set_pairs(40_000, "frozenset"), "big.pkl")
    # the harm: 40,000 keys of hash 0 (1.67 MB): plain pickle 8.5 s, scan SAFE after 25.2 s,
    # load_unsigned loaded in 13.7 s; killed here at the limit
    plain = child(PLAIN, big, cpu=HANG_CPU)
    assert plain.crashed and not plain.loaded, plain.output
    outcomes = {}
    for shape in ("set", "frozenset", "tuple_set", "list_frozenset"):
        data = _called_set_pairs(200, shape)
        assert_one_hash(data, 200)
        assert set(pickle.loads(data)) == {k * P61 for k in range(1, 201)}
        outcomes[shape] = scan_and_load(write(tmp_path, data, f"{shape}.pkl"))
    # today: all four SAFE and loaded
    assert all(not s and v.startswith("refused") for s, v in outcomes.values()), outcomes


# --- rt115-03: tuple(a set) as a key is hashed in the order the stream wrote ------------------

_M64 = (1 << 64) - 1
_XX1, _XX2, _XX5 = 11400714785074694791, 14029467366897019727, 2870177450012600261


def _rotl31(x: int) -> int:
    return ((x << 31) | (x >> 33)) & _M64


def _compensating_pairs(n: int) -> list[tuple[int, int]]:
    """``n`` pairs ``(a, b)``, ``a`` = 1, 2, ..., whose CPython 3.11+ tuple hashes (xxHash
    lanes) are one value: ``b`` is solved for the second lane (rt114-02's helper)."""
    inverse = pow(_XX2, -1, 1 << 64)
    pairs: list[tuple[int, int]] = []
    a = 0
    while len(pairs) < n:
        a += 1
        first = (_rotl31((_XX5 + a * _XX2) & _M64) * _XX1) & _M64
        lane = ((12345 - first) * inverse) & _M64
        if lane < P61:
            b = lane
        elif lane > (1 << 64) - P61:
            b = lane - (1 << 64)
        else:
            continue
        if b != -1:
            pairs.append((a, b))
    return pairs


def _ordered_pairs(n: int) -> list[tuple[int, int]]:
    """Those of :func:`_compensating_pairs` that a 2-item set iterates as ``(a, b)``."""
    out = []
    for a, b in _compensating_pairs(4 * n + 50):
        if tuple({b, a}) == (a, b) and tuple(frozenset((b, a))) == (a, b):
            out.append((a, b))
        if len(out) == n:
            break
    return out


def _tuple_of_set_keys(n: int, shape: str) -> bytes:
    """``{tuple(S): 0}``, ``S`` a 2-item set written ``(b, a)`` (EMPTY_SET + ADDITEMS, or
    FROZENSET): the load's key is ``(a, b)`` (the set's order), all of one hash; the pass
    hashes ``(b, a)``, the stream's order (``_made_value``'s ``_COLLECTING`` branch)."""
    body = b""
    for a, b in _ordered_pairs(n):
        if shape == "set":
            s = b"\x8f(" + long1(b) + long1(a) + b"\x90"
        else:
            s = b"(" + long1(b) + long1(a) + b"\x91"
        body += reduce_call("builtins", "tuple", s) + b"K\x00"
    return b"\x80\x04}(" + body + b"u."


def test_rt115_03_tuple_of_set_keys(tmp_path: Path) -> None:
    big = write(tmp_path, _tuple_of_set_keys(40_000, "frozenset"), "big.pkl")
    # the harm: 40,000 keys of one hash (1.52 MB): figures in the docstring; killed here at
    # the limit
    plain = child(PLAIN, big, cpu=HANG_CPU)
    assert plain.crashed and not plain.loaded, plain.output
    outcomes = {}
    for shape in ("set", "frozenset"):
        data = _tuple_of_set_keys(200, shape)
        assert_one_hash(data, 200)
        outcomes[shape] = scan_and_load(write(tmp_path, data, f"{shape}.pkl"))
    # today: both SAFE and loaded
    assert all(not s and v.startswith("refused") for s, v in outcomes.values()), outcomes


# --- rt115-04: honest bytes keys (protocol 2) and long text keys count as unreadable ----------


def _honest_text_keys() -> dict[str, Any]:
    """Honest dicts of text and bytes keys whose hashes no file chooses (seeded)."""
    import hashlib

    return {
        "short_bytes": {b"k%d" % i: i for i in range(40)},
        "digests": {hashlib.sha256(b"%d" % i).digest(): i for i in range(100)},
        "long_texts": {"x" * 1021 + f"{i:04d}": i for i in range(40)},
        "np_str": {np.str_("x" * 300 + f"{i:04d}"): i for i in range(40)},
        "np_str_tuples": {(np.str_("x" * 300 + f"{i:04d}"), i): i for i in range(40)},
        "long_bytes": {b"x" * 1024 + b"%04d" % i: i for i in range(40)},
        "bytes_set": {b"k%d" % i for i in range(40)},
        "long_bytes_tuples": {(b"x" * 2000 + b"%04d" % i, i): i for i in range(40)},
        # (not text, but the same "evaluated only inside a tuple" rule: a dtype -> name map)
        "dtype_keys": {np.dtype(f"U{i}"): i for i in range(1, 41)},
    }


def test_rt115_04_honest_text_keys(tmp_path: Path) -> None:
    outcomes = {}
    for name, obj in _honest_text_keys().items():
        for proto in (2, 5):
            path = write(tmp_path, pickle.dumps(obj, proto), f"{name}_{proto}.pkl")
            outcomes[f"{name}_{proto}"] = scan_and_load(path)
    refused = {k: v for k, v in outcomes.items() if v != (True, "loaded")}
    # today: refused by both ("more than 32 keys holding _codecs.encode / a value the pass
    # cannot read / numpy._core.multiarray.scalar made in a way whose hash the pass cannot
    # evaluate"): short_bytes, digests, bytes_set and long_bytes_tuples at protocol 2;
    # long_texts, long_bytes, np_str, np_str_tuples and dtype_keys at 2 and 5 (14 of 18)
    assert not refused, refused


# --- rt115-05: a numpy str scalar past U+10FFFF raises SystemError out of scan and load -------


def _bad_str_scalar() -> bytes:
    """Protocol 2's ``scalar(dtype('<U1'), encode(raw, 'latin1'))`` (no PROTO/STOP) with the
    code point 0x110000: numpy's scalar raises SystemError building it."""
    import pickletools

    good = pickletools.optimize(pickle.dumps(np.str_("a"), 2))
    raw = b"\x00\x00\x11\x00"
    bad = good.replace(
        b"X\x04\x00\x00\x00a\x00\x00\x00", b"X" + len(raw).to_bytes(4, "little") + raw
    )
    assert bad != good
    return bad[2:-1]


def _bad_scalar_files() -> dict[str, bytes]:
    body = _bad_str_scalar()
    return {
        "tuple_key": b"\x80\x02}(" + body + b"K\x00\x86K\x00u.",
        "whole_key": b"\x80\x02}(" + body + b"K\x00u.",
        "frozenset": b"\x80\x02(" + body + b"\x91.",
        "list_item": b"\x80\x02(" + body + b"l.",
    }


def test_rt115_05_bad_str_scalar_raises(tmp_path: Path) -> None:
    files = _bad_scalar_files()
    with pytest.raises(SystemError):
        pickle.loads(files["whole_key"])  # (plain pickle fails the same way: no load harm)
    outcomes = {}
    for name, data in files.items():
        path = write(tmp_path, data, f"{name}.pkl")
        try:
            scanned = f"safe={safeload.scan(data).safe}"
        except Exception as exc:  # (today: SystemError, out of scan)
            scanned = f"raised {type(exc).__name__}"
        try:
            safeload.load_unsigned(path)
            loaded = "loaded"
        except safeload.SafeloadError:
            loaded = "refused"
        except Exception as exc:  # (today: SystemError, not a SafeloadError)
            loaded = f"raised {type(exc).__name__}"
        outcomes[name] = (scanned, loaded)
    # today: all four ('raised SystemError', 'raised SystemError'); the bare scalar is refused
    # ("numpy's multiarray.scalar refuses the payload")
    assert all(o == ("safe=False", "refused") for o in outcomes.values()), outcomes


# --- rt115-06: a structured scalar key with such a str field segfaults scan and load -----------


def _bad_void_key() -> bytes:
    """``{scalar(dtype([('a', '<U1'), ('b', '<i8')]), raw): 0}`` with field ``a`` the code
    point 0x110000 (protocol 2, 232 bytes): the pass builds a read-only ``np.void`` (from
    ``np.frombuffer``) and hashes it; numpy's void hash reads the bad field and crashes."""
    import pickletools

    dt = np.dtype([("a", "<U1"), ("b", "<i8")])
    good = pickletools.optimize(pickle.dumps(np.zeros(1, dtype=dt)[0], 2))
    raw = ("\x00\x00\x11\x00" + "\x00" * 8).encode()
    old = b"X\x0c\x00\x00\x00" + b"\x00" * 12
    assert old in good
    bad = good.replace(old, b"X" + len(raw).to_bytes(4, "little") + raw)
    return b"\x80\x02}(" + bad[2:-1] + b"K\x00u."


def _bad_void_array() -> bytes:
    """A 1-item object array (protocol 2) whose item is :func:`_bad_void_key`'s scalar: plain
    pickle loads it (nothing hashes it), and the pass's object-array count hashes the item."""
    body = _bad_void_key()[4:-4]
    cells = np.empty(1, dtype=object)
    cells[0] = 12345678
    data = pickle.dumps(cells, 2)
    marker = b"J" + (12345678).to_bytes(4, "little")
    assert marker in data
    return data.replace(marker, body)


def test_rt115_06_void_key_segfault(tmp_path: Path) -> None:
    key = write(tmp_path, _bad_void_key(), "key.pkl")
    cells = write(tmp_path, _bad_void_array(), "cells.pkl")
    # plain pickle fails cleanly on the key (the load's void scalar is writeable, so
    # unhashable) and loads the array
    plain = child(PLAIN, key, cpu=5)
    assert plain.returncode == 1 and "unhashable type" in plain.output, plain.output
    assert child(PLAIN, cells, cpu=5).loaded
    runs = {
        (name, what): child(program, path, cpu=5)
        for name, path in (("key", key), ("cells", cells))
        for what, program in (("scan", SCAN), ("load", LOAD_UNSIGNED))
    }
    # today: all four killed by SIGSEGV (returncode -11), nothing printed
    assert not any(run.crashed for run in runs.values()), runs
    # (the array loads, as with plain pickle: nothing hashes its item)
    assert all(
        ("verdict" if what == "scan" else "refused" if name == "key" else "loaded") in run.stdout
        for (name, what), run in runs.items()
    ), runs
