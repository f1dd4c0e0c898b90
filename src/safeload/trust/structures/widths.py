"""Widths an estimator stores that its methods size arrays and names by: coefficients as wide
as the input, a stored ``n_features_in_`` or sparse ``components_`` paid for by stored data,
index maps (vocabularies, one-hot columns), ``_n_features_out`` and the names
``OneHotEncoder.get_feature_names_out`` generates."""

from __future__ import annotations

import datetime
import decimal
import fractions
import itertools
import math
import sys
import types
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from safeload._numpy_state import MAX_EMPTY_AXIS, MAX_EMPTY_DIM
from safeload.trust.graph import range_length
from safeload.trust.shadow_values import Unknown, Unproven, class_of, sklearn_class
from safeload.trust.structures.common import (
    MAX_FEATURE_NAME,
    MAX_OUTPUT_COLUMNS,
    int_array_within,
    is_int,
    require,
    root_array,
)


def check_linear_shapes(est: Any, context: Any) -> None:
    """Native solvers (SGD's weight vectors, coordinate descent) index the stored coefficients
    with the input's feature indexes: every coefficient array must be a vector or a matrix as
    wide as the input. Fail closed on the number of dimensions: SGD ravels whatever it holds
    (a 0-d array becomes one weight, written at every feature index of ``partial_fit``'s
    input), so an array of any other ``ndim`` is refused, not skipped. Without
    ``n_features_in_`` (scikit-learn then checks the input only against ``coef_``) every array
    must be as wide as the first one."""
    from safeload.trust.structures.names import _attrs

    _check_paid_widths(est)
    _check_warm_start(est)
    coefs: list[tuple[str, npt.NDArray[Any]]] = []
    sparse = _sparse_coef(est)
    own = _attrs(est)  # (a scan's shadow's state too)
    for name in ("coef_", "_standard_coef", "_average_coef"):
        # the instance's own attribute, never a class property, which would run: a linear
        # SVC's coef_ computes one row per pair of classes, 8 GB for 1,000 classes (rt80-07)
        coef = own.get(name)
        if isinstance(coef, np.ndarray):
            coefs.append((name, coef))
    n_out = getattr(est, "_n_features_out", None)
    if not coefs and n_out is None and sparse is None:
        # Nothing here to size. n_features_in_ is not read: on a meta-estimator it is a property
        # that runs scikit-learn's tag machinery, which scan's shadows cannot always follow
        # (SelectFromModel around a forest: the forest's tags call type(self.estimator)(...)).
        _check_raveled_outputs(est)
        return
    n_in: Any = getattr(est, "n_features_in_", None)
    width = None if n_in is None else int(n_in)
    if sparse is not None:
        _check_sparse_coef(sparse, width)
    sgd_rows = _sgd_rows(est)
    for name, coef in coefs:
        require(coef.ndim in (1, 2), f"{name} has {coef.ndim} dimensions, not 1 or 2")
        # no honest coefficient array is empty: SGD's native loop writes the weight of every
        # feature index of partial_fit's input into coef_.ravel() (rt34-09)
        require(coef.size > 0 or width == 0, f"{name} is empty")
        if sgd_rows is not None and coef.ndim == 2:
            require(coef.shape[0] == sgd_rows, f"{name} does not have a row per class")
        if width is None:
            width = coef.shape[-1]
        require(coef.shape[-1] == width, f"{name} is not as wide as n_features_in_")
    _check_raveled_outputs(est)
    if n_out is not None:
        # get_feature_names_out makes one name per output: honest counts are a dimension of
        # some fitted array (components, centres, samples), never more; with or without
        # n_features_in_ (rt33-14)
        bound = _stored_elements(est, 2)
        from sklearn.kernel_approximation import PolynomialCountSketch

        if isinstance(est, PolynomialCountSketch):
            # its hashes are (degree, n_features_in_), fewer than its n_components outputs;
            # check_count_sketch caps n_components instead
            bound = max(bound, min(int(est.n_components), MAX_OUTPUT_COLUMNS))
        require(0 <= int(n_out) <= bound, "_n_features_out is out of range")


_COORDINATE_DESCENT = "sklearn.linear_model._coordinate_descent:ElasticNet"
_SGD_CLASSIFIER = "sklearn.linear_model._stochastic_gradient:BaseSGDClassifier"


def _sgd_rows(est: Any) -> int | None:
    """The rows an SGD classifier's weights have (one for two classes, else one per class),
    or ``None`` for other estimators or an unfitted one. ``partial_fit`` hands row ``i`` (or the
    one row, raveled) to the native loop as the weights of class ``i``."""
    from safeload.trust.structures.names import class_names

    classes = vars(est).get("classes_") if _has_dict(est) else None
    if classes is None or _SGD_CLASSIFIER not in class_names(est):
        return None
    n = len(classes)
    return 1 if n == 2 else n


#: Linear models whose ``predict`` (or ``decision_function``) ravels ``X @ coef_.T +
#: intercept_``, and whether that is so for every fitted model of the class (``True``) or only
#: when the attribute named is set (PLS: ``_predict_1d``, a target of one column).
_RAVELED: dict[str, str | bool] = {
    "sklearn.linear_model._stochastic_gradient:BaseSGDRegressor": True,
    "sklearn.linear_model._stochastic_gradient:SGDOneClassSVM": True,
    "sklearn.cross_decomposition._pls:_PLS": "_predict_1d",
}


def _check_raveled_outputs(est: Any) -> None:
    """A model whose predictions are ``np.ravel`` of ``X @ coef_.T + intercept_`` has one
    output: ``fit`` stores one row (or a vector) of coefficients and one intercept. Three rows
    gave three values per input row, which a multilabel one-vs-rest took as rows past its
    output (rt41-08); every caller expects one prediction per row."""
    from safeload.trust.structures.names import class_names

    attrs = vars(est) if _has_dict(est) else {}
    if "coef_" not in attrs:
        return
    names = class_names(est)
    when = next((how for name, how in _RAVELED.items() if name in names), None)
    if when is None or (isinstance(when, str) and not bool(attrs.get(when, False))):
        return
    coef = attrs.get("coef_")
    one_row = isinstance(coef, np.ndarray) and (
        coef.ndim == 1 or (coef.ndim == 2 and coef.shape[0] == 1)
    )
    intercept = attrs.get("intercept_", attrs.get("offset_"))
    require(
        one_row and (intercept is None or np.size(intercept) == 1),
        "a model that ravels its predictions has coefficients for several outputs",
    )


#: Linear models whose warm start checks the stored coefficients against the new data (SGD and
#: its subclasses: "coef_init does not match"; logistic regression: its size check).
_WARM_START_CHECKED = frozenset(
    {
        "sklearn.linear_model._stochastic_gradient:BaseSGD",
        "sklearn.linear_model._logistic:LogisticRegression",
        # the generalized linear models compute with numpy before L-BFGS-B, which raises
        # ValueError on a width mismatch (red team 34 checked)
        "sklearn.linear_model._glm.glm:_GeneralizedLinearRegressor",
    }
)


def _check_warm_start(est: Any) -> None:
    """A fitted linear model with ``warm_start`` starts its next ``fit`` from the stored
    ``coef_``. ElasticNet, Lasso and their multi-task forms hand it to the native coordinate
    descent, HuberRegressor and the generalized linear models to scipy's L-BFGS-B beside a
    gradient sized by the new data, without checking one against the other: ``fit`` on data
    of another width reads and writes past the stored coefficients (scikit-learn bugs any file
    can switch on, rt33-20, rt34-11). Such a model is refused unless its class checks the
    width (SGD, logistic regression); set ``warm_start`` after loading, to refit on data of
    the same width."""
    from safeload.trust.structures.names import class_names

    attrs = vars(est) if _has_dict(est) else {}
    names = class_names(est) if "coef_" in attrs else frozenset()
    if (
        any(name.startswith("sklearn.linear_model.") for name in names)
        and names.isdisjoint(_WARM_START_CHECKED)
    ) or _COORDINATE_DESCENT in names:
        require(
            not bool(attrs.get("warm_start", False)),
            "a fitted linear model with warm_start set: its next fit would start native code "
            "from the stored coef_ unchecked (a scikit-learn bug); set warm_start after loading",
        )


#: The most coefficients a sparse ``coef_`` may describe: ``densify()`` allocates every one of
#: them (1 GiB of float64), whatever few values the matrix stores.
MAX_SPARSE_COEF = 2**27


def _sparse_coef(est: Any) -> Any:
    """The estimator's ``coef_`` if it is a scipy sparse matrix (after ``sparsify()``)."""
    coef = vars(est).get("coef_") if _has_dict(est) else None
    return coef if _is_sparse(coef) else None


def _check_sparse_coef(coef: Any, width: int | None) -> None:
    """A sparse ``coef_`` pays for the values it stores, never for its columns, and
    ``densify()`` (SGD, logistic regression, perceptrons, linear SVMs) allocates all of its
    rows times columns: one stored value in (1, 2**31 - 1) asked for 16 GB (rt33-10). Its
    width must be the input's, and its size at most :data:`MAX_SPARSE_COEF`."""
    shape: Any = getattr(coef, "shape", None)
    require(
        type(shape) is tuple and len(shape) == 2 and all(is_int(n) for n in shape),
        "a sparse coef_ is not a matrix",
    )
    rows, cols = int(shape[0]), int(shape[1])
    require(width is None or cols == width, "a sparse coef_ is not as wide as n_features_in_")
    require(
        rows * cols <= MAX_SPARSE_COEF,
        f"a sparse coef_ of {rows:,} x {cols:,} would densify past {MAX_SPARSE_COEF:,} values",
    )


#: The longest n-gram a text vectorizer may make (honest models use 1 to 3 words, or up to 6 or
#: so characters).
MAX_NGRAM = 32


#: The longest range a fitted attribute may hold (items the file does not pay for: rt55-01):
#: the bound on an empty array's axes, the other sequence whose length nothing pays for.
MAX_FITTED_RANGE = MAX_EMPTY_AXIS


