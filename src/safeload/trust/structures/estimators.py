"""Fitted estimators whose native code indexes stored arrays, not covered by a family module:
libsvm models, covariance estimators, and the expansions whose output width is computed from
stored counts (polynomial features, count sketches, chi-squared samplers). Clustering models are
in :mod:`.clustering`, stored widths and generated names in :mod:`.widths`, predicted labels in
:mod:`.labels`."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from safeload.trust.shadow_values import is_callable
from safeload.trust.structures.arrays import check_csr
from safeload.trust.structures.common import (
    MAX_OUTPUT_COLUMNS,
    MAX_TRANSFORM_ROUNDS,
    Array,
    int_array_within,
    is_int,
    require,
)

#: The most numbers a linear SVM's ``coef_`` may hold: 2**25, 256 MB (100 classes over 6,700
#: features).
MAX_LINEAR_SVC_COEF = 1 << 25


def _check_linear_svm_coef(est: Any) -> None:
    """A linear SVC's ``coef_`` (a property, and a notebook's display reads it) is one row of
    the support vectors' width per pair of classes, from ``_n_support``, ``dual_coef_`` and
    ``support_vectors_`` alone: 1,000 classes over 2,000 features asked 8 GB (rt80-07), with
    ``support_`` gone too (rt81-15). Fitted on sparse input each row holds at most the
    nonzeros of the two classes' support vectors: (classes - 1) x their nonzeros in all
    (rt81-11: 30 classes over a 100,000-word vocabulary)."""
    from safeload.trust.object_checks import shape_of

    kernel = getattr(est, "kernel", None)
    counts = getattr(est, "_n_support", None)
    vectors = getattr(est, "support_vectors_", None)
    linear = issubclass(type(kernel), str) and str(kernel) == "linear"  # (numpy's str_: rt82-04)
    if not linear or counts is None or vectors is None:
        return
    count_shape, width = shape_of(counts), shape_of(vectors)
    require(
        count_shape is not None and len(count_shape) == 1 and bool(width),
        "SVM support vector counts or support vectors are not arrays",
    )
    classes = count_shape[0] if count_shape else 0
    columns = width[-1] if width else 0
    if classes <= 2:
        return  # (one row, as wide as the support vectors)
    pairs = classes * (classes - 1) // 2
    # (the public dual_coef_ is what coef_ multiplies: dense, its rows make dense rows of
    # the features' width, rt82-08)
    dual = getattr(est, "dual_coef_", None)
    sparse = hasattr(vectors, "tocsr") and hasattr(dual, "tocsr")
    data = getattr(vectors, "data", None) if sparse else None
    stored = shape_of(data)
    if stored is not None and len(stored) == 1:
        numbers = (classes - 1) * stored[0] + pairs
    else:
        numbers = pairs * columns
    require(
        numbers <= MAX_LINEAR_SVC_COEF,
        f"a linear SVM of {classes:,} classes over {columns:,} features: its coef_ would "
        f"hold {numbers:,} numbers (at most {MAX_LINEAR_SVC_COEF:,})",
    )


def check_svm(est: Any, context: Any) -> None:
    """libsvm reads support vectors, dual coefficients and (for a precomputed kernel) the
    input's columns by counts and indexes stored in the model: they must agree exactly.

    Classifiers store one count per class, summing to the number of support vectors;
    regressors and one-class models store the total twice (or zeros in old versions). A
    missing or empty ``_dual_coef_`` reaches libsvm as a null pointer, so none is accepted.

    A model fitted on sparse input hands libsvm the raw CSR arrays of its support vectors and
    the data buffer of its dual coefficients (see :func:`check_csr`); with probability
    estimates on, libsvm copies one Platt pair per class pair and an empty ``_probA`` is a null
    pointer there.
    """
    _check_linear_svm_coef(est)
    support = getattr(est, "support_", None)
    if support is None:
        return  # not fitted (predict needs support_; coef_ does not: checked above)
    require(
        _is_array(support, "iu") and support.ndim == 1, "SVM support_ is not an array of indices"
    )
    n_sv = support.shape[0]
    require(_is_array(est._n_support, "iu"), "SVM support vector counts are not an int array")
    counts = est._n_support.astype(np.int64)
    require(counts.ndim == 1 and np.all(counts >= 0), "SVM support vector counts negative")
    shape_fit = tuple(int(n) for n in est.shape_fit_)
    require(len(shape_fit) == 2, "SVM shape_fit_ is not two sizes")
    sparse = bool(est._sparse)
    sv, dual = est.support_vectors_, est._dual_coef_
    require(hasattr(sv, "tocsr") == sparse, "SVM support vectors disagree with _sparse")
    require(hasattr(dual, "tocsr") == sparse, "SVM dual coefficients disagree with _sparse")
    # (is_callable: a scan's shadow of a scorer or kernel object is callable as the object is)
    precomputed = est.kernel == "precomputed" or is_callable(est.kernel)
    if precomputed:
        # the support indexes pick the input's columns (the training samples)
        require(
            n_sv == 0 or (int(support.min()) >= 0 and int(support.max()) < shape_fit[0]),
            "SVM support_ indexes past the training samples",
        )
    else:
        require(
            sv.shape == (n_sv, shape_fit[1]),
            "SVM support vectors disagree with support_ and shape_fit_",
        )
    n_features_in = getattr(est, "n_features_in_", None)
    if is_callable(est.kernel):
        # fit with a callable kernel validates no input (no n_features_in_) and keeps the
        # training rows, which predict's kernel measures every row against: one per sample
        # (rt75-09: an SVC over an RBF kernel object had been refused)
        from safeload.trust.object_checks import shape_of

        fitted = shape_of(getattr(est, "_BaseLibSVM__Xfit", None))
        require(
            fitted is not None and len(fitted) == 2 and fitted[0] == shape_fit[0],
            "SVM with a callable kernel does not keep one training row per sample",
        )
        require(
            n_features_in is None or int(n_features_in) == shape_fit[1],
            "SVM n_features_in_ disagrees with shape_fit_",
        )
    else:
        require(
            n_features_in is not None
            and int(n_features_in) == (shape_fit[0] if precomputed else shape_fit[1]),
            "SVM n_features_in_ disagrees with shape_fit_",
        )
    _check_svm_counts(est, counts, dual, n_sv)
    if sparse:
        # libsvm's sparse kernels index the input row with support vector *values* when the
        # kernel is precomputed; scikit-learn never fits a sparse model with one
        require(not precomputed, "SVM sparse model has a precomputed or callable kernel")
        check_csr(sv, (n_sv, shape_fit[1]), "SVM support vectors")
        # libsvm reads rows x columns coefficients from the data buffer alone
        check_csr(dual, dual.shape, "SVM dual coefficients")
        require(
            dual.data.shape == (dual.shape[0] * dual.shape[1],),
            "SVM sparse dual coefficients are not fully stored",
        )


def _is_array(value: Any, kinds: str) -> bool:
    """Whether ``value`` is a numpy array itself (no subclass, no sequence numpy would convert)
    of one of the dtype ``kinds`` ("f": float64 only, what libsvm's typed arguments take)."""
    if type(value) is not np.ndarray:
        return False
    if kinds == "f":
        return bool(value.dtype == np.float64)
    return value.dtype.kind in kinds


def _check_svm_counts(est: Any, counts: Array, dual: Any, n_sv: int) -> None:
    """The per-class support counts, dual coefficients, intercepts and Platt pairs of a libsvm
    model against each other (see :func:`check_svm`). Each is held to a float64 (or int)
    ndarray by its type: through ``numpy.asarray`` a one-step Pipeline (``__len__`` 1) passed
    for an intercept of one value (rt43-10), which libsvm's typed arguments then refused."""
    classes = getattr(est, "classes_", None)
    intercept = est._intercept_
    require(_is_array(intercept, "f"), "SVM intercept is not a float64 array")
    # libsvm takes the model type from _impl, not from classes_: a classifier's type walks the
    # support vectors class by class, so it needs the classifier's counts (rt33-12)
    require(
        classes is not None or getattr(est, "_impl", None) not in ("c_svc", "nu_svc"),
        "SVM classifier without classes_",
    )
    if classes is not None:
        n_class = len(classes)
        require(
            counts.shape == (n_class,) and int(counts.sum()) == n_sv,
            "SVM support vector counts disagree",
        )
        pairs = max(n_class * (n_class - 1) // 2, 1)
        require(dual.shape == (max(n_class - 1, 1), n_sv), "SVM dual coefficients disagree")
        require(intercept.shape == (pairs,), "SVM intercept has the wrong length")
    else:
        # libsvm takes the number of classes from len(_n_support): regressors and one-class
        # models store two counts
        require(counts.shape == (2,), "SVM support vector counts have the wrong length")
        require(np.all((counts == n_sv) | (counts == 0)), "SVM support vector counts disagree")
        require(dual.shape == (1, n_sv), "SVM dual coefficients disagree")
        require(intercept.shape == (1,), "SVM intercept has the wrong length")
    # libsvm's class pairs come from len(_n_support), for regressors too (two counts: one pair)
    pairs = max(counts.shape[0] * (counts.shape[0] - 1) // 2, 1)
    probability = getattr(est, "_effective_probability", getattr(est, "probability", False))
    require(
        isinstance(probability, (bool, int, np.bool_, np.integer)),
        "SVM probability flag is not a boolean",
    )
    for name in ("_probA", "_probB"):
        prob = getattr(est, name, np.empty(0))
        require(_is_array(prob, "f"), f"SVM {name} is not a float64 array")
        allowed = ((pairs,),) if probability else ((0,), (pairs,))
        require(prob.shape in allowed, f"SVM {name} has the wrong length")


def check_covariance(est: Any, context: Any) -> None:
    """``mahalanobis`` (and ``EllipticEnvelope``'s predict, decision_function, score_samples)
    passes ``get_precision()`` as ``VI`` to scipy's C ``cdist``, which reads
    ``n_features ** 2`` doubles from it without a shape check (rt18-04); ``location_`` is the
    one point measured from. All must be sized to ``n_features_in_``."""
    cov = getattr(est, "covariance_", None)
    location = getattr(est, "location_", None)
    if cov is None and location is None:
        return  # not fitted
    n_in: Any = getattr(est, "n_features_in_", None)
    require(is_int(n_in), "fitted covariance estimator without n_features_in_")
    d = int(n_in)
    for name, shape in (
        ("location_", (d,)),
        ("covariance_", (d, d)),
        ("precision_", (d, d)),
        ("raw_location_", (d,)),
        ("raw_covariance_", (d, d)),
    ):
        value = getattr(est, name, None)
        if value is None and name in ("precision_", "raw_location_", "raw_covariance_"):
            continue  # store_precision=False; only MinCovDet stores the raw estimates
        require(
            isinstance(value, np.ndarray) and value.shape == shape and value.dtype.kind == "f",
            f"covariance {name} is not sized to n_features_in_ ({shape})",
        )
    # get_precision() of a model kept without its precision runs pinvh(covariance_,
    # check_finite=False): LAPACK's eigen solver on infinities, as rt47-09 and rt48-04 were
    # SVDs; an honest fit keeps finite estimates
    _require_finite(
        est,
        ("location_", "covariance_", "precision_", "raw_location_", "raw_covariance_"),
        "covariance",
    )


def _bounded_comb(n: int, k: int) -> int:
    """``comb(n, k)``, refused when it is beyond :data:`MAX_OUTPUT_COLUMNS` (judged first in
    logarithms, so that a hostile degree never makes an exact bignum of millions of digits)."""
    import math

    if k < 0 or k > n:
        return 0
    k = min(k, n - k)
    log = math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
    require(log <= math.log(MAX_OUTPUT_COLUMNS) + 1, "polynomial expansion too wide")
    return math.comb(n, k)


def _polynomial_columns(
    n_features: int, min_degree: int, max_degree: int, interaction_only: bool, include_bias: bool
) -> int:
    """``PolynomialFeatures._num_combinations``, bounded (see :func:`_bounded_comb`)."""
    if interaction_only:
        total = 0
        for i in range(max(1, min_degree), min(max_degree, n_features) + 1):
            total += _bounded_comb(n_features, i)
            require(total <= MAX_OUTPUT_COLUMNS, "polynomial expansion too wide")
    else:
        total = _bounded_comb(n_features + max_degree, max_degree) - 1
        if min_degree > 0:
            d = min_degree - 1
            total -= _bounded_comb(n_features + d, d) - 1
    return total + int(include_bias)


def check_polynomial_features(est: Any, context: Any) -> None:
    """``transform`` allocates ``(n_samples, _n_out_full)`` and loops ``_max_degree`` times
    (rt18-10). Both sizes are what ``fit`` computes from ``n_features_in_`` and the degrees:
    they must be exactly that, the degrees must be the parameter's, and the width is capped at
    :data:`MAX_OUTPUT_COLUMNS`."""
    full: Any = getattr(est, "_n_out_full", None)
    n_out: Any = getattr(est, "n_output_features_", None)
    n_in: Any = getattr(est, "n_features_in_", None)
    low: Any = getattr(est, "_min_degree", None)
    high: Any = getattr(est, "_max_degree", None)
    if full is None and n_out is None and (low is None or high is None):
        # not fitted (``powers_`` and the feature names need only n_features_in_ and the
        # degrees: those without the output counts asked 32 GB, rt81-16)
        return
    require(
        is_int(n_in) and is_int(low) and is_int(high) and 0 <= int(low) <= int(high),
        "PolynomialFeatures degrees or n_features_in_ malformed",
    )
    require(0 <= int(n_in) <= MAX_OUTPUT_COLUMNS, "PolynomialFeatures n_features_in_ too large")
    require(int(high) <= MAX_TRANSFORM_ROUNDS, "PolynomialFeatures degree too large")
    degree = est.degree
    expected = (0, int(high)) if is_int(degree) else tuple(int(d) for d in degree)
    require(expected == (int(low), int(high)), "PolynomialFeatures degrees disagree with degree")
    interaction = bool(est.interaction_only)
    bias = bool(est.include_bias)
    require(
        is_int(n_out)
        and int(n_out) == _polynomial_columns(int(n_in), int(low), int(high), interaction, bias),
        "PolynomialFeatures n_output_features_ disagrees with n_features_in_ and degree",
    )
    require(
        is_int(full)
        and int(full) == _polynomial_columns(int(n_in), 0, int(high), interaction, bias),
        "PolynomialFeatures _n_out_full disagrees with n_features_in_ and degree",
    )


def check_count_sketch(est: Any, context: Any) -> None:
    """``PolynomialCountSketch.transform`` allocates ``(n_samples, degree, n_components)``
    complex numbers, and ``n_components`` is a parameter with no upper bound (rt18-10): the
    product is capped at :data:`MAX_OUTPUT_COLUMNS`. The hashes must be ``(degree,
    n_features_in_)``, indexes below ``n_components``, signs +-1."""
    n_components: Any = est.n_components
    degree: Any = est.degree
    require(
        is_int(n_components) and is_int(degree) and int(n_components) >= 1 and int(degree) >= 1,
        "PolynomialCountSketch n_components or degree malformed",
    )
    require(
        int(n_components) * int(degree) <= MAX_OUTPUT_COLUMNS,
        f"PolynomialCountSketch degree * n_components over {MAX_OUTPUT_COLUMNS}",
    )
    index = getattr(est, "indexHash_", None)
    if index is None:
        return  # not fitted
    n_in: Any = getattr(est, "n_features_in_", None)
    require(is_int(n_in), "fitted PolynomialCountSketch without n_features_in_")
    shape = (int(degree), int(n_in))
    signs = np.asarray(est.bitHash_)
    require(
        np.shape(index) == shape and int_array_within(index, 0, int(n_components)),
        "PolynomialCountSketch indexHash_ disagrees with degree and n_components",
    )
    require(
        signs.shape == shape and bool(np.all((signs == 1) | (signs == -1))),
        "PolynomialCountSketch bitHash_ is not signs of shape (degree, n_features_in_)",
    )


def check_chi2_sampler(est: Any, context: Any) -> None:
    """``AdditiveChi2Sampler.transform`` appends two arrays as large as the input per sample
    step, and ``sample_steps`` is a parameter with no upper bound (rt18-10)."""
    steps: Any = est.sample_steps
    require(
        is_int(steps) and 1 <= int(steps) <= MAX_TRANSFORM_ROUNDS,
        f"AdditiveChi2Sampler sample_steps is not in [1, {MAX_TRANSFORM_ROUNDS}]",
    )


#: The hyperparameters of scikit-learn's Gaussian-process kernels that enter their arithmetic,
#: each one number: an optimised kernel stores ``np.exp`` of one theta item for each. Only
#: ``length_scale`` may be one number per feature (an anisotropic RBF or Matern, which checks
#: its length against the input's columns). An array ``sigma_0``, ``alpha``, ``periodicity``
#: or ``exponent`` of 200,000 broadcast every kernel row to 200,000 columns (rt75-01, rt75-05).
KERNEL_NUMBERS = frozenset(
    {"constant_value", "nu", "alpha", "periodicity", "sigma_0", "noise_level", "exponent"}
)


def _is_real(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


#: Length scales an RBF or Matern may hold (one per feature it measures): each is formatted
#: by its repr, which an estimator's repr and a notebook's display render several times
#: (2,000,000 took 7 s to repr, 15 s to display, rt84-10): 65,536 take some 0.5 s.
MAX_LENGTH_SCALES = 1 << 16


def check_kernel_values(kernel: Any, context: Any) -> None:
    """A kernel's hyperparameters are numbers: kernels hold no parameter constraints, and a
    ``ConstantKernel`` whose ``constant_value`` was a 20,000-character string made ``predict``
    fill a (query, train) array of such strings, 80 KB per cell (rt38-13). Each of
    :data:`KERNEL_NUMBERS` is one number (or an array of one); ``length_scale`` is one number
    or, for an RBF or Matern, a flat sequence of them (the list the gallery's ``RBF([1.0,
    1.0])`` keeps, rt75-07)."""
    from safeload.trust.structures.widths import _has_dict

    attrs = vars(kernel) if _has_dict(kernel) else {}
    for name in KERNEL_NUMBERS.intersection(attrs):
        value = attrs[name]
        numeric = _is_real(value) or (
            isinstance(value, np.ndarray)
            and value.dtype.kind in "iuf"
            and value.ndim <= 1
            and value.size == 1
        )
        require(numeric, f"kernel hyperparameter {name} is not one number")
    if "length_scale" in attrs:
        from safeload.trust import facts
        from safeload.trust.shadow_values import class_of

        value = attrs["length_scale"]
        # (only an RBF or Matern measures each feature on its own scale, and checks the
        # scales against the input's columns; an ExpSineSquared divides its whole kernel by
        # them, so 200,000 made every row 200,000 wide, rt76-03)
        per_feature = facts.short_name(class_of(kernel)) in ("RBF", "Matern")
        numeric = (
            _is_real(value)
            or (
                isinstance(value, np.ndarray)
                and value.dtype.kind in "iuf"
                and value.ndim <= 1
                and (per_feature or value.size == 1)
            )
            or (
                type(value) in (list, tuple)
                and all(_is_real(item) for item in value)
                and (per_feature or len(value) == 1)
            )
        )
        require(numeric, "kernel hyperparameter length_scale is not numbers")
        scales = value.size if isinstance(value, np.ndarray) else _count(value)
        require(
            scales <= MAX_LENGTH_SCALES,
            f"a kernel of {scales:,} length scales (at most {MAX_LENGTH_SCALES:,}): its repr, "
            "which a notebook's display renders several times, formats each",
        )


def _count(value: Any) -> int:
    return len(value) if type(value) in (list, tuple) else 1


_MLP_CLASSIFIER = "sklearn.neural_network._multilayer_perceptron:MLPClassifier"


def check_mlp(est: Any, context: Any) -> None:
    """A multilayer perceptron's layers must chain as ``fit`` builds them: ``coefs_[i]`` is
    (units of layer i, units of layer i + 1) and ``intercepts_[i]`` one value per unit of
    layer i + 1; the first layer is as wide as ``n_features_in_`` and the last as
    ``n_outputs_``. ``MLPClassifier.predict_proba`` ravels the output when ``n_outputs_`` is
    1: a last layer of 1,000 units gave 1,000 scores per row, which a multilabel one-vs-rest
    took as rows past its indicator matrix (rt42-07). A classifier's ``n_outputs_`` is 1 for
    two classes (a logistic output), else one per class (softmax; logistic for a multilabel
    target, one per label)."""
    coefs: Any = getattr(est, "coefs_", None)
    if coefs is None:
        return  # not fitted
    intercepts: Any = getattr(est, "intercepts_", None)
    require(
        isinstance(coefs, list)
        and isinstance(intercepts, list)
        and len(coefs) >= 1
        and len(coefs) == len(intercepts),
        "MLP coefs_ and intercepts_ are not one list item per layer",
    )
    for coef, intercept in zip(coefs, intercepts, strict=True):
        require(
            isinstance(coef, np.ndarray)
            and coef.ndim == 2
            and isinstance(intercept, np.ndarray)
            and intercept.shape == (coef.shape[1],),
            "an MLP layer is not a matrix with one intercept per unit",
        )
    for before, after in itertools.pairwise(coefs):
        require(before.shape[1] == after.shape[0], "MLP layer shapes do not chain")
    n_in: Any = getattr(est, "n_features_in_", None)
    require(
        is_int(n_in) and int(n_in) == coefs[0].shape[0],
        "MLP first layer is not as wide as n_features_in_",
    )
    n_layers: Any = getattr(est, "n_layers_", None)
    require(
        n_layers is None or (is_int(n_layers) and int(n_layers) == len(coefs) + 1),
        "MLP n_layers_ disagrees with its coefs_",
    )
    n_out: Any = getattr(est, "n_outputs_", None)
    require(
        is_int(n_out) and int(n_out) == coefs[-1].shape[1],
        "MLP last layer is not as wide as n_outputs_",
    )
    from safeload.trust.structures.names import class_names

    if _MLP_CLASSIFIER not in class_names(est):
        return
    classes: Any = getattr(est, "classes_", None)
    n_classes = len(classes) if isinstance(classes, np.ndarray) and classes.ndim == 1 else -1
    out: Any = getattr(est, "out_activation_", None)
    n = int(n_out)
    if out == "softmax":
        fits = n == n_classes and n > 2
    else:
        # logistic: binary (one output for up to two classes) or multilabel (one per label)
        fits = out == "logistic" and ((n == 1 and 1 <= n_classes <= 2) or n == n_classes)
    require(fits, "MLPClassifier n_outputs_ disagrees with its classes_ and out_activation_")


def _all_finite(value: Any, what: str) -> bool:
    """Every stored number of ``value`` is finite: a number, a dense array, a sparse matrix
    (its ``data``), or a tuple or list of those (a Dirichlet-process mixture keeps its weight
    concentration as a pair of arrays)."""
    if isinstance(value, tuple | list):
        return all(_all_finite(item, what) for item in value)
    if isinstance(value, int | float | np.number) and not isinstance(value, bool):
        return bool(np.isfinite(value))
    data: Any = value if isinstance(value, np.ndarray) else getattr(value, "data", None)
    require(isinstance(data, np.ndarray), f"{what} is not an array")
    if data.dtype.kind not in "fc":
        return data.dtype.kind in "iub"
    return bool(np.all(np.isfinite(data)))


def _require_finite(est: Any, names: tuple[str, ...], label: str) -> None:
    """Each of ``names`` that ``est`` holds is an array (or sparse matrix) of finite numbers.
    For matrices a public method hands to an SVD or eigen solver that does not check
    finiteness: LAPACK's iterations on an infinity need not return."""
    for name in names:
        value = getattr(est, name, None)
        if value is not None:
            require(_all_finite(value, f"{label} {name}"), f"{label} {name} is not finite")


#: The largest magnitude an IncrementalPCA's stored numbers may have (:func:`
#: check_incremental_pca`): their products and squares stay far from a double's range.
MAX_IPCA_MAGNITUDE = 1e150


def check_incremental_pca(est: Any, context: Any) -> None:
    """``IncrementalPCA.partial_fit`` stacks ``singular_values_ * components_`` over the new
    rows and a scaled ``mean_`` difference and hands them to ``scipy.linalg.svd(...,
    check_finite=False)``: an infinity there, or a finite 1e308 that overflows when scaled,
    made LAPACK's SVD spin without end (rt100-05). Its fitted numbers must be finite and at
    most :data:`MAX_IPCA_MAGNITUDE` in magnitude (an honest fit's are the data's scale)."""
    names = ("components_", "singular_values_", "mean_", "var_", "explained_variance_")
    _require_finite(est, names, "IncrementalPCA")
    for name in names:
        value = getattr(est, name, None)
        if isinstance(value, np.ndarray) and value.size and value.dtype.kind in "fc":
            require(
                float(np.max(np.abs(value))) <= MAX_IPCA_MAGNITUDE,
                f"IncrementalPCA {name} holds numbers past {MAX_IPCA_MAGNITUDE:g}",
            )


def check_random_projection(est: Any, context: Any) -> None:
    """``inverse_transform`` of a random projection fitted without
    ``compute_inverse_components`` runs ``scipy.linalg.pinv(components_, check_finite=False)``
    on every call, and LAPACK's SVD of a matrix holding an infinity need not return: a 3x6
    model with one ``-inf`` hung (rt47-09). An honest fit draws finite components, and the
    stored inverse is its pseudo-inverse: both must be finite."""
    _require_finite(est, ("components_", "inverse_components_"), "random projection")


#: Float64 numbers a Gaussian process's ``log_marginal_likelihood(theta, eval_gradient=True)``
#: may hold at once, by :func:`gaussian_process_cost`'s count: 3 x 2**25, 768 MB (some 2,700
#: samples with a scaled RBF and a noise term, one target). The kernel's gradient over the
#: training samples and its temporaries were 1.28 GB for an anisotropic RBF over 4,000
#: features on 200 samples (rt82-13), 1.9 GB for 256 targets of 1,000 samples (rt83-01).
MAX_GP_NUMBERS = 3 << 25
#: Operations (about a floating-point operation each, some 0.1 ns on one core here) the same
#: call, or a classifier's ``log_marginal_likelihood(theta)``, may cost by that count: 2**35,
#: 3.4 s at that rate, where the count was 1 to 3.4 times what regressors measured (14-17
#: times for classifiers, whose Newton loop is counted in full). A classifier's Newton loop
#: (rt83-11: 4,000 samples, 5.2 s), the kernel over many features (rt83-09: 1,400 samples
#: over 16,000, 6.6 s) and Matern's numeric gradient (rt83-03: 100 samples over 3,000 length
#: scales, 19 s) had passed a bound on the gradient's numbers alone.
MAX_GP_WORK = 1 << 35
#: What the count charges per pair of training samples: a kernel evaluation per feature (a
#: distance term) and per leaf kernel, a Bessel function (a Matern of another ``nu`` than
#: 0.5, 1.5, 2.5 or infinity: some 200 ns), and each of the gradient's numbers (made, scaled
#: and summed in several passes: 25-45 ns measured) ...
_GP_PER_FEATURE = 4
_GP_PER_LEAF = 100
_GP_PER_BESSEL = 2_000
_GP_PER_GRADIENT = 500
#: ... and per gradient number in each kernel that combines others ...
_GP_PER_COMBINED = 200
#: ... and per target and gradient number (the regressor's ``einsum`` over both).
_GP_PER_TARGET = 20
#: What the count charges, whatever the samples, per step of a classifier's Newton loop (some
#: 85 us of Python and LAPACK calls: 100,000 steps over two samples took 8 s, rt84-02), per
#: free hyperparameter (a classifier's gradient loops over them in Python, some 9 us each:
#: 2,000,000 length scales over two samples took 18 s, rt84-03), and per kernel evaluation
#: of a Matern's numeric gradient (a clone of the kernel and a call: 250-450 us, rt84-04).
_GP_PER_STEP = 1_000_000
_GP_PER_HYPERPARAMETER = 100_000
_GP_PER_CLONE = 5_000_000
#: How much dearer a kernel's work over the features is when numpy computes it number by
#: number: a DotProduct over samples other than native float32 or float64 (float16 was 130
#: times float64's, rt84-01), any kernel over float128 or complex samples, whose
#: temporaries are counted at 16 bytes a number rather than 8.
_GP_SLOW_DTYPE = 160
#: Hyperparameters by kernel class (``<name>_bounds`` says whether each is fixed); a length
#: scale is one number per feature when it is a sequence.
_GP_HYPERPARAMETERS = {
    "RBF": ("length_scale",),
    "Matern": ("length_scale",),
    "RationalQuadratic": ("length_scale", "alpha"),
    "ExpSineSquared": ("length_scale", "periodicity"),
    "DotProduct": ("sigma_0",),
    "ConstantKernel": ("constant_value",),
    "WhiteKernel": ("noise_level",),
}
#: What :func:`_kernel_cost` remembers of a kernel it is still weighing (a cycle).
_WEIGHING = (-1, -1, -1, -1)
#: Nesting past which a kernel is not weighed but refused (the kernel terms rule refuses far
#: less deep ones).
_GP_DEPTH = 300


def _elements(value: Any) -> int:
    """How many numbers a hyperparameter's value holds (theta holds each of them)."""
    if issubclass(type(value), np.ndarray):
        return max(int(value.size), 1)
    if type(value) in (list, tuple):
        return max(len(value), 1)
    return 1


def _fixed(attrs: dict[str, Any], name: str) -> bool:
    """Whether scikit-learn keeps hyperparameter ``name`` fixed: its bounds are the string
    "fixed" (a str subclass too, as ``Hyperparameter`` tests), so theta and the gradient leave
    it out (rt83-06)."""
    bounds = attrs.get(f"{name}_bounds")
    return issubclass(type(bounds), str) and str(bounds) == "fixed"


def _kernel_cost(
    kernel: Any,
    features: tuple[int, int],
    memo: dict[int, tuple[int, int, int, int]],
    depth: int = 0,
) -> tuple[int, int, int, int]:
    """The free hyperparameters of a Gaussian-process kernel (theta's length, the gradient's
    last axis), those of them that are anisotropic length scales (whose gradient is made from
    pairwise differences per feature, two more arrays as large), and what evaluating it with
    its gradient costs per pair of samples over ``features`` columns, through ``Sum``,
    ``Product``, ``Exponentiation`` and ``CompoundKernel`` (a shared sub-kernel counted
    wherever it is used, as evaluation uses it); and the kernel calls a Matern's numeric
    gradient makes, each a clone of the kernel."""
    from safeload.trust import facts
    from safeload.trust.shadow_values import class_of
    from safeload.trust.structures.widths import _closed_form_nu, _has_dict, kernel_parts

    require(depth <= _GP_DEPTH, "a Gaussian process's kernel is nested too deeply to weigh")
    if id(kernel) in memo:
        known = memo[id(kernel)]
        require(known != _WEIGHING, "a Gaussian process's kernel holds itself")
        return known
    cls = class_of(kernel)
    if cls is None or not _has_dict(kernel):
        return 0, 0, 0, 0
    memo[id(kernel)] = _WEIGHING
    attrs = vars(kernel)
    name = facts.short_name(cls)
    parts = kernel_parts(name, attrs)
    if parts:
        # (combining the parts' kernels and gradients, per pair)
        free, wide, work, calls = 0, 0, _GP_PER_LEAF, 0
        for part in parts:
            weighed = _kernel_cost(part, features, memo, depth + 1)
            free, wide = free + weighed[0], wide + weighed[1]
            work, calls = work + weighed[2], calls + weighed[3]
        # (and each level passes over the parts' gradient again: scaling it by the other
        # part's kernel, stacking the two, 16 ns a number a level measured)
        work += _GP_PER_COMBINED * free
        memo[id(kernel)] = (free, wide, work, calls)
        return free, wide, work, calls
    names = _GP_HYPERPARAMETERS.get(name)
    if names is None:
        # (a kernel class this table does not know: every number it holds counted as free)
        names = (*sorted(KERNEL_NUMBERS.intersection(attrs)), "length_scale")
    free = sum(_elements(attrs[h]) for h in names if h in attrs and not _fixed(attrs, h))
    scales = _elements(attrs.get("length_scale"))
    wide = scales if scales > 1 and not _fixed(attrs, "length_scale") else 0
    # (a DotProduct multiplies the samples as they are, and numpy has BLAS for float32 and
    # float64 only; distance kernels convert them to float64 first, rt84-18)
    priced = features[1] if name == "DotProduct" else features[0]
    evaluation = _GP_PER_LEAF + _GP_PER_FEATURE * priced
    calls = 0
    if name == "Matern" and not _closed_form_nu(attrs.get("nu")):
        # a Bessel function per pair, and the gradient by finite differences: one whole
        # evaluation more per free length scale (rt83-03), each of a clone (rt84-04)
        evaluation = (evaluation + _GP_PER_BESSEL) * (1 + free)
        calls = free
    memo[id(kernel)] = (free, wide, evaluation, calls)
    return free, wide, evaluation, calls


def _dot_price(dtype: Any) -> int:
    """How much dearer a DotProduct's ``np.inner`` over samples of ``dtype`` is than over
    native float64 (BLAS), measured on one core: float32/float64 byte-swapped 1.6 times
    (numpy swaps, then BLAS), ints and bools 0.3-22 times (numpy's own loop, 0.7 ns a
    product: counted 32, rt85-06, where every dtype but native float32/64 had been counted
    as float16's 160), float16 130 times and anything wider or stranger
    :data:`_GP_SLOW_DTYPE`."""
    if dtype is None:
        return _GP_SLOW_DTYPE
    if dtype.kind == "f" and dtype.itemsize in (4, 8):
        return 1 if dtype.isnative else 2
    if dtype.kind in "iub" and dtype.itemsize <= 8:
        return 32
    return _GP_SLOW_DTYPE


def gaussian_process_cost(est: Any) -> tuple[int, int]:
    """What ``log_marginal_likelihood`` of a fitted Gaussian process (a regressor, or one of
    a classifier's binary members) costs at most: the float64 numbers it holds at once and
    its operations (see :data:`MAX_GP_NUMBERS`, :data:`MAX_GP_WORK`); ``(0, 0)`` unfitted.

    Over ``n`` training samples of ``f`` features with ``h`` free hyperparameters and ``t``
    targets, measured on scikit-learn 1.x: the kernel, its gradient (``(n, n, h)``, with
    temporaries three times as large for its ``w`` anisotropic length scales: their pairwise
    differences, rt83-02), the regressor's ``(n, n, t)`` outer product of its dual
    coefficients and inverse (rt83-01): ``n**2 x (6 + h + 3w + t)`` numbers (1 to 2 times
    what was measured). Its work: the kernel per pair, each feature and leaf, a
    Matern's numeric gradient (rt83-03), the gradient's numbers, and Cholesky factors: the
    regressor's factor and inverse (``4 n**3 / 3``), a classifier's Newton loop of up to
    ``max_iter_predict`` factors (``n**3 / 3`` each, rt83-11) and two solves."""
    from safeload.trust import facts
    from safeload.trust.object_checks import shape_of
    from safeload.trust.shadow_values import class_of

    train: Any = getattr(est, "X_train_", None)
    samples = shape_of(train)
    kernel = getattr(est, "kernel_", None)
    if not samples or kernel is None:
        return 0, 0
    n = samples[0]
    features = samples[1] if len(samples) > 1 else 1
    for extra in samples[2:]:
        features *= extra
    # (pdist converts samples to float64 at full speed, ints and float16 too, but not
    # float128; a DotProduct's np.inner has BLAS for float32 and float64 alone: numpy loops
    # over any other number by number, rt84-01, rt84-18)
    dtype = train.dtype if issubclass(type(train), np.ndarray) else None
    wide_numbers = dtype is None or dtype.kind not in "iufb" or dtype.itemsize > 8
    columns = max(features, 1)
    prices = (columns * (_GP_SLOW_DTYPE if wide_numbers else 1), columns * _dot_price(dtype))
    free, wide, per_pair, calls = _kernel_cost(kernel, prices, {})
    targets = 1
    steps = 0
    cls = class_of(est)
    classifier = cls is not None and facts.short_name(cls) != "GaussianProcessRegressor"
    if classifier:
        steps = getattr(est, "max_iter_predict", 0)
        require(is_int(steps) and int(steps) >= 0, "max_iter_predict is not a whole number")
        steps = int(steps)
        _require_flat(est, n)
        cubes = 3 * 2 + steps  # (in thirds of n**3: two solves, a factor per step)
    else:
        shape = shape_of(getattr(est, "y_train_", None))
        targets = shape[1] if shape and len(shape) > 1 else 1
        cubes = 1 + 3  # (the factor and the inverse, in thirds of n**3)
    numbers = n * n * (6 + free + 3 * wide + targets) * (2 if wide_numbers else 1)
    work = n * n * n * cubes // 3 + n * n * (
        per_pair + _GP_PER_GRADIENT * free + _GP_PER_TARGET * targets * (free + 1)
    )
    work += _GP_PER_STEP * steps + _GP_PER_HYPERPARAMETER * free + _GP_PER_CLONE * calls
    return numbers, work


#: A binary Gaussian-process classifier's per-sample vectors, which fit stores flat: the
#: Newton loop and ``predict_proba`` broadcast them against (n, n) matrices, and a column
#: (n, 1) made those (n, n, n): 2.56 GiB from 700 samples (rt84-05).
_GPC_VECTORS = ("y_train_", "pi_", "W_sr_", "f_cached")


def _require_flat(est: Any, samples: int) -> None:
    """Each of :data:`_GPC_VECTORS` that ``est`` holds is one number per training sample."""
    from safeload.trust.object_checks import shape_of

    for name in _GPC_VECTORS:
        value = getattr(est, name, None)
        if value is not None:
            require(
                shape_of(value) == (samples,),
                f"a Gaussian process classifier's {name} is not one number per training "
                "sample, as fit stores it",
            )


def check_gaussian_process(est: Any, context: Any) -> None:
    """``sample_y`` hands the predicted covariance, made from the stored Cholesky factor and
    dual coefficients (``solve_triangular(L_, ..., check_finite=False)``), to
    ``RandomState.multivariate_normal`` and its unchecked SVD (as rt48-04's mixtures did). An
    honest fit refuses non-finite targets and keeps finite factors. ``log_marginal_likelihood``
    holds at most :data:`MAX_GP_NUMBERS` numbers and costs at most :data:`MAX_GP_WORK`
    (:func:`gaussian_process_cost`)."""
    _require_finite(
        est, ("L_", "alpha_", "y_train_", "_y_train_mean", "_y_train_std"), "Gaussian process"
    )
    numbers, work = gaussian_process_cost(est)
    require(
        numbers <= MAX_GP_NUMBERS,
        f"a Gaussian process's log_marginal_likelihood would hold {numbers:,} numbers at once "
        f"(at most {MAX_GP_NUMBERS:,}): its kernel's gradient over the training samples, "
        "their temporaries and targets",
    )
    require(
        work <= MAX_GP_WORK,
        f"a Gaussian process's log_marginal_likelihood would cost some {work:,} operations "
        f"(at most {MAX_GP_WORK:,}): the kernel over its training samples and features, its "
        "gradient and Cholesky factors",
    )


def check_gaussian_process_classifier(est: Any, context: Any) -> None:
    """A multi-class GaussianProcessClassifier's ``log_marginal_likelihood(theta)`` runs each
    binary member's in turn (one per class, or per pair of classes): their costs
    (:func:`gaussian_process_cost`) add up, to at most :data:`MAX_GP_WORK` in all."""
    from safeload.trust import facts
    from safeload.trust.shadow_values import class_of

    members: Any = getattr(getattr(est, "base_estimator_", None), "estimators_", None)
    if type(members) not in (list, tuple):
        return
    for member in members:
        # (fit clones its binary Laplace classifier per class; a member of another class,
        # a GaussianProcessClassifier, weighed as nothing while each cost the bound, rt84-13)
        cls = class_of(member)
        require(
            cls is not None and facts.short_name(cls) == "_BinaryGaussianProcessClassifierLaplace",
            "a Gaussian process classifier's member is not the binary Laplace classifier fit makes",
        )
    work = sum(gaussian_process_cost(member)[1] for member in members)
    require(
        work <= MAX_GP_WORK,
        f"a Gaussian process classifier's {len(members):,} members would cost some {work:,} "
        f"operations in log_marginal_likelihood (at most {MAX_GP_WORK:,} in all)",
    )


def check_mixture(est: Any, context: Any) -> None:
    """``sample()`` of a Gaussian mixture hands each stored covariance to
    ``RandomState.multivariate_normal``, whose ``numpy.linalg.svd`` does not check
    finiteness: a 3x3 covariance with infinities never returned (rt48-04). The scoring
    methods read the precision factors and means. An honest fit refuses non-finite data and
    keeps finite parameters, so every stored parameter must be finite."""
    _require_finite(
        est,
        (
            "weights_",
            "means_",
            "covariances_",
            "precisions_",
            "precisions_cholesky_",
            "weight_concentration_",
            "mean_precision_",
            "degrees_of_freedom_",
            "covariance_prior_",
            "mean_prior_",
        ),
        "Gaussian mixture",
    )
