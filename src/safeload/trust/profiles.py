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

The names each profile trusts and leaves out are listed library by library in
:mod:`safeload.trust.profile_entries`; this module holds the profiles made of them, the native
classes' state rules and the use-time rows, and resolves profile names.

Nothing here imports the libraries: a profile is data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from safeload.exceptions import UsageError
from safeload.trust.dispatch import DispatchRow
from safeload.trust.profile_entries import (
    CATBOOST,
    CATBOOST_FILE_PARAMS,
    CATBOOST_LEFT_OUT,
    CATEGORY_ENCODERS,
    CE_LEFT_OUT,
    IMBLEARN,
    IMBLEARN_LEFT_OUT,
    LIGHTGBM,
    LIGHTGBM_CAVEAT,
    LIGHTGBM_FILE_PARAMS,
    LIGHTGBM_LEFT_OUT,
    NATIVE_CAVEAT,
    NATIVE_KNOWN,
    PANDAS,
    PANDAS_LEFT_OUT,
    XGBOOST,
    XGBOOST_CAVEAT,
    XGBOOST_FILE_PARAMS,
    XGBOOST_LEFT_OUT,
    Row,
)

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
    entries: tuple[Row, ...]
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
        # (model_to_string reads pandas_categorical: without it the load's size reader
        # failed where scan's, which reads _handle's text, did not, rt111-04)
        required=frozenset({"pandas_categorical"}),
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
            entries=IMBLEARN,
            left_out=IMBLEARN_LEFT_OUT,
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
                "plain data or None." + XGBOOST_CAVEAT
            ),
            entries=XGBOOST,
            left_out=XGBOOST_LEFT_OUT,
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
                "match cat_threshold; feature_names lists max_feature_idx + 1 names of at most "
                "1024 bytes. A text it cannot parse is refused; the values themselves "
                "are LightGBM's parser's business." + LIGHTGBM_CAVEAT
            ),
            entries=LIGHTGBM,
            left_out=LIGHTGBM_LEFT_OUT,
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
                + NATIVE_CAVEAT.format(lib="CatBoost", known=NATIVE_KNOWN["CatBoost"])
            ),
            entries=CATBOOST,
            left_out=CATBOOST_LEFT_OUT,
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
            entries=PANDAS,
            left_out=PANDAS_LEFT_OUT,
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
                "HashingEncoder.max_process to 1 (no worker processes at transform) and its "
                "n_components to an int from 1 to 2**24 (transform allocates and names that "
                "many columns per row, rt45-02)."
            ),
            entries=CATEGORY_ENCODERS,
            left_out=CE_LEFT_OUT,
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
        "n_components",
        "transform: np.zeros((rows, n_components)) and one column name per component, sized "
        "by this int alone (rt45-02)",
        "output_width",
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
