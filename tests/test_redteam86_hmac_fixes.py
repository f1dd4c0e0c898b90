"""Red team 86's HMAC findings, fixed: rt86-05 (``od -An``: dumps without an address column),
rt86-06 (a fixed charge per decoded form), rt86-08 (other languages' signed byte casts) and
rt86-12 (a random base85 secret read as a raw-deflated Java KeyStore): the honest side of
each fix, and variants of the reproducers (tests/security/test_redteam86.py holds those)."""

from __future__ import annotations

import base64
import os
import struct
import zlib
from typing import Any

import pytest

from redteam import HMAC_OF_FILE, child, hmac_refuses, p256_pem_and_der, raw_deflate

# --- rt86-05: od's decimal words and character dumps without the offset column -------------


def _od_an_words(data: bytes, size: int, signed: bool = False) -> bytes:
    """``od -An -d`` (2-byte unsigned words), ``-An -t d2`` (signed), ``-An -t d8``
    (``size`` 8, signed), little-endian, byte for byte as GNU od 9 prints them."""
    form, width = {
        (2, False): ("<H", 6),
        (2, True): ("<h", 7),
        (8, True): ("<q", 21),
    }[(size, signed)]
    data += b"\0" * (-len(data) % size)
    lines = []
    for at in range(0, len(data), 16):
        chunk = data[at : at + 16]
        words = [struct.unpack(form, chunk[i : i + size])[0] for i in range(0, len(chunk), size)]
        lines.append("".join(f"{w:>{width}}" for w in words))
    return ("\n".join(lines) + "\n").encode()


