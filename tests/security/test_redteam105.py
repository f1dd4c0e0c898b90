r"""Red team 105 (helper, 15:49-16:34 UTC) on 02e9d5c (the ``trusted=`` feature after red team
103's fixes: ``facts.reviewed_base``, ``trusted_classes.builtin_args_problem``, ``__del__`` not
trustable, own ``cached_property`` values as state, ``_installed._hook_package``). Snapshot
/tmp/rt105p; run from /work/rt105 with SAFELOAD_PURE_PYTHON=1 and
PYTHONPATH=/tmp/rt105p/src:/tmp/rt105p/tests (Python 3.11.7, numpy 2.4.6, scikit-learn 1.9.1,
skops 0.16).

Each finding is a strict xfail asserting the secure behaviour. Harm is shown first with plain
pickle (or the model's own method) in a child (a fork of the zygote or a fresh interpreter,
CPU and address-space limits; effects are marker files in tmp_path). Own classes live in
modules written to tmp_path. CPU times are process times on the shared machine.

Findings
--------
rt105-01 (HARM: CPU at load, 18 s for 400 bytes and unbounded with a longer ring; PARITY: scan
         SAFE, load refuses; pickle/call_rules.py ``_reconstructor_base_problem``)
         ``copyreg._reconstructor(cls, base, state)`` runs ``base.__new__(cls, state)``; for
         the base ``builtins.str`` that is ``str(state)``, and the rule refuses only a state
         made by a call (``_Obj``) or, for ``tuple``, a state that is no tuple. A list holding
         an estimator is formatted by scikit-learn's printer inside the unpickler, before any
         check after building: rt97-01's ring (three SimpleImputers, each the dict key of the
         next one's ``fill_value``) as ``_reconstructor(str, str, [imputer])`` is 400 bytes,
         ``scan`` calls it SAFE with the default policy (no trusted class at all), and
         ``load_unsigned`` spends 17.7 s of CPU before it refuses ("nested too deeply to
         load", a RecursionError); with four imputers more than a minute. The same with a
         trusted own ``class Text(str)`` (what protocols 0-1 write for it is
         ``_reconstructor(Text, str, 'its text')``): scan unproven, the load alike. Copyreg
         writes ``state = base(obj)``, a value of exactly the base's type: for ``str`` only a
         text constant should pass (two imputers: 0.6 s, and already a parity finding; the
         state as a dict or a tuple holding the imputer, and rt97-05's ring through dict
         values: SAFE to scan alike). Without a ring the load returns after the work: with
         ``profiles=["pandas"]``, ``_reconstructor(str, str, [frame] * 200)`` of rt97-03's
         empty frame of 100 labels of 4,300 digits (180 KB) is SAFE to scan and loaded after
         4.7 s of str() (400 references: refused, "call arguments that share one container").
rt105-02 (HONEST-REFUSED; trust/trusted_classes.py ``builtin_args_problem``/``_newargs_of``,
         the rt103-09 fix) a trusted class made by a compiled builtin ``__new__`` may take only
         one constant of exactly the builtin's type, but pickle writes several ordinary
         builtin subclasses otherwise: ``frozenset``/``set`` subclasses by their
         ``__reduce__`` as ``REDUCE Tags(['a', 'b'])`` (a list, even when empty), a
         ``collections.defaultdict`` subclass as ``REDUCE Vocabulary(builtins.list)``, a
         ``collections.Counter`` subclass (word counts) as ``REDUCE WordCounts({'a': 2, ...})``
         (Counter's ``__reduce__``: a dict, ``{}`` when empty), a
         ``bytearray`` subclass as ``REDUCE Buffer(b'ab')`` (``('ab', 'latin-1')`` at protocol
         2), and every ``bytes`` subclass at protocol 2 as ``NEWOBJ Blob
         (_codecs.encode('ab', 'latin1'),)``; and own subclasses of the standard library's
         reviewed C classes, ``datetime.date``/``datetime``/``timedelta`` (``REDUCE
         Stamp(b'\x07\xe8...')``, their own state bytes) and ``decimal.Decimal`` (``REDUCE
         Money('1.50')``), held to "a library's extension class: nothing". All are refused
         before loading ("... on
         arguments from the file that pickle never writes for such a subclass"), scan alike
         (red team 103's Held found frozenset subclasses unproven to scan and loaded); skops
         files of a ``frozenset`` subclass (ConstructorFromReduceNode) too. (Not new: an own
         ``bytes`` or ``complex`` subclass at protocols 0-1 is refused by the
         ``_reconstructor`` base rule, "it would run that base's __init__".)
rt105-03 (HARM: code execution by a dependency's class trusted by name; _installed.py
         ``_hook_package_of``) rt103-10's fix asks the finders on ``sys.meta_path`` which
         provides a module the path search does not find, but passes over every finder whose
         *type's* module is the standard library's or ``builtins``: the ``editables`` package
         (hatchling's ``dev-mode-exact``, pdm-backend's ``editable-backend = "editables"``)
         installs the class ``RedirectingFinder`` itself on ``sys.meta_path`` (class methods
         ``install``/``map_module``/``find_spec``), whose type is ``ABCMeta`` of module
         ``abc``, so it is never asked. Such an editable dependency writes ``<name>.pth``
         (only ``import _editable_impl_<name>``), ``_editable_impl_<name>.py`` and no
         top_level.txt: ``installed_package("rt105dep")`` is ``None``, the refusal's advice
         offers ``trusted=['rt105dep.Template']``, and with it the dependency's
         ``__setstate__`` runs the file's text (marker written), as rt103-10's meson-python
         case did. (setuptools' ``_EditableFinder`` is also a class on the meta path; its
         dist-info has top_level.txt, so it is attributed by its metadata.) Fix: read
         ``finder.__module__`` where the finder is a class.
rt105-04 (HARM: SIGSEGV and memory at use, critical; facts.py ``reviewed_base``) the first
         reviewed class of the MRO names an own class for every rule keyed on a name; a class
         with two reviewed bases is held to the first one's only. ``class ScaledDensity(
         StandardScaler, KernelDensity)`` (standardise, then estimate the density;
         ``sample``/``score_samples`` are KernelDensity's) is "StandardScaler", so widths.py's
         FITTED_NUMBERS row for "KernelDensity" ("bandwidth_ is not one number") never runs:
         rt76-07's ``bandwidth_ = np.ones(200_000)`` is SAFE to scan and loaded, and
         ``sample(2000)`` asks 3.2 GB (``PlainDensity(KernelDensity)``: refused). A reviewed
         builtin first hides it alike: ``class DensityRecord(dict, KernelDensity)`` is "dict"
         (scan unproven for dict.__new__, the load returns it). The same for the native
         rules: ``class ScaledPredictor(StandardScaler, TreePredictor)`` with rt99-20's nodes
         (split features at column 50,000,000) is SAFE and loaded (hgb.py's orphan-predictor
         rule asks ``sklearn_name == "TreePredictor"``), and ``predict`` dies of SIGSEGV
         (``(dict, TreePredictor)``: scan unproven, loaded alike). Fix: the rules of every
         reviewed base of the MRO, or refuse classes whose reviewed bases are held to
         different rules.
rt105-05 (HARM: CPU at load, unbounded, and a bare RecursionError out of load_unsigned;
         trust/params.py ``_refuse``, reached from object_checks.check_instance ->
         check_params) to name the refused parameter, ``_refuse`` asks scikit-learn's
         ``validate_parameter_constraints``, whose ``InvalidParameterError`` message formats
         ``{param_val!r}``: scikit-learn's printer runs on the file's value inside the load,
         before printing.printed_problem (which refuses rt97-01's rings) is reached.
         ``LogisticRegression(C=<an imputer of a ring of four>)`` (450 bytes): scan refuses
         at once; load_unsigned runs the printer for more than a minute (three imputers: 17.7
         s, then a raw RecursionError, not a SafeloadError; two: 0.6 s and the same bare
         error).
rt105-06 (HONEST-REFUSED; trust/classes.py ``_protected``, the rt103-05 fix) an own
         ``functools.cached_property`` may be state only where no scikit-learn base defines
         the name: ``class CachedForest(RandomForestClassifier)`` caching
         ``feature_importances_`` (a property that walks every tree at each read) with
         ``@cached_property def feature_importances_(self): return
         super().feature_importances_``, read once before saving, is refused by scan and load
         ("state key 'feature_importances_' would hide what CachedForest itself defines").
         The class's own attribute is the cached_property, which reads the instance dict
         first; ``_protected`` judges BaseForest's property, which the instance never reaches.
rt105-07 (PARITY, scan stricter; HARM: 4x the use-time iteration limit; trust/object_checks.py
         ``check_instance``) ``use_time_counts(state, type(obj).__name__)``: the load's
         per-instance check keys ITERATING_AT_USE ("NMF", "MiniBatchNMF") on the own class's
         name, while scan (shadow.py) passes ``facts.short_name``. An own ``TopicNMF(NMF)``
         with ``max_iter = 400_000`` and ``tol = 0`` is refused by scan ("TopicNMF.max_iter
         asks for more than 100000 iterations at use time") and loaded by load_unsigned (only
         whole_model_problem's share, at most four limits, holds it); ``transform`` of one
         row over 32 components of 1,024 features then runs some 26 s (NMF's own limit: some
         6 s). Up to 400,000 loads; 400,001 is refused.
rt105-08 (HARM: CPU in scan and load, quadratic in the file's size; pickle walk and unpickler,
         no rule) Python hashes an int modulo 2**61 - 1, the same in every process (unlike
         str): a dict of 50,000 keys ``k * (2**61 - 1)`` (all hash 0) is 700 KB; plain pickle
         takes 17.7 s to build it (each insertion probes past every key before it; 20,000
         keys: 2.1 s; an honest dict of 50,000 int keys: some 10 ms), ``scan`` takes 17.4 s
         and calls it SAFE, ``load_unsigned`` takes 16.8 s and returns it. A 7 MB file asks
         half an hour. Sets (``ADDITEMS``, ``set([...])``) and tuples of such ints alike; a
         skops file of such a dict too (20,000 keys, 7 MB of JSON: scan 5.2 s, load 7.0 s).
rt105-09 (HARM: memory at load, 1 GB per list item of a 40-byte file; PARITY: scan SAFE, load
         refuses; trust/trusted_classes.py ``builtin_args_problem``/``_sizing_builtin``)
         rt103-09's rule judges a trusted class's arguments only where its ``__new__`` is
         compiled; a trusted own subclass of a reviewed class whose ``__new__`` is written in
         Python runs *that library's* code on the file's arguments, which is not the caller's
         code either: ``class Masked(numpy.ma.MaskedArray)`` (trustable: numpy.ma's class is
         reviewed, so its bases are covered) as ``NEWOBJ Masked ([0], False,
         'S1000000000')`` (40 bytes) is ``np.array([0], dtype='S1000000000')``: the load
         writes 1 GB (maxrss 1.1 GB; ``[0] * n`` asks n GB) and refuses only after building
         ("a masked array outside a search's cv_results_"); scan says unproven ("called with
         arguments"). ``pandas.Index.__new__`` for an own ``Index`` subclass alike (``NEWOBJ
         MyIndex ([0], 'S1000000000')``, 38 bytes: the load reaches 1.1 GB, then "could not be
         loaded: NotImplementedError"; tried, not in the test). And ``NEWOBJ Masked ()`` alone
         is SAFE to scan and refused by the load. (Pickle never writes an own MaskedArray
         subclass so: it writes ``numpy.ma.core._mareconstruct(Masked, ...)``, which both
         refuse.)
rt105-10 (HARM: process-wide state changed by a file, kept after a refused load: a memory leak
         of some 20 bytes per byte; the walk's calls of a trusted enum) pickle writes every
         enum member as ``REDUCE Access(value)``, and the load runs it; for an own
         ``enum.IntFlag`` (boundary KEEP) any int is a value, and ``Flag._missing_`` caches a
         new pseudo-member for each in the class's ``_value2member_map_`` for the life of the
         process. 20,000 calls ``Access(8 + i)`` then a LogisticRegression with ``C = -1``
         (380 KB): the load refuses (model[20000].C), and ``Access`` now has 20,003 members;
         50,000 values (0.95 MB) keep 20 MB (tracemalloc after gc), and every refused file
         adds its own. scan says unproven ("called with arguments"). Honest files name
         members or their compositions (``Access(6)``); a value with bits no member has could
         be refused before building. (An ``enum.Flag``, STRICT, refuses such values itself
         but caches each composition of its members it is asked for: a Flag of 20 members
         took 20,000 new entries from one load, tried; a plain Enum caches nothing.)
rt105-11 (HONEST-REFUSED, low; pickle walk: "NEWOBJ on a computed class") below protocol 4
         pickle names a nested class by ``builtins.getattr(Outer, 'Inner')`` (REDUCE), and the
         walk refuses NEWOBJ on a call's result: an own transformer kept in a namespace class
         (``Features.Scale``) pickled at protocol 3 (Python 3.0-3.7's default) or 2 is refused
         before loading, scan alike, trusted as the class or as
         ``'rt105_nested:Features.Scale'``; at protocols 4-5 (STACK_GLOBAL with the dotted
         name) it loads. Not from the last hour's fixes; a ``getattr`` chain from a trusted
         module-level class to the trusted nested class's own name could be read as that name.

Ported by the maintainer (16:10-16:50 UTC, df4292a and the port's commit): 8 fixed, 2
documented limits, 1 open.
* rt105-01: copyreg's ``str``, ``int`` and ``float`` bases take a constant of exactly their
  type (``call_rules._scalar_of``); scan and load refuse the ring before building.
* rt105-03: a finder that is a class on ``sys.meta_path`` is asked by its own module.
* rt105-04: a class deriving from two reviewed classes, neither a base of the other, is not
  trusted (``_trust_checks._two_reviewed_bases``: a usage error); ``_scan_safe`` counts
  that as not safe.
* rt105-05: ``params._refuse`` judges a value that is no plain atom by the made constraints
  and names its type, never printing it.
* rt105-06: an own ``cached_property`` over a scikit-learn property may be state
  (``trusted_classes.defining_class``).
* rt105-07: ``check_instance`` reads ``facts.short_name``.
* rt105-09: a reviewed library's ``__new__`` written in Python takes no arguments of the
  file's for a trusted subclass (``_sizing_builtin``); ``static_masked.is_masked_maker``
  knows a loaded ``MaskedArray`` subclass.
* rt105-10: a trusted ``enum.Flag`` is called only with bits its members have
  (``trusted_classes._flag_value_problem``).
* Documented limits: rt105-02 (own Counter, set, frozenset, defaultdict, bytearray, date and
  Decimal subclasses refused; protocol 2's ``_codecs.encode`` for a bytes subclass loads
  now) and rt105-11 (nested classes at protocols 2 and 3).
* rt105-08 (fixed in the next session, after red teams 107 and 108 were started): the walk
  counts, per dict or set, the distinct keys of each hash value where an attacker can choose
  the hash (numbers, tuples and frozensets of them, numpy scalars, ``complex``), over
  SETITEMS, ADDITEMS, DICT, FROZENSET and the calls ``set``/``frozenset``/``dict``/
  ``defaultdict``, and refuses more than 32 (``_numpy_state.shared_hash_problem``); an
  object array's items alike, which scikit-learn hashes at use (LabelEncoder.transform of
  8,000 such classes: 45 times an honest encoder's time). test_rt105_08_every_form_of_a_crowd
  covers ten forms at protocols 2 and 4.

Held (tried, no finding)
------------------------
* builtin_args_problem's forms: a trusted ``bytes`` subclass made with ``(10**6,)`` by NEWOBJ,
  NEWOBJ_EX (with and without keywords), REDUCE, OBJ, INST, an argument tuple from the memo,
  arguments made by ``builtins.tuple(...)``, ``_reconstructor(Blob, bytes, n)`` (base refused)
  and ``_reconstructor(Blob, int, n)`` (a TypeError, refused); the same inside a joblib object
  array's nested stream and as a skops ConstructorFromReduceNode: all refused, scan alike.
  ``_reconstructor(cls, base, state)`` with a tuple DAG as the state for the bases str,
  frozenset, set, list, tuple: refused ("call arguments that share one container"); the DAG as
  an estimator's parameter: refused before loading ("the model unfolds into more values").
* Honest builtin subclasses that load: own ``int``, ``float``, ``str``, ``complex``, ``tuple``,
  ``bytes`` (protocols 3-5) subclasses, empty own ``defaultdict``/``OrderedDict`` subclasses
  made without a factory (unproven to scan, the documented "called without arguments by
  REDUCE"); own dict/list subclasses with items stay refused (rt99-09's documented limit).
* ``__del__``: no class on the default allowlist or a profile's list has a ``__del__`` in its
  MRO but the native boosters (refused as native bases), no builtin type has one, and a
  finalizer anywhere in the MRO of an own class outside the reviewed bases is refused; a
  ``__del__`` cannot be added by a file (BUILD of a slot state is refused).
* Own classes loaded by ``spec_from_file_location`` (not on sys.path), made in memory as a
  ``types.ModuleType``, imported from a zip, and from a folder removed from sys.path after the
  import: ``installed_package`` is None for each, SAFE and loaded with ``trusted=[cls]``.
* A sweep of own subclasses of every estimator of ``all_estimators()`` (nothing overridden,
  fitted with default parameters on 40 rows): scan SAFE and loaded for every one but
  BisectingKMeans (refused as scikit-learn's own is: it keeps ``_kmeans_single_lloyd``).
* ``FunctionTransformer(func=partial(OwnStr, encoding="punycode"))``, ``func=OwnStr`` and
  ``partial(OwnBytes)``: refused by both (a partial may wrap only a listed function).
* An own ``int`` subclass of 4,200 digits, referenced 20,000 times in ``kw_args``: refused
  before loading (the unfold count; plain ints, unmemoised, by the printing count).
* An own class with a cached_property of a name no scikit-learn base defines
  (``CachedPCA.explained_total_``), computed before saving: SAFE and loaded (rt103-05 held).
* An own class that only shares a scikit-learn name (an own ``KernelDensity``,
  ``PolynomialCountSketch`` or ``LocallyLinearEmbedding`` on BaseEstimator) is judged by the
  name-keyed rules only where its module is scikit-learn's (widths.py); an own ``NMF`` with
  ``max_iter = 200_000`` is refused by the iteration limit, which keys on the name alone (an
  honest refusal only for an own class named NMF with such a default; not filed).
* Reviewed classes whose ``__new__`` is written in Python, the only ones rt105-09's gap
  reaches: numpy.ma's MaskedArray and pandas' Index (filed), RangeIndex (lazy),
  ``pathlib.PurePath`` (own PurePosixPath subclass: parts from strings, linear) and
  ``_ImputerTriplet`` (a named tuple).
* ``typing_extensions.deprecated`` on an own ``bytes`` subclass: ``_unwrapped`` reads the
  wrapper's ``__wrapped__`` (bytes.__new__), so the argument rule applies; scikit-learn's
  ``deprecated`` round ``object.__new__`` ignores the file's arguments.
* Meta path hooks on this interpreter (``_distutils_hack``, six's importer, pytest's
  assertion rewriter, which asks the same path search): none attributes an own module
  wrongly; a class defined in ``__main__`` run as ``python -m pkg.cli`` (its ``__spec__``
  names pkg/cli.py) is own, SAFE and loaded.
* Iteration counts held by an own ``int`` subclass: ``is_int`` and the use-time check take
  subclasses (isinstance), so the limits apply.
* A trusted tuple subclass whose one argument is a tuple nested 50,000 deep: refused by the
  nesting limit (as a plain tuple). A set of 20,000 colliding ints (EMPTY_SET, ADDITEMS):
  plain 2.3 s, scan 3.1 s SAFE, load 3.5 s (rt105-08's root, not a separate finding).
* Other messages that quote a file's value: ``short()``, ``graph.key_label`` and
  ``usetime._fn_name`` (functions only) never format an estimator;
  ``LGBMClassifier(n_jobs=<an imputer of a ring>)`` (profile lightgbm) is refused by the
  dispatch row with a short quote before native_params' ``{value!r}`` message is reached.
* An own ``pandas.RangeIndex`` subclass made by ``NEWOBJ (0, 10**15)``: refused after
  building without materialising it (its ``_name`` state key). An own ``PurePosixPath``
  subclass cannot be trusted (PurePath is on the code-primitive list).
* By the code (not run): editable installs that write a folder into a ``.pth`` (setuptools'
  strict link tree, flit, poetry, maturin, pdm's "path" backend) are attributed by
  ``_pth_tops``; setuptools' lenient finder (a class on the meta path, as rt105-03's) comes
  with top_level.txt (this venv's safeload install has one), so its metadata attributes it.
* ``_reconstructor(Access, int, 5)`` of an own IntFlag makes a member-less instance (no
  ``_name_``; its repr raises AttributeError) without touching the member map; a BUILD on it
  is refused (rt101-03's rule). A Flag's composite ``Access(6)``: unproven to scan, loaded.
* ``REDUCE builtins.str(...)``, ``NEWOBJ str`` with arguments: refused ("a call of
  builtins.str"); ``builtins.repr``/``format``/``ascii``: untrusted (only the
  ``_reconstructor`` base is rt105-01's way to str()).
"""

