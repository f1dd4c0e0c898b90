"""Red team 41's scan/load parity findings (rt41-01, -02, -03, -09), fixed: each reproducer
as the red team wrote it (no longer an xfail), the variants the fixes cover, and the honest
models next to each fix, which must still scan SAFE and load."""

from __future__ import annotations

import functools
import pickle
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import assert_scan_predicts_load, load_honest, parity

X = np.random.RandomState(0).rand(30, 3)
Y2 = np.arange(30) % 2


# --- rt41-01: a numpy function in a two-argument slot: scan SAFE, load refuses -----------------


def _rt41_01_model(slot: str, fn: str) -> bytes:
    from sklearn.cluster import DBSCAN
    from sklearn.feature_selection import SelectKBest
    from sklearn.neighbors import KNeighborsRegressor
    from sklearn.svm import SVC

    value: Any = {
        "mean": np.mean,
        "log1p": np.log1p,
        "partial-mean": functools.partial(np.mean, axis=0),
    }[fn]
    warnings.simplefilter("ignore")
    m: Any
    if slot == "DBSCAN.metric":
        m = DBSCAN().fit(X)
        m.metric = value
    elif slot == "KNeighborsRegressor.metric":
        m = KNeighborsRegressor().fit(X, Y2)
        m.metric = value
    elif slot == "SelectKBest.score_func":
        m = SelectKBest(k=2).fit(X, Y2)
        m.score_func = value
    else:
        m = SVC().fit(X, Y2)
        m.kernel = value
    return pickle.dumps(m, protocol=5)


@pytest.mark.parametrize(
    "slot,fn",
    [
        ("DBSCAN.metric", "mean"),
        ("KNeighborsRegressor.metric", "log1p"),
        ("SelectKBest.score_func", "log1p"),
        ("SelectKBest.score_func", "partial-mean"),
        ("SVC.kernel", "log1p"),
        ("DBSCAN.metric", "partial-mean"),
    ],
)
def test_rt41_01_numpy_function_in_two_argument_slot_parity(
    slot: str, fn: str, tmp_path: Path
) -> None:
    """~1-2 KB, harmless by itself: a fitted DBSCAN or KNeighborsRegressor whose ``metric``,
    or a SelectKBest whose ``score_func``, is a numpy function of the callable allowlist
    (``np.mean``, ``np.log1p``, or a keyword-only ``partial`` of one). load_unsigned refuses
    it (``trust/object_checks.check_instance``: ``_TWO_ARGUMENT_SLOTS``, "a numpy function
    where two arrays are passed: its second would be written to (a ufunc's out)"); scan calls
    the same bytes SAFE: the static pass has no counterpart of that rule (no finding at all).
    Fixed: ``object_checks.two_argument_problem`` is the one rule, run by the load on what it
    built and by scan on its shadows (``trust/shadow._two_argument_problem``)."""
    safe, outcome = parity(_rt41_01_model(slot, fn), tmp_path)
    assert outcome == "refused"
    assert safe is False


# --- rt41-02: an opaque constant in a single estimator's slot: scan SAFE, load refuses ---------


def _rt41_02_model(slot: str, value: str) -> bytes:
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.feature_selection import SelectFromModel
    from sklearn.linear_model import LinearRegression

    held: Any = {
        "long-str": "x" * 2000,
        "long-bytes": b"x" * 2000,
        "long-bytearray": bytearray(2000),
    }[value]
    m: Any
    if slot == "SelectFromModel.estimator_":
        m = SelectFromModel(LinearRegression()).fit(X, X[:, 0])
        m.estimator_ = held
    else:
        m = HistGradientBoostingRegressor(max_iter=2).fit(X, X[:, 0])
        m._bin_mapper = held
    return pickle.dumps(m, protocol=5)


