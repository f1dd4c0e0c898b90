r"""Red team 94: reproducers (strict xfails) for the open findings, 08:45-10:00 UTC 2026-12-05,
on 7a00c6a (f63a4b1 records priced by fields, 6ff009f __init__'s names, 7a00c6a pandas'
shown positions; the value leaves of 5f03f7e and 34046ae). "pure" is a snapshot (``git
archive HEAD src tests``, /tmp/rt94p) run with SAFELOAD_PURE_PYTHON=1; "compiled" is
/work/main's .venv build. CPU times are process times on the shared 2-core machine, noisy by
some 30%. Every CPU harm after a load is shown by plain pickle in a child under a CPU limit
(shows_harm); "count" is what printed_problem compares with MAX_PRINTED (10,000,000 units of
60 ns, ~0.6 s of repr; a notebook's display about three times that). All thirteen are strict
xfails on 7a00c6a in both builds, each failing under --runxfail at its refusal assertion
(assert_refused / assert_refused_with / load_honest / _finishes). At 09:29 /work/main had moved
to a8be4fb (pandas text counted as pandas cuts it; the memoising pickler and 'finishes' moved
into tests/redteam.py) with uncommitted edits: rt94-01..12 still xfail there (compiled, run
from /work/rt94 against /tmp/rt94p/tests' helpers), rt94-13 too at 09:33. At 09:43
/work/main (b6c274b, uncommitted edits to printing.py, values.py and static.py) had ported
rt94-02..13: there they XPASS; rt94-01 still xfails. _memoising_dumps,
_finishes and _padded are local here for the 7a00c6a helpers; tests/redteam.py's own may
replace the first two.

Ported by the maintainer at 10:05 (red team 94, helper-156, ran 08:45-10:00, 75 minutes, on
7a00c6a): all 13 are fixed. rt94-01: a pure path is checked by parsing its text once, not
each part as an argument. rt94-02, 03, 13: a dtype's nested fields and subarrays are read at
any depth, without recursion (each nested dtype once, its value reused per path). rt94-04:
a frame's index column is as wide as its columns' own name. rt94-05: a range or an array of
numbers in a list counts its items in the padded array. rt94-06: a float cell of an exponent
below 100 or a negative one is priced at 13 us (measured), not 25. rt94-07, 10: reprlib's
price of a fitted dict or set sorts every key and takes the costliest shown items, at every
level it enters. rt94-08, 09: an int in an object cell or an Index costs its conversion,
quadratic in its digits (counted, never made), and an Index shows 100 values. rt94-11: a
record scalar costs its fields' values. rt94-12: a named tuple is weighed as a tuple. The
local helpers are tests/redteam.py's (memoising_dumps, finishes).

rt94-01 (HARM: CPU at scan and load; trust/graph.py's _check_path_leaf / values.check_pure_path,
        34046ae) a pure path is a value leaf whose check rebuilds it from its parts,
        ``type(value)(*parts)``: every part is parsed as an argument of its own, some 1.5 us a
        part (a part is 2 characters), where the unpickler parsed one memoised string of
        6,000 parts once per path (0.2 us a part, split in C) and the fold budget charges the
        string one unit per 8 characters. 800 PureWindowsPath(prefix, str(i)), prefix one
        memoised 'a\\a\\...\\a' of 6,000 parts, in a fitted attribute of a SimpleImputer,
        padded to the fold budget (54 KB of bytes): 77 KB, scan SAFE in 4.8 s, load_unsigned
        loads in 4.7 s (compiled) / 5.5 s (pure); plain pickle 0.38 s. Some 60 s a MB, where
        SECURITY.md bounds the checks after building at some 1.5 s of load and 3 s of scan a
        MB (rt90-06: 60,000 pure paths, 510 KB, 2.0 s and 2.7 s). As a plain list (root) the
        same paths are refused by the printing bound, after 9.4 s of scan. PurePosixPath of
        'a/a/.../a': 77 KB, scan 3.2 s, load 3.1 s (compiled), plain pickle 0.37 s.
rt94-02 (HARM: CPU; printing.py's _record_width, f63a4b1) a nested record field is priced by
        its fields only above depth 8; deeper, a record field is 2 + itemsize // 8 items,
        though numpy formats every field at any depth. rt93-04's overlapping fields (60 int8
        fields at offset 0, 60 of those at offset 0: 3,600 leaves, itemsize 1) wrapped in 9
        one-field records (8: count 7,054,251): 100 records, 2.5 KB, count 1,532,241
        (unwrapped: 338,395,131, refused), scan SAFE, load loads (pure and compiled), repr
        4.0 s (10 records: 0.65 s; one record's own repr 65 ms).
rt94-03 (HARM: CPU; printing.py's _dtype_ticks) a dtype's fields are priced only to depth
        32; numpy's repr of a dtype writes every nested field. rt94-02's 3,660 field entries
        inside 33 one-field records, one dtype referenced 20 times in a fill_value list (each
        reference charged by the fold budget: padded to it): 80 KB, count 371,076, scan
        SAFE, load loads (pure and compiled), repr 2.1 s; 40 references: 163 KB, count
        688,956, repr 4.3 s (0 to 30 wraps: 73.6M-74.2M, refused). A record scalar or array
        of such a dtype is rt94-02's depth 8 as well.
rt94-04 (HARM: CPU; printing.py's _frame_ticks, e12367c/7a00c6a) a frame's columns Index's
        name (printed top left) widens the index column, so every shown row is written at its
        width; the count prices the index's labels and each column's name, never the axes'
        own names. 60 frames of 60 rows, each columns.name one memoised string of 50,000
        characters (the fold budget does not charge a name's references), profile pandas:
        92 KB, count 4,659,296, scan SAFE, load loads (pure and compiled), repr 4.1-4.2 s
        (10 frames, 200,000 characters: 208 KB, count 903,356, repr 3.1 s, _repr_html_ 6.2 s;
        one frame: 0.2 s against a count of 106,076).
rt94-05 (HARM: CPU + memory; printing.py's _Costs._pad, rt93-01's fix) the padded array
        np.array_equal makes of a list counts a range item as one cell (a nested list by its
        cells, a string array by its size), but np.asarray expands a range to its items, each
        padded to the longest string as the rest. fill_value [[s] * 400] + [range(i, i +
        400) for i in range(400)], s one memoised 2,000-character string: a (401, 400)
        '<U2000' array, 1.3 GB: 8.4 KB, count 7,633,810, scan SAFE, load loads (pure and
        compiled), _repr_html_ 1.6-6.5 s CPU and 1.4 GB RSS (rows of lists instead of ranges:
        refused). The same for numeric arrays, one cell each: [[s] * 1,001] + 150 int8 arrays
        of 1,001 items (summarized by their repr): 158 KB, count 9,403,566, SAFE, loads,
        _repr_html_ 4.9 s and 1.3 GB.
rt94-06 (HONEST REFUSED; printing.py's _frame_ticks / _wide_floats, e12367c and 80df672)
        category_encoders' PolynomialEncoder fitted on 5 string columns of 20 categories
        (1,000 rows): its mapping's contrast frames hold orthogonal-polynomial values of
        about 1e-17 (numerically zero), so every shown cell is priced as a wide float (420
        units, 25 us). 25 KB, count 11,257,660, refused by scan and load (pure and compiled;
        at 34046ae: 4,429,041, loaded); repr 0.20 s, _repr_html_ 0.40 s. (10 columns: count
        22.5M, repr 0.41 s, _repr_html_ 0.89 s; HelmertEncoder, SumEncoder and
        BackwardDifferenceEncoder of the same data load, count 2,897,660, repr 0.26 s.)
rt94-07 (HARM: CPU; printing.py's _fitted_ticks, f63a4b1) a fitted dict is priced by its
        first 6 entries in insertion order, but the display's reprlib (maxdict 4) sorts the
        keys first (_possibly_sorted) and writes the values of the 4 smallest: a value put
        7th under the smallest key is written whole and never priced. extra_ = {1..6: 0, 0:
        records}, records 500 of the 3,600-leaf overlapping dtype (depth 2: priced when first,
        count 259,421,477): 2.8 KB, count 1,898 (fitted part 1,050), scan SAFE, load loads
        (pure and compiled), _repr_html_ 3.5 s (numpy's repr of the records, once).
        Sets likewise are priced by iteration order but shown sorted.
rt94-08 (HARM: CPU; printing.py's _frame_ticks / _widest, e12367c) an object column's cells
        are priced by their text's length (4 characters a unit) and a cell's own 100 units;
        a big int converts to text in quadratic time (a 4,300-digit int: 250 us, priced
        1,175 units, 70 us), on every shown row of every repr. A 60 x 20 frame of one memoised
        4,300-digit int (profile pandas; padded to the fold budget, which charges each
        reference): 13 KB, count 9,192,881, scan SAFE, load loads (pure and compiled), repr
        1.9 s, _repr_html_ 4.1 s. The count's own _widest converts each shown cell too: a 60 x
        80 frame of it (64 KB) takes scan 1.4 s and load 1.36 s to refuse (count 36.7M),
        some 21 s a MB.
rt94-09 (HARM: CPU; printing.py's _pandas_value_chars, e12367c) an Index (or a Categorical)
        is priced by the text of its shown str and bytes values only; an object Index of big
        ints prints up to 100 of them (display.max_seq_items), each converted in quadratic
        time (250 us). 20 Index objects of 100 references to one memoised 4,300-digit int, in
        a fill_value list (padded to the fold budget): 10.8 KB, count 722,076, scan SAFE, load
        loads (profile pandas, pure and compiled), repr 4.5 s. A Categorical of big-int
        categories likewise: 80 Categoricals of 60 codes sharing one CategoricalDtype whose
        categories hold the memoised int: 11.5 KB, count 2,382,466, SAFE, loads, repr 1.8 s.
rt94-10 (HARM: CPU; printing.py's _fitted_ticks, f63a4b1's rt93-13 fix) a fitted list's or
        tuple's first items are priced at their built-in repr (R), which for a dict or a set
        holds no sort (dict.__repr__ and set.__repr__ do not sort); reprlib's repr of the
        list writes each item with repr1, and its repr_dict / repr_set sort every key first
        (_possibly_sorted). rt93-13's 2,000 keys (X or Decimal(X), i), X one memoised
        4,300-digit int, as a dict inside a one-item list in extra_ of a fitted
        SimpleImputer: 24 KB, count 1,898 with a fitted part of 5,394,974, scan SAFE, load
        loads (pure and compiled), _repr_html_ 3.3 s (as a set: 20 KB, 3.3 s; bare, rt93-13's
        form, the fitted part prices the sort and refuses).
rt94-11 (HARM: CPU; printing.py's _leaf for np.void, rt90-01 / f63a4b1) a record scalar
        (np.void) is priced as numpy's repr set-up and its dtype's fields (ARRAY_TICKS +
        _dtype_ticks), never its values, which f63a4b1 prices for a record array by
        _record_width: a subarray field of 256 long doubles near 1e4000 (4,096 bytes, the
        static pass's bound) prints 256 Dragon4 expansions, 19 ms a repr, priced 960 units
        (58 us). 20 references to one such np.void in a fill_value list (padded to the fold
        budget): 5.5 KB, count 174,876, scan SAFE, load loads (pure and compiled), repr 3.3 s.
rt94-12 (HARM: CPU, and PARITY: scan unproven, load loads; printing.py's _compared /
        _compare_ticks, f63a4b1) a sort's comparison weight reads keys of the exact types in
        _WEIGHED (tuple, frozenset, Decimal, int); a named tuple is a tuple subclass, weighed
        nothing, though its comparison is a tuple's. scikit-learn's _ImputerTriplet (the one
        trusted named tuple) as dict keys _ImputerTriplet(X or Decimal(X), i, None), X one
        memoised 4,300-digit int, 480 shuffled keys in a fill_value (padded to the fold
        budget): 23.6 KB, count 9,381,986, load_unsigned loads (pure and compiled), repr
        3.0 s; scan calls it unsafe ("unproven: a _ImputerTriplet used as a dict key or set
        item, whose own __hash__ a load runs on its state"), which the load does not refuse:
        any such key disagrees, {_ImputerTriplet(1, 2, None): 0} or {_ImputerTriplet(1, 2,
        None)} in a fill_value included (scan unsafe, load loads).
rt94-13 (HARM: CPU; printing.py's _dtype_ticks) a field whose dtype is a subarray of a
        record is priced 60 units: _dtype_ticks(dtype[name]) returns 0 for a subarray dtype
        (it has no names) before reading its subdtype. [('a', rt94-02's 3,660-field record,
        (1,))] counts 60 where the record alone counts 219,600; its repr writes every field
        (12 ms). Referenced 30 times in a fill_value list (padded to the fold budget): 120 KB,
        count 37,241, scan SAFE, load loads (pure and compiled), repr 3.0-3.1 s (20
        references: 79 KB, count 25,476, repr 2.0 s). An np.void of such a dtype (priced by
        _dtype_ticks, rt94-11) hides it too.

Held (tried, no finding):
- _init_names (6ff009f) over every trusted estimator class without a parameter table (the
  category encoders, LightGBM and XGBoost's wrappers, LabelEncoder, KernelCenterer,
  FeatureUnion, FrozenEstimator, _BinMapper, _BinaryGaussianProcessClassifierLaplace, ...):
  none overrides _get_param_names or __repr__, none has a property among its __init__ names;
  every trusted class with a table has exactly its _get_param_names in it. Scan counts with
  the real classes there too (a category encoder and a fitted GaussianProcessClassifier's
  base_estimator_ read the same names in scan and load: no parity gap).
- Value leaves: a crafted date (day 255) as a dict key, a set or frozenset item, inside a
  tuple key, a Counter key, a slice bound: refused by both; a datetime with a fixed-offset
  timezone made by REDUCE: SAFE and loaded alike. A pure path made from another path
  (PureWindowsPath(prefix_path, 'k')): the fold budget charges the path's parts at each
  reference (rt94-01 uses one string instead). Sorting pure paths of a long common prefix
  (15 ns a part a comparison, priced as a mixed comparison, 24 units): in a fitted set 2,000
  paths of 1,000 parts display in 0.33 s, while loading them costs more (the leaf check,
  1.5 us a part). Decimals of 4,300 digits from one memoised string in a fitted list: refused
  (a fitted list of numbers); 829 KB padded, scan 4.3 s (~5 s a MB).
- Sort weights: Decimal('1E-4300') against subnormal floats (24 us a comparison, the Decimal
  weighed by its one digit): 4,000 keys in a dict fill_value, count 6.4M against repr 0.19 s
  and _repr_html_ 0.33 s; as a set 1.7M against 0.08 s; Counter values of Decimal(1) and
  5e-324 (9.8 us a comparison), 20,000 entries: count 21M (refused) against repr 1.1 s.
  np.clongdouble scalars near 1e4000 (two Dragon4s, 273 us, priced 1,300 units): 2,000
  references, count 17M against repr 1.7 s (refused; ~1.7x). A kernel of 2,000 long double
  length scales near 1e4000: count 4.4M, repr 8 ms (formats through float).
- pandas: an index.name of 200,000 characters does not widen the rows (repr 2 ms); a
  Categorical Series whose unused category is 200,000 characters prints it once in its
  footer (1.3 ms); np.array_equal of [pd.Series(['x' * 50,000])] + [['y']] * 9,999 makes an
  object array (0.1 s); a masked array in a fill_value list is refused ("a masked array
  outside a search's cv_results_"). Small frames in a fill_value list (1 to 30): scan and load
  agree. Honest: LGBMClassifier, XGBClassifier (enable_categorical) and
  HistGradientBoostingClassifier on 5 categorical + 5 float columns, a ColumnTransformer
  pipeline (1 MB): SAFE, load, display in 10-53 ms. category_encoders Target, Count
  (normalize=True, Zipf long tail: 10 x 5,000 categories, 100,000 rows), WOE, JamesStein,
  MEstimate, CatBoost, OneHot, Binary, BaseN, Ordinal, Helmert, Sum, BackwardDifference,
  LeaveOneOut and Hashing encoders of 10 columns x 20 categories: SAFE and loaded (Helmert 20 x
  20: count 11.6M, refused, repr 1.0 s, _repr_html_ 2.0 s: a fair refusal). IterativeImputer,
  KNNImputer, scikit-learn's TargetEncoder, SplineTransformer, a OneHotEncoder pipeline: SAFE
  and loaded. A ColumnTransformer whose column selections are X.select_dtypes(...).columns
  (pandas Index objects; 500 + 200 columns) is refused by both with the pandas profile ("holds
  a pandas.Index where only plain data ... is used"): deliberate and tested
  (test_redteam36_honest's test_a_pandas_index_selection_is_refused_by_both), not filed.
- Other prices measured against the printer: a fitted bytes attribute (reprlib writes it whole,
  unpriced) is bounded by the display's 100 attributes (1 MB referenced 100 times: 0.44 s);
  an Index of 100 strings of 100,000 characters (shows 100, priced as 60): count 13.5M, repr
  1.0 s (refused, ratio 1.25); an Index of 100 wide floats met 200 times: count 5.5M, repr
  0.56 s; an empty frame over an index of wide floats (0.76 ms a repr, priced 0.24 ms);
  record subarrays beyond 4,096 bytes are refused statically (dtype size).
- Load-time walks of the new weights: a fitted Counter whose 20,000 values are one memoised
  4,096-item tuple (each value walked by _compare_ticks): refused statically (the Counter
  call's shared argument). A fitted dict nested in a list sorted by reprlib is rt94-10; an
  OrderedDict, defaultdict or Counter there is written by its own repr (priced as such).
  reprlib's fallback after a TypeError mid-sort (a str among rt92-01's keys) is weighed by
  the keys' digits. np.asarray of [_ImputerTriplet('x' * W, 'y', None), ...] is an object
  array (None): no padding.
- A 60 x 80 frame of float128 near 1e4000: repr 24 ms, priced 0.12 s (over). _wide_floats'
  np.asarray(..., dtype=float) of it warns (RuntimeWarning: overflow in cast) inside the count:
  under warnings-as-errors the count itself would raise (not tried further).
"""

