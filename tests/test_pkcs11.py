"""PKCS#11 signing (safeload.signing.pkcs11) against a SoftHSM2 token.

SoftHSM2 is a Debian package (``softhsm2``) that .ci/run installs. Without it these tests skip
with a visible reason, except in CI (``CI`` set), where a missing SoftHSM2 is a failure.
"""

from __future__ import annotations

import io
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import safeload
from safeload import KeyFormatError, Keyring
from safeload.cli import main
from safeload.signing.pkcs11 import PKCS11Signer, parse_pkcs11_uri

MODULES = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
)
MODULE = next((m for m in MODULES if os.path.exists(m)), None)
USER_PIN = "246810"


def _softhsm_or_skip() -> str:
    if MODULE is not None and shutil.which("softhsm2-util"):
        return MODULE
    if os.environ.get("CI"):
        pytest.fail("CI is set but SoftHSM2 is not installed: .ci/run must install softhsm2")
    pytest.skip("SoftHSM2 is not installed (apt-get install softhsm2); PKCS#11 tests skipped")


# The token this process made, with its configuration file: made once per process.
_MADE: dict[str, str] = {}


def _make_token(base: Path, module: str) -> dict[str, str]:
    """Initialise a SoftHSM2 token under ``base`` with P-256, P-384 and (where SoftHSM2 has
    it) Ed25519 key pairs, labelled ec256, ec384 and ed; ``SOFTHSM2_CONF`` must point at
    ``base/softhsm2.conf`` already."""
    pkcs11 = pytest.importorskip("pkcs11", reason="python-pkcs11 (test extra) is not installed")
    from pkcs11.util.ec import encode_named_curve_parameters

    subprocess.run(
        [
            *("softhsm2-util", "--init-token", "--free", "--label", "release"),
            *("--so-pin", "13579", "--pin", USER_PIN),
        ],
        check=True,
        capture_output=True,
    )
    tok = pkcs11.lib(module).get_token(token_label="release")
    with tok.open(user_pin=USER_PIN, rw=True) as session:
        for label, curve in (("ec256", "secp256r1"), ("ec384", "secp384r1")):
            params = session.create_domain_parameters(
                pkcs11.KeyType.EC,
                {pkcs11.Attribute.EC_PARAMS: encode_named_curve_parameters(curve)},
                local=True,
            )
            params.generate_keypair(store=True, label=label)
        ed25519 = "no"
        try:  # SoftHSM2 has Ed25519 when built against OpenSSL 1.1.1 or later
            params = session.create_domain_parameters(
                pkcs11.KeyType.EC_EDWARDS,
                {pkcs11.Attribute.EC_PARAMS: encode_named_curve_parameters("1.3.101.112")},
                local=True,
            )
            params.generate_keypair(
                store=True, label="ed", mechanism=pkcs11.Mechanism.EC_EDWARDS_KEY_PAIR_GEN
            )
            ed25519 = "yes"
        except pkcs11.PKCS11Error:
            pass
    return {"module": module, "dir": str(base), "ed25519": ed25519}


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """One SoftHSM2 token with a P-256 and a P-384 key pair (labels ec256, ec384).

    SoftHSM reads its configuration once per process (at the first ``C_Initialize``), so the
    token is made once per process and every test shares it. The fixture is per module only
    so that ``SOFTHSM2_CONF`` is set while this module runs; under xdist a worker may run this
    module's tests in several stretches, and making a second token then put a second pair of
    each label into the first token (the library still reads the first configuration): CI's
    "expected one PUBLIC_KEY object matching object=ec256, found 2"."""
    module = _softhsm_or_skip()
    before = os.environ.get("SOFTHSM2_CONF")
    if not _MADE:
        base = tmp_path_factory.mktemp("softhsm")
        (base / "tokens").mkdir()
        conf = base / "softhsm2.conf"
        conf.write_text(f"directories.tokendir = {base / 'tokens'}\nobjectstore.backend = file\n")
        os.environ["SOFTHSM2_CONF"] = str(conf)
        try:
            _MADE.update(_make_token(base, module))
        except BaseException:
            _restore(before)
            raise
    os.environ["SOFTHSM2_CONF"] = str(Path(_MADE["dir"]) / "softhsm2.conf")
    yield dict(_MADE)
    _restore(before)


def _restore(before: str | None) -> None:
    if before is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = before