@pytest.mark.parametrize(
    "slot,value",
    [
        ("SelectFromModel.estimator_", "long-str"),
        ("SelectFromModel.estimator_", "long-bytes"),
        ("SelectFromModel.estimator_", "long-bytearray"),
        ("HistGradientBoostingRegressor._bin_mapper", "long-str"),
    ],
)
def test_rt41_02_opaque_constant_in_estimator_slot_parity(
    slot: str, value: str, tmp_path: Path
) -> None:
    """~1-5 KB, harmless by itself: a fitted SelectFromModel whose ``estimator_`` (or a
    HistGradientBoostingRegressor whose ``_bin_mapper``) is a str of 2,000 characters, or
    (protocol 5) 2,000 bytes or a bytearray. load_unsigned refuses it ("holds 'xxx...' where
    an estimator is used"); scan calls it SAFE. ``trust/static_kinds._estimator_problem``
    refuses a ``_Const`` in a single estimator's slot, but a constant over ``MAX_CONST``
    (1,024) is folded to ``_Big`` and protocol 5's bytes to ``_Bytes`` (both ``_Opaque``),
    which fall to the last branch: "not modelled by the stream walk: judged after building"
    (``return None``): scan judges nothing there. The same str of 1,000 characters, a list
    of one long str (VotingRegressor.estimators_) or a pipeline step are refused by both.
    Fixed: ``static_kinds._estimator_problem`` refuses an opaque constant in every estimator
    slot, as the load does (the same fall-through in ``each_instance_of`` and ``params`` too)."""
    safe, outcome = parity(_rt41_02_model(slot, value), tmp_path)
    assert outcome == "refused"
    assert safe is False


def test_rt41_01_honest_callables_still_load(tmp_path: Path) -> None:
    """Honest neighbours of rt41-01: string metrics and kernels, a statistic of the callable
    allowlist (bare or as a keyword partial) as a score function, and numpy functions where
    scikit-learn passes one array (FunctionTransformer's ``func``, FeatureAgglomeration's
    ``pooling_func``) still scan SAFE and load."""
    from sklearn.cluster import DBSCAN, FeatureAgglomeration
    from sklearn.feature_selection import SelectKBest, f_classif, mutual_info_classif
    from sklearn.neighbors import KNeighborsRegressor
    from sklearn.preprocessing import FunctionTransformer
    from sklearn.svm import SVC

    warnings.simplefilter("ignore")
    models: list[Any] = [
        DBSCAN(metric="euclidean").fit(X),
        KNeighborsRegressor(metric="manhattan").fit(X, Y2),
        SelectKBest(f_classif, k=2).fit(X, Y2),
        SelectKBest(functools.partial(mutual_info_classif, random_state=0), k=2).fit(X, Y2),
        SVC(kernel="rbf").fit(X, Y2),
        FunctionTransformer(np.log1p).fit(X),
        FunctionTransformer(functools.partial(np.mean, axis=0)).fit(X),
        FeatureAgglomeration(n_clusters=2, pooling_func=np.mean).fit(X),
        FeatureAgglomeration(n_clusters=2, pooling_func=np.median).fit(X),
    ]
    for i, model in enumerate(models):
        folder = tmp_path / str(i)
        folder.mkdir()
        load_honest(model, folder)


def test_rt41_01_numpy_function_on_a_dict_subclass_attribute(tmp_path: Path) -> None:
    """The load runs the two-argument rule on every instance's ``__dict__``, an OrderedDict
    given attributes too; scan runs it on what it made for real as well as on its shadows."""
    import collections

    from sklearn.linear_model import LinearRegression

    m = LinearRegression().fit(X, X[:, 0])
    held: Any = collections.OrderedDict(a=1)
    held.metric = np.mean
    m.extra_ = held
    assert parity(pickle.dumps(m, protocol=5), tmp_path) == (False, "refused")


def _rt41_02_more(case: str) -> Any:
    from sklearn.ensemble import HistGradientBoostingRegressor, VotingRegressor
    from sklearn.feature_selection import SelectFromModel
    from sklearn.linear_model import LinearRegression

    if case.startswith("VotingRegressor.estimators_"):
        m = VotingRegressor([("a", LinearRegression())]).fit(X, X[:, 0])
        m.estimators_ = "x" * 2000 if case.endswith("long-str") else bytearray(2000)
        return m
    if case.startswith("HistGradientBoostingRegressor._scorer"):
        m = HistGradientBoostingRegressor(max_iter=2).fit(X, X[:, 0])
        m._scorer = {"long-str": "x" * 2000, "long-bytes": b"x" * 2000, "np-str": np.str_("r2")}[
            case.rpartition("=")[2]
        ]
        return m
    m = SelectFromModel(LinearRegression()).fit(X, X[:, 0])
    m.importance_getter = "a" * (2000 if case.endswith("long") else 1010) + "_"
    return m


