"""The default allowlist: every global a scikit-learn model file may name, with the reason.

Three written-out sources, all exact ``(module, qualname)`` pairs:

* scikit-learn's estimator classes (``safeload._allowlist_sklearn``), each with its use-time
  review;
* the functions a model may keep as a parameter (``safeload.trust.callables``);
* the tables below: the internal types and functions real scikit-learn pickles contain (found
  by pickling a corpus of fitted models), plus numpy, scipy.sparse, joblib and a few builtins.

The bar for an entry: calling it with attacker-chosen arguments (``REDUCE``), constructing it and
applying attacker-chosen state to it (``BUILD``) must not import, evaluate, open files or
sockets, spawn processes, walk attributes by name or deserialize again. Names that fail the bar
are left out even when real models use them (see ``_REFUSED``). Types whose native code trusts
stored index arrays (trees, neighbour trees, histogram-gradient-boosting predictors, libsvm
models, sparse matrices) meet the bar at load time; their use-time safety is the post-load
validator's job.

Nothing here imports scikit-learn: building the list is reading data.
"""

from __future__ import annotations

__all__ = ["default_entries", "hand_written_entries", "refused_entries"]

#: One allowlist row: module, qualname, reason.
_Row = tuple[str, str, str]

# --- builtins and the standard library ------------------------------------------------------

_BUILTINS: tuple[_Row, ...] = (
    ("builtins", "list", "builtin container; built empty and filled by the pickle"),
    ("builtins", "dict", "builtin container; built empty and filled by the pickle"),
    ("builtins", "set", "builtin container; built from an iterable of allowed objects"),
    ("builtins", "frozenset", "builtin container; built from an iterable of allowed objects"),
    ("builtins", "tuple", "builtin container; built from an iterable of allowed objects"),
    ("builtins", "bytearray", "builtin byte buffer (protocols 2-4 write bytearray this way)"),
    ("builtins", "bytes", "builtin bytes; protocol 2 writes empty bytes as bytes()"),
    ("builtins", "complex", "builtin number constructor; parses numbers only"),
    ("builtins", "int", "builtin number type, stored as a dtype parameter (dtype=int)"),
    ("builtins", "float", "builtin number type, stored as a dtype parameter (dtype=float)"),
    ("builtins", "bool", "builtin type, stored as a dtype parameter (dtype=bool)"),
    ("builtins", "str", "builtin type, stored as a dtype/type parameter (skops writes a TypeNode)"),
    ("builtins", "slice", "builtin slice; ColumnTransformer stores column slices"),
    ("builtins", "range", "builtin lazy integer range; allocates nothing"),
    ("builtins", "object", "protocol 0-1 base for copyreg._reconstructor; object() is inert"),
)

_STDLIB: tuple[_Row, ...] = (
    (
        "_codecs",
        "encode",
        "protocol 2 writes bytes as _codecs.encode(str, 'latin1'); codec lookup is confined "
        "to the encodings package",
    ),
    (
        "copyreg",
        "_reconstructor",
        "protocol 0-1 object rebuild: base.__new__(cls) on two classes that must themselves be "
        "allowed",
    ),
    ("collections", "OrderedDict", "ordered dict container; no behaviour beyond a dict"),
    (
        "collections",
        "defaultdict",
        "dict whose default_factory can only be another allowed callable",
    ),
)

