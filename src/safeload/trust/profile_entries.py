"""The names each opt-in trust profile trusts, with reasons, what it leaves out and why (data).

One block per library: imbalanced-learn, xgboost, lightgbm, catboost, pandas and
category_encoders, after the native libraries' parameters that name files, hosts or processes.
:mod:`safeload.trust.profiles` puts the blocks together into its ``PROFILES``, with the caveats
the native profiles state. Nothing here imports the libraries.
"""

from __future__ import annotations

#: ``(module, qualname, reason)``: one trusted name.
Row = tuple[str, str, str]


# --- parameters that name files, hosts or processes, per library ------------------------------

#: LightGBM parameters (and every alias LightGBM's docs list for them) that read or write files,
#: or set up the network for distributed training. LightGBM reads them from the parameter dict
#: when a model is trained, refit or a Dataset is built.
LIGHTGBM_FILE_PARAMS: frozenset[str] = frozenset(
    {
        "config", "config_file", "task", "task_type",
        "data", "train", "train_data", "train_data_file", "data_filename",
        "valid", "test", "valid_data", "valid_data_file", "test_data", "test_data_file",
        "valid_filenames",
        "input_model", "model_input", "model_in",
        "output_model", "model_output", "model_out",
        "snapshot_freq", "save_period",
        "forcedsplits_filename", "fs", "forced_splits_filename", "forced_splits_file",
        "forced_splits",
        "forcedbins_filename",
        "save_binary", "is_save_binary", "is_save_binary_file",
        "initscore_filename", "init_score_filename", "init_score_file", "init_score",
        "input_init_score",
        "valid_data_initscores", "valid_data_init_scores", "valid_init_score_file",
        "valid_init_score",
        "output_result", "predict_result", "prediction_result", "predict_name",
        "prediction_name", "pred_name", "name_pred",
        "convert_model", "convert_model_file", "convert_model_language",
        "parser_config_file",
        "machines", "workers", "nodes",
        "machine_list_filename", "machine_list_file", "machine_list", "mlist",
        "local_listen_port", "local_port", "port",
        "num_machines", "num_machine", "time_out",
        "tree_learner", "tree", "tree_type", "tree_learner_type",
    }
)  # fmt: skip

#: XGBoost's command-line parameters that name files (the library ignores them, but nothing a
#: model keeps needs them).
XGBOOST_FILE_PARAMS: frozenset[str] = frozenset(
    {
        "model_in", "model_out", "model_dir", "name_dump", "name_pred", "fmap", "dump_format",
        "data", "test:data", "eval", "task", "save_period", "tracker_uri", "tracker_port",
        "dmlc_tracker_uri", "dmlc_tracker_port", "communicator", "dmlc_communicator",
    }
)  # fmt: skip

#: CatBoost parameters that name paths, write logs or take Python stream objects.
CATBOOST_FILE_PARAMS: frozenset[str] = frozenset(
    {
        "train_dir", "snapshot_file", "input_borders", "output_borders", "log_cout", "log_cerr",
        "json_log", "profile_log", "learn_error_log", "test_error_log", "time_left_log",
        "trace_log", "fstr_file", "fstr_internal_file", "model_file", "output_model",
        "train_dir_path",
    }
)  # fmt: skip


# --- imbalanced-learn --------------------------------------------------------------------------

_C = "parameters held to its _parameter_constraints"


def _imb(module: str, *names: str, note: str = "") -> tuple[Row, ...]:
    extra = f"; {note}" if note else ""
    return tuple(
        (module, name, f"imbalanced-learn estimator (a scikit-learn BaseEstimator); {_C}{extra}")
        for name in names
    )


