"""Regenerate the model_signing golden bundles with the real model_signing CLI (1.1.x).

    python tests/vectors/model_signing/make_vectors.py

Run once per format change, never to "fix" a test. The private keys are generated, used and
discarded: only public keys and the test CA's root certificate are kept. The certificates are
valid from 2026-01-01 to 2036-01-01; tests verify at a fixed time inside that period.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from certs import key_pem, make_chain

HERE = Path(__file__).parent
PERIOD = (
    dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
    dt.datetime(2036, 1, 1, tzinfo=dt.timezone.utc),
)
CLI = [sys.executable, "-m", "model_signing"]


def main() -> None:
    model = HERE / "model"
    shutil.rmtree(model, ignore_errors=True)
    (model / "sub").mkdir(parents=True)
    (model / "config.json").write_text('{"n_estimators": 3}\n')
    (model / "sub" / "weights.bin").write_bytes(bytes(range(64)))
    (HERE / "single.bin").write_bytes(b"a single-file model\n")
    with tempfile.TemporaryDirectory() as tmp:
        key = ec.generate_private_key(ec.SECP256R1())
        priv = Path(tmp) / "key.pem"
        priv.write_bytes(key_pem(key))
        (HERE / "ec-p256.pub").write_bytes(
            key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        run("key", model, HERE / "model.key.sig", "--private_key", str(priv))
        run("key", HERE / "single.bin", HERE / "single.bin.sig", "--private_key", str(priv))
        chain = make_chain(Path(tmp) / "pki", PERIOD)
        shutil.copy(chain.ca, HERE / "ca.pem")
        run(
            "certificate",
            model,
            HERE / "model.cert.sig",
            "--private_key",
            str(chain.leaf_key),
            "--signing_certificate",
            str(chain.leaf),
            "--certificate_chain",
            str(chain.intermediate),
        )


def run(mode: str, model: Path, sig: Path, *args: str) -> None:
    subprocess.run([*CLI, "sign", mode, str(model), "--signature", str(sig), *args], check=True)


if __name__ == "__main__":
    main()
