r"""Red team 93: reproducers (strict xfails) for the open findings, 06:52-07:45 UTC 2026-12-05,
on d61d335 (this session's 34046ae value leaves, e12367c red team 91's fixes, f14a486 red
team 92's). "pure" is a snapshot (``git archive HEAD src tests``, /tmp/rt93p) run with
SAFELOAD_PURE_PYTHON=1; "compiled" is /work/main's .venv build. Every finding reproduces in
both. CPU times are process times on the shared 2-core machine, noisy by some 30%. "count" is
what printed_problem compares with MAX_PRINTED (10,000,000 units of 60 ns, ~0.6 s): the F of
the estimator, ``printing._Costs().cost(model)[2]``. Every CPU harm is shown by plain pickle in
a child under a CPU limit (shows_harm). All thirteen are strict xfails on d61d335 (compiled
/work/main at 07:33, the pure snapshot at 07:34 and 07:42; each fails for its stated reason
under --runxfail). At 07:40 /work/main had moved (80df672, with uncommitted edits to
_global_names.py, trust/shadow.py and printing.py, and this file copied into
tests/security): there all thirteen XPASS, the maintainers porting them as they were found.

Ported by the maintainer at 07:45 (red team 93, helper-155, ran 06:52-07:45, 53 minutes, on
d61d335): all 13 are fixed. rt93-02, 08, 10, 11: xgboost's trackers, lightgbm.engine and
scipy.odr are code modules and imblearn.LazyLoader a code name. rt93-01: an array of strings
in a list counts its items at its dtype's width. rt93-03, 04, 07: a record is priced by its
fields (nested, overlapping, long doubles at 28 items), also beside object fields. rt93-05:
an estimator without a constraint table is counted by its __init__'s names, what get_params
reads (a category encoder's fitted mapping is not printed). rt93-06, 12, 13: a comparison's
weight reads a key's tuples and frozensets to 4,096 items, a Counter's counts, and reprlib's
sort of a fitted set or dict. rt93-09: scan's graph reads an object array as the load's walk
does (a record array's rows as tuples).

rt93-01 (HARM: CPU + memory; printing.py's _Costs._pad, e12367c) the padded-array rule counts
        a list item's text width only for a str/bytes (numpy strings included) or a nested
        list's remembered padding; a numpy array of strings inside the list is one cell of
        width 0. _repr_html_'s is_non_default runs np.array_equal(fill_value, None), whose
        np.asarray([array(['x' * 50,000])] + [['y']] * 9,999) is a (10000, 1) '<U50000'
        array: 2 GB written. 220 KB, count 5,017,490, scan SAFE, load loads (pure and
        compiled), _repr_html_ 10.9 s CPU and 2.1 GB RSS. (array(['x' * 100,000]) + 1,999
        lists: count 8,303,490, 941 MB. An 'S' array is a cell of width 0 too, but its own
        print is priced higher: 200,000 bytes among 9,999 lists, count 17,167,548, refused;
        its _repr_html_ 9.8 s, 2.1 GB.)
rt93-02 (HARM: network: a port bound, a DNS look-up; trusted=, CODE_MODULES) xgboost is not a
        primitive: xgboost.tracker.RabitTracker(n_workers, host_ip, port).__init__ calls
        socket.getaddrinfo(host_ip) (a query for a name the file chooses: strace showed a
        connect to the resolver for rt93-marker.invalid) and XGTrackerCreate, which binds and
        listens on host_ip:port (strace: bind(127.0.0.1:45871) = 0, listen(3, 256) = 0).
        62-byte pickle; accepted by Policy.with_trusted, scan(trusted=...) SAFE,
        load_unsigned(trusted=...) builds it (the bind happens; the load then refuses it,
        "ctypes objects containing pointers cannot be pickled"). The test holds the port:
        the load fails "Failed to bind socket ... Address already in use". (Also accepted:
        xgboost.federated.FederatedTracker, which fails in this build (no federated
        support) and takes keyword-only arguments; xgboost.core.DMatrix(path) and
        catboost.core.Pool(path) read a regular file the stream names while built: no FIFO
        and no /dev/zero, both refuse non-regular files, so not filed.)
rt93-03 (HARM: CPU; printing.py's _entered/_object_fields, f14a486) a record array with
        object fields is entered through its object fields only; its other fields are never
        priced, though numpy's repr formats every field of every record (up to 1,000 records).
        1,000 records of one None object field and 60 float64 fields of wide floats
        (-1.23e-300 * k): 545 KB, count 164,044 (the same for any number of plain fields),
        scan SAFE, load loads, repr 3.1 s (60 int8 fields: 125 KB, 0.72 s; 30 floats: 275
        KB, 1.5 s).
rt93-04 (HARM: CPU; printing.py's _array_ticks) a record array without objects is priced
        1 + itemsize // 8 items of ARRAY_ITEM_TICKS each; numpy formats every field (some 9 us
        a field). 300 int8 fields all at offset 0 (itemsize 1), 1,000 records: 6.9 KB, count
        592,731, scan SAFE, load loads (pure and compiled), repr 2.7 s, _repr_html_ 5.7 s (100
        float64 fields at offset 0: 9.8 KB, count 982,731, repr 1.8 s). Nested, within the
        static pass's 4,096 fields: 3 levels of 15 overlapping fields (3,375 int8 leaves at
        offset 0, itemsize 1) x 1,000 records: 2.0 KB, count 1,885,581, scan SAFE, load
        loads, repr 36.4 s (100 records: 1.1 KB, count 1,464,381, repr 3.4 s).
rt93-05 (HONEST REFUSED; printing.py's _frame_ticks, e12367c) category_encoders'
        TargetEncoder (no parameter table: the count takes every attribute named neither _x
        nor x_ as a parameter, its fitted mapping of pandas Series and its ordinal_encoder
        included, though repr prints only get_params()) fitted on 20 string columns of 50
        categories (3,000 rows): 92 KB, count 13,450,896 (34046ae, before e12367c's pandas
        prices: 9,799,296, loaded), refused by scan and load (pure and compiled); repr 0.9 ms,
        _repr_html_ 58 ms, str(vars(model)) 88 ms. 15 x 50: 10,096,242 (was 7,357,542),
        refused. The same 20 x 50 data, HEAD against 34046ae (pure): CountEncoder 10,177,294
        (9,759,104 loaded), WOEEncoder 13,450,860 (9,799,260), JamesSteinEncoder 13,450,833
        (9,799,233), MEstimateEncoder 13,450,856 (9,799,256): each loaded before and refused
        now, with repr + _repr_html_ in 2-5 ms warm; LeaveOneOutEncoder 9,325,214 (2,812,814)
        still loads; ce.OneHotEncoder 75,147,748 (34,970,048) refused in both, 6 ms real.
        (30 x 300 TargetEncoder: 22,077,806, refused at 34046ae too with 15,732,806;
        BinaryEncoder: 17.2M against 0.65 s real, a fair refusal.)
rt93-06 (HARM: CPU; printing.py's _compare_ticks, f14a486) a tuple key is weighed by its first
        8 items and only 2 levels deep; tuple comparison reaches the first unequal item at
        any position and depth. rt92-01's keys behind 8 equal zeros, (0,) * 8 + (X, i) (X one
        4,300-digit int or the equal Decimal, memoised; 480 shuffled keys): 18.5 KB, count
        9,578,306, scan SAFE, load loads (pure and compiled), repr 2.9 s (rt92-01's own (X, i):
        count 176,133,026, refused). Nested (((X,),), i): 12.3 KB, count 9,487,046, repr 2.9 s.
        Inside a frozenset, (frozenset({X}), i): 11.8 KB, count 9,425,216, repr 2.9 s (the
        frozensets' equal hashes lead to X == Decimal(X); a frozenset weighs nothing).
rt93-07 (HARM: CPU; printing.py's _array_ticks, e12367c's LONGDOUBLE_ITEM_WIDTH) a long double
        is priced 28 items only where the array's own dtype is one; inside a record dtype a
        16-byte long double field is 1 + 16 // 8 items. 60 records of ('a', longdouble,
        (100,)) near 1.2e4000: 96 KB, count 5,652,201, scan SAFE, load loads (pure and
        compiled), repr 4.2 s (1,000 records of one such field: count 1,412,121, repr 0.72 s;
        with rt93-04's overlap, 20 long double fields at offset 0 x 1,000 records: 16.6 KB,
        count 1,419,531, repr 14.2 s).
rt93-08 (HARM: file read at load; trusted=, CODE_MODULES) lightgbm.engine.CVBooster is no
        native-model class of the lightgbm profile and lightgbm.engine no primitive:
        CVBooster(model_file).__init__ opens the path and json.load()s it (rt91-10's harm:
        CVBooster('/dev/zero') with trusted=: load_unsigned read until memory ran out, 2.8 GB
        RSS under a 3 GB limit in 4 s, then LimitExceededError; a FIFO blocks for ever).
        115-byte pickle (the test's path); accepted by with_trusted, scan(trusted=...) SAFE,
        load_unsigned(trusted=...) opens the path (audit hook), then fails (KeyError
        'best_iteration').
rt93-09 (PARITY: scan SAFE, load refuses; scan's shared-object count, f14a486's
        Builder._records) scan now builds a real record array, and its count of shared
        objects (the sharing bound) does not enter one: a list DAG of 6 levels of 4 (4,096
        paths) in a one-record array of dtype [("a", "O")] as a fill_value: 450 bytes,
        scan SAFE with and without the class facts (pure and compiled), load_unsigned
        refuses it ("shares objects so that scikit-learn's recursive methods ... would meet
        them more than ..."). As a plain list or in an object array: refused by both; as
        [record], [record, record] in either order, or beside a float field: scan SAFE, load
        refuses. Values scan checks where it builds them are still refused by both in a
        record (a date of day 255, a KNeighborsClassifier with n_jobs=100,000).
rt93-10 (HARM: file deleted at load; trusted=, CODE_MODULES) scipy.odr is not a primitive
        (scipy.optimize and scipy.io are): ODR(data, model, beta0, ..., errfile, rptfile,
        ..., overwrite=True).__init__ calls os.remove on rptfile and errfile when they exist;
        a given beta0 and ifixx skip every use of data and model (None for both; 22
        positional arguments by REDUCE). 110-byte pickle; accepted by with_trusted (also as
        scipy.odr.ODR), scan(trusted=...) SAFE, load_unsigned(trusted=...) deletes the victim
        file, then fails (AttributeError: 'NoneType' object has no attribute 'x'). Found by
        an AST sweep of __init__/__new__/__setstate__/__del__/__getattr__ for os.remove,
        open, sockets and processes outside CODE_MODULES.
rt93-11 (PARITY with trusted=: scan SAFE, load refuses; CODE_MODULES) imbalanced-learn's
        LazyLoader(local_name, globals, name) is a types.ModuleType subclass whose
        __getattr__ runs importlib.import_module(name): with plain pickle, the first missing
        attribute read (model.fill_value.anything) imports the module the file names (a
        module in the working directory, first on sys.path: a marker written). Accepted by
        with_trusted as imblearn.LazyLoader; load_unsigned(trusted=...) refuses it in the
        walk ("holds a LazyLoader object"), importing nothing; scan(trusted=...) calls the
        285-byte file SAFE. Found by following __init__/__getattr__ one self-call deep.
rt93-12 (HARM: CPU; printing.py's _compared, f14a486's weights) Counter.__repr__ prints
        dict(self.most_common()), a sort of the values, while _compared weighs the keys it is
        given (small ints: nothing). A value that is a 4,300-digit int X compared with
        Decimal('1E+4299') converts X exactly (450 us), and that Decimal prints in 18
        characters. 2,000 entries, 200 of them X (one memoised int), the rest one Decimal:
        11.8 KB, count 7,983,744, scan SAFE, load loads (pure and compiled), repr 8.4 s
        (5,000 with 200: count 10.8M, refused, repr 11.1 s; 5,000 with 500: 19.8M, 19.4 s).
rt93-13 (HARM: CPU; printing.py's _fitted_ticks, with f14a486's weights) a fitted
        attribute's dict or set is priced at its first 6 items (_REPRLIB_ITEMS, what reprlib
        shows), but reprlib's repr_set and repr_dict sort every item first
        (_possibly_sorted), and the display's fitted-attributes table writes every x_
        attribute so. rt92-01's keys (X or the Decimal of X, i) x 2,000 as a set in an extra
        attribute extra_ of a fitted SimpleImputer: 20 KB, count with the fitted part 19,184,
        scan SAFE, load loads (pure and compiled), _repr_html_ 3.2 s (as a dict: 24 KB,
        19,214, 3.2 s; 480 keys: 0.64 s). A Counter there (rt93-12's values) is priced as
        rt93-12: 10,000 entries, 52 KB, loads, _repr_html_ 5.8 s.

Held (tried, no finding):
- Builder._records (f14a486) against numpy's __setstate__, scan verdict with and without the
  class facts beside load_unsigned, as SimpleImputer(fill_value=records), protocols 2 and 5:
  nested record dtypes, 'U' and bool fields, padded offsets/itemsize, titles, 2-d, zero-size
  (1-d and (0, 3)), dates in object fields: SAFE and loaded alike; object subarray fields and
  datetime64 fields: refused statically by both. Crafted record items (lists, scalars that
  numpy broadcasts, dicts, short tuples, None or a 10**30 int for an int field): refused
  statically ("a record item that is not a tuple", "a record field value that is not a plain
  constant"); a str or a float for an int field: numpy converts, both load. A huge
  non-object subarray field beside an object field (np.empty of the stream's dtype in scan):
  refused statically (dtype size). Latent, no verdict found to differ: scan's builder
  reshapes a Fortran-ordered object or record array's item list with order="F" while numpy's
  list is in C order (a (2, 3) [[1.5, 'a', None], [None, 'b', 2.5]] is built
  [[1.5, None, 'b'], ['a', None, 2.5]]); OrdinalEncoder.categories_ as such a 2-d array is
  loaded by both whatever the order (the per-row sorted check does not apply to a 2-d
  array), OneHotEncoder's refused by both.
- Value leaves (34046ae): 24 pure paths with odd drives and roots (UNC, \\?\, \\.\pipe,
  'a:b:c', '//server/', NUL characters, '', '.', 'C:' then 'D:x', '//' roots): scan and load
  agree on each ('a:b:c' and '//server/' refused by both: "path disagrees with its parts").
  PurePath subclasses are not leaves (exact types); timezone cannot be subclassed; a
  timezone's name is priced by its length per reference.
- The walk's alive list (f14a486): _held returns lists (never iterators), kept whole; dict
  subclasses' children, __reduce_ex__ parts and tolist rows are held until _validate ends.
  The printing count reads record arrays' object fields as stored objects (ravel copies of
  field views hold the same objects) and estimators through vars(); no temporary found that
  it memoises by id.
- pandas (profile pandas): a memoised long label repeated in an Index or a 0-row frame's
  columns is refused statically (copy/print more than the file's size allows); an empty
  frame's repr is short (pandas truncates); MultiIndex and DatetimeIndex are not on the
  profile (a MultiIndex of one 100,000-character label over 100 rows counts 27,881 against a
  0.7 s repr, but needs trusted=['pandas.MultiIndex']); a Categorical of long categories is
  over-priced (count 10.3M, repr 11 ms: refused, an unusual honest value, not filed).
- pandas scan/load parity (profile pandas), bare and as a fill_value: a 200,000-character
  index label, column label, Series name, object cell or category: the two agree each
  time (bare: SAFE and loaded; as a parameter: refused by both). Over-pricing seen there,
  not filed (no honest model found that holds such text): pandas cuts a cell to
  display.max_colwidth (50) and prints a Series' name once, yet a 200,000-character cell
  counts 19.6M against repr 5 ms / _repr_html_ 17 ms, and such a name 19.7M against 20 /
  42 ms (a long index label, 1.2 s / 2.5 s, is priced right). Aware datetimes and times
  (fold=1), fixed-offset timezones, pure paths, and pandas Timestamps, Timedeltas and
  Periods, 20,000 each: count / real repr 0.1-1.0 (paths 0.4).
- pandas in a plain-list root: 20 copies of a 60 x 80 frame of wide floats (771 KB):
  count 40,445,022 against repr 2.5 s, refused by both (the root's allowance, 1 a byte).
- Honest: OneHotEncoder and OrdinalEncoder fitted on 30 string columns of 300 categories
  (367 KB) load with counts under 2,000; category_encoders' OrdinalEncoder 30 x 300 loads
  (count 5.5M, repr + _repr_html_ 0.33 s).
- Sort weights besides rt93-06 and rt93-12: 480 Counter values alternating a 4,300-digit
  int and the equal Decimal (both print long): count 9,149,584, repr 0.92 s (ratio ~1.5).
  (Decimal('1'), i) against (5e-324, i) keys (from_float's exact expansion, ~10 us a
  comparison): 20,000 keys, count 40.9M against 1.36 s (refused).
  Dict keys that are long pure paths: each path's text is priced and pays file bytes (a
  memoised long prefix is refused statically); at most ~4x, not filed.
- The HTML params table writes parameters with reprlib too (its repr_set and repr_dict sort
  every item): a parameter's set or dict is priced as sorted, with f14a486's weights
  (rt92-01's keys in a set fill_value: refused); reprlib's other shortened kinds (a list, a
  tuple) show 4 items. A fitted namedtuple, OrderedDict or Bunch is priced whole, as reprlib
  writes it.
- A np.void scalar with an object field (numpy pickles one): refused statically ("numpy's
  multiarray.scalar with an object dtype"). np.void scalars of rt93-04's nested overlapping
  dtype (3,375 leaves): priced per leaf (50 references: count 87,122,271 against repr 25 s) and
  refused statically (unfold budget). The dtype itself as a value: count 1,954,683 against
  repr 0.1 s (over-priced; 100 references refused statically).
- The alive list's memory: load_unsigned of a 2,000,000-item object array of None (2 MB
  stream) peaks 396 MB at 34046ae and 397 MB at HEAD (pure): f14a486 adds nothing there.
- A namedtuple in a padded list (_ImputerTriplet is a tuple to np.asarray but priced whole,
  outside _pad): its estimator field must hold an estimator ("holds 'z' where an estimator
  is used"), which makes np.asarray's array an object array: no padding.
- A wider AST sweep (every site-packages folder outside CODE_MODULES; destructors, reprs and
  comparisons too; os.remove, rmtree, unlink, rename, sockets, processes, mkdtemp): besides
  rt93-10 only numpy's DataSource (a primitive), catboost's CatboostEvaluation (a primitive)
  and BatchMetricCalcer (mkdtemp; needs a CatBoost model as its first argument, not built),
  OpenSSL's Connection (needs a socket object), urllib3 helpers that store arguments, and
  catboost.hnsw's Pool (reads a vectors file, regular files only, like DMatrix).
- trusted= sweep (AST of __init__/__setstate__/__del__/__new__/__getattr__ in xgboost,
  lightgbm, catboost, requests, urllib3, rich, tomlkit, platformdirs, narwhals, imblearn,
  category_encoders, sklearn_compat, skops): lz4.frame.LZ4FrameFile refused (an io class);
  catboost.core.Pool and xgboost DMatrix read regular files only; category_encoders'
  HashingEncoder's worker processes are checked by the profile (max_process 1); urllib3,
  requests and rich classes only store their arguments.
"""