from __future__ import annotations

import copyreg
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safeload
from redteam import (
    HOOKED_DEPENDENCY,
    LOAD_UNSIGNED,
    PLAIN,
    SCAN,
    binunicode,
    child,
    global_,
    hooked_dependency_child,
    own_module,
    trusted_load,
    trusted_scan_safe,
    until_crash,
    write,
)

_module = own_module
_loads = trusted_load
_scan_safe = trusted_scan_safe


class _Reconstructed:
    """Pickles as ``copyreg._reconstructor(*args)`` (REDUCE)."""

    def __init__(self, *args: Any) -> None:
        self.args = args

    def __reduce__(self) -> Any:
        return (copyreg._reconstructor, self.args)  # type: ignore[attr-defined]


# --- rt105-01: copyreg._reconstructor(cls, str, state) formats whatever the state holds -------


def _imputer_ring(n: int) -> Any:
    """``n`` SimpleImputers, each the dict key of the next one's fill_value (rt97-01's ring):
    scikit-learn's printer goes round it until RecursionError, re-formatting the ring at
    every level on the way down."""
    from sklearn.impute import SimpleImputer

    imputers = [SimpleImputer(strategy="constant") for _ in range(n)]
    for i, imputer in enumerate(imputers):
        imputer.fill_value = {imputers[(i + 1) % n]: 0}
    return imputers[0]


