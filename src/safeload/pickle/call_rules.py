"""The rules on calls (REDUCE, INST, OBJ, NEWOBJ): the forms pickle never writes and the
pass cannot follow, refused before anything is built (red teams 23 to 25), and what a call of
a class-from-argument helper makes. Each a function of the symbolic values, tested on its
own (tests/test_scan_hooks.py)."""

from __future__ import annotations

import re
from typing import Final

from safeload._allowlist import NUMPY_ABSTRACT_TYPES, NUMPY_SELECTOR_TYPES
from safeload._numpy_state import empty_shape_problem
from safeload._symbolic import (
    DTYPE_CLASSES,
    _Big,
    _Bytes,
    _Const,
    _Dict,
    _Global,
    _Obj,
    _Sym,
    _Tuple,
)
from safeload.pickle.names import (
    BIT_GENERATOR_CTOR,
    BIT_GENERATORS,
    FROMBUFFER,
    JOBLIB_WRAPPER_NAMES,
    MAKER_FUNCTIONS,
    MULTIARRAY_SCALAR,
    NEVER_CALLED,
    NEW_OBJ,
    NEW_OBJ_CLASSES,
    RANDOM_STATE_CTORS,
    RANGE,
    RECONSTRUCT,
    RECONSTRUCTOR,
    SCALAR_TYPE_NAMES,
)
from safeload.policy import Policy, format_name
from safeload.trust.callables import CALLABLE_ROWS

#: ``collections.OrderedDict``: pickled as a call without arguments, then SETITEMS.
ORDERED_DICT: Final = ("collections", "OrderedDict")

#: The bases ``copyreg`` writes for the classes a model holds at protocols 0-1 (the first
#: non-heap type of the MRO): ``object``, or a builtin value type the class extends.
_RECONSTRUCTOR_BASES: Final = frozenset(
    ("builtins", n)
    for n in ("object", "dict", "list", "set", "frozenset", "tuple", "int", "float", "str")
)


#: Modules whose classes copyreg never makes at protocols 0-1: their classes are C types (for
#: which ``copyreg._reduce_ex`` raises "cannot pickle") or have a ``__reduce__`` of their own
#: (an OrderedDict, a masked array). (The builtins are made for real by the shadow builder,
#: ``_reconstructor_call``, and judged by the rules on their bases and states.)
_NOT_RECONSTRUCTED_MODULES: Final = frozenset({"collections", "datetime", "decimal"})


def _reconstructed_class_problem(cls: _Sym) -> str | None:
    """``copyreg._reconstructor(cls, ...)`` of a class copyreg never writes there: a numpy or
    standard-library C type, or a class with its own ``__reduce__``. numpy's
    ndarray fails in the load ("object.__new__(numpy.ndarray) is not safe"); an OrderedDict
    made so loads, but no writer produces it, so the pass refuses it in scan and load alike
    rather than model ``dict.__init__`` on an OrderedDict (rt49-10)."""
    if not isinstance(cls, _Global):
        # copyreg writes the class by name; on a value the load fails (object.__new__ of an
        # int), and class_from_arg could not say what it makes (rt53-06's neighbour)
        return "copyreg._reconstructor of a value that is not a class named by the stream"
    if cls.pair in MAKER_FUNCTIONS or cls.pair in VALUE_ONLY:
        # object.__new__ of a function (newObj, _codecs.encode, a metric) is a TypeError in
        # the load (rt53-06's neighbour)
        return (
            f"copyreg._reconstructor of {format_name(*cls.pair)}, a function: copyreg makes "
            "an object of a class"
        )
    module = cls.pair[0]
    if module in _NOT_RECONSTRUCTED_MODULES or module == "numpy" or module.startswith("numpy."):
        return (
            f"copyreg._reconstructor of {format_name(*cls.pair)}: copyreg never makes that "
            "class so (a C type, or a class pickled by its own __reduce__)"
        )
    return None


#: The bases of ``copyreg._reconstructor`` whose ``__new__`` converts the state it is given.
_SCALAR_BASES: Final = {"int": int, "float": float, "str": str}


def constant_of(sym: _Sym | None, kind: type) -> bool:
    """Whether ``sym`` is a constant of exactly the builtin type ``kind``: a constant, a long
    ``str`` or ``bytes`` kept as a view of the stream (:class:`_Big`), protocol 2's bytes
    (``_codecs.encode(text, 'latin1')``, narrowed by its own rule), a tuple. The copyreg
    bases (:func:`_reconstructor_base_problem`) and the arguments of a trusted builtin
    subclass (``trusted_classes._newargs_of``) ask it."""
    if isinstance(sym, _Const):
        return type(sym.value) is kind
    if isinstance(sym, _Big):
        return not sym.mutable and (kind is str if sym.text else kind is bytes)
    if kind is bytes and isinstance(sym, _Obj) and sym.cls is not None:
        return sym.cls.pair == ("_codecs", "encode")
    return kind is tuple and isinstance(sym, _Tuple)