def _check_paid_widths(est: Any) -> None:
    """Widths that size what methods allocate must be paid for by stored data past
    :data:`MAX_EMPTY_DIM` (the bound on an empty array's axes). A stored ``n_features_in_``
    sizes ``get_feature_names_out``'s ``x0, x1, ...`` (one string per feature, rt31-02); the
    rows of a sparse ``components_`` size a projection's dense output, and scikit-learn stores
    it as CSR, whose index pointer has one item per row (a CSC one of 10**9 rows and 3 columns
    is 4 items, rt31-01). Read from the instance's own dict: on a meta-estimator
    ``n_features_in_`` is a property of its steps, which are checked themselves."""
    attrs = vars(est) if _has_dict(est) else {}
    for key, value in attrs.items():
        # a fitted attribute (``name_``) is what fit computed: an array, a number, a list of
        # them, not a long range. A range is a sequence of up to 2**20 items the file does
        # not pay for, and as classes_ or class_prior_ it sized a dense (n, 2**20) result:
        # 16 GB from a 227-byte file (rt55-01). (A range in a parameter grid is honest.)
        if type(key) is str and key.endswith("_") and not key.startswith("__"):
            parts = value if type(value) in (list, tuple) else (value,)
            require(
                not any(
                    type(part) is range and range_length(part) > MAX_FITTED_RANGE for part in parts
                ),
                f"fitted attribute {key} holds a range of more than {MAX_FITTED_RANGE:,} items, "
                "which no fit stores",
            )
            if parts is value and not _estimators_classes(key, parts, attrs):
                require(
                    _held_once(parts),
                    f"fitted attribute {key} holds one array or instance more than once",
                )
        if _is_sparse(value):
            _check_sparse_columns(str(key), value, attrs.get("n_features_in_"))
    n_in = attrs.get("n_features_in_")
    # scikit-learn stores X.shape[1]; a 0-d array also works as a count in range() and int()
    # and escaped the bound below (rt32-03)
    require(n_in is None or (is_int(n_in) and int(n_in) >= 0), "n_features_in_ is not a count")
    if n_in is not None and int(n_in) > MAX_EMPTY_DIM:
        require(
            int(n_in) <= _stored_elements(est, 2),
            "n_features_in_ is wider than any array the estimator stores",
        )
    names = attrs.get("feature_names_in_")
    if names is not None:
        # every generated output name repeats an input name: once per category, class, spline
        # or prefix (rt31-06, rt32-04). scikit-learn stores an object array of str, other
        # libraries a list; whatever the container, no name may be longer than the bound
        items = names.ravel().tolist() if isinstance(names, np.ndarray) else names
        # ... and every name a str, as scikit-learn stores them: a path or a decimal is
        # formatted whole into every generated name, uncapped (rt34-05)
        require(
            type(items) in (list, tuple)
            and all(isinstance(n, str) and len(n) <= MAX_FEATURE_NAME for n in items),
            f"feature_names_in_ holds a name that is not a str of at most {MAX_FEATURE_NAME} "
            "characters",
        )
    _check_feature_indexes(est, attrs, n_in)
    # (a dummy model's constant_ and constant are tiled into every prediction, rt36-09)
    for key in ("classes_", "categories_", "constant", "constant_"):
        _check_label_widths(key, attrs.get(key))
    classes = attrs.get("classes_")
    # fit stores one array of labels, or a list of them (one per output): predict returns
    # classes_[indexes], so a 2-D array gave a row of labels per input row, which
    # LabelPropagation ravels into several labels per row (rt41-08)
    require(
        not isinstance(classes, np.ndarray) or classes.ndim == 1,
        "classes_ is not one array of labels",
    )
    if isinstance(classes, np.ndarray) and classes.ndim == 1 and classes.size > 1:
        # fit stores np.unique(y): distinct labels. One shared array of 10**6 equal bytes
        # stood for 10**6 classes of every voting estimator (rt34-01)
        require(_distinct_labels(classes), "classes_ repeats a label")
    elif type(classes) in (list, tuple) and not any(
        isinstance(c, np.ndarray) for c in cast("list[Any]", classes)
    ):
        # a list of labels (a multi-output model's is a list of arrays, checked above item by
        # item) is as distinct as fit's: MultiLabelBinarizer maps dict(zip(classes_, range)),
        # so 200,000 repeats of "a" gave {'a': 199999, 'b': 200000} for a matrix two columns
        # wide, and toarray() wrote past it (rt40-06)
        require(_distinct_items(cast("list[Any]", classes)), "classes_ repeats a label")
    categories = attrs.get("categories_")
    if type(categories) in (list, tuple):
        for i, cat in enumerate(cast("list[Any]", categories)):
            require(_searchable(cat), f"categories_[{i}] is not sorted, or of a kind no fit stores")
    if classes is not None and _LABEL_ENCODER in _class_names(est):
        # transform is _encode(y, uniques=classes_), as an encoder's column (rt41-04)
        require(_searchable(classes), "classes_ is not sorted, or of a kind no fit stores")
    components = attrs.get("components_")
    n_components = attrs.get("_n_components")
    if n_components is not None and isinstance(components, np.ndarray):
        # MiniBatchNMF.transform allocates (n_samples, _n_components) before it compares them
        # (rt32-08); fitting sets it to components_.shape[0]
        require(
            is_int(n_components)
            and components.ndim == 2
            and int(n_components) == components.shape[0],
            "_n_components disagrees with components_",
        )
    width = _shape(components)
    if type(width) is tuple and len(width) == 2 and _sklearn_class(est):
        # every scikit-learn components_ (a decomposition's, a projection's, DBSCAN's and
        # Nystroem's samples) has a column per input feature. get_precision() squares its
        # columns, and score_samples checks the input against n_features_in_ only, and not
        # at all without one: (1, 20,000) zeros on one input column asked 3 GB for one row
        # (rt68-03, rt69-08)
        require(
            n_in is not None and is_int(n_in) and is_int(width[1]) and int(width[1]) == int(n_in),
            "components_ does not have a column per input feature (n_features_in_)",
        )
    sklearn_class = _sklearn_class(est)
    if sklearn_class and sklearn_class not in INPUT_ROW_COMPONENTS:
        _check_blas_floats(sklearn_class, attrs)
    if sklearn_class in GRAM_COMPONENTS:
        for key in ("components_", "dictionary"):
            shape = _shape(attrs.get(key))
            if not (type(shape) is tuple and shape):
                continue
            rows = int(shape[0])
            require(
                rows <= MAX_GRAM_COMPONENTS,
                f"{key} has more than {MAX_GRAM_COMPONENTS:,} rows: transform computes their "
                "square Gram matrix on every call, whatever the rows",
            )
            features = int(shape[1]) if len(shape) > 1 else 0
            # the Gram itself is made by a product over the features: 8,192 atoms over 1,024
            # features took 4.4 s a call (rt83-05)
            work = rows * rows * features
            require(
                work <= MAX_GRAM_WORK,
                f"{key} has {rows:,} rows over {features:,} features: transform multiplies "
                f"them by themselves on every call, {work:,} products (at most "
                f"{MAX_GRAM_WORK:,})",
            )
            # the Gram's work per call (and OMP's copy of it, LARS's walk over it, per row)
            # is the square of the components: over few features, paid by what the file
            # stores only up to a multiple of them (rt79-01: 8,192 copies of 4 atoms over 20
            # features took 0.16-2 s a row); FactorAnalysis's components, fit makes at most
            # one per feature
            most = (
                features
                if sklearn_class == "FactorAnalysis"
                else max(FREE_GRAM_COMPONENTS, GRAM_COMPONENTS_PER_FEATURE * features)
            )
            require(
                rows <= most,
                f"{key} has {rows:,} rows over {features:,} features (at most {most:,}): "
                "transform's work per row grows with their square",
            )
    if sklearn_class == "AdaBoostRegressor":
        # (staged_predict slices estimators_: a list, a tuple or an object array, rt69-02)
        members = _count_of(attrs.get("estimators_"))
        require(
            members is None or members <= MAX_MEDIAN_STAGES,
            f"estimators_ holds more than {MAX_MEDIAN_STAGES} members: staged_predict takes the "
            "weighted median of the first k members anew at each stage k, quadratic in them",
        )
        if members:
            # stage k predicts with the first k members, each with every member of its own:
            # 85 AdaBoostRegressors of 85 stumps each took 46 s for one row (rt70-11). The
            # stages cost k(k+1)/2 times the widest member's predictions, at most what
            # MAX_MEDIAN_STAGES plain members cost
            memo: dict[int, int] = {}
            held: Any = attrs.get("estimators_")
            walked: dict[tuple[int, int], tuple[Any, list[Any]]] = {}
            widest = max(_member_predictions(m, _MEMBER_DEPTH, memo, walked) for m in list(held))
            require(
                members * (members + 1) // 2 * widest <= _MEDIAN_STAGE_COST,
                f"{members} members of up to {widest:,} predictions each: staged_predict "
                f"predicts with more than {_MEDIAN_STAGE_COST:,} members in all",
            )
    if sklearn_class:
        _check_per_call_products(sklearn_class, attrs)
        _check_feature_axes(sklearn_class, attrs)
        _check_fitted_numbers(sklearn_class, attrs)
        _check_fitted_shapes(sklearn_class, attrs)
        _check_fitted_dimensions(sklearn_class, attrs)
        _check_parameter_dicts(attrs)
        _check_kernel_terms(attrs)
        _check_pairwise_kernel(sklearn_class, attrs)
        if sklearn_class in _PLS_CLASSES:
            _check_pls_targets(attrs)
    if sklearn_class:
        # fit stores arrays (a float intercept_ without one); a list or tuple broadcasts in
        # X @ coef_.T + intercept_ as an array does, and the output widths read arrays: a
        # list intercept_ of 300,000 zeros asked 4.5 GB for 2,000 rows, a KernelRidge's
        # dual_coef_ and a Gaussian process's alpha_ alike (rt68-11)
        from safeload.trust.object_checks import shape_of

        for key, scalar in ARRAYS_IN_ARITHMETIC:
            value = attrs.get(key)
            require(
                value is None
                or (shape_of(value) is not None and not _is_object_array(value))
                or (scalar and isinstance(value, _REAL)),
                f"{key} is not an array of numbers (or a frame), as fit stores it",
            )
        # fit stores numbers as arrays (an object array of arrays broadcasts each item,
        # rt69-09); the fitted lists that hold numbers are LIST_ATTRIBUTES
        for key, value in attrs.items():
            if type(key) is str and key.endswith("_") and not key.startswith("__"):
                require(
                    key in LIST_ATTRIBUTES or not _holds_numbers(value),
                    f"fitted attribute {key} is a list or tuple of numbers or arrays, which fit "
                    "stores as an array",
                )
                if key in ARRAY_ITEMS and type(value) in (list, tuple):
                    require(
                        all(
                            _shape(item) is not None and not _is_object_array(item)
                            for item in cast("list[Any]", value)
                        ),
                        f"{key} is not a list of arrays of numbers, as fit stores it",
                    )
        members = attrs.get("estimators_")
        if members is not None and not sklearn_class.startswith("GradientBoosting"):
            # fit stores its members in a list (a one-vs-one classifier in a tuple); an
            # object array is iterated and sliced as a list is, and the member counts did
            # not read it (rt69-02, rt69-07)
            require(type(members) in (list, tuple), "estimators_ is not a list, as fit stores it")
    ngrams = attrs.get("ngram_range")
    if ngrams is not None:
        # a vectorizer makes every n-gram from min_n to max_n words (or characters) of each
        # document: (1, 10**9) is cubic in a document's length (rt32-05)
        require(
            type(ngrams) is tuple
            and len(ngrams) == 2
            and all(is_int(n) for n in ngrams)
            and 1 <= int(ngrams[0]) <= int(ngrams[1]) <= MAX_NGRAM,
            f"ngram_range is not (min_n, max_n) with 1 <= min_n <= max_n <= {MAX_NGRAM}",
        )
    shape = getattr(components, "_shape", None)
    if isinstance(shape, tuple) and len(shape) == 2 and int(shape[0]) > MAX_EMPTY_DIM:
        require(
            int(shape[0]) <= _stored_elements(est, 2),
            "sparse components_ has more rows than the estimator stores values",
        )


#: The classes whose transform multiplies its components by themselves, a (k, k) matrix per
#: call for k components: the sparse coders' Gram matrix, NMF's ``H @ H.T``, the sparse PCAs'
#: ridge solve and FactorAnalysis's latent covariance. The width bound allows 4,096
#: components per input column, so 4 input columns bought 16,384 components, 2 GB for one
#: row (rt68-04).
GRAM_COMPONENTS = frozenset(
    {
        "SparseCoder",
        "DictionaryLearning",
        "MiniBatchDictionaryLearning",
        "NMF",
        "MiniBatchNMF",
        "SparsePCA",
        "MiniBatchSparsePCA",
        "FactorAnalysis",
    }
)
#: The classes whose ``components_`` are training rows as fit validated them, in any numeric
#: dtype (an int or float16 input keeps its own): DBSCAN's core samples, which no method
#: multiplies, and a Nystroem's basis, which ``pairwise_kernels`` converts to float64 or
#: float32 before any product.
INPUT_ROW_COMPONENTS = frozenset({"DBSCAN", "Nystroem"})
#: Arrays a method multiplies with ``components_`` (or with one another) without converting
#: them, by class, beside ``components_`` itself: PCA's ``get_covariance`` is
#: ``(components_.T * (explained_variance_ - noise_variance_)) @ components_`` (and
#: ``get_precision``, ``score`` two such products), FactorAnalysis's ``transform``,
#: ``get_covariance`` and ``get_precision`` ``(components_ / noise_variance_) @
#: components_.T`` (rt84-06).
BLAS_ARRAYS: dict[str, tuple[str, ...]] = {
    "PCA": ("explained_variance_", "noise_variance_"),
    "IncrementalPCA": ("explained_variance_", "noise_variance_"),
    "FactorAnalysis": ("noise_variance_",),
}


def _blas_float(value: Any) -> bool:
    """Whether ``value`` is what fit stores for numbers a product reads: float64 or float32
    (a Python float, a numpy float or array of one of them; a sparse matrix's stored values),
    the dtypes numpy multiplies with BLAS. float16, float128, ints and complex numbers run
    numpy's own loops: float16 some 5 ns a product, 150 times float64 (rt84-06)."""
    if type(value) is float:
        return True
    if _is_sparse(value):
        value = vars(value).get("data") if _has_dict(value) else None
    if not (issubclass(type(value), np.ndarray) or isinstance(value, np.floating)):
        return False
    dtype: Any = value.dtype
    return bool(dtype.kind == "f" and dtype.itemsize in (4, 8))


def _check_blas_floats(name: str, attrs: dict[str, Any]) -> None:
    """``components_`` (and :data:`BLAS_ARRAYS`) of float64 or float32, as every fit stores
    them (float32 for float32 input; a sparse random projection's values alike): a method that
    multiplies two stored arrays of another dtype runs numpy's scalar loops, priced by no
    bound. A FactorAnalysis of 1,024 float16 components over 1,024 features took 5.5 s to
    transform one row (2,048: 44 s), a PCA's ``get_covariance`` of as many 6.4 s (2,048: 74
    s), from files of 3-17 KB (rt84-06)."""
    for key in ("components_", *BLAS_ARRAYS.get(name, ())):
        value = attrs.get(key)
        if value is None:
            continue
        require(
            _blas_float(value),
            f"{key} is not of float64 or float32, as fit stores it: numpy multiplies "
            "other dtypes (float16, float128, ints, complex) without BLAS, hundreds of "
            "times slower",
        )


#: Components past which a :data:`GRAM_COMPONENTS` model is refused: the (k, k) Gram of 4,096
#: is 128 MB, and OMP and LARS copy it (some 400 MB a call). 8,192 (512 MB) peaked at 1.78 GB
#: (rt83-05).
MAX_GRAM_COMPONENTS = 4096
#: The products (components**2 x features) of the Gram a :data:`GRAM_COMPONENTS` model makes
#: on every transform call: 2**33, 4,096 atoms over 512 features (a call of one row: OMP 0.9 s
#: and 394 MB, lasso_cd 0.4 s and 154 MB, LARS 1.1-1.4 s and 410 MB), 2,896 over 1,024 (0.2-0.6
#: s, 222 MB at most), 2,048 over 2,048 or 1,024 over 8,192 (0.3 s) (rt83-05).
MAX_GRAM_WORK = 1 << 33
#: Components a :data:`GRAM_COMPONENTS` model may have over any number of features, and per
#: feature past that (an overcomplete dictionary of image patches has a few atoms per pixel):
#: 1,024 atoms over 20 features take some 3 ms a row with OMP (rt79-01's 8,192: 0.16 s).
FREE_GRAM_COMPONENTS = 1024
GRAM_COMPONENTS_PER_FEATURE = 8


#: AdaBoostRegressor members past which it is refused. Its ``staged_predict`` and
#: ``staged_score`` predict with the first k members again at every stage k, k(k+1)/2 member
#: predictions for k members: 800 copies of one stump took some 45 s of CPU for one row
#: (rt68-10); 500 take some 14 s. (scikit-learn's default is 50.)
MAX_MEDIAN_STAGES = 500
#: What staged_predict's stages may cost in member predictions: MAX_MEDIAN_STAGES plain ones.
_MEDIAN_STAGE_COST = MAX_MEDIAN_STAGES * (MAX_MEDIAN_STAGES + 1) // 2


#: Fitted samples a member's ``predict`` measures every row against: a neighbours model's, a
#: Gaussian process's, a kernel model's, an SVM's support vectors (or, with a callable
#: kernel, its training rows, rt75-09), a Nystroem's components (which the other
#: decompositions multiply every row by: rt75-11), a label propagation's samples (rt76-12).
MEASURED_SAMPLES = (
    "_fit_X",
    "X_train_",
    "X_fit_",
    "support_vectors_",
    "_BaseLibSVM__Xfit",
    "components_",
    "X_",
)
#: Items of :data:`MEASURED_SAMPLES` that cost one unit of the stage bound, what one stump's
#: ``predict`` costs (some 0.1 ms), with a margin of five: a brute-force KNN's ``predict`` of one
#: row over 50,000 samples took 0.5 ms. Members that were not ensembles counted one prediction
#: each, whatever they measured: 60 KNN members over 200,000 samples each took 2.8 s of CPU
#: for one row's ``staged_predict`` (rt71-02; one thread).
_UNIT_ITEMS = 2000
#: Levels of members :func:`_member_predictions` reads; a member nested deeper costs the whole
#: bound.
_MEMBER_DEPTH = 64


