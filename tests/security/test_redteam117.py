r"""Red team 117 (helper, 03:15-04:10 UTC) on the hash count as patched after rt116 (177ff4d).
Snapshot /tmp/rt117p; run from /work/rt117 with SAFELOAD_PURE_PYTHON=1 and
PYTHONPATH=/tmp/rt117p/src:/tmp/rt117p/tests (Python 3.11.7, numpy 2.4.6, scikit-learn 1.9.1,
pandas 3.1.1). Each finding is a strict xfail asserting the safe behaviour; where there is harm
it is shown first in a child under a CPU limit. Figures are process CPU seconds measured in
this session, each in its own process.

Findings
--------
rt117-01 (HARM: CPU at use, quadratic, every transform; DEFAULT policy; load_unsigned LOADS,
         scan SAFE at 200 and "unproven" at scale: a scan/load disagreement too; _numpy_state.py
         ``_afford`` / ``shared_hash_problem`` with ``whole=False``: a list's item "larger than
         64 nodes" is skipped, and the nodes counted are the *symbol's*, not the value's) a
         ``frozenset([None] * 70)`` (REDUCE on a list of 70 NONEs, or FROZENSET of 70 NONEs) is
         72 symbol nodes but one item at load (repr ``frozenset({None})``, so the printer's
         budget does not bound it either). A ``CountVectorizer`` (or ``TfidfVectorizer``,
         ``HashingVectorizer``) whose ``stop_words`` is a list of ``(k * (2**61 - 1), F)``
         (``F`` one memoised such frozenset) passes the list count; scikit-learn builds
         ``frozenset(stop_words)`` in ``_check_stop_list`` at every transform: 36,000 items
         (576 KB): plain pickle loads in 1.1 s, each ``transform`` 13.7 s; ``load_unsigned``
         loads it in 3.6 s and ``transform`` takes 13.7 s (HashingVectorizer: load 3.4 s,
         transform 13.6 s). An unfitted vectorizer whose ``vocabulary`` is such a list (one
         frozenset per item: the vocabulary rule refuses a shared one) is made a dict by
         ``_validate_vocabulary`` at transform: 36,000 items (3.4 MB) load_unsigned 11.5 s, then
         transform 18.3 s (plain 12.6 s). 40,000 items go past the printer's 10,000,000 units;
         without the trick the printer bounds it (66-int tuples: 3,300 items, transform 3.4 s;
         a shared 70-tuple: refused past ~5,000). The test: 200 items as stop words and as a
         vocabulary, protocols 2 and 5 (and joblib raw/zlib, protocol 0: SAFE and loaded): all
         four SAFE and loaded. Fix: measure the 64 on the value a list item will be (a
         frozenset's distinct items, or the folded value), or count every list item whose
         hash the file may choose (a tuple or frozenset of any size) with ``whole=True`` where
         a parameter the class hashes at use holds it (stop_words, vocabulary), or refuse a
         ``stop_words``/``vocabulary`` list holding anything but texts (fit stores texts).
rt117-02 (HONEST-REFUSED, MEDIUM; _numpy_state.py ``_Unseen.__hash__``: every item that
         stands in as ``_Unseen`` hashes as one value per class) a tuple or frozenset key holding
         an object hashed by identity (an estimator) or an enum member counts as one hash with
         every key of the same other items, though the load's keys hash apart (a member by its
         seeded name, an object by its address): a Markov transition table ``{(a, b): p}`` over
         a 6-state trusted Enum (36 keys), ``{(Country.X, 2024): v}`` for 60 members,
         ``{frozenset({member}): i}`` and ``{(StandardScaler(), "test"): score}`` for 40
         estimators (default policy) are refused by ``scan`` and ``load_unsigned`` ("more
         than 32 different keys of one hash value", which is false: 36/60/40 hashes). The test:
         4 shapes x protocols 2 and 5: all 8 refused. Fix: hash an ``_Unseen`` by its ident
         where the class hashes by identity (``object.__hash__``: distinct objects, unknowable
         hashes) and, for an enum member made by value, by ``(class, value constant)``; keep the
         class-wide hash only for a seeded class the pass could not build (two such objects may
         be equal at load).
rt117-03 (HARM: CPU in the pass, quadratic in file size; scan and load_unsigned; _numpy_state.py
         ``shared_hash_problem``: ``hash(value)`` per item, uncharged where ``whole=False``; and
         pickle/walk_stream.py's inline BINGET, which skips ``refetched`` for a constant that is
         not a str, so a memoised big int fetched again is charged nothing) a
         list (or a tuple of more than 32 items, or a list of 1-tuples ``(B,)``) of memo
         references to one big int ``B``: the list count hashes ``B`` once per reference (an int
         caches no hash), before the unfold bound refuses the file at the end. 1 MB int and
         20,000 references (1.04 MB): plain pickle 0.001 s, ``scan`` 9.1 s, ``load_unsigned``
         9.0 s (cProfile: 12.7 s of 13.4 s in ``builtins.hash``, 20,000 calls); 2 MB and 40,000
         (2.08 MB): scan 36.0 s, load 35.7 s; list of 10,000 ``(B,)``: scan 4.7 s; a list of
         20,000 references to ``range(B, B + 1)`` (2.04 MB; rt117-05's range, charged one node
         by the unfold bound): scan 9.4 s, load 10.1 s, then refused for the repr (also as an
         estimator's extra attribute: 9.5 s); ``set(list)``/
         ``dict(list)`` of the refs: 4.6 s before "call arguments that share one container". The
         test: 600 KB x 12,000 as a list and as 1-tuples: ``scan`` in a child killed at 1 s CPU
         (plain pickle loads each in a millisecond). The same 1 MB x 20,000 list written with
         LONG_BINGET (or GET) instead of BINGET is refused in 0.0 s ("calls, dict keys and memo
         references that reuse memoised values"): ``refetched`` charges an int one unit per 16
         bytes on the general path only; with MEMOIZE, BINPUT or LONG_BINPUT and BINGET: 8.9 to
         9.1 s each. Fix: call ``refetched`` on the BINGET fast path for an int constant longer
         than a few words (as GET and LONG_BINGET do), and charge the hash of an int (its size /
         ``BYTES_PER_NODE``) to the budget in ``shared_hash_problem`` for ``whole=False`` too
         (or keep each symbol's hash once computed: the count need not re-read it).
rt117-04 (HONEST-REFUSED, LOW; ``SHARED_HASH_LIMIT`` is a count of values per hash, not a cost)
         ``2**k`` hashes as ``2**(k % 61)`` and ``2.0**k`` likewise, so 2,100 bit masks ``{1 << k:
         name}``, every float power of two (2,098 keys), a set of the masks, and the same values
         as a plain list or an object array (which nothing hashes at load) hold 35 values per
         hash and are refused ("more than 32 different keys of one hash value") by scan and
         load; plain pickle's cost of 35 per bucket is nothing. The test: 5 shapes x protocols
         2 and 5: all 10 refused. Fix: bound the comparisons (sum over hashes of n**2 / 2)
         against the budget, with 32 only as the per-hash cap for values a file can multiply
         (or at least do not count list items against 32).
rt117-05 (HARM: CPU at load, scan SAFE; pickle/costs.py ``_opened``: a ``range`` counts its
         items, never its bounds' digits; ``shared_hash_problem`` re-hashes it) ``R = range(B, B
         + 1)`` with ``B`` an int of 1 MB, memoised and stored as a dict key 20,000 times
         (SETITEMS: one key, hashed at each store; ``hash(range)`` is ``hash((1, B, None))`` and
         a range caches no hash) or as 20,000 keys ``(R, i)``: 2.08 MB, plain pickle 8.9 s,
         ``scan`` SAFE after 13.0 s (``builtins.hash`` 3.5 s and ``_range_items`` 1.5 s per
         10,000 at 500 KB), ``load_unsigned`` spent 22.8 s and then refused for the repr of the
         bounds ("Nothing was returned"); ``(R, i)`` keys (2.20 MB): plain 9.2 s, scan SAFE in
         13.9 s, load 23.7 s. The same shape with ``_reconstructor(int, int, B)`` or a UUID of
         ``{"int": B}`` is charged and refused in 0.2 s. As 5,000 set items of 300 KB bounds
         (ADDITEMS, FROZENSET, ``set(list)``) scan says unsafe for the repr, after 2.3-4.6 s.
         The test: 300 KB bounds, 5,000 stores and 5,000 ``(R, i)`` keys (620/650 KB): both
         SAFE. Fix: a range counts its bounds' size too (``const_nodes`` of start, stop, step),
         memoised like the other containers.
rt117-06 (HONEST-REFUSED, MEDIUM; _numpy_state.py ``_text_value``, called through
         ``_collected`` for every tuple or frozenset key or list item: a text longer than the
         1,024 characters the pass folds (a ``_Big``) is charged its whole length at every
         reference, though the load hashes it once, a str caching its hash) a query cache
         ``{(sql, i): result}`` with one 1,264-character SQL text shared by 200 keys (3.0 KB),
         the same pairs as a list or a set, and a set of frozensets ``{sql, i}`` are refused by
         ``scan`` and ``load_unsigned``: "limit: constant folding needs more than 105,280 units
         of work for this stream (values shared through the memo expand exponentially)". The
         threshold: 1,000 characters shared 1,000 times loads, 1,025 shared 200 times is
         refused, 4,000 shared 50 times is refused; bytes past 4,096 (5,000 shared 200 times)
         likewise; an object array of the 200 pairs (protocols 2, 5) and the cache as a joblib
         file too; ``np.str_`` and protocol 2's bytes are memoised on their symbol (loaded). The
         test: 3 shapes x protocols 2 and 5: all 6 refused. Fix: charge a ``_Big`` text's
         length once per symbol (keep its value, or its hash, on the symbol, as ``_Obj.key``
         does for calls); a tuple hashing it again reads the cached hash. (Checked: with
         ``_text_value``'s charge dropped, the cache is SAFE and loads.)
rt117-07 (HARM: CPU in the pass, quadratic in the file; scan and load_unsigned; _numpy_state.py
         ``_made_value``'s ``_NUMBER_CALLS`` branch and ``_decimal``: ``decimal.Decimal`` of an
         int constant is built, uncharged, though the load's narrowed Decimal takes a str only)
         ``decimal.Decimal(B)`` (REDUCE on a LONG4 ``B``) as a dict key or a list item: the
         count converts ``B`` to a Decimal, which libmpdec does in time quadratic in its digits
         (the same value as a text would be charged by length and parsed in linear time). 300 KB
         (a single key or list item): ``scan`` 8.1 s, ``load_unsigned`` 7.8 s, then both refuse
         ("decimal.Decimal is built from a str only"); 100 KB: 1.2 s / 0.9 s (cProfile: 0.87 s
         in ``_decimal``, one call); 1 MB would be some 90 s. (Plain pickle also spends 7.8 s on
         it: the pass pays what the load was to be spared.) The test: 300 KB as a key and as a
         list item, ``scan`` in a child killed at 1 s. Fix: ``_NUMBER_CALLS`` Decimal on a str
         only (``_made_value`` appends an int constant as is: answer ``_NO_KEY`` there, the
         walk's own rule refuses the call).

Ported by the maintainer
------------------------
Fixed in 67d3804: rt117-01 (``_afford`` evaluates a list item at any size, charging its
expanded size, ints weighted by digits in ``_key_nodes``), rt117-02 (``_Unseen.code``: mode
``"identity"`` per object, a plain enum's member by value per value; mode ``"flag"`` for a
Flag or an own ``_missing_`` stays one hash), rt117-03 (``_hash_nodes`` charged per counted
item; the inline BINGET charges a long int as LONG_BINGET does), rt117-05 (``_range_bounds``
in ``costs._opened``), rt117-06 (``FoldBudget.texts``: one read and charge per symbol),
rt117-07 (``_decimal`` of a str only). rt117-04 is a documented limit (SECURITY.md). Added:
``test_rt117_flag_members_by_value_count_as_one_hash`` (what rt117-02's fix must not open)
``test_rt117_03_binget_charges_a_long_int_as_long_binget_does`` and, for a change made after
the port (mode ``"identity"`` only where the class's ``__new__`` is object's),
``test_rt117_02_identity_only_for_objects_made_by_object_new``.

Held (tried, no finding)
------------------------
* BUILD state of a UUID key whose ``"int"`` is given twice, the second key equal to "int" but
  made by ``copyreg._reconstructor(str, str, "int")`` or an ``np.str_`` scalar (the pass
  reads the first, the load keeps the last: 200 keys of hash 0): refused ("BUILD state dict
  with a key made by a call") (2 files). (read) the pass's INT/LONG/FLOAT readers follow
  ``strtol``/``PyLong_FromString``/``PyOS_string_to_double`` (``I010`` octal, ``+1`` a bool);
  no number a file writes is read otherwise by the pass.
* A grammar fuzzer: 107,000 random dicts, sets, FROZENSETs, lists, ``set(list)``,
  ``dict(pairs)``, ``OrderedDict`` + SETITEMS of 31 key kinds (NaN, -0.0, inf, ``2**61``, -1,
  -2, Decimal NaN/sNaN/Infinity/1e999999, UUIDs, dates, aware datetimes of any offset,
  timedeltas at their bounds, times with fold, posix/windows paths, numpy float16/longdouble/
  datetime64 (NaT, D, s, Y, ns)/timedelta64/str_/bytes_ with NULs/complex64/uint64 max/int8
  -1/bool, complex NaN, ranges of step ``2**61 - 1``, dtypes, class globals,
  ``_reconstructor(int|float, ...)``) nested in tuples, FROZENSETs and ``tuple()``/
  ``frozenset()`` calls, 30% byte-mutated, through scan and load_unsigned: no exception but
  SafeloadError.
* Nesting: tuple, FROZENSET and Decimal-leaf keys nested 50, 1,000, 3,000 and 20,000 deep in
  a dict, a set and a list (36 files): the nesting limits refuse them; a tuple 990 deep is
  refused as "malformed stream: RecursionError" (``_fold`` recurses; plain pickle loads it;
  900 deep loads): a misleading message, no harm.
* Honest keys, protocols 0, 2, 4, 5 and joblib (50 kinds, 250 files): dates, naive/UTC/offset/
  fold datetimes, naive and aware times, timedeltas (negative too), timezones as keys,
  Decimals (scaled and 1eN), UUIDs, posix and windows paths, np.int64/uint64 max/float32/
  float16/longdouble/complex128/datetime64 D and ns/timedelta64/bool/str_/bytes_, complex,
  ints and x.5 floats, negative ints, ranges, a trusted 80-member Enum, ``(member, i)``,
  namedtuple, NamedTuple, frozen and slotted dataclasses (trusted), mixed tuples, frozensets,
  NaN keys, ``(None, i)``, bytes, pandas Timestamps (naive, ns) and Timedeltas (s, ns): all
  SAFE and loaded (trusted calls "unproven" to scan by design), except rt117-02/04's shapes;
  namedtuple/NamedTuple/slotted dataclass keys at protocols 4-5 are refused by the instance
  budget (not the count, rt116's note); tz-aware pandas Timestamps are refused by the pandas
  profile's Timestamp rule with 20 keys too (not the count); zoneinfo ones ("REDUCE calls a
  computed object").
* The list skip with other stand-ins: a shared identity-hashed item ``(kP, E)`` for ``E`` an
  ``object()``, a StandardScaler, a RandomState, a Generator, a partial (5 kinds, 40,000
  items): refused by the estimator-reuse, unfold and partial rules; a shared 70-tuple:
  "holds one container twice" (vocabulary) or the printer (stop words); 66-int tuples: the
  printer bounds them to ~3,300 items (3.4 s per transform: rt117-01's trick is what lifts
  the bound).
* Encoders hashing at use: ``categories_`` of OneHotEncoder, OrdinalEncoder, TargetEncoder
  and ``classes_`` of LabelEncoder, LabelBinarizer, MultiLabelBinarizer holding 200 rt117-01
  frozensets or 71-node tuples (12 files): all refused by their kind rules.
* joblib: an object array holding a dict and a set of 200 keys of hash 0, raw and zlib, and
  a list of it (3 files): the nested pickle is counted, refused.
* ``_hash_mode`` over the default policy (493 entries): 26 classes with a hash of their own
  that the pass does not evaluate: 22 "number", ``str``/``bytes``/``np.str_``/``np.bytes_``
  None (seeded); the pandas, category_encoders and imblearn profiles add ``StringDtype`` and
  ``CategoricalDtype`` ("opaque"): no class whose file-chosen hash stands in as ``_Unseen``.
* Trusted ``set``/``frozenset`` subclasses of 200 ints, 200 ``(kP, S)`` tuples, 200
  rt117-01 tuples, small tuples and texts, protocols 0-5 (54 files): refused (the count, or
  "made by the compiled set.__new__ on arguments from the file" for any item).
* x87 long doubles of invalid encodings (unnormal, pseudo-NaN, pseudo-infinity): numpy hashes
  them by identity (``x != x``), so separate ones hash apart at load as in the pass.
* Memoised big ints as stored keys: ``_reconstructor(int, int, B)`` and UUID ``{"int": B}``
  (300 KB, 5,000 stores, whole keys, ``(K, i)`` keys; 4 files) and ``(B, i)`` keys: charged
  and refused in 0.2 s; a list of 5,000 structured scalars sharing a 4,000-field dtype:
  refused in 0.5 s.
* (read) Load-time shapes: ``copyreg._reconstructor(dict, dict, D)`` + SETITEMS and
  ``dict(pairs)`` with 32 unread pairs (2-item ranges) add at most 32 uncounted keys once per
  chain (64 of one hash); NEWOBJ of ``set``/``dict``/``defaultdict`` is empty at load (the
  pass over-counts its arguments); INST and OBJ go through ``_push_call`` to ``call_keys``;
  ``dok_matrix`` is ``_reconstructor(dok, dict, D)`` with ``D`` counted; the profiles'
  classes with a hash of their own are ``StringDtype`` and ``CategoricalDtype`` (opaque);
  a range, complex, Decimal, UUID, path, date, timedelta, numpy scalar key is the value the
  load hashes (no equal-in-pass/distinct-at-load or reverse pair found); ids of stand-ins
  are of symbols the containers keep alive (no id reuse).
* 13,000 byte-mutants (1-3 bytes) of this round's files (rt117-01, -03, -05, -06, -07 at small
  sizes) through scan and load_unsigned: no exception but SafeloadError.
* tests/security/test_redteam116.py and test_key_stand_ins.py pass on this snapshot (46
  tests), test_redteam114.py and test_redteam115.py too (18).
"""