#: Values people save next to a model (a training date, a run id, label counts, a data path).
#: Each is immutable data whose methods compute; what their reconstructors trust is checked
#: after building (``safeload.validate``: ``_check_date_time``, ``_check_decimal``,
#: ``_check_uuid``, ``_check_pure_path``) and Counter is built from a plain dict only
#: (``safeload.pickle.narrowed``).
_METADATA: tuple[_Row, ...] = (
    (
        "datetime",
        "date",
        "a calendar date; rebuilt from 4 bytes (only the month is range-checked by CPython; "
        "the validator rebuilds it through the checking constructor)",
    ),
    (
        "datetime",
        "datetime",
        "a date and time, rebuilt from 10 bytes and an allowed tzinfo (timezone); fields "
        "re-checked after building like date",
    ),
    (
        "datetime",
        "time",
        "a time of day, rebuilt from 6 bytes and an allowed tzinfo; fields re-checked after "
        "building like date",
    ),
    (
        "datetime",
        "timedelta",
        "a duration, built from (days, seconds, microseconds) by the range-checking constructor",
    ),
    (
        "datetime",
        "timezone",
        "a fixed UTC offset and name; the constructor checks the offset (under 24 h) and the "
        "name (a str)",
    ),
    (
        "collections",
        "Counter",
        "a dict of counts; built only from a plain dict (Counter(iterable) would count a "
        "stored range of any length), its methods sort and add the stored values",
    ),
    (
        "decimal",
        "Decimal",
        "an exact decimal number, built from a str only (from an int it converts in "
        "quadratic time); exponent and digits bounded after building (int() or format(d, "
        "'f') of 1E+999999999999999999 would exhaust memory)",
    ),
    (
        "uuid",
        "UUID",
        "a 128-bit identifier: __setstate__ stores the int and a SafeUUID member; the int is "
        "checked to be an int in range after building. Nothing else in the uuid module (which "
        "runs ifconfig for getnode) is allowed",
    ),
    (
        "pathlib",
        "PurePosixPath",
        "a pure path: string manipulation only, no file system access (Path and PosixPath, "
        "which do I/O, stay refused); rebuilt from its parts and compared after building",
    ),
    (
        "pathlib",
        "PureWindowsPath",
        "a pure Windows path: string manipulation only, no file system access on any OS; "
        "checked like PurePosixPath",
    ),
)
# Python 3.13 (only) writes pathlib's classes under ``pathlib._local``: that spelling is not a
# default entry because every entry must resolve on every supported Python; it is an inert name
# (``safeload.policy.INERT_NAMES``), so a 3.13 file loads with trusted=["pathlib._local.
# PurePosixPath"] and gets the same checks.

# --- numpy ------------------------------------------------------------------------------------

_NDARRAY_HELPERS = (
    ("multiarray", "_reconstruct", "rebuilds an ndarray of an allowed ndarray type; no I/O"),
    ("multiarray", "scalar", "rebuilds a numpy scalar from its dtype and raw bytes"),
    ("numeric", "_frombuffer", "protocol 5 array rebuild: frombuffer(bytes).reshape(shape)"),
)

#: numpy's concrete scalar types (the static pass refuses calling them: safeload.pickle.call_rules).
NUMPY_SCALAR_TYPES = (
    "bool",  # numpy >= 2 spelling of the boolean scalar type
    "bool_",  # numpy 1.x spelling
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float16",
    "float32",
    "float64",
    "longdouble",
    "complex64",
    "complex128",
)

#: Abstract scalar types: stored as dtype selectors (make_column_selector(dtype_include=...)).
NUMPY_ABSTRACT_TYPES = ("number", "integer", "floating", "signedinteger", "unsignedinteger")

#: Other scalar types a model keeps as values, never called: the dtype selectors pandas'
#: ``select_dtypes`` documents for dates, durations and objects (rt100-03), and the type skops
#: records for a dict keyed by numpy strings (the class labels of a LogisticRegressionCV's
#: ``scores_``, rt100-01), whose keys it makes by calling it on the schema's text.
NUMPY_SELECTOR_TYPES = ("str_", "bytes_", "datetime64", "timedelta64", "object_")

