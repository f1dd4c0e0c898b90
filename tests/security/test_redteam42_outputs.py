"""rt42-08 through the profiles: xgboost and LightGBM regressors of several outputs where
scikit-learn needs one.

rt42-08's fix holds every regressor inside a multilabel one-vs-rest or a VotingRegressor (and
BaggingRegressor, AdaBoostRegressor) to one output, by the width scikit-learn's regressors
store (``n_outputs_``, ``coef_``, ``intercept_``...). An ``XGBRegressor`` or ``LGBMRegressor``
stores none: its width is its Booster's. xgboost trains ``num_target`` outputs for a 2-column
``y`` (one tree per target, or vector leaves with ``multi_strategy="multi_output_tree"``) and
``predict`` returns ``max(num_class, num_target)`` columns; a LightGBM ``LGBMRegressor``
trained with a multiclass objective predicts the model text's ``num_class`` columns. Either,
fitted honestly and put in a VotingRegressor, made ``predict`` transpose its (rows, k) answer
into k scores whatever the rows, which a multilabel one-vs-rest took as row indexes past its
indicator matrix: scan SAFE, load_unsigned loaded it (with the profile), ``predict`` wrote
past the matrix (SIGSEGV, or ``free(): invalid pointer``). Fixed: ``labels._single_output_problem``
reads the Booster's width (the load asks the built Booster, scan reads the blob or text the
stream holds). Each reproducer shows the harm under plain pickle in a child, then the refusal
in scan and load; honest one-output models of both libraries keep loading.
"""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest

import safeload
from redteam import OVR_PREDICT, child, write
from safeload import SafeloadError

xgb = pytest.importorskip("xgboost")
lgb = pytest.importorskip("lightgbm")