from __future__ import annotations

import collections
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safeload
from redteam import (
    HANG_CPU,
    P61,
    PLAIN,
    PLAIN_CALL,
    SCAN,
    child,
    global_,
    long1,
    own_module,
    prepass_problems,
    scan_and_load,
    trusted_load,
    write,
)

pytestmark = pytest.mark.filterwarnings("ignore")


# --- rt117-01: a list sklearn hashes at use, whose items are "too large" only as symbols ------


class _Repeated:
    """Pickled as ``frozenset([None] * 70)``: 72 symbol nodes (past the 64 a list's count
    evaluates), one item at load (its repr is ``frozenset({None})``, cheap for the printer's
    budget too)."""

    def __reduce__(self) -> Any:
        return (frozenset, ([None] * 70,))


def _vectorizer(n: int, param: str = "stop_words") -> Any:
    """A fitted ``CountVectorizer`` whose ``stop_words`` (or an unfitted one whose
    ``vocabulary``) is a list of ``n`` tuples ``(k * (2**61 - 1), F)``: one hash, all
    different. ``transform`` builds ``frozenset(stop_words)`` (``_check_stop_list``) or, for a
    vocabulary not yet validated, a dict of it (``_validate_vocabulary``) at every call."""
    from sklearn.feature_extraction.text import CountVectorizer

    if param == "stop_words":
        shared = _Repeated()
        model = CountVectorizer(stop_words=["x"]).fit(["alpha beta gamma"])
        model.stop_words = [(k * P61, shared) for k in range(1, n + 1)]
    else:
        model = CountVectorizer(vocabulary=[(k * P61, _Repeated()) for k in range(1, n + 1)])
    return model