from __future__ import annotations

import pathlib
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from redteam import (
    LOAD_UNSIGNED,
    PLAIN,
    PLAIN_CALL,
    SCAN,
    Call,
    assert_refused,
    assert_refused_with,
    child,
    finishes,
    imputer,
    load_honest,
    memoising_dumps,
    prepass_problems,
    shows_harm,
    write,
)


def _nested_overlap(width: int, wraps: int) -> Any:
    """``width`` int8 fields at offset 0, ``width`` of those at offset 0 (itemsize 1), inside
    ``wraps`` one-field records."""

    def over(sub: Any) -> Any:
        names = [f"f{i}" for i in range(width)]
        return np.dtype(
            {"names": names, "formats": [sub] * width, "offsets": [0] * width, "itemsize": 1}
        )

    dtype = over(over(np.dtype("i1")))
    for _ in range(wraps):
        dtype = np.dtype([("w", dtype)])
    return dtype


def _big_ints_memoised(obj: Any) -> bytes:
    """``obj`` pickled (protocol 5) with every int of more than 64 bits memoised: one object,
    referenced by BINGET (rt92-01's)."""
    return memoising_dumps(obj, int, lambda v: not -(1 << 63) <= v < 1 << 63)


def _padded(make: Any, most: int = 400_000) -> bytes:
    """``make(pad)`` with the least padding (to 1 KB) the static pass's fold budget takes."""
    low, high = 0, most
    assert not prepass_problems(make(high))
    while high - low > 1_000:
        mid = (low + high) // 2
        if prepass_problems(make(mid)):
            low = mid
        else:
            high = mid
    return bytes(make(high))


