"""safeload: signed, allowlisted loading of machine-learning model files.

Save with :func:`dump` (writes ``model.joblib`` and ``model.joblib.sig``), load with :func:`load`
(verifies the signature on the exact bytes, then deserializes them through a restricted reader).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below, for type checkers; at run time see __getattr__
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
    from safeload.pickle.analysis import ScanReport
    from safeload.policy import Limits, Policy
    from safeload.sidecar import Statement
    from safeload.signing import InconsistentVersionWarning, VersionMismatchWarning
    from safeload.signing.ecdsa import (
        ECDSASigningKey,
        ECDSAVerifyKey,
        load_public_key,
        load_signing_key,
    )
    from safeload.signing.hmac_key import HMACKey
    from safeload.signing.keyring import Keyring
    from safeload.signing.keys import Signer, SigningKey, Verifier, VerifyKey, generate_keypair
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

#: Where each public name lives. ``import safeload`` imports none of these modules: a name is
#: imported the first time it is used (PEP 562), so that ``safeload scan`` does not pay for the
#: signing stack (``cryptography``) or a CLI call for modules it does not use. The names
#: :mod:`safeload.api` re-exports from a lighter module are taken from there (``scan`` needs
#: none of the writing and signing modules ``safeload.api`` imports).
_LAZY: dict[str, str] = {
    "TrustProfile": "safeload._profiles",
    "convert": "safeload.api",
    "dump": "safeload.api",
    "dumps": "safeload.api",
    "inspect_sidecar": "safeload._unsigned",
    "installed_version": "safeload._profiles",
    "load": "safeload.api",
    "load_unsigned": "safeload._unsigned",
    "loads": "safeload.api",
    "profiles_for_name": "safeload._profiles",
    "scan": "safeload._unsigned",
    "sidecar_path": "safeload.api",
    "sign": "safeload.api",
    "trust_profiles": "safeload._profiles",
    "verify": "safeload.api",
    "ArtifactNotFoundError": "safeload.exceptions",
    "InsufficientSignaturesError": "safeload.exceptions",
    "InvalidSignatureError": "safeload.exceptions",
    "KeyFormatError": "safeload.exceptions",
    "LimitExceededError": "safeload.exceptions",
    "MalformedArtifactError": "safeload.exceptions",
    "MissingSignatureError": "safeload.exceptions",
    "RetiredKeyError": "safeload.exceptions",
    "SafeloadError": "safeload.exceptions",
    "SidecarFormatError": "safeload.exceptions",
    "SignatureError": "safeload.exceptions",
    "UnsafeStateError": "safeload.exceptions",
    "UntrustedTypeError": "safeload.exceptions",
    "UsageError": "safeload.exceptions",
    "HMACKey": "safeload.signing.hmac_key",
    "Keyring": "safeload.signing.keyring",
    "Signer": "safeload.signing.keys",
    "SigningKey": "safeload.signing.keys",
    "Verifier": "safeload.signing.keys",
    "VerifyKey": "safeload.signing.keys",
    "generate_keypair": "safeload.signing.keys",
    "Limits": "safeload.policy",
    "Policy": "safeload.policy",
    "ScanReport": "safeload.pickle.analysis",
    "Statement": "safeload.sidecar",
    "InconsistentVersionWarning": "safeload.signing",
    "VersionMismatchWarning": "safeload.signing",
    "ECDSASigningKey": "safeload.signing.ecdsa",
    "ECDSAVerifyKey": "safeload.signing.ecdsa",
    "load_public_key": "safeload.signing.ecdsa",
    "load_signing_key": "safeload.signing.ecdsa",
    "CertificateAuthority": "safeload.signing.modelsig",
    "PublicKeySigner": "safeload.signing.signer",
    "TrustState": "safeload.state",
}


def __getattr__(name: str) -> Any:
    import importlib

    from safeload._lazy import resolve

    module = _LAZY.get(name)
    if module is None:
        # a submodule (safeload.api, safeload.signing...), which the eager imports used to
        # make an attribute of the package as a side effect
        if name.startswith("__"):
            raise AttributeError(f"module 'safeload' has no attribute {name!r}")
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module 'safeload' has no attribute {name!r}") from None
    return resolve(globals(), module, name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