def _reconstructor_base_problem(args: _Sym, policy: Policy) -> str | None:
    """``copyreg._reconstructor(cls, base, state)`` runs ``base.__new__(cls, state)`` and,
    unless ``base`` is ``object``, ``base.__init__(obj, state)``: with a Python class as the
    base, its ``__init__`` stores ``state`` as a parameter no rule on BUILD states sees
    (rt23-06). Only the bases copyreg itself writes are allowed (an untrusted base is
    refused as untrusted)."""
    if not isinstance(args, _Tuple):
        return (
            "copyreg._reconstructor on arguments made by a call: the pass cannot prove what "
            "it makes (an object of a class the pass cannot see, on whose arguments a base's "
            "__init__ may run); pickle writes them as a tuple"
        )
    if len(args.items) != 3:
        # copyreg writes (cls, base, state); any other count is a TypeError in the load
        # (rt50-07: four or five arguments scanned SAFE)
        return f"copyreg._reconstructor on {len(args.items)} arguments (it takes 3)"
    problem = _reconstructed_class_problem(args.items[0])
    if problem:
        return problem
    base = args.items[1]
    if isinstance(base, _Global) and base.pair in _RECONSTRUCTOR_BASES:
        state = args.items[2] if len(args.items) > 2 else None
        if base.pair == ("builtins", "tuple") and not isinstance(state, _Tuple):
            # tuple.__new__(cls, state) takes any iterable: a list or a dict's keys would be
            # a namedtuple's fields that no rule reads (rt25-09); copyreg writes a tuple
            return (
                "copyreg._reconstructor with the base builtins.tuple on something else than a "
                "tuple: copyreg writes the fields as a tuple"
            )
        if base.pair != ("builtins", "object") and isinstance(state, _Obj):
            # base.__init__(obj, state) runs on it: dict(range(5)) and the like (rt24-13)
            return (
                f"copyreg._reconstructor with the base {format_name(*base.pair)} on a value "
                "made by a call: the pass cannot prove what the base's __init__ receives"
            )
        scalar = _SCALAR_BASES.get(base.pair[1]) if base.pair[0] == "builtins" else None
        if scalar is not None and not constant_of(state, scalar):
            # str.__new__(cls, state) formats whatever it is given: a list holding an
            # estimator ran scikit-learn's printer inside the unpickler (a ring of imputers:
            # 18 s, rt105-01); copyreg writes base(obj), a value of exactly the base's type
            return (
                f"copyreg._reconstructor with the base {format_name(*base.pair)} on something "
                f"else than a {base.pair[1]} constant: copyreg writes the base's own value"
            )
        if base.pair == ("builtins", "dict") and not isinstance(state, (_Dict, _Const)):
            # dict.__init__(obj, state) takes pairs as it takes a dict; copyreg writes
            # dict(obj), and scan models a dict (a Bunch of pairs, rt106-08). (None: no items)
            return (
                "copyreg._reconstructor with the base builtins.dict on something else than a "
                "dict: copyreg writes the items as a dict"
            )
        return None
    if isinstance(base, _Global) and not policy.allows(*base.pair):
        return None
    what = format_name(*base.pair) if isinstance(base, _Global) else "a computed value"
    return (
        f"copyreg._reconstructor with the base {what}: it would run that base's "
        "__init__ on the call's arguments; copyreg writes object or a builtin type"
    )


#: The longest range a stream may make (usetime.MAX_RANGE holds one kept as data to the same
#: bound; tests/test_scan.py checks they agree): handed to a call, a range becomes as many
#: items (numpy.float64(range(2**31)), rt25-03).
MAX_RANGE: Final = 1 << 20


def _range_problem(items: list[_Sym]) -> str | None:
    """A ``range`` call: literal int bounds, at most ``MAX_RANGE`` items."""
    bounds = [i.value for i in items if isinstance(i, _Const) and type(i.value) is int]
    if len(bounds) != len(items) or not 1 <= len(bounds) <= 3:
        return "builtins.range with bounds the pass cannot read"
    try:
        length = len(range(*bounds))
    except (ValueError, OverflowError):  # a zero step, a length over sys.maxsize
        length = MAX_RANGE + 1
    if length > MAX_RANGE:
        return f"builtins.range of more than {MAX_RANGE:,} items"
    if length > 32 and len(bounds) == 3 and bounds[2] % (2**61 - 1) == 0:
        # (its items all hash alike, and a class makes a set or dict of them at use:
        # MultiLabelBinarizer(classes=range(P, 40001 * P, P)) took 9 s to fit, rt123-09)
        return (
            "builtins.range whose step is a multiple of 2**61 - 1: its items all share one "
            "hash, and a set or dict made of them at use takes quadratic time"
        )
    return None


