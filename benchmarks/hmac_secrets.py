"""How often ``HMACKey`` refuses random secrets as public keys, and how long a large one takes.

    .venv/bin/python benchmarks/hmac_secrets.py [--count 20000]

For ``count`` random secrets of 32 to 64 bytes, each written five ways (hex, base64, url-safe
base64 without padding, base32, and ``secrets.token_urlsafe(48)``), counts the secrets
``HMACKey`` refuses (each refusal printed: it would be a false refusal), then times one
4 MB base64 secret (the checks are linear; a real secret is a few dozen bytes).
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import time

from safeload.exceptions import KeyFormatError
from safeload.signing.hmac_key import HMACKey


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=20_000)
    args = ap.parse_args(argv)
    tried = refused = 0
    start = time.perf_counter()
    for i in range(args.count):
        raw = os.urandom(32 + i % 33)
        forms = (
            raw.hex().encode(),
            base64.b64encode(raw),
            base64.urlsafe_b64encode(raw).rstrip(b"="),
            base64.b32encode(raw),
            secrets.token_urlsafe(48).encode(),
        )
        for form in forms:
            tried += 1
            try:
                HMACKey(form)
            except KeyFormatError as exc:
                refused += 1
                print(f"refused {form!r}: {exc}")
    took = time.perf_counter() - start
    print(f"{tried:,} random secrets, {refused} refused, {took:.1f} s")
    big = base64.b64encode(os.urandom(3_000_000))
    start = time.perf_counter()
    try:
        HMACKey(big)
    except KeyFormatError:
        pass
    print(f"one {len(big) / 1e6:.1f} MB base64 secret: {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