@pytest.mark.parametrize(
    "case,outcome",
    [
        ("VotingRegressor.estimators_=long-str", "refused"),
        ("VotingRegressor.estimators_=bytearray", "refused"),
        # kinds._scorer takes any str (a name scikit-learn looks up at use); bytes it refuses
        ("HistGradientBoostingRegressor._scorer=long-str", "loaded"),
        ("HistGradientBoostingRegressor._scorer=long-bytes", "refused"),
        # a numpy str scalar is a str to kinds._scorer (fuzz/parity_states.py, seed 41)
        ("HistGradientBoostingRegressor._scorer=np-str", "loaded"),
        # kinds._attr_path: at most 1,000 characters (scan reads a longer str as opaque)
        ("SelectFromModel.importance_getter=long", "refused"),
        ("SelectFromModel.importance_getter=just-over", "refused"),
    ],
)
def test_rt41_02_opaque_constants_in_other_slots_parity(
    case: str, outcome: str, tmp_path: Path
) -> None:
    """The same fall-through for opaque constants in other kinds of dispatch slot: a list of
    estimators, a scorer, an attribute path. Scan gives the load's verdict for each."""
    data = pickle.dumps(_rt41_02_more(case), protocol=5)
    assert parity(data, tmp_path) == (outcome == "loaded", outcome)


@pytest.mark.parametrize("value", ["long-str", "int", "tuple", "list", "bytearray"])
def test_rt41_02_lightgbm_params_not_a_dict_refused(value: str, tmp_path: Path) -> None:
    """``kinds._params`` (LightGBM's ``_other_params``, XGBoost's ``kwargs``, CatBoost's
    ``_init_params``) takes None or a plain dict only; ``static_kinds._params_problem``
    passed anything else that was no object (a number, a tuple, a list, a long str, a
    bytearray): scan SAFE, load refused. Now scan refuses every one, as the load does."""
    pytest.importorskip("lightgbm")
    import lightgbm as lgb

    import safeload
    from redteam import write

    m = lgb.LGBMRegressor(n_estimators=2, num_leaves=4, verbose=-1).fit(X, X[:, 0])
    m._other_params = {
        "long-str": "x" * 2000,
        "int": 5,
        "tuple": (1, 2),
        "list": [1],
        "bytearray": bytearray(2000),
    }[value]
    path = write(tmp_path, pickle.dumps(m, protocol=5))
    assert not safeload.scan(path, profiles=["lightgbm"]).safe
    with pytest.raises(safeload.SafeloadError):
        safeload.load_unsigned(path, profiles=["lightgbm"])


def test_rt41_02_honest_estimator_slots_still_load(tmp_path: Path) -> None:
    """Honest neighbours of rt41-02: a SelectFromModel (with a short attribute path), a
    HistGradientBoostingRegressor (with early stopping on the loss), a VotingRegressor,
    and a LightGBM regressor with the lightgbm profile still scan SAFE and load."""
    from sklearn.ensemble import HistGradientBoostingRegressor, VotingRegressor
    from sklearn.feature_selection import SelectFromModel
    from sklearn.linear_model import LinearRegression

    Xl = np.random.RandomState(1).rand(200, 3)
    models: list[tuple[Any, tuple[str, ...]]] = [
        (SelectFromModel(LinearRegression()).fit(X, X[:, 0]), ()),
        (SelectFromModel(LinearRegression(), importance_getter="coef_").fit(X, X[:, 0]), ()),
        (HistGradientBoostingRegressor(max_iter=2).fit(X, X[:, 0]), ()),
        (
            HistGradientBoostingRegressor(max_iter=3, early_stopping=True).fit(Xl, Xl[:, 0]),
            (),
        ),
        (VotingRegressor([("a", LinearRegression())]).fit(X, X[:, 0]), ()),
    ]
    try:
        import lightgbm as lgb
    except ImportError:  # pragma: no cover - lightgbm is a test dependency
        pass
    else:
        lgbm = lgb.LGBMRegressor(n_estimators=2, num_leaves=4, verbose=-1).fit(X, X[:, 0])
        models.append((lgbm, ("lightgbm",)))
    for i, (model, profiles) in enumerate(models):
        folder = tmp_path / str(i)
        folder.mkdir()
        load_honest(model, folder, profiles)


# --- rt41-03: values scan calls unproven where the load loads ----------------------------------