def uri(token: dict[str, str], label: str = "ec256") -> str:
    return f"pkcs11:token=release;object={label}?module-path={token['module']}"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_parse_uri() -> None:
    parsed = parse_pkcs11_uri("pkcs11:token=my%20token;id=%01%a2?module-path=/lib/x.so")
    assert (parsed.token, parsed.id, parsed.module_path) == ("my token", b"\x01\xa2", "/lib/x.so")
    for bad, why in (
        ("pkcs11:token=t;object=k;pin-value=1234?module-path=/x.so", "PIN"),
        ("pkcs11:token=t;object=k?module-path=/x.so&pin-source=file:/p", "PIN"),
        ("pkcs11:token=t;object=k", "module-path"),
        ("pkcs11:token=t?module-path=/x.so", "object="),
        ("pkcs11:token=t;object=k;colour=red?module-path=/x.so", "unsupported"),
        ("pkcs11:token=t;token=u;object=k?module-path=/x.so", "twice"),
        ("file:key.pem", "pkcs11:"),
    ):
        with pytest.raises(KeyFormatError, match=why):
            parse_pkcs11_uri(bad)


@pytest.mark.parametrize("label", ["ec256", "ec384"])
def test_sign_safeload_sidecar_in_the_token(
    token: dict[str, str], tmp_path: Path, label: str
) -> None:
    signer = PKCS11Signer.from_uri(uri(token, label), pin=USER_PIN)
    assert signer.algorithm == {"ec256": "ecdsa-p256", "ec384": "ecdsa-p384"}[label]
    assert isinstance(signer, safeload.PublicKeySigner)
    model = tmp_path / "m.pkl"
    model.write_bytes(pickle.dumps({"k": label}))
    safeload.sign(model, signer)
    assert safeload.load(model, signer.public_key) == {"k": label}
    assert safeload.load(model, Keyring([signer])) == {"k": label}  # its public key is pinned


def test_cli_pin_from_environment(
    token: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "m.pkl"
    model.write_bytes(pickle.dumps([1]))
    monkeypatch.delenv("SAFELOAD_PKCS11_PIN", raising=False)
    code, _, err = run("sign", str(model), "--key", uri(token))
    assert code == 2 and "SAFELOAD_PKCS11_PIN" in err
    monkeypatch.setenv("SAFELOAD_PKCS11_PIN", "000000")
    code, _, err = run("sign", str(model), "--key", uri(token))
    assert code == 2 and "wrong PIN" in err
    monkeypatch.setenv("SAFELOAD_PKCS11_PIN", USER_PIN)
    code, _, err = run("sign", str(model), "--key", uri(token))
    assert code == 0, err
    pub = PKCS11Signer.from_uri(uri(token), pin=USER_PIN).public_key.save(tmp_path / "hsm.pub")
    assert run("verify", str(model), "--pub", str(pub))[0] == 0


def test_missing_object_is_a_clear_error(token: dict[str, str]) -> None:
    with pytest.raises(KeyFormatError, match="found 0"):
        PKCS11Signer.from_uri(uri(token, "nope"), pin=USER_PIN)


def test_model_signing_bundle_from_the_token_verifies_in_model_signing(
    token: dict[str, str], tmp_path: Path
) -> None:
    pytest.importorskip("model_signing", reason="model-signing (test extra) is not installed")
    signer = PKCS11Signer.from_uri(uri(token), pin=USER_PIN)
    model = tmp_path / "model"
    model.mkdir()
    (model / "weights.bin").write_bytes(b"\x01" * 100)
    sig = safeload.sign(model, signer, signature_format="model-signing")
    pub = signer.public_key.save(tmp_path / "hsm.pub")
    result = subprocess.run(
        [
            *(sys.executable, "-m", "model_signing", "verify", "key", str(model)),
            *("--signature", str(sig), "--public_key", str(pub)),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert safeload.verify(model, signer.public_key)


def test_ed25519_key_in_the_token(token: dict[str, str], tmp_path: Path) -> None:
    if token["ed25519"] != "yes":
        pytest.skip("this SoftHSM2 build has no Ed25519 (CKM_EC_EDWARDS_KEY_PAIR_GEN)")
    signer = PKCS11Signer.from_uri(uri(token, "ed"), pin=USER_PIN)
    assert signer.algorithm == "ed25519"
    assert isinstance(signer.public_key, safeload.VerifyKey)
    model = tmp_path / "m.pkl"
    model.write_bytes(pickle.dumps("ed"))
    safeload.sign(model, signer)
    assert safeload.load(model, signer.public_key) == "ed"
    # model_signing accepts only ECDSA: refused before anything is written
    with pytest.raises(KeyFormatError, match="ECDSA"):
        safeload.sign(model, signer, signature_format="model-signing", signature=tmp_path / "x")
    assert not (tmp_path / "x").exists()
