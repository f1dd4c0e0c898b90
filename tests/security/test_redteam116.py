r"""Red team 116 (helper, 01:49-02:38 UTC) on 8ed8163..f8539c4 (the hash count's fixes of rt115:
``_through`` reading ``held`` items, APPENDS counted into any target, the refusal of a set or dict
made by a call on values the pass cannot read, ``_scalar_value`` restricted to kinds
``biufcmMSU``, SystemError in the malformed-stream net). Snapshot /tmp/rt116p; run from
/work/rt116 with SAFELOAD_PURE_PYTHON=1 and PYTHONPATH=/tmp/rt116p/src:/tmp/rt116p/tests
(Python 3.11.7). Each finding is a strict xfail asserting the safe behaviour; the harm is shown
first with plain pickle in a child under the CPU limit (``HANG_CPU``), then with 200 keys whose
hashes this process checks. Figures are process CPU seconds measured in this session (2 busy
cores, a heavy test run alongside), each in its own process.

Findings
--------
rt116-01 (HARM: CPU at load, quadratic, DEFAULT policy, scan SAFE; walk_values.py ``call_keys``
         / ``_through``: rt115-01's fix incomplete) when ``_through`` cannot read a source to its
         bottom it answers None and drops the ``held`` items it collected on the way; ``call_keys``
         then refuses only if the source has no key table (``copied is None``), and a list a call
         made has one as soon as APPENDS filled it: the *list's* count, which runs with
         ``whole=False`` and skips what nothing hashes in a list (tuples past 64 nodes, lists).
         Three ways to the bottom: ``list()`` (no argument: ``_through`` reads only one-argument
         calls), ``list('')`` (a text), ``list(X)`` with ``X`` 15 calls deep (``set``,
         ``frozenset``, ``tuple`` or ``list``: 4 files, all SAFE; ``_through`` stops after 16
         calls); or ``set()`` (no argument) below the list. So ``set(L)``/``frozenset(L)`` of ``L =
         list()`` + APPENDS of ``(k * (2**61 - 1), S)`` (``S`` one memoised 70-item tuple), and
         ``dict(L)``/``defaultdict(int, L)`` of pairs ``[k * (2**61 - 1), 0]``, count nothing.
         Second face of the same acceptance: the table shared is of the source's *items*, not of
         the made container's keys: ``dict(set() + ADDITEMS)`` of pairs ``(k * (2**61 - 1), k)``
         (the set's own count sees tuples of different hashes; the dict's keys, the first items,
         all hash 0), and the same pairs APPENDed to ``list()`` (the list counts the pairs, never
         the keys), for ``dict`` and ``defaultdict`` with factory ``None``, ``int`` or ``list`` (4
         more files: SAFE and loaded). Figures, 40,000 keys: ``set(list() + APPENDS)`` (639 KB)
         plain pickle 19.4 s, ``load_unsigned`` loaded in 23.6 s, ``scan`` SAFE after 40.7 s;
         ``set(list('') + ...)`` plain 18.2 s, load 23.8 s; ``dict(list('') + ...)`` plain 8.7 s,
         ``scan`` SAFE after 23.2 s, load 11.3 s; the 15-deep shape: set plain 16.1 s, ``scan``
         SAFE after 41.8 s, load 21.6 s, dict plain 8.9 s, load 11.6 s; ``dict(set() + ADDITEMS)``
         (759 KB) plain 12.6 s, ``scan`` SAFE after 27.4 s, load 15.0 s. A grammar fuzzer (random
         1-5 deep compositions of ``list``/``tuple``/``set``/``frozenset``/``dict``/``defaultdict``
         calls over boxes, with APPENDS/ADDITEMS/SETITEMS batches of 20 keys of hash 0) found 131
         SAFE files of 40-80 such keys in 3,000, every one built on one of these bases; without
         them (28,000 more, 1-7 calls deep, dict and ``dict()`` sources too; 4,082 harmful in the
         23,000 where counted) none; with ``set()`` + ADDITEMS as a base as well, 27 SAFE in 3,000
         (576 harmful), each a dict made from a set's table or a list over that ``set()``. The
         test: 200 keys, 4 kinds x 3 bases + 2 set-pair files: all 14 SAFE and loaded (and 2 of
         them named .joblib: SAFE and loaded). Fix: in ``call_keys``, accept a ``copied`` table
         only where the given is a dict or set (box, or a ``set``/``dict``/``defaultdict`` call's
         made table) whose keys the call's keys are (a set from a set or a dict, a dict from a
         dict; never a dict from a set); otherwise, when ``_through`` answers None, refuse (as for
         a source with no table). Also let ``_through`` read a call without argument (``list()``,
         ``set()``, ``tuple()``) as empty plus its ``held`` items, and answer "unreadable" (not
         None-and-forget) once it has held items and meets anything it cannot read, or its 16th
         call.
rt116-02 (HARM: CPU at load, quadratic, with ``trusted=[cls]``; walk_values.py ``_hash_mode``:
         rt113-03's fix has no counterpart for named tuples) a trusted ``tuple`` subclass whose
         ``__new__`` is tuple's or namedtuple's and whose ``__hash__`` is ``tuple.__hash__`` gets
         mode ``"tuple"`` whatever its ``__eq__``: the pass values each key as the plain tuple of
         its fields and counts equal tuples once, while the load compares keys with the class's own
         ``__eq__``. A named tuple compared by identity (``__eq__`` = ``self is other``, ``__hash__
         = tuple.__hash__`` as Python asks of a class that defines ``__eq__``): 20,000 keys
         ``Ident(1, 2)`` (900 KB, padded past the instance budget's 32 bytes per object): plain
         pickle 8.1 s, ``load_unsigned(trusted=[Ident])`` loaded in 13.6 s (``scan``: "unproven", a
         trusted call with arguments). Inside tuple keys ``(Ident(1, 2), 0)`` the same (200 keys:
         loaded). The test: 200 keys, loaded. Fix: mode ``"tuple"`` only where
         ``inspect.getattr_static(cls, "__eq__")`` is ``tuple.__eq__`` (and ``__ne__`` likewise);
         otherwise ``"opaque"`` (32 per container).
rt116-04 (HARM: CPU at load, quadratic, with ``trusted=[SomeEnum]``; walk_values.py
         ``_hash_mode``, _numpy_state.py ``_stand_in``) ``_hash_mode`` answers None ("a hash the
         file cannot choose: an enum's name") for a class whose ``__hash__`` is
         ``enum.Enum.__hash__``, so its objects stand in as ``_Unseen`` and whole keys of them are
         not counted. But ``Enum.__hash__`` is ``hash(self._name_)``, and protocol 0-1's form of an
         object, ``copyreg._reconstructor(Color, object, None)`` + BUILD ``{"_name_": k * (2**61 -
         1), "_value_": k}``, makes a new object of the trusted enum class with the name the file
         chose (the load allows it; pickle writes a member as ``Color(value)`` at every protocol,
         never so: checked at 0, 2, 4). 30,000 such keys (1.08 MB): plain pickle 5.6 s,
         ``load_unsigned(trusted=[Color])`` loaded in 11.3 s; ``scan`` says "unproven: ... made by
         its own EnumType" (a scan/load disagreement besides). The same objects as set items
         (EMPTY_SET + ADDITEMS, FROZENSET, ``set(list)``: 3 files of 200): loaded too; an
         ``enum.Flag`` the same (200 keys, loaded). The test: 200 keys, loaded. Fix: refuse
         ``_reconstructor`` (and any NEWOBJ) of an Enum class: its members come only through the
         class (``Color(value)``), which returns the existing members. (Mode ``"opaque"`` for Enum
         classes would refuse honest dicts keyed by more than 32 members of one enum.)
rt116-03 (LOW: a harmless file refused as "malformed stream"; _numpy_state.py
         ``shared_hash_problem``'s ``value in same``) the count compares values of one hash
         with ``==``, and a numpy scalar broadcasts against a tuple: ``np.int64(h) == (0, 1)``
         is an array, whose truth raises ValueError, which the walk's net reports as "malformed
         stream". A list (or object array, or joblib file) holding ``(0, 1)`` and
         ``np.int64(hash((0, 1)))`` (172 bytes) loads with plain pickle (nothing hashes a list's
         items), but ``scan`` and ``load_unsigned`` refuse it (protocols 2 and 5, object array,
         joblib raw and zlib: 6 files). As dict keys or set items plain pickle fails the same
         way, so there is no harm, only a misleading verdict on a crafted list. Fix: compare
         in ``shared_hash_problem`` with the exception caught (count the two as different), or
         compare only values of one type.

Ported by the maintainer (177ff4d; the final file at 02:40)
------------------------------------------------------------
All four findings are fixed; their tests now assert the safe behaviour.
* rt116-01: ``call_keys`` shares a copied table only for a dict's keys (any of the four
  calls) or a set's items (a set or frozenset call), reads ``list()``/``set()`` without an
  argument as what was stored into them, and refuses a source it cannot read unless it is
  the stream's dict or a shared table (``dict(defaultdict(cls))`` stays refused: rt87-05).
* rt116-02: a tuple subclass is read by its fields only when it compares as a tuple.
* rt116-03: a comparison that raises counts the two values apart.
* rt116-04: an enum's object made other than by value (NEWOBJ, ``_reconstructor``) makes
  its key one hash with its class's (``_hash_mode`` "enum").

Held (tried, no finding)
------------------------
* Other ways into a call's result after ``_through`` read it: SETITEMS into a ``dict`` call's
  result (counted in its shared table), ADDITEMS into a ``frozenset`` call's result (read:
  ``mutation_problem`` allows ``set`` only) and APPENDS into a ``deque`` (refused: not a plain
  container), ADDITEMS into ``set()`` (counted with ``whole=True``; ``frozenset(set() +
  ADDITEMS)`` shares that table: right). ``set(list(S) + APPENDS)`` over a readable ``S`` within
  16 calls: read and refused (2 depths). (read) ``dict`` built from ``dict(L)`` copies with 32
  unread pairs each, then SETITEMS: at most 64 keys of one hash (the unread rule and the shared
  table bound it). ``set(OD)`` + ADDITEMS and ``dict(OD)`` + SETITEMS of an ``OrderedDict`` made
  by NEWOBJ + SETITEMS (20 + 20 keys of hash 0): refused through the shared table
  (``frozenset(OD)``: the load's rule refuses it); 3 files.
* ``OrderedDict``/``Counter``/``defaultdict``/``dict``/``Bunch`` called on pairs written as
  lists, and chains of them + SETITEMS (10 files): refused ("called with arguments", "built
  from a plain dict only", counted). ``copyreg._reconstructor(OrderedDict|dict|Counter|
  defaultdict|Bunch, dict, pairs)`` with list pairs and ``list()``-made pairs (10 files):
  refused. ``set``/``frozenset``/``dict``/``defaultdict`` REDUCEd on an argument tuple made by
  a call (``set(*tuple([L]))``, 4 files): refused. ``list(X)`` + APPENDS for ``X`` a dict,
  ``{1: 2}``, ``dict([])``, ``range(0)`` (8 files): the load's rule for ``list`` refuses them;
  ``X = set()`` or ``()`` (4): read and counted. Ten other collecting names
  (``dict.fromkeys``, ``OrderedDict.fromkeys``, ``set.union``, ``frozenset.union``,
  ``ChainMap``, ``MappingProxyType``, ``UserDict``, ``sorted``, ``enumerate``, ``Counter(list)``):
  refused.
* The pass's own CPU: one memoised or DUP'ed ``list(BIG)`` / 20,000-item tuple given as 2,000
  dict pairs (``_through`` copies it per pair), and one ``list()`` + APPENDS of 5,000 held
  items referenced 2,000 times (4 + 2 files): refused by the reuse charge in < 0.4 s.
* A mutation fuzzer: 34,000 byte-mutated pickles (numpy scalar keys of kinds ``U`` with a
  surrogate, ``S``, ``M``, ``m``, float16, complex64, bool; frozenset, tuple and object-array
  keys; ``set(list() + APPENDS)`` and ``dict([frozenset(...)])`` shapes; a protocol-2 ``U1``
  scalar of U+D800) through ``scan``: no exception out of ``scan``; 68,000 mutants of this
  round's files (rt116-01 to -04) through ``scan`` and ``load_unsigned`` (trusted=[Color]): no
  exception but SafeloadError. BUILD on a numpy scalar
  (``__setstate__`` is a no-op): a memoised key value cannot go stale.
* A trusted named tuple with a ``__dict__`` tag in its ``__eq__`` (2 files): refused ("a
  BUILD on what a call of a trusted class returned"). A trusted dataclass key equal (as a
  tuple) to a plain tuple key: the load keeps both, the pass one: at most a factor of the
  number of such classes, no harm.
* Honest files, protocols 0-5 and joblib (raw and zlib), pandas profile where pandas: 162
  (sets of tuples and of frozensets, ``-1``/``-2`` keys, Counter, OrderedDict, defaultdict of
  sets and lists, tuple keys, numpy int/float/str/bool keys, CountVectorizer with English and
  62 stop words, MultiLabelBinarizer, object arrays of tuples, Series.to_dict, DataFrame,
  Categorical) all SAFE and loaded; 96 more (DictVectorizer, a ColumnTransformer pipeline on a
  DataFrame, OrdinalEncoder on ints, LabelEncoder, LabelBinarizer, TfidfVectorizer with 82
  stop words, a tree, a bundle of sets/frozensets/Counter/int and float sets incl. ``2**61 -
  1`` and ``2**61``, a DatetimeIndex ``to_dict``, int categories): 88 SAFE and loaded, 8
  refused for ``pandas.MultiIndex`` (not reviewed: not the count). ``collections.deque``
  (refused: APPENDS on a deque) and ``array.array`` (not allowlisted): rules older than the
  count. Lists of 100,000 references to one 40- or 60-item tuple and an object array of
  100,000 references to one 20-item tuple: refused ("constant folding needs more than
  3,270,784 units"), also with the count switched off (the unfold bound) and at rt110 already:
  not the count's.
* More honest keys, protocols 0-5: lists, sets, dicts and ``(UUID, i)`` tuple keys of 100
  UUIDs (24 files), a TfidfVectorizer with a 300-word vocabulary, a CountVectorizer with the
  318 English stop words as a list, ``ENGLISH_STOP_WORDS``, a set of 200 frozensets, a
  frozenset of 300 ``(i, str(i))`` (30), text and ``np.str_`` keys with lone surrogates,
  whole, in tuples, in lists and 300-character ones in a set (20): all SAFE and loaded.
* A pandas object Index (and Series) of 200 ``(k * (2**61 - 1), S)`` tuples (pandas
  profile): refused ("an Index's data holds a tuple"); ``numpy.array``/``asarray``/
  ``fromiter``/``object_``, ``pandas.Index`` by REDUCE, ``_new_Index`` on a list (7 files):
  refused. tests/security/test_redteam115.py and test_key_stand_ins.py pass on this snapshot
  (48 tests).
* joblib files at protocols 0-3, raw and zlib (40: a CountVectorizer with 60 stop words, a
  OneHotEncoder on 45 texts and 50 ints, a LabelEncoder, a forest, a bundle of sets, a
  frozenset of pairs and an OrderedDict): all SAFE and loaded.
* Trusting a ``str`` or ``int`` subclass (keys, sets, lists of 100; 12 files): refused as a
  usage error by design ("it derives from str"), so no own-class ``str``/``int`` keys reach the
  count. A trusted Enum made by ``copyreg.__newobj__(Color, 1)`` + BUILD renames the one
  member ``RED``: plain pickle's dict has one key (and ``copyreg.__newobj__`` is not allowed);
  only ``_reconstructor`` makes new ones (rt116-04). 200 such Enum objects inside tuple keys
  ``(E, k * (2**61 - 1))`` stand in as ``_Unseen`` of one hash: refused (only whole keys and
  set items escape). A dict keyed by all 40 members of a trusted Enum (pickled as
  ``Big(value)``; protocols 0, 2, 5): loaded (scan "unproven", a trusted call), as a fix of
  rt116-04 must keep it.
Minutes attacked: 01:49-02:38 UTC (49 minutes).
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import (
    HANG_CPU,
    HERE,
    P61,
    PLAIN,
    assert_one_hash,
    binunicode,
    child,
    global_,
    long1,
    own_module,
    padded,
    reduce_call,
    scan_and_load,
    trusted_load,
    write,
)

pytestmark = pytest.mark.filterwarnings("ignore")


# --- rt116-01: held items dropped where _through cannot read the list they were appended to ---

#: a memoised 70-item tuple (memo 0): ``(k * (2**61 - 1), S)`` is past the 64 nodes a list's
#: own count evaluates, so the APPENDS that store it count nothing
_S = b"(" + b"K\x01" * 70 + b"t\x94"


def _base(shape: str) -> bytes:
    """The list the items are appended to: ``list()`` (no argument: ``_through`` reads only a
    one-argument call), ``list('')`` (a text: ``_through`` reads no text), or ``list(X)`` for
    ``X`` 15 ``set`` calls deep over an empty set (``_through`` gives up after 16 calls)."""
    if shape == "noarg":
        return global_("builtins", "list") + b")R"
    if shape == "text":
        return reduce_call("builtins", "list", binunicode(""))
    inner = b"\x8f"
    for _ in range(15):
        inner = reduce_call("builtins", "set", inner)
    return reduce_call("builtins", "list", inner)


def _appended(n: int, kind: str, shape: str) -> bytes:
    """``kind(L)`` where ``L`` is :func:`_base` ``(shape)`` then APPENDS of ``n`` items: tuples
    ``(k * (2**61 - 1), S)`` for a set or frozenset, pairs ``[k * (2**61 - 1), 0]`` for a
    dict or defaultdict. ``_through(L)`` collects the appended (``held``) items, meets what
    it cannot read below them and answers None; ``call_keys`` then takes ``L``'s own table
    (the list count, which skips such tuples and lists) as the source's count."""
    if kind in ("dict", "defaultdict"):
        items = b"".join(b"(" + long1(k * P61) + b"K\x00l" for k in range(1, n + 1))
    else:
        items = b"".join(b"(" + long1(k * P61) + b"h\x00t" for k in range(1, n + 1))
    source = _base(shape) + b"(" + items + b"e"
    if kind == "defaultdict":
        body = reduce_call("collections", "defaultdict", global_("builtins", "int") + source)
    else:
        body = reduce_call("builtins", kind, source)
    return b"\x80\x04" + _S + b"0" + body + b"."