def _member_predictions(
    member: Any,
    depth: int,
    memo: dict[int, int],
    walked: dict[tuple[int, int], tuple[Any, list[Any]]] | None = None,
) -> int:
    """What one ``predict`` of ``member`` costs, in stump predictions: the sum over every
    estimator it holds (its fitted members, a pipeline's steps, a search's best estimator, a
    stack's final estimator, in lists, tuples and dicts), at any depth, each object costed
    once (``memo``) and counted wherever it is held; for an estimator holding none, its
    :data:`MEASURED_SAMPLES` in units of :data:`_UNIT_ITEMS`, at least 1. Named aliases
    (``named_estimators_``, ``named_steps``) are not counted again. Four named keys read four
    levels deep let a member nested in four pipelines, or held as ``final_estimator_`` or
    ``best_estimator_``, count 1 (rt71-03)."""
    if id(member) in memo:
        return memo[id(member)]
    if depth <= 0:
        return _MEDIAN_STAGE_COST + 1
    walked = {} if walked is None else walked
    memo[id(member)] = 1  # (a cycle counts once)
    attrs = vars(member) if _has_dict(member) else {}
    # a gradient-boosting model predicts with all its trees in one native loop: they cost one
    # stump per NATIVE_TREES (AdaBoostRegressor over an honest GradientBoostingRegressor of
    # 100 trees counted 100 a member, and 50 members were refused, rt73-05)
    native = _sklearn_class(member).startswith("GradientBoosting")
    parts: list[Any] = []
    for key, value in attrs.items():
        if type(key) is str and not key.startswith(("named_", "__")):
            if not (native and key == "estimators_"):
                _estimators_in(value, parts, 3, walked)
    total = _size(attrs.get("estimators_")) // NATIVE_TREES if native else 0
    for part in parts:
        total += _member_predictions(part, depth - 1, memo, walked)
        if total > _MEDIAN_STAGE_COST:
            break
    if not native:
        # its own work too, parts or none: a KernelRidge holding a stump in any attribute had
        # cost the stump alone (rt75-04)
        total += _own_predictions(attrs)
        if _sklearn_class(member) == "LocallyLinearEmbedding":
            total += lle_row_work(attrs) // _LLE_UNIT
    memo[id(member)] = max(total, 1)
    return memo[id(member)]


def _measured_items(attrs: dict[str, Any]) -> int:
    """The items of an estimator's largest :data:`MEASURED_SAMPLES` array."""
    return max((_size(attrs.get(key)) for key in MEASURED_SAMPLES), default=0)


def _own_predictions(attrs: dict[str, Any]) -> int:
    """What an estimator's own ``predict`` costs, in stump predictions (units of
    :data:`_UNIT_ITEMS`): each item of its :data:`MEASURED_SAMPLES` once per kernel term (a
    KernelRidge over a sum of 32 Matern terms counted 1 and took 10 ms a row, rt74-03), or
    every item of its arrays once (a Nystroem's normalization, a PCA's components, an MLP's
    layers in a short list), whichever is more."""
    measured = _measured_items(attrs)
    terms = max([1, *(kernel_terms(attrs.get(key)) for key in ("kernel", "kernel_"))])
    items = 0
    for value in attrs.values():
        held = value if type(value) in (list, tuple) and len(value) <= _SHORT_LIST else [value]
        for array in held:
            if type(array) is np.ndarray and array.dtype.kind != "O":
                items += int(array.size)
    return max(measured * terms, items) // _UNIT_ITEMS


def lle_row_work(attrs: dict[str, Any]) -> int:
    """A LocallyLinearEmbedding's work per transformed row: its (k, k) solve, k**3 for
    ``n_neighbors`` k (0 for a count it cannot use)."""
    k: Any = attrs.get("n_neighbors")
    return int(k) ** 3 if is_int(k) and 0 < int(k) <= MAX_LLE_NEIGHBOURS else 0


#: The LLE work that costs one stump prediction in the stage bound: a row's solve at k = 1,000
#: took 21 ms, some 200 stumps (a pipeline of one counted 2, and AdaBoost members of them ran
#: 21 minutes of staged_predict for one row, rt76-01).
_LLE_UNIT = 5_000_000


#: Items of a list or tuple :func:`_own_predictions` reads for arrays (a layer list is short;
#: a long list is read by the checks that walk it once).
_SHORT_LIST = 64


#: Trees of a gradient-boosting model that cost one unit of the stage bound: its ``predict``
#: walks them natively, one row through 100 trees in some 5 microseconds (a margin of twenty
#: on one stump's Python-level ``predict``).
NATIVE_TREES = 100


def _estimators_in(
    value: Any,
    out: list[Any],
    levels: int,
    walked: dict[tuple[int, int], tuple[Any, list[Any]]],
) -> None:
    """Append to ``out`` the estimators in ``value``: ``value`` itself, or what its lists,
    tuples, named tuples, dicts, object arrays and other objects hold (an imputer's triplets,
    rt73-02), ``levels`` containers deep. A container met again at the same level gives what
    it gave (``walked``, which keeps it alive), without its items read again: 200 members
    sharing one list of 50,000 floats read it 200 times (rt74-07)."""
    from safeload.trust import facts

    known = walked.get((id(value), levels))
    if known is not None:
        out.extend(known[1])
        return
    found: list[Any] = []
    _estimators_once(value, found, levels, walked, facts)
    walked[(id(value), levels)] = (value, found)
    out.extend(found)


def _estimators_once(
    value: Any,
    out: list[Any],
    levels: int,
    walked: dict[tuple[int, int], tuple[Any, list[Any]]],
    facts: Any,
) -> None:
    """:func:`_estimators_in` of ``value`` read anew."""
    kind = type(value)
    items: Any
    if kind in (list, tuple):
        items = value
    elif isinstance(value, dict):
        items = list(value.values())
    elif isinstance(value, np.ndarray):
        if value.dtype.kind != "O" or levels <= 0:
            return
        items = value.ravel().tolist()
    else:
        cls = class_of(value)
        names = facts.fields(cls) if cls is not None else None
        if names is not None:  # a named tuple (scan's shadow of one has no tuple items)
            items = [getattr(value, name, None) for name in names]
        elif not _has_dict(value):
            return
        elif facts.is_estimator(cls):
            out.append(value)
            return
        else:
            items = list(vars(value).values())
    if levels > 0:
        for item in items:
            _estimators_in(item, out, levels - 1, walked)


#: Fitted samples times neighbours past which a k-neighbours model is refused: ``kneighbors()``
#: and ``kneighbors_graph()`` with no input query every fitted sample, a distance and an index
#: per neighbour (16 bytes each; 2**25 of them are 512 MB). 16,000 neighbours of 20,000 zero
#: samples of one column were a 2.4 KB file asking 5 GB with no input at all (rt68-07).
MAX_SELF_NEIGHBOURS = 1 << 25
#: Targets past which a fitted GaussianProcessRegressor is refused: ``predict(X,
#: return_cov=True)`` returns ``(rows, rows, targets)``. The width bound lets 65,536 targets
#: predict, and 60,000 zero targets asked 4.5 GB for 100 rows (rt68-09); 256 targets make it
#: cost what one target does for 16 times the rows.
MAX_COVARIANCE_TARGETS = 256
#: An Isomap's stored distances past which it is refused (three float64 copies: 768 MB).
MAX_SQUARE_ITEMS = 1 << 25
#: An LLE's neighbours past which it is refused: ``transform`` solves a (k, k) system per row,
#: k**3 operations (1,024**3 is some 10 ms a row; 5,792, the square bound's largest, 1.9 s).
MAX_LLE_NEIGHBOURS = 1024
#: Birch subcluster centres past which a Birch with a global clustering step is refused (their
#: pairwise distances: 268 MB).
MAX_GLOBAL_CENTRES = 8192


#: Fitted attributes a scikit-learn method computes with, which fit stores as arrays (or,
#: where the flag says, as a number: an intercept without one, a RidgeCV's alpha_).
ARRAYS_IN_ARITHMETIC = (
    ("coef_", False),
    ("intercept_", True),
    ("dual_coef_", False),
    ("alpha_", True),
    ("y_train_", False),
    ("_y", False),
    ("_fit_X", False),
    ("X_fit_", False),
    ("X_train_", False),
    ("dictionary", False),
    ("components_", False),
)


_PLS = {"x_rotations_": 0, "x_weights_": 0, "x_loadings_": 0, "_x_mean": 0, "_x_std": 0}
_SCORES = {"scores_": 0, "pvalues_": 0}

#: Per-feature arrays fit stores, by scikit-learn class: the axis that has one item per input
#: feature (``n_features_in_``). A method broadcasts them against the input, or sizes its
#: output by them: a PCA's ``mean_`` of 200,000 on one input column made ``inverse_transform``
#: (rows, 200,000) (rt70-13), a random projection's ``inverse_components_``, FastICA's
#: ``mixing_``, KernelPCA's ``dual_coef_``, PLS's ``x_loadings_`` and SimpleImputer's
#: ``statistics_`` alike (rt70-14), and VarianceThreshold's ``variances_`` sized its support
#: mask (rt70-16). Each must be an array of numbers with that axis, as fit stores it.
FEATURE_AXES: dict[str, dict[str, int]] = {
    "PCA": {"mean_": -1},
    "IncrementalPCA": {"mean_": -1, "var_": -1},
    "SparsePCA": {"mean_": -1},
    "MiniBatchSparsePCA": {"mean_": -1},
    "FactorAnalysis": {"mean_": -1, "noise_variance_": -1},
    "FastICA": {"mean_": -1, "mixing_": 0, "whitening_": -1},
    "KernelPCA": {"dual_coef_": -1},
    "GaussianRandomProjection": {"inverse_components_": 0},
    "SparseRandomProjection": {"inverse_components_": 0},
    "PLSRegression": _PLS,
    "PLSCanonical": _PLS,
    "CCA": _PLS,
    "PLSSVD": _PLS,
    "StandardScaler": {"mean_": -1, "var_": -1, "scale_": -1},
    "MinMaxScaler": {
        "min_": -1,
        "scale_": -1,
        "data_min_": -1,
        "data_max_": -1,
        "data_range_": -1,
    },
    "MaxAbsScaler": {"max_abs_": -1, "scale_": -1},
    "RobustScaler": {"center_": -1, "scale_": -1},
    "PowerTransformer": {"lambdas_": -1},
    "QuantileTransformer": {"quantiles_": -1},
    "SimpleImputer": {"statistics_": -1},
    "VarianceThreshold": {"variances_": -1},
    "SelectKBest": _SCORES,
    "SelectPercentile": _SCORES,
    "SelectFpr": _SCORES,
    "SelectFdr": _SCORES,
    "SelectFwe": _SCORES,
    "GenericUnivariateSelect": _SCORES,
    "RFE": {"support_": -1, "ranking_": -1},
    "RFECV": {"support_": -1, "ranking_": -1},
    "SequentialFeatureSelector": {"support_": -1},
    "BernoulliRBM": {"intercept_visible_": -1},
    "GaussianNB": {"theta_": -1, "var_": -1},
}


#: The :data:`FEATURE_AXES` arrays fit stores as matrices, by class; every other one is a
#: vector. Checking the feature axis alone let a PCA's ``mean_`` of (200,000, 1, 3) make
#: ``inverse_transform`` (200,000, rows, 3) (rt76-10).
FEATURE_MATRICES: dict[str, frozenset[str]] = {
    "FastICA": frozenset({"mixing_", "whitening_"}),
    "KernelPCA": frozenset({"dual_coef_"}),
    "GaussianRandomProjection": frozenset({"inverse_components_"}),
    "SparseRandomProjection": frozenset({"inverse_components_"}),
    **{
        name: frozenset({"x_rotations_", "x_weights_", "x_loadings_"})
        for name in ("PLSRegression", "PLSCanonical", "CCA", "PLSSVD")
    },
    "QuantileTransformer": frozenset({"quantiles_"}),
    "GaussianNB": frozenset({"theta_", "var_"}),
}


def _check_feature_axes(name: str, attrs: dict[str, Any]) -> None:
    """:data:`FEATURE_AXES` for a scikit-learn class ``name``, each array of the dimensions
    fit gives it (:data:`FEATURE_MATRICES`); and the arrays that must agree with another
    fitted array (an RBM's hidden biases with its components)."""
    axes = FEATURE_AXES.get(name, {})
    matrices = FEATURE_MATRICES.get(name, frozenset())
    n_in: Any = attrs.get("n_features_in_")
    for key, axis in axes.items():
        value = attrs.get(key)
        if value is None:
            continue  # (a scaler without a mean, PLS without a scale)
        shape = _shape(value)
        require(
            shape is not None
            and len(shape) == (2 if key in matrices else 1)
            and is_int(n_in)
            and shape[axis] == int(n_in),
            f"{key} is not a {'matrix' if key in matrices else 'vector'} with one item per "
            f"input feature (n_features_in_) on its axis {axis}, as fit stores it",
        )
    if name == "BernoulliRBM" and attrs.get("intercept_hidden_") is not None:
        # score_samples adds intercept_hidden_ to X @ components_.T (rt70-14)
        hidden, components = (
            _shape(attrs.get("intercept_hidden_")),
            _shape(attrs.get("components_")),
        )
        require(
            hidden is not None
            and components is not None
            and len(hidden) == 1
            and len(components) == 2
            and hidden[0] == components[0],
            "intercept_hidden_ does not have one item per component",
        )


#: Fitted numbers, by scikit-learn class: fit stores each as one number (a OneClassSVM's and an
#: SGDOneClassSVM's ``offset_`` as an array of one). A method subtracts it from, multiplies it
#: with (temperature scaling's ``beta_``, rt73-04), clips them to it (isotonic regression's
#: bounds, rt73-07) or compares it with the per-row scores, so stored as a (200,000, 1) column
#: it broadcast them into a (200,000, rows) result: 3.2 GB for 2,000 rows (rt71-13).
#: Each must be a number or an array of at most one item.
FITTED_NUMBERS: dict[str, tuple[str, ...]] = {
    "EllipticEnvelope": ("offset_",),
    "IsolationForest": ("offset_",),
    "LocalOutlierFactor": ("offset_",),
    "OneClassSVM": ("offset_",),
    "SGDOneClassSVM": ("offset_",),
    "TunedThresholdClassifierCV": ("best_threshold_", "best_score_"),
    "BayesianRidge": ("alpha_", "lambda_"),
    "ARDRegression": ("alpha_",),
    "_SigmoidCalibration": ("a_", "b_"),
    "_TemperatureScaling": ("beta_",),
    "IsotonicRegression": ("X_min_", "X_max_"),
    # (sample draws one normal per row and bandwidth item, rt76-07; get_covariance, with no
    # input, builds one matrix per noise item, rt76-08; score's bound broadcasts the priors
    # against every topic, rt76-16)
    "KernelDensity": ("bandwidth_",),
    "PCA": ("noise_variance_",),
    "IncrementalPCA": ("noise_variance_",),
    "LatentDirichletAllocation": ("topic_word_prior_", "doc_topic_prior_"),
}