# --- rt94-01: a pure path's check parses each of its parts as an argument -------------------


def test_rt94_01_pure_path_leaf_check_per_part(tmp_path: Path) -> None:
    from sklearn.impute import SimpleImputer

    # check_pure_path rebuilds a leaf as type(value)(*value.parts): 1.5 us a part, each an
    # argument parsed alone; the unpickler made the path from one memoised string of 6,000
    # parts (0.2 us a part), which the fold budget charges a unit per 8 characters. 800 such
    # paths in a fitted attribute: 77 KB, scan SAFE 4.8 s, load 4.7 s (compiled) / 5.5 s
    # (pure), plain pickle 0.38 s
    prefix = "\\".join(["a"] * 6_000)

    def make(pad: int) -> bytes:
        model = SimpleImputer().fit(np.zeros((2, 1)))
        model.paths_ = [Call(pathlib.PureWindowsPath, prefix, str(i)) for i in range(800)]
        model.pad_ = b"x" * pad
        return pickle.dumps(model, protocol=5)

    data = make(56_000)  # (the fold budget's least padding, to 1 KB: _padded(make))
    if prepass_problems(data):
        data = _padded(make)
    assert len(data) < 80_000
    path = write(tmp_path, data)
    assert finishes(PLAIN, path, cpu=1.0)
    assert finishes(LOAD_UNSIGNED, path, cpu=2.0)
    assert finishes(SCAN, path, cpu=2.0)


