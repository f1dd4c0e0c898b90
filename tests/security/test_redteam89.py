r"""Red team 89: reproducers (strict xfails) for the open findings, 02:15-03:15 UTC 2026-12-05,
on HEAD 964e258 (targets: 964e258's rewritten printing bound, trust/structures/printing.py;
041b7dc's trust additions; issue 14's scope). "pure" is a snapshot (``git archive HEAD``,
/tmp/rt89p) run with SAFELOAD_PURE_PYTHON=1; "compiled" is /work/main's .venv build (pickle
walkers compiled; printing.py is pure Python in both). CPU times are process times on the
shared 2-core machine (one thread), noisy by some 30%. "count" is what printed_problem
compares with MAX_PRINTED (10,000,000 units of 60 ns, ~0.6 s): the F of the estimator,
``printing._Costs().cost(model)[2]``. Every harm below is shown by plain pickle/joblib in a
child under a CPU limit; every model is called SAFE by scan and loaded by load_unsigned in
both builds unless said otherwise. Found by measuring the printer against the count per kind
of value (``repr`` time / count * 60 ns, for 20,000 items of ~45 kinds in a SimpleImputer's
fill_value: most within 0.6-3.7x; the outliers below), and by reading sklearn/utils/_pprint.py,
pprint.py and sklearn/utils/_repr_html for work the count does not model.

Note on builds: the numbers below were measured at 964e258 (pure snapshot) and on /work/main's
compiled build before it moved on. During the run /work/main reached de85ea8 ("Printing: the
printer's sorts, numpy's repr set-up, slices, _changed_params, word-by-word strings, LightGBM's
keyword parameters, a display's sub-kernel rows, a plain container's leaves (rt89-01..05,
09..11)"): with that compiled build this file gives 11 passed (those fixed: their marks must
go) and 11 failed under --runxfail, i.e. rt89-06, 07, 08 (trust), 12 and 13 still open there.
At 964e258 (the snapshot, pure) all 22 are xfailed, and were in the compiled build at 964e258.

Ported by the maintainer at 03:30 (red team 89, helper-150, ran 02:15-03:15, 60 minutes, on
964e258's rewrite of the printing bound and 041b7dc's trust additions): rt89-01..05, 09, 10,
11 and 13 are fixed in structures/printing.py (de85ea8 and the commit that ports this file:
the printer's sorts by the runs they find, numpy's repr set-up and a dtype's fields, slices
entered, _changed_params per estimator, strings too wide for a line word by word,
LightGBM's _other_params, the display's sub-kernel rows, a plain container's leaves at a
unit a byte past the bound, and an estimator's fitted attributes as reprlib writes them);
rt89-06, 07 and 08 by 2f6cacb (development, test and scanning tools are primitives).
rt89-12 is a documented limit: an honest PolynomialFeatures of that shape costs the same.

rt89-01 (HARM: CPU; printing.py, a set's and a dict's sort) the printer sorts: pprint's
        _pprint_set sorts every item of a set (sorted(key=_safe_key)), _safe_repr and
        _pprint_dict every entry of a dict (key=_safe_tuple). Items that do not order (complex
        numbers) take _safe_key's TypeError fallback (str(type), id: ~1.5 us a comparison), and
        items made in an order other than the set's or dict's (a set's is its hash order; a
        dict's, made in shuffled order after a list that fixed their ids) sort in n log n
        comparisons: 20-25 us an item, where the count prices a set as its built-in repr
        (r + 1, 7 units for a complex) and a dict entry at DICT_ENTRY (44 units, measured on
        keys that order). Set of 100,000 complex numbers: 2.4 MB (245 KB xz), count 4,551,152
        (0.27 s), repr 2.7 s, _repr_html_ 5.5 s (80,000, pure: 2.1 s); dict of 40,000
        complex keys: 1.3 MB, count 9,361,534, repr 4.5 s. (A defaultdict/OrderedDict is
        "whole_dict": not charged DICT_ENTRY for _pprint_dict's sort at all.) The same set
        with its items made in hash order sorts in n comparisons (repr 0.65 s), which is how
        a naive reproducer misses it.
rt89-02 (HARM: CPU; printing.py's _leaf) numpy values priced by their items only: numpy's
        repr of an array costs 50-150 us whatever its size (array2string's set-up), while
        _leaf gives a one-item array 8 + 72 units (4.8 us). One np.array([0.5]) 15,000 times
        in a list parameter: 30 KB (408 bytes xz), count 7,903,804 (0.47 s), repr 5.0 s (pure
        4.9 s), _repr_html_ 10.3 s (15,000 distinct arrays: 495 KB, the same). A dtype with
        fields is 8 units however many fields (100 fields: repr 430 us): 2,000 references
        plus padding, 406 KB (848 bytes xz), count 132,912, repr 4.6 s, html 9.3 s (the
        stream's unfold bound, paid by the file's size, is all that limits it). Likewise a
        datetime whose timezone has a 100,000-character name: 250 of them, 106 KB, count
        15,529, repr 0.5 s; an object array of 1,000 floats prints 2.5 us an item (counted
        0.3 us: ratio 3.7); a sparse matrix 5.6 us (counted 0.48 us, but each is an instance
        met as often as listed, so the use-time bytes bound stops it near 16,000); and ten
        object arrays of 1,000 references to one 1-item array: 20 KB, count 7,350,549, repr
        4.4 s (numpy repr's each nested array).
rt89-03 (HARM: CPU; pickle/walk_base.py + costs.unfolded: the stream's fold budget) the same
        array's per-repr cost on a plain container, where printing.py does not apply: [np.array(
        [0.5])] * 100,000: 200 KB (332 bytes xz), scan SAFE, load loads, repr 5.3 s (pure 5.5 s).
        A memo reference to an array is charged its item count (one node), 16 units a byte are
        allowed, and each reference costs numpy ~50 us to print: ~26 s of repr per MB.
rt89-04 (HARM: CPU; printing.py's _entered / printed_problem) a slice is neither a container
        the count enters nor an instance: _leaf prices it 8 units, while repr(slice(x, y, z))
        prints x, y and z in full. (a) SimpleImputer(fill_value=slice(SimpleImputer(fill_value=
        slice(...)), None, None)), 5 deep over 1,000 floats: the printer prints each parameter
        four times a level (_changed_params, the one-line try, the KeyValTuple's repr,
        _format), 4**depth: 9.4 KB (1.2 KB xz), count 291, repr 18.9 s (pure 20.4 s); 7 deep
        runs past 40 s. (b) at the top: printed_problem walks the top only when _entered knows
        it, so rt88-06's 140 SimpleImputers sharing one 30,000-float list, given as
        slice(list, None, None), is never summed: 276 KB (12 KB xz), count (8, 8, 8, 0), repr
        9.7 s (pure 10.5 s); the bare list is refused (20 of them: 27.9M).
rt89-05 (HARM: CPU, profile lightgbm; printing.py's parameter choice) LGBMModel.get_params adds
        _other_params (the kwargs), which the printer prints; the count reads an estimator
        without _parameter_constraints by its attributes not named _x or x_, so _other_params is
        never read. feature_contri (a LightGBM parameter: accepted) of 10,000 one-item arrays:
        336 KB (7.5 KB xz), count 1,066, scan(profiles=['lightgbm']) SAFE, load loads (pure and
        compiled), repr 2.3 s; of 600,000 floats: 5.4 MB, count 1,066 (some 27M if counted),
        repr 0.82 s, _repr_html_ 1.57 s.
rt89-06 (TRUST -> HARM: code execution; _global_names.CODE_MODULES is a denylist) classes of
        other packages installed in the venv run what the file names while they are built;
        each is offered by the default refusal's advice, accepted by with_trusted, SAFE to
        scan(trusted=...) (pure and compiled: trust/ is the same code):
        ``modelscan.modelscan.ModelScan(settings)`` imports each middleware's module and calls
        the named attribute with its value: middlewares {"os.system": "echo ran > marker"} runs
        the shell command, and the load returns the ModelScan (142-byte pickle);
        ``skops.card._model_card.Card(path, None, "auto", "skops", None, True)`` fills its
        template, which joblib.loads the path (a second pickle beside the file runs; 95 bytes;
        skops is safeload's own extra), then refused; ``mypy.build.WorkerClient(status, "{}",
        env)`` deletes the status path and starts ``python -m mypy.build_worker`` with the
        file's environment (PYTHONPATH to a folder with a mypy package: its __init__ runs),
        then refused.
rt89-07 (TRUST -> HARM: file deletion) ``mypy.dmypy_server.Server(mypy.options.Options(),
        path)`` unlinks the path it is given; both names offered and accepted, scan SAFE, and
        load_unsigned(trusted=[...]) deletes the file and LOADS (95-byte pickle).
rt89-08 (TRUST -> HARM: processes, imports, sockets, folders, walks) pygments'
        ``formatters.img.FontManager("DejaVu Sans")`` runs fc-list six times (rt88-04's
        matplotlib FontManager again); ``mypy.stubgenc.InspectionStubGenerator(name, [])``
        imports the module the file names; ``mypy.moduleinspect.ModuleInspect()`` starts a spawn
        process; ``mypy.ipc.IPCServer(name)`` makes a folder and binds a listening Unix socket
        (and LOADS); ``mypy.metastore.SqliteMetadataStore(path)`` makes the folder and an SQLite
        database; ``xdist.looponfail.StatRecorder([path])`` stats every file under the path
        (and LOADS); ``_pytest.capture.FDCapture(1)`` makes a temporary file and dups fd 1 (and
        loads). Found by an AST sweep of every class in the venv's other packages whose
        __init__/__new__/__setstate__ (and the methods they call on self) call import_module,
        system, Popen, open, mkdir, unlink, socket, Thread ..., then each candidate built by
        load_unsigned(trusted=[...]) under an audit hook.
rt89-09 (HARM: CPU; the notebook display's own work, sklearn/utils/_repr_html/estimator.py) a
        GaussianProcessRegressor is a "single" block, whose parameter table is
        get_params(deep=True): every sub-kernel of Sum(...Sum(RBF(60,000 scales), White)...,
        White) is a row and each row formats its whole sub-kernel twice (reprlib's repr of an
        instance is the built-in repr, is_non_default compares reprs): depth x scales, where
        the count prices the kernel once per parameter. Depth 150: 489 KB (664 bytes xz), count
        4,715,622 (0.28 s), repr 0.24 s, _repr_html_ 6.8 s (pure 7.2 s). Depth 200: scan
        "unproven: too deep", the load loads, _repr_html_ 9.8 s.
rt89-10 (HARM: CPU; printing.py's strings) a string too wide for its line goes to pprint's
        _pprint_str (split into lines, each into words with re.findall, each chunk repr'd),
        373 ns a character of "\n" (86 ns of "\U000e0001", 62 of "\u200b"), where _leaf counts
        5 ns a character and F = S. fill_value "\n" * 5,000,000: a 22 KB compressed joblib
        (1 KB xz as a pickle), count 2,708,585 (0.16 s), repr 3.2 s, _repr_html_ 6.7 s; at the
        bound some 12 s. rt88 held "ab\n" * 166,000 at 0.19 s: the same rate on a tenth of the
        length. (bytes: _pprint_bytes' 4-byte chunks, b"\x00" * 3M: count 1.6M, repr 0.45 s.)
rt89-11 (HARM: CPU; printing.py's estimator cost) _safe_repr of an estimator runs
        _changed_params (get_params 16 us, inspect.signature 17 us): 42 us for a
        StandardScaler, where the count gives it S = 56 units (3.4 us). One StandardScaler
        15,000 times in a list parameter: 30 KB (372 bytes xz), count 8,398,894 (0.5 s), repr
        4.4 s (pure 4.5 s), _repr_html_ 8.7 s. Nested chains show the same factor: FeatureUnion
        11 deep (one scaler) count 3.8M, repr 1.95 s; SimpleImputer(fill_value=...) 11 deep
        ratio 10.5.
rt89-12 (HARM: CPU, memory; trust/structures/names.py's names bound, read by the display)
        _repr_html_'s fitted-attribute table runs inspect.getmembers(model) (and
        BaseEstimator.__dir__'s hasattr), computing every property twice: PolynomialFeatures'
        powers_ is one np.bincount per output feature plus a vstack. PolynomialFeatures(degree=2)
        fitted on 500 columns: 262-byte pickle, scan SAFE, load loads (pure and compiled);
        powers_ 3.6 s, get_feature_names_out() 4.4 s with a 1.6 GB peak, _repr_html_ 4.0 s (pure
        3.1 s). The names bound counts powers_ by its bytes (479 MB) and lets 512 MB through
        whatever the file's size (1,000 features, 4 GB of powers_: refused; degree 3 over 140:
        refused at 608 MB, its display 10 s). An honest model of that shape costs the same: a
        judgment call, reported for the ratio (262 bytes, 4 s).
rt89-13 (HARM: CPU; printing.py's printed_problem: the sum over estimators only for a plain-
        container root) a fitted ensemble's own containers of estimators are printed whole: the
        display's fitted-attribute table repr's named_estimators_ (a Bunch: reprlib has no
        repr_Bunch, so builtins.repr, dict's repr of every member), and a notebook user's
        ``model.estimators_`` / ``model.named_estimators_`` are the same. VotingRegressor of 60
        make_pipeline(SimpleImputer(), DummyRegressor()) whose fitted clones share one 20,000-
        float fill_value (each member some 7.9M counted with its 2 meets: under the bound):
        205 KB (10 KB xz), scan SAFE, load loads (pure and compiled); repr(model) 0.12 s,
        _repr_html_ 12.3 s, repr(model.named_estimators_) 11.2 s. (30,000 floats: refused by the
        per-member bound, at html 18.8 s; 140 members: refused by the unfold bound.) The same
        table reads ColumnTransformer.named_transformers_ (a property returning a Bunch of the
        fitted transformers) and every estimators_ list (reprlib: first 4 members only).

HONEST side (d): no honest refusal found. Measured count / real repr: ColumnTransformer over
8,000 named columns 1.5 (SAFE), 80 transformers x 100 columns 0.6, CountVectorizer(vocabulary=
40,000 words) 1.4, OneHotEncoder(categories=160 arrays of 50) 1.8, GPR anisotropic 400 1.0,
CountVectorizer/TfidfVectorizer(vocabulary={word: index}) 0.8-0.9 (refused from 60,000 words,
but their repr is 0.93 s and display 2.9 s: rightly), OneHotEncoder(categories=2,000 arrays of 5
strings) refused at repr 1.6 s (rightly). Re-measured on /work/main at de85ea8 (compiled): the
same five SAFE with count/repr 1.3-2.7; ColumnTransformer of 1,000 one-column scalers refused
(repr 0.69 s, display 3.4 s: rightly), of 600 admitted (repr 0.42 s), a 300-tree stacking
model and a 1,000-scaler FeatureUnion admitted (repr 0.13 s / 0.20 s).

Held (tried, no finding):
- Scan / load parity of the count (c): ~45 value kinds in a parameter (Counter, OrderedDict,
  defaultdict, dict, set, frozenset, tuple, object arrays, dates, Decimal, paths, numpy scalars
  of every kind, np.str_/np.bytes_, big strings and bytes, big ints, ranges, longdoubles,
  RandomState, SeedSequence, dict with tuple keys, dict of estimators, kernels, a 300-branch
  FeatureUnion, arrays of text and records, nested lists, record dtypes, slices): scan's and
  the load's counts are equal to the unit in both builds (only ordering differences in scan's
  repeated calls). Bunch and partial parameters are refused by both (other checks).
- Estimator parameters outside _parameter_constraints: only FeatureUnion and FrozenEstimator
  have none (the attribute fallback then reads all their parameters). No scikit-learn
  __init__ default is an estimator instance (so has_changed never repr's a nested estimator).
- The unfold/fold budget caught memo-shared record dtypes without padding, Decimals of 10,000
  digits (their string argument is charged), one timezone name shared by 5,000 datetimes, a
  sparse matrix listed 100,000 times (use-time bytes), a set/dict of complex numbers made in
  hash order (cheap: sorted by id in n comparisons).
- Cycle recounting: each recount is also a repr unfold the stream's cycle-aware unfold bound
  charges first, so the count's MAX_RECOUNT walk stays linear in the file.
- reprlib in the display's tables (maxlist 2-4) and _possibly_sorted (a failing sort falls back
  at the first comparison); the display's feature-name table (first 100 names);
  get_feature_names_out at each level of a FeatureUnion 11 deep over 30,000 columns: html 2.2
  s, repr 1.9 s (rt89-11's factor, not the names).
- lz4.frame.LZ4FrameFile (truncates its path): refused (io.BufferedIOBase in its MRO);
  CatboostEvaluation needs more arguments than its mkdtemp (refused before).
- A kernel chain 300 deep: refused (too many weighted terms / too deep).
"""

