"""Red-team round 15 on the opt-in trust profiles (r15-01, -02, -03, -07, -09, -14), one test
each: the harm under plain pickle in a child process (a FIFO ``fit`` blocks on, a marker file,
a crash, memory under RLIMIT_AS), then safeload refusing the same bytes with the profile
switched on and ``scan`` agreeing (``tests/parity.py``)."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.parity import load_unsigned

from harm import Child, plain
from safeload import SafeloadError, UsageError

RNG = np.random.RandomState(0)
X = RNG.rand(60, 4)
Y = (X[:, 0] > 0.5).astype(int)


def _plain(
    path: Path,
    call: str,
    *,
    timeout: float = 120,
    memory: int = 0,
    hang_after_load: float | None = None,
) -> Child:
    """Run ``call`` (``X``, ``Y`` as here) on the plainly unpickled model in a child: an
    exception from ``call`` is printed, not fatal."""
    return plain(
        path,
        call,
        loads=None,
        data=X.shape,
        catch=True,
        memory=memory,
        timeout=timeout,
        hang_after_load=hang_after_load,
    )


def _lgbm() -> Any:
    lgb = pytest.importorskip("lightgbm")
    return lgb.LGBMClassifier(n_estimators=3, num_leaves=3, verbose=-1).fit(X, Y)


def _dump(tmp_path: Path, model: Any, name: str = "m.pkl") -> Path:
    path = tmp_path / name
    path.write_bytes(pickle.dumps(model, protocol=5))
    return path


def _refused(path: Path, profile: str, match: str) -> None:
    with pytest.raises(SafeloadError, match=match):
        load_unsigned(path, profiles=[profile])  # scan must agree (tests/parity.py)


def test_r15_01_lightgbm_value_injects_a_file_parameter(tmp_path: Path) -> None:
    """A value with a space becomes a second 'key=value' pair in LightGBM's parameter text:
    ``fit`` reads a FIFO the file names and blocks."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    model = _lgbm()
    model.boosting_type = f"gbdt forcedbins_filename={fifo}"
    path = _dump(tmp_path, model)
    child = _plain(path, "model.fit(X, Y)", hang_after_load=1.5)
    assert child.hung and child.loaded, f"plain pickle + fit should block on the FIFO: {child}"
    _refused(path, "lightgbm", "boosting_type")
    # the same through _other_params and Booster.params, keys and list items included
    for attr, value in (
        ("_other_params", {"verbose": -1, "metric": ["auc", f"auc forcedbins_filename={fifo}"]}),
        ("_other_params", {"verbose": -1, "forcedbins_filename x": "1"}),
        ("_other_params", {"fs": str(fifo)}),  # an alias of forcedsplits_filename
    ):
        model = _lgbm()
        setattr(model, attr, value)
        _refused(_dump(tmp_path, model, "other.pkl"), "lightgbm", "_other_params")
    model = _lgbm()
    model._Booster.params["objective"] = f"binary forcedsplits_filename={fifo}"
    _refused(_dump(tmp_path, model, "booster.pkl"), "lightgbm", "objective")


def test_r15_02_lightgbm_thread_count(tmp_path: Path) -> None:
    """``n_jobs=100000`` becomes OpenMP's thread count at predict: the process crashes."""
    model = _lgbm()
    model.n_jobs = 100_000
    path = _dump(tmp_path, model)
    child = _plain(path, "model.predict(X[:3]); print('predicted')")
    assert child.crashed, f"plain pickle + predict should crash: {child}"
    _refused(path, "lightgbm", "n_jobs")
    model = _lgbm()
    model._other_params = {"verbose": -1, "nthread": 100_000}
    _refused(_dump(tmp_path, model, "other.pkl"), "lightgbm", "nthread")


def test_r15_03_catboost_training_options_file(tmp_path: Path) -> None:
    """``training_options_file`` (not a constructor option) makes ``fit`` write a file at a
    path the model names."""
    cb = pytest.importorskip("catboost")
    marker = tmp_path / "written_by_fit.json"
    model = cb.CatBoostClassifier(iterations=2, depth=2, verbose=0, allow_writing_files=False)
    model.fit(X, Y)
    state = model.__getstate__()
    state["training_options_file"] = str(marker)
    state["allow_writing_files"] = True
    clone = cb.CatBoostClassifier.__new__(cb.CatBoostClassifier)
    clone.__setstate__(state)
    path = _dump(tmp_path, clone)
    child = _plain(path, "model.fit(X, Y)")
    assert child.returncode == 0 and marker.exists(), f"plain pickle + fit should write: {child}"
    marker.unlink()
    _refused(path, "catboost", "training_options_file")
    assert not marker.exists()


def test_r15_07_lightgbm_feature_index_out_of_range(tmp_path: Path) -> None:
    """``interaction_constraints`` indexes LightGBM's feature map unchecked: ``fit`` crashes."""
    model = _lgbm()
    model.set_params(interaction_constraints=[[100_000_000]])
    path = _dump(tmp_path, model)
    child = _plain(path, "model.fit(X, Y)")
    assert child.crashed, f"plain pickle + fit should crash: {child}"
    _refused(path, "lightgbm", "interaction_constraints")
    model = _lgbm()
    model._Booster.params["categorical_column"] = [4]
    _refused(_dump(tmp_path, model, "booster.pkl"), "lightgbm", "categorical_column")


def test_r15_09_native_class_by_another_name(tmp_path: Path) -> None:
    """``xgboost.Booster`` is ``xgboost.core.Booster``: the profile's stream rule is on the
    name pickle writes, so trusting the alias by hand would let ``Booster(None, None, PATH)``
    read a file during the load. Trusting a native-model class by hand is refused, and the
    refusal with the profile on no longer advises it."""
    pytest.importorskip("xgboost")
    read = tmp_path / "read_by_load.txt"
    read.write_text("S" * 64)
    body = (
        b"\x8c\x07xgboost\x8c\x07Booster\x93"
        + b"NN\x8c"
        + bytes([len(str(read))])
        + str(read).encode()
        + b"\x87R"
    )
    path = tmp_path / "alias.pkl"
    path.write_bytes(b"\x80\x04" + body + b".")
    child = _plain(path, "pass")
    assert "(S vs. {)" in child.output, f"plain pickle reads the file during load: {child}"
    for trusted in (["xgboost.Booster"], ["xgboost.core.Booster"], ["lightgbm.Booster"]):
        with pytest.raises(UsageError, match="native code"):
            load_unsigned(path, profiles=["xgboost"], trusted=trusted)
    with pytest.raises(SafeloadError) as info:
        load_unsigned(path, profiles=["xgboost"])
    assert "trusted=['xgboost.Booster']" not in str(info.value)
    assert "aliases" in str(info.value)


def test_r15_14_lightgbm_class_count(tmp_path: Path) -> None:
    """``_n_classes`` becomes ``num_class`` at predict: 1e8 asks for gigabytes for one row."""
    model = _lgbm()
    model._n_classes = 100_000_000
    path = _dump(tmp_path, model)
    child = _plain(path, "model.predict_proba(X[:1])", memory=2 * 2**30)
    out, rc = child.output, child.returncode
    assert "bad_alloc" in out or "MemoryError" in out or (rc is not None and rc != 0), child
    _refused(path, "lightgbm", "_n_classes")
