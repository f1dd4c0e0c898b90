"""The names the static pass treats specially, with why: joblib's placeholder, numpy's array
and dtype makers, the callables that make an object of their argument's class, the calls that
store their arguments, and the opcodes refused outright. Data only; the rules that use them
are in :mod:`~safeload.pickle.state_rules` and :mod:`~safeload.pickle.call_rules`."""

from __future__ import annotations

from typing import Final

from safeload._allowlist import DISTANCE_METRICS, NUMPY_SCALAR_TYPES

JOBLIB_WRAPPER: Final = ("joblib.numpy_pickle", "NumpyArrayWrapper")
NDARRAY_CLASSES: Final = {("numpy", "ndarray"), ("numpy", "memmap")}
#: Last name components of joblib's array placeholders (current and legacy). joblib reads raw
#: array bytes after such an object's BUILD, so a stream naming one is joblib content whatever
#: the spelling (dotted qualname, module alias, text escapes), and only the joblib reading of it
#: says what ``joblib.load`` does.
JOBLIB_WRAPPER_NAMES: Final = frozenset({"NumpyArrayWrapper", "NDArrayWrapper", "ZNDArrayWrapper"})
#: The attributes joblib's NumpyArrayWrapper has in every version that writes it (0.10 on;
#: ``numpy_array_alignment_bytes`` since 0.12): its state holds these keys and no other.
JOBLIB_WRAPPER_KEYS: Final = frozenset(
    {"subclass", "shape", "order", "dtype", "allow_mmap", "numpy_array_alignment_bytes"}
)
#: Opcodes refused outright, with the reason.
REFUSED_OPCODES: Final = {
    "EXT1": "extension-registry global (no name in the stream)",
    "EXT2": "extension-registry global (no name in the stream)",
    "EXT4": "extension-registry global (no name in the stream)",
    "PERSID": "persistent id (loads an object from outside the stream)",
    "BINPERSID": "persistent id (loads an object from outside the stream)",
    "NEXT_BUFFER": "out-of-band buffer (data from outside the stream)",
    "READONLY_BUFFER": "out-of-band buffer (data from outside the stream)",
}

