"""The bound on what ``repr`` of a model formats (rt84-17 and its class): parameters' items
and kernels' length scales, met as scikit-learn's pretty-printer meets them, nesting counted."""

from __future__ import annotations

import functools
import itertools
from collections import Counter, OrderedDict
from typing import Any

import numpy as np
import pytest

from redteam import HANG_CPU, PLAIN_JOBLIB_CALL, assert_refused_with, child, compressed_joblib
from safeload.trust.structures.printing import (
    ARRAY_ITEM_TICKS,
    ARRAY_TICKS,
    MAX_PRINTED,
    NO_DEFAULT,
    _Costs,
    repr_cost,
)


def _nested(model: Any, depth: int) -> Any:
    from sklearn.pipeline import Pipeline

    for _ in range(depth):
        model = Pipeline([("step", model)])
    return model


def _costs(value: Any) -> tuple[int, int, int, int]:
    # (S, R, F, E): one-line repr, built-in repr, pretty format, estimators' part of R
    return _Costs().cost(value)


def _imputer(value: Any) -> Any:
    from sklearn.impute import SimpleImputer

    return SimpleImputer(strategy="constant", fill_value=value)


def test_leaf_and_container_costs():
    s, r, f, e = _costs(1.5)
    assert (s, r, f, e) == (8, 4, 8, 0)
    # a list: its own work and each item's; formatted, its first items again
    s10, r10, f10, _ = _costs([1.5] * 10)
    assert s10 == 17 + 10 * 9 and r10 == 2 + 10 * 5 and f10 > 2 * s10
    # a list held twice is printed twice; a dict entry costs its sorting and pairing
    inner = [0.5] * 100
    assert _costs([inner, inner])[0] == 17 + 2 * (_costs(inner)[0] + 1)
    assert _costs({"a": 1.5})[0] > _costs(["a", 1.5])[0]
    # a long string by its characters; a numeric array as numpy shows it (summarized past
    # 1,000 items), every item
    assert _costs("x" * 1_200)[0] == 4 + 100
    assert _costs(np.ones(5_000))[0] == ARRAY_TICKS + 6 * ARRAY_ITEM_TICKS
    assert _costs(np.ones(1_000))[0] == ARRAY_TICKS + 1_000 * ARRAY_ITEM_TICKS
    # numpy's summary shows 6 items per axis: 6**7 of a (7,) * 7 array (rt85-05); a text
    # item by its characters, a record by its fields (rt85-04); a big int by its digits'
    # quadratic conversion (rt85-08)
    assert _costs(np.zeros((7,) * 7, np.int8))[0] == ARRAY_TICKS + 6**7 * ARRAY_ITEM_TICKS
    assert _costs(np.array(["x" * 4_000] * 10))[0] > 10 * 500 * ARRAY_ITEM_TICKS
    assert _costs(np.zeros(10, [("a", "f8", (512,))]))[0] > 10 * 512 * ARRAY_ITEM_TICKS
    assert _costs(10**4_000)[0] > 50 * 24
    # a partial's arguments are printed with it; an object array's items too
    assert _costs(functools.partial(print, inner))[0] > _costs(inner)[1]
    assert _costs(np.array([inner, None], dtype=object))[0] > _costs(inner)[1]


def test_leaves_and_containers_of_rt86():
    # numpy's text scalars by their characters, bytes alike (rt86-13)
    assert _costs(np.str_("x" * 12_000))[0] == 4 + 1_000
    assert _costs(np.bytes_(b"x" * 12_000))[0] == 4 + 1_000
    # a range by its bounds' digits and its items (np.array_equal makes them, rt86-02/11)
    assert _costs(range(2**20))[0] >= 2**20 * 3
    assert _costs(range(10**4_299, 10**4_299 + 1))[0] > 2 * _costs(10**4_000)[0]
    # a long double's Dragon4 (rt86-02)
    assert _costs(np.longdouble(1.5))[0] == 1_300
    # dict and list subclasses are entered: an OrderedDict, a Counter (rt86-10), by their
    # built-in reprs (they have reprs of their own)
    entries = {f"k{i}": i for i in range(100)}
    assert _costs(OrderedDict(entries))[1] == _costs(entries)[1]
    # (a Counter's repr lists most_common(): sorted by count, rt90-09)
    assert _costs(Counter(entries))[1] >= _costs(entries)[1] + 100 * 7 * 8
    assert _costs(OrderedDict(entries))[2] > _costs(entries)[1]
    # nesting formats what is below each level again (rt86-01): 15 one-item lists around a
    # dict count its one-line repr at least twice a level
    nested: Any = dict(entries)
    alone = _costs(nested)[0]
    for _ in range(15):
        nested = [nested]
    assert _costs(nested)[2] >= 30 * alone