from __future__ import annotations

import os
import pickle
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import (
    PLAIN_JOBLIB_CALL,
    Call,
    assert_refused,
    assert_refused_with,
    assert_trust_holds,
    child,
    imputer,
    run_trusting,
    shows_harm,
    write,
)

# --- rt89-01: a set param whose items sort slowly (pprint's _pprint_set sorts every item) ---


def _complex_set(items: int) -> bytes:
    values = [complex(i, 1) for i in range(items)]
    random.Random(0).shuffle(values)  # (made in this order: their ids are not the set's order)
    return pickle.dumps(imputer(Call(set, values)), protocol=5)


def test_rt89_01_set_of_complex_sorted_by_printer(tmp_path: Path) -> None:
    # the printer's _pprint_set sorts the whole set (sorted(..., key=pprint._safe_key)):
    # complex numbers do not order, so each comparison takes _safe_key's TypeError fallback
    # (str(type), id) at ~1.5 us, and the set's items made in shuffled order sort by id in
    # n log n comparisons; the count prices a set as its built-in repr (r + 1 per item).
    # 80,000 items: 1.9 MB (194 KB xz), count 3,641,152, scan SAFE, load loads (pure and
    # compiled), repr 2.1 s; 100,000: count 4,551,152 (0.27 s), repr 2.7 s, _repr_html_ 5.5 s
    path = write(tmp_path, _complex_set(60_000))
    shows_harm(path, "repr(model)")
    assert_refused(path)