_NEIGHBOURS = "its neighbours estimator slots pinned to estimators"
IMBLEARN: tuple[Row, ...] = (
    *_imb(
        "imblearn.pipeline",
        "Pipeline",
        note="scikit-learn's Pipeline rows apply (steps, memory=None); samplers only in fit",
    ),
    *_imb("imblearn.over_sampling._adasyn", "ADASYN", note=_NEIGHBOURS),
    *_imb("imblearn.over_sampling._random_over_sampler", "RandomOverSampler"),
    *_imb("imblearn.over_sampling._smote.base", "SMOTE", "SMOTENC", "SMOTEN", note=_NEIGHBOURS),
    *_imb(
        "imblearn.over_sampling._smote.filter",
        "BorderlineSMOTE",
        "SVMSMOTE",
        note=_NEIGHBOURS + " and the SVM slot",
    ),
    *_imb("imblearn.over_sampling._smote.cluster", "KMeansSMOTE", note="k-means slot pinned"),
    *_imb(
        "imblearn.under_sampling._prototype_generation._cluster_centroids",
        "ClusterCentroids",
        note="estimator slot pinned",
    ),
    *_imb(
        "imblearn.under_sampling._prototype_selection._random_under_sampler",
        "RandomUnderSampler",
    ),
    *_imb(
        "imblearn.under_sampling._prototype_selection._edited_nearest_neighbours",
        "EditedNearestNeighbours",
        "RepeatedEditedNearestNeighbours",
        "AllKNN",
        note=_NEIGHBOURS,
    ),
    *_imb(
        "imblearn.under_sampling._prototype_selection._condensed_nearest_neighbour",
        "CondensedNearestNeighbour",
        note=_NEIGHBOURS,
    ),
    *_imb(
        "imblearn.under_sampling._prototype_selection._one_sided_selection",
        "OneSidedSelection",
        note=_NEIGHBOURS,
    ),
    *_imb(
        "imblearn.under_sampling._prototype_selection._neighbourhood_cleaning_rule",
        "NeighbourhoodCleaningRule",
        note=_NEIGHBOURS,
    ),
    *_imb("imblearn.under_sampling._prototype_selection._nearmiss", "NearMiss", note=_NEIGHBOURS),
    *_imb("imblearn.under_sampling._prototype_selection._tomek_links", "TomekLinks"),
    *_imb(
        "imblearn.under_sampling._prototype_selection._instance_hardness_threshold",
        "InstanceHardnessThreshold",
        note="estimator slot pinned",
    ),
    *_imb("imblearn.combine._smote_enn", "SMOTEENN", note="sampler slots pinned"),
    *_imb("imblearn.combine._smote_tomek", "SMOTETomek", note="sampler slots pinned"),
    *_imb(
        "imblearn.ensemble._bagging",
        "BalancedBaggingClassifier",
        note="sampler and estimator slots pinned; scikit-learn's bagging checks apply",
    ),
    *_imb(
        "imblearn.ensemble._easy_ensemble",
        "EasyEnsembleClassifier",
        note="estimator slots pinned; scikit-learn's bagging checks apply",
    ),
    *_imb(
        "imblearn.ensemble._forest",
        "BalancedRandomForestClassifier",
        note="sampler and pipeline slots pinned; scikit-learn's forest and tree checks apply",
    ),
    *_imb(
        "imblearn.ensemble._weight_boosting",
        "RUSBoostClassifier",
        note="sampler and pipeline slots pinned; scikit-learn's AdaBoost rows apply",
    ),
    *_imb(
        "imblearn.metrics.pairwise",
        "ValueDifferenceMetric",
        note="numpy arithmetic over its fitted proba_per_class_ only",
    ),
)

IMBLEARN_LEFT_OUT: tuple[tuple[str, str], ...] = (
    (
        "imblearn.base.FunctionSampler",
        "keeps a Python callable (func) that fit_resample calls with the data: a stored "
        "callable from the file",
    ),
    (
        "imblearn.keras.*, imblearn.tensorflow.*",
        "batch generators for deep-learning frameworks, not estimators a pipeline keeps",
    ),
    (
        "a callable sampling_strategy",
        "imbalanced-learn accepts a function; a loaded model may keep only plain data there "
        "(a dict, a float or a strategy name)",
    ),
)


# --- xgboost -------------------------------------------------------------------------------------