def test_costs_of_cycles_and_deep_lists():
    loop: list[Any] = [1.5]
    loop.append(loop)  # (repr prints the inner one as [...])
    assert _costs(loop)[0] == 17 + 9 + 5
    deep: list[Any] = []
    for _ in range(100_000):  # (no recursion: iterative)
        deep = [deep]
    # each level formats everything below it again: quadratic
    assert _costs(deep)[2] > 100_000**2
    # estimators nested a thousand deep: no recursion either
    assert repr_cost(_nested(_imputer(1.5), 1_000)) > MAX_PRINTED


def test_cycle_cut_counts_are_not_reused():
    # rt88-02: X = [A, S], A = [X] * 10; counted inside X, A meets X on its path (printed
    # [...]); met again at the top, the printer prints S through A ten times
    numbers = [0.5] * 1_000
    x: list[Any] = [None, numbers]
    a = [x] * 10
    x[0] = a
    costs = _Costs()
    both = costs.cost([x, a])
    assert both[0] >= 10 * _costs(numbers)[0]
    # (its count inside X, cut by X, was not kept: A met at the top is counted whole)
    assert costs.memo[id(a)][0] >= _costs(a)[0]


def test_estimator_in_containers_counted_per_level():
    # rt88-01: each list around a held estimator takes it one-line again, twice
    held = _imputer([0.5] * 1_000)
    value: Any = held
    counts = []
    for _ in range(4):
        value = [value]
        counts.append(repr_cost(_imputer(value)))
    steps = [b - a for a, b in itertools.pairwise(counts)]
    assert min(steps) >= 2 * _costs(held)[0]
    # a plain list of estimators: its built-in repr prints each in full (rt88-06)
    many = [_imputer([0.5] * 100) for _ in range(10)]
    assert repr_cost(many) == sum(repr_cost(one) for one in many)


def test_parameters_without_default_are_the_installed_ones():
    import importlib
    import inspect

    for name, params in NO_DEFAULT.items():
        module, qualname = name.split(":")
        cls = getattr(importlib.import_module(module), qualname)
        signature = inspect.signature(cls.__init__).parameters
        for param in params:
            assert signature[param].default is inspect.Parameter.empty, (name, param)


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

    # a kernel of 65,536 length scales; an explicit vocabulary of 10,000 words, and of
    # 1,000 two pipelines deep; a column transformer naming 5,000 columns inside a pipeline
    load_honest(GaussianProcessRegressor(RBF(np.ones(65_536))), tmp_path)
    vocabulary = {f"w{i}": i for i in range(10_000)}
    load_honest(CountVectorizer(vocabulary=vocabulary), tmp_path)
    small = {f"w{i}": i for i in range(1_000)}
    load_honest(_nested(CountVectorizer(vocabulary=small), 2), tmp_path)
    columns = [f"column_{i}" for i in range(5_000)]
    union = ColumnTransformer([("scale", StandardScaler(), columns)])
    load_honest(_nested(union, 1), tmp_path)


def test_costs_of_red_team_89():
    import random

    from safeload.trust.structures.printing import printed_problem

    # a sort merges the runs it finds: keys made in order cost n comparisons, shuffled ones
    # n log n, and items that do not order (complex numbers) the fallback's price (rt89-01)
    keys = [f"w{i:05d}" for i in range(4_096)]
    shuffled = list(keys)
    random.Random(0).shuffle(shuffled)
    in_order = _costs(dict.fromkeys(keys, 1))[0]
    assert _costs(dict.fromkeys(shuffled, 1))[0] > in_order + 4_096 * 8 * 8
    assert _costs(set(complex(i, 1) for i in range(4_096)))[2] > 4_096 * 12 * 24
    # an array's repr costs its set-up whatever its size; a record dtype its fields (rt89-02)
    assert _costs(np.array([0.5]))[0] >= 900
    assert _costs(np.zeros(1, [(f"f{i}", "f8") for i in range(100)]))[0] > 100 * 60
    # a slice prints its values whole (rt89-04): an estimator inside one is counted
    held = _imputer([0.5] * 1_000)
    assert _costs(slice(held, None, None))[1] >= repr_cost(held)
    # a string too wide for its line is formatted word by word (rt89-10)
    assert _costs("\n" * 10_000)[2] > 10_000 * 8
    assert _costs("x" * 10_000)[2] < 10_000
    # each estimator compares its parameters with their defaults (rt89-11)
    assert repr_cost(_imputer([held] * 10)) > 10 * 2 * 720
    # a plain container the model is: its estimators, and what else it prints past a unit a
    # byte of the file (rt89-03)
    arrays = [np.array([0.5])] * 20_000
    assert printed_problem([], {}, arrays, file_size=200_000) is not None
    assert printed_problem([], {}, [0.5] * 20_000, file_size=200_000) is None


