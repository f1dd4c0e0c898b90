"""``trusted=`` by name admits the caller's own classes and scikit-learn's, not the classes of
other installed packages (red team 95: scipy.stats' distributions execute their state's text,
pydantic's TypeAdapter evaluates a string, contourpy's renderer imports a backend module,
LightGBM's and xgboost's data handles free forged pointers). A class object the caller passes
counts its own package as the caller's."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import pytest

import safeload
from safeload import UntrustedTypeError, UsageError
from safeload._trust_checks import installed_package, never_trustable
from safeload.policy import Policy

UNREVIEWED = [
    "scipy.stats._continuous_distns.norm_gen",
    "scipy.spatial._ckdtree.cKDTree",
    "pydantic.type_adapter.TypeAdapter",
    "lightgbm.basic.Dataset",
    "xgboost.core.DMatrix",
    "dateutil.relativedelta.relativedelta",
]


@pytest.mark.parametrize("name", UNREVIEWED)
def test_classes_of_installed_packages_refused_by_name(name: str) -> None:
    pytest.importorskip(name.partition(".")[0])
    with pytest.raises(UsageError, match="installed package"):
        Policy.default().with_trusted([name])
    assert name in never_trustable([name])


def test_scikit_learn_and_profiled_classes_stay_trustable() -> None:
    pytest.importorskip("xgboost")
    policy = Policy.default().with_trusted(
        ["sklearn.preprocessing._data.StandardScaler", "xgboost.sklearn.XGBClassifier"]
    )
    assert policy.allows("xgboost.sklearn", "XGBClassifier")
    assert installed_package("sklearn.base") == "scikit-learn"
    assert installed_package("collections") is None  # (the standard library: its own rule)


def test_own_modules_are_not_installed_packages(tmp_path: Path, monkeypatch) -> None:
    # a module of no installed distribution, and safeload itself (installed from its folder
    # by the Makefile, pip install -e .)
    (tmp_path / "rt95_own_mod.py").write_text("class Own:\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert installed_package("rt95_own_mod") is None
    assert installed_package("safeload.policy") is None
    assert Policy.default().with_trusted(["rt95_own_mod.Own"]).allows("rt95_own_mod", "Own")


def test_own_class_on_an_unreviewed_base_refused(tmp_path: Path, monkeypatch) -> None:
    # the base's __setstate__ runs for the subclass too: rv_generic execs its state's text
    (tmp_path / "rt95_own_dist.py").write_text(
        "from scipy.stats import rv_continuous\nclass Mine(rv_continuous):\n    pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    import rt95_own_dist

    for spec in ("rt95_own_dist.Mine", rt95_own_dist.Mine):
        with pytest.raises(UsageError, match="derives from scipy.stats"):
            Policy.default().with_trusted([spec])
    sys.modules.pop("rt95_own_dist", None)


def test_class_object_of_an_installed_package_is_the_callers(tmp_path: Path) -> None:
    from dateutil.relativedelta import relativedelta

    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(relativedelta(days=3), protocol=5))
    # by name: refused, and the refusal offers no trusted= (the class object only)
    with pytest.raises(UsageError, match="installed package python-dateutil"):
        safeload.load_unsigned(path, trusted=["dateutil.relativedelta.relativedelta"])
    with pytest.raises(UntrustedTypeError) as info:
        safeload.load_unsigned(path)
    assert "trusted=['" not in str(info.value) and "trusted=[TheClass]" in str(info.value)
    # as the class object: the caller's own, checked when trusted and again when resolved
    assert safeload.load_unsigned(path, trusted=[relativedelta]) == relativedelta(days=3)
    assert safeload.scan(path, trusted=[relativedelta]).safe
    assert ("dateutil.relativedelta", "relativedelta") in Policy.default().with_trusted(
        [relativedelta]
    ).given


def test_scipy_distribution_state_runs_no_code_when_trusted(tmp_path: Path) -> None:
    from redteam import binunicode, global_

    # rt95-01: rv_generic.__setstate__ execs _parse_arg_template; plain pickle runs it
    marker = tmp_path / "marker.txt"
    code = f"import pathlib; pathlib.Path({str(marker)!r}).write_text('ran')\n"
    data = (
        b"\x80\x02"
        + global_("scipy.stats._continuous_distns", "norm_gen")
        + b")\x81}"
        + binunicode("_parse_arg_template")
        + binunicode(code)
        + b"sb."
    )
    path = tmp_path / "m.pkl"
    path.write_bytes(data)
    with pytest.raises(Exception):  # noqa: B017 (what the text does after the marker fails)
        pickle.loads(data)
    assert marker.exists()
    marker.unlink()
    for names in (["scipy.stats._continuous_distns.norm_gen"], ["scipy.stats.norm_gen"]):
        with pytest.raises((UsageError, UntrustedTypeError)):
            safeload.load_unsigned(path, trusted=names)
    with pytest.raises(UntrustedTypeError) as info:
        safeload.load_unsigned(path)
    assert "trusted=['" not in str(info.value)
    assert not marker.exists()