_NUMPY_OTHER: tuple[_Row, ...] = (
    ("numpy", "ndarray", "the array type; joblib records it as the wrapper's subclass"),
    ("numpy", "dtype", "dtype constructor from a type code; no code, no I/O"),
    (
        "numpy.ma.core",
        "_mareconstruct",
        "rebuilds a masked array (GridSearchCV.cv_results_) from allowed array types",
    ),
    ("numpy.ma", "MaskedArray", "masked array type as numpy >= 2 pickles record it"),
    ("numpy.ma.core", "MaskedArray", "masked array type as numpy 1.x pickles record it"),
    (
        "numpy.random._pickle",
        "__bit_generator_ctor",
        "builds a bit generator from a fixed name table or an allowed class; no arguments",
    ),
    (
        "numpy.random._pickle",
        "__generator_ctor",
        "wraps a bit generator in numpy.random.Generator",
    ),
    (
        "numpy.random._pickle",
        "__randomstate_ctor",
        "wraps a bit generator in the legacy RandomState",
    ),
    ("numpy.random", "__RandomState_ctor", "legacy (numpy < 1.17) RandomState pickles"),
    ("numpy.random.mtrand", "RandomState", "legacy random state; state is validated numbers"),
    ("numpy.random._generator", "Generator", "random generator; state is validated numbers"),
    ("numpy.random._mt19937", "MT19937", "bit generator; state setter validates the dict"),
    ("numpy.random._pcg64", "PCG64", "bit generator; state setter validates the dict"),
    ("numpy.random._pcg64", "PCG64DXSM", "bit generator; state setter validates the dict"),
    ("numpy.random._philox", "Philox", "bit generator; state setter validates the dict"),
    ("numpy.random._sfc64", "SFC64", "bit generator; state setter validates the dict"),
    ("numpy.random.bit_generator", "SeedSequence", "seed sequence: entropy and a key tuple"),
    (
        "numpy.random.bit_generator",
        "__pyx_unpickle_SeedSequence",
        "Cython unpickle helper: checks a layout checksum, then sets typed fields",
    ),
)


def _numpy_rows() -> list[_Row]:
    rows: list[_Row] = []
    for package in ("numpy.core", "numpy._core"):  # numpy 1.x and numpy >= 2 spellings
        for submodule, name, reason in _NDARRAY_HELPERS:
            rows.append((f"{package}.{submodule}", name, reason))
    for name in NUMPY_SCALAR_TYPES:
        rows.append(("numpy", name, "numpy scalar type (a dtype parameter); numeric only"))
    for name in NUMPY_ABSTRACT_TYPES:
        rows.append(("numpy", name, "abstract numpy scalar type used as a dtype selector"))
    for name in NUMPY_SELECTOR_TYPES:
        rows.append(("numpy", name, "numpy scalar type kept as a dtype selector or key type"))
    rows.extend(_NUMPY_OTHER)
    return rows


# --- scipy and joblib -------------------------------------------------------------------------

_SPARSE_FORMATS = ("bsr", "coo", "csc", "csr", "dia", "dok", "lil")


def _scipy_rows() -> list[_Row]:
    rows: list[_Row] = []
    for fmt in _SPARSE_FORMATS:
        for kind in ("matrix", "array"):
            rows.append(
                (
                    f"scipy.sparse._{fmt}",
                    f"{fmt}_{kind}",
                    "scipy sparse container (numeric arrays); index arrays are the "
                    "validator's concern",
                )
            )
    rows.append(
        (
            "scipy.interpolate._bsplines",
            "BSpline",
            "SplineTransformer's per-feature spline: built empty and given its knots, "
            "coefficients and degree by BUILD; its native evaluation trusts their lengths, so "
            "safeload.trust.structures.arrays.check_bspline checks them (and pins the stored "
            "_asarray)",
        )
    )
    return rows


_JOBLIB: tuple[_Row, ...] = (
    (
        "joblib.numpy_pickle",
        "NumpyArrayWrapper",
        "joblib placeholder for inline array data; safeload pins its subclass to ndarray",
    ),
)

# --- scikit-learn internals -------------------------------------------------------------------

_LOSS = "sklearn._loss.loss"
_CYLOSS = "sklearn._loss._loss"
_LINK = "sklearn._loss.link"