from __future__ import annotations

import decimal
import pickle
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from parity import verdicts
from redteam import (
    OPENS_TRUSTING,
    Call,
    assert_refused,
    assert_scan_predicts_load,
    imputer,
    load_honest,
    memoising_dumps,
    run_trusting,
    scan_trusting,
    shows_harm,
    trust_refused,
    trusting_child,
    write,
)

# --- rt93-01: a numpy string array inside a list widens the padded array, uncounted ----------


def test_rt93_01_string_array_in_a_list_pads_the_comparison(tmp_path: Path) -> None:
    # _Costs._pad counts a list item as one cell, as wide as its text only for a str/bytes
    # (or a nested list's remembered padding): an ndarray of '<U50000' is one cell of width 0.
    # np.array_equal(fill_value, None) in _repr_html_'s is_non_default makes
    # np.asarray([array(['x' * 50,000])] + [['y']] * 9,999): a (10000, 1) '<U50000' array,
    # 2 GB written and compared. 220 KB, count 5,017,490, scan SAFE, load loads,
    # _repr_html_ 10.9 s CPU and 2.1 GB
    model = imputer([np.array(["x" * 50_000])] + [["y"]] * 9_999)
    path = write(tmp_path, pickle.dumps(model, protocol=5))
    shows_harm(path, "model._repr_html_()")
    assert_refused(path)


