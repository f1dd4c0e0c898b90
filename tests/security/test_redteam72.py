r"""Red team 72: findings against 1af8ccd ("Scan: a joblib file is checked once on the facts,
not twice": the run on facts imports joblib's array header, ``NumpyArrayWrapper`` joins
``_NO_CHECKS``, ``_named_class_needs_import`` / ``_first_needing_import`` cut the run on facts
short, ``facts.constraint_names`` answers nothing for a real class while ``sklearn.base`` is
not imported) and around it. Red team 72, 22:53 to 23:48 UTC 2026-12-03, on 1af8ccd.

"pure" is a snapshot of /work/main/src in /tmp/rt72p (SAFELOAD_PURE_PYTHON=1); "compiled" is
/work/main's .venv build with PYTHONPATH=/work/main/src; "fresh" is a new interpreter that
imported only safeload (so the run on facts decides a clean joblib file without scikit-learn).

rt72-01 (TRUST, low; predates 1af8ccd: the same verdicts on 1af8ccd^) joblib's array header
        made by ``copyreg._reconstructor(NumpyArrayWrapper, object, None)`` and never given a
        BUILD is no array header to the walk: ``_check_all_built`` lists only the wrappers
        NEWOBJ makes (rt53-08's rule: "without [a BUILD] the wrapper itself would be a value
        of the model"), and the static pass and the checks skip the class
        (``_SKIP_CLASSES``; ``_NO_CHECKS`` since 1af8ccd). A fitted ``LinearRegression``
        whose ``extra_`` is that object (also in a list, as an object array's item, which
        joblib pickles apart and the load unpickles with the same guard, as a dict key, or
        as the file's root): 676 bytes, joblib, uncompressed; scan SAFE (pure, compiled,
        fresh; the run on facts and the run with the classes alike) and ``load_unsigned``
        loads it: the loaded model holds safeload's own stand-in class
        (``safeload.pickle.joblib_stream._wrapper_standin.<locals>.NumpyArrayWrapper``, a
        callable whose closure keeps the load's array regions and guard), or, in a file
        without arrays, a bare ``joblib.numpy_pickle.NumpyArrayWrapper``: an object outside
        the allowlist's intent, held as a model value. No harm found: after the load the
        stand-in raises "joblib array wrapper out of place" when called (its closure keeps
        the load's ``_ArrayRegions`` and ``_Guard``, with the policy, the resolved names and
        the source path, alive as long as the model); as a FunctionTransformer's ``func`` or a
        KNN ``metric`` it is refused by both (the callable allowlist, the parameter
        constraints). Found by making the header by the one other call that makes an object
        of a named class.
rt72-02 (PARITY, low, scan the stricter; predates 1af8ccd: scan unsafe on 1af8ccd^ too) a
        fitted ``RandomForestClassifier(2, max_depth=2)`` whose ``classes_`` is a fitted
        ``Pipeline(StandardScaler, LogisticRegression)``: 3.6 KB joblib; scan UNSAFE ("crafted
        RandomForestClassifier: classes_ is not one array of labels", the run on facts and the
        run with the classes alike; pure and compiled) while ``load_unsigned`` loads it (pure
        and compiled); with a
        ``LogisticRegression`` as ``classes_`` both refuse, so the load's forest check passes
        a Pipeline (it has ``__len__`` and ``__getitem__``) where scan's shadow does not. No
        harm: ``predict`` fails on ``classes_.take``. Found by the parity fuzz (the one
        mismatch among the ~7,400 of 22,378 single-attribute mutations it also loaded).
        Cause not traced.

1af8ccd itself: nothing found. The run on facts and the run with the classes gave the same
verdict and the same findings on every file below, and scan's verdict matched
``load_unsigned``'s wherever compared (rt72-02 apart):

- every fitted scikit-learn estimator ``all_estimators()`` fits with defaults (160, joblib
  uncompressed and zlib 3: 320 files), in-process (scikit-learn imported) and each in a fresh
  interpreter with only safeload imported (only BisectingKMeans unsafe, the documented
  one, as the load);
- 14 mutations of every attribute of each (empty, 2x2, transposed, widened, retyped arrays,
  big / negative numbers, str, None, list, dict, an estimator, an object array holding one),
  facts against classes, in-process (cut short after 12 minutes);
- random mutations of pipelines, forests and trees at any depth (the values above, shared
  arrays, one estimator in two places, the rt72-01 wrapper). With 1-6 mutations nearly every
  file was refused (a refusal on facts is decided again with the classes, so those compare
  nothing); the run that counts: 22,378 single mutations or added attributes (``coef_``,
  ``classes_``, ``estimators_``, ``n_features_in_``, ``tree_``... on any estimator), 15,988
  SAFE, none decided differently by the two runs, ``load_unsigned`` on every third (rt72-02
  the one mismatch);
- honest joblib files (zlib, xz, lz4, uncompressed): object-array labels, a ColumnTransformer
  pipeline on a pandas frame, a model holding a DataFrame, big-endian and Fortran arrays,
  forests, HistGradientBoosting, a dict of models, xgboost and lightgbm wrappers with
  ``profiles=``: all SAFE and loaded (a model holding a ``numpy.memmap`` is refused by both,
  numpy.memmap being a refused name: not this change);
- the wrapper as a value: the class itself as an attribute, dict key, list item, root or
  ``n_features_in_`` (refused by both: "keeps ... as a value"); a real wrapper instance pickled
  with its state (refused: "joblib array data inside a FRAME"); rt72-01's ``_reconstructor``
  form given a state (refused alike);
- object arrays in joblib holding floats, an estimator, a crafted estimator, a forest's
  ``estimators_`` as an object array, two trees sharing a ``Tree``: the two runs agree, fresh
  and not;
- ``facts.constraint_names`` and ``in_place._conditions`` of every class in the facts against
  the imported class (equal for all); which real classes a run on facts can still meet once
  it passes ``_first_needing_import`` (the ``_NO_CHECKS`` dict kinds, Bunch, the wrapper:
  none has ``_parameter_constraints``, and a Bunch needs ``sklearn.utils._bunch`` imported,
  so ``sklearn.base`` too).

Ideas not tested:
- a ``trusted=`` name from a module joblib imports as a side effect of the run on facts
  (``pair[0] in sys.modules`` then resolves it for real in that run);
- compiled (mypyc) walker against the pure one on the fuzz corpora (only the findings' tests
  were run compiled).
"""