def _rt41_03_model(case: str) -> bytes:
    import collections

    import scipy.sparse as sp
    from sklearn.decomposition import TruncatedSVD
    from sklearn.ensemble import VotingRegressor
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LinearRegression, RidgeCV, SGDClassifier
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.utils import Bunch

    m: Any
    if case == "MultinomialNB.alpha=Bunch":
        m = MultinomialNB().fit(X, Y2)
        m.alpha = Bunch(a=1)
    elif case == "RidgeCV.alphas=Bunch":
        m = RidgeCV().fit(X, X[:, 0])
        m.alphas = Bunch(a=1)
    elif case == "VotingRegressor.weights=Bunch":
        m = VotingRegressor([("a", LinearRegression())]).fit(X, X[:, 0])
        m.weights = Bunch(a=1)
    elif case == "SimpleImputer.fill_value=datetime":
        import datetime

        m = SimpleImputer().fit(X)
        m.fill_value = datetime.datetime(2020, 1, 1)
    elif case == "SimpleImputer.fill_value=PurePath":
        import pathlib

        m = SimpleImputer().fit(X)
        m.fill_value = pathlib.PurePosixPath("a/b")
    elif case == "TruncatedSVD.explained_variance_ratio_=dok":
        m = TruncatedSVD(2).fit(X)
        m.explained_variance_ratio_ = sp.dok_matrix(np.eye(3))
    else:
        m = SGDClassifier().fit(X, Y2)
        m.classes_ = collections.defaultdict(None, {"a": 1})
    return pickle.dumps(m, protocol=5)


@pytest.mark.parametrize(
    "case",
    [
        "MultinomialNB.alpha=Bunch",
        "RidgeCV.alphas=Bunch",
        "VotingRegressor.weights=Bunch",
        "SimpleImputer.fill_value=datetime",
        "SimpleImputer.fill_value=PurePath",
        "TruncatedSVD.explained_variance_ratio_=dok",
        "SGDClassifier.classes_=defaultdict",
    ],
)
def test_rt41_03_unproven_values_the_load_loads_parity(case: str, tmp_path: Path) -> None:
    """~1-3 KB, harmless: found by ``fuzz/parity_states.py`` with a new palette (red team 41).
    A ``Bunch`` in a parameter whose constraints take an array-like (scikit-learn's
    ``_is_arraylike_not_scalar`` takes any object with ``__len__``, a dict too): the load's
    constraint check passes it and load_unsigned returns the model; scan says "unproven: what
    sklearn.utils._bunch.Bunch makes, a value the stream walk cannot build, where the class
    checks its parameters". A ``dok_matrix`` as a fitted attribute of an estimator with a
    check (TruncatedSVD): "unproven: the TruncatedSVD check needs a dok_matrix whose state the
    pass cannot see". A ``defaultdict`` as SGDClassifier's ``classes_``: likewise unproven.
    A ``datetime`` or a ``PurePath`` (both allowlisted stdlib types) as SimpleImputer's
    ``fill_value`` (constraints: ``"no_validation"``): "unproven: what datetime.datetime
    makes, a value the stream walk cannot build, where the class checks its parameters".
    Each loads. (The opposite direction of rt39-04: there the load refused and scan passed.)
    Fixed by modelling each as the load builds it: ``static_params`` builds a Bunch parameter
    and skips ``"no_validation"`` parameters; the shadow builder makes dict subclasses (an
    OrderedDict, defaultdict, Bunch or dok matrix) for real, with their items."""
    assert_scan_predicts_load(_rt41_03_model(case), tmp_path)
    # a Bunch is admitted only as an ensemble's named_estimators_ now (rt53-07's placement
    # rule): both refuse it as a parameter
    expected = (False, "refused") if case.endswith("=Bunch") else (True, "loaded")
    assert parity(_rt41_03_model(case), tmp_path) == expected


class _FilledList:
    """Pickled as ``builtins.list()`` then APPENDS (a 5-tuple ``__reduce__``)."""

    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def __reduce__(self) -> Any:
        return (list, (), None, iter(self.items))


class _FilledDict:
    """Pickled as ``builtins.dict()`` then SETITEMS."""

    def __init__(self, items: dict[str, Any]) -> None:
        self.items = items

    def __reduce__(self) -> Any:
        return (dict, (), None, None, iter(self.items.items()))


def _mapping(kind: str, items: dict[str, Any]) -> Any:
    import collections

    from sklearn.utils import Bunch

    if kind == "OrderedDict":
        return collections.OrderedDict(items)
    if kind == "defaultdict":
        return collections.defaultdict(None, items)
    if kind == "dict()":
        return _FilledDict(items)
    if kind == "list()":
        return _FilledList(list(items.values()))
    return Bunch(**items)