def _check_fitted_numbers(name: str, attrs: dict[str, Any]) -> None:
    """:data:`FITTED_NUMBERS` for a scikit-learn class ``name``; and an isotonic regression's
    thresholds, one value per threshold: ``interp1d`` interpolates along ``y_thresholds_``'s
    last axis, so a (200,000, k) array made every prediction a column of 200,000 (rt74-05)."""
    if name == "IsotonicRegression" and "y_thresholds_" in attrs:
        xs, ys = _shape(attrs.get("X_thresholds_")), _shape(attrs.get("y_thresholds_"))
        require(
            xs is not None and len(xs) == 1 and ys == xs,
            "y_thresholds_ is not one value per threshold, as fit stores it",
        )
    for key in FITTED_NUMBERS.get(name, ()):
        value = attrs.get(key)
        if value is None:
            continue
        require(
            isinstance(value, _REAL)
            or (
                isinstance(value, np.ndarray)
                and not _is_object_array(value)
                and value.size <= 1
                and value.ndim <= 1
            ),
            f"{key} is not one number, as fit stores it",
        )


#: Fitted arrays with one item per class, by scikit-learn class: a QDA's ``priors_`` of
#: (200,000, 1, 1) made ``predict_proba`` of 2,000 rows (200,000, 2,000, 2) (rt76-09).
CLASS_VECTORS: dict[str, tuple[str, ...]] = {
    "QuadraticDiscriminantAnalysis": ("priors_",),
    "LinearDiscriminantAnalysis": ("priors_",),
    "GaussianNB": ("class_prior_", "class_count_"),
    # (a CategoricalNB's class_count_ of (100,000, 2) broadcast every row's joint likelihood
    # alike, rt78-01)
    **{
        name: ("class_log_prior_", "class_count_")
        for name in ("MultinomialNB", "ComplementNB", "BernoulliNB", "CategoricalNB")
    },
}
#: Fitted arrays with one row per fitted sample (``n_samples_fit_``), by scikit-learn class,
#: and their dimensions: a LocalOutlierFactor's ``_lrd`` of (3, 200,000) made every score a
#: row of 200,000 (rt76-13).
SAMPLE_ARRAYS: dict[str, dict[str, int]] = {
    "LocalOutlierFactor": {"_lrd": 1, "_distances_fit_X_": 2, "_neighbors_indices_fit_X_": 2},
}


#: The fitted arrays of more than two dimensions scikit-learn stores, by class: a mixture's
#: per-component covariance matrices. Any other fitted array (a name ending in ``_``) of
#: three or more broadcast against the rows as a stack: naive Bayes' ``class_log_prior_``,
#: a mixture's ``weights_``, LDA's ``xbar_`` of (N, 1, k) each made one call N times as large
#: (rt78-01..03), as the per-class and per-feature arrays the tables above list had (rt76).
STACKED_ARRAYS: dict[str, frozenset[str]] = {
    name: frozenset({"covariances_", "precisions_", "precisions_cholesky_"})
    for name in ("GaussianMixture", "BayesianGaussianMixture")
}


#: Fitted diagnostics of any dimensions, which no method computes with: a search's iteration
#: counts per class, fold and parameter (LogisticRegressionCV's ``n_iter_``), an elastic
#: net's error path per l1 ratio, alpha and fold (``mse_path_``), a RidgeCV's stored
#: leave-one-out values.
DIAGNOSTIC_ARRAYS = frozenset({"n_iter_", "mse_path_", "cv_results_", "cv_values_"})


#: The fitted object arrays scikit-learn fills with arrays, by class: KBinsDiscretizer's bin
#: edges, one 1-D array of numbers per feature. In any other fitted object array each item is
#: a label, a name or a number (:func:`_plain_item`).
ARRAY_OBJECT_ARRAYS: dict[str, frozenset[str]] = {
    "KBinsDiscretizer": frozenset({"bin_edges_"}),
}

#: The fitted object arrays of estimators scikit-learn keeps, by class: gradient boosting's
#: regression trees, one per stage and class (the boosting checks read them).
MEMBER_OBJECT_ARRAYS: dict[str, frozenset[str]] = {
    "GradientBoostingClassifier": frozenset({"estimators_"}),
    "GradientBoostingRegressor": frozenset({"estimators_"}),
}

#: The items a fitted object array holds: labels, feature names, categories and statistics.
_PLAIN_ITEMS = (str, bytes, bool, float, type(None))

#: The dates and times an imputer keeps as a column's statistic (a database driver's DATE
#: column is ``datetime.date`` objects; its NUMERIC column ``Decimal`` ones, of at most
#: :data:`MAX_ITEM_PARTS` digits), and pandas' own scalars of them (rt80-06).
_DATE_ITEMS = (datetime.date, datetime.datetime, datetime.time, datetime.timedelta)
_PANDAS_ITEMS = frozenset({"Timestamp", "Timedelta", "NaTType", "Period"})

#: The most items a tuple, list or dict inside a fitted object array holds (a tuple label of
#: MultiLabelBinarizer's, a record's fields), and the levels of them read.
MAX_ITEM_PARTS = 64
MAX_ITEM_LEVELS = 4
#: The largest exponent a plain Decimal item has, either way (a float's is some 308).
MAX_DECIMAL_EXPONENT = 1024


def _plain_item(item: Any, levels: int = MAX_ITEM_LEVELS) -> bool:
    """Whether ``item`` is a label, a name or a number of at most 64 bits (a numpy scalar of a
    number, string or date kind too), or a small tuple, list or dict of such items
    (:data:`MAX_ITEM_PARTS`, :data:`MAX_ITEM_LEVELS`): nothing that broadcasts. (``type()``,
    not isinstance: a value scan cannot see raises on isinstance.)"""
    kind = type(item)
    if kind in _PLAIN_ITEMS:
        return True
    if kind is int:
        return bool(-(1 << 63) <= item < 1 << 64)
    if kind is tuple or kind is list:
        return (
            levels > 0
            and len(item) <= MAX_ITEM_PARTS
            and all(_plain_item(part, levels - 1) for part in item)
        )
    if kind is dict:
        return (
            levels > 0
            and len(item) <= MAX_ITEM_PARTS
            and all(
                _plain_item(key, levels - 1) and _plain_item(value, levels - 1)
                for key, value in item.items()
            )
        )
    if kind in _DATE_ITEMS:
        return True
    if kind is decimal.Decimal:
        # (digits and exponent both bounded: int() of 1E+99999999 makes a 41 MB integer)
        parts = item.as_tuple()
        exponent = parts.exponent
        return len(parts.digits) <= MAX_ITEM_PARTS and (
            type(exponent) is str or -MAX_DECIMAL_EXPONENT <= exponent <= MAX_DECIMAL_EXPONENT
        )
    cls = class_of(item)  # (a scan's shadow of a pandas scalar answers its class)
    if isinstance(cls, type) and cls.__module__.split(".")[0] == "pandas":
        return cls.__qualname__ in _PANDAS_ITEMS  # (a column's mode: a Timestamp, rt80-06)
    return issubclass(kind, np.generic) and item.dtype.kind in "biufcUSMm"


def _check_object_items(name: str, key: str, value: Any) -> None:
    """A fitted object array holds plain items (:func:`_plain_item`), but the arrays of
    numbers :data:`ARRAY_OBJECT_ARRAYS` lists and the members :data:`MEMBER_OBJECT_ARRAYS`
    lists. Its shape is what the shape rules read, and its items broadcast as arrays do: a
    (2,) ``class_log_prior_`` of two arrays of 100,000 zeros made a naive Bayes predict 3.2
    GB for 2,000 rows, a PCA's ``mean_`` 32 GB (rt79-07). A record array with object fields
    is read as the tuples of its records, which is what scan's shadow of it holds."""
    if not (issubclass(type(value), np.ndarray) and value.dtype.hasobject):
        return
    if key in MEMBER_OBJECT_ARRAYS.get(name, frozenset()):
        return
    if key in ARRAY_OBJECT_ARRAYS.get(name, frozenset()):
        require(
            value.dtype.kind == "O"
            and value.ndim == 1
            and all(
                issubclass(type(item), np.ndarray) and item.ndim == 1 and item.dtype.kind in "iuf"
                for item in value
            ),
            f"{key} is not one array of numbers per feature, as fit stores it",
        )
        return
    items: Any = value.flat if value.dtype.kind == "O" else value.ravel().tolist()
    require(
        all(_plain_item(item) for item in items),
        f"{key} is an object array holding arrays or objects: fit stores labels, names or "
        "numbers there, and arithmetic would broadcast each item",
    )


def _check_fitted_dimensions(name: str, attrs: dict[str, Any]) -> None:
    """A scikit-learn estimator's fitted arrays have at most two dimensions, but
    :data:`STACKED_ARRAYS` and :data:`DIAGNOSTIC_ARRAYS`, and its fitted object arrays hold
    plain items (:func:`_check_object_items`)."""
    allowed = STACKED_ARRAYS.get(name, frozenset())
    if attrs.get("covariance_type") != "full":
        allowed = frozenset()  # (only a full covariance is a matrix per component: rt78-02)
    for key, value in attrs.items():
        if type(key) is not str or not key.endswith("_") or key in DIAGNOSTIC_ARRAYS:
            continue
        _check_object_items(name, key, value)
        if key in allowed:
            stacked = _shape(value)
            require(
                stacked is not None and len(stacked) == 3,
                f"{key} is not one matrix per component, as fit stores a full covariance",
            )
            continue
        shape = _shape(value)
        require(
            shape is None or len(shape) <= 2,
            f"{key} has {0 if shape is None else len(shape)} dimensions: fit stores at most two, "
            "and a method would broadcast the rows against a stack of them",
        )


def _check_fitted_shapes(name: str, attrs: dict[str, Any]) -> None:
    """The dimensions fit gives a scikit-learn estimator's arrays where a method broadcasts
    them against the rows: :data:`CLASS_VECTORS`, :data:`SAMPLE_ARRAYS`; ``components_``
    is a matrix (a (1, 2, 200,000) one made a PCA's ``transform`` (200,000, rows, 1),
    rt76-15); ``intercept_`` is a number or one item per row of ``coef_`` (a (1, 200,000)
    one widened every decision to 200,000, rt76-14)."""
    classes = _shape(attrs.get("classes_"))
    for key in CLASS_VECTORS.get(name, ()):
        if attrs.get(key) is None:
            continue
        require(
            classes is not None and len(classes) == 1 and _shape(attrs[key]) == classes[:1],
            f"{key} is not one number per class, as fit stores it",
        )
    fitted: Any = attrs.get("n_samples_fit_")
    for key, ndim in SAMPLE_ARRAYS.get(name, {}).items():
        if attrs.get(key) is None:
            continue
        shape = _shape(attrs[key])
        require(
            shape is not None and len(shape) == ndim and is_int(fitted) and shape[0] == int(fitted),
            f"{key} is not one {'number' if ndim == 1 else 'row'} per fitted sample, as fit "
            "stores it",
        )
    if attrs.get("components_") is not None:
        components = _shape(attrs["components_"])
        require(
            components is not None and len(components) == 2,
            "components_ is not a matrix, as fit stores it",
        )
    coef, intercept = attrs.get("coef_"), attrs.get("intercept_")
    if intercept is not None and isinstance(coef, np.ndarray) and coef.ndim in (1, 2):
        rows = coef.shape[0] if coef.ndim == 2 else 1
        shape = _shape(intercept)
        require(
            (isinstance(intercept, _REAL) and not isinstance(intercept, bool))
            or (shape is not None and len(shape) <= 1 and int(np.prod(shape)) in (1, rows)),
            "intercept_ is not a number or one per row of coef_, as fit stores it",
        )


#: Weighted terms a kernel an estimator holds may always have. A kernel is evaluated between
#: every input row and every fitted sample, once per term: a KernelRidge whose kernel was a
#: sum of 256 Matern terms over 60,000 samples took 2.1 s for one row, 4,096 terms 34 s, and a
#: Nystroem or LabelSpreading alike (rt74-08). scikit-learn's Mauna Loa example, the largest
#: in its gallery, has 10 terms.
FREE_KERNEL_TERMS = 16
#: Weighted terms past which any kernel is refused.
MAX_KERNEL_TERMS = 256
#: Terms times the items of the estimator's :data:`MEASURED_SAMPLES` that a kernel of more
#: than :data:`FREE_KERNEL_TERMS` terms may cost: what 16 terms over 65,536 items cost, no
#: more than the free terms over the samples the width bound allows. A flat bound of 16
#: refused a Gaussian process of 17 terms over 80 samples (rt75-08), and one of 4,096 items
#: the diabetes data's 442 samples of 10 features with 17 (rt77-10).
KERNEL_WORK = FREE_KERNEL_TERMS * 65536
#: What one Matern term with another ``nu`` than 0.5, 1.5, 2.5 or infinity weighs: it computes
#: a Bessel function per pair, which scikit-learn documents as some ten times the cost.
BESSEL_TERM = 10


#: Types no kernel is (``kernel_terms`` answers 0 for them without asking further: most
#: attributes of most estimators are one of these).
_NEVER_KERNELS = frozenset(
    {type(None), bool, int, float, str, bytes, list, tuple, dict, np.ndarray}
)


def kernel_terms(kernel: Any, memo: dict[int, int] | None = None) -> int:
    """The weighted leaf terms of a Gaussian-process kernel, through ``Sum``, ``Product``,
    ``Exponentiation`` and ``CompoundKernel`` (a shared sub-kernel counted wherever it is
    used, as evaluation uses it; at most ``MAX_KERNEL_TERMS + 1``); 0 for anything else."""
    if type(kernel) in _NEVER_KERNELS:
        return 0
    from safeload.trust import facts

    memo = {} if memo is None else memo
    if id(kernel) in memo:
        return memo[id(kernel)]
    cls = class_of(kernel)
    if cls is None or not _has_dict(kernel) or not facts.is_kernel(cls):
        return 0
    memo[id(kernel)] = MAX_KERNEL_TERMS + 1  # (a cycle is past the bound)
    attrs = vars(kernel)
    name = facts.short_name(cls)
    parts = kernel_parts(name, attrs)
    if parts:
        # (an Exponentiation is one more pass over the whole kernel: a chain of 100 counted
        # none, rt77-03)
        total = 1 if name == "Exponentiation" else 0
        for part in parts:
            total = min(total + max(kernel_terms(part, memo), 1), MAX_KERNEL_TERMS + 1)
    elif name == "Matern" and not _closed_form_nu(attrs.get("nu")):
        total = BESSEL_TERM
    else:
        total = 1
    memo[id(kernel)] = total
    return total


