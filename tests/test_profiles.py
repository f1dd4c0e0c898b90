"""Opt-in trust profiles (issue 15, item 2): real fitted models of each library load with their
profile, by every writer, with identical predictions; are refused by default with a message that
names the profile; and ``scan`` gives the same verdict as ``load`` (``tests/parity.py``).

Also the profile data itself is held to the default's bars: exact names, a reason each, names
that exist in the installed library, and the library versions it was reviewed against.
"""

from __future__ import annotations

import importlib
import io
import json
import pickle
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
from tests.parity import load_unsigned

import safeload
from safeload import Policy, SafeloadError, UntrustedTypeError, UsageError
from safeload.cli import main
from safeload.policy import parse_name, runs_code
from safeload.trust.dispatch import KINDS
from safeload.trust.pandas_forms import CALLS as PANDAS_CALLS
from safeload.trust.profiles import NATIVE_STATES, PROFILE_ROWS, PROFILES, resolve_profiles

RNG = np.random.RandomState(0)
X = RNG.rand(60, 4)
Y = (X[:, 0] + X[:, 1] > 1).astype(int)

#: pickle protocols 2, 4 and 5, joblib plain and zlib: how people write these models.
WRITERS: dict[str, Callable[[Any, Path], None]] = {
    "p2": lambda m, p: p.write_bytes(pickle.dumps(m, protocol=2)),
    "p4": lambda m, p: p.write_bytes(pickle.dumps(m, protocol=4)),
    "p5": lambda m, p: p.write_bytes(pickle.dumps(m, protocol=5)),
    "joblib": lambda m, p: joblib.dump(m, p),
    "joblib-zlib": lambda m, p: joblib.dump(m, p, compress=("zlib", 3)),
}


