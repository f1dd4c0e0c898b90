"""Findings of the twenty-fourth red-team round (rt24-01 to rt24-19), one test or more each.

Each test first shows the harm under plain pickle or joblib (in a child process, via
``tests/harm.py``), or what every loader does with the file, then that ``load_unsigned``
refuses it and that ``scan`` calls it unsafe with the shipped facts and with the imported
classes. For the false positives of the previous round's fixes (rt24-10, rt24-11) the honest
file loads and scans safe. Two findings stay open and are marked ``xfail(strict=True)``: an
array where a parameter constraint forbids one (rt24-09; the load refuses it, the walk does
not build arrays for constraints) and hash flooding (rt24-16).
"""

from __future__ import annotations

import collections
import datetime
import decimal
import io
import pickle
import struct
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safeload
import zygote
from harm import plain
from redteam import (
    NUMPY_ARRAY_WRAPPER,
    UINT8_DTYPE,
    binunicode,
    global_,
    refused,
    verdicts,
    write,
)
from safeload.trust import facts

X = np.arange(12.0).reshape(6, 2)
Y = [0, 1, 0, 1, 0, 1]


# --- joblib placeholders the pass does not read as joblib does (rt24-01/02/03) ---------------


def _wrapper_state(shape: int, extra: bytes = b"", subclass: bool = True) -> bytes:
    """A literal NumpyArrayWrapper state: a uint8 array of ``shape`` items (joblib >= 1.x
    with numpy 2 never reads ``subclass``; the pass insists on it for a wrapper it sees)."""
    sub = binunicode("subclass") + global_("numpy", "ndarray") if subclass else b""
    return (
        b"}(X\x05\x00\x00\x00shapeK" + bytes([shape]) + b"\x85X\x05\x00\x00\x00orderX\x01\x00"
        b"\x00\x00C" + UINT8_DTYPE + b"X\n\x00\x00\x00allow_mmap\x89" + sub + extra + b"u"
    )


def _hidden_call(marker: Path) -> bytes:
    cmd = f"touch {marker}".encode()
    return b"cposix\nsystem\nX" + struct.pack("<I", len(cmd)) + cmd + b"\x85R"


def _joblib_harm(tmp_path: Path, data: bytes, monkeypatch: pytest.MonkeyPatch) -> Path:
    """joblib.load runs the hidden call; returns the file."""
    marker = tmp_path / "marker"
    path = write(tmp_path, data, "m.joblib")
    plain(path, "", loader="joblib", loads=None)
    assert marker.exists(), "joblib.load ran posix.system"
    marker.unlink()
    return path


def _rt24_01(marker: Path, module: str) -> bytes:
    """``newObj(NumpyArrayWrapper)`` + BUILD: joblib reads 5 array bytes (``B`` + length),
    then runs ``posix.system``; the pass sees an object of class ``newObj`` and reads a
    BINBYTES that swallows the call."""
    hidden = _hidden_call(marker)
    head = global_(module, "newObj") + NUMPY_ARRAY_WRAPPER + b"\x85R"
    return (
        b"\x80\x03"
        + head
        + _wrapper_state(5, subclass=False)
        + b"bB"
        + struct.pack("<I", len(hidden))
        + hidden
        + b"0."
    )