Xs = np.random.RandomState(0).rand(40, 3)
LABELS = np.c_[np.arange(40) % 2, (np.arange(40) // 2) % 2]  # two labels: multilabel
PROFILES = {"xgboost": ["xgboost"], "lightgbm": ["lightgbm"]}


def _profile(kind: str) -> list[str]:
    return PROFILES["lightgbm" if kind.startswith("lgbm") else "xgboost"]


def _wide(kind: str, width: int) -> Any:
    """An honestly fitted regressor of ``width`` outputs."""
    warnings.simplefilter("ignore")
    rng = np.random.RandomState(1)
    if kind == "xgb":  # a 2-D target: one tree per target and round
        return xgb.XGBRegressor(n_estimators=1, max_depth=1).fit(Xs, rng.rand(40, width))
    if kind == "xgb-multi-strategy":  # vector leaves
        return xgb.XGBRegressor(
            n_estimators=1, max_depth=1, tree_method="hist", multi_strategy="multi_output_tree"
        ).fit(Xs, rng.rand(40, width))
    if kind == "xgb-softprob":  # a multiclass objective in the regressor wrapper
        y = np.arange(4 * width) % width
        return xgb.XGBRegressor(
            n_estimators=1, max_depth=1, objective="multi:softprob", num_class=width
        ).fit(rng.rand(4 * width, 3), y)
    assert kind == "lgbm"
    # every class once, then the last one thrice as often: predict gives it most weight
    y = np.r_[np.arange(width), np.full(3 * width, width - 1)]
    return lgb.LGBMRegressor(
        n_estimators=1, objective="multiclass", num_class=width, verbose=-1
    ).fit(rng.rand(4 * width, 3), y)


def _one(kind: str) -> Any:
    """An honest regressor of one output."""
    warnings.simplefilter("ignore")
    y = np.arange(40) * 1.0
    if kind == "xgb":
        return xgb.XGBRegressor(n_estimators=2, max_depth=2).fit(Xs, y)
    if kind == "xgb-rf":
        return xgb.XGBRFRegressor(n_estimators=2, max_depth=2).fit(Xs, y)
    if kind == "xgb-linear":
        return xgb.XGBRegressor(n_estimators=2, booster="gblinear").fit(Xs, y)
    assert kind == "lgbm"
    return lgb.LGBMRegressor(n_estimators=2, verbose=-1, min_child_samples=1).fit(Xs, y)


def _voter(inner: Any) -> Any:
    """A fitted VotingRegressor whose one estimator is ``inner`` (its fit takes only a 1-D
    target, so a multi-output one is put in after)."""
    from sklearn.ensemble import VotingRegressor
    from sklearn.linear_model import LinearRegression

    vote = VotingRegressor([("w", LinearRegression())]).fit(Xs, LABELS[:, 0])
    vote.estimators_ = [inner]
    vote.named_estimators_["w"] = inner
    return vote


def _ovr_of_voters(kind: str, width: int) -> bytes:
    """A fitted multilabel OneVsRestClassifier whose estimators are VotingRegressors, each
    over one honestly fitted ``width``-output regressor of ``kind``."""
    from sklearn.linear_model import LinearRegression
    from sklearn.multiclass import OneVsRestClassifier

    m = OneVsRestClassifier(LinearRegression()).fit(Xs, LABELS)
    m.estimators_ = [_voter(_wide(kind, width)) for _ in m.estimators_]
    return pickle.dumps(m, protocol=5)


def _refused_by_both(path: Path, profiles: list[str]) -> None:
    """Scan (with ``profiles``) calls the file unsafe, naming the booster's width, and
    ``load_unsigned`` refuses it."""
    report = safeload.scan(path, profiles=profiles)
    assert not report.safe
    assert "booster predicts" in " ".join(f.message for f in report.findings), report
    with pytest.raises(SafeloadError, match="booster predicts"):
        safeload.load_unsigned(path, profiles=profiles)


def _loads(model: Any, tmp_path: Path, profiles: list[str], *, protocol: int = 5) -> Any:
    path = write(tmp_path, pickle.dumps(model, protocol=protocol))
    report = safeload.scan(path, profiles=profiles)
    assert report.safe, report
    return safeload.load_unsigned(path, profiles=profiles)


@pytest.mark.parametrize("kind", ["xgb", "xgb-multi-strategy"])
def test_rt42_08_profile_regressor_many_outputs_oob_write(kind: str, tmp_path: Path) -> None:
    """~30 to 90 KB: a multilabel one-vs-rest over VotingRegressors, each holding an
    honestly fitted xgboost regressor of 1,000 outputs (a 1,000-column ``y``).
    ``VotingRegressor.predict`` turns its (rows, 1000) prediction into 1,000 scores, which
    ``OneVsRestClassifier.predict`` takes as row indexes of a ``csc_matrix`` of ``rows``
    rows: ``toarray()`` writes past it, and predicting 1..300 rows kills the child. Scan SAFE
    and load_unsigned loaded it with the profile before the fix; now both refuse it, and the
    safe child's predict never runs."""
    path = write(tmp_path, _ovr_of_voters(kind, 1000))
    plain = child(OVR_PREDICT.format(load="pickle.load(open(sys.argv[1], 'rb'))"), path)
    assert plain.loaded and plain.crashed, str(plain)
    load = f"safeload.load_unsigned(sys.argv[1], profiles={_profile(kind)!r})"
    after = child(OVR_PREDICT.format(load=load), path)
    assert not after.crashed and not after.loaded, str(after)
    _refused_by_both(path, _profile(kind))


_ROWS_PAST = (
    "import pickle, numpy\nmodel = pickle.load(open(sys.argv[1], 'rb'))\n"
    "voter = model.estimators_[0]\n"
    "x = numpy.random.RandomState(1).rand(1, 3)\n"
    "rows = numpy.where(voter.predict(x) > 0.5)[0]\n"
    "print('scores', voter.predict(x).shape[0], 'rows', rows.tolist(), flush=True)\n"
)


def test_rt42_08_lightgbm_regressor_many_outputs_rows_past(tmp_path: Path) -> None:
    """~300 KB: the same one-vs-rest over VotingRegressors, each holding an honestly fitted
    ``LGBMRegressor`` with a 50-class multiclass objective (its text's ``num_class=50``).
    Its softmax answers put at most one class over the one-vs-rest threshold, so one row
    index per call and no reliable crash; the child shows the write's cause under plain
    pickle: for one input row the voter gives 50 scores, and the one over 0.5 is row 49,
    which ``OneVsRestClassifier.predict`` writes into an indicator matrix of one row. Refused
    by scan and load."""
    path = write(tmp_path, _ovr_of_voters("lgbm", 50))
    plain = child(_ROWS_PAST, path)
    assert "scores 50 rows [49]" in plain.stdout, str(plain)
    _refused_by_both(path, ["lightgbm"])


@pytest.mark.parametrize("kind", ["xgb", "xgb-multi-strategy", "xgb-softprob", "lgbm"])
@pytest.mark.parametrize("protocol", [2, 4, 5, "joblib"])
def test_voting_regressor_of_profile_multi_output_refused(
    kind: str, protocol: int | str, tmp_path: Path
) -> None:
    """The VotingRegressor rule outside a one-vs-rest, in every form the Booster's blob takes
    in a stream (a bytearray's bytes as a call or a ``BYTEARRAY8``, joblib's pickle): a voter
    over a 3-output xgboost or LightGBM regressor is refused by scan and load alike."""
    vote = _voter(_wide(kind, 3))
    if protocol == "joblib":
        path = tmp_path / "m.joblib"
        joblib.dump(vote, path)
    else:
        path = write(tmp_path, pickle.dumps(vote, protocol=int(protocol)))
    _refused_by_both(path, _profile(kind))


def test_profile_multi_output_in_bagging_refused(tmp_path: Path) -> None:
    """A voter whose estimator is a BaggingRegressor (its predict sums its estimators'
    answers) over multi-output xgboost regressors: the rule follows the ensemble to them, as
    for scikit-learn's regressors. (A bagging ensemble alone, where nothing needs one output,
    is not held to it.)"""
    from sklearn.ensemble import BaggingRegressor

    bag = BaggingRegressor(n_estimators=2).fit(Xs, np.arange(40) * 1.0)
    bag.estimators_ = [_wide("xgb", 3), _wide("xgb", 3)]
    path = write(tmp_path, pickle.dumps(_voter(bag), protocol=5))
    _refused_by_both(path, ["xgboost"])


@pytest.mark.parametrize("kind", ["xgb", "xgb-rf", "xgb-linear", "lgbm"])
@pytest.mark.parametrize("protocol", [2, 5])
def test_profile_single_output_regressors_load(kind: str, protocol: int, tmp_path: Path) -> None:
    """Honest one-output xgboost and LightGBM regressors in a VotingRegressor and in a
    multilabel one-vs-rest: scan SAFE, load, and predict as before."""
    from sklearn.ensemble import VotingRegressor
    from sklearn.linear_model import Ridge
    from sklearn.multiclass import OneVsRestClassifier

    profiles = _profile(kind)
    vote = VotingRegressor([("b", _one(kind)), ("r", Ridge())]).fit(Xs, np.arange(40) * 1.0)
    loaded = _loads(vote, tmp_path, profiles, protocol=protocol)
    np.testing.assert_allclose(loaded.predict(Xs), vote.predict(Xs), rtol=1e-6)
    warnings.simplefilter("ignore")
    ovr = OneVsRestClassifier(VotingRegressor([("b", _one(kind))])).fit(Xs, LABELS)
    loaded = _loads(ovr, tmp_path, profiles, protocol=protocol)
    np.testing.assert_array_equal(loaded.predict(Xs), ovr.predict(Xs))


@pytest.mark.parametrize("kind", ["xgb", "xgb-multi-strategy", "lgbm"])
def test_profile_multi_output_alone_loads(kind: str, tmp_path: Path) -> None:
    """A multi-output xgboost or LightGBM regressor where nothing needs one output (on its
    own, or in a pipeline) is an honest model: scan SAFE, load, predict its columns."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = _wide(kind, 3)
    loaded = _loads(model, tmp_path, _profile(kind))
    np.testing.assert_allclose(loaded.predict(Xs), model.predict(Xs), rtol=1e-6)
    pipe = make_pipeline(StandardScaler().fit(Xs), model)
    assert _loads(pipe, tmp_path, _profile(kind)).predict(Xs).shape == (40, 3)
