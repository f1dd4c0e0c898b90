"""Red team 43's findings in the command line and the pytest plugin (fixed): each test shows
the old behaviour's harm where there is one, then asserts what safeload does now."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

import safeload

# --- rt43-03: `safeload verify --ca ... --threshold N` ignores the threshold ------------------


@pytest.mark.parametrize("threshold", ["2", "5"])
def test_rt43_03_cli_threshold_ignored_with_ca(threshold: str, tmp_path: Path) -> None:
    """A model signed in model_signing's certificate mode by ONE leaf certificate from the
    verifier's CA. ``safeload verify model.pkl --ca ca.pem --threshold 2`` (a release gate
    asking for two approvals) prints OK and exits 0: ``cli.verify.run`` builds no keyring when
    ``--ca`` is given (``ring = None if ca is not None else load_keyring(args)``), and
    ``--threshold`` is read only by ``load_keyring``, so it is dropped without a word. The API
    refuses the same combination (``load``/``verify`` with ``keys=`` and ``ca=``: "a keyring's
    threshold and revocations would silently not apply"), and the CLI refuses ``--threshold``
    beside a JSON keyring ("two sources for one trust setting: refuse rather than silently pick
    one"); certificate mode counts one signer, so ``--threshold`` above 1 should be a usage
    error (exit 2), never an OK."""
    import io

    from certs import make_chain  # tests/certs.py (PYTHONPATH holds the tests folder)
    from safeload.cli import main

    chain = make_chain(tmp_path / "pki")
    model = tmp_path / "model.pkl"
    model.write_bytes(pickle.dumps({"a": 1}, protocol=5))

    def run(*argv: str) -> int:
        return main(list(argv), stdout=io.StringIO(), stderr=io.StringIO())

    signed = run(
        "sign", str(model), "--key", str(chain.leaf_key), "--signature-format", "model-signing",
        "--cert", str(chain.leaf), "--chain", str(chain.intermediate),
    )  # fmt: skip
    assert signed == 0
    assert run("verify", str(model), "--ca", str(chain.ca)) == 0  # one signer, no threshold
    assert run("verify", str(model), "--ca", str(chain.ca), "--threshold", threshold) != 0


# --- rt43-04: the pytest plugin's --safeload-models gate skips what rt26b-05/06 fixed in the CLI


_GATE_NAMES = ["finalized_model.sav", "model.pkl.gz", "more/evil.pkl", "churn/weights.sav"]


@pytest.fixture(scope="module")
def gate_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any, str, int]:
    """One models folder holding every case of rt43-04 beside a signed ``a.pkl``, and one
    collection run of the plugin's gate over it (a pytest child per case cost 5 s each)."""
    import gzip
    import os
    import subprocess
    import sys

    tmp_path = tmp_path_factory.mktemp("gate")
    key = safeload.SigningKey.generate()
    key.public_key.save(tmp_path / "k.pub")
    top = tmp_path / "models"
    top.mkdir()
    (top / "a.pkl").write_bytes(pickle.dumps({"a": 1}))
    safeload.sign(top / "a.pkl", key)
    (top / "finalized_model.sav").write_bytes(pickle.dumps({"unsigned": 1}))
    (top / "model.pkl.gz").write_bytes(gzip.compress(pickle.dumps({"unsigned": 2})))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "evil.pkl").write_bytes(pickle.dumps({"unsigned": 3}))
    (top / "more").symlink_to(elsewhere)
    sub = top / "churn"
    sub.mkdir()
    (sub / "weights.sav").write_bytes(pickle.dumps({"w": [1, 2, 3]}))
    (sub / "config.json").write_text("{}")
    safeload.sign(sub, key)
    (sub / "weights.sav").write_bytes(pickle.dumps({"w": [6, 6, 6]}))  # tampered
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--co", "-q",
         "--safeload-models", "models", "--safeload-pub", "k.pub"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env=dict(os.environ),
        check=False,
    )  # fmt: skip
    return top, key.public_key, done.stdout + done.stderr, done.returncode


@pytest.mark.parametrize("name", _GATE_NAMES)
def test_rt43_04_pytest_plugin_gate_skips_models(
    name: str, gate_run: tuple[Path, Any, str, int]
) -> None:
    """``pytest --safeload-models models/ --safeload-pub k.pub`` (the plugin's CI gate: "one
    test per model file under DIR, asserting that it carries a valid signature from a key in
    ...") collected only ``a.pkl`` (signed) and passed, exit 0, beside a model that
    ``safeload.load`` refuses: an unsigned pickle named ``finalized_model.sav`` (the
    scikit-learn tutorial's name) or ``model.pkl.gz``, an unsigned pickle in a symlinked
    sub-folder (``more -> elsewhere``), or a signed folder ``churn/`` + ``churn.sig`` whose
    ``weights.sav`` was changed after signing. ``pytest_plugin._is_model`` picked files by
    suffix (``.pkl``, ``.pickle``, ``.joblib*``, ``.skops``) and ``Path.rglob`` does not enter
    symlinked folders: the gaps red team 26b closed in ``safeload scan DIR`` / ``verify DIR``
    (rt26b-05, rt26b-06: ``cli._paths.expand`` sniffs content, keeps links out and verifies
    each signed sub-folder as a whole), then still open in the plugin. Only collection runs
    (nothing is loaded): each refused file must have its own test (or fail the gate)."""
    top, public, output, returncode = gate_run
    with pytest.raises(safeload.SignatureError):  # what the gate is there to catch
        safeload.load(top / name, public)
    if returncode in (0, 5):  # the gate ran: a.pkl gets its test, and so must the file
        assert "safeload-model[a.pkl]" in output, output
        assert f"safeload-model[{name.split('/')[0]}" in output, output
    else:  # or the gate fails, naming what it cannot check
        assert name.split("/")[0] in output, output


# --- rt43-08 (outside categories 1-3): `safeload convert` prints a file's control characters ---


def test_rt43_08_convert_error_output_unescaped(tmp_path: Path) -> None:
    """44 bytes: a protocol-0 pickle whose GLOBAL names ``\\x1b[1Aos.system\\x1b[2K\\rSAFE ok``.
    ``safeload scan`` prints it escaped (``cli._UNVERIFIED_OUTPUT`` wraps the output of scan,
    verify and inspect), but ``safeload convert third_party.pkl out.skops --key k.key``, which
    reads the same unverified third-party files (no ``--src-pub``: "read as an unsigned
    third-party file"), prints the refusal with the name's ESC and CR raw, three times: the
    file moves the cursor, erases the line and writes its own text over the refusal on the
    user's terminal. The exit code still says refused (this is terminal output, not a load)."""
    import io

    from safeload.cli import main

    path = tmp_path / "third_party.pkl"
    path.write_bytes(b"c\x1b[1Aos\nsystem\x1b[2K\rSAFE ok\n.")
    key = safeload.SigningKey.generate()
    key.save(tmp_path / "k.key")
    out, err = io.StringIO(), io.StringIO()
    code = main(
        [
            "convert",
            str(path),
            str(tmp_path / "out.skops"),
            "--key",
            str(tmp_path / "k.key"),
        ],
        stdout=out,
        stderr=err,
    )
    assert code != 0
    assert "\x1b" not in out.getvalue() + err.getvalue()
    assert "\r" not in out.getvalue() + err.getvalue()