_RING_CHILD = """
sys.path.insert(0, ".")
import time
import rt105_own
start = time.process_time()
if "{how}" == "plain":
    try:
        pickle.load(open(sys.argv[1], "rb"))
        print("loaded", flush=True)
    except RecursionError:
        print("RecursionError", flush=True)
else:
    import safeload
    try:
        safeload.load_unsigned(sys.argv[1], trusted=[{trusted}])
        print("loaded", flush=True)
    except safeload.SafeloadError as exc:
        print("refused", str(exc)[:200], flush=True)
print("cpu", round(time.process_time() - start, 2), flush=True)
"""

_OWN_MODULE = '''
import collections
import datetime
import decimal


class Text(str):
    """An own str subclass (a label, a token)."""


class Tags(frozenset):
    """An own frozenset subclass (a set of tags, hashable)."""


class Bag(set):
    """An own set subclass."""


class Vocabulary(collections.defaultdict):
    """An own defaultdict subclass (collections.defaultdict is on the default allowlist)."""


class WordCounts(collections.Counter):
    """An own Counter subclass (collections.Counter is on the default allowlist)."""


class Buffer(bytearray):
    """An own bytearray subclass."""


class Blob(bytes):
    """An own bytes subclass."""


class Stamp(datetime.datetime):
    """An own datetime subclass (datetime.datetime is on the default allowlist)."""


class Money(decimal.Decimal):
    """An own Decimal subclass (decimal.Decimal is on the default allowlist)."""
'''


