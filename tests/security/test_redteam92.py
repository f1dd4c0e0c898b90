r"""Red team 92: reproducers (strict xfails) for the open findings, 05:58-06:50 UTC 2026-12-05,
on 5f03f7e ("Dates, timedeltas, Decimals and naive datetimes are values to the checks after
building", rt90-06). "pure" is a snapshot (``git archive 5f03f7e src tests``, /tmp/rt92p) run
with SAFELOAD_PURE_PYTHON=1; "compiled" is /work/main's .venv build (the changed files are pure
Python in both). Every finding reproduces in both, and all four tests are still strict
xfails on main 34046ae (compiled, 06:34), which the maintainers committed during this
session. CPU times are process times on the shared 2-core machine, noisy by some 30%.
"count" is what printed_problem compares with MAX_PRINTED (10,000,000 units of 60 ns, ~0.6
s): the F of the estimator, ``printing._Costs().cost(model)[2]`` (the load's count). Every
harm is shown by plain pickle in a child under a CPU limit.

Ported by the maintainer at 06:52 (red team 92, helper-154, ran 05:58-06:50, 52 minutes, on
5f03f7e's value leaves): all four are fixed. rt92-03: the load's use-time walk holds what
it reads until the checks end, so a record array's rows (tuples tolist() makes) keep their
ids; rt92-04: scan's builder makes a record array with its dtype, as numpy's __setstate__
does, so both counts price records; rt92-02: the printing count enters a record array's
object fields (field by field: the stored objects, never a fresh record); rt92-01: a sort's
comparison costs a Decimal's or a large int's digits (2 units each) in a key or a tuple key.

rt92-01 (HARM: CPU; printing.py's SORT_MIXED_TICKS, a Decimal among a dict's keys) the printer
        sorts a dict's entries (sklearn's _safe_repr and pprint's _pprint_dict, through
        _safe_key / _safe_tuple) and the count prices a comparison between keys of different
        kinds at SORT_MIXED_TICKS (24 units, 1.44 us), whatever they are. A Decimal compared
        with an int converts the int to a Decimal exactly, quadratic in its digits: 450 us for
        a 4,300-digit int (with a float: 5 to 10 us, from_float's exact expansion of a wide
        float, 5e-324 or 1e-300). Keys (X, i), X one memoised 4,300-digit int or the Decimal of
        the same digits (one object each, so the key's own print is priced exactly), i a small
        int: tuple comparison calls X == X' first, and for an int and a Decimal that is the
        450 us conversion. SimpleImputer(fill_value={(X, i): 0 for 480 shuffled keys}): 10 KB,
        count 9,415,586, scan SAFE (facts and no facts), load loads (pure and compiled;
        scan 0.4 s, load 0.06 s), repr 2.9-3.0 s (ratio 5.2), _repr_html_ 6.6 s (400 keys:
        count 7.9M, repr 2.35 s; 1,000 keys: repr 6.9 s, count 19M, refused). The same keys
        with floats (5e-324 and its exact Decimal, 8 per tuple): repr 0.69 s at count 5.9M
        (ratio 1.9). (A Decimal and a complex: == 18 us; and an np.float64 5-6 us.) The same
        480 keys as LogisticRegression(class_weight={key: 1.0}): 13.9 KB, count 9,418,427,
        scan SAFE, load loads, repr 2.9 s.
rt92-02 (HARM: CPU; printing.py's _leaf on np.void) an item of a record array (np.void) is
        priced ARRAY_TICKS plus its dtype's fields (rt90-01's fix), and _entered does not enter
        a record array; but numpy's repr of a record whose field is an object prints that
        object's repr in full (_object_format: '{!r}'), a list of a million floats included.
        fill_value = a one-record array of dtype [('a', 'O')] holding a list that references one
        wide float (-1.2345678901234567e-300, memoised) 300,000 times: 601 KB (BINGETs), the
        load's count 16,533 (the same for any list inside), load_unsigned LOADS it (pure and
        compiled; 0.83 s), repr 4.0-4.3 s, _repr_html_ 9.2 s; a list of 1,000,000 distinct
        0.5s (9 MB): repr 1.5 s, _repr_html_ 3.3 s. Scan's count does enter it (129,761,055
        units, "some 7.8 s": UNSAFE): the two counts disagree, and the load is the one that
        admits it.
rt92-03 (CHECK BYPASS + PARITY: scan UNSAFE, load loads; usetime._walk's ``seen`` ids and
        _array_children) the walk enters a record array with object fields through
        ``o.view(np.ndarray).ravel().tolist()``, whose rows are new tuples: nothing keeps them
        alive (unlike ``__reduce_ex__`` parts, kept in ``graph.keep``), so once one is walked
        and dropped, CPython's tuple free list hands its address to a row of the next record
        array, whose id is then in ``seen`` and the row is skipped whole, with every object
        in it: the value-leaf check, check_instance, the class validators, the names ledger,
        the sharing bound. [record array with a date of day 255 (date(b'\x07\xe8\x01\xff')),
        any second record array] (the second walked first, LIFO): load_unsigned LOADS the
        crafted date (also as SimpleImputer(fill_value=[bad, good]), or {"x": bad, "y":
        good}); scan (which checks each leaf where it builds it) calls it UNSAFE; [good, bad]
        is refused ("model[1][0][0] is an invalid date"). Keeping the tolist rows alive
        (graph.keep) makes the load refuse it. Not only leaves: SimpleImputer(fill_value=
        [record(KNeighborsClassifier fitted, n_jobs=100,000), record(1.0)]) LOADS too
        (check_instance never meets it; in the other order: refused, "n_jobs: is 100000;
        only an int from 1 to 1024"), as does a StandardScaler with n_jobs=10**9. And the
        sharing bound: a list (or tuple) DAG of 6 levels of 4 (9 of 3) is refused as a plain
        value or a record walked first ("shares objects so that scikit-learn's recursive
        methods ... would meet them more than 304"), and LOADS from a record walked after
        another (the static pass's unfold budget is what remains: 6 levels of 10 in a
        608-byte file is refused by it). Not new in 5f03f7e (a date was an instance reached
        through the same row), but it is where a crafted leaf escapes its check. Nested
        record dtypes too ([('a', [('x', 'O'), ('y', 'f8')])]: [bad, good] LOADS, [good,
        bad] refused).
rt92-04 (PARITY: scan SAFE, load refuses; the printing count of a record array with object
        fields) SimpleImputer(fill_value=np.zeros(2,000, dtype=[(f"f{i}", "O") for i in
        range(20)])): 86 KB; load_unsigned refuses it ("its repr would cost scikit-learn's
        printer 27,764,244 units or more (some 1.7 s; at most 10,000,000)": each record
        ARRAY_TICKS plus 20 FIELD_TICKS, all 2,000 entered), scan calls it SAFE with no finding
        (pure and compiled, with and without the class facts): scan's builder makes the array
        another way (Builder._array: np.empty(n, dtype=object) filled with the stream's row
        tuples, the record dtype dropped), so its count prices tuples, not records.
        100 x 400 fields: the same (load 18,075,194 units), 1,200 x 10: 11,999,644, 1,500
        records of 8 date fields: 13,790,494 (scan SAFE each time; 300 x 40 loads, both
        agree); float fields: both agree. The load's side also over-prices: numpy
        summarizes an array of more than 1,000 items (repr 4 ms, _repr_html_ 7 ms). Found at
        06:33, last. The same dropped dtype the other way: an
        OrdinalEncoder whose categories_[0] is a record array of ('a', 'O') over its labels:
        scan UNSAFE ("categories_[0] is not sorted, or of a kind no fit stores (a load refuses
        it ...)"), load_unsigned LOADS it (transform then raises TypeError: unhashable
        'writeable void-scalar'; no harm shown, not tested); likewise LabelEncoder.classes_
        and OneHotEncoder.categories_ as record arrays (scan UNSAFE, load LOADS; a
        LogisticRegression's or a decision tree's classes_ as one: SAFE and loaded).

Found on 5f03f7e and already fixed on main by 34046ae ("... pure paths are value leaves too",
committed while this report was written; no test, it would XPASS): a PurePosixPath (an
instance on 5f03f7e) was priced _leaf's default 8 units, though its repr formats its whole
string (as_posix, then repr of it): fill_value [PurePosixPath("a" * 600,000)] * 200: 600 KB,
count 14,246, scan SAFE, load loads (pure snapshot), repr 2.6 s (300,000 characters: 1.34 s;
more references are refused by the static unfold budget). On 34046ae the count is 22,968,496
for 100,000 characters x 200 (refused).

Held (tried, no finding):
- Constructions of a crafted date/datetime/time: REDUCE, NEWOBJ, NEWOBJ_EX, OBJ, INST (refused
  by both, "model is an invalid date"); copyreg._reconstructor(date, date, bytes) and
  copyreg.__newobj__ refused before building; BUILD on a date (an empty dict or bytes: the
  unpickler fails; (None, {}): a no-op, loads a valid date). datetime with the fold bit
  (month byte | 0x80): fold is 0/1 only, rebuilt equal, loads (honest). Microseconds of
  0xFFFFFF (datetime) and minute 255 (time): refused by both, with and without a None tzinfo.
  timedelta is always normalized by its constructor (its only pickled form).
- Where a crafted leaf is held: partial(fbeta_score, beta=<a date or any Decimal>) (refused by
  both: only plain data in a callable's keywords), slice start/stop, dict and
  OrderedDict/Counter/defaultdict keys, frozensets, sets inside tuples, a transposed 2-d object
  array, a Decimal of 5,000 digits anywhere: refused by both. Masked arrays outside cv_results_:
  refused statically. Decimal('sNaN') as a dict key or in a frozenset: the unpickler fails
  (cannot hash), both refuse; in a list: loads and scans SAFE (a comparison raises
  InvalidOperation: raises, no harm); Decimal NaN with payloads in a set: both load/SAFE.
- Printing prices, 5,000 of each kind in a fill_value, real repr / count: date 2.95x (at
  180,000 references, count 9.45M: repr 0.97 s shared, 1.12 s distinct: under the 1.5 s
  bar), naive datetime 1.6-2.1x (fold=1 costliest), time 1.2-1.5x, timedelta 0.9-1.5x,
  Decimal 0.3-0.9x (4,300 digits: 0.3x). _repr_html_ is 1.5-4.3x the count for every kind,
  floats too. Sets of Decimals and ints: 1.9x (the set's built-in repr does not sort).
- Scan's Builder.globals cache: _find_global's answer depends only on the pair, the
  builder's policy and its data flag, all fixed per Builder (a NeedsImport reruns the scan in
  a new Builder; facts_for is cached process-wide anyway); Unknown is not cached. No
  disagreement found.
- Temporary leaves and graph.leaves (ids): every leaf the walk meets is either held by the
  built graph or a tolist()/__reduce_ex__ product; numpy's datetime64 -> datetime goes
  through the checked constructor, so a reused id can only hide a valid fresh value.
- pandas (profile pandas): a crafted date or a 5,000-digit Decimal in an object Series,
  a DataFrame column, an Index, a Series name or a column label: refused by both
  (PandasFormError: not a plain scalar).
- Throughput (compiled, 60,000 each, wall clock on the shared machine): dict keyed by
  dates, sets of Decimals, lists of naive datetimes, frozensets of timedeltas, dicts keyed
  by times load in 1.4-2.5 s and scan in 2.6-4.6 s (1 MB files; a profile of the date list
  is mostly the first load's imports and the static pass); 2-tuples of (date, int) 2.5 s /
  4.3 s against 1.4 s / 2.4 s for (int, int): the tuples, not the leaves.
  A Decimal of 4,300 digits referenced 200,000 times: refused by the static unfold budget.
  One memoised leaf referenced by the million in a plain list (2 bytes a reference, warm
  process, compiled): 2,000,000 dates, 4 MB (1 KB xz): scan SAFE 2.9 s, load 3.0 s (plain
  0.03 s); 5,000,000: refused (root repr count) after load 7.3 s / scan 12.1 s; 2,000,000
  Decimal('1.5'): refused after 7.0 s. Per reference the printing count's leaf work
  (_leaf_cost, _add, not remembered by id) dominates; a memoised short str is worse (4,000,000
  refs of "ab", 8 MB, 1.8 KB xz: scan SAFE 14.9 s, load 14.0 s, plain 0.04 s) and memoised
  floats better (2,000,000: 2.3 s / 1.8 s). All under SECURITY.md's documented linear cost
  of two-byte streams (some 10 s of checks per MB compiled), so not filed.
- A leaf-level fan-out the sharing bound no longer counts (leaves are not nodes in its
  graph): a tuple of 20,000 references to one date, referenced 2,000 times (40M values), is
  refused by the static pass's unfold budget before building (so are floats in its place);
  within that budget the printing count prices every reference: no harm found.
- Honest side: a dict keyed by dates (or Decimals) in a parameter is priced as _MIXED keys
  (date and Decimal are not in _ORDER_KINDS: n log n comparisons of 24 units, in-order runs
  ignored): 8,000 consecutive dates count 12,911,296 (refused), repr 0.17 s, _repr_html_
  0.37 s (count / real 4.6; 20,000: 36.6M against 0.42 s, int keys 4.7M against 0.39 s).
  No honest scikit-learn parameter keyed by dates found (class_weight over date labels
  would be one); a bundle or plain dict holding {date: value} of 20,000 days loads and
  scans SAFE (the root's allowance), so not filed.
- rt92-01's keys in a fitted dict (the display's fitted-attribute table: reprlib sorts all
  keys of a dict first): DictVectorizer.vocabulary_ of 2,000 such keys, _repr_html_ 3.3 s,
  is refused by the names bound (get_feature_names_out), scan and load alike.
- Cross-kind comparisons besides rt92-01: date/datetime and timedelta/date raise TypeError
  (pprint's fallback, priced); np.int64 against a big int 0.4 us; np.float64 against a big
  int raises OverflowError (repr raises: no harm).
- Decimal hashing: hash of a 4,300-digit Decimal at exponent -4,300 is 6 us, cached on
  the object; safeload's own checks sort no model value that could hold a Decimal (only
  same-kind categories are compared, widths._searchable_items).
- Scan's side of rt92-03: scan's graph counted the DAG and the crafted values in every
  record layout tried (D11, 1D1, 11D, D1, 1D, several rows): UNSAFE each time; no
  SAFE-where-the-load-refuses found.
- Honest metadata: tests/test_metadata_types.py and tests/test_value_leaves.py pass on the
  snapshot (pure, 41 tests).
"""