def _set_pairs(n: int, kind: str) -> bytes:
    """``kind(S)`` where ``S = set()`` (a call without argument, which ``_through`` does not
    read) then ADDITEMS of ``n`` pairs ``(k * (2**61 - 1), k)``: ``S``'s own count sees ``n``
    tuples of different hashes, and ``call_keys`` shares that table as the dict's, whose keys
    are the pairs' first items, all of hash 0."""
    items = b"".join(
        b"(" + long1(k * P61) + b"J" + k.to_bytes(4, "little") + b"t" for k in range(1, n + 1)
    )
    source = global_("builtins", "set") + b")R(" + items + b"\x90"
    if kind == "defaultdict":
        body = reduce_call("collections", "defaultdict", global_("builtins", "int") + source)
    else:
        body = reduce_call("builtins", kind, source)
    return b"\x80\x04" + body + b"."


def test_rt116_01_held_items_dropped(tmp_path: Path) -> None:
    big = write(tmp_path, _appended(40_000, "set", "noarg"), "big.pkl")
    # the harm: 40,000 set items of hash 0 (639 KB): plain pickle 19.4 s, scan SAFE after
    # 40.7 s, load_unsigned loaded in 23.6 s; killed here at the limit
    plain = child(PLAIN, big, cpu=HANG_CPU)
    assert plain.crashed and not plain.loaded, plain.output
    outcomes = {}
    for shape in ("noarg", "text", "deep"):
        for kind in ("set", "frozenset", "dict", "defaultdict"):
            data = _appended(200, kind, shape)
            assert_one_hash(data, 200)
            outcomes[f"{kind}_{shape}"] = scan_and_load(
                write(tmp_path, data, f"{kind}_{shape}.pkl")
            )
    for kind in ("dict", "defaultdict"):
        data = _set_pairs(200, kind)
        assert_one_hash(data, 200)
        outcomes[f"{kind}_set_pairs"] = scan_and_load(write(tmp_path, data, f"{kind}_sp.pkl"))
    # today: all fourteen SAFE and loaded
    assert all(not s and v.startswith("refused") for s, v in outcomes.values()), outcomes