def test_rt89_01_dict_of_complex_keys_sorted_by_printer(tmp_path: Path) -> None:
    from redteam import popped_before

    # the same sort in _safe_repr's and _pprint_dict's sorted(items, key=_safe_tuple): 40,000
    # complex keys made in one order (a list built and popped first) and inserted in another;
    # DICT_ENTRY (44 units, 2.6 us) was measured on keys that order. 1.3 MB (114 KB xz), count
    # 9,361,534 (0.56 s), scan SAFE, load loads (compiled), repr 4.5 s. (A defaultdict or
    # OrderedDict, "whole_dict", is not charged DICT_ENTRY at all for _pprint_dict's sort.)
    keys = [complex(i, 1) for i in range(40_000)]
    order = list(keys)
    random.Random(0).shuffle(order)
    model = imputer(Call(dict, [(key, None) for key in order]))
    path = write(tmp_path, popped_before(keys, model))
    shows_harm(path, "repr(model)")
    assert_refused(path)


# --- rt89-02: numpy values the printer's count prices by their items only -------------------


def test_rt89_02_one_item_arrays_in_a_parameter(tmp_path: Path) -> None:
    # _leaf prices an array 8 + 72 units an item: a one-item array 80 units (4.8 us), while
    # numpy's repr of any array costs 50-150 us here (array2string's set-up). One 1-item array
    # held 15,000 times (memo references): 30 KB (408 bytes xz), count 7,903,804, scan SAFE,
    # load loads (pure and compiled); repr 5.0 s (pure 4.9 s), _repr_html_ 10.3 s. 15,000
    # distinct ones: 495 KB, the same count and times
    path = write(tmp_path, pickle.dumps(imputer([np.array([0.5])] * 15_000), protocol=5))
    shows_harm(path, "repr(model)")
    assert_refused(path)