from __future__ import annotations

import datetime
import decimal
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safeload
from redteam import (
    assert_refused,
    assert_scan_predicts_load,
    imputer,
    memoising_dumps,
    shows_harm,
    write,
)

# --- rt92-01: a Decimal compared with a big int while the printer sorts a dict --------------------


def test_rt92_01_decimal_keys_sorted_against_big_ints(tmp_path: Path) -> None:
    # keys (X, i): X is one 4,300-digit int or the Decimal of the same digits, i a small int;
    # the printer sorts the entries, and each int-Decimal comparison converts the int exactly
    # (450 us), priced SORT_MIXED_TICKS (1.44 us). 480 keys: 10 KB, count 9,415,586, scan
    # SAFE, load loads (pure and compiled), repr 2.9 s (plain pickle)
    digits = "9" * 4_300
    big, dec = int(digits), decimal.Decimal(digits)
    order = np.random.RandomState(0).permutation(480).tolist()
    keys = [(dec if i % 2 else big, i) for i in order]
    model = imputer({key: 0 for key in keys})
    data = memoising_dumps(model, int, lambda v: not -(1 << 63) <= v < 1 << 63)
    assert len(data) < 12_000
    path = write(tmp_path, data)
    shows_harm(path, "repr(model)")
    assert_refused(path)