# --- rt93-02: xgboost's RabitTracker binds a port and resolves a host name while built --------

#: A child that loads the file trusting the names it is given (argv[2:]) and prints each
#: socket.getaddrinfo audit event (the host a load looks up).
_LOOKUPS = trusting_child('if event == "socket.getaddrinfo": print("lookup", args[0], flush=True)')


def test_rt93_02_xgboost_tracker_binds_a_port_at_load(tmp_path: Path) -> None:
    from xgboost.tracker import RabitTracker

    # xgboost is not in CODE_MODULES. RabitTracker(n_workers, host_ip, port).__init__ calls
    # socket.getaddrinfo(host_ip) (a DNS query for a name the file chooses: an exfiltration
    # channel, cf. ssl.get_server_certificate) and XGTrackerCreate, which binds and listens on
    # host_ip:port (strace: bind(127.0.0.1:45871) = 0, listen(3, 256) = 0; a name such as
    # rt93-marker.invalid sent a query to the resolver). 62-byte pickle; accepted by
    # with_trusted, scan(trusted=...) SAFE, load_unsigned(trusted=...) builds it (then refuses
    # it: "ctypes objects containing pointers cannot be pickled", after the bind). Here a port
    # the test holds: the load fails with "Failed to bind socket ... Address already in use".
    # (xgboost.core.DMatrix(path) and catboost.core.Pool(path) likewise read a regular file
    # the stream names while built: no FIFO, no /dev/zero)
    names = ["xgboost.tracker.RabitTracker"]
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    held.listen()
    try:
        port = held.getsockname()[1]
        data = pickle.dumps(Call(RabitTracker, 1, "127.0.0.1", port), protocol=2)
        path = write(tmp_path, data)
        out = run_trusting(_LOOKUPS, path, names)
    finally:
        held.close()
    assert "lookup 127.0.0.1" not in out and "bind" not in out, out
    assert not scan_trusting(data, names)
    assert trust_refused(names)


