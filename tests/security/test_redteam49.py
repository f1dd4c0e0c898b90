"""Red team 49's reproducers, all fixed (normal tests): rt49-01, rt49-02 (node records taken
and cast as scikit-learn's ``_check_node_ndarray`` takes them), rt49-03 (zero-itemsize and
object-dtype ``_frombuffer``), rt49-04 (a str scalar payload judged on its latin-1 bytes),
rt49-05 (the fill value checked as numpy.ma checks it; anything else numpy never writes is
unproven), rt49-06 (record items with objects stored by numpy in a probe), rt49-07 (its
tuple fill value is refused by rt49-05's rule, and a masked array's fill value counts in the
end-of-walk size bound), rt49-08 (numpy's random helpers only on what numpy writes), rt49-09,
rt49-10 (``trust/structures/reconstructor.py``), rt49-11, rt49-12, rt49-13
(``callables.CLASS_ATTRIBUTES``; ``_CVIterableWrapper`` allowlisted).

rt49-01 (parity: scan SAFE, load refuses) a decision tree whose ``Tree`` ``nodes`` array
        has scikit-learn's node layout with MIXED byte orders (one field, ``left_child``,
        big-endian ``>i8``, the rest native). ``stream_arrays.tree_problem`` accepts any
        dtype whose ``newbyteorder('=')`` equals NODE_DTYPE's (``'='`` makes every field
        native, so a mixed-order record passes) and converts it with ``astype``; but
        scikit-learn's ``_check_node_ndarray`` only takes the four dtype dicts of
        ``_all_compatible_dtype_dicts`` (all native or all swapped, each at either
        bitness) and raises "node array from the pickle has an incompatible dtype", so
        ``Tree.__setstate__`` fails and ``load_unsigned`` refuses. Every protocol.
rt49-02 (parity: scan refuses, load loads) a decision tree whose node records are in a
        layout scikit-learn's ``_check_node_ndarray`` converts: intp fields as ``i4`` (a
        tree pickled on a 32-bit platform, which scikit-learn documents as supported:
        "cross-bitness deployment"), or the same fields packed (``align=False``), or both,
        in either byte order. ``Tree.__setstate__`` casts them to NODE_DTYPE and the
        load's post-build checks pass on the result, so ``load_unsigned`` returns a working
        model (predict equal to the original), while scan's ``tree_problem`` refuses any
        layout but NODE_DTYPE's in some byte order ("not scikit-learn's layout (unproven)").
        scikit-learn's check compares only {field name: type string}, so trailing padding
        (a larger itemsize) and fields in another order also load; reordered fields are cast
        by position (``astype``), so the loaded tree's children are swapped, and the load's
        checks, which judge the converted nodes, still pass it. (HGB's ``TreePredictor``,
        whose ``__setstate__`` also casts other layouts, is already modelled: its i4,
        big-endian, mixed-endian and packed node layouts scan SAFE and load alike.) Also in
        skops files (rt49-01's mixed-endian nodes as a .npy member: scan SAFE, skops' build
        fails).
rt49-03 (parity: scan SAFE, load refuses) a protocol 5 array ``_frombuffer(bytearray(),
        dtype, shape, 'C')`` whose dtype has items of zero bytes (``S0``, ``U0``, ``V0``),
        any shape (``(0,)``, ``(5,)``, ``(2, 0)``): ``frombuffer_form_problem`` checks
        ``len(buffer) == items * itemsize`` (0 == 0), but numpy's ``frombuffer`` raises
        "itemsize cannot be zero in type", so the load fails. (The zero-item rule
        ``ZERO_ITEMS`` covers only ``_reconstruct`` states.) Likewise an object dtype:
        ``_frombuffer(bytearray(16), dtype('O'), (2,), 'C')`` is sized right (2 x 8 bytes)
        and SAFE to scan, and numpy refuses it ("cannot create an OBJECT array from memory
        buffer"; good for safety, bad for parity).
rt49-04 (parity: scan SAFE, load refuses) a numpy str scalar ``multiarray.scalar(dtype('<U1'),
        '\\xff\\xff\\xff\\xff')`` (the data as a latin-1 str, which numpy encodes; the same
        data as bytes is refused by scan): ``scalar_form_problem`` accepts it, but
        a UCS4 code point past U+10FFFF makes numpy's scalar constructor raise
        SystemError "invalid maximum character passed to PyUnicode_New" and the load fails.
        (The same bytes as a ``U`` array load; their use raises, no harm found.)
rt49-05 (parity: scan SAFE, load refuses) a search's ``cv_results_`` masked array (the one
        place a masked array is allowed) whose ``_mareconstruct`` BUILD state carries a
        ``fill_value`` its dtype cannot take: a str, bytes, complex or dict for a float64 or
        int64 column (``param_C``, ``param_max_depth``), or a float/int past int64 for an
        int64 one. ``MaskedArray.__setstate__`` ends with ``self.fill_value = flv``, whose
        ``_check_fill_value`` raises TypeError ("Cannot convert fill_value ... to dtype"), so
        the load fails; the static pass models the data and mask sizes, not the fill value.
rt49-06 (parity: scan SAFE, load refuses) an ndarray ``_reconstruct`` + BUILD whose dtype is
        a record with an object field (``[('a', 'O'), ('b', 'f8')]``) and whose data list
        holds one item per element (the count the pass checks) of a kind numpy cannot store
        in such a record: a str, a list, a dict, a tuple of the wrong length or with a str
        for the float field. numpy's ``array_setstate`` assigns each item, ignores the
        failure and returns with the exception set: SystemError, the load fails. (Items
        numpy can broadcast into the record, an int or None, load in both.)
rt49-07 (harm: memory and CPU super-linear in the file, inside load_unsigned; scan SAFE)
        a search's ``cv_results_`` masked array whose ``fill_value`` (state item 6) is a
        tuple DAG: ``Tk = (Tk-1,) * fan`` through the memo, nesting only ``depth`` levels
        (under the walk's 16-level limit, so scan calls it SAFE). ``MaskedArray.__setstate__``
        sets ``self.fill_value``, whose ``_check_fill_value`` runs
        ``np.asarray(fill_value, dtype=column dtype)``: numpy's shape discovery walks
        ``fan ** depth`` leaves and allocates an array of that shape. 2.3 KB (fan 8, depth 9)
        took 12 s of CPU and 1 GiB inside ``load_unsigned``, which then returned the model
        (its post-build checks pass: the fill value is a plain float array); fan 64, depth 5
        (3 KB) asks for 8 GiB (MemoryError under a 2.5 GB limit after 14 s; without a limit,
        the OOM killer). Plain pickle does the same; joblib files too (protocols 2 and 5:
        scan SAFE, load returns a 2**20-item fill array). Why the pass misses it: the load's
        static pass runs the sharing bound only when the stream hashes containers, and the
        end-of-walk unfold count (``_check_unfolded_result``) takes an array of bytes data as
        final when it is made (``data_arrays``), so the fill value its BUILD state adds is
        never counted. The test uses fan 16, depth 6 (2.4 KB -> a 128 MiB fill array).
rt49-08 (parity: scan SAFE, load refuses) numpy's random pickle helpers
        ``__bit_generator_ctor``, ``__generator_ctor`` and ``__randomstate_ctor`` (all
        allowlisted) called on an argument numpy's ``_pickle`` does not take: an unknown
        name (``'Bogus'``), an int, ``None`` ("... is not a known BitGenerator module"), two
        arguments (TypeError), or, for the Generator and RandomState helpers, an allowed
        class that is not a bit generator (``StandardScaler``: the helper makes one and
        ``Generator``/``RandomState`` reject it). The load fails in the C unpickler; scan
        calls the bytes SAFE. (``__bit_generator_ctor(StandardScaler)`` makes a
        StandardScaler where a bit generator belongs and loads in both: no harm found.)
        ``__bit_generator_ctor(<type>)`` runs ``<type>()`` for any allowlisted type, and
        scan's model of that call disagrees both ways: SAFE for types whose no-argument call
        raises (``numpy.ndarray``, ``numpy.dtype``, ``functools.partial``, ``slice``,
        ``range``, sklearn's ``Tree``, joblib's ``NumpyArrayWrapper``: the load fails), and
        unsafe for types it makes fine (``SeedSequence``, ``OrderedDict``,
        ``datetime.timedelta``, ``EuclideanDistance64``: the load returns the model).
        numpy 1.16's ``numpy.random.__RandomState_ctor`` takes no argument: called on any
        (``None``, ``5``, ``'zz'``) it raises TypeError in the load, and scan calls it SAFE.
rt49-09 (parity: scan SAFE, load refuses) a ``cv_results_`` masked array made by
        ``numpy.ma.core._mareconstruct(subtype, baseclass, baseshape, basetype)`` with a
        ``subtype`` other than MaskedArray (``numpy.ndarray``: "'mask' is an invalid keyword
        argument"; an estimator class) or a ``baseclass`` that is not an ndarray subclass
        (``StandardScaler``, ``numpy.dtype``: "ndarray.__new__(X): X is not a subtype"). The
        pass takes any ``_mareconstruct`` call for a masked array; the load fails in it.
rt49-10 (parity, both ways) ``copyreg._reconstructor(cls, base, state)`` (protocols 0-1's
        form, ``base.__new__(cls, state)`` then ``base.__init__(obj, state)``): scan SAFE,
        load refuses when ``cls`` is not a subtype of ``base`` (``(StandardScaler, int, 5)``,
        ``(StandardScaler, dict, {...})``: "int.__new__(StandardScaler): not a subtype";
        ``(numpy.ndarray, object, None)``: "object.__new__(numpy.ndarray) is not safe") and
        when ``dict.__init__`` fails on the state (``(Bunch, dict, [(1, 2, 3)])``); scan
        unsafe, load loads for ``(OrderedDict, dict, {'a': 1})`` and ``(OrderedDict, dict,
        [('a', 1)])``.
rt49-11 (parity: scan SAFE, load refuses) numpy's ``_reconstruct(subtype, shape, dtype)``
        (every protocol 0-4 array) with arguments numpy refuses: a third argument numpy does
        not read as a dtype (``'zz'``, ``b'bb'``, ``5``: "data type not understood"), two or
        four arguments ("takes exactly 3 arguments"), or a ``subtype`` that is not an ndarray
        subclass (``StandardScaler``: "First argument must be a sub-type of ndarray"), then
        an honest BUILD state. The pass checks the shape (``(0,)``) and the BUILD state, not
        the argument count, the class or the dtype argument.
rt49-12 (parity, both ways) allowlisted classes called by REDUCE with no arguments (found by
        a sweep of the hand-written allowlist with 11 argument tuples): scan SAFE, load
        refuses for ``sklearn._loss.link.Interval()`` (a dataclass whose fields are
        required); scan unsafe, load loads for ``numpy.random.SeedSequence()`` and every
        argument-free DistanceMetric (``EuclideanDistance64()``, ``ManhattanDistance32()``,
        ``HaversineDistance64()``, ...: 30 classes). Also ``CyHalfMultinomialLoss()`` (the class
        itself, by REDUCE) followed by a BUILD of ``5``, ``'zz'``, ``(1, 2)``, ``[1]``, ``{}``
        or ``{'zz': 1}``: Cython's ``__setstate__`` refuses it, scan calls it SAFE (rt48-03's
        fix covers the ``__pyx_unpickle_CyHalfMultinomialLoss`` form only).
rt49-13 (honest models refused, by scan and load alike) a search or CV estimator whose
        ``cv`` is an allowlisted ``RepeatedKFold`` or ``RepeatedStratifiedKFold``
        (``GridSearchCV(..., cv=RepeatedKFold(n_splits=2, n_repeats=2))``,
        ``LogisticRegressionCV(cv=RepeatedStratifiedKFold(...))``, ``RFECV(...)``), fitted
        and pickled by scikit-learn: ``_RepeatedSplits.__init__``
        keeps the splitter *class* (``self.cv = KFold``) as an attribute, and the load's
        value rule ("holds the class sklearn.model_selection._split.KFold as a value; only
        numpy scalar types and builtin number types may be kept as values") refuses it.
        Both splitter classes are on the default allowlist (``_SKLEARN_SPLITTERS``), so the
        honest file is refused for a value its allowed class always holds. (KFold,
        StratifiedKFold, ShuffleSplit, TimeSeriesSplit, StratifiedShuffleSplit,
        PredefinedSplit load.) A search given its splits as a list
        (``cv=list(KFold(2).split(X))``, the documented "iterable yielding (train, test)
        splits") keeps ``_checked_cv_orig``, a ``sklearn.model_selection._split.
        _CVIterableWrapper`` (scikit-learn 1.9), which is not on the allowlist: refused too.
"""