def kernel_parts(name: str, attrs: dict[str, Any]) -> list[Any]:
    """The kernels a Gaussian-process kernel of class ``name`` with state ``attrs`` combines
    (``Sum``, ``Product``, ``Exponentiation``, ``CompoundKernel``); empty for a leaf."""
    if name in ("Sum", "Product"):
        return [attrs.get("k1"), attrs.get("k2")]
    if name == "Exponentiation":
        return [attrs.get("kernel")]
    if name == "CompoundKernel" and type(attrs.get("kernels")) is list:
        return list(attrs["kernels"])
    return []


def _closed_form_nu(nu: Any) -> bool:
    """Whether a Matern kernel's ``nu`` is one of the values scikit-learn computes in closed
    form (0.5, 1.5, 2.5, infinity)."""
    return (
        isinstance(nu, _REAL) and not isinstance(nu, bool) and float(nu) in (0.5, 1.5, 2.5, np.inf)
    )


#: Estimators whose kernel, when callable, goes to ``pairwise_kernels``: a Gaussian-process
#: kernel object is called once on the whole arrays, any other callable once per pair of rows
#: (``max_error`` as a KernelRidge's kernel over 60,000 samples took 6.4 s a row, rt76-02).
PAIRWISE_KERNEL_USERS = frozenset({"KernelRidge", "Nystroem", "KernelPCA"})


def _check_pairwise_kernel(name: str, attrs: dict[str, Any]) -> None:
    """:data:`PAIRWISE_KERNEL_USERS`' ``kernel`` is a name or a Gaussian-process kernel."""
    from safeload.trust import facts

    if name not in PAIRWISE_KERNEL_USERS or "kernel" not in attrs:
        return
    kernel = attrs["kernel"]
    cls = class_of(kernel)
    require(
        type(kernel) is str or (cls is not None and facts.is_kernel(cls)),
        f"{name}'s kernel is a callable other than a Gaussian-process kernel: scikit-learn "
        "calls it once per pair of rows and fitted samples",
    )


def _check_kernel_terms(attrs: dict[str, Any]) -> None:
    """The kernels an estimator holds: at most :data:`FREE_KERNEL_TERMS` weighted terms, or
    at most :data:`MAX_KERNEL_TERMS` that cost at most :data:`KERNEL_WORK` over the
    estimator's own :data:`MEASURED_SAMPLES`."""
    measured = _measured_items(attrs)
    for key, value in attrs.items():
        terms = kernel_terms(value)
        require(
            terms <= FREE_KERNEL_TERMS
            or (terms <= MAX_KERNEL_TERMS and terms * measured <= KERNEL_WORK),
            f"{key} is a kernel of {terms if terms <= MAX_KERNEL_TERMS else 'too many'} "
            f"weighted terms over {measured:,} fitted items: every prediction evaluates each "
            "term between every row and every fitted sample",
        )


#: Parameters that are dicts of numbers, by name: a FeatureUnion's or ColumnTransformer's
#: ``transformer_weights`` multiply each branch's output, and a kernel's ``kernel_params`` (a
#: Nystroem's, KernelPCA's, KernelRidge's, SpectralClustering's) enter its arithmetic with the
#: rows. scikit-learn's parameter constraints check only that they are dicts: an array of
#: (1, 200,000) as a weight, or a gamma of (200,000, 1, 1), broadcast each branch's (rows, 1)
#: result past 3 GB (rt71-12). Each value must be a number (or, for a kernel, a str or None).
PARAMETER_DICTS = frozenset({"transformer_weights", "kernel_params"})


def _check_parameter_dicts(attrs: dict[str, Any]) -> None:
    """:data:`PARAMETER_DICTS` on one estimator's own dict."""
    for key in PARAMETER_DICTS:
        value = attrs.get(key)
        if value is None:
            continue
        require(
            isinstance(value, dict)
            and all(
                isinstance(v, _REAL) or (key == "kernel_params" and (v is None or type(v) is str))
                for v in value.values()
            ),
            f"{key} is not a dict of numbers",
        )


_PLS_CLASSES = frozenset({"PLSRegression", "PLSCanonical", "CCA", "PLSSVD"})
#: PLS's target-side arrays: (targets, components), as fit stores them.
_PLS_TARGET_SIDE = ("y_weights_", "y_loadings_", "y_rotations_")


def _check_pls_targets(attrs: dict[str, Any]) -> None:
    """PLS's target-side arrays (:data:`_PLS_TARGET_SIDE`) have one row per target (the
    targets' mean, ``_y_mean``) and one column per component (the input side's ``x_weights_``).
    ``transform(X, Y)`` computes ``Y @ y_rotations_`` and ``inverse_transform(X, Y)`` ``Y @
    y_loadings_.T``: a (1, 200,000) or (200,000, 1) array of zeros made a (rows, 200,000)
    result, 3.2 GB for 2,000 rows (rt71-01)."""
    weights = _shape(attrs.get("x_weights_"))
    targets = _shape(attrs.get("_y_mean"))
    for key in _PLS_TARGET_SIDE:
        value = attrs.get(key)
        if value is None:
            continue
        shape = _shape(value)
        require(
            shape is not None
            and not _is_object_array(value)
            and len(shape) == 2
            and weights is not None
            and len(weights) == 2
            and shape[1] == weights[1]
            and targets is not None
            and len(targets) == 1
            and shape[0] == targets[0],
            f"{key} does not have one row per target (_y_mean) and one column per component "
            "(x_weights_), as fit stores it",
        )


#: The fitted lists and tuples a scikit-learn estimator keeps that hold numbers or arrays,
#: each with why fit stores a list there. Any other fitted list or tuple that holds one is
#: refused (:func:`_holds_numbers`): fit stores numbers as arrays, which the width checks read,
#: and a list broadcasts in arithmetic as an array does, unread. PLS's ``x_rotations_`` as a
#: list of 200,000 zeros (rt69-05), as a list of one such array (rt70-01), as twenty members'
#: shared list of 4,000 (rt70-05), or behind a timedelta (rt70-06) each asked gigabytes.
LIST_ATTRIBUTES: dict[str, str] = {
    # logs of a fit and counts, which no method computes with
    "lower_bounds_": "a mixture's log of lower bounds",
    "n_iter_": "iterations per target or class",
    "error_": "a dictionary learner's log of errors",
    "n_classes_": "classes per output of a multi-output tree or forest",
    "loglike_": "FactorAnalysis's log of likelihoods",
    "costs_": "a log of costs",
    "active_": "LARS's active features, per target",
    "alphas_": "LARS's alphas, per target",
    "coef_path_": "LARS's coefficient path, per target",
    "loss_curve_": "MLP's log of losses",
    "validation_scores_": "MLP's log of validation scores",
    "scores_": "ARD and BayesianRidge's log of scores",
    "shape_fit_": "an SVM's training shape",
    "n_resources_": "a halving search's resources per iteration",
    "n_candidates_": "a halving search's candidates per iteration",
    # lists of arrays, one per layer, class, output, column or member (ARRAY_ITEMS)
    "coefs_": "MLP's weights, one array per layer",
    "intercepts_": "MLP's biases, one array per layer",
    "categories_": "an encoder's categories, one array per input column",
    "classes_": "a multi-output classifier's labels, one array per output",
    "class_prior_": "a multi-output dummy classifier's priors, one array per output",
    "encodings_": "TargetEncoder's encodings, one array per column and class",
    "estimators_features_": "bagging's feature indexes, one array per member",
    "bin_thresholds_": "a histogram binner's thresholds, one array per feature",
    "category_count_": "CategoricalNB's counts, one array per feature",
    "feature_log_prob_": "CategoricalNB's log probabilities, one array per feature",
    "rotations_": "QDA's rotations, one array per class",
    "scalings_": "QDA's scalings, one array per class",
    "covariance_": "QDA's covariances, one array per class",
    "weight_concentration_": "a Dirichlet-process mixture's two concentration arrays",
    "oob_decision_function_": "a multi-output forest's out-of-bag scores, one array per output",
    "pairwise_indices_": "a one-vs-one classifier's sample indexes per pair",
    # lists whose items other checks read
    "feature_names_": "DictVectorizer's names: the fitted dicts' keys, numbers too",
    "transformers_": "ColumnTransformer's (name, transformer, columns) triples",
    "order_": "a classifier chain's order of outputs (a permutation, checked)",
    "outlier_label_": "a radius classifier's outlier label per output",
    "imputation_sequence_": "IterativeImputer's (feature, neighbours, estimator) triples",
}

#: The :data:`LIST_ATTRIBUTES` whose items are arrays of numbers, as fit stores them.
ARRAY_ITEMS = frozenset(
    {
        "coefs_",
        "intercepts_",
        "encodings_",
        "bin_thresholds_",
        "category_count_",
        "feature_log_prob_",
        "rotations_",
        "scalings_",
        "covariance_",
        "weight_concentration_",
    }
)


#: Levels of nested lists :func:`_holds_numbers` reads; a list nested deeper counts as holding
#: numbers (no fit stores one).
MAX_LIST_DEPTH = 32


def _holds_numbers(value: Any, depth: int = MAX_LIST_DEPTH, clean: set[int] | None = None) -> bool:
    """Whether a list or tuple holds a number (:data:`_NUMBER_LIKE`), an array, a sparse
    matrix or a frame, at any place in its lists, or lists nested past ``depth`` levels. Every
    item is read, not the first only (rt70-01), at every level (three levels were read, and
    numpy made ``[[[[1.0] * 200_000]]]`` a broadcasting (1, 1, 1, 200,000) array, rt71-04); a
    list already found to hold none is not read again, so a memo DAG of lists costs what the
    file holds."""
    if type(value) not in (list, tuple):
        return False
    if depth <= 0:
        return True
    clean = set() if clean is None else clean
    if id(value) in clean:
        return False
    for item in value:
        kind = type(item)
        if kind in _NOT_NUMBERS:
            continue
        if issubclass(kind, _NUMBER_LIKE) or _shape(item) is not None:
            return True
        if kind in (list, tuple) and _holds_numbers(item, depth - 1, clean):
            return True
    clean.add(id(value))
    return False


def _size(value: Any) -> int:
    """The items of an array, sparse matrix or frame (:func:`_shape`), or 0."""
    shape = _shape(value)
    return math.prod(shape) if shape is not None else 0


#: The items of a chain's list ``order_`` past which it is refused (fit keeps a list order as
#: given, rt69-15; one estimator per item).
MAX_NUMBER_LIST = 4096


def _is_object_array(value: Any) -> bool:
    """Whether ``value`` is a numpy array of another kind than numbers (objects, strings)."""
    return isinstance(value, np.ndarray) and value.dtype.kind not in "biufc"


def _check_per_call_products(name: str, attrs: dict[str, Any]) -> None:
    """What a method of a scikit-learn class ``name`` allocates per call, whatever its input:
    :data:`MAX_SELF_NEIGHBOURS`, a Gaussian process's factor, :data:`MAX_COVARIANCE_TARGETS`."""
    fit_x: Any = attrs.get("_fit_X")
    samples: Any = attrs.get("n_samples_fit_")
    if fit_x is not None and is_int(samples):
        counts: list[Any] = [attrs.get("n_neighbors"), attrs.get("n_neighbors_")]
        neighbours = max((int(n) for n in counts if is_int(n)), default=0)
        # (paying with the fitted samples let zeros pay, rt69-13: an honest index of 340,000
        # places and 100 neighbours is refused, rt69-10, SECURITY.md)
        require(
            int(samples) * neighbours <= MAX_SELF_NEIGHBOURS,
            f"{int(samples):,} fitted samples times {neighbours:,} neighbours: kneighbors() "
            f"with no input holds more than {MAX_SELF_NEIGHBOURS:,} distances and indices",
        )
    if name in ("GaussianProcessRegressor", "_BinaryGaussianProcessClassifierLaplace") and (
        "X_train_" in attrs
    ):
        # a fitted Gaussian process's log_marginal_likelihood builds the kernel of every
        # fitted sample against every other, (n, n), and its Cholesky factor; fit stores that
        # factor (L_) for its n samples. 30,000 zero samples beside a (2, 2) L_, or none,
        # asked 6.7 GB (rt68-12, rt68-13)
        factor = _shape(attrs.get("L_"))
        samples = [_count_of(attrs.get(k)) for k in ("X_train_", "y_train_", "alpha_", "pi_")]
        require(
            type(factor) is tuple
            and len(factor) == 2
            and factor[0] == factor[1]
            and all(n in (None, int(factor[0])) for n in samples),
            "the Gaussian process's fitted samples are not the rows of its factor L_",
        )
    if name == "GaussianProcessRegressor" and "_y_train_std" in attrs:
        # predict(return_cov=True) is (rows, rows) times the targets the scale is broadcast
        # over: the widest of the stored targets, scales and weights (rt68-09, rt68-14)
        targets = max(
            _targets_of(attrs.get(key), rows)
            for key, rows in (
                ("y_train_", True),
                ("alpha_", True),
                ("_y_train_std", False),
                ("_y_train_mean", False),
            )
        )
        # (paying with the stored targets let zeros pay, rt69-13: an honest surrogate of 300
        # targets is refused, rt69-10, SECURITY.md)
        require(
            targets <= MAX_COVARIANCE_TARGETS,
            f"a Gaussian process of {targets:,} targets, more than {MAX_COVARIANCE_TARGETS}: "
            "predict(return_cov=True) holds rows x rows x targets",
        )
    if name == "Isomap":
        # reconstruction_error() (no input) holds three float64 copies of the (n, n)
        # dist_matrix_, whatever its stored dtype: (8,000, 8,000) bools asked 1.5 GB (rt69-11)
        require(
            _size(attrs.get("dist_matrix_")) <= MAX_SQUARE_ITEMS,
            f"dist_matrix_ holds more than {MAX_SQUARE_ITEMS:,} distances: "
            "reconstruction_error() holds three float64 copies of it",
        )
    if name == "Birch" and attrs.get("n_clusters") is not None:
        # partial_fit() (no input) clusters the subcluster centres again, with every pairwise
        # distance of them: 20,000 zero centres asked 1.6 GB (rt69-12); partial_fit(X) first
        # gathers them anew from the leaves' centroids_, whatever subcluster_centers_ holds:
        # one leaf of 20,000 (rt70-04)
        centres = _count_of(attrs.get("subcluster_centers_"))
        require(
            (centres is None or centres <= MAX_GLOBAL_CENTRES)
            and _leaf_centroids(attrs.get("dummy_leaf_")) <= MAX_GLOBAL_CENTRES,
            f"more than {MAX_GLOBAL_CENTRES:,} subcluster centres: partial_fit() holds the "
            "distances of every pair of them",
        )
    if name == "LocallyLinearEmbedding" and is_int(attrs.get("n_neighbors")):
        # transform builds a (k, k) Gram matrix per row for its k neighbours: 19,999 asked
        # 3.2 GB for one row (rt70-02)
        # and solves it: k**3 per row, 1.9 s of CPU a row at k = 5,792 (rt71-10)
        k = int(attrs["n_neighbors"])
        require(
            k <= MAX_LLE_NEIGHBOURS,
            f"n_neighbors is {k:,}, more than {MAX_LLE_NEIGHBOURS:,}: transform builds and "
            "solves a (k, k) system for every row",
        )
    if name == "CalibratedClassifierCV" and attrs.get("calibrated_classifiers_") is not None:
        _check_calibrated_members(attrs)