# --- rt93-03: a record array's plain fields, unpriced once its object fields are entered -------


def test_rt93_03_record_array_plain_fields_unpriced(tmp_path: Path) -> None:
    # f14a486's _entered enters a record array with object fields through _object_fields
    # (the stored objects, OBJECT_ITEM_TICKS each); its other fields are never priced, though
    # numpy's repr formats every field of every record (up to 1,000 records: threshold). 1,000
    # records of one None object field and 60 float fields of wide floats (-1.23e-300 * k):
    # 545 KB, count 164,044 (the same for any number of plain fields), scan SAFE, load loads
    # (0.2 s), repr 3.1 s (60 int8 fields: 125 KB, repr 0.72 s; 30 floats: 275 KB, 1.5 s)
    fields = [("o", "O")] + [(f"f{i}", "f8") for i in range(60)]
    records = np.zeros(1_000, dtype=fields)
    for i in range(60):
        records[f"f{i}"] = -1.2345678901234567e-300 * (np.arange(1_000) + i + 1)
    records["o"] = None
    path = write(tmp_path, pickle.dumps(imputer(records), protocol=5))
    shows_harm(path, "repr(model)")
    assert_refused(path)


# --- rt93-04: a record array of overlapping fields, priced by its item size -------------------


def test_rt93_04_overlapping_record_fields_priced_by_itemsize(tmp_path: Path) -> None:
    # _array_ticks prices a record array's item at 1 + itemsize // 8 units of ARRAY_ITEM_TICKS;
    # numpy's repr formats every field of every record (some 9 us a field). A dtype whose 300
    # int8 fields all sit at offset 0 has itemsize 1: 1,000 records are 1,000 bytes of data.
    # 6.9 KB, count 592,731, scan SAFE, load loads (pure and compiled), repr 2.7 s,
    # _repr_html_ 5.7 s (100 float64 fields at offset 0: 9.8 KB, count 982,731, repr 1.8 s)
    names = [f"f{i}" for i in range(300)]
    overlapping = np.dtype(
        {"names": names, "formats": ["i1"] * 300, "offsets": [0] * 300, "itemsize": 1}
    )
    path = write(tmp_path, pickle.dumps(imputer(np.zeros(1_000, dtype=overlapping)), protocol=5))
    shows_harm(path, "repr(model)")
    # nested: 3 levels of 15 fields at offset 0 (3,375 leaves): 2.0 KB, count 1,885,581,
    # repr 36.4 s
    nested = np.dtype("i1")
    for _ in range(3):
        names = [f"f{i}" for i in range(15)]
        nested = np.dtype(
            {"names": names, "formats": [nested] * 15, "offsets": [0] * 15, "itemsize": 1}
        )
    deep = write(
        tmp_path, pickle.dumps(imputer(np.zeros(1_000, dtype=nested)), protocol=5), "d.pkl"
    )
    shows_harm(deep, "repr(model)")
    assert_refused(deep)
    assert_refused(path)