#: scikit-learn's decision tree: its node arrays are indexes that predict() follows unchecked.
TREE: Final = ("sklearn.tree._tree", "Tree")
#: What makes scikit-learn's native structures, whose C-level ``__setstate__`` the library calls
#: once, right after making them. A second BUILD (or one after the object was used) would let
#: the pass check one state while the object ends with another (r15-06).
ONE_NATIVE_STATE: Final = frozenset(
    {
        TREE,
        ("sklearn.neighbors._kd_tree", "KDTree"),
        ("sklearn.neighbors._kd_tree", "newObj"),
        ("sklearn.neighbors._ball_tree", "BallTree"),
        ("sklearn.neighbors._ball_tree", "newObj"),
        ("sklearn.metrics._dist_metrics", "newObj"),
    }
)
#: Native classes whose own ``__setstate__`` sets up what their methods write through, so an
#: object made by ``__new__`` alone (NEWOBJ, ``newObj(cls)``, OBJ or INST without arguments)
#: and never given a state is unusable: a Mahalanobis metric's ``buffer`` is then an unset
#: memoryview, and its ``rdist`` writes through a null pointer on the first ``pairwise``
#: (SIGSEGV, rt50-06). The other metrics' methods read only what Cython's ``__cinit__`` sets
#: (``p=2``, a 1-item ``vec``, a 1x1 ``mat``: the state their checks read).
STATE_BUILT: Final = frozenset(
    ("sklearn.metrics._dist_metrics", f"MahalanobisDistance{bits}") for bits in ("64", "32")
)
RECONSTRUCT: Final = frozenset(
    {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct")}
)
#: A protocol 5 array is ``numpy..._frombuffer(bytearray, dtype, shape, order)``. A
#: ``BYTEARRAY8`` of at least ``VIEW_FROM`` bytes that only such a call consumes is listed in
#: ``StreamAnalysis.buffer_views``: a reader may give numpy a view of the file buffer instead.
#: (Smaller arrays are copied: a view keeps the whole buffer alive.)
FROMBUFFER: Final = frozenset(
    {("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer")}
)
RECONSTRUCTOR: Final = ("copyreg", "_reconstructor")
#: numpy's scalar maker, ``scalar(dtype, data)``, as numpy 1 and 2 name it.
MULTIARRAY_SCALAR: Final = frozenset(
    {("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar")}
)
#: Allowed callables whose result is an instance of the class passed as their first argument
#: (``_reconstructor(cls, base, state)`` is ``base.__new__(cls, state)``; the bit generator
#: helper calls ``cls()``). With a literal class there, the result is of that class; with
#: anything else (an argument tuple made by a call, a class fetched out of a container made by
#: a call) the pass cannot tell what the result is, and it becomes an object of unknown class.
CLASS_FROM_ARG: Final = frozenset({RECONSTRUCTOR, ("numpy.random._pickle", "__bit_generator_ctor")})
#: Calls that allocate an array of the shape in argument N (see Walker._empty_shape).
EMPTY_SHAPE_ARG: Final[dict[tuple[str, str], int]] = {
    ("numpy", "ndarray"): 0,
    ("numpy.core.multiarray", "_reconstruct"): 1,
    ("numpy._core.multiarray", "_reconstruct"): 1,
    ("numpy.ma.core", "_mareconstruct"): 2,
}
#: Targets whose BUILD hands its state to ``ndarray.__setstate__`` (masked arrays: to it and to
#: their mask's); their state must be a literal array state the pass can check in full.
ARRAY_MAKERS: Final = frozenset(
    {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.ma.core", "_mareconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "memmap"),
        ("numpy.ma", "MaskedArray"),
        ("numpy.ma.core", "MaskedArray"),
    }
)
#: Calls whose arguments end up stored in what they make (checked by safeload.trust.static).
STORING_CALLS: Final = frozenset(
    {
        ("builtins", "list"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("builtins", "tuple"),
        ("builtins", "dict"),
        # narrowed by the unpickler (sized by a number from the file otherwise): scan checks
        # each call, also one whose result the stream discards
        ("builtins", "bytearray"),
        ("builtins", "bytes"),
        ("collections", "OrderedDict"),
        ("collections", "defaultdict"),
        ("functools", "partial"),
        # a namedtuple whose fields the dispatch table pins: its state is its call arguments
        ("sklearn.impute._iterative", "_ImputerTriplet"),
    }
)


#: Calls that make a plain dict, list or set (or a subclass that keeps their item methods): the
#: only objects, besides the containers the stream builds with EMPTY_DICT/DICT, EMPTY_LIST/LIST
#: and EMPTY_SET, that SETITEM(S), APPEND(S) and ADDITEMS may fill (an OrderedDict or Bunch is
#: pickled as a call and then SETITEMS). On anything else those opcodes call the target's own
#: ``__setitem__``/``append``/``extend``/``add``: an array's writes into data the pass has
#: checked, a list's takes slice keys (``lst[:] = []``). tests/test_scan.py checks that each
#: class keeps the builtin item methods.
DICT_MAKERS: Final = frozenset(
    {
        ("builtins", "dict"),
        ("collections", "OrderedDict"),
        ("collections", "defaultdict"),
        ("sklearn.utils._bunch", "Bunch"),
    }
)
LIST_MAKERS: Final = frozenset({("builtins", "list")})
SET_MAKERS: Final = frozenset({("builtins", "set")})


BIT_GENERATOR_CTOR: Final = ("numpy.random._pickle", "__bit_generator_ctor")
#: numpy's pickle helper that makes a ``numpy.random.Generator``.
GENERATOR_CTOR: Final = ("numpy.random._pickle", "__generator_ctor")
#: ``functools.partial``: its ``__setstate__`` takes exactly ``(func, args, keywords, dict)``.
PARTIAL: Final = ("functools", "partial")
#: numpy's bit generators and seed sequence, named only as the argument of their pickle helper.
BIT_GENERATORS: Final = frozenset(
    {
        ("numpy.random._mt19937", "MT19937"),
        ("numpy.random._pcg64", "PCG64"),
        ("numpy.random._pcg64", "PCG64DXSM"),
        ("numpy.random._philox", "Philox"),
        ("numpy.random._sfc64", "SFC64"),
        ("numpy.random.bit_generator", "SeedSequence"),
    }
)


#: scikit-learn's ``newObj(cls)`` helpers (``cls.__new__(cls)``), each written only for the
#: Cython classes of its own module (neighbor trees, distance metrics).
NEW_OBJ: Final = frozenset(
    {
        ("sklearn.neighbors._kd_tree", "newObj"),
        ("sklearn.neighbors._ball_tree", "newObj"),
        ("sklearn.metrics._dist_metrics", "newObj"),
    }
)
#: The classes scikit-learn gives those helpers (``BinaryTree.__reduce__`` and
#: ``DistanceMetric.__reduce__`` write ``newObj(type(self))``), each in the helper's own
#: module. The pass cannot import a name to see whether it is a class, so the helper takes
#: these only: given a function of its module (itself, another helper), ``cls.__new__(cls)``
#: is a TypeError in the load (rt53-06).
NEW_OBJ_CLASSES: Final = frozenset(
    {
        ("sklearn.neighbors._kd_tree", "KDTree"),
        ("sklearn.neighbors._ball_tree", "BallTree"),
        *(
            ("sklearn.metrics._dist_metrics", f"{name}Distance{bits}")
            for name in DISTANCE_METRICS
            for bits in ("64", "32")
        ),
    }
)
#: numpy's random-state helpers ``ctor(name, bit_generator_ctor)``: they call their second
#: argument with the first, so only numpy's own helper may be given.
RANDOM_STATE_CTORS: Final = frozenset(
    {
        ("numpy.random._pickle", "__generator_ctor"),
        ("numpy.random._pickle", "__randomstate_ctor"),
    }
)


#: Types pickle never calls (their values are constants); see call_form_problem.
NEVER_CALLED: Final = frozenset(("builtins", n) for n in ("str", "int", "float", "bool"))
SCALAR_TYPE_NAMES: Final = frozenset(NUMPY_SCALAR_TYPES)
RANGE: Final = ("builtins", "range")


#: Modules that a library's own build records under a bare name. scikit-learn 1.7's wheels pickle
#: their Cython loss classes as ``_loss.CyHalfBinomialLoss`` and so on: ``_loss`` is importable
#: there only because importing ``sklearn._loss._loss`` also registers it under its bare name.
#: Such a name is checked against the allowlist, and resolved, as the real module: never as
#: whatever top-level ``_loss`` the import path might offer.
BARE_MODULES: Final = {"_loss": "sklearn._loss._loss"}

#: What ``repr`` prints in full wherever it is referenced (see ``WalkBase.refetched``): the
#: arrays, and the containers and bytes calls make. An estimator prints its parameters only.
PRINTED_WHOLE: Final = ARRAY_MAKERS | FROMBUFFER | STORING_CALLS | {("_codecs", "encode")}
#: The allowlisted names that are functions, not classes, besides the functions a model may
#: keep as values (``call_rules.VALUE_ONLY``): the helpers pickle calls by REDUCE. NEWOBJ and
#: NEWOBJ_EX on a function fail in the C unpickler ("NEWOBJ class argument must be a type"), so
#: the pass refuses them before any other rule (rt52-06). tests/security/test_redteam52.py
#: derives this set from the allowlist by importing each name, so it cannot go stale.
MAKER_FUNCTIONS: Final = frozenset(
    {
        ("_codecs", "encode"),
        ("copyreg", "_reconstructor"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "scalar"),
        ("numpy._core.numeric", "_frombuffer"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy.core.numeric", "_frombuffer"),
        ("numpy.ma.core", "_mareconstruct"),
        ("numpy.random", "__RandomState_ctor"),
        ("numpy.random._pickle", "__bit_generator_ctor"),
        ("numpy.random._pickle", "__generator_ctor"),
        ("numpy.random._pickle", "__randomstate_ctor"),
        ("numpy.random.bit_generator", "__pyx_unpickle_SeedSequence"),
        ("sklearn._loss._loss", "__pyx_unpickle_CyHalfMultinomialLoss"),
        ("sklearn.metrics._dist_metrics", "newObj"),
        ("sklearn.neighbors._ball_tree", "newObj"),
        ("sklearn.neighbors._kd_tree", "newObj"),
    }
)