@pytest.mark.parametrize(
    "module",
    ["sklearn.neighbors._kd_tree", "sklearn.neighbors._ball_tree", "sklearn.metrics._dist_metrics"],
)
def test_rt24_01_joblib_placeholder_made_by_newobj(
    module: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _rt24_01(tmp_path / "marker", module)
    path = _joblib_harm(tmp_path, data, monkeypatch)
    assert not safeload.scan(path).safe  # sniffed as joblib
    assert verdicts(data, monkeypatch, "joblib") == {"unsafe"}


def _rt24_02(marker: Path) -> bytes:
    """Two BUILDs on one NumpyArrayWrapper (the second on the memoized wrapper): joblib reads
    the second array with the wrapper's merged ``__dict__``, where the first state's
    ``numpy_array_alignment_bytes`` still stands, so it reads a padding byte (5) and skips 5
    bytes; the pass reads the second array with the second state alone (no padding)."""
    hidden = _hidden_call(marker)
    head = b"\x80\x03" + NUMPY_ARRAY_WRAPPER + b")\x81q\x00"
    align = binunicode("numpy_array_alignment_bytes") + b"K\x10"
    first = _wrapper_state(1, align) + b"b" + b"\x00" + b"\x07"  # pad 0, one data byte
    second = b"0h\x00" + _wrapper_state(1) + b"b"
    body = b"\x00" + hidden + b"0."
    return head + first + second + b"\x05B" + struct.pack("<I", len(body)) + body + b"0."


def test_rt24_02_joblib_placeholder_built_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _rt24_02(tmp_path / "marker")
    path = _joblib_harm(tmp_path, data, monkeypatch)
    assert not safeload.scan(path).safe
    assert verdicts(data, monkeypatch, "joblib") == {"unsafe"}


def _rt24_03(marker: Path, form: str) -> bytes:
    """``NumpyArrayWrapper(*builtins.tuple((0, (1,), 'C', 0)))`` + BUILD: ``__init__`` sets
    ``numpy_array_alignment_bytes=16`` (its default), which the BUILD state does not mention;
    joblib reads a padding byte, the pass does not. A literal argument tuple is refused
    (arg_calls, rt23-06's fix); one made by a call is not looked at. ``form="list"``: a LIST
    as REDUCE's argument, which joblib's pure-Python unpickler accepts (``func(*args)``) and
    the C unpickler would refuse."""
    hidden = _hidden_call(marker)
    if form == "tuple-call":
        inner = b"(K\x00K\x01\x85" + binunicode("C") + b"K\x00t"
        args = global_("builtins", "tuple") + inner + b"\x85R"
    else:
        args = b"(K\x00K\x01\x85" + binunicode("C") + b"K\x00l"
    head = b"\x80\x03" + NUMPY_ARRAY_WRAPPER + args + b"R"
    body = b"\x00" + hidden + b"0."
    return head + _wrapper_state(1) + b"b\x05B" + struct.pack("<I", len(body)) + body + b"0."


@pytest.mark.parametrize("form", ["tuple-call", "list"])
def test_rt24_03_joblib_placeholder_made_by_a_call_with_computed_arguments(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _rt24_03(tmp_path / "marker", form)
    path = _joblib_harm(tmp_path, data, monkeypatch)
    assert not safeload.scan(path).safe
    assert verdicts(data, monkeypatch, "joblib") == {"unsafe"}


# --- rt24-04: estimators made by newObj hide their class from the use-time rules -------------


def _newobjify(data: bytes, protocol: int = 4) -> bytes:
    """Re-pickle with every scikit-learn estimator written as ``newObj(cls)`` + BUILD (the
    form scikit-learn's own KDTree pickles use): the C unpickler makes the same objects."""
    from sklearn.base import BaseEstimator
    from sklearn.neighbors._kd_tree import newObj

    obj = pickle.loads(data)

    class P(pickle.Pickler):
        def reducer_override(self, o: Any) -> Any:
            if isinstance(o, BaseEstimator):
                return (newObj, (type(o),), dict(vars(o)))
            return NotImplemented

    buf = io.BytesIO()
    P(buf, protocol=protocol).dump(obj)
    return buf.getvalue()


def test_rt24_04_estimators_made_by_newobj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from safeload._usetime_attacks import fixed_threshold_memory

    marker = tmp_path / "cache"
    data = _newobjify(fixed_threshold_memory(str(marker)))
    child = plain(write(tmp_path, data), "model.predict(np.zeros((2, 3)))", catch=True)
    assert marker.exists(), child  # predict -> estimator_.fit(X) -> Pipeline(memory=...)
    refused(tmp_path, data, "response_method|newObj on")
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt24-05: a string longer than 1024 characters escapes every literal check ---------------


def test_rt24_05_long_template_escapes_the_template_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import StandardScaler

    ct = ColumnTransformer([("s", StandardScaler(), [0, 1])]).fit(np.zeros((4, 3)))
    ct.verbose_feature_names_out = "{feature_name:>50000000}" + " " * 1010
    data = pickle.dumps(ct, protocol=4)
    child = plain(write(tmp_path, data), "print('length', len(model.get_feature_names_out()[0]))")
    assert "length 50001010" in child.output  # the file sizes every name (1.5e9 works too)
    refused(tmp_path, data, "format specs")
    assert verdicts(data, monkeypatch) == {"unsafe"}


def test_rt24_05_long_parameter_escapes_the_constraints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression().fit(X, Y)
    model.solver = "lbfgs" + " " * 1100
    data = pickle.dumps(model, protocol=4)
    refused(tmp_path, data, "solver")
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt24-06: numpy's random-state helpers call their second argument -----------------------


@pytest.mark.parametrize("helper", ["__generator_ctor", "__randomstate_ctor"])
def test_rt24_06_random_ctor_calls_its_second_argument(
    helper: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``__generator_ctor(N, builtins.bytearray)`` is ``Generator(bytearray(N))``: an 80-byte
    file allocates N zero bytes (here 2 GiB, under a 1 GiB address-space cap) before numpy
    refuses the result. No check of the walk sees the inner call."""
    n = 2**31
    data = (
        b"\x80\x02"
        + global_("numpy.random._pickle", helper)
        + b"L"
        + str(n).encode()
        + b"L\n"
        + global_("builtins", "bytearray")
        + b"\x86R."
    )
    child = plain(write(tmp_path, data), loads=False, memory=2**30)
    assert "MemoryError" in child.output, child
    refused(tmp_path, data, "bytearray|other than numpy's __bit_generator_ctor")
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt24-07: a REDUCE whose argument tuple is made by a call -------------------------------


def test_rt24_07_constructor_arguments_made_by_a_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``FunctionTransformer(*builtins.tuple((builtins.float,)))``: ``arg_calls`` records
    only a literal argument tuple."""
    data = (
        b"\x80\x02"
        + global_("sklearn.preprocessing._function_transformer", "FunctionTransformer")
        + global_("builtins", "tuple")
        + global_("builtins", "float")
        + b"\x85\x85RR."
    )
    assert pickle.loads(data).func is float
    refused(tmp_path, data, "callable allowlist|arguments made by a call")
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt24-08: a namedtuple made by copyreg._reconstructor ------------------------------------


def test_rt24_08_namedtuple_fields_through_reconstructor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``_reconstructor(_ImputerTriplet, tuple, (0, (), 'predict'))``, the form protocols 0-1
    write for a namedtuple: the fields check (``_fields_problem``) runs on direct calls only."""
    data = (
        global_("copyreg", "_reconstructor")
        + b"("
        + global_("sklearn.impute._iterative", "_ImputerTriplet")
        + global_("builtins", "tuple")
        + b"(K\x00)"
        + binunicode("predict")
        + b"ttR."
    )
    assert pickle.loads(data).estimator == "predict"
    refused(tmp_path, data, "estimator")
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt24-09: constrained parameter values _param_value cannot build are skipped -------------


#: An array in a constrained parameter: the walk does not build it, but scikit-learn's
#: constraints judge an ndarray by its type alone, so scan judges a stand-in (rt35-02).
@pytest.mark.parametrize(
    "value",
    [
        ([1.0],),
        [[1.0]],
        [np.float64(1.0)],
        (np.float64(1.0),),
        np.array(1.0),  # (an array in a constrained parameter: scan judges it too, rt35-02)
        np.array([1.0]),
        range(1, 2),
        {"a": [1]},
        collections.OrderedDict(a=1),
        datetime.timedelta(1),
        decimal.Decimal("1.5"),
        bytearray(b"x"),
        np.dtype("f8"),
        float,
        frozenset([np.float64(1.0)]),
    ],
    ids=[
        "tuple-of-list",
        "list-of-list",
        "list-of-npfloat",
        "tuple-of-npfloat",
        "0d-array",
        "1d-array",
        "range",
        "dict-of-list",
        "ordereddict",
        "timedelta",
        "decimal",
        "bytearray",
        "dtype",
        "type",
        "frozenset-of-npfloat",
    ],
)
def test_rt24_09_parameter_values_the_walk_cannot_build(
    value: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression().fit(X, Y)
    model.C = value
    data = pickle.dumps(model, protocol=4)
    refused(tmp_path, data, "C")
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt24-10: honest models refused by the new arg_calls rule (false positives) ------------


def test_rt24_10_hgb_with_categorical_features_scans_safe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HistGradientBoosting with categorical features keeps ``partial(check_array, ...)``;
    ``functools.partial.__reduce__`` is ``(partial, (func,), state)``, a REDUCE with
    arguments on a class with ``__dict__``. Safe before e3c017f."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.RandomState(0)
    x = np.c_[rng.rand(40, 2), rng.randint(0, 3, 40)]
    model = HistGradientBoostingClassifier(max_iter=3, categorical_features=[2])
    model.fit(x, [0, 1] * 20)
    for protocol in (0, 2, 5):
        data = pickle.dumps(model, protocol=protocol)
        safeload.load_unsigned(write(tmp_path, data))  # loads
        assert verdicts(data, monkeypatch) == {"safe"}, protocol


def test_rt24_10_counter_scans_safe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``Counter.__reduce__`` is ``(Counter, (dict(self),))``; the allowlist admits Counter
    built from a plain dict. Safe before e3c017f."""
    data = pickle.dumps({"counts": collections.Counter({"a": 1, "b": 2})}, protocol=4)
    assert safeload.load_unsigned(write(tmp_path, data))["counts"]["b"] == 2
    assert verdicts(data, monkeypatch) == {"safe"}


@pytest.mark.parametrize("columns", ["str-names", "int-names"])
def test_rt24_10_pandas_dataframe_scans_safe(
    columns: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every DataFrame under the pandas profile scans UNSAFE: pandas 3 keeps str labels
    (column names too) as ``StringDtype``, whose ``__reduce__`` is ``(StringDtype, ('python',
    NA))``, and a frame with int labels is "unproven: BlockManager made by calling it with
    arguments". Safe before e3c017f."""
    import pandas as pd

    if columns == "str-names":
        frame = pd.DataFrame({"a": [1.0, 2.0]})
    else:
        frame = pd.DataFrame(np.zeros((2, 2)))
    data = pickle.dumps({"df": frame}, protocol=4)
    path = write(tmp_path, data)
    safeload.load_unsigned(path, profiles=["pandas"])
    assert safeload.scan(data, profiles=["pandas"]).verdict == "safe"
    with monkeypatch.context() as m:
        m.setattr(facts, "data_available", lambda: False)
        assert safeload.scan(data, profiles=["pandas"]).verdict == "safe"


# --- rt24-11: an empty numpy string parameter (false positive) -------------------------------


@pytest.mark.parametrize("protocol", [2, 4])
def test_rt24_11_empty_numpy_string_parameter_scans_safe(
    protocol: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``np.str_('')`` is ``scalar(dtype('<U0'), b'')``: ``_scalar_value`` raises
    ``itemsize cannot be zero`` (protocol 4: "use-time analysis failed"), and at protocol 2
    the empty payload is ``builtins.bytes()``, which ``_is_bytes`` does not accept."""
    from sklearn.impute import SimpleImputer

    model = SimpleImputer(strategy="constant", fill_value=np.str_(""), missing_values="")
    model.fit(np.array([["a", ""], ["b", "c"]], dtype=object))
    data = pickle.dumps(model, protocol=protocol)
    safeload.load_unsigned(write(tmp_path, data))
    assert verdicts(data, monkeypatch) == {"safe"}


@pytest.mark.parametrize("protocol", [2, 4])
def test_rt24_11_long_numpy_string_parameter_scans_safe(
    protocol: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``np.str_('x' * 300)`` is ``scalar(dtype('<U300'), <1200 bytes>)``: a payload over
    1024 bytes is a ``_Big``, which ``_is_bytes`` rejects, so the parameter is "unproven"
    (new with e3c017f's ``_is_value_call`` rule; a plain str of 1100 chars scans safe)."""
    from sklearn.impute import SimpleImputer

    model = SimpleImputer(strategy="constant", fill_value=np.str_("x" * 300), missing_values="")
    model.fit(np.array([["a", ""], ["b", "c"]], dtype=object))
    data = pickle.dumps(model, protocol=protocol)
    safeload.load_unsigned(write(tmp_path, data))
    assert verdicts(data, monkeypatch) == {"safe"}


# --- rt24-12: a (state, slot state) pair for a subclass's __setstate__ ----------------------


def test_rt24_12_tuple_state_for_isotonic_regression(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """IsotonicRegression's own ``__setstate__`` calls BaseEstimator's, which pops from a
    dict: rt23-04's rule looks only for the owner ``sklearn.base.BaseEstimator``."""
    from sklearn.isotonic import IsotonicRegression

    data = pickle.dumps(IsotonicRegression().fit([1.0, 2.0, 3.0], [1.0, 3.0, 2.0]), protocol=2)
    data = data[: data.rindex(b"b.")] + b"N\x86b."
    child = plain(write(tmp_path, data), loads=False)
    assert "pop" in child.output
    refused(tmp_path, data, "pop")
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt24-13: copyreg._reconstructor(dict, dict, <not pairs>) --------------------------------


def test_rt24_13_reconstructor_dict_base_from_range(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = (
        b"\x80\x02"
        + global_("copyreg", "_reconstructor")
        + global_("builtins", "dict")
        + global_("builtins", "dict")
        + global_("builtins", "range")
        + b"K\x05\x85R\x87R."
    )
    with pytest.raises(TypeError):
        pickle.loads(data)
    refused(tmp_path, data, "sequence|on a value made by a call")
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt24-14: a range is plain data (scan and load accept it), sized by the file -----------


def test_rt24_14_range_keyword_argument_costs_memory_at_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``FunctionTransformer(np.log1p, kw_args={'where': range(10**7)})``: a 150-byte file;
    ``transform`` converts the range element by element (10**9 would take minutes and tens of
    GB). Both load and scan accept it: the plain-data rule admits ``range`` of any length."""
    from sklearn.preprocessing import FunctionTransformer

    ft = FunctionTransformer(np.log1p, kw_args={"where": range(10**7)}).fit(np.zeros((2, 3)))
    data = pickle.dumps(ft, protocol=4)
    assert len(data) < 1000
    child = plain(
        write(tmp_path, data),
        "try:\n    model.transform(np.zeros((2, 3)))\nexcept ValueError:\n    pass\n"
        # VmHWM, the child's own peak (ru_maxrss would keep the pytest worker's across exec)
        "hwm = [x for x in open('/proc/self/status') if x.startswith('VmHWM:')][0]\n"
        "print('rss', int(hwm.split()[1]) // 1024)",
    )
    rss = int(child.stdout.split("rss ")[1].split()[0])
    assert rss > 300, child  # MB, for a file under 1 KB
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt24-15: punycode, through the allowed _codecs.encode and str, is quadratic ------------


@pytest.mark.parametrize("form", ["codecs-encode", "str-decode", "mt19937-seed", "pcg64-seed"])
def test_rt24_15_allowed_calls_with_superlinear_cost_are_refused(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``_codecs.encode(text, 'punycode')`` and ``str(raw, 'punycode')`` take time quadratic
    in the text (7 KB: seconds; 220 KB: about 20 minutes, in plain pickle and, before this
    fix, in load and in scan's own shadows); ``MT19937(n)``/``PCG64(n)`` seed through
    ``SeedSequence(n)``, quadratic in the size of ``n`` (1 MB: about 10 minutes). Pickle
    writes none of these forms: protocol 2 encodes bytes to latin-1 only, and numpy pickles
    bit generators by name and state. The files here are small enough to load quickly under
    plain pickle, which shows they are accepted there; safeload refuses each form."""
    if form.endswith("-seed"):
        module, name = {
            "mt19937-seed": ("numpy.random._mt19937", "MT19937"),
            "pcg64-seed": ("numpy.random._pcg64", "PCG64"),
        }[form]
        raw = ((1 << 8000) - 1).to_bytes(1001, "little", signed=True)
        data = b"\x80\x02" + global_(module, name) + b"\x8b" + struct.pack("<i", len(raw)) + raw
        data += b"\x85R."
    elif form == "codecs-encode":
        text = "".join(chr(0x100 + i) for i in range(50))
        data = (
            b"\x80\x03"
            + global_("_codecs", "encode")
            + binunicode(text)
            + binunicode("punycode")
            + b"\x86R."
        )
    else:
        raw = b"-" + b"a" * 100
        call = (
            global_("builtins", "str")
            + b"B"
            + struct.pack("<I", len(raw))
            + raw
            + binunicode("punycode")
        )
        data = b"\x80\x03" + call + b"\x86R."
    child = plain(write(tmp_path, data), "print('type', type(model).__name__)")
    assert "type " in child.output  # the plain loader accepts the form
    refused(tmp_path, data, "codec|encoding|bit generators|a call of builtins.str")
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt24-16: dict keys that all share one hash (hash flooding) -----------------------------


def test_rt24_16_colliding_int_keys_are_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every ``k * (2**61 - 1)`` hashes to 0: a dict of such int keys takes time quadratic in
    their number to build (15,000 keys, 210 KB: seconds; 40,000: 25 s) in pickle.load and in
    load_unsigned. (A known gap until rt105-08's fix: scan and load now refuse more than 32
    distinct keys of one hash in a dict or set.)"""
    m = (1 << 61) - 1
    body = b"}("
    for k in range(1, 2_001):
        v = k * m
        raw = v.to_bytes((v.bit_length() + 8) // 8, "little", signed=True)
        body += b"\x8a" + bytes([len(raw)]) + raw + b"K\x00"
    data = b"\x80\x02" + body + b"u."
    child = plain(write(tmp_path, data), "print('keys', len(model))")
    assert "keys 2000" in child.output
    assert {hash(k * m) for k in range(1, 2_001)} == {0}  # every key collides
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt24-17: a keyword named by a numpy string escapes the out= rule ------------------------


def test_rt24_17_numpy_string_out_keyword(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``FunctionTransformer(np.log1p, kw_args={np.str_('out'): knn._fit_X})`` in a Pipeline:
    the static ``out=`` rule reads only the literal string keys of a ``_Dict`` (a numpy string
    key makes it "lossy" and lands in ``others``), and the plain-data rule reads only values.
    ``**kw_args`` accepts a str subclass as a keyword: predict overwrites the KNN's data."""
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    a = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    knn = KNeighborsClassifier(n_neighbors=1, algorithm="brute").fit(a, [0, 1])
    ft = FunctionTransformer(np.log1p).fit(a)
    ft.kw_args = {np.str_("out"): knn._fit_X}
    data = pickle.dumps(Pipeline([("f", ft), ("knn", knn)]), protocol=4)
    child = plain(
        write(tmp_path, data),
        "before = model[-1]._fit_X.copy()\nmodel.predict(np.full((2, 3), 100.0))\n"
        "print('overwritten', (model[-1]._fit_X != before).any())",
    )
    assert "overwritten True" in child.output
    refused(tmp_path, data, "out")
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- rt24-18: a slot-state item runs a property setter inside load_unsigned ------------------


def test_rt24_18_slot_state_runs_sparse_shape_setter_inside_load(tmp_path: Path) -> None:
    """BUILD ``(state, {"shape": (1, 4)})`` on a ``csr_matrix`` (its ``__setstate__`` is
    ``object``'s): the C unpickler ``setattr``s ``shape``, whose property setter reshapes the
    matrix, i.e. runs ``tocoo`` -> ``_sparsetools.expandptr`` on an ``indptr`` no check has
    seen yet (``[0, 2**30, 2**31 - 1]``): ``Bi[jj] = i`` writes far past a 2-item buffer,
    SIGSEGV. scan called the file unsafe, but as a *use-time* finding, which a load acts on
    only after building: ``load_unsigned`` crashed the process. Now the walk refuses a slot
    state with items before anything is built."""
    import copyreg

    import scipy.sparse as sp

    m = sp.csr_matrix(np.eye(2))
    state = dict(m.__dict__)
    state["indptr"] = np.array([0, 2**30, 2**31 - 1], dtype=np.int32)

    class P(pickle.Pickler):
        def reducer_override(self, o: Any) -> Any:
            if isinstance(o, sp.csr_matrix):
                return (copyreg.__newobj__, (sp.csr_matrix,), (state, {"shape": (1, 4)}))
            return NotImplemented

    buf = io.BytesIO()
    P(buf, protocol=2).dump(m)
    path = write(tmp_path, buf.getvalue())
    child = plain(path, loads=None)
    # heap corruption: SIGSEGV, or a long run of stray writes until the timeout
    assert child.crashed or child.hung, child
    assert not safeload.scan(path).safe
    code = (
        "import sys, safeload\ntry:\n    safeload.load_unsigned(sys.argv[1])\n"
        "except safeload.SafeloadError:\n    print('refused')\n"
    )
    proc = zygote.subprocess_run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0 and "refused" in proc.stdout, (proc.returncode, proc.stderr[-500:])


# --- rt24-19: a second BUILD on an estimator is not merged for the native checks -------------


def test_rt24_19_second_build_on_a_tree_estimator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A DecisionTreeClassifier fit on 10 features (its tree tests feature 9), then a second
    BUILD ``{"n_features_in_": 1}`` on the same object: ``BaseEstimator.__setstate__`` merges
    it, so ``predict`` validates X against 1 feature and the Cython tree reads ``X[i, 9]``
    from a 1-column array (out of bounds; boundscheck is off). load_unsigned refuses ("tree
    n_features disagrees with n_features_in_"); scan's native check does not see the merged
    object and says SAFE."""
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.RandomState(0)
    x = rng.rand(200, 10)
    model = DecisionTreeClassifier(random_state=0).fit(x, (x[:, 9] > 0.5).astype(int))
    assert 9 in set(model.tree_.feature)
    data = pickle.dumps(model, protocol=4)
    assert data.endswith(b"b.")
    data = data[:-1] + b"}" + binunicode("n_features_in_") + b"K\x01sb."
    child = plain(
        write(tmp_path, data),
        "print('n_features_in_', model.n_features_in_)\n"
        "print('predicted', model.predict(np.zeros((3, 1))).tolist())",
    )
    assert "n_features_in_ 1" in child.output and "predicted" in child.output  # OOB read
    refused(tmp_path, data, "n_features|a second BUILD")
    assert verdicts(data, monkeypatch) == {"unsafe"}
