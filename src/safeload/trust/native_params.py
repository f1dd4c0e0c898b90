"""Checks of the parameters LightGBM and CatBoost models keep and hand to their native code.

Both ``load`` (after building, on the real values: :func:`object_problem`) and ``scan`` call
the functions here, so they judge alike. Scan judges LightGBM's values on its shadows
(:func:`shadow_problem`, from :mod:`safeload.trust.shadow`): the values the stream builds,
numpy numbers, strings and arrays and sets included, made as the load makes them (rt45-09), and
each Booster's number of features read from the model text it holds; CatBoost's options it
judges on the stream's literals (:mod:`safeload.trust.native`).

* **LightGBM** joins a parameter dict into ``"k=v k=v"`` text that its C++ side splits on
  whitespace and ``=`` (r15-01): every key must be a LightGBM parameter name (an allowlist, after
  LightGBM's own alias resolution, :data:`LIGHTGBM_ALIASES`) that names no file, host or port,
  and every string value (list items too) a plain token. Thread counts are bounded (r15-02),
  feature indices in ``interaction_constraints`` / ``categorical_feature`` must be features of
  the Booster (r15-07, rt45-11), a wrapper's ``_n_features`` and ``_n_features_in`` (what
  ``n_features_`` and ``n_features_in_`` return) are its Booster's ``num_feature()``, as ``fit``
  sets them (rt45-05, rt45-11), ``_classes`` is None or one 1-d array of labels (rt45-08) and
  ``_n_classes`` the number of them (r15-14).
* **CatBoost** keeps its training options in the state itself: only the names its constructors
  take, none that names a path or writes files, ``allow_writing_files`` not true (r15-03).

The functions take plain Python values; :data:`UNKNOWN` stands for a value the caller cannot
see (a Booster's number of features, when its model text is not held): a check that needs it
calls the file unproven.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from safeload.trust._lightgbm_aliases import LIGHTGBM_ALIASES
from safeload.trust.dtype_kinds import short

__all__ = [
    "CATBOOST_PARAMS",
    "LIGHTGBM_FORBIDDEN",
    "SHADOW_CLASSES",
    "UNKNOWN",
    "catboost_params_problem",
    "lightgbm_default",
    "lightgbm_booster_problem",
    "lightgbm_model_problem",
    "lightgbm_params_problem",
    "object_problem",
    "shadow_problem",
]


class _Unknown:
    def __repr__(self) -> str:
        return "<not a literal>"


#: A value the stream walk cannot read as a literal.
UNKNOWN: Any = _Unknown()

_UNPROVEN = "unproven: {what} is not a literal in the stream (a load checks the built value)"
#: The wrapper's counts ``fit`` sets from the training data, whose Booster's ``num_feature()``
#: is the same number: ``n_features_`` and ``n_features_in_`` return them (rt45-05), and
#: SelectFromModel names that many features.
_LGB_WIDTHS = ("_n_features", "_n_features_in")

#: What a string LightGBM turns into ``key=value`` text may hold: no whitespace, ``=``, quotes or
#: path separators.
_TOKEN = re.compile(r"[A-Za-z0-9_.,:+@\-]*")
_MAX_THREADS = 1024

#: Canonical LightGBM parameters that read or write files, or set up the network (their aliases
#: resolve to them through :data:`LIGHTGBM_ALIASES`).
LIGHTGBM_FORBIDDEN: frozenset[str] = frozenset(
    {
        "config", "task", "data", "valid", "input_model", "output_model", "snapshot_freq",
        "forcedsplits_filename", "forcedbins_filename", "save_binary", "output_result",
        "convert_model", "convert_model_language", "parser_config_file", "machines",
        "machine_list_filename", "local_listen_port", "num_machines", "time_out", "tree_learner",
        "header", "label_column", "weight_column", "group_column", "ignore_column", "two_round",
        "pre_partition",
    }
)  # fmt: skip

#: The values of :data:`LIGHTGBM_FORBIDDEN` parameters that LightGBM itself writes into a
#: Booster read from a model file (its ``parameters:`` section lists every default): serial
#: training on one machine, no text input options. A Booster loaded the documented way,
#: ``lgb.Booster(model_file=...)``, holds them (rt61-04).
_LGB_DEFAULTS: dict[str, Any] = {
    "tree_learner": "serial",
    "num_machines": 1,
    "local_listen_port": 12400,
    "time_out": 120,
    "header": False,
    "two_round": False,
    "pre_partition": False,
}


def lightgbm_default(canonical: str, value: Any) -> bool:
    """Whether ``value`` is LightGBM's own default for a forbidden parameter, exactly (same
    type: ``True`` is not ``1``)."""
    if canonical not in _LGB_DEFAULTS:
        return False
    default = _LGB_DEFAULTS[canonical]
    return type(value) is type(default) and bool(value == default)


#: Parameters whose values are feature indices LightGBM indexes its feature map with.
_LGB_FEATURE_INDICES = frozenset({"interaction_constraints", "categorical_feature"})

#: LGBMModel constructor parameters that ``fit`` hands to LightGBM (``class_weight`` and
#: ``importance_type`` it keeps to itself; ``class_weight`` is pinned to plain data).
_LGB_CONSTRUCTOR = (
    "boosting_type", "num_leaves", "max_depth", "learning_rate", "n_estimators",
    "subsample_for_bin", "objective", "min_split_gain", "min_child_weight", "min_child_samples",
    "subsample", "subsample_freq", "colsample_bytree", "reg_alpha", "reg_lambda", "random_state",
    "n_jobs", "importance_type", "_objective",
)  # fmt: skip


def _value_problem(value: Any, depth: int = 0) -> str | None:
    if value is UNKNOWN:
        return _UNPROVEN.format(what="the value")
    if isinstance(value, str):
        if _TOKEN.fullmatch(value) is None:
            return (
                f"is {value[:40]!r}: LightGBM passes parameters to its native code as "
                "'key=value' text split on whitespace, so a value may hold only letters, "
                "digits and _.,:+-@ (no spaces, '=', quotes or paths)"
            )
        return None
    if value is None or isinstance(value, (bool, int, float)):
        return None
    if type(value).__module__ == "numpy" and hasattr(value, "dtype"):
        kind = getattr(value.dtype, "kind", "O")
        if kind in "biuf":
            return None
        if kind == "U" and getattr(value, "ndim", 0) == 0:
            return _value_problem(str(value), depth)
        if getattr(value, "ndim", 0) == 1 and kind in "OU" and depth < 2:
            for item in value.tolist():
                problem = _value_problem(item, depth + 1)
                if problem:
                    return problem
            return None
    if isinstance(value, (list, tuple, set, frozenset)) and depth < 2:
        for item in value:
            problem = _value_problem(item, depth + 1)
            if problem:
                return problem
        return None
    return f"holds a {type(value).__name__}, not a value LightGBM takes as a parameter"


def _threads_problem(name: str, value: Any) -> str | None:
    if value is UNKNOWN:
        return _UNPROVEN.format(what=name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > _MAX_THREADS:
        return (
            f"{name} is {short(value)}: a thread count must be None or an int between "
            f"-{_MAX_THREADS} and {_MAX_THREADS} (larger counts crash the native thread pool)"
        )
    return None


def _indices(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        found: list[Any] = []
        for item in value:
            found.extend(_indices(item))
        return found
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        return _indices(value.tolist())
    return [value]


def _feature_problem(name: str, value: Any, n_features: Any) -> str | None:
    items = _indices(value)
    if not items or all(isinstance(i, str) and not i for i in items):
        return None
    if isinstance(value, str):
        return f"{name} is {value[:40]!r}; a loaded model may keep only feature indices here"
    if n_features is UNKNOWN or not isinstance(n_features, int) or isinstance(n_features, bool):
        return f"{name} holds feature indices, but the model's number of features is not known"
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item < n_features:
            return (
                f"{name} holds {short(item)}, not a feature index of this model (0 to "
                f"{n_features - 1}): LightGBM indexes its feature map with it unchecked"
            )
    return None


def lightgbm_params_problem(params: Any, n_features: Any = UNKNOWN) -> str | None:
    """Why a LightGBM parameter dict (``_other_params``, ``Booster.params``) may not be kept by a
    loaded model, or ``None``."""
    if params is None or params is UNKNOWN or not isinstance(params, Mapping):
        return None  # the row's own check (a dict of plain data) judges it
    for key, value in params.items():
        if not isinstance(key, str) or not key.isidentifier():
            return (
                f"holds the parameter name {key!r}: LightGBM splits its parameter text on "
                "whitespace and '=', so every name must be an identifier"
            )
        canonical = LIGHTGBM_ALIASES.get(key)
        if canonical is None:
            return f"holds {key!r}, which is not one of LightGBM's parameters"
        if canonical in LIGHTGBM_FORBIDDEN and not lightgbm_default(canonical, value):
            return (
                f"holds the parameter {key!r} ({canonical}), which names a file, a path, a host "
                "or a port for LightGBM's native code; a loaded model may not set it"
            )
        problem = _value_problem(value)
        if problem:
            return f"parameter {key!r} {problem}"
        if canonical == "num_threads":
            problem = _threads_problem(key, value)
        elif canonical in _LGB_FEATURE_INDICES:
            problem = _feature_problem(key, value, n_features)
        if problem:
            return problem
    return None


def lightgbm_model_problem(state: Mapping[str, Any], n_features: Any) -> tuple[str, str] | None:
    """``(attribute, problem)`` for a LightGBM scikit-learn wrapper's state, or ``None``.
    ``n_features`` is its Booster's ``num_feature()`` (``None``: it holds no Booster;
    :data:`UNKNOWN`: not known)."""
    for name in _LGB_CONSTRUCTOR:
        if name in state:
            problem = _value_problem(state[name])
            if problem:
                return name, problem
    problem = _threads_problem("n_jobs", state.get("n_jobs"))
    if problem:
        return "n_jobs", problem
    for name in _LGB_WIDTHS:
        problem = _width_problem(state, name, n_features) if name in state else None
        if problem:
            return name, problem
    bound = UNKNOWN if n_features is None else n_features
    problem = lightgbm_params_problem(state.get("_other_params"), bound)
    if problem:
        return "_other_params", problem
    classes = state.get("_classes")
    if not _labels_or_none(classes):
        return "_classes", (
            f"is {short(classes)}: fit stores None or np.unique(y), one 1-d array of labels "
            "(its length is the number of classes LightGBM sizes its predictions by)"
        )
    if "_n_classes" in state:
        n_classes = state["_n_classes"]
        wanted = -1 if classes is None else len(classes)
        if isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes != wanted:
            return "_n_classes", (
                f"is {n_classes!r}, but the model keeps {wanted if wanted >= 0 else 'no'} "
                "classes: LightGBM sizes its prediction buffers with it"
            )
    return None


def _labels_or_none(classes: Any) -> bool:
    """None, or a plain 1-d ndarray (``isinstance`` first: a value a scan cannot see raises)."""
    return classes is None or (
        isinstance(classes, np.ndarray) and type(classes) is np.ndarray and classes.ndim == 1
    )


def _width_problem(state: Mapping[str, Any], name: str, n_features: Any) -> str | None:
    """``_n_features`` / ``_n_features_in`` must be the Booster's ``num_feature()``, or -1 (as
    ``__init__`` leaves them) without a Booster: the bound on every width the wrapper reports
    is then the checked model text's ``max_feature_idx + 1``, which its trees pay for."""
    value = state[name]
    if n_features is UNKNOWN:
        return "cannot be checked: the number of features of the model's Booster is not known"
    wanted = -1 if n_features is None else n_features
    if isinstance(value, bool) or not isinstance(value, int) or value != wanted:
        has = "no Booster (-1 until fit)" if n_features is None else f"{wanted} features"
        return (
            f"is {short(value)}, but the model's Booster has {has}: fit sets it to the "
            "Booster's num_feature(), and n_features_in_ (SelectFromModel's names, "
            "feature-index bounds) reads it"
        )
    return None