#: The functions a model may keep as values (safeload.trust.callables): pickle names them,
#: never calls them. Called while loading, they run on whatever the stream built, before any
#: check after building: check_array or numpy.sqrt on a crafted sparse matrix walked its
#: unchecked index arrays, a metric on two ranges took minutes (rt26-01, rt26-02).
VALUE_ONLY: Final = frozenset((module, name) for module, name, _reason in CALLABLE_ROWS)


#: Classes pickle makes by NEWOBJ (or copyreg at protocols 0-1) and gives their state by BUILD,
#: or only names (a masked array is made by numpy's _mareconstruct): never called with
#: arguments. Called with them, their constructors convert or allocate whatever the stream
#: built before any check: a sparse matrix class walks a crafted matrix's unchecked indptr,
#: lil_matrix((10**8, 1)) allocates (rt27-01/02/10).
BUILT_BY_STATE: Final = frozenset(
    {
        *(
            (f"scipy.sparse._{fmt}", f"{fmt}_{kind}")
            for fmt in ("bsr", "coo", "csc", "csr", "dia", "dok", "lil")
            for kind in ("matrix", "array")
        ),
        ("scipy.interpolate._bsplines", "BSpline"),
        ("numpy.ma", "MaskedArray"),
        ("numpy.ma.core", "MaskedArray"),
    }
)


#: The scikit-learn names pickle calls with arguments (:data:`CYTHON_LOSSES`: the Cython loss
#: classes that keep one
#: parameter (their ``__reduce__`` is ``(cls, (parameter,))``), the tree, Cython's
#: ``__pyx_unpickle_*`` helpers and the ``newObj`` helpers. Every other scikit-learn class is
#: made by NEWOBJ (or copyreg) without arguments and gets its state by BUILD; its constructor,
#: called with arguments from the stream, would run on values nothing has checked yet
#: (``AdamOptimizer([A] * 100_000)`` ran ``zeros_like`` on each, rt27-03). Measured on the
#: test corpora at protocols 0-5 (benchmarks/call_forms.py lists what they call).
CYTHON_LOSSES: Final = frozenset(
    {
        *(
            ("sklearn._loss._loss", n)
            for n in (
                "CyHalfTweedieLoss",
                "CyHalfTweedieLossIdentity",
                "CyHuberLoss",
                "CyPinballLoss",
            )
        ),
        *(
            ("sklearn.linear_model._sgd_fast", n)
            for n in ("EpsilonInsensitive", "Hinge", "SquaredEpsilonInsensitive", "SquaredHinge")
        ),
    }
)
SKLEARN_CALLED_WITH_ARGS: Final = frozenset(
    {
        *CYTHON_LOSSES,
        ("sklearn.tree._tree", "Tree"),
        # a namedtuple: NEWOBJ on its fields, which the dispatch table pins (STORING_CALLS)
        ("sklearn.impute._iterative", "_ImputerTriplet"),
    }
)

#: scikit-learn classes whose constructor takes exactly three arguments, as pickle writes them.
THREE_ARGUMENTS: Final = frozenset(
    {("sklearn.tree._tree", "Tree"), ("sklearn.impute._iterative", "_ImputerTriplet")}
)


#: The modules whose classes scikit-learn pickles as a call without arguments: the Cython loss
#: classes that keep no parameter (their ``__reduce__`` is ``(cls, ())``: ``CyHalfSquaredError``,
#: ``ModifiedHuber``; older releases' ``Log``, ``SquaredLoss``).
CALLED_BARE_MODULES: Final = frozenset({"sklearn._loss._loss", "sklearn.linear_model._sgd_fast"})
#: numpy's seed sequence: Cython's ``__pyx_unpickle_SeedSequence`` makes it, never a call.
_SEED_SEQUENCE: Final = ("numpy.random.bit_generator", "SeedSequence")


def _bare_call_problem(pair: tuple[str, str], policy: Policy) -> str | None:
    """A scikit-learn class (or numpy's SeedSequence) called without arguments by REDUCE,
    which scikit-learn writes only for its Cython losses (rt49-12): its estimators, dataclasses
    and distance metrics are made by NEWOBJ, copyreg or their module's helper and given their
    state by BUILD. Called bare, a dataclass with required fields (``Interval()``) fails in the
    load; a DistanceMetric or a SeedSequence loads, but in a form no writer produces, so the
    pass refuses it in scan and load alike rather than model its constructor."""
    sklearn = pair[0] == "sklearn" or pair[0].startswith("sklearn.")
    if not (sklearn or pair == _SEED_SEQUENCE) or not policy.allows(*pair):
        return None
    if pair[0] in CALLED_BARE_MODULES or pair in NEW_OBJ or pair[1].startswith("__pyx_"):
        return None
    return (
        f"{format_name(*pair)} called without arguments: pickle makes it by NEWOBJ, copyreg "
        "or its module's helper (its constructor would run in the load)"
    )