@pytest.mark.parametrize("kind", ["OrderedDict", "defaultdict", "Bunch"])
@pytest.mark.parametrize("where", ["SGDClassifier", "text_char_ngrams"])
def test_rt41_03_dict_subclass_as_classes_loads(kind: str, where: str, tmp_path: Path) -> None:
    """Found by ``fuzz/parity_states.py`` (palette value ``ordered-dict``): an OrderedDict as
    the ``classes_`` of a pipeline's SGDClassifier (corpus kind ``text_char_ngrams``). The
    shadow builder made a dict subclass a shadow without its items: ``check_linear_shapes``'s
    ``len(classes_)`` raised on it ("crafted SGDClassifier: object of type 'Shadow' has no
    len()"), scan unsafe, while the load loads the model. Now it is made for real."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import make_pipeline

    if where == "SGDClassifier":
        m: Any = SGDClassifier(random_state=0).fit(X, Y2)
        target = m
    else:
        docs = ["the cat sat", "a dog ran", "cats and dogs", "the end"] * 5
        m = make_pipeline(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3)), SGDClassifier(random_state=0)
        ).fit(docs, np.arange(20) % 2)
        target = m.steps[1][1]
    target.classes_ = _mapping(kind, {"a": 1})
    # (a Bunch only as an ensemble's named_estimators_: both refuse it here, rt53-07)
    expected = (False, "refused") if kind == "Bunch" else (True, "loaded")
    assert parity(pickle.dumps(m, protocol=5), tmp_path) == expected


def _voting_repeating(kind: str, times: int, protocol: int) -> bytes:
    """A VotingRegressor whose ``named_estimators_`` (or ``estimators_`` for ``list()``)
    lists one brute-force KNN of 1.3 MB ``times`` times by reference, in ``kind``."""
    from sklearn.ensemble import VotingRegressor
    from sklearn.neighbors import KNeighborsRegressor

    big = np.random.RandomState(2).rand(40_000, 4)
    knn = KNeighborsRegressor(algorithm="brute").fit(big, big[:, 0])
    m = VotingRegressor([("a", KNeighborsRegressor())])
    m.estimators_ = [knn]
    items = {f"k{i}": knn for i in range(times)}
    if kind == "list()":
        m.estimators_ = _mapping(kind, items)
    else:
        m.named_estimators_ = _mapping(kind, items)
    return pickle.dumps(m, protocol=protocol)


@pytest.mark.parametrize(
    "kind,protocol",
    [
        ("Bunch", 5),
        ("Bunch", 1),
        ("OrderedDict", 5),
        ("OrderedDict", 0),
        ("dict()", 5),
        ("list()", 5),
    ],
)
def test_rt41_03_items_of_a_dict_subclass_are_met(kind: str, protocol: int, tmp_path: Path) -> None:
    """Found while fixing rt41-03, the other direction: a shadow of an OrderedDict or Bunch
    (and a ``dict()`` or ``list()`` call the stream filled by SETITEMS or APPENDS) held none
    of its items, so scan's use-time graph never met what it lists. A voting model whose
    ``named_estimators_`` lists one KNN 60 times by reference: the load refuses it (its
    estimators would be met 78 MB' worth per predict, rt38-01's bound), scan said SAFE. Now
    the builder makes each for real with its items and both refuse; listed once, both load."""
    assert parity(_voting_repeating(kind, 60, protocol), tmp_path) == (False, "refused")
    once = tmp_path / "once"
    once.mkdir()
    assert parity(_voting_repeating(kind, 1, protocol), once) == (True, "loaded")


@pytest.mark.parametrize("protocol", [1, 2, 5])
def test_rt41_03_bunch_parameter_judged_by_the_constraints(protocol: int, tmp_path: Path) -> None:
    """A Bunch parameter is now built by the static pass (NEWOBJ and SETITEMS, or protocols
    0-1's ``copyreg._reconstructor(Bunch, dict, items)``) and held to scikit-learn's own
    constraints, as the load holds it: an array-like ``alpha`` took it, an ``Interval``
    ``C`` refuses it (both sides). Since rt53-07 a Bunch anywhere but an ensemble's
    ``named_estimators_`` is refused by both before any constraint is asked."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.utils import Bunch

    nb = MultinomialNB().fit(X, Y2)
    nb.alpha = Bunch(a=1)
    assert parity(pickle.dumps(nb, protocol=protocol), tmp_path) == (False, "refused")
    lr = LogisticRegression().fit(X, Y2)
    lr.C = Bunch(a=1)
    refused = tmp_path / "refused"
    refused.mkdir()
    assert parity(pickle.dumps(lr, protocol=protocol), refused) == (False, "refused")


@pytest.mark.parametrize("protocol", [2, 5])
def test_rt41_03_dok_matrix_checked_as_the_load_checks_it(protocol: int, tmp_path: Path) -> None:
    """A dok matrix (pickled as ``copyreg._reconstructor(dok_matrix, dict, items)`` and its
    ``__dict__``) is made for real by scan and given the load's sparse check: one whose keys
    lie past its shape is refused by both, an ordinary one loads on both."""
    import scipy.sparse as sp
    from sklearn.decomposition import TruncatedSVD

    m = TruncatedSVD(2).fit(X)
    m.explained_variance_ratio_ = sp.dok_matrix(np.eye(3))
    assert parity(pickle.dumps(m, protocol=protocol), tmp_path) == (True, "loaded")
    m.explained_variance_ratio_ = _CraftedDok()  # a key past its (3, 3) shape
    crafted = tmp_path / "crafted"
    crafted.mkdir()
    assert parity(pickle.dumps(m, protocol=protocol), crafted) == (False, "refused")


class _CraftedDok:
    """Pickled as scipy pickles a dok matrix, with a key (7, 7) past its (3, 3) shape (which
    ``tocsr`` refuses): ``copyreg._reconstructor(dok_matrix, dict, {})`` and its state."""

    def __reduce__(self) -> Any:
        import copyreg

        import scipy.sparse as sp

        state = {
            "_shape": (3, 3),
            "maxprint": 50,
            "_dict": {(7, 7): 1.0},
            "dtype": np.dtype("float64"),
        }
        return (copyreg._reconstructor, (sp.dok_matrix, dict, {}), state)


def test_rt41_03_no_dict_subclass_has_a_native_check() -> None:
    """``trust/shadow._NO_CHECKS`` (the dict subclasses scan makes for real and runs no
    native check on) holds no class that ``validate.checks_for_scan`` would check."""
    from joblib.numpy_pickle import NumpyArrayWrapper
    from sklearn.utils import Bunch

    from safeload import validate
    from safeload.trust.shadow import _NO_CHECKS

    classes = {
        "builtins.dict": dict,
        "collections.OrderedDict": __import__("collections").OrderedDict,
        "collections.defaultdict": __import__("collections").defaultdict,
        "sklearn.utils._bunch.Bunch": Bunch,
        "joblib.numpy_pickle.NumpyArrayWrapper": NumpyArrayWrapper,
    }
    assert set(classes) == _NO_CHECKS
    for cls in classes.values():
        assert not [kind for kind, _check in validate.checks_for_scan() if issubclass(cls, kind)]


@pytest.mark.parametrize("protocol", [0, 1, 2, 5])
def test_rt41_03_honest_models_still_load(protocol: int, tmp_path: Path) -> None:
    """Honest neighbours of rt41-03 at every protocol: voting and stacking ensembles (their
    ``named_estimators_`` is a Bunch), a constant SimpleImputer, RidgeCV and MultinomialNB
    with array-like parameters, an SGDClassifier and the text pipeline the fuzz mutated."""
    from sklearn.ensemble import StackingClassifier, VotingClassifier, VotingRegressor
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LinearRegression, LogisticRegression, RidgeCV, SGDClassifier
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import make_pipeline
    from sklearn.tree import DecisionTreeClassifier

    warnings.simplefilter("ignore")
    docs = ["the cat sat", "a dog ran", "cats and dogs", "the end"] * 5
    models: list[Any] = [
        VotingRegressor([("a", LinearRegression()), ("b", RidgeCV())]).fit(X, X[:, 0]),
        VotingClassifier([("a", LogisticRegression()), ("b", DecisionTreeClassifier())]).fit(X, Y2),
        StackingClassifier([("a", LogisticRegression())], cv=2).fit(X, Y2),
        SimpleImputer(strategy="constant", fill_value="missing").fit(
            np.array([["a"], [None]], dtype=object)
        ),
        RidgeCV(alphas=(0.1, 1.0)).fit(X, X[:, 0]),
        MultinomialNB(alpha=[0.5, 1.0, 1.0], force_alpha=True).fit(X, Y2),
        SGDClassifier(random_state=0).fit(X, Y2),
        make_pipeline(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3)), SGDClassifier(random_state=0)
        ).fit(docs, np.arange(20) % 2),
    ]
    for i, model in enumerate(models):
        data = pickle.dumps(model, protocol=protocol)
        assert parity(data, _folder(tmp_path, i)) == (True, "loaded"), (protocol, model)