# --- rt93-05 (honest): a category_encoders TargetEncoder of 20 columns, refused ---------------


def test_rt93_05_honest_target_encoder_of_twenty_columns(tmp_path: Path) -> None:
    import category_encoders as ce
    import pandas as pd

    # e12367c's pandas prices (float cells 420 units, each shown row at its column's widest
    # text) apply to every Series in a category encoder's fitted mapping and its
    # ordinal_encoder's, which the count takes as parameters (no parameter table: every
    # attribute named neither _x nor x_), though repr prints only get_params(). Fitted on 20
    # string columns of 50 categories (3,000 rows): 92 KB, count 13,450,896 (34046ae:
    # 9,799,296, loaded), refused by scan and load (pure and compiled); repr 0.9 ms,
    # _repr_html_ 58 ms, even str(vars(model)) 88 ms. (15 x 50: 10,096,242, refused; 30 x
    # 300: 22,077,806, already refused at 34046ae with 15,732,806)
    rng = np.random.RandomState(0)
    columns = {
        f"c{j}": [f"cat_{v}_" + "w" * 30 for v in rng.randint(0, 50, 3_000)] for j in range(20)
    }
    model = ce.TargetEncoder().fit(pd.DataFrame(columns), rng.randint(0, 2, 3_000))
    load_honest(model, tmp_path, ["pandas", "category_encoders"])