# --- rt94-02: a record nested past depth 8 is priced as its bytes ----------------------------


def test_rt94_02_deep_record_fields_unpriced(tmp_path: Path) -> None:
    # _record_width enters a nested record field only to depth 8; deeper, a record is
    # 2 + itemsize // 8 items. numpy formats every field at any depth: 3,600 overlapping int8
    # leaves (itemsize 1) inside 9 one-field records, 100 records: 2.5 KB, count 1,532,241
    # (unwrapped: 338,395,131, refused), scan SAFE, load loads, repr 4.0 s
    model = imputer(np.zeros(100, dtype=_nested_overlap(60, 9)))
    path = write(tmp_path, pickle.dumps(model, protocol=5))
    shows_harm(path, "repr(model)")
    assert_refused(path)


# --- rt94-03: a dtype's fields are priced to depth 32 ---------------------------------------


def test_rt94_03_dtype_nested_past_depth_32(tmp_path: Path) -> None:
    from sklearn.impute import SimpleImputer

    # _dtype_ticks stops at depth 32; numpy's repr of a dtype writes every field at any
    # depth. rt94-02's 3,660 field entries inside 33 one-field records, referenced 20 times
    # (padded to the fold budget): 80 KB, count 371,076 (0 to 30 wraps: refused), scan SAFE,
    # load loads, repr 2.1 s
    dtype = _nested_overlap(60, 33)

    def make(pad: int) -> bytes:
        model = SimpleImputer(strategy="constant", fill_value=[dtype] * 20)
        model.pad_ = b"x" * pad
        return pickle.dumps(model, protocol=5)

    path = write(tmp_path, _padded(make, 200_000))
    shows_harm(path, "repr(model)")
    assert_refused(path)