def _sklearn_call_problem(pair: tuple[str, str], items: list[_Sym], policy: Policy) -> str | None:
    """A scikit-learn class called (or NEWOBJ'd) with arguments that pickle never gives it.
    A name off the allowlist is left to the name check, which names it untrusted."""
    if not items or not (pair[0] == "sklearn" or pair[0].startswith("sklearn.")):
        return None
    if not policy.allows(*pair):
        return None
    if pair in THREE_ARGUMENTS and len(items) != 3:
        # Tree(n_features, n_classes, n_outputs) and the namedtuple's three fields: any other
        # count is a TypeError in the load, by REDUCE, OBJ, INST or NEWOBJ (rt50-05)
        return f"{format_name(*pair)} called on {len(items)} arguments (it takes 3)"
    if pair in SKLEARN_CALLED_WITH_ARGS or pair in NEW_OBJ:
        return None
    if pair[1].startswith("__pyx_unpickle_"):
        return None
    return (
        f"{format_name(*pair)} called with arguments: pickle makes it without arguments and "
        "gives it its state by BUILD (its constructor would run on what the stream built, "
        "before any check)"
    )


def _frombuffer_problem(items: list[_Sym]) -> str | None:
    """numpy writes a protocol 5 array as ``_frombuffer(buffer, dtype, shape, order)`` over
    the array's own bytes (a bytes or bytearray constant) and its ``numpy.dtype``. Over
    anything else numpy makes a view: of an array the stream built (a tree's checked nodes,
    rewritten later through the view), of an object array's pointers as floats (rt28-01); a
    dtype written as a type string escapes every dtype check (``'S1073741824'``, rt28-11)."""
    if len(items) not in (4, 5):
        # (numpy 2.4 writes an array that is neither C- nor F-contiguous, a transposed view, as
        # (buffer, dtype, shape, 'K', axes): the C-ordered shape and the permutation that
        # restores the strides, rt104-01)
        return (
            "numpy's _frombuffer with other arguments than (buffer, dtype, shape, order) or "
            "(buffer, dtype, shape, 'K', axes)"
        )
    buffer, dtype = items[0], items[1]
    literal = isinstance(buffer, _Bytes) or (
        isinstance(buffer, _Big) and buffer.size > 0 and not buffer.text
    )
    if isinstance(buffer, _Const) and isinstance(buffer.value, (bytes, bytearray)):
        literal = True
    if not literal:
        return (
            "numpy's _frombuffer over something other than bytes: numpy writes its arrays "
            "over their own bytes; over an array the stream built it would view (and let an "
            "honest method rewrite) that array's memory"
        )
    if not (isinstance(dtype, _Obj) and dtype.cls is not None and dtype.cls.pair in DTYPE_CLASSES):
        return (
            "numpy's _frombuffer with a dtype that is not a numpy.dtype (numpy writes one): "
            "a type string escapes the checks on item sizes"
        )
    shape = items[2]
    if isinstance(shape, _Tuple) and all(
        isinstance(n, _Const) and type(n.value) is int for n in shape.items
    ):
        return empty_shape_problem(tuple(n.value for n in shape.items if isinstance(n, _Const)))
    return None


def _builtin_call_problem(pair: tuple[str, str], items: list[_Sym]) -> str | None:
    """Calls of builtins on arguments they refuse, which pickle never writes: the unpickler
    would fail on them, so the pass refuses them too and scan and load agree (rt32-09)."""
    if pair == ORDERED_DICT and items:
        # OrderedDict.__reduce__ gives no arguments and the items after (SETITEMS): a call
        # on a number or a string fails inside the unpickler, which scan would not predict
        return (
            "collections.OrderedDict called with arguments: pickle makes it empty and adds "
            "its items after"
        )
    if pair == ("builtins", "object") and items:
        return "builtins.object called with arguments"
    if pair == ("builtins", "slice") and not 1 <= len(items) <= 3:
        return "builtins.slice called without 1 to 3 arguments (pickle writes three)"
    if pair == ("builtins", "complex") and not (
        1 <= len(items) <= 2
        and all(isinstance(i, _Const) and type(i.value) in (int, float) for i in items)
    ):
        return "builtins.complex called on other than its real and imaginary parts"
    if pair in (("builtins", "dict"), ("collections", "defaultdict")) and items:
        first = items[0]
        if isinstance(first, _Const) and (pair[1] == "dict" or first.value is not None):
            return f"{format_name(*pair)} called on a constant it cannot take"
    return None