_XGB_WRAPPER = (
    "xgboost scikit-learn wrapper (a scikit-learn BaseEstimator, no _parameter_constraints); "
    "pinned: _Booster (an xgboost Booster), objective and eval_metric (plain data: no custom "
    "Python objective or metric), callbacks (None), kwargs (plain data, no file parameters)"
)
XGBOOST: tuple[Row, ...] = (
    (
        "xgboost.core",
        "Booster",
        "xgboost's model: made by __new__ only, then one BUILD whose state is exactly "
        "{'handle': bytearray} of UBJSON, which __setstate__ hands to xgboost's native "
        "XGBoosterUnserializeFromBuffer; the UBJSON lengths and the trees are checked first "
        "(safeload.trust.xgboost_ubj); the rebuilt handle is a ctypes pointer only that "
        "parser makes",
    ),
    *(
        ("xgboost.sklearn", name, _XGB_WRAPPER)
        for name in (
            "XGBClassifier",
            "XGBRegressor",
            "XGBRanker",
            "XGBRFClassifier",
            "XGBRFRegressor",
        )
    ),
)
#: What safeload checks in xgboost's blob before xgboost's parser reads it, and what it leaves.
XGBOOST_CAVEAT = (
    " Before xgboost's native parser reads the Booster's blob, safeload walks its UBJSON "
    "(bounded and iterative: every declared length and count must fit in the bytes that "
    "remain, nesting and item counts are bounded, only the forms xgboost writes, nothing after "
    "the model; r15-11) and checks the model it describes: per tree, every per-node array has "
    "num_nodes entries, children are -1 (a leaf) or two nodes numbered after their parent, no "
    "node has two parents and parents agrees, split features are below num_feature, "
    "categorical split lists are in range; tree_info names an existing output group and a "
    "linear model has (num_feature + 1) x groups weights (r15-04); num_feature and the output "
    "groups are paid for by what the blob stores, and an XGBClassifier's n_classes_ is its "
    "Booster's (rt45-03/04/07). What the numbers mean "
    "(thresholds, leaf values, the configuration strings) and any other bug in that parser "
    "remain out of safeload's control: this profile is still meant for files you would trust "
    "to run xgboost on."
)
XGBOOST_LEFT_OUT: tuple[tuple[str, str], ...] = (
    (
        "xgboost.core.DMatrix, xgboost.core.QuantileDMatrix",
        "hold native data handles that xgboost does not pickle",
    ),
    (
        "xgboost.callback.*",
        "training callbacks run arbitrary hooks at fit; a loaded model keeps callbacks=None",
    ),
    (
        "a Python objective, eval_metric or feval",
        "a stored Python function that fit calls: refused (strings naming xgboost's built-in "
        "objectives and metrics are plain data and allowed)",
    ),
    (
        "xgboost.dask.*, xgboost.spark.*",
        "distributed wrappers that hold clients and sessions",
    ),
)

# --- lightgbm -------------------------------------------------------------------------------------

_LGB_WRAPPER = (
    "LightGBM scikit-learn wrapper (a scikit-learn BaseEstimator, no _parameter_constraints); "
    "pinned: _Booster (a LightGBM Booster), objective, _objective, metric-like parameters "
    "(plain data: no Python objective or metric), _le (a LabelEncoder), _other_params (plain "
    "data, no file or network parameter), _n_features and _n_features_in (the Booster's "
    "num_feature()), _classes (None or a 1-d array) and _n_classes (its length)"
)
LIGHTGBM: tuple[Row, ...] = (
    (
        "lightgbm.basic",
        "Booster",
        "LightGBM's model: made by __new__ only, then one BUILD whose state holds only the keys "
        "LightGBM writes, the model as text starting 'tree\\n' (handed to LightGBM's native "
        "LGBM_BoosterLoadModelFromString) whose tree structure is checked first "
        "(safeload.trust.lightgbm_text) and a params dict of plain data without file or "
        "network parameters; the rebuilt handle is a ctypes pointer only that parser makes",
    ),
    *(
        ("lightgbm.sklearn", name, _LGB_WRAPPER)
        for name in ("LGBMClassifier", "LGBMRegressor", "LGBMRanker")
    ),
)
LIGHTGBM_LEFT_OUT: tuple[tuple[str, str], ...] = (
    ("lightgbm.basic.Dataset", "holds native data and may name data files"),
    (
        "lightgbm.basic._InnerPredictor",
        "a transient prediction helper; a pickled Booster keeps None in its place",
    ),
    (
        "a Python objective or eval metric",
        "a stored Python function called at fit: refused",
    ),
    (
        "LightGBM parameters that name files, ports or machines",
        "refused in every parameter dict a model keeps: " + ", ".join(sorted(LIGHTGBM_FILE_PARAMS)),
    ),
    ("lightgbm.dask.*", "distributed wrappers that hold clients"),
)

# --- catboost -------------------------------------------------------------------------------------

CATBOOST: tuple[Row, ...] = tuple(
    (
        "catboost.core",
        name,
        "CatBoost model (not a scikit-learn BaseEstimator; may stand where one is used): made "
        "by __new__ only, then one BUILD whose state is its parameters as plain data (no path, "
        "log or stream parameter) and the model as bytes starting 'CBM1', handed to CatBoost's "
        "native model loader; the rebuilt _object is CatBoost's own extension object",
    )
    for name in ("CatBoost", "CatBoostClassifier", "CatBoostRegressor", "CatBoostRanker")
)
CATBOOST_LEFT_OUT: tuple[tuple[str, str], ...] = (
    ("catboost.core.Pool", "holds native data and may name data files"),
    (
        "Python objects as loss_function, eval_metric or custom_metric",
        "user classes whose methods fit calls: refused (strings naming CatBoost's built-in "
        "losses and metrics are plain data and allowed)",
    ),
    (
        "CatBoost parameters that name paths or streams",
        "refused: " + ", ".join(sorted(CATBOOST_FILE_PARAMS)),
    ),
    ("catboost.CatBoostClassifier on GPU", "task_type='GPU' models load, but were not reviewed"),
)

