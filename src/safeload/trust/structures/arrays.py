"""Sparse matrices and B-splines: index arrays and knot vectors that scipy's C code trusts."""

from __future__ import annotations

from typing import Any

import numpy as np

from safeload._numpy_state import MAX_EMPTY_AXIS, MAX_EMPTY_DIM, empty_shape_problem
from safeload.trust.shadow_values import class_of
from safeload.trust.structures.common import require


def check_csr(matrix: Any, shape: tuple[int, ...], what: str) -> None:
    """The CSR arrays native code walks without checking: libsvm takes the row count from
    ``len(indptr) - 1``, reads ``data[indptr[i]:indptr[i + 1]]`` for each row and uses the
    column indices as they are. So: CSR (a CSC or BSR matrix has the same three arrays with
    other meanings), of the expected shape by its own ``shape``, ``indptr`` non-decreasing from
    0 to the number of stored values, ``indices`` and ``data`` exactly that long, and every
    column index inside the shape. Read only: nothing here modifies the matrix."""
    require(getattr(matrix, "format", None) == "csr", f"{what} are not a CSR matrix")
    require(tuple(int(n) for n in matrix.shape) == tuple(shape), f"{what} have the wrong shape")
    rows, cols = shape
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    for arr, name in ((indptr, "indptr"), (indices, "indices")):
        require(
            isinstance(arr, np.ndarray) and arr.ndim == 1 and arr.dtype.kind in "iu",
            f"{what} {name} is not a 1-D integer array",
        )
    require(isinstance(data, np.ndarray) and data.ndim == 1, f"{what} data is not 1-D")
    require(indptr.shape == (rows + 1,), f"{what} indptr has the wrong length")
    nnz = int(indptr[-1])
    require(int(indptr[0]) == 0, f"{what} indptr does not start at 0")
    require(bool(np.all(np.diff(indptr) >= 0)), f"{what} indptr is not monotone")
    require(indices.shape == (nnz,), f"{what} indices disagree with indptr")
    require(data.shape == (nnz,), f"{what} data disagrees with indptr")
    require(
        nnz == 0 or (int(indices.min()) >= 0 and int(indices.max()) < cols),
        f"{what} column index out of range",
    )


#: Past :data:`MAX_EMPTY_DIM` columns, a sparse matrix whose format keeps no column pointer
#: must store at least one value per this many columns.
SPARSE_SPREAD = 64


#: The index dtypes scipy writes (``get_index_dtype``): its full check casts any other.
_INDEX_DTYPES = (np.dtype(np.int32), np.dtype(np.int64))


def _check_compressed(matrix: Any) -> None:
    """scipy's full check of a CSR, CSC or BSR matrix, run on a shallow copy: the check
    *repairs* what it checks (casts index arrays of another dtype, drops stored values past
    the index pointer's end, byte-swaps the data), so run on the matrix itself it made the
    load and scan, which meet the matrix and its holder in different orders, judge
    different matrices (an SVC's float ``indptr``: scan SAFE, the load refused, rt111-01).
    What it would repair is refused instead: no writer makes it."""
    import copy

    for label in ("indptr", "indices"):
        index = getattr(matrix, label, None)
        require(
            isinstance(index, np.ndarray) and index.dtype in _INDEX_DTYPES,
            f"sparse {label} is not an int32 or int64 array",
        )
    copy.copy(matrix).check_format(full_check=True)
    data = matrix.data
    require(
        isinstance(data, np.ndarray) and len(data) == len(matrix.indices) == matrix.indptr[-1],
        "sparse matrix keeps stored values past its index pointer's end",
    )