# --- rt116-02: a trusted named tuple's own __eq__ (rt113-03's fix, for named tuples) -----------

_TAGGED = '''
from collections import namedtuple


class Ident(namedtuple("Ident", "x y")):
    """A named tuple compared by identity (its own __eq__), hashed as the tuple of its fields
    (``__hash__ = tuple.__hash__``, as Python asks of a class that defines __eq__)."""

    __slots__ = ()

    def __eq__(self, other):
        return self is other

    __hash__ = tuple.__hash__
'''


def _same_fields(n: int, cls: Any, pad: int = 0) -> bytes:
    """A dict of ``n`` keys ``cls(1, 2)``: one hash, and different keys by ``cls.__eq__``; the
    pass evaluates each as the tuple ``(1, 2)``, one value."""
    data = pickle.dumps({cls(1, 2): 0 for _ in range(n)}, 4)
    return padded(data, pad) if pad else data


def test_rt116_02_named_tuple_own_eq(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = own_module(tmp_path, monkeypatch, "rt116_ident", _TAGGED)
    big = write(tmp_path, _same_fields(20_000, own.Ident, 700_000), "big.pkl")
    # the harm: 20,000 keys (900 KB, padded for the instance budget): plain pickle 8.1 s,
    # load_unsigned(trusted=[Ident]) loaded in 13.6 s; killed here at the limit
    plain = child(HERE + PLAIN, big, cpu=HANG_CPU)
    assert plain.crashed and not plain.loaded, plain.output
    data = _same_fields(200, own.Ident)
    assert_one_hash(data, 200)
    # today: loaded (the pass counts one value (1, 2)); scan: "unproven" (a trusted call)
    loaded = trusted_load(write(tmp_path, data), [own.Ident])
    assert loaded.startswith("refused"), loaded


# --- rt116-03: the count compares numpy scalars with tuples (a list plain pickle loads) --------


def _scalar_beside_tuple(protocol: int) -> bytes:
    """A list ``[(0, 1), np.int64(hash((0, 1)))]``: one hash; numpy's ``==`` broadcasts the
    scalar against the tuple, and the count's ``value in same`` asks the truth of an array."""
    pair = (0, 1)
    return pickle.dumps([pair, np.int64(hash(pair))], protocol)


def test_rt116_03_scalar_compared_with_tuple(tmp_path: Path) -> None:
    outcomes = {}
    for protocol in (2, 5):
        data = _scalar_beside_tuple(protocol)
        items = pickle.loads(data)  # plain pickle loads it (nothing hashes a list's items)
        assert len(items) == 2 and hash(items[0]) == hash(items[1])
        outcomes[protocol] = scan_and_load(write(tmp_path, data, f"p{protocol}.pkl"))
    # today: both "malformed stream: ValueError: The truth value of an array ..." (scan and load)
    assert all(s and v == "loaded" for s, v in outcomes.values()), outcomes


# --- rt116-04: a trusted Enum's objects hash by a name the file gives them --------------------

_ENUM = '''
import enum


class Color(enum.Enum):
    """An enum; its members hash as their names (enum.Enum.__hash__: hash(self._name_))."""

    RED = 1
    BLUE = 2
'''


def _enum_keys(n: int, module: str) -> bytes:
    """A dict of ``n`` keys ``copyreg._reconstructor(Color, object, None)`` (protocol 0-1's form
    of an object) given by BUILD the state ``{"_name_": k * (2**61 - 1), "_value_": k}``: new
    objects of the enum class, each hashing as its ``_name_`` (0), all different (identity)."""
    head = (
        global_("copyreg", "_reconstructor")
        + b"q\x010"
        + global_(module, "Color")
        + b"q\x020"
        + global_("builtins", "object")
        + b"q\x030"
        + binunicode("_name_")
        + b"q\x040"
        + binunicode("_value_")
        + b"q\x050"
    )
    keys = b"".join(
        b"h\x01(h\x02h\x03NtR}(h\x04" + long1(k * P61) + b"h\x05" + long1(k) + b"ubK\x00"
        for k in range(1, n + 1)
    )
    return b"\x80\x02" + head + b"}(" + keys + b"u."


def test_rt116_04_enum_name_hash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = own_module(tmp_path, monkeypatch, "rt116_enum", _ENUM)
    big = write(tmp_path, _enum_keys(30_000, "rt116_enum"), "big.pkl")
    # the harm: 30,000 keys (1.08 MB): plain pickle 5.6 s, load_unsigned(trusted=[Color])
    # loaded in 11.3 s; killed here at the limit
    plain = child(HERE + PLAIN, big, cpu=HANG_CPU)
    assert plain.crashed and not plain.loaded, plain.output
    data = _enum_keys(200, "rt116_enum")
    assert_one_hash(data, 200)
    # today: loaded (Enum.__hash__ is taken as "a hash no file chooses": the keys are skipped);
    # scan: "unproven" (made by its own EnumType)
    loaded = trusted_load(write(tmp_path, data), [own.Color])
    assert loaded.startswith("refused"), loaded