NATIVE_CAVEAT = (
    " Safety of the model blob rests on {lib}'s own native parser: safeload checks only that "
    "the blob has the right type, size and header and that nothing else rides along; it cannot "
    "check what the blob says, and a crafted blob that {lib}'s parser accepts is out of "
    "safeload's control. Known (red-team round 15): a crafted blob can crash or hang the "
    "process while loading and at predict ({known}). This profile is meant for files you would "
    "trust to run {lib} on: signed files from a trusted signer."
)
NATIVE_KNOWN = {
    "CatBoost": "r15-08: changed model bytes segfault inside the load",
}

#: LightGBM's caveat: its model text is checked for structure (safeload.trust.lightgbm_text).
LIGHTGBM_CAVEAT = (
    " Beyond that structure, safety of the model text rests on LightGBM's own native parser: "
    "what the numbers say (thresholds, leaf values), the header's other lines and the "
    "parameters section are its business, and a crafted text that passes these checks and "
    "that LightGBM's parser accepts is out of safeload's control. Known (red-team round 15): "
    "r15-05, a tree text disagreeing with tree_sizes that aborted the process inside the load "
    "and a self-loop tree that hung predict, is refused by this check. This profile is meant "
    "for files you would trust to run LightGBM on: signed files from a trusted signer."
)

# --- pandas ---------------------------------------------------------------------------------

_PF = "checked by safeload.trust.pandas_forms before pandas' code runs"
PANDAS: tuple[Row, ...] = (
    (
        "pandas.core.indexes.base",
        "_new_Index",
        "makes an Index or RangeIndex only (never another class): Index data a 1-d numeric, "
        "bool or plain-object array or a checked StringArray, a plain name; RangeIndex three "
        f"ints (lazy, no buffer); {_PF}",
    ),
    ("pandas", "Index", "only named to _new_Index, never called (the static pass refuses it)"),
    ("pandas", "RangeIndex", "only named to _new_Index, never called (the static pass refuses it)"),
    (
        "pandas._libs.internals",
        "_unpickle_block",
        "one DataFrame block: 2-d numeric, bool or plain-object values (or a checked "
        "Categorical / StringArray), a start:stop:step slice (step >= 1) or int64 array "
        f"placement whose length matches the values; {_PF}",
    ),
    (
        "pandas.core.internals.managers",
        "BlockManager",
        "called with (blocks, axes): before pandas builds it (its compiled "
        "_rebuild_blknos_and_blklocs indexes with the placements unchecked), every placement "
        "is inside the columns, every column held by exactly one block, every block's shape "
        f"the frame's; {_PF}",
    ),
    (
        "pandas.core.internals.managers",
        "SingleBlockManager",
        "a Series' manager: made by NEWOBJ, then one BUILD whose state is pandas' 0.14.1 form "
        "with one index and one block of as many checked values, placed at slice(0, n, 1); "
        f"{_PF}",
    ),
    (
        "pandas",
        "DataFrame",
        "made by NEWOBJ, then one BUILD: a checked BlockManager, _typ, empty _metadata, flags "
        f"and attrs of plain data, nothing else; {_PF}",
    ),
    (
        "pandas",
        "Series",
        "made by NEWOBJ, then one BUILD: a checked SingleBlockManager, a plain name, flags and "
        f"attrs of plain data, nothing else; {_PF}",
    ),
    (
        "pandas._libs.arrays",
        "__pyx_unpickle_NDArrayBacked",
        "makes a bare StringArray or Categorical only, which then receives one BUILD (dtype, "
        "buffer), checked to agree: a StringArray's buffer a 1-d object array of str or NaN, a "
        f"Categorical's codes integers inside [-1, len(categories)); {_PF}",
    ),
    ("pandas.arrays", "StringArray", "only named to __pyx_unpickle_NDArrayBacked, never called"),
    ("pandas", "Categorical", "only named to __pyx_unpickle_NDArrayBacked, never called"),
    (
        "pandas",
        "StringDtype",
        "called with ('python', nan) only: pyarrow storage (which imports pyarrow) and other "
        f"missing-value markers are refused; {_PF}",
    ),
    (
        "pandas",
        "CategoricalDtype",
        "made by NEWOBJ, then one BUILD: {'categories': a checked, unique, non-null Index, "
        f"'ordered': bool}}; {_PF}",
    ),
    (
        "pandas._libs.tslibs.timestamps",
        "_unpickle_timestamp",
        "an int64 value, no frequency, no time zone, and a resolution code of s, ms, us or ns "
        f"(other codes index past pandas' unit tables); {_PF}",
    ),
    (
        "pandas._libs.tslibs.timedeltas",
        "_timedelta_unpickle",
        f"an int64 value and a resolution code of s, ms, us or ns; {_PF}",
    ),
)

