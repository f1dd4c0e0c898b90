"""Opt-in trust profiles: reviewed allowlists for libraries people put in scikit-learn pipelines.

The default allowlist covers scikit-learn, numpy, scipy and a few standard-library values. A
profile adds the exact names one more library's pickles use, each with the reason it is safe,
and is switched on by name only (``load(..., profiles=["xgboost"])``, ``--profile xgboost``).
Each is held to the default's two bars (:doc:`STYLE.md`, "Two bars"):

* **safe to build**: the exact ``(module, qualname)`` pairs pickles record, each with a reason;
  no wildcards. Classes whose ``__setstate__`` hands a native model blob to the library's own
  C/C++ parser (xgboost, lightgbm, catboost) may only be made the way pickle makes them (their
  ``__new__`` and one ``BUILD``, never a call with arguments, which would read model *files*),
  and that ``BUILD`` state is checked in the stream before anything is built
  (:data:`NATIVE_STATES`): the keys the library writes and nothing else, the blob of the
  right type, within the size limits, starting with the library's header. What the blob says
  is then up to the library's parser: **safeload does not and cannot check it**, and every
  native profile says so in its description.
* **safe to use**: the classes' constructor parameters are held to their own
  ``_parameter_constraints`` where the library has them, and the attributes that drive
  behaviour (sub-estimators, samplers, stored callables, parameter dicts handed to native code
  that name files or hosts) are pinned by the rows in :data:`PROFILE_ROWS`, which the use-time
  check applies to these classes whenever they are loaded (with a profile or with
  ``trusted=``).

Each profile records the library versions it was reviewed against; ``tests/test_profiles.py``
fails when the installed version is not one of them, telling the maintainer to review again.
What a profile leaves out is listed with the reason (``left_out``).

Nothing here imports the libraries: a profile is data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from safeload.exceptions import UsageError
from safeload.trust.dispatch import DispatchRow

__all__ = [
    "COMPUTED_ATTRIBUTES",
    "INSTANCE_DEFAULTS",
    "NATIVE_STATES",
    "PROFILES",
    "PROFILE_ROWS",
    "NativeState",
    "Profile",
    "estimator_like_names",
    "profile_for_name",
    "profile_names",
    "resolve_profiles",
]

_Row = tuple[str, str, str]


@dataclass(frozen=True)
class Profile:
    """One opt-in profile: what it trusts (exact names with reasons), what it leaves out and
    why, and the library versions it was reviewed against."""

    #: The name callers pass (``profiles=["xgboost"]``, ``--profile xgboost``).
    name: str
    #: The distribution it covers, as pip names it.
    library: str
    #: The import name whose ``__version__`` the version check reads.
    module: str
    #: ``major.minor`` versions of the library this profile was reviewed against.
    reviewed: tuple[str, ...]
    #: What trusting it means, in a few sentences (shown by ``safeload profiles``).
    description: str
    #: ``(module, qualname, reason)`` for every name it trusts.
    entries: tuple[_Row, ...]
    #: ``(name, why)`` for what real files of the library use that it does not trust.
    left_out: tuple[tuple[str, str], ...] = ()
    #: Other profiles this one needs (category_encoders keeps pandas objects).
    requires: tuple[str, ...] = ()
    #: Other libraries (pip name, import name, reviewed versions) the review depends on.
    also_reviewed: tuple[tuple[str, str, tuple[str, ...]], ...] = field(default=())

    def names(self) -> frozenset[tuple[str, str]]:
        """The ``(module, qualname)`` pairs it trusts."""
        return frozenset((m, q) for m, q, _ in self.entries)


@dataclass(frozen=True)
class NativeState:
    """How a class that restores a native model in ``__setstate__`` must be pickled: made by
    its ``__new__`` (NEWOBJ with no arguments, or ``copyreg._reconstructor(cls, object,
    None)``) and given exactly one ``BUILD`` whose state is a literal dict with only ``keys``,
    holding ``blob`` (``kind`` ``"bytearray"``, ``"bytes"`` (either) or ``"str"``) that starts
    with one of ``headers``.
    ``params`` names a key whose value is a dict of parameters handed to native code: it must
    be plain data and may not hold any of ``forbidden``."""

    cls: str
    keys: frozenset[str]
    blob: str
    kind: str
    headers: tuple[bytes, ...]
    #: Keys that must be present besides ``blob``.
    required: frozenset[str] = frozenset()
    #: ``None``: the class keeps its parameters in the state dict itself (catboost).
    params: str | None = None
    forbidden: frozenset[str] = frozenset()
    #: The state dict itself is the parameter dict (catboost): any key but the reserved ones.
    open_keys: bool = False


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

#: Keys CatBoost's ``__setstate__`` treats specially (all others become parameters).
_CATBOOST_RESERVED = frozenset(
    {"__model", "_test_eval", "_test_evals", "_prediction_values_change", "_loss_value_change"}
)

_LGB_BOOSTER_KEYS = frozenset(
    {
        "_handle", "_network", "_train_data_name", "best_iteration", "best_score",
        "name_valid_sets", "pandas_categorical", "train_set_version", "params",
        "_Booster__need_reload_eval_info", "_Booster__set_objective_to_none",
        "_Booster__num_dataset", "_Booster__init_predictor", "_Booster__num_class",
        "_Booster__inner_predict_buffer", "_Booster__is_predicted_cur_iter",
        "_Booster__num_inner_eval", "_Booster__name_inner_eval",
        "_Booster__higher_better_inner_eval",
    }
)  # fmt: skip

#: The classes whose ``__setstate__`` restores a native model, and how their state must look.
NATIVE_STATES: dict[tuple[str, str], NativeState] = {
    ("xgboost.core", "Booster"): NativeState(
        cls="xgboost.core:Booster",
        keys=frozenset({"handle"}),
        blob="handle",
        kind="bytearray",  # __setstate__ needs a writable buffer (ctypes from_buffer)
        headers=(b"{",),  # XGBoosterSerializeToBuffer writes UBJSON: an object
    ),
    ("lightgbm.basic", "Booster"): NativeState(
        cls="lightgbm.basic:Booster",
        keys=_LGB_BOOSTER_KEYS,
        blob="_handle",
        kind="str",
        headers=(b"tree\n",),  # LGBM_BoosterSaveModelToString: "tree\nversion=v4\n..."
        params="params",
        forbidden=LIGHTGBM_FILE_PARAMS,
    ),
    **{
        ("catboost.core", name): NativeState(
            cls=f"catboost.core:{name}",
            keys=_CATBOOST_RESERVED,
            blob="__model",
            kind="bytes",
            headers=(b"CBM1",),  # CatBoost's binary model format magic
            forbidden=CATBOOST_FILE_PARAMS,
            open_keys=True,
        )
        for name in ("CatBoost", "CatBoostClassifier", "CatBoostRegressor", "CatBoostRanker")
    },
}

#: The largest native blob accepted (the stream's own ``max_item_size`` applies too).
MAX_BLOB = 4 * 2**30


# --- imbalanced-learn --------------------------------------------------------------------------

_C = "parameters held to its _parameter_constraints"


def _imb(module: str, *names: str, note: str = "") -> tuple[_Row, ...]:
    extra = f"; {note}" if note else ""
    return tuple(
        (module, name, f"imbalanced-learn estimator (a scikit-learn BaseEstimator); {_C}{extra}")
        for name in names
    )


_NEIGHBOURS = "its neighbours estimator slots pinned to estimators"
_IMBLEARN: tuple[_Row, ...] = (
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

_IMBLEARN_LEFT_OUT: tuple[tuple[str, str], ...] = (
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
_XGBOOST: tuple[_Row, ...] = (
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
_XGBOOST_CAVEAT = (
    " Before xgboost's native parser reads the Booster's blob, safeload walks its UBJSON "
    "(bounded and iterative: every declared length and count must fit in the bytes that "
    "remain, nesting and item counts are bounded, only the forms xgboost writes, nothing after "
    "the model; r15-11) and checks the model it describes: per tree, every per-node array has "
    "num_nodes entries, children are -1 (a leaf) or two nodes numbered after their parent, no "
    "node has two parents and parents agrees, split features are below num_feature, "
    "categorical split lists are in range; tree_info names an existing output group and a "
    "linear model has (num_feature + 1) x groups weights (r15-04). What the numbers mean "
    "(thresholds, leaf values, the configuration strings) and any other bug in that parser "
    "remain out of safeload's control: this profile is still meant for files you would trust "
    "to run xgboost on."
)
_XGBOOST_LEFT_OUT: tuple[tuple[str, str], ...] = (
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
    "data, no file or network parameter)"
)
_LIGHTGBM: tuple[_Row, ...] = (
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
_LIGHTGBM_LEFT_OUT: tuple[tuple[str, str], ...] = (
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

_CATBOOST: tuple[_Row, ...] = tuple(
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
_CATBOOST_LEFT_OUT: tuple[tuple[str, str], ...] = (
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

_NATIVE_CAVEAT = (
    " Safety of the model blob rests on {lib}'s own native parser: safeload checks only that "
    "the blob has the right type, size and header and that nothing else rides along; it cannot "
    "check what the blob says, and a crafted blob that {lib}'s parser accepts is out of "
    "safeload's control. Known (red-team round 15): a crafted blob can crash or hang the "
    "process while loading and at predict ({known}). This profile is meant for files you would "
    "trust to run {lib} on: signed files from a trusted signer."
)
_NATIVE_KNOWN = {
    "CatBoost": "r15-08: changed model bytes segfault inside the load",
}

#: LightGBM's caveat: its model text is checked for structure (safeload.trust.lightgbm_text).
_LIGHTGBM_CAVEAT = (
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
_PANDAS: tuple[_Row, ...] = (
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

_PANDAS_LEFT_OUT: tuple[tuple[str, str], ...] = (
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
_CATEGORY_ENCODERS: tuple[_Row, ...] = (
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

_CE_LEFT_OUT: tuple[tuple[str, str], ...] = (
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


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile(
            name="imblearn",
            library="imbalanced-learn",
            module="imblearn",
            reviewed=("0.14",),
            description=(
                "imbalanced-learn's samplers, its Pipeline and its balanced ensembles. All are "
                "scikit-learn estimators: their parameters are held to their own "
                "_parameter_constraints, scikit-learn's rows and native-structure checks apply "
                "to what they inherit (pipelines, forests, bagging, trees), and their sampler, "
                "neighbours and estimator slots are pinned to estimators. Samplers act in fit "
                "only; predict goes through the pipeline's other steps."
            ),
            entries=_IMBLEARN,
            left_out=_IMBLEARN_LEFT_OUT,
            also_reviewed=(("scikit-learn", "sklearn", ("1.9",)),),
        ),
        Profile(
            name="xgboost",
            library="xgboost",
            module="xgboost",
            reviewed=("3.2",),
            description=(
                "xgboost's Booster and its scikit-learn wrappers (XGBClassifier, XGBRegressor, "
                "XGBRanker, XGBRFClassifier, XGBRFRegressor). The wrappers' parameters that "
                "could carry code (objective, eval_metric, callbacks, kwargs) are pinned to "
                "plain data or None." + _XGBOOST_CAVEAT
            ),
            entries=_XGBOOST,
            left_out=_XGBOOST_LEFT_OUT,
        ),
        Profile(
            name="lightgbm",
            library="lightgbm",
            module="lightgbm",
            reviewed=("4.7",),
            description=(
                "LightGBM's Booster and its scikit-learn wrappers (LGBMClassifier, "
                "LGBMRegressor, LGBMRanker). Parameter dicts handed to LightGBM's native code "
                "are plain data without any parameter that names a file, port or machine "
                "(those make training, refit or Dataset construction read or write files, or "
                "open sockets). The model text is checked for structure before LightGBM's "
                "parser reads it (safeload.trust.lightgbm_text): the tree blocks are exactly "
                "the byte slices tree_sizes= gives, in order; each tree's arrays have the "
                "lengths its num_leaves (1 to 2**17) gives; its child indexes form a tree from "
                "node 0 reaching every node and leaf exactly once; split and linear features "
                "lie within max_feature_idx; categorical splits index cat_boundaries, which "
                "match cat_threshold. A text it cannot parse is refused; the values themselves "
                "are LightGBM's parser's business." + _LIGHTGBM_CAVEAT
            ),
            entries=_LIGHTGBM,
            left_out=_LIGHTGBM_LEFT_OUT,
        ),
        Profile(
            name="catboost",
            library="catboost",
            module="catboost",
            reviewed=("1.2",),
            description=(
                "CatBoost's models (CatBoost, CatBoostClassifier, CatBoostRegressor, "
                "CatBoostRanker). Their parameters are plain data without any parameter that "
                "names a path or a stream; note that CatBoost's fit writes training logs to "
                "./catboost_info unless allow_writing_files=False, as it does for any model."
                + _NATIVE_CAVEAT.format(lib="CatBoost", known=_NATIVE_KNOWN["CatBoost"])
            ),
            entries=_CATBOOST,
            left_out=_CATBOOST_LEFT_OUT,
        ),
        Profile(
            name="pandas",
            library="pandas",
            module="pandas",
            reviewed=("3.1",),
            description=(
                "pandas objects saved with a model: DataFrame and Series (numeric, bool, "
                "plain-object, str and categorical columns), Index and RangeIndex, Categorical "
                "and CategoricalDtype, the python-storage string dtype and array, Timestamp "
                "and Timedelta without a time zone. pandas' unpicklers trust what the file "
                "gives them (block placements, buffers and dtypes, codes, unit codes), so each "
                "is handed out in a narrowed form that checks its real arguments or state "
                "before pandas' code runs, and the static pass refuses every other way of "
                "making these objects; scan runs the same checks on the stream's values."
            ),
            entries=_PANDAS,
            left_out=_PANDAS_LEFT_OUT,
        ),
        Profile(
            name="category_encoders",
            library="category_encoders",
            module="category_encoders",
            reviewed=("2.11",),
            description=(
                "category_encoders' encoders (ordinal, one-hot, target, binary, base-n, count, "
                "hashing, WOE, leave-one-out, m-estimate, CatBoost, James-Stein and the "
                "contrast coders). They keep pandas Series and DataFrames as their mappings, "
                "so this profile switches on the pandas profile and its checks. Their "
                "behaviour-driving parameters are pinned: handle_unknown and handle_missing to "
                "the documented strings, the inner ordinal_encoder to an OrdinalEncoder, "
                "HashingEncoder.max_process to 1 (no worker processes at transform)."
            ),
            entries=_CATEGORY_ENCODERS,
            left_out=_CE_LEFT_OUT,
            requires=("pandas",),
        ),
    )
}


#: Use-time rows for profile classes. Unlike :data:`safeload.trust.dispatch.ROWS` they are
#: matched by the class's name along the instance's MRO, so nothing is imported to apply them,
#: and they apply whenever such an object is loaded (with the profile or with ``trusted=``).
PROFILE_ROWS: tuple[DispatchRow, ...] = (
    # imbalanced-learn: sampler, neighbours and estimator slots
    *(
        DispatchRow(
            f"imblearn.{cls}",
            attribute,
            f"fit_resample / predict: calls the {attribute} object's methods",
            "estimator",
        )
        for cls, attribute in (
            ("over_sampling._adasyn:ADASYN", "nn_"),
            ("over_sampling._smote.base:BaseSMOTE", "nn_k_"),
            ("over_sampling._smote.base:SMOTENC", "categorical_encoder"),
            ("over_sampling._smote.base:SMOTENC", "categorical_encoder_"),
            ("over_sampling._smote.base:SMOTEN", "categorical_encoder"),
            ("over_sampling._smote.base:SMOTEN", "categorical_encoder_"),
            ("over_sampling._smote.filter:BorderlineSMOTE", "nn_m_"),
            ("over_sampling._smote.filter:SVMSMOTE", "nn_m_"),
            ("over_sampling._smote.filter:SVMSMOTE", "svm_estimator"),
            ("over_sampling._smote.filter:SVMSMOTE", "svm_estimator_"),
            ("over_sampling._smote.cluster:KMeansSMOTE", "kmeans_estimator"),
            ("over_sampling._smote.cluster:KMeansSMOTE", "kmeans_estimator_"),
            (
                "under_sampling._prototype_generation._cluster_centroids:ClusterCentroids",
                "estimator",
            ),
            (
                "under_sampling._prototype_generation._cluster_centroids:ClusterCentroids",
                "estimator_",
            ),
            (
                "under_sampling._prototype_selection._edited_nearest_neighbours:EditedNearestNeighbours",
                "nn_",
            ),
            (
                "under_sampling._prototype_selection._edited_nearest_neighbours:RepeatedEditedNearestNeighbours",
                "nn_",
            ),
            (
                "under_sampling._prototype_selection._edited_nearest_neighbours:RepeatedEditedNearestNeighbours",
                "enn_",
            ),
            ("under_sampling._prototype_selection._edited_nearest_neighbours:AllKNN", "nn_"),
            ("under_sampling._prototype_selection._edited_nearest_neighbours:AllKNN", "enn_"),
            (
                "under_sampling._prototype_selection._condensed_nearest_neighbour:CondensedNearestNeighbour",
                "estimator_",
            ),
            (
                "under_sampling._prototype_selection._one_sided_selection:OneSidedSelection",
                "estimator_",
            ),
            (
                "under_sampling._prototype_selection._neighbourhood_cleaning_rule:NeighbourhoodCleaningRule",
                "edited_nearest_neighbours",
            ),
            (
                "under_sampling._prototype_selection._neighbourhood_cleaning_rule:NeighbourhoodCleaningRule",
                "edited_nearest_neighbours_",
            ),
            (
                "under_sampling._prototype_selection._neighbourhood_cleaning_rule:NeighbourhoodCleaningRule",
                "nn_",
            ),
            ("under_sampling._prototype_selection._nearmiss:NearMiss", "nn_"),
            ("under_sampling._prototype_selection._nearmiss:NearMiss", "nn_ver3_"),
            (
                "under_sampling._prototype_selection._instance_hardness_threshold:InstanceHardnessThreshold",
                "estimator",
            ),
            (
                "under_sampling._prototype_selection._instance_hardness_threshold:InstanceHardnessThreshold",
                "estimator_",
            ),
            ("combine._smote_enn:SMOTEENN", "smote"),
            ("combine._smote_enn:SMOTEENN", "smote_"),
            ("combine._smote_enn:SMOTEENN", "enn"),
            ("combine._smote_enn:SMOTEENN", "enn_"),
            ("combine._smote_tomek:SMOTETomek", "smote"),
            ("combine._smote_tomek:SMOTETomek", "smote_"),
            ("combine._smote_tomek:SMOTETomek", "tomek"),
            ("combine._smote_tomek:SMOTETomek", "tomek_"),
            ("ensemble._bagging:BalancedBaggingClassifier", "sampler"),
            ("ensemble._bagging:BalancedBaggingClassifier", "sampler_"),
            ("ensemble._bagging:BalancedBaggingClassifier", "estimator"),
            ("ensemble._bagging:BalancedBaggingClassifier", "estimator_"),
            ("ensemble._easy_ensemble:EasyEnsembleClassifier", "estimator"),
            ("ensemble._easy_ensemble:EasyEnsembleClassifier", "estimator_"),
            ("ensemble._forest:BalancedRandomForestClassifier", "base_sampler_"),
            ("ensemble._forest:BalancedRandomForestClassifier", "estimator_"),
            ("ensemble._weight_boosting:RUSBoostClassifier", "base_sampler_"),
            ("ensemble._weight_boosting:RUSBoostClassifier", "estimator"),
            ("ensemble._weight_boosting:RUSBoostClassifier", "estimator_"),
        )
    ),
    *(
        DispatchRow(
            f"imblearn.{cls}",
            attribute,
            f"predict / fit: calls each of {attribute}'s estimators",
            "estimators",
        )
        for cls, attribute in (
            ("ensemble._forest:BalancedRandomForestClassifier", "samplers_"),
            ("ensemble._forest:BalancedRandomForestClassifier", "pipelines_"),
            ("ensemble._forest:BalancedRandomForestClassifier", "estimators_"),
            ("ensemble._weight_boosting:RUSBoostClassifier", "samplers_"),
            ("ensemble._weight_boosting:RUSBoostClassifier", "pipelines_"),
            ("ensemble._weight_boosting:RUSBoostClassifier", "estimators_"),
            ("ensemble._bagging:BalancedBaggingClassifier", "estimators_"),
            ("ensemble._easy_ensemble:EasyEnsembleClassifier", "estimators_"),
        )
    ),
    *(
        DispatchRow(
            f"imblearn.{cls}",
            attribute,
            "fit_resample: a callable here would be called with the labels; a loaded model "
            "keeps a dict, a float or a strategy name",
            "data",
        )
        for cls in ("base:SamplerMixin",)
        for attribute in ("sampling_strategy",)
    ),
    *(
        DispatchRow(
            f"imblearn.{cls}",
            "sampling_strategy",
            "fit: handed to the samplers it makes; a callable would be called with the labels",
            "data",
        )
        for cls in (
            "ensemble._forest:BalancedRandomForestClassifier",
            "ensemble._bagging:BalancedBaggingClassifier",
            "ensemble._easy_ensemble:EasyEnsembleClassifier",
            "ensemble._weight_boosting:RUSBoostClassifier",
        )
    ),
    # category_encoders
    *(
        DispatchRow(
            "category_encoders.utils:BaseEncoder",
            attribute,
            f"transform: selects how {attribute.split('_')[1]} categories are encoded",
            "one_of",
            ("error", "return_nan", "value", "indicator", "does not apply"),
        )
        for attribute in ("handle_unknown", "handle_missing")
    ),
    DispatchRow(
        "category_encoders.utils:BaseEncoder",
        "ordinal_encoder",
        "transform: self.ordinal_encoder.transform(X)",
        "instance_of",
        ("category_encoders.ordinal:OrdinalEncoder", None),
    ),
    DispatchRow(
        "category_encoders.hashing:HashingEncoder",
        "max_process",
        "transform: more than 1 starts that many worker processes (multiprocessing)",
        "int_one",
    ),
    DispatchRow(
        "category_encoders.hashing:HashingEncoder",
        "X",
        "fit: the training data while fitting; None in a fitted encoder",
        "none",
    ),
    DispatchRow(
        "category_encoders.target_encoder:TargetEncoder",
        "hierarchy",
        "fit/transform: category groupings, plain data",
        "data",
    ),
    # xgboost
    DispatchRow(
        "xgboost.core:Booster",
        "handle",
        "every method: the native booster; only __setstate__ makes it, from the checked blob",
        "rebuilt",
        ("ctypes:c_void_p",),
    ),
    DispatchRow(
        "xgboost.sklearn:XGBModel",
        "_Booster",
        "predict: self.get_booster().inplace_predict(...)",
        "instance_of",
        ("xgboost.core:Booster", None),
    ),
    *(
        DispatchRow("xgboost.sklearn:XGBModel", attribute, drives, "data")
        for attribute, drives in (
            ("objective", "fit: a Python objective is called with predictions and labels"),
            ("eval_metric", "fit: a Python metric is called with predictions and labels"),
            ("feature_types", "fit/predict: handed to DMatrix"),
            ("feature_weights", "fit: handed to DMatrix"),
            ("monotone_constraints", "fit: handed to native parameters"),
            ("interaction_constraints", "fit: handed to native parameters"),
            ("missing", "predict: the missing-value marker handed to native code"),
            ("base_score", "fit: handed to native parameters"),
        )
    ),
    DispatchRow(
        "xgboost.sklearn:XGBModel",
        "callbacks",
        "fit: each callback's hooks are called after every round",
        "none",
    ),
    DispatchRow(
        "xgboost.sklearn:XGBModel",
        "kwargs",
        "fit: merged into the parameters handed to native code",
        "params",
        tuple(sorted(XGBOOST_FILE_PARAMS)),
    ),
    # lightgbm
    DispatchRow(
        "lightgbm.basic:Booster",
        "_handle",
        "every method: the native booster; only __setstate__ makes it, from the checked text",
        "rebuilt",
        ("ctypes:c_void_p",),
    ),
    DispatchRow(
        "lightgbm.basic:Booster",
        "params",
        "refit / update / Dataset construction: handed to native code as 'key=value' text",
        "params",
        tuple(sorted(LIGHTGBM_FILE_PARAMS)),
    ),
    DispatchRow(
        "lightgbm.basic:Booster",
        "pandas_categorical",
        "predict: categories set on the caller's pandas columns",
        "data",
    ),
    DispatchRow(
        "lightgbm.basic:Booster",
        "_Booster__init_predictor",
        "refit / update: an _InnerPredictor holding another native handle",
        "none",
    ),
    DispatchRow(
        "lightgbm.sklearn:LGBMModel",
        "_Booster",
        "predict: self._Booster.predict(...)",
        "instance_of",
        ("lightgbm.basic:Booster", None),
    ),
    DispatchRow(
        "lightgbm.sklearn:LGBMModel",
        "_le",
        "predict: self._le.inverse_transform(...)",
        "instance_of",
        ("sklearn.preprocessing._label:LabelEncoder", None),
    ),
    *(
        DispatchRow("lightgbm.sklearn:LGBMModel", attribute, drives, "data")
        for attribute, drives in (
            ("objective", "fit: a Python objective is called with predictions and labels"),
            ("_objective", "fit / predict: a Python objective decides the output transform"),
            ("class_weight", "fit: sample weights"),
            ("_class_weight", "fit: sample weights"),
            ("_class_map", "fit: label mapping"),
        )
    ),
    DispatchRow(
        "lightgbm.sklearn:LGBMModel",
        "_other_params",
        "fit: merged into the parameters handed to native code",
        "params",
        tuple(sorted(LIGHTGBM_FILE_PARAMS)),
    ),
    # catboost
    DispatchRow(
        "catboost.core:CatBoost",
        "_object",
        "every method: the native model; only __setstate__ makes it",
        "rebuilt",
        ("_catboost:_CatBoost",),
    ),
    DispatchRow(
        "catboost.core:CatBoost",
        "_init_params",
        "fit / get_params / copy: handed to native code as the training options",
        "params",
        tuple(sorted(CATBOOST_FILE_PARAMS)),
    ),
    DispatchRow(
        "catboost.core:CatBoost",
        "_canonized_params",
        "fit: recomputed from _init_params; __setstate__ sets None",
        "none",
    ),
    *(
        DispatchRow("catboost.core:CatBoost", attribute, "get_feature_importance: numbers", "data")
        for attribute in ("_prediction_values_change", "_loss_value_change")
    ),
)

#: Profile classes that keep plain-data defaults as class attributes and set the same names on
#: each instance when fitting (``self.invariant_cols = [...]``): a state key of that name is the
#: instance's own value, not one hiding a method or property (those names are plain lists and
#: dicts on the class, checked by the use-time walk like any state).
INSTANCE_DEFAULTS: dict[str, frozenset[str]] = {
    "category_encoders.utils:BaseEncoder": frozenset({"invariant_cols", "composite_members_"}),
}

#: Profile wrappers whose ``coef_``, ``n_features_in_`` and ``feature_importances_`` are
#: properties computed by the native library from its model (nothing stored that scikit-learn's
#: solvers index): the generic coefficient-width and index-map checks do not apply to them.
COMPUTED_ATTRIBUTES: frozenset[str] = frozenset({"xgboost.sklearn:XGBModel"})

#: Profile classes that are not scikit-learn ``BaseEstimator`` subclasses but stand where an
#: estimator is used (a CatBoost model as a pipeline's last step).
_ESTIMATOR_LIKE = ("catboost.core:CatBoost",)


def estimator_like_names() -> tuple[str, ...]:
    """``module:qualname`` of profile classes that may stand where an estimator is used."""
    return _ESTIMATOR_LIKE


def profile_names() -> list[str]:
    """The known profile names, sorted."""
    return sorted(PROFILES)


def resolve_profiles(names: Iterable[str] | str) -> tuple[Profile, ...]:
    """The profiles ``names`` asks for, with the profiles they require, in a stable order.

    Raises :class:`~safeload.UsageError` for anything but a list of known profile names.
    """
    if isinstance(names, (str, bytes)):
        raise UsageError(
            f"profiles={names!r}: pass a list of profile names, e.g. profiles=[{names!r}]"
        )
    wanted: list[str] = []
    for name in names:
        if not isinstance(name, str) or name not in PROFILES:
            raise UsageError(
                f"unknown trust profile {name!r}; known profiles: {', '.join(profile_names())} "
                "(`safeload profiles` lists what each trusts and why)"
            )
        for needed in (*PROFILES[name].requires, name):
            if needed not in wanted:
                wanted.append(needed)
    return tuple(PROFILES[n] for n in wanted)


def profile_for_name(module: str, qualname: str) -> list[str]:
    """The profiles that trust ``module.qualname`` (for advice in refusals), also when it is
    another name for a class a profile trusts (``xgboost.Booster`` is ``xgboost.core.Booster``;
    only modules already imported are looked at, nothing is imported)."""
    found = [p.name for p in PROFILES.values() if (module, qualname) in p.names()]
    if found:
        return found
    from safeload.policy import imported_object

    obj = imported_object(module, qualname)
    if isinstance(obj, type):
        pair = (str(getattr(obj, "__module__", "")), str(getattr(obj, "__qualname__", "")))
        return [p.name for p in PROFILES.values() if pair in p.names()]
    # not imported: a package's top-level re-export of a trusted class (advice only)
    return [
        p.name
        for p in PROFILES.values()
        if any(m.partition(".")[0] == module and q == qualname for m, q in p.names())
    ]