def _leaf_centroids(dummy: Any) -> int:
    """The centroids of a Birch's leaves, along its leaf chain (``check_birch`` refuses a
    cycle; here a leaf met again ends the count)."""
    seen: set[int] = set()
    total = 0
    leaf = vars(dummy).get("next_leaf_") if dummy is not None and _has_dict(dummy) else None
    while leaf is not None and id(leaf) not in seen and total <= MAX_GLOBAL_CENTRES:
        seen.add(id(leaf))
        attrs = vars(leaf) if _has_dict(leaf) else {}
        centroids = _count_of(attrs.get("centroids_"))
        subclusters = _count_of(attrs.get("subclusters_"))
        total += max(centroids or 0, subclusters or 0)
        leaf = attrs.get("next_leaf_")
    return total


def _check_calibrated_members(attrs: dict[str, Any]) -> None:
    """A CalibratedClassifierCV's members predict a column per label of their own ``classes``
    (no trailing underscore): fit gives each the holder's ``classes_``, and a calibrator per
    class (one for two classes; temperature scaling keeps one for all, rt73-04). 200,000
    labels in a member asked (rows, 200,000) per member (rt70-15)."""
    members: Any = attrs.get("calibrated_classifiers_")
    require(type(members) is list, "calibrated_classifiers_ is not a list, as fit stores it")
    classes = _count_of(attrs.get("classes_"))
    for member in members:
        fields = vars(member) if _has_dict(member) else {}
        own = _count_of(fields.get("classes"))
        calibrators = _count_of(fields.get("calibrators"))
        one = classes == 2 or fields.get("method") == "temperature"
        require(
            classes is not None and own == classes and calibrators == (1 if one else classes),
            "a calibrated member's classes or calibrators are not the holder's classes_",
        )


def _sklearn_class(est: Any) -> str:
    """The name of ``est``'s class when scikit-learn defines it (a built object's class or a
    scan's facts alike), ``""`` otherwise."""
    from safeload.trust.facts import ClassFacts, short_name

    # (the nearest scikit-learn class of an own subclass: its rules apply to it, rt101-11)
    cls = sklearn_class(est)
    module = cls.module if isinstance(cls, ClassFacts) else getattr(cls, "__module__", "")
    if not (type(module) is str and module.startswith("sklearn.")):
        return ""
    return short_name(cls) if isinstance(cls, (ClassFacts, type)) else ""


def _targets_of(value: Any, rows: bool) -> int:
    """How many targets a Gaussian process's stored ``value`` holds: past its first axis when
    it has a row per sample (``rows``: ``y_train_``, ``alpha_``), all of it otherwise (a
    scale, a mean); one for a number; past :data:`MAX_COVARIANCE_TARGETS` for a form it does
    not read."""
    from safeload.trust.object_checks import shape_of

    if value is None or isinstance(value, _REAL):
        return 1
    shape = shape_of(value)
    if shape is None:
        return MAX_COVARIANCE_TARGETS + 1
    return math.prod(shape[1:] if rows else shape)


def _shape(value: Any) -> tuple[int, ...] | None:
    """``object_checks.shape_of``: an array's, sparse matrix's or frame's shape, in a scan
    too."""
    from safeload.trust.object_checks import shape_of

    return shape_of(value)


def _count_of(value: Any) -> int | None:
    """The length of an array's, sparse matrix's, list's or tuple's first axis; ``None`` for
    anything else."""
    shape = _shape(value)
    if shape is not None:
        return int(shape[0]) if shape else None
    return len(value) if type(value) in (list, tuple) else None


def _is_sparse(value: Any) -> bool:
    """Whether ``value`` is a scipy sparse matrix or array (a shadow answers its class)."""
    cls = class_of(value) if value is not None else None
    return isinstance(cls, type) and cls.__module__.startswith("scipy.sparse")


#: Fitted sparse matrices whose columns are the input's features (one row per class,
#: component, centre or stored sample): the input pays for their width.
INPUT_COLUMNS = frozenset(
    {"coef_", "components_", "support_vectors_", "_fit_X", "X_fit_", "X_", "cluster_centers_"}
)
#: Fitted sparse matrices that are square by construction, one row and one column per
#: sample: the index pointer of a CSR one pays for both axes.
SQUARE = frozenset({"affinity_matrix_"})


def _check_sparse_columns(key: str, matrix: Any, n_in: Any) -> None:
    """A sparse matrix an estimator holds may be wider than :data:`MAX_EMPTY_AXIS` only where
    its columns are paid for: by stored values (one a column, as a dense row pays; one per 64
    columns was 197 KB for the harm below), by the rows a CSR index pointer pays for where the
    matrix is a square affinity matrix (:data:`SQUARE`), or by the input's width where its
    columns are input features (:data:`INPUT_COLUMNS`: ``coef_``, ``components_``, support
    vectors and stored samples; the input pays for them). Anywhere else the columns are
    outputs (a random feature map's ``random_weights_``, a discriminant's ``scalings_``): a
    4 x 2**20 matrix of one value made ``transform`` compute (n, 2**20), 16 GB for 2,000 rows
    (rt56-06), and a square (2**20, 2**20) one after a hashing vectorizer was paid by neither
    its input width nor its pointer (rt57-06). Scikit-learn stores those dense."""
    shape = tuple(int(n) for n in matrix.shape)
    if len(shape) != 2 or shape[1] <= MAX_EMPTY_AXIS:
        return
    square = key in SQUARE and getattr(matrix, "format", None) == "csr" and shape[0] == shape[1]
    rows = shape[0] if square else 0
    width = int(n_in) if key in INPUT_COLUMNS and is_int(n_in) else 0
    require(
        shape[1] <= max(int(matrix.nnz), rows, width),
        f"{key} is a sparse matrix of {shape[1]:,} columns that neither its stored values, "
        "its rows nor the input's width pay for",
    )


def _held_once(parts: Any) -> bool:
    """Whether a fitted list (one item per output, class or estimator) holds each array,
    sparse matrix and instance once. Fit makes one of each per item; one array met 200 times
    costs the file 2 bytes a meeting, and each meeting sizes a result of its own: a
    DummyClassifier whose ``classes_`` and ``class_prior_`` were one array of 4,096 labels
    for 200 outputs made ``predict_proba`` return 200 arrays of (n, 4096), 13 GB from 67 KB,
    and a MultiOutputClassifier of one estimator met 200 times alike (rt56-05)."""
    seen: set[int] = set()
    for part in parts:
        if isinstance(part, (type, types.FunctionType, types.BuiltinFunctionType)):
            continue  # (classes and functions are names, not data)
        if not (isinstance(part, np.ndarray) or hasattr(part, "__dict__")) or _is_pandas_dtype(
            part
        ):
            # plain values: a number, a str, a dtype, a numpy scalar; a pandas dtype, which
            # pandas caches (an encoder's feature_dtypes_in_ lists one StringDtype per column)
            continue
        if _is_frozen(part):
            # FrozenEstimator.__sklearn_clone__ returns itself, so scikit-learn's own fit
            # lists one frozen model once per output or name (rt57-07); what meeting it many
            # times costs is bounded for the whole model (object_checks.whole_model_problem)
            continue
        if id(part) in seen:
            return False
        seen.add(id(part))
    return True


def _is_pandas_dtype(part: Any) -> bool:
    """Whether ``part`` is a pandas extension dtype (by ``type()``: a value scan cannot see
    raises on ``isinstance``)."""
    if "pandas" not in sys.modules:
        return False
    from pandas.api.extensions import ExtensionDtype

    return issubclass(type(part), ExtensionDtype)


def _estimators_classes(key: str, parts: Any, attrs: dict[str, Any]) -> bool:
    """Whether ``parts`` is a multi-output classifier's ``classes_``, one item per estimator and
    each that estimator's own ``classes_`` (or its frozen model's; LightGBM's ``_classes``,
    which its ``classes_`` property returns): scikit-learn builds it so,
    and with a FrozenEstimator listed once per output it holds one array many times (rt59-05).
    What meeting it many times costs is the whole-model bound's."""
    estimators: Any = attrs.get("estimators_")
    if key != "classes_" or type(estimators) is not list or len(estimators) != len(parts):
        return False
    for part, est in zip(parts, estimators, strict=True):
        inner = est
        if _is_frozen(est):
            inner = vars(est).get("estimator") if _has_dict(est) else None
        state = vars(inner) if inner is not None and _has_dict(inner) else {}
        # (LightGBM's classes_ is a property over _classes)
        if part is None or all(state.get(name) is not part for name in ("classes_", "_classes")):
            return False
    return True


def _is_frozen(part: Any) -> bool:
    """Whether ``part`` is scikit-learn's FrozenEstimator (a shadow answers its class)."""
    cls = sklearn_class(part)
    return (
        isinstance(cls, type)
        and cls.__name__ == "FrozenEstimator"
        and cls.__module__ == "sklearn.frozen._frozen"
    )


def _class_names(est: Any) -> frozenset[str]:
    from safeload.trust.structures.names import class_names

    return class_names(est)


def _distinct_labels(classes: npt.NDArray[Any]) -> bool:
    """Whether a 1-d label array holds each label once. ``fit`` stores ``np.unique(y)``,
    sorted, so a short strictly increasing numeric array (every tree of a forest) is decided by
    comparing neighbours; anything else (NaN, text, unsorted, long) by ``np.unique`` or a
    set."""
    if classes.dtype.hasobject:
        return len(set(classes.tolist())) == classes.size
    if classes.dtype.kind in "biuf" and classes.size <= 64:
        labels = classes.tolist()
        if all(a < b for a, b in itertools.pairwise(labels)):
            return True
    return bool(np.unique(classes).size == classes.size)


def _distinct_items(items: list[Any] | tuple[Any, ...]) -> bool:
    """Whether a list of labels holds each once, as a dict keyed by them would (``1``,
    ``1.0`` and ``True`` are one key); an unhashable label is refused."""
    try:
        return len(set(items)) == len(items)
    except TypeError:
        return False


def _searchable(cat: Any) -> bool:
    """Whether an encoder can find its inputs among ``cat`` (one column's categories, or a
    LabelEncoder's classes) without landing past the end. ``_encode`` finds a numeric input
    with ``np.searchsorted`` whatever the categories' dtype, after ``np.isin`` has called it
    known: in an unsorted array a known value can land one past the end, and OneHotEncoder
    writes that column past its block (``[2., 1., 0.]``: rt40-07; the same values as a complex
    array, which the first rule did not see as numbers: rt41-04). By the dtype's kind:

    * bool, integer, float, timedelta and datetime: strictly increasing by numpy's own
      comparison (the one searchsorted makes), NaN or NaT once and last, as ``fit`` stores
      them (scikit-learn refuses unsorted numeric categories given by hand);
    * complex: refused (scikit-learn refuses complex data, so no fit stores it, and numpy
      orders complex numbers by their real, then imaginary parts);
    * fixed-width text and void: any order (a numeric input is never found among them: numpy
      refuses to compare the two, and a text input is found through a dict);
    * object, list or tuple: :func:`_searchable_items`;
    * any other kind: refused."""
    if isinstance(cat, np.ndarray):
        kind = cat.dtype.kind
        if kind in "SUV":
            return True
        if kind == "O":
            return cat.ndim == 1 and _searchable_items(cat.tolist())
        if kind not in "biufmM" or cat.ndim != 1:
            return False
        body = cat
        if kind in "fmM" and cat.size and bool(np.isnan(cat[-1])):
            body = cat[:-1]  # missing values sort last
        if kind in "fmM" and bool(np.isnan(body).any()):
            return False
        return bool(np.all(body[:-1] < body[1:]))
    if type(cat) in (list, tuple):
        return _searchable_items(list(cat))
    return False


#: Python and numpy types of a real number (``bool`` is an ``int``).
_REAL = (int, float, np.integer, np.floating, np.bool_)

#: What numpy computes with besides arrays: numbers, and the objects a numeric or object array
#: multiplies (a timedelta times a float is a timedelta, rt70-06).
_NUMBER_LIKE = (
    *_REAL,
    complex,
    np.generic,
    datetime.timedelta,
    datetime.date,
    decimal.Decimal,
    fractions.Fraction,
)
_NOT_NUMBERS = (str, bytes, type(None))


def _searchable_items(items: list[Any]) -> bool:
    """Whether categories held as Python objects are what ``fit`` stores (``sorted`` of the
    distinct values, then ``None`` and NaN if they were missing): all text of one type, in any
    order (found through a dict), or all real numbers strictly increasing. A mix of the two,
    and any other item (a complex number: rt41-04), is refused: ``sorted`` cannot order it, so
    no fit stores it, and ``np.searchsorted`` compares whatever it holds."""
    while items and (items[-1] is None or _is_nan(items[-1])):
        items = items[:-1]
    if any(v is None or _is_nan(v) for v in items):
        return False
    if all(isinstance(v, str) for v in items) or all(isinstance(v, bytes) for v in items):
        return True
    if items and _ordered_kind(items):
        try:  # (an aware and a naive time do not compare: no fit sorted them)
            return all(bool(a < b) for a, b in itertools.pairwise(items))
        except (TypeError, ArithmeticError):
            return False
    if not all(isinstance(v, _REAL) for v in items):
        return False
    # Python's comparison, the one numpy's searchsorted makes between objects
    return all(bool(a < b) for a, b in itertools.pairwise(items))