PANDAS_LEFT_OUT: tuple[tuple[str, str], ...] = (
    (
        "pyarrow-backed dtypes and arrays (StringDtype('pyarrow'), ArrowDtype, "
        "ArrowExtensionArray)",
        "StringDtype('pyarrow') imports pyarrow by name, and pyarrow's buffers were not "
        "reviewed; save string columns with the default python storage",
    ),
    (
        "DatetimeTZDtype, DatetimeIndex, DatetimeArray, TimedeltaIndex, Timestamp with a time "
        "zone or frequency",
        "time zones come from pytz/zoneinfo objects (which read zone files by name) and the "
        "datetime arrays take a resolution from their dtype; not reviewed. Timestamp and "
        "Timedelta scalars without a zone are trusted",
    ),
    (
        "PeriodIndex, PeriodDtype, IntervalIndex, IntervalDtype, MultiIndex, CategoricalIndex",
        "each keeps codes or ordinals that pandas' compiled code indexes with; their checks are "
        "not written",
    ),
    (
        "SparseArray, SparseDtype, the masked arrays (IntegerArray, FloatingArray, BooleanArray)",
        "keep index arrays or masks beside their data whose agreement is not checked yet",
    ),
    (
        "pandas.NA (the 'string' dtype with na_value=pd.NA), object columns holding objects",
        "only plain scalars (str, int, float, bool, None) are trusted inside object data",
    ),
)

# --- category_encoders ----------------------------------------------------------------------

_CE = (
    "category_encoders encoder (a scikit-learn BaseEstimator); its mappings are pandas objects "
    "checked by the pandas profile, handle_unknown/handle_missing pinned to its documented "
    "strings, its inner ordinal_encoder to an OrdinalEncoder"
)
CATEGORY_ENCODERS: tuple[Row, ...] = (
    ("category_encoders.ordinal", "OrdinalEncoder", _CE),
    ("category_encoders.one_hot", "OneHotEncoder", _CE),
    ("category_encoders.target_encoder", "TargetEncoder", _CE + "; hierarchy plain data"),
    ("category_encoders.binary", "BinaryEncoder", _CE),
    ("category_encoders.basen", "BaseNEncoder", _CE),
    ("category_encoders.count", "CountEncoder", _CE),
    (
        "category_encoders.hashing",
        "HashingEncoder",
        _CE + "; max_process pinned to 1 (more starts worker processes at transform), X None",
    ),
    ("category_encoders.woe", "WOEEncoder", _CE),
    ("category_encoders.leave_one_out", "LeaveOneOutEncoder", _CE),
    ("category_encoders.m_estimate", "MEstimateEncoder", _CE),
    ("category_encoders.cat_boost", "CatBoostEncoder", _CE),
    ("category_encoders.james_stein", "JamesSteinEncoder", _CE),
    ("category_encoders.backward_difference", "BackwardDifferenceEncoder", _CE),
    ("category_encoders.helmert", "HelmertEncoder", _CE),
    ("category_encoders.sum_coding", "SumEncoder", _CE),
    ("category_encoders.polynomial", "PolynomialEncoder", _CE),
)

CE_LEFT_OUT: tuple[tuple[str, str], ...] = (
    (
        "category_encoders.glmm.GLMMEncoder",
        "needs statsmodels, whose model objects were not reviewed",
    ),
    (
        "category_encoders.quantile_encoder.QuantileEncoder, SummaryEncoder, "
        "category_encoders.rankhot.RankHotEncoder, GrayEncoder",
        "not reviewed in this release; refused by name",
    ),
    (
        "HashingEncoder with max_process other than 1",
        "transform starts worker processes (multiprocessing) when max_process > 1: refit with "
        "max_process=1 before saving",
    ),
    (
        "encoders whose mappings hold pandas objects the pandas profile leaves out",
        "refused with the pandas profile's reason (pyarrow dtypes, time zones, MultiIndex...)",
    ),
)