def test_rt105_01_reconstructor_str_formats_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = _module(tmp_path, monkeypatch, "rt105_own", _OWN_MODULE)
    # protocols 0-1 write an own str subclass as _reconstructor(Text, str, 'its text'); the
    # walk admits any state but a call's result for the base str, and str.__new__(cls, state)
    # is str(state): a list holding an estimator formats it with scikit-learn's printer, in
    # the unpickler, before any check after building. Three imputers in a ring: 400 bytes.
    plain_str = pickle.dumps(_Reconstructed(str, str, [_imputer_ring(3)]), protocol=2)
    own_text = pickle.dumps(_Reconstructed(own.Text, str, [_imputer_ring(3)]), protocol=2)
    assert len(plain_str) < 500 and len(own_text) < 500
    path = write(tmp_path, plain_str)
    # the harm, plain pickle: the printer runs until the CPU limit (18 s, then RecursionError)
    plain = child(_RING_CHILD.format(how="plain", trusted=""), path, cpu=1.5)
    assert plain.returncode != 0 and not plain.loaded and "cpu" not in plain.stdout, plain.output
    # safeload: the default policy, no trusted class at all. scan calls it SAFE today...
    assert not safeload.scan(plain_str).safe
    # ... and the load runs the printer for the same 18 s before refusing ("nested too deeply")
    run = child(_RING_CHILD.format(how="safeload", trusted=""), path, cpu=1.5)
    assert "refused" in run.stdout, run.output
    # the same with a trusted own str subclass (scan: unproven; the load alike)
    own_path = write(tmp_path, own_text, "own.pkl")
    run = child(_RING_CHILD.format(how="safeload", trusted="rt105_own.Text"), own_path, cpu=1.5)
    assert "refused" in run.stdout, run.output


# --- rt105-02: own set and frozenset subclasses are refused --------------------------------


@pytest.mark.xfail(
    strict=True,
    reason=(
        "rt105-02, a documented limit (SECURITY.md): a trusted own subclass of a builtin is "
        "made only from the one value pickle writes for str, bytes, int, float, tuple and "
        "complex subclasses; own Counter, set, frozenset, defaultdict, bytearray, date and "
        "Decimal subclasses are refused"
    ),
)
def test_rt105_02_honest_builtin_subclasses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = _module(tmp_path, monkeypatch, "rt105_own", _OWN_MODULE)
    values = [
        (own.Tags({"a", "b"}), (2, 5)),  # REDUCE Tags(['a', 'b']): frozenset.__reduce__'s list
        (own.Tags(), (2, 5)),  # REDUCE Tags([]), empty
        (own.Bag({1, 2}), (2, 5)),  # REDUCE Bag([1, 2])
        (own.Vocabulary(list), (2, 5)),  # REDUCE Vocabulary(builtins.list), empty
        (own.WordCounts("abca"), (2, 5)),  # REDUCE WordCounts({'a': 2, ...}): Counter.__reduce__
        (own.WordCounts(), (2, 5)),  # REDUCE WordCounts({}), empty
        (own.Buffer(b"ab"), (2, 5)),  # REDUCE Buffer(b'ab') (3+), Buffer('ab', 'latin-1') (2)
        (own.Blob(b"ab"), (2,)),  # NEWOBJ Blob (_codecs.encode('ab', 'latin1'),): protocol 2
        # writes every bytes value by that call
        (own.Stamp(2024, 1, 2, 3), (2, 5)),  # REDUCE Stamp(b'\x07\xe8...'): its own state
        (own.Money("1.50"), (2, 5)),  # REDUCE Money('1.50'): Decimal.__reduce__'s text
    ]
    refused = []
    for value, protocols in values:
        for protocol in protocols:
            data = pickle.dumps({"value": value}, protocol=protocol)
            assert pickle.loads(data) == {"value": value}
            outcome = _loads(write(tmp_path, data), [type(value)])
            if outcome != "loaded":
                refused.append((type(value).__name__, protocol, outcome[-260:]))
    # today all nineteen: "... is made by the compiled frozenset.__new__ (set, dict,
    # bytearray, bytes, datetime, Decimal) on arguments from the file that pickle never
    # writes for such a subclass"
    # (rt103-09's builtin_args_problem: one constant of exactly the builtin's type); pickle
    # writes these classes by their own __reduce__, with a list (a factory, bytes) as the
    # argument, and a bytes value at protocol 2 by a call of _codecs.encode
    assert refused == [], refused