def check_sparse(matrix: Any, context: Any) -> None:
    """Compressed sparse formats index their data with stored arrays; scipy's own full check
    bounds them (a crafted csr_matrix otherwise crashes ``toarray``)."""
    fmt = getattr(matrix, "format", None)
    if fmt in ("csr", "csc", "bsr"):
        _check_compressed(matrix)
        if fmt == "bsr":
            # scipy's check counts M // R block rows; tocsr fills an index pointer of M + 1
            # items from them and leaves the rest uninitialised, which tocsc indexes with
            # (SIGSEGV, rt112-08). scipy's constructor refuses such a shape
            (rows, cols), (high, wide) = matrix.shape, matrix.blocksize
            require(
                high > 0 and wide > 0 and rows % high == 0 and cols % wide == 0,
                "BSR shape is not a whole number of blocks",
            )
    elif fmt == "coo":
        # every axis's coordinates (a 1-D coo_array has one, an n-D one n: rt112-10)
        coords = getattr(matrix, "coords", None)
        if coords is None:
            coords = (matrix.row, matrix.col)
        shape = tuple(int(n) for n in matrix.shape)
        data = np.asarray(matrix.data)
        require(type(coords) is tuple and len(coords) == len(shape), "COO arrays disagree")
        for index, size in zip(coords, shape, strict=True):
            index = np.asarray(index)
            require(
                index.dtype.kind in "iu" and index.shape == data.shape,
                "COO arrays disagree",
            )
            require(bool(np.all((index >= 0) & (index < size))), "COO index out of range")
    elif fmt == "dia":
        data, offsets = np.asarray(matrix.data), np.asarray(matrix.offsets)
        require(
            data.ndim == 2 and offsets.ndim == 1 and data.shape[0] == offsets.shape[0],
            "DIA arrays disagree",
        )
        # scipy's tocsr casts the offsets to its index dtype (2**32 became 0, the main
        # diagonal, and wrote past what nnz sized: a heap overflow, rt112-07)
        rows, cols = matrix.shape
        require(
            offsets.dtype.kind in "iu"
            and len(np.unique(offsets)) == len(offsets)
            and bool(np.all((offsets > -rows) & (offsets < cols))),
            "DIA offsets are not distinct diagonals of the matrix",
        )
    elif fmt == "lil":
        _check_lil(matrix)
        matrix.tocsr().check_format(full_check=True)
    elif fmt == "dok":
        matrix.tocsr().check_format(full_check=True)
    shape = tuple(int(n) for n in matrix.shape)
    stored = int(matrix.nnz)
    if stored == 0:
        # as for an empty array: a result sized by an axis the file did not pay for (a
        # random projection's dense output, rt31-01). (A matrix of no stored value whose
        # axes are not zero is judged by its holder: an all-zero coef_ as wide as the input
        # is honest, the same matrix as a feature map's weights is not, rt56-06.)
        require(empty_shape_problem(shape) is None, f"empty sparse matrix of shape {shape}")
    if len(shape) == 1:
        # a 1-D sparse array (scipy >= 1.15): a CSR one's index pointer has two items
        # whatever its length, so its length is paid by stored values as an axis of an empty
        # array is (a (2**20,) csr_array of one value as a class-count array sized
        # predict_proba's (n, 2**20) result, rt57-09)
        require(
            shape[0] <= max(MAX_EMPTY_AXIS, stored),
            f"1-D sparse array of {shape[0]:,} items with {stored:,} stored values",
        )
        return
    if fmt == "bsr" and shape and shape[0] > MAX_EMPTY_AXIS:
        # a BSR index pointer has one item per block row: blocks of (4096, 1) under a
        # 257-item pointer made 2**20 rows from 35 KB (rt57-02). Its rows are paid by
        # pointer items or stored values
        pointer_rows = int(np.asarray(matrix.indptr).shape[0]) - 1
        require(
            shape[0] <= max(pointer_rows, stored),
            f"BSR matrix of {shape[0]:,} rows with {pointer_rows:,} block rows and "
            f"{stored:,} stored values",
        )
    if fmt not in ("csr", "bsr", "lil") and shape and shape[0] > MAX_EMPTY_AXIS:
        # rows that no index pointer pays for: a CSC matrix of 2**26 rows and one value is
        # 710 bytes, and a neighbours query computes one distance per row (rt32-02); a COO
        # matrix of 2**20 rows as a class-count array sized predict_proba's (n, 2**20)
        # result, with no value (rt56-01) or one per 64 rows (264 KB). Such a format pays for
        # its rows with a stored value each, as a dense array does; honest stored samples
        # are CSR, whose index pointer pays
        require(
            shape[0] <= stored,
            f"sparse matrix of {shape[0]:,} rows with {stored:,} stored values",
        )
    if fmt != "csc" and len(shape) == 2 and shape[1] > MAX_EMPTY_DIM:
        # columns alike: an empty CSR matrix of 1 x 10**9 in a fitted array's place (PCA's
        # components_, a random feature map's weights) sized a dense result of 10**9 columns
        # per input row from a file of a few KB (rt53-07)
        require(
            shape[1] <= SPARSE_SPREAD * stored,
            f"sparse matrix of {shape[1]:,} columns with {stored:,} stored values",
        )


def _check_lil(matrix: Any) -> None:
    """A LIL matrix keeps one Python list of column indexes and one of values per row, in two
    object arrays; scipy's ``tocsr`` sizes its index pointer from the shape and writes one
    length per row *object* into it, unchecked (``lil_get_lengths``, ``lil_flatten_to_array``):
    rows longer than the shape overflowed the heap inside safeload's own check, rows shorter
    than it read uninitialised memory (rt57-04). So before any conversion: two 1-D object
    arrays of exactly one list per row, every list a distinct object (rt58-11), each row's
    indexes ints strictly increasing inside the width, and as many values as indexes."""
    shape = tuple(int(n) for n in matrix.shape)
    require(len(shape) == 2, "LIL matrix is not 2-D")
    n_rows, n_cols = shape
    lists: list[list[Any]] = []
    for name in ("rows", "data"):
        arr = vars(matrix).get(name)
        require(
            type(arr) is np.ndarray and arr.dtype == object and arr.shape == (n_rows,),
            f"LIL {name} is not one list per row of its shape",
        )
        lists.append(arr.tolist())
    seen: set[int] = set()
    for index, values in zip(lists[0], lists[1], strict=True):
        require(type(index) is list and type(values) is list, "LIL row is not a list")
        # each list once: LIL's own __setitem__ appends to a row's lists in place, so rows
        # sharing one values list all grew by one value per write, and the next tocsr wrote
        # past its buffer (rt58-11)
        require(
            id(index) not in seen and id(values) not in seen and index is not values,
            "LIL rows share a list",
        )
        seen.update((id(index), id(values)))
        require(len(index) == len(values), "LIL row holds more indexes than values, or fewer")
        previous = -1
        for col in index:
            require(
                isinstance(col, (int, np.integer))
                and not isinstance(col, bool)
                and previous < int(col) < n_cols,
                "LIL row's column indexes are not increasing inside the width",
            )
            previous = int(col)


