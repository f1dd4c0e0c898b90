"""The GitHub Actions example runs the same commands locally: sign in release, verify in deploy."""

from __future__ import annotations

import io
import pickle
import re
from pathlib import Path

import pytest

from safeload import load
from safeload.cli import main

WORKFLOW = Path(__file__).resolve().parent.parent / "examples" / "ci" / "github-actions-release.yml"


def test_workflow_commands_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = WORKFLOW.read_text()
    assert "safeload sign dist/churn-model" in text and "safeload verify dist/churn-model" in text
    assert re.search(r"\$\{\{ secrets\.SAFELOAD_RELEASE_KEY \}\}", text)
    monkeypatch.setenv("SAFELOAD_RELEASE_PASSPHRASE", "ci passphrase")
    out = io.StringIO()
    keys = tmp_path / "keys"
    assert (
        main(
            [
                "keygen",
                "release",
                "--dir",
                str(keys),
                "--passphrase-env",
                "SAFELOAD_RELEASE_PASSPHRASE",
            ],
            stdout=out,
        )
        == 0
    )
    model_dir = tmp_path / "dist" / "churn-model"
    model_dir.mkdir(parents=True)
    (model_dir / "model.pkl").write_bytes(pickle.dumps({"coef": [1.0, 2.0]}))
    (model_dir / "meta.json").write_text("{}")
    assert (
        main(
            [
                "sign",
                str(model_dir),
                "--key",
                str(keys / "release.key"),
                "--passphrase-env",
                "SAFELOAD_RELEASE_PASSPHRASE",
                "--name",
                "churn",
                "--version",
                "1.2.0",
                "--expires",
                "2099-01-01T00:00:00Z",
            ],
            stdout=out,
        )
        == 0
    )
    state = tmp_path / "deploy-state" / "trust.json"
    assert (
        main(
            [
                "verify",
                str(model_dir),
                "--pub",
                str(keys / "release.pub"),
                "--state",
                str(state),
                "--json",
            ],
            stdout=out,
        )
        == 0
    )
    from safeload import VerifyKey

    assert load(model_dir / "model.pkl", VerifyKey.from_file(keys / "release.pub")) == {
        "coef": [1.0, 2.0]
    }
    (model_dir / "meta.json").write_text('{"changed": true}')
    assert (
        main(
            ["verify", str(model_dir), "--pub", str(keys / "release.pub")],
            stdout=out,
            stderr=io.StringIO(),
        )
        == 1
    )