def test_rt89_02_record_dtype_in_a_parameter(tmp_path: Path) -> None:
    # a dtype of 100 fields: repr 430 us, counted 8 units (480 ns) however many fields it has;
    # only the stream's unfold bound, paid by the file's size, limits the references: 2,000
    # references and a 400,000-character padding string: 406 KB (848 bytes xz), count
    # 132,912, scan SAFE, load loads (compiled), repr 4.6 s, _repr_html_ 9.3 s
    record = np.dtype([(f"f{i}", "f8") for i in range(100)])
    model = imputer([record] * 2_000 + ["x" * 400_000])
    path = write(tmp_path, pickle.dumps(model, protocol=5))
    shows_harm(path, "repr(model)")
    assert_refused(path)


# --- rt89-03: the stream's unfold bound charges a memo reference to an array its items -------


def test_rt89_03_plain_list_of_one_array(tmp_path: Path) -> None:
    # [np.array([0.5])] * 100,000, a plain list: 200 KB (332 bytes xz), scan SAFE, load loads
    # (pure and compiled), repr 5.3 s (pure 5.5 s). Each reference is charged its one item by
    # the unfold / fold budget (16 units a byte), but numpy's repr of an array costs 50-150 us
    # whatever its size: some 26 s of repr per MB of file
    path = write(tmp_path, pickle.dumps([np.array([0.5])] * 100_000, protocol=5))
    shows_harm(path, "repr(model)")
    assert_refused(path)