#: numpy's abstract scalar types (dtype selectors kept as values): never called by pickle.
_ABSTRACT_SCALARS: Final = frozenset(
    ("numpy", n) for n in (*NUMPY_ABSTRACT_TYPES, *NUMPY_SELECTOR_TYPES)
)
#: Classes pickle never calls at all: joblib's array wrappers (NEWOBJ) and numpy's Generator
#: (pickled through its ``__generator_ctor``).
_NEVER_CALLED_CLASSES: Final = frozenset({("numpy.random._generator", "Generator")})
#: Classes made by NEWOBJ on exactly three arguments.
_THREE_ARGUMENTS: Final = frozenset(
    {("sklearn.tree._tree", "Tree"), ("sklearn.impute._iterative", "_ImputerTriplet")}
)
#: numpy's random states and generators (bit generators are :data:`BIT_GENERATORS`).
_RANDOM_CLASSES: Final = frozenset(
    {
        ("numpy.random.mtrand", "RandomState"),
        ("numpy.random", "RandomState"),
        ("numpy.random._generator", "Generator"),
        ("numpy.random", "Generator"),
    }
)


def _type_string_problem(code: str) -> str | None:
    """Why numpy refuses the type string ``code``, or the load refuses the dtype it makes (its
    item size, a type numpy's constructors do not pickle back), or ``None`` (rt37-05). numpy
    parses the string into a descriptor without allocating anything."""
    import numpy as np

    from safeload._numpy_state import built_dtype_problem

    try:
        made = np.dtype(code)
    except Exception as exc:  # numpy's parser: TypeError, ValueError, ...
        return f"numpy.dtype({code[:40]!r}) fails in the load ({type(exc).__name__})"
    problem = built_dtype_problem(made, {})
    if problem is None and made.kind not in "biufcmMOSUV":
        problem = f"a dtype of kind {made.kind!r}, which no allowed model stores"
    return f"numpy.dtype({code[:40]!r}): {problem}" if problem else None


def _numpy_form_problem(
    pair: tuple[str, str], items: list[_Sym], newobj: bool, bare_new: bool = False
) -> str | None:
    """numpy's and joblib's calls in the one form each writes: a load fails on any other (a
    dtype without its type string, ``multiarray.scalar()``, a Generator called by name, a
    wrapper called), which scan must predict (rt36-08)."""
    if pair in DTYPE_CLASSES and not (
        len(items) == 3
        and isinstance(items[0], (_Const, _Big))
        and (not isinstance(items[0], _Const) or type(items[0].value) is str)
        and (not isinstance(items[0], _Big) or items[0].text)
        and all(
            isinstance(i, _Const) and i.value is v
            for i, v in zip(items[1:], (False, True), strict=True)
        )
    ):
        return "numpy.dtype called on other than (type string, False, True), as numpy writes it"
    if pair in DTYPE_CLASSES and isinstance(items[0], _Const):
        problem = _type_string_problem(str(items[0].value))
        if problem:
            return problem
    if pair in _ABSTRACT_SCALARS or pair in _NEVER_CALLED_CLASSES:
        return f"a call of {format_name(*pair)}: pickle never calls it"
    if (newobj or bare_new) and (pair in BIT_GENERATORS or pair in _RANDOM_CLASSES):
        # numpy pickles them through its ctor helpers, which initialise their native state;
        # NEWOBJ, or INST/OBJ without arguments (cls.__new__(cls) in the unpickler), leaves it
        # unset, and reading it crashed the load (rt38-16, rt51-01)
        how = "NEWOBJ" if newobj else "INST or OBJ without arguments (its __new__ alone)"
        return (
            f"{how} on {format_name(*pair)}: numpy makes it through its pickle helpers; made "
            "bare, its native state is never set"
        )
    if newobj and pair in _THREE_ARGUMENTS and len(items) != 3:
        # a decision tree's Tree(n_features, n_classes, n_outputs), a named tuple's fields:
        # their __new__ fails on any other count, in the load (rt38-17)
        return f"NEWOBJ on {format_name(*pair)} with {len(items)} arguments (it takes 3)"
    # (NEWOBJ without arguments is how pickle makes these two kinds)
    if pair in BUILT_BY_STATE and not newobj:
        return (
            f"a call of {format_name(*pair)}: pickle makes it by NEWOBJ (or copyreg) and "
            "gives it its state by BUILD"
        )
    if pair[1] in JOBLIB_WRAPPER_NAMES and (items or not newobj):
        return (
            f"a call of {format_name(*pair)}: its __init__ sets fields (the alignment) that "
            "decide how joblib reads the array data; joblib writes it by NEWOBJ"
        )
    if pair in MULTIARRAY_SCALAR and not (
        len(items) in (1, 2)
        and isinstance(items[0], _Obj)
        and items[0].cls is not None
        and items[0].cls.pair in DTYPE_CLASSES
    ):
        return "numpy's multiarray.scalar called on other than (dtype, data), as numpy writes it"
    if pair[1].startswith("__pyx_unpickle_") and len(items) != 3:
        return (
            f"{format_name(*pair)} called on {len(items)} arguments: Cython writes (class, "
            "checksum, state)"
        )
    return None


