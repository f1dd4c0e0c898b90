"""The table of build-time checks gives the (class, check) pairs, in order, that the chain of
imports it replaced gave (issue 19): the same classes, the same checks, the same order."""

from __future__ import annotations

import datetime
import decimal
import pathlib
import uuid
from typing import Any

from numpy.random import BitGenerator, RandomState, SeedSequence
from scipy.interpolate import BSpline
from scipy.sparse import sparray, spmatrix
from sklearn.base import BaseEstimator
from sklearn.cluster import Birch, BisectingKMeans, MiniBatchKMeans
from sklearn.cluster._kmeans import _BaseKMeans
from sklearn.ensemble._bagging import BaseBagging
from sklearn.ensemble._forest import BaseForest
from sklearn.ensemble._gb import BaseGradientBoosting
from sklearn.ensemble._hist_gradient_boosting.gradient_boosting import BaseHistGradientBoosting
from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor
from sklearn.neighbors import BallTree, KDTree
from sklearn.neighbors._base import NeighborsBase
from sklearn.preprocessing import SplineTransformer
from sklearn.svm._base import BaseLibSVM
from sklearn.tree._classes import BaseDecisionTree
from sklearn.tree._tree import Tree

from safeload import validate as v


def _binary_tree(cls: type) -> type:
    for base in type.mro(cls):
        if base.__name__.startswith("BinaryTree"):
            return base
    raise AssertionError(f"{cls} has no BinaryTree base")


def test_the_table_gives_the_pairs_the_chain_gave() -> None:
    want: list[tuple[type, Any]] = [
        (datetime.date, v._check_date_time),
        (datetime.time, v._check_date_time),
        (decimal.Decimal, v._check_decimal),
        (uuid.UUID, v._check_uuid),
        (pathlib.PurePath, v._check_pure_path),
        (Tree, v._check_tree),
        (BaseHistGradientBoosting, v._check_hgb),
        (TreePredictor, v._check_tree_predictor),  # was a lambda calling _check_predictor
        (_binary_tree(KDTree), v._check_binary_tree),
        (_binary_tree(BallTree), v._check_binary_tree),
        (BaseDecisionTree, v._check_tree_estimator),
        (BaseForest, v._check_forest),
        (BaseBagging, v._check_bagging),
        (BaseGradientBoosting, v._check_gradient_boosting),
        (_BaseKMeans, v._check_kmeans),
        (_BaseKMeans, v._check_features_out),
        (Birch, v._check_birch),
        (MiniBatchKMeans, v._check_minibatch_kmeans),
        (BisectingKMeans, v._check_bisecting_kmeans),
        (NeighborsBase, v._check_neighbors),
        (BaseEstimator, v._check_linear_shapes),
        (BaseEstimator, v._check_index_maps),
        (BitGenerator, v._check_random_state),
        (RandomState, v._check_random_state),
        (SeedSequence, v._check_seed_sequence),
        (BSpline, v._check_bspline),
        (SplineTransformer, v._check_spline_transformer),
        (BaseLibSVM, v._check_svm),
        (spmatrix, v._check_sparse),
        (sparray, v._check_sparse),
    ]
    got = v._validators()
    assert [(c.__qualname__, f.__name__) for c, f in got] == [
        (c.__qualname__, f.__name__) for c, f in want
    ]
    assert got == want
    assert _binary_tree(KDTree) is not _binary_tree(BallTree)  # one base per tree module


def test_the_predictor_check_checks_the_nodes_alone(monkeypatch: Any) -> None:
    seen: list[tuple[Any, Any]] = []
    monkeypatch.setattr(v, "_check_predictor", lambda pred, n: seen.append((pred, n)))
    v._check_tree_predictor("predictor", "context")
    assert seen == [("predictor", None)]
