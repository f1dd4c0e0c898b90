"""rt54-01, rt54-07, rt54-11 and their neighbours: scan's shadow graph is the load's walk's graph.

Both sides call the one counting rule (``sharing.sharing_problem``); here, for honest models and
for each value the builder makes for real or reads through ``__reduce__`` (partials, sparse
matrices, random states, bit generators, seed sequences, KD trees, dates, dict subclasses, class
attributes), they must call it with the same number of counted nodes and references.
"""

from __future__ import annotations

import collections
import datetime
import functools
import io
import pickle
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import assert_counted_alike

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _numpy1_random_state(kind: str = "RandomState") -> bytes:
    """A RandomState as numpy 1.x pickles it: ``__randomstate_ctor('MT19937',
    __bit_generator_ctor)`` then its state, so the load's object holds a bit generator the
    numpy helper made by name (no object of the stream's)."""
    from numpy.random import _pickle as helpers

    # (getattr: a dunder name in a class body would be mangled)
    by_name = getattr(helpers, "__bit_generator_ctor")
    if kind == "RandomState":
        value: Any = np.random.RandomState(3)
        ctor, name = getattr(helpers, "__randomstate_ctor"), "MT19937"
    else:  # numpy 1.x's Generator: the helper by name, then the bit generator's state
        value = np.random.default_rng(3)
        ctor, name = getattr(helpers, "__generator_ctor"), "PCG64"

    class Old(pickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            if type(obj) is np.random.RandomState:
                return (ctor, (name, by_name), obj.get_state(False))
            if type(obj) is np.random.Generator:
                return (ctor, (name, by_name), obj.bit_generator.state)
            return NotImplemented

    out = io.BytesIO()
    Old(out, protocol=2).dump([[value] * 3] * 3)
    return out.getvalue()


def _fitted() -> dict[str, Any]:
    from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression, RidgeClassifierCV, SGDClassifier
    from sklearn.model_selection import GridSearchCV, RepeatedKFold, RepeatedStratifiedKFold
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    X = np.random.RandomState(0).rand(40, 3)
    y = (X[:, 0] > 0.5).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "pipeline": make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y),
            "kd-tree": KNeighborsClassifier(3, algorithm="kd_tree").fit(X, y),
            "ball-tree": KNeighborsClassifier(3, algorithm="ball_tree").fit(X, y),
            "gradient-boosting": GradientBoostingClassifier(n_estimators=3).fit(X, y),
            "hist-gradient-boosting": HistGradientBoostingClassifier(max_iter=3).fit(X, y),
            "sgd-random-state": SGDClassifier(random_state=np.random.RandomState(1)).fit(X, y),
            "function-transformer": FunctionTransformer(np.log1p).fit(X),
            "repeated-kfold-search": GridSearchCV(
                LogisticRegression(), {"C": [0.1, 1.0]}, cv=RepeatedKFold(n_splits=2, n_repeats=1)
            ).fit(X, y),
            "repeated-stratified": RidgeClassifierCV(
                cv=RepeatedStratifiedKFold(n_splits=2, n_repeats=1)
            ).fit(X, y),
        }


def _leaf(name: str) -> Any:
    import scipy.sparse as sp
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import RepeatedKFold
    from sklearn.preprocessing import StandardScaler

    eye = np.eye(3)
    keyed: Any = collections.OrderedDict()
    keyed[StandardScaler()] = 1
    keyed["a"] = [[1], [2]]
    by_default: Any = collections.defaultdict(list)
    by_default[StandardScaler()] = [[1]]
    by_default["b"] = [[2]]
    shared = np.random.PCG64(4)
    return {
        "partial": functools.partial(accuracy_score),
        "partial-keywords": functools.partial(accuracy_score, sample_weight=np.ones(3)),
        **{
            kind: getattr(sp, f"{kind}_matrix")(eye)
            for kind in ("csr", "csc", "coo", "bsr", "dia", "lil", "dok")
        },
        "csr-array": sp.csr_array(eye),
        "coo-array": sp.coo_array(eye),
        "random-state": np.random.RandomState(0),
        "generator": np.random.default_rng(0),
        "pcg64": np.random.PCG64(0),
        "mt19937": np.random.MT19937(0),
        "sfc64": np.random.SFC64(0),
        "seed-sequence": np.random.SeedSequence(5, spawn_key=(1, 2)),
        "shared-bit-generator": [np.random.Generator(shared), np.random.RandomState(shared)],
        "timezone": datetime.timezone.utc,
        "aware-datetime": datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc),
        "repeated-kfold": RepeatedKFold(),
        "ordered-dict-keyed": keyed,
        "defaultdict-keyed": by_default,
    }[name]


_LEAVES = [
    "partial",
    "partial-keywords",
    "csr",
    "csc",
    "coo",
    "bsr",
    "dia",
    "lil",
    "dok",
    "csr-array",
    "coo-array",
    "random-state",
    "generator",
    "pcg64",
    "mt19937",
    "sfc64",
    "seed-sequence",
    "shared-bit-generator",
    "timezone",
    "aware-datetime",
    "repeated-kfold",
    "ordered-dict-keyed",
    "defaultdict-keyed",
]


@pytest.mark.parametrize("name", sorted(_fitted()))
@pytest.mark.parametrize("protocol", [2, 5])
def test_honest_models_counted_alike(tmp_path, monkeypatch, name, protocol):
    """Honest fitted models (random states, Cython trees and losses, a class kept as a
    splitter's ``cv``): one graph on both sides."""
    data = pickle.dumps(_fitted()[name], protocol=protocol)
    assert_counted_alike(data, tmp_path, monkeypatch)


@pytest.mark.parametrize("leaf", _LEAVES)
@pytest.mark.parametrize("protocol", [2, 5])
def test_leaves_counted_alike(tmp_path, monkeypatch, leaf, protocol):
    """Each value made for real or read through its reduce, shared in a small DAG (under the
    bound) beside a plain list: both sides count the same nodes and references."""
    value = _leaf(leaf)
    data = pickle.dumps([[[value] * 3] * 3, [value]], protocol=protocol)
    assert_counted_alike(data, tmp_path, monkeypatch)


@pytest.mark.parametrize("kind", ["RandomState", "Generator"])
def test_numpy1_random_state_counted_alike(tmp_path, monkeypatch, kind):
    """A RandomState or Generator in numpy 1.x's form: the bit generator the helper makes by
    name is a node of the load's graph; scan makes the same one (``Builder._random_args``)."""
    data = _numpy1_random_state(kind)
    pickle.loads(data)
    assert_counted_alike(data, tmp_path, monkeypatch)
