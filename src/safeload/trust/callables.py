"""The callable allowlist: the functions a loaded model may keep as a value.

A model stores functions as parameters (``FunctionTransformer(func=np.log1p)``,
``SelectKBest(score_func=f_classif)``, ``make_scorer(accuracy_score)``), and scikit-learn later
calls them with the user's data and with arguments taken from the model's state. So a stored
function is only admitted if calling it, with any arguments a file can arrange, computes a value
or raises: no I/O, no imports, no processes, no calls of other callables passed in, no attribute
look-ups by name. This list is separate from, and much smaller than, the allowlist of names a
file may *build*: ``copyreg._reconstructor`` may be called while loading, but may not be left in
the result for a model to call later.

``functools.partial`` is admitted around these functions only, with plain-data arguments
(:mod:`safeload.trust.usetime` checks that).
"""

from __future__ import annotations

from safeload._allowlist import NUMPY_ABSTRACT_TYPES, NUMPY_SCALAR_TYPES, NUMPY_SELECTOR_TYPES

__all__ = ["CALLABLE_ROWS", "CLASS_ATTRIBUTES", "TYPE_VALUE_ROWS"]

_Row = tuple[str, str, str]

_UFUNC = "numpy ufunc: elementwise arithmetic on numeric input"

_NUMPY: tuple[_Row, ...] = (
    *(
        ("numpy", name, _UFUNC)
        for name in (
            "log",
            "log1p",
            "log2",
            "log10",
            "exp",
            "expm1",
            "sqrt",
            "square",
            "absolute",
        )
    ),
    ("numpy", "mean", "numpy reduction (FeatureAgglomeration.pooling_func default)"),
    ("numpy", "median", "numpy reduction (a documented pooling_func)"),
)

_METRIC = "pure scikit-learn metric: arrays in, a number or array out"

#: The metric functions behind scikit-learn's named scorers (``get_scorer_names()``), written
#: out rather than derived at import time. ``tests/test_usetime.py`` checks the list against
#: the installed scikit-learn, so a new scorer shows up as a failing test, not a silent entry.
_SKLEARN_METRICS: tuple[_Row, ...] = tuple(
    (module, name, _METRIC)
    for module, names in (
        (
            "sklearn.metrics._classification",
            (
                "accuracy_score",
                "balanced_accuracy_score",
                "brier_score_loss",
                "d2_brier_score",
                "d2_log_loss_score",
                "f1_score",
                "fbeta_score",
                "jaccard_score",
                "log_loss",
                "matthews_corrcoef",
                "precision_score",
                "recall_score",
            ),
        ),
        (
            "sklearn.metrics._ranking",
            ("average_precision_score", "roc_auc_score", "top_k_accuracy_score"),
        ),
        (
            "sklearn.metrics._scorer",
            ("positive_likelihood_ratio", "negative_likelihood_ratio"),
        ),
        (
            "sklearn.metrics._regression",
            (
                "explained_variance_score",
                "max_error",
                "mean_absolute_error",
                "mean_absolute_percentage_error",
                "mean_gamma_deviance",
                "mean_poisson_deviance",
                "mean_squared_error",
                "mean_squared_log_error",
                "median_absolute_error",
                "r2_score",
                "root_mean_squared_error",
                "root_mean_squared_log_error",
                "d2_absolute_error_score",
            ),
        ),
        (
            "sklearn.metrics.cluster._supervised",
            (
                "adjusted_mutual_info_score",
                "adjusted_rand_score",
                "completeness_score",
                "fowlkes_mallows_score",
                "homogeneity_score",
                "mutual_info_score",
                "normalized_mutual_info_score",
                "rand_score",
                "v_measure_score",
            ),
        ),
    )
    for name in names
)

_SKLEARN_OTHER: tuple[_Row, ...] = (
    *(
        (
            "sklearn.feature_selection._univariate_selection",
            name,
            "pure statistic stored as SelectKBest/SelectPercentile score_func",
        )
        for name in ("f_classif", "f_regression", "r_regression", "chi2", "f_oneway")
    ),
    *(
        (
            "sklearn.feature_selection._mutual_info",
            name,
            "pure statistic stored as a selector's score_func",
        )
        for name in ("mutual_info_classif", "mutual_info_regression")
    ),
    (
        "sklearn.utils.validation",
        "check_array",
        "input validation (conversion and checks, no I/O); HistGradientBoosting with "
        "categorical features stores partial(check_array, ...)",
    ),
)

_SCIPY: tuple[_Row, ...] = (
    (
        "scipy._lib.array_api_compat.numpy._aliases",
        "asarray",
        "numpy's asarray through scipy's array-API layer (conversion only, no I/O); "
        "scipy >= 1.15's BSpline stores it as _asarray and converts its knots and coefficients "
        "with it",
    ),
)

#: Every function a loaded graph may hold, as ``(module, qualname, reason)``.
CALLABLE_ROWS: tuple[_Row, ...] = (*_NUMPY, *_SKLEARN_METRICS, *_SKLEARN_OTHER, *_SCIPY)

_SCALAR = "numpy scalar type stored as a dtype parameter; calling it converts numbers"

#: Classes a loaded graph may hold as a value (``dtype=np.float64``). Calling one converts a
#: number or raises.
TYPE_VALUE_ROWS: tuple[_Row, ...] = (
    *(
        ("builtins", name, "builtin number/str type stored as a dtype")
        for name in (
            "bool",
            "int",
            "float",
            "complex",
            "str",
            "object",
        )
    ),
    *(
        ("builtins", name, "builtin container type (a defaultdict's factory); builds empty")
        for name in ("list", "dict", "set", "tuple")
    ),
    (
        "collections",
        "OrderedDict",
        "ordered dict type, as a defaultdict's factory (LightGBM's best_score); builds empty",
    ),
    *(
        ("numpy", name, _SCALAR)
        for name in (*NUMPY_SCALAR_TYPES, *NUMPY_ABSTRACT_TYPES, *NUMPY_SELECTOR_TYPES)
    ),
)

_SPLIT = "sklearn.model_selection._split"

#: Classes one attribute of one allowlisted class may hold, as
#: ``{owner (module, qualname): {attribute: (module, qualname) of the class it holds}}``.
#: ``RepeatedKFold.__init__`` keeps the splitter class it repeats (``self.cv = KFold``) and
#: ``split`` calls it with the splitter's own ``cvargs``: an honest search or CV estimator
#: given a repeated splitter holds this class (rt49-13). Only the exact class each owner's
#: ``__init__`` stores is admitted, in that one attribute of an instance of that exact class;
#: a class anywhere else is still refused, as any class kept as a value is.
CLASS_ATTRIBUTES: dict[tuple[str, str], dict[str, tuple[str, str]]] = {
    (_SPLIT, "RepeatedKFold"): {"cv": (_SPLIT, "KFold")},
    (_SPLIT, "RepeatedStratifiedKFold"): {"cv": (_SPLIT, "StratifiedKFold")},
}