# --- rt93-06: a sort's comparison weight reads eight items, two levels deep -------------------


def test_rt93_06_decimal_compared_past_the_weighed_items(tmp_path: Path) -> None:
    # f14a486's _compare_ticks weighs a tuple key by its first 8 items, and a tuple only 2
    # levels deep; tuple comparison goes on to the first unequal item, at any position and
    # depth. rt92-01's keys behind 8 equal zeros, (0,) * 8 + (X, i), X one 4,300-digit int or
    # the Decimal of the same digits (int-Decimal comparison: 450 us), 480 shuffled keys:
    # 18.5 KB, count 9,578,306, scan SAFE, load loads (pure and compiled), repr 2.9 s (rt92-01's
    # (X, i): count 176,133,026, refused). Nested, (((X,),), i): 12.3 KB, count 9,487,046,
    # repr 2.9 s
    digits = "9" * 4_300
    big, dec = int(digits), decimal.Decimal(digits)
    order = np.random.RandomState(0).permutation(480).tolist()
    model = imputer({(0,) * 8 + (dec if i % 2 else big, i): 0 for i in order})
    data = memoising_dumps(model, int, lambda v: not -(1 << 63) <= v < 1 << 63)
    assert len(data) < 20_000
    path = write(tmp_path, data)
    shows_harm(path, "repr(model)")
    assert_refused(path)


# --- rt93-07: long doubles inside a record dtype, priced as plain bytes ---------------------