# --- rt92-02: a record's object field prints in full; the load's count prices the record flat ----


def test_rt92_02_record_array_holding_a_long_list(tmp_path: Path) -> None:
    # np.void is priced ARRAY_TICKS plus its fields; numpy's repr of it prints its object
    # field's repr whole. One record of dtype [('a', 'O')] holding a list of one wide float
    # referenced 300,000 times: 601 KB, the load's count 16,533, load_unsigned loads it (pure
    # and compiled), repr 4.0 s (scan's own count says 129.8M, UNSAFE)
    record = np.empty(1, dtype=[("a", "O")])
    record[0] = ([-1.2345678901234567e-300] * 300_000,)
    data = memoising_dumps(imputer(record), float, lambda v: True)
    path = write(tmp_path, data)
    shows_harm(path, "repr(model)")
    assert_refused(path)


# --- rt92-03: a record array's rows are temporaries; a reused id skips the next one's rows -------


def test_rt92_03_second_record_array_skipped_by_a_reused_id(tmp_path: Path) -> None:
    # _array_children walks a record array with object fields through tolist(), whose rows
    # are new tuples nothing keeps; a walked row's id is reused by a row of the next record
    # array, which ``seen`` then skips with everything in it. [a record holding a date of day
    # 255, any record] (the second is walked first): load_unsigned LOADS the crafted date,
    # scan calls it UNSAFE; in the other order the load refuses it
    bad_day = datetime.date(b"\x07\xe8\x01\xff")  # (day 255: the month alone is checked)
    crafted = np.array([(bad_day, 1)], dtype=[("a", "O"), ("b", "i4")])
    honest = np.array([(datetime.date(2020, 1, 1), 1)], dtype=[("a", "O"), ("b", "i4")])
    data = pickle.dumps(imputer([crafted, honest]), protocol=5)
    assert pickle.loads(data).fill_value[0][0]["a"].day == 255  # (plain pickle keeps it)
    assert not safeload.scan(data).safe
    path = write(tmp_path, data)
    with pytest.raises(safeload.MalformedArtifactError, match="invalid date"):
        safeload.load_unsigned(path)
    # the sharing bound too: a list DAG 6 levels of 4 (4,096 paths), refused as a parameter
    # ("shares objects so that scikit-learn's recursive methods ... would meet them more
    # than 304"), loads from a record walked after another
    tree: Any = [0.5]
    for _ in range(6):
        tree = [tree] * 4
    shared = np.empty(1, dtype=[("a", "O")])
    shared[0] = (tree,)
    spare = np.empty(1, dtype=[("a", "O")])
    spare[0] = (1.0,)
    dag = write(tmp_path, pickle.dumps(imputer([shared, spare]), protocol=5), "dag.pkl")
    with pytest.raises(safeload.SafeloadError, match="shares objects"):
        safeload.load_unsigned(dag)


# --- rt92-04: scan SAFE, the load refuses: a record array's printing count ----------------------


def test_rt92_04_record_array_parameter_scan_safe_load_refuses(tmp_path: Path) -> None:
    # np.zeros(2,000) of 20 object fields as a fill_value: 86 KB; the load's count prices each
    # record ARRAY_TICKS plus 20 FIELD_TICKS, every one of the 2,000 (27,764,244 units:
    # refused, "its repr would cost ... some 1.7 s"), while scan calls it SAFE with no
    # finding (pure and compiled, facts and no facts). (numpy summarizes the array: repr
    # 4 ms, _repr_html_ 7 ms)
    records = np.zeros(2_000, dtype=[(f"f{i}", "O") for i in range(20)])
    assert_scan_predicts_load(pickle.dumps(imputer(records), protocol=5), tmp_path)