_OD_ESCAPES = {0: "\\0", 7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r"}


def _od_an_chars(data: bytes, width: int = 16) -> bytes:
    """``od -An -c`` of ``data`` (``-w`` ``width``), as GNU od 9 prints it."""
    lines = []
    for at in range(0, len(data), width):
        cells = []
        for byte in data[at : at + width]:
            cell = _OD_ESCAPES.get(byte) or (chr(byte) if 32 <= byte < 127 else f"{byte:03o}")
            cells.append(f"{cell:>4}")
        lines.append("".join(cells))
    return ("\n".join(lines) + "\n").encode()


def test_rt86_05_od_without_offsets_one_cell_a_line():
    # ``od -An -c -w1``: one cell a line
    pem, der = p256_pem_and_der()
    hmac_refuses(_od_an_chars(der, width=1))
    hmac_refuses(_od_an_chars(pem, width=1))


def test_rt86_05_real_od_and_hexdump(tmp_path):
    # the real tools, where installed: every form the finding lists (od -An -a of the DER
    # drops each byte's high bit, and is left out: a documented limit)
    import shutil
    import subprocess

    if shutil.which("od") is None or shutil.which("hexdump") is None:
        pytest.skip("od or hexdump not installed")
    pem, der = p256_pem_and_der()
    forms = [
        ["-An", "-d"],
        ["-An", "-t", "d2"],
        ["-An", "-t", "d8"],
        ["-An", "-l"],
        ["-An", "-s"],
        ["-An", "-t", "u2", "-w4"],
        ["-An", "-t", "d4", "-w4"],
        ["-An", "-c"],
        ["-An", "-c", "-w1"],
    ]
    for name, data in (("key.der", der), ("key.pem", pem)):
        path = tmp_path / name
        path.write_bytes(data)
        runs = [["od", *args, str(path)] for args in forms]
        runs.append(["hexdump", "-e", '16/2 "%6u " "\\n"', str(path)])
        if name == "key.pem":
            runs.append(["od", "-An", "-a", str(path)])
        for run in runs:
            out = subprocess.run(run, capture_output=True, check=True).stdout
            hmac_refuses(out)


def test_rt86_05_honest_decimal_lines_accepted():
    # the honest side: a random secret written as lines of decimal numbers, or as od -An of
    # its own bytes, is random bytes, not a key
    import os

    from safeload.signing.hmac_key import HMACKey

    for _ in range(20):
        raw = os.urandom(64)
        HMACKey(_od_an_words(raw, 2))
        HMACKey(_od_an_words(raw, 8, signed=True))
        HMACKey(_od_an_chars(raw))
        HMACKey(" ".join(str(b) for b in raw).encode())


# --- rt86-08: the casts and literals of other languages around a key's bytes ----------------


def _items(der: bytes, high: Any, low: Any = str) -> str:
    return ", ".join(high(b) if b > 127 else low(b) for b in der)


def test_rt86_08_honest_casts_accepted():
    # the honest side: a random secret written with the same casts is random bytes
    import os

    from safeload.signing.hmac_key import HMACKey

    for _ in range(20):
        raw = os.urandom(48)
        HMACKey(("Array[Byte](" + _items(raw, lambda b: f"{b}.toByte") + ")").encode())
        HMACKey(("{" + ", ".join(f"&H{b:02X}" for b in raw) + "}").encode())
        HMACKey(("[" + _items(raw, lambda b: f"{b}u8 as i8") + "]").encode())


# --- rt86-06: a dump of short lines: every line a form, every form read three levels --------


def test_rt86_06_many_short_distinct_forms(tmp_path):
    # lines that differ (so reading each form once does not help): od -An -c cells of NULs
    # with three other bytes a line, and decimal dump lines: 256 KB takes some 1.3 s (a
    # random secret of 256 KB: 0.25 s; ``xxd -p`` of one, two honest forms a line, 1.8 s)
    import random

    rnd = random.Random(1)
    for kind in ("chars", "decimals"):
        lines: list[str] = []
        while sum(map(len, lines)) < 262_144:
            if kind == "chars":
                cells = ["  \\0"] * 16
                for _ in range(3):
                    cells[rnd.randrange(16)] = f" {rnd.randrange(1, 256):03o}"
                lines.append("".join(cells))
            else:
                values = (str(rnd.choice([10, 0, 1, 2, 255])) for _ in range(16))
                lines.append("0000000 " + " ".join(values))
        path = tmp_path / f"{kind}.txt"
        path.write_bytes(("\n".join(lines) + "\n").encode())
        done = child(HMAC_OF_FILE, path, cpu=4.0)
        assert "made" in done.stdout or "refused" in done.stdout, str(done)


_HONEST_ENCODINGS = {
    "hex": lambda r: r.hex().encode() + b"\n",
    "base64": lambda r: base64.b64encode(r) + b"\n",
    "base64url": lambda r: base64.urlsafe_b64encode(r).rstrip(b"="),
    "base32": base64.b32encode,
    "base85": base64.b85encode,
    "base64_wrapped": lambda r: base64.encodebytes(r),  # (76 columns, as `base64` writes)
    "xxd_p": lambda r: b"".join(r[i : i + 30].hex().encode() + b"\n" for i in range(0, len(r), 30)),
}


@pytest.mark.parametrize("encoding", sorted(_HONEST_ENCODINGS))
def test_rt86_06_honest_random_secrets_accepted(encoding):
    # the honest side of the fixed charge: random secrets of 32 bytes to 200 KB, in every
    # usual encoding, stay within the budget (``xxd -p``, two forms a line, uses some 75%
    # of it; a wrapped base64 one less)
    from safeload.signing.hmac_key import HMACKey

    for size in (32, 33, 64, 128, 1_000, 20_000, 200_000):
        HMACKey(_HONEST_ENCODINGS[encoding](os.urandom(size)))


# --- rt86-12: random base85 text read as a raw deflate stream of a JCEKS magic ---------------


def _jks(der: bytes, magic: bytes = b"\xfe\xed\xfe\xed") -> bytes:
    """A Java KeyStore (JKS, or JCEKS by its magic) of one trusted certificate, as keytool
    writes it (version 2), with its integrity hash under "changeit"."""
    import hashlib

    def utf(text: str) -> bytes:
        return struct.pack(">H", len(text)) + text.encode()

    body = magic + struct.pack(">III", 2, 1, 2) + utf("signer")
    body += struct.pack(">Q", 0) + utf("X.509") + struct.pack(">I", len(der)) + der
    password = "changeit".encode("utf-16-be")
    return body + hashlib.sha1(password + b"Mighty Aphrodite" + body).digest()  # noqa: S324


@pytest.mark.parametrize("magic", [b"\xfe\xed\xfe\xed", b"\xce\xce\xce\xce"])
def test_rt86_12_real_key_stores_still_refused(magic):
    # the refusal side: a key store with its version is refused as it is, raw-deflated
    # (ended, or flushed and not ended), after a text preamble, and in base64
    _, der = p256_pem_and_der()
    store = _jks(os.urandom(200), magic)
    for secret in (
        store,
        raw_deflate(store, zlib.Z_FINISH),
        raw_deflate(store, zlib.Z_SYNC_FLUSH),
        raw_deflate(b"a label\n" + store, zlib.Z_FINISH),
        base64.b64encode(store),
        b"some text\n" + store,
    ):
        hmac_refuses(secret)
    hmac_refuses(base64.b64encode(raw_deflate(_jks(der, magic), zlib.Z_SYNC_FLUSH)))
