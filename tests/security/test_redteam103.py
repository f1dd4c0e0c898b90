r"""Red team 103 (helper, 14:54-15:39 UTC) on f078b18 (the ``trusted=`` feature after red team
102's fixes). Snapshot /tmp/rt103p; run from /work/rt103 with SAFELOAD_PURE_PYTHON=1 and
PYTHONPATH=/tmp/rt103p/src:/tmp/rt103p/tests (Python 3.11.7, numpy 2.4.6, scipy 1.17.1,
scikit-learn 1.9.1, skops 0.16).

Each finding is a strict xfail asserting the secure behaviour. Harm is shown first with plain
pickle in a child (zygote fork or fresh interpreter; RLIMIT_CORE 0 where a crash is expected,
CPU and address-space limits; effects are marker files in tmp_path); crashes happen only in
children. Own classes live in modules written to tmp_path.

Findings
--------
rt103-01 (HARM: SIGSEGV and memory at use, critical; trust/shadow_values.py ``sklearn_class``
         / ``sklearn_name``, used by structures/hgb.py ``orphan_predictor_problem``,
         neighbors.py ``check_metric``/``_weighted_metric``/``check_distance_metric``,
         widths.py ``_sklearn_class`` and ensembles.py) rt102-02's fix made
         ``facts.short_name`` take the first *reviewed* class of an own class's MRO, but
         ``sklearn_class`` still takes the first class whose module starts with ``sklearn.``.
         A scikit-learn mixin that is not in the estimator's own MRO, placed first, is that
         class: ``class ScoredPredictor(RegressorMixin, TreePredictor)`` has sklearn_name
         "RegressorMixin" (short_name says "TreePredictor"), so the orphan-predictor rule
         (rt31-04, rt99-20) never starts: rt99-20's predictor with ``feature_idx =
         50_000_000`` named ``ScoredPredictor`` is SAFE to scan and returned by
         ``load_unsigned(trusted=[ScoredPredictor])``; ``predict`` dies of SIGSEGV (the same
         bytes naming ``class PlainPredictor(TreePredictor)``: refused). ``class
         DensityFeature(TransformerMixin, KernelDensity)`` (a density as a pipeline feature:
         transform = score_samples) gives ``_sklearn_class`` "object" (short_name of
         TransformerMixin), so every rule under widths.py's ``if sklearn_class:`` and
         FITTED_NUMBERS' "KernelDensity" row are skipped: a fitted one with ``bandwidth_ =
         np.ones(200_000)`` (rt76-07; 1.6 MB pickle, 9 KB as compressed joblib, skops too) is
         SAFE and loaded, and ``sample(2000)`` asks 3.2 GB (``class PlainDensity(KernelDensity)``:
         refused, "bandwidth_ is not one number"). ``class ScoredMahalanobis(RegressorMixin,
         MahalanobisDistance64)`` given rt99-18's 2x2 VI state: scan says unproven (compiled
         __new__), the load returns it, ``pairwise`` on 3,000 sparse columns corrupts memory
         (SIGSEGV); scikit-learn's own BallTree (16 features) whose state holds such a metric
         with a 2x2 VI (NEWOBJ + BUILD): scan unproven, the load returns the tree, ``query``
         corrupts the heap (abort, "corrupted size vs. prev_size"; check_metric reads the
         kind from sklearn_name). Fix: the nearest *reviewed* scikit-learn class (as
         ``_known_name``).
rt103-02 (HARM: SIGSEGV and memory at use, critical; shadow_values.py ``_callers_class``)
         ``sklearn_class`` maps an own subclass to its scikit-learn base only when
         ``installed_package(module) is None``. The caller's own project installed (``pip
         install -e .`` or from its own wheel: metadata on sys.path, rt99-07) and trusted by
         passing the class (rt101-07, the documented way, rt96-05) is "installed", so
         ``sklearn_class`` is the own class itself, ``_sklearn_class`` is "" and all of
         widths.py's name rules, the orphan predictor rule and the metric rules are off
         (``facts._known_name`` and ``classes._callers_data`` both treat it as the caller's:
         only this test disagrees). ``rt103pkg.MyPredictor(TreePredictor)`` with rt99-20's
         nodes: SAFE, loaded, SIGSEGV in predict; ``rt103pkg.MyDensity(KernelDensity)`` with
         bandwidth_ of 200,000: SAFE, loaded, MemoryError in ``sample(2000)``. (A caller module
         whose top-level name an installed distribution also declares is "installed" the
         same way.)
rt103-03 (HONEST-REFUSED; same cause as rt103-01) an honest ``class MixtureFeature(
         TransformerMixin, GaussianMixture)`` (memberships as features), ``BoostedFeature(
         TransformerMixin, GradientBoostingClassifier)`` and ``WrappedBins(MetaEstimatorMixin,
         KBinsDiscretizer)`` are refused: judged as no GaussianMixture ("covariances_ has 3
         dimensions"), no GradientBoosting ("estimators_ is an object array holding arrays")
         and no KBinsDiscretizer ("bin_edges_ is an object array"); without the mixin all
         three load. (A sweep of all_estimators, default parameters, with the first of
         TransformerMixin/MetaEstimatorMixin/DensityMixin not in the class's MRO put first:
         these and BayesianGaussianMixture and GradientBoostingRegressor; every other class
         agrees with its plain own subclass.)
rt103-04 (HONEST-REFUSED; trust/trusted_classes.py ``_may_share``/``_unwrapped``) scikit-learn's
         public ``sklearn.utils.deprecated`` wraps a class's ``__new__`` in a Python function;
         ``_unwrapped`` sees through typing_extensions' and warnings' wrappers only, so
         ``_may_share`` says such a class "may return an object it shares" and NEWOBJ + BUILD
         (how pickle writes every such object) is refused before loading, scan alike: an own
         transformer under ``@deprecated("...")`` and an own subclass of a class scikit-learn
         1.9 deprecates (``PassiveAggressiveClassifier``; found by a sweep of own subclasses of
         every estimator) cannot be loaded at all.
rt103-05 (HONEST-REFUSED; trust/classes.py ``_protected``/``class_names``) an own estimator with
         a ``functools.cached_property`` that was computed before saving keeps its value in the
         instance dict, which is what a cached_property is for; the load and scan refuse it
         ("state key 'scale_' would hide what Whitener itself defines ... (a method, property
         or class setting)"). A non-data descriptor of the caller's own class whose value the
         instance dict holds by design should not be protected (its value is then data like
         any other attribute).
rt103-06 (HARM: the caller's code runs on the file's values for an object the model never
         holds, also in a refused load; trust/trusted_classes.py ``own_hook``) ``own_hook``
         lists ``__new__``, ``__getattribute__``, ``__getattr__``, ``__dict__``,
         ``__setstate__`` (and ``__reduce_ex__``), never ``__del__``. ``class RunLog`` (writes
         its events to ``self.path`` in ``__del__``, a common flush-on-close pattern):
         NEWOBJ RunLog, BUILD {'path': <file's path>, 'events': [<file's text>]}, POP, then
         ``K\x01.``: scan SAFE, ``load_unsigned(trusted=[RunLog])`` returns 1, and the
         dropped object's ``__del__`` has appended the file's text to the file's path. The
         same prefix before a LogisticRegression with ``C = -1`` (refused by the load's check
         after building): refused, and the write happened all the same. An object the stream
         builds and drops never reaches the model; a trusted class with its own ``__del__``
         should be unproven to scan, and such an object refused before building.
rt103-07 (PARITY, scan stricter; trust/static.py ``_DATA_ONLY``) static.py skips the state
         checks of ``sklearn.tree._tree.Tree`` by its exact name, the load's walk judges an own
         ``MyTree(Tree)`` by what Tree.__setstate__ builds: an honest tree file naming
         ``MyTree`` is loaded and scan says "state key 'max_depth' would hide what MyTree
         itself defines". (A crafted MyTree with a child out of range: refused by both, held.)
rt103-08 (PARITY, scan stricter; trust/static_kinds.py ``_callable_problem`` ->
         facts.py ``is_partial``: ``cls is functools.partial``) the load judges an own
         ``class Named(functools.partial)`` as a partial (kinds._callable:
         ``isinstance(value, functools.partial)``; func, args and keywords checked, out= and
         where= refused, held); scan refuses every such value: an honest
         ``FunctionTransformer(func=Named(np.exp))`` is loaded and called unsafe by scan.
rt103-09 (HARM: memory and CPU at load; pickle/walk_calls.py ``_op_newobj``/``_push_call`` ->
         static.py "called with arguments") a trusted own subclass of a builtin is made by the
         builtin's own constructor with the file's arguments, and none of safeload's narrowed
         forms for that builtin applies (they key on ``builtins.bytes``/``builtins.str``):
         ``class Blob(bytes)``: NEWOBJ ``Blob (2**31-1,)`` (26 bytes) is returned by the load as
         a 2 GiB object (1.8 s; LONG1 sizes ask any amount; the test uses 1.5 GiB); ``class
         Text(str)``: NEWOBJ ``Text (raw, 'punycode')`` (300 KB) decodes punycode, quadratic,
         4.5 s of CPU in the load (600 KB: 18 s); any codec name imports its ``encodings``
         module into the process (``'zlib_codec'`` imports encodings.zlib_codec, then str()
         refuses it). Pickle writes these classes with one argument of the builtin's own
         type (NEWOBJ ``Text ('abc',)``); scan calls them unproven ("what its constructor does
         with them is known only by running it", the rule for the caller's own
         constructors), but the constructor here is the builtin's, which safeload can
         judge. (Likewise an own ``csr_matrix`` subclass called with a shape:
         ``MyCSR((2**29, 1))`` makes a 2 GB index pointer, lazily zeroed.)
rt103-10 (HARM: code execution by a dependency's class trusted by name; _installed.py
         ``_tops_of``/``_pth_tops``) rt101-16 taught ``_tops_of`` the folders a PEP 660 ``.pth``
         lists, but import-hook editable installs write no folder: meson-python (numpy,
         scipy, pandas, scikit-learn, matplotlib, scikit-image ... all build with it: ``pip
         install -e . --no-build-isolation`` is their documented developer setup) installs
         ``_<name>_editable_loader.py`` and ``<name>-editable.pth`` holding only ``import
         _<name>_editable_loader``, with no top_level.txt; scikit-build-core and hatchling's
         dev-mode-exact do the same. RECORD then names only the loader, the .pth's import line
         is passed over, and the module lies outside every site folder, so
         ``installed_package(name)`` is ``None``: the dependency is "the caller's own". Its
         classes are trustable by name (the refusal's advice offers ``trusted=
         ['rt103dep.Template']``), and a class that, like scipy.stats' distributions (rt95-01),
         executes text from its state runs the file's code (marker written). Such a package
         also drops out of ``reviewed_packages()``, so its class constants become "the
         caller's data" (by the code, not tested: scipy installed so, as its developers do,
         would unprotect ``_format`` again, rt102-03's SIGSEGV).

Ported by the maintainer (15:40-16:05 UTC, 11bf952 and the port's commit): all ten fixed, the
marks dropped.
* rt103-01, 02, 03: one function, ``facts.reviewed_base`` (the first reviewed class of the
  MRO, ``object`` never), now answers ``short_name`` and ``shadow_values.sklearn_class`` both;
  the "is this the caller's class" test of shadow_values is gone. Mixins first and the
  caller's installed project no longer hide the reviewed base.
* rt103-04: ``_unwrapped`` reads the original ``__new__`` from the closure of
  ``sklearn.utils.deprecated``'s wrapper; a wrapper round a builtin ``__new__`` is no own hook.
* rt103-05: a ``functools.cached_property`` of the caller's class may be set by the state.
* rt103-06: a class that defines ``__del__`` (outside the reviewed classes) is not trusted:
  ``trusted=[RunLog]`` is a usage error naming the finalizer, in scan and load alike.
* rt103-07, 08, 09: ``trusted_classes.builtin_args_problem``, run by the walk shared by scan
  and load before anything is built: a trusted class made by a compiled ``__new__`` other
  than ``object``'s or an exception's takes only what pickle writes for it (a builtin's: one
  value of exactly that type, complex's two floats, or nothing; a library's extension
  class's, Tree's or partial's: nothing). The walk records NEWOBJ with arguments
  (``new_calls``). An own ``Tree`` subclass is therefore refused by both (the test changed
  from "scan agrees with the load" to "both refuse"); an own ``partial`` subclass too, and
  the load's callable rule asks ``type(value) is functools.partial``. ``static._data_only``
  judges a state-only own ``Tree`` subclass's BUILD as ``Tree``'s.
* rt103-10: ``_installed._hook_package``: a module the path search of ``sys.path`` does not
  find where it is, but a meta path hook does, belongs to the distribution that installed
  the hook (meson-python's ``_<name>_editable_loader`` is in its RECORD).
* The rt103-01 metric children retry in fresh interpreters (a zygote fork did not fault).

Held (tried, no finding)
------------------------
* BUILD on shared objects: REDUCE ``Color(*tuple([1]))`` (refused: arguments made by a call),
  REDUCE with memoised args (refused: BUILD on a call result), ``_reconstructor(Color2,
  Color, 1)`` (args a tuple: refused); a frozen-dataclass key whose generated ``__hash__``
  hashes a 2**24 tuple DAG (refused: "hashing it would visit more items"; at 2**12 scan says
  unproven, "own __hash__", and the load refuses the sharing).
* Own subclasses: ``MyTree(Tree)`` with a child out of range (refused by the load's
  check_tree, issubclass), own csr_matrix/csr_array with indices out of range in a coef_
  (refused), own ndarray subclasses (refused: "_reconstruct of another class"), own extension
  subclasses of CyHalfSquaredError with their own ``__getstate__``/``__getnewargs_ex__``/
  ``__getnewargs__`` (scan unproven; the load's walk runs none of them), own partial
  subclasses with out=/where=/positional args (refused by the load's isinstance check).
* Dunders of an own value object kept as a parameter, a fitted attribute, a dict value or a
  ``no_validation`` parameter (35 hooks, ``__eq__``/``__repr__``/``__len__``/``__array__``/
  ``__sklearn_clone__``/...): none ran in scan or in a load that accepted; only a parameter
  check that refuses formats the value with ``repr`` (LogisticRegression.C = own object:
  refused by both, its ``__repr__`` ran twice in the load's error message). An own estimator
  overriding get_params/set_params/__repr__/__sklearn_tags__/get_feature_names_out in a
  Pipeline, union, ColumnTransformer or as another's parameter: nothing ran in scan or load.
* Own objects where a load's check hashes or compares them (``classes_`` an object array of
  own objects): the load's label check runs their ``__hash__``/``__eq__`` before refusing
  (scan refuses without running them; not filed: a refused file, the caller's plain
  dunders); a frozen dataclass there over a 2**22 tuple DAG is refused before building.
* 200,000-object streams of a trusted own class (priced: "objects made or given state ...
  cost more than the file's size allows"); ``Row(range(2**20))`` of an own tuple subclass
  (priced); own str subclass of a tuple/estimator DAG (refused: "call arguments that share one
  container"); a NEWOBJ ``bytearray`` subclass with an int (``bytearray.__new__`` ignores it).
* Honest own classes that load and scan SAFE: frozen dataclasses with tuple defaults, ABC
  with ``__init_subclass__`` registries, class-level counters, UserDict/UserList,
  ``collections.abc.Mapping`` and ``numbers.Real`` implementers, pipelines of own
  transformers, classes defined in ``__main__`` (by object and by name), skops files of the
  same; enums, named tuples, float/str/frozenset/UserString subclasses are unproven to scan
  and loaded (the documented "called with arguments" rule); a ``Box[int](3)`` generic keeps
  ``__orig_class__`` (pickled as ``operator.getitem``: refused as code; not filed).
* Differential fuzz of scan against load_unsigned with trusted own classes: 12,000 byte/opcode
  mutations of six honest own-class models at protocols 2, 4, 5 (any disagreement: two, both
  the documented "called with arguments"/"called without arguments by REDUCE" unproven), and
  55,000 structure-aware mutations of six more (own enums, flags, named tuples, builtin and
  UserDict subclasses; own class names swapped, call/build opcodes replaced or inserted;
  protocols 0-5): no file SAFE to scan that the load refused, and no bare error.
* Own classes in a namespace package (no ``__init__.py``) of the caller's folder: trusted by
  name and by object, SAFE and loaded. An own metric pickled by its own ``__reduce__``
  (scikit-learn's ``newObj``) is refused ("newObj on ...: scikit-learn writes it only for the
  classes of its own module").
* 6,000 mutations of skops schemas of own-class models (own class names swapped between
  trusted classes, loaders swapped, state keys dropped or renamed, reduce arguments added):
  scan and the skops load agree on every one.
* Own enums with a dict or list mixin: REDUCE ``Cfg({'k': 1})`` (the shared member) then
  SETITEM(S)/APPEND into it: refused before building, the member untouched.
* Own meta-estimators and ensembles (Pipeline, FeatureUnion, ColumnTransformer, stacking,
  bagging, forests, searches, one-vs-rest, calibration, neighbours, SVC, PCA/NMF, HGB,
  IsolationForest, LOF, TransformedTargetRegressor) with a scikit-learn mixin first: loaded
  and SAFE like the plain subclass; own LightGBM/XGBoost subclasses with their profiles: SAFE
  and loaded (sklearn_name says "ClassifierMixin" there, harmlessly).
* ``_callers_data`` against scikit-learn's class settings: ``_doc_link_template`` (formatted
  by the HTML repr; an own class may set it, as scikit-learn's guide for third-party
  estimators says) stays protected through ``_HTMLDocumentationLinkMixin``, which defines it
  too; no scikit-learn mixin is on a reviewed list, so ``_known_name`` never stops at one.
* scan-then-load in one process (CLEAN_KEYS shared by scan's ``state_problem`` and the load's
  ``_check_keys``): a keyword state key is refused by scan before ``state_problem`` and by
  the load after it; the cache was not poisoned.
* cli/_paths.py and _installed.py's ``.pth`` folder reading: absolute-path ``.pth`` editables
  (this venv's safeload) attributed; the ``distutils-precedence.pth`` import line passed over.
"""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safeload
from redteam import (
    GB,
    HOOKED_DEPENDENCY,
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


# --- rt103-01: a scikit-learn mixin first in the MRO names an own subclass for the native rules


_MIXED_MODULE = '''
from sklearn.base import RegressorMixin, TransformerMixin
from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor
from sklearn.metrics._dist_metrics import MahalanobisDistance64
from sklearn.neighbors import KernelDensity


class ScoredPredictor(RegressorMixin, TreePredictor):
    """An own histogram-boosting predictor that can score itself (RegressorMixin.score)."""


class PlainPredictor(TreePredictor):
    """The same without the mixin."""


class DensityFeature(TransformerMixin, KernelDensity):
    """A density estimate used as a pipeline feature: transform is the log density."""

    def transform(self, X):
        return self.score_samples(X)[:, None]


class PlainDensity(KernelDensity):
    """The same without the mixin."""


class ScoredMahalanobis(RegressorMixin, MahalanobisDistance64):
    """An own Mahalanobis metric with a scikit-learn mixin."""
'''


def _predictor_file(cls_name: str, module: str) -> bytes:
    """A TreePredictor whose split features are column 50,000,000 (rt99-20's), named as the
    own class ``module.cls_name``."""
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
    return data.replace(real, global_(module, cls_name))


_PREDICT_CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
sys.path.insert(0, ".")
import pickle, numpy
import {module}
if "{how}" == "plain":
    predictor = pickle.load(open(sys.argv[1], "rb"))
else:
    import safeload
    predictor = safeload.load_unsigned(sys.argv[1], trusted=[{module}.{cls}])
print("loaded", flush=True)
X = numpy.random.RandomState(1).rand(10, 3)
bitsets = numpy.zeros((0, 8), dtype=numpy.uint32)
predictor.predict(X, bitsets, numpy.zeros(3, dtype=numpy.uint32), 1)
print("returned", flush=True)
"""


def test_rt103_01_mixin_tree_predictor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = _module(tmp_path, monkeypatch, "rt103_mixed", _MIXED_MODULE)
    from safeload.trust.facts import short_name

    assert short_name(own.ScoredPredictor) == "TreePredictor"  # (facts: rt102-02's fix)
    control = _predictor_file("PlainPredictor", "rt103_mixed")
    assert not _scan_safe(control, [own.PlainPredictor])  # the orphan rule, on a subclass
    assert _loads(write(tmp_path, control, "c.pkl"), [own.PlainPredictor]).startswith("refused")
    data = _predictor_file("ScoredPredictor", "rt103_mixed")
    path = write(tmp_path, data)
    args = {"module": "rt103_mixed", "cls": "ScoredPredictor"}
    plain = until_crash(lambda: child(_PREDICT_CHILD.format(how="plain", **args), path, cpu=20))
    assert plain.loaded and plain.crashed and not plain.returned, plain.output  # SIGSEGV
    # (today: SAFE and loaded; shadow_values.sklearn_class takes the first ``sklearn.`` class
    # of the MRO, RegressorMixin, so hgb.orphan_predictor_problem sees no TreePredictor)
    assert not _scan_safe(data, [own.ScoredPredictor])
    assert _loads(path, [own.ScoredPredictor]).startswith("refused")


_SAMPLE_CHILD = """
import resource, sys
sys.path.insert(0, ".")
import pickle, numpy
import rt103_mixed
model = pickle.load(open(sys.argv[1], "rb"))
print("loaded", flush=True)
try:
    model.sample(2000)
    print("returned", flush=True)
except MemoryError:
    print("MemoryError", flush=True)
"""


def _density_file(cls: type) -> bytes:
    model = cls(bandwidth=1.0).fit(np.array([[0.5]]))
    model.bandwidth_ = np.ones(200_000)  # fit stores one float (rt76-07)
    return pickle.dumps(model, protocol=5)


def test_rt103_01_mixin_kernel_density(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = _module(tmp_path, monkeypatch, "rt103_mixed", _MIXED_MODULE)
    control = _density_file(own.PlainDensity)
    assert not _scan_safe(control, [own.PlainDensity])  # "bandwidth_ is not one number"
    assert _loads(write(tmp_path, control, "c.pkl"), [own.PlainDensity]).startswith("refused")
    data = _density_file(own.DensityFeature)
    path = write(tmp_path, data)  # 1.6 MB
    # the harm, plain pickle: sample(2,000) draws 2,000 x 200,000 normals, 3.2 GB
    plain = child(_SAMPLE_CHILD, path, memory=GB // 2, cpu=20)
    assert plain.loaded and "MemoryError" in plain.stdout, plain.output
    assert not _scan_safe(data, [own.DensityFeature])  # SAFE: the name is "TransformerMixin"
    assert _loads(path, [own.DensityFeature]).startswith("refused")


_METRIC_CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
sys.path.insert(0, ".")
import numpy
from scipy.sparse import csr_matrix
import pickle, rt103_mixed, safeload
if "{how}" == "plain":
    metric = pickle.load(open(sys.argv[1], "rb"))
else:
    try:
        metric = safeload.load_unsigned(sys.argv[1], trusted=[rt103_mixed.ScoredMahalanobis])
    except safeload.SafeloadError as exc:
        print("refused", exc, flush=True)
        sys.exit(0)
print("loaded", flush=True)
for _ in range(20):
    metric.pairwise(csr_matrix(numpy.ones((3, 3000))))
print("returned", flush=True)
"""


def test_rt103_01_mixin_metric(tmp_path: Path) -> None:
    from sklearn.metrics._dist_metrics import MahalanobisDistance64

    (tmp_path / "rt103_mixed.py").write_text(_MIXED_MODULE)
    state = pickle.dumps(MahalanobisDistance64(VI=np.eye(2)).__getstate__(), protocol=2)
    head = b"\x80\x02" + global_("rt103_mixed", "ScoredMahalanobis") + b")\x81"
    path = write(tmp_path, head + state[2:-1] + b"b.")
    # (scan calls it unproven: "made by the compiled MahalanobisDistance64.__new__"); the load
    # returns it, and pairwise on 3,000 sparse columns reads and writes VI (2x2) at every
    # column index (rt51-07, rt99-18): SIGSEGV
    # (a fork of the zygote first, then fresh interpreters: whether the read faults depends
    # on what lies past the matrix)
    tries = iter([False, True, True, True, True, True])
    plain = until_crash(
        lambda: child(_METRIC_CHILD.format(how="plain"), path, cpu=20, fresh=next(tries)), tries=6
    )
    assert plain.loaded and plain.crashed, plain.output  # the harm, plain pickle
    # the same bytes naming scikit-learn's MahalanobisDistance64: refused ("a weighted distance
    # metric outside a neighbours structure"); with the mixin first, sklearn_name is
    # "RegressorMixin" and the load returns the metric, which crashes alike (today)
    run = until_crash(lambda: child(_METRIC_CHILD.format(how="safeload"), path, cpu=20))
    assert "refused" in run.stdout and not run.loaded, run.output


_BALL_CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
sys.path.insert(0, ".")
import pickle, numpy, warnings
warnings.simplefilter("ignore")
import rt103_mixed, safeload
if "{how}" == "plain":
    tree = pickle.load(open(sys.argv[1], "rb"))
else:
    try:
        tree = safeload.load_unsigned(sys.argv[1], trusted=[rt103_mixed.ScoredMahalanobis])
    except safeload.SafeloadError as exc:
        print("refused", exc, flush=True)
        sys.exit(0)
print("loaded", flush=True)
rs = numpy.random.RandomState(1)
for _ in range(3):
    tree.query(rs.rand(1000, 16) * 100, k=3)
print("returned", flush=True)
"""


def test_rt103_01_mixin_metric_in_ball_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import copyreg
    import io

    from sklearn.neighbors import BallTree

    own = _module(tmp_path, monkeypatch, "rt103_mixed", _MIXED_MODULE)
    rs = np.random.RandomState(0)
    tree = BallTree(rs.rand(1000, 16), leaf_size=40, metric="mahalanobis", VI=np.eye(16))
    func, args, state = tree.__reduce__()
    parts = list(state)
    metric = own.ScoredMahalanobis(VI=np.eye(2))  # a 2x2 VI for 16 features
    parts[11] = metric

    class _Pickler(pickle.Pickler):
        def reducer_override(self, o: Any) -> Any:
            if type(o) is own.ScoredMahalanobis:  # NEWOBJ + BUILD (p, vec, VI)
                return (copyreg.__newobj__, (type(o),), metric.__getstate__())
            if type(o) is BallTree:
                return (func, args, tuple(parts))
            return NotImplemented

    buf = io.BytesIO()
    _Pickler(buf, protocol=4).dump(tree)
    path = write(tmp_path, buf.getvalue())
    # (a fork of the zygote first, then fresh interpreters: whether the read faults depends
    # on what lies past the matrix)
    tries = iter([False, True, True, True, True, True])
    plain = until_crash(
        lambda: child(_BALL_CHILD.format(how="plain"), path, cpu=20, fresh=next(tries)), tries=6
    )
    assert plain.loaded and plain.crashed, plain.output  # SIGSEGV or abort in query
    # today: scan unproven (compiled __new__), the load returns the tree (check_metric takes
    # the kind from sklearn_name, "RegressorMixin", so VI is not held to 16 x 16), and query
    # corrupts the heap alike
    run = child(_BALL_CHILD.format(how="safeload"), path, cpu=20)
    assert "refused" in run.stdout and not run.loaded, run.output


# --- rt103-02: the caller's installed project, passed as the class, is not "the caller's" ---

_INSTALLED_CHILD = """
import resource, sys, pickle
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
sys.path.insert(0, ".")
import numpy
import rt103pkg, safeload
from safeload._installed import installed_package
from safeload.trust.facts import short_name
cls = rt103pkg.{cls}
print("installed:", installed_package("rt103pkg"), short_name(cls), flush=True)
data = open(sys.argv[1], "rb").read()
print("scan safe:", safeload.scan(data, trusted=[cls]).safe, flush=True)
try:
    model = safeload.load_unsigned(sys.argv[1], trusted=[cls])
except safeload.SafeloadError as exc:
    print("load: refused", exc, flush=True)
    sys.exit(0)
print("load: loaded", flush=True)
{call}
print("returned", flush=True)
"""

_INSTALLED_CALLS = {
    "MyPredictor": (
        "X = numpy.random.RandomState(1).rand(10, 3)\n"
        "model.predict(X, numpy.zeros((0, 8), dtype=numpy.uint32), "
        "numpy.zeros(3, dtype=numpy.uint32), 1)"
    ),
    "MyDensity": (
        "resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))\n"
        "try:\n    model.sample(2000)\nexcept MemoryError:\n    print('MemoryError', flush=True)"
    ),
}


@pytest.mark.parametrize("cls", ["MyPredictor", "MyDensity"])
def test_rt103_02_installed_own_class(tmp_path: Path, cls: str) -> None:
    # the caller's own project with its metadata on sys.path (pip install -e ., rt99-07), its
    # class passed as the object (the caller's, rt101-07)
    (tmp_path / "rt103pkg").mkdir()
    (tmp_path / "rt103pkg" / "__init__.py").write_text(
        "from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor\n"
        "from sklearn.neighbors import KernelDensity\n\n\n"
        'class MyPredictor(TreePredictor):\n    """The project\'s own predictor."""\n\n\n'
        'class MyDensity(KernelDensity):\n    """The project\'s own density."""\n'
    )
    info = tmp_path / "rt103pkg-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: rt103pkg\nVersion: 1.0\n")
    (info / "top_level.txt").write_text("rt103pkg\n")
    if cls == "MyPredictor":
        data = _predictor_file("MyPredictor", "rt103pkg")  # feature column 50,000,000
    else:
        from sklearn.neighbors import KernelDensity

        # bandwidth_ of 200,000 items (rt76-07): sample(2,000) asks 3.2 GB
        model = KernelDensity(bandwidth=1.0).fit(np.array([[0.5]]))
        model.bandwidth_ = np.ones(200_000)
        real = global_(type(model).__module__, "KernelDensity")
        data = pickle.dumps(model, protocol=2)
        assert data.count(real) == 1
        data = data.replace(real, global_("rt103pkg", "MyDensity"))
    path = write(tmp_path, data)
    code = _INSTALLED_CHILD.format(cls=cls, call=_INSTALLED_CALLS[cls])
    tries = 2 if cls == "MyPredictor" else 1
    run = until_crash(lambda: child(code, path, cpu=60, fresh=True), tries)
    # (short_name, facts.py, names scikit-learn's class; shadow_values._callers_class says
    # "not the caller's": installed, so sklearn_class is the own class itself, and the orphan
    # predictor rule, widths.py's _sklearn_class (every rule under ``if sklearn_class:``) and
    # FITTED_NUMBERS never start. Today: SAFE, loaded, then SIGSEGV / MemoryError)
    named = "TreePredictor" if cls == "MyPredictor" else "KernelDensity"
    assert f"installed: rt103pkg {named}" in run.stdout, run.output
    assert "scan safe: False" in run.stdout, run.output
    assert "load: refused" in run.stdout, run.output