def _folder(tmp_path: Path, i: int) -> Path:
    folder = tmp_path / str(i)
    folder.mkdir()
    return folder


# --- rt41-09: skops files scan cannot model, that the load builds -------------------------------


def _rt41_09_skops(value: str, path: Path) -> Path:
    import datetime
    import decimal

    import skops.io as sio
    from sklearn.preprocessing import StandardScaler

    m = StandardScaler().fit(X)
    m.fitted_on_ = {
        "date": lambda: datetime.date(2020, 1, 1),
        "timedelta": lambda: datetime.timedelta(days=1),
        "frozenset": lambda: frozenset([1, 2]),
        "range": lambda: range(3),
        "Decimal": lambda: decimal.Decimal("1.5"),
        "numpy.str_": lambda: np.str_("ab"),
    }[value]()
    out = path / "m.skops"
    sio.dump(m, out)
    return out


@pytest.mark.parametrize(
    "value", ["date", "timedelta", "frozenset", "range", "Decimal", "numpy.str_"]
)
def test_rt41_09_skops_nodes_scan_does_not_model(value: str, tmp_path: Path) -> None:
    """~1.5 KB skops files (``skops.io.dump`` of a fitted StandardScaler with one more
    fitted attribute holding a ``datetime.date``, ``timedelta``, ``frozenset``, ``range``,
    ``Decimal`` or ``numpy.str_``, all types the default policy trusts). load_unsigned builds
    and returns each; scan calls them unsafe: skops 0.16 writes these objects as a
    ``ConstructorFromReduceNode``, which ``trust/skops_stream.py`` does not model ("unproven:
    skops node 'ConstructorFromReduceNode' is not modelled by scan; a load decides when it
    builds the file"), and a ``numpy.str_`` scalar as a node whose type scan's skops walk
    calls untrusted ("numpy.str_ is not trusted"). Found by a skops variant of
    ``fuzz/parity_states.py`` (red team 41): ~40 such disagreements in 800 s, all of these
    two kinds. Lower severity (scan stricter than the load).
    Fixed: ``skops_stream`` models the node as skops builds it (``cls(*args)``, pickle's
    REDUCE) and takes the numpy scalar types skops trusts by default; the load refuses what
    scan refuses before skops calls anything (see the crafted constructor calls below)."""
    import safeload

    path = _rt41_09_skops(value, tmp_path)
    safeload.load_unsigned(path)  # the load builds it
    assert safeload.scan(path).safe