# --- rt89-04: the count does not enter a slice -------------------------------------------------


def _slice_chain(depth: int, floats: int = 1_000) -> Any:
    model = imputer([float(i) + 0.5 for i in range(floats)])
    for _ in range(depth):
        model = imputer(slice(model, None, None))
    return model


def test_rt89_04_estimators_nested_through_slices(tmp_path: Path) -> None:
    # SimpleImputer(fill_value=slice(SimpleImputer(fill_value=slice(...)), None, None)): a
    # slice is neither a container _entered knows nor an instance, so _leaf gives it 8 units,
    # while its repr prints the estimator inside in full, and the printer repr's a parameter
    # four times a level (_changed_params, the one-line try, the KeyValTuple, _format): 4**depth.
    # depth 5 over 1,000 floats: 9.4 KB (1.2 KB xz), count 291, scan SAFE, load loads (pure and
    # compiled), repr 18.9 s (pure 20.4 s); depth 7: past 40 s
    path = write(tmp_path, pickle.dumps(_slice_chain(5), protocol=5))
    shows_harm(path, "repr(model)")
    assert_refused(path)


def test_rt89_04_slice_at_the_top(tmp_path: Path) -> None:
    # rt88-06's list of 140 SimpleImputers sharing one 30,000-float list, wrapped in
    # slice(list, None, None): printed_problem walks the top only when _entered knows it, so
    # the sum over the estimators (27.9M units for 20 of them as a plain list, refused) is
    # never made. 276 KB (12 KB xz), scan SAFE, load loads (pure and compiled), repr 9.7 s
    # (pure 10.5 s); the same list without the slice is refused
    shared = [float(i) + 0.5 for i in range(30_000)]
    models = [imputer(shared) for _ in range(140)]
    path = write(tmp_path, pickle.dumps(slice(models, None, None), protocol=5))
    shows_harm(path, "repr(model)")
    assert_refused(path)


# --- rt89-05: LightGBM's _other_params are printed, not counted ------------------------------


def test_rt89_05_lightgbm_other_params(tmp_path: Path) -> None:
    from lightgbm import LGBMClassifier

    # LGBMModel.get_params adds _other_params (the kwargs), which the printer prints; the count
    # reads an estimator without constraints by its attributes not named _x or x_, so
    # _other_params is never read. feature_contri (a LightGBM parameter, accepted) of 10,000
    # one-item arrays: 336 KB (7.5 KB xz), count 1,066, scan(profiles=['lightgbm']) SAFE, load
    # loads (pure and compiled), repr 2.3 s; of 600,000 floats: 5.4 MB, count 1,066, repr
    # 0.82 s, _repr_html_ 1.57 s (it would count some 27M)
    rng = np.random.RandomState(0)
    x = rng.rand(50, 2)
    model = LGBMClassifier(n_estimators=2, verbose=-1, n_jobs=1)
    model.fit(x, (x[:, 0] > 0.5).astype(int))
    model._other_params = {"feature_contri": [np.array([i + 0.5]) for i in range(10_000)]}
    path = write(tmp_path, pickle.dumps(model, protocol=5))
    shows_harm(path, "repr(model)")
    assert_refused_with(path, ["lightgbm"])


# --- rt89-06..08: trustable classes of other installed packages that act while being built ---


#: A child that loads the file trusting the names it is given (argv[2:]).
_TRUSTING = """
import sys, time, safeload
try:
    safeload.load_unsigned(sys.argv[1], trusted=sys.argv[2:])
    print("loaded", flush=True)
except (safeload.SafeloadError, safeload.UsageError) as exc:
    print("refused", type(exc).__name__, flush=True)
except Exception as exc:
    print("raised", type(exc).__name__, flush=True)
time.sleep(1.5)  # (what it started has time to act)
"""


