"""scikit-learn's estimator classes on the default allowlist, written out and reviewed.

Each class is listed by the name pickles record (its ``__module__`` and ``__qualname__``) with
its use-time review: a loaded estimator's constructor parameters are held to the class's own
``_parameter_constraints`` (``C``; ``N`` marks the few classes without constraints), and the
attributes listed after it are the rows of the dispatch table (``safeload.trust.dispatch``) that
apply to the class: method names, sub-estimator slots, stored callables, output configuration
and paths that its methods act on. Nothing here is derived at import time: a scikit-learn
release that adds an estimator shows up as a failing test (``tests/test_usetime.py``) until the
class has been reviewed and added.
"""

from __future__ import annotations

__all__ = ["ESTIMATOR_ROWS"]

C = "parameters held to its _parameter_constraints"
N = "no _parameter_constraints: no parameters, or every slot it acts on pinned"

_Entry = tuple[str, str, tuple[str, ...]]


def _rows(module: str, *entries: _Entry) -> tuple[tuple[str, str, str], ...]:
    rows = []
    for qualname, params, pinned in entries:
        review = f"{params}; pinned: {', '.join(pinned)}" if pinned else params
        rows.append((module, qualname, f"scikit-learn estimator; {review}"))
    return tuple(rows)


#: ``(module, qualname, reason)`` for every estimator class trusted by default.
ESTIMATOR_ROWS: tuple[tuple[str, str, str], ...] = (
    *_rows(
        "sklearn.calibration",
        (
            "CalibratedClassifierCV",
            C,
            (
                "calibrated_classifiers_",
                "estimator",
            ),
        ),
    ),
    *_rows(
        "sklearn.cluster._affinity_propagation",
        ("AffinityPropagation", C, ()),
    ),
    *_rows(
        "sklearn.cluster._agglomerative",
        ("AgglomerativeClustering", C, ("memory",)),
        ("FeatureAgglomeration", C, ("memory",)),
    ),
    *_rows(
        "sklearn.cluster._bicluster",
        ("SpectralBiclustering", C, ()),
        ("SpectralCoclustering", C, ()),
    ),
    *_rows(
        "sklearn.cluster._birch",
        (
            "Birch",
            C,
            (
                "dummy_leaf_",
                "root_",
            ),
        ),
    ),
    *_rows(
        "sklearn.cluster._bisect_k_means",
        ("BisectingKMeans", C, ()),
    ),
    *_rows(
        "sklearn.cluster._dbscan",
        ("DBSCAN", C, ("metric_params",)),
    ),
    *_rows(
        "sklearn.cluster._hdbscan.hdbscan",
        ("HDBSCAN", C, ("metric_params",)),
    ),
    *_rows(
        "sklearn.cluster._kmeans",
        ("KMeans", C, ()),
        ("MiniBatchKMeans", C, ()),
    ),
    *_rows(
        "sklearn.cluster._mean_shift",
        ("MeanShift", C, ()),
    ),
    *_rows(
        "sklearn.cluster._optics",
        (
            "OPTICS",
            C,
            (
                "memory",
                "metric_params",
            ),
        ),
    ),
    *_rows(
        "sklearn.cluster._spectral",
        ("SpectralClustering", C, ("kernel_params",)),
    ),
    *_rows(
        "sklearn.compose._column_transformer",
        (
            "ColumnTransformer",
            C,
            (
                "remainder",
                "transformer_weights",
                "transformers",
                "transformers_",
            ),
        ),
    ),
    *_rows(
        "sklearn.compose._target",
        (
            "TransformedTargetRegressor",
            C,
            (
                "func",
                "inverse_func",
                "regressor",
                "regressor_",
                "transformer",
                "transformer_",
            ),
        ),
    ),
    *_rows(
        "sklearn.covariance._elliptic_envelope",
        ("EllipticEnvelope", C, ()),
    ),
    *_rows(
        "sklearn.covariance._empirical_covariance",
        ("EmpiricalCovariance", C, ()),
    ),
    *_rows(
        "sklearn.covariance._graph_lasso",
        ("GraphicalLasso", C, ()),
        ("GraphicalLassoCV", C, ()),
    ),
    *_rows(
        "sklearn.covariance._robust_covariance",
        ("MinCovDet", C, ()),
    ),
    *_rows(
        "sklearn.covariance._shrunk_covariance",
        ("LedoitWolf", C, ()),
        ("OAS", C, ()),
        ("ShrunkCovariance", C, ()),
    ),
    *_rows(
        "sklearn.cross_decomposition._pls",
        ("CCA", C, ()),
        ("PLSCanonical", C, ()),
        ("PLSRegression", C, ()),
        ("PLSSVD", C, ()),
    ),
    *_rows(
        "sklearn.decomposition._dict_learning",
        ("DictionaryLearning", C, ()),
        ("MiniBatchDictionaryLearning", C, ()),
        ("SparseCoder", C, ()),
    ),
    *_rows(
        "sklearn.decomposition._factor_analysis",
        ("FactorAnalysis", C, ()),
    ),
    *_rows(
        "sklearn.decomposition._fastica",
        ("FastICA", C, ()),
    ),
    *_rows(
        "sklearn.decomposition._incremental_pca",
        ("IncrementalPCA", C, ()),
    ),
    *_rows(
        "sklearn.decomposition._kernel_pca",
        (
            "KernelPCA",
            C,
            (
                "_centerer",
                "kernel_params",
            ),
        ),
    ),
    *_rows(
        "sklearn.decomposition._lda",
        ("LatentDirichletAllocation", C, ()),
    ),
    *_rows(
        "sklearn.decomposition._nmf",
        ("MiniBatchNMF", C, ()),
        ("NMF", C, ()),
    ),
    *_rows(
        "sklearn.decomposition._pca",
        ("PCA", C, ()),
    ),
    *_rows(
        "sklearn.decomposition._sparse_pca",
        ("MiniBatchSparsePCA", C, ()),
        ("SparsePCA", C, ()),
    ),
    *_rows(
        "sklearn.decomposition._truncated_svd",
        ("TruncatedSVD", C, ()),
    ),
    *_rows(
        "sklearn.discriminant_analysis",
        ("LinearDiscriminantAnalysis", C, ("covariance_estimator",)),
        ("QuadraticDiscriminantAnalysis", C, ("covariance_estimator",)),
    ),
    *_rows(
        "sklearn.dummy",
        ("DummyClassifier", C, ()),
        ("DummyRegressor", C, ()),
    ),
    *_rows(
        "sklearn.ensemble._bagging",
        (
            "BaggingClassifier",
            C,
            (
                "estimator",
                "estimator_",
                "estimator_params",
                "estimators_",
            ),
        ),
        (
            "BaggingRegressor",
            C,
            (
                "estimator",
                "estimator_",
                "estimator_params",
                "estimators_",
            ),
        ),
    ),
    *_rows(
        "sklearn.ensemble._forest",
        (
            "ExtraTreesClassifier",
            C,
            (
                "estimator_",
                "estimator_params",
                "estimators_",
            ),
        ),
        (
            "ExtraTreesRegressor",
            C,
            (
                "estimator_",
                "estimator_params",
                "estimators_",
            ),
        ),
        (
            "RandomForestClassifier",
            C,
            (
                "estimator_",
                "estimator_params",
                "estimators_",
            ),
        ),
        (
            "RandomForestRegressor",
            C,
            (
                "estimator_",
                "estimator_params",
                "estimators_",
            ),
        ),
        (
            "RandomTreesEmbedding",
            C,
            (
                "estimator_",
                "estimator_params",
                "estimators_",
                "one_hot_encoder_",
            ),
        ),
    ),
    *_rows(
        "sklearn.ensemble._gb",
        (
            "GradientBoostingClassifier",
            C,
            (
                "estimator_",
                "estimator_params",
                "estimators_",
                "init",
                "init_",
            ),
        ),
        (
            "GradientBoostingRegressor",
            C,
            (
                "estimator_",
                "estimator_params",
                "estimators_",
                "init",
                "init_",
            ),
        ),
    ),
    *_rows(
        "sklearn.ensemble._hist_gradient_boosting.gradient_boosting",
        (
            "HistGradientBoostingClassifier",
            C,
            (
                "_bin_mapper",
                "_label_encoder",
                "_preprocessor",
                "_scorer",
            ),
        ),
        (
            "HistGradientBoostingRegressor",
            C,
            (
                "_bin_mapper",
                "_preprocessor",
                "_scorer",
            ),
        ),
    ),
    *_rows(
        "sklearn.ensemble._iforest",
        (
            "IsolationForest",
            C,
            (
                "estimator",
                "estimator_",
                "estimator_params",
                "estimators_",
            ),
        ),
    ),
    *_rows(
        "sklearn.ensemble._stacking",
        (
            "StackingClassifier",
            C,
            (
                "_label_encoder",
                "estimators",
                "estimators_",
                "final_estimator",
                "final_estimator_",
                "named_estimators_",
                "stack_method_",
            ),
        ),
        (
            "StackingRegressor",
            C,
            (
                "estimators",
                "estimators_",
                "final_estimator",
                "final_estimator_",
                "named_estimators_",
                "stack_method_",
            ),
        ),
    ),
    *_rows(
        "sklearn.ensemble._voting",
        (
            "VotingClassifier",
            C,
            (
                "estimators",
                "estimators_",
                "le_",
                "named_estimators_",
            ),
        ),
        (
            "VotingRegressor",
            C,
            (
                "estimators",
                "estimators_",
                "named_estimators_",
            ),
        ),
    ),
    *_rows(
        "sklearn.ensemble._weight_boosting",
        (
            "AdaBoostClassifier",
            C,
            (
                "estimator",
                "estimator_",
                "estimator_params",
                "estimators_",
            ),
        ),
        (
            "AdaBoostRegressor",
            C,
            (
                "estimator",
                "estimator_",
                "estimator_params",
                "estimators_",
            ),
        ),
    ),
    *_rows(
        "sklearn.feature_extraction._dict_vectorizer",
        ("DictVectorizer", C, ()),
    ),
    *_rows(
        "sklearn.feature_extraction._hash",
        ("FeatureHasher", C, ()),
    ),
    *_rows(
        "sklearn.feature_extraction.image",
        ("PatchExtractor", C, ()),
    ),
    *_rows(
        "sklearn.feature_extraction.text",
        ("CountVectorizer", C, ("vocabulary",)),
        ("HashingVectorizer", C, ()),
        ("TfidfTransformer", C, ()),
        (
            "TfidfVectorizer",
            C,
            (
                "_tfidf",
                "vocabulary",
            ),
        ),
    ),
    *_rows(
        "sklearn.feature_selection._from_model",
        (
            "SelectFromModel",
            C,
            (
                "estimator",
                "estimator_",
                "importance_getter",
            ),
        ),
    ),
    *_rows(
        "sklearn.feature_selection._rfe",
        (
            "RFE",
            C,
            (
                "estimator",
                "estimator_",
                "importance_getter",
            ),
        ),
        (
            "RFECV",
            C,
            (
                "estimator",
                "estimator_",
                "importance_getter",
            ),
        ),
    ),
    *_rows(
        "sklearn.feature_selection._sequential",
        ("SequentialFeatureSelector", C, ("estimator",)),
    ),
    *_rows(
        "sklearn.feature_selection._univariate_selection",
        ("GenericUnivariateSelect", C, ()),
        ("SelectFdr", C, ()),
        ("SelectFpr", C, ()),
        ("SelectFwe", C, ()),
        ("SelectKBest", C, ()),
        ("SelectPercentile", C, ()),
    ),
    *_rows(
        "sklearn.feature_selection._variance_threshold",
        ("VarianceThreshold", C, ()),
    ),
    *_rows(
        "sklearn.frozen._frozen",
        ("FrozenEstimator", N, ("estimator",)),
    ),
    *_rows(
        "sklearn.gaussian_process._gpc",
        ("GaussianProcessClassifier", C, ("base_estimator_",)),
    ),
    *_rows(
        "sklearn.gaussian_process._gpr",
        ("GaussianProcessRegressor", C, ("kernel_",)),
    ),
    *_rows(
        "sklearn.impute._base",
        ("MissingIndicator", C, ()),
        ("SimpleImputer", C, ("indicator_",)),
    ),
    *_rows(
        "sklearn.impute._knn",
        ("KNNImputer", C, ("indicator_",)),
    ),
    *_rows(
        "sklearn.isotonic",
        ("IsotonicRegression", C, ("f_",)),
    ),
    *_rows(
        "sklearn.kernel_approximation",
        ("AdditiveChi2Sampler", C, ()),
        ("Nystroem", C, ("kernel_params",)),
        ("PolynomialCountSketch", C, ()),
        ("RBFSampler", C, ()),
        ("SkewedChi2Sampler", C, ()),
    ),
    *_rows(
        "sklearn.kernel_ridge",
        ("KernelRidge", C, ("kernel_params",)),
    ),
    *_rows(
        "sklearn.linear_model._base",
        ("LinearRegression", C, ()),
    ),
    *_rows(
        "sklearn.linear_model._bayes",
        ("ARDRegression", C, ()),
        ("BayesianRidge", C, ()),
    ),
    *_rows(
        "sklearn.linear_model._coordinate_descent",
        ("ElasticNet", C, ()),
        ("ElasticNetCV", C, ()),
        ("Lasso", C, ()),
        ("LassoCV", C, ()),
        ("MultiTaskElasticNet", C, ()),
        ("MultiTaskElasticNetCV", C, ()),
        ("MultiTaskLasso", C, ()),
        ("MultiTaskLassoCV", C, ()),
    ),
    *_rows(
        "sklearn.linear_model._glm.glm",
        ("GammaRegressor", C, ()),
        ("PoissonRegressor", C, ()),
        ("TweedieRegressor", C, ()),
    ),
    *_rows(
        "sklearn.linear_model._huber",
        ("HuberRegressor", C, ()),
    ),
    *_rows(
        "sklearn.linear_model._least_angle",
        ("Lars", C, ()),
        ("LarsCV", C, ()),
        ("LassoLars", C, ()),
        ("LassoLarsCV", C, ()),
        ("LassoLarsIC", C, ()),
    ),
    *_rows(
        "sklearn.linear_model._logistic",
        ("LogisticRegression", C, ()),
        ("LogisticRegressionCV", C, ()),
    ),
    *_rows(
        "sklearn.linear_model._omp",
        ("OrthogonalMatchingPursuit", C, ()),
        ("OrthogonalMatchingPursuitCV", C, ()),
    ),
    *_rows(
        "sklearn.linear_model._passive_aggressive",
        ("PassiveAggressiveClassifier", C, ()),
        ("PassiveAggressiveRegressor", C, ()),
    ),
    *_rows(
        "sklearn.linear_model._perceptron",
        ("Perceptron", C, ()),
    ),
    *_rows(
        "sklearn.linear_model._quantile",
        ("QuantileRegressor", C, ()),
    ),
    *_rows(
        "sklearn.linear_model._ransac",
        (
            "RANSACRegressor",
            C,
            (
                "estimator",
                "estimator_",
            ),
        ),
    ),
    *_rows(
        "sklearn.linear_model._ridge",
        ("Ridge", C, ()),
        ("RidgeCV", C, ()),
        ("RidgeClassifier", C, ("_label_binarizer",)),
        ("RidgeClassifierCV", C, ("_label_binarizer",)),
    ),
    *_rows(
        "sklearn.linear_model._stochastic_gradient",
        ("SGDClassifier", C, ()),
        ("SGDOneClassSVM", C, ()),
        ("SGDRegressor", C, ()),
    ),
    *_rows(
        "sklearn.linear_model._theil_sen",
        ("TheilSenRegressor", C, ()),
    ),
    *_rows(
        "sklearn.manifold._classical_mds",
        ("ClassicalMDS", C, ("metric_params",)),
    ),
    *_rows(
        "sklearn.manifold._isomap",
        (
            "Isomap",
            C,
            (
                "kernel_pca_",
                "metric_params",
                "nbrs_",
            ),
        ),
    ),
    *_rows(
        "sklearn.manifold._locally_linear",
        ("LocallyLinearEmbedding", C, ("nbrs_",)),
    ),
    *_rows(
        "sklearn.manifold._mds",
        ("MDS", C, ("metric_params",)),
    ),
    *_rows(
        "sklearn.manifold._spectral_embedding",
        ("SpectralEmbedding", C, ()),
    ),
    *_rows(
        "sklearn.manifold._t_sne",
        ("TSNE", C, ("metric_params",)),
    ),
    *_rows(
        "sklearn.mixture._bayesian_mixture",
        ("BayesianGaussianMixture", C, ()),
    ),
    *_rows(
        "sklearn.mixture._gaussian_mixture",
        ("GaussianMixture", C, ()),
    ),
    *_rows(
        "sklearn.model_selection._classification_threshold",
        (
            "FixedThresholdClassifier",
            C,
            (
                "estimator",
                "estimator_",
            ),
        ),
        (
            "TunedThresholdClassifierCV",
            C,
            (
                "_curve_scorer",
                "estimator",
                "estimator_",
            ),
        ),
    ),
    *_rows(
        "sklearn.model_selection._search",
        (
            "GridSearchCV",
            C,
            (
                "best_estimator_",
                "estimator",
                "scorer_",
            ),
        ),
        (
            "RandomizedSearchCV",
            C,
            (
                "best_estimator_",
                "estimator",
                "scorer_",
            ),
        ),
    ),
    *_rows(
        "sklearn.multiclass",
        (
            "OneVsOneClassifier",
            C,
            (
                "estimator",
                "estimators_",
            ),
        ),
        (
            "OneVsRestClassifier",
            C,
            (
                "estimator",
                "estimators_",
                "label_binarizer_",
            ),
        ),
        (
            "OutputCodeClassifier",
            C,
            (
                "estimator",
                "estimators_",
            ),
        ),
    ),
    *_rows(
        "sklearn.multioutput",
        (
            "ClassifierChain",
            C,
            (
                "chain_method_",
                "estimator",
                "estimators_",
            ),
        ),
        (
            "MultiOutputClassifier",
            C,
            (
                "estimator",
                "estimators_",
            ),
        ),
        (
            "MultiOutputRegressor",
            C,
            (
                "estimator",
                "estimators_",
            ),
        ),
        (
            "RegressorChain",
            C,
            (
                "chain_method_",
                "estimator",
                "estimators_",
            ),
        ),
    ),
    *_rows(
        "sklearn.naive_bayes",
        ("BernoulliNB", C, ()),
        ("CategoricalNB", C, ()),
        ("ComplementNB", C, ()),
        ("GaussianNB", C, ()),
        ("MultinomialNB", C, ()),
    ),
    *_rows(
        "sklearn.neighbors._classification",
        (
            "KNeighborsClassifier",
            C,
            (
                "_fit_method",
                "effective_metric_",
                "effective_metric_params_",
                "metric_params",
            ),
        ),
        (
            "RadiusNeighborsClassifier",
            C,
            (
                "_fit_method",
                "effective_metric_",
                "effective_metric_params_",
                "metric_params",
            ),
        ),
    ),
    *_rows(
        "sklearn.neighbors._graph",
        (
            "KNeighborsTransformer",
            C,
            (
                "_fit_method",
                "effective_metric_",
                "effective_metric_params_",
                "metric_params",
            ),
        ),
        (
            "RadiusNeighborsTransformer",
            C,
            (
                "_fit_method",
                "effective_metric_",
                "effective_metric_params_",
                "metric_params",
            ),
        ),
    ),
    *_rows(
        "sklearn.neighbors._kde",
        ("KernelDensity", C, ("metric_params",)),
    ),
    *_rows(
        "sklearn.neighbors._lof",
        (
            "LocalOutlierFactor",
            C,
            (
                "_fit_method",
                "effective_metric_",
                "effective_metric_params_",
                "metric_params",
            ),
        ),
    ),
    *_rows(
        "sklearn.neighbors._nca",
        ("NeighborhoodComponentsAnalysis", C, ()),
    ),
    *_rows(
        "sklearn.neighbors._nearest_centroid",
        ("NearestCentroid", C, ()),
    ),
    *_rows(
        "sklearn.neighbors._regression",
        (
            "KNeighborsRegressor",
            C,
            (
                "_fit_method",
                "effective_metric_",
                "effective_metric_params_",
                "metric_params",
            ),
        ),
        (
            "RadiusNeighborsRegressor",
            C,
            (
                "_fit_method",
                "effective_metric_",
                "effective_metric_params_",
                "metric_params",
            ),
        ),
    ),
    *_rows(
        "sklearn.neighbors._unsupervised",
        (
            "NearestNeighbors",
            C,
            (
                "_fit_method",
                "effective_metric_",
                "effective_metric_params_",
                "metric_params",
            ),
        ),
    ),
    *_rows(
        "sklearn.neural_network._multilayer_perceptron",
        (
            "MLPClassifier",
            C,
            (
                "_label_binarizer",
                "_optimizer",
                "out_activation_",
            ),
        ),
        (
            "MLPRegressor",
            C,
            (
                "_optimizer",
                "out_activation_",
            ),
        ),
    ),
    *_rows(
        "sklearn.neural_network._rbm",
        ("BernoulliRBM", C, ()),
    ),
    *_rows(
        "sklearn.pipeline",
        (
            "FeatureUnion",
            N,
            (
                "n_jobs",
                "transformer_list",
                "transformer_weights",
                "verbose",
                "verbose_feature_names_out",
            ),
        ),
        (
            "Pipeline",
            C,
            (
                "memory",
                "steps",
                "transform_input",
            ),
        ),
    ),
    *_rows(
        "sklearn.preprocessing._data",
        ("Binarizer", C, ()),
        ("KernelCenterer", N, ()),
        ("MaxAbsScaler", C, ()),
        ("MinMaxScaler", C, ()),
        ("Normalizer", C, ()),
        ("PowerTransformer", C, ("_scaler",)),
        ("QuantileTransformer", C, ()),
        ("RobustScaler", C, ()),
        ("StandardScaler", C, ()),
    ),
    *_rows(
        "sklearn.preprocessing._discretization",
        ("KBinsDiscretizer", C, ("_encoder",)),
    ),
    *_rows(
        "sklearn.preprocessing._encoders",
        ("OneHotEncoder", C, ()),
        ("OrdinalEncoder", C, ()),
    ),
    *_rows(
        "sklearn.preprocessing._function_transformer",
        (
            "FunctionTransformer",
            C,
            (
                "func",
                "inv_kw_args",
                "inverse_func",
                "kw_args",
            ),
        ),
    ),
    *_rows(
        "sklearn.preprocessing._label",
        ("LabelBinarizer", C, ()),
        ("LabelEncoder", N, ()),
        ("MultiLabelBinarizer", C, ()),
    ),
    *_rows(
        "sklearn.preprocessing._polynomial",
        ("PolynomialFeatures", C, ()),
        ("SplineTransformer", C, ()),
    ),
    *_rows(
        "sklearn.preprocessing._target_encoder",
        ("TargetEncoder", C, ()),
    ),
    *_rows(
        "sklearn.random_projection",
        ("GaussianRandomProjection", C, ()),
        ("SparseRandomProjection", C, ()),
    ),
    *_rows(
        "sklearn.semi_supervised._label_propagation",
        ("LabelPropagation", C, ("nn_fit",)),
        ("LabelSpreading", C, ("nn_fit",)),
    ),
    *_rows(
        "sklearn.semi_supervised._self_training",
        (
            "SelfTrainingClassifier",
            C,
            (
                "estimator",
                "estimator_",
            ),
        ),
    ),
    *_rows(
        "sklearn.svm._classes",
        ("LinearSVC", C, ()),
        ("LinearSVR", C, ()),
        ("NuSVC", C, ("_impl",)),
        ("NuSVR", C, ("_impl",)),
        ("OneClassSVM", C, ("_impl",)),
        ("SVC", C, ("_impl",)),
        ("SVR", C, ("_impl",)),
    ),
    *_rows(
        "sklearn.tree._classes",
        ("DecisionTreeClassifier", C, ()),
        ("DecisionTreeRegressor", C, ()),
        ("ExtraTreeClassifier", C, ()),
        ("ExtraTreeRegressor", C, ()),
    ),
)
