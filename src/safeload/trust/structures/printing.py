"""What ``repr`` of a model costs: the bound on scikit-learn's printer (rt84-17, rt88).

scikit-learn's pretty-printer (``repr``, a notebook's ``_repr_html_``) does not remember what
it has printed. For a value it takes ``_safe_repr`` (the whole value on one line, every item,
each estimator inside by its parameters), and when that does not fit on a line it formats the
value again part by part: the first :data:`SHOWN_ITEMS` items of a container, each through
``_safe_repr`` and then formatted again; an estimator's parameters, each through
``_safe_repr``, then the built-in ``repr`` of the ``name=value`` pair, then formatted again.
An estimator also compares each parameter with its default through the built-in ``repr``,
and the built-in ``repr`` of an estimator is a whole new pretty-print. So each level of
nesting formats what is below it again, and an estimator inside a list is printed in full
wherever the list is compared or paired (one list of 65,536 floats three pipelines deep, or
one estimator inside 200 one-item lists: under 1 KB of file, seconds to minutes of repr).

The count follows that algorithm (:class:`_Costs`): three costs per value, the one-line
repr ``S``, the built-in repr ``R`` and the pretty format ``F`` (and ``E``, what the
estimators inside a plain container cost its built-in repr), in :data:`TICK_NS` units
measured per kind of item, for every estimator or kernel the model holds, times how often
the model meets it, and for a model that is a plain container of estimators, all of them at
most :data:`MAX_PRINTED`, whatever the file's size. Upper bounds where the printer decides by
line width: every value is taken as too wide for its line, and a container's costliest
:data:`SHOWN_ITEMS` items as its first.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import functools
import heapq
import inspect
import itertools
import pathlib
from collections import Counter
from collections.abc import Iterator
from typing import Any

import numpy as np

from safeload.trust import facts
from safeload.trust.graph import value_leaf
from safeload.trust.shadow_values import Shadow, Unknown, Unproven, class_of
from safeload.trust.structures.names import _attrs

#: One unit of the count: some 60 ns of the printer's work, measured (CPython 3.11, one
#: core): ``_safe_repr`` of a float 480 ns (8 units) and its built-in repr 250 ns (4), of a
#: short string 250 and 60 ns, of a numpy float64 1.2 us and 530 ns, a list's own work 1 us.
TICK_NS = 60
#: Units ``repr`` of a whole model may cost, its nesting counted: some 0.4 s of repr here,
#: and a notebook's display (``_repr_mimebundle_``: the text and the HTML) about three times
#: that. An honest GaussianProcessRegressor of 65,536 anisotropic length scales counts some
#: 3.2 million (0.22 s of repr measured); a CountVectorizer given a vocabulary of 10,000
#: words, some 1.5 million (0.2 s). Not paid by the file's size: what pays need not be what
#: prints (rt85-03: 756 KB of random coefficients bought a 20 s repr).
MAX_PRINTED = 10_000_000
#: Characters of a string (or bytes) per unit: the repr of a string 3-4 ns a character
#: (4 ns past ASCII, bytes 3.3 ns a byte).
CHARS_PER_TICK = 12
#: numpy prints an array of more than this many items summarized (``threshold``), showing
#: :data:`ARRAY_EDGE` items at each end of every axis (rt85-05: a (7,) * 7 array shows 6**7).
ARRAY_SHOWN = 1000
ARRAY_EDGE = 3
#: numpy's repr of an array item (a float 4.2 us, an int 1.7 us, a summarized int8 2.1 us).
ARRAY_ITEM_TICKS = 72
#: numpy's repr of an array, whatever its size (array2string's set-up: 53 us for one item,
#: rt89-02), and of a record dtype's field (3.6 us a field).
ARRAY_TICKS = 900
FIELD_TICKS = 60
#: numpy's repr of a dtype (4 us for float64, rt90-03).
DTYPE_TICKS = 70
#: pandas' repr of a DataFrame or Series (a 60 x 25 frame 10 ms; one row 0.5 ms) and of
#: another pandas value (an Index 22 us, a Categorical 0.2 ms: rt90-04): at most 60 rows,
#: and outside a notebook (``display.max_columns`` 0 and no terminal) 80 columns, a cell
#: some 6 us, a float cell of a large exponent 25 us (60 x 80 in 122 ms, rt91-03), of an
#: exponent below 100 or a negative one 13 us (:func:`_float_cell_ticks`).
PANDAS_ROWS = 60
PANDAS_COLUMNS = 80
PANDAS_TICKS = 4_000
PANDAS_CELL_TICKS = 100
PANDAS_FLOAT_CELL_TICKS = 420
PANDAS_EXPONENT_CELL_TICKS = 220
#: A frame whose shape scan cannot see: the most its repr formats.
PANDAS_FRAME_TICKS = PANDAS_TICKS + PANDAS_ROWS * PANDAS_COLUMNS * PANDAS_FLOAT_CELL_TICKS
#: pandas writes every shown row of a column at the width of its widest text (a label of
#: 1,000,000 characters over 60 rows: 60 MB in 1.0 s, rt91-09), and a Categorical's repr
#: formats its categories' whole text (rt91-08): characters per unit.
PANDAS_CHARS_PER_TICK = 4
#: pandas cuts a frame's cell or index label, and a series' cell, to ``display.max_colwidth``
#: (50) characters with "...": a 1,000,000-character string cell prints in 3 ms. A series'
#: index labels and a frame's column labels are written whole (a 1 MB series label: 1.0 s).
PANDAS_CELL_CHARS = 50
#: The values an Index's repr shows (``display.max_seq_items``).
PANDAS_SEQ_ITEMS = 100
#: A Timestamp, Timedelta or Period: 2.5-4 us (honest lists of hours were refused, rt91-11).
PANDAS_SCALAR_TICKS = 100
_PANDAS_SCALARS = frozenset(
    {
        "pandas._libs.tslibs.timestamps:_Timestamp",
        "pandas._libs.tslibs.timedeltas:_Timedelta",
        "pandas._libs.tslibs.period:_Period",
        "pandas._libs.tslibs.nattype:_NaT",
    }
)
#: A list of strings np.array_equal makes into an array: characters per unit of the padded
#: array (some 30 ns a character written and compared, rt90-15), from strings this long.
PADDED_CHARS_PER_TICK = 2
PADDED_FROM = 64
#: numpy's repr of an object array, an item beyond the item's own repr (1.3 us).
OBJECT_ITEM_TICKS = 22
#: An estimator's one-line repr and its pretty format each compare its parameters with the
#: signature's defaults (``_changed_params``: get_params and inspect.signature, 43 us for a
#: StandardScaler, rt89-11).
CHANGED_PARAMS_TICKS = 720
BARE_SIGNATURE_TICKS = 3_400
#: A string too wide for its line is formatted again word by word (``_pprint_str``: 408 ns
#: a newline, 450 ns a word, some 80 ns a character escaped, rt89-10), bytes in chunks of
#: four (85 ns a byte).
WORD_TICKS = 8
ESCAPED_CHAR_TICKS = 2
BYTE_CHUNK_TICKS = 2
#: The printer sorts a set's items and a dict's entries (``_safe_key``, ``_safe_tuple``):
#: per comparison, n log n of them, some 100 ns for items of one orderable kind (a dict's
#: pairs 440 ns) and 1.3 us for items that do not order (complex numbers, mixed kinds: the
#: fallback through their type names, rt89-01).
SORT_TICKS = 2
SORT_PAIR_TICKS = 8
SORT_MIXED_TICKS = 24
#: A plain container the model is: its built-in repr may cost :data:`MAX_PRINTED`, and a
#: unit more per byte of the file (a list of floats prints some 0.5 of a unit a byte, of
#: one-item arrays 440 units a byte: rt89-03).
ROOT_TICKS_PER_BYTE = 1
#: A kernel's length scale (``RBF.__repr__`` formats each: 680 ns).
KERNEL_ITEM_TICKS = 12
#: A Python int of many digits: :func:`_int_items` per 400 ns (a 4,000-digit int 246 us).
INT_ITEM_TICKS = 24
#: An item of a range: what comparing it to a default makes of it (an array of every item,
#: some 0.18 us each measured, rt86-11).
RANGE_ITEM_TICKS = 3
#: A sort's comparison of a Decimal (or a large int) per decimal digit (a Decimal compared
#: with an int of 4,300 digits: 450 us, rt92-01).
COMPARE_DIGIT_TICKS = 2
#: The items a key's comparison weight reads (:func:`_compare_ticks`).
MAX_COMPARE_WALK = 4_096
#: A long double's repr (numpy's Dragon4 over an exponent of up to 16,384: 77 us, rt86-02).
LONGDOUBLE_TICKS = 1_300
#: A long double item of an array, in :data:`ARRAY_ITEM_TICKS` (28: 121 us; 115 us measured
#: near 1e4000, rt91-04).
LONGDOUBLE_ITEM_WIDTH = 28
#: A numpy ``SeedSequence``'s repr: its entropy and spawn key, up to 64 ints of 4,096 bits
#: (check_seed_sequence's bound) in 1.6 ms.
SEED_SEQUENCE_TICKS = 27_000
_SEED_SEQUENCE = "numpy.random.bit_generator:SeedSequence"
#: How many items of a container the pretty-printer formats again on their own line when
#: the container does not fit on one (``n_max_elements_to_show``).
SHOWN_ITEMS = 30
#: A container's own work in ``_safe_repr`` (1 us) and in the built-in repr.
CONTAINER_S = 17
CONTAINER_R = 2
#: A dict entry's work in ``_safe_repr`` beyond its key and value and their sort (pairing:
#: 3.4 us an entry measured with its key and value, keys in order).
DICT_ENTRY = 36
#: Items the count may read again where a cycle kept it from remembering a count (a value
#: met again inside itself prints as ``[...]`` only there): past this, refused.
MAX_RECOUNT = 2_000_000

#: The parameters scikit-learn's meta-estimators take without a default, by class (exactly):
#: the printer's ``_changed_params`` compares a parameter with its default by their built-in
#: reprs, which for a list of estimators prints each of them in full; a parameter without a
#: default is shown without that. Any other parameter is counted as compared (an upper
#: bound). tests/test_printing.py checks each against the installed scikit-learn.
NO_DEFAULT: dict[str, frozenset[str]] = {
    "sklearn.pipeline:Pipeline": frozenset({"steps"}),
    "sklearn.pipeline:FeatureUnion": frozenset({"transformer_list"}),
    "sklearn.compose._column_transformer:ColumnTransformer": frozenset({"transformers"}),
    "sklearn.ensemble._voting:VotingClassifier": frozenset({"estimators"}),
    "sklearn.ensemble._voting:VotingRegressor": frozenset({"estimators"}),
    "sklearn.ensemble._stacking:StackingClassifier": frozenset({"estimators"}),
    "sklearn.ensemble._stacking:StackingRegressor": frozenset({"estimators"}),
    "sklearn.model_selection._search:GridSearchCV": frozenset({"param_grid"}),
    "sklearn.model_selection._search:RandomizedSearchCV": frozenset({"param_distributions"}),
}

#: The bases whose instances the printer formats by their parameters: scikit-learn's
#: estimators and its Gaussian-process kernels (whose own ``__repr__`` formats every
#: hyperparameter).
_ESTIMATOR = "sklearn.base:BaseEstimator"
_KERNEL = "sklearn.gaussian_process.kernels:Kernel"


def printed_kind(cls: Any) -> str:
    """``"estimator"``, ``"kernel"`` or ``""`` for a class (or scan's class facts), by its
    bases' names: nothing is imported (a scan of a plain model imports no scikit-learn)."""
    names = facts.mro_names(cls)
    if _ESTIMATOR in names:
        return "estimator"
    return "kernel" if _KERNEL in names else ""


#: Where a count stops growing (far past :data:`MAX_PRINTED`).
_CAP = 1 << 62

#: (S, R, F, E) of a value: its one-line repr, its built-in repr, its pretty format, and the
#: part of its built-in repr that is estimators' (a plain container of models).
Cost = tuple[int, int, int, int]
#: What a value met again on its own path prints: ``[...]``.
_CUT: Cost = (4, 1, 4, 0)
#: A dict key that leads back to what holds it: the printer never ends (rt97-01).
_ENDLESS: Cost = (_CAP, _CAP, _CAP, 0)

#: Values that print as one item, met by the million in a long parameter (a list of floats):
#: (S, R) of each.
_SCALARS: dict[type, tuple[int, int]] = {
    float: (8, 4),
    bool: (4, 1),
    type(None): (4, 1),
    complex: (12, 6),
    np.float64: (20, 9),
    np.float32: (20, 9),
    np.int64: (20, 9),
    np.int32: (20, 9),
    np.bool_: (20, 9),
    # (a date 340 ns to print, a timedelta 710 ns: lists of them are values, rt90-06)
    _dt.date: (8, 6),
    _dt.timedelta: (14, 12),
}
#: A float of a large or small exponent (or not finite): dtoa's big-number arithmetic, 2 us
#: to print (0.5: 250 ns; rt90-02).
_WIDE_FLOAT = (40, 34)
_FLOATS = frozenset({float, np.float64, np.float32})
_TEXTS = frozenset({str, bytes, bytearray})
_SEQUENCES = frozenset({list, tuple, set, frozenset})
_SEQUENCE_BASES = (list, tuple, set, frozenset)
#: The reprs ``_safe_repr`` takes apart itself; a subclass with a repr of its own (an
#: OrderedDict, a Counter, a named tuple, a set) it takes whole from the built-in repr.
_OWN_REPRS = (list.__repr__, tuple.__repr__, dict.__repr__)


def _is_instance(value: Any) -> bool:
    """An estimator or kernel: counted by its parameters."""
    if type(value) is not Shadow and not hasattr(type(value), "get_params"):
        return False
    return bool(printed_kind(class_of(value)))


def _entered(value: Any) -> tuple[Iterator[Any], bool, bool, bool] | None:
    """``(what the printer formats inside value, in pairs (a key, its value) or not, whether
    _safe_repr takes it apart itself, whether the printer sorts it)`` for a container the
    printer enters; ``None`` for anything else."""
    kind = type(value)
    own = getattr(kind, "__repr__", None) in _OWN_REPRS
    # (subclasses too: an OrderedDict, a Counter, a defaultdict, a Bunch or a namedtuple
    # prints every entry as its base does, a Counter sorted by count, rt86-10)
    if kind in _SEQUENCES or (kind not in _TEXTS and issubclass(kind, _SEQUENCE_BASES)):
        return iter(value), False, own, isinstance(value, (set, frozenset))
    if kind is dict or issubclass(kind, dict):
        return iter(value.items()), True, own, True
    if kind is np.ndarray and value.dtype.hasobject:
        if value.dtype.fields is not None:
            # (a record array: numpy prints each record's object fields whole, rt92-02; read
            # field by field, the stored objects themselves, where a record would be a new
            # object at every read and its id reused)
            fields = itertools.chain.from_iterable(
                part.ravel(order="K") for part in _object_fields(value)
            )
            return fields, False, False, False
        return iter(value.ravel(order="K")), False, False, False
    if kind is functools.partial:
        inside = itertools.chain((value.func,), value.args)
        pairs = itertools.chain(((_NO_KEY, x) for x in inside), value.keywords.items())
        return pairs, True, False, False
    if kind is slice:  # (its built-in repr prints its three values whole, rt89-04)
        return iter((value.start, value.stop, value.step)), False, False, False
    return None


def _object_fields(records: Any) -> Iterator[Any]:
    """The object-dtype arrays of ``records``' fields (nested records' too)."""
    for name, spec in records.dtype.fields.items():
        if not spec[0].hasobject:
            continue
        part = records[name]
        if part.dtype.fields is not None:
            yield from _object_fields(part)
        else:
            yield part


def _text_ticks(length: int) -> tuple[int, int]:
    return 4 + length // CHARS_PER_TICK, 1 + length // CHARS_PER_TICK


def _leaf(value: Any, whole_arrays: bool, blind: bool = False) -> tuple[int, int]:
    """(S, R) of a value the printer does not enter; ``blind``: a value scan cannot see
    costs what an array does (a fitted attribute, a plain container's leaf), rather than
    being unproven (a parameter)."""
    kind = type(value)
    found = _SCALARS.get(kind)
    if found is not None:
        if kind in _FLOATS and not (1e-5 <= value <= 1e16 or -1e16 <= value <= -1e-5 or value == 0):
            return _WIDE_FLOAT
        return found
    if kind is Unknown:
        # (scan's stand-in for a large string or bytes the stream holds: its length; before
        # any isinstance test, which an Unknown answers for the kind it stands for)
        size = object.__getattribute__(value, "size")
        if size is None:
            if blind:
                return ARRAY_TICKS, ARRAY_TICKS
            raise Unproven("a parameter the pass cannot see, which repr formats")
        return _text_ticks(int(size))
    if isinstance(value, (str, bytes, bytearray)):
        # (numpy's np.str_ and np.bytes_ too, by their characters: rt86-13)
        return _text_ticks(len(value))
    if kind is int:
        if -(1 << 63) <= value < 1 << 63:  # (a small int: 520 ns one-line, 70 ns built-in)
            return 9, 1
        n = _int_items(value) * INT_ITEM_TICKS
        return n, n
    if kind is range:
        n = _range_ticks(value)
        return n, n
    if kind is np.longdouble or kind is np.clongdouble:
        return LONGDOUBLE_TICKS, LONGDOUBLE_TICKS
    if kind is decimal.Decimal:  # (its digits, at most 4,300: 8.6 us to print 4,000)
        n = 8 + len(str(value)) // CHARS_PER_TICK * 2
        return n, n
    if (kind is _dt.datetime or kind is _dt.time) and value.tzinfo is None:
        return 12, 10
    if kind is pathlib.PurePosixPath or kind is pathlib.PureWindowsPath:
        n = 36 + len(str(value)) // CHARS_PER_TICK * 2  # (2 us for '/data/x.csv')
        return n, n
    if kind is _dt.timezone:
        n = 20 + len(str(value)) // CHARS_PER_TICK * 2
        return n, n
    if (kind is _dt.datetime or kind is _dt.time) and value.tzinfo is not None:
        n = 20 + _leaf(value.tzinfo, False)[1]
        return n, n
    if _SEED_SEQUENCE in facts.mro_names(class_of(value)):
        # (whatever the scan can see of it: check_seed_sequence's bound, 64 ints of 4,096
        # bits, is 1.6 ms of repr, rt86-02)
        return SEED_SEQUENCE_TICKS, SEED_SEQUENCE_TICKS
    if kind is np.ndarray:
        n = ARRAY_TICKS + _array_ticks(value, whole_arrays) + _dtype_ticks(value.dtype)
        return n, n
    if isinstance(value, np.dtype):
        n = DTYPE_TICKS + _dtype_ticks(value)
        return n, n
    if isinstance(value, np.void):  # (a record: array2string's set-up, rt90-01)
        # (and its fields' values, as a record array's: 256 long doubles, rt94-11)
        fields = value.dtype.fields is not None
        n = ARRAY_TICKS + _dtype_ticks(value.dtype)
        n += (_record_width(value.dtype) if fields else 1 + value.dtype.itemsize // 8) * (
            ARRAY_ITEM_TICKS
        )
        return n, n
    if isinstance(value, np.generic):  # (a numpy scalar of another kind: float16, ...)
        return 40, 40
    module = facts.module_and_qualname(class_of(value))[0]
    if module == "pandas" or module.startswith("pandas."):
        # (pandas formats a frame's shown rows and columns: 10 ms for 60 x 25, rt90-04)
        names = facts.mro_names(class_of(value))
        if "pandas.core.generic:NDFrame" in names:
            n = _frame_ticks(value)
            return n, n
        if names & _PANDAS_SCALARS:
            return PANDAS_SCALAR_TICKS, PANDAS_SCALAR_TICKS
        n = PANDAS_TICKS + _pandas_value_chars(value) // PANDAS_CHARS_PER_TICK
        return n, n
    return 8, 8


def _frame_ticks(frame: Any) -> int:
    """pandas' repr of a DataFrame or Series: the cells it shows (:data:`PANDAS_ROWS` by
    :data:`PANDAS_COLUMNS`), a float cell at its widest, and every shown row of a column
    written at the width of the column's widest text (its label, its index labels); or the
    most it shows when scan cannot see the frame."""
    try:
        shape = tuple(int(n) for n in frame.shape)
        rows = min(shape[0], PANDAS_ROWS)
        if len(shape) > 1:
            cols = min(shape[1], PANDAS_COLUMNS)
            columns = [frame.iloc[:, j] for j in _shown_positions(shape[1], PANDAS_COLUMNS)]
        else:
            cols = 1
            columns = [frame]
        # (each shown cell's int converted to text: quadratic in its digits, rt94-08)
        index_width, ints = _widest_cells(frame.index, cut=len(shape) > 1)
        if len(shape) > 1:
            # (a frame cuts its index's and its cells' text; a column's label is written
            # whole, and every shown row is padded to it; so is the index column to the
            # columns' own name, written above it, rt94-04)
            names = [_label_width(n) for n in frame.columns.names]
            chars = rows * max(index_width, *names)
            # (the header writes the shown column labels once; a frame without rows writes
            # its columns Index instead, up to 100 labels, each whole, and one without
            # columns its index: rt97-03, 07)
            chars += _pandas_value_chars(frame.columns)
            if not rows or not shape[1]:
                chars += _pandas_value_chars(frame.index)
            for column in columns:
                width, more = _widest_cells(column, cut=True)
                chars += rows * max(width, _label_width(column.name))
                ints += more
        else:
            # (a series cuts its cells' text, not its index's; its name is written once)
            width, more = _widest_cells(frame, cut=True)
            chars = rows * (index_width + width) + _label_width(frame.name)
            ints += more
        per = PANDAS_CELL_TICKS
        for column in columns:
            per = max(per, _float_cell_ticks(column))
    except Exception:  # (scan's stand-in: what it holds not known)
        return PANDAS_FRAME_TICKS
    return PANDAS_TICKS + rows * cols * per + chars // PANDAS_CHARS_PER_TICK + rows * ints


def _float_cell_ticks(column: Any) -> int:
    """What a cell of ``column`` costs pandas' repr where it holds floats written with an
    exponent, the slowest of its shown floats setting the frame's: 1e300 25 us a cell, 1e100
    13 us, 1e-17 or 1e-300 10.5 us, where 0.5 takes 5 us (measured, pandas 3.1); complex
    18 us. A category encoder's contrasts of 1e-17 cost 13 us a cell, not 25 (rt94-06)."""
    kind = column.dtype.kind
    if kind == "c":
        return PANDAS_FLOAT_CELL_TICKS
    if kind != "f":
        return PANDAS_CELL_TICKS
    size = np.abs(np.asarray(_picked(column), dtype=float))
    if np.any(size >= _PANDAS_WIDE):
        return PANDAS_FLOAT_CELL_TICKS
    if np.any((size >= _EXPONENT_FROM) | ((size > 0) & (size < _EXPONENT_BELOW))):
        return PANDAS_EXPONENT_CELL_TICKS
    return PANDAS_CELL_TICKS


#: Where pandas' float cells cost more (:func:`_float_cell_ticks`): a magnitude of 1e100 or
#: more (three-digit exponents), and the exponent form, from 1e16 up or below 1e-4.
_PANDAS_WIDE = 1e100
_EXPONENT_FROM = 1e16
_EXPONENT_BELOW = 1e-4


def _pandas_float_ticks(value: float) -> int:
    """:func:`_float_cell_ticks` of one float (in an object Index, rt98-03)."""
    size = abs(value)
    if size >= _PANDAS_WIDE:
        return PANDAS_FLOAT_CELL_TICKS
    if size >= _EXPONENT_FROM or 0 < size < _EXPONENT_BELOW:
        return PANDAS_EXPONENT_CELL_TICKS
    return PANDAS_CELL_TICKS


def _shown_positions(length: int, most: int) -> list[int]:
    """The positions pandas shows of ``length`` rows or columns: all, or the first and last
    halves of ``most``."""
    if length <= most:
        return list(range(length))
    return [*range(most // 2), *range(length - most // 2, length)]


def _widest(values: Any, cut: bool = False) -> int:
    """The widest text among the shown ``values`` (:func:`_widest_cells`)."""
    return _widest_cells(values, cut)[0]


def _widest_cells(values: Any, cut: bool = False, most: int = PANDAS_ROWS) -> tuple[int, int]:
    """The widest text among the shown ``values`` (an Index, a Series, a Categorical's
    categories): their ``str`` for object data, nothing for numbers (their cells' price); and
    the most converting one shown int to text costs (quadratic in its digits: an object
    column of 4,300-digit ints, 250 us a cell, rt94-08). ``cut``: where pandas cuts a cell's
    text to :data:`PANDAS_CELL_CHARS`, a string counts that much (another object counts its
    whole text: formatting it costs that much). An int's digits are counted, never made."""
    dtype = getattr(values, "dtype", None)
    if dtype is not None and getattr(dtype, "kind", "O") not in "OUSV":
        return 0, 0
    widest = ints = 0
    for v in _picked(values, most):
        kind = type(v)
        if kind is str:
            n = min(len(v), PANDAS_CELL_CHARS) if cut else len(v)
        elif kind is int:
            n = 2 + v.bit_length() * 3 // 10
            ints = max(ints, _int_items(v) * INT_ITEM_TICKS)
        else:
            n = len(str(v))
        widest = max(widest, n)
    return widest, ints


def _label_width(label: Any) -> int:
    """A label's text width: an int's digits counted, never made (its conversion is
    priced where pandas writes it, :func:`_pandas_value_chars`)."""
    if type(label) is int:
        return 2 + label.bit_length() * 3 // 10
    return len(str(label))


def _picked(values: Any, most: int = PANDAS_ROWS) -> list[Any]:
    """The items pandas shows of ``values``: all, or the first and last halves of ``most``
    (read by position, never the whole of a long one)."""
    at = getattr(values, "iloc", values)
    return [at[i] for i in _shown_positions(len(values), most)]


def _pandas_value_chars(value: Any) -> int:
    """The text a pandas value other than a frame or series formats: an Index's or a
    Categorical's shown values and categories, each whole (rt91-08); its repr's set-up is
    :data:`PANDAS_TICKS`. The most scan can see when it cannot read them: a frame's."""
    if type(value) is Shadow or type(value) is Unknown:
        return (PANDAS_FRAME_TICKS - PANDAS_TICKS) * PANDAS_CHARS_PER_TICK
    try:
        chars = 0
        for part in (value, getattr(value, "categories", None)):
            if part is None or not hasattr(part, "__len__"):
                continue
            # (an Index shows up to display.max_seq_items, 100, of its values; an int among
            # them is converted to text, quadratic in its digits: rt94-09; floats as a
            # frame's float cells, rt97-07)
            dtype = getattr(part, "dtype", None)
            if getattr(dtype, "kind", "O") in "fc":
                shown = min(len(part), PANDAS_SEQ_ITEMS)
                ticks = _float_cell_ticks(part) if len(part) else 0
                chars += shown * ticks * PANDAS_CHARS_PER_TICK
                continue
            for v in _picked(part, PANDAS_SEQ_ITEMS):
                if type(v) is float:  # (in an object Index: a float cell's price, rt98-03)
                    chars += _pandas_float_ticks(v) * PANDAS_CHARS_PER_TICK
                elif isinstance(v, (str, bytes)):
                    chars += len(v)
                elif type(v) is int:
                    chars += _int_items(v) * INT_ITEM_TICKS * PANDAS_CHARS_PER_TICK
    except Exception:  # (scan's stand-in)
        return (PANDAS_FRAME_TICKS - PANDAS_TICKS) * PANDAS_CHARS_PER_TICK
    return chars


def _dtype_ticks(dtype: Any) -> int:
    """numpy's repr of a dtype's fields, nested ones too, at any depth (rt89-02: 100 fields
    430 us; rt94-03: fields inside 33 one-field records)."""

    def own(dt: Any, inner: Any) -> int:
        total = 0
        for name in dt.names or ():
            total += FIELD_TICKS + len(name) // CHARS_PER_TICK + inner(dt.fields[name][0])
        base = dt.subdtype
        return total + (inner(base[0]) if base is not None else 0)

    return _dtype_fold(dtype, own)


def _dtype_parts(dt: Any) -> list[Any]:
    """The dtypes ``dt`` is made of: its fields' and its subarray's base."""
    found = [spec[0] for spec in (dt.fields or {}).values()]
    if dt.subdtype is not None:
        found.append(dt.subdtype[0])
    return found


def _dtype_fold(dtype: Any, own: Any) -> int:
    """``own(dt, inner)`` for ``dtype``, where ``inner(part)`` is the value already found for
    a part: every nested dtype once (a shared one's value is reused, so each path counts),
    without recursion (a dtype may nest thousands of levels)."""
    found: dict[int, int] = {}
    held: list[Any] = []  # (each dtype kept alive, so its id is not reused)
    stack: list[tuple[Any, bool]] = [(dtype, False)]
    while stack:
        dt, ready = stack.pop()
        if id(dt) in found:
            continue
        if not ready:
            stack.append((dt, True))
            stack.extend((part, False) for part in _dtype_parts(dt) if id(part) not in found)
            continue
        held.append(dt)
        found[id(dt)] = own(dt, lambda part: found[id(part)])
    return found[id(dtype)]


def _text_format_ticks(value: Any) -> int:
    """What formatting a string or bytes too wide for its line adds (``_pprint_str``,
    ``_pprint_bytes``; rt89-10); 0 for one that fits."""
    if type(value) is Unknown:
        # (scan's stand-in: its length, not its text: every character a word)
        size = int(object.__getattribute__(value, "size") or 0)
        return size * WORD_TICKS
    length = len(value)
    if isinstance(value, (bytes, bytearray)):
        return length * BYTE_CHUNK_TICKS
    if value.isascii():
        words: int = sum(map(value.count, _ASCII_SPACES))
        return (
            length // CHARS_PER_TICK
            + words * WORD_TICKS
            + length * (ESCAPED_CHAR_TICKS if not value.isprintable() else 0)
        )
    return length * WORD_TICKS


_ASCII_SPACES = (" ", "\n", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")


def _int_items(value: int) -> int:
    """A Python int: its decimal digits cost quadratic time (250 us for 4,300 digits, the
    most repr makes, rt85-08; 25 us for 4,096 bits, rt86-02), so a linear part and a
    quadratic one."""
    words = value.bit_length() // 64
    return 1 + words // 2 + words * words // 600


def _range_ticks(value: range) -> int:
    """A ``range``: repr converts its bounds to decimal (two big ints: rt86-02), and a
    notebook's display compares each parameter to its default with ``np.array_equal``,
    which makes an array of every item of a range inside a list (``[range(2**20)] * 100``
    took 17.9 s and 2.9 GB, rt86-11)."""
    bounds = _int_items(value.start) + _int_items(value.stop) + _int_items(value.step)
    try:
        length = len(value)
    except OverflowError:  # (more items than an index holds)
        return _CAP
    return bounds * INT_ITEM_TICKS + length * RANGE_ITEM_TICKS


def _array_ticks(array: Any, whole: bool) -> int:
    """numpy's repr of a numeric, text or record ``array``: every item, or for more than
    :data:`ARRAY_SHOWN` (unless ``whole``: a kernel formats each length scale, at
    :data:`KERNEL_ITEM_TICKS`) :data:`ARRAY_EDGE` at each end of each axis; each as wide as
    its dtype prints (a text item by its characters, a record by its 8-byte fields:
    rt85-04)."""
    size = int(array.size)
    shown: int = size
    if size > ARRAY_SHOWN and not whole:
        shown = 1
        for length in array.shape:
            shown *= min(int(length), 2 * ARRAY_EDGE)
    dtype: Any = array.dtype
    width: int
    if dtype.kind == "U":
        width = 1 + dtype.itemsize // 4 // 8
    elif dtype.fields is not None:
        # (numpy formats every field of a record, overlapping ones and a long double's
        # Dragon4 too: 300 int8 fields at offset 0 took 2.7 s for 1,000 records, rt93-04, 07)
        width = _record_width(dtype)
    elif dtype.kind in "SV" or dtype.subdtype is not None:
        width = 1 + dtype.itemsize // 8
    elif dtype.kind in "fc" and dtype.itemsize > (8 if dtype.kind == "f" else 16):
        # (a long double item prints through Dragon4: some 115 us near 1e4000, rt91-04)
        width = LONGDOUBLE_ITEM_WIDTH * (2 if dtype.kind == "c" else 1)
    else:
        width = 1
    return shown * width * (KERNEL_ITEM_TICKS if whole else ARRAY_ITEM_TICKS)


def _init_names(cls: Any) -> frozenset[str]:
    """The parameters scikit-learn's ``get_params`` reads for ``cls`` (its ``__init__``'s
    named arguments, as ``BaseEstimator._get_param_names``), or none where it has no
    ``__init__`` of its own, takes ``*args`` or ``**kwargs``, or defines its own
    ``get_params`` (then every attribute named neither ``_x`` nor ``x_`` is counted)."""
    if not isinstance(cls, type):
        return frozenset()
    init: Any = getattr(cls, "__init__", None)
    init = getattr(init, "deprecated_original", init)
    if init is object.__init__:
        return frozenset()
    try:
        found = inspect.signature(init).parameters.values()
    except (TypeError, ValueError):
        return frozenset()
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in found):
        return frozenset()  # (XGBoost's and LightGBM's get_params add their **kwargs)
    import sklearn.base

    if getattr(cls, "get_params", None) is not sklearn.base.BaseEstimator.get_params:
        return frozenset()  # (a get_params of its own may print more)
    return frozenset(p.name for p in found if p.name != "self")


def _record_width(dtype: Any) -> int:
    """The items numpy formats for one record of ``dtype``: each field's (a subarray's each,
    a nested record's fields at any depth, rt94-02), a long double's at
    :data:`LONGDOUBLE_ITEM_WIDTH`, an object field nothing (its value is counted as an item
    of its own)."""

    def own(dt: Any, inner: Any) -> int:
        if dt.fields is None:
            return 0
        width = 0
        for spec in dt.fields.values():
            sub = spec[0]
            count = 1
            if sub.subdtype is not None:
                base, shape = sub.subdtype
                for n in shape:
                    count *= int(n)
                sub = base
            if sub.fields is not None:
                each = inner(sub)
            elif sub.hasobject:
                each = 0
            elif sub.kind in "fc" and sub.itemsize > (8 if sub.kind == "f" else 16):
                each = LONGDOUBLE_ITEM_WIDTH * (2 if sub.kind == "c" else 1)
            else:
                each = 2 + sub.itemsize // 8  # (some 9 us a field, measured)
            width += count * each
        return max(width, 1)

    return _dtype_fold(dtype, own)


class _Frame:
    """A value being counted: its items, what they add so far, and its costliest items'
    re-formatting (a heap of at most :data:`SHOWN_ITEMS`)."""

    __slots__ = (
        "again",
        "bare",
        "c",
        "cells",
        "descents",
        "direction",
        "e",
        "items",
        "key",
        "kind",
        "last",
        "longest",
        "low",
        "name",
        "order",
        "per_item",
        "r",
        "s",
        "signature",
        "sorted",
        "top",
        "value",
        "weight",
    )

    def __init__(self, value: Any, kind: str, items: Iterator[Any], again: bool) -> None:
        self.value = value
        #: "list", "dict" (_safe_repr's own), "whole", "whole_dict" (the built-in repr),
        #: "estimator", "kernel"
        self.kind = kind
        self.items = items
        self.s = 0
        self.r = 0
        self.c = 0  # (an estimator: the built-in repr of its parameters, against defaults)
        self.e = 0
        self.top: list[int] = []
        self.key: tuple[int, int] | None = None  # (a pair's key, counted: its S and R)
        self.low = _CAP  # (the highest frame a cycle met inside this one: its index)
        self.again = again  # (counted before, not remembered: a cycle cut it)
        self.name: Any = None  # (the pair's key)
        #: an estimator's parameters without a default (the printer does not compare them)
        self.bare: frozenset[str] = frozenset()
        self.per_item = 0  # (an object array: numpy's work per item beyond the item's repr)
        self.signature = 0  # (an estimator: comparing it with its signature, once)
        self.sorted = 0  # (a set or a dict: the printer sorts it; its items, counted)
        self.weight = 0  # (the costliest comparison of its items: _compare_ticks)
        self.order: Any = _UNSORTED  # (the kind its items compare as, or _MIXED)
        self.descents = 0  # (the runs a sort finds, less one)
        self.direction = 0  # (the current run: 1 ascending, -1 descending, 0 one item)
        self.last: Any = None
        self.longest = 0  # (a list: its longest string or bytes, at any depth of lists)
        self.cells = 0  # (a list: the items np.asarray makes of it, at any depth of lists)


class _Costs:
    """The printer's work per value (:data:`Cost`), by id (``memo``), for a whole model: the
    model holds its values alive while they are counted. Iterative: a deep list, or
    estimators nested a thousand deep, is no recursion."""

    def __init__(self, blind: bool = False) -> None:
        #: a value scan cannot see costs what an array does, rather than being unproven
        self.blind = blind
        self.memo: dict[int, Cost] = {}
        self.texts: dict[tuple[int, bool], Cost] = {}
        #: a list's (cells, longest text) as np.asarray makes it (:meth:`_pad`), by id
        self.padding: dict[int, tuple[int, int]] = {}
        self.counted: set[int] = set()
        self.recount = 0
        #: the values on the path of each count under way: a dict key is counted on its own
        #: (:meth:`_key`), and a key that leads back to what holds it is a cycle there too
        #: (``{imp: 1}`` as ``imp``'s fill_value recursed without end, rt95-10)
        self.paths: list[dict[int, int]] = []
        self.outer_cut = False
        #: reprlib's price of a fitted value at a level, and of a dict's or set's sort, by
        #: id, for every estimator of the model (:func:`_fitted_ticks`, rt97-02)
        self.reprlib: dict[tuple[int, int], int] = {}
        self.sorts: dict[int, int] = {}
        #: per class (by id: the classes outlive the count), its kind, parameter names and
        #: the parameters without a default
        self.classes: dict[int, tuple[str, frozenset[str], frozenset[str]]] = {}

    def kind_of(self, obj: Any) -> tuple[str, frozenset[str], frozenset[str]]:
        """:func:`printed_kind` of ``obj``'s class and, for an estimator, the parameters its
        class validates (a forest's hundreds of trees ask for one class) and those of
        :data:`NO_DEFAULT`."""
        cls = class_of(obj)
        found = self.classes.get(id(cls))
        if found is None:
            kind = printed_kind(cls)
            params = facts.constraint_names(cls) if kind == "estimator" else frozenset()
            if kind == "estimator" and not params:
                # (no table: get_params reads its __init__'s names, what repr prints; a
                # category encoder's fitted mapping is not among them, rt93-05)
                params = _init_names(cls)
            bare = NO_DEFAULT.get(":".join(facts.module_and_qualname(cls)), frozenset())
            found = self.classes[id(cls)] = (kind, params, bare)
        return found

    def _open(self, value: Any) -> _Frame | None:
        """A frame for a value the printer enters, or ``None``."""
        if type(value) in _SCALARS or type(value) in _TEXTS or value_leaf(value):
            return None
        again = id(value) in self.counted
        if _is_instance(value):
            kind, params, bare = self.kind_of(value)
            held = _attrs(value)
            attrs: Any = held.items()
            # (an estimator's parameters are the names its class validates; without such a
            # table (a kernel, a third-party estimator), every attribute named neither _x
            # nor x_)
            chosen: Iterator[tuple[Any, Any]]
            if params:
                chosen = ((k, v) for k, v in attrs if k in params)
            else:
                chosen = ((k, v) for k, v in attrs if not (k.startswith("_") or k.endswith("_")))
            other = held.get("_other_params")
            if type(other) is dict:  # (LightGBM's get_params adds its keyword arguments)
                chosen = itertools.chain(chosen, other.items())
            if kind == "kernel":  # (its own repr: the values, as the built-in repr has them)
                return _Frame(value, kind, (v for _, v in chosen), again)
            frame = _Frame(value, kind, chosen, again)
            frame.bare = bare
            # (a class validating no parameters may have no __init__ of its own: inspect
            # then parses object.__init__'s text signature, 204 us for a LabelEncoder)
            frame.signature = CHANGED_PARAMS_TICKS if params else BARE_SIGNATURE_TICKS
            return frame
        entered = _entered(value)
        if entered is None:
            return None
        items, pairs, own, sorts = entered
        kind = ("dict" if pairs else "list") if own else ("whole_dict" if pairs else "whole")
        frame = _Frame(value, kind, items, again)
        if not sorts:
            frame.order = None
        if type(value) is np.ndarray:
            frame.per_item = OBJECT_ITEM_TICKS
            frame.s = ARRAY_TICKS
            if value.dtype.fields is not None:  # (its other fields, formatted too: rt93-03)
                frame.s += _array_ticks(value, False)
        return frame

    def cost(self, value: Any) -> Cost:
        """(S, R, F, E) of ``value``."""
        found = self.memo.get(id(value))
        if found is not None:
            return found
        if any(id(value) in path for path in self.paths):
            # (scikit-learn's printer has no guard for an estimator met again as a dict key:
            # it formats the ring again at every level until RecursionError, exponential in
            # the estimators on it, rt97-01; the built-in containers' repr guard does not
            # reach it)
            self.outer_cut = True
            return _ENDLESS
        frame = self._open(value)
        if frame is None:
            return _leaf_cost(value, False, self.blind)
        on_path = {id(value): 0}
        self.paths.append(on_path)
        try:
            return self._count(frame, on_path)
        finally:
            self.paths.pop()

    def _count(self, frame: _Frame, on_path: dict[int, int]) -> Cost:
        """:meth:`cost` of the value ``frame`` counts, without recursion."""
        stack = [frame]
        self.counted.add(id(frame.value))
        result: Cost = _CUT
        while stack:
            frame = stack[-1]
            opened = None
            for item in frame.items:
                if frame.again:
                    self.recount += 1
                    if self.recount > MAX_RECOUNT:
                        raise Unproven("parameters whose cycles are too intricate to count")
                if frame.kind in _PAIRED:
                    key, item = item
                    frame.key = self._key(key)
                    frame.name = key
                    if self.outer_cut:  # (a key cut short: this count is not whole)
                        self.outer_cut = False
                        frame.low = 0
                if frame.order is not None:
                    _compared(frame, frame.name if frame.kind in _PAIRED else item)
                    if type(item) in _WEIGHED and isinstance(frame.value, Counter):
                        # (a Counter's repr sorts its counts too: most_common(), rt93-12)
                        frame.weight = max(frame.weight, _compare_ticks(item))
                child: Cost | None = None
                kind = type(item)
                scalar = _SCALARS.get(kind)
                if scalar is not None:
                    if kind in _FLOATS and not (
                        1e-5 <= item <= 1e16 or -1e16 <= item <= -1e-5 or item == 0
                    ):
                        scalar = _WIDE_FLOAT
                    if frame.kind == "list":  # (a list of a million floats)
                        frame.cells += 1
                        frame.s += scalar[0] + 1
                        frame.r += scalar[1] + 1
                        top = frame.top
                        if len(top) < SHOWN_ITEMS:
                            heapq.heappush(top, 2 * scalar[0] + scalar[0] // 2)
                        continue
                    child = (scalar[0], scalar[1], scalar[0], 0)
                else:
                    child = self.memo.get(id(item))
                    if child is None:
                        at = on_path.get(id(item))
                        if at is not None:
                            child = _CUT
                            frame.low = min(frame.low, at)
                            if any(f.kind in _RESTARTED for f in stack[at:]):
                                # (a ring through an estimator's or a kernel's parameters:
                                # the printer formats it afresh at every turn, comparing
                                # each parameter through repr, until RecursionError, rt97-05)
                                child = _ENDLESS
                        elif len(self.paths) > 1 and any(
                            id(item) in path for path in self.paths[:-1]
                        ):
                            # (back to a count under way, through a dict key: rt97-06's
                            # thousand keys each counted inside the one before)
                            child = _ENDLESS
                            frame.low = 0
                        elif kind not in _TEXTS and kind is not int:
                            opened = self._open(item)
                        if child is None and opened is None:
                            child = self.leaf(item, frame.kind == "kernel")
                if opened is not None:
                    on_path[id(item)] = len(stack)
                    self.counted.add(id(item))
                    stack.append(opened)
                    break
                if frame.kind == "list":
                    self._pad(frame, item)
                _add(frame, item, child if child is not None else _CUT)
            if opened is not None:
                continue
            stack.pop()
            del on_path[id(frame.value)]
            result = _finish(frame)
            index = len(stack)
            if frame.low >= index:
                self.memo[id(frame.value)] = result
            if frame.kind == "list" and frame.cells:
                self.padding[id(frame.value)] = (frame.cells, frame.longest)
            if stack:
                parent = stack[-1]
                parent.low = min(parent.low, frame.low)
                if parent.kind == "list":
                    self._pad(parent, frame.value)
                _add(parent, frame.value, result)
        return result

    def _pad(self, frame: _Frame, item: Any) -> None:
        """Count ``item`` in the array ``np.asarray`` makes of the list ``frame`` counts: one
        cell, as wide as its text, or a nested list's cells and longest text (the display's
        ``np.array_equal`` pads ``[["x" * 250_000]] + [["y"]] * 1_999`` to a 2 GB array,
        rt91-01; numpy's strings are strings, rt91-02)."""
        found = self.padding.get(id(item))
        if found is not None:
            frame.cells += found[0]
            frame.longest = max(frame.longest, found[1])
            return
        if type(item) is np.ndarray:
            # (an array: its items, an array of strings as wide as its dtype, rt93-01; an
            # array of numbers is padded to the list's longest string too, rt94-05)
            frame.cells += int(item.size)
            if item.dtype.kind in "US":
                width = item.dtype.itemsize // (4 if item.dtype.kind == "U" else 1)
                frame.longest = max(frame.longest, width)
            return
        if type(item) is range:
            # (np.asarray expands a range into its numbers, each padded alike, rt94-05)
            frame.cells += len(item)
            return
        frame.cells += 1
        if type(item) is Unknown or isinstance(item, (str, bytes, bytearray)):
            frame.longest = max(frame.longest, _text_length(item))

    def leaf(self, item: Any, whole_arrays: bool) -> Cost:
        """:func:`_leaf_cost`, a long text's remembered (one string referenced 250 times was
        read 250 times, rt90-14)."""
        kind = type(item)
        if (kind in _TEXTS and len(item) > 1_000) or (
            kind not in _TEXTS and kind not in _SCALARS and kind is not int
        ):
            # (a long text's or an object's price, once: a frame referenced 160 times was
            # priced, its labels converted, at each reference, rt97-04)
            key = (id(item), whole_arrays)
            found = self.texts.get(key)
            if found is None:
                found = self.texts[key] = _leaf_cost(item, whole_arrays, self.blind)
            return found
        return _leaf_cost(item, whole_arrays, self.blind)

    def _key(self, key: Any) -> tuple[int, int]:
        """(S, R) of a dict's key (or a parameter's name): a string or a number, mostly;
        nothing for a partial's function and arguments (met without a key)."""
        if key is _NO_KEY:
            return (0, 0)
        kind = type(key)
        if kind in _SCALARS or kind in _TEXTS or kind is int:
            return _leaf(key, False)
        found = self.cost(key)  # (a tuple key: counted on its own)
        return found[0], found[1]


#: The kinds of key whose comparisons :func:`_compare_ticks` weighs.
_WEIGHED = frozenset({tuple, frozenset, decimal.Decimal, int})


def _compare_ticks(value: Any) -> int:
    """What one comparison of ``value`` may cost a sort: a Decimal compared with an int
    converts the int exactly (450 us for 4,300 digits, rt92-01), so a Decimal's or a large
    int's digits, wherever they are in a tuple or a frozenset key (a comparison reaches the
    first unequal item at any depth, rt93-06)."""
    most = 0
    stack = [value]
    seen = 0
    while stack and seen < MAX_COMPARE_WALK:
        item = stack.pop()
        seen += 1
        kind = type(item)
        if kind is decimal.Decimal:
            most = max(most, COMPARE_DIGIT_TICKS * len(item.as_tuple().digits))
        elif kind is int:
            if not -(1 << 63) <= item < 1 << 63:
                bits: int = item.bit_length()
                most = max(most, COMPARE_DIGIT_TICKS * (bits * 3 // 10))
        elif kind is tuple or kind is frozenset:
            stack.extend(item)
        elif kind is Unknown:
            pass  # (scan's stand-in for what it cannot see: not weighed, as before)
        elif kind is Shadow:
            # (scan's stand-in for a named tuple: what it holds is not read, so priced as
            # the largest value the stream may make)
            if issubclass(class_of(item), tuple):
                most = max(most, COMPARE_DIGIT_TICKS * 4_300)
        elif isinstance(item, tuple):
            # (a named tuple compares as a tuple: scikit-learn's _ImputerTriplet, rt94-12)
            stack.extend(item)
    if stack:  # (a key too large to read: priced as the largest value the stream may make)
        most = max(most, COMPARE_DIGIT_TICKS * 4_300)
    return most


def _compared(frame: _Frame, value: Any) -> None:
    """Note an item a sort will compare: its kind, and whether it comes before the last one
    (the sort's work grows with the runs it finds: keys made in order sort in one pass)."""
    frame.sorted += 1
    kind = type(value)
    if kind in _WEIGHED or kind is Shadow or (kind is not Unknown and isinstance(value, tuple)):
        frame.weight = max(frame.weight, _compare_ticks(value))
    found = _ORDER_KINDS.get(kind, _MIXED)
    if frame.order is _UNSORTED:
        frame.order = found
    elif frame.order != found:
        frame.order = _MIXED
    if frame.order is not _MIXED:
        # (timsort's runs: non-descending, or strictly descending and reversed: rt90-08)
        if frame.sorted > 1:
            if frame.direction == 0:
                frame.direction = -1 if value < frame.last else 1
            elif (value < frame.last) != (frame.direction < 0) or (
                frame.direction < 0 and value == frame.last
            ):
                frame.descents += 1
                frame.direction = 0
        frame.last = value


def _leaf_cost(value: Any, whole_arrays: bool, blind: bool = False) -> Cost:
    """(S, R, F, E) of a value the printer does not enter (a long text's is remembered by the
    count that asks: :meth:`_Costs.leaf`)."""
    s, r = _leaf(value, whole_arrays and type(value) is np.ndarray, blind)
    kind = type(value)
    if kind in _TEXTS or kind is Unknown or isinstance(value, (str, bytes)):
        return (s, r, s + _text_format_ticks(value), 0)
    return (s, r, s, 0)


#: The kinds of item a sort compares quickly with each other.
_ORDER_KINDS: dict[type, str] = {
    str: "str",
    bytes: "bytes",
    int: "n",
    float: "n",
    bool: "n",
    # (numpy's scalars compare as numbers and text: np.unique's classes and words, rt90-11)
    np.str_: "str",
    np.bytes_: "bytes",
    np.int64: "n",
    np.int32: "n",
    np.float64: "n",
    np.float32: "n",
    np.bool_: "n",
}
_UNSORTED = object()
_MIXED = "mixed"


#: The frames whose items come in pairs: a key (or a parameter's name) and its value.
_PAIRED = frozenset({"dict", "whole_dict", "estimator"})
#: The kinds whose repr starts the printer afresh, with no guard against meeting them again.
_RESTARTED = frozenset({"estimator", "kernel"})
#: A partial's function and positional arguments, met without a key.
_NO_KEY = object()


def _add(frame: _Frame, item: Any, child: Cost) -> None:
    """Add an item's cost (or a pair's value's) to the frame counting its holder."""
    s, r, f, e = child
    kind = frame.kind
    if kind == "list":
        frame.s += s + 1
        frame.r += r + 1
        frame.e += e
        _shown(frame.top, s + s // 2 + f)
    elif kind == "whole":
        frame.s += r + 1 + frame.per_item
        frame.e += e
        _shown(frame.top, s + s // 2 + f)
    elif kind == "kernel":
        frame.s += r + 1
        if _is_instance(item):
            # (a notebook's display lists every sub-kernel as a parameter row, and formats
            # it whole twice there: rt89-09)
            frame.e += r + e
    else:
        ks, kr = frame.key or (0, 0)
        frame.key = None
        # (a pair that does not fit its line: its key and value one-line, the built-in repr
        # of the pair, the key again and the value formatted; half as much again of the
        # value's one-line repr, as for an item, below)
        pair = 2 * ks + s + s // 2 + kr + r + f
        if f > s and ks > 8:
            # (the value's lines are written at the key's indent: a long key times the
            # chunks of a long text, rt90-07)
            pair += (f - s) // WORD_TICKS * ks
        if kind == "dict":
            frame.s += ks + s + DICT_ENTRY
            frame.r += kr + r + 1
            frame.e += e
        elif kind == "whole_dict":
            frame.s += kr + r + 1
            frame.e += e
        else:  # an estimator's parameter: its one-line repr, and against its default
            frame.s += ks + s + 4
            if frame.name in frame.bare:
                pass  # (no default to compare with: a pipeline's steps)
            elif not _is_instance(item):
                frame.c += r
            elif printed_kind(class_of(item)) == "kernel":
                frame.c += e  # (and its sub-kernels' rows in the display)
        _shown(frame.top, pair)


def _text_length(item: Any) -> int:
    if type(item) is Unknown:
        return int(object.__getattribute__(item, "size") or 0)
    return len(item)


def _finish(frame: _Frame) -> Cost:
    """A counted value's (S, R, F, E)."""
    shown = sum(frame.top)
    kind = frame.kind
    sort = 0
    if frame.sorted > 1:
        # (the printer sorts a set's items, a dict's entries: in its one-line repr too; a
        # sort merges the runs it finds: n log n comparisons for items in no order, n for
        # items in order)
        if frame.order is _MIXED:
            per = SORT_MIXED_TICKS
            merges = frame.sorted.bit_length()
        else:
            per = SORT_TICKS if kind in ("list", "whole") else SORT_PAIR_TICKS
            merges = 1 + min(frame.descents, frame.sorted).bit_length()
        sort = frame.sorted * merges * max(per, frame.weight)
    if kind in ("list", "dict"):
        s = min(frame.s + CONTAINER_S + sort, _CAP)
        f = min(s + shown + sort, _CAP)
        r = frame.r + CONTAINER_R
        if frame.longest > PADDED_FROM:
            # (a notebook's display compares a list parameter with its default through
            # np.array_equal, whose array pads every string to the longest: one of 250,000
            # characters among 2,000 made 2 GB in 16 s, rt90-15; counted where the
            # parameter is compared, its built-in repr)
            r += frame.cells * frame.longest // PADDED_CHARS_PER_TICK
        return (s, min(r, _CAP), f, min(frame.e, _CAP))
    if kind in ("whole", "whole_dict"):
        s = frame.s + CONTAINER_R
        if isinstance(frame.value, Counter) and frame.sorted > 1:
            # (its repr lists most_common(): sorted by count, in every repr, rt90-09)
            sort = frame.sorted * frame.sorted.bit_length() * max(SORT_PAIR_TICKS, frame.weight)
            s += sort
        s = min(s, _CAP)
        return (s, s, min(s + shown + sort, _CAP), min(frame.e, _CAP))
    if kind == "kernel":
        s = min(frame.s + 8, _CAP)
        return (s, s, s, min(s + frame.e, _CAP))
    # an estimator: its one-line repr (which compares each parameter with its default), then
    # the comparison again and each parameter formatted; its built-in repr is all of it
    s = min(frame.s + frame.c + CONTAINER_S + frame.signature, _CAP)
    f = min(s + frame.c + shown + frame.signature, _CAP)
    return (s, f, f, f)


#: (An item that does not fit its line is taken one-line twice, then formatted: counted
#: ``S + S // 2 + F``, half an ``S`` more than the algorithm's: measured, each level of one-
#: item lists costs some 1.3 times the two ``S`` it takes, 20 to 200 levels deep.)


def _shown(top: list[int], count: int) -> None:
    """Keep ``count`` among the :data:`SHOWN_ITEMS` largest in the heap ``top``."""
    if len(top) < SHOWN_ITEMS:
        heapq.heappush(top, count)
    elif count > top[0]:
        heapq.heapreplace(top, count)


def repr_cost(value: Any) -> int:
    """The units (:data:`TICK_NS`) of ``repr(value)`` for an estimator or kernel (its pretty
    format), or of the estimators the built-in repr of a container prints."""
    found = _Costs().cost(value)
    return found[2] if _is_instance(value) else found[3]


def printed_problem(
    instances: Any, meets: dict[int, int], top: Any = None, file_size: int | None = None
) -> str | None:
    """Why ``repr`` of an estimator or kernel the model holds would cost too much, or
    ``None``: its pretty format (:class:`_Costs`: its parameters, not what fit stored: a
    forest's trees do not print), times how often the model meets it (``meets``, by id: a
    list holding one estimator 1,000 times prints it 1,000 times; an instance not in it is
    not held by the model); and for a model that is a plain container (``top``), the
    estimators its built-in repr prints, all of them (rt88-06: 140 estimators in a list,
    each under the bound) and what else it prints (:data:`ROOT_TICKS_PER_BYTE` more a byte
    of the file, ``file_size``: rt89-03). At most :data:`MAX_PRINTED`."""
    try:
        return _printed_problem(instances, meets, top, file_size)
    except RecursionError:  # (never a bare error out of the checks: rt95-10, rt97-06)
        return (
            "its repr would nest deeper than Python allows: its parameters lead back to "
            "what holds them"
        )


def _printed_problem(
    instances: Any, meets: dict[int, int], top: Any, file_size: int | None
) -> str | None:
    costs = _Costs()
    # (fitted attributes and a plain container's other values: scan may not see them all)
    seen = _Costs(blind=True)
    for obj in instances:
        times = meets.get(id(obj), 0)
        kind = costs.kind_of(obj)[0]
        if not times or not kind:
            continue
        total = costs.cost(obj)[2]
        if kind == "estimator":
            total += _fitted_ticks(seen, obj)
        total = min(times * total, _CAP)
        if total > MAX_PRINTED:
            return _message(total)
    if top is not None and not _is_instance(top) and _entered(top) is not None:
        _, whole, _, held = seen.cost(top)
        if held > MAX_PRINTED:
            return _message(held)
        paid = MAX_PRINTED + ROOT_TICKS_PER_BYTE * (file_size or 0)
        if whole - held > paid:
            return (
                f"its repr would cost {whole - held:,} units or more (some "
                f"{(whole - held) * TICK_NS / 1e9:,.1f} s; at most {paid:,}, "
                f"{ROOT_TICKS_PER_BYTE} a byte of the file past {MAX_PRINTED:,}): numpy's repr "
                "of an array costs some 50 us whatever its size, and a value referenced again "
                "is printed again"
            )
    return None


#: The kinds reprlib shortens (its repr_list, repr_dict, ...: a few items each); any other
#: value it writes with the built-in repr, whole (a Bunch of fitted estimators, rt89-13).
_SHORTENED = frozenset({list, tuple, dict, set, frozenset, str, bytes, int})
#: Items reprlib shows of a list, tuple, set or dict (at most: scikit-learn's tables use 2-4).
_REPRLIB_ITEMS = 6
#: Levels reprlib enters (``Repr.maxlevel``).
_REPRLIB_LEVELS = 6


def _fitted_ticks(costs: _Costs, obj: Any) -> int:
    """What a notebook's display adds for an estimator's fitted attributes (``x_``): its
    table writes each with reprlib, the built-in repr of any value of a kind reprlib does not
    shorten (``named_estimators_``, a Bunch: every member in full), the first few items of
    one it does; a user's ``repr(model.named_estimators_)`` is the same (rt89-13)."""
    total = 0
    for name, value in _attrs(obj).items():
        if not name.endswith("_") or name.startswith("_"):
            continue
        total += _reprlib_ticks(costs, value, _REPRLIB_LEVELS, costs.reprlib)
    return total


def _reprlib_ticks(costs: _Costs, value: Any, level: int, seen: dict[tuple[int, int], int]) -> int:
    """What reprlib's repr of ``value`` costs at ``level`` levels left: the built-in repr of
    a kind it does not shorten; a list's or tuple's first items; every key of a dict or set
    sorted (``_possibly_sorted``: a Decimal among big ints made 480 keys 0.64 s, rt93-13),
    then the items it shows, which are the first after sorting: the costliest are priced,
    whatever their insertion order (rt94-07), and nested ones the same way (rt94-10)."""
    kind = type(value)
    if kind in _SCALARS or kind is str or kind is bytes or kind is int:
        return 0
    if kind not in _SHORTENED:
        return costs.cost(value)[1]
    if level <= 0:
        return 0
    key = (id(value), level)
    found = seen.get(key)
    if found is not None:
        return found
    seen[key] = 0  # (a container that holds itself: reprlib's own recursion guard)
    total = 0
    if kind is list or kind is tuple:
        for item in itertools.islice(value, _REPRLIB_ITEMS):
            total += _reprlib_ticks(costs, item, level - 1, seen)
    else:
        if kind is dict:
            parts = [
                _reprlib_ticks(costs, k, level - 1, seen)
                + _reprlib_ticks(costs, v, level - 1, seen)
                for k, v in value.items()
            ]
        else:
            parts = [_reprlib_ticks(costs, item, level - 1, seen) for item in value]
        total += sum(heapq.nlargest(_REPRLIB_ITEMS, parts)) + _sort_ticks(costs, value)
    seen[key] = total
    return total


def _sort_ticks(costs: _Costs, value: Any) -> int:
    """What reprlib's sort of a dict's or set's keys costs (the same at every level: read
    once a value, for every estimator that holds it, rt97-02)."""
    found = costs.sorts.get(id(value))
    if found is None:
        found = 0
        if len(value) > 1:
            weight = max((_compare_ticks(k) for k in value), default=0)
            kinds = {_ORDER_KINDS.get(type(k), _MIXED) for k in value}
            per = SORT_MIXED_TICKS if _MIXED in kinds or len(kinds) > 1 else SORT_TICKS
            n = len(value)
            found = n * n.bit_length() * max(per, weight)
        costs.sorts[id(value)] = found
    return found


def _message(total: int) -> str:
    if total >= _CAP:
        return (
            "its repr would never end: a parameter (a dict key or value) leads back to an "
            "estimator that holds it, and scikit-learn's printer formats that ring again at "
            "every level until RecursionError"
        )
    seconds = total * TICK_NS / 1e9
    return (
        f"its repr would cost scikit-learn's printer {total:,} units or more (some "
        f"{seconds:,.1f} s; at most {MAX_PRINTED:,}): the printer formats each item of a "
        "parameter's containers and each length scale of a kernel again at every level "
        "above it, and an estimator in a container in full wherever it is compared or paired"
    )
