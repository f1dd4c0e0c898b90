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

#: The classes (``module:qualname`` of a base) whose methods factorize a stored matrix.
_PROJECTION = "sklearn.random_projection:BaseRandomProjection"
_MIXTURE = "sklearn.mixture._base:BaseMixture"
_COVARIANCE = "sklearn.covariance._empirical_covariance:EmpiricalCovariance"


def per_call_factorization_work(obj: Any) -> int:
    """The operations of the factorization one call of a public method of ``obj`` redoes
    whatever the rows it is given (0 for anything else): see :func:`_factorization`. Raises
    :class:`~safeload.trust.shadow_values.Unproven` for a value scan cannot see."""
    return _factorization(obj)[0]


def factorization_problem(
    instances: Any, meets: dict[int, int], file_size: int | None
) -> str | None:
    """Why the factorizations the model's methods redo on every call cost too much, or
    ``None``: :func:`per_call_factorization_work` of each instance, times how often a
    recursive method meets it (``meets``, by id; an instance not in it is not held by the
    model), at most :data:`MAX_CALL_FACTOR_WORK` or :data:`FACTOR_SPREAD` per byte of the file
    as stored (``file_size``)."""
    from safeload.trust import facts
    from safeload.trust.shadow_values import class_of

    bound = max(MAX_CALL_FACTOR_WORK, FACTOR_SPREAD * (file_size or 0))
    total = 0
    dearest = (0, "")
    for obj in instances:
        times = meets.get(id(obj), 0)
        if not times:
            continue
        if facts.mro_names(class_of(obj)).isdisjoint((_PROJECTION, _MIXTURE, _COVARIANCE)):
            continue
        work, what = _factorization(obj)
        total += times * work
        dearest = max(dearest, (times * work, what))
    if total <= bound:
        return None
    return (
        f"its methods would redo {total:,} operations of matrix factorizations on every call, "
        f"whatever the rows (at most {bound:,}, the larger of {MAX_CALL_FACTOR_WORK:,} and "
        f"{FACTOR_SPREAD:,} per byte of the file as stored: an honest model pays by storing the "
        f"matrices it factorizes): {dearest[1]}"
    )


def _factorization(obj: Any) -> tuple[int, str]:
    """(operations, what they are and how an honest model avoids them) of the factorization
    a call of ``obj``'s public methods redoes, read from its attributes as the methods read
    them:

    - a random projection whose ``compute_inverse_components`` is not true:
      ``inverse_transform``'s ``pinv(components_)``, sparse components counted dense;
    - a Gaussian mixture (and a Bayesian one) whose ``covariance_type`` is ``'full'``: an SVD
      of each of its ``covariances_`` in ``sample()``; ``'tied'``: of its one covariance
      once per row of ``means_``; any value but a string counts the dearer of the two;
    - a covariance estimator whose ``store_precision`` is not true: ``get_precision()``'s
      ``pinvh(covariance_)``.

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
            return 0, ""
        return _svd_work(shape), (
            f"a {name}'s inverse_transform runs pinv of its {_dims(shape)} components_ on "
            "every call (fitted without compute_inverse_components); refit it with "
            "compute_inverse_components=True, which stores the inverse"
        )
    if _MIXTURE in bases:
        kind = attrs.get("covariance_type", _ABSENT)
        if kind is _ABSENT:
            return 0, ""
        _unproven(kind, "a mixture's covariance_type")
        covariances = _matrix_shape(attrs.get("covariances_"))
        if covariances is None:
            return 0, ""
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
            return full, what
        return tied, (
            f"a 'tied' {name}'s sample() takes an SVD of its {_dims(covariances)} covariance "
            "once per component on every call; refit it with covariance_type='full' (one "
            "stored per component) or 'diag', or with fewer components"
        )
    if _COVARIANCE in bases:
        shape = _unless_kept(attrs, "store_precision", "covariance_")
        if shape is None:
            return 0, ""
        return _svd_work(shape), (
            f"a {name} kept without its precision runs pinvh of its {_dims(shape)} "
            "covariance_ in every mahalanobis, score and prediction; refit it with "
            "store_precision=True (the default), which stores the precision"
        )
    return 0, ""


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


def _dims(shape: tuple[int, ...]) -> str:
    """``shape`` written as ``a x b``."""
    return " x ".join(f"{n:,}" for n in shape)