# --- rt105-03: a dependency installed editable by a meta path finder *class* is "own" -------

_REDIRECTOR = """
# what the editables package (0.3 to 0.5) installs: its finder is the class itself, put on
# sys.meta_path by a class method, with class-level redirections (condensed)
import importlib.abc
import importlib.util
import sys


class RedirectingFinder(importlib.abc.MetaPathFinder):
    _redirections = {}

    @classmethod
    def map_module(cls, name, path):
        cls._redirections[name] = path

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if "." in fullname or path is not None:
            return None
        where = cls._redirections.get(fullname)
        return None if where is None else importlib.util.spec_from_file_location(fullname, where)

    @classmethod
    def install(cls):
        if cls not in sys.meta_path:
            sys.meta_path.append(cls)
"""

_DEPENDENCY = HOOKED_DEPENDENCY

_EDITABLE_CHILD = hooked_dependency_child("rt105dep")


_PLAIN_EDITABLE_CHILD = """
import os, pickle, site, sys
site.addsitedir(os.path.abspath("site"))
pickle.load(open(sys.argv[1], "rb"))
print("loaded", flush=True)
"""


def _editables_site(tmp_path: Path) -> None:
    """A site folder as ``pip install -e`` of a hatchling project with ``dev-mode-exact``
    (or pdm-backend's ``editable-backend = "editables"``) leaves it: ``<name>.pth`` holding
    only ``import _editable_impl_<name>``, that module (which maps the project's top-level
    names to the checkout through editables' finder class), no top_level.txt; and the
    ``editables`` distribution itself."""
    site = tmp_path / "site"
    (site / "editables").mkdir(parents=True)
    (site / "editables" / "__init__.py").write_text("")
    (site / "editables" / "redirector.py").write_text(_REDIRECTOR)
    info = site / "editables-0.5.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: editables\nVersion: 0.5\n")
    (info / "RECORD").write_text(
        "editables/__init__.py,,\neditables/redirector.py,,\n"
        "editables-0.5.dist-info/METADATA,,\neditables-0.5.dist-info/RECORD,,\n"
    )
    checkout = tmp_path / "checkout" / "rt105dep"
    checkout.mkdir(parents=True)
    (checkout / "__init__.py").write_text(_DEPENDENCY)
    info = site / "rt105dep-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: rt105dep\nVersion: 1.0\nRequires-Dist: editables~=0.3\n"
    )
    (info / "RECORD").write_text(
        "_editable_impl_rt105dep.py,,\nrt105dep.pth,,\n"
        "rt105dep-1.0.dist-info/METADATA,,\nrt105dep-1.0.dist-info/RECORD,,\n"
    )
    (site / "rt105dep.pth").write_text("import _editable_impl_rt105dep")
    (site / "_editable_impl_rt105dep.py").write_text(
        "from editables.redirector import RedirectingFinder as F\n"
        "F.install()\n"
        f"F.map_module('rt105dep', {str(checkout / '__init__.py')!r})\n"
    )


def test_rt105_03_editables_finder_class(tmp_path: Path) -> None:
    _editables_site(tmp_path)
    marker = tmp_path / "ran.txt"
    code = f"open({str(marker)!r}, 'w').write('ran')"
    state = pickle.dumps({"_template": code}, protocol=2)[2:-1]
    data = b"\x80\x02" + global_("rt105dep", "Template") + b")\x81" + state + b"b."
    path = write(tmp_path, data)
    # the harm, plain pickle: the dependency's __setstate__ runs the file's text
    plain = child(_PLAIN_EDITABLE_CHILD, path, cpu=30)
    assert plain.loaded and marker.read_text() == "ran", plain.output
    marker.unlink()
    run = child(_EDITABLE_CHILD, path, cpu=60, fresh=True)
    # today: "installed: None". _hook_package_of asks the finders on sys.meta_path, but passes
    # over every finder whose type's module is the standard library's or "builtins": editables
    # puts the class RedirectingFinder itself there (its type is ABCMeta, of module abc), so
    # no hook "finds" rt105dep, which is then nobody's, i.e. the caller's own: trustable by
    # name, offered by the refusal's advice, and its __setstate__ runs the file's text
    assert "installed: rt105dep" in run.stdout or "installed: editables" in run.stdout, run.output
    assert "load: refused" in run.stdout, run.output
    assert not marker.exists()


# --- rt105-04: the first of two reviewed bases names the class; the second's rules are off ---

_TWO_BASES_MODULE = '''
from sklearn.neighbors import KernelDensity
from sklearn.preprocessing import StandardScaler


class ScaledDensity(StandardScaler, KernelDensity):
    """Standardise the rows, then estimate their density (KernelDensity's methods)."""

    def __init__(self, bandwidth=1.0):
        StandardScaler.__init__(self)
        KernelDensity.__init__(self, bandwidth=bandwidth)

    def fit(self, X, y=None):
        StandardScaler.fit(self, X)
        return KernelDensity.fit(self, StandardScaler.transform(self, X))


class PlainDensity(KernelDensity):
    """The control: one reviewed base."""


class DensityRecord(dict, KernelDensity):
    """A density that is also a record of its settings (a dict)."""

    def __init__(self, bandwidth=1.0):
        KernelDensity.__init__(self, bandwidth=bandwidth)


from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor


class ScaledPredictor(StandardScaler, TreePredictor):
    """A histogram-boosting predictor that can standardise its input."""
'''

_PREDICT_CHILD = """
import resource
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
sys.path.insert(0, ".")
import pickle, numpy
import rt105_two
predictor = pickle.load(open(sys.argv[1], "rb"))
print("loaded", flush=True)
X = numpy.random.RandomState(1).rand(10, 3)
bitsets = numpy.zeros((0, 8), dtype=numpy.uint32)
predictor.predict(X, bitsets, numpy.zeros(3, dtype=numpy.uint32), 1)
print("returned", flush=True)
"""


def _predictor_file() -> bytes:
    """rt99-20's TreePredictor (split features at column 50,000,000) named as
    ``rt105_two.ScaledPredictor``."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    x = np.random.RandomState(0).rand(200, 3)
    model = HistGradientBoostingRegressor(max_iter=2).fit(x, x[:, 0])
    predictor = model._predictors[0][0]
    nodes = predictor.nodes.copy()
    nodes["feature_idx"][~nodes["is_leaf"].astype(bool)] = 50_000_000
    predictor.nodes = nodes
    real = global_("sklearn.ensemble._hist_gradient_boosting.predictor", "TreePredictor")
    data = pickle.dumps(predictor, protocol=2)
    assert data.count(real) == 1
    return data.replace(real, global_("rt105_two", "ScaledPredictor"))


_SAMPLE_CHILD = """
sys.path.insert(0, ".")
import pickle
import rt105_two
model = pickle.load(open(sys.argv[1], "rb"))
print("loaded", flush=True)
try:
    model.sample(2000)
    print("returned", flush=True)
except MemoryError:
    print("MemoryError", flush=True)