from __future__ import annotations

import numpy as np
import pytest

from redteam import assert_scan_predicts_load, dumps_with, parity, tree_pickle


def _tree_model():
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.RandomState(0)
    X = rng.rand(40, 3)
    y = (X[:, 0] > 0.5).astype(int)
    return DecisionTreeClassifier(random_state=0).fit(X, y)


def _nodes_as(make_dtype, protocol=4, *, by_name=False):
    """A decision tree file whose ``Tree`` node records are in ``make_dtype(honest dtype)``:
    converted with ``astype`` (by position), or field by field (``by_name``)."""

    def state(st):
        nodes = st["nodes"]
        dtype = make_dtype(nodes.dtype)
        st["nodes"] = _by_name(nodes, dtype) if by_name else nodes.astype(dtype)
        return st

    return tree_pickle(state=state, protocol=protocol)


def _mixed(nd):
    fields = [(n, ">i8" if n == "left_child" else nd.fields[n][0].str) for n in nd.names]
    return np.dtype(fields, align=True)


def _other_bitness(nd, align=True):
    fields = [(n, "<i4" if nd.fields[n][0].str == "<i8" else nd.fields[n][0].str) for n in nd.names]
    return np.dtype(fields, align=align)


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_rt49_01_mixed_endian_tree_nodes(tmp_path, protocol):
    data = _nodes_as(_mixed, protocol)
    assert_scan_predicts_load(data, tmp_path)


