"""Test X.509 chains (root -> intermediate -> leaf), made with cryptography; no network."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = dt.datetime.now(dt.timezone.utc)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _usage(*, sign: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def make_cert(
    cn: str,
    key: ec.EllipticCurvePrivateKey,
    issuer_cn: str,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
    digital_signature: bool = True,
    code_signing: bool = False,
    usages: tuple[x509.ObjectIdentifier, ...] = (),
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
) -> x509.Certificate:
    """One certificate; a leaf gets digitalSignature unless told otherwise."""
    b = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(_name(issuer_cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or NOW - dt.timedelta(days=1))
        .not_valid_after(not_after or NOW + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .add_extension(_usage(sign=digital_signature and not ca, ca=ca), critical=True)
    )
    if code_signing:
        usages = (ExtendedKeyUsageOID.CODE_SIGNING, *usages)
    if usages:
        b = b.add_extension(x509.ExtendedKeyUsage(list(usages)), False)
    return b.sign(issuer_key, hashes.SHA256())


def self_signed(key: ec.EllipticCurvePrivateKey, cn: str = "publisher") -> x509.Certificate:
    """A self-signed leaf certificate for ``key``: a public-key form, not a chain."""
    return make_cert(cn, key, cn, key, ca=False)


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@dataclass
class Chain:
    """Files of a test PKI in ``dir``: ca.pem, int.pem, leaf.pem, leaf.key."""

    dir: Path
    ca: Path
    intermediate: Path
    leaf: Path
    leaf_key: Path


def make_chain(
    directory: Path, period: tuple[dt.datetime, dt.datetime] | None = None, **leaf_options: object
) -> Chain:
    """Root CA, intermediate CA and a P-256 leaf, written as PEM files. ``period`` sets the
    CAs' validity (and the leaf's, unless ``leaf_options`` does)."""
    directory.mkdir(parents=True, exist_ok=True)
    rk, ik, lk = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    when: dict[str, dt.datetime] = {}
    if period is not None:
        when = {"not_before": period[0], "not_after": period[1]}
        leaf_options = {**when, **leaf_options}
    root = make_cert("Test Root CA", rk, "Test Root CA", rk, ca=True, **when)
    inter = make_cert("Test Intermediate", ik, "Test Root CA", rk, ca=True, **when)
    leaf = make_cert("model signer", lk, "Test Intermediate", ik, ca=False, **leaf_options)  # type: ignore[arg-type]
    files = {
        "ca.pem": pem(root),
        "int.pem": pem(inter),
        "leaf.pem": pem(leaf),
        "leaf.key": key_pem(lk),
    }
    for name, data in files.items():
        (directory / name).write_bytes(data)
    return Chain(
        directory,
        directory / "ca.pem",
        directory / "int.pem",
        directory / "leaf.pem",
        directory / "leaf.key",
    )