def test_rt89_06_modelscan_settings_run_a_command(tmp_path: Path) -> None:
    pytest.importorskip("modelscan.modelscan")
    from modelscan.modelscan import ModelScan

    # ModelScan(settings)'s _load_middlewares imports the module of each middleware name and
    # calls its attribute with the settings' value (MiddlewarePipeline.from_settings): the
    # middleware "os.system" runs a shell command. 142-byte pickle; offered by the advice,
    # accepted by with_trusted, scan(trusted=...) SAFE, load_unsigned(trusted=...) runs the
    # command and returns the ModelScan (pure and compiled)
    marker = tmp_path / "ran"
    settings = {"scanners": {}, "middlewares": {"os.system": f"echo ran > {marker}"}}
    data = pickle.dumps(Call(ModelScan, settings), protocol=2)
    path = write(tmp_path, data)
    out = run_trusting(_TRUSTING, path, ["modelscan.modelscan.ModelScan"])
    assert not marker.exists(), out
    assert_trust_holds(path, data, ["modelscan.modelscan.ModelScan"])


def test_rt89_06_skops_card_loads_another_pickle(tmp_path: Path) -> None:
    pytest.importorskip("skops.card")
    from skops.card._model_card import Card

    # Card(model=path, allow_pickle=True) fills its default template (add_hyperparams ->
    # get_model -> joblib.load(path)) while it is built: a second pickle beside the file runs.
    # 95-byte pickle; offered, accepted, scan(trusted=...) SAFE; the load runs evil.pkl's
    # os.system, then refuses ("'int' object has no attribute 'get_params'") (pure and
    # compiled). skops is safeload's own [skops] extra
    marker = tmp_path / "ran"
    evil = tmp_path / "evil.pkl"
    evil.write_bytes(pickle.dumps(Call(os.system, f"echo ran > {marker}"), protocol=2))
    data = pickle.dumps(Call(Card, str(evil), None, "auto", "skops", None, True), protocol=2)
    path = write(tmp_path, data)
    out = run_trusting(_TRUSTING, path, ["skops.card._model_card.Card"])
    assert not marker.exists(), out
    assert_trust_holds(path, data, ["skops.card._model_card.Card"])


def test_rt89_06_mypy_worker_client_runs_python_with_the_files_env(tmp_path: Path) -> None:
    pytest.importorskip("mypy.build")
    from mypy.build import WorkerClient

    # WorkerClient(status_file, options_data, env) deletes status_file and starts
    # `python -m mypy.build_worker` with the environment the file gives: PYTHONPATH to a
    # folder holding a mypy package runs its __init__ (here: writes a marker). 119-byte
    # pickle; offered, accepted, scan(trusted=...) SAFE; the load deletes the victim, starts
    # the process, then refuses (state key '_child_created' of the Popen) (pure and compiled)
    package = tmp_path / "pp" / "mypy"
    package.mkdir(parents=True)
    marker = tmp_path / "ran"
    (package / "__init__.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    (package / "build_worker.py").write_text("")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    env = {"PYTHONPATH": str(tmp_path / "pp")}
    data = pickle.dumps(Call(WorkerClient, str(victim), "{}", env), protocol=2)
    path = write(tmp_path, data)
    out = run_trusting(_TRUSTING, path, ["mypy.build.WorkerClient"])
    assert victim.exists() and not marker.exists(), out
    assert_trust_holds(path, data, ["mypy.build.WorkerClient"])


def test_rt89_07_mypy_server_deletes_a_file(tmp_path: Path) -> None:
    pytest.importorskip("mypy.dmypy_server")
    from mypy.dmypy_server import Server
    from mypy.options import Options

    # Server(options, status_file) unlinks status_file when it is a file. With
    # mypy.options.Options trusted too (Options() takes no arguments): 95-byte pickle; both
    # offered, accepted, scan(trusted=...) SAFE, and load_unsigned(trusted=...) deletes the
    # victim and LOADS (returns the Server) (pure and compiled)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    names = ["mypy.dmypy_server.Server", "mypy.options.Options"]
    data = pickle.dumps(Call(Server, Call(Options), str(victim)), protocol=2)
    path = write(tmp_path, data)
    out = run_trusting(_TRUSTING, path, names)
    assert victim.exists(), out
    assert_trust_holds(path, data, names)


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("pygments.formatters.img.FontManager", "FontManager"),
        ("mypy.stubgenc.InspectionStubGenerator", "InspectionStubGenerator"),
    ],
)
def test_rt89_08_processes_and_imports(tmp_path: Path, name: str, make: str) -> None:
    # pygments' FontManager("DejaVu Sans") runs fc-list six times (one per style) while it is
    # built (66-byte pickle), then the load refuses (FreeTypeFont's 'size'); mypy's
    # InspectionStubGenerator(module_name, []) imports the module the file names (here one
    # writing a marker), then the load refuses ("holds a module object"); mypy's ModuleInspect()
    # starts a spawn process. Each offered, accepted, scan(trusted=...) SAFE (pure and
    # compiled)
    module = pytest.importorskip(name.rsplit(".", 1)[0])
    marker = tmp_path / "ran"
    if make == "FontManager":
        data = pickle.dumps(Call(module.FontManager, "DejaVu Sans"), protocol=2)
    else:
        (tmp_path / "rt89_sidefx.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
        data = pickle.dumps(Call(module.InspectionStubGenerator, "rt89_sidefx", []), protocol=2)
    path = write(tmp_path, data)
    audited = (
        "import sys\nseen = []\n"
        "sys.addaudithook(lambda e, a: seen.append(e) if e == 'subprocess.Popen' else None)\n"
        "sys.path.insert(0, '.')\n" + _TRUSTING + "print('popen', len(seen))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", audited, str(path), name],
        cwd=tmp_path,
        timeout=120,
        capture_output=True,
        text=True,
    )
    assert "popen 0" in run.stdout and not marker.exists(), run.stdout + run.stderr[-300:]
    assert_trust_holds(path, data, [name])