@pytest.mark.parametrize(
    "make",
    [
        _other_bitness,
        lambda nd: _other_bitness(nd, align=False),
        lambda nd: np.dtype([(n, nd.fields[n][0].str) for n in nd.names], align=False),
    ],
    ids=["i4-aligned", "i4-packed", "i8-packed"],
)
def test_rt49_02_other_bitness_tree_nodes(tmp_path, make):
    data = _nodes_as(make)
    assert_scan_predicts_load(data, tmp_path)


def _by_name(nodes, dtype):
    new = np.zeros(nodes.shape, dtype=dtype)
    for name in nodes.dtype.names:
        new[name] = nodes[name]
    return new


def _padded(nd):
    spec = {
        "names": list(nd.names),
        "formats": [nd.fields[n][0] for n in nd.names],
        "offsets": [nd.fields[n][1] for n in nd.names],
        "itemsize": nd.itemsize + 8,
    }
    return np.dtype(spec)


def _reordered(nd):
    fields = [(n, nd.fields[n][0].str) for n in nd.names]
    return np.dtype([fields[1], fields[0], *fields[2:]], align=True)


@pytest.mark.parametrize("make", [_padded, _reordered], ids=["padded", "reordered"])
def test_rt49_02_tree_node_layouts_by_name(tmp_path, make):
    data = _nodes_as(make, by_name=True)
    assert_scan_predicts_load(data, tmp_path)


def _moved(nd, first, second):
    fields = [(n, nd.fields[n][0].str) for n in nd.names]
    i, j = nd.names.index(first), nd.names.index(second)
    fields[i], fields[j] = fields[j], fields[i]
    return np.dtype(fields, align=True)


@pytest.mark.parametrize(
    "make",
    [
        lambda nd: _other_bitness(nd, align=False).newbyteorder(">"),
        lambda nd: _moved(nd, "feature", "n_node_samples"),
        lambda nd: _moved(nd, "left_child", "threshold"),
        lambda nd: _moved(nd, "threshold", "impurity"),
    ],
    ids=["i4-packed-big-endian", "feature-samples", "child-threshold", "threshold-impurity"],
)
@pytest.mark.parametrize("protocol", [2, 5])
def test_rt49_02_cast_by_position(tmp_path, make, protocol):
    """Tree casts records by position: a feature and a sample count swapped make feature
    indices out of range (both refuse), a float field cast into an int one raises in Tree
    (both refuse), two float fields swapped load in both."""
    data = _nodes_as(make, protocol, by_name=True)
    assert_scan_predicts_load(data, tmp_path)