"""


def _density_file(cls: type) -> bytes:
    model = cls(bandwidth=1.0).fit(np.array([[0.5], [0.7]]))
    model.bandwidth_ = np.ones(200_000)  # fit stores one float (rt76-07, rt103-01)
    return pickle.dumps(model, protocol=5)


def test_rt105_04_second_reviewed_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = _module(tmp_path, monkeypatch, "rt105_two", _TWO_BASES_MODULE)
    from safeload.trust.facts import short_name

    control = _density_file(own.PlainDensity)
    assert not _scan_safe(control, [own.PlainDensity])  # "bandwidth_ is not one number"
    assert _loads(write(tmp_path, control, "c.pkl"), [own.PlainDensity]).startswith("refused")
    assert short_name(own.ScaledDensity) == "StandardScaler"  # (reviewed_base: the first)
    data = _density_file(own.ScaledDensity)
    path = write(tmp_path, data)  # 1.6 MB
    # the harm, plain pickle: sample(2,000) draws 2,000 x 200,000 normals, 3.2 GB
    plain = child(_SAMPLE_CHILD, path, memory=1 << 29, cpu=20)
    assert plain.loaded and "MemoryError" in plain.stdout, plain.output
    # today: SAFE and loaded (the KernelDensity row of the fitted numbers is keyed on the
    # name, and the name is StandardScaler's)
    assert not _scan_safe(data, [own.ScaledDensity])
    assert _loads(path, [own.ScaledDensity]).startswith("refused")
    # a reviewed builtin first (dict) hides it alike: scan unproven (dict.__new__), loaded
    record = write(tmp_path, _density_file(own.DensityRecord), "r.pkl")
    assert _loads(record, [own.DensityRecord]).startswith("refused")


def test_rt105_04_second_reviewed_base_predictor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = _module(tmp_path, monkeypatch, "rt105_two", _TWO_BASES_MODULE)
    data = _predictor_file()
    path = write(tmp_path, data)
    # the harm, plain pickle: predict reads column 50,000,000 of a 3-column X (SIGSEGV)
    plain = until_crash(lambda: child(_PREDICT_CHILD, path, cpu=20))
    assert plain.loaded and plain.crashed and not plain.returned, plain.output
    # today: SAFE and loaded (hgb.orphan_predictor_problem asks sklearn_name == "TreePredictor";
    # the name is "StandardScaler"; a dict first: "dict", scan unproven, loaded alike)
    assert not _scan_safe(data, [own.ScaledPredictor])
    assert _loads(path, [own.ScaledPredictor]).startswith("refused")


# --- rt105-05: the load's refusal of a parameter formats the file's estimators ---------------

_REFUSE_CHILD = """
import time
start = time.process_time()
import pickle
if "{how}" == "plain":
    model = pickle.load(open(sys.argv[1], "rb"))
    print("loaded", flush=True)
    try:
        repr(model.C)  # what scikit-learn's InvalidParameterError message does
        print("returned", flush=True)
    except RecursionError:
        print("RecursionError", flush=True)
else:
    import safeload
    try:
        safeload.load_unsigned(sys.argv[1])
        print("loaded", flush=True)
    except safeload.SafeloadError as exc:
        print("refused", str(exc)[:200], flush=True)
    except RecursionError:
        print("raw RecursionError", flush=True)
