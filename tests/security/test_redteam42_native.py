"""Red team 42's native findings fixed here: a warm-started histogram gradient boosting model
whose next fit predicts the new data with the stored predictors (rt42-04), an MLP whose output
layer is wider than its ``n_outputs_`` (rt42-07) and a VotingRegressor over a multi-output
regressor (rt42-08), both of which a multilabel one-vs-rest turned into rows past its output.
Each reproducer shows the harm under plain pickle in a child, then that safeload refuses the
file in scan and load; honest models of the same kinds keep loading."""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import OVR_PREDICT, child, load_honest, parity, write

X = np.random.RandomState(0).rand(30, 3)
Y2 = np.arange(30) % 2


# --- rt42-04: histogram boosting with warm_start: fit reads the caller's binned data OOB -------


def _rt42_04_hgb(regressor: bool = False) -> bytes:
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    cls = HistGradientBoostingRegressor if regressor else HistGradientBoostingClassifier
    m = cls(max_iter=1, warm_start=True, min_samples_leaf=2, early_stopping=False).fit(X, Y2)
    n = 1 << 20  # MAX_EMPTY_DIM: a width no stored array has to pay for
    m.n_features_in_ = n
    m._n_features = n
    m._bin_mapper = None  # fit makes a new one before it predicts with the stored trees
    for pred in m._predictors[0]:
        nodes = pred.nodes
        nodes["feature_idx"][~nodes["is_leaf"].astype(bool)] = n - 1
    return pickle.dumps(m, protocol=5)


_FIT_NARROW = (
    "import pickle, numpy, safeload\n"
    "model = {load}\n"
    "print('loaded', flush=True)\n"
    "X = numpy.random.RandomState(0).rand(100, 3)\n"
    "model.fit(X, numpy.arange(100) % 2)\n"
    "print('returned', flush=True)\n"
)


@pytest.mark.parametrize("regressor", [False, True], ids=["classifier", "regressor"])
def test_rt42_04_hgb_warm_start_fit_segfault(regressor: bool, tmp_path: Path) -> None:
    """~3.5 KB: a fitted HistGradientBoostingClassifier (one iteration) with ``warm_start=True``,
    ``n_features_in_`` 2**20 (``MAX_EMPTY_DIM``: no stored array has to pay for it), its
    predictors' split feature ``2**20 - 1`` (in range for the check) and ``_bin_mapper``
    ``None``. Scan SAFE, load_unsigned loads it. ``fit(X, y)`` on the caller's 3-column data
    resets ``n_features_in_``, bins X with a new mapper and, because the model is fitted and
    warm-started, calls ``_raw_predict`` on the binned data with the *stored* predictors:
    ``predict_binned`` reads column 2**20 - 1 of a 3-column array with no bounds check, and
    the child dies of SIGSEGV (after safeload's load as after plain pickle). The same
    scikit-learn bug rt33-20/rt34-11 found for linear models (``widths._check_warm_start``
    refuses those with ``warm_start`` set), reached through a class that rule does not
    cover; an honest warm-started model refitted on narrower data reads out of bounds
    silently, the crafted width makes it a crash. Fixed: ``hgb.check_hgb`` refuses a fitted
    model with ``warm_start`` set (set it after loading)."""
    path = write(tmp_path, _rt42_04_hgb(regressor))
    plain = child(_FIT_NARROW.format(load="pickle.load(open(sys.argv[1], 'rb'))"), path)
    assert plain.loaded and plain.crashed, str(plain)
    after = child(_FIT_NARROW.format(load="safeload.load_unsigned(sys.argv[1])"), path)
    assert not after.crashed, str(after)
    assert parity(path.read_bytes(), tmp_path) == (False, "refused")


def test_rt42_04_honest_hgb_loads(tmp_path: Path) -> None:
    """Unfitted models with warm_start, and fitted ones without it, still load (and a loaded
    one can be warm-started by setting warm_start after the load, as the message says)."""
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    for cls in (HistGradientBoostingClassifier, HistGradientBoostingRegressor):
        load_honest(cls(warm_start=True), tmp_path)
        fitted = cls(max_iter=2, min_samples_leaf=2, early_stopping=False).fit(X, Y2)
        loaded = load_honest(fitted, tmp_path)
        loaded.set_params(warm_start=True, max_iter=3).fit(X, Y2)
        np.testing.assert_array_equal(loaded.predict(X).shape, (30,))


# --- rt42-07: an MLPClassifier whose output layer is wider than n_outputs_, in a one-vs-rest ---