def test_lightgbm_keyword_parameters_counted():
    lightgbm = pytest.importorskip("lightgbm")
    # LGBMModel.get_params adds its keyword arguments, which the printer prints (rt89-05)
    small = lightgbm.LGBMRegressor()
    large = lightgbm.LGBMRegressor(feature_contri=[0.5] * 100_000)
    assert repr_cost(large) > repr_cost(small) + 100_000 * 8


def test_display_rows_of_nested_kernels():
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, WhiteKernel

    # the display lists every sub-kernel as a parameter row and formats it whole there
    # (rt89-09): a chain of sums pays each level's whole sub-kernel
    kernel: Any = RBF(np.ones(1_000))
    one = repr_cost(GaussianProcessRegressor(kernel + WhiteKernel()))
    for _ in range(10):
        kernel = kernel + WhiteKernel()
    assert repr_cost(GaussianProcessRegressor(kernel)) > 4 * one


def test_fitted_attributes_as_reprlib_writes_them():
    from sklearn.utils import Bunch

    from safeload.trust.structures.printing import _fitted_ticks

    # a notebook's table writes a fitted attribute with reprlib: a list's first items, a
    # Bunch (which reprlib does not shorten) whole, every member in full (rt89-13)
    members = [_imputer([0.5] * 1_000) for _ in range(20)]
    holder = _imputer(0.5)
    holder.listed_ = members
    holder.named_ = Bunch(**{f"m{i}": m for i, m in enumerate(members)})
    listed_only = _imputer(0.5)
    listed_only.listed_ = members
    costs = _Costs()
    one = repr_cost(members[0])
    assert _fitted_ticks(costs, listed_only) <= 6 * one + 100
    assert _fitted_ticks(costs, holder) >= 20 * one


def test_display_pads_a_list_of_strings():
    # a notebook's display compares a list parameter with its default through
    # np.array_equal, whose array pads every string to the longest (rt90-15)
    padded = _costs(["x" * 10_000] + ["y"] * 999)[1]
    assert padded >= 1_000 * 10_000 // 2
    # (names of one length are not padded: a ColumnTransformer's 8,000 columns)
    names = [f"column_{i:05d}" for i in range(8_000)]
    assert _costs(names)[1] < 8_000 * 5


def test_pandas_text_counted_as_pandas_cuts_it():
    import pandas as pd

    from safeload.trust.structures.printing import PANDAS_CHARS_PER_TICK

    # pandas cuts a cell's text (a frame's index labels too) to 50 characters, and writes a
    # series' index labels and a frame's column labels whole, every shown row padded to
    # them; a series' name is written once (rt93's over-prices: a 200,000-character cell)
    big = "x" * 1_000_000
    whole = 60 * len(big) // PANDAS_CHARS_PER_TICK
    others = [str(i) for i in range(59)]
    cut = [
        pd.Series([big, *others]),
        pd.DataFrame({"a": [big, *others]}),
        pd.DataFrame({"a": np.zeros(60)}, index=[big, *others]),
    ]
    for value in cut:
        assert _costs(value)[1] < 100_000, value.shape
    assert _costs(pd.Series(np.zeros(60), index=[big, *others]))[1] >= whole
    assert _costs(pd.DataFrame({big: np.zeros(60)}))[1] >= whole
    named = _costs(pd.Series(np.zeros(60), name=big))[1]
    assert len(big) // PANDAS_CHARS_PER_TICK <= named < 2 * len(big) // PANDAS_CHARS_PER_TICK
    # (a cell that is not a string is counted at its whole text: formatting it costs that)
    assert _costs(pd.Series([[big], *others]))[1] >= whole