_SKLEARN_LOSSES: tuple[_Row, ...] = (
    *(
        (_LOSS, name, "loss object stored by gradient boosting and GLMs; numeric parameters")
        for name in (
            "AbsoluteError",
            "ExponentialLoss",
            "HalfBinomialLoss",
            "HalfGammaLoss",
            "HalfMultinomialLoss",
            "HalfPoissonLoss",
            "HalfSquaredError",
            "HalfTweedieLoss",
            "HalfTweedieLossIdentity",
            "HuberLoss",
            "PinballLoss",
        )
    ),
    *(
        (
            _LOSS,
            name,
            "array-API variant of a loss object; numeric parameters (scikit-learn >= 1.9)",
        )
        for name in (
            "HalfBinomialLossArrayAPI",
            "HalfMultinomialLossArrayAPI",
            "HalfPoissonLossArrayAPI",
        )
    ),
    *(
        (_CYLOSS, name, "Cython loss kernel held by a loss object; numeric parameters only")
        for name in (
            "CyAbsoluteError",
            "CyExponentialLoss",
            "CyHalfBinomialLoss",
            "CyHalfGammaLoss",
            "CyHalfMultinomialLoss",
            "CyHalfPoissonLoss",
            "CyHalfSquaredError",
            "CyHalfTweedieLoss",
            "CyHalfTweedieLossIdentity",
            "CyHuberLoss",
            "CyPinballLoss",
        )
    ),
    (
        _CYLOSS,
        "__pyx_unpickle_CyHalfMultinomialLoss",
        "Cython unpickle helper: checks a layout checksum, instance must be the loss type",
    ),
    *(
        (_LINK, name, "link function object held by a loss; no state beyond an interval")
        for name in (
            "HalfLogitLink",
            "IdentityLink",
            "LogLink",
            "LogitLink",
            "MultinomialLogit",
        )
    ),
    (_LINK, "Interval", "dataclass of two floats and two flags (a loss's valid range)"),
    *(
        (
            "sklearn.linear_model._sgd_fast",
            name,
            "SGD loss object (SGDClassifier.loss_function_); one float parameter",
        )
        for name in (
            "Hinge",
            "SquaredHinge",
            "ModifiedHuber",
            "EpsilonInsensitive",
            "SquaredEpsilonInsensitive",
        )
    ),
)

#: Distance metrics that neighbour trees store. PyFuncDistance is left out: it calls a stored
#: Python callable. Metric weight/matrix shapes are checked after loading with the tree.
DISTANCE_METRICS = (
    "BrayCurtis",
    "Canberra",
    "Chebyshev",
    "Dice",
    "Euclidean",
    "Hamming",
    "Haversine",
    "Jaccard",
    "Kulsinski",
    "Mahalanobis",
    "Manhattan",
    "Matching",
    "Minkowski",
    "RogersTanimoto",
    "RussellRao",
    "SEuclidean",
    "SokalMichener",
    "SokalSneath",
)

