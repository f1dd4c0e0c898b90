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
    # a module of no installed distribution is the caller's; safeload itself, installed from
    # its folder by the Makefile (pip install -e .), is an installed package (rt99-04)
    (tmp_path / "rt95_own_mod.py").write_text("class Own:\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert installed_package("rt95_own_mod") is None
    assert installed_package("safeload.policy") == "safeload"
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
    from redteam import scipy_distribution

    # rt95-01: rv_generic.__setstate__ execs _parse_arg_template; plain pickle runs it
    marker = tmp_path / "marker.txt"
    data = scipy_distribution(marker)
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


def test_own_attrs_slots_class_loads_from_skops_and_pickle(tmp_path: Path, monkeypatch) -> None:
    # attrs writes a __setstate__ into every @define (slots) class: it sets the class's own
    # fields and nothing else, so it is not counted as the caller's code (an honest skops
    # file of such a class was refused after rt98-02's fix). A state that is not a dict is
    # still unproven to scan: attrs' setstate reads a tuple by place.
    import struct

    import skops.io

    (tmp_path / "own_attrs_mod.py").write_text(
        "import attrs\n@attrs.define\nclass Unit:\n    name: str = 'm'\n    scale: float = 1.0\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    import own_attrs_mod

    unit = own_attrs_mod.Unit("kg", 2.0)
    for suffix, blob in (
        ("skops", skops.io.dumps(unit)),
        ("pkl", pickle.dumps(unit, protocol=5)),
    ):
        path = tmp_path / f"u.{suffix}"
        path.write_bytes(blob)
        for trusted in (["own_attrs_mod.Unit"], [own_attrs_mod.Unit]):
            assert safeload.scan(path, trusted=trusted).safe, (suffix, trusted)
            assert safeload.load_unsigned(path, trusted=trusted) == unit
    # the same object given the tuple state of attrs before 22.2 by BUILD: loads, unproven
    tupled = tmp_path / "tuple.pkl"
    tupled.write_bytes(
        b"\x80\x02cown_attrs_mod\nUnit\n)\x81X\x02\x00\x00\x00kgG"
        + struct.pack(">d", 2.0)
        + b"\x86b."
    )
    assert pickle.loads(tupled.read_bytes()) == unit
    report = safeload.scan(tupled, trusted=[own_attrs_mod.Unit])
    assert not report.safe
    assert "attrs'" in " ".join(f.message for f in report.findings)
    sys.modules.pop("own_attrs_mod", None)


def test_editable_installs_are_installed_packages(tmp_path: Path) -> None:
    # `pip install -e git+URL` records the checkout as pip records the user's `pip install -e
    # .`: dir_info editable, a file: URL (pip's direct_url_for_editable), in <sys.prefix>/src
    # or any --src folder: neither can be told from the other, so both are installed
    # (rt98-06, rt99-04)
    import json
    import os
    import subprocess

    site = tmp_path / "site"
    for dist, folder in (
        ("rt99vcs", Path(sys.prefix) / "src" / "rt99vcs"),
        ("rt99edit", tmp_path / "work" / "rt99edit"),
    ):
        info = site / f"{dist}-1.0.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
        (info / "RECORD").write_text(f"{dist}_mod.py,,\n")
        url = Path(folder).as_uri()
        (info / "direct_url.json").write_text(
            json.dumps({"url": url, "dir_info": {"editable": True}})
        )
        (site / f"{dist}_mod.py").write_text("class Thing:\n    pass\n")
    env = dict(os.environ, PYTHONPATH=str(site))
    child = (
        "from safeload._installed import installed_package as p\n"
        "print(p('rt99vcs_mod'), p('rt99edit_mod'))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", child], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.stdout.split() == ["rt99vcs", "rt99edit"], run.stderr
