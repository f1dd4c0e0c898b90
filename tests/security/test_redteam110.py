r"""Red team 110 (helper, 20:59-21:46 UTC) on df344ea: the fixes of 4a0019e and df344ea (the
hash-collision count's new key kinds and containers, the trust rules for own classes,
``numbers.Integral`` counts, ``VALID_ATOMS``). Snapshot /tmp/rt110p; run from /work/rt110 with
SAFELOAD_PURE_PYTHON=1 and PYTHONPATH=/tmp/rt110p/src:/tmp/rt110p/tests (Python 3.11.7,
numpy 2.x, scikit-learn 1.9). Each finding is a strict xfail asserting the safe behaviour;
harm is shown first with plain pickle in a child under CPU or memory limits; the own modules
are written to tmp_path. Figures below are process CPU seconds measured in this session.

Findings
--------
rt110-01 (HARM: CPU at load and at use, quadratic; _numpy_state.py ``_key_value``, the
         rt109-01 fix) the new ``_NUMBER_CALLS`` branch evaluates ``Decimal(text)`` only
         for a text of at most 64 characters, and the tuple branch evaluates an unfoldable
         tuple (one holding a Decimal or range) only up to 16 items; anything longer is
         ``_NO_KEY``, i.e. not counted. ``Decimal`` ignores surrounding blanks and leading
         zeros, so ``Decimal(" " * 40 + str(k * (2**61 - 1)) + " " * 30)`` is the same key of
         hash 0 as rt109-01's, unseen. A dict of 20,000 such keys (2 MB): scan SAFE in 5.7 s,
         ``load_unsigned`` loads it in 5.6 s (plain pickle 3.7 s; 5,000 keys: 0.8 s and 1.5
         s). At use: an ``OrdinalEncoder`` fitted on 10,000 such Decimals (816 KB, each
         category pickled with the padded text) is SAFE, loads in 0.34 s, and ``transform``
         of 5 rows takes 1.95 s; a ``CountVectorizer`` whose ``stop_words`` list holds
         20,000 of them (1.6 MB) loads (scan unproven) and each ``transform`` of one short
         text takes 4.9 s. Tuples ``(Decimal(k * P), 0, ..., 0)`` of 17 items: 2,000 of
         them as ``stop_words`` SAFE and loaded. The ``_NAMED_TUPLES`` branch reads the
         call form only: ``_ImputerTriplet`` keys as protocols 0 and 1 write them,
         ``copyreg._reconstructor(_ImputerTriplet, tuple, (k * P, 0, None))``, are not
         counted: 15,000 (850 KB) load in 3.7 s (plain 2.0 s; scan unproven). The test: 200
         padded Decimal keys, 200 17-item tuple keys, the encoder of 200 and 200 triplets at
         protocols 0 and 1: refused (the rule's limit is 32).
rt110-02 (HARM: CPU at load, quadratic; _numpy_state.py ``_key_value``) ``uuid.UUID`` (on the
         default allowlist) hashes as ``hash(self.int)``, an int of 128 bits the file
         chooses (``k * (2**61 - 1)``: hash 0 for 2**67 values) and compares by a Python
         ``__eq__``; it is not among the evaluated keys. rt109 noted such keys were "refused
         by the object budget only": that budget grows with the file's size, and a dropped
         BINBYTES of zeros buys it. 12,000 UUID keys after 500 KB of zeros (775 KB): scan
         SAFE in 13 s, ``load_unsigned`` loads in 6.5 s (plain pickle 4.6 s); the same
         stream as a zlib joblib file is 44 KB (the budget reads the decompressed size) and
         loads in 7.9 s; 4,000 keys after 200 KB: scan SAFE 3.2 s, load 0.97 s. The test:
         200 UUID keys of hash 0 (no padding needed): SAFE and loaded today.
rt110-03 (HONEST-REFUSED, a regression of rt109-03's fix; trust/trusted_classes.py
         ``_own_new``) an honest ``typing.NamedTuple`` (or ``collections.namedtuple``) class
         passed as ``trusted=[Cell]`` and pickled by plain pickle (protocols 2, 4, 5:
         ``NEWOBJ(Cell, (3, 4))``) is refused by both: "called with arguments from the file:
         its own __init__ or __new__ would run": namedtuple's generated ``__new__`` has the
         module ``namedtuple_Cell`` (not the standard library's), and the exemption for a
         class that writes its NEWOBJ arguments itself looks for an own
         ``__getnewargs__``, while namedtuple's is ``collections``' code. At 461d3eb (before
         4a0019e) the same file loaded (scan unproven). Fixing it must keep counting:
         ``Cell(k * P, 0)`` keys hash as the tuple of their fields, which ``_NAMED_TUPLES``
         (``_ImputerTriplet`` only) does not evaluate. The test: the honest Cell loads, and
         a dict of 200 colliding Cell keys stays refused.
rt110-04 (HARM: CPU at load, quadratic; the hash count never evaluates objects of trusted
         classes, ``_key_value``; the load loads what scan calls unproven) a frozen
         ``@dataclass`` (``Feature(column: str, index: int)``, an honest key type) hashes as
         ``hash((column, index))`` and compares by a generated Python ``__eq__``: keys
         ``Feature("x", k * P)`` all share one hash. 5,000 such keys after 400 KB of zeros
         (539 KB): ``load_unsigned(trusted=[Feature])`` loads in 3.0 s (plain 2.1 s; 10,000:
         some 12 s), scan says "unproven: a Feature used as a dict key ... whose own
         __hash__ a load runs". The test: 200 keys of one hash: refused by the load.
rt110-05 (HARM: memory at use, 3.3 GB from a 300-byte file; trust/structures/names.py
         ``_count`` (``is_int``), the rt109-09 fix covered ``object_checks._count_of`` only)
         a registered ``numbers.Integral`` (rt109-09's ``Count``) as ``n_components`` of
         ``RBFSampler``, ``Nystroem``, ``SkewedChi2Sampler``, ``SparseRandomProjection``,
         ``PCA``, ``TruncatedSVD``, ``NMF``, ``KernelPCA``, ``FastICA``,
         ``LatentDirichletAllocation`` and ``BernoulliRBM`` (11 of 38 count parameters
         tried, at 2**31 and 2**40): the plain int is refused ("get_feature_names_out could
         write 4,194,304 names ..."), the Count is loaded with ``trusted=[Count]`` (scan:
         "parameter constraints refuse", while scikit-learn's Interval(Integral) takes it).
         ``RBFSampler(n_components=Count(2**22))``: ``fit`` of 100 x 10 allocates 335 MB
         and ``transform`` of 100 rows 3.3 GB (MemoryError under a 1 GB limit).
rt110-06 (HARM: memory kept for the process's life, 100x the file; trust/classes.py
         ``CLEAN_KEYS``, filled by usetime ``_check_keys`` and literal_state
         ``state_problem``) the set of (class, state keys) found clean keeps every key tuple
         up to 10,000 entries, whatever the keys' number and length (each up to
         ``MAX_CONST``, 1,024 characters), and keeps it when the file is then refused. A
         ``LogisticRegression`` with 100,000 extra attributes of 1,006-character names and a
         NaN ``C`` (917 KB as a zlib joblib file): scan and ``load_unsigned`` both refuse it
         ("The 'C' parameter ..."), and each leaves 96 MB of names in ``CLEAN_KEYS``: two
         files, RSS 48 -> 391 MB (scan alone does the same). The class of rt108-09 and
         rt109-06 (``VALID_ATOMS``). The test: 20,000 names (184 KB file, 20 MB kept).
rt110-07 (HARM: memory kept for the process's life; trust/trusted_classes.py
         ``builtin_args_problem``/``_flag_value_problem`` cover ``enum.Flag`` only) pickle
         writes an enum member as ``REDUCE(cls, (value,))``; for a value no member has,
         ``EnumType.__call__`` runs the class's ``_missing_``, the caller's code, on the
         file's value. An own ``Enum`` whose ``_missing_`` keeps a pseudo-member for an
         unknown code (``cls._value2member_map_.setdefault(value, member)``, the Flag
         pattern) is trustable, and a file of 20,000 ``Status("<1 KB text>")`` calls (94 KB
         zlib joblib) that ``load_unsigned(trusted=[Status])`` then refuses (a NaN ``C``)
         leaves 20,000 members in the class: RSS 180 -> 303 MB, every file adding its own.
         rt105-10/rt107-03's cap (16 new compositions a file) is for ``enum.Flag`` only.
rt110-08 (HARM: CPU in scan and load, exponential in the file's size, a regression of
         4a0019e/df344ea; _numpy_state.py ``_key_value``/``_collected`` reached from
         walk_values ``_crowd`` of LIST, APPEND(S) and long TUPLE items) a tuple the pass
         cannot fold (it holds a Decimal, a range, a numpy scalar) of at most 16 items is
         evaluated item by item, recursively, with no memo of shared nodes and nothing
         charged to the fold budget; since df344ea a list's and a long tuple's items are
         counted this way (``whole=False`` only limits foldable tuples). ``T0 =
         Decimal("1")``, ``Tk = (Tk-1,) * 16`` through the memo, in a list: 220 bytes, scan
         1.6 s and ``load_unsigned`` 1.5 s; 263 bytes (depth 6) 24 s each; depth 7 (some 300
         bytes) over 300 s (x16 a level); plain pickle loads it in 50 microseconds. A tuple
         of 33 ``T5`` (284 bytes): scan 47 s; ``range(1)`` leaves alike (215 bytes: 1.2 s
         each). Both end in "the model unfolds into more values than the file's size
         allows", which 461d3eb gave in 0.1-0.2 s at depths 6 and 7. (A dict, set or
         frozenset of it is refused first, by ``_hashed_objects``' charge.) A few hundred
         bytes stall a scanning service for hours.

Ported by the maintainer (the same day, 21:45-22:10 UTC; every finding fixed)
-----------------------------------------------------------------------------
* rt110-08: ``_key_nodes`` counts a key's expanded nodes once, memoised on each container
  (``_Container.key_nodes``), and ``_afford`` charges that to the fold budget before a key
  is evaluated; an item nothing hashes while loading is evaluated up to 64 nodes only.
* rt110-01: Decimal texts of any length (charged by length), unfoldable tuples of any size,
  and ``_reconstructor(_ImputerTriplet, tuple, fields)`` are evaluated.
* rt110-02: a ``uuid.UUID`` key is evaluated as its int (``_SameHash``).
* rt110-03: namedtuple's generated ``__new__`` (module ``namedtuple_<name>``, helper
  ``tuple.__new__``) is library code (``trusted_classes._namedtuple_code``).
* rt110-04: keys of a trusted class whose own ``__hash__`` the pass cannot evaluate count as
  one hash (``_OwnKey``): at most 32 per container (an enum's name hash is exempt).
* rt110-05: a class registered as ``numbers.Number`` cannot be trusted.
* rt110-06: ``CLEAN_KEYS`` keeps key sets of at most 256 names and 8,192 characters.
* rt110-07: an own enum's ``_missing_`` is asked for at most 16 unknown values per file.

Held (tried, no finding)
------------------------
* Hash count, other key kinds: ``range(a, b, True)`` (a bool step), ``complex("a+bj")``
  (complex hashes ``hr + 1000003 * hi``: chosen collisions from text), numpy ``complex128``
  scalars of one hash at protocols 0, 2 and 4 (canonical and ``_codecs`` bytes): refused by
  both (5 files). ``frozenset``/``set``/``tuple``/``list``/``dict`` of ``range(P, 20001 * P,
  P)`` (a 75-byte file of 20,000 keys of hash 0): refused (4) or failing (dict). Timedelta
  and aware datetimes hash a 3-int tuple through xxHash's 64 bits: no cheap multicollision.
  ``numpy.longdouble`` scalars ``1 + k * eps`` (200 distinct values, one hash, as numpy
  hashes them through a double): refused (evaluated). ``_ImputerTriplet`` keys written by
  protocols 2 and 4 (NEWOBJ): refused (2 files).
* Lists hashed at use: ``stop_words`` as a ``range`` (Count, Tfidf, Hashing vectorizers):
  refused by the constraints (3); as a list of 20,000 tuples of more than 64 nodes (past
  ``_ITEM_TUPLE_NODES``, uncounted): refused by the printer's cost (63,664,263 units) or
  "unproven ... box" at scan (2 sizes); an unfitted ``CountVectorizer(vocabulary=[...])`` of
  such tuples: refused (a container held twice); an own ``list`` subclass filled by
  APPENDS as ``stop_words``: refused by both (APPENDS on an own object).
* Registered Integral counts (``_count_of``): 27 of 38 count parameters (KBinsDiscretizer,
  PolynomialFeatures, SplineTransformer, QuantileTransformer, KMeans, MiniBatchKMeans, Birch,
  forests, HistGradientBoosting ``max_iter``/``max_bins``, GradientBoosting, neighbours,
  hashing vectorizers, PolynomialCountSketch, AdditiveChi2Sampler, MLP, GaussianMixture,
  IsolationForest, LogisticRegression, KNNImputer, Isomap, OneHotEncoder, CountVectorizer,
  IterativeImputer) gave the same verdict for the Count as for the plain int.
* Use-time hashing of numeric arrays: ``MultiLabelBinarizer.classes_`` as a ``complex128``
  array of 4,000 values of one hash (``_build_cache`` makes a dict of them): SAFE, loaded,
  first ``transform`` 0.11 s (the 4,096-columns width rule bounds it; 5,000: refused).
* Decimal keys ``sNaN``, ``-sNaN123``, ``1E+999999999999999999``, ``NaN``, ``Infinity``:
  scan and load agree (5 files).
* Fitted counts as 0-d arrays and numpy ints: ``n_outputs_`` of trees and forests (16
  files): refused unless equal to the tree's; ``n_features_in_``, ``n_samples_fit_``,
  ``outputs_2d_``: refused.
* ``CLEAN_KEYS`` and ``VALID_ATOMS`` aside, the other caches (``lru_cache``s of
  ``_installed``, ``validate``, ``object_checks``, ``facts``, ``param_objects``,
  ``_trust_checks``) are keyed by classes. Keys over ``MAX_CONST`` (10 KB to 20 MB state
  names): refused as keys made by a call, nothing kept (RSS flat over 4 files).
* Honest own classes: an own exception with its own ``__init__`` is refused (before 4a0019e
  too: rt107-06's rule, pickle's REDUCE of its args runs that ``__init__``); a plain own
  exception loads; a delegating ``MetaEstimatorMixin`` wrapper with ``__getattr__`` over
  ``BaseEstimator`` loads (scan unproven), as at 461d3eb.
* skops: a ``CountVectorizer`` whose ``stop_words`` are 200 ints of hash 0: refused.
* Honest lists after df344ea (the list count spends the fold budget on each small tuple):
  300,000 int pairs, (str, float) pairs and nested pairs (3 to 10 MB) are SAFE and load as
  at 461d3eb (scan 10.6/10.5/47.9 s, load 9.1/9.6/43.2 s against 9.5/10.3/47.0 and
  8.3/9.0/40.8 s: slow, but no change). rt110-08's DAG as a dict key, set or frozenset
  item: refused in 0.2 s (3 files).
* Trust rules, read: ``_computed_state`` now refuses own ``__getattr__``/``__getattribute__``;
  an own ``__dict__`` property and own ``__setstate__`` are ``own_hook``'s (scan unproven); a
  BUILD slot state with items is refused (so ``__setattr__`` is not reached by a BUILD);
  ``__slots__`` classes are refused (documented).
"""

