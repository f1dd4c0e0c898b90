r"""Red team 118 (helper, 04:15-05:06 UTC) on the hash count as patched after rt117 (67d3804).
Snapshot /tmp/rt118p; run from /work/rt118 with SAFELOAD_PURE_PYTHON=1 and
PYTHONPATH=/tmp/rt118p/src:/tmp/rt118p/tests (Python 3.11, numpy 2.x, scikit-learn 1.x).
Each finding is a strict xfail asserting the safe behaviour; where there is harm it is shown
first in a child under a CPU limit. Figures are process CPU seconds measured in this session,
each in its own process.

Findings
--------
rt118-01 (HARM, HIGH: CPU in the pass, quadratic in the file; scan and load_unsigned;
         _numpy_state.py ``shared_hash_problem`` / ``_hash_nodes``: an item's value is charged its
         hash only for an int or a range, and ``_uuid_value`` answers ``_SameHash("uuid", B)`` for a
         UUID given ``{"int": B}`` by BUILD, whose ``hash`` reads every digit of ``B``; the value is
         kept on the symbol (``sym.key``), so each further reference is neither charged by
         ``_afford`` nor by ``refetched``, which charges a UUID nothing) a UUID (NEWOBJ + BUILD
         ``{"int": B}``, ``B`` a LONG4 of 1 MB) and a list of 20,000 BINGETs of it (1.04 MB): plain
         pickle 0.001 s; ``scan`` 9.2 s, ``load_unsigned`` 9.2 s (cProfile at 10,000 references:
         7.06 s of 8.4 s in ``builtins.hash``, from ``_SameHash.__hash__``), then both refuse at the
         end ("the model unfolds into more values than the file's size allows"); 2 MB x 40,000 (2.08
         MB): load_unsigned 35.9 s (quadratic). The same as a list of 1-tuples ``(U,)`` (``_afford``
         charges the tuple 2 nodes: a UUID's key nodes are its arguments, none) and as 20,000
         distinct UUIDs given one memoised state dict (1.32 MB: scan 9.5 s), and as an object array
         of 6,000 references to a UUID of a 300 KB int (312 KB: scan 1.9 s; ``_numpy_state``'s
         object-array count, whole=False). Protocol 0's ``_reconstructor(UUID, object, None)`` form
         alike. (Also before 67d3804: rt117-03's fix charged ints and ranges only.) The test: 600 KB
         x 12,000 in the three shapes, ``scan`` in a child killed at 1 s (3.4 s each). Fix: charge
         ``_hash_nodes`` of a ``_SameHash``'s value (an int: its digits), or refuse a UUID state int
         past 128 bits (``uuid.UUID(int=...)`` refuses one), or charge a UUID fetched again by the
         size of its state.
rt118-02 (HARM, MEDIUM: CPU at load, quadratic; load_unsigned LOADS it (scan "unproven", a trusted
         class called); walk_values.py ``_hash_mode``: ``"identity"`` for any class whose
         ``__hash__`` is ``object.__hash__``, and ``_stand_in`` then tells each *symbol* apart
         (``_Unseen`` code ``("object", id(item))``), assuming each object the stream makes is
         a new one; a trusted class whose own ``__new__`` interns its objects (a flyweight
         ``Token(name)``) or whose metaclass's ``__call__`` returns one instance (a sentinel
         ``Missing()``) makes one object of every call) a dict of keys ``((X_j,), k * (2**61 -
         1))``, a new ``X_j = Token("a")`` (NEWOBJ) or ``Missing()`` (REDUCE) for each 32
         keys: the count sees 32 keys per hash; at load all share one hash. 16,000 keys (309
         KB): plain pickle 2.5 s, ``load_unsigned`` loads it in 5.0 s (sentinel 2.6 s / 5.0
         s); 32,000 keys (620 KB): plain 14.1 s, load_unsigned spends 17.3 s building it and
         then refuses it after the build, by the sharing rule ("its estimators would be met
         ..."). (The walk already refuses "a BUILD on what a call of ... a class the caller
         trusted returned: such a call may return a shared object"; the count does not draw
         the same conclusion.) A class whose ``__new__`` returns another type's object (a
         factory ``Quantity(v)`` returning ``int(v)``, with ``__getnewargs__``) is worse: its
         whole keys stand in as ``_Unseen`` and are not counted at all, and no object is
         shared: 40,000 keys ``Quantity(k * (2**61 - 1) << 200)`` (1.68 MB): plain pickle
         10.8 s, ``load_unsigned`` LOADS it in 15.7 s. The test: 1,280 keys of each of the
         three kinds (one hash at load), trusted: all three loaded. Fix: ``"identity"``
         only where ``__new__`` is ``object.__new__`` (or a reviewed class's) and the
         metaclass's ``__call__`` is ``type.__call__``; otherwise ``_UNKNOWN`` (the class's
         keys count as one hash) for an object a call made, as for ``"call"``.
rt118-03 (HONEST-REFUSED, MEDIUM; a regression of 67d3804; walk_values.py ``_hash_mode``'s new
         ``"flag"`` mode and ``_stand_in``: every member of a ``Flag``, and of an enum with its own
         ``_missing_``, is ``_UNKNOWN`` however it is looked up, and ``_UNKNOWN`` makes a whole key
         an ``_OwnKey`` of the class: one hash for all) a dict keyed by 40 *named* members of a
         trusted ``enum.Flag`` (``Perm.P0`` ... ``Perm.P39``, 40 distinct hashes by name) or of a
         trusted enum whose ``_missing_`` only looks values up case-insensitively (a common idiom)
         is refused by ``load_unsigned``: "a dict or set with more than 32 keys holding
         rt118_perm.Perm made in a way whose hash the pass cannot evaluate"; a set of them likewise,
         and a set of 40 named combinations (``F0|F1``, ``F1|F2``, ...: 40 hashes at load). At
         1b41a11 all of these loaded (a whole key of an enum member was not counted); tuple keys
         ``(member, 2024)`` of them were refused then (rt117-02) and still are. A 1,600-case random
         oracle (dicts and sets of tuple and frozenset keys over enum members, estimators, dates,
         texts, a sentinel; comparing the load's largest bucket with the verdict) found 42 key sets
         refused with at most 30 per hash at load, all of them Flag or own-``_missing_`` members.
         The test: 2 classes x (dict, set) x protocols 2 and 5: all 8 refused. Fix: for a member
         looked up by a value the pass folds, ask the class (``cls._value2member_map_``): a value of
         a member stands in per value (``_member_value``) as in a plain enum; only a value no member
         has (a pseudo-member, what ``_missing_`` makes) is ``_UNKNOWN``.
rt118-04 (HARM, HIGH: CPU at use, quadratic, every transform; DEFAULT policy; scan SAFE,
         load_unsigned LOADS; _numpy_state.py ``_collected`` with ``whole=False``: an item of a list
         whose members include one the pass does not evaluate (``_key_value`` answers ``_NO_KEY``:
         an object hashed by identity, an enum member, ...) makes the whole item ``_NO_KEY``, and
         ``shared_hash_problem`` skips it: only a dict key or set item stands in as ``_Unseen``.
         rt117-01's fix evaluates a list item at any size but not this) a fitted ``CountVectorizer``
         whose ``stop_words`` is ``[(k * (2**61 - 1), X)]`` for one allowlisted ``X =
         sklearn._loss._loss.CyHalfSquaredError()`` (hashed by identity; the same one in every item,
         so every tuple has one hash); ``transform`` builds ``frozenset(stop_words)`` at every call.
         30,000 items plus an extra attribute of 2,300,000 float zeros (what the model stores lifts
         the estimator-reuse bound to 8 times its bytes; without it 16,000 items pass, some 2.7 s a
         transform), as a compressed joblib file of 177 KB: ``scan`` SAFE (2.5 s), ``load_unsigned``
         loads it in 1.5 s, then each ``transform`` takes 9.9 s (plain joblib the same). The
         printer's 10,000,000 units cap it near 34,000 items (some 12 s a transform).
         ``HashingVectorizer`` and ``TfidfVectorizer`` stop words alike (SAFE and loaded at 200); a
         vocabulary of them is refused by the vocabulary rule; ``EuclideanDistance64``,
         ``CyPinballLoss``, ``MT19937``, ``PCG64`` as ``X`` load too (a trusted enum member as
         ``X``, and a pandas ``CategoricalDtype``, which the pass does not evaluate in a list
         either: loaded at 200 (the enum's scan "unproven", a trusted call; the dtype's SAFE); at
         30,000 the reuse bound, or the printer for the dtype, refuses them). The test: 200 items,
         ``CountVectorizer`` and ``HashingVectorizer``, protocols 2 and 5: all four SAFE and loaded.
         Fix: in a list's count, stand an item in as ``_Unseen`` (an identity object per symbol, a
         member per value) as a whole key does, so that ``(k * (2**61 - 1), X)`` counts as one hash
         for every ``k``; or refuse a ``stop_words`` list holding anything but texts.

Ported by the maintainer
------------------------
Three fixed the same session: rt118-01 (``_uuid_value``: a state int outside 128 bits is
an ``_OwnKey``, no hash of it taken), rt118-02 (``_hash_mode``: ``"identity"`` only where
``__new__`` is object's, or a reviewed class's, and the metaclass's ``__call__`` is type's;
otherwise ``"call"``: the key counts as one hash with its class's), rt118-03 (mode
``"flag"``: a value equal to one of a member the class names, read statically from
``_member_map_``, stands in per value; any other is ``_UNKNOWN``).
rt118-04: 9419006 stood an item in for a list's items as for a key's (one hash per class,
without importing it); red team 119 found that this refused honest lists (40 ``(train,
test)`` splits, an IterativeImputer's 80 triplets) and re-walked memoised tuples (rt119-01
to 03), so a59e140 took it back. The door is ``frozenset(stop_words)`` at every transform:
a vectorizer's ``stop_words`` is now plain data only (a dispatch row of kind ``"data"`` on
``_VectorizerMixin``), so the tuple holding an estimator is refused by scan and load alike
(and rt119-05's own-hash objects with it).

Held (tried, no finding)
------------------------
* The rt117 fixes on their own shapes: rt117-01..07's shapes and the maintainer's two tests
  (tests/security/test_redteam117.py, 116 and test_key_stand_ins.py on this snapshot: 54
  passed, 1 xfailed, the documented rt117-04); test_redteam114.py and 115 too (18 passed).
* ``_afford`` at any size, honest lists (new vs 1b41a11, 65 values x protocols 0, 2, 4, 5 (and
  joblib raw/zlib for 31 of them), 322 verdicts compared): lists and dicts of ``(T, i)`` with a
  shared 50/100-int tuple, of a shared tuple of 20 big ints (2**2000), shared frozensets, shared
  texts of 2,000 characters, lists of 2-tuples of texts, frozensets, dates, timedeltas, UUIDs,
  paths, Decimals, complexes, np.int64/float32/float64 keys, big-int keys and tuple keys, ranges,
  object arrays of tuples, Counters of n-grams, ``(estimator, split)`` keys, sets and dicts of 50
  estimators, ``(est, params)`` lists: no verdict changed from loaded to refused; the shared-tuple
  lists refused now ("constant folding needs more") were refused before by the unfold bound, at the
  same sizes (a binary search over 10 sizes for 3 shapes: the same threshold); rt117-06's query
  cache now loads. pandas object columns of tuples, Decimals and dates are refused by the pandas
  profile's plain-scalar rule, not the count (old and new alike).
* ``_afford``'s cost at any size (CPU and memory of the pass): a list of 30,000 ``(T, i)`` with
  ``T`` one memoised 1,000-item tuple holding a Decimal (not foldable: ``_collected`` rebuilds
  ``T``'s values for every reference, and the table keeps each) plus 2 MB of padding (2.24 MB):
  scan 7.65 s and 339 MB peak (1b41a11: 2.4 s, 102 MB), 30 M ``_key_value`` calls, refused by
  the printer; 674 KB: 229 MB peak in a child (old 159 MB), still finished under a 40 MB
  growth limit. Linear in the file (the fold budget bounds it, about 2.3 us and a few bytes per
  unit), a constant some 3 times the old one: noted, not a finding.
* Other uncached hashes behind a kept ``sym.key``: ``tuple([B])`` by REDUCE, a named tuple
  ``_ImputerTriplet(B, 1, None)`` (REDUCE and NEWOBJ), ``complex(B)`` (the load fails too:
  "malformed stream: OverflowError"), ``range(B, B')`` past 1,048,576 items, memoised and
  referenced 3,000 to 20,000 times in lists, 1-tuples and sets (21 files): refused in
  0.2-0.3 s by the walk's charges; only the UUID is not charged. numpy ``scalar`` calls
  sharing one ``U2000``/``U20000`` text, with a memoised argument tuple or separate
  references (6 files): refused by the call-argument charge ("calls, dict keys and memo
  references that reuse memoised values").
* ``_text_value``'s memo: keyed by ``id`` with the symbol kept (no id reuse); a ``_Big``'s
  value dropped later keeps its text; a BYTEARRAY8 (``mutable``) is never read; texts read
  once and used again by ``Decimal``/``scalar`` calls are charged by the walk per call.
* Number calls that would hide a list item from the count (``int(str)``, ``int(int)``, ``float``,
  ``bool``, ``str``, ``bytes``, ``np.int64``, ``np.uint64``, ``np.float64``, ``np.object_``,
  ``np.str_``, ``np.datetime64``, ``complex(str)``, ``Decimal(int)``, ``Decimal(tuple)``,
  ``frozenset(str)``; NEWOBJ of ``int``, ``float``, ``tuple``, ``Decimal``, ``np.int64``;
  ``copyreg.__newobj__``; ``range`` on ``_reconstructor`` ints; ``_reconstructor(date, date,
  bytes)``; 32 files): all refused by their call rules; NEWOBJ ``complex``/``range``/
  ``timedelta`` load with distinct hashes.
* ``"identity"`` in the default policy: 332 classes; none has a metaclass ``__call__`` or an
  ``__eq__`` of its own; the 66 with an own ``__new__`` (Cython classes, numpy's bit
  generators, ``functools.partial``, the deprecated PassiveAggressive wrappers) make a new
  object each call. Global aliases (two allowlisted names, one object: ``numpy.bool``/
  ``bool_``, ``MaskedArray``, ``scalar``/``_reconstruct``/``_frombuffer`` under ``numpy.core``
  and ``numpy._core``): 5 groups of 2, at most 32 x 2**5 keys of one hash, harmless. No
  allowlisted name is a non-callable object.
* Enums: BUILD after a member by value (state dict, unknown attribute, slot state: 3 files):
  refused ("a BUILD on what a call of ... returned"); aliases (``B = 1`` of ``A = 1``) and
  values equal across types (1, 1.0, True) count once, as the load makes one member; (read)
  a member of a member (``E(E.A)``) stands in per symbol with one hash per class (safe side);
  IntEnum/StrEnum/IntFlag cannot be trusted (12 files refused by trust).
* rt117-02's honest shapes at protocols 0, 1, 3 and joblib (estimator tuple keys, 40
  estimator keys, enum pairs, enum tuple values, enum frozensets, alias pairs: 24 files): all
  loaded.
* Crashes: 22,800 byte-mutants (1-3 bytes) of this round's shapes (UUID refs, interned
  tokens, enum/Flag/own-``_missing_`` keys, rt117-01 frozensets, ranges, long Decimals and
  texts) through scan and load_unsigned with every class trusted: no exception but
  SafeloadError, no case past 20 s.
* Random oracle, 3,600 dicts and sets (2,000 with members drawn per key, no large bucket at
  load, all agreeing; then 1,600 (tuple and frozenset keys of 1-3 shared members from
  enum members, estimators, a Cython loss, a sentinel, dates, texts, frozensets; 20-100 keys,
  protocols 0-5)): no key set of more than 32 per hash at load was loaded (0 escapes); the 42
  over-refusals are rt118-03's.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

import safeload
from redteam import (
    HANG_CPU,
    HERE,
    P61,
    PLAIN,
    PLAIN_JOBLIB_CALL,
    SCAN,
    binunicode,
    child,
    global_,
    long1,
    own_module,
    trusted_load,
    write,
)

pytestmark = pytest.mark.filterwarnings("ignore")


# --- rt118-01: a UUID's state int is hashed at every reference, uncharged ----------------------


def _uuid_refs(size: int, refs: int, shape: str = "list") -> bytes:
    """``U``, a ``uuid.UUID`` made as pickle makes one (NEWOBJ, then BUILD ``{"int": B}``) with
    ``B`` an int of ``size`` bytes, then a list of ``refs`` memo references to ``U``
    (``"list"``), the same as 1-tuples ``(U,)`` (``"pairs"``), or ``refs`` UUIDs each given
    the one memoised state dict (``"shared_state"``). ``_uuid_value`` answers
    ``_SameHash("uuid", B)``, whose ``hash`` reads every digit of ``B``: ``_hash_nodes``
    charges an int or a range only, and ``refetched`` charges nothing for a UUID."""
    big = b"\x8b" + size.to_bytes(4, "little") + b"\x01" * size
    if shape == "shared_state":
        state = b"}" + binunicode("int") + big + b"s\x94"  # memo 0: {"int": B}
        one = global_("uuid", "UUID") + b")\x81h\x00b"
        return b"\x80\x04" + state + b"0](" + one * refs + b"e."
    made = global_("uuid", "UUID") + b")\x81}" + binunicode("int") + big + b"sb\x94"
    ref = b"h\x00\x85" if shape == "pairs" else b"h\x00"
    return b"\x80\x04" + made + b"0](" + ref * refs + b"e."


def test_rt118_01_uuid_state_int_hashed_per_reference(tmp_path: Path) -> None:
    # plain pickle: a millisecond (one UUID, a list of references). scan and load_unsigned
    # refuse it in the end ("unfolds into more values than the file's size allows") after the
    # list count hashed the 1 MB int once per reference: 1.04 MB (20,000 refs) scan 9.2 s,
    # load_unsigned 9.2 s; 2.08 MB (40,000) load_unsigned 35.9 s (quadratic); 20,000 UUIDs
    # sharing one state dict (1.32 MB) scan 9.5 s. Here 600 KB x 12,000 (3.4 s): killed at 1 s
    outcomes = {}
    for shape in ("list", "pairs", "shared_state"):
        data = _uuid_refs(600_000, 12_000, shape)
        loaded = pickle.loads(data)
        assert len(loaded) == 12_000  # plain pickle: a millisecond
        outcomes[shape] = child(SCAN, write(tmp_path, data, f"{shape}.pkl"), cpu=1)
    # today: all three killed at the CPU limit inside _SameHash.__hash__
    assert all(not c.crashed and "verdict" in c.stdout for c in outcomes.values()), outcomes


# --- rt118-02: an "identity" class whose constructor hands out one object ----------------------

_INTERNED = '''
class Token:
    """An interned symbol: Token(name) is one object per name (a flyweight)."""

    _pool = {}

    def __new__(cls, name):
        obj = cls._pool.get(name)
        if obj is None:
            obj = super().__new__(cls)
            obj.name = name
            cls._pool[name] = obj
        return obj

    def __getnewargs__(self):
        return (self.name,)


class _SentinelMeta(type):
    def __call__(cls):
        if cls._instance is None:
            cls._instance = super().__call__()
        return cls._instance


class Missing(metaclass=_SentinelMeta):
    """A sentinel: Missing() is always the same object."""

    _instance = None

    def __reduce__(self):
        return (Missing, ())


class Quantity:
    """A factory kept for old files: Quantity(v) is the int v."""

    def __new__(cls, value):
        return int(value)

    def __getnewargs__(self):
        return (int(self),)
'''


def _interned_keys(n: int, kind: str) -> bytes:
    """A dict of ``n`` keys ``((X_j,), k * (2**61 - 1))``, a new symbol ``X_j`` for each 32
    keys: ``Token("a")`` by NEWOBJ (its own ``__new__`` returns the interned object) or
    ``Missing()`` by REDUCE (its metaclass's ``__call__`` returns the one instance). Both
    classes hash by ``object.__hash__`` ("identity"), so the count stands each ``X_j`` in as
    an object of its own (``_Unseen`` code ``("object", id)``): 32 keys per hash. At load every
    ``X_j`` is one object, and all ``n`` keys share one hash."""
    if kind == "factory":  # whole keys Quantity(k * (2**61 - 1) << 200), ints at load
        pre = global_("rt118_interned", "Quantity") + b"\x94" + b"0"
        keys = [b"h\x00" + long1((k * P61) << 200) + b"\x85\x81N" for k in range(1, n + 1)]
        return b"\x80\x04" + pre + b"}(" + b"".join(keys) + b"u."
    if kind == "token":
        pre = global_("rt118_interned", "Token") + b"\x94" + b"0" + binunicode("a") + b"\x94" + b"0"
        made = b"h\x00h\x01\x85\x81"
    else:
        pre = global_("rt118_interned", "Missing") + b"\x94" + b"0"
        made = b"h\x00)R"
    body = []
    for j in range(n // 32):
        slot = (2 + j).to_bytes(4, "little")
        body.append(made + b"\x85r" + slot + b"0")
        body += [b"j" + slot + long1((32 * j + m + 1) * P61) + b"\x86N" for m in range(32)]
    return b"\x80\x04" + pre + b"}(" + b"".join(body) + b"u."


def test_rt118_02_interning_constructor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = own_module(tmp_path, monkeypatch, "rt118_interned", _INTERNED)
    big = write(tmp_path, _interned_keys(16_000, "token"), "big.pkl")
    # the harm: 16,000 keys (309 KB): plain pickle 2.5 s, load_unsigned LOADS it in 5.0 s
    # (sentinel: 2.6 s / 5.0 s); 32,000 keys (620 KB): plain 14.1 s, load_unsigned 17.3 s and
    # then refused after building, by the sharing rule ("its estimators would be met ...");
    # scan says "unproven" (a trusted class called). Killed here
    plain = child(HERE + PLAIN, big, cpu=HANG_CPU)
    assert plain.crashed and not plain.loaded, plain.output
    outcomes = {}
    for kind in ("token", "sentinel", "factory"):
        data = _interned_keys(1_280, kind)
        keys = pickle.loads(data)
        assert len(keys) == 1_280 and len({hash(k) for k in keys}) == 1  # one hash at load
        path = write(tmp_path, data, f"{kind}.pkl")
        outcomes[kind] = trusted_load(path, [own.Token, own.Missing, own.Quantity])
    # today: all three loaded (the count saw 40 hashes of 32 keys, or no key it counts)
    assert all(v.startswith("refused") for v in outcomes.values()), outcomes


# --- rt118-03: named members of a Flag, or of an enum with its own _missing_, count as one hash --

_LOOKUPS = """
import enum

Perm = enum.Flag("Perm", [f"P{i}" for i in range(40)], module=__name__)
"""

_COUNTRY = '''
import enum


class Country(enum.Enum):
    """Looked up case-insensitively too: Country("c1") is Country.C1."""

    @classmethod
    def _missing_(cls, value):
        if isinstance(value, str):
            for member in cls:
                if member.value == value.upper():
                    return member
        return None

''' + "".join(f"    C{i} = 'C{i}'\n" for i in range(40))


def test_rt118_03_flag_and_missing_members_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flags = own_module(tmp_path, monkeypatch, "rt118_perm", _LOOKUPS)
    country = own_module(tmp_path, monkeypatch, "rt118_country", _COUNTRY)
    outcomes = {}
    for cls in (flags.Perm, country.Country):
        members = list(cls)
        assert len(members) == 40 and len({hash(m) for m in members}) == 40  # by their names
        for shape, value in (
            ("keys", {m: i for i, m in enumerate(members)}),
            ("set", set(members)),
        ):
            for protocol in (2, 5):
                data = pickle.dumps(value, protocol)
                path = write(tmp_path, data, f"{cls.__name__}_{shape}{protocol}.pkl")
                outcomes[f"{cls.__name__}_{shape}_{protocol}"] = trusted_load(path, [cls])
    # today: all eight refused ("more than 32 keys holding ... made in a way whose hash the
    # pass cannot evaluate"); before 67d3804 all eight loaded
    assert all(v == "loaded" for v in outcomes.values()), outcomes


# --- rt118-04: a list item holding an object the pass does not evaluate escapes the count ------


def _stop_words_model(n: int, pad: int) -> Any:
    """A fitted ``CountVectorizer`` whose ``stop_words`` is ``[(k * (2**61 - 1), X)]`` for one
    ``X = CyHalfSquaredError()`` (allowlisted, hashed by identity), plus an array of ``pad``
    zeros (what the model stores lifts the bound on objects met by reference: 8 times the
    stored bytes). ``transform`` builds ``frozenset(stop_words)`` at every call: ``n`` tuples of
    one hash."""
    import numpy as np
    from sklearn._loss._loss import CyHalfSquaredError
    from sklearn.feature_extraction.text import CountVectorizer

    shared = CyHalfSquaredError()
    model = CountVectorizer(stop_words=["x"]).fit(["alpha beta gamma"])
    model.stop_words = [(k * P61, shared) for k in range(1, n + 1)]
    if pad:
        model.pad_ = np.zeros(pad)
    return model


def test_rt118_04_list_item_with_identity_object(tmp_path: Path) -> None:
    import joblib

    big = tmp_path / "big.joblib"
    joblib.dump(_stop_words_model(30_000, 2_300_000), big, compress=3)
    # the harm: 30,000 stop words and 18 MB of zeros, a 177 KB joblib file: scan SAFE (2.5 s),
    # load_unsigned LOADS it (1.5 s), then every transform takes 9.9 s (plain joblib the same).
    # Without the padding, 16,000 items pass the estimator-reuse bound (some 2.7 s a transform);
    # the printer's 10,000,000 units cap it near 34,000 items (12 s). Killed here at 2 s
    plain = child(PLAIN_JOBLIB_CALL.format(call="model.transform(['alpha beta'])"), big, cpu=2)
    assert plain.loaded and "call done" not in plain.stdout, plain.output
    from sklearn.feature_extraction.text import HashingVectorizer

    outcomes = {}
    model = _stop_words_model(200, 0)
    assert len({hash(w) for w in model.stop_words}) == 1 and len(set(model.stop_words)) == 200
    hashing = HashingVectorizer(stop_words=model.stop_words)
    for name, value in (("count", model), ("hashing", hashing)):
        for protocol in (2, 5):
            path = write(tmp_path, pickle.dumps(value, protocol), f"{name}{protocol}.pkl")
            outcomes[f"{name}_{protocol}"] = (
                safeload.scan(path.read_bytes()).safe,
                trusted_load(path, []),
            )
    # before the stop_words plain-data rule: all four SAFE and loaded (the list count skips a
    # tuple holding an object it does not evaluate)
    assert all(not s and v.startswith("refused") for s, v in outcomes.values()), outcomes