#: The names numpy's ``_pickle.BitGenerators`` knows (numpy 1.17 to 2.x), which its helpers take
#: as a bit generator's name: any other string raises "is not a known BitGenerator module".
BIT_GENERATOR_NAMES: Final = frozenset({"MT19937", "PCG64", "PCG64DXSM", "Philox", "SFC64"})
#: numpy's bit generator classes (not the seed sequence): what ``__bit_generator_ctor`` is given.
_BIT_GENERATOR_CLASSES: Final = BIT_GENERATORS - {("numpy.random.bit_generator", "SeedSequence")}
#: numpy < 1.17's ``numpy.random.__RandomState_ctor()``: it takes no argument.
LEGACY_RANDOM_STATE_CTOR: Final = ("numpy.random", "__RandomState_ctor")


def _bit_generator_name(item: _Sym) -> bool:
    """A bit generator's name that numpy's ``_pickle.BitGenerators`` holds."""
    return (
        isinstance(item, _Const) and type(item.value) is str and item.value in BIT_GENERATOR_NAMES
    )


def _bit_generator_made(item: _Sym) -> bool:
    """A bit generator the stream makes: by numpy's helper (named by its class, see
    :func:`class_from_arg`, or by a name) or by calling one of numpy's bit generator classes."""
    return (
        isinstance(item, _Obj)
        and item.cls is not None
        and (item.cls.pair == BIT_GENERATOR_CTOR or item.cls.pair in _BIT_GENERATOR_CLASSES)
    )


def _random_helper_problem(pair: tuple[str, str], items: list[_Sym]) -> str | None:
    """numpy's random pickle helpers on the arguments numpy writes, the only ones they take
    (rt49-08). ``__bit_generator_ctor(x)`` calls ``x()`` for any class and raises on any other
    name than numpy's; ``__generator_ctor`` and ``__randomstate_ctor`` pass a bit generator
    through and hand anything else to that helper; numpy 1.16's ``__RandomState_ctor`` takes
    no argument. numpy writes ``__bit_generator_ctor(<bit generator class>)`` (numpy 2) or
    ``(<name>)``, and the other two on a bit generator (numpy 2) or on ``(<name>)`` or
    ``(<name>, __bit_generator_ctor)``; on any other argument the load fails, or (a class that
    is no bit generator, ``SeedSequence``, ``OrderedDict``) makes what no honest writer
    writes, so the pass refuses it in scan and load alike."""
    what = format_name(*pair)
    if pair == LEGACY_RANDOM_STATE_CTOR and items:
        return f"{what} called with arguments: it takes none (a TypeError in the load)"
    if pair == BIT_GENERATOR_CTOR:
        first = items[0] if len(items) == 1 else None
        if first is None or not (
            _bit_generator_name(first)
            or (isinstance(first, _Global) and first.pair in _BIT_GENERATOR_CLASSES)
        ):
            return (
                f"{what} on other than one of numpy's bit generator classes or names: it "
                "calls the class it is given, and raises on an unknown name"
            )
    if pair in RANDOM_STATE_CTORS:
        if not 1 <= len(items) <= 2:
            return f"{what} called on {len(items)} arguments (numpy writes one or two)"
        second = items[1] if len(items) == 2 else None
        if second is not None and not (
            isinstance(second, _Global) and second.pair == BIT_GENERATOR_CTOR
        ):
            return (
                f"{what} given a constructor other than numpy's __bit_generator_ctor: it "
                "would call it with the first argument"
            )
        if not (_bit_generator_name(items[0]) or _bit_generator_made(items[0])):
            return (
                f"{what} on other than a bit generator or one of numpy's bit generator "
                "names: the load fails (or makes what numpy never writes)"
            )
    return None


#: ``_codecs.encode``: how protocols 0-2 write bytes (``encode(text, 'latin1')``).
_ENCODE: Final = ("_codecs", "encode")


def _dummy_type_code(item: _Sym) -> bool:
    """numpy's dummy type code ``b'b'`` (``array_reduce`` writes it with the ``c`` format): as
    bytes, as protocols 0-2 write bytes (``_codecs.encode('b', 'latin1')``), or as the str a
    Python 2 pickle decodes to."""
    if isinstance(item, _Const):
        return type(item.value) in (bytes, str) and item.value in (b"b", "b")
    if isinstance(item, _Obj) and item.cls is not None and item.cls.pair == _ENCODE:
        args = item.args.items if isinstance(item.args, _Tuple) else []
        return len(args) == 2 and all(
            isinstance(a, _Const) and a.value == v
            for a, v in zip(args, ("b", "latin1"), strict=True)
        )
    return False