@pytest.mark.parametrize(
    "pair", [("feature", "n_node_samples"), ("left_child", "right_child")], ids=str
)
@pytest.mark.parametrize("protocol", [2, 5])
def test_rt49_02_relabelled_fields_load_by_position(tmp_path, pair, protocol):
    """Honest node bytes under relabelled fields: Tree casts them by position back to the
    honest tree, so both load (a check reading the fields by name would refuse)."""
    data = _nodes_as(lambda nd: _moved(nd, *pair), protocol)
    assert_scan_predicts_load(data, tmp_path)
    assert parity(data, tmp_path)[1] == "loaded"


def _skops_with_nodes(make):
    import io
    import zipfile

    import skops.io as sio

    source = zipfile.ZipFile(io.BytesIO(sio.dumps(_tree_model())))
    out = io.BytesIO()
    changed = 0
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            member = source.read(name)
            if name.endswith(".npy"):
                array = np.load(io.BytesIO(member), allow_pickle=False)
                if array.dtype.names and "left_child" in array.dtype.names:
                    saved = io.BytesIO()
                    np.save(saved, _by_name(array, make(array.dtype)), allow_pickle=False)
                    member, changed = saved.getvalue(), changed + 1
            target.writestr(name, member)
    assert changed == 1
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "loads"),
    [
        (_mixed, False),
        (_other_bitness, True),
        (lambda nd: _other_bitness(nd, align=False), True),
        (_reordered, True),
        (lambda nd: _moved(nd, "feature", "n_node_samples"), False),
    ],
    ids=["mixed", "i4", "i4-packed", "reordered", "feature-samples"],
)
def test_rt49_02_skops_tree_nodes(tmp_path, make, loads):
    """The same node layouts as a skops file's .npy member: scan predicts skops' build."""
    import safeload

    path = tmp_path / "tree.skops"
    path.write_bytes(_skops_with_nodes(make))
    assert safeload.scan(path).safe == loads
    if loads:
        safeload.load_unsigned(path)
    else:
        with pytest.raises(safeload.SafeloadError):
            safeload.load_unsigned(path)


def _extra(value, protocol=5):
    import pickle

    from sklearn.preprocessing import StandardScaler

    model = StandardScaler().fit([[0.0], [1.0]])
    model.extra_ = value
    return pickle.dumps(model, protocol=protocol)


@pytest.mark.parametrize("dtype", ["S0", "U0", "V0"])
@pytest.mark.parametrize("shape", [(0,), (5,)])
def test_rt49_03_frombuffer_zero_itemsize(tmp_path, dtype, shape):
    from numpy._core.numeric import _frombuffer

    from redteam import Call

    data = _extra(Call(_frombuffer, bytearray(), np.dtype(dtype), shape, "C"))
    assert_scan_predicts_load(data, tmp_path)


@pytest.mark.parametrize("protocol", [2, 5])
def test_rt49_04_unicode_scalar_bad_code_point(tmp_path, protocol):
    from numpy._core.multiarray import scalar

    from redteam import Call

    data = _extra(Call(scalar, np.dtype("U1"), "\xff\xff\xff\xff"), protocol)
    assert_scan_predicts_load(data, tmp_path)


def _honest_both(value, tmp_path, protocol):
    """A StandardScaler holding ``value``, written by pickle (``protocol``) or by
    ``joblib.dump`` (``protocol`` ``"joblib"``): scan calls it SAFE and the load returns it."""

    from sklearn.preprocessing import StandardScaler

    model = StandardScaler().fit([[0.0], [1.0]])
    model.extra_ = value
    return _honest_load(model, tmp_path, protocol).extra_


def _honest_load(model, tmp_path, protocol):
    """``model`` written by pickle (``protocol``) or by ``joblib.dump`` (``"joblib"``), called
    SAFE by scan and returned by the load."""
    import pickle

    import joblib

    import safeload

    path = tmp_path / "honest.pkl"
    if protocol == "joblib":
        joblib.dump(model, path)
    else:
        path.write_bytes(pickle.dumps(model, protocol=protocol))
    report = safeload.scan(path)
    assert report.safe, report
    return safeload.load_unsigned(path)


@pytest.mark.parametrize("protocol", [0, 2, 4, 5, "joblib"])
@pytest.mark.parametrize("text", ["", "a", "\xe9t\xe9", "\U0001f600x", "\ud7ff\ue000", "abc" * 500])
def test_rt49_04_honest_str_scalars(tmp_path, protocol, text):
    value = np.str_(text)
    loaded = _honest_both(value, tmp_path, protocol)
    assert type(loaded) is np.str_ and loaded == value


@pytest.mark.parametrize("protocol", [2, 4, 5, "joblib"])
def test_rt49_03_honest_object_arrays(tmp_path, protocol):
    value = np.array(["a", None, 1.5], dtype=object)
    loaded = _honest_both(value, tmp_path, protocol)
    assert loaded.dtype == object and list(loaded) == list(value)


def _search_with_fill(fill, column, protocol=4, joblib=False):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.RandomState(0)
    X = rng.rand(40, 3)
    y = (X[:, 0] > 0.5).astype(int)
    if column == "float":
        search = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=2)
    else:
        search = GridSearchCV(DecisionTreeClassifier(), {"max_depth": [1, 2]}, cv=2)
    search.fit(X, y)

    def reduce(o):
        if type(o) is np.ma.MaskedArray:
            func, args, state = o.__reduce__()
            return func, args, (*state[:6], fill)
        return NotImplemented

    return dumps_with(search, reduce, protocol, joblib=joblib)


