"""Regenerate the format-v1 golden vectors. Run once per format version, never to "fix" a test.

    python tests/vectors/make_vectors.py

The Ed25519 private key is generated, used, and discarded: only the public key is kept. The HMAC
vector uses the published test-only secret in hmac-test-secret.hex (it protects nothing).
"""

from __future__ import annotations

import json
import pickle
from datetime import datetime, timezone
from pathlib import Path

from safeload import HMACKey, SigningKey
from safeload.signing import sign_bytes

HERE = Path(__file__).parent
CREATED = datetime(2026, 11, 22, 12, 0, 0, tzinfo=timezone.utc)
ENV = {
    "python": "3.11.7",
    "scikit-learn": "1.9.1",
    "joblib": "1.6.0",
    "numpy": "2.4.6",
    "safeload": "0.1.0",
}


def main() -> None:
    out = HERE / "v1"
    out.mkdir(exist_ok=True)
    artifact = pickle.dumps({"coef": [135.78767123], "intercept": 180616.43835616}, protocol=4)
    (out / "model.pkl").write_bytes(artifact)
    ed = SigningKey.generate()
    (out / "ed25519.pub").write_bytes(ed.public_key.to_pem())
    env = sign_bytes(
        artifact,
        ed,
        name="model.pkl",
        format="pickle",
        created=CREATED,
        version="1.0.0",
        env=ENV,
        blake3=False,
    )
    (out / "model.pkl.sig").write_bytes(env.to_json())
    secret = bytes.fromhex((HERE / "hmac-test-secret.hex").read_text().strip())
    hk = HMACKey(secret)
    env = sign_bytes(
        artifact, hk, name="model.pkl", format="pickle", created=CREATED, env=ENV, blake3=False
    )
    (out / "model.pkl.hmac.sig").write_bytes(env.to_json())
    blake3_vector()
    ecdsa_vectors()
    (out / "expected.json").write_text(
        json.dumps(
            {
                "ed25519_keyid": ed.keyid,
                "hmac_keyid": hk.keyid,
                "created": "2026-11-22T12:00:00Z",
            },
            indent=2,
        )
        + "\n"
    )


def blake3_vector() -> None:
    """The v1 sidecar with the optional BLAKE3 digest (added after v1's first vectors; needs
    safeload[fast]). HMAC with the published test secret, so it can be made again any time."""
    out = HERE / "v1"
    artifact = (out / "model.pkl").read_bytes()
    secret = bytes.fromhex((HERE / "hmac-test-secret.hex").read_text().strip())
    env = sign_bytes(
        artifact,
        HMACKey(secret),
        name="model.pkl",
        format="pickle",
        created=CREATED,
        env=ENV,
        blake3=True,
    )
    (out / "model.pkl.hmac-blake3.sig").write_bytes(env.to_json())


def ecdsa_vectors() -> None:
    """The v1 sidecar signed with ECDSA P-256 and P-384 keys (added with ECDSA support). The
    private keys are generated, used and discarded; the public keys are kept."""
    from safeload.signing.ecdsa import ECDSASigningKey

    out = HERE / "v1"
    artifact = (out / "model.pkl").read_bytes()
    for curve in ("p256", "p384"):
        key = ECDSASigningKey.generate(f"ecdsa-{curve}")
        (out / f"ecdsa-{curve}.pub").write_bytes(key.public_key.to_pem())
        env = sign_bytes(
            artifact,
            key,
            name="model.pkl",
            format="pickle",
            created=CREATED,
            version="1.0.0",
            env=ENV,
            blake3=False,
        )
        (out / f"model.pkl.ecdsa-{curve}.sig").write_bytes(env.to_json())


if __name__ == "__main__":
    main()