def _reconstruct_problem(items: list[_Sym]) -> str | None:
    """numpy writes every protocol 0-4 array as ``_reconstruct(ndarray, (0,), b'b')`` (the
    array's own class, the only array class allowed, a dummy shape and type code; its BUILD
    sets the rest). numpy's ``array__reconstruct`` takes exactly three arguments, a subtype of
    ndarray and a type code its dtype converter reads; a load fails on any other count, class
    or code (rt49-11). The pass takes numpy's form only: another code it reads (``'f8'``,
    ``'(1000,1000)f8'``, which sizes the empty array) is no writer's."""
    if len(items) != 3:
        return f"numpy's _reconstruct on {len(items)} arguments (it takes 3)"
    first = items[0]
    if not (isinstance(first, _Global) and first.pair == ("numpy", "ndarray")):
        return "numpy's _reconstruct of another class than numpy.ndarray (numpy writes its own)"
    if not _dummy_type_code(items[2]):
        return "numpy's _reconstruct with another type code than numpy's dummy b'b'"
    return None


#: numpy.ma's pickle helper, ``_mareconstruct(subtype, baseclass, baseshape, basetype)``.
MARECONSTRUCT: Final = ("numpy.ma.core", "_mareconstruct")
_MASKED_CLASSES: Final = frozenset({("numpy.ma", "MaskedArray"), ("numpy.ma.core", "MaskedArray")})


def _mareconstruct_problem(args: _Sym) -> str | None:
    """numpy writes ``_mareconstruct(MaskedArray, ndarray, (0,), 'b')``; another subtype
    (``ndarray`` takes no ``mask``) or a base class that is no array fails in the load
    (rt49-09), so only that form is taken."""
    items = args.items if isinstance(args, _Tuple) else []
    if (
        len(items) == 4
        and isinstance(items[0], _Global)
        and items[0].pair in _MASKED_CLASSES
        and isinstance(items[1], _Global)
        and items[1].pair == ("numpy", "ndarray")
    ):
        return None
    return "numpy.ma's _mareconstruct on other classes than (MaskedArray, ndarray)"


def call_form_problem(
    pair: tuple[str, str],
    args: _Sym,
    policy: Policy,
    *,
    newobj: bool = False,
    bare_new: bool = False,
) -> str | None:
    """Hook: the forms of a call (REDUCE, INST, OBJ; NEWOBJ with ``newobj``) that pickle
    never writes and the pass cannot follow, refused before anything is built (red teams 23
    and 24). ``bare_new``: INST or OBJ without arguments, which the unpickler turns into
    ``cls.__new__(cls)`` for a class, so the rules on what ``__new__`` alone leaves half made
    apply as for NEWOBJ."""
    if pair == RECONSTRUCTOR:
        return _reconstructor_base_problem(args, policy)
    if pair == MARECONSTRUCT:
        return _mareconstruct_problem(args)
    if pair in VALUE_ONLY:
        return (
            f"a call of {format_name(*pair)}: a model may keep it as a value, but pickle never "
            "calls it (called while loading, it would run on what the stream built, unchecked)"
        )
    if not isinstance(args, _Tuple):
        # the C unpickler calls func(*args) only with a tuple, joblib's Python unpickler with
        # any iterable; a tuple made by a call hides what the callee gets from every check
        return (
            f"a call of {format_name(*pair)} on arguments made by a call: the pass cannot "
            "prove what it receives; pickle writes the arguments as a tuple"
        )
    items = args.items
    if pair in BUILT_BY_STATE and items:
        return (
            f"a call of {format_name(*pair)} with arguments: pickle makes it empty and gives "
            "it its state by BUILD (its constructor would convert or allocate what the stream "
            "built, before any check)"
        )
    problem = _numpy_form_problem(pair, items, newobj, bare_new)
    if problem:
        return problem
    problem = _sklearn_call_problem(pair, items, policy)
    if problem:
        return problem
    if not items and not newobj:
        problem = _bare_call_problem(pair, policy)
        if problem:
            return problem
    if pair in FROMBUFFER:
        return _frombuffer_problem(items)
    if pair in RECONSTRUCT:
        return _reconstruct_problem(items)
    if pair in NEVER_CALLED or (pair[0] == "numpy" and pair[1] in SCALAR_TYPE_NAMES):
        # a value of these types is a constant in a pickle (numpy scalars: multiarray.scalar);
        # called on what the stream built, they run its __str__/__int__/__array__ while
        # loading: str(crafted sparse matrix) wrote out of bounds, int(Decimal('1E+1000000'))
        # and float64(range(n)) cost what the file asks (rt25-01/03/10)
        return f"a call of {format_name(*pair)}: pickle writes its values as constants"
    if pair in (("numpy.random.mtrand", "RandomState"), ("numpy.random", "RandomState")):
        # (with a seed, or none: scan modelled RandomState() without the bit generator and
        # seed sequence the load builds, and met 6,000 references a third as often, rt122-06)
        return (
            "numpy.random.RandomState called: numpy pickles it through its constructor helper "
            "and a state"
        )
    if pair == RANGE:
        return _range_problem(items)
    if pair in NEW_OBJ:
        first = items[0] if len(items) == 1 else None
        # a class the helper's own module holds: any other name of it may be a function
        if not (
            isinstance(first, _Global)
            and first.pair in NEW_OBJ_CLASSES
            and first.pair[0] == pair[0]
        ):
            what = format_name(*first.pair) if isinstance(first, _Global) else "another value"
            return (
                f"{format_name(*pair)} on {what}: scikit-learn writes it only for the classes "
                "of its own module (a neighbour tree, a distance metric)"
            )
    problem = _random_helper_problem(pair, items)
    if problem:
        return problem
    if pair in BIT_GENERATORS and items:
        # numpy pickles them by __bit_generator_ctor and a state dict; a seed from the file
        # costs time quadratic in its size (SeedSequence's int-to-words loop, rt24-15)
        return (
            f"{format_name(*pair)} called with arguments: numpy pickles bit generators by "
            "name and state, never seeds them from the file"
        )
    problem = _builtin_call_problem(pair, items)
    if problem:
        return problem
    if pair == _ENCODE:
        return _encode_problem(items)
    return None