_SKLEARN_STRUCTURES: tuple[_Row, ...] = (
    (
        "sklearn.tree._tree",
        "Tree",
        "fitted decision tree arrays; node indices are checked after loading",
    ),
    (
        "sklearn.cluster._bisect_k_means",
        "_BisectingTree",
        "BisectingKMeans' cluster tree: a plain object (center, indices, score, left, right, "
        "label) built by BUILD; predict recurses through it, so the validator checks it is a "
        "tree (no node twice), every center has n_features_in_ values and the leaves' labels "
        "number the clusters",
    ),
    (
        "sklearn.ensemble._hist_gradient_boosting.predictor",
        "TreePredictor",
        "fitted histogram-gradient-boosting tree; node indices are checked after loading",
    ),
    (
        "sklearn.ensemble._hist_gradient_boosting.binning",
        "_BinMapper",
        "histogram-gradient-boosting feature binner; arrays of thresholds",
    ),
    (
        "sklearn.neighbors._kd_tree",
        "KDTree",
        "fitted KD tree; index arrays are checked after loading",
    ),
    (
        "sklearn.neighbors._ball_tree",
        "BallTree",
        "fitted ball tree; index arrays are checked after loading",
    ),
    (
        "sklearn.neighbors._kd_tree",
        "newObj",
        "KDTree pickle helper: cls.__new__(cls) for an allowed class",
    ),
    (
        "sklearn.neighbors._ball_tree",
        "newObj",
        "BallTree pickle helper: cls.__new__(cls) for an allowed class",
    ),
    (
        "sklearn.metrics._dist_metrics",
        "newObj",
        "DistanceMetric pickle helper: cls.__new__(cls) for an allowed class",
    ),
    *(
        ("sklearn.metrics._dist_metrics", f"{name}Distance{bits}", "distance metric of a tree")
        for name in DISTANCE_METRICS
        for bits in ("64", "32")
    ),
    ("sklearn.utils._bunch", "Bunch", "dict subclass (named_estimators_); no-op __setstate__"),
    (
        "sklearn.utils._metadata_requests",
        "MetadataRequest",
        "metadata-routing record of strings (TunedThresholdClassifierCV)",
    ),
    (
        "sklearn.utils._metadata_requests",
        "MethodMetadataRequest",
        "metadata-routing record of strings (TunedThresholdClassifierCV)",
    ),
    (
        "sklearn.calibration",
        "_CalibratedClassifier",
        "CalibratedClassifierCV's per-fold estimator + calibrators pair",
    ),
    (
        "sklearn.calibration",
        "_SigmoidCalibration",
        "Platt-scaling calibrator: two floats",
    ),
    (
        "sklearn.calibration",
        "_TemperatureScaling",
        "temperature-scaling calibrator (method='temperature'): one float, beta_",
    ),
    (
        "sklearn.multiclass",
        "_ConstantPredictor",
        "one-vs-rest stand-in for a class that is always or never present",
    ),
    (
        "sklearn.gaussian_process._gpc",
        "_BinaryGaussianProcessClassifierLaplace",
        "GaussianProcessClassifier's per-class model: arrays and a kernel",
    ),
    (
        "sklearn.impute._iterative",
        "_ImputerTriplet",
        "IterativeImputer step record (namedtuple of indices and an estimator)",
    ),
    ("sklearn.cluster._birch", "_CFNode", "Birch clustering-feature tree node: arrays and lists"),
    ("sklearn.cluster._birch", "_CFSubcluster", "Birch subcluster: arrays and counts"),
    (
        "sklearn.neural_network._stochastic_optimizers",
        "AdamOptimizer",
        "MLP optimizer state (moment arrays) kept for warm starts",
    ),
    (
        "sklearn.neural_network._stochastic_optimizers",
        "SGDOptimizer",
        "MLP optimizer state (velocity arrays) kept for warm starts",
    ),
    (
        "sklearn.compose._column_transformer",
        "make_column_selector",
        "column selector by dtype/regex pattern; holds only its parameters",
    ),
)

#: Estimators scikit-learn marks experimental: all_estimators() does not list them unless the
#: enabling import ran, so they are named here (without running that import).
_SKLEARN_EXPERIMENTAL: tuple[_Row, ...] = (
    ("sklearn.impute._iterative", "IterativeImputer", "experimental scikit-learn estimator"),
    (
        "sklearn.model_selection._search_successive_halving",
        "HalvingGridSearchCV",
        "experimental scikit-learn estimator",
    ),
    (
        "sklearn.model_selection._search_successive_halving",
        "HalvingRandomSearchCV",
        "experimental scikit-learn estimator",
    ),
)

_SKLEARN_SCORING: tuple[_Row, ...] = (
    *(
        ("sklearn.metrics._scorer", name, "scorer object: a metric function plus its settings")
        for name in ("_Scorer", "_PassthroughScorer", "_CurveScorer", "_MultimetricScorer")
    ),
    (
        "sklearn.metrics._classification",
        "fbeta_score",
        "pure metric; the documented make_scorer(fbeta_score, beta=...) example",
    ),
)

_SKLEARN_SPLITTERS: tuple[_Row, ...] = (
    *(
        ("sklearn.model_selection._split", name, "CV splitter: integers, flags and a seed")
        for name in (
            "KFold",
            "StratifiedKFold",
            "GroupKFold",
            "StratifiedGroupKFold",
            "ShuffleSplit",
            "StratifiedShuffleSplit",
            "GroupShuffleSplit",
            "TimeSeriesSplit",
            "RepeatedKFold",
            "RepeatedStratifiedKFold",
            "LeaveOneOut",
            "LeavePOut",
            "LeaveOneGroupOut",
            "LeavePGroupsOut",
            "PredefinedSplit",
        )
    ),
    (
        "sklearn.model_selection._split",
        "_CVIterableWrapper",
        "CV splitter over a stored list of (train, test) index arrays; what a search keeps "
        "when given its splits as a list (cv=list(...))",
    ),
)