print("cpu", round(time.process_time() - start, 2), flush=True)
"""


def test_rt105_05_refusal_formats_estimators(tmp_path: Path) -> None:
    from sklearn.linear_model import LogisticRegression

    # LogisticRegression(C=<an imputer of rt97-01's ring of four>): 450 bytes
    data = pickle.dumps(LogisticRegression(C=_imputer_ring(4)), protocol=5)
    assert len(data) < 1000
    path = write(tmp_path, data)
    # scan refuses it at once ("LogisticRegression.C holds what SimpleImputer makes, which
    # LogisticRegression's parameter constraints refuse")
    assert not safeload.scan(data).safe
    # the harm: scikit-learn's printer on the ring does not end (3 imputers: 18 s, then
    # RecursionError; 4: more than a minute)
    plain = child(_REFUSE_CHILD.format(how="plain"), path, cpu=1.5)
    assert plain.loaded and not plain.returned and "cpu" not in plain.stdout, plain.output
    # today: the load's parameter check (object_checks.check_instance -> params.check_params
    # -> _refuse) asks scikit-learn's validate_parameter_constraints for its verdict, whose
    # InvalidParameterError message is built with {param_val!r}: the printer runs inside the
    # load, before the printing count (printed_problem) that refuses the ring, until the CPU
    # limit; with three imputers load_unsigned raises a bare RecursionError after 18 s
    run = child(_REFUSE_CHILD.format(how="safeload"), path, cpu=2)
    assert "refused" in run.stdout, run.output


# --- rt105-06: a cached_property over a scikit-learn property: honest state refused ---------

_CACHED_MODULE = '''
from functools import cached_property

from sklearn.ensemble import RandomForestClassifier


class CachedForest(RandomForestClassifier):
    """feature_importances_ walks every tree at each read: computed once, then kept."""

    @cached_property
    def feature_importances_(self):
        return super().feature_importances_
'''


def test_rt105_06_cached_property_over_sklearn_property(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = _module(tmp_path, monkeypatch, "rt105_cached", _CACHED_MODULE)
    x = np.random.RandomState(0).rand(50, 4)
    model = own.CachedForest(n_estimators=3, random_state=0).fit(x, x[:, 0] > 0.5)
    _ = model.feature_importances_  # computed before saving: the instance dict holds it
    data = pickle.dumps(model, protocol=5)
    # today both refuse: "state key 'feature_importances_' would hide what CachedForest
    # itself defines under that name" (classes._protected frees a cached_property only where
    # no scikit-learn base defines the name; here BaseForest's property does, though the
    # class's own attribute is the cached_property that reads the dict first)
    assert _loads(write(tmp_path, data), [own.CachedForest]) == "loaded"
    assert _scan_safe(data, [own.CachedForest])


# --- rt105-07: the load's per-instance iteration limit reads the own class's name ------------

_NMF_MODULE = '''
from sklearn.decomposition import NMF


class TopicNMF(NMF):
    """An own NMF (topics of a corpus), nothing overridden."""
'''

_NMF_CHILD = """
sys.path.insert(0, ".")
import pickle, time, numpy
import rt105_nmf
model = pickle.load(open(sys.argv[1], "rb"))
print("loaded", flush=True)
start = time.process_time()
model.transform(numpy.random.RandomState(1).rand(1, 1024))
print("returned", round(time.process_time() - start, 1), flush=True)
"""


def _nmf_file(cls: type, max_iter: int) -> bytes:
    x = np.random.RandomState(0).rand(64, 1024)
    model = cls(n_components=32, max_iter=20, random_state=0)
    with pytest.warns(Warning):
        model.fit(x)
    model.max_iter, model.tol = max_iter, 0.0  # transform runs every iteration
    return pickle.dumps(model, protocol=5)


def test_rt105_07_own_nmf_iterations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sklearn.decomposition import NMF

    own = _module(tmp_path, monkeypatch, "rt105_nmf", _NMF_MODULE)
    control = _nmf_file(NMF, 400_000)
    assert _loads(write(tmp_path, control, "c.pkl"), []).startswith("refused")  # > 100,000
    data = _nmf_file(own.TopicNMF, 400_000)
    path = write(tmp_path, data)  # 280 KB
    # the harm, plain pickle: transform of one row runs 400,000 rounds of coordinate descent
    # over 32 components (some 26 s; NMF's limit, 100,000, is some 6 s)
    plain = child(_NMF_CHILD, path, cpu=2)
    assert plain.loaded and not plain.returned, plain.output
    # scan refuses it ("TopicNMF.max_iter asks for more than 100000 iterations at use time":
    # shadow.py reads use_time_counts with facts.short_name), the load does not:
    # object_checks.check_instance passes type(obj).__name__, "TopicNMF", not in
    # ITERATING_AT_USE; only whole_model_problem's share (short_name, at most 4 limits) holds,
    # so up to 400,000 loads
    assert not _scan_safe(data, [own.TopicNMF])
    assert _loads(path, [own.TopicNMF]).startswith("refused")


# --- rt105-08: dict keys that share one hash: quadratic CPU in scan and load -----------------


def _colliding_dict(n: int) -> bytes:
    """``{k * (2**61 - 1): 0 for k in 1..n}``: Python hashes an int modulo 2**61 - 1, so every
    key hashes to 0 and each insertion probes past all the keys before it. 14 bytes a key."""
    modulus = (1 << 61) - 1
    items = b"".join(
        pickle.dumps(k * modulus, protocol=2)[2:-1] + b"K\x00" for k in range(1, n + 1)
    )
    return b"\x80\x02}(" + items + b"u."


def test_rt105_08_colliding_dict_keys(tmp_path: Path) -> None:
    data = _colliding_dict(50_000)
    assert len(data) < 700_000
    path = write(tmp_path, data)
    # the harm, plain pickle: 17.7 s of CPU for 700 KB (20,000 keys: 2.1 s; an honest dict of
    # 50,000 int keys: some 10 ms); quadratic: a 7 MB file asks half an hour
    plain = child(PLAIN, path, cpu=1)
    assert not plain.loaded and plain.returncode != 0, plain.output
    # today: scan spends 17.4 s and calls it SAFE, load_unsigned spends 16.8 s and returns it
    # (neither counts keys that share a hash; ints and tuples of them hash the same in every
    # process, unlike str)
    scan = child(SCAN, path, cpu=1)
    assert scan.stdout.startswith("verdict ") and scan.stdout.split()[1] != "safe", scan.output
    load = child(LOAD_UNSIGNED, path, cpu=1)
    assert "refused" in load.stdout, load.output
    assert "of one hash value" in load.stdout, load.output


_M61 = (1 << 61) - 1
#: floats that all hash to 1 (2**61 is 1 modulo 2**61 - 1): 34 of them
_ONES = [2.0 ** (61 * j) for j in range(-17, 17)]


def _crowds() -> dict[str, Any]:
    """Containers whose keys share one hash, in every form the walk meets them (rt105-08
    fixed): SETITEMS, ADDITEMS, FROZENSET, ``set([...])`` and ``frozenset([...])`` at
    protocol 2, ``dict(pairs)``, tuple, complex, numpy-scalar and frozenset keys, and an
    object array (scikit-learn hashes its items at use)."""
    from collections import defaultdict

    ints = [k * _M61 for k in range(1, 200)]
    return {
        "dict": {k: 0 for k in ints},
        "set": set(ints),
        "frozenset": frozenset(ints),
        "defaultdict": defaultdict(list, {k: [] for k in ints}),
        "tuple keys": {(k, "x"): 0 for k in ints},
        "complex keys": {complex(a, b): 0 for a in _ONES for b in _ONES[:2]},
        "numpy float keys": {np.float64(a) * np.float64(b): 0 for a in _ONES for b in (1.0, 3.0)},
        "numpy complex keys": {np.complex128(complex(a, b)): 0 for a in _ONES for b in _ONES[:2]},
        "frozenset keys": {frozenset({k, -1}): 0 for k in ints},
        "object array": np.array(ints, dtype=object),
    }


@pytest.mark.parametrize("protocol", [2, 4])
@pytest.mark.parametrize("kind", sorted(_crowds()))
def test_rt105_08_every_form_of_a_crowd(kind: str, protocol: int, tmp_path: Path) -> None:
    value = _crowds()[kind]
    keys = list(value)
    # the attack's mechanism, with plain pickle: the container it builds holds more than 32
    # distinct keys of one hash (each store compares with all of them before it)
    rebuilt = pickle.loads(pickle.dumps(value, protocol))
    crowd = max(sum(1 for k in keys if hash(k) == hash(j)) for j in keys[:3])
    assert crowd > 32 and len(rebuilt) == len(value), crowd
    data = pickle.dumps(value, protocol)
    assert safeload.scan(data).verdict != "safe"
    path = write(tmp_path, data)
    with pytest.raises(safeload.SafeloadError, match="of one hash value"):
        safeload.load_unsigned(path)


def test_rt105_08_honest_keys_load(tmp_path: Path) -> None:
    # keys that share a hash honestly (-1 and -2), a large dict of
    # ints, 32 colliding keys (the limit), and an object array of repeated equal items
    ints = [k * _M61 for k in range(1, 33)]
    values: list[Any] = [
        {-1: "a", -2: "b", 1: 0},
        {k: k for k in range(50_000)},
        set(ints),
        np.array([7] * 1000 + ints, dtype=object),
    ]
    for value in values:
        data = pickle.dumps(value, 4)
        assert safeload.scan(data).verdict == "safe"
        loaded = safeload.load_unsigned(write(tmp_path, data))
        assert type(loaded) is type(value) and len(loaded) == len(value)


_ENCODER_USE = """
import pickle, time, numpy as np
model = {load}
t = time.process_time()
model.transform(np.array(list(model.classes_[:10]), dtype=object))
print("used", time.process_time() - t, flush=True)
"""


def test_rt105_08_object_array_crowd_at_use(tmp_path: Path) -> None:
    from sklearn.preprocessing import LabelEncoder

    def encoder(values: list[int]) -> Path:
        le = LabelEncoder()
        le.classes_ = np.array(values, dtype=object)
        return write(tmp_path, pickle.dumps(le, 4), f"le{len(list(tmp_path.iterdir()))}.pkl")

    honest = encoder(list(range(1, 8001)))
    crowded = encoder([k * _M61 for k in range(1, 8001)])
    plain = "pickle.load(open(sys.argv[1], 'rb'))"
    # (safeload refuses 8,000 classes by the model's width, 4,096 columns: 4,000 for it)
    honest_4k = encoder(list(range(1, 4001)))
    crowded_4k = encoder([k * _M61 for k in range(1, 4001)])

    def used(path: Path) -> float:
        run = child(_ENCODER_USE.format(load=plain), path, cpu=60)
        assert "used" in run.stdout, run.output
        return float(run.stdout.split("used")[1].split()[0])

    # the harm, plain pickle: transform puts the classes in a dict (_map_to_integer), which
    # costs quadratic time in 8,000 ints of one hash (some 45 times the honest encoder's)
    assert used(crowded) > 10 * max(used(honest), 0.001)
    # safeload refuses the object array's items before building it, and loads the honest one
    assert safeload.scan(crowded_4k.read_bytes()).verdict != "safe"
    with pytest.raises(safeload.SafeloadError, match="of one hash value"):
        safeload.load_unsigned(crowded_4k)
    assert len(safeload.load_unsigned(honest_4k).classes_) == 4000


# --- rt105-09: a reviewed library's Python __new__ runs on the file's arguments -------------

_MASKED_MODULE = '''
import numpy.ma


class Masked(numpy.ma.MaskedArray):
    """An own masked array."""
'''

_MASKED_CHILD = """
sys.path.insert(0, ".")
import pickle, resource
import rt105_masked
if "{how}" == "plain":
    try:
        pickle.load(open(sys.argv[1], "rb"))
        print("loaded", flush=True)
    except MemoryError:
        print("MemoryError", flush=True)