#: The highest spline degree a model may store: honest splines are cubic, a few quintic;
#: evaluating one of degree 64 costs well under a millisecond per point.
MAX_SPLINE_DEGREE = 64


def check_bspline(spline: Any, context: Any) -> None:
    """scipy's spline evaluation (``_dierckx.evaluate_spline``), ``design_matrix`` and the
    derivative/integral routines find the knot interval of each x and read ``k + 1``
    coefficients and ``2k + 2`` knots around it, trusting that ``len(c) == len(t) - k - 1``
    and that the knots are sorted; a file sets all of them by BUILD."""
    from scipy.interpolate import BSpline

    asarray = spline.__dict__.get("_asarray")
    if asarray is not None:  # scipy >= 1.15 keeps the namespace's asarray
        from scipy._lib.array_api_compat import numpy as np_compat

        require(asarray is np_compat.asarray, "BSpline _asarray is not numpy's asarray")
    require(class_of(spline) is BSpline, "BSpline subclass")
    knots, coef, k = spline.__dict__.get("_t"), spline.__dict__.get("_c"), spline.k
    require(type(k) is int and k >= 0, "BSpline degree is not a non-negative int")
    # evaluating a spline of degree k costs about k**2 to k**3 per point; its 2k + 2 knots are
    # all a file pays: degree 8,000 (193 KB) took 1 s of CPU per row of transform (rt38-02)
    require(
        k <= MAX_SPLINE_DEGREE,
        f"BSpline degree {k:,} is above {MAX_SPLINE_DEGREE} (evaluation costs k**3 per point)",
    )
    require(
        isinstance(knots, np.ndarray) and knots.ndim == 1 and knots.dtype == np.float64,
        "BSpline knots are not a 1-D float64 array",
    )
    require(knots.shape[0] >= 2 * k + 2, "BSpline has fewer than 2k+2 knots")
    require(bool(np.all(np.isfinite(knots))), "BSpline knots are not finite")
    require(bool(np.all(np.diff(knots) >= 0)), "BSpline knots are not sorted")
    require(
        isinstance(coef, np.ndarray)
        and coef.ndim >= 1
        and coef.dtype in (np.float64, np.complex128),
        "BSpline coefficients are not a float64 array",
    )
    require(coef.shape[0] == knots.shape[0] - k - 1, "BSpline coefficients disagree with knots")
    require(spline.axis == 0, "BSpline axis is not 0")
    extrapolate = spline.extrapolate
    require(
        type(extrapolate) is bool or extrapolate == "periodic",
        "BSpline extrapolate is not True, False or 'periodic'",
    )


def check_spline_transformer(est: Any, context: Any) -> None:
    """transform writes ``spl(x)`` into a block of ``bsplines_[0].c.shape[1]`` columns per
    feature and slices knots by ``degree``: every spline must have that width and degree."""
    splines = getattr(est, "bsplines_", None)
    if splines is None:
        return  # not fitted
    n_features = int(est.n_features_in_)
    require(
        type(splines) is list and len(splines) == n_features,
        "bsplines_ is not one spline per feature",
    )
    for spline in splines:
        check_bspline(spline, context)  # before any of its arrays is read through _asarray
    first = splines[0].__dict__["_c"]
    require(first.ndim == 2, "spline coefficients are not 2-D")
    width = first.shape[1]
    for spline in splines:
        require(spline.k == est.degree, "spline degree disagrees with degree")
        coef = spline.__dict__["_c"]
        require(coef.ndim == 2 and coef.shape[1] == width, "spline widths disagree")
        # fit stores an identity (one column per spline; periodic ones have degree rows
        # more): columns past the rows are outputs no knot pays for, a (1, 4096) ``c`` made
        # every feature 4,096 columns wide (rt59-03)
        require(coef.shape[1] <= coef.shape[0], "spline coefficients are wider than tall")
        require(spline.extrapolate == splines[0].extrapolate, "spline extrapolation differs")
    n_out = n_features * width - n_features * (1 - int(bool(est.include_bias)))
    require(int(est.n_features_out_) == n_out, "n_features_out_ disagrees with the splines")