def _rt42_07_ovr(width: int = 1000, wrap: str = "") -> bytes:
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.neural_network import MLPClassifier

    warnings.simplefilter("ignore")
    Xs = np.random.RandomState(0).rand(40, 3)
    Y = np.c_[np.arange(40) % 2, (np.arange(40) // 2) % 2]  # two labels: multilabel
    mlp = MLPClassifier(hidden_layer_sizes=(1,), max_iter=20, random_state=0)
    m = OneVsRestClassifier(mlp).fit(Xs, Y)
    for sub in m.estimators_:
        # n_outputs_ stays 1 and out_activation_ 'logistic': predict_proba ravels the
        # (rows, width) output and stacks it as (rows * width, 2)
        sub.coefs_[-1] = np.full((1, width), 5.0)
        sub.intercepts_[-1] = np.full(width, 5.0)
    return pickle.dumps(m, protocol=5)


def test_rt42_07_one_vs_rest_mlp_wide_output_oob_write(tmp_path: Path) -> None:
    """~17 KB: rt41-08 again, through a classifier the fix does not look into. A fitted
    multilabel OneVsRestClassifier over MLPClassifiers (two classes each, ``n_outputs_`` 1,
    ``out_activation_`` 'logistic') whose last layer (``coefs_[-1]``, ``intercepts_[-1]``)
    has 1,000 units instead of 1. ``labels._one_score_problem`` passes a two-class classifier
    without ``decision_function`` ("answers ``predict_proba(X)[:, 1]``"), and nothing holds
    an MLP's output width to its ``n_outputs_``. ``MLPClassifier.predict_proba`` ravels the
    (rows, 1000) output because ``n_outputs_ == 1`` and stacks it into (1000 * rows, 2), so
    ``_predict_binary`` gives 1,000 scores per row; ``OneVsRestClassifier.predict`` takes
    their ``np.where(...)[0]`` as row indexes of a ``csc_matrix`` of ``rows`` rows, and
    ``LabelBinarizer.inverse_transform`` densifies it: ``toarray()`` writes up to 1,000 x
    rows x 8 bytes past the output. Scan SAFE, load_unsigned loads it; after the load,
    ``predict`` of 1..300 rows kills the child with SIGSEGV (under plain pickle and after
    safeload's load alike). Fixed: ``estimators.check_mlp`` holds every MLP's layers to
    chain from ``n_features_in_`` to ``n_outputs_``, and a classifier's ``n_outputs_`` to its
    classes."""
    path = write(tmp_path, _rt42_07_ovr())
    plain = child(OVR_PREDICT.format(load="pickle.load(open(sys.argv[1], 'rb'))"), path)
    assert plain.loaded and plain.crashed, str(plain)
    after = child(OVR_PREDICT.format(load="safeload.load_unsigned(sys.argv[1])"), path)
    assert not after.crashed, str(after)
    assert parity(path.read_bytes(), tmp_path) == (False, "refused")


def _rt42_08_ovr(width: int = 1000) -> bytes:
    from sklearn.dummy import DummyRegressor
    from sklearn.ensemble import VotingRegressor
    from sklearn.linear_model import LinearRegression
    from sklearn.multiclass import OneVsRestClassifier

    warnings.simplefilter("ignore")
    Xs = np.random.RandomState(0).rand(40, 3)
    Y = np.c_[np.arange(40) % 2, (np.arange(40) // 2) % 2]  # two labels: multilabel
    m = OneVsRestClassifier(LinearRegression()).fit(Xs, Y)
    subs = []
    for _ in m.estimators_:
        wide = DummyRegressor(strategy="constant", constant=np.full(width, 5.0))
        wide.fit(Xs, np.full((40, width), 5.0))  # n_outputs_ = width, as fit stores it
        vote = VotingRegressor([("d", DummyRegressor())]).fit(Xs, Y[:, 0])
        vote.estimators_ = [wide]
        vote.named_estimators_["d"] = wide
        subs.append(vote)
    m.estimators_ = subs
    return pickle.dumps(m, protocol=5)


def test_rt42_08_one_vs_rest_voting_regressor_oob_write(tmp_path: Path) -> None:
    """~33 KB: rt41-08 again through the regressor branch. A fitted multilabel
    OneVsRestClassifier whose estimators are VotingRegressors, each holding one fitted
    multi-output DummyRegressor (1,000 outputs, ``constant_`` of shape (1, 1000) as fit
    stores it). ``labels._one_score_problem`` returns early for any regressor ("predict: a row
    per input row"), but ``VotingRegressor.predict`` is ``np.average(np.asarray([p]).T,
    axis=1)``: the (rows, 1000) prediction transposed to (1000, rows, 1) and averaged over the
    rows, i.e. 1,000 scores whatever the number of rows. ``OneVsRestClassifier.predict``
    (threshold 0.5 for a regressor) takes them as row indexes 0..999 of a ``csc_matrix`` of
    ``rows`` rows and ``toarray()`` writes past it. (``VotingRegressor.fit`` takes only a 1-D
    target, so no fit stores a multi-output voter.) Scan SAFE, load_unsigned loads it;
    ``predict`` of 1..300 rows kills the child with SIGSEGV. Fixed: a one-vs-rest regressor
    and every VotingRegressor estimator must be a regressor of one output
    (``labels._single_output_problem``, ``labels.check_voting_regressor``)."""
    path = write(tmp_path, _rt42_08_ovr())
    plain = child(OVR_PREDICT.format(load="pickle.load(open(sys.argv[1], 'rb'))"), path)
    assert plain.loaded and plain.crashed, str(plain)
    after = child(OVR_PREDICT.format(load="safeload.load_unsigned(sys.argv[1])"), path)
    assert not after.crashed, str(after)
    assert parity(path.read_bytes(), tmp_path) == (False, "refused")


def _labels(n: int = 40) -> Any:
    return np.c_[np.arange(n) % 2, (np.arange(n) // 2) % 2]  # two labels: multilabel


def test_rt42_07_honest_mlps_load(tmp_path: Path) -> None:
    """MLPs of every output kind load, alone and in a (multilabel) one-vs-rest."""
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    warnings.simplefilter("ignore")
    Xs = np.random.RandomState(0).rand(40, 3)
    targets = {
        "binary": np.arange(40) % 2,
        "multiclass": np.arange(40) % 3,
        "multilabel": _labels(),
        "strings": np.array(["a", "b"])[np.arange(40) % 2],
    }
    for y in targets.values():
        mlp = MLPClassifier(hidden_layer_sizes=(4, 3), max_iter=20, random_state=0).fit(Xs, y)
        np.testing.assert_array_equal(load_honest(mlp, tmp_path).predict(Xs), mlp.predict(Xs))
    for y in (np.random.RandomState(1).rand(40), np.random.RandomState(1).rand(40, 3)):
        reg = MLPRegressor(hidden_layer_sizes=(4,), max_iter=20, random_state=0).fit(Xs, y)
        load_honest(reg, tmp_path).predict(Xs)
    for y in (_labels(), np.arange(40) % 3):
        ovr = OneVsRestClassifier(MLPClassifier(hidden_layer_sizes=(2,), max_iter=20)).fit(Xs, y)
        np.testing.assert_array_equal(load_honest(ovr, tmp_path).predict(Xs), ovr.predict(Xs))
    load_honest(MLPClassifier(), tmp_path)


def test_rt42_07_mlp_layers_must_chain(tmp_path: Path) -> None:
    """The shape rule on its own, outside a one-vs-rest: a last layer wider than
    ``n_outputs_``, layers that do not chain, and a first layer narrower than
    ``n_features_in_`` are refused by scan and load alike."""
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    warnings.simplefilter("ignore")
    Xs = np.random.RandomState(0).rand(40, 3)
    for cls, y in ((MLPClassifier, np.arange(40) % 2), (MLPRegressor, np.arange(40) * 1.0)):
        for how in ("wide-output", "unchained", "narrow-input", "multiclass-as-binary"):
            m = cls(hidden_layer_sizes=(4,), max_iter=5, random_state=0).fit(Xs, y)
            if how == "wide-output":
                m.coefs_[-1] = np.ones((4, 7))
                m.intercepts_[-1] = np.ones(7)
            elif how == "unchained":
                m.coefs_[-1] = np.ones((5, 1))
            elif how == "narrow-input":
                m.n_features_in_ = 2
            elif cls is MLPClassifier:
                m.classes_ = np.arange(3)
                m._label_binarizer.classes_ = np.arange(3)
            else:
                continue
            assert parity(pickle.dumps(m, protocol=5), tmp_path) == (False, "refused"), how


def test_rt42_08_honest_regressors_load(tmp_path: Path) -> None:
    """A multilabel one-vs-rest over single-output regressors (plain, voting, stacking,
    target-transformed, in a pipeline or a search), and a VotingRegressor of honest
    regressors, load and predict as before."""
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.dummy import DummyRegressor
    from sklearn.ensemble import (
        AdaBoostRegressor,
        BaggingRegressor,
        RandomForestRegressor,
        StackingRegressor,
        VotingRegressor,
    )
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.kernel_ridge import KernelRidge
    from sklearn.linear_model import LinearRegression, Ridge
    from sklearn.model_selection import GridSearchCV
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.neighbors import KNeighborsRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeRegressor

    warnings.simplefilter("ignore")
    Xs = np.random.RandomState(0).rand(40, 3)
    voting = VotingRegressor(
        [
            ("lin", LinearRegression()),
            ("dummy", DummyRegressor()),
            ("tree", DecisionTreeRegressor(max_depth=2)),
            ("knn", KNeighborsRegressor(3)),
            ("gp", GaussianProcessRegressor()),
            ("kr", KernelRidge()),
            ("pipe", make_pipeline(StandardScaler(), Ridge())),
            ("bag", BaggingRegressor(n_estimators=2)),
            ("ada", AdaBoostRegressor(n_estimators=2)),
        ]
    )
    estimators = [
        LinearRegression(),
        voting,
        StackingRegressor([("r", Ridge()), ("f", RandomForestRegressor(3))], cv=2),
        TransformedTargetRegressor(regressor=Ridge(), transformer=StandardScaler()),
        make_pipeline(StandardScaler(), VotingRegressor([("r", Ridge())])),
        GridSearchCV(VotingRegressor([("r", Ridge())]), {"r__alpha": [1.0, 2.0]}, cv=2),
    ]
    for estimator in estimators:
        ovr = OneVsRestClassifier(estimator).fit(Xs, _labels())
        np.testing.assert_array_equal(load_honest(ovr, tmp_path).predict(Xs), ovr.predict(Xs))
    fitted = voting.fit(Xs, np.arange(40) * 1.0)
    np.testing.assert_allclose(load_honest(fitted, tmp_path).predict(Xs), fitted.predict(Xs))
    load_honest(VotingRegressor([("r", Ridge())]), tmp_path)


@pytest.mark.parametrize("inner", ["linear", "tree", "knn", "chain", "ttr"])
def test_rt42_08_voting_regressor_multi_output_refused(inner: str, tmp_path: Path) -> None:
    """The VotingRegressor rule outside a one-vs-rest: a fitted voter holding a regressor of
    several outputs (by its coefficients, ``n_outputs_``, stored targets, a multi-output
    wrapper or a target transformer of two columns) is refused by scan and load alike."""
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.ensemble import VotingRegressor
    from sklearn.linear_model import LinearRegression
    from sklearn.multioutput import MultiOutputRegressor
    from sklearn.neighbors import KNeighborsRegressor
    from sklearn.tree import DecisionTreeRegressor

    warnings.simplefilter("ignore")
    Xs = np.random.RandomState(0).rand(40, 3)
    wide_y = np.random.RandomState(1).rand(40, 5)
    wide = {
        "linear": LinearRegression(),
        "tree": DecisionTreeRegressor(max_depth=2),
        "knn": KNeighborsRegressor(3),
        "chain": MultiOutputRegressor(LinearRegression()),
        "ttr": TransformedTargetRegressor(regressor=LinearRegression()),
    }[inner].fit(Xs, wide_y)
    vote = VotingRegressor([("w", LinearRegression())]).fit(Xs, wide_y[:, 0])
    vote.estimators_ = [wide]
    vote.named_estimators_["w"] = wide
    assert parity(pickle.dumps(vote, protocol=5), tmp_path) == (False, "refused")


@pytest.mark.parametrize("normalize_y", [False, True])
def test_rt42_08_honest_gaussian_process_one_vs_rest_loads(
    normalize_y: bool, tmp_path: Path
) -> None:
    """Gaussian process regressors in a multilabel one-vs-rest, as fit leaves them: one
    ``_y_train_std`` and ``_y_train_mean`` value per output (a scalar without
    ``normalize_y``). Scan SAFE, load, predict one row per input row."""
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.multiclass import OneVsRestClassifier

    Xs = np.random.RandomState(0).rand(12, 3)
    Y = np.c_[np.arange(12) % 2, (np.arange(12) // 2) % 2]
    m = OneVsRestClassifier(GaussianProcessRegressor(normalize_y=normalize_y)).fit(Xs, Y)
    assert load_honest(m, tmp_path).predict(Xs[:4]).shape == (4, 2)
