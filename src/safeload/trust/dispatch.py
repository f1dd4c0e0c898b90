"""The use-time dispatch table: state attributes that decide what a loaded object *does*.

scikit-learn objects act on their own state when they are used: they look methods up by a
stored name (``getattr(est, self.stack_method_[i])``), call stored callables, hand stored
objects to code that calls their methods, import a module named in their output configuration,
or write to a stored path. A file chooses all of that state, so every such attribute is pinned
here, by the class that stores it, to the values the class itself would store for an honestly
fitted model. ``safeload.trust.usetime`` applies the table to every object of a loaded graph.

Constructor parameters are also checked against scikit-learn's own ``_parameter_constraints``;
the rows below cover what those constraints do not: fitted and private attributes, parameters
whose constraint admits something dangerous (a ``memory`` path, a dotted attribute path), and
the non-estimator classes on the allowlist (scorers, kernels, internal helpers), which have no
constraints at all.

Each row was found by reading the class's source (see ``docs/usetime-audit.md`` for how the
search was done) and says what the attribute drives. A row applies to the named class and its
subclasses.
"""

from __future__ import annotations

from dataclasses import dataclass

from safeload.trust.regex import REVIEWED_TOKEN_PATTERNS

__all__ = ["KINDS", "MAX_THREADS", "MAX_WORKERS", "ROWS", "DispatchRow"]

#: Largest stored OpenMP thread count accepted (kind ``thread_count``). Not tied to this
#: machine: an honest file stores the fitting machine's count, which may exceed this one's cores.
MAX_THREADS = 1024
#: Largest stored joblib ``n_jobs`` accepted (a ``thread_count`` row holding 'workers'): on
#: joblib's default backend (loky) each is a worker *process*, a new interpreter importing
#: numpy and scikit-learn (~100 MB); a union's ``transform`` started 66 of them for
#: ``n_jobs=64`` (rt36-13). Honest files store a small count or -1 (all cores).
MAX_WORKERS = 4

#: The classes whose public methods hand ``n_jobs`` to ``joblib.Parallel`` without asking
#: for threads (scikit-learn 1.9: every such call outside tests), or to a helper or
#: estimator that does (cross_val_score, sparse_encode, OneVsRestClassifier: rt37-01), by the
#: class defining the method. Their ``n_jobs`` counts processes, capped at :data:`MAX_WORKERS`.
PROCESS_WORKERS = (
    "sklearn.calibration:CalibratedClassifierCV",
    "sklearn.cluster._mean_shift:MeanShift",
    "sklearn.compose._column_transformer:ColumnTransformer",
    "sklearn.covariance._graph_lasso:GraphicalLassoCV",
    "sklearn.decomposition._dict_learning:_BaseSparseCoding",
    "sklearn.decomposition._lda:LatentDirichletAllocation",
    "sklearn.decomposition._sparse_pca:_BaseSparsePCA",
    "sklearn.ensemble._bagging:BaseBagging",
    "sklearn.ensemble._stacking:_BaseStacking",
    "sklearn.ensemble._voting:_BaseVoting",
    "sklearn.feature_selection._rfe:RFECV",
    "sklearn.feature_selection._sequential:SequentialFeatureSelector",
    "sklearn.gaussian_process._gpc:GaussianProcessClassifier",
    "sklearn.linear_model._base:LinearRegression",
    "sklearn.linear_model._least_angle:LarsCV",
    "sklearn.linear_model._logistic:LogisticRegressionCV",
    "sklearn.linear_model._omp:OrthogonalMatchingPursuitCV",
    "sklearn.linear_model._theil_sen:TheilSenRegressor",
    "sklearn.manifold._mds:MDS",
    "sklearn.model_selection._classification_threshold:TunedThresholdClassifierCV",
    "sklearn.model_selection._search:BaseSearchCV",
    "sklearn.multiclass:OneVsOneClassifier",
    "sklearn.multiclass:OneVsRestClassifier",
    "sklearn.multiclass:OutputCodeClassifier",
    "sklearn.multioutput:_MultiOutputEstimator",
    "sklearn.pipeline:FeatureUnion",
)

#: How an attribute can be pinned. ``safeload.trust.kinds`` implements each kind.
KINDS: dict[str, str] = {
    "one_of": "a str equal to one of ``values`` (or None when ``values`` holds None)",
    "each_one_of": "a str, or a list, tuple or str array whose every item is one of ``values``",
    "estimator": "an allowed estimator instance, or None or one of ``values`` (sentinels)",
    "estimators": "an estimator, or a list, tuple, dict/Bunch (values) or object array of "
    "estimators (None or one of ``values`` allowed as sentinels); nested lists allowed",
    "named_estimators": "a list of (str, estimator-or-sentinel) pairs",
    "named_transformers": "a list of (str, estimator-or-sentinel, columns) triples; columns are "
    "plain data or an allowed column selector",
    "callable": "None or a callable from the callable allowlist (safeload.trust.callables), or a "
    "functools.partial of one with plain-data arguments; never a bound method, estimator, "
    "scorer or array method",
    "scorer": "None, a str, a callable from the callable allowlist, or an allowed scorer object",
    "none": "must be None (for example ``memory``: a path that fit would write to)",
    "output_config": "a dict of str -> one of 'default', 'pandas', 'polars'",
    "attr_path": "'auto', or a dotted path of public identifiers (no leading underscore), "
    "at most 1,000 characters",
    "data": "plain data only: numbers, str, bytes, None, numeric/str arrays, and lists, tuples "
    "and dicts of those; no callables, no estimators, no object arrays of objects",
    "vocabulary": "plain data (as ``data``); a dict's values must be the ints 0 to n - 1, each "
    "once (what scikit-learn requires of a vocabulary, checked there only after hashing them)",
    "kernel": "an allowed Gaussian-process kernel instance",
    "forbidden": "the attribute may not be present in the state at all",
    "int_one": "the int 1 exactly (a worker count pinned to one: no processes at use)",
    "output_width": "an int (exactly) from 1 to MAX_OUTPUT_COLUMNS: a number of output columns "
    "a method allocates per row, and names, from this stored int alone",
    "thread_count": "an int from 1 to MAX_THREADS (an OpenMP thread count the fitting machine "
    "stored: the native code starts that many threads), or None when ``values`` holds None, "
    "or a negative int when it holds 'negative' (joblib's n_jobs: all cores but some); "
    "from 1 to MAX_WORKERS when it holds 'workers' (joblib's worker processes)",
    "params": "None, or a dict of parameters handed to a library's native code: plain data, "
    "and none of the keys in ``values`` (parameters that name files, paths, hosts or streams)",
    "instance_of": "an instance of one of the classes named in ``values`` ('module:qualname'), "
    "or None when ``values`` holds None",
    "each_instance_of": "a list, tuple or object array whose items are all instance_of",
    "regex": "None, or a str (exactly) that is one of ``values`` when it has any, else a "
    "regular expression that safeload.trust.regex.regex_problem accepts (bounded backtracking)",
    "rebuilt": "built by the class's own __setstate__ from other state, never taken from the "
    "file: must be an instance of a class in ``values`` (none of which a file can build), and is "
    "not walked further",
    "numeric_dtype": "a numeric scalar type (numpy.float64, numpy.int32, numpy.bool_, builtins "
    "float, int, bool, complex), a numpy.dtype of one, or a short type code naming one "
    "('float32', '<f8'), or None when ``values`` holds None: never a str, bytes, void, record "
    "or sub-array type, whose item size the file chooses",
    "fitted_dtype": "a numpy.dtype object, exactly (what ``X.dtype`` was at fit), of a numeric or "
    "object type: never a type code, a type, a Bunch (it answers any attribute) or a record, "
    "str, bytes, void or sub-array dtype, whose item size the file chooses",
}