# --- rt89-09: the notebook display's parameter table reprs every sub-kernel -------------------


def _deep_kernel_gpr(depth: int = 150, scales: int = 60_000) -> Any:
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, Sum, WhiteKernel

    kernel: Any = RBF(length_scale=np.full(scales, 1.5))
    for _ in range(depth):
        kernel = Sum(kernel, WhiteKernel())
    return GaussianProcessRegressor(kernel=kernel, optimizer=None)


def test_rt89_09_html_parameter_table_of_a_nested_kernel(tmp_path: Path) -> None:
    # a GPR is a "single" block, whose parameter table is get_params(deep=True): every
    # sub-kernel of Sum(Sum(...Sum(RBF(60,000 scales), White)...)) is a row (kernel__k1__k1...),
    # and each row formats its whole sub-kernel twice (reprlib's repr of an instance is the
    # built-in repr; is_non_default compares reprs): depth x scales. The count prices the
    # kernel once per parameter (a kernel frame adds each child's repr once).
    # depth 150: 489 KB (664 bytes xz), count 4,715,622 (0.28 s), scan SAFE, load loads (pure
    # and compiled); repr 0.24 s, _repr_html_ 6.8 s (pure 7.2 s); depth 200 (scan "unproven:
    # too deep", the load loads): _repr_html_ 9.8 s
    path = write(tmp_path, pickle.dumps(_deep_kernel_gpr(), protocol=5))
    shows_harm(path, "model._repr_html_()")
    assert_refused(path)


# --- rt89-10: a string's pretty format works per line, counted per 12 characters -------------


def test_rt89_10_string_of_newlines(tmp_path: Path) -> None:
    import joblib

    # _leaf prices a string 4 + len // 12 units (5 ns a character) and its pretty format F as
    # its one-line repr S; but a string too wide for its line goes to pprint's _pprint_str,
    # which splits it into lines and each line into words (re.findall) and repr's each
    # chunk: 373 ns a character of "\n" (86 ns of "\U000e0001", 62 of "\u200b"), done again
    # at each level. fill_value "\n" * 5,000,000: a 22 KB compressed joblib (5 MB as a pickle,
    # 1 KB xz), count 2,708,585 (0.16 s), scan SAFE, load loads (pure and compiled), repr
    # 3.2 s, _repr_html_ 6.7 s; at the count's bound (18M characters) some 12 s of repr.
    # (rt88 held "ab\n" * 166,000 at 0.19 s: the same rate, a tenth of the length)
    path = tmp_path / "m.joblib"
    joblib.dump(imputer("\n" * 5_000_000), path, compress=3)
    assert path.stat().st_size < 30_000
    plain = child(PLAIN_JOBLIB_CALL.format(call="repr(model)"), path, cpu=1.0)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)
    assert_refused_with(path)


# --- rt89-11: an estimator's own printing work (signature, get_params) counted 17 units -------


def test_rt89_11_one_scaler_listed_15000_times(tmp_path: Path) -> None:
    from sklearn.preprocessing import StandardScaler

    # every _safe_repr of an estimator runs _changed_params: get_params (16 us),
    # inspect.signature of __init__ (17 us), a repr of each default: _safe_repr of a
    # StandardScaler takes 42 us, where the count gives it S = 56 units (3.4 us: CONTAINER_S,
    # 17 units, plus its parameters). Nested estimators
    # show the same factor (7-12x: FeatureUnion / Pipeline / SimpleImputer chains 9-11 deep).
    # One StandardScaler 15,000 times in a list parameter: 30 KB (372 bytes xz), count
    # 8,398,894 (0.5 s), scan SAFE, load loads (pure and compiled); repr 4.4 s (pure 4.5 s),
    # _repr_html_ 8.7 s. (3,000 distinct LogisticRegressions: count 8.3M, repr 2.0 s)
    model = imputer([StandardScaler()] * 15_000)
    path = write(tmp_path, pickle.dumps(model, protocol=5))
    shows_harm(path, "repr(model)")
    assert_refused(path)