# --- rt103-03: HONEST: the same mislabel refuses honest own subclasses ----------------------

_HONEST_MIXED = '''
from sklearn.base import MetaEstimatorMixin, TransformerMixin
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import KBinsDiscretizer


class MixtureFeature(TransformerMixin, GaussianMixture):
    """Cluster memberships as pipeline features."""

    def transform(self, X):
        return self.predict_proba(X)


class BoostedFeature(TransformerMixin, GradientBoostingClassifier):
    """A boosted model's probability as a feature (stacking by hand)."""

    def transform(self, X):
        return self.predict_proba(X)


class WrappedBins(MetaEstimatorMixin, KBinsDiscretizer):
    """Bins, marked as a meta-estimator for an own framework."""
'''


@pytest.mark.parametrize("cls", ["MixtureFeature", "BoostedFeature", "WrappedBins"])
def test_rt103_03_honest_mixin_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cls: str
) -> None:
    own = _module(tmp_path, monkeypatch, "rt103_honest_mixed", _HONEST_MIXED)
    kind = getattr(own, cls)
    x = np.random.RandomState(0).rand(40, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = kind().fit(x, (x[:, 0] > 0.5).astype(int))
    data = pickle.dumps(model, protocol=5)
    path = write(tmp_path, data)
    # (the same class without the mixin loads: "covariances_ has 3 dimensions", "estimators_
    # is an object array holding arrays or objects", "bin_edges_ is an object array" are the
    # rules for anything that is no GaussianMixture, GradientBoosting or KBinsDiscretizer)
    assert _loads(path, [kind]) == "loaded"
    assert _scan_safe(data, [kind])


# --- rt103-04: HONEST: scikit-learn's own deprecation wrapper "may share" ------------------

_DEPRECATED_MODULE = '''
import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import PassiveAggressiveClassifier
from sklearn.utils import deprecated


@deprecated("OldCentering is deprecated; use NewCentering")
class OldCentering(TransformerMixin, BaseEstimator):
    """An own transformer on its way out, marked with scikit-learn's public decorator."""

    def fit(self, X, y=None):
        self.mean_ = np.asarray(X).mean(0)
        return self

    def transform(self, X):
        return X - self.mean_


class TunedPA(PassiveAggressiveClassifier):
    """An own subclass of a class scikit-learn 1.9 deprecates."""
'''


@pytest.mark.parametrize("cls", ["OldCentering", "TunedPA"])
def test_rt103_04_sklearn_deprecated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cls: str
) -> None:
    own = _module(tmp_path, monkeypatch, "rt103_deprecated", _DEPRECATED_MODULE)
    kind = getattr(own, cls)
    x = np.random.RandomState(0).rand(30, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = kind().fit(x, (x[:, 0] > 0.5).astype(int))
    data = pickle.dumps(model, protocol=5)  # NEWOBJ without arguments + BUILD
    path = write(tmp_path, data)
    # today: "a BUILD on what a call of ..., a class the caller trusted, returned: such a call
    # may return an object the class shares (an enum's member)": sklearn.utils.deprecated
    # wraps __new__ in a Python function, which _unwrapped does not see through (it knows
    # typing_extensions' and warnings' wrappers only, rt96-03)
    assert _loads(path, [kind]) == "loaded"
    assert _scan_safe(data, [kind])


# --- rt103-05: HONEST: a computed functools.cached_property -------------------------------

_CACHED_MODULE = '''
import functools

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin


class Whitener(TransformerMixin, BaseEstimator):
    """Scales by a factor computed once, on first use."""

    def __init__(self, factor=2.0):
        self.factor = factor

    def fit(self, X, y=None):
        self.mean_ = np.asarray(X).mean(0)
        return self

    @functools.cached_property
    def scale_(self):
        return self.mean_ * self.factor

    def transform(self, X):
        return (np.asarray(X) - self.mean_) * self.scale_
'''


def test_rt103_05_cached_property(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = _module(tmp_path, monkeypatch, "rt103_cached", _CACHED_MODULE)
    x = np.random.RandomState(0).rand(10, 3)
    model = own.Whitener().fit(x)
    model.transform(x)  # computes scale_, which cached_property keeps in the instance dict
    data = pickle.dumps(model, protocol=5)
    path = write(tmp_path, data)
    # today: "state key 'scale_' would hide what Whitener itself defines under that name (a
    # method, property or class setting)": a cached_property is a non-data descriptor whose
    # whole design is that the instance dict holds its value
    assert _loads(path, [own.Whitener]) == "loaded"
    assert _scan_safe(data, [own.Whitener])


# --- rt103-06: a trusted class's own __del__ runs on the file's values in a refused load ---

_DEL_MODULE = '''
class RunLog:
    """Records a run's events; the log is written out when the object goes away."""

    def __init__(self, path="run.log"):
        self.path = path
        self.events = []

    def add(self, event):
        self.events.append(event)

    def __del__(self):
        with open(self.path, "a") as fh:
            fh.write("\\n".join(self.events))
'''

_DEL_CHILD = """
import sys, gc
sys.path.insert(0, ".")
import rt103_del
data = open(sys.argv[1], "rb").read()
if "{how}" == "plain":
    import pickle
    print("plain:", repr(pickle.loads(data)), flush=True)
else:
    import safeload
    try:
        print("scan safe:", safeload.scan(data, trusted=[rt103_del.RunLog]).safe, flush=True)
    except safeload.UsageError as exc:
        print("scan: not trusted", exc, flush=True)
    try:
        safeload.load_unsigned(sys.argv[1], trusted=[rt103_del.RunLog])
        print("load: loaded", flush=True)
    except safeload.UsageError as exc:
        print("load: not trusted", exc, flush=True)
    except safeload.SafeloadError as exc:
        print("load: refused", exc, flush=True)
gc.collect()
"""


def _dropped_runlog(marker: Path, tail: bytes) -> bytes:
    """NEWOBJ RunLog, BUILD {'path': marker, 'events': ['ran']}, POP, then ``tail``."""
    state = (
        b"}"
        + binunicode("path")
        + binunicode(str(marker))
        + b"s"
        + binunicode("events")
        + b"]"
        + binunicode("written by the file")
        + b"as"
    )
    return b"\x80\x02" + global_("rt103_del", "RunLog") + b")\x81" + state + b"b0" + tail


@pytest.mark.parametrize("model", ["int", "refused-model"])
def test_rt103_06_own_del_dropped(tmp_path: Path, model: str) -> None:
    from sklearn.linear_model import LogisticRegression

    (tmp_path / "rt103_del.py").write_text(_DEL_MODULE)
    marker = tmp_path / "chosen_by_the_file.txt"
    if model == "int":
        tail = b"K\x01."  # the model is 1; the RunLog is built and dropped
    else:
        x = np.random.RandomState(0).rand(20, 3)
        lr = LogisticRegression().fit(x, x[:, 0] > 0.5)
        lr.C = -1.0  # refused by the load's checks after building
        tail = pickle.dumps(lr, protocol=2)[2:]
    path = write(tmp_path, _dropped_runlog(marker, tail))
    plain = child(_DEL_CHILD.format(how="plain"), path)
    assert marker.exists(), plain.output  # the harm, plain pickle: a write the file chose
    marker.unlink()
    safe = child(_DEL_CHILD.format(how="safeload"), path)
    # today ("int"): scan SAFE, the load returns 1 and the caller's __del__ has appended the
    # file's text to the file's path; ("refused-model"): the load refuses, and the write
    # happened all the same (the dropped object died during the load)
    # (since the port: a class with its own __del__ is not trusted at all, a usage error
    # before anything is read)
    assert "scan: not trusted" in safe.stdout and "load: not trusted" in safe.stdout, safe.output
    assert "__del__ is a finalizer" in safe.stdout, safe.output
    assert not marker.exists(), safe.output


# --- rt103-07: PARITY: an own Tree subclass is refused by scan and loaded ------------------


def test_rt103_07_own_tree_parity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from redteam import tree_pickle

    own = _module(
        tmp_path,
        monkeypatch,
        "rt103_tree",
        "from sklearn.tree._tree import Tree\n\n\nclass MyTree(Tree):\n"
        '    """An own tree structure."""\n',
    )
    real = global_("sklearn.tree._tree", "Tree")
    data = tree_pickle(protocol=2)
    assert data.count(real) == 1
    data = data.replace(real, global_("rt103_tree", "MyTree"))
    path = write(tmp_path, data)
    # scan: "state key 'max_depth' would hide what MyTree itself defines under that name"
    # (static.py's _DATA_ONLY knows Tree by its exact name; Tree.__setstate__ consumes the
    # dict, which never becomes the instance's), while the load loaded it. Since the port
    # both refuse, for one reason: the rules on Tree's three arguments (rt50-05) are keyed
    # on Tree itself, and a subclass called with the file's arguments meets none of them
    # (trusted_classes.builtin_args_problem); a state-only own Tree subclass is judged as
    # Tree's data (static._data_only)
    why = "made by the compiled Tree.__new__ on arguments from the file"
    assert why in _loads(path, [own.MyTree])
    report = safeload.scan(data, trusted=[own.MyTree])
    assert any(why in f.message for f in report.findings), report.findings


# --- rt103-08: PARITY: an own functools.partial subclass as a callable ---------------------

_PARTIAL_MODULE = '''
import functools


class Named(functools.partial):
    """A partial with a readable name (for a pipeline's HTML view)."""

    def __repr__(self):
        return f"Named({self.func.__name__})"
'''


def test_rt103_08_own_partial_parity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sklearn.preprocessing import FunctionTransformer

    own = _module(tmp_path, monkeypatch, "rt103_partial", _PARTIAL_MODULE)
    model = FunctionTransformer(func=own.Named(np.exp)).fit(np.ones((3, 2)))
    data = pickle.dumps(model, protocol=4)
    path = write(tmp_path, data)
    # the load judged it as a partial (kinds._callable: isinstance(value, functools.partial):
    # func, args and keywords checked, out=/where= refused) and loaded it; scan's
    # static_kinds._callable_problem asks facts.is_partial, ``cls is functools.partial``:
    # "FunctionTransformer.func holds what rt103_partial.Named makes where a callable from
    # the allowlist is used". Since the port both refuse: a subclass's own methods
    # (__call__, __repr__) are not partial's, so only partial itself is a stored callable
    # (kinds._callable), and the subclass is made by partial's compiled __new__ on the
    # file's arguments, which no rule judges for a subclass
    # (refused before building: a trusted class made by the compiled partial.__new__ on the
    # file's arguments, trusted_classes.builtin_args_problem)
    assert "made by the compiled partial.__new__" in _loads(path, [own.Named])
    assert not _scan_safe(data, [own.Named])


# --- rt103-09: an own subclass of a builtin is built by the builtin's constructor, unnarrowed

_BUILTIN_MODULE = '''
class Blob(bytes):
    """Raw bytes with a type of their own (a file's digest)."""


class Text(str):
    """A label with a type of its own."""
'''

_BUILTIN_CHILD = """
import resource, sys, time
sys.path.insert(0, ".")
import rt103_builtin
start = time.process_time()
if "{how}" == "plain":
    import pickle
    made = pickle.loads(open(sys.argv[1], "rb").read())
    print("loaded", flush=True)
else:
    import safeload
    trusted = [rt103_builtin.Blob, rt103_builtin.Text]
    try:
        print("scan safe:", safeload.scan(sys.argv[1], trusted=trusted).safe, flush=True)
    except safeload.UsageError as exc:  # (since rt107-01: bytes and str subclasses)
        print("scan safe: False", "refused, untrustable:", str(exc)[:200], flush=True)
        sys.exit(0)
    try:
        made = safeload.load_unsigned(sys.argv[1], trusted=trusted)
        print("loaded", flush=True)
    except safeload.SafeloadError as exc:
        print("refused", str(exc)[:300], flush=True)
        sys.exit(0)
print("length", len(made), "cpu", round(time.process_time() - start, 2), flush=True)
print("maxrss_mb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, flush=True)
"""


def _builtin_file(kind: str) -> bytes:
    if kind.startswith("bytes"):
        # NEWOBJ Blob (1.5 GiB,): bytes.__new__(Blob, n) allocates n zero bytes (26 bytes;
        # BININT's 2**31 - 1 is 2 GiB, and LONG1 asks any size)
        return b"\x80\x04" + global_("rt103_builtin", "Blob") + b"J\x00\x00\x00\x60\x85\x81."
    # NEWOBJ Text (raw, 'punycode'): str.__new__(Text, raw, 'punycode') decodes punycode,
    # whose insertion sort copies the whole string per character: quadratic (300 KB, 4.5 s)
    raw = ("\U0001f600" * 300_000).encode("punycode")
    return (
        b"\x80\x04"
        + global_("rt103_builtin", "Text")
        + b"B"
        + len(raw).to_bytes(4, "little")
        + raw
        + b"\x8c\x08punycode\x86\x81."
    )


@pytest.mark.parametrize("kind", ["bytes(1.5 GiB)", "str(raw, 'punycode')"])
def test_rt103_09_builtin_subclass_arguments(tmp_path: Path, kind: str) -> None:
    (tmp_path / "rt103_builtin.py").write_text(_BUILTIN_MODULE)
    path = write(tmp_path, _builtin_file(kind))
    cpu = 1.5 if kind.startswith("str") else 5
    plain = child(_BUILTIN_CHILD.format(how="plain"), path, memory=6 * GB, cpu=cpu)
    if kind.startswith("bytes"):
        # the harm, plain pickle: 1.5 GiB from a 26-byte file
        assert f"length {3 << 29}" in plain.stdout, plain.output
        assert int(plain.stdout.split("maxrss_mb")[1]) > 1400, plain.output
    else:
        assert plain.returncode != 0 and "length" not in plain.stdout, plain.output  # > 1.5 s CPU
    # today: scan calls it unproven ("called with arguments", the rule for the caller's own
    # constructors), and the load runs bytes.__new__/str.__new__ on the file's arguments:
    # "loaded", 1.5 GiB (2**31 - 1: 2 GiB in 1.8 s), or 4.5 s of CPU (600 KB: 18 s);
    # safeload's own narrowing of the builtins (bytes(int) never, str(bytes, encoding)
    # never: rt24, rt53) never meets a subclass
    safe = child(_BUILTIN_CHILD.format(how="safeload"), path, memory=6 * GB, cpu=cpu)
    assert "scan safe: False" in safe.stdout, safe.output
    assert "refused" in safe.stdout, safe.output


# --- rt103-10: a dependency installed editable by an import hook (meson-python) is "own" --

_LOADER = """
# what meson-python's editable wheel installs in site-packages (much simplified): a module
# whose import puts a meta path finder for the project's top-level names on sys.meta_path
import importlib.abc
import importlib.util
import os
import sys

_ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "checkout")


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self, names):
        self.names = names

    def find_spec(self, fullname, path=None, target=None):
        if fullname.partition(".")[0] not in self.names:
            return None
        where = os.path.join(_ROOT, *fullname.split("."))
        if os.path.isdir(where):
            return importlib.util.spec_from_file_location(
                fullname, os.path.join(where, "__init__.py"), submodule_search_locations=[where]
            )
        return importlib.util.spec_from_file_location(fullname, where + ".py")


def install(names):
    sys.meta_path.insert(0, _Finder(set(names)))


install({"rt103dep"})
"""

_DEPENDENCY = HOOKED_DEPENDENCY

_EDITABLE_CHILD = hooked_dependency_child("rt103dep")


def test_rt103_10_import_hook_editable_dependency(tmp_path: Path) -> None:
    site = tmp_path / "site"
    info = site / "rt103dep-1.0.dist-info"
    info.mkdir(parents=True)
    (tmp_path / "checkout" / "rt103dep").mkdir(parents=True)
    (tmp_path / "checkout" / "rt103dep" / "__init__.py").write_text(_DEPENDENCY)
    # meson-python's layout: _<name>_editable_loader.py, <name>-editable.pth holding only
    # "import _<name>_editable_loader", and a dist-info with no top_level.txt
    (site / "_rt103dep_editable_loader.py").write_text(_LOADER)
    (site / "rt103dep-editable.pth").write_text("import _rt103dep_editable_loader\n")
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: rt103dep\nVersion: 1.0\n")
    (info / "RECORD").write_text(
        "_rt103dep_editable_loader.py,,\nrt103dep-editable.pth,,\n"
        "rt103dep-1.0.dist-info/METADATA,,\nrt103dep-1.0.dist-info/RECORD,,\n"
    )
    marker = tmp_path / "ran.txt"
    code = f"open({str(marker)!r}, 'w').write('ran')"
    state = b"}" + binunicode("_template") + binunicode(code) + b"s"
    data = b"\x80\x02" + global_("rt103dep", "Template") + b")\x81" + state + b"b."
    path = write(tmp_path, data)
    run = child(_EDITABLE_CHILD, path, cpu=60, fresh=True)
    # today: "installed: None" (_tops_of reads top_level.txt, RECORD's own names and the
    # folders a .pth lists; an "import" line is passed over, so rt103dep is nobody's),
    # the refusal's advice offers trusted=['rt103dep.Template'], the load with it runs
    # the dependency's __setstate__ on the file's text, and the marker is written
    assert "installed: rt103dep" in run.stdout, run.output
    assert "load: refused" in run.stdout, run.output
    assert not marker.exists()
