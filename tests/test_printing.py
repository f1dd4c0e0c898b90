"""The bound on what ``repr`` of a model formats (rt84-17 and its class): parameters' items
and kernels' length scales, met as scikit-learn's pretty-printer meets them, nesting counted."""

from __future__ import annotations

import functools
from collections import Counter, OrderedDict
from typing import Any

import numpy as np
import pytest

from redteam import HANG_CPU, PLAIN_JOBLIB_CALL, assert_refused_with, child, compressed_joblib
from safeload.trust.structures.printing import (
    DICT_ENTRY,
    MAX_PRINTED,
    SHOWN_ITEMS,
    printed_items,
)


def _nested(model: Any, depth: int) -> Any:
    from sklearn.pipeline import Pipeline

    for _ in range(depth):
        model = Pipeline([("step", model)])
    return model


def _items(value: Any, whole_arrays: bool = False) -> int:
    # (a memo of its own: the model's memo is keyed by id, and the model holds its values
    # alive while it is counted)
    return printed_items(value, {}, whole_arrays)


def test_items_counted_as_printed():
    assert _items(1.5) == 1
    # a container counts its items, and again what its first SHOWN_ITEMS items count on their
    # own: the printer formats it whole, then item by item on lines of their own (rt86-01)
    assert _items([1.0] * 10) == 11 + 10
    inner = [0.5] * 100
    inner_count = 101 + SHOWN_ITEMS
    # a list held twice prints twice; a dict entry costs its key, value and DICT_ENTRY
    assert _items([inner, inner]) == 1 + 2 * 101 + 2 * inner_count
    assert _items({"a": 1}) == 1 + DICT_ENTRY + 2 + 2
    # a long string by its characters; a numeric array as numpy shows it (summarized past
    # 1,000 items), or whole for a kernel, which formats every length scale
    assert _items("x" * 800) == 101
    assert _items(np.ones(5_000)) == 1 + 6
    assert _items(np.ones(1_000)) == 1 + 1_000
    assert _items(np.ones(5_000), whole_arrays=True) == 5_001
    # numpy's summary shows 6 items per axis: 6**7 of a (7,) * 7 array (rt85-05); a text
    # item by its characters, a record by its fields (rt85-04); a big int by its digits'
    # quadratic conversion (rt85-08)
    assert _items(np.zeros((7,) * 7, np.int8)) == 1 + 6**7
    assert _items(np.array(["x" * 4_000] * 10)) == 1 + 10 * (1 + 4_000 // 8)
    assert _items(np.zeros(10, [("a", "f8", (512,))])) == 1 + 10 * (1 + 512)
    assert _items(10**4_000) > 50
    # a partial's arguments are printed with it; an object array's items too
    assert _items(functools.partial(print, inner)) == (1 + 1 + 101) + (1 + inner_count)
    assert _items(np.array([inner, None], dtype=object)) == (1 + 101 + 1) + (inner_count + 1)


def test_leaves_and_containers_of_rt86():
    # numpy's text scalars by their characters, bytes by four characters a byte (rt86-13)
    assert _items(np.str_("x" * 8_000)) == 1 + 1_000
    assert _items(np.bytes_(b"x" * 8_000)) == 1 + 8_000 // 2
    # a range by its bounds' digits and its items (np.array_equal makes them, rt86-02/11)
    assert _items(range(2**20)) >= 2**20 // 8
    assert _items(range(10**4_299, 10**4_299 + 1)) > 2 * _items(10**4_000)
    # a long double's Dragon4 (rt86-02)
    assert _items(np.longdouble(1.5)) == 64
    # dict and list subclasses are entered: an OrderedDict, a Counter (rt86-10)
    entries = {f"k{i}": i for i in range(100)}
    assert _items(OrderedDict(entries)) == _items(dict(entries)) > 500
    assert _items(Counter(entries)) == _items(dict(entries))
    # nesting formats what is below each level again (rt86-01): 15 one-item lists around a
    # dict count its items 16 times
    nested: Any = dict(entries)
    alone = _items(nested)
    for _ in range(15):
        nested = [nested]
    assert _items(nested) >= 15 * alone


def test_items_of_cycles_and_deep_lists():
    loop: list[Any] = [1.0]
    loop.append(loop)  # (repr prints the inner one as [...])
    assert _items(loop) == 3 + 2
    deep: list[Any] = []
    for _ in range(100_000):  # (no recursion: iterative)
        deep = [deep]
    # each level formats everything below it again
    assert _items(deep) == 100_001 * 100_002 // 2


@pytest.mark.parametrize("holder", ["list_param_in_pipelines", "kernel_in_pipelines"])
def test_nested_parameters_refused(tmp_path, holder):
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF
    from sklearn.preprocessing import FunctionTransformer

    # three pipelines around a FunctionTransformer whose kw_args hold one list of 65,536
    # references to one float: 612 bytes, repr 3.5 s; six around a GaussianProcessRegressor
    # of 4,096 length scales: 656 bytes, 2.9 s
    model: Any
    if holder == "list_param_in_pipelines":
        model = _nested(FunctionTransformer(kw_args={"v": [0.5] * 65_536}), 3)
    else:
        model = _nested(GaussianProcessRegressor(RBF(np.ones(4_096))), 6)
    path = compressed_joblib(tmp_path, model, 4_000, ("xz", 1))
    plain = child(PLAIN_JOBLIB_CALL.format(call="repr(model)"), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path)


def test_honest_parameters_load(tmp_path):
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF
    from sklearn.preprocessing import StandardScaler

    from redteam import load_honest

    # a kernel at the length-scale bound; an explicit vocabulary of 10,000 words, and of
    # 1,000 two pipelines deep; a column transformer naming 5,000 columns inside a pipeline
    assert 2 * 65_536 <= MAX_PRINTED
    load_honest(GaussianProcessRegressor(RBF(np.ones(65_536))), tmp_path)
    vocabulary = {f"w{i}": i for i in range(10_000)}
    load_honest(CountVectorizer(vocabulary=vocabulary), tmp_path)
    small = {f"w{i}": i for i in range(1_000)}
    load_honest(_nested(CountVectorizer(vocabulary=small), 2), tmp_path)
    columns = [f"column_{i}" for i in range(5_000)]
    union = ColumnTransformer([("scale", StandardScaler(), columns)])
    load_honest(_nested(union, 1), tmp_path)
