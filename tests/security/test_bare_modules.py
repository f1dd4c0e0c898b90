"""Bare module names (``safeload.pickle.names.BARE_MODULES``): scikit-learn 1.7 pickles its
Cython loss classes as ``_loss.CyHalfBinomialLoss``. safeload checks and resolves such a name
as the real module, ``sklearn._loss._loss``; plain pickle imports whatever top-level ``_loss``
it finds first.
"""

from __future__ import annotations

import pickle
import pickletools
import sys
from pathlib import Path

import numpy as np
import pytest

from redteam import run_child
from safeload import UntrustedTypeError, load_unsigned, scan
from safeload.pickle.names import BARE_MODULES

REAL = BARE_MODULES["_loss"]


def _bare_gradient_boosting() -> tuple[bytes, object]:
    """A fitted model pickled as scikit-learn 1.7 writes it: its Cython loss under ``_loss``.
    (Protocol 2 names globals in text, so the module name can be swapped in place.)"""
    from sklearn.ensemble import GradientBoostingClassifier

    x = np.random.default_rng(0).random((40, 3))
    model = GradientBoostingClassifier(n_estimators=3, random_state=0).fit(x, [0, 1] * 20)
    data = pickle.dumps(model, protocol=2)  # scikit-learn 1.7 writes the bare name already
    data = data.replace(f"c{REAL}\n".encode(), b"c_loss\n")
    assert b"c_loss\nCyHalfBinomialLoss\n" in data
    return data, model


def test_a_bare_name_loads_as_the_real_class(tmp_path: Path) -> None:
    import sklearn._loss._loss as real_module

    data, model = _bare_gradient_boosting()
    assert any(
        op.name == "GLOBAL" and arg == "_loss CyHalfBinomialLoss"
        for op, arg, _ in pickletools.genops(data)
    )
    path = tmp_path / "gb.pkl"
    path.write_bytes(data)
    report = scan(path)
    assert report.safe, report.untrusted
    assert f"{REAL}.CyHalfBinomialLoss" in {g.name for g in report.globals}
    loaded = load_unsigned(path)
    assert type(loaded._loss.closs) is real_module.CyHalfBinomialLoss
    x = np.random.default_rng(1).random((5, 3))
    assert np.array_equal(loaded.predict_proba(x), model.predict_proba(x))  # type: ignore[attr-defined]


def test_a_bare_name_is_checked_as_the_real_module(tmp_path: Path) -> None:
    """Any other name under the bare module is the real module's, and untrusted."""
    data = b"\x80\x02c_loss\nsystem\nq\x00."
    path = tmp_path / "bare.pkl"
    path.write_bytes(data)
    with pytest.raises(UntrustedTypeError) as info:
        load_unsigned(path)
    assert list(info.value.names) == [f"{REAL}.system"]


PLANTED = """
from pathlib import Path
Path({marker!r}).write_text("planted _loss imported")
CyHalfBinomialLoss = object
"""


def test_a_planted_top_level_module_is_never_imported(tmp_path: Path) -> None:
    """A ``_loss.py`` on the import path: plain pickle imports it (its code runs), safeload
    resolves the name in scikit-learn and loads the model."""
    if "_loss" in sys.modules:  # pragma: no cover - scikit-learn 1.7 registers the bare name
        pytest.skip("this scikit-learn registers _loss itself: nothing else can be imported")
    data, _ = _bare_gradient_boosting()
    work = tmp_path / "work"
    work.mkdir()
    (work / "gb.pkl").write_bytes(data)
    for loader, expect_marker in (
        ("import pickle; pickle.loads(open('gb.pkl', 'rb').read())", True),
        ("import safeload; safeload.load_unsigned('gb.pkl')", False),
    ):
        marker = tmp_path / "marker"
        marker.unlink(missing_ok=True)
        (work / "_loss.py").write_text(PLANTED.format(marker=str(marker)))
        # a child forked from the zygote (scikit-learn already imported, as in a session
        # that loads models), in ``work``: the planted module is first on its path
        proc = run_child(f"sys.path.insert(0, '.'); {loader}", work / "gb.pkl", timeout=120)
        assert marker.exists() is expect_marker, (loader, proc.stderr[-2000:])
        if not expect_marker:
            assert proc.returncode == 0, proc.stderr[-2000:]


def test_skops_counts_a_bare_name_as_real_only_where_it_is_registered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """skops imports the recorded module name itself, so for skops files the bare name is the
    real module only where the real module registered it (scikit-learn 1.7)."""
    import importlib

    from safeload.skops_format import _as_checked

    real_module = importlib.import_module(REAL)
    monkeypatch.delitem(sys.modules, "_loss", raising=False)
    assert _as_checked("_loss", "CyHalfBinomialLoss") == ("_loss", "CyHalfBinomialLoss")
    monkeypatch.setitem(sys.modules, "_loss", real_module)
    assert _as_checked("_loss", "CyHalfBinomialLoss") == (REAL, "CyHalfBinomialLoss")
    monkeypatch.setitem(sys.modules, "_loss", pickle)  # some other module under that name
    assert _as_checked("_loss", "CyHalfBinomialLoss") == ("_loss", "CyHalfBinomialLoss")