@pytest.mark.parametrize(
    ("column", "fill"),
    [("float", "abc"), ("float", b"x"), ("float", 1j), ("int", 1e300), ("int", 2**70)],
)
def test_rt49_05_masked_fill_value(tmp_path, column, fill):
    import pickle

    data = _search_with_fill(fill, column)
    with pytest.raises(TypeError):
        pickle.loads(data)  # numpy.ma itself refuses the state
    assert_scan_predicts_load(data, tmp_path)


@pytest.mark.parametrize(
    ("column", "fill"),
    [("float", 0.5), ("float", 7), ("float", True), ("int", 3), ("int", 2.5), ("float", None)],
)
def test_rt49_05_masked_fill_value_constants(tmp_path, column, fill):
    """Plain constants numpy.ma takes for the column's dtype load in both."""
    data = _search_with_fill(fill, column)
    assert_scan_predicts_load(data, tmp_path)


@pytest.mark.parametrize(
    "fill", [(1.0,), [1.0], {"a": 1.0}, np.array([1.0, 2.0]), np.array("x"), np.float32(1.0)]
)
def test_rt49_05_masked_fill_value_unwritten_refused_alike(tmp_path, fill):
    """Fill values numpy never writes (a tuple, a list, a dict, an array of another shape or
    dtype, a numpy scalar): both refuse them as unproven."""
    data = _search_with_fill(fill, "float")
    assert_scan_predicts_load(data, tmp_path, refused=True)


def _honest_search(kind):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.RandomState(0)
    X = rng.rand(40, 3)
    y = (X[:, 0] > 0.5).astype(int)
    if kind == "grid":
        grid = [
            {"max_depth": [1, None], "min_samples_leaf": [1, 0.1], "criterion": ["gini"]},
            {"max_depth": [3], "max_features": [None, "sqrt"], "splitter": ["random"]},
        ]
        return GridSearchCV(DecisionTreeClassifier(random_state=0), grid, cv=2).fit(X, y)
    dist = {"C": [0.1, 1.0, 10.0], "max_iter": [50, 100], "fit_intercept": [True, False]}
    search = RandomizedSearchCV(LogisticRegression(), dist, n_iter=3, cv=2, random_state=0)
    return search.fit(X, y)


@pytest.mark.parametrize("touched", [False, True], ids=["fill-none", "fill-array"])
@pytest.mark.parametrize("protocol", [2, 4, 5, "joblib"])
@pytest.mark.parametrize("kind", ["grid", "random"])
def test_rt49_05_honest_searches(tmp_path, kind, protocol, touched):
    """Honest searches load and scan SAFE, with their masked columns' fill values as numpy
    writes them: ``None``, or (once read) the 0-d array numpy keeps, of the column's dtype
    or, for an object column, of its default's (``'?'``)."""

    search = _honest_search(kind)
    masked = [v for v in search.cv_results_.values() if isinstance(v, np.ma.MaskedArray)]
    assert {v.dtype.kind for v in masked} == ({"O", "f"} if kind == "grid" else {"b", "f", "i"})
    if touched:
        for column in masked:
            column.fill_value  # noqa: B018 (numpy.ma keeps the default it makes)
    loaded = _honest_load(search, tmp_path, protocol)
    for key, column in search.cv_results_.items():
        if isinstance(column, np.ma.MaskedArray):
            assert loaded.cv_results_[key].dtype == column.dtype


def _record_object_array(items):
    from numpy._core.multiarray import _reconstruct
    from sklearn.preprocessing import StandardScaler

    dtype = np.dtype([("a", "O"), ("b", "f8")])
    model = StandardScaler().fit([[0.0], [1.0]])
    marker = model.extra_ = type("Marker", (), {})()

    def reduce(o):
        if o is marker:
            return _reconstruct, (np.ndarray, (0,), b"b"), (1, (2,), dtype, False, items)
        return NotImplemented

    return dumps_with(model, reduce, 4)


@pytest.mark.parametrize(
    "items",
    [["abc", "d"], [[1, 2], [3, 4]], [{}, {}], [(1, 2, 3), (1, 2, 3)], [("x", "abc"), ("y", 1.0)]],
    ids=["str", "list", "dict", "tuple3", "str-float"],
)
def test_rt49_06_record_object_items(tmp_path, items):
    import pickle

    data = _record_object_array(items)
    with pytest.raises(SystemError):
        pickle.loads(data)
    assert_scan_predicts_load(data, tmp_path)


_HONEST_RECORD = np.dtype(
    [
        ("a", "O"),
        ("b", "f8"),
        ("c", "i4"),
        ("d", "U3"),
        ("e", "S2"),
        ("f", "?"),
        ("g", [("h", "O"), ("i", "u1")]),
    ]
)


@pytest.mark.parametrize("protocol", [0, 2, 4, 5, "joblib"])
def test_rt49_06_honest_record_object_arrays(tmp_path, protocol):
    """What numpy writes for a record array with objects (one tuple per element, a plain
    value per field) scans SAFE and loads, in every protocol and in joblib files."""
    value = np.array(
        [
            ("x", 1.5, -3, "\xe9\U0001f600", b"\xffa", True, ({"k": 1}, 7)),
            (None, 0.0, 0, "", b"", False, ([1], 0)),
        ],
        dtype=_HONEST_RECORD,
    )
    loaded = _honest_both(value, tmp_path, protocol)
    assert loaded.dtype == value.dtype and loaded.tolist() == value.tolist()


@pytest.mark.parametrize(
    "items",
    [[1, None], [(1, 2.0), 3], [(1, np.float64(2.0)), (1, 2.0)]],
    ids=["broadcast", "mixed", "numpy-scalar"],
)
def test_rt49_06_unwritten_record_items_refused_alike(tmp_path, items):
    """Items numpy does not write for a record (values it broadcasts, a numpy scalar for a
    plain field): both refuse them as unproven, so scan predicts the load."""
    data = _record_object_array(items)
    assert_scan_predicts_load(data, tmp_path, refused=True)