@dataclass(frozen=True)
class DispatchRow:
    """One reviewed attribute: which class stores it, what it drives, how it is pinned."""

    #: ``module:qualname`` of the class as defined (the row applies to subclasses too).
    cls: str
    #: The instance attribute name, as it appears in ``__dict__``.
    attribute: str
    #: What the attribute drives at use time (the call, and where).
    drives: str
    #: One of :data:`KINDS`.
    kind: str
    #: Allowed values or sentinels, for the kinds that take them.
    values: tuple[str | None, ...] = ()


ROWS: tuple[DispatchRow, ...] = (
    DispatchRow(
        "sklearn.base:BaseEstimator",
        "_callback_fit_ctx",
        "fit: callback context whose hooks are called (_callback_support.py:80-99); transient, "
        "deleted after fit",
        "forbidden",
    ),
    DispatchRow(
        "sklearn.base:BaseEstimator",
        "_parent_callback_ctx",
        "fit: parent callback context merged into the task tree (_callback_context.py:117-123); "
        "transient",
        "forbidden",
    ),
    DispatchRow(
        "sklearn.base:BaseEstimator",
        "_skl_callbacks",
        "fit/clone: callback.setup()/teardown()/hook getattr(callback, hook_name)(...) "
        "(_callback_support.py:91, _callback_context.py:360, base.py:139)",
        "forbidden",
    ),
    DispatchRow(
        "sklearn.base:BaseEstimator",
        "_skl_callbacks_to_teardown",
        "fit: callback.teardown(...) in callback_management_context (_callback_support.py:127); "
        "transient",
        "forbidden",
    ),
    DispatchRow(
        "sklearn.calibration:CalibratedClassifierCV",
        "calibrated_classifiers_",
        "predict_proba: clf.predict_proba(X) for each _CalibratedClassifier "
        "(calibration.py:372-441)",
        "estimators",
    ),
    DispatchRow(
        "sklearn.calibration:CalibratedClassifierCV",
        "estimator",
        "fit: clone(estimator).fit; HasMethods constraint admits any object with fit",
        "estimator",
    ),
    DispatchRow(
        "sklearn.calibration:_CalibratedClassifier",
        "calibrators",
        "predict_proba: calibrator.predict(pred) per class",
        "estimators",
    ),
    DispatchRow(
        "sklearn.calibration:_CalibratedClassifier",
        "estimator",
        "predict_proba: _get_response_values(estimator, X, ['decision_function', 'predict_proba'])",
        "estimator",
    ),
    DispatchRow(
        "sklearn.calibration:_CalibratedClassifier",
        "method",
        "predict_proba: selects per-class vs temperature calibration branch",
        "one_of",
        ("isotonic", "sigmoid", "temperature"),
    ),
    DispatchRow(
        "sklearn.cluster._agglomerative:AgglomerativeClustering",
        "memory",
        "fit: check_memory(memory).cache(...) writes a joblib cache under the path",
        "none",
    ),
    DispatchRow(
        "sklearn.cluster._dbscan:DBSCAN",
        "metric_params",
        "fit: **metric_params forwarded to NearestNeighbors / DistanceMetric",
        "data",
    ),
    DispatchRow(
        "sklearn.cluster._hdbscan.hdbscan:HDBSCAN",
        "metric_params",
        "fit: **metric_params forwarded to pairwise_distances / trees",
        "data",
    ),
    DispatchRow(
        "sklearn.cluster._optics:OPTICS",
        "memory",
        "fit: check_memory(memory).cache(compute_optics_graph) writes a joblib cache",
        "none",
    ),
    DispatchRow(
        "sklearn.cluster._optics:OPTICS",
        "metric_params",
        "fit: **metric_params forwarded to NearestNeighbors / pairwise_distances",
        "data",
    ),
    DispatchRow(
        "sklearn.cluster._spectral:SpectralClustering",
        "kernel_params",
        "fit: **kernel_params forwarded to pairwise_kernels",
        "data",
    ),
    DispatchRow(
        "sklearn.compose._column_transformer:ColumnTransformer",
        "remainder",
        "fit: clone(remainder).fit_transform; HasMethods constraint admits any object with "
        "fit/transform",
        "estimator",
        ("drop", "passthrough"),
    ),
    DispatchRow(
        "sklearn.compose._column_transformer:ColumnTransformer",
        "transformer_weights",
        "transform: multiplies each block by weight; constraint dict does not check values",
        "data",
    ),
    DispatchRow(
        "sklearn.compose._column_transformer:ColumnTransformer",
        "transformers",
        "fit: clone(trans).fit_transform; constraint 'list' does not check items",
        "named_transformers",
        ("drop", "passthrough"),
    ),
    DispatchRow(
        "sklearn.compose._column_transformer:ColumnTransformer",
        "transformers_",
        "transform: trans.transform(X[columns]) for each fitted triple (_iter(fitted=True))",
        "named_transformers",
        ("drop", "passthrough"),
    ),
    DispatchRow(
        "sklearn.compose._target:TransformedTargetRegressor",
        "func",
        "fit: FunctionTransformer(func=...) (compose/_target.py:192); stored callable",
        "callable",
    ),
    DispatchRow(
        "sklearn.compose._target:TransformedTargetRegressor",
        "inverse_func",
        "fit: FunctionTransformer(inverse_func=...); stored callable",
        "callable",
    ),
    DispatchRow(
        "sklearn.compose._target:TransformedTargetRegressor",
        "regressor",
        "fit: clone(regressor).fit; HasMethods constraint",
        "estimator",
    ),
    DispatchRow(
        "sklearn.compose._target:TransformedTargetRegressor",
        "regressor_",
        "predict: regressor_.predict(X)",
        "estimator",
    ),
    DispatchRow(
        "sklearn.compose._target:TransformedTargetRegressor",
        "transformer",
        "fit: clone(transformer).fit; HasMethods constraint",
        "estimator",
    ),
    DispatchRow(
        "sklearn.compose._target:TransformedTargetRegressor",
        "transformer_",
        "predict: transformer_.inverse_transform(pred) (calls func/inverse_func)",
        "estimator",
    ),
    DispatchRow(
        "sklearn.decomposition._kernel_pca:KernelPCA",
        "_centerer",
        "transform: _centerer.transform(K)",
        "estimator",
    ),
    DispatchRow(
        "sklearn.decomposition._kernel_pca:KernelPCA",
        "kernel_params",
        "transform: **kernel_params forwarded to pairwise_kernels",
        "data",
    ),
    DispatchRow(
        "sklearn.discriminant_analysis:LinearDiscriminantAnalysis",
        "covariance_estimator",
        "fit: covariance_estimator.fit(X); HasMethods constraint",
        "estimator",
    ),
    DispatchRow(
        "sklearn.discriminant_analysis:QuadraticDiscriminantAnalysis",
        "covariance_estimator",
        "fit: covariance_estimator.fit(X); HasMethods constraint",
        "estimator",
    ),
    DispatchRow(
        "sklearn.ensemble._bagging:BaseBagging",
        "estimator",
        "fit: clone(estimator); HasMethods constraint",
        "estimator",
    ),
    DispatchRow(
        "sklearn.ensemble._base:BaseEnsemble",
        "estimator_",
        "fit/_make_estimator: clone(estimator_).set_params(...)",
        "estimator",
    ),
    DispatchRow(
        "sklearn.ensemble._base:BaseEnsemble",
        "estimator_params",
        "fit: set_params(**{p: getattr(self, p) for p in estimator_params}) (_base.py:148)",
        "each_one_of",
        (
            "ccp_alpha",
            "criterion",
            "max_depth",
            "max_features",
            "max_leaf_nodes",
            "min_impurity_decrease",
            "min_samples_leaf",
            "min_samples_split",
            "min_weight_fraction_leaf",
            "monotonic_cst",
            "random_state",
        ),
    ),
    DispatchRow(
        "sklearn.ensemble._base:BaseEnsemble",
        "estimators_",
        "predict*/apply/decision_path: est.predict(X) etc. for each member (GB: 2-D object array)",
        "estimators",
    ),
    DispatchRow(
        "sklearn.ensemble._base:_BaseHeterogeneousEnsemble",
        "estimators",
        "fit: clone(est).fit for each (name, est); constraint 'list' does not check items",
        "named_estimators",
        ("drop",),
    ),
    DispatchRow(
        "sklearn.ensemble._base:_BaseHeterogeneousEnsemble",
        "estimators_",
        "predict*/transform: member methods (stacking via stack_method_, voting "
        "predict/predict_proba)",
        "estimators",
    ),
    DispatchRow(
        "sklearn.ensemble._base:_BaseHeterogeneousEnsemble",
        "named_estimators_",
        "get_feature_names_out/_sk_visual_block_: Bunch of fitted members",
        "estimators",
        ("drop",),
    ),
    DispatchRow(
        "sklearn.ensemble._forest:RandomTreesEmbedding",
        "one_hot_encoder_",
        "transform: one_hot_encoder_.transform(self.apply(X))",
        "estimator",
    ),
    DispatchRow(
        "sklearn.ensemble._gb:BaseGradientBoosting",
        "init",
        "fit: init.fit / predict_proba; HasMethods constraint",
        "estimator",
        ("zero",),
    ),
    DispatchRow(
        "sklearn.ensemble._gb:BaseGradientBoosting",
        "init_",
        "predict: _raw_predict_init -> init_.predict/predict_proba unless 'zero' (_gb.py:738)",
        "estimator",
        ("zero",),
    ),
    DispatchRow(
        "sklearn.ensemble._hist_gradient_boosting.gradient_boosting:BaseHistGradientBoosting",
        "_bin_mapper",
        "predict: _bin_mapper.make_known_categories_bitsets(); fit/partial: transform",
        "estimator",
    ),
    DispatchRow(
        "sklearn.ensemble._hist_gradient_boosting.gradient_boosting:BaseHistGradientBoosting",
        "_preprocessor",
        "predict: _preprocessor.transform(X) (categorical ColumnTransformer)",
        "estimator",
    ),
    DispatchRow(
        "sklearn.ensemble._hist_gradient_boosting.gradient_boosting:BaseHistGradientBoosting",
        "_scorer",
        "fit (early stopping): _scorer(self, X, y)",
        "scorer",
    ),
    DispatchRow(
        "sklearn.ensemble._hist_gradient_boosting.gradient_boosting:HistGradientBoostingClassifier",
        "_label_encoder",
        "predict: _label_encoder.inverse_transform",
        "estimator",
    ),
    DispatchRow(
        "sklearn.ensemble._stacking:StackingClassifier",
        "_label_encoder",
        "predict: _label_encoder.inverse_transform (a list of encoders for multilabel y)",
        "estimator",
    ),
    DispatchRow(
        "sklearn.ensemble._stacking:_BaseStacking",
        "final_estimator",
        "fit: clone(final_estimator); HasMethods constraint",
        "estimator",
    ),
    DispatchRow(
        "sklearn.ensemble._stacking:_BaseStacking",
        "final_estimator_",
        "predict*: final_estimator_.predict/predict_proba/decision_function(X_meta)",
        "estimator",
    ),
    DispatchRow(
        "sklearn.ensemble._stacking:_BaseStacking",
        "stack_method_",
        "StackingClassifier/Regressor._transform: getattr(estimators_[i], stack_method_[i])(X)",
        "each_one_of",
        ("predict_proba", "decision_function", "predict", "drop"),
    ),
    DispatchRow(
        "sklearn.ensemble._voting:VotingClassifier",
        "le_",
        "predict: le_.inverse_transform",
        "estimator",
    ),
    DispatchRow(
        "sklearn.ensemble._weight_boosting:BaseWeightBoosting",
        "estimator",
        "fit: clone(estimator); HasMethods constraint",
        "estimator",
    ),
    DispatchRow(
        "sklearn.feature_extraction.text:CountVectorizer",
        "vocabulary",
        "fit/transform: iterated/indexed; constraint admits any object with __iter__; "
        "_validate_vocabulary makes set(vocabulary.values()) at every fit and transform "
        "before it checks that they are 0..n-1: 20,000 values k * (2**61 - 1), all of hash 0, "
        "took 2.6 s a transform (rt122-10)",
        "vocabulary",
    ),
    DispatchRow(
        "sklearn.feature_extraction.text:_VectorizerMixin",
        "input",
        "transform/predict: 'filename' or 'file' makes decode() open and read each caller "
        "string as a path (r15-13); an honest model of text holds 'content'",
        "one_of",
        ("content",),
    ),
    DispatchRow(
        "sklearn.feature_extraction.text:_VectorizerMixin",
        "token_pattern",
        "transform/predict: re.compile(token_pattern).findall(doc) on every document; a "
        "backtracking pattern never returns on ordinary text (r15-13)",
        "regex",
        REVIEWED_TOKEN_PATTERNS,
    ),
    DispatchRow(
        "sklearn.feature_extraction.text:_VectorizerMixin",
        "stop_words",
        "transform: _check_stop_list makes frozenset(stop_words) at every call, hashing each "
        "item; an object there hashes by its class's code or by identity, which the list "
        "count cannot tell apart without importing it: [(k * (2**61 - 1), X)] with one "
        "object X took 9.9 s per transform (rt118-04), [Point(k * (2**61 - 1))] of a "
        "trusted class with its own __hash__ 7.3 s (rt119-05); honest stop words are texts",
        "data",
    ),
    DispatchRow(
        "sklearn.feature_extraction.text:TfidfVectorizer",
        "_tfidf",
        "transform: _tfidf.transform(X)",
        "estimator",
    ),
    DispatchRow(
        "sklearn.feature_selection._from_model:SelectFromModel",
        "estimator",
        "fit: clone(estimator).fit; HasMethods constraint",
        "estimator",
    ),
    DispatchRow(
        "sklearn.feature_selection._from_model:SelectFromModel",
        "estimator_",
        "transform: _get_feature_importances(estimator_, importance_getter)",
        "estimator",
    ),
    DispatchRow(
        "sklearn.feature_selection._from_model:SelectFromModel",
        "importance_getter",
        "transform: attrgetter(importance_getter)(estimator_) (feature_selection/_base.py:244)",
        "attr_path",
    ),
    DispatchRow(
        "sklearn.feature_selection._rfe:RFE",
        "estimator",
        "fit: clone(estimator).fit; HasMethods constraint",
        "estimator",
    ),
    DispatchRow(
        "sklearn.feature_selection._rfe:RFE",
        "estimator_",
        "predict/score/decision_function: estimator_.<method>(transform(X))",
        "estimator",
    ),
    DispatchRow(
        "sklearn.feature_selection._rfe:RFE",
        "importance_getter",
        "fit: attrgetter(importance_getter)(estimator) (feature_selection/_base.py:244)",
        "attr_path",
    ),
    DispatchRow(
        "sklearn.feature_selection._sequential:SequentialFeatureSelector",
        "estimator",
        "fit: clone(estimator) + cross_val_score; HasMethods constraint",
        "estimator",
    ),
    DispatchRow(
        "sklearn.frozen._frozen:FrozenEstimator",
        "estimator",
        "every call and every missing attribute: __getattr__ forwards to estimator "
        "(frozen/_frozen.py:72-77); class has no constraints",
        "estimator",
    ),
    DispatchRow(
        "sklearn.gaussian_process._gpc:GaussianProcessClassifier",
        "base_estimator_",
        "predict*: base_estimator_.predict/predict_proba (_BinaryGPCLaplace or OvR/OvO)",
        "estimator",
    ),
    DispatchRow(
        "sklearn.gaussian_process._gpc:_BinaryGaussianProcessClassifierLaplace",
        "kernel",
        "fit: clone(kernel); helper has no constraints",
        "kernel",
    ),
    DispatchRow(
        "sklearn.gaussian_process._gpc:_BinaryGaussianProcessClassifierLaplace",
        "kernel_",
        "predict*: kernel_(X_train_, X)",
        "kernel",
    ),
    DispatchRow(
        "sklearn.gaussian_process._gpc:_BinaryGaussianProcessClassifierLaplace",
        "optimizer",
        "fit: optimizer(obj_func, theta, bounds) when callable (_gpc.py:508)",
        "one_of",
        ("fmin_l_bfgs_b", None),
    ),
    DispatchRow(
        "sklearn.gaussian_process._gpr:GaussianProcessRegressor",
        "kernel_",
        "predict: kernel_(X, X_train_); kernel_.diag(X)",
        "kernel",
    ),
    DispatchRow(
        "sklearn.gaussian_process.kernels:Exponentiation",
        "kernel",
        "__call__/diag: kernel(X, Y) ** exponent",
        "kernel",
    ),
    DispatchRow(
        "sklearn.gaussian_process.kernels:KernelOperator",
        "k1",
        "__call__/diag: k1(X, Y) combined with k2 (Sum, Product)",
        "kernel",
    ),
    DispatchRow(
        "sklearn.gaussian_process.kernels:KernelOperator",
        "k2",
        "__call__/diag: k2(X, Y) combined with k1 (Sum, Product)",
        "kernel",
    ),
    DispatchRow(
        "sklearn.impute._base:_BaseImputer",
        "indicator_",
        "transform: indicator_.transform(X) when add_indicator",
        "estimator",
    ),
    DispatchRow(
        "sklearn.impute._iterative:IterativeImputer",
        "_estimator",
        "fit: clone(_estimator) per step",
        "estimator",
    ),
    DispatchRow(
        "sklearn.impute._iterative:IterativeImputer",
        "estimator",
        "fit: clone(estimator); HasMethods constraint",
        "estimator",
    ),
    DispatchRow(
        "sklearn.impute._iterative:IterativeImputer",
        "initial_imputer_",
        "transform: initial_imputer_.transform(X)",
        "estimator",
    ),
    DispatchRow(
        "sklearn.impute._iterative:_ImputerTriplet",
        "estimator",
        "transform: triplet.estimator.predict(X_filled[:, neighbor_feat_idx]) (namedtuple field 2)",
        "estimator",
    ),
    DispatchRow(
        "sklearn.kernel_approximation:Nystroem",
        "kernel_params",
        "transform: **kernel_params forwarded to pairwise_kernels",
        "data",
    ),
    DispatchRow(
        "sklearn.kernel_ridge:KernelRidge",
        "kernel_params",
        "predict: **kernel_params forwarded to pairwise_kernels",
        "data",
    ),
    DispatchRow(
        "sklearn.linear_model._ransac:RANSACRegressor",
        "estimator",
        "fit: clone(estimator); HasMethods constraint",
        "estimator",
    ),
    DispatchRow(
        "sklearn.linear_model._ransac:RANSACRegressor",
        "estimator_",
        "predict/score: estimator_.predict(X)",
        "estimator",
    ),
    DispatchRow(
        "sklearn.linear_model._ridge:_RidgeClassifierMixin",
        "_label_binarizer",
        "predict: _label_binarizer.inverse_transform (multilabel)",
        "estimator",
    ),
    DispatchRow(
        "sklearn.manifold._classical_mds:ClassicalMDS",
        "metric_params",
        "fit: **metric_params forwarded to pairwise_distances",
        "data",
    ),
    DispatchRow(
        "sklearn.manifold._isomap:Isomap",
        "kernel_pca_",
        "transform: kernel_pca_.transform(G_X)",
        "estimator",
    ),
    DispatchRow(
        "sklearn.manifold._isomap:Isomap",
        "metric_params",
        "fit: **metric_params forwarded to NearestNeighbors",
        "data",
    ),
    DispatchRow(
        "sklearn.manifold._isomap:Isomap",
        "nbrs_",
        "transform: nbrs_.kneighbors / radius_neighbors(X)",
        "estimator",
    ),
    DispatchRow(
        "sklearn.manifold._locally_linear:LocallyLinearEmbedding",
        "nbrs_",
        "transform: nbrs_.kneighbors(X)",
        "estimator",
    ),
    DispatchRow(
        "sklearn.manifold._mds:MDS",
        "metric_params",
        "fit: **metric_params forwarded to pairwise_distances",
        "data",
    ),
    DispatchRow(
        "sklearn.manifold._t_sne:TSNE",
        "metric_params",
        "fit: **metric_params forwarded to pairwise_distances / NearestNeighbors",
        "data",
    ),
    DispatchRow(
        "sklearn.metrics._scorer:_BaseScorer",
        "_kwargs",
        "__call__: self._score_func(y_true, y_pred, **_kwargs)",
        "data",
    ),
    DispatchRow(
        "sklearn.metrics._scorer:_BaseScorer",
        "_response_method",
        "__call__: _check_response_method(estimator, _response_method) -> getattr(estimator, "
        "name)(X) (_scorer.py:460, 1147)",
        "each_one_of",
        ("decision_function", "predict", "predict_proba"),
    ),
    DispatchRow(
        "sklearn.metrics._scorer:_BaseScorer",
        "_score_func",
        "__call__: self._score_func(y_true, y_pred, **kwargs) (_scorer.py:469, 1159)",
        "callable",
    ),
    DispatchRow(
        "sklearn.metrics._scorer:_PassthroughScorer",
        "_estimator",
        "repr/_accept_sample_weight: signature(_estimator.score)",
        "estimator",
    ),
    DispatchRow(
        "sklearn.model_selection._classification_threshold:BaseThresholdClassifier",
        "estimator",
        "fit: clone(estimator).fit; HasMethods constraint",
        "estimator",
    ),
    DispatchRow(
        "sklearn.model_selection._classification_threshold:BaseThresholdClassifier",
        "estimator_",
        "predict*: _get_response_values_binary(estimator_, X, response_method)",
        "estimator",
    ),
    DispatchRow(
        "sklearn.model_selection._classification_threshold:TunedThresholdClassifierCV",
        "_curve_scorer",
        "predict: _curve_scorer._get_pos_label(); fit: scorer(estimator, X, y)",
        "scorer",
    ),
    DispatchRow(
        "sklearn.model_selection._search:BaseSearchCV",
        "best_estimator_",
        "predict*/transform/score: best_estimator_.<method>(X)",
        "estimator",
    ),
    DispatchRow(
        "sklearn.model_selection._search:BaseSearchCV",
        "estimator",
        "fit: clone(estimator).set_params(**candidate); HasMethods constraint",
        "estimator",
    ),
    DispatchRow(
        "sklearn.model_selection._search:BaseSearchCV",
        "scorer_",
        "score: scorer_(best_estimator_, X, y) (_search.py:557); a dict of scorers when "
        "multimetric_",
        "scorer",
    ),
    DispatchRow(
        "sklearn.multiclass:OneVsOneClassifier",
        "estimator",
        "fit: clone(estimator); HasMethods constraint",
        "estimator",
    ),
    DispatchRow(
        "sklearn.multiclass:OneVsOneClassifier",
        "estimators_",
        "decision_function: est.decision_function/predict_proba/predict(X)",
        "estimators",
    ),
    DispatchRow(
        "sklearn.multiclass:OneVsRestClassifier",
        "estimator",
        "fit: clone(estimator); HasMethods constraint",
        "estimator",
    ),
    DispatchRow(
        "sklearn.multiclass:OneVsRestClassifier",
        "estimators_",
        "predict*: est.decision_function/predict_proba(X) (may hold _ConstantPredictor)",
        "estimators",
    ),
    DispatchRow(
        "sklearn.multiclass:OneVsRestClassifier",
        "label_binarizer_",
        "predict: label_binarizer_.inverse_transform",
        "estimator",
    ),
    DispatchRow(
        "sklearn.multiclass:OutputCodeClassifier",
        "estimator",
        "fit: clone(estimator); HasMethods constraint",
        "estimator",
    ),
    DispatchRow(
        "sklearn.multiclass:OutputCodeClassifier",
        "estimators_",
        "predict: _predict_binary(est, X) -> decision_function/predict_proba",
        "estimators",
    ),
    DispatchRow(
        "sklearn.multioutput:_BaseChain",
        "chain_method_",
        "predict*: _get_response_values(est, X, response_method=chain_method_) "
        "(multioutput.py:673-691)",
        "one_of",
        ("decision_function", "predict", "predict_log_proba", "predict_proba"),
    ),
    DispatchRow(
        "sklearn.multioutput:_BaseChain",
        "estimator",
        "fit: clone(estimator); HasMethods constraint",
        "estimator",
    ),
    DispatchRow(
        "sklearn.multioutput:_BaseChain",
        "estimators_",
        "predict*: est.predict/predict_proba/... in chain order",
        "estimators",
    ),
    DispatchRow(
        "sklearn.multioutput:_MultiOutputEstimator",
        "estimator",
        "fit: clone(estimator); HasMethods constraint",
        "estimator",
    ),
    DispatchRow(
        "sklearn.multioutput:_MultiOutputEstimator",
        "estimators_",
        "predict*: est.predict/predict_proba(X) for each output",
        "estimators",
    ),
    DispatchRow(
        "sklearn.neighbors._base:NeighborsBase",
        "_fit_method",
        "kneighbors/radius_neighbors: selects brute force vs self._tree query",
        "one_of",
        ("ball_tree", "brute", "kd_tree"),
    ),
    DispatchRow(
        "sklearn.neighbors._base:NeighborsBase",
        "effective_metric_",
        "kneighbors (brute): pairwise_distances(metric=effective_metric_) -> metric lookup or call",
        "one_of",
        (
            "braycurtis",
            "canberra",
            "chebyshev",
            "cityblock",
            "correlation",
            "cosine",
            "dice",
            "euclidean",
            "hamming",
            "haversine",
            "infinity",
            "jaccard",
            "l1",
            "l2",
            "mahalanobis",
            "manhattan",
            "minkowski",
            "nan_euclidean",
            "p",
            "precomputed",
            "rogerstanimoto",
            "russellrao",
            "seuclidean",
            "sokalmichener",
            "sokalsneath",
            "sqeuclidean",
            "yule",
        ),
    ),
    DispatchRow(
        "sklearn.neighbors._base:NeighborsBase",
        "effective_metric_params_",
        "kneighbors (brute): **effective_metric_params_ forwarded to pairwise_distances",
        "data",
    ),
    DispatchRow(
        "sklearn.neighbors._base:NeighborsBase",
        "metric_params",
        "fit: **metric_params forwarded to trees / DistanceMetric ('pyfunc' takes func=)",
        "data",
    ),
    DispatchRow(
        "sklearn.neighbors._kde:KernelDensity",
        "metric_params",
        "fit: **metric_params forwarded to KDTree/BallTree",
        "data",
    ),
    DispatchRow(
        "sklearn.neural_network._multilayer_perceptron:BaseMultilayerPerceptron",
        "out_activation_",
        "predict: ACTIVATIONS[out_activation_] (dict lookup)",
        "one_of",
        ("exp", "identity", "logistic", "softmax"),
    ),
    DispatchRow(
        "sklearn.neural_network._multilayer_perceptron:MLPClassifier",
        "_label_binarizer",
        "predict: _label_binarizer.inverse_transform",
        "estimator",
    ),
    DispatchRow(
        "sklearn.neural_network._stochastic_optimizers:SGDOptimizer",
        "lr_schedule",
        "partial_fit/iteration_ends: learning-rate update branch",
        "one_of",
        ("adaptive", "constant", "invscaling"),
    ),
    DispatchRow(
        "sklearn.pipeline:FeatureUnion",
        "transformer_list",
        "transform: trans.transform(X) for each (name, trans); class has no constraints",
        "named_estimators",
        ("drop", "passthrough"),
    ),
    DispatchRow(
        "sklearn.pipeline:FeatureUnion",
        "transformer_weights",
        "transform: multiplies each block by weight (class has no constraints)",
        "data",
    ),
    DispatchRow(
        "sklearn.pipeline:FeatureUnion",
        "verbose",
        "fit: progress printing (class has no constraints)",
        "data",
    ),
    DispatchRow(
        "sklearn.pipeline:FeatureUnion",
        "verbose_feature_names_out",
        "get_feature_names_out: prefixing switch (class has no constraints)",
        "data",
    ),
    DispatchRow(
        "sklearn.pipeline:Pipeline",
        "memory",
        "fit: check_memory(memory).cache(_fit_transform_one) writes a joblib cache "
        "(pipeline.py:527)",
        "none",
    ),
    DispatchRow(
        "sklearn.pipeline:Pipeline",
        "steps",
        "every method: each step's transform/predict/...; constraint 'list' does not check items",
        "named_estimators",
        ("passthrough",),
    ),
    DispatchRow(
        "sklearn.pipeline:Pipeline",
        "transform_input",
        "fit: names of metadata routed through the steps' transform",
        "data",
    ),
    DispatchRow(
        "sklearn.preprocessing._data:PowerTransformer",
        "_scaler",
        "transform: _scaler.transform(X) when standardize",
        "estimator",
    ),
    DispatchRow(
        "sklearn.preprocessing._discretization:KBinsDiscretizer",
        "_encoder",
        "transform: _encoder.transform(Xt) when encode='onehot*'",
        "estimator",
    ),
    DispatchRow(
        "sklearn.preprocessing._function_transformer:FunctionTransformer",
        "func",
        "transform: func(X, **kw_args)",
        "callable",
    ),
    DispatchRow(
        "sklearn.preprocessing._function_transformer:FunctionTransformer",
        "inv_kw_args",
        "inverse_transform: inverse_func(X, **inv_kw_args) (e.g. out=, dtype=object)",
        "data",
    ),
    DispatchRow(
        "sklearn.preprocessing._function_transformer:FunctionTransformer",
        "inverse_func",
        "inverse_transform: inverse_func(X, **inv_kw_args)",
        "callable",
    ),
    DispatchRow(
        "sklearn.preprocessing._function_transformer:FunctionTransformer",
        "kw_args",
        "transform: func(X, **kw_args) (e.g. out=, dtype=object)",
        "data",
    ),
    DispatchRow(
        "sklearn.semi_supervised._label_propagation:BaseLabelPropagation",
        "nn_fit",
        "predict_proba (kernel='knn'): nn_fit.kneighbors(X)",
        "estimator",
    ),
    DispatchRow(
        "sklearn.semi_supervised._self_training:SelfTrainingClassifier",
        "estimator",
        "fit: clone(estimator); HasMethods constraint",
        "estimator",
    ),
    DispatchRow(
        "sklearn.semi_supervised._self_training:SelfTrainingClassifier",
        "estimator_",
        "predict*/score: estimator_.<method>(X)",
        "estimator",
    ),
    DispatchRow(
        "sklearn.preprocessing._polynomial:SplineTransformer",
        "bsplines_",
        "transform: spl(x), spl.t, spl.k and BSpline.design_matrix(x, spl.t, spl.k) for each "
        "feature (_polynomial.py:1020-1120); their arrays are structures.arrays.check_bspline's",
        "each_instance_of",
        ("scipy.interpolate._bsplines:BSpline",),
    ),
    DispatchRow(
        "scipy.interpolate._bsplines:BSpline",
        "_asarray",
        "t, c, __call__, derivative, integrate: self._asarray(array) (_bsplines.py:293, 301, "
        "575); structures.arrays.check_bspline pins it to numpy's",
        "callable",
    ),
    DispatchRow(
        "sklearn.svm._base:BaseLibSVM",
        "_impl",
        "predict: LIBSVM_IMPL.index(_impl) selects the libsvm model type passed to native code",
        "one_of",
        ("c_svc", "epsilon_svr", "nu_svc", "nu_svr", "one_class"),
    ),
    DispatchRow(
        "sklearn.utils._metadata_requests:MethodMetadataRequest",
        "_requests",
        "routing: dict param -> True/False/None/alias",
        "data",
    ),
    DispatchRow(
        "sklearn.utils._metadata_requests:MethodMetadataRequest",
        "method",
        "routing: method name used in messages and composite lookups (fit_resample: "
        "imbalanced-learn adds it to scikit-learn's routing methods when it is imported, and "
        "every estimator fitted in that process then stores it)",
        "one_of",
        (
            "decision_function",
            "fit",
            "fit_predict",
            "fit_resample",
            "fit_transform",
            "inverse_transform",
            "partial_fit",
            "predict",
            "predict_log_proba",
            "predict_proba",
            "score",
            "split",
            "transform",
        ),
    ),
    DispatchRow(
        "sklearn.utils._set_output:_SetOutputMixin",
        "_sklearn_auto_wrap_output_keys",
        "decides which methods are wrapped; always a class attribute, never instance state",
        "forbidden",
    ),
    DispatchRow(
        "sklearn.utils._set_output:_SetOutputMixin",
        "_sklearn_output_config",
        "transform: _get_output_config -> ADAPTERS_MANAGER.adapters[name] -> "
        "check_library_installed imports pandas/polars (_set_output.py:19, 261)",
        "output_config",
    ),
)