def _crafted_csr_npz() -> bytes:
    """A CSR matrix of shape (2, 2) whose one column index is 10**9, as ``scipy.sparse.
    save_npz`` writes one: ``load_npz``'s constructor check does not bound the indices."""
    import io

    buf = io.BytesIO()
    np.savez(
        buf,
        indices=np.array([10**9], dtype=np.int32),
        indptr=np.array([0, 1, 1], dtype=np.int32),
        format=np.array(b"csr"),
        shape=np.array([2, 2]),
        data=np.array([1.0]),
    )
    return buf.getvalue()


def _rt41_09_constructor_call(case: str) -> bytes:
    """A skops file whose model is one ``ConstructorFromReduceNode`` of an allowlisted class
    on the file's arguments (the node skops 0.16 builds with ``cls(*args)``)."""
    import io
    import json
    import zipfile

    import skops.io

    from safeload._attacks import _Skops

    base = skops.io.dumps({"model": "placeholder"})
    src = zipfile.ZipFile(io.BytesIO(base))
    schema = json.loads(src.read("schema.json"))
    s = _Skops()
    extra: dict[str, bytes] = {}
    if case == "csc_matrix(crafted csr)":
        sparse = s._node(
            "SparseMatrixNode", "scipy.sparse._csr", "csr_matrix", type="scipy", file="x.npz"
        )
        node = s.call("scipy.sparse._csc", "csc_matrix", sparse)
        extra["x.npz"] = _crafted_csr_npz()
    elif case == "bytearray(2**33)":
        node = s.call("builtins", "bytearray", s.json(2**33))
    elif case == "frozenset(range(3e8))":
        node = s.call("builtins", "frozenset", s.call("builtins", "range", s.json(3 * 10**8)))
    else:  # Decimal of an int: quadratic in its digits (the narrowed form takes a str only)
        node = s.call("decimal", "Decimal", s.json(int("9" * 4000)))
    schema["content"]["model"] = node
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "schema.json":
                dst.writestr(info.filename, src.read(info))
        for name, data in extra.items():
            dst.writestr(name, data)
        dst.writestr("schema.json", json.dumps(schema))
    return out.getvalue()