#: Gaussian-process kernels (GaussianProcessRegressor.kernel_). PairwiseKernel is left out: it
#: forwards a stored keyword dict (n_jobs included) to pairwise_kernels.
_SKLEARN_KERNELS: tuple[_Row, ...] = tuple(
    ("sklearn.gaussian_process.kernels", name, "Gaussian-process kernel: float hyperparameters")
    for name in (
        "RBF",
        "Matern",
        "RationalQuadratic",
        "ExpSineSquared",
        "DotProduct",
        "ConstantKernel",
        "WhiteKernel",
        "Sum",
        "Product",
        "Exponentiation",
        "CompoundKernel",
    )
)

# Names real models use that are deliberately NOT on the list (kept here for the report and for
# reviewers; the tests assert none of them is allowed):
_REFUSED: tuple[_Row, ...] = (
    (
        "sklearn.cluster._kmeans",
        "_kmeans_single_lloyd",
        "BisectingKMeans stores it as _kmeans_single (fit sets it again before using it, "
        "predict never does); a native routine that trusts its array shapes, and REDUCE "
        "would call it at load time with file-chosen arrays. The refusal tells the user to "
        "drop the attribute before saving",
    ),
    (
        "sklearn.metrics._dist_metrics",
        "PyFuncDistance64",
        "calls a stored Python callable for every distance",
    ),
    (
        "sklearn.gaussian_process.kernels",
        "PairwiseKernel",
        "forwards a stored keyword dict (including n_jobs) to pairwise_kernels",
    ),
)


# Allowed after review although the first pass refused them: HistGradientBoosting* with
# categorical features stores partial(check_array, ...), a very common model. REDUCE already
# lets a stream call any allowed callable with positional arguments, so partial adds only
# keyword binding of callables that are themselves on the list.
_PARTIAL: tuple[_Row, ...] = (
    (
        "functools",
        "partial",
        "binds arguments to a callable taken from the stream, which must itself be allowlisted; "
        "HistGradientBoosting with categorical features stores partial(check_array, ...)",
    ),
)


def _hand_written_rows() -> list[_Row]:
    return [
        *_PARTIAL,
        *_BUILTINS,
        *_STDLIB,
        *_METADATA,
        *_numpy_rows(),
        *_scipy_rows(),
        *_JOBLIB,
        *_SKLEARN_LOSSES,
        *_SKLEARN_STRUCTURES,
        *_SKLEARN_EXPERIMENTAL,
        *_SKLEARN_SCORING,
        *_SKLEARN_SPLITTERS,
        *_SKLEARN_KERNELS,
    ]


def hand_written_entries() -> dict[tuple[str, str], str]:
    """The hand-written part of the list alone (no imports)."""
    return {(module, qualname): reason for module, qualname, reason in _hand_written_rows()}


def refused_entries() -> dict[tuple[str, str], str]:
    """Names real models use that are deliberately refused, with the reason."""
    return {(module, qualname): reason for module, qualname, reason in _REFUSED}


def _metric_rows() -> list[_Row]:
    """The functions on the callable allowlist: a file must be able to name what a model may
    keep (``make_scorer(fbeta_score)``, ``SelectKBest(f_classif)``)."""
    from safeload.trust.callables import CALLABLE_ROWS

    return [
        (module, qualname, f"{reason} (a stored parameter; on the callable allowlist)")
        for module, qualname, reason in CALLABLE_ROWS
    ]


def default_entries() -> dict[tuple[str, str], str]:
    """Every ``(module, qualname)`` trusted by default, mapped to the reason it is safe.

    Pure data: nothing is imported or derived, so the list is the same on every machine and
    every entry was reviewed (``safeload._allowlist_sklearn`` for the estimator classes).
    """
    from safeload._allowlist_sklearn import ESTIMATOR_ROWS

    entries = hand_written_entries()
    for module, qualname, reason in (*ESTIMATOR_ROWS, *_metric_rows()):
        entries.setdefault((module, qualname), reason)
    for key in _REFUSED:
        entries.pop((key[0], key[1]), None)
    return entries