def test_rt93_07_long_double_fields_priced_by_bytes(tmp_path: Path) -> None:
    # e12367c prices a long double array item at LONGDOUBLE_ITEM_WIDTH (28 items: Dragon4 near
    # 1e4000, some 115 us) only where the array's own dtype is a long double; a record
    # dtype's item is 1 + itemsize // 8 (a 16-byte long double field: 3 items). 60 records of
    # one field ('a', longdouble, (100,)), values near 1.2e4000: 96 KB, count 5,652,201, scan
    # SAFE, load loads (pure and compiled), repr 4.2 s. (1,000 records of one long double
    # field: count 1,412,121, repr 0.72 s; with rt93-04's overlap, 20 long double fields at
    # offset 0 x 1,000 records: 16.6 KB, count 1,419,531, repr 14.2 s)
    records = np.zeros(60, dtype=[("a", np.longdouble, (100,))])
    near = np.longdouble("1.2345678901234567e4000")
    records["a"] = near * (np.arange(6_000).reshape(60, 100) + 1)
    path = write(tmp_path, pickle.dumps(imputer(records), protocol=5))
    shows_harm(path, "repr(model)")
    assert_refused(path)


# --- rt93-08: LightGBM's CVBooster reads the path its arguments name while built --------------


def test_rt93_08_lightgbm_cvbooster_reads_a_path_at_load(tmp_path: Path) -> None:
    import lightgbm.engine

    # lightgbm.engine is not in CODE_MODULES and CVBooster is no native-model class of the
    # lightgbm profile: CVBooster(model_file).__init__ opens the path and json.load()s it
    # (rt91-10's class of harm: /dev/zero reads until memory runs out, a FIFO blocks for
    # ever). 115-byte pickle (this path); accepted by with_trusted, scan(trusted=...) SAFE,
    # load_unsigned(trusted=...) opens the path (then fails: KeyError 'best_iteration')
    names = ["lightgbm.engine.CVBooster"]
    named = tmp_path / "cv.json"
    named.write_text('{"boosters": []}')
    data = pickle.dumps(Call(lightgbm.engine.CVBooster, str(named)), protocol=2)
    path = write(tmp_path, data)
    out = run_trusting(OPENS_TRUSTING, path, names)
    assert "\nopened" not in "\n" + out, out
    assert not scan_trusting(data, names)
    assert trust_refused(names)


# --- rt93-09: scan SAFE, the load refuses: a shared DAG inside a record's object field ---------


def test_rt93_09_record_array_dag_scan_safe_load_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # since f14a486 scan's builder makes a real record array (Builder._records), and scan's
    # count of shared objects no longer enters it: a list DAG of 6 levels of 4 (4,096 paths)
    # in a one-record array of dtype [('a', 'O')] as a fill_value: scan SAFE (with and
    # without the class facts, pure and compiled), load_unsigned refuses it ("shares objects
    # so that scikit-learn's recursive methods ... would meet them more than ..."). The same
    # DAG as a plain list or in an object array: refused by both; in [record] or beside a
    # float field: scan SAFE, load refuses. (A crafted date or n_jobs=100,000 in a record:
    # refused by both, checked where scan builds them)
    tree: Any = [0.5]
    for _ in range(6):
        tree = [tree] * 4
    record = np.empty(1, dtype=[("a", "O")])
    record[0] = (tree,)
    data = pickle.dumps(imputer(record), protocol=5)
    assert len(verdicts(data, monkeypatch)) == 1
    assert_scan_predicts_load(data, tmp_path, refused=True)


# --- rt93-10: scipy.odr's ODR deletes the files its arguments name while built -----------------


def test_rt93_10_scipy_odr_deletes_a_file_at_load(tmp_path: Path) -> None:
    import warnings

    import safeload
    from safeload import UsageError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (scipy.odr is deprecated)
        from scipy.odr._odrpack import ODR

    # scipy.odr is not in CODE_MODULES (scipy.optimize and scipy.io are). ODR(data, model,
    # beta0, ..., errfile, rptfile, ..., overwrite=True).__init__ runs os.remove(rptfile) and
    # os.remove(errfile) when they exist; a given beta0 and ifixx skip every use of data and
    # model, so None serves for both (22 positional arguments, REDUCE). 110-byte pickle (for
    # its own path); accepted by with_trusted (as scipy.odr.ODR too), scan(trusted=...) SAFE,
    # load_unsigned(trusted=...) deletes the victim, then fails (AttributeError: 'NoneType'
    # object has no attribute 'x')
    names = ["scipy.odr._odrpack.ODR"]
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    args = [None, None, [1.0], None, None, [1], None, None, None, str(victim)]
    data = pickle.dumps(Call(ODR, *args, *[None] * 11, True), protocol=2)
    path = write(tmp_path, data)
    with pytest.raises((safeload.SafeloadError, UsageError)):  # (refused, nothing built)
        safeload.load_unsigned(path, trusted=names)
    assert victim.exists()
    assert not scan_trusting(data, names)
    assert trust_refused(names)