else:
    import safeload
    try:
        safeload.load_unsigned(sys.argv[1], trusted=[rt105_masked.Masked])
        print("loaded", flush=True)
    except safeload.SafeloadError as exc:
        print("refused", str(exc)[:300], flush=True)
    except MemoryError:
        print("raw MemoryError", flush=True)
print("maxrss_mb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, flush=True)
"""


def test_rt105_09_reviewed_python_new(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = _module(tmp_path, monkeypatch, "rt105_masked", _MASKED_MODULE)
    masked = global_("rt105_masked", "Masked")
    # NEWOBJ Masked ([0], False, 'S1000000000'): MaskedArray.__new__(cls, data, mask, dtype)
    # is np.array([0], dtype='S1000000000'), 1 GB written for 40 bytes (a GB per list item)
    data = b"\x80\x02" + masked + b"(]K\x00a\x89" + binunicode("S1000000000") + b"t\x81."
    assert len(data) < 64
    path = write(tmp_path, data)
    plain = child(_MASKED_CHILD.format(how="plain"), path, memory=3 << 30, cpu=20)
    assert plain.loaded and "maxrss_mb" in plain.stdout, plain.output
    assert int(plain.stdout.split("maxrss_mb")[1].split()[0]) > 900, plain.output  # the harm
    # today: scan unproven ("called with arguments"), and the load runs numpy's __new__ on them
    # (builtin_args_problem judges compiled __new__ only; MaskedArray's is Python, reviewed,
    # not the caller's), 1 GB, and refuses only after building ("a masked array outside a
    # search's cv_results_"). pandas.Index.__new__ does the same for an own Index subclass
    # (``MyIndex([0], 'S1000000000')``: 1.1 GB, then NotImplementedError)
    run = child(_MASKED_CHILD.format(how="safeload"), path, memory=3 << 30, cpu=20)
    assert "before loading" in run.stdout, run.output
    # and a parity: NEWOBJ Masked () + STOP is SAFE to scan, and the load refuses it
    bare = b"\x80\x02" + masked + b")\x81."
    assert _scan_safe(bare, [own.Masked]) == (
        _loads(write(tmp_path, bare, "b.pkl"), [own.Masked]) == "loaded"
    )


# --- rt105-10: an own IntFlag's member map grows by every value the file names ---------------

_FLAG_MODULE = '''
import enum


class Access(enum.IntFlag):
    """Permissions, as flags."""

    READ = 4
    WRITE = 2
    RUN = 1
'''

_FLAG_CHILD = """
sys.path.insert(0, ".")
import pickle
import rt105_flag
before = len(rt105_flag.Access._value2member_map_)
pickle.load(open(sys.argv[1], "rb"))
print("grew", len(rt105_flag.Access._value2member_map_) - before, flush=True)
"""


def _flag_file(n: int) -> bytes:
    """A list of ``Access(v)`` for ``n`` values no member has (REDUCE, as pickle writes every
    enum member: ``Access(6)`` for READ|WRITE), then a LogisticRegression with ``C = -1``,
    which the load refuses after building."""
    from sklearn.linear_model import LogisticRegression

    call = global_("rt105_flag", "Access")
    items = b"".join(call + b"J" + (8 + i).to_bytes(4, "little") + b"\x85Ra" for i in range(n))
    refused = pickle.dumps(LogisticRegression(C=-1.0), protocol=2)[2:-1]
    return b"\x80\x02]" + items + refused + b"a."


def test_rt105_10_int_flag_member_map(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = _module(tmp_path, monkeypatch, "rt105_flag", _FLAG_MODULE)
    data = _flag_file(20_000)  # 380 KB
    path = write(tmp_path, data)
    # plain pickle: IntFlag's boundary is KEEP, so Access(v) takes any int and caches a new
    # pseudo-member for it in the class's _value2member_map_, for the life of the process
    plain = child(_FLAG_CHILD, path, cpu=20)
    assert "grew 20000" in plain.stdout, plain.output
    before = len(own.Access._value2member_map_)
    outcome = _loads(path, [own.Access])
    assert outcome.startswith("refused")  # (model[20000].C)
    # today: refused after building, and the trusted class now holds 20,000 more members
    # (scan: unproven, "called with arguments"); a service that refuses such files keeps
    # every one: 0.95 MB keeps 20 MB, and the map never shrinks
    assert len(own.Access._value2member_map_) == before


# --- rt105-11: an own nested class pickled at protocols 2-3 ---------------------------------

_NESTED_MODULE = '''
from sklearn.base import BaseEstimator, TransformerMixin


class Features:
    """A namespace of the project's transformers."""

    class Scale(TransformerMixin, BaseEstimator):
        def __init__(self, factor=2.0):
            self.factor = factor

        def fit(self, X, y=None):
            return self

        def transform(self, X):
            return X * self.factor
'''


@pytest.mark.xfail(
    strict=True,
    reason=(
        "rt105-11, a documented limit (SECURITY.md): protocols 2 and 3 write a nested class "
        "as getattr calls on its outer class, a computed class NEWOBJ refuses; save at "
        "protocol 4 or 5"
    ),
)
def test_rt105_11_nested_class_old_protocols(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = _module(tmp_path, monkeypatch, "rt105_nested", _NESTED_MODULE)
    cls = own.Features.Scale
    for protocol in (4, 5):  # STACK_GLOBAL 'rt105_nested' 'Features.Scale': loaded
        data = pickle.dumps(cls(3.0), protocol=protocol)
        assert _loads(write(tmp_path, data), [cls]) == "loaded"
    outcomes = []
    for protocol in (2, 3):  # Python 3.0-3.7 wrote protocol 3 by default
        data = pickle.dumps(cls(3.0), protocol=protocol)
        # pickle names a nested class below protocol 4 as builtins.getattr(Features, 'Scale')
        assert b"getattr" in data and pickle.loads(data).factor == 3.0
        outcomes.append(_loads(write(tmp_path, data), [cls]))
    # today both: "NEWOBJ on a computed class" (refused before loading, scan alike), for
    # trusted=[cls] and trusted=['rt105_nested:Features.Scale'] alike
    assert outcomes == ["loaded", "loaded"], outcomes
