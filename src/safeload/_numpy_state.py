"""numpy states the scanner refuses before anything is built.

numpy's ``dtype.__setstate__`` and ``ndarray.__setstate__`` trust their input; crafted states
made only of allowlisted names crash the interpreter (found by fuzzing and by the attack
corpus). These checks run on the scanner's symbolic values, before any unpickler runs.
"""

from __future__ import annotations

from typing import Any, Final, cast

from safeload._symbolic import (
    _SIZE_CAP,
    CODECS_ENCODE,
    DTYPE_CLASSES,
    FoldBudget,
    _Array,
    _Big,
    _Box,
    _Bytes,
    _Const,
    _const_value,
    _Container,
    _Dict,
    _fold,
    _Global,
    _Obj,
    _Opaque,
    _Sym,
    _Tuple,
)
from safeload.exceptions import LimitExceededError
from safeload.pickle.names import NEW_OBJ


class _NotCanonical(Exception):
    pass


def _const_or_dtype(sym: _Sym, budget: FoldBudget) -> Any:
    """A constant value, with symbolic numpy dtypes replaced by the dtype they denote. Not
    memoised (a dict may change between two folds): ``budget`` is charged per node."""
    if isinstance(sym, _Obj) and sym.cls is not None and sym.cls.pair in DTYPE_CLASSES:
        budget.spend(1)
        return real_dtype(sym, budget)
    if isinstance(sym, _Tuple):
        budget.spend(1)
        return tuple(_const_or_dtype(i, budget) for i in sym.items)
    if isinstance(sym, _Dict):
        budget.spend(1)
        if sym.lossy:  # numpy writes fields dicts with string keys only
            raise _NotCanonical("a dict with keys that are not strings")
        return {k: _const_or_dtype(v, budget) for k, v in sym.items.items()}
    try:
        return _const_value(sym, budget)
    except KeyError:
        raise _NotCanonical("not a constant") from None