def _ordered_kind(items: list[Any]) -> bool:
    """Whether ``items`` are all of one date, time or decimal kind (:data:`_DATE_ITEMS`,
    finite ``Decimal``, pandas' ``Timestamp`` or ``Timedelta``): a DATE or NUMERIC column's
    categories, which fit sorts as it sorts numbers (rt81-09)."""
    kind = type(items[0])
    if any(type(v) is not kind for v in items):
        return False
    if kind is decimal.Decimal:
        return all(_plain_item(v) and v.is_finite() for v in items)
    if kind in _DATE_ITEMS:
        return True
    cls = class_of(items[0])
    return (
        isinstance(cls, type)
        and cls.__module__.split(".")[0] == "pandas"
        and cls.__qualname__ in ("Timestamp", "Timedelta")
    )


def _is_nan(value: Any) -> bool:
    return isinstance(value, (float, np.floating)) and math.isnan(value)


_LABEL_ENCODER = "sklearn.preprocessing._label:LabelEncoder"

#: The widest numpy text item a label array may declare beyond its longest label (characters).
MAX_LABEL_SLACK = 1024
#: The longest text label a numpy label array may hold (characters): numpy's text arrays are
#: fixed-width, so every output row takes the longest label's room, and two labels of 200,000
#: characters (a few hundred bytes compressed) made ``predict`` of 2,000 rows 1.6 GB
#: (rt76-11). Labels kept as Python strings in an object array are shared, not copied.
MAX_LABEL_CHARS = 4096


def _check_label_widths(key: str, value: Any) -> None:
    """Labels and categories come back in every output cell (``predict`` returns
    ``classes_.take(...)``, ``inverse_transform`` fills an array of the categories' type, a
    dummy model tiles its ``constant``): a numpy text dtype of 1 MiB per item holding
    one-character labels made ``predict`` return 1 MiB per input row (rt35-15). Its items may
    be at most as wide as its longest label or :data:`MAX_LABEL_SLACK` characters, whichever
    is more (``np.unique`` keeps the input's width, which may be wider than its labels). A
    void item has no labels to measure: it may be at most :data:`MAX_LABEL_SLACK` bytes
    (rt36-09). A list or tuple of arrays (a multi-output model's) is held item by item."""
    arrays = value if type(value) in (list, tuple) else [value]
    for arr in arrays:
        if not (isinstance(arr, np.ndarray) and arr.dtype.kind in "USV"):
            continue
        if arr.dtype.kind == "V":
            require(
                arr.dtype.itemsize <= MAX_LABEL_SLACK,
                f"{key} holds void items wider than {MAX_LABEL_SLACK} bytes",
            )
            continue
        per_char = 4 if arr.dtype.kind == "U" else 1
        # an empty array has no labels, but its dtype still widens what numpy allocates with
        # it (OrdinalEncoder's inverse_transform: np.result_type of all categories, rt37-09)
        longest = int(np.char.str_len(arr).max()) if arr.size else 0
        require(
            arr.dtype.itemsize <= per_char * max(longest, MAX_LABEL_SLACK),
            f"{key} declares text items far wider than its labels",
        )
        require(
            longest <= MAX_LABEL_CHARS,
            f"{key} holds a text label of more than {MAX_LABEL_CHARS} characters, which every "
            "output row would copy",
        )


_SELECTOR = "sklearn.feature_selection._base:SelectorMixin"
_FILTER = "sklearn.feature_selection._univariate_selection:_BaseFilter"
_MISSING_INDICATOR = "sklearn.impute._base:MissingIndicator"
_COLUMN_TRANSFORMER = "sklearn.compose._column_transformer:ColumnTransformer"
_KNN_IMPUTER = "sklearn.impute._knn:KNNImputer"
_ITERATIVE_IMPUTER = "sklearn.impute._iterative:IterativeImputer"


def _distinct_indexes(values: Any, n_in: Any, *, negative: bool = False) -> bool:
    """``values`` are distinct ints in ``[0, n_in)`` (a list, tuple or 1-D int array); with
    ``negative``, counted from the end as numpy does (``-1`` is the last), in
    ``[-n_in, n_in)`` and distinct once counted from the start."""
    if type(values) in (list, tuple):
        if not all(is_int(v) and type(v) is not bool for v in values):
            return False
        values = np.asarray(values, dtype=np.int64).reshape(-1)
    if not (isinstance(values, np.ndarray) and values.ndim == 1 and values.dtype.kind in "iu"):
        return False
    if values.size == 0:
        return True
    if not is_int(n_in):
        return False
    width = int(n_in)
    if negative and values.dtype.kind == "i" and int(values.min()) < 0:
        if not int_array_within(values, -width, width):
            return False
        values = np.where(values < 0, values.astype(np.int64) + width, values)
    return int_array_within(values, 0, width) and np.unique(values).size == values.size


def _column_selection(columns: Any, n_in: Any, names_in: Any) -> bool:
    """Whether a column transformer's stored selection (the third item of a ``transformers_``
    entry, which ``transform`` hands to ``_safe_indexing(X, columns, axis=1)``) selects each
    input column at most once: one column (an int or a name), a slice, a mask of one bool per
    input feature, or distinct column numbers or names. 10**5 zeros repeated one column 10**5
    times in every row (rt36-01)."""
    if (is_int(columns) and type(columns) is not bool) or type(columns) is str:
        return True
    if type(columns) is slice:
        return all(
            v is None or is_int(v) or type(v) is str
            for v in (columns.start, columns.stop, columns.step)
        )
    if (isinstance(columns, np.ndarray) and columns.dtype == np.bool_) or (
        type(columns) is list and columns and all(type(v) is bool for v in columns)
    ):
        return is_int(n_in) and np.size(columns) == int(n_in) and np.ndim(columns) == 1
    items = columns
    if isinstance(columns, np.ndarray) and columns.ndim == 1 and columns.dtype.kind in "OU":
        items = columns.tolist()
    if type(items) in (list, tuple) and items and all(isinstance(v, str) for v in items):
        known = names_in.tolist() if isinstance(names_in, np.ndarray) else None
        return len(set(items)) == len(items) and (known is None or set(items) <= set(known))
    return _distinct_indexes(columns, n_in, negative=True)


def _check_filter_scores(attrs: dict[str, Any], n_in: Any) -> None:
    """A univariate selector's ``scores_`` and ``pvalues_`` (``None`` when its score function
    gives scores only): what ``fit`` stores is one float per input feature. Its support mask is
    made from them (``np.ones(self.scores_.shape, dtype=bool)`` for ``k='all'``): a Bunch
    answering ``shape`` with (10**9,), or an empty sparse matrix of that shape, made
    ``transform`` allocate 1 GB from a file of 2 KB (rt53-07)."""
    for key in ("scores_", "pvalues_"):
        if key not in attrs or (key == "pvalues_" and attrs[key] is None):
            continue
        value = attrs[key]
        require(
            isinstance(value, np.ndarray)
            and value.ndim == 1
            and value.dtype.kind == "f"
            and value.dtype.fields is None
            and (n_in is None or (is_int(n_in) and value.size == int(n_in))),
            f"a univariate selector's {key} is not one float per input feature",
        )


def _check_feature_indexes(est: Any, attrs: dict[str, Any], n_in: Any) -> None:
    """Stored selections of the input's features, which methods index the input and its names
    with: a selector's ``support_`` (a mask, one bool per feature), a missing indicator's
    ``features_`` and a column transformer's ``_transformer_to_input_indices`` (distinct
    feature numbers). An index array of 4 x 10**6 zeros repeated one 1,024-character name in
    every generated name list and one column in every transformed row (rt35-01, rt35-04)."""
    from safeload.trust.structures.names import class_names

    keys = (
        "support_",
        "features_",
        "_transformer_to_input_indices",
        "_valid_mask",
        "transformers_",
        "imputation_sequence_",
        "scores_",
        "pvalues_",
    )
    if not any(k in attrs for k in keys):
        return
    names = class_names(est)
    if _FILTER in names:
        _check_filter_scores(attrs, n_in)
    for key, owner in (("support_", _SELECTOR), ("_valid_mask", _KNN_IMPUTER)):
        mask = attrs.get(key)
        if mask is not None and owner in names:
            require(
                isinstance(mask, np.ndarray)
                and mask.ndim == 1
                and mask.dtype == np.bool_
                and (n_in is None or mask.size == int(n_in)),
                f"{key} is not one bool per input feature",
            )
    features = attrs.get("features_")
    if features is not None and _MISSING_INDICATOR in names:
        require(_distinct_indexes(features, n_in), "features_ are not distinct input features")
    indexes = attrs.get("_transformer_to_input_indices")
    if indexes is not None and _COLUMN_TRANSFORMER in names:
        require(
            type(indexes) is dict and all(_distinct_indexes(v, n_in) for v in indexes.values()),
            "_transformer_to_input_indices are not distinct input features",
        )
    entries = attrs.get("transformers_")
    if entries is not None and _COLUMN_TRANSFORMER in names:
        names_in = attrs.get("feature_names_in_")
        require(
            type(entries) is list
            and all(
                type(e) in (list, tuple) and len(e) == 3 and _column_selection(e[2], n_in, names_in)
                for e in entries
            ),
            "transformers_ selects an input column more than once",
        )
    sequence = attrs.get("imputation_sequence_")
    if sequence is not None and _ITERATIVE_IMPUTER in names:
        # transform indexes its filled input with each triplet's neighbor_feat_idx before the
        # triplet's estimator checks any width: 4 x 10**6 zeros repeated one column (rt36-02)
        require(type(sequence) is list, "imputation_sequence_ is not a list")
        for triplet in sequence:
            feat: Any = getattr(triplet, "feat_idx", None)
            require(
                is_int(feat)
                and is_int(n_in)
                and 0 <= int(feat) < int(n_in)
                and _distinct_indexes(getattr(triplet, "neighbor_feat_idx", None), n_in),
                "imputation_sequence_ holds a triplet whose features are not distinct input "
                "features",
            )
        # transform predicts once per triplet, so the sequence is what fit ran: one triplet
        # per feature with missing values per iteration (n_iter_), each with its own fitted
        # estimator. 15,000 triplets over one shared estimator (4.2 KB) took 2.3 s of CPU
        # per transform, for one row (rt71-11)
        rounds: Any = attrs.get("n_iter_")
        require(
            is_int(rounds)
            and is_int(n_in)
            and len(sequence) <= int(rounds) * int(n_in)
            and _own_estimators(sequence),
            "imputation_sequence_ is longer than n_iter_ rounds of one triplet per input "
            "feature, or shares a triplet's estimator",
        )


def _own_estimators(sequence: list[Any]) -> bool:
    """Whether every triplet of an imputation sequence holds an estimator of its own, as fit
    clones one per step."""
    seen: set[int] = set()
    for triplet in sequence:
        held = getattr(triplet, "estimator", None)
        if id(held) in seen:
            return False
        seen.add(id(held))
    return True


def _stored_elements(obj: Any, depth: int, seen: set[int] | None = None) -> int:
    """How many array elements ``obj`` stores, looking ``depth`` objects deep: an upper bound
    for any output width its fitted state can honestly describe. Each array's memory counts
    once, however often the file refers to it (one 512-byte array listed 20,000 times paid for
    10**7 features, rt32-03)."""
    seen = set() if seen is None else seen
    total = 0
    values = list(vars(obj).values()) if _has_dict(obj) else []
    while values:
        v = values.pop()
        if isinstance(v, np.ndarray):
            root = root_array(v)
            if id(root) not in seen:
                seen.add(id(root))
                total += int(root.size)
        elif isinstance(v, (list, tuple)) and len(v) < 100_000:
            if id(v) not in seen:
                seen.add(id(v))
                values.extend(v)
        elif depth > 0 and not isinstance(v, type) and _has_dict(v) and id(v) not in seen:
            seen.add(id(v))
            total += _stored_elements(v, depth - 1, seen)
    return total


def _has_dict(obj: Any) -> bool:
    """Whether ``obj`` has a ``__dict__`` to count. scan's shadow of an object whose pickled
    state is not a dict (a KD tree inside Isomap's neighbours) cannot say: it counts as nothing,
    which only lowers the bound above. A load counts the real object's dict, which for those
    native objects is empty, so the two agree."""
    try:
        return hasattr(obj, "__dict__")
    except Unproven:
        return False


def _is_index_map(values: Any, n: int) -> bool:
    """``values`` are exactly the integers 0..n-1 (a vocabulary's column numbers)."""
    arr = (
        np.fromiter(values, dtype=np.int64, count=-1)
        if not isinstance(values, np.ndarray)
        else values
    )
    return bool(arr.shape == (n,) and np.array_equal(np.sort(arr), np.arange(n)))


def check_index_maps(est: Any, context: Any) -> None:
    """Vectorizers and binarizers turn stored maps into sparse column indexes, and scipy does not
    bound them before densifying: each map must number its columns 0..n-1 exactly."""
    attrs = vars(est) if _has_dict(est) else {}
    for name in ("vocabulary_", "_cached_dict"):
        mapping = attrs.get(name)
        if type(mapping) is Unknown:
            # scan's stand-in for a dict whose keys it cannot build: the columns it maps to go
            # into sparse indexes, so what cannot be checked is not passed (rt33-09)
            raise Unproven(f"the keys of {name}")
        if mapping is not None:
            # exactly a dict: a list, an array or a numpy record also answers map[label] and
            # len(), and their values went unchecked into sparse column indexes (rt32-11)
            require(type(mapping) is dict, f"{name} is not a dict")
            require(
                all(type(v) in (int, np.int64, np.int32, np.intp) for v in mapping.values()),
                f"{name} values are not column numbers",
            )
            require(_is_index_map(mapping.values(), len(mapping)), f"{name} columns malformed")
    outs = getattr(est, "_n_features_outs", None)
    cats = getattr(est, "categories_", None)
    if outs is not None and cats is not None:
        check_one_hot_columns(est, list(outs), list(cats))
    names = _class_names(est)
    if _TARGET_ENCODER in names:
        _check_target_encodings(attrs)
    if _CHAIN in names and attrs.get("order_") is not None:
        # predict ends with Y[:, inv_order], one output column per item of order_: 2**20 int8
        # zeros for 256 outputs gathered (n, 2**20) from 1 MB (rt59-08). Fit stores a
        # permutation of the outputs, one estimator each
        order: Any = attrs.get("order_")
        if type(order) is list and 0 < len(order) <= MAX_NUMBER_LIST:
            # fit keeps a list order as given (rt69-15)
            order = np.asarray(order) if all(is_int(i) for i in order) else None
        estimators: Any = attrs.get("estimators_")
        require(
            isinstance(order, np.ndarray)
            and order.ndim == 1
            and order.dtype.kind in "iu"
            and issubclass(type(estimators), (list, tuple, dict))
            and order.shape[0] == len(estimators)
            and bool(np.array_equal(np.sort(order), np.arange(order.shape[0]))),
            "a chain's order_ is not a permutation of its estimators",
        )
    if _ONE_VS_ONE in names:
        _check_pairwise_indices(attrs)
    if names & _CE_FRAME_ENCODERS:
        _check_encoder_frames(attrs)
    if _CE_ENCODER in names and "composite_members_" in attrs:
        _check_composites(attrs)
    if _LLE in names and attrs.get("embedding_") is not None:
        # transform allocates (n, n_components) from the parameter and broadcasts the
        # embedding into it: one column became 2**20 (rt59-11)
        embedding: Any = attrs.get("embedding_")
        require(
            isinstance(embedding, np.ndarray)
            and embedding.ndim == 2
            and is_int(attrs.get("n_components"))
            and int(attrs["n_components"]) == embedding.shape[1],
            "LocallyLinearEmbedding n_components disagrees with embedding_",
        )