def _encode_problem(items: list[_Sym]) -> str | None:
    """``_codecs.encode`` in the one form pickle writes (protocols 0-2's bytes,
    ``encode(text, 'latin1')``, ``save_bytes``): the codec the constant ``'latin1'`` exactly
    (another one, punycode, costs quadratic time, rt24-15), and the text one the pass proves
    latin-1 encodes (:func:`latin1_text_problem`); on anything else the load fails or runs
    what the pass did not judge."""
    if not (len(items) == 2 and isinstance(items[1], _Const) and items[1].value == "latin1"):
        return (
            "_codecs.encode with another codec than latin-1 spelled 'latin1', or on other "
            "than two arguments: pickle writes encode(text, 'latin1') only"
        )
    return latin1_text_problem(items[0])


#: A character latin-1 cannot encode.
_WIDE_CHAR: Final = re.compile("[^\x00-\xff]")


def latin1_text_problem(text: _Sym) -> str | None:
    """Why the load may fail to encode ``text`` as latin-1 (``_codecs.encode(text, 'latin1')``,
    protocol 2's bytes), or ``None``. Only a text constant of the stream proves a str (pickle
    writes the text so); CPython's codec takes any str, subclasses such as numpy's ``str_``
    too, but a value the stream made by a call (``numpy.str_``, a date, a scalar, an
    estimator) is one the pass cannot read, and an int is none: fail closed (rt53-01). A
    character over U+00FF makes the load raise (rt52-07). A large text whose value the pass
    dropped after an array took it cannot be looked at again: refused (numpy's pickles never
    reuse one)."""
    if isinstance(text, _Big) and text.text and text.value is None:
        return "a large text used twice as bytes data: numpy's pickles make one for each array"
    value = text.value if isinstance(text, (_Const, _Big)) else None
    if type(value) is not str:
        return (
            "latin-1 bytes made of a value other than a text constant (pickle writes bytes as "
            "encode(text, 'latin1')): the load fails on it, or encodes what the pass cannot read"
        )
    if _WIDE_CHAR.search(value) is not None:
        return (
            "a text with a character latin-1 cannot encode, where the load encodes it as "
            "latin-1 (protocol 2's bytes): the load fails"
        )
    return None


def class_from_arg(func: _Global, args: _Sym) -> _Obj:
    """Hook: what a call of ``CLASS_FROM_ARG`` makes. With a literal class as the first
    argument (protocols 0-1: ``copyreg._reconstructor(cls, base, state)``), an object of that
    class; a bit generator named by a string, one of the helper's; anything else, an object
    of a class the pass cannot see."""
    first = args.items[0] if isinstance(args, _Tuple) and args.items else None
    if isinstance(first, _Global):
        return _Obj(first, args)
    if (
        func.pair != RECONSTRUCTOR
        and isinstance(args, _Tuple)
        and (first is None or isinstance(first, _Const))
        and (first is None or type(first.value) is str)
    ):
        return _Obj(func, args)  # a bit generator by name
    return _Obj(None, args)  # a class the pass cannot see