# Type pins found by the audit that the first kinds could not express (docs/usetime-audit.md).
_TYPE_PINS: tuple[DispatchRow, ...] = (
    DispatchRow(
        "sklearn.base:BaseEstimator",
        "_metadata_request",
        "metadata routing: get_routing_for_object calls get_metadata_routing() on it",
        "instance_of",
        ("sklearn.utils._metadata_requests:MetadataRequest",),
    ),
    *(
        DispatchRow(
            "sklearn.utils._metadata_requests:MetadataRequest",
            method,
            "routing queries call its methods (consumes, _get_param_names, _route_params)",
            "instance_of",
            ("sklearn.utils._metadata_requests:MethodMetadataRequest",),
        )
        for method in (
            "fit",
            "fit_resample",
            "partial_fit",
            "predict",
            "predict_proba",
            "predict_log_proba",
            "decision_function",
            "score",
            "split",
            "transform",
            "inverse_transform",
        )
    ),
    DispatchRow(
        "sklearn.metrics._scorer:_MultimetricScorer",
        "_scorers",
        "__call__: scorer(estimator, X, y) for each value",
        "scorer",
    ),
    DispatchRow(
        "sklearn.base:BaseEstimator",
        "n_jobs",
        "predict/transform/kneighbors: joblib.Parallel(n_jobs) with threads starts that many "
        "workers at once (KNN's kneighbors, forests' predict; 100,000 exhausted the machine's "
        "threads, rt30-04); a negative count means 'all cores but some'",
        "thread_count",
        (None, "negative"),
    ),
    *(
        DispatchRow(
            cls,
            "n_jobs",
            "a public method (transform, predict or fit) runs joblib.Parallel(n_jobs) on "
            "joblib's default backend: loky worker processes, each a new interpreter (a "
            "union's transform started 66 for n_jobs=64, rt36-13)",
            "thread_count",
            (None, "negative", "workers"),
        )
        for cls in PROCESS_WORKERS
    ),
    DispatchRow(
        "sklearn.cluster._kmeans:_BaseKMeans",
        "_n_threads",
        "predict/score/transform: prange(num_threads=self._n_threads) in the label assignment "
        "(_kmeans.py:1099); 100000 crashes thread creation, -1 makes libgomp exit (r15-16)",
        "thread_count",
    ),
    DispatchRow(
        "sklearn.ensemble._hist_gradient_boosting.binning:_BinMapper",
        "n_threads",
        "transform: _openmp_effective_n_threads(self.n_threads) for the binning prange "
        "(binning.py:340); fit stores its own count",
        "thread_count",
        (None,),
    ),
    DispatchRow(
        "sklearn.cluster._birch:Birch",
        "root_",
        "predict/partial_fit walk the CF tree",
        "instance_of",
        ("sklearn.cluster._birch:_CFNode",),
    ),
    DispatchRow(
        "sklearn.cluster._birch:Birch",
        "dummy_leaf_",
        "_get_leaves follows next_leaf_",
        "instance_of",
        ("sklearn.cluster._birch:_CFNode",),
    ),
    DispatchRow(
        "sklearn.cluster._birch:_CFNode",
        "subclusters_",
        "insert_cf_subcluster calls their methods",
        "each_instance_of",
        ("sklearn.cluster._birch:_CFSubcluster",),
    ),
    DispatchRow(
        "sklearn.cluster._birch:_CFNode",
        "prev_leaf_",
        "leaf chain",
        "instance_of",
        ("sklearn.cluster._birch:_CFNode", None),
    ),
    DispatchRow(
        "sklearn.cluster._birch:_CFNode",
        "next_leaf_",
        "leaf chain",
        "instance_of",
        ("sklearn.cluster._birch:_CFNode", None),
    ),
    DispatchRow(
        "sklearn.cluster._birch:_CFSubcluster",
        "child_",
        "insert_cf_subcluster recurses into it",
        "instance_of",
        ("sklearn.cluster._birch:_CFNode", None),
    ),
    DispatchRow(
        "sklearn.neural_network._multilayer_perceptron:BaseMultilayerPerceptron",
        "_optimizer",
        "partial_fit: _optimizer.update_params / iteration_ends / trigger_stopping",
        "instance_of",
        (
            "sklearn.neural_network._stochastic_optimizers:SGDOptimizer",
            "sklearn.neural_network._stochastic_optimizers:AdamOptimizer",
            None,
        ),
    ),
    DispatchRow(
        "sklearn.isotonic:IsotonicRegression",
        "f_",
        "predict: self.f_(T); __setstate__ rebuilds it from X_thresholds_ and y_thresholds_",
        "rebuilt",
        ("scipy.interpolate._interpolate:interp1d",),
    ),
    DispatchRow(
        "sklearn.compose._column_transformer:make_column_selector",
        "pattern",
        "__call__: df.columns.str.contains(pattern, regex=True) on the caller's column names; "
        "a backtracking pattern never returns (r15-13)",
        "regex",
    ),
    DispatchRow(
        "sklearn.compose._column_transformer:make_column_selector",
        "dtype_include",
        "__call__: df.select_dtypes(include=...) -> np.dtype(value)",
        "data",
    ),
    DispatchRow(
        "sklearn.compose._column_transformer:make_column_selector",
        "dtype_exclude",
        "__call__: df.select_dtypes(exclude=...) -> np.dtype(value)",
        "data",
    ),
    DispatchRow(
        "sklearn.gaussian_process.kernels:CompoundKernel",
        "kernels",
        "a list of kernels; honest fitted models never store one",
        "forbidden",
    ),
)