def lightgbm_booster_problem(params: Any, n_features: Any) -> str | None:
    """Why a LightGBM Booster's ``params`` may not be kept, given its number of features."""
    return lightgbm_params_problem(params, n_features)


# --- CatBoost ----------------------------------------------------------------------------------

#: The keyword names of CatBoost's constructors (``CatBoost``, ``CatBoostClassifier``,
#: ``CatBoostRegressor``, ``CatBoostRanker``; catboost 1.2): the only training options a loaded
#: model may keep.
CATBOOST_PARAMS: frozenset[str] = frozenset(
    {
        "allow_const_label", "allow_writing_files", "approx_on_full_history",
        "auto_class_weights", "bagging_temperature", "best_model_min_trees", "boost_from_average",
        "boosting_type", "bootstrap_type", "border_count", "callback", "cat_features",
        "class_names", "class_weights", "classes_count", "colsample_bylevel", "combinations_ctr",
        "counter_calc_method", "ctr_description", "ctr_history_unit", "ctr_leaf_count_limit",
        "ctr_target_border_count", "custom_loss", "custom_metric", "data_partition", "depth",
        "dev_efb_max_buckets", "dev_score_calc_obj_block_size", "device_config", "devices",
        "dictionaries", "diffusion_temperature", "early_stopping_rounds", "embedding_features",
        "eta", "eval_fraction", "eval_metric", "feature_border_type", "feature_calcers",
        "feature_weights", "final_ctr_computation_mode", "first_feature_use_penalties",
        "fixed_binary_splits", "fold_len_multiplier", "fold_permutation_block",
        "gpu_cat_features_storage", "gpu_ram_part", "grow_policy", "has_time",
        "ignored_features", "input_borders", "iterations", "l2_leaf_reg", "langevin",
        "leaf_estimation_backtracking", "leaf_estimation_iterations", "leaf_estimation_method",
        "learning_rate", "logging_level", "loss_function", "max_bin", "max_ctr_complexity",
        "max_depth", "max_leaves", "metadata", "metric_period", "min_child_samples",
        "min_data_in_leaf", "model_shrink_mode", "model_shrink_rate", "model_size_reg",
        "monotone_constraints", "mvs_reg", "n_estimators", "name", "nan_mode",
        "num_boost_round", "num_leaves", "num_trees", "objective", "od_pval", "od_type",
        "od_wait", "one_hot_max_size", "output_borders", "penalties_coefficient",
        "per_feature_ctr", "per_float_feature_quantization", "per_object_feature_penalties",
        "pinned_memory_size", "posterior_sampling", "random_score_type", "random_seed",
        "random_state", "random_strength", "reg_lambda", "rsm", "sampling_frequency",
        "sampling_unit", "save_snapshot", "scale_pos_weight", "score_function", "silent",
        "simple_ctr", "snapshot_file", "snapshot_interval", "sparse_features_conflict_fraction",
        "store_all_simple_ctr", "subsample", "target_border", "task_type", "text_features",
        "text_processing", "thread_count", "tokenizers", "train_dir", "use_best_model",
        "used_ram_limit", "verbose",
    }
)  # fmt: skip