def test_rt41_09_skops_constructor_call_crashes_plain_skops_refused_by_load(
    tmp_path: Path,
) -> None:
    """Found while fixing rt41-09 (load side, high severity): ~1 KB skops file whose model is
    a ``ConstructorFromReduceNode`` of ``scipy.sparse._csc.csc_matrix`` (allowlisted) on a
    ``SparseMatrixNode`` CSR matrix with a column index of 10**9. skops builds it with
    ``csc_matrix(csr)``: ``csr_tocsc`` writes out of bounds (SIGSEGV) inside
    ``load_unsigned``, before any check after building (the skops twin of rt27-01, whose
    pickle form the prepass refuses). The load now refuses every skops file scan refuses
    before skops builds anything (``skops_format._refuse_what_scan_refuses``)."""
    from redteam import GB, child, write

    path = write(tmp_path, _rt41_09_constructor_call("csc_matrix(crafted csr)"), "m.skops")
    plain = child(
        "import skops.io\nt = skops.io.get_untrusted_types(file=sys.argv[1])\n"
        "skops.io.load(sys.argv[1], trusted=t)\nprint('built')\n",
        path,
        memory=2 * GB,
    )
    assert plain.returncode is not None and plain.returncode < 0, str(plain)
    safe = child(
        "import safeload\n"
        "try:\n"
        "    safeload.load_unsigned(sys.argv[1])\n"
        "    print('loaded', flush=True)\n"
        "except safeload.SafeloadError as exc:\n"
        "    print('refused', exc, flush=True)\n",
        path,
        memory=2 * GB,
    )
    assert safe.returncode == 0 and "refused" in safe.stdout, str(safe)
    assert parity(path.read_bytes(), tmp_path) == (False, "refused")


@pytest.mark.parametrize(
    "case", ["bytearray(2**33)", "frozenset(range(3e8))", "Decimal(4000-digit int)"]
)
def test_rt41_09_skops_constructor_calls_refused_before_skops_builds(
    case: str, tmp_path: Path
) -> None:
    """Calls skops would make with the file's arguments and the pickle path's narrowed forms
    refuse (an allocation sized by a number, a container of 3e8 items from a lazy range, a
    Decimal from an int in quadratic time): refused by both, before skops builds anything."""
    import safeload
    from redteam import write

    path = write(tmp_path, _rt41_09_constructor_call(case), "m.skops")
    assert not safeload.scan(path).safe
    with pytest.raises(safeload.SafeloadError, match="refused before loading"):
        safeload.load_unsigned(path)


def test_rt41_09_honest_skops_models_still_load(tmp_path: Path) -> None:
    """Honest skops files next to the fix: a scaler, a forest, a pipeline with a
    vectorizer, a voting ensemble (a Bunch) and values skops writes as constructor calls
    (a timezone-aware datetime, a timedelta) scan SAFE and load."""
    import datetime

    import skops.io as sio
    from sklearn.ensemble import RandomForestClassifier, VotingClassifier
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    import safeload

    warnings.simplefilter("ignore")
    scaler = StandardScaler().fit(X)
    scaler.fitted_on_ = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
    scaler.window_ = datetime.timedelta(days=3)
    docs = ["the cat sat", "a dog ran", "cats and dogs", "the end"] * 5
    models: list[Any] = [
        scaler,
        RandomForestClassifier(n_estimators=3, max_depth=3, random_state=0).fit(X, Y2),
        make_pipeline(CountVectorizer(), MultinomialNB()).fit(docs, np.arange(20) % 2),
        VotingClassifier([("a", LogisticRegression())]).fit(X, Y2),
    ]
    for i, model in enumerate(models):
        path = tmp_path / f"m{i}.skops"
        sio.dump(model, path)
        report = safeload.scan(path)
        assert report.safe, report
        safeload.load_unsigned(path)