def _needs(module: str) -> Any:
    """Skip, visibly, when a profile's library is not installed (the test extra installs it)."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - CI installs every library
        pytest.skip(f"{module} is not installed here ({exc}); its profile tests cannot run")


def _imblearn_models() -> dict[str, Any]:
    _needs("imblearn")
    from imblearn.ensemble import BalancedRandomForestClassifier, RUSBoostClassifier
    from imblearn.over_sampling import SMOTE
    from imblearn.pipeline import Pipeline
    from imblearn.under_sampling import RandomUnderSampler
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier

    return {
        "smote-pipeline": Pipeline(
            [("s", SMOTE(k_neighbors=3, random_state=0)), ("c", LogisticRegression())]
        ).fit(X, Y),
        "undersample-tree": Pipeline(
            [("s", RandomUnderSampler(random_state=0)), ("c", DecisionTreeClassifier(max_depth=2))]
        ).fit(X, Y),
        "balanced-forest": BalancedRandomForestClassifier(
            n_estimators=3, max_depth=2, random_state=0, sampling_strategy="all", replacement=True
        ).fit(X, Y),
        "rusboost": RUSBoostClassifier(n_estimators=3, random_state=0).fit(X, Y),
    }


def _xgboost_models() -> dict[str, Any]:
    xgb = _needs("xgboost")
    return {
        "classifier": xgb.XGBClassifier(n_estimators=3, max_depth=2).fit(X, Y),
        "regressor": xgb.XGBRegressor(n_estimators=3, max_depth=2).fit(X, X[:, 0]),
        "booster": xgb.train({"max_depth": 2}, xgb.DMatrix(X, label=Y), num_boost_round=2),
    }


def _lightgbm_models() -> dict[str, Any]:
    lgb = _needs("lightgbm")
    return {
        "classifier": lgb.LGBMClassifier(n_estimators=3, num_leaves=4, verbose=-1).fit(X, Y),
        "regressor": lgb.LGBMRegressor(n_estimators=3, num_leaves=4, verbose=-1).fit(X, X[:, 0]),
        "booster": lgb.train(
            {"num_leaves": 4, "verbose": -1}, lgb.Dataset(X, label=Y), num_boost_round=2
        ),
    }


def _catboost_models() -> dict[str, Any]:
    cb = _needs("catboost")
    kw = {"iterations": 3, "depth": 2, "verbose": 0, "allow_writing_files": False}
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    return {
        "classifier": cb.CatBoostClassifier(**kw).fit(X, Y),
        "regressor": cb.CatBoostRegressor(**kw).fit(X, X[:, 0]),
        "in-sklearn-pipeline": Pipeline(
            [("scale", StandardScaler()), ("cb", cb.CatBoostClassifier(**kw))]
        ).fit(X, Y),
    }


MODELS: dict[str, Callable[[], dict[str, Any]]] = {
    "imblearn": _imblearn_models,
    "xgboost": _xgboost_models,
    "lightgbm": _lightgbm_models,
    "catboost": _catboost_models,
}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """profile -> model kind -> (model, {writer: path}); built once (a few trees each)."""
    out: dict[str, dict[str, Any]] = {}
    folder = tmp_path_factory.mktemp("profiles")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for profile, make in MODELS.items():
            try:
                models = make()
            except pytest.skip.Exception:
                continue
            out[profile] = {}
            for kind, model in models.items():
                paths = {}
                for writer, write in WRITERS.items():
                    path = folder / f"{profile}-{kind}.{writer}"
                    write(model, path)
                    paths[writer] = path
                out[profile][kind] = (model, paths)
    return out


def _predict(model: Any) -> Any:
    xgb = importlib.import_module("xgboost") if "xgboost" in type(model).__module__ else None
    if xgb is not None and isinstance(model, xgb.Booster):
        return model.predict(xgb.DMatrix(X))
    return model.predict(X)


CASES = [
    (profile, kind, writer)
    for profile, kinds in {
        "imblearn": ("smote-pipeline", "undersample-tree", "balanced-forest", "rusboost"),
        "xgboost": ("classifier", "regressor", "booster"),
        "lightgbm": ("classifier", "regressor", "booster"),
        "catboost": ("classifier", "regressor", "in-sklearn-pipeline"),
    }.items()
    for kind in kinds
    for writer in WRITERS
]


@pytest.mark.parametrize(("profile", "kind", "writer"), CASES)
def test_real_models_load_with_their_profile(
    written: dict[str, dict[str, Any]], profile: str, kind: str, writer: str
) -> None:
    if profile not in written:
        pytest.skip(f"the {profile} library is not installed here")
    model, paths = written[profile][kind]
    path = paths[writer]
    with pytest.raises(UntrustedTypeError, match=rf"profiles=\['{profile}'\]"):
        load_unsigned(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = load_unsigned(path, profiles=[profile])
    assert type(loaded) is type(model)
    assert np.array_equal(_predict(loaded), _predict(model))


def test_signed_load_and_loads_take_profiles(
    written: dict[str, dict[str, Any]], tmp_path: Path, ed_key: safeload.SigningKey
) -> None:
    if "xgboost" not in written:
        pytest.skip("xgboost is not installed here")
    model = written["xgboost"]["classifier"][0]
    path = tmp_path / "m.joblib"
    safeload.dump(model, path, ed_key)
    with pytest.raises(UntrustedTypeError, match="--profile xgboost"):
        safeload.load(path, ed_key.public_key)
    loaded = safeload.load(path, ed_key.public_key, profiles=["xgboost"])
    assert np.array_equal(loaded.predict(X), model.predict(X))
    sidecar = safeload.sidecar_path(path).read_bytes()
    again = safeload.loads(
        path.read_bytes(), sidecar, ed_key.public_key, name=path.name, profiles=["xgboost"]
    )
    assert np.array_equal(again.predict(X), model.predict(X))


@pytest.mark.parametrize("profile", ["imblearn", "xgboost", "lightgbm", "catboost"])
def test_convert_with_a_profile(
    written: dict[str, dict[str, Any]], tmp_path: Path, ed_key: safeload.SigningKey, profile: str
) -> None:
    """convert reads the source and checks the skops result under the same profiles; the
    skops schema of a native-blob class is checked like the pickle stream."""
    if profile not in written:
        pytest.skip(f"{profile} is not installed here")
    kind = next(iter(written[profile]))
    model, paths = written[profile][kind]
    out = tmp_path / "m.skops"
    with pytest.raises(UntrustedTypeError):
        safeload.convert(paths["p4"], out, ed_key)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        safeload.convert(paths["p4"], out, ed_key, profiles=[profile], check=X)
        assert safeload.scan(out, profiles=[profile]).safe
        loaded = safeload.load(out, ed_key.public_key, profiles=[profile])
    assert np.array_equal(_predict(loaded), _predict(model))


# --- the API -------------------------------------------------------------------------------------


def test_unknown_profile_is_a_usage_error_listing_the_known_ones(tmp_path: Path) -> None:
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps([1, 2]))
    for call in (
        lambda: safeload.load_unsigned(path, profiles=["xgbost"]),
        lambda: safeload.scan(path, profiles=["nope"]),
    ):
        with pytest.raises(UsageError, match="known profiles: catboost, category_encoders"):
            call()
    with pytest.raises(UsageError, match="a list of profile names"):
        safeload.load_unsigned(path, profiles="xgboost")
    assert safeload.load_unsigned(path, profiles=[]) == [1, 2]


def test_profiles_add_exact_names_with_reasons() -> None:
    base = Policy.default()
    with_xgb = base.with_profiles(["xgboost"])
    assert with_xgb.profiles == ("xgboost",)
    assert with_xgb.allows("xgboost.core", "Booster")
    assert not base.allows("xgboost.core", "Booster")
    assert "[profile xgboost]" in (with_xgb.reason("xgboost.sklearn", "XGBClassifier") or "")
    assert len(with_xgb) == len(base) + len(PROFILES["xgboost"].entries)
    # trusting a profile's name by hand does not make it reviewed: only classes, no rows skipped
    assert not base.with_trusted(["xgboost.sklearn.XGBClassifier"]).reviewed(
        "xgboost.sklearn", "XGBClassifier"
    )
    # a native-model class only through its profile, under any name (r15-09)
    with pytest.raises(UsageError, match="native code"):
        base.with_trusted(["xgboost.core.Booster"])
    assert with_xgb.reviewed("xgboost.core", "Booster")


def test_a_profile_brings_the_profiles_it_requires() -> None:
    names = [p.name for p in resolve_profiles(["category_encoders"])]
    assert names == ["pandas", "category_encoders"]
    assert Policy.default().with_profiles(["category_encoders"]).profiles == (
        "pandas",
        "category_encoders",
    )


def test_public_helpers() -> None:
    assert set(safeload.trust_profiles()) == set(PROFILES)
    assert safeload.profiles_for_name("lightgbm.basic.Booster") == ["lightgbm"]
    assert safeload.profiles_for_name("os.system") == []


# --- the profile data: the same bars as the default ----------------------------------------------


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_profile_data_is_exact_names_with_reasons(name: str) -> None:
    profile = PROFILES[name]
    assert profile.reviewed and profile.description and profile.library
    seen = set()
    for module, qualname, reason in profile.entries:
        assert parse_name(f"{module}:{qualname}") == (module, qualname)
        assert "*" not in module + qualname
        assert not runs_code(module, qualname), (module, qualname)
        assert len(reason) > 20, (module, qualname)
        assert (module, qualname) not in seen
        seen.add((module, qualname))
        assert not Policy.default().allows(module, qualname), "already in the default"
    for left, why in profile.left_out:
        assert left and len(why) > 20
    if not profile.entries:  # a profile that trusts nothing must say why
        assert profile.left_out


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_profile_names_exist_in_the_installed_library(name: str) -> None:
    """Every trusted name resolves, to a class (the profiles trust no functions yet), under
    the module and qualname a pickle records."""
    profile = PROFILES[name]
    if not profile.entries:
        return
    _needs(profile.module)
    for module, qualname, _ in profile.entries:
        obj: Any = importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part)
        if (module, qualname) in PANDAS_CALLS and not isinstance(obj, type):
            continue  # pandas' unpickling functions, handed out narrowed (pandas_forms)
        assert isinstance(obj, type), (module, qualname)
        assert (obj.__module__, obj.__qualname__) == (module, qualname)


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_installed_version_is_the_reviewed_one(name: str) -> None:
    """A library release may add classes, attributes that drive behaviour, or new parameters
    that name files: a profile reviewed against another release is not a review of this one.
    This test fails (rather than warns, which nobody reads) so that the maintainer who
    upgrades the library reviews the profile again and records the new version in
    ``safeload.trust.profiles``."""
    profile = PROFILES[name]
    installed = safeload.installed_version(profile)
    if installed is None:
        pytest.skip(f"{profile.library} is not installed here")
    major_minor = ".".join(installed.split(".")[:2])
    assert major_minor in profile.reviewed, (
        f"{profile.library} {installed} is installed, but the {name!r} profile was reviewed "
        f"against {', '.join(profile.reviewed)}: review the profile's names, rows and left-out "
        "list against this release, then add its version to `reviewed`"
    )
    for library, module, versions in profile.also_reviewed:
        version = importlib.import_module(module).__version__
        assert ".".join(version.split(".")[:2]) in versions, (library, version, versions)


def test_every_profile_row_has_a_known_kind_and_a_profile_class() -> None:
    trusted = {f"{m}:{q}" for p in PROFILES.values() for m, q, _ in p.entries}
    for row in PROFILE_ROWS:
        assert row.kind in KINDS, row
        module, _, qualname = row.cls.partition(":")
        top = module.partition(".")[0]
        assert top in {"imblearn", "xgboost", "lightgbm", "catboost", "category_encoders"}, row
        installed = importlib.util.find_spec(top) is not None
        if installed:  # the row's class exists and is a trusted class or one of their bases
            cls: Any = importlib.import_module(module)
            for part in qualname.split("."):
                cls = getattr(cls, part)
            assert isinstance(cls, type)
            assert row.cls in trusted or any(
                issubclass(_resolve(t), cls) for t in trusted if t.startswith(top + ".")
            ), row


def _resolve(name: str) -> type:
    module, _, qualname = name.partition(":")
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    assert isinstance(obj, type)
    return obj


def test_native_classes_are_in_their_profiles() -> None:
    trusted = {(m, q) for p in PROFILES.values() for m, q, _ in p.entries}
    assert set(NATIVE_STATES) <= trusted
    for pair, rule in NATIVE_STATES.items():
        assert rule.cls == f"{pair[0]}:{pair[1]}"
        assert rule.blob in rule.keys or rule.open_keys
        assert rule.headers


def test_native_profiles_say_what_they_rest_on() -> None:
    for name in ("xgboost", "lightgbm", "catboost"):
        assert "native parser" in PROFILES[name].description
        assert "out of safeload's control" in PROFILES[name].description


def test_pandas_frames_load_with_the_profile_only(tmp_path: Path) -> None:
    """A DataFrame is refused by default, naming the pandas profile, and loads with it (the
    attacks on it are in tests/security/test_pandas_profile.py)."""
    pd = _needs("pandas")
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]})
    path = tmp_path / "df.pkl"
    path.write_bytes(pickle.dumps(frame, protocol=4))
    with pytest.raises(SafeloadError, match="pandas"):
        load_unsigned(path)
    for profiles in (["pandas"], ["category_encoders"]):
        pd.testing.assert_frame_equal(load_unsigned(path, profiles=profiles), frame)


# --- the CLI -------------------------------------------------------------------------------------


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_profiles_lists_every_name_with_its_reason() -> None:
    code, out, _ = _run(["profiles"])
    assert code == 0
    for profile in PROFILES.values():
        assert f"{profile.name}  (" in out
        for version in profile.reviewed:
            assert f"{profile.library} {version}.x" in out
        for module, qualname, reason in profile.entries:
            assert f"{module}.{qualname}: {reason}" in out
    assert "native parser" in out


def test_cli_profiles_json_and_unknown_names() -> None:
    code, out, _ = _run(["profiles", "xgboost", "--json"])
    assert code == 0
    doc = json.loads(out)
    (only,) = doc["profiles"]
    assert only["name"] == "xgboost" and only["reviewed"] == list(PROFILES["xgboost"].reviewed)
    assert {t["name"] for t in only["trusts"]} == {
        f"{m}.{q}" for m, q, _ in PROFILES["xgboost"].entries
    }
    code, _, err = _run(["profiles", "tensorflow"])
    assert code == 2 and "known:" in err


def test_cli_scan_and_convert_take_profiles(
    written: dict[str, dict[str, Any]], tmp_path: Path, ed_key: safeload.SigningKey
) -> None:
    if "lightgbm" not in written:
        pytest.skip("lightgbm is not installed here")
    path = written["lightgbm"]["classifier"][1]["joblib"]
    code, out, err = _run(["scan", str(path)])
    assert code == 1 and "--profile lightgbm" in err
    code, out, _ = _run(["scan", str(path), "--profile", "lightgbm"])
    assert code == 0 and out.startswith("SAFE")
    code, _, err = _run(["scan", str(path), "--profile", "lightgbn"])
    assert code == 2 and "known profiles" in err
    key = ed_key.save(tmp_path / "k.key")
    out_path = tmp_path / "m.skops"
    code, _, err = _run(["convert", str(path), str(out_path), "--key", str(key)])
    assert code == 1 and "--profile lightgbm" in err
    code, _, err = _run(
        ["convert", str(path), str(out_path), "--key", str(key), "--profile", "lightgbm"]
    )
    assert code == 0, err