# --- rt94-04: a frame's columns name pads every row, unpriced --------------------------------


def test_rt94_04_frame_columns_name_pads_rows(tmp_path: Path) -> None:
    import pandas as pd

    # pandas prints columns.name at the top left and writes the index column (every shown
    # row) at its width; _frame_ticks prices the index labels and the columns' own names.
    # 60 frames of 60 rows sharing one memoised 50,000-character columns.name: 92 KB, count
    # 4,659,296, scan SAFE, load loads (profile pandas), repr 4.1 s
    name = "c" * 50_000
    frames = []
    for i in range(60):
        frame = pd.DataFrame({"a": np.arange(60.0) + i})
        frame.columns.name = name
        frames.append(frame)
    path = write(tmp_path, pickle.dumps(imputer(frames), protocol=5))
    shows_harm(path, "repr(model)")
    assert_refused_with(path, ["pandas"])


# --- rt94-05: a range in a padded list counts one cell -------------------------------------


def test_rt94_05_ranges_widen_the_padded_array(tmp_path: Path) -> None:
    # _pad counts a list item as one cell unless it is a list (its cells) or a string array
    # (its size); np.asarray expands range(i, i + 400) to 400 items, each padded to the
    # longest string of the array. [[s] * 400] + 400 ranges, s 2,000 characters (memoised):
    # a (401, 400) '<U2000' array of 1.3 GB in _repr_html_'s np.array_equal(fill_value, ...):
    # 8.4 KB, count 7,633,810, scan SAFE, load loads, _repr_html_ 1.6-6.5 s and 1.4 GB
    text = "x" * 2_000
    model = imputer([[text] * 400] + [range(i, i + 400) for i in range(400)])
    path = write(tmp_path, pickle.dumps(model, protocol=5))
    # (the harm by its memory, 1.4 GB: its time is 1.6-6.5 s, and a fast run once finished
    # inside the one-second CPU limit shows_harm sets, in a clean clone)
    plain = child(PLAIN_CALL.format(call="model._repr_html_()"), path, cpu=30)
    rss = plain.stdout.split("maxrss_mb")[1].split()[0] if "maxrss_mb" in plain.stdout else "0"
    assert "loaded" in plain.stdout and int(rss) > 1000, str(plain)
    assert_refused(path)