#: Attributes numpy reads as dtypes. Estimators' ``dtype`` parameter: the number type of what
#: ``transform`` returns. numpy takes a type code anywhere it takes a dtype, so a str
#: (``'S1073741824'``, ``'f8,(1073741824)V1'``) or a dtype object with a large item would size
#: every transformed row (rt28-09); a fitted dtype likewise (rt29-05). Every
#: scikit-learn estimator that has the parameter (OneHotEncoder, OrdinalEncoder,
#: KBinsDiscretizer, DictVectorizer, CountVectorizer, TfidfVectorizer, HashingVectorizer,
#: FeatureHasher) documents a number type; the row is on BaseEstimator so that one added later,
#: or a subclass, is held to it too.
_DTYPE_PINS: tuple[DispatchRow, ...] = (
    DispatchRow(
        "sklearn.base:BaseEstimator",
        "dtype",
        "transform: np.ones / np.zeros / astype / sparse matrices of this dtype, one item per "
        "output cell (_encoders.py, _discretization.py, _dict_vectorizer.py, text.py, _hash.py)",
        "numeric_dtype",
        (None,),
    ),
    # SimpleImputer stores the dtype of the data it was fitted on; fit refuses any dtype but a
    # number or object one (_base.py, _validate_input), so an honest file holds one of those
    DispatchRow(
        "sklearn.impute._base:SimpleImputer",
        "_fit_dtype",
        "transform: validate_data(dtype=self._fit_dtype) when its .kind is 'O', converting "
        "every input cell to it (impute/_base.py, _validate_input) (rt29-05)",
        "fitted_dtype",
    ),
    DispatchRow(
        "sklearn.impute._base:SimpleImputer",
        "_fill_dtype",
        "transform: statistics.astype(self._fill_dtype), one item per feature; "
        "np.can_cast(self._fill_dtype, X.dtype) (impute/_base.py) (rt29-05)",
        "fitted_dtype",
    ),
)

ROWS = (*ROWS, *_TYPE_PINS, *_DTYPE_PINS)
