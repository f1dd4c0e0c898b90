"""The pytest plugin, exercised with pytester in a separate pytest run."""

from __future__ import annotations

import re
from pathlib import Path

import joblib
import pytest
from sklearn.linear_model import LinearRegression

from safeload import SigningKey, dump, sign

pytest_plugins = ["pytester"]


def _models(root: Path, home_model: LinearRegression) -> tuple[Path, Path]:
    keys, models = root / "keys", root / "models"
    keys.mkdir()
    (models / "nested").mkdir(parents=True)
    key = SigningKey.generate()
    key.public_key.save(keys / "release.pub")
    dump(home_model, models / "good.joblib", key)
    dump(home_model, models / "nested" / "good.pkl", key)
    joblib.dump(home_model, models / "unsigned.joblib")
    tampered = models / "tampered.pkl"
    dump(home_model, tampered, key)
    data = bytearray(tampered.read_bytes())
    data[-3] ^= 0x01
    tampered.write_bytes(bytes(data))
    evil = models / "evil.pkl"
    evil.write_bytes(b"cos\nsystem\n(S'true'\ntR.")
    sign(evil, key)  # validly signed, still refused by the allowlist
    return models, keys


def test_safeload_models_option(pytester: pytest.Pytester, home_model: LinearRegression) -> None:
    models, keys = _models(pytester.path, home_model)
    result = pytester.runpytest("--safeload-models", str(models), "--safeload-keyring", str(keys))
    result.assert_outcomes(passed=2, failed=3)
    text = result.stdout.str()
    for pattern in (
        r"unsigned\.joblib: MissingSignatureError",
        r"tampered\.pkl: InvalidSignatureError",
        r"evil\.pkl: UntrustedTypeError: .*os\.system",
    ):
        assert re.search(pattern, text, re.DOTALL), pattern


def test_safeload_models_needs_a_key_source(
    pytester: pytest.Pytester, home_model: LinearRegression
) -> None:
    models, _ = _models(pytester.path, home_model)
    result = pytester.runpytest("--safeload-models", str(models))
    # One usage error before any test runs (issue 16), not a traceback in every model's test.
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--safeload-models needs the keys*--safeload-keyring DIR*"])
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    result = pytester.runpytest(
        "--safeload-models", str(models), "--safeload-keyring", str(pytester.path / "nokeys")
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*keyring directory*nokeys does not exist*"])


def test_safeload_keyring_takes_a_json_keyring(
    pytester: pytest.Pytester, home_model: LinearRegression
) -> None:
    import json

    models, keys = _models(pytester.path, home_model)
    ring = pytester.path / "ring.json"
    pem = (keys / "release.pub").read_text()
    ring.write_text(json.dumps({"threshold": 1, "keys": [{"public_key": pem}]}))
    result = pytester.runpytest("--safeload-models", str(models), "--safeload-keyring", str(ring))
    result.assert_outcomes(passed=2, failed=3)
    result = pytester.runpytest(
        "--safeload-models", str(models), "--safeload-keyring", str(ring),
        "--safeload-threshold", "2",
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*conflicts with the keyring file*"])


def test_attack_case_fixture(pytester: pytest.Pytester) -> None:
    from safeload.testing import attack_corpus

    pytester.makepyfile(
        """
        def test_case_is_described(safeload_attack_case):
            assert safeload_attack_case.technique and safeload_attack_case.reference
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=len(attack_corpus()))


def test_plugin_is_inert_without_options(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    assert True\n")
    pytester.runpytest().assert_outcomes(passed=1)
