"""The table of build-time checks gives the (class, check) pairs, in order, that the chain of
imports it replaced gave (issue 19): the same classes, the same checks, the same order (and
the rows added since, at the end)."""

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
from sklearn.cluster import HDBSCAN, Birch, BisectingKMeans, FeatureAgglomeration, MiniBatchKMeans
from sklearn.cluster._kmeans import _BaseKMeans
from sklearn.compose import ColumnTransformer
from sklearn.covariance import EmpiricalCovariance
from sklearn.decomposition import IncrementalPCA
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import StackingClassifier, VotingClassifier, VotingRegressor
from sklearn.ensemble._bagging import BaseBagging
from sklearn.ensemble._forest import BaseForest
from sklearn.ensemble._gb import BaseGradientBoosting
from sklearn.ensemble._hist_gradient_boosting.binning import _BinMapper
from sklearn.ensemble._hist_gradient_boosting.gradient_boosting import BaseHistGradientBoosting
from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor
from sklearn.gaussian_process import GaussianProcessClassifier, GaussianProcessRegressor
from sklearn.gaussian_process._gpc import _BinaryGaussianProcessClassifierLaplace
from sklearn.gaussian_process.kernels import Kernel
from sklearn.kernel_approximation import AdditiveChi2Sampler, PolynomialCountSketch
from sklearn.metrics import DistanceMetric
from sklearn.mixture._base import BaseMixture
from sklearn.multiclass import OneVsRestClassifier, _ConstantPredictor
from sklearn.neighbors import BallTree, KDTree
from sklearn.neighbors._base import NeighborsBase
from sklearn.neural_network import MLPClassifier
from sklearn.neural_network._multilayer_perceptron import BaseMultilayerPerceptron
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import OneHotEncoder, PolynomialFeatures, SplineTransformer
from sklearn.random_projection import BaseRandomProjection
from sklearn.semi_supervised import SelfTrainingClassifier
from sklearn.svm._base import BaseLibSVM
from sklearn.tree._classes import BaseDecisionTree
from sklearn.tree._tree import Tree

from safeload import validate as v
from safeload.trust.structures import (
    arrays,
    clustering,
    ensembles,
    estimators,
    hgb,
    labels,
    neighbors,
    randomness,
    trees,
    values,
    widths,
)


def _binary_tree(cls: type) -> type:
    for base in type.mro(cls):
        if base.__name__.startswith("BinaryTree"):
            return base
    raise AssertionError(f"{cls} has no BinaryTree base")


def test_the_table_gives_the_pairs_the_chain_gave() -> None:
    want: list[tuple[type, Any]] = [
        (datetime.date, values.check_date_time),
        (datetime.time, values.check_date_time),
        (decimal.Decimal, values.check_decimal),
        (uuid.UUID, values.check_uuid),
        (pathlib.PurePath, values.check_pure_path),
        (Tree, trees.check_tree),
        (BaseHistGradientBoosting, hgb.check_hgb),
        (_BinMapper, hgb.check_bin_mapper),
        (TreePredictor, hgb.check_tree_predictor),  # was a lambda calling _check_predictor
        (_binary_tree(KDTree), neighbors.check_binary_tree),
        (_binary_tree(BallTree), neighbors.check_binary_tree),
        (DistanceMetric, neighbors.check_distance_metric),
        (BaseDecisionTree, ensembles.check_tree_estimator),
        (BaseForest, ensembles.check_forest),
        (BaseBagging, ensembles.check_bagging),
        (BaseGradientBoosting, ensembles.check_gradient_boosting),
        (_BaseKMeans, clustering.check_kmeans),
        (_BaseKMeans, widths.check_features_out),
        (Birch, clustering.check_birch),
        (MiniBatchKMeans, clustering.check_minibatch_kmeans),
        (BisectingKMeans, clustering.check_bisecting_kmeans),
        (NeighborsBase, neighbors.check_neighbors),
        (BaseEstimator, widths.check_linear_shapes),
        (BaseEstimator, widths.check_index_maps),
        (BitGenerator, randomness.check_random_state),
        (RandomState, randomness.check_random_state),
        (SeedSequence, randomness.check_seed_sequence),
        (BSpline, arrays.check_bspline),
        (SplineTransformer, arrays.check_spline_transformer),
        (BaseLibSVM, estimators.check_svm),
        (spmatrix, arrays.check_sparse),
        (sparray, arrays.check_sparse),
        (HDBSCAN, clustering.check_hdbscan),
        (EmpiricalCovariance, estimators.check_covariance),
        (FeatureAgglomeration, clustering.check_feature_agglomeration),
        (PolynomialFeatures, estimators.check_polynomial_features),
        (BaseRandomProjection, estimators.check_random_projection),
        (IncrementalPCA, estimators.check_incremental_pca),  # rt100-05
        (BaseMixture, estimators.check_mixture),
        (GaussianProcessRegressor, estimators.check_gaussian_process),
        (_BinaryGaussianProcessClassifierLaplace, estimators.check_gaussian_process),
        (PolynomialCountSketch, estimators.check_count_sketch),
        (AdditiveChi2Sampler, estimators.check_chi2_sampler),
        (VotingClassifier, labels.check_voting_classifier),
        (VotingRegressor, labels.check_voting_regressor),
        (DummyClassifier, labels.check_dummy),
        (DummyRegressor, labels.check_dummy),
        (OneHotEncoder, widths.check_one_hot_names),
        (FeatureUnion, widths.check_composite_width),
        (ColumnTransformer, widths.check_composite_width),
        (StackingClassifier, labels.check_label_sources),
        (SelfTrainingClassifier, labels.check_label_sources),
        (BaseMultilayerPerceptron, estimators.check_mlp),
        (MLPClassifier, labels.check_label_sources),
        (OneVsRestClassifier, labels.check_label_sources),
        (OneVsRestClassifier, labels.check_one_vs_rest),
        (_ConstantPredictor, labels.check_constant_predictor),
        (GaussianProcessClassifier, labels.check_label_sources),
        (GaussianProcessClassifier, estimators.check_gaussian_process_classifier),
        (Kernel, estimators.check_kernel_values),
    ]
    got = v._validators()
    assert [(c.__qualname__, f.__name__) for c, f in got] == [
        (c.__qualname__, f.__name__) for c, f in want
    ]
    assert got == want
    assert _binary_tree(KDTree) is not _binary_tree(BallTree)  # one base per tree module


def test_the_predictor_check_checks_the_nodes_alone(monkeypatch: Any) -> None:
    seen: list[tuple[Any, Any]] = []
    monkeypatch.setattr(hgb, "check_predictor", lambda pred, n: seen.append((pred, n)))
    hgb.check_tree_predictor("predictor", "context")
    assert seen == [("predictor", None)]