_AUDITED = """
import sys, safeload
seen = []
def hook(event, args):
    if event in ("socket.bind", "os.mkdir", "sqlite3.connect", "os.scandir"):
        seen.append(event)
sys.addaudithook(hook)
try:
    safeload.load_unsigned(sys.argv[1], trusted=[sys.argv[2]])
    print("loaded")
except (safeload.SafeloadError, safeload.UsageError) as exc:
    print("refused", type(exc).__name__)
print("seen", sorted(set(seen)))
"""


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("mypy.ipc.IPCServer", ("rt89sock",)),
        ("mypy.metastore.SqliteMetadataStore", ("CACHE",)),
        ("xdist.looponfail.StatRecorder", (["TREE"],)),
    ],
)
def test_rt89_08_sockets_folders_walks(tmp_path: Path, name: str, args: tuple[Any, ...]) -> None:
    # mypy's IPCServer(name) makes a temporary folder and binds a listening Unix socket in it
    # (the load LOADS, returning the live server); SqliteMetadataStore(path) makes the folder
    # the file names and an SQLite database in it (then refused: "cannot pickle
    # 'sqlite3.Connection'"); xdist's StatRecorder([path]) stats every file under the folder
    # the file names ("/": the whole file system) and LOADS. Offered, accepted,
    # scan(trusted=...) SAFE (pure and compiled). (Also: _pytest.capture.FDCapture(1) makes a
    # temporary file and dups fd 1, and loads; tuf's Updater and sigstore's TrustUpdater write
    # metadata files, catboost's CatboostEvaluation makes a temporary folder)
    module_name, _, cls_name = name.rpartition(".")
    module = pytest.importorskip(module_name)
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    made = [str(tmp_path / "cache") if a == "CACHE" else a for a in args]
    made = [[str(tree)] if a == ["TREE"] else a for a in made]
    data = pickle.dumps(Call(getattr(module, cls_name), *made), protocol=2)
    path = write(tmp_path, data)
    run = subprocess.run(
        [sys.executable, "-c", _AUDITED, str(path), name],
        cwd=tmp_path,
        timeout=120,
        capture_output=True,
        text=True,
    )
    assert "seen []" in run.stdout, run.stdout + run.stderr[-300:]
    assert_trust_holds(path, data, [name])


# --- rt89-12: the display reads every property; PolynomialFeatures.powers_ is 125,751 calls ---


@pytest.mark.xfail(
    strict=True,
    reason="rt89-12, a documented limit (SECURITY.md): a notebook's display computes every "
    "property of a fitted PolynomialFeatures, whose powers_ over 500 features costs an honest "
    "model the same 3.6 s",
)
def test_rt89_12_polynomial_powers_read_by_the_display(tmp_path: Path) -> None:
    from sklearn.preprocessing import PolynomialFeatures

    # _repr_html_'s fitted-attribute table calls inspect.getmembers(model), which (with
    # BaseEstimator.__dir__'s hasattr) computes every property twice; powers_ is one
    # np.bincount per output feature (125,751 for degree 2 over 500 features) and a 479 MB
    # vstack. The names bound prices powers_ by its bytes and lets 512 MB of them through for
    # free: a 262-byte pickle, scan SAFE, load loads (pure and compiled); powers_ 3.6 s,
    # get_feature_names_out() 4.4 s (1.6 GB peak), _repr_html_ 4.0 s (pure 3.1 s)
    model = PolynomialFeatures(degree=2).fit(np.zeros((2, 500)))
    path = write(tmp_path, pickle.dumps(model, protocol=5))
    shows_harm(path, "model._repr_html_()")
    assert_refused(path)


# --- rt89-13: an estimator's fitted Bunch / list of estimators, printed whole ----------------


def _voting_sharing(members: int = 60, floats: int = 20_000) -> Any:
    from sklearn.dummy import DummyRegressor
    from sklearn.ensemble import VotingRegressor
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline

    x = np.random.RandomState(0).rand(10, 2)
    pipes = [(f"e{i}", make_pipeline(SimpleImputer(), DummyRegressor())) for i in range(members)]
    model = VotingRegressor(pipes).fit(x, x[:, 0])
    shared = [float(i) + 0.5 for i in range(floats)]
    for fitted in model.estimators_:
        fitted.steps[0][1].fill_value = shared
    return model


def test_rt89_13_voting_members_printed_by_the_display(tmp_path: Path) -> None:
    # rt88-06's sum applies only when the model itself is a plain container. A VotingRegressor
    # of 60 pipelines whose fitted clones share one 20,000-float fill_value: each member counts
    # some 7.9M with its meets (estimators_ and named_estimators_), under the bound; repr(model)
    # prints only the unfitted parameters (0.12 s), but the display's fitted-attribute table
    # repr's named_estimators_ (a Bunch: reprlib falls back to dict's repr of every member), as
    # does repr(model.named_estimators_) or repr(model.estimators_) in a notebook. 205 KB
    # (10 KB xz), scan SAFE, load loads (pure and compiled); _repr_html_ 12.3 s,
    # repr(model.named_estimators_) 11.2 s
    path = write(tmp_path, pickle.dumps(_voting_sharing(), protocol=5))
    shows_harm(path, "model._repr_html_()")
    assert_refused(path)