def test_rt117_01_vectorizer_list_hashed_at_use(tmp_path: Path) -> None:
    big = write(tmp_path, pickle.dumps(_vectorizer(36_000), 5), "big.pkl")
    # the harm: 36,000 stop words (576 KB): plain pickle loads in 1.1 s and every transform
    # then takes 13.7 s; load_unsigned LOADS it (3.6 s) and transform takes 13.7 s; scan:
    # "unproven: a box, a value the stream walk cannot build" (SAFE at 200); killed here
    plain = child(PLAIN_CALL.format(call="model.transform(['alpha beta'])"), big, cpu=2)
    assert plain.loaded and "call done" not in plain.stdout, plain.output
    outcomes = {}
    for param in ("stop_words", "vocabulary"):
        model = _vectorizer(200, param)
        for protocol in (2, 5):
            data = pickle.dumps(model, protocol)
            items = getattr(pickle.loads(data), param)  # 200 different items of one hash
            assert len(set(items)) == 200 and len({hash(i) for i in items}) == 1
            path = write(tmp_path, data, f"{param}{protocol}.pkl")
            outcomes[f"{param}_{protocol}"] = scan_and_load(path)
    # today: all four SAFE and loaded
    assert all(not s and v.startswith("refused") for s, v in outcomes.values()), outcomes