def _search_with_dag_fill(fan, depth, protocol=4, joblib=False):
    t = 1.0
    for _ in range(depth):
        t = (t,) * fan  # pickle's memo keeps the sharing: a DAG of depth * fan references
    return _search_with_fill(t, "float", protocol, joblib)


_FILL_SIZE = (
    "model = pickle.load(open(sys.argv[1], 'rb'))\n"
    "print('fill', model.cv_results_['param_C'].fill_value.size, flush=True)\n"
)


def test_rt49_07_masked_fill_value_dag(tmp_path):
    from redteam import assert_refused, child

    data = _search_with_dag_fill(16, 6)
    assert len(data) < 4000
    path = tmp_path / "m.pkl"
    path.write_bytes(data)
    run = child("import pickle\n" + _FILL_SIZE, path, cpu=20, timeout=90)
    assert f"fill {16**6}" in run.output, run  # plain pickle: a 128 MiB array from 2.4 KB
    assert_refused(path)


@pytest.mark.parametrize(
    ("fan", "depth", "protocol", "joblib"),
    [(16, 6, 2, False), (16, 6, 5, False), (16, 6, 4, True), (64, 5, 5, True), (2, 24, 4, False)],
)
def test_rt49_07_fill_value_dag_forms(tmp_path, fan, depth, protocol, joblib):
    from redteam import assert_refused

    path = tmp_path / "m.pkl"
    path.write_bytes(_search_with_dag_fill(fan, depth, protocol, joblib))
    assert_refused(path)


@pytest.mark.parametrize("fill", [None, 1.5, (1.0, 2.0), np.float64(3.0)], ids=repr)
def test_rt49_07_small_fill_values_load(tmp_path, fill):
    import pickle

    data = _search_with_fill(fill, "float")
    pickle.loads(data)
    assert_scan_predicts_load(data, tmp_path)


class _Reduce:
    def __init__(self, *reduced):
        self.reduced = reduced

    def __reduce__(self):
        return self.reduced


def _random_ctor_cases():
    from numpy.random import _pickle
    from sklearn.preprocessing import StandardScaler

    cases = []
    for name in ("__bit_generator_ctor", "__generator_ctor", "__randomstate_ctor"):
        func = getattr(_pickle, name)
        for arg in ("Bogus", 5, None):
            cases.append(pytest.param(func, (arg,), id=f"{name}({arg!r})"))
    import numpy.random

    legacy = numpy.random.__dict__["__RandomState_ctor"]
    for arg in (None, 5, "zz"):
        cases.append(pytest.param(legacy, (arg,), id=f"__RandomState_ctor({arg!r})"))
    bitgen = _pickle.__dict__["__bit_generator_ctor"]
    cases.append(pytest.param(bitgen, ("PCG64", "PCG64"), id="__bit_generator_ctor(2 args)"))
    for name in ("__generator_ctor", "__randomstate_ctor"):
        func = getattr(_pickle, name)
        cases.append(pytest.param(func, (StandardScaler,), id=f"{name}(StandardScaler)"))
    return cases


@pytest.mark.parametrize(("func", "args"), _random_ctor_cases())
def test_rt49_08_random_ctor_arguments(tmp_path, func, args):
    import pickle

    data = _extra(_Reduce(func, args), 4)
    with pytest.raises((ValueError, TypeError, AttributeError)):
        pickle.loads(data)
    assert_scan_predicts_load(data, tmp_path)


def _honest_random_cases():
    import numpy.random
    from numpy.random import _pickle

    bitgen = _pickle.__dict__["__bit_generator_ctor"]
    gen, rs = _pickle.__generator_ctor, _pickle.__randomstate_ctor
    pcg = np.random.PCG64(1).state
    mt = np.random.RandomState(1).get_state(legacy=False)
    legacy = numpy.random.__dict__["__RandomState_ctor"]
    return [
        pytest.param(bitgen, ("PCG64",), pcg, id="bitgen-name"),
        pytest.param(bitgen, (np.random.PCG64,), pcg, id="bitgen-class"),
        pytest.param(gen, ("PCG64",), pcg, id="generator-name"),
        pytest.param(gen, ("PCG64", bitgen), pcg, id="generator-name-ctor"),
        pytest.param(rs, ("MT19937",), mt, id="randomstate-name"),
        pytest.param(rs, ("MT19937", bitgen), mt, id="randomstate-name-ctor"),
        pytest.param(legacy, (), np.random.RandomState(1).get_state(), id="numpy-1.16"),
    ]


@pytest.mark.parametrize(("func", "args", "state"), _honest_random_cases())
def test_rt49_08_honest_random_forms(tmp_path, func, args, state):
    """What numpy 1.x wrote (names, the helper as a second argument, numpy 1.16's
    ``__RandomState_ctor()``) still scans SAFE and loads; numpy 2's own pickles too."""
    import pickle

    from redteam import load_honest, parity

    for protocol in (2, 4, 5):
        data = _extra(_Reduce(func, args, state), protocol)
        pickle.loads(data)
        assert parity(data, tmp_path) == (True, "loaded")
    for made in (np.random.RandomState(2), np.random.default_rng(2), np.random.SFC64(2)):
        load_honest(made, tmp_path)


