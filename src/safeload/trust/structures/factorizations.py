"""What one call redoes of a fit-sized factorization: the bound on per-call SVDs and eigen
solves (rt84-15, rt84-16).

Some public methods factorize a stored matrix again on every call, whatever rows they are
given, where fit could have kept the result:

- a random projection fitted without ``compute_inverse_components`` (scikit-learn's
  default): ``inverse_transform`` runs ``scipy.linalg.pinv(components_)``, an SVD of
  (components x features); a sparse ``components_`` is made dense first. A 2,048 x 2,048
  one whose rows hold a single 1 was a 5.4 KB file (1.8 KB as CSR) whose
  ``inverse_transform`` of one row took 4.7 s (rt84-15);
- a Gaussian mixture's ``sample()`` hands each component's covariance (``'full'``), or the
  one shared covariance once per component (``'tied'``), to
  ``RandomState.multivariate_normal``, which takes its SVD on every call; ``'diag'`` and
  ``'spherical'`` take none. One component over 2,048 features, a 15.5 KB file: 5.4 s for
  ``sample(1)`` (rt84-16);
- a covariance estimator kept without its precision (``store_precision`` false):
  ``get_precision()`` is ``scipy.linalg.pinvh(covariance_)``, an eigen solve, in every
  ``mahalanobis``, ``score`` and ``EllipticEnvelope`` prediction: 2,048 features, 5.4 KB,
  1.6 s for one row (rt84-16).

An honest model of that size pays the same, but it stores the matrices it factorizes, and
they are as large as the work is wide; the attacker's are a few KB of compressible arrays.
So the bound is paid by the file's size, as the other use-time bounds are: the operations of
these factorizations (an SVD or eigen solve of an (m, n) matrix counted ``min(m, n)**2 x
max(m, n)``), each times how often a recursive method meets its owner, add up to at most
:data:`MAX_CALL_FACTOR_WORK`, or :data:`FACTOR_SPREAD` per byte of the file as stored.

Others make a (features, features) matrix from what they store and take its log-determinant
(``fast_logdet``, an LU) in every ``score`` (rt86-03, rt86-04):

- a PCA's (and an IncrementalPCA's, which has no ``score``) ``get_precision`` builds the
  precision from ``components_`` by the inversion lemma, an inverse of (components,
  components) and products of ``features**2 x components``, or, with ``noise_variance_`` 0,
  inverts ``get_covariance()`` (features**3); ``score`` / ``score_samples`` take its LU: one
  component over 8,192 features, 772 bytes as xz, scored one row in 14.3 s, and 23,170
  features asked a 4.3 GB precision; a FactorAnalysis alike (its inverse when its
  ``n_components`` is the features);
- a covariance estimator's ``score`` runs ``log_likelihood(test_cov, get_precision())``, an
  LU of the precision even when it is stored: identity matrices of 4,096 features, 40 KB as
  xz, scored one row in 2.2 s (EllipticEnvelope's ``score`` is an accuracy and takes none).

These are BLAS-3 work, some ten times faster per multiply-add than an SVD per counted
operation, so they count :data:`BLAS_MADDS` multiply-adds an operation (an LU of n x n is
n**3 / 3 of them, an inverse n**3, a product m x n x k) under the same bound; and the square
matrix a call makes may be at most :data:`MAX_SQUARE_BYTES` or :data:`SQUARE_SPREAD` per
byte of the file as stored.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Factorization operations one call of a public method may redo for the whole model, whatever
#: its file: 2**30, one second or less on one core here (OMP_NUM_THREADS=1, the shared 2-core
#: machine). Measured per operation: scipy's ``pinvh`` of a dense symmetric positive definite
#: 1,024 x 1,024 matrix (an honest covariance) 0.95 s (0.89 ns; of the identity 0.19 s);
#: ``multivariate_normal``'s SVD of it 0.67 s (the identity 0.51 s); ``pinv`` of Gaussian
#: components 1,024 x 1,024 0.60 s, 512 x 4,096 0.59 s, 256 x 8,192 0.34 s (0.55-0.63 ns).
MAX_CALL_FACTOR_WORK = 1 << 30
#: Factorization operations per byte of the file as stored (compressed as it is), past
#: :data:`MAX_CALL_FACTOR_WORK`: some 2-4 us of CPU per byte at the rates above. Honest fitted
#: models measured, in operations per byte of ``joblib.dump(compress=3)`` (of xz, of a
#: pickle): a full-covariance GaussianMixture stores ``covariances_``, ``precisions_`` and
#: ``precisions_cholesky_``, 3 x features**2 floats a component, and pays features / 19
#: (features / 13.5, / 24; 27 at 512 features); a 'tied' one takes the SVD of the one matrix
#: it stores once per component: components x features / 19 (106 for 4 over 512); a
#: covariance estimator without its precision stores ``covariance_``: features / 7.6 (/ 4.9,
#: / 8; 67 at 512 features; MinCovDet and EllipticEnvelope keep the raw estimate too: half
#: that); a GaussianRandomProjection stores every component: components / 7.7 (133 for 1,024
#: x 4,096). So 4,096 admits covariance estimators of 20,000 features and more, and tied
#: mixtures of some 55,000 (xz) to 79,000 components x features. A SparseRandomProjection
#: stores a few bytes per nonzero (1 / sqrt(features) of them) and pays 0.39 x components x
#: sqrt(features) (0.56 xz, 0.083 as a pickle): 25,000 for 1,024 x 4,096 (a pickle: 5,400),
#: whose ``inverse_transform`` takes 2.2 s a call. No spread an attacker could not use pays
#: for that: past :data:`MAX_CALL_FACTOR_WORK` it is refused unless it keeps its inverse
#: (``compute_inverse_components=True``).
FACTOR_SPREAD = 4096
#: Multiply-adds of BLAS-3 work (an LU, an inverse, a matrix product) counted as one operation
#: of the bound: measured here (one thread), ``slogdet`` of n x n took 0.020-0.026 ns per n**3
#: (1,024: 0.033 s; 4,096: 1.37 s), 0.06-0.08 ns per multiply-add; ``inv`` 0.04-0.10 ns per
#: n**3; a PCA's ``score`` with 1,024 components over 4,096 features (an inverse of 1,024,
#: products of 4,096**2 x 1,024 and the LU) 3.3 s, 0.09 ns per multiply-add counted. 8 of them
#: are 0.5-0.9 ns, the rate the SVD count measured, so an LU of 2,950 features is the
#: absolute bound's 2**30 (about 0.6 s), and one of 8,192 (11.6 s for a PCA's ``score``) asks
#: 5.6 MB of file.
BLAS_MADDS = 8
#: Bytes of the (features, features) matrix (float64) a call makes from what the model stores
#: (a PCA's or FactorAnalysis's precision or covariance, a covariance estimator's test
#: covariance in ``score``), whatever the file: 2**28, 5,792 features; a ``score`` peaked at
#: 2.0-2.4 times it (4 times with an inverse), some 1 GB at the bound. An honest PCA over
#: 784 features makes 4.9 MB, over 2,000 32 MB.
MAX_SQUARE_BYTES = 1 << 28
#: Bytes of that matrix per byte of the file as stored, past :data:`MAX_SQUARE_BYTES`: 32, so
#: a PCA over 8,192 features (537 MB) keeps 256 of its components (16.8 MB), and the LU the
#: bound above prices grows no faster (at 23,170 features both ask some 130 MB). A covariance
#: estimator stores two such matrices, 16 times what it makes (a file of as many bytes unless
#: it compresses: 4,096 identity matrices are 40 KB as xz).
SQUARE_SPREAD = 32

#: The classes (``module:qualname`` of a base) whose methods factorize a stored matrix.
_PROJECTION = "sklearn.random_projection:BaseRandomProjection"
_MIXTURE = "sklearn.mixture._base:BaseMixture"
_COVARIANCE = "sklearn.covariance._empirical_covariance:EmpiricalCovariance"
_ENVELOPE = "sklearn.covariance._elliptic_envelope:EllipticEnvelope"
_BASE_PCA = "sklearn.decomposition._base:_BasePCA"
_PCA = "sklearn.decomposition._pca:PCA"
_FACTOR_ANALYSIS = "sklearn.decomposition._factor_analysis:FactorAnalysis"
_FACTORING = (_PROJECTION, _MIXTURE, _COVARIANCE, _BASE_PCA, _FACTOR_ANALYSIS)


def per_call_factorization_work(obj: Any) -> int:
    """The operations of the factorization one call of a public method of ``obj`` redoes
    whatever the rows it is given (0 for anything else): see :func:`_factorization`. Raises
    :class:`~safeload.trust.shadow_values.Unproven` for a value scan cannot see."""
    work, _, _, once = _factorization(obj)
    return work + once


def per_call_square_bytes(obj: Any) -> int:
    """The bytes of the square matrix (float64) one call of a public method of ``obj`` makes
    from what it stores, whatever the rows (0 for anything else): see :func:`_factorization`."""
    return _factorization(obj)[2]


def factorization_problem(
    instances: Any, meets: dict[int, int], file_size: int | None
) -> str | None:
    """Why the factorizations the model's methods redo on every call cost too much, or
    ``None``: :func:`per_call_factorization_work` of each instance, times how often a
    recursive method meets it (``meets``, by id; an instance not in it is not held by the
    model), at most :data:`MAX_CALL_FACTOR_WORK` or :data:`FACTOR_SPREAD` per byte of the file
    as stored (``file_size``), plus the dearest work of a method no recursive method calls
    more than once (a ``score``'s LU, a PCA's precision: see :func:`_factorization`); and
    the square matrix one call makes
    (:func:`per_call_square_bytes`, the largest of any instance held: a call's temporaries
    are gone when it returns), at most :data:`MAX_SQUARE_BYTES` or :data:`SQUARE_SPREAD` per
    byte of the file."""
    from safeload.trust import facts
    from safeload.trust.shadow_values import class_of

    bound = max(MAX_CALL_FACTOR_WORK, FACTOR_SPREAD * (file_size or 0))
    total = 0
    first = 0  # the dearest work of a method no recursive method calls (see _factorization)
    dearest = (0, "")
    widest = (0, "")
    for obj in instances:
        times = meets.get(id(obj), 0)
        if not times:
            continue
        if facts.mro_names(class_of(obj)).isdisjoint(_FACTORING):
            continue
        work, what, square, once = _factorization(obj)
        total += times * work
        dearest = max(dearest, (times * work + once, what))
        widest = max(widest, (square, what))
        first = max(first, once)
    total += first
    if total > bound:
        return (
            f"its methods would redo {total:,} operations of matrix factorizations on every "
            f"call, whatever the rows (at most {bound:,}, the larger of "
            f"{MAX_CALL_FACTOR_WORK:,} and {FACTOR_SPREAD:,} per byte of the file as stored: "
            f"an honest model pays by storing the matrices it factorizes): {dearest[1]}"
        )
    room = max(MAX_SQUARE_BYTES, SQUARE_SPREAD * (file_size or 0))
    if widest[0] > room:
        return (
            f"its methods would make a square matrix of {widest[0]:,} bytes for matrix "
            f"factorizations on every call, whatever the rows (at most {room:,}, the larger "
            f"of {MAX_SQUARE_BYTES:,} and {SQUARE_SPREAD} per byte of the file as stored): "
            f"{widest[1]}"
        )
    return None


def _factorization(obj: Any) -> tuple[int, str, int, int]:
    """(operations a recursive method redoes each time it meets ``obj``, what they are and
    how an honest model avoids them, bytes of the square matrix made, operations of a method
    no recursive method calls more than once a call) of the factorization a call of
    ``obj``'s public methods redoes, read from its attributes as the methods read them. The
    last are ``score``'s and ``get_precision``'s: a Pipeline's ``score`` calls its last
    step's once, and no union or ensemble calls its members' (it scores their
    predictions), so the model pays the dearest of them once, not each times its meetings:

    - a random projection whose ``compute_inverse_components`` is not true:
      ``inverse_transform``'s ``pinv(components_)``, sparse components counted dense;
    - a Gaussian mixture (and a Bayesian one) whose ``covariance_type`` is ``'full'``: an SVD
      of each of its ``covariances_`` in ``sample()``; ``'tied'``: of its one covariance
      once per row of ``means_``; any value but a string counts the dearer of the two;
    - a covariance estimator whose ``store_precision`` is not true: ``get_precision()``'s
      ``pinvh(covariance_)``; and, but for an EllipticEnvelope, ``score``'s LU of the
      precision (``precision_`` when it is stored);
    - a PCA, IncrementalPCA or FactorAnalysis: ``get_precision`` (:func:`_pca_precision`)
      and, but for an IncrementalPCA, ``score``'s LU of it.

    A flag counts as true only as a bool, numpy bool or nonzero int (what fit stores), so
    anything stranger counts the work."""
    from safeload.trust import facts
    from safeload.trust.shadow_values import class_of
    from safeload.trust.structures.names import _attrs

    cls = class_of(obj)
    bases = facts.mro_names(cls)
    name = facts.short_name(cls)
    attrs = _attrs(obj)
    if _PROJECTION in bases:
        shape = _unless_kept(attrs, "compute_inverse_components", "components_")
        if shape is None:
            return 0, "", 0, 0
        return (
            _svd_work(shape),
            (
                f"a {name}'s inverse_transform runs pinv of its {_dims(shape)} components_ on "
                "every call (fitted without compute_inverse_components); refit it with "
                "compute_inverse_components=True, which stores the inverse"
            ),
            0,
            0,
        )
    if _MIXTURE in bases:
        kind = attrs.get("covariance_type", _ABSENT)
        if kind is _ABSENT:
            return 0, "", 0, 0
        _unproven(kind, "a mixture's covariance_type")
        covariances = _matrix_shape(attrs.get("covariances_"))
        if covariances is None:
            return 0, "", 0, 0
        plain = type(kind) in (str, np.str_)
        full = _svd_work(covariances) if len(covariances) == 3 else 0
        tied = 0
        if len(covariances) == 2:
            means = _matrix_shape(attrs.get("means_"))
            tied = (means[0] if means else 0) * _svd_work(covariances)
        if plain and kind != "full":
            full = 0
        if plain and kind != "tied":
            tied = 0
        if full >= tied:
            what = (
                f"a {name}'s sample() takes an SVD of each of its {_dims(covariances)} "
                "covariances_ on every call (an honest mixture stores each with its "
                "precisions); refit it with covariance_type='diag', which samples without one"
            )
            return full, what, 0, 0
        return (
            tied,
            (
                f"a 'tied' {name}'s sample() takes an SVD of its {_dims(covariances)} "
                "covariance once per component on every call; refit it with "
                "covariance_type='full' (one stored per component) or 'diag', or with fewer "
                "components"
            ),
            0,
            0,
        )
    if _COVARIANCE in bases:
        return _covariance(name, attrs, scored=_ENVELOPE not in bases)
    if _BASE_PCA in bases or _FACTOR_ANALYSIS in bases:
        factor = _FACTOR_ANALYSIS in bases
        return _pca_precision(name, attrs, factor, scored=factor or _PCA in bases)
    return 0, "", 0, 0


def _covariance(name: str, attrs: dict[str, Any], scored: bool) -> tuple[int, str, int, int]:
    """:func:`_factorization` of a covariance estimator: ``get_precision()`` is ``precision_``
    when ``store_precision`` is true, else ``pinvh(covariance_)``; ``score`` (``scored``: not
    an EllipticEnvelope's, an accuracy) takes an LU of it beside a test covariance of as many
    features (rt86-04)."""
    kept = attrs.get("store_precision", _ABSENT)
    if kept is _ABSENT:
        return 0, "", 0, 0  # (get_precision raises)
    covariance = _matrix_shape(attrs.get("covariance_"))
    if _surely_true(kept):
        pinvh = 0
        precision = _matrix_shape(attrs.get("precision_"))
    else:
        precision = covariance
        pinvh = _svd_work(precision) if precision else 0
    # (check_covariance sizes covariance_, precision_ and location_ alike; score makes the
    # test covariance before it reads the precision)
    sides = [n for shape in (covariance, precision) if shape for n in shape[-2:]]
    side = max(sides, default=0)
    if not side:
        return 0, "", 0, 0
    lu = _blas_work(_lu_madds(precision)) if scored and precision else 0
    square = 8 * side * side if scored or pinvh else 0
    precision = precision or covariance or (side, side)
    if pinvh:
        return (
            pinvh,
            (
                f"a {name} kept without its precision runs pinvh of its {_dims(precision)} "
                "covariance_ in every mahalanobis, score and prediction; refit it with "
                "store_precision=True (the default), which stores the precision"
            ),
            square,
            lu,
        )
    return (
        0,
        (
            f"a {name}'s score takes the log-determinant (an LU) of its {_dims(precision)} "
            "precision_ on every call, whatever the rows; an honest estimator stores the "
            "covariance and precision it is scored with, as large as that work is wide"
        ),
        square,
        lu,
    )


def _pca_precision(
    name: str, attrs: dict[str, Any], factor: bool, scored: bool
) -> tuple[int, str, int, int]:
    """:func:`_factorization` of a PCA, IncrementalPCA or FactorAnalysis (``factor``) with
    ``components_`` of (k, f): ``get_precision`` (and ``score``, ``score_samples``) builds
    the (f, f) precision by the inversion lemma, ``components_ @ components_.T`` (k k f), an
    inverse of (k, k) (k**3) and ``components_.T @ inv @ components_`` (f k k + f f k); or,
    when ``noise_variance_`` is 0 (a PCA; not surely a nonzero number counts it) or
    ``n_components`` is f (a FactorAnalysis; anything but None or another int counts it),
    inverts ``get_covariance()`` (f f k, then f**3). ``score`` (``scored``: an
    IncrementalPCA has none) takes an LU of the precision (f**3 / 3) (rt86-03)."""
    from safeload.trust.structures.common import is_int

    shape = _matrix_shape(attrs.get("components_"))
    if shape is None or len(shape) != 2:
        return 0, "", 0, 0
    k, f = shape
    if factor:
        wanted = attrs.get("n_components", _ABSENT)
        _unproven(wanted, "a FactorAnalysis's n_components")
        inverts = not (wanted is None or (is_int(wanted) and int(wanted) != f))
    else:
        noise = attrs.get("noise_variance_", _ABSENT)
        if noise is _ABSENT:
            return 0, "", 0, 0  # (get_precision and get_covariance raise)
        _unproven(noise, "a PCA's noise_variance_")
        inverts = not (isinstance(noise, (float, np.floating)) and noise != 0)
    if inverts:
        madds = f * f * k + f**3
    else:
        madds = 2 * k * k * f + k**3 + f * f * k
    if scored:
        madds += _lu_madds((f, f))
    side = max(k, f)
    calls = "score, get_precision and get_covariance" if scored else "get_precision"
    return (
        0,
        (
            f"a {name} of {_dims(shape)} components_ builds its {f:,} x {f:,} precision"
            f"{' and takes its log-determinant (an LU)' if scored else ''} in every call of "
            f"{calls}, whatever the rows; an honest one pays by storing the components it "
            "is fitted with (keep more, or fit it over fewer features)"
        ),
        8 * side * side,
        _blas_work(madds),
    )


#: An attribute the instance does not hold (the method would raise AttributeError).
_ABSENT = object()


def _unproven(value: Any, what: str) -> None:
    """Raise :class:`~safeload.trust.shadow_values.Unproven` for a value scan cannot see."""
    from safeload.trust.shadow_values import Unknown, Unproven

    if type(value) is Unknown:
        raise Unproven(f"{what}, which a method's factorization reads")


def _unless_kept(attrs: dict[str, Any], flag: str, matrix: str) -> tuple[int, ...] | None:
    """The shape of the ``matrix`` attribute a method factorizes on every call unless the
    ``flag`` parameter had fit keep its result (a projection's inverse, a covariance's
    precision); ``None`` when it is kept, the flag is absent or there is no matrix."""
    kept = attrs.get(flag, _ABSENT)
    if kept is _ABSENT or _surely_true(kept):
        return None
    return _matrix_shape(attrs.get(matrix))


def _surely_true(value: Any) -> bool:
    """``value`` is a true flag as fit stores one: a bool, numpy bool or nonzero int."""
    from safeload.trust.structures.common import is_int

    _unproven(value, "a flag")
    if type(value) in (bool, np.bool_):
        return bool(value)
    return is_int(value) and int(value) != 0


def _matrix_shape(value: Any) -> tuple[int, ...] | None:
    """The shape a factorization sees of ``value``: an array's or a sparse matrix's (made
    dense); ``None`` for anything else. (numpy would factorize a list of rows too, but fit
    stores arrays, and a fitted list of numbers is refused: ``check_covariance`` for
    ``covariance_``, the fitted-list rule of :mod:`.widths` for the others, rt69-01.)"""
    from safeload.trust.object_checks import shape_of

    _unproven(value, "a stored matrix")
    return None if value is None else shape_of(value)


def _svd_work(shape: tuple[int, ...]) -> int:
    """Operations of an SVD (or eigen solve) of each of the matrices an array of ``shape``
    stacks along its last two axes: ``min(m, n)**2 x max(m, n)`` each (scipy's ``pinv`` and
    ``pinvh`` take a stack one matrix at a time); 0 for fewer than two axes."""
    if len(shape) < 2:
        return 0
    m, n = shape[-2], shape[-1]
    stacked = 1
    for axis in shape[:-2]:
        stacked *= axis
    return stacked * min(m, n) ** 2 * max(m, n)


def _lu_madds(shape: tuple[int, ...]) -> int:
    """Multiply-adds of an LU of each (m, n) matrix an array of ``shape`` stacks (``slogdet``):
    ``min(m, n)**2 x max(m, n) / 3``; 0 for fewer than two axes."""
    return _svd_work(shape) // 3


def _blas_work(madds: int) -> int:
    """Operations of the bound that ``madds`` multiply-adds of BLAS-3 work count:
    :data:`BLAS_MADDS` each, rounded up."""
    return -(-madds // BLAS_MADDS)


def _dims(shape: tuple[int, ...]) -> str:
    """``shape`` written as ``a x b``."""
    return " x ".join(f"{n:,}" for n in shape)
