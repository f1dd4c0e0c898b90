"""safeload: signed, allowlisted loading of machine-learning model files.

Save with :func:`dump` (writes ``model.joblib`` and ``model.joblib.sig``), load with :func:`load`
(verifies the signature on the exact bytes, then deserializes them through a restricted reader).
"""

from __future__ import annotations

from safeload.api import (
    TrustProfile,
    convert,
    dump,
    dumps,
    inspect_sidecar,
    installed_version,
    load,
    load_unsigned,
    loads,
    profiles_for_name,
    scan,
    sidecar_path,
    sign,
    trust_profiles,
    verify,
)
from safeload.exceptions import (
    ArtifactNotFoundError,
    InsufficientSignaturesError,
    InvalidSignatureError,
    KeyFormatError,
    LimitExceededError,
    MalformedArtifactError,
    MissingSignatureError,
    RetiredKeyError,
    SafeloadError,
    SidecarFormatError,
    SignatureError,
    UnsafeStateError,
    UntrustedTypeError,
    UsageError,
)
from safeload.keys import (
    HMACKey,
    Keyring,
    Signer,
    SigningKey,
    Verifier,
    VerifyKey,
    generate_keypair,
)
from safeload.policy import Limits, Policy
from safeload.scan import ScanReport
from safeload.sidecar import Statement
from safeload.signing import InconsistentVersionWarning, VersionMismatchWarning
from safeload.signing.ecdsa import (
    ECDSASigningKey,
    ECDSAVerifyKey,
    load_public_key,
    load_signing_key,
)
from safeload.signing.modelsig import CertificateAuthority
from safeload.signing.signer import PublicKeySigner
from safeload.state import TrustState

__version__ = "0.1.0"

__all__ = [
    "ArtifactNotFoundError",
    "CertificateAuthority",
    "ECDSASigningKey",
    "ECDSAVerifyKey",
    "HMACKey",
    "InconsistentVersionWarning",
    "InsufficientSignaturesError",
    "InvalidSignatureError",
    "KeyFormatError",
    "Keyring",
    "LimitExceededError",
    "Limits",
    "MalformedArtifactError",
    "MissingSignatureError",
    "Policy",
    "PublicKeySigner",
    "RetiredKeyError",
    "SafeloadError",
    "ScanReport",
    "SidecarFormatError",
    "SignatureError",
    "Signer",
    "SigningKey",
    "Statement",
    "TrustProfile",
    "TrustState",
    "UnsafeStateError",
    "UntrustedTypeError",
    "UsageError",
    "Verifier",
    "VerifyKey",
    "VersionMismatchWarning",
    "__version__",
    "convert",
    "dump",
    "dumps",
    "generate_keypair",
    "inspect_sidecar",
    "installed_version",
    "load",
    "load_public_key",
    "load_signing_key",
    "load_unsigned",
    "loads",
    "profiles_for_name",
    "scan",
    "sidecar_path",
    "sign",
    "trust_profiles",
    "verify",
]