#: Constructor options that name paths or make ``fit`` write files.
_CATBOOST_WRITES = frozenset(
    {"input_borders", "output_borders", "snapshot_file", "train_dir", "save_snapshot",
     "snapshot_interval", "callback"}
)  # fmt: skip


def catboost_params_problem(params: Mapping[str, Any], reserved: frozenset[str]) -> str | None:
    """Why CatBoost training options (its state, or ``_init_params``) may not be kept, or
    ``None``. Keys in ``reserved`` are CatBoost's own state keys, not options."""
    for key in params:
        if key in reserved:
            continue
        if not isinstance(key, str) or key not in CATBOOST_PARAMS:
            return (
                f"sets {key!r}, which is not one of the options CatBoost's constructors take "
                "(CatBoost's native code takes more, some of which write files)"
            )
        if key in _CATBOOST_WRITES:
            return (
                f"sets the option {key!r}, which names a path or makes fit write files; a "
                "loaded model may not set it"
            )
    if "allow_writing_files" in params:
        value = params["allow_writing_files"]
        if value is not None and value is not False:
            return (
                f"sets allow_writing_files to {short(value)}: only False (or leaving it out) is "
                "accepted in a loaded model"
            )
    if "thread_count" in params:
        return _threads_problem("thread_count", params["thread_count"])
    return None