def _bit_generator_type_cases():
    import collections
    import datetime
    import functools

    from joblib.numpy_pickle import NumpyArrayWrapper
    from numpy.random import SeedSequence
    from sklearn.metrics._dist_metrics import EuclideanDistance64
    from sklearn.tree._tree import Tree

    fails = [np.ndarray, np.dtype, functools.partial, slice, range, Tree, NumpyArrayWrapper]
    works = [SeedSequence, collections.OrderedDict, datetime.timedelta, EuclideanDistance64]
    return [pytest.param(t, True, id=f"{t.__name__}-load-fails") for t in fails] + [
        pytest.param(t, False, id=f"{t.__name__}-loads") for t in works
    ]


@pytest.mark.parametrize(("made", "load_fails"), _bit_generator_type_cases())
def test_rt49_08_bit_generator_ctor_types(tmp_path, made, load_fails):
    import pickle

    from numpy.random import _pickle

    data = _extra(_Reduce(_pickle.__dict__["__bit_generator_ctor"], (made,)), 4)
    if load_fails:
        with pytest.raises(TypeError):
            pickle.loads(data)
    else:
        pickle.loads(data)
    assert_scan_predicts_load(data, tmp_path)


def _search_with_mareconstruct_args(subtype, baseclass):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    rng = np.random.RandomState(0)
    X = rng.rand(40, 3)
    search = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=2)
    search.fit(X, (X[:, 0] > 0.5).astype(int))

    def reduce(o):
        if type(o) is np.ma.MaskedArray:
            func, args, state = o.__reduce__()
            return func, (subtype, baseclass, *args[2:]), state
        return NotImplemented

    return dumps_with(search, reduce, 4)


def _mareconstruct_cases():
    from sklearn.preprocessing import StandardScaler

    return [
        pytest.param(np.ndarray, np.ndarray, id="subtype-ndarray"),
        pytest.param(StandardScaler, np.ndarray, id="subtype-estimator"),
        pytest.param(np.ma.MaskedArray, StandardScaler, id="baseclass-estimator"),
        pytest.param(np.ma.MaskedArray, np.dtype, id="baseclass-dtype"),
    ]


@pytest.mark.parametrize(("subtype", "baseclass"), _mareconstruct_cases())
def test_rt49_09_mareconstruct_classes(tmp_path, subtype, baseclass):
    import pickle

    data = _search_with_mareconstruct_args(subtype, baseclass)
    with pytest.raises((TypeError, AttributeError)):
        pickle.loads(data)
    assert_scan_predicts_load(data, tmp_path)


def _reconstructor_cases():
    import collections

    from sklearn.preprocessing import StandardScaler
    from sklearn.utils._bunch import Bunch

    return [
        pytest.param((StandardScaler, int, 5), True, id="estimator-int"),
        pytest.param((StandardScaler, dict, {"a": 1}), True, id="estimator-dict"),
        pytest.param((np.ndarray, object, None), True, id="ndarray-object"),
        pytest.param((Bunch, dict, [(1, 2, 3)]), True, id="bunch-bad-items"),
        pytest.param((collections.OrderedDict, dict, {"a": 1}), False, id="ordereddict-dict"),
        pytest.param((collections.OrderedDict, dict, [("a", 1)]), False, id="ordereddict-list"),
    ]


@pytest.mark.parametrize(("args", "load_fails"), _reconstructor_cases())
def test_rt49_10_reconstructor_subtypes(tmp_path, args, load_fails):
    import copyreg
    import pickle

    data = _extra(_Reduce(copyreg._reconstructor, args), 2)
    if load_fails:
        with pytest.raises((TypeError, ValueError)):
            pickle.loads(data)
    else:
        pickle.loads(data)
    assert_scan_predicts_load(data, tmp_path)


@pytest.mark.parametrize("protocol", [0, 1, 2])
def test_rt49_10_honest_reconstructor_forms(tmp_path, protocol):
    """What copyreg writes at protocols 0-1 (an estimator on ``object``, a Bunch on ``dict``, a
    namedtuple on ``tuple``) still scans SAFE and loads; protocol 2 for comparison. (The Bunch
    is a voting ensemble's ``named_estimators_``, the one place a Bunch is admitted.)"""
    import pickle

    from sklearn.ensemble import VotingClassifier
    from sklearn.linear_model import LogisticRegression

    from redteam import parity

    rng = np.random.RandomState(0)
    X = rng.rand(20, 2)
    model = VotingClassifier([("a", LogisticRegression())])
    model.fit(X, (X[:, 0] > 0.5).astype(int))
    data = pickle.dumps(model, protocol=protocol)
    assert b"Bunch" in data
    if protocol < 2:
        assert b"_reconstructor" in data
    assert parity(data, tmp_path) == (True, "loaded")


@pytest.mark.parametrize("protocol", [0, 1, 2, 3, 4, 5])
def test_rt49_11_honest_arrays(tmp_path, protocol):
    """numpy's own ``_reconstruct(ndarray, (0,), b'b')`` (bytes by ``_codecs.encode`` at
    protocols 0-2), with number and object data, still scans SAFE and loads."""
    import pickle

    from sklearn.preprocessing import StandardScaler

    from redteam import parity

    model = StandardScaler().fit([[0.0], [1.0]])
    # (an attribute outside the fitted names: a fitted list of arrays is refused since red
    # team 70, widths.LIST_ATTRIBUTES; this test is about the arrays' reconstruction)
    model.extra = [np.arange(4.0), np.array(["a", None], dtype=object)]
    data = pickle.dumps(model, protocol=protocol)
    assert parity(data, tmp_path) == (True, "loaded")