from __future__ import annotations

import pickle
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safeload
from redteam import (
    COUNT_MODULE,
    GB,
    HANG_CPU,
    HERE,
    P61,
    PLAIN,
    PLAIN_CALL,
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
from safeload import SafeloadError

# --- rt110-01: Decimal keys of a long text, and long tuples holding Decimals -------------------


def _padded_decimal_dict(n: int) -> bytes:
    """A dict of ``n`` keys ``Decimal("<40 blanks>k*P<30 blanks>")``: all hash 0."""
    out = b"\x80\x02" + global_("decimal", "Decimal") + b"q\x000}("
    for k in range(1, n + 1):
        out += b"h\x00" + binunicode(" " * 40 + str(k * P61) + " " * 30) + b"\x85RK\x00"
    return out + b"u."


def _long_tuple_dict(n: int) -> bytes:
    """A dict of ``n`` keys ``(Decimal(str(k*P)), 0, ..., 0)`` of 17 items: all one hash."""
    out = b"\x80\x02" + global_("decimal", "Decimal") + b"q\x000}("
    for k in range(1, n + 1):
        out += b"(h\x00" + binunicode(str(k * P61)) + b"\x85R" + b"K\x00" * 16 + b"tK\x00"
    return out + b"u."


def test_rt110_01_long_decimal_keys(tmp_path: Path) -> None:
    from sklearn.preprocessing import OrdinalEncoder

    assert Decimal(" " * 40 + str(P61) + " " * 30) == P61 and hash(Decimal(" 0" + str(P61))) == 0
    big = write(tmp_path, _padded_decimal_dict(20_000), "big.pkl")
    # the harm: plain pickle spends 3.7 s building the dict (scan 5.7 s SAFE, load 5.6 s),
    # killed here at its limit
    plain = child(PLAIN, big, cpu=HANG_CPU)
    assert plain.crashed and not plain.loaded, plain.output
    refusals = {}
    for name, data in (
        ("padded", _padded_decimal_dict(200)),
        ("tuple17", _long_tuple_dict(200)),
    ):
        safe, loaded = scan_and_load(write(tmp_path, data, f"{name}.pkl"))
        refusals[name] = (safe, loaded[:60])
    # the use-time form: an OrdinalEncoder whose categories are such Decimals (10,000:
    # transform of 5 rows 1.95 s)
    column = np.empty((200, 1), dtype=object)
    column[:, 0] = [Decimal(k * P61) for k in range(1, 201)]
    encoder = OrdinalEncoder().fit(column)

    def padded(o: Any) -> Any:
        return (Decimal, (" " * 50 + str(o),)) if type(o) is Decimal else NotImplemented

    path = write(tmp_path, dumps_with(encoder, padded, 4), "oe.pkl")
    safe, loaded = scan_and_load(path)
    refusals["encoder"] = (safe, loaded[:60])
    # scikit-learn's _ImputerTriplet keys as protocols 0 and 1 write a named tuple:
    # copyreg._reconstructor(_ImputerTriplet, tuple, fields) (protocol 2's NEWOBJ: refused)
    import copyreg

    from sklearn.experimental import enable_iterative_imputer  # noqa: F401
    from sklearn.impute._iterative import _ImputerTriplet

    def reconstructed(o: Any) -> Any:
        if type(o) is not _ImputerTriplet:
            return NotImplemented
        return copyreg._reconstructor, (_ImputerTriplet, tuple, (o[0] * P61, 0, None))

    triplets = {_ImputerTriplet(k, 0, None): 0 for k in range(1, 201)}
    for protocol in (0, 1):
        data = dumps_with(triplets, reconstructed, protocol)
        safe, loaded = scan_and_load(write(tmp_path, data, f"triplets{protocol}.pkl"))
        refusals[f"triplets{protocol}"] = (safe, loaded[:60])
    # today: every one SAFE to scan and loaded
    assert all(not s and v.startswith("refused") for s, v in refusals.values()), refusals


# --- rt110-02: uuid.UUID keys --------------------------------------------------------------------


def _colliding(keys: dict[Any, int], kind: type) -> bytes:
    """``keys`` (objects of ``kind`` keyed by a small int field) pickled as pickle writes
    them (NEWOBJ and BUILD), each int field multiplied by 2**61 - 1: all of one hash. (The
    dict is built here without the collisions, which would cost this process the same.)"""
    import copyreg

    field = "int" if kind.__name__ == "UUID" else "index"

    def reduce(o: Any) -> Any:
        if type(o) is not kind:
            return NotImplemented
        state = {**{s: getattr(o, s) for s in ("column",) if hasattr(o, s)}}
        state[field] = getattr(o, field) * P61
        return copyreg.__newobj__, (kind,), state

    return dumps_with(keys, reduce, 4)


def _uuid_dict(n: int, pad: int = 0) -> bytes:
    import uuid

    data = _colliding({uuid.UUID(int=k): 0 for k in range(1, n + 1)}, uuid.UUID)
    return padded(data, pad) if pad else data


def test_rt110_02_uuid_keys(tmp_path: Path) -> None:
    big = write(tmp_path, _uuid_dict(12_000, 500_000), "big.pkl")
    # the harm: plain pickle 4.6 s (scan SAFE in 13 s, load_unsigned 6.5 s), killed here
    plain = child(PLAIN, big, cpu=HANG_CPU)
    assert plain.crashed and not plain.loaded, plain.output
    # 200 keys of hash 0, six times the rule's limit: today SAFE and loaded
    safe, loaded = scan_and_load(write(tmp_path, _uuid_dict(200)))
    assert not safe and loaded.startswith("refused"), (safe, loaded)


# --- rt110-03: an honest NamedTuple is refused ---------------------------------------------------

_CELL_MODULE = '''
from collections import namedtuple
from typing import NamedTuple


class Cell(NamedTuple):
    """A grid cell."""

    row: int
    col: int


Span = namedtuple("Span", "start stop")
'''


def test_rt110_03_namedtuple_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = own_module(tmp_path, monkeypatch, "rt110_cell", _CELL_MODULE)
    # once the honest class loads again, its keys must still be counted: 200 cells of one
    # hash (a named tuple hashes as its fields) are refused (today: by the same refusal)
    crowd = {own.Cell(k * P61, 0): 0 for k in range(1, 201)}
    crowded = write(tmp_path, pickle.dumps(crowd, 4), "crowd.pkl")
    assert trusted_load(crowded, [own.Cell]).startswith("refused")
    outcomes = {}
    for cls, value in ((own.Cell, own.Cell(3, 4)), (own.Span, own.Span(0, 10))):
        for protocol in (2, 4, 5):
            path = write(tmp_path, pickle.dumps(value, protocol), f"{cls.__name__}{protocol}.pkl")
            outcomes[(cls.__name__, protocol)] = trusted_load(path, [cls])[:90]
    # today: "rt110_cell.Cell, a class the caller trusted, is called with arguments from the
    # file: its own __init__ or __new__ would run ..." (at 461d3eb: loaded)
    assert all(v == "loaded" for v in outcomes.values()), outcomes


# --- rt110-04: frozen dataclass keys of one hash -------------------------------------------------

_FEATURE_MODULE = '''
from dataclasses import dataclass


@dataclass(frozen=True)
class Feature:
    """A feature by its source column and index (a dict key in the project's models)."""

    column: str
    index: int
'''


def test_rt110_04_dataclass_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = own_module(tmp_path, monkeypatch, "rt110_feature", _FEATURE_MODULE)
    keys = {own.Feature("x", k): 0 for k in range(1, 10_001)}
    big = write(tmp_path, padded(_colliding(keys, own.Feature), 800_000), "big.pkl")
    # the harm: plain pickle spends seconds of CPU (5,000 keys 2.1 s; 10,000 some 8 s)
    plain = child(HERE + PLAIN, big, cpu=HANG_CPU)
    assert plain.crashed and not plain.loaded, plain.output
    small = {own.Feature("x", k * P61): 0 for k in range(1, 201)}
    assert len({hash(k) for k in small}) == 1
    path = write(tmp_path, pickle.dumps(small, 4))
    safe, loaded = scan_and_load(path, [own.Feature])
    assert not safe  # "unproven: a Feature used as a dict key ..., whose own __hash__ ..."
    # today: loaded (5,000 such keys after 400 KB of zeros: 3.0 s)
    assert loaded.startswith("refused"), loaded


# --- rt110-05: a registered Integral as n_components ---------------------------------------------


def test_rt110_05_integral_n_components(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sklearn.decomposition import PCA
    from sklearn.kernel_approximation import Nystroem, RBFSampler
    from sklearn.random_projection import SparseRandomProjection

    own = own_module(tmp_path, monkeypatch, "rt110_count", COUNT_MODULE)
    plain_int = write(tmp_path, pickle.dumps(RBFSampler(n_components=2**22), 5), "int.pkl")
    assert trusted_load(plain_int, []).startswith("refused")  # "... 4,194,304 names ..."
    path = write(tmp_path, pickle.dumps(RBFSampler(n_components=own.Count(2**22)), 5))
    assert path.stat().st_size < 400
    # the harm: fit of 100 x 10 takes 335 MB, transform of 100 rows asks 3.3 GB
    call = "model.fit(numpy.ones((100, 10))).transform(numpy.ones((100, 10)))"
    plain = child(HERE + PLAIN_CALL.format(call=call), path, memory=GB, cpu=20)
    assert plain.loaded and "call MemoryError" in plain.stdout, plain.output
    loaded = {}
    for cls in (RBFSampler, Nystroem, SparseRandomProjection, PCA):
        one = write(tmp_path, pickle.dumps(cls(n_components=own.Count(2**22)), 5), "c.pkl")
        loaded[cls.__name__] = trusted_load(one, [own.Count])[:60]
    # today: every one loaded (the plain int is refused by the names' width)
    assert all(v.startswith("refused") for v in loaded.values()), loaded


# --- rt110-06: CLEAN_KEYS keeps the state keys of refused files -----------------------------------


def test_rt110_06_clean_keys_kept(tmp_path: Path) -> None:
    import gc

    import joblib
    from sklearn.linear_model import LogisticRegression

    from safeload.trust import classes

    model = LogisticRegression(C=float("nan"))  # refused after the keys were found clean
    for j in range(20_000):
        model.__dict__["k" * 1000 + f"{j:05d}"] = 1  # 1,005-character names (MAX_CONST 1024)
    path = tmp_path / "m.joblib"
    joblib.dump(model, path, compress=3)
    del model
    assert path.stat().st_size < 200_000
    with kept_clean_keys() as before:
        assert not safeload.scan(path).safe
        with pytest.raises(SafeloadError, match="'C' parameter"):
            safeload.load_unsigned(path)
        gc.collect()
        kept = [sum(map(len, keys)) for _cls, keys in classes.CLEAN_KEYS - before]
        # today: one entry of 20 MB of names (100,000 names: 96 MB from a 917 KB file; each
        # file adds its own, up to 10,000 entries), kept for the process's life although
        # both refused the file
        assert not any(size > 1_000_000 for size in kept), kept


# --- rt110-07: an own Enum's _missing_ on the file's values ---------------------------------------

_STATUS_MODULE = '''
import enum


class Status(enum.Enum):
    """A job status; codes a newer server sends are kept as pseudo-members."""

    OK = "ok"
    FAILED = "failed"

    @classmethod
    def _missing_(cls, value):
        member = object.__new__(cls)
        member._name_ = f"UNKNOWN_{value}"
        member._value_ = value
        return cls._value2member_map_.setdefault(value, member)
'''


def _statuses_then_refused(n: int) -> bytes:
    """A list of ``n`` ``Status(<1 KB text>)`` calls (how pickle writes a member: REDUCE of
    its value), then, returned, a LogisticRegression whose C the load refuses."""
    from sklearn.linear_model import LogisticRegression

    out = b"\x80\x02" + global_("rt110_status", "Status") + b"q\x000("
    for i in range(n):
        out += b"h\x00" + binunicode(f"{i:06d}" + "x" * 1000) + b"\x85R"
    out += b"l0" + pickle.dumps(LogisticRegression(C=float("nan")), 2)[2:]
    return out


def test_rt110_07_enum_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import zlib

    own = own_module(tmp_path, monkeypatch, "rt110_status", _STATUS_MODULE)
    data = _statuses_then_refused(200)
    pickle.loads(data)  # plain pickle: 200 new members
    assert len(own.Status._value2member_map_) == 202
    own.Status._value2member_map_.clear()
    own.Status._value2member_map_.update({"ok": own.Status.OK, "failed": own.Status.FAILED})
    # 2,000 values (20,000 in a 94 KB zlib joblib file: 20,000 members, 20 MB of values):
    # refused, and every member stays in the class; every file adds its own
    path = write(tmp_path, zlib.compress(_statuses_then_refused(2_000), 9), "m.joblib")
    assert trusted_load(path, [own.Status]).startswith("refused")
    kept = len(own.Status._value2member_map_) - 2
    # a trusted Flag is held to 16 new compositions per file (rt105-10, rt107-03)
    assert kept <= 16, kept


# --- rt110-08: the hash count walks a shared DAG of unfoldable tuples in every path ---------------


def _decimal_dag(depth: int, tail: str = "list") -> bytes:
    """``T0 = Decimal("1")``, ``Tk = (Tk-1,) * 16`` through the memo (16 items: the most
    ``_key_value`` evaluates of an unfoldable tuple), then ``[T_depth]`` (``"list"``) or a
    tuple of 33 ``T_depth`` (``"tuple"``): 16**depth leaves for whatever walks it."""
    body = b"\x80\x02" + global_("decimal", "Decimal") + binunicode("1") + b"\x85Rq\x0a"
    for k in range(1, depth + 1):
        body += b"0(" + (b"h" + bytes([10 + k - 1])) * 16 + b"tq" + bytes([10 + k])
    top = b"h" + bytes([10 + depth])
    return body + (b"0(" + top + b"l." if tail == "list" else b"0(" + top * 33 + b"t.")


def test_rt110_08_unfoldable_tuple_dag(tmp_path: Path) -> None:
    import time

    data = _decimal_dag(5)
    assert len(data) < 230
    path = write(tmp_path, data)
    pickle.loads(data)  # plain pickle: some 50 microseconds (nothing hashes a list's items)
    spent = {}
    start = time.process_time()
    assert not safeload.scan(data).safe
    spent["scan"] = time.process_time() - start
    start = time.process_time()
    with pytest.raises(SafeloadError):  # ("the model unfolds into more values ...")
        safeload.load_unsigned(path)
    spent["load"] = time.process_time() - start
    # at 461d3eb both refused such files in 0.1-0.2 s at any depth; today 1.6 s each at
    # depth 5 (220 bytes), 24 s at depth 6 (263 bytes), over 300 s at depth 7 (x16 a level)
    assert max(spent.values()) < 0.5, spent