# --- rt94-06 (honest): a PolynomialEncoder of 5 columns of 20 categories, refused -----------


def test_rt94_06_honest_polynomial_encoder(tmp_path: Path) -> None:
    import warnings

    import category_encoders as ce
    import pandas as pd

    # its contrast frames hold values of about 1e-17 beside the others, so every shown cell
    # is a wide float to _wide_floats (420 units): count 11,257,660 (34046ae: 4,429,041,
    # loaded), refused by scan and load; repr 0.20 s, _repr_html_ 0.40 s
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(
        {f"c{j}": [f"cat_{v}" for v in rng.randint(0, 20, 1_000)] for j in range(5)}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ce.PolynomialEncoder().fit(frame, rng.randint(0, 2, 1_000))
    load_honest(model, tmp_path, ["pandas", "category_encoders"])


# --- rt94-07: reprlib shows a fitted dict's smallest keys; the count its first ones ----------


def test_rt94_07_fitted_dict_sorted_before_shown(tmp_path: Path) -> None:
    from sklearn.impute import SimpleImputer

    # _fitted_ticks prices a fitted dict's first 6 entries as inserted; the display's reprlib
    # sorts the keys and writes the values of the 4 smallest. A records array (3,600 leaves,
    # 500 records: count 259,421,477 when first) under key 0, inserted 7th: 2.8 KB, count
    # 1,898, scan SAFE, load loads, _repr_html_ 3.5 s
    model = SimpleImputer().fit(np.zeros((2, 1)))
    extra: dict[int, Any] = {i: 0 for i in range(1, 7)}
    extra[0] = np.zeros(500, dtype=_nested_overlap(60, 0))
    model.extra_ = extra
    path = write(tmp_path, pickle.dumps(model, protocol=5))
    shows_harm(path, "model._repr_html_()")
    assert_refused(path)


# --- rt94-08: big ints in an object column, priced by their characters ----------------------


def test_rt94_08_frame_of_big_ints(tmp_path: Path) -> None:
    import pandas as pd

    # _widest prices an object cell by len(str(v)) // 4; a 4,300-digit int converts in
    # quadratic time (250 us) on every shown row of every repr. A 60 x 20 frame of one
    # memoised such int, padded to the fold budget: 13 KB, count 9,192,881, scan SAFE, load
    # loads (profile pandas), repr 1.9 s, _repr_html_ 4.1 s
    big = int("9" * 4_300)
    frame = pd.DataFrame(np.full((60, 20), big, dtype=object), columns=[f"c{j}" for j in range(20)])

    def make(pad: int) -> bytes:
        model = imputer(frame)
        model.pad_ = b"x" * pad
        return _big_ints_memoised(model)

    path = write(tmp_path, _padded(make, 100_000))
    shows_harm(path, "repr(model)")
    assert_refused_with(path, ["pandas"])


# --- rt94-09: an object Index of big ints, priced by its strings only -------------------------


def test_rt94_09_index_of_big_ints(tmp_path: Path) -> None:
    import pandas as pd

    # _pandas_value_chars sums the text of an Index's shown str and bytes values; an Index of
    # a 4,300-digit int prints 100 of them, each converted in 250 us. 20 such indexes of one
    # memoised int, padded to the fold budget: 10.8 KB, count 722,076, scan SAFE, load loads
    # (profile pandas), repr 4.5 s
    big = int("9" * 4_300)
    indexes = [pd.Index(np.array([big] * 100, dtype=object)) for _ in range(20)]

    def make(pad: int) -> bytes:
        model = imputer(indexes)
        model.pad_ = b"x" * pad
        return _big_ints_memoised(model)

    path = write(tmp_path, _padded(make, 100_000))
    shows_harm(path, "repr(model)")
    assert_refused_with(path, ["pandas"])


# --- rt94-10: reprlib sorts a dict or set inside a fitted list; priced at its built-in repr -----


def test_rt94_10_nested_fitted_dict_sorted_by_reprlib(tmp_path: Path) -> None:
    import decimal

    from sklearn.impute import SimpleImputer

    # _fitted_ticks prices a fitted list's first items at their built-in repr (R: no sort for
    # a dict or set); reprlib's repr_dict inside repr_list sorts every key. rt93-13's keys
    # (X or Decimal(X), i) x 2,000 as a dict in a one-item list: 24 KB, fitted part
    # 5,394,974, scan SAFE, load loads, _repr_html_ 3.3 s
    digits = "9" * 4_300
    big, dec = int(digits), decimal.Decimal(digits)
    order = np.random.RandomState(0).permutation(2_000).tolist()
    model = SimpleImputer().fit(np.zeros((2, 1)))
    model.extra_ = [{(dec if i % 2 else big, i): 0 for i in order}]
    data = _big_ints_memoised(model)
    assert len(data) < 25_000
    path = write(tmp_path, data)
    shows_harm(path, "model._repr_html_()")
    assert_refused(path)


# --- rt94-11: a record scalar is priced by its dtype, not its values ---------------------------


def test_rt94_11_void_scalar_values_unpriced(tmp_path: Path) -> None:
    from sklearn.impute import SimpleImputer

    # _leaf prices an np.void at ARRAY_TICKS + _dtype_ticks: a subarray field of 256 long
    # doubles near 1e4000 (19 ms a repr) is 960 units. 20 references, padded to the fold
    # budget: 5.5 KB, count 174,876, scan SAFE, load loads, repr 3.3 s
    records = np.zeros(1, dtype=[("a", np.longdouble, (256,))])
    records["a"] = np.longdouble("1.2345678901234567e4000") * (1 + np.arange(256))

    def make(pad: int) -> bytes:
        model = SimpleImputer(strategy="constant", fill_value=[records[0]] * 20)
        model.pad_ = b"x" * pad
        return pickle.dumps(model, protocol=5)

    path = write(tmp_path, _padded(make, 100_000))
    shows_harm(path, "repr(model)")
    assert_refused(path)


# --- rt94-12: a named tuple key is not weighed as a tuple -------------------------------------


def test_rt94_12_named_tuple_keys_unweighed(tmp_path: Path) -> None:
    import decimal

    from sklearn.impute._iterative import _ImputerTriplet

    # _compared weighs keys of the exact types tuple, frozenset, Decimal, int; a named tuple
    # compares as a tuple (X == Decimal(X): 450 us) and weighs nothing. 480 shuffled keys
    # _ImputerTriplet(X or Decimal(X), i, None), padded to the fold budget: 23.6 KB, count
    # 9,381,986, load loads, repr 3.0 s; scan: unproven (the load does not refuse)
    digits = "9" * 4_300
    big, dec = int(digits), decimal.Decimal(digits)
    order = np.random.RandomState(0).permutation(480).tolist()
    keys = {_ImputerTriplet(dec if i % 2 else big, i, None): 0 for i in order}

    def make(pad: int) -> bytes:
        model = imputer(keys)
        model.pad_ = b"x" * pad
        return _big_ints_memoised(model)

    path = write(tmp_path, _padded(make, 100_000))
    shows_harm(path, "repr(model)")
    assert_refused(path)


# --- rt94-13: a subarray-of-record field's dtype is priced as nothing -------------------------


def test_rt94_13_subarray_of_record_dtype_unpriced(tmp_path: Path) -> None:
    from sklearn.impute import SimpleImputer

    # _dtype_ticks returns 0 for a subarray dtype (no names) before reading its subdtype: a
    # field of (3,660-field record, (1,)) counts 60 units; numpy's repr writes every field
    # (12 ms). 30 references, padded to the fold budget: 120 KB, count 37,241, scan SAFE,
    # load loads, repr 3.0 s
    dtype = np.dtype([("a", _nested_overlap(60, 0), (1,))])

    def make(pad: int) -> bytes:
        model = SimpleImputer(strategy="constant", fill_value=[dtype] * 30)
        model.pad_ = b"x" * pad
        return pickle.dumps(model, protocol=5)

    path = write(tmp_path, _padded(make, 200_000))
    shows_harm(path, "repr(model)")
    assert_refused(path)