# --- the hooks: load (built objects) and scan (its shadows) ---------------------------------

_LGB_MODEL = "lightgbm.sklearn:LGBMModel"
_LGB_BOOSTER = "lightgbm.basic:Booster"
_CATBOOST = "catboost.core:CatBoost"


def _built_features(booster: Any) -> Any:
    """A built Booster's ``num_feature()`` (``None`` for no Booster): the load's count."""
    if booster is None:
        return None
    from safeload.trust.classes import mro_names

    if _LGB_BOOSTER not in mro_names(type(booster)):
        return UNKNOWN  # (the _Booster row refuses anything else first)
    try:
        return int(booster.num_feature())
    except Exception:
        return UNKNOWN


def _text_features(text: Any) -> Any:
    """What ``num_feature()`` answers for a Booster built from ``text`` (its ``_handle``):
    scan's count, read from the header :mod:`safeload.trust.lightgbm_text` checked."""
    from safeload.trust.lightgbm_text import header_num_feature

    found = header_num_feature(text) if type(text) is str else None
    return UNKNOWN if found is None else found


def object_problem(
    names: frozenset[str], obj: Any, state: Mapping[str, Any]
) -> tuple[str, str] | None:
    """``(attribute, problem)`` for a built profile object whose class (and bases) are
    ``names`` (``module:qualname``), or ``None``: the load's check."""
    if _LGB_MODEL in names:
        return lightgbm_model_problem(state, _built_features(state.get("_Booster")))
    if _LGB_BOOSTER in names:
        problem = lightgbm_booster_problem(state.get("params"), _built_features(obj))
        return ("params", problem) if problem else None
    if _CATBOOST in names:
        params = state.get("_init_params")
        if isinstance(params, Mapping):
            problem = catboost_params_problem(params, frozenset())
            return ("_init_params", problem) if problem else None
    return None


def shadow_problem(
    names: frozenset[str], state: Mapping[str, Any], text_of: Callable[[Any], Any]
) -> tuple[str, str] | None:
    """The same check on a scan's shadow of a LightGBM object: ``state`` is what the stream
    gives it (a Booster's: the state its ``__setstate__`` is handed), ``text_of(booster)`` the
    model text a Booster's shadow holds. The values are the ones the load would build, so the
    rules above judge them as they judge the built ones (rt45-09)."""
    if _LGB_MODEL in names:
        booster = state.get("_Booster")
        features = None if booster is None else _text_features(text_of(booster))
        return lightgbm_model_problem(state, features)
    if _LGB_BOOSTER in names:
        features = _text_features(state.get("_handle"))
        problem = lightgbm_booster_problem(state.get("params"), features)
        return ("params", problem) if problem else None
    return None


#: The classes :func:`shadow_problem` judges (a scan looks no further for other shadows).
SHADOW_CLASSES = frozenset({_LGB_MODEL, _LGB_BOOSTER})