from __future__ import annotations

import copyreg
from typing import Any

import numpy as np
import pytest

import safeload
from safeload import SafeloadError


class _Reconstructed:
    """Pickled as ``copyreg._reconstructor(*args)`` (what protocols 0-1 write for a plain
    object), here to make joblib's array header without its NEWOBJ."""

    def __init__(self, *args: Any) -> None:
        self.args = args

    def __reduce__(self) -> Any:
        return (copyreg._reconstructor, self.args)


def _bare_wrapper() -> Any:
    from joblib.numpy_pickle import NumpyArrayWrapper

    return _Reconstructed(NumpyArrayWrapper, object, None)


def _fitted() -> Any:
    from sklearn.linear_model import LinearRegression

    x = np.random.RandomState(0).rand(20, 3)
    return LinearRegression().fit(x, x.sum(axis=1))


# --- rt72-01: a wrapper never given its BUILD, made by copyreg._reconstructor ------------------


def _rt72_01_model(where: str) -> Any:
    if where == "root":
        return _bare_wrapper()
    model = _fitted()
    if where == "attribute":
        model.extra_ = _bare_wrapper()
    elif where == "list":
        model.extra_ = [_bare_wrapper()]
    elif where == "object_array":  # an item of an object array: joblib's nested pickle
        items = np.empty(2, dtype=object)
        items[0], items[1] = _bare_wrapper(), 1.0
        model.extra_ = items
    else:  # a dict key
        return {_bare_wrapper(): 1, "model": model}
    return model


@pytest.mark.parametrize("where", ["attribute", "list", "object_array", "key", "root"])
def test_rt72_01_reconstructed_wrapper_held(tmp_path, where):
    import joblib

    path = tmp_path / "m.joblib"
    joblib.dump(_rt72_01_model(where), path, compress=0)
    # what joblib itself makes of it: the header object, held by the model
    plain = joblib.load(path)
    held = {
        "attribute": lambda m: m.extra_,
        "list": lambda m: m.extra_[0],
        "object_array": lambda m: m.extra_[0],
        "key": lambda m: next(k for k in m if k != "model"),
        "root": lambda m: m,
    }[where](plain)
    assert type(held).__name__ == "NumpyArrayWrapper"
    # rt53-08's rule: no wrapper is a value of the model; scan predicts the load
    assert not safeload.scan(path).safe
    with pytest.raises(SafeloadError):
        safeload.load_unsigned(path)


# --- rt72-02: a forest whose classes_ is a Pipeline ---------------------------------------------


def test_rt72_02_forest_classes_pipeline(tmp_path):
    import joblib
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from redteam import assert_scan_predicts_load

    x = np.random.RandomState(0).rand(30, 3)
    y = (x[:, 0] > 0.5).astype(int)
    forest = RandomForestClassifier(2, max_depth=2, random_state=0).fit(x, y)
    forest.classes_ = make_pipeline(StandardScaler(), LogisticRegression()).fit(x, y)
    path = tmp_path / "m.joblib"
    joblib.dump(forest, path, compress=0)
    assert_scan_predicts_load(path.read_bytes(), tmp_path, name="m.joblib")