def _reconstruct_cases():
    from sklearn.preprocessing import StandardScaler

    return [
        pytest.param((np.ndarray, (0,), "zz"), id="dtype-zz"),
        pytest.param((np.ndarray, (0,), b"bb"), id="dtype-bb"),
        pytest.param((np.ndarray, (0,), 5), id="dtype-int"),
        pytest.param((np.ndarray, (0,)), id="two-args"),
        pytest.param((np.ndarray, (0,), b"b", 1), id="four-args"),
        pytest.param((StandardScaler, (0,), b"b"), id="subtype-estimator"),
    ]


@pytest.mark.parametrize("args", _reconstruct_cases())
def test_rt49_11_reconstruct_arguments(tmp_path, args):
    import pickle

    from numpy._core.multiarray import _reconstruct

    state = (1, (2,), np.dtype("f8"), False, b"\x00" * 16)
    data = _extra(_Reduce(_reconstruct, args, state), 4)
    with pytest.raises(TypeError):
        pickle.loads(data)
    assert_scan_predicts_load(data, tmp_path)


def test_rt49_03_frombuffer_object_dtype(tmp_path):
    from numpy._core.numeric import _frombuffer

    from redteam import Call

    data = _extra(Call(_frombuffer, bytearray(16), np.dtype("O"), (2,), "C"))
    assert_scan_predicts_load(data, tmp_path)


def _no_argument_cases():
    from numpy.random import SeedSequence
    from sklearn._loss.link import Interval
    from sklearn.metrics._dist_metrics import (
        EuclideanDistance64,
        HaversineDistance64,
        ManhattanDistance32,
    )

    return [
        pytest.param(Interval, True, id="Interval-load-fails"),
        pytest.param(SeedSequence, False, id="SeedSequence-loads"),
        pytest.param(EuclideanDistance64, False, id="EuclideanDistance64-loads"),
        pytest.param(ManhattanDistance32, False, id="ManhattanDistance32-loads"),
        pytest.param(HaversineDistance64, False, id="HaversineDistance64-loads"),
    ]


@pytest.mark.parametrize(("cls", "load_fails"), _no_argument_cases())
def test_rt49_12_no_argument_calls(tmp_path, cls, load_fails):
    import pickle

    data = _extra(_Reduce(cls, ()), 4)
    if load_fails:
        with pytest.raises(TypeError):
            pickle.loads(data)
    else:
        pickle.loads(data)
    assert_scan_predicts_load(data, tmp_path)


@pytest.mark.parametrize("state", [5, "zz", (1, 2), [1], {}, {"zz": 1}], ids=repr)
def test_rt49_12_cy_loss_build_state(tmp_path, state):
    import pickle

    from sklearn._loss._loss import CyHalfMultinomialLoss

    data = _extra(_Reduce(CyHalfMultinomialLoss, (), state), 4)
    with pytest.raises(Exception):  # noqa: B017 (Cython's TypeError/ValueError)
        pickle.loads(data)
    assert_scan_predicts_load(data, tmp_path)


def _honest_loss_models():
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.linear_model import SGDClassifier, SGDRegressor
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.RandomState(0)
    X = rng.rand(60, 3)
    y3 = (X[:, 0] * 3).astype(int)
    return [
        HistGradientBoostingClassifier(max_iter=3).fit(X, y3),  # CyHalfMultinomialLoss
        HistGradientBoostingClassifier(max_iter=3).fit(X, y3 > 0),  # CyHalfBinomialLoss()
        HistGradientBoostingRegressor(max_iter=3, loss="absolute_error").fit(X, X[:, 0]),
        HistGradientBoostingRegressor(max_iter=3, loss="poisson").fit(X, X[:, 0] + 1),
        SGDClassifier(loss="modified_huber", max_iter=5, tol=None).fit(X, y3 > 0),
        SGDRegressor(max_iter=5, tol=None).fit(X, X[:, 0]),
        KNeighborsClassifier(algorithm="ball_tree").fit(X, y3),  # newObj(EuclideanDistance64)
    ]


@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
def test_rt49_12_honest_bare_calls(tmp_path, protocol):
    """What scikit-learn writes for its Cython losses (``CyHalfBinomialLoss()``,
    ``ModifiedHuber()``, ``__pyx_unpickle_CyHalfMultinomialLoss``) and distance metrics
    (``newObj``) still scans SAFE and loads."""
    import pickle

    from redteam import parity

    for model in _honest_loss_models():
        data = pickle.dumps(model, protocol=protocol)
        assert parity(data, tmp_path) == (True, "loaded"), type(model).__name__


@pytest.mark.parametrize("kind", ["grid-kfold", "grid-stratified", "logistic-cv", "grid-list"])
def test_rt49_13_repeated_kfold_honest(tmp_path, kind):
    from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
    from sklearn.model_selection import (
        GridSearchCV,
        RepeatedKFold,
        RepeatedStratifiedKFold,
    )

    from redteam import load_honest

    rng = np.random.RandomState(0)
    X = rng.rand(40, 3)
    y = (X[:, 0] > 0.5).astype(int)
    if kind == "grid-kfold":
        cv = RepeatedKFold(n_splits=2, n_repeats=2, random_state=0)
        model = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=cv).fit(X, y)
    elif kind == "grid-stratified":
        cv = RepeatedStratifiedKFold(n_splits=2, n_repeats=2, random_state=0)
        model = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=cv).fit(X, y)
    elif kind == "logistic-cv":
        cv = RepeatedStratifiedKFold(n_splits=2, n_repeats=2, random_state=0)
        model = LogisticRegressionCV(cv=cv).fit(X, y)
    else:
        from sklearn.model_selection import KFold

        splits = list(KFold(2).split(X))
        model = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=splits).fit(X, y)
    loaded = load_honest(model, tmp_path)
    assert (loaded.predict(X) == model.predict(X)).all()