def _same(a: Any, b: Any) -> bool:
    """Exact structural equality (types included), dtypes compared with their byte order."""
    import numpy as np

    if isinstance(a, np.dtype) or isinstance(b, np.dtype):
        return (
            isinstance(a, np.dtype)
            and isinstance(b, np.dtype)
            and a == b
            and a.str == b.str
            and a.isalignedstruct == b.isalignedstruct
        )
    if type(a) is not type(b):
        return False
    if isinstance(a, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


def _rebuild(typestr: str, given: Any) -> Any:
    """The dtype numpy's own validating constructors make from the parts of a dtype state
    ``given`` (with real dtypes for its fields): the type string, the sub-array, the fields,
    the itemsize, the alignment flag, the datetime unit and the metadata. Raises for parts no
    constructor accepts."""
    import numpy as np

    order, sub, names, fields, elsize, flags = (given[i] for i in (1, 2, 3, 4, 5, 7))
    if sub is not None:
        candidate = np.dtype((sub[0], sub[1]))
    elif names is not None:
        if not isinstance(fields, dict) or not isinstance(names, tuple):
            raise _NotCanonical("structured dtype without fields")
        spec: dict[str, Any] = {"names": list(names), "formats": [], "offsets": []}
        for name in names:
            field = fields[name]
            spec["formats"].append(field[0])
            spec["offsets"].append(field[1])
        spec["itemsize"] = elsize
        titles = [fields[n][2] if len(fields[n]) > 2 else None for n in names]
        if any(t is not None for t in titles):
            spec["titles"] = titles
        aligned = bool(isinstance(flags, int) and flags & 0x80)
        candidate = np.dtype(cast(Any, spec), align=aligned)
    else:
        candidate = np.dtype(typestr)
    if typestr[:1] in ("M", "m") and len(given) == 9 and isinstance(given[8], tuple):
        unit, num = given[8][1][0], given[8][1][1]
        if not isinstance(unit, bytes) or type(num) is not int or not 0 < num < 2**31:
            raise _NotCanonical("malformed datetime unit")
        candidate = np.dtype(f"{typestr}[{num if num > 1 else ''}{unit.decode('ascii')}]")
    elif len(given) == 9 and isinstance(given[8], dict):
        candidate = np.dtype(candidate, metadata=given[8])
    if order in ("<", ">") and candidate.byteorder not in ("|",):
        candidate = candidate.newbyteorder(order)
    return candidate


#: The most fields a structured dtype may have, counting those of nested dtypes once per path.
#: A dtype can hold one sub-dtype in several fields, and numpy's repr, hash and == walk each
#: path: 30 levels of two fields over one shared dtype (2 KB) never finish (rt26-03). The
#: dtypes of honest models have a few dozen fields at most.
MAX_DTYPE_FIELDS: Final = 4096


#: The largest item a dtype with fields or a sub-array may have, and the largest item of any
#: dtype. A dtype costs ~100 bytes to write whatever its itemsize, and a model that holds one
#: as a parameter allocates an item per row: ``('f8', (2**27,))`` is 1 GiB per row of
#: ``OneHotEncoder.transform`` (rt27-08). Honest records are a few hundred bytes; honest
#: strings longer than 1 MiB live in object arrays.
MAX_RECORD_ITEMSIZE: Final = 4096
MAX_ITEMSIZE: Final = 1 << 20


def itemsize_problem(dt: Any) -> str | None:
    """Why ``dt``'s item is too large (see :data:`MAX_RECORD_ITEMSIZE`), or ``None``."""
    if dt.itemsize > MAX_ITEMSIZE:
        return f"a dtype of {dt.itemsize:,} bytes per item (more than {MAX_ITEMSIZE:,})"
    if dt.itemsize > MAX_RECORD_ITEMSIZE and (dt.fields is not None or dt.subdtype is not None):
        return (
            f"a structured or sub-array dtype of {dt.itemsize:,} bytes per item (more than "
            f"{MAX_RECORD_ITEMSIZE:,}): every row a model makes with it allocates that much"
        )
    count = 1
    for n in dt.shape:
        count *= n
    if count > MAX_RECORD_ITEMSIZE:
        # a sub-array of zero-byte records is no bytes per item but answers .shape with its
        # own: in a fitted array's place, np.dtype((np.dtype([]), (2**20,))) made
        # predict_proba allocate (n, 2**20) (rt56-08)
        return (
            f"a sub-array dtype of shape {dt.shape!r}: more than {MAX_RECORD_ITEMSIZE:,} items "
            "per item"
        )
    return None


def _nested_fields(dt: Any, cap: int) -> int:
    """The fields of ``dt`` and of its nested dtypes, once per path; stops past ``cap`` (so
    this walk is bounded however the dtype shares)."""
    total = 0
    base = dt.subdtype[0] if dt.subdtype is not None else dt
    for value in (base.fields or {}).values():
        total += 1 + _nested_fields(value[0], cap - total)
        if total > cap:
            return total
    return total


def real_dtype(sym: _Obj, budget: FoldBudget) -> Any:
    """The ``numpy.dtype`` a symbolic dtype denotes, rebuilt through numpy's own validating
    constructors; raises ``_NotCanonical`` unless its BUILD state is exactly the state numpy
    writes for that dtype.

    numpy's ``dtype.__setstate__`` trusts its input: tampered flags, a field whose type is not
    a dtype, or a datetime without its unit crash the interpreter (found by fuzzing). Here the
    state is never applied to anything; the dtype is built from the type string, the fields,
    the sub-array and the metadata through ``numpy.dtype(...)``, which validates them, and the
    state numpy would write for the result must equal the stored one, item for item.
    """
    if sym.real is not None:
        return sym.real
    import numpy as np

    try:
        args = _const_value(sym.args, budget) if sym.args is not None else ()
        # numpy writes (type string, False, True); another align changes the layout of a
        # comma-separated type string ("i1,i8": itemsize 9, aligned 16) and copy=False
        # returns numpy's shared dtype: refuse what the pass does not evaluate
        if not (
            isinstance(args, tuple)
            and len(args) == 3
            and isinstance(args[0], str)
            and args[1] is False
            and args[2] is True
        ):
            raise _NotCanonical("dtype arguments are not (type string, False, True)")
        typestr = args[0]
        state = sym.state
        if state is None:
            plain = np.dtype(typestr)
            problem = itemsize_problem(plain)
            if problem:
                raise _NotCanonical(problem)
            sym.real = plain
            return plain
        if not (isinstance(state, _Tuple) and len(state.items) in (8, 9)):
            raise _NotCanonical("dtype state has the wrong shape")
        given = _const_or_dtype(state, budget)
        candidate = _rebuild(typestr, given)
        expected = candidate.__reduce__()[2]
        if not _same(tuple(given), tuple(expected)):
            raise _NotCanonical("dtype state differs from the state numpy writes")
        if _nested_fields(candidate, MAX_DTYPE_FIELDS) > MAX_DTYPE_FIELDS:
            raise _NotCanonical(
                f"a structured dtype of more than {MAX_DTYPE_FIELDS:,} fields counting those of "
                "its nested dtypes once per path (numpy's repr, hash and == walk every path)"
            )
        problem = itemsize_problem(candidate)
        if problem:
            raise _NotCanonical(problem)
    except _NotCanonical:
        raise
    # numpy parses comma-separated type strings (",8") with Python's own parser: SyntaxError
    except _RUNTIME_ERRORS as exc:
        raise _NotCanonical(f"dtype cannot be rebuilt: {type(exc).__name__}") from exc
    sym.real = candidate
    return candidate


_RUNTIME_ERRORS = (
    _NotCanonical,
    KeyError,
    IndexError,
    TypeError,
    ValueError,
    OverflowError,
    UnicodeError,
    AttributeError,
    RecursionError,
    SyntaxError,
)


def built_dtype_problem(dt: Any, seen: dict[int, str | None]) -> str | None:
    """Why a dtype numpy *built* is not one its own constructors make, or ``None``: the second
    line behind :func:`real_dtype`, run on what numpy actually received, after building and
    before use. The dtype is rebuilt from its own pickled state (and its fields' and sub-array
    base's dtypes, recursively) as :func:`real_dtype` does; a field outside the item, an
    inconsistent itemsize, tampered flags or a non-dtype field type fail. ``seen`` caches
    verdicts by ``id`` for one load (numpy shares one object per plain dtype)."""
    import numpy as np

    key = id(dt)
    if key in seen:
        return seen[key]
    seen[key] = "a dtype that contains itself"
    problem: str | None = None
    try:
        if not isinstance(dt, np.dtype):
            raise _NotCanonical(f"a {type(dt).__name__} where a dtype belongs")
        reduced: Any = dt.__reduce__()
        args, state = reduced[1], reduced[2]
        given = tuple(state)
        inner = [f[0] for f in dt.fields.values()] if dt.fields else []
        if dt.subdtype is not None:
            inner.append(dt.subdtype[0])
        for part in inner:
            problem = built_dtype_problem(part, seen)
            if problem:
                raise _NotCanonical(problem)
        size_problem = itemsize_problem(dt)
        if size_problem:
            raise _NotCanonical(size_problem)
        if not _same(given, tuple(_rebuild(args[0], given).__reduce__()[2])):
            raise _NotCanonical("its state differs from the state numpy writes")
    except _RUNTIME_ERRORS as exc:
        problem = f"numpy dtype that numpy's constructors never make ({exc or type(exc).__name__})"
    seen[key] = problem
    return problem


def _dtype_layout(sym: _Sym, budget: FoldBudget) -> tuple[int, bool]:
    """(itemsize, hasobject) of a symbolic, already checked ``numpy.dtype``."""
    if not (isinstance(sym, _Obj) and sym.cls is not None and sym.cls.pair in DTYPE_CLASSES):
        raise KeyError("dtype is not a numpy.dtype")
    try:
        real = real_dtype(sym, budget)
    except _NotCanonical as exc:
        raise KeyError(str(exc)) from None
    return int(real.itemsize), bool(real.hasobject)


def _dtype_state_problem(dtype: _Obj, state: _Sym, budget: FoldBudget) -> str | None:
    """Why a ``numpy.dtype`` BUILD of ``state`` is not one numpy itself writes, or ``None``.

    numpy writes one BUILD per dtype, right after making it. A dtype already built, or already
    used (by an array, a field or a joblib wrapper, where the pass worked out what it denotes
    and kept it in ``real``), is refused: ``dtype.__setstate__`` changes the one object in
    place, under every array that already uses it, and a cached verdict would not have seen
    the new state (issue 14, item 9)."""
    if dtype.real is not None:
        return (
            "numpy.dtype state applied to a dtype that was already built or used (it would "
            "change the layout under arrays that use it; numpy writes one state per dtype)"
        )
    dtype.state = state
    try:
        real_dtype(dtype, budget)
    except _NotCanonical as exc:
        return f"numpy.dtype state that numpy never writes (it can crash numpy): {exc}"
    return None


#: Why an array of items of zero bytes (``S0``, ``U0``, ``V0``, ``('f8', (0,))``) and more
#: than none is refused: numpy accepts empty data for any number of them, so 2**62 of them
#: cost nothing to write and everything a size-based budget or check sees; a LabelEncoder
#: whose ``classes_`` is one loops 2**62 times in ``transform`` (rt30-02), IsotonicRegression
#: sorts them at load (rt30-06). numpy's own constructors never make one from data.
ZERO_ITEMS: Final = (
    "array of items of zero bytes each: numpy accepts empty data for any number of them, so "
    "its size is unbounded by the file"
)


#: The widest a width may be that no stored data pays for: ``n_features_in_`` (a hashed text
#: model has 2**20 features), a sparse matrix's rows or columns given a few stored values, a
#: column transformer's pass-through columns.
MAX_EMPTY_DIM: Final = 1 << 20
#: The widest an empty array (or empty sparse matrix) may be along any axis. An empty array
#: states a width without paying for it: an MLP layer of shape ``(0, 10**8)`` made ``predict``
#: write 800 MB per row, a ``(10**8, 0)`` metric matrix sized a distance computation (rt31),
#: and at 2**20 a class-count array of shape ``(2**20, 0)`` made ``predict_proba`` allocate
#: ``(n, 2**20)``, 16 GB for 2,000 rows (rt56-01). Honest empty arrays are a layer, a category
#: list or a feature list with nothing in it: short. (The same bound as a fitted range's.)
MAX_EMPTY_AXIS: Final = 4096


_MAX_DIMS: list[int] = []


def max_dims() -> int:
    """The most dimensions the installed numpy gives an array (``NPY_MAXDIMS``: 64 since
    numpy 2, 32 before), asked of numpy once."""
    if not _MAX_DIMS:
        import numpy

        _MAX_DIMS.append(64 if int(numpy.__version__.split(".")[0]) >= 2 else 32)
    return _MAX_DIMS[0]


def empty_shape_problem(shape: Any) -> str | None:
    """Why an array of ``shape`` (a tuple of ints) is refused, or ``None``: more dimensions
    than numpy makes (the load fails on it, rt47-01), or empty but wide."""
    if isinstance(shape, tuple) and len(shape) > max_dims():
        return (
            f"an array of {len(shape)} dimensions: numpy makes none of more than {max_dims()}, "
            "so a load fails on it"
        )
    if not (isinstance(shape, tuple) and shape and all(type(n) is int for n in shape)):
        return None
    if min(shape) != 0 or max(shape) <= MAX_EMPTY_AXIS:
        return None
    return (
        f"empty array of shape {shape!r}: an axis wider than {MAX_EMPTY_AXIS:,} with no data "
        "sizes what methods allocate without the file paying for it"
    )


#: The largest C ``int``: numpy parses the version and the Fortran flag with ``i``.
_C_INT: Final = 2**31
#: ``_codecs.encode``: how protocols 0-2 write bytes (``encode(text, 'latin1')``).
_ENCODE: Final = ("_codecs", "encode")
#: Calls that make bytes (how protocols 0-2 write an array's data, or ``b""``).
_BYTES_CALLS: Final = frozenset({("_codecs", "encode"), ("builtins", "bytes")})


def _c_int(sym: _Sym) -> int | None:
    """The value of a literal int or bool the ``i`` format takes, else ``None``."""
    if isinstance(sym, _Const) and type(sym.value) in (int, bool):
        value = int(sym.value)
        return value if -_C_INT <= value < _C_INT else None
    return None


def _raw_bytes_problem(raw: _Sym) -> bool:
    """Whether array data is not what numpy's ``__setstate__`` takes for a dtype without
    objects: bytes, or a str it encodes to latin-1 (a bytearray, a memoryview, a list raise
    "pickle not returning string"). Data the pass cannot see is not proven to be bytes."""
    if isinstance(raw, _Const):
        value = raw.value  # (a constant this small is never a view of the stream)
        if type(value) is str:
            return max(value, default="\0") > "\xff"
        return type(value) is not bytes
    if isinstance(raw, _Big):
        if raw.text:
            value = raw.value
            return not (type(value) is str and max(value, default="\0") <= "\xff")
        return raw.mutable
    if isinstance(raw, _Bytes):
        return True  # a BYTEARRAY8: the load makes a bytearray
    return not (isinstance(raw, _Obj) and raw.cls is not None and raw.cls.pair in _BYTES_CALLS)


def _raw_length(raw: _Sym) -> int | None:
    """The number of bytes array data holds (a bytes, bytearray or latin-1 str constant,
    large or not, a BYTEARRAY8, ``_codecs.encode(text, 'latin1')``, ``bytes()``), or
    ``None``. (Which of them numpy's ``__setstate__`` takes is ``_raw_bytes_problem``'s.)"""
    if isinstance(raw, _Const):
        value = raw.value
        if type(value) is memoryview:
            return value.nbytes
        return len(value) if type(value) in (bytes, bytearray, str) else None
    if isinstance(raw, (_Big, _Bytes)):
        return raw.size
    if not (isinstance(raw, _Obj) and raw.cls is not None and raw.cls.pair in _BYTES_CALLS):
        return None
    args = raw.args
    if not isinstance(args, _Tuple):
        return None
    if raw.cls.pair == ("builtins", "bytes"):
        if not args.items:
            return 0
        # bytes(B) of bytes B is B itself (rt28-02 follows it so): as long as B
        inner = args.items[0] if len(args.items) == 1 else None
        if isinstance(inner, _Big) and not inner.text:
            return inner.size
        if isinstance(inner, _Const) and type(inner.value) is bytes:
            return len(inner.value)
        if isinstance(inner, _Obj) and inner.cls is not None and inner.cls.pair == _ENCODE:
            return _raw_length(inner)  # (one level: protocol 2's bytes are an encode call)
        return None
    if len(args.items) != 2:
        return None
    text = args.items[0]
    if isinstance(text, _Const) and type(text.value) is str:
        return len(text.value)
    if isinstance(text, _Big) and text.text:
        return text.size
    return None


def _counted_shape(shape: Any) -> int | None:
    """The number of items of ``shape``, a tuple of non-negative Python ints (what numpy
    writes), else ``None``: numpy's ``__setstate__`` refuses a negative dimension, a bool or
    float one, and a shape that is not a tuple (rt48-07)."""
    if not (isinstance(shape, tuple) and all(type(n) is int and n >= 0 for n in shape)):
        return None
    count = 1
    for n in shape:
        count *= n
    return count


def array_size_problem(state: _Tuple, shape: Any, dtype: _Obj, itemsize: int) -> str | None:
    """Why numpy's ``ndarray.__setstate__`` refuses a literal array state's shape or the size
    of its data, or ``None``: the shape is a tuple of non-negative ints and the data (for a
    dtype without objects) exactly ``items * itemsize`` bytes, else "buffer size does not
    match array size"; a masked array's mask likewise, one mask item per item (rt48-07: the
    load failed, scan said SAFE)."""
    count = _counted_shape(shape)
    if count is None:
        return "an array state whose shape is not a tuple of non-negative ints (numpy fails)"
    if _raw_length(state.items[4]) != count * itemsize:
        return "an array state whose data is not its shape's size in bytes (numpy fails)"
    if len(state.items) == 7:
        import numpy as np

        mask_size = np.ma.make_mask_descr(dtype.real).itemsize if dtype.real is not None else -1
        if _raw_length(state.items[5]) != count * mask_size:
            return "a masked array state whose mask is not its shape's size (numpy fails)"
    return None


def frombuffer_form_problem(items: list[_Sym], budget: FoldBudget) -> str | None:
    """Why the load's ``_frombuffer(buffer, dtype, shape, order)`` (a protocol 5 array) fails,
    or is not the form numpy writes: ``frombuffer(buffer, dtype).reshape(shape, order)``
    refuses a buffer that is not ``items * itemsize`` bytes for the shape, a bool or float
    dimension, an order that is no str (rt48-07), a dtype holding objects (rt49-03). numpy
    writes its own shape, a tuple of non-negative ints, and the order ``'C'`` or ``'F'``; the
    pass takes that form only (a ``-1`` dimension or the order ``'A'``, which reshape would
    take, no writer makes). numpy 2.4 writes an array that is neither C- nor F-contiguous as
    ``(buffer, dtype, shape, 'K', axes)``: ``reshape(shape, 'C').transpose(axes)``, ``axes`` a
    permutation of the dimensions (rt104-01)."""
    if len(items) not in (4, 5) or not isinstance(items[1], _Obj):
        return None  # (the call rules refuse these)
    try:
        shape = _const_value(items[2], budget)
        order = _const_value(items[3], budget)
        axes = _const_value(items[4], budget) if len(items) == 5 else None
        dt = real_dtype(items[1], budget)
    except (KeyError, _NotCanonical):
        return "numpy's _frombuffer with a shape, order or dtype the pass cannot see"
    if len(items) == 5:
        if order != "K" or not _is_permutation(axes, shape):
            return (
                "numpy's _frombuffer with axes that are not a permutation of its shape's "
                "dimensions after the order 'K' (numpy writes no other five-argument form)"
            )
        order = "C"
    if dt.hasobject:
        return (
            "numpy's _frombuffer of a dtype holding objects (numpy fails: it cannot make an "
            "object array from a buffer, and never writes one so)"
        )
    if dt.subdtype is not None:
        # frombuffer moves a subarray's shape into the array's, so reshape(shape) fails on
        # the shape a writer states (rt56-02); no array has a subarray dtype to write
        return (
            "numpy's _frombuffer of a subarray dtype (numpy adds the subarray's axes to the "
            "array's, so the array is not the shape the stream states; numpy never writes one)"
        )
    itemsize = dt.itemsize
    if itemsize == 0:
        return "numpy's _frombuffer of a dtype whose items have no bytes (numpy fails)"
    count = _counted_shape(shape)
    if count is None or order not in ("C", "F"):
        return (
            "numpy's _frombuffer with another shape or order than numpy writes (a tuple of "
            "non-negative ints, 'C' or 'F')"
        )
    if _raw_length(items[0]) != count * itemsize:
        return "numpy's _frombuffer over a buffer that is not its shape's size (numpy fails)"
    return None


def _is_permutation(axes: Any, shape: Any) -> bool:
    """Whether ``axes`` is a tuple of the ints ``0 .. len(shape) - 1``, each once."""
    if type(axes) is not tuple or type(shape) is not tuple or len(axes) != len(shape):
        return False
    return all(type(a) is int for a in axes) and sorted(axes) == list(range(len(shape)))


def frombuffer_shape(items: list[_Sym], budget: FoldBudget) -> Any:
    """The shape of the array ``_frombuffer(*items)`` makes (in the form
    :func:`frombuffer_form_problem` admits), or ``None``."""
    shape = _const_value(items[2], budget)
    if len(items) == 4:
        return shape
    axes = _const_value(items[4], budget)
    if not _is_permutation(axes, shape):
        return None
    return tuple(shape[a] for a in axes)


def scalar_form_problem(items: list[_Sym], budget: FoldBudget) -> str | None:
    """Why the load's ``multiarray.scalar(dtype, data)`` (how numpy pickles a scalar) fails,
    or is not the form numpy writes, or ``None``: numpy takes bytes, or a str it encodes to
    latin-1, of at least the item size ("initialization string is too small"; a bytearray, a
    number or ``None`` fail, rt48-09; it reads the first item's bytes of a longer one, rt42-03)
    and refuses an object dtype. ``scalar(dtype)`` alone makes a zero."""
    if len(items) != 2 or not isinstance(items[0], _Obj):
        return None  # (the call rules refuse other forms)
    try:
        dt = real_dtype(items[0], budget)
    except _NotCanonical:
        return "numpy's multiarray.scalar with a dtype the pass cannot see"
    if dt.hasobject:
        return "numpy's multiarray.scalar with an object dtype (numpy fails: it never writes one)"
    raw = items[1]
    if _raw_bytes_problem(raw):
        return "numpy's multiarray.scalar on data that is not bytes (numpy fails)"
    length = _raw_length(raw)
    if length is None or length < dt.itemsize:
        return "numpy's multiarray.scalar on data shorter than its item (numpy fails)"
    return None


#: What makes a masked array, whose ``__setstate__`` takes 7 items: numpy's own takes 5.
_MASKED: Final = frozenset(
    {
        ("numpy.ma", "MaskedArray"),
        ("numpy.ma.core", "MaskedArray"),
        ("numpy.ma.core", "_mareconstruct"),
    }
)
_RECONSTRUCT: Final = frozenset(
    {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct")}
)
_PLAIN_ARRAYS: Final = frozenset({("numpy", "ndarray"), ("numpy", "memmap")})


_FROMBUFFER: Final = frozenset(
    {("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer")}
)
#: Plain constants a masked array's fill value may be, handed to numpy.ma's own check.
_FILL_CONSTANTS: Final = (bool, int, float, str, bytes)


def _zero_d_array_dtype(sym: _Sym, budget: FoldBudget) -> Any:
    """The dtype of the 0-d plain array ``sym`` makes (``_reconstruct(ndarray, ...)`` with its
    BUILD state, a protocol 5 ``_frombuffer``, a joblib inline array), else ``None``."""
    if isinstance(sym, _Array):
        return sym.dtype if sym.shape == () else None
    if not (isinstance(sym, _Obj) and sym.cls is not None):
        return None
    try:
        if sym.cls.pair in _RECONSTRUCT:
            args, state = sym.args, sym.state
            first = args.items[0] if isinstance(args, _Tuple) and args.items else None
            if not (isinstance(first, _Global) and first.pair == ("numpy", "ndarray")):
                return None
            if not (isinstance(state, _Tuple) and len(state.items) == 5):
                return None
            shape, dtype = _const_value(state.items[1], budget), state.items[2]
        elif sym.cls.pair in _FROMBUFFER:
            args = sym.args
            if not (isinstance(args, _Tuple) and len(args.items) in (4, 5)):
                return None
            shape, dtype = frombuffer_shape(args.items, budget), args.items[1]
        else:
            return None
        if shape != () or not isinstance(dtype, _Obj):
            return None
        return real_dtype(dtype, budget)
    except (KeyError, _NotCanonical):
        return None


def masked_fill_problem(fill: _Sym, dt: Any, budget: FoldBudget) -> str | None:
    """Why ``MaskedArray.__setstate__`` fails on the fill value ``fill`` (state item 6) of a
    masked array of dtype ``dt``, or ``None``: it sets ``self.fill_value``, whose
    ``_check_fill_value`` raises TypeError for a value the dtype cannot take (a str for a
    float column, 2**70 for an int one; rt49-05). numpy writes ``None`` or the 0-d array it
    keeps, of the column's dtype or of the dtype of its default (``'?'``, a ``U1``, for an
    object column); those are taken, and plain constants are handed to numpy.ma's own
    ``_check_fill_value``. Any other value (a tuple, a list, a complex, an array of another
    dtype or shape) is refused as unproven, in scan and load alike."""
    from numpy.ma.core import _check_fill_value  # type: ignore[attr-defined,unused-ignore]

    if isinstance(fill, _Const) and fill.value is None:
        return None
    if isinstance(fill, (_Const, _Big)) and type(fill.value) in _FILL_CONSTANTS:
        try:
            _check_fill_value(fill.value, dt)
        except Exception as exc:  # TypeError, ValueError, ...
            why = f"{type(exc).__name__}: {str(exc)[:80]}"
            return f"masked array whose fill value numpy.ma refuses (the load fails; {why})"
        return None
    made = _zero_d_array_dtype(fill, budget)
    if made is not None and dt.names is None:
        if _same(made, dt) or _same(made, _check_fill_value(None, dt).dtype):
            return None
    return (
        "masked array whose fill value is not None, a plain constant or a 0-d array of its "
        "dtype (unproven: numpy writes one of those)"
    )


def array_state_length_problem(target: _Obj, state: _Tuple) -> str | None:
    """Why an array's BUILD state has a length its ``__setstate__`` fails on, or ``None``: a
    masked array's unpacks 7 items, numpy's parses 5 (a 7-item state on an ndarray was SAFE to
    scan while the load failed, found next to rt47-07). ``_reconstruct`` makes its first
    argument's class; one the pass cannot name is left to the other checks."""
    pair = target.cls.pair if target.cls is not None else None
    if pair in _RECONSTRUCT:
        args = target.args
        first = args.items[0] if isinstance(args, _Tuple) and args.items else None
        pair = first.pair if isinstance(first, _Global) else None
    if pair in _MASKED:
        expected = 7
    elif pair in _PLAIN_ARRAYS:
        expected = 5
    else:
        return None
    if len(state.items) == expected:
        return None
    return (
        f"an array state of {len(state.items)} items where its __setstate__ takes {expected} "
        "(the load fails)"
    )


def array_header_problem(state: _Tuple, hasobject: bool) -> str | None:
    """Why numpy's ``ndarray.__setstate__`` fails to parse a literal 5-item state, or a
    masked array's 7-item one, or ``None`` (rt47-07: the load failed, scan said SAFE).

    numpy parses ``(version, shape, dtype, is_fortran, data)`` as ``(iO!O!iO)``: the version
    and the flag are C ints (an int or a bool; a float, a str, ``None`` or a number past the
    C int fail), the version is 0 or 1 ("can't handle version 2"), and the data is bytes or a
    latin-1 str for a dtype without objects (a bytearray fails), a list for one with objects.
    ``MaskedArray.__setstate__`` ignores its version and hands numpy ``(shape, dtype, flag,
    data)`` and ``(shape, mask dtype, flag, mask)``. (Measured on numpy 2.4.)"""
    items = state.items
    if len(items) == 5:
        version = _c_int(items[0])
        if version not in (0, 1):
            return "an array state whose version is not 0 or 1 (numpy's __setstate__ fails)"
    if _c_int(items[3]) is None:
        return "an array state whose Fortran flag is not an int (numpy's __setstate__ fails)"
    raw = items[4]
    if hasobject:
        if not (isinstance(raw, _Box) and raw.kind == "list"):
            return "an object array state whose data is not a list (numpy's __setstate__ fails)"
    elif _raw_bytes_problem(raw):
        return "an array state whose data is not bytes (numpy's __setstate__ fails)"
    if len(items) == 7 and _raw_bytes_problem(items[5]):
        return "a masked array state whose mask is not bytes (numpy's __setstate__ fails)"
    return None


#: How many record items :func:`record_items_problem` hands numpy at once (its probe array
#: is at most this many items of at most ``MAX_RECORD_ITEMSIZE`` bytes).
_RECORD_PROBE: Final = 256
#: Python values numpy writes for a record's plain fields (``float`` for ``f8``, ``int`` for
#: ``i4``, ``str`` for ``U3``, ...), which the probe hands numpy as they are.
_FIELD_TYPES: Final = (bool, int, float, str, bytes)


def _field_value(
    sym: _Sym, dt: Any, memo: dict[tuple[int, int], tuple[Any, Any, Any]], budget: FoldBudget
) -> Any:
    """:func:`_field_value_of`, once per (value, dtype) pair: the items of a record array share
    memoised tuples (every element the same one), and a nested dtype repeats one sub-dtype
    (62 fields of one 64-field record), so without it 15 KB asked for seconds of Python per
    element (rt50-01). Each pair computed is charged to ``budget``, so the work stays within the
    file's fold budget."""
    key = (id(sym), id(dt))
    known = memo.get(key)
    if known is not None:
        return known[2]
    budget.spend(1)
    value = _field_value_of(sym, dt, memo, budget)
    memo[key] = (sym, dt, value)  # (sym and dt kept alive: their ids stay theirs)
    return value


def _field_value_of(
    sym: _Sym, dt: Any, memo: dict[tuple[int, int], tuple[Any, Any, Any]], budget: FoldBudget
) -> Any:
    """The plain value numpy's ``__setstate__`` receives for one field of dtype ``dt`` of a
    record item (``None`` for an object field: numpy stores any object there), as numpy writes
    it: a Python scalar, latin-1 bytes as protocols 0-2 write them, a tuple for a nested
    record. Raises ``_NotCanonical`` for any other form (a sub-array or datetime field's
    item, a value made by another call)."""
    if dt.fields is None and dt.subdtype is None and dt.hasobject:
        return None
    if dt.names is not None:
        if not (isinstance(sym, _Tuple) and len(sym.items) == len(dt.names)):
            raise _NotCanonical("a record item that is not a tuple of one value per field")
        fields = dt.fields
        return tuple(
            _field_value(i, fields[n][0], memo, budget)
            for i, n in zip(sym.items, dt.names, strict=True)
        )
    if dt.subdtype is not None or dt.kind not in "biufSU":
        raise _NotCanonical("a record field of a kind whose item the pass does not model")
    if isinstance(sym, (_Const, _Big)) and type(sym.value) in _FIELD_TYPES:
        return sym.value
    if isinstance(sym, _Obj) and sym.cls is not None and sym.cls.pair in _BYTES_CALLS:
        args = sym.args
        parts = args.items if isinstance(args, _Tuple) else ()
        if sym.cls.pair != _ENCODE:
            if parts == [] and sym.state is None:
                return b""  # (protocols 0-2 write empty bytes as bytes())
            raise _NotCanonical("a record field value made by bytes(...) of something")
        if len(parts) == 2 and isinstance(parts[0], (_Const, _Big)):
            text, encoding = parts[0].value, parts[1]
            if type(text) is str and isinstance(encoding, _Const):
                if encoding.value in ("latin1", "latin-1") and max(text, default="") <= "\xff":
                    budget.spend(len(text) // 16)
                    return text.encode("latin-1")
    raise _NotCanonical("a record field value that is not a plain constant")


def record_items_problem(raw: _Box, dt: Any, budget: FoldBudget) -> str | None:
    """Why numpy's ``ndarray.__setstate__`` fails to store the data list ``raw`` of a record
    dtype holding objects (``[('a', 'O'), ('b', 'f8')]``), or ``None``.

    numpy assigns each item to its element, ignores a failure and returns with the exception
    set (SystemError: a str, a list, a dict, a tuple of the wrong length, a str for a float
    field; rt49-06). numpy writes one tuple per element, a plain value per field: the pass
    takes that form only, and asks numpy itself to store the items, in chunks, with every
    object field ``None`` (numpy stores any object there). Other items (an int or ``None``,
    which numpy broadcasts into the record) are refused as unproven, in scan and load alike."""
    import numpy as np

    budget.spend(len(raw.items) * (len(dt.names) + 1))
    memo: dict[tuple[int, int], tuple[Any, Any, Any]] = {}
    try:
        for start in range(0, len(raw.items), _RECORD_PROBE):
            chunk = raw.items[start : start + _RECORD_PROBE]
            values = [_field_value(item, dt, memo, budget) for item in chunk]
            probe = np.empty(len(values), dtype=dt)
            cast(Any, probe).__setstate__((1, (len(values),), dt, False, values))
    except _NotCanonical as exc:
        return f"record array with objects whose data numpy does not write (unproven): {exc}"
    except LimitExceededError:
        raise  # the fold budget: a limit, reported as one
    except Exception as exc:  # SystemError, ValueError, TypeError, OverflowError, ...
        why = f"{type(exc).__name__}: {str(exc)[:80]}"
        return f"record array with objects whose items numpy cannot store (the load fails; {why})"
    return None


def _array_state_problem(state: _Sym, budget: FoldBudget, *, strict: bool = False) -> str | None:
    """Why an ndarray-style BUILD state ``(version, shape, dtype, fortran, data, ...)`` would
    crash numpy, or ``None``.

    For object dtypes numpy copies one pointer per element from the stored list without checking
    its length: a shorter list leaves the rest of the array pointing at garbage. The list must
    hold exactly one item per element. (Non-object data is a byte string whose length numpy
    itself checks.)

    ``strict`` is for a BUILD whose target is an array (``_reconstruct``, ``ndarray``, a masked
    array): its state goes to ``ndarray.__setstate__`` whatever it looks like, so it must be a
    literal tuple of the form numpy writes (5 items, 7 for a masked array) whose dtype is a
    ``numpy.dtype`` the pass can see and whose shape is constant. A dtype or state made by a
    call the pass cannot evaluate is refused, not skipped. Without ``strict`` (any other
    target) only states that look like an array's are checked.
    """
    unproven = (
        "array state the pass cannot prove (its dtype, shape or state is made by a call, or "
        "it is not the (version, shape, dtype, fortran, data) tuple numpy writes)"
    )
    if not (isinstance(state, _Tuple) and len(state.items) >= 5):
        return unproven if strict else None
    if strict and len(state.items) not in (5, 7):
        return unproven
    dtype = state.items[2]
    if not (isinstance(dtype, _Obj) and dtype.cls is not None and dtype.cls.pair in DTYPE_CLASSES):
        return unproven if strict else None
    bad = "object array state that does not hold one item per element (it can crash numpy)"
    try:
        itemsize, hasobject = _dtype_layout(dtype, budget)
        shape = _const_value(state.items[1], budget)
    except KeyError:
        return bad
    empty = empty_shape_problem(shape)
    if empty:
        return empty
    if strict:
        header = array_header_problem(state, hasobject)
        if header:
            return header
        if len(state.items) == 7 and dtype.real is not None:
            fill = masked_fill_problem(state.items[6], dtype.real, budget)
            if fill:
                return fill
        if not hasobject:
            size = array_size_problem(state, shape, dtype, itemsize)
            if size:
                return size
    if not hasobject and itemsize > 0:
        return None
    if not (isinstance(shape, tuple) and all(type(n) is int and n >= 0 for n in shape)):
        return bad if hasobject else ZERO_ITEMS
    count = 1
    for n in shape:
        count *= n
    if not hasobject:
        return ZERO_ITEMS if count else None
    raw = state.items[4]
    if not isinstance(raw, _Box) or raw.count != count:
        return bad
    # scikit-learn puts an object array's items in sets and dicts at use (_unique_python,
    # _map_to_integer): 50,000 ints of one hash in a LabelEncoder's classes_ (rt105-08)
    crowded = shared_hash_problem({}, raw.items, 1, budget, whole=False)
    if crowded:
        return crowded
    if dtype.real is not None and dtype.real.names is not None:
        return record_items_problem(raw, dtype.real, budget)
    return None


#: How many distinct keys of one hash value a dict or set built by the stream (or an object
#: array, whose items scikit-learn puts in sets and dicts at use) may hold. CPython stores a key
#: by probing the slots its hash leads to and comparing the key with each key of the same hash
#: it meets, so ``n`` keys of one hash cost ``n**2 / 2`` comparisons: an int hashes modulo
#: ``2**61 - 1`` in every process, and 50,000 keys ``k * (2**61 - 1)`` (700 KB) took plain
#: pickle, scan and load some 17 s each (rt105-08). Honest keys of one hash are pairs such as
#: ``-1`` and ``-2``; at most this many keep every store under as many comparisons.
SHARED_HASH_LIMIT: Final = 32
#: ``_key_value``'s answer for a key whose hash the pass leaves to the load: a str or bytes
#: (hashed with this process's secret seed), a class or function (hashed by identity), an
#: object the pass does not evaluate.
_NO_KEY: Final = object()
_SCALARS: Final = frozenset(
    {("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar")}
)


def _decimal(*parts: Any) -> Any:
    import decimal

    # (a text only, as the load's narrowed Decimal takes: libmpdec converts an int in time
    # quadratic in its digits, 8 s for 300 KB, rt117-07)
    if len(parts) != 1 or type(parts[0]) is not str:
        return _NO_KEY
    return decimal.Decimal(parts[0])


#: calls whose result hashes as a number the file chooses
_NUMBER_CALLS: Final[dict[tuple[str, str], Any]] = {
    ("decimal", "Decimal"): _decimal,
    ("_pydecimal", "Decimal"): _decimal,
    ("builtins", "range"): range,
}
#: the named tuples the allowlist makes by a call of their fields
_NAMED_TUPLES: Final = frozenset({("sklearn.impute._iterative", "_ImputerTriplet")})
#: calls whose result hashes by the items they collect
_COLLECTING: Final[dict[tuple[str, str], Any]] = {
    ("builtins", "frozenset"): frozenset,
    ("builtins", "tuple"): tuple,
}
_UUID: Final = ("uuid", "UUID")
_BYTES: Final = ("builtins", "bytes")
_DTYPE: Final = ("numpy", "dtype")
#: classes written in C whose objects the pass builds from their evaluated arguments to hash
#: them as the load will: nothing of the file's runs, and each validates what it is given. A
#: date hashes its bytes with the process's secret seed, but an item the pass does not
#: evaluate would leave a tuple key's other items free to collide (rt113-01: 40,000 keys
#: ``(date, k * (2**61 - 1))`` took 20 s to load); a timedelta and a slice (Python 3.12)
#: hash a tuple of the ints the file chose.
_BUILT: Final[dict[tuple[str, str], str]] = {
    ("datetime", "date"): "date",
    ("datetime", "datetime"): "datetime",
    ("datetime", "time"): "time",
    ("datetime", "timedelta"): "timedelta",
    ("datetime", "timezone"): "timezone",
    ("builtins", "slice"): "slice",
    # (a path hashes its parts' texts; honest keys of a path and a text are common)
    ("pathlib", "PurePosixPath"): "PurePosixPath",
    ("pathlib", "PureWindowsPath"): "PureWindowsPath",
    ("pathlib._local", "PurePosixPath"): "PurePosixPath",
    ("pathlib._local", "PureWindowsPath"): "PureWindowsPath",
    # (the pandas profile's: a Timestamp with nanoseconds, or past datetime's years, and a
    # Timedelta with nanoseconds hash as their int64 value; others as a datetime's, a
    # timedelta's)
    ("pandas._libs.tslibs.timestamps", "_unpickle_timestamp"): "Timestamp",
    ("pandas._libs.tslibs.timedeltas", "_timedelta_unpickle"): "Timedelta",
}
#: the builtin classes whose object ``copyreg._reconstructor(cls, cls, value)`` is ``value``
_SAME_VALUE: Final = frozenset(
    {("builtins", "int"), ("builtins", "float"), ("builtins", "str"), ("builtins", "bytes")}
)
#: the kinds of ``_BUILT`` that hash their data with the process's secret seed: no file
#: chooses their hash, so they are built only as items of a key (beside items that may
#: collide) and stand in as :class:`_Unseen` where they cannot be (a list of 800 paths
#: sharing a 12,000-character part would cost as much to build as to load, rt94-01)
_SEEDED: Final = frozenset({"date", "datetime", "time", "PurePosixPath", "PureWindowsPath"})
#: the classes whose keys :func:`_key_value` evaluates itself
EVALUATED_KEYS: Final = (
    frozenset(_NUMBER_CALLS)
    | _NAMED_TUPLES
    | frozenset(_COLLECTING)
    | _SCALARS
    | frozenset(_BUILT)
    | {_UUID, _DTYPE, CODECS_ENCODE, _BYTES, ("builtins", "complex")}
)
#: what :func:`_stand_in` says of an item whose hash the file may choose and the pass cannot
#: evaluate: the key holding it counts as one hash with every such key (:class:`_OwnKey`)
_UNKNOWN: Final = object()


class _SameHash:
    """A stand-in for a key the pass evaluates by what it hashes as: it hashes as ``value``
    and equals only a stand-in of the same ``tag`` and value (a ``uuid.UUID`` hashes as its
    int, rt110-02)."""

    __slots__ = ("tag", "value")

    def __init__(self, tag: str, value: Any) -> None:
        self.tag = tag
        self.value = value

    def __hash__(self) -> int:
        return hash(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _SameHash) and other.tag == self.tag and other.value == self.value


class _OwnKey:
    """A key whose hash the file may choose and the pass cannot evaluate: an object of a
    class the caller trusted whose own ``__hash__`` runs on the file's values (``own``), or a
    key holding an item the pass cannot evaluate (a call's result, a ``Decimal`` of a text
    the pass does not read). All of one ``name`` count as sharing a hash and each key (by
    ``ident``, the identity of the whole key's symbol) as a distinct value, so a container
    holds at most ``SHARED_HASH_LIMIT`` of them (rt110-04: 5,000 frozen-dataclass keys of one
    hash took 3 s to load)."""

    __slots__ = ("ident", "name", "own")

    def __init__(self, name: str, ident: int, own: bool = True) -> None:
        self.name = name
        self.ident = ident
        self.own = own

    def __hash__(self) -> int:
        return hash(self.name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _OwnKey) and other.ident == self.ident


class _Unseen:
    """An item of a tuple or frozenset key that the pass does not evaluate and whose hash no
    file chooses (an object hashed by identity, an enum member by its name, a text the pass
    no longer holds, a C class's data). Its real hash is one the file cannot predict, but the
    items beside it still can collide: all of one ``name`` hash alike here and each object
    (``ident``) is distinct, so ``(X, k * (2**61 - 1))`` counts as one hash for every ``k``
    whichever ``X`` (rt113-01).

    ``code``, where given, tells apart what hashes apart at load too: an object hashed by
    identity (its symbol: each object the stream makes is another, and two live objects never
    share an identity hash), an enum member looked up by value (the value: equal values are
    one member; different members hash by names no file chooses). Without it, 36 keys ``(a,
    b)`` of a 6-state enum, or 40 ``(estimator, "fit")``, counted as one hash (rt117-02)."""

    __slots__ = ("code", "ident", "name")

    def __init__(self, name: str, ident: int, code: Any = None) -> None:
        self.name = name
        self.ident = ident
        self.code = code

    def __hash__(self) -> int:
        return hash(("unseen", self.name, self.code))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Unseen):
            return False
        if other.ident == self.ident:
            return True
        return self.code is not None and other.name == self.name and other.code == self.code


def _made_pair(sym: _Obj) -> tuple[str, str] | None:
    """The class an object the stream made is of (the pass keeps what
    ``copyreg._reconstructor`` makes as an object of the class it names)."""
    return None if sym.cls is None else sym.cls.pair


def _key_children(sym: _Container) -> list[_Sym]:
    """What evaluating ``sym`` as a key may visit: a tuple's or set's items, a call's
    arguments."""
    if isinstance(sym, _Tuple) or isinstance(sym, _Box):
        return sym.items
    if isinstance(sym, _Obj) and isinstance(sym.args, _Tuple):
        return sym.args.items
    return []


def _key_nodes(sym: _Sym) -> int:
    """The expanded node count of ``sym`` as a key (each node once per path that reaches it:
    what evaluating and hashing it visits), memoised on each container, so this is linear in
    the distinct nodes however often the memo shares them; saturates at ``_SIZE_CAP``. A
    16-item tuple of 16-item tuples sharing one Decimal, nested a few levels, is millions of
    nodes in 300 bytes: evaluated item by item it took 24 s (rt110-08)."""
    if not isinstance(sym, _Container):
        return _leaf_nodes(sym)
    stack: list[tuple[_Container, bool]] = [(sym, False)]
    while stack:
        node, done = stack.pop()
        if not done:
            if node.key_nodes:
                continue
            node.key_nodes = 1  # (until counted: a cycle counts a node once)
            stack.append((node, True))
            for child in _key_children(node):
                if isinstance(child, _Container) and not child.key_nodes:
                    stack.append((child, False))
            continue
        total = 1
        for child in _key_children(node):
            total += child.key_nodes if isinstance(child, _Container) else _leaf_nodes(child)
        node.key_nodes = min(total, _SIZE_CAP)
    return sym.key_nodes


def _leaf_nodes(sym: _Sym) -> int:
    """What hashing a leaf of a key visits: an int reads every digit (it caches no hash),
    one node per 16 bytes; anything else one node."""
    if isinstance(sym, _Const) and type(sym.value) is int:
        return _int_nodes(sym.value)
    return 1


def _int_nodes(value: int) -> int:
    """What hashing (or comparing) the int ``value`` costs, one node per 16 bytes (as
    :func:`safeload.pickle.costs.const_nodes` counts it)."""
    return 1 + value.bit_length() // 128


def _hash_nodes(value: Any) -> int:
    """What hashing a key value that caches no hash of its own visits beyond one node: an
    int's digits, a range's bounds' (it hashes as ``(len, start, step)``, rt117-05)."""
    if type(value) is int:
        return _int_nodes(value) - 1
    if type(value) is range:
        return _int_nodes(value.start) + _int_nodes(value.stop) + _int_nodes(value.step) - 3
    return 0


def _afford(sym: _Sym, budget: FoldBudget, whole: bool, inner: bool) -> bool:
    """Whether the key ``sym``, one the pass can evaluate, is evaluated: its expanded size is
    charged to ``budget`` first (once, for the outermost key: the items it visits are within
    it). An item nothing hashes while loading (``whole=False``) is evaluated at any size too:
    a list a class hashes at use (stop words) of ``(k * (2**61 - 1), F)``, ``F`` one
    ``frozenset([None] * 70)``, was skipped as larger than 64 nodes (rt117-01); memo sharing
    is charged, and the unfold bound holds a list's expanded size to the file's anyway."""
    if not inner:
        budget.spend(_key_nodes(sym))
    return True


def _text_value(sym: _Sym, budget: FoldBudget) -> Any:
    """The str or bytes ``sym`` denotes (a constant, one longer than the pass folds while it
    still holds it, protocol 2's ``_codecs.encode(text, "latin1")``), charged by length; or
    ``_NO_KEY``. Read and charged once per symbol: a str or bytes caches its hash, and a
    1,264-character text shared by 200 keys was charged at every reference (rt117-06)."""
    known = budget.texts.get(id(sym))
    if known is not None and known[0] is sym:
        return known[1]
    value = _read_text(sym)
    if value is not _NO_KEY:
        budget.spend(len(value))
        budget.texts[id(sym)] = (sym, value)
    return value


def _read_text(sym: _Sym) -> Any:
    """:func:`_text_value`'s reading, uncharged."""
    if isinstance(sym, _Big):
        value = sym.value
        if isinstance(value, memoryview) and not sym.mutable:
            value = bytes(value)  # (the pass keeps long bytes as a view of the stream)
        if sym.mutable or type(value) not in (str, bytes):
            return _NO_KEY
    elif isinstance(sym, _Const) or isinstance(sym, _Obj):
        try:
            value, _ = _fold(sym)
        except KeyError:
            value = _long_latin1(sym)
            if value is None:
                value = _bytes_call(sym)
        if type(value) not in (str, bytes):
            return _NO_KEY
    else:
        return _NO_KEY
    return value


def _bytes_call(sym: _Sym) -> Any:
    """The bytes of a call of ``builtins.bytes`` on nothing (how protocols 0 to 2 write
    ``b""``, and numpy an empty ``np.str_``'s data) or on one bytes constant; ``None``
    otherwise (rt120-01: ``(k * (2**61 - 1), b"")`` stop words were skipped by the count)."""
    if not (isinstance(sym, _Obj) and sym.cls is not None and sym.cls.pair == _BYTES):
        return None
    if sym.state is not None or not isinstance(sym.args, _Tuple):
        return None
    args = sym.args.items
    if not args:
        return b""
    if len(args) == 1 and isinstance(args[0], _Const) and type(args[0].value) is bytes:
        return args[0].value
    return None


def _long_latin1(sym: _Sym) -> Any:
    """The bytes of protocol 2's ``_codecs.encode(text, "latin1")`` of a text longer than
    the pass folds, while it holds the text (rt115-04: an ``np.str_`` of 5,000 characters);
    ``None`` otherwise."""
    if not (isinstance(sym, _Obj) and sym.cls is not None and sym.cls.pair == CODECS_ENCODE):
        return None
    args = sym.args
    if not (isinstance(args, _Tuple) and len(args.items) == 2):
        return None
    text, codec = args.items
    if not (isinstance(text, _Big) and type(text.value) is str and isinstance(codec, _Const)):
        return None
    if codec.value not in ("latin1", "latin-1"):
        return None
    try:
        return text.value.encode("latin-1")
    except UnicodeEncodeError:
        return None


def _key_value(
    sym: _Sym, budget: FoldBudget, whole: bool, inner: bool = False, own_hash: Any = None
) -> Any:
    """The value the load will hash for ``sym``, a dict key, set item or object-array item,
    where an attacker can choose its hash (numbers, tuples and frozensets of them, numpy
    scalars, ``complex(re, im)``, ``Decimal``, ``range``, a named tuple of scikit-learn's, a
    ``uuid.UUID``, the C classes of ``_BUILT``), or ``_NO_KEY``; an :class:`_OwnKey` where
    the file may choose it and the pass cannot tell. ``inner``: an item of a tuple or set key
    (texts, ``None``, classes and dtypes are evaluated there: they hash with their
    neighbours). ``whole``: a tuple of any size (the load hashes it too, and the walk has
    charged that); otherwise only small ones. ``own_hash(pair)``: how objects of the class
    ``pair`` hash (:meth:`~safeload.pickle.walk_values.WalkValues._own_hash`)."""
    if own_hash is not None and (whole or not inner) and isinstance(sym, _Obj):
        # (at any depth of a tuple or frozenset key, rt112-02; a list's own items too, which
        # scikit-learn may hash at use: a MultiLabelBinarizer's classes of 10,000 frozen
        # dataclass objects of one hash took 8.5 s to fit, rt121-06. A named tuple or
        # dataclass counts by its fields, so honest lists of records load, rt112-03; a
        # reviewed class's data hash is left to the list's tuples' count)
        made = _made_pair(sym)
        if made is not None and not whole and _identity_by_facts(made):
            made = None  # (told without importing its class: a forest's trees, rt121-06)
        mode = own_hash(made) if made is not None else None
        if made is not None and mode and mode not in _STAND_IN_MODES:
            if whole or mode != "reviewed":
                return _own_key_value(sym, made, mode, budget, own_hash, whole)
            # (a list's own object of a reviewed class is left to the pandas profile's count
            # after building, which hashes and compares the real CategoricalDtypes: one hash
            # per class here refused list(df.dtypes) of 40 equal survey dtypes, rt123-03, and
            # DictVectorizer names of 2,000 dtypes of one hash took 13 s a row, rt122-04)
        if made is not None and mode in ("enum", "flag") and not whole:
            # (a list's own enum object made other than by value, given the name the file
            # chose: one hash with every such object of its class, as in a key, rt122-05)
            if _stand_in(sym, own_hash) is _UNKNOWN:
                return _OwnKey(f"{made[0]}.{made[1]}", id(sym), False)
    if isinstance(sym, _Const):
        value = sym.value
        if type(value) in (int, float, bool, complex):
            return value
        # (None, a str or bytes inside a tuple or named tuple: its items hash with them)
        return value if inner and type(value) in (str, bytes, type(None)) else _NO_KEY
    if isinstance(sym, _Big):
        return _text_value(sym, budget) if inner else _NO_KEY
    if isinstance(sym, _Global):
        # a class or function hashes by identity, one object per name (a few names alias)
        return _SameHash("global", sym.pair) if inner else _NO_KEY
    if isinstance(sym, _Tuple):
        try:
            value, size = _fold(sym)
        except KeyError:
            # a tuple holding Decimals or ranges (rt109-01): its items' key values, when
            # every item has one (rt110-01: at any length, its expanded size charged)
            if not _afford(sym, budget, whole, inner):
                return _NO_KEY
            if not whole:
                return _listed(sym, sym.items, tuple, budget, own_hash)
            return _collected(sym.items, tuple, budget, whole, own_hash, sym)
        # (an int's digits counted: hashing a list of 10,000 (B,), B a memoised 1 MB int,
        # took 4.7 s, rt117-03)
        budget.spend(max(size, _key_nodes(sym)))
        return value
    if isinstance(sym, _Box) and sym.kind == "frozenset":
        if not _afford(sym, budget, whole, inner):
            return _NO_KEY
        if not whole:
            return _listed(sym, sym.items, frozenset, budget, own_hash)
        return _collected(sym.items, frozenset, budget, whole, own_hash, sym)
    if not (isinstance(sym, _Obj) and sym.cls is not None and isinstance(sym.args, _Tuple)):
        return _NO_KEY
    if sym.key is not None and sym.key[1] is sym.state:
        return sym.key[0]
    value = _made_value(sym, sym.cls.pair, sym.args.items, budget, whole, inner, own_hash)
    if value is not _NO_KEY and not isinstance(value, _OwnKey):
        # (one value per symbol: the load makes one object of it, and a NaN rebuilt for each
        # key would hash apart where the load's one NaN hashes alike, rt114-01; kept for its
        # state: a BUILD after it gives a UUID another int)
        sym.key = (value, sym.state)
    return value


def _made_value(
    sym: _Obj,
    pair: tuple[str, str],
    items: list[_Sym],
    budget: FoldBudget,
    whole: bool,
    inner: bool,
    own_hash: Any,
) -> Any:
    """:func:`_key_value` of an object a call or NEWOBJ made, ``pair`` its class or function
    and ``items`` its arguments: the maker of ``_MAKERS`` for ``pair``, or ``_NO_KEY``."""
    if pair == _DTYPE:
        # the dtype the pass worked out once its state was checked (a BUILD after that is
        # refused): hashed by numpy from its layout and field names (whole keys too: a map
        # of 34 dtypes to names was refused, rt115-04)
        return sym.real if sym.real is not None else _NO_KEY
    if items and items[0] is sym.cls:
        return _reconstructed_value(sym, pair, items, budget, whole, inner, own_hash)
    maker = _MAKERS.get(pair)
    if maker is None:
        return _NO_KEY
    return maker(sym, pair, items, budget, whole, inner, own_hash)


def _reconstructed_value(
    sym: _Obj,
    pair: tuple[str, str],
    items: list[_Sym],
    budget: FoldBudget,
    whole: bool,
    inner: bool,
    own_hash: Any,
) -> Any:
    """``copyreg._reconstructor(cls, base, state)``, as protocols 0 and 1 write an object:
    the pass keeps it as an object of cls with those arguments. A named tuple's fields are
    its state (``_reconstructor(cls, tuple, fields)``); a UUID's int comes by BUILD (rt110-01,
    rt110-02); ``_reconstructor(int, int, n)`` is ``n`` (rt114-02: a whole key of it was
    skipped, an item of one stood in as of a class whose hash no file chooses)."""
    if pair == _UUID:
        return _uuid_value(sym, None, budget)
    if pair in _SAME_VALUE and len(items) == 3:
        base, given = items[1], items[2]
        if isinstance(base, _Global) and base.pair == pair and isinstance(given, _Const):
            value = given.value
            if type(value) in (int, float) and pair[1] == type(value).__name__:
                return value
            if type(value) in (str, bytes) and pair[1] == type(value).__name__:
                return value if inner else _NO_KEY
        return _NO_KEY
    if pair not in _NAMED_TUPLES or len(items) != 3:
        return _NO_KEY
    base, fields = items[1], items[2]
    if not (isinstance(base, _Global) and base.pair == ("builtins", "tuple")):
        return _NO_KEY
    if not isinstance(fields, _Tuple) or not _afford(sym, budget, whole, inner):
        return _NO_KEY
    return _collected(fields.items, tuple, budget, whole, own_hash, sym)


def _encoded_value(
    sym: _Obj,
    pair: tuple[str, str],
    items: list[_Sym],
    budget: FoldBudget,
    whole: bool,
    inner: bool,
    own_hash: Any,
) -> Any:
    """``_codecs.encode(text, "latin1")``, protocol 3's bytes: its text, inside a key."""
    return _text_value(sym, budget) if inner else _NO_KEY


def _bytes_made(
    sym: _Obj,
    pair: tuple[str, str],
    items: list[_Sym],
    budget: FoldBudget,
    whole: bool,
    inner: bool,
    own_hash: Any,
) -> Any:
    """``builtins.bytes()`` (protocols 0 to 2 write ``b""`` so), or of one bytes constant:
    the bytes, inside a tuple or set key as a text is (rt120-01)."""
    return _text_value(sym, budget) if inner else _NO_KEY


def _uuid_made(
    sym: _Obj,
    pair: tuple[str, str],
    items: list[_Sym],
    budget: FoldBudget,
    whole: bool,
    inner: bool,
    own_hash: Any,
) -> Any:
    """``uuid.UUID(...)`` called: its int."""
    return _uuid_value(sym, items, budget)


def _named_tuple_value(
    sym: _Obj,
    pair: tuple[str, str],
    items: list[_Sym],
    budget: FoldBudget,
    whole: bool,
    inner: bool,
    own_hash: Any,
) -> Any:
    """A named tuple hashes as the tuple of its fields (rt109-01: ``_ImputerTriplet``
    keys)."""
    if not _afford(sym, budget, whole, inner):
        return _NO_KEY
    return _collected(items, tuple, budget, whole, own_hash, sym)


def _collecting_value(
    sym: _Obj,
    pair: tuple[str, str],
    items: list[_Sym],
    budget: FoldBudget,
    whole: bool,
    inner: bool,
    own_hash: Any,
) -> Any:
    """Protocol 2's ``frozenset([...])``, or ``tuple([...])`` written by hand: the items it
    collects. Of nothing, the empty one; of another call's result (which pickle never
    writes), one hash with every such key (rt120-07: ``tuple(frozenset([k * (2**61 -
    1)]))`` stop words were skipped)."""
    if not items:
        return _COLLECTING[pair](())
    if len(items) != 1:
        return _NO_KEY
    source = items[0]
    if isinstance(source, _Obj):
        return _OwnKey(f"builtins.{pair[1]}", id(sym), False)
    if pair[1] == "tuple" and isinstance(source, _Box) and source.kind != "list":
        # (a set's items in its own order, which the pass does not know: rt115-03)
        return _OwnKey("builtins.tuple", id(sym), False)
    if isinstance(source, _Box) or isinstance(source, _Tuple):
        if not _afford(sym, budget, whole, inner):
            return _NO_KEY
        return _collected(source.items, _COLLECTING[pair], budget, whole, own_hash, sym)
    return _NO_KEY


def _seeded_or_built(
    sym: _Obj,
    pair: tuple[str, str],
    items: list[_Sym],
    budget: FoldBudget,
    whole: bool,
    inner: bool,
    own_hash: Any,
) -> Any:
    """A class of ``_BUILT``; one of the ``_SEEDED`` kinds only inside a key."""
    if not inner and _BUILT[pair] in _SEEDED:
        return _NO_KEY
    return _built_value(sym, pair, items, budget, whole, inner)


def _complex_value(
    sym: _Obj,
    pair: tuple[str, str],
    items: list[_Sym],
    budget: FoldBudget,
    whole: bool,
    inner: bool,
    own_hash: Any,
) -> Any:
    """``complex(re)`` or ``complex(re, im)`` of numbers."""
    parts: list[Any] = []
    for item in items:
        if not (isinstance(item, _Const) and type(item.value) in (int, float)):
            return _NO_KEY
        parts.append(item.value)
    return complex(*parts) if 1 <= len(parts) <= 2 else _NO_KEY


def _scalar_made(
    sym: _Obj,
    pair: tuple[str, str],
    items: list[_Sym],
    budget: FoldBudget,
    whole: bool,
    inner: bool,
    own_hash: Any,
) -> Any:
    """numpy's ``scalar(dtype, data)``: :func:`_scalar_value`."""
    if len(items) == 2 and isinstance(items[0], _Obj):
        return _scalar_value(items[0], items[1], budget)
    return _NO_KEY


def _number_value(
    sym: _Obj,
    pair: tuple[str, str],
    items: list[_Sym],
    budget: FoldBudget,
    whole: bool,
    inner: bool,
    own_hash: Any,
) -> Any:
    """``Decimal(text)`` hashes as its value modulo 2**61 - 1, ``range(a, b)`` as ``(len, a,
    step)``: the file chooses both (rt109-01). A text of any length (rt110-01: blanks and
    leading zeros kept a key of hash 0 past a 64-character limit), charged by length, one
    longer than the pass folds too."""
    if not 1 <= len(items) <= 3:
        return _NO_KEY
    numbers: list[Any] = []
    for item in items:
        if isinstance(item, _Const) and type(item.value) is int:
            numbers.append(item.value)
            continue
        text = _text_value(item, budget)
        if type(text) is not str:
            return _NO_KEY
        numbers.append(text)
    try:
        return _NUMBER_CALLS[pair](*numbers)
    except (TypeError, ValueError, ArithmeticError):
        return _NO_KEY


def _makers() -> dict[tuple[str, str], Any]:
    """``_MAKERS``, each pair in one table only."""
    tables: list[tuple[Any, Any]] = [
        ((CODECS_ENCODE,), _encoded_value),
        ((_BYTES,), _bytes_made),
        ((_UUID,), _uuid_made),
        (_NAMED_TUPLES, _named_tuple_value),
        (_COLLECTING, _collecting_value),
        (_BUILT, _seeded_or_built),
        ((("builtins", "complex"),), _complex_value),
        (_SCALARS, _scalar_made),
        (_NUMBER_CALLS, _number_value),
    ]
    makers: dict[tuple[str, str], Any] = {}
    for pairs, maker in tables:
        for pair in pairs:
            if pair in makers or pair == _DTYPE:
                raise RuntimeError(f"two makers for {pair}")
            makers[pair] = maker
    return makers


#: how :func:`_made_value` evaluates an object made by a call of each pair
_MAKERS: Final = _makers()


def _built_value(
    sym: _Obj,
    pair: tuple[str, str],
    items: list[_Sym],
    budget: FoldBudget,
    whole: bool,
    inner: bool,
) -> Any:
    """An object of a class of ``_BUILT``, made from its arguments' key values (each a plain
    value: a timezone, an int, the bytes pickle writes a date as), or ``_NO_KEY``."""
    import datetime
    import pathlib

    kind = _BUILT[pair]
    path = kind.startswith("Pure")
    # (pickle writes a path's parts as one argument each, rt114-08)
    if (len(items) > 8 and not path) or not _afford(sym, budget, whole, inner):
        return _NO_KEY
    values: list[Any] = []
    for item in items:
        one = _key_value(item, budget, whole, True)
        if (
            one is _NO_KEY
            or isinstance(one, _SameHash)
            or isinstance(one, _OwnKey)
            or isinstance(one, _Unseen)
        ):
            return _NO_KEY
        if type(one) in (str, bytes):
            budget.spend(len(one))  # (a path parses its texts)
        values.append(one)
    if kind in ("Timestamp", "Timedelta"):
        return _pandas_value(pair, kind, values)
    made: Any = {
        "date": datetime.date,
        "datetime": datetime.datetime,
        "time": datetime.time,
        "timedelta": datetime.timedelta,
        "timezone": datetime.timezone,
        "slice": slice,
        "PurePosixPath": pathlib.PurePosixPath,
        "PureWindowsPath": pathlib.PureWindowsPath,
    }[kind]
    if path and not all(type(v) is str for v in values):
        return _NO_KEY  # (pickle writes a path's parts as texts)
    budget.spend(1)
    try:
        return made(*values)
    except Exception:  # (the load fails on it too)
        return _NO_KEY


def _pandas_value(pair: tuple[str, str], kind: str, values: list[Any]) -> Any:
    """The Timestamp or Timedelta the pandas profile's checked ``_unpickle_timestamp`` or
    ``_timedelta_unpickle`` makes of ``values``, or ``_NO_KEY`` (rt114-05: honest
    ``Series.to_dict()`` keys of a DatetimeIndex were refused past 32)."""
    import importlib

    from safeload.trust import pandas_calls

    try:
        real = getattr(importlib.import_module(pair[0]), pair[1])
        checked = pandas_calls._timestamp if kind == "Timestamp" else pandas_calls._timedelta
        return checked(real)(*values)
    except Exception:  # (the load fails on it too)
        return _NO_KEY


def _own_key_value(
    sym: _Obj,
    made: tuple[str, str],
    mode: Any,
    budget: FoldBudget,
    own_hash: Any,
    whole: bool = True,
) -> Any:
    """What a key of a class the caller trusted hashes as, where the pass can tell: a named
    tuple (``mode`` ``"tuple"``) as the tuple of its fields, a dataclass whose ``__hash__``
    the dataclass module wrote (``mode`` the names it hashes, or their places in the list
    state of a slotted frozen dataclass) as the tuple of those fields of its state (rt112-04,
    rt113-06: honest keys of such classes were refused); any other as an :class:`_OwnKey`
    (all of a class count as one hash, rt110-04)."""
    items = sym.args.items if isinstance(sym.args, _Tuple) else []
    fields: list[_Sym] | None = None
    if mode == "tuple":
        fields = items
        if (
            len(items) == 3
            and items[0] is sym.cls
            and isinstance(items[1], _Global)
            and items[1].pair == ("builtins", "tuple")
        ):
            # protocols 0-1: _reconstructor(cls, tuple, fields); a NEWOBJ's first argument may
            # be the class itself (rt113-09)
            fields = items[2].items if isinstance(items[2], _Tuple) else None
    elif isinstance(mode, tuple):
        fields = _state_fields(sym.state, mode)
    value: Any = _NO_KEY
    if fields is not None:
        # (the fields as a tuple's items; an own object among them is not evaluated in turn:
        # a state may hold its own object)
        # (in a list, a field's tuple stands its objects in as a list's tuple does: without
        # own_hash they were skipped, so Rec((k * (2**61 - 1), s)) records went uncounted,
        # rt122-01; an own object there is not evaluated in turn either way)
        value = _collected(fields, tuple, budget, whole, None if whole else own_hash, sym, own_hash)
        if value is _NO_KEY and not whole:
            return _NO_KEY  # (a list's record holding an array: nothing can hash it)
    if value is _NO_KEY or isinstance(value, _OwnKey):
        return _OwnKey(f"{made[0]}.{made[1]}", id(sym))
    return value


def _state_fields(state: _Sym | None, mode: tuple[Any, ...]) -> list[_Sym] | None:
    """The fields ``mode`` names in a dataclass's BUILD ``state``: a dict of its fields or,
    where ``mode`` gives places, the list ``dataclasses`` writes for a slotted frozen class;
    ``None`` where one is missing or the pass cannot read it. (A slot state, a pair, is
    refused by the walk: no allowed class is pickled with one.)"""
    found: list[_Sym] = []
    if mode and type(mode[0]) is int:
        if not (isinstance(state, _Box) and state.kind == "list"):
            return None
        for place in mode:
            if place >= len(state.items):
                return None
            found.append(state.items[place])
        return found
    if not isinstance(state, _Dict) or state.lossy:
        return None
    for name in mode:
        one = state.items.get(name)
        if one is None:
            return None
        found.append(one)
    return found


def _uuid_value(sym: _Obj, items: list[_Sym] | None, budget: FoldBudget) -> Any:
    """What a ``uuid.UUID`` key hashes as: its int, set by its BUILD's ``{"int": n}`` (how
    pickle writes one) or parsed from ``UUID(text)``; ``_NO_KEY`` otherwise. It hashes as
    ``hash(self.int)``, an int of 128 bits the file chooses, and compares in Python: 12,000
    keys of hash 0 loaded in 6.5 s (rt110-02)."""
    state = sym.state
    if isinstance(state, _Dict):
        found = state.items.get("int")
        if isinstance(found, _Const) and type(found.value) is int:
            if not 0 <= found.value < 1 << 128:
                # (no UUID holds one: its hash reads every digit at each reference, a 1 MB
                # int fetched 20,000 times took the count 9 s, rt118-01)
                return _OwnKey("uuid.UUID", id(sym), False)
            return _SameHash("uuid", found.value)
        # (an int of another kind still hashes as itself and compares in Python: one hash
        # for all such keys, rt113-10)
        return _OwnKey("uuid.UUID", id(sym), False)
    if items is not None and 1 <= len(items) <= 6:
        # UUID(hex, bytes, bytes_le, fields, int, version) on constants: run it (pure
        # Python, linear in its texts, charged by their length); a text may hold any number
        # of braces and "urn:" prefixes (rt112-01). Arguments the pass cannot fold: the key
        # counts as one hash with every such UUID key
        import uuid

        values: list[Any] = []
        for item in items:
            try:
                value, size = _fold(item)
            except KeyError:
                return _OwnKey("uuid.UUID", id(sym), False)
            budget.spend(size + (len(value) if type(value) in (str, bytes) else 0))
            values.append(value)
        try:
            return _SameHash("uuid", uuid.UUID(*values).int)
        except Exception:  # (the load fails on it too)
            return _NO_KEY
    return _NO_KEY


def _stand_in(item: _Sym, own_hash: Any, listed: bool = False) -> Any:
    """What stands for ``item``, a key or an item of one that :func:`_key_value` did not
    evaluate: an :class:`_Unseen` where no file chooses its hash, ``_UNKNOWN`` where the
    file may and the pass cannot tell (a call's result, a class the pass evaluates given
    arguments it cannot read, an own class when ``own_hash`` is not given), ``_NO_KEY``
    where CPython cannot hash it (the load fails, or the walk refuses it)."""
    if isinstance(item, _Big):
        if item.mutable:
            return _NO_KEY
        if item.value is not None:
            return _Unseen("str" if item.text else "bytes", id(item))  # (seeded, rt115-04)
        # (an array's data the pass no longer holds: its hash is the process's, and only a
        # known hash seed would let a file pair it with colliding neighbours)
        return _UNKNOWN
    if isinstance(item, _Obj):
        if item.cls is None or not isinstance(item.args, _Tuple):
            return _UNKNOWN
        pair = item.cls.pair
        if pair == CODECS_ENCODE:
            return _Unseen("bytes", id(item))  # (protocol 2's bytes: seeded, rt115-04)
        if pair in _BUILT and _BUILT[pair] in _SEEDED:
            return _Unseen(f"{pair[0]}.{pair[1]}", id(item))
        made = _new_object_of(item, own_hash)
        if made is not None:
            return made
        if pair in EVALUATED_KEYS or own_hash is None:
            return _UNKNOWN
        mode = own_hash(pair)
        name = f"{pair[0]}.{pair[1]}"
        if mode == "unhashable":
            return _NO_KEY  # (a dict, a list subclass: the load cannot hash it)
        if mode == "reviewed":
            # (a reviewed class hashing its own data in Python, pandas' CategoricalDtype:
            # one hash for all of its class, its neighbours in a tuple still tell the
            # tuples apart, rt121-03; a key of it counts as an own class's, rt112-09)
            return _Unseen(name, id(item)) if listed else _UNKNOWN
        if mode == "enum":
            # a member looked up by its value hashes as its name; an object made by NEWOBJ or
            # _reconstructor and given a state has the name the file chose (rt116-04)
            args = item.args.items
            if len(args) != 1 or item.state is not None:
                return _UNKNOWN
            return _Unseen(name, id(item), _member_value(args[0]))
        if mode == "flag":
            # a Flag's pseudo-members of unknown bits have no name: F(4), F(8), ... of a Flag
            # with boundary KEEP all hash as None, as what an own _missing_ makes may. A
            # value of a member the class names is that member, named (rt118-03: 40 named
            # members of a trusted Flag were refused)
            args = item.args.items
            if len(args) != 1 or item.state is not None:
                return _UNKNOWN
            code = _member_value(args[0])
            if code is None or not _named_value(pair, code[1]):
                return _UNKNOWN
            return _Unseen(name, id(item), code)
        if mode == "identity":
            return _per_object(pair, item)
        if mode:  # (an own class's object, or a call of a function)
            return _UNKNOWN
        return _Unseen(name, id(item))
    if isinstance(item, _Const) or isinstance(item, _Container):
        return _NO_KEY  # (a bytearray, a list, set or dict; a frozenset or tuple evaluated)
    if isinstance(item, _Global):
        return _NO_KEY  # (evaluated)
    return _UNKNOWN if type(item) is _Opaque else _NO_KEY


#: the modes of ``own_hash`` whose objects :func:`_stand_in` stands in for
_STAND_IN_MODES: Final = frozenset({"call", "number", "enum", "flag", "identity", "unhashable"})
#: numpy's array classes (``__hash__`` None) that ``_reconstruct`` and ``_mareconstruct``
#: are given as their first argument by numpy's own pickles
_ARRAY_CLASSES: Final = frozenset(
    {
        ("numpy", "ndarray"),
        ("numpy", "memmap"),
        ("numpy.ma", "MaskedArray"),
        ("numpy.ma.core", "MaskedArray"),
    }
)
#: numpy's helpers that make a new random state, bit generator or seed sequence object at
#: each call, none of which defines ``__hash__``: each hashes by its identity
_NEW_RANDOM_OBJECTS: Final = frozenset(
    {
        ("numpy.random", "__RandomState_ctor"),
        ("numpy.random._pickle", "__bit_generator_ctor"),
        ("numpy.random._pickle", "__generator_ctor"),
        ("numpy.random._pickle", "__randomstate_ctor"),
        ("numpy.random.bit_generator", "__pyx_unpickle_SeedSequence"),
    }
)


#: pandas' rebuilders of an Index and of its arrays (Categorical, DatetimeArray, ...): what
#: they make has no hash (rt121-03: 40 (name, Index) pairs were refused)
_UNHASHABLE_MAKERS: Final = frozenset(
    {
        ("pandas.core.indexes.base", "_new_Index"),
        ("pandas._libs.arrays", "__pyx_unpickle_NDArrayBacked"),
    }
)


def _listed_stand_in(item: _Sym, own_hash: Any, budget: FoldBudget) -> Any:
    """:func:`_read_listed_stand_in`, once per symbol: a list of 30,000 tuples sharing one
    object stood it in (and asked the class facts) at each (rt121-09)."""
    # (kept apart for an answer without own_hash, an object array's or a call argument's:
    # slice((X,)) made X "unhashable" for every list's tuple after it, rt122-02)
    slot = id(item) * 2 + (own_hash is None)
    known = budget.stood.get(slot)
    if known is not None and known[0] is item:
        return known[1]
    value = _read_listed_stand_in(item, own_hash)
    budget.stood[slot] = (item, value)
    return value


#: :func:`_identity_by_facts`' answers, per class (the shipped facts do not change)
_IDENTITY_BY_FACTS: Final[dict[tuple[str, str], bool]] = {}


def _identity_by_facts(pair: tuple[str, str]) -> bool:
    """Whether the shipped class facts show objects of ``pair`` hashing by identity (asked
    once per class: a list of references to one object asked at each, 3.5 s a MB of stream,
    rt122-08)."""
    known = _IDENTITY_BY_FACTS.get(pair)
    if known is None:
        from safeload.trust.facts import holds_class, identity_hash_from_facts

        known = bool(identity_hash_from_facts(*pair))
        if holds_class(*pair):
            # (kept for the classes the facts hold only: a file's made-up class names stayed
            # for the process's life, 30,000 names kept 5.5 MB a file, rt123-06; any other
            # name is answered at once, not held)
            _IDENTITY_BY_FACTS[pair] = known
    return known


def _new_object_of(item: _Obj, own_hash: Any) -> Any:
    """The per-object stand-in of ``newObj(cls)``, the Cython helper that ``KDTree``,
    ``BallTree`` and ``DistanceMetric`` pickle through, where ``cls`` hashes by identity
    (rt121-02: in a list's tuple; rt122-07: in a key), else ``None``."""
    args = item.args.items if isinstance(item.args, _Tuple) else []
    if item.cls is None or item.cls.pair not in NEW_OBJ or not args:
        return None
    first = args[0]
    if not isinstance(first, _Global):
        return None
    made = first.pair
    if _identity_by_facts(made) or (own_hash is not None and own_hash(made) == "identity"):
        return _per_object(made, item)
    return None


def _per_object(pair: tuple[str, str], item: _Sym) -> Any:
    """The stand-in of ``item``, an object of the class ``pair`` that hashes by identity:
    distinct from every other object, equal to itself wherever referenced."""
    return _Unseen(f"{pair[0]}.{pair[1]}", id(item), ("object", id(item)))


def _read_listed_stand_in(item: _Sym, own_hash: Any) -> Any:
    """:func:`_stand_in` for an item of a list's tuple or frozenset item, which nothing
    hashes while loading but a class may hash at use: an array that numpy's helpers make
    cannot be hashed (the tuple is skipped: honest lists of ``(train, test)`` splits and an
    IterativeImputer's triplets, rt119-01, 02); an object that hashes by identity, told by
    numpy's helpers or by the shipped class facts, without importing its class, stands in
    per object (40 ``(StandardScaler(), None)`` pairs, rt119-01). Anything else as a key's
    item; where ``own_hash`` is not given (an object array's items) an object the pass
    cannot tell is skipped, as before."""
    if isinstance(item, _Obj) and item.cls is not None and isinstance(item.args, _Tuple):
        pair = item.cls.pair
        args = item.args.items
        if pair in _FROMBUFFER or pair in _UNHASHABLE_MAKERS:
            return _NO_KEY
        if pair in _SCALARS and args and isinstance(args[0], _Obj):
            real = args[0].real
            if real is not None and real.kind == "V":
                # (a structured or void scalar numpy's pickle makes is writeable and has no
                # hash: list(zip(records, labels)) was refused, rt121-01)
                return _NO_KEY
        made = _new_object_of(item, own_hash)
        if made is not None:
            return made
        if pair in _RECONSTRUCT or pair == ("numpy.ma.core", "_mareconstruct"):
            first = args[0] if args else None
            if isinstance(first, _Global) and first.pair in _ARRAY_CLASSES:
                return _NO_KEY
        elif pair in _NEW_RANDOM_OBJECTS or (
            pair not in EVALUATED_KEYS and pair != CODECS_ENCODE and _identity_by_facts(pair)
        ):
            return _per_object(pair, item)
        if own_hash is None:
            return _NO_KEY
    return _stand_in(item, own_hash, True)


#: pair -> (the enum class, the values of the members it names, plain constants only, and
#: the bits its members name where it is a Flag whose ``_missing_`` is Flag's, else ``None``)
_NAMED_VALUES: Final[dict[tuple[str, str], tuple[Any, frozenset[Any], int | None]]] = {}
#: the kinds of value :func:`_named_value` compares (no code of the class's runs)
_PLAIN_VALUES: Final = (int, float, str, bytes, bool)


def _named_value(pair: tuple[str, str], value: Any) -> bool:
    """Whether ``value`` denotes a member of the enum class ``pair`` that has a name no file
    chooses: it equals the value of a member the class names in its body, or (a Flag whose
    ``_missing_`` is Flag's) it is an int whose bits all belong to its single-bit members:
    Flag names such a composite by those bits (``P0|P1``), one name
    per value, whatever its boundary (rt119-04: 40 two-member combinations of a trusted Flag
    were refused). A value with other bits may have no name (KEEP's ``F(4)``, or ``Mode(1)``
    of a Flag whose members are two-bit fields, hash as ``None``, rt120-05) or be no member
    at all (EJECT's int). All read statically: ``_member_map_`` and each member's
    ``_value_``; plain types only."""
    if type(value) not in _PLAIN_VALUES:
        return False
    try:
        known = _enum_facts(pair)
    except Exception:  # (not an enum the pass can read: no value is a named one)
        return False
    if value in known[1]:
        return True
    mask = known[2]
    return mask is not None and type(value) is int and value >= 0 and value & ~mask == 0


def _enum_facts(pair: tuple[str, str]) -> tuple[Any, frozenset[Any], int | None]:
    """:data:`_NAMED_VALUES`' entry for ``pair``, read (and checked against the class
    object) here."""
    import enum
    import inspect

    from safeload.trust.classes import resolve_class

    cls = resolve_class(*pair)
    known = _NAMED_VALUES.get(pair)
    if known is not None and known[0] is cls:
        return known
    members = inspect.getattr_static(cls, "_member_map_")
    values = [inspect.getattr_static(m, "_value_") for m in dict(members).values()]
    mask: int | None = None
    missing = getattr(inspect.getattr_static(cls, "_missing_", None), "__func__", None)
    flag_missing = getattr(inspect.getattr_static(enum.Flag, "_missing_"), "__func__", None)
    if isinstance(cls, type) and issubclass(cls, enum.Flag) and missing is flag_missing:
        # the bits of its single-bit members: Flag names a composite by those only, and a
        # value of a multi-bit field's bits (F0 = 0b11: Mode(1), Mode(2)) has no name and
        # hashes as None (rt120-05)
        mask = 0
        for one in values:
            if type(one) is int and one > 0 and one & (one - 1) == 0:
                mask |= one
    known = (cls, frozenset(v for v in values if type(v) in _PLAIN_VALUES), mask)
    _NAMED_VALUES[pair] = known
    return known


def _member_value(value: _Sym) -> Any:
    """What tells enum members looked up by ``value`` apart: the constant (or tuple of
    constants) ``value`` is, tagged; ``None`` (no telling) otherwise."""
    try:
        folded, _ = _fold(value)
    except KeyError:
        return None
    try:
        hash(folded)
    except TypeError:
        return None
    return ("value", folded)


def _sym_name(item: _Sym) -> str:
    """A name for the class of ``item``, for a message."""
    if isinstance(item, _Obj) and item.cls is not None:
        return f"{item.cls.module}.{item.cls.qualname}"
    return "a value the pass cannot read"


def _listed(sym: _Sym, items: list[_Sym], kind: Any, budget: FoldBudget, own_hash: Any) -> Any:
    """:func:`_collected` of a tuple or frozenset inside a list's item (``whole=False``),
    once per symbol: its stand-ins do not depend on where it is referenced, and a list of
    30,000 references to one memoised tuple of 1,000 objects was walked item by item at
    each (rt119-03). (Its expanded size is still charged at each outermost reference: the
    use hashes it that often.)"""
    slot = id(sym) * 2 + (own_hash is None)  # (apart without own_hash, rt122-02)
    known = budget.listed.get(slot)
    if known is not None and known[0] is sym:
        return known[1]
    value = _collected(items, kind, budget, False, own_hash, sym)
    budget.listed[slot] = (sym, value)
    return value


def _collected(
    items: list[_Sym],
    kind: Any,
    budget: FoldBudget,
    whole: bool,
    own_hash: Any,
    holder: _Sym,
    classify: Any = None,
) -> Any:
    """``kind(values)`` of ``items``' key values (``holder``'s items or fields), or
    ``_NO_KEY`` if one cannot be hashed (or, for ``whole=False``, has none). An item the pass
    does not evaluate stands in as an :class:`_Unseen` (rt113-01); an item whose hash the
    file may choose and the pass cannot tell makes the whole key an :class:`_OwnKey` of
    ``holder`` (one hash with its kind's). ``classify``: the ``own_hash`` that tells the
    two apart, where ``own_hash`` is not given (an own object's fields)."""
    teller = own_hash if classify is None else classify
    values: list[Any] = []
    for item in items:
        one = _key_value(item, budget, whole, True, own_hash)
        if isinstance(one, _OwnKey):
            return _OwnKey(one.name, id(holder), one.own)
        if one is _NO_KEY:
            # (an item of a list's tuple too: scikit-learn hashes some stored lists and object
            # arrays at use, stop words, a scorer's labels, a DictVectorizer's names, and
            # [(k * (2**61 - 1), X)] all hash alike for one X, rt118-04, rt120-01, rt120-08,
            # rt120-10)
            one = _stand_in(item, teller) if whole else _listed_stand_in(item, teller, budget)
            if one is _NO_KEY:
                return _NO_KEY
            if one is _UNKNOWN:
                return _OwnKey(_sym_name(item), id(holder), False)
        values.append(one)
    try:
        return kind(values)
    except TypeError:
        return _NO_KEY


def _scalar_value(dtype: _Obj, data: _Sym, budget: FoldBudget) -> Any:
    """The numpy scalar ``multiarray.scalar(dtype, data)`` makes (a canonical dtype without
    objects, bytes at least an item long), or ``_NO_KEY``."""
    import numpy as np

    try:
        dt = real_dtype(dtype, budget)
    except (_NotCanonical, KeyError):
        return _NO_KEY
    raw = _text_value(data, budget)  # (a long text's scalar too, rt115-04)
    if isinstance(raw, str):
        try:
            raw = raw.encode("latin-1")
        except UnicodeEncodeError:
            return _NO_KEY
    if type(raw) is not bytes or dt.hasobject or len(raw) < dt.itemsize:
        return _NO_KEY
    if dt.itemsize == 0:
        # (an empty np.str_ or np.bytes_: numpy reads none of the data, rt120-02)
        if dt.kind == "U" and dt.names is None and dt.subdtype is None:
            return np.str_("")
        if dt.kind == "S" and dt.names is None and dt.subdtype is None:
            return np.bytes_(b"")
        return _NO_KEY
    # Numbers, booleans, datetimes and texts only. A structured (void) scalar is never hashed
    # here: the load's is writeable and unhashable, and numpy's hash of a read-only one reads
    # its fields, crashing on a text field past U+10FFFF (rt115-06); a text's code points are
    # checked first (numpy raised SystemError on them, rt115-05).
    if dt.kind not in "biufcmMSU" or dt.names is not None or dt.subdtype is not None:
        return _NO_KEY
    if dt.kind == "U":
        order = dt.byteorder if dt.byteorder in "<>" else "="
        units = np.frombuffer(raw, dtype=np.dtype(order + "u4"), count=dt.itemsize // 4)
        if units.size and int(units.max()) > 0x10FFFF:
            return _NO_KEY
    try:
        return np.frombuffer(raw, dtype=dt, count=1)[0]
    except Exception:  # (the load fails on it too)
        return _NO_KEY


def shared_hash_problem(
    table: dict[int, list[Any]],
    items: list[Any],
    step: int,
    budget: FoldBudget,
    whole: bool = True,
    own_hash: Any = None,
) -> str | None:
    """Count ``items[::step]`` (dict keys at ``step`` 2, set or array items at 1) into
    ``table`` (hash -> the distinct values of that hash met so far in one container), and say
    why the container is refused once more than ``SHARED_HASH_LIMIT`` distinct values share a
    hash, or ``None``. Only keys whose hash an attacker can choose are counted
    (:func:`_key_value`); equal keys count once (the load keeps one of them). A key of
    ``whole`` whose hash the file may choose and the pass cannot evaluate counts as one hash
    with every such key of its class (:class:`_OwnKey`)."""
    for i in range(0, len(items), step):
        value = _key_value(items[i], budget, whole, False, own_hash)
        if value is _NO_KEY:
            # (not a list's or an object array's items: nothing hashes them while loading,
            # and honest lists hold more than 32 objects of a class, rt112-03)
            if not whole or _stand_in(items[i], own_hash) is not _UNKNOWN:
                continue
            value = _OwnKey(_sym_name(items[i]), id(items[i]), False)
        # (an int or range caches no hash: one 1 MB int given 20,000 times took 9 s to hash,
        # rt117-03, a range of its bounds 13 s, rt117-05)
        budget.spend(_hash_nodes(value))
        try:
            code = hash(value)
        except (TypeError, ValueError):
            # (an unhashable value: the walk's own rule names it; numpy raises ValueError
            # for a timedelta64 without a unit, which a list may hold, rt121-04)
            continue
        same = table.get(code)
        if same is None:
            table[code] = [value]
            continue
        try:
            known = value in same
        except (ValueError, TypeError):
            known = False  # (a numpy scalar == a tuple is an array: count them apart, rt116-03)
        if known:
            continue
        same.append(value)
        if len(same) > SHARED_HASH_LIMIT:
            # (a list's, a long tuple's or an object array's items are counted as keys: a
            # class may make a set or dict of them at use)
            where = "a dict or set" if whole else "a list, tuple or object array"
            unit = "keys" if whole else "items"
            when = "" if whole else ", as a set or dict made of them at use would"
            if isinstance(value, _OwnKey) and value.own:
                return (
                    f"{where} with more than {SHARED_HASH_LIMIT} {unit} of "
                    f"{value.name}, a class you trusted whose own __hash__ runs on the "
                    f"file's values: Python compares each new key with every earlier key of "
                    f"its hash{when}, and the file may give them all one hash (quadratic time)"
                )
            if isinstance(value, _OwnKey):
                return (
                    f"{where} with more than {SHARED_HASH_LIMIT} {unit} holding "
                    f"{value.name} made in a way whose hash the pass cannot evaluate: "
                    f"Python compares each new key with every earlier key of its hash{when}, "
                    "and the file may give them all one hash (quadratic time)"
                )
            return (
                f"{where} with more than {SHARED_HASH_LIMIT} different {unit} of one hash "
                f"value: Python compares each new key with every earlier key of its "
                f"hash{when}, so building or using it takes time quadratic in their number "
                "(ints such as k * (2**61 - 1) all hash to 0)"
            )
    return None