# --- rt117-02: items standing in as _Unseen hash as one per class ------------------------------

_ENUM = """
import enum

Country = enum.Enum("Country", [f"C{i}" for i in range(60)], module=__name__)


class State(enum.Enum):
    IDLE = 1
    RUN = 2
    WAIT = 3
    DONE = 4
    FAIL = 5
    SKIP = 6
"""


def test_rt117_02_honest_keys_of_unseen_items(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sklearn.preprocessing import StandardScaler

    own = own_module(tmp_path, monkeypatch, "rt117_country", _ENUM)
    honest: dict[str, tuple[Any, list[Any]]] = {
        # a table by (member, year) for one year; its keys hash apart (a member by its name)
        "enum_tuple": ({(c, 2024): i for i, c in enumerate(own.Country)}, [own.Country]),
        # a Markov transition table of a 6-state enum: 36 keys (state, state)
        "transitions": ({(a, b): 1 / 36 for a in own.State for b in own.State}, [own.State]),
        "enum_frozenset": ({frozenset({c}): i for i, c in enumerate(own.Country)}, [own.Country]),
        # scores by (model, split): estimators hash by identity
        "estimator_tuple": ({(StandardScaler(), "test"): i for i in range(40)}, []),
    }
    outcomes = {}
    for name, (value, trusted) in honest.items():
        assert len({hash(k) for k in value}) == len(value)  # no two keys share a hash
        for protocol in (2, 5):
            data = pickle.dumps(value, protocol)
            assert len(pickle.loads(data)) == len(value)
            path = write(tmp_path, data, f"{name}{protocol}.pkl")
            try:
                safeload.load_unsigned(path, trusted=trusted)
                outcomes[f"{name}_{protocol}"] = "loaded"
            except safeload.SafeloadError as exc:
                outcomes[f"{name}_{protocol}"] = f"refused: {exc}"[:160]
    # today: all eight refused ("more than 32 different keys of one hash value")
    assert all(v == "loaded" for v in outcomes.values()), outcomes


# --- rt117-03: the list count hashes a memoised big int once per reference ---------------------


def _big_int_refs(size: int, refs: int, shape: str = "list") -> bytes:
    """A LONG4 of ``size`` bytes (memo 0), then a list (or tuple) of ``refs`` BINGETs of it."""
    big = b"\x8b" + size.to_bytes(4, "little") + b"\x01" * size + b"\x94" + b"0"
    if shape == "list":
        return b"\x80\x04" + big + b"](" + b"h\x00" * refs + b"e."
    if shape == "pairs":  # a list of 1-tuples (B,): each folds to a new tuple, hashed anew
        return b"\x80\x04" + big + b"](" + b"h\x00\x85" * refs + b"e."
    return b"\x80\x04" + big + b"(" + b"h\x00" * refs + b"t."


def test_rt117_03_count_hashes_big_int_per_reference(tmp_path: Path) -> None:
    # plain pickle: 0.001 s. scan and load_unsigned refuse it in the end ("unfolds into more
    # values than the file's size allows"), after the count has hashed the 1 MB int once per
    # reference: 1.04 MB (20,000 refs) scan 9.1 s, load 9.0 s; 2.08 MB (2 MB, 40,000) scan
    # 36.0 s, load 35.7 s (quadratic). Here 600 KB x 12,000 (some 3 s each): killed at 1 s
    outcomes = {}
    for shape in ("list", "pairs"):
        data = _big_int_refs(600_000, 12_000, shape)
        assert len(pickle.loads(data)) == 12_000  # plain pickle: a millisecond
        outcomes[shape] = child(SCAN, write(tmp_path, data, f"{shape}.pkl"), cpu=1)
    # today: both killed at the CPU limit inside shared_hash_problem's hash()
    assert all(not c.crashed and "verdict" in c.stdout for c in outcomes.values()), outcomes


# --- rt117-04: a fixed 32 refuses honest keys that share hashes a few dozen at a time ----------


@pytest.mark.xfail(
    strict=True,
    reason=(
        "rt117-04, a documented limit (SECURITY.md): more than 32 distinct values of one hash "
        "are refused even where Python's cost of them is small (2**k hashes as 2**(k % 61))"
    ),
)
def test_rt117_04_powers_of_two_refused(tmp_path: Path) -> None:
    honest = {
        # 2,100 bit masks: 2**k hashes as 2**(k % 61), 35 keys per hash
        "masks": {1 << k: k for k in range(2_100)},
        # every float power of two: 2.0**k likewise, 35 per hash
        "float_powers": {2.0**k: k for k in range(-1_074, 1_024)},
        "mask_set": {1 << k for k in range(2_100)},
        # the same values where nothing hashes them: a list, and an object array
        "mask_list": [1 << k for k in range(2_100)],
        "mask_array": np.array([1 << k for k in range(2_100)], dtype=object),
    }
    outcomes = {}
    for name, value in honest.items():
        most = max(collections.Counter(hash(k) for k in value).values())
        assert 32 < most <= 35
        for protocol in (2, 5):
            data = pickle.dumps(value, protocol)
            outcomes[f"{name}_{protocol}"] = scan_and_load(write(tmp_path, data, f"{name}.pkl"))
    # today: all ten refused ("more than 32 different keys of one hash value")
    assert all(s and v == "loaded" for s, v in outcomes.values()), outcomes


# --- rt117-05: a range key's hash reads its bounds, which the charge of a stored key skips ------


def _range_key(size: int, refs: int, shape: str = "dict") -> bytes:
    """``R = range(B, B + 1)`` with ``B`` an int of ``size`` bytes (memo 0), then a dict that
    stores ``R`` as its key ``refs`` times (SETITEMS; one key at load, hashed at each store) or
    has ``refs`` keys ``(R, i)``. ``hash(R)`` is ``hash((1, B, None))``: it reads every digit of
    ``B`` each time (a range caches no hash), as the count's own ``hash(value)`` does."""
    low = b"\x8b" + size.to_bytes(4, "little") + b"\x01" * size
    high = b"\x8b" + size.to_bytes(4, "little") + b"\x02" + b"\x01" * (size - 1)
    made = global_("builtins", "range") + b"(" + low + high + b"tR\x94" + b"0"
    if shape == "dict":
        return b"\x80\x04" + made + b"}(" + b"h\x00K\x00" * refs + b"u."
    pairs = b"".join(b"h\x00J" + i.to_bytes(4, "little") + b"\x86K\x00" for i in range(refs))
    return b"\x80\x04" + made + b"}(" + pairs + b"u."


def test_rt117_05_range_key_bounds_uncharged(tmp_path: Path) -> None:
    big = write(tmp_path, _range_key(1_000_000, 20_000), "big.pkl")
    # the harm: 2.08 MB, plain pickle 8.9 s; scan SAFE after 13.0 s (10.0 s of it hashing the
    # range in shared_hash_problem); load_unsigned 22.8 s, then refused for the repr of the
    # 1 MB bounds ("Nothing was returned"); (R, i) keys (2.20 MB): plain 9.2 s, scan SAFE in
    # 13.9 s, load 23.7 s; killed here at the limit
    plain = child(PLAIN, big, cpu=HANG_CPU)
    assert plain.crashed and not plain.loaded, plain.output
    verdicts = {}
    for shape in ("dict", "pairs"):
        data = _range_key(300_000, 5_000, shape)
        verdicts[shape] = safeload.scan(data).safe
    # today: both SAFE (the stored key is charged one node: costs.py's range rule counts a
    # range's items, not its bounds' digits)
    assert not any(verdicts.values()), verdicts


# --- rt117-06: a text past the folded size is charged its length at every reference -----------


def test_rt117_06_shared_long_text_in_keys(tmp_path: Path) -> None:
    # a query cache keyed by (SQL text, parameter): one 1,264-character text shared by 200 keys
    sql = "SELECT " + ", ".join(f"col_{i}" for i in range(150)) + " FROM t WHERE k = ?"  # noqa: S608 (a text, never run)
    assert len(sql) > 1_024
    honest: dict[str, Any] = {
        "cache": {(sql, i): i * 2 for i in range(200)},
        "rows": [(sql, i) for i in range(200)],
        "row_set": {(sql, i) for i in range(200)},
    }
    outcomes = {}
    for name, value in honest.items():
        for protocol in (2, 5):
            data = pickle.dumps(value, protocol)
            assert len(pickle.loads(data)) == 200
            outcomes[f"{name}_{protocol}"] = scan_and_load(write(tmp_path, data, f"{name}.pkl"))
    # today: all six refused ("limit: constant folding needs more than 105,280 units of work")
    assert all(s and v == "loaded" for s, v in outcomes.values()), outcomes


# --- rt117-07: the count converts an int to a Decimal, which the load refuses to do -----------


def _decimal_of_int(size: int, shape: str) -> bytes:
    """``decimal.Decimal(B)`` (REDUCE on a LONG4 of ``size`` bytes) as a dict key or a list
    item: the count evaluates it through ``_NUMBER_CALLS``, and libmpdec converts an int of
    ``n`` digits in time quadratic in ``n``; the load's narrowed Decimal takes a str only."""
    big = b"\x8b" + size.to_bytes(4, "little") + b"\x5a" * size
    made = global_("decimal", "Decimal") + b"(" + big + b"tR"
    if shape == "key":
        return b"\x80\x04}" + made + b"K\x00s."
    return b"\x80\x04](" + made + b"e."


def test_rt117_07_decimal_of_int_evaluated(tmp_path: Path) -> None:
    # 300 KB: scan 8.1 s, load_unsigned 7.8 s, then both refuse ("decimal.Decimal is built
    # from a str only"); 100 KB: 1.2 s / 0.9 s; quadratic (1 MB: some 90 s). Killed at 1 s here
    outcomes = {}
    for shape in ("key", "list"):
        path = write(tmp_path, _decimal_of_int(300_000, shape), f"{shape}.pkl")
        outcomes[shape] = child(SCAN, path, cpu=1)
    # today: both killed at the CPU limit inside _made_value's decimal.Decimal(int)
    assert all(not c.crashed and "verdict" in c.stdout for c in outcomes.values()), outcomes


# --- ported by the maintainer: what the fixes of rt117-02 and rt117-03 must not open ---------

_FLAGS = """
import enum


class Bits(enum.Flag, boundary=enum.KEEP):
    A = 1
    B = 2


class Loose(enum.Enum):
    A = 1

    @classmethod
    def _missing_(cls, value):
        member = object.__new__(cls)
        member._value_ = value
        member._name_ = None
        return member
"""


def test_rt117_flag_members_by_value_count_as_one_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rt117-02 tells members of a plain enum looked up by value apart by their values; a
    Flag's pseudo-members (boundary KEEP: ``Bits(4)``, ``Bits(8)``, ... have no name) and
    what an own ``_missing_`` makes all hash as ``None``, so their keys still count as one
    hash: 40 of them (plain pickle builds them in one hash bucket) are refused. (As whole
    keys, the rules on values none of the members has refuse them first.)"""
    own = own_module(tmp_path, monkeypatch, "rt117_flags", _FLAGS)
    for cls, members in (
        (own.Bits, [own.Bits(1 << k) for k in range(2, 42)]),
        (own.Loose, [own.Loose(k) for k in range(2, 42)]),
    ):
        assert len(set(members)) == 40 and len({hash(m) for m in members}) == 1
        for shape, value in (("set", set(members)), ("pairs", {(m, 0): 1 for m in members})):
            for protocol in (2, 5):
                data = pickle.dumps(value, protocol)
                assert len({hash(k) for k in pickle.loads(data)}) == 1  # plain pickle
                path = write(tmp_path, data, f"{cls.__name__}_{shape}{protocol}.pkl")
                outcome = trusted_load(path, [cls])
                # (a set of them meets the rules on unknown values first)
                assert outcome.startswith("refused"), (shape, outcome)
                assert shape == "set" or "more than 32" in outcome, (shape, outcome)


def test_rt117_03_binget_charges_a_long_int_as_long_binget_does() -> None:
    """The walk's inline BINGET skipped the charge of a constant that is not a text, which
    LONG_BINGET made: 5,000 fetches of one 200 KB int are refused by both, alike."""
    size = 200_000
    big = b"\x8b" + size.to_bytes(4, "little") + b"\x01" * size + b"\x94" + b"0"
    found = []
    for get in (b"h\x00", b"j\x00\x00\x00\x00"):
        data = b"\x80\x04" + big + b"](" + get * 5_000 + b"e."
        assert len(pickle.loads(data)) == 5_000  # plain pickle: one int, 5,000 references
        found.append(prepass_problems(data))
    assert found[0] and found[0] == found[1], found


_OWN_NEW = """
class Handed:
    # hashed by identity, but its __new__ hands back the value it is given

    def __new__(cls, value):
        return value
"""


def test_rt117_02_identity_only_for_objects_made_by_object_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rt117-02's fix stands an object hashed by identity in per object: sound only where
    the class's ``__new__`` is object's. A trusted class whose ``__new__`` hands back its
    argument makes ``Handed(k * (2**61 - 1))`` an int of hash 0, so 40 keys ``(Handed(...),
    0)`` share one hash at load; they still count as one hash and are refused."""
    own = own_module(tmp_path, monkeypatch, "rt117_handed", _OWN_NEW)
    made = global_("rt117_handed", "Handed")
    keys = b"".join(
        b"(" + made + b"(" + long1(k * P61) + b"tR" + b"K\x00t" + b"K\x01" for k in range(1, 41)
    )
    data = b"\x80\x02}(" + keys + b"u."
    loaded = pickle.loads(data)  # plain pickle: 40 distinct keys of one hash
    assert len(loaded) == 40 and len({hash(k) for k in loaded}) == 1
    outcome = trusted_load(write(tmp_path, data, "handed.pkl"), [own.Handed])
    assert outcome.startswith("refused") and "more than 32" in outcome, outcome