# --- rt93-11: scan SAFE, the load refuses: imbalanced-learn's LazyLoader, trusted -----------


def test_rt93_11_imblearn_lazy_loader_scan_safe_load_refuses(tmp_path: Path) -> None:
    import imblearn

    import safeload

    # imblearn is not in CODE_MODULES. imblearn.LazyLoader(local_name, globals, name) is a
    # types.ModuleType subclass whose __getattr__ runs importlib.import_module(name): with
    # plain pickle, the first missing attribute read (model.fill_value.anything) imports the
    # module the file names (here a module in the working directory, first on sys.path,
    # that writes a marker). Accepted by with_trusted; load_unsigned(trusted=...) refuses it
    # in the walk ("holds a LazyLoader object": a module), importing nothing; but
    # scan(trusted=...) calls the 285-byte file SAFE (pure and compiled)
    names = ["imblearn.LazyLoader"]
    (tmp_path / "rt93_marker_mod.py").write_text(
        "import pathlib\npathlib.Path(__file__).with_name('marker.txt').write_text('imported')\n"
    )
    model = imputer(Call(imblearn.LazyLoader, "x", {}, "rt93_marker_mod"))
    data = pickle.dumps(model, protocol=2)
    path = write(tmp_path, data)
    plain = (
        "import pickle, sys\nm = pickle.load(open(sys.argv[1], 'rb'))\n"
        "try:\n    m.fill_value.anything\nexcept AttributeError:\n    pass\n"
    )
    subprocess.run([sys.executable, "-c", plain, str(path)], cwd=tmp_path, timeout=120, check=True)
    assert (tmp_path / "marker.txt").exists()  # (the harm, with plain pickle)
    (tmp_path / "marker.txt").unlink()
    with pytest.raises(safeload.SafeloadError):
        safeload.load_unsigned(path, trusted=names)
    assert not (tmp_path / "marker.txt").exists()
    assert not scan_trusting(data, names)


# --- rt93-12: a Counter sorts its values; the count weighs only keys --------------------------


def test_rt93_12_counter_values_sorted_against_big_ints(tmp_path: Path) -> None:
    import collections

    # Counter.__repr__ prints dict(self.most_common()): a sort of the values, where
    # _compared weighs what it is given, the keys (small ints here: nothing). A value that is
    # a 4,300-digit int X compared with Decimal('1E+4299') converts X exactly (450 us), and
    # the Decimal prints in 18 characters: the price of each comparison is not in its print.
    # 2,000 entries, 200 of them X (one memoised object), the rest one Decimal: 11.8 KB,
    # count 7,983,744, scan SAFE, load loads (pure and compiled), repr 8.4 s (5,000 with 500
    # X: count 19.8M, refused, repr 19.4 s)
    big = int("9" * 4_300)
    dec = decimal.Decimal("1E+4299")
    chosen = set(np.random.RandomState(0).choice(2_000, 200, replace=False).tolist())
    counts = collections.Counter({i: (big if i in chosen else dec) for i in range(2_000)})
    data = memoising_dumps(imputer(counts), int, lambda v: not -(1 << 63) <= v < 1 << 63)
    assert len(data) < 12_000
    path = write(tmp_path, data)
    shows_harm(path, "repr(model)")
    assert_refused(path)


# --- rt93-13: reprlib sorts a fitted dict or set whole; the count prices six items -----------


def test_rt93_13_fitted_set_sorted_whole_by_reprlib(tmp_path: Path) -> None:
    from sklearn.impute import SimpleImputer

    # _fitted_ticks prices a fitted attribute's dict or set at its first _REPRLIB_ITEMS (6)
    # items, as reprlib shows them; but reprlib's repr_set / repr_dict sort every item first
    # (_possibly_sorted), and the display's fitted-attributes table writes each x_
    # attribute so. rt92-01's keys (X or the Decimal of X, i), X a memoised 4,300-digit int,
    # 2,000 of them as a set in an extra attribute extra_ of a fitted SimpleImputer: 20 KB,
    # count (with the fitted part) 19,184, scan SAFE, load loads (pure and compiled),
    # _repr_html_ 3.2 s (a dict of the same keys: 24 KB, count 19,214, 3.2 s)
    digits = "9" * 4_300
    big, dec = int(digits), decimal.Decimal(digits)
    order = np.random.RandomState(0).permutation(2_000).tolist()
    model = SimpleImputer().fit(np.random.RandomState(0).rand(10, 3))
    model.extra_ = {(dec if i % 2 else big, i) for i in order}
    data = memoising_dumps(model, int, lambda v: not -(1 << 63) <= v < 1 << 63)
    assert len(data) < 25_000
    path = write(tmp_path, data)
    shows_harm(path, "model._repr_html_()")
    assert_refused(path)