_CE_ENCODER = "category_encoders.utils:BaseEncoder"


def _check_composites(attrs: dict[str, Any]) -> None:
    """A category encoder's composite columns as fit records them: ``name -> members``, the
    members at least two distinct input columns and the name their ``|``-join. ``transform``
    joins the members' text column by column, and a member listed twice selects every column
    of that name each time: one ``b`` listed 800 times (1.6 KB, a memo reference each) took
    74 s of CPU for two rows (red team 60's last lead)."""
    groups: Any = attrs.get("composite_members_")
    inputs: Any = attrs.get("feature_names_in_")
    known = (
        {n for n in inputs if type(n) is str}
        if type(inputs) is list or issubclass(type(inputs), np.ndarray)
        else None
    )
    require(type(groups) is dict, "a category encoder's composite_members_ is not a dict")
    for name, group in groups.items():
        require(
            type(name) is str
            and type(group) is tuple
            and len(group) >= 2
            and all(type(member) is str for member in group)
            and len(set(group)) == len(group)
            and name == "|".join(group)
            and (known is None or all(member in known for member in group)),
            "a category encoder's composite columns are not distinct input columns joined "
            "by '|', as fit records them",
        )


#: category_encoders' encoders whose ``transform`` reindexes a frame per encoded column.
_CE_FRAME_ENCODERS = frozenset(
    {
        "category_encoders.one_hot:OneHotEncoder",
        "category_encoders.basen:BaseNEncoder",
        "category_encoders.base_contrast_encoder:BaseContrastEncoder",
    }
)


def _check_encoder_frames(attrs: dict[str, Any]) -> None:
    """category_encoders' one-hot, base-n and contrast encoders keep one frame per encoded
    column and ``transform`` reindexes it by the input's codes: one row of the frame, all its
    columns, per input row, so its columns are output columns. Fit makes a list of plain
    dicts, each with a frame that has a row per category (and the unknown and missing rows)
    and at most a column per row (one more for unary coding, rt60-16); a (1, 4096) int8 frame
    was 4,096 float64 columns per row for 4 KB (rt60-01), and an ``OrderedDict`` entry escaped
    the rule (rt60-09)."""
    from safeload.trust.object_checks import shape_of

    mapping: Any = attrs.get("mapping")
    if mapping is None:
        return
    require(
        type(mapping) is list and all(type(entry) is dict for entry in mapping),
        "a category encoder's mapping is not a list of dicts, as fit makes it",
    )
    for entry in mapping:
        shape = shape_of(entry.get("mapping"))
        if shape is not None and len(shape) == 2:
            # (unary base-n coding with unknown and missing indicators fits one column more
            # than rows, rt60-16)
            require(
                shape[1] <= shape[0] + 1,
                "a category encoder's mapping frame is wider than its rows (one per category)",
            )


_CHAIN = "sklearn.multioutput:_BaseChain"
_ONE_VS_ONE = "sklearn.multiclass:OneVsOneClassifier"


def _check_pairwise_indices(attrs: dict[str, Any]) -> None:
    """OneVsOne over a pairwise estimator gathers ``X[:, idx]`` for every pair before any
    predicts, one column per stored index: 65,536 int8 zeros per pair made 3 x (n, 65536)
    from 197 KB (rt59-13). Fit stores each pair's training rows (``np.where``: increasing),
    one per column of the kernel that pair's estimator was fitted on."""
    indices: Any = attrs.get("pairwise_indices_")
    if indices is None:
        return
    estimators: Any = attrs.get("estimators_")
    require(
        type(indices) in (list, tuple)
        and type(estimators) in (list, tuple)
        and len(indices) == len(estimators),
        "OneVsOne pairwise_indices_ is not one array per estimator",
    )
    for idx, est in zip(indices, estimators, strict=True):
        n_in: Any = vars(est).get("n_features_in_") if _has_dict(est) else None
        require(
            isinstance(idx, np.ndarray)
            and idx.ndim == 1
            and idx.dtype.kind in "iu"
            and is_int(n_in)
            and idx.shape[0] == int(n_in)
            and (idx.size == 0 or int(idx[0]) >= 0)
            and bool(np.all(idx[1:] > idx[:-1])),
            "OneVsOne pairwise_indices_ are not increasing rows, one per estimator input",
        )


_LLE = "sklearn.manifold._locally_linear:LocallyLinearEmbedding"


_TARGET_ENCODER = "sklearn.preprocessing._target_encoder:TargetEncoder"


def _check_target_encodings(attrs: dict[str, Any]) -> None:
    """TargetEncoder's ``transform`` allocates ``n_features * n_classes`` columns per row
    (multiclass) whatever ``encodings_`` holds, and fills those it lists: fit stores one
    encoding per feature and class, so one array standing for 2,097,152 made 32 GB for 2,000
    rows from 80 KB (rt59-02). ``encodings_`` must be a list of exactly that many arrays."""
    encodings: Any = attrs.get("encodings_")
    if encodings is None:
        return  # not fitted
    n_in: Any = attrs.get("n_features_in_")
    classes: Any = attrs.get("classes_")
    kind: Any = attrs.get("target_type_")
    require(is_int(n_in) and type(kind) is str, "TargetEncoder n_features_in_ or target_type_")
    per_feature = 1
    if kind == "multiclass":
        require(
            isinstance(classes, np.ndarray) and classes.ndim == 1,
            "TargetEncoder classes_ is not one array",
        )
        per_feature = int(classes.shape[0])
    require(
        type(encodings) is list
        and len(encodings) == int(n_in) * per_feature
        and all(isinstance(e, np.ndarray) for e in encodings),
        "TargetEncoder encodings_ is not one array per feature and class",
    )
    require(_held_once(encodings), "TargetEncoder encodings_ holds one array more than once")


def _index_list(est: Any, name: str, n: int) -> list[Any] | None:
    """``est.name`` as a list of ``n`` per-feature entries (or ``None`` when absent)."""
    value = getattr(est, name, None)
    if value is None:
        return None
    items = list(value)
    require(len(items) == n, f"{name} disagrees with categories_")
    return items


def check_one_hot_columns(est: Any, outs: list[Any], cats: list[Any]) -> None:
    """OneHotEncoder.transform makes each output column from the category index: mapped through
    ``_default_to_infrequent_mappings[i]`` (``np.take``, values unchecked), decremented past
    ``_drop_idx_after_grouping[i]``, offset by the earlier ``_n_features_outs``. scipy does not
    bound the column indexes before ``toarray`` writes ``out[row * n_cols + col]``, so every
    column a category can reach must be in ``[0, _n_features_outs[i])``."""
    n = len(cats)
    require(len(outs) == n, "_n_features_outs disagrees with categories_")
    infrequent = bool(getattr(est, "_infrequent_enabled", False))
    public_drop = _index_list(est, "drop_idx_", n)
    after = (
        _index_list(est, "_drop_idx_after_grouping", n)
        if hasattr(est, "_drop_idx_after_grouping")
        else public_drop
    )
    mappings = _index_list(est, "_default_to_infrequent_mappings", n) if infrequent else None
    rare = _index_list(est, "_infrequent_indices", n) if infrequent else None
    for i, (width_value, cat) in enumerate(zip(outs, cats, strict=True)):
        require(is_int(width_value), "_n_features_outs is not a count")
        width, size = int(width_value), len(cat)
        require(0 <= width <= size, "_n_features_outs out of range")
        if public_drop is not None and public_drop[i] is not None:
            require(int_array_within(public_drop[i], 0, size), "drop_idx_ out of range")
        if rare is not None and rare[i] is not None:
            require(
                np.size(rare[i]) > 0 and int_array_within(rare[i], 0, size),
                "_infrequent_indices out of range",
            )
        dropped = after is not None and after[i] is not None
        grouped = width + int(dropped)  # the category indexes transform can make
        mapping = mappings[i] if mappings is not None else None
        if mapping is None:  # transform uses the raw category index as the column
            require(grouped == size, "_n_features_outs disagrees with categories_")
        else:
            require(
                np.shape(mapping) == (size,) and int_array_within(mapping, 0, grouped),
                "_default_to_infrequent_mappings maps past the output columns",
            )
        if dropped and after is not None:
            to_drop = after[i]
            require(
                is_int(to_drop) and 0 <= int(to_drop) < grouped,
                "_drop_idx_after_grouping out of range",
            )


def check_features_out(est: Any, context: Any) -> None:
    """get_feature_names_out builds one name per output column from ``_n_features_out``."""
    n_out = getattr(est, "_n_features_out", None)
    centers = getattr(est, "cluster_centers_", None)
    if n_out is not None and centers is not None:
        require(int(n_out) == np.asarray(centers).shape[0], "_n_features_out disagrees")


#: The most characters ``OneHotEncoder.get_feature_names_out`` may write from a file's names
#: and categories beyond :data:`NAME_SPREAD` times what they store (see
#: :func:`check_one_hot_names`).
MAX_ONE_HOT_NAME_CHARS = 1 << 24


NAME_SPREAD = 64


def check_one_hot_names(est: Any, context: Any) -> None:
    """``OneHotEncoder.get_feature_names_out`` writes ``f"{name}_{category}"`` for every
    category of every feature, so a feature's name is repeated once per category: a 64 KB
    name and 10,000 categories made 655 MB of names from a 146 KB file (rt31-06). The
    characters written may not pass :data:`MAX_ONE_HOT_NAME_CHARS` or, if more,
    :data:`NAME_SPREAD` times the characters and categories the encoder stores."""
    categories: Any = getattr(est, "categories_", None)
    if categories is None:
        return
    require(
        type(categories) is list and all(isinstance(c, np.ndarray) for c in categories),
        "OneHotEncoder categories_ is not a list of arrays",
    )
    counts = [int(c.size) for c in categories]
    names: Any = vars(est).get("feature_names_in_")
    if isinstance(names, np.ndarray) and names.ndim == 1 and names.shape[0] == len(counts):
        lengths = [len(str(name)) for name in names.tolist()]
    elif isinstance(names, np.ndarray) and names.size:
        # scikit-learn still takes names from it: the longest stands for each (rt32-04)
        longest = max(len(str(name)) for name in names.ravel().tolist())
        lengths = [longest] * len(counts)
    else:
        lengths = [len(f"x{i}") for i in range(len(counts))]
    written = sum((length + 1) * count for length, count in zip(lengths, counts, strict=True))
    stored = sum(lengths) + sum(counts)
    require(
        written <= max(MAX_ONE_HOT_NAME_CHARS, NAME_SPREAD * stored),
        f"OneHotEncoder's output names would repeat its feature names {written:,} characters",
    )


def _is_identity(branch: Any, depth: int = 0) -> bool:
    """Whether a union's branch passes its input through unchanged and stores nothing:
    ``"passthrough"``, the identity FunctionTransformer ``fit`` puts in its place, or a
    Pipeline of only such steps (rt33-06)."""
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    if isinstance(branch, str) or branch is None:
        return branch in ("passthrough", None)
    cls = class_of(branch)
    attrs = vars(branch) if _has_dict(branch) else {}
    if cls is FunctionTransformer:
        return attrs.get("func") is None
    steps: Any = attrs.get("steps")
    if cls is Pipeline and type(steps) in (list, tuple) and depth < 12:
        return all(
            type(step) in (list, tuple) and len(step) == 2 and _is_identity(step[1], depth + 1)
            for step in steps
        )
    return False


def check_composite_width(est: Any, context: Any) -> None:
    """A FeatureUnion or ColumnTransformer outputs its branches side by side. A branch that
    passes its input through (:func:`_is_identity`) stores nothing, so a file can stack many
    of them, and a Pipeline of such unions multiplies the width per layer: 20 layers of two
    then one of 64 returned 2**26 columns per input row from 6.7 KB (rt32-13). The columns
    such branches output together may not pass :data:`MAX_EMPTY_DIM`, the bound on an unpaid
    width; each counts as wide as the widest input a branch records (for a column
    transformer, its own ``n_features_in_``), an upper bound of what it passes. Branches are
    read where the class reads them (``transformer_list``; a column transformer's
    ``transformers_``, else ``transformers``), not from a spare attribute (rt33-18); with
    several identity branches and no recorded width, nothing bounds them, so that is refused
    too."""
    from sklearn.pipeline import FeatureUnion

    attrs = vars(est) if _has_dict(est) else {}
    cls = class_of(est)
    if isinstance(cls, type) and issubclass(cls, FeatureUnion):
        entries: Any = attrs.get("transformer_list")
    else:
        entries = attrs.get("transformers_", attrs.get("transformers"))
    if type(entries) not in (list, tuple):
        return
    branches = [e[1] for e in entries if type(e) in (list, tuple) and len(e) >= 2]
    width = attrs.get("n_features_in_")
    widths = [vars(b).get("n_features_in_") for b in branches if _has_dict(b)]
    known = [int(w) for w in (width, *widths) if is_int(w)]
    width_in = max(known, default=0)
    identities = sum(1 for branch in branches if _is_identity(branch))
    require(
        identities < 2 or width_in > 0,
        "several pass-through branches and no recorded width to bound them",
    )
    free = identities * width_in
    require(
        free <= MAX_EMPTY_DIM,
        f"its pass-through branches output {free:,} columns (at most {MAX_EMPTY_DIM:,})",
    )
