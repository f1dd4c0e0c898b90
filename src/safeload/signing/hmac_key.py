"""HMAC-SHA256 keys: one shared secret, for use inside one trust domain only.

An :class:`HMACKey` only ever computes HMACs, so a sidecar cannot steer it into checking a
public-key signature, nor a public key into acting as a secret.

Red team 83: a raw deflate stream (no header) of a key or text is refused (rt83-07; brotli,
which has no magic number and no decoder in the standard library, is a documented limit), and
a text preamble is UTF-8 and common control characters, read at every line start (rt83-08).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import os
import re
import secrets
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from safeload.exceptions import KeyFormatError
from safeload.signing.keyfiles import read_key_file, write_new_file

__all__ = ["MIN_HMAC_SECRET", "HMACKey"]

#: Shortest HMAC secret accepted, in bytes (256 bits).
MIN_HMAC_SECRET = 32
_HKDF_MAC_LABEL = b"safeload/v1 hmac-sha256 signing key"
_HKDF_ID_LABEL = b"safeload/v1 hmac-sha256 key id"


#: An armour line anywhere: PEM's (RFC 7468 allows explanatory text, a BOM, before it) and
#: the SSH2 public key file's (RFC 4716, four dashes).
_ARMOUR = re.compile(rb"-{4,5} ?BEGIN [A-Z0-9 ]*-{4,5}")
#: An OpenSSH public-key line: its algorithm name, then the base64 blob (which starts "AAAA",
#: the big-endian length of the name). Names are bounded: an unbounded ``[a-z0-9-]+`` before a
#: suffix backtracked quadratically over a long run of letters (200 KB: 84 s, rt55-04).
_OPENSSH_LINE = re.compile(
    rb"(?:ssh-(?:ed25519|ed448|rsa|dss)|ecdsa-sha2-nistp(?:256|384|521)"
    rb"|sk-[a-z0-9-]{1,64}@openssh\.com|[a-z0-9-]{1,64}-cert-v01@openssh\.com)[ \t]+AAAA"
)
#: minisign's and signify's public key files start with this comment line.
_UNTRUSTED_COMMENT = b"untrusted comment:"
#: The algorithm names an OpenSSH wire-format key blob starts with (after their 4-byte length).
_OPENSSH_BLOB = re.compile(
    rb"\x00\x00\x00[\x07-\x40](?:ssh-|ecdsa-sha2-|sk-)[a-z0-9@.-]*\x00\x00\x00"
)
#: Base64 text (standard or URL-safe alphabet, padded or not), and hex text: whole, or with
#: a ``0x`` prefix, or in pairs joined by colons (OpenSSL's ``-text`` output).
_BASE64_TEXT = re.compile(rb"[A-Za-z0-9+/_-]+={0,2}")
_HEX_TEXT = re.compile(rb"(?:0x)?((?:[0-9A-Fa-f]{2})+)")
_COLON_HEX = re.compile(rb"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})+")
#: A run of base64 (or hex) long enough to hold the shortest public key, DER-encoded (an
#: Ed25519 SubjectPublicKeyInfo is 44 bytes, 60 characters): inside quotes, after a key name.
_BASE64_TOKEN = re.compile(rb"[A-Za-z0-9+/_-]{56,}={0,2}")
#: A percent-escaped byte: URL-encoded text.
_PERCENT = re.compile(rb"%[0-9A-Fa-f]{2}")
#: How many times a secret is decoded from text looking for a public key: a PEM file in
#: base64 (a Kubernetes Secret's data) is two encodings deep, a DER body in base64 in hex three.
_MAX_DECODES = 3
#: One line of OpenSSL's ``-text`` dump of a key: colon-separated hex, ending in a colon but
#: for the last (the public point or modulus it prints after ``pub:``).
_COLON_HEX_LINE = re.compile(rb"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})*:?")


def _colon_hex_blocks(text: bytes) -> list[bytes]:
    """The runs of consecutive colon-hex lines in ``text``, each decoded: one pass over the
    lines, each matched on its own (a regular expression over the whole run backtracked
    quadratically on 96 KB of ``aa:`` without its line end, rt55-04)."""
    blocks: list[bytes] = []
    run: list[bytes] = []
    for line in [*text.splitlines(), b""]:
        part = line.strip()
        if part and _COLON_HEX_LINE.fullmatch(part):
            run.append(part.replace(b":", b""))
            continue
        digits = b"".join(run)
        if len(digits) >= 64:
            blocks.append(bytes.fromhex(digits.decode("ascii")))
        run = []
    return blocks


def _trimmed(secret: bytes) -> list[bytes]:
    """``secret`` with the whitespace a file read adds taken off: each way to take up to four
    whitespace bytes off either end (not ``strip``: DER itself may start or end with a byte
    that is whitespace, such as a point's last byte 0x0a)."""
    space = b" \t\r\n\x0b\x0c\x00"  # (and a C string's NUL, rt56-03)
    heads = [i for i in range(5) if all(b in space for b in secret[:i])]
    tails = [i for i in range(5) if all(b in space for b in secret[len(secret) - i :])]
    return [
        secret[head : len(secret) - tail]
        for head in heads
        for tail in tails
        if (head or tail) and head + tail < len(secret)
    ]


def _from_base64(text: bytes) -> list[bytes]:
    """``text`` decoded from base64, with either alphabet, padding optional."""
    import binascii

    text = text.rstrip(b"=")
    padded = text + b"=" * (-len(text) % 4)
    decoded: list[bytes] = []
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            form = decode(padded)
        except (binascii.Error, ValueError):
            continue
        if form not in decoded:  # (the alphabets agree on most text)
            decoded.append(form)
    return decoded


def _decoded(secret: bytes) -> list[bytes]:
    """What ``secret`` decodes to if it is text: base64 (a PEM body without its armour, an
    OpenSSH blob as in ``authorized_keys``, ``base64 pub.pem``) or hex (bare, ``0x``-prefixed
    or colon-separated, ``xxd -p pub.pem``), taken whole (whitespace and line breaks
    dropped), block by block (OpenSSL's ``-text`` dump holds the key as colon-hex lines), and
    token by token (a base64 body in quotes or after a YAML or JSON key, rt56-03); and the
    other radix, dump and uuencoded forms key files take, and the texts a code page reads.
    Every decoded form is shorter than the text but an Ascii85 one of a text of at most
    :data:`MAX_REREAD_TEXT` bytes (``z`` is four bytes, rt77-05) and a code page's reading,
    and the tokens do not overlap. URL-encoded text is unescaped."""
    forms: list[bytes] = []
    joined = b"".join(secret.split())  # (a PEM body is wrapped at 64 characters)
    if _COLON_HEX.fullmatch(joined):
        joined = joined.replace(b":", b"")
    # OpenSSL's -text dump ("Public-Key: (256 bit)", "pub:", then the point in lines of
    # colon-separated hex, rt54-05): each such block, decoded
    forms.extend(_colon_hex_blocks(secret.strip()))
    hex_text = _HEX_TEXT.fullmatch(joined)
    if hex_text:
        forms.append(bytes.fromhex(hex_text.group(1).decode("ascii")))
    if _BASE64_TEXT.fullmatch(joined):
        forms.extend(_from_base64(joined))
    forms.extend(_radix_text(joined))
    btoa = _BTOA.search(secret) if len(secret) <= MAX_REREAD_TEXT else None
    if btoa:  # (btoa's framing: Ascii85 between "xbtoa Begin" and "xbtoa End", rt77-11)
        forms.extend(_radix_text(b"".join(btoa[1].split())))
    forms.extend(_wide_text(secret))
    forms.extend(_read_as_text(secret))
    forms.extend(_ebcdic_text(secret))
    if secret.isascii():  # (source code and dumps are text; a decoded binary form is not)
        for match in _C_ARRAY.finditer(secret):  # (a C array of the bytes: rt66-05)
            items = re.findall(rb"0[xX]([0-9A-Fa-f]{2})", match[0])
            forms.append(bytes(int(item, 16) for item in items))
        forms.extend(_string_literals(secret))
        forms.extend(_printed_bytes(secret))
        forms.extend(_uu_text(secret))
        forms.extend(_dump_words(secret))
    if _PERCENT.search(secret):
        # URL-encoded (a client certificate in an HTTP header: nginx, load balancers)
        from urllib.parse import unquote_to_bytes

        forms.append(unquote_to_bytes(secret))
    forms.extend(_base64_blocks(secret))
    for match in _BASE64_TOKEN.finditer(secret):
        token = match.group()
        forms.extend(_from_base64(token))
        hex_token = _HEX_TEXT.fullmatch(token)
        if hex_token:  # (its digits, without a 0x prefix: rt57-10)
            forms.append(bytes.fromhex(hex_token.group(1).decode("ascii")))
    return forms


#: A base64 run on a line, whatever surrounds it (a body's lines are 16 characters or more,
#: but its last).
_BASE64_LINE_RUN = re.compile(rb"[A-Za-z0-9+/_-]{2,}={0,2}")


def _base64_blocks(secret: bytes) -> list[bytes]:
    """The base64 bodies that run over several lines of ``secret``, each line's longest run
    joined with the next lines' while they follow on: a PEM body without its armour lines (or
    with them mangled), quoted in an e-mail, indented as a YAML block, inside an XML element
    or a code fence (rt76-17). Linear in the secret: each line is read once."""
    forms: list[bytes] = []
    block: list[bytes] = []
    for line in [*secret.splitlines(), b""]:
        run = max(_BASE64_LINE_RUN.findall(line), key=len, default=b"")
        if len(run) >= 16:
            block.append(run)
            continue
        if block and run:
            block.append(run)  # (a body's last line may be short: RSA's "IDAQAB")
        if len(block) > 1 and sum(map(len, block)) >= 56:
            forms.extend(_from_base64(b"".join(block)))
        block = []
    return forms


#: The alphabets of base32 (RFC 4648, and its "extended hex" form: ``base32``, ``basenc
#: --base32hex``), of base85 (RFC 1924's, which Python and git use) and of Ascii85 (btoa,
#: PostScript and PDF, Adobe's framed in ``<~ ~>``).
_BASE32_TEXT = re.compile(rb"[A-Za-z2-7]+=*")
_BASE32HEX_TEXT = re.compile(rb"[0-9A-Va-v]+=*")
_BASE85_TEXT = re.compile(rb"[0-9A-Za-z!#$%&()*+;<=>?@^_`{|}~-]+")
_ASCII85_TEXT = re.compile(rb"(?:<~)?[!-uz]+(?:~>)?")


def _radix_text(joined: bytes) -> list[bytes]:
    """``joined`` (a secret without its whitespace) decoded from base32, base32hex, base85 or
    Ascii85, each where its alphabet holds all of it: ``base32 pub.pem``, git's base85 of a
    DER key (rt75-03)."""
    import binascii

    if not 40 <= len(joined) <= MAX_REREAD_TEXT:
        # (a key's text is a few KB; Ascii85's "z" stands for four bytes, and a secret of
        # megabytes of it had decoded to four times its size, rt77-05)
        return []
    # (base64 and hex text is read as such: read again as base32hex, base85 or Ascii85, a
    # random secret's bytes are one more chance of looking like a binary key. Their own text,
    # a key's, holds a character neither alphabet has)
    beyond_hex = not _HEX_TEXT.fullmatch(joined)
    beyond_base64 = not _BASE64_TEXT.fullmatch(joined)
    forms: list[bytes] = []
    attempts: list[Any] = []
    body = joined.rstrip(b"=")
    padded = body + b"=" * (-len(body) % 8)
    if (joined.isupper() or joined.islower()) and _BASE32_TEXT.fullmatch(joined):
        attempts.append(lambda: base64.b32decode(padded, casefold=True))
    if beyond_hex and _BASE32HEX_TEXT.fullmatch(joined):
        attempts.append(lambda: base64.b32hexdecode(padded, casefold=True))
    if beyond_base64 and _BASE85_TEXT.fullmatch(joined):
        attempts.append(lambda: base64.b85decode(joined))
    if beyond_base64 and _ASCII85_TEXT.fullmatch(joined):
        framed = joined.startswith(b"<~") and joined.endswith(b"~>")
        attempts.append(lambda: base64.a85decode(joined, adobe=framed))
    if beyond_base64 and len(joined) % 5 == 0 and _Z85_TEXT.fullmatch(joined):
        attempts.append(lambda: _z85_decode(joined))
    if len(joined) % 8 == 0 and _BITS_TEXT.fullmatch(joined):
        # (``basenc --base2msbf``, wrapped at 76: rt77-08; and ``--base2lsbf``, each byte's
        # bits the other way round: rt84-14)
        attempts.append(lambda: int(joined, 2).to_bytes(len(joined) // 8, "big"))
        attempts.append(
            lambda: int(joined, 2).to_bytes(len(joined) // 8, "big").translate(_BITS_REVERSED)
        )
    for attempt in attempts:
        try:
            forms.append(attempt())
        except (binascii.Error, ValueError):
            continue
    return forms


_BTOA = re.compile(rb"xbtoa Begin\r?\n(.*?)\r?\nxbtoa End", re.DOTALL)
#: ZeroMQ's Z85 alphabet (``basenc --z85``), and bits.
_Z85_ALPHABET = (
    b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"
)
_Z85_TEXT = re.compile(rb"[0-9a-zA-Z.:+=^!/*?&<>()\[\]{}@%$#-]+")
_BITS_TEXT = re.compile(rb"[01]+")
#: Each byte's bits in the other order.
_BITS_REVERSED = bytes(int(f"{value:08b}"[::-1], 2) for value in range(256))
_Z85_VALUES = {char: index for index, char in enumerate(_Z85_ALPHABET)}


def _z85_decode(text: bytes) -> bytes:
    """Z85 text (its length a multiple of five) as bytes."""
    out = bytearray()
    for i in range(0, len(text), 5):
        value = 0
        for char in text[i : i + 5]:
            value = value * 85 + _Z85_VALUES[char]
        if value >= 1 << 32:
            raise ValueError("not Z85")
        out += value.to_bytes(4, "big")
    return bytes(out)


#: The first line of a uuencoded file (``uuencode``, and ``uuencode -m``'s base64 form).
_UU_BEGIN = re.compile(rb"^begin(-base64)? [0-7]{3,4} [^\r\n]*\r?$", re.MULTILINE)


def _uu_text(secret: bytes) -> list[bytes]:
    """The body of a uuencoded file in ``secret`` (``uuencode pub.der pub.der``), decoded line
    by line up to its ``end`` (rt75-03); ``-m``'s base64 body up to its ``====``. Only the
    first four bodies, of a text of at most :data:`MAX_REREAD_TEXT` bytes."""
    import binascii

    if len(secret) > MAX_REREAD_TEXT:
        return []
    forms: list[bytes] = []
    for begin in itertools.islice(_UU_BEGIN.finditer(secret), 4):
        lines = secret[begin.end() :].split(b"\n")[1:]
        if begin[1]:
            body: list[bytes] = []
            for line in lines:
                if line.strip() == b"====":
                    break
                body.append(line.strip())
            forms.extend(_from_base64(b"".join(body)))
            continue
        out: list[bytes] = []
        for line in lines:
            line = line.rstrip(b"\r")
            if line in (b"`", b"end", b""):
                break
            try:
                out.append(binascii.a2b_uu(line))
            except binascii.Error:
                break
        forms.append(b"".join(out))
    return forms


#: Word forms a dump tool prints, by digits a word: hex bytes and 2-, 4- and 8-byte words
#: (``od -t x1``, ``x2``, ``x4``, ``x8``: the machine's order, little-endian on a PC, and
#: both orders tried), octal bytes and 2- and 4-byte words (``od -b``, plain ``od``, ``od -t
#: o4``), bits (``xxd -b``) and a whole line's run (``xxd -g0``): (digits, base, bytes a
#: word).
_DUMP_WORDS = (
    (2, 16, 1),
    (4, 16, 2),
    (8, 16, 4),
    (16, 16, 8),
    (32, 16, 16),  # (``xxd -g0``: a line's 16 bytes as one run, rt77-07)
    (3, 8, 1),
    (6, 8, 2),
    (11, 8, 4),
    (8, 2, 1),
)
_DIGITS = {16: frozenset(b"0123456789abcdefABCDEF"), 8: frozenset(b"01234567"), 2: frozenset(b"01")}


def _dump_words(secret: bytes) -> list[bytes]:
    """The bytes a dump tool's lines in ``secret`` print (:data:`_DUMP_WORDS`): per line, the
    words after an offset (a first token ending in ``:``, or of another width, or, where
    the widths agree, the first token either way), up to the first token that is not one
    (the text column): ``od -t x1 pub.der``, ``od pub.der``, ``xxd -b pub.der`` (rt75-03).
    A hex word may be short where a line ends, as xxd prints a file's last group (``xxd
    -g4``, rt77-06); od's zero-padded last word is cut by the DER length that starts a form
    (:func:`_der_prefixes`). Decimal columns (``od -t u1``, ``-t d1``) are read too
    (rt77-07). Only for text of at most :data:`MAX_REREAD_TEXT` bytes (a key's dump is a few
    KB)."""
    if len(secret) > MAX_REREAD_TEXT or not (b" " in secret or b"\t" in secret):
        return []
    rows = [line.split() for line in secret.splitlines()]
    forms: dict[bytes, None] = {}
    for digits, base, size in _DUMP_WORDS:
        allowed = _DIGITS[base]
        for skip_first in (False, True):
            words: list[tuple[int, int]] = []  # (value, bytes)
            for tokens in rows:
                start = 0
                if tokens and (tokens[0].endswith(b":") or len(tokens[0]) != digits or skip_first):
                    start = 1
                for token in tokens[start:]:
                    width = len(token)
                    short = base == 16 and width < digits and width % 2 == 0
                    if not (width == digits or short) or not allowed.issuperset(token):
                        break
                    words.append((int(token, base), size if width == digits else width // 2))
                    if short:
                        break  # (a short word ends its line)
            if sum(n for _, n in words) < 32 or any(v >> (8 * n) for v, n in words):
                continue
            for order in ("little", "big") if size > 1 else ("big",):
                form = b"".join(v.to_bytes(n, order) for v, n in words)
                forms[form] = None
    for form in [*forms, *_decimal_columns(rows), *_char_columns(secret)]:
        forms.update(dict.fromkeys(_der_prefixes(form)))
    return list(forms)


#: od's and hexdump's character cells (``od -c``, ``od -a``, ``hexdump -c``: rt85-07): C
#: escapes and od -a's names of control bytes (od -a drops the high bit: a DER key's bytes
#: past 127 do not come back, a PEM's do).
_CHAR_CELLS = {
    **{
        name.encode(): code
        for code, name in enumerate(
            "nul soh stx etx eot enq ack bel bs ht nl vt ff cr so si dle dc1 dc2 dc3 dc4 nak "
            "syn etb can em sub esc fs gs rs us sp".split()
        )
    },
    b"del": 127,
    **{
        b"\\" + bytes([c]): code
        for c, code in zip(b"0abfnrtv", (0, 7, 8, 12, 10, 13, 9, 11), strict=True)
    },
}
_OFFSET = re.compile(rb"[0-9A-Fa-f]{6,}")


def _char_columns(secret: bytes) -> list[bytes]:
    """The bytes of a character dump: per line, an offset or none (``od -An -c``: a cell is
    right-aligned in its 4 columns, so a line without an offset starts with a space, rt86-05),
    then cells of 4 columns each (a printable byte as itself, a blank cell a space, a C
    escape, od -a's name, or three octal digits), up to the first cell that is none of
    these."""
    out = bytearray()
    for line in secret.splitlines():
        offset = _OFFSET.match(line)
        cells = line[offset.end() :] if offset is not None else line
        for at in range(0, len(cells) - len(cells) % 4, 4):
            cell = cells[at : at + 4].strip(b" ")
            if not cell:
                out.append(32)
            elif len(cell) == 1 and 32 < cell[0] < 127:
                out += cell
            elif cell in _CHAR_CELLS:
                out.append(_CHAR_CELLS[cell])
            elif len(cell) == 3 and all(48 <= c <= 55 for c in cell) and int(cell, 8) < 256:
                out.append(int(cell, 8))
            else:
                break
    return [bytes(out)] if len(out) >= 32 else []


#: The digits of a decimal word of each size a dump prints (``od -t u1`` to ``-t d8``).
_DECIMAL_DIGITS = {1: 3, 2: 5, 4: 10, 8: 20}
_HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")


def _decimal_columns(rows: list[list[bytes]]) -> list[bytes]:
    """The bytes of a dump's decimal columns, per word size: od's decimal bytes (``-t u1``,
    ``-t d1``) and words (``od -d``, ``-s``, ``-i``, ``-l``, ``-t u2`` to ``-t d8``,
    ``hexdump -d``: rt85-07), in either byte order (od prints the host's). Per line, an
    offset of at least six digits (octal, decimal or hex), then numbers that fit the size;
    and, read apart, every line from its first token: ``od -An -d`` and ``hexdump -e '16/2
    "%6u " "\\n"'`` print no offset (rt86-05)."""
    forms: list[bytes] = []
    for (size, digits_most), offsets in itertools.product(_DECIMAL_DIGITS.items(), (1, 0)):
        low, high = -(1 << (8 * size - 1)), (1 << (8 * size)) - 1
        values: list[int] = []
        for tokens in rows:
            if offsets and (
                not tokens or len(tokens[0]) < 6 or not _HEX_DIGITS.issuperset(tokens[0])
            ):
                continue
            for token in tokens[offsets:]:
                digits = token.removeprefix(b"-")
                if not (digits.isdigit() and len(digits) <= digits_most):
                    break
                value = int(token)
                if not low <= value <= high:
                    break
                values.append(value % (1 << (8 * size)))
        if len(values) * size < 32:
            continue
        for order in ("little", "big") if size > 1 else ("big",):
            forms.append(b"".join(v.to_bytes(size, order) for v in values))
    return forms


def _der_prefixes(form: bytes) -> list[bytes]:
    """``form`` and, if it starts with a DER SEQUENCE shorter than it, that SEQUENCE alone (a
    dump's padding or text column past the key)."""
    header = _der_length(form, 1) if form[:1] == b"\x30" else None
    if header is not None and header[0] + header[1] < len(form):
        return [form, form[: header[0] + header[1]]]
    return [form]


#: The EBCDIC code pages an IBM mainframe keeps text in (US/Canada, international, the euro
#: page, German, Turkish); each maps every byte to one Latin-1 character.
_EBCDIC = ("cp037", "cp500", "cp1140", "cp273", "cp1026")


def _ebcdic_text(secret: bytes) -> list[bytes]:
    """``secret`` read as EBCDIC text, as Latin-1 bytes: a PEM or OpenSSH key written on a
    mainframe (rt70-12). Only for text that is not ASCII; a decoded form is read for text keys
    only when it holds a printable run (:data:`_PRINTABLE_RUN`), which random bytes do not."""
    if secret.isascii():
        return []
    # (a page's letters past Latin-1, Turkish ones, become "?": key text is ASCII)
    forms = [secret.decode(page).encode("latin-1", "replace") for page in _EBCDIC]
    return [form for form in dict.fromkeys(forms) if _PRINTABLE_RUN.search(form)]


def _printed_bytes(secret: bytes) -> list[bytes]:
    """The byte runs ``secret`` prints as languages and dump tools do (:data:`_PREFIXED_BYTES`,
    :data:`_DECIMAL_BYTES`, :data:`_HEX_PAIRS`, :data:`_DUMP_LINE`), each also cut to the
    DER element it starts with (a dump's last line may run on into its text column). Byte
    casts (:data:`_BYTE_CASTS`) are read as separators first (their letters ended every run,
    rt85-11, rt86-08), and VB's ``&H`` as ``0x``."""
    secret = _BYTE_CASTS.sub(b" ", secret)
    if b"&" in secret:
        secret = _VB_HEX.sub(b"0x", secret)
    runs: list[bytes] = []
    prefixed = b"0x" in secret or b"0X" in secret or b"\\" in secret or b"%" in secret
    spaced = b" " in secret or b"\t" in secret
    for match in _PREFIXED_BYTES.finditer(secret) if prefixed else ():
        items = re.findall(rb"(?:0[xX]|\\[xX]|\\u00|%)([0-9A-Fa-f]{1,2})", match[0])
        runs.append(bytes(int(item, 16) for item in items))
    separated = spaced or b"," in secret or b";" in secret or b"\n" in secret
    for match in _DECIMAL_BYTES.finditer(secret) if separated else ():
        runs.append(bytes(int(item) for item in re.findall(rb"\d+", match[0])))
    for match in _HEX_PAIRS.finditer(secret) if spaced else ():
        runs.append(bytes.fromhex(b"".join(match[0].split()).decode("ascii")))
    runs.extend(_separated_bytes(secret))
    lines = [b"".join(m[1].split())[:32] for m in _DUMP_LINE.finditer(secret)] if spaced else []
    digits = b"".join(lines)
    if len(digits) >= 32:
        runs.append(bytes.fromhex(digits[: len(digits) // 2 * 2].decode("ascii")))
    forms = list(runs)
    for run in runs:
        header = _der_length(run, 1) if run[:1] == b"\x30" else None
        if header is not None and header[0] + header[1] < len(run):
            forms.append(run[: header[0] + header[1]])
    return forms


def _string_literals(secret: bytes) -> list[bytes]:
    """What the quoted string literals in ``secret`` hold, joined in order (a bytes value
    that pprint or a C compiler's string concatenation splits over lines), with their escapes
    decoded; and the hex inside a literal, spaces dropped (``bytes.fromhex('30 59 ...')``).
    Empty when the text holds no literal of 16 characters or more."""
    if b"'" not in secret and b'"' not in secret:
        return []
    with warnings.catch_warnings():  # (an unknown escape, ``\u`` in bytes, is kept as is)
        warnings.simplefilter("ignore", DeprecationWarning)
        return _literal_forms(secret)


def _literal_forms(secret: bytes) -> list[bytes]:
    """:func:`_string_literals`' work."""
    import codecs

    parts: list[bytes] = []
    forms: list[bytes] = []
    longest = 0
    for match in _STRING_LITERAL.finditer(secret):
        text = match[0]
        quote = text[1:2] if text[:1] in b"bB" else text[:1]
        if len(text) < 2 + (quote != text[:1]) or text[-1:] != quote:
            continue  # not closed on its line
        body = text[len(text) - len(text.lstrip(b"bB")) + 1 : -1]
        longest = max(longest, len(body))
        try:
            parts.append(codecs.escape_decode(body)[0])
        except ValueError:
            continue
        digits = b"".join(body.split())
        if len(digits) >= 32 and _HEX_TEXT.fullmatch(digits):
            forms.append(bytes.fromhex(digits.decode("ascii")))
    if longest >= 16:
        forms.append(b"".join(parts))
    return forms


#: Byte-order marks and the encodings they start, longest first.
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def _wide_text(secret: bytes) -> list[bytes]:
    """``secret`` as UTF-8 if it is text in UTF-16 or UTF-32, with a byte-order mark or (ASCII
    text) NUL bytes in every other or three of four places: Windows PowerShell 5.1's ``>``
    writes UTF-16LE, so ``Get-Content pub.pem > hmac.key`` made a PEM key a secret (rt58-13).
    Random secrets are neither."""
    return [wide.encode("utf-8") for wide in _wide_strings(secret)]


def _wide_strings(secret: bytes, *, any_text: bool = False) -> list[str]:
    """:func:`_wide_text`'s readings of ``secret``, as text; with ``any_text``, also UTF-16 or
    UTF-32 without a byte-order mark whatever its characters (either byte order: what
    "UTF-16LE" and .NET's ``UnicodeEncoding(false, false)`` write), which random bytes fail
    to decode as (a lone surrogate, a code point past U+10FFFF)."""
    candidates: list[tuple[bytes, str]] = [
        (secret[len(bom) :], name) for bom, name in _BOMS if secret.startswith(bom)
    ][:1]
    for width, name in ((4, "utf-32"), (2, "utf-16")):
        if len(secret) % width or len(secret) < 2 * width:
            continue
        if any_text or not any(secret[i::width].strip(b"\x00") for i in range(1, width)):
            candidates.append((secret, f"{name}-le"))
        if any_text or not any(secret[i::width].strip(b"\x00") for i in range(width - 1)):
            candidates.append((secret, f"{name}-be"))
    found: list[str] = []
    for text, name in candidates:
        try:
            found.append(text.decode(name))
        except UnicodeError:
            continue
    return found


#: The single-byte code pages a file can be opened in: every one Python has (Latin-1 and the
#: ISO 8859 parts, Windows' ANSI pages, the DOS pages, the Macintosh pages, KOI8, the Thai,
#: Arabic, Hebrew and Central Asian pages, the EBCDIC pages): bytes read with one of them and
#: saved as Unicode. A list of the PC pages alone missed cp874, cp737, cp775 and ISO 8859-8
#: (rt75-10).
_READERS = (
    *(f"cp{n}" for n in (437, 720, 737, 775, 850, 852, 855, 856, 857, 858, 860, 861, 862)),
    *(f"cp{n}" for n in (863, 864, 865, 866, 869, 874, 1006, 1125, *range(1250, 1259))),
    *("cp037", "cp273", "cp424", "cp500", "cp875", "cp1026", "cp1140"),
    *(f"iso8859_{n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16)),
    *(f"mac_{n}" for n in ("arabic", "croatian", "cyrillic", "farsi", "greek", "iceland")),
    *(f"mac_{n}" for n in ("latin2", "roman", "romanian", "turkish")),
    *("koi8_r", "koi8_t", "koi8_u", "kz1048", "ptcp154", "tis_620", "hp_roman8", "palmos"),
)


def _page_table(page: str) -> tuple[dict[int, str], dict[int, tuple[str, str]]]:
    """What ``str.translate`` needs to undo a reading with ``page``: each character the page
    reads a byte as, mapped to that byte as a Latin-1 character (an undefined byte reads as
    its own code point, what Windows' MultiByteToWideChar makes of cp1252's holes); and the
    characters that two bytes read as, a hole's code point being a character the page
    defines for another byte (ISO 8859-8 reads 0xAA as U+00D7 and leaves 0xD7, EBCDIC's "P",
    undefined: rt75-10), with both bytes."""
    defined: dict[int, str] = {}
    holes: dict[int, str] = {}
    for byte in range(256):
        try:
            defined.setdefault(ord(bytes([byte]).decode(page)), chr(byte))
        except UnicodeDecodeError:
            holes[byte] = chr(byte)
    both = {char: (defined[char], holes[char]) for char in holes.keys() & defined.keys()}
    return {**holes, **defined}, both


#: One table per distinct reading (pages that read every byte alike give one), with the
#: characters it reads back two ways.
_PAGE_TABLES = [
    (frozenset(table), table, both)
    for table, both in {
        (tuple(sorted(table.items())), tuple(sorted(both.items()))): (table, both)
        for table, both in map(_page_table, _READERS)
    }.values()
]
#: The most characters read back two ways whose every combination :func:`_read_as_text`
#: tries (2**6 readings of one page).
_MAX_AMBIGUOUS = 6
#: Every character some page reads a byte as (a text with another is read by none).
_PAGE_CHARS = frozenset().union(*(chars for chars, _, _ in _PAGE_TABLES))
#: The longest secret :func:`_read_as_text` reads back: a public key file, PEM or OpenSSH, is a
#: few KB even as UTF-32 (an RSA-16384 PEM is 2.9 KB of text); a 4 MB text of characters two
#: pages hold took 12 s to read back through every page.
MAX_REREAD_TEXT = 1 << 16


def _windows(secret: bytes) -> list[bytes]:
    """``secret`` itself if it is at most :data:`MAX_REREAD_TEXT` bytes, else its first and
    last ``MAX_REREAD_TEXT`` bytes, each starting at a multiple of four bytes from its start
    (so UTF-16 and UTF-32 read in step): a key after 70 KB of comment, or the first keys of a
    long ``authorized_keys``, is read back (rt76-06)."""
    if len(secret) <= MAX_REREAD_TEXT:
        return [secret]
    start = -(-(len(secret) - MAX_REREAD_TEXT) // 4) * 4
    return [secret[:MAX_REREAD_TEXT], secret[start:]]


def _read_as_text(secret: bytes) -> list[bytes]:
    """The bytes behind ``secret`` if it is text (UTF-8, or UTF-16/32 as :func:`_wide_strings`
    reads it) of bytes a single-byte code page read (:data:`_READERS`): a mainframe's EBCDIC
    key file opened as Latin-1, cp1252, cp437, Mac Roman or another PC page and saved as
    UTF-8, UTF-16 or UTF-32, which :func:`_ebcdic_text` reads next (rt71-08, rt73-06,
    rt74-04). Only for text that is not ASCII, and only with the pages whose characters hold
    all of the text's: each reading is one ``str.translate`` (a Python error handler per
    character took 7 s over a 4 MB secret, rt74-06)."""
    if secret.isascii():
        return []
    texts: list[str] = []
    for window in _windows(secret):
        texts.extend(_wide_strings(window, any_text=True))
        try:
            texts.append(window.decode("utf-8-sig"))
        except UnicodeError:
            if window is not secret:  # (a window may cut a character at either end)
                texts.append(window.decode("utf-8", "ignore"))
    forms: dict[bytes, None] = {}  # (pages that agree on the text make one form)
    for text in texts:
        if text.isascii():
            continue
        chars = {ord(c) for c in set(text)}
        if len(chars) > 256 or not chars.issubset(_PAGE_CHARS):
            continue
        for held, table, both in _PAGE_TABLES:
            if not chars.issubset(held):
                continue
            # a character two bytes read as is read back as each, in every combination: a
            # text may hold both (cp856's and cp857's holes collide with EBCDIC key
            # characters, rt77-13)
            ambiguous = [char for char in both if char in chars][:_MAX_AMBIGUOUS]
            for choice in itertools.product(*(both[char] for char in ambiguous)):
                reading = {**table, **dict(zip(ambiguous, choice, strict=True))}
                form = text.translate(reading).encode("latin-1")
                if not form.isascii():
                    forms[form] = None
    return list(forms)


def _is_json(secret: bytes) -> bool:
    """Whether ``secret`` is a JSON object or array: a JSON Web Key (set), a TUF or in-toto
    key, whose public half is JSON too. Random bytes never parse as either."""
    import json

    try:
        value = json.loads(secret)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return False
    return isinstance(value, (dict, list))


def _der_length(data: bytes, at: int) -> tuple[int, int] | None:
    """The length of the DER element whose length octets start at ``at`` and where its
    content starts, or ``None`` if they are not DER's definite form."""
    if at >= len(data):
        return None
    first = data[at]
    if first < 0x80:
        return first, at + 1
    count = first & 0x7F
    if count == 0 or count > 4 or at + 1 + count > len(data):
        return None
    return int.from_bytes(data[at + 1 : at + 1 + count], "big"), at + 1 + count


def _der_sequences(data: bytes) -> list[bytes] | None:
    """``data`` as DER SEQUENCEs back to back, each exactly as long as it says, or ``None``."""
    found: list[bytes] = []
    at = 0
    while at < len(data):
        if data[at] != 0x30:
            return None
        header = _der_length(data, at + 1)
        if header is None:
            return None
        length, content = header
        found.append(data[at : content + length])
        at = content + length
    return found if found and at == len(data) else None


def _der_form(data: bytes) -> str | None:
    """What public DER structure ``data`` is: a public key (SubjectPublicKeyInfo), a
    certificate or a chain of them, a CSR, a PKCS#7 certificate bundle. Each is parsed, so
    random bytes that merely look like a SEQUENCE (a 0x30 byte and a length that lands on the
    end) are not refused."""
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.serialization import load_der_public_key, pkcs7

    parts = _der_sequences(data)
    if parts is None:
        return None
    if len(parts) == 1 and _is_spki(data):
        return "a DER-encoded public key (SubjectPublicKeyInfo)"
    # (a certificate whose version field is not 0-2 raises InvalidVersion, rt57-10)
    failures = (ValueError, TypeError, UnsupportedAlgorithm, x509.InvalidVersion)
    if len(parts) == 1:
        for load, what in (
            (load_der_public_key, "a DER-encoded public key (SubjectPublicKeyInfo)"),
            (x509.load_der_x509_csr, "a DER-encoded certificate signing request"),
            (pkcs7.load_der_pkcs7_certificates, "a DER-encoded PKCS#7 certificate bundle"),
        ):
            try:
                load(data)
            except failures:
                continue
            return what
    try:
        for part in parts:
            x509.load_der_x509_certificate(part)
    except failures:
        return None
    return "a DER-encoded X.509 certificate" + (" chain" if len(parts) > 1 else "")


def _is_spki(data: bytes) -> bool:
    """Whether ``data`` is exactly a SubjectPublicKeyInfo, of any algorithm: ``SEQUENCE {
    SEQUENCE { OID, parameters }, BIT STRING }``, each element as long as it says, to the last
    byte (rt108-06: the identifiers of SECG's ECDH and MQV, RSAES-OAEP, ECGDSA, SM2 and
    post-quantum drafts were not listed; the shape is what no random secret has)."""
    outer = _der_length(data, 1)
    if outer is None or data[:1] != b"\x30" or sum(outer) != len(data):
        return False
    at = outer[1]
    if data[at : at + 1] != b"\x30":
        return False
    algorithm = _der_length(data, at + 1)
    if algorithm is None or data[algorithm[1] : algorithm[1] + 1] != b"\x06":
        return False
    oid = _der_length(data, algorithm[1] + 1)
    after = sum(algorithm)
    if oid is None or not 3 <= oid[0] <= 32 or sum(oid) > after:
        return False
    if data[after : after + 1] != b"\x03":
        return False
    bits = _der_length(data, after + 1)
    return bits is not None and bits[0] >= 2 and sum(bits) == len(data) and data[bits[1]] < 8


#: The DER of the algorithm identifiers a public key names (its SubjectPublicKeyInfo), by
#: algorithm: every DER public key, certificate, CSR or PKCS#7 bundle holds one, and so does
#: every container that keeps such a key in plain sight (a v7 tar, cpio or ``ar`` archive, a
#: BouncyCastle BKS truststore, rt80-03/04). Each is 5 to 11 bytes, tag and length included:
#: random bytes hold the shortest once in 2**40 places.
_KEY_ALGORITHM_OIDS = {
    b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01": "RSA",
    b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0a": "RSASSA-PSS",
    b"\x06\x07\x2a\x86\x48\xce\x3d\x02\x01": "elliptic-curve",
    b"\x06\x07\x2a\x86\x48\xce\x38\x04\x01": "DSA",
    b"\x06\x07\x2a\x86\x48\xce\x3e\x02\x01": "Diffie-Hellman",
    # (PKCS#3's dhKeyAgreement, what OpenSSL writes for a DH key; GOST R 34.10-2001 and -2012,
    # 256 and 512 bits, which cryptography does not parse: rt106-04, rt106-07)
    b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x03\x01": "Diffie-Hellman",
    b"\x06\x06\x2a\x85\x03\x02\x02\x13": "GOST R 34.10-2001",
    b"\x06\x08\x2a\x85\x03\x07\x01\x01\x01\x01": "GOST R 34.10-2012",
    b"\x06\x08\x2a\x85\x03\x07\x01\x01\x01\x02": "GOST R 34.10-2012",
    b"\x06\x03\x2b\x65\x6e": "X25519",
    b"\x06\x03\x2b\x65\x6f": "X448",
    b"\x06\x03\x2b\x65\x70": "Ed25519",
    b"\x06\x03\x2b\x65\x71": "Ed448",
    # (ML-DSA, FIPS 204, and SLH-DSA, FIPS 205: 2.16.840.1.101.3.4.3.17 to .31; ML-KEM,
    # FIPS 203: .4.4.1 to .3; OpenSSL 3.5 and cryptography write them, rt82-09)
    **{
        b"\x06\x09\x60\x86\x48\x01\x65\x03\x04\x03" + bytes([n]): "ML-DSA or SLH-DSA"
        for n in range(17, 32)
    },
    **{b"\x06\x09\x60\x86\x48\x01\x65\x03\x04\x04" + bytes([n]): "ML-KEM" for n in (1, 2, 3)},
}


def _embedded_key(data: bytes) -> str | None:
    """A public key's algorithm identifier (:data:`_KEY_ALGORITHM_OIDS`) anywhere in
    ``data``: a key or certificate as DER inside whatever holds it. A search for each
    identifier, linear in the length: parsing at every place a SEQUENCE might start stopped
    after 4,096 places, which a CSV of decimals before the key spent (rt81-02). And a whole
    COSE public key anywhere (:func:`_has_cose_key`)."""
    for oid, algorithm in _KEY_ALGORITHM_OIDS.items():
        if oid in data:
            return f"DER holding a public key's algorithm identifier ({algorithm})"
    if _COSE_MAP_HEAD.search(data) is not None and _has_cose_key(data):
        return "a COSE public key"
    if _has_pkcs1_rsa(data):
        return "DER holding an RSA public key (PKCS#1 RSAPublicKey)"
    if _has_pgp_key_packet(data):
        return "an OpenPGP public-key packet"
    curve = _curve_point_in(data)
    if curve is not None:
        return f"an elliptic-curve public key point ({curve}; X9.62 or a TPM's)"
    return None


#: How many places each search for a structure anywhere in a secret parses at the most (each
#: parse reads a few bytes; a megabyte of random bytes holds some 4,000 places of each).
_ANYWHERE_PLACES = 65_536


def _places(pattern: re.Pattern[bytes], data: bytes) -> Iterator[int]:
    """Where ``pattern`` matches in ``data``, the first :data:`_ANYWHERE_PLACES` of them: the
    places a search for a structure anywhere in a secret parses."""
    for count, found in enumerate(pattern.finditer(data)):
        if count >= _ANYWHERE_PLACES:
            return
        yield found.start()


#: Where an RSAPublicKey (PKCS#1: ``SEQUENCE { INTEGER n, INTEGER e }``, what ``openssl rsa
#: -RSAPublicKey_out`` writes, with no algorithm identifier) of 512 bits or more may start.
_PKCS1_HEAD = re.compile(rb"\x30[\x81\x82]\x02|\x30[\x81\x82].\x02|\x30\x82..\x02", re.DOTALL)


def _has_pkcs1_rsa(data: bytes) -> bool:
    """Whether an RSAPublicKey starts anywhere in ``data``: a SEQUENCE holding exactly an
    INTEGER of 64 bytes or more and one of 1 to 8 (the exponent), each as long as its length
    says. Before a label, after one, between comment lines, or in a fixed-size buffer's
    padding (rt106-04: the text before it was taken to end inside the key). Random bytes
    hold one about once in 2**40 places."""
    for at in _places(_PKCS1_HEAD, data):
        header = _der_length(data, at + 1)
        if header is None:
            continue
        length, content = header
        end = content + length
        if end > len(data) or data[content] != 0x02:
            continue
        modulus = _der_length(data, content + 1)
        if modulus is None or modulus[0] < 64:
            continue
        after = modulus[1] + modulus[0]
        if after >= end or data[after] != 0x02:
            continue
        exponent = _der_length(data, after + 1)
        if exponent is not None and 1 <= exponent[0] <= 8 and sum(exponent) == end:
            return True
    return False


#: Where an OpenPGP public-key or public-subkey packet may start: an old-format header of tag
#: 6 or 14 (one, two or four length octets) or a new-format one (0xC6, 0xCE).
_PGP_KEY_HEAD = re.compile(rb"[\x98\x99\x9a\xb8\xb9\xba\xc6\xce]")
#: The fields of each public-key algorithm (RFC 9580 5.5.5): a count of MPIs, whether a
#: curve OID comes first, whether ECDH's KDF parameters come last, or a fixed size.
_PGP_FIELDS: dict[int, tuple[int, bool, bool, int]] = {
    1: (2, False, False, 0),  # RSA: n, e (and the sign-only and encrypt-only ids)
    2: (2, False, False, 0),
    3: (2, False, False, 0),
    16: (3, False, False, 0),  # Elgamal: p, g, y
    17: (4, False, False, 0),  # DSA: p, q, g, y
    18: (1, True, True, 0),  # ECDH: curve, point, KDF parameters
    19: (1, True, False, 0),  # ECDSA: curve, point
    22: (1, True, False, 0),  # EdDSA (legacy): curve, point
    25: (0, False, False, 32),  # X25519
    26: (0, False, False, 56),  # X448
    27: (0, False, False, 32),  # Ed25519
    28: (0, False, False, 57),  # Ed448
}


def _has_pgp_key_packet(data: bytes) -> bool:
    """Whether an OpenPGP public-key packet starts anywhere in ``data`` (a ``gpg --export``
    after a label in a Latin-1 code page, after a comment line, or with text after it:
    rt106-04): a packet header whose body is exactly a key of version 4, 5 or 6, its
    algorithm's fields filling it to the byte. Random bytes hold one about once in 2**40
    places."""
    for at in _places(_PGP_KEY_HEAD, data):
        head = data[at]
        if head & 0x40:
            if at + 1 >= len(data):
                continue
            first = data[at + 1]
            if first < 192:
                length, body = first, at + 2
            elif first < 224 and at + 2 < len(data):
                length, body = ((first - 192) << 8) + data[at + 2] + 192, at + 3
            else:
                continue
        else:
            octets = (1, 2, 4)[head & 0x03]
            length = int.from_bytes(data[at + 1 : at + 1 + octets], "big")
            body = at + 1 + octets
        if body + length <= len(data) and _pgp_key_body(data[body : body + length]):
            return True
    return False


def _pgp_key_body(body: bytes) -> bool:
    """Whether ``body`` is exactly a public-key packet's body (RFC 9580 5.5.2)."""
    if len(body) < 7 or body[0] not in (4, 5, 6):
        return False
    fields = _PGP_FIELDS.get(body[5])
    if fields is None:
        return False
    at = 6
    if body[0] != 4:  # versions 5 and 6: a four-octet count of the key material
        if int.from_bytes(body[6:10], "big") != len(body) - 10:
            return False
        at = 10
    mpis, curve, kdf, size = fields
    if size:
        return len(body) - at == size
    if curve:  # a length octet (not 0 or 255) and the curve's OID
        if at >= len(body) or body[at] in (0, 255):
            return False
        at += 1 + body[at]
    for _ in range(mpis):
        if at + 2 > len(body):
            return False
        bits = int.from_bytes(body[at : at + 2], "big")
        octets = (bits + 7) // 8
        at += 2
        if bits == 0 or at + octets > len(body) or body[at].bit_length() != bits - 8 * octets + 8:
            return False
        at += octets
    if kdf:  # ECDH: 03 01 hash cipher
        if body[at : at + 2] != b"\x03\x01":
            return False
        at += 4
    return at == len(body)


#: Short Weierstrass curves ``y**2 = x**3 + a*x + b (mod p)`` whose points :func:`_curve_point_in`
#: looks for: (name, coordinate size, p, a, b).
_CURVES: tuple[tuple[str, int, int, int, int], ...] = (
    (
        "P-256",
        32,
        2**256 - 2**224 + 2**192 + 2**96 - 1,
        -3,
        0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
    ),
    (
        "P-384",
        48,
        2**384 - 2**128 - 2**96 + 2**32 - 1,
        -3,
        int(
            "B3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875A"
            "C656398D8A2ED19D2A85C8EDD3EC2AEF",
            16,
        ),
    ),
    (
        "P-521",
        66,
        2**521 - 1,
        -3,
        int(
            "0051953EB9618E1C9A1F929A21A0B68540EEA2DA725B99B315F3B8B489918EF109E156193951EC7E"
            "937B1652C0BD3BB1BF073573DF883D2C34F1EF451FD46B503F00",
            16,
        ),
    ),
    ("secp256k1", 32, 2**256 - 2**32 - 977, 0, 7),
    # (P-224, P-192, the Brainpool r1 curves of RFC 5639 and SM2, GB/T 32918: rt108-02)
    (
        "P-224",
        28,
        2**224 - 2**96 + 1,
        -3,
        int("B4050A850C04B3ABF54132565044B0B7D7BFD8BA270B39432355FFB4", 16),
    ),
    (
        "P-192",
        24,
        2**192 - 2**64 - 1,
        -3,
        int("64210519E59C80E70FA7E9AB72243049FEB8DEECC146B9B1", 16),
    ),
    (
        "brainpoolP256r1",
        32,
        int("A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377", 16),
        int("7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9", 16),
        int("26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6", 16),
    ),
    (
        "brainpoolP384r1",
        48,
        int(
            "8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B412B1DA197FB71123"
            "ACD3A729901D1A71874700133107EC53",
            16,
        ),
        int(
            "7BC382C63D8C150C3C72080ACE05AFA0C2BEA28E4FB22787139165EFBA91F90F"
            "8AA5814A503AD4EB04A8C7DD22CE2826",
            16,
        ),
        int(
            "04A8C7DD22CE28268B39B55416F0447C2FB77DE107DCD2A62E880EA53EEB62D5"
            "7CB4390295DBC9943AB78696FA504C11",
            16,
        ),
    ),
    (
        "brainpoolP512r1",
        64,
        int(
            "AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA70330871"
            "7D4D9B009BC66842AECDA12AE6A380E62881FF2F2D82C68528AA6056583A48F3",
            16,
        ),
        int(
            "7830A3318B603B89E2327145AC234CC594CBDD8D3DF91610A83441CAEA9863BC"
            "2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CA",
            16,
        ),
        int(
            "3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A7"
            "2BF2C7B9E7C1AC4D77FC94CADC083E67984050B75EBAE5DD2809BD638016F723",
            16,
        ),
    ),
    (
        "SM2",
        32,
        int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF", 16),
        -3,
        int("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93", 16),
    ),
    # (the other prime curves OpenSSL makes keys on, and ANSSI's FRP256v1: rt109-07; p, a and
    # b read from `openssl ecparam -param_enc explicit`, each checked on a key it made)
    (
        "brainpoolP256t1",
        32,
        int("A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377", 16),
        -3,
        int("662C61C430D84EA4FE66A7733D0B76B7BF93EBC4AF2F49256AE58101FEE92B04", 16),
    ),
    (
        "brainpoolP384t1",
        48,
        int(
            "8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B412B1DA197FB71123"
            "ACD3A729901D1A71874700133107EC53",
            16,
        ),
        -3,
        int(
            "7F519EADA7BDA81BD826DBA647910F8C4B9346ED8CCDC64E4B1ABD11756DCE1D"
            "2074AA263B88805CED70355A33B471EE",
            16,
        ),
    ),
    (
        "brainpoolP224r1",
        28,
        int("D7C134AA264366862A18302575D1D787B09F075797DA89F57EC8C0FF", 16),
        int("68A5E62CA9CE6C1C299803A6C1530B514E182AD8B0042A59CAD29F43", 16),
        int("2580F63CCFE44138870713B1A92369E33E2135D266DBB372386C400B", 16),
    ),
    (
        "brainpoolP320r1",
        40,
        int(
            "D35E472036BC4FB7E13C785ED201E065F98FCFA6F6F40DEF4F92B9EC7893EC28FCD412B1F1B32E27",
            16,
        ),
        int(
            "3EE30B568FBAB0F883CCEBD46D3F3BB8A2A73513F5EB79DA66190EB085FFA9F492F375A97D860EB4",
            16,
        ),
        int(
            "520883949DFDBC42D3AD198640688A6FE13F41349554B49ACC31DCCD884539816F5EB4AC8FB1F1A6",
            16,
        ),
    ),
    (
        "secp224k1",
        28,
        int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFE56D", 16),
        0,
        5,
    ),
    (
        "secp192k1",
        24,
        int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFEE37", 16),
        0,
        3,
    ),
    (
        "prime239v1",
        30,
        int("7FFFFFFFFFFFFFFFFFFFFFFF7FFFFFFFFFFF8000000000007FFFFFFFFFFF", 16),
        -3,
        int("6B016C3BDCF18941D0D654921475CA71A9DB2FB27D1D37796185C2942C0A", 16),
    ),
    (
        "secp160r1",
        20,
        int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF7FFFFFFF", 16),
        -3,
        int("1C97BEFC54BD7A8B65ACF89F81D4D4ADC565FA45", 16),
    ),
    (
        "FRP256v1",
        32,
        int("F1FD178C0B3AD58F10126DE8CE42435B3961ADBCABC8CA6DE8FCF353D86E9C03", 16),
        -3,
        int("EE353FCA5428A9300D4ABA754A44C00FDFEC0C9AE4B1A1803075ED967B7BB73F", 16),
    ),
)
#: Where coordinates may start: X9.62's uncompressed point (04, x, y), or a TPM's
#: pair of sized buffers (00 20 x 00 20 y: a ``TPMS_ECC_POINT``, in ``TPMT_PUBLIC``).
_POINT_HEAD = re.compile(rb"\x04|\x00[\x18\x1c\x20\x30\x40\x42]")


def _on_curve(data: bytes, x_at: int, y_at: int, size: int, p: int, a: int, b: int) -> bool:
    """Whether the ``size``-byte big-endian coordinates at ``x_at`` and ``y_at`` are a point
    of the curve."""
    x = int.from_bytes(data[x_at : x_at + size], "big")
    y = int.from_bytes(data[y_at : y_at + size], "big")
    return x < p and y < p and (y * y - (x * x * x + a * x + b)) % p == 0


def _curve_point_in(data: bytes) -> str | None:
    """The curve of an elliptic-curve public key point anywhere in ``data``, or ``None``: an
    uncompressed X9.62 point (after text on its line, with text after it: rt106-04) or a
    TPM's ``TPMS_ECC_POINT`` (rt106-05), on a curve of :data:`_CURVES`. Random bytes
    hold one about once in 2**256 places. (A compressed point, like an Ed25519 key, is any
    random bytes of its length half the time, and is not looked for.)"""
    for at in _places(_POINT_HEAD, data):
        for name, size, p, a, b in _CURVES:
            if data[at] == 0x04:
                x_at, y_at = at + 1, at + 1 + size
            elif data[at + 1] == size:
                x_at, y_at = at + 2, at + 4 + size
                if data[y_at - 2 : y_at] != data[at : at + 2]:
                    continue
            else:
                continue
            if y_at + size <= len(data) and _on_curve(data, x_at, y_at, size, p, a, b):
                return name
    return None


#: Where a CBOR map of 2 to 8 entries may start.
_COSE_MAP_HEAD = re.compile(rb"[\xa2-\xa8]")
#: COSE key types (RFC 9053): OKP, EC2, RSA; the curves of each and their coordinate sizes.
#: (and brainpoolP256r1, P384r1, P512r1: 256, 257, 258 in IANA's registry, rt108-02)
_COSE_EC2_CURVES = {1: 32, 2: 48, 3: 66, 8: 32, 256: 32, 257: 48, 258: 64}


def _has_cose_key(data: bytes) -> bool:
    """Whether a whole COSE_Key public key (RFC 9052: a CBOR map with kty OKP, EC2 or RSA and
    that type's public parameters, each of its exact size) starts anywhere in ``data``: after
    a label line or a letter, in a key set, a CBOR byte string, WebAuthn's authenticator data
    (rt106-01, rt106-02). Random bytes hold one about once in 2**60 places; the three-byte head
    alone, asked at the start of a secret only, is the looser rule (rt59-12, rt104-02)."""
    for at in _places(_COSE_MAP_HEAD, data):
        if _cose_key(data, at):
            return True
    return False


def _cbor_item(data: bytes, at: int) -> tuple[Any, int] | None:
    """The CBOR item at ``at`` that a COSE key holds (an int, a byte or text string, a bool,
    an array of ints) and where the next one starts, or ``None``."""
    if at >= len(data):
        return None
    head = data[at]
    major, info = head >> 5, head & 0x1F
    at += 1
    if info < 24:
        length = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        if at + size > len(data):
            return None
        length = int.from_bytes(data[at : at + size], "big")
        at += size
    else:
        return None
    if major == 0:
        return length, at
    if major == 1:
        return -1 - length, at
    if major in (2, 3):
        if length > 4096 or at + length > len(data):
            return None
        return data[at : at + length], at + length
    if major == 4 and length <= 16:
        items = []
        for _ in range(length):
            item = _cbor_item(data, at)
            if item is None or type(item[0]) is not int:
                return None
            items.append(item[0])
            at = item[1]
        return items, at
    if major == 7 and info in (20, 21):
        return info == 21, at
    return None


def _cose_key(data: bytes, at: int) -> bool:
    """Whether a COSE public key's CBOR map starts at ``at`` in ``data``."""
    entries = data[at] & 0x1F
    at += 1
    found: dict[int, Any] = {}
    for _ in range(entries):
        key = _cbor_item(data, at)
        if key is None or type(key[0]) is not int or key[0] in found:
            return False
        value = _cbor_item(data, key[1])
        if value is None:
            return False
        found[key[0]] = value[0]
        at = value[1]
    kty, crv, x, y = found.get(1), found.get(-1), found.get(-2), found.get(-3)
    if kty == 1:  # OKP: crv, x
        return type(crv) is int and type(x) is bytes and _COSE_OKP_CURVES.get(crv) == len(x)
    if kty == 2:  # EC2: crv, x, y (or y's sign bit)
        size = _COSE_EC2_CURVES.get(crv) if type(crv) is int else None
        return (
            size is not None
            and type(x) is bytes
            and len(x) == size
            and ((type(y) is bytes and len(y) == size) or type(y) is bool)
        )
    if kty == 3:  # RSA: n, e
        return type(crv) is bytes and len(crv) >= 64 and type(x) is bytes and 1 <= len(x) <= 8
    return False


#: OpenPGP public-key algorithm ids (RFC 9580 section 9.1): RSA, Elgamal, DSA, ECDH, ECDSA,
#: EdDSA (legacy), X25519, X448, Ed25519, Ed448.
_PGP_ALGORITHMS = frozenset({1, 2, 3, 16, 17, 18, 19, 22, 25, 26, 27, 28})


def _pgp_packets(data: bytes) -> list[tuple[int, bytes]] | None:
    """``data`` as OpenPGP packets back to back (tag and body), each exactly as long as its
    header says, or ``None``. Partial and indeterminate lengths are not accepted (a key
    export never uses them)."""
    packets: list[tuple[int, bytes]] = []
    at = 0
    while at < len(data):
        head = data[at]
        if not head & 0x80:
            return None
        if head & 0x40:  # new format: the tag in six bits, a one-, two- or five-octet length
            tag = head & 0x3F
            if at + 1 >= len(data):
                return None
            first = data[at + 1]
            if first < 192:
                length, body = first, at + 2
            elif first < 224 and at + 2 < len(data):
                length, body = ((first - 192) << 8) + data[at + 2] + 192, at + 3
            elif first == 255 and at + 6 <= len(data):
                length, body = int.from_bytes(data[at + 2 : at + 6], "big"), at + 6
            else:
                return None
        else:  # old format: the tag in four bits, then one, two or four octets of length
            tag, kind = (head >> 2) & 0x0F, head & 0x03
            if kind == 3:
                return None
            octets = (1, 2, 4)[kind]
            if at + 1 + octets > len(data):
                return None
            length = int.from_bytes(data[at + 1 : at + 1 + octets], "big")
            body = at + 1 + octets
        if body + length > len(data):
            return None
        packets.append((tag, data[body : body + length]))
        at = body + length
    return packets or None


def _is_pgp_public_key(data: bytes) -> bool:
    """Whether ``data`` is an OpenPGP transferable public key as ``gpg --export`` writes it (a
    ``signed-by`` keyring, a ``*.gpg`` file): packets that exactly cover it, the first a
    public-key packet (tag 6) of version 4, 5 or 6 with a known algorithm (rt57-03)."""
    packets = _pgp_packets(data)
    if not packets:
        return False
    tag, body = packets[0]
    return tag == 6 and len(body) > 6 and body[0] in (4, 5, 6) and body[5] in _PGP_ALGORITHMS


#: A minisign or signify public key line (``RWQ...``): standard base64 of 42 bytes, the
#: algorithm ``Ed``, an 8-byte key id and the 32-byte Ed25519 key, as one token (alone, on
#: a line, or in a command line).
_MINISIGN_LINE = re.compile(rb"(?<![A-Za-z0-9+/=_-])RW[A-Za-z0-9+/]{54}(?![A-Za-z0-9+/=_-])")


#: Public-key text forms with fixed heads (rt59-12): an age X25519 recipient or a Nostr key
#: (bech32: ``age1`` / ``npub1`` and 58 characters), and a JSON Web Key written as YAML or a
#: Python dict (``kty`` of a public-key type; strict JSON is refused whole). Tor's onion
#: addresses are checked by :func:`_is_onion_key`.
_TEXT_KEYS = (
    (
        re.compile(rb"(?<![a-z0-9])(?:age1|npub1)[02-9ac-hj-np-z]{58}(?![a-z0-9])"),
        "an age recipient or a Nostr public key",
    ),
    (
        re.compile(rb"""(?<![A-Za-z])['"]?kty['"]?\s*[:=]\s*['"]?(?:OKP|EC|RSA)(?![A-Za-z0-9])"""),
        "a JSON Web Key written as text",
    ),
    # (rt108-03, rt108-05) an XML key value (.NET's RSA.ToXmlString, XML Signature's KeyInfo),
    # a DKIM key record (RFC 6376, 8463), a WireGuard public key line, and Java's
    # PublicKey.toString() of an RSA, EC or DSA key
    (
        re.compile(rb"<(?:[A-Za-z_][\w.-]{0,40}:)?(?:RSA|DSA|EC)KeyValue[\s>/]"),
        "an XML public key value (RSAKeyValue, DSAKeyValue, ECKeyValue)",
    ),
    (
        re.compile(
            rb"(?i)(?<![a-z0-9])(?:v\s*=\s*DKIM1|k\s*=\s*(?:rsa|ed25519))\s*;[^\r\n]{0,200}?"
            rb"(?<![a-z0-9])p\s*=\s*[A-Za-z0-9+/]{40}"
        ),
        "a DKIM public key record",
    ),
    (
        # (wg-quick's file; ``wg show``'s "public key:" and "peer:" lines and NetworkManager's
        # keyfile section, rt109-08)
        re.compile(
            rb"(?<![A-Za-z])PublicKey\s*=\s*[A-Za-z0-9+/]{43}="
            rb"|(?im:^\s*(?:public key|peer):\s*[A-Za-z0-9+/]{43}=)"
            rb"|\[wireguard-peer\.[A-Za-z0-9+/]{43}=\]"
        ),
        "a WireGuard public key line",
    ),
    (
        # (Java's SunRsaSign and SunEC, BouncyCastle's, Go's %+v of an ecdsa.PublicKey, and
        # Python cryptography's public numbers: rt108-05, rt109-10)
        re.compile(
            rb"Sun (?:RSA|EC|DSA) public key|(?m:^\s*public exponent: \d+)"
            rb"|(?:EC|RSA|DSA) Public Key \[|&\{Curve:[A-Za-z0-9-]+ X:[+-]?\d"
            rb"|<(?:EllipticCurve|RSA|DSA)PublicNumbers\("
        ),
        "a public key as a program prints it (Java, Go, Python)",
    ),
)


#: A bech32 or bech32m string (BIP 173/350): a lower-case human-readable part, ``1``, and at
#: least 52 data characters (32 bytes and a checksum), as one token.
_BECH32 = re.compile(rb"(?<![a-z0-9_])([a-z][a-z0-9_]{0,82})1([02-9ac-hj-np-z]{58,})(?![a-z0-9])")
_BECH32_ALPHABET = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_CONSTANTS = (1, 0x2BC830A3)  # bech32, bech32m
#: A Stellar StrKey account id (``G``: version byte 6 << 3, an Ed25519 key, a CRC16), or a
#: PASERK public key (``k1``-``k4.public.``, PASETO's key format).
_STELLAR = re.compile(rb"(?<![A-Z2-7])[GONCAUXMP][A-Z2-7]{55,200}(?![A-Z2-7])")
_PASERK = re.compile(rb"(?<![A-Za-z0-9])k[1-4]\.public\.[A-Za-z0-9_-]{40,}")
#: A DNSKEY or CDNSKEY resource record, as ``dig`` prints it (flags, protocol 3, algorithm,
#: then the base64 key), or a KEY record or BIND trust anchor of the same data, in any case
#: (zone files are case-insensitive, rt65-08). An optional ``(`` and the spaces after it are
#: one group: ``\s+\(?\s*`` split one run of spaces every way, quadratic in a run after
#: ``DNSKEY`` (40,000 spaces: 14 s, rt64-03).
_DNSKEY = re.compile(
    rb"(?<![A-Za-z])(?:C?DNSKEY|KEY|(?:initial|static)-key)\s+(?:\(\s*)?\d+\s+3\s+\d+\s+"
    rb'(?:\(\s*)?"?[A-Za-z0-9+/]',
    re.IGNORECASE,
)
#: The same records in RFC 3597's generic form (``TYPE48 \# 36 0101030f...``: DNSKEY 48,
#: CDNSKEY 59, KEY 25), the flags, protocol 3 and algorithm in hex.
_DNSKEY_GENERIC = re.compile(
    rb"(?<![A-Za-z])TYPE(?:48|59|25)\s+\\#\s+\d+\s+[0-9A-Fa-f]{4}03[0-9A-Fa-f]{2}", re.IGNORECASE
)
#: An OPENPGPKEY record (RFC 7929): its data is a public key, in presentation form (base64)
#: or RFC 3597's generic form (``TYPE61 \# 224 (`` and hex), as ``gpg --export-options
#: export-dane`` prints it (rt66-05).
_OPENPGPKEY = re.compile(
    rb"(?<![A-Za-z])(?:OPENPGPKEY\s+(?:\(\s*)?[A-Za-z0-9+/]|TYPE61\s+\\#\s+\d+\s)", re.IGNORECASE
)
#: An Ethereum node URL: ``enode://`` and the 64-byte secp256k1 public key in hex (rt66-05).
_ENODE = re.compile(rb"enode://[0-9A-Fa-f]{128}(?![0-9A-Fa-f])", re.IGNORECASE)
#: Bytes written as a C array (``{ 0x30, 0x59, ... }``, MCUboot's ``imgtool getpub``): at
#: least 16 items (rt66-05, in either case: rt66-18).
_C_ARRAY = re.compile(rb"(?:0[xX][0-9A-Fa-f]{2}\s*,\s*){15,}0[xX][0-9A-Fa-f]{2}")
#: Bytes as languages and dump tools print them (rt67-08), each a run of 16 or more:
#: prefixed hex items (``0x30``, ``0X6``, ``\x30``, ``\u0030``, ``%30``) between commas,
#: spaces, quotes, brackets and casts (Java's ``(byte)``, Kotlin's ``.toByte()``); decimal
#: items (Go's ``[48 89 ...]``, a C array in decimal; each item read one way only: ``1?\d?\d``
#: read ``11`` two ways and a run one short was retried 2**15 ways, rt67-20); bare hex pairs (Node's
#: ``<Buffer 30 59 ...>``); and dump lines (``hexdump -C``, ``xxd``: an offset, then hex).
_PREFIXED_BYTES = re.compile(
    rb"(?:(?:0[xX]|\\[xX]|\\u00|%)[0-9A-Fa-f]{1,2}(?:\(byte\)|\.toByte\(\)|[\s,;'\"()\[\]{}])*)"
    rb"{16,}"
)
_DECIMAL_BYTES = re.compile(
    rb"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)[\s,;]+){15,}"
    rb"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w.])"
)
_HEX_PAIRS = re.compile(rb"(?<!\w)(?:[0-9A-Fa-f]{2}[ \t]+){15,}[0-9A-Fa-f]{2}(?!\w)")
_DUMP_LINE = re.compile(
    rb"^[ \t]*[0-9A-Fa-f]{4,16}:?[ \t]+((?:[0-9A-Fa-f]{2,4}[ \t]{1,2}){1,16})", re.MULTILINE
)


def _separated_run(item: bytes) -> re.Pattern[bytes]:
    """16 or more whole ``item`` tokens, between any characters that are not letters or
    digits."""
    sep = rb"[^0-9A-Za-z]+"
    edge = rb"(?<![0-9A-Za-z])"
    return re.compile(
        edge + rb"(?:(?:" + item + rb")" + sep + rb"){15,}(?:" + item + rb")(?![0-9A-Za-z])"
    )


#: More printed byte forms (rt68-05, rt68-17): runs of whole items between any characters that
#: are not letters or digits, each kind an item pattern whose one group holds the digits, and
#: their base. Hex pairs (.NET's ``BitConverter`` ``30-59-...``, Python's ``bytes.hex("-")``,
#: ``_`` or ``.``, ``30,59``, Pascal's ``$30``), MASM's ``030h``, ``x30``, Verilog's
#: ``8'h30``, octal triples (``od -b``, ``\060`` escapes) and Python's ``oct()``, decimals
#: between any separators (``%03d``, dashes, dots), bits (``00110000``, Python's ``bin()``).
_ITEM_KINDS = (
    (rb"([0-9A-Fa-f]{2})", 16),
    (rb"0?([0-9A-Fa-f]{2})[hH]", 16),
    (rb"[xX]([0-9A-Fa-f]{2})", 16),
    (rb"[0-9]*'[hH]([0-9A-Fa-f]{2})", 16),
    (rb"([0-3][0-7]{2})", 8),
    (rb"0[oO]([0-7]{1,3})", 8),
    (rb"([0-9]{1,3})", 10),
    (rb"(?:0[bB])?([01]{8})|0[bB]([01]{1,7})", 2),
    (rb"(-?[0-9]{1,3})", -10),  # (signed bytes, Java's and Kotlin's: rt77-07)
)
_SEPARATED_ITEMS = tuple(
    (_separated_run(item), re.compile(item), base) for item, base in _ITEM_KINDS
)
#: Byte casts around an item, read as separators: Java's ``(byte)`` and Kotlin's
#: ``.toByte()`` (rt85-11); Scala's ``.toByte``, C#'s ``unchecked((sbyte)134)``, C's
#: ``(int8_t)``, ``(signed char)`` and ``(char)``, Rust's ``134u8 as i8``, Go's
#: ``int8(-122)`` and VB's ``CByte(...)`` (rt86-08). A value over 127 or under 0 is read as
#: its byte by the decimal and signed items.
_BYTE_CASTS = re.compile(
    rb"\(\s*(?:s?byte|u?int8_t|(?:(?:un)?signed\s+)?char|[iu]8)\s*\)"
    rb"|\.toByte(?:\(\))?"
    rb"|(?<![0-9A-Za-z_])(?:unchecked|u?int8|s?byte|CS?Byte)(?=\s*\()"
    rb"|(?<=[0-9A-Fa-f])[iu]8(?:\s+as\s+[iu]8)?(?![0-9A-Za-z_])"
)
#: VB's hex literals (``&H86``), read as C's (``0x86``: rt86-08).
_VB_HEX = re.compile(rb"&[hH](?=[0-9A-Fa-f])")
#: Bits with no separators at all: 16 or more bytes' worth, whole.
_BIT_STRING = re.compile(rb"(?<![0-9A-Za-z])[01]{128,}(?![0-9A-Za-z])")


def _separated_bytes(secret: bytes) -> list[bytes]:
    """The byte runs of :data:`_SEPARATED_ITEMS` and :data:`_BIT_STRING` in ``secret``; a run
    is cut where an item is past 255 (a decimal run beside other numbers), and what is left
    of 16 items or more kept."""
    runs: list[bytes] = []
    for pattern, item, base in _SEPARATED_ITEMS:
        if base < 0 and b"-" not in secret:
            continue  # (signed items differ from the decimal ones only by a minus)
        for match in pattern.finditer(secret):
            run: list[int] = []
            for found in item.finditer(match[0]):
                value = int(found[1] if found[1] is not None else found[2], abs(base))
                if base < 0 and -128 <= value < 0:
                    value += 256
                if 0 <= value <= 255:
                    run.append(value)
                    continue
                if len(run) >= 16:
                    runs.append(bytes(run))
                run = []
            if len(run) >= 16:
                runs.append(bytes(run))
    for match in _BIT_STRING.finditer(secret):
        bits = match[0][: len(match[0]) // 8 * 8]
        runs.append(int(bits, 2).to_bytes(len(bits) // 8, "big"))
    for match in _WORD_RUN.finditer(secret):
        words = _WORD_ITEM.findall(match[0])
        if len({len(word) for word in words}) == 1:
            size = len(words[0]) // 2
            for order in ("big", "little"):  # (a C array in memory order, or as printed)
                runs.append(b"".join(int(w, 16).to_bytes(size, order) for w in words))
    return runs


#: Four or more 32- or 64-bit words in hex (``0x3059...``, with C's ``U``/``L`` suffixes):
#: a key in a ``uint32_t`` array or devicetree cells (rt108-08).
_WORD_RUN = re.compile(
    rb"(?:0[xX](?:[0-9A-Fa-f]{16}|[0-9A-Fa-f]{8})(?![0-9A-Fa-f])[uUlL]{0,3}[\s,;]*){4,}"
)
_WORD_ITEM = re.compile(rb"0[xX]([0-9A-Fa-f]{16}|[0-9A-Fa-f]{8})(?![0-9A-Fa-f])")


#: A quoted string literal, C or Python, bytes or text: its escapes (``\x30``, ``\n``,
#: octal) are decoded, and the literals of a text are joined in order (pprint splits a
#: bytes value over lines as adjacent literals: rt66-18). One that is not closed on its
#: line runs to the line's end and is dropped: every match ends where the next search
#: starts, so the scan is linear (tried from every quote, an unclosed literal of escaped
#: quotes had taken 50 s for 80 KB, rt67-09).
_STRING_LITERAL = re.compile(
    rb"[bB]?'(?:[^'\\\n]|\\[\s\S])*(?:'|$)|[bB]?\"(?:[^\"\\\n]|\\[\s\S])*(?:\"|$)",
    re.MULTILINE,
)
#: An Ed25519 key as multibase base58btc of its multicodec (``z6Mk``: a W3C ``did:key`` or
#: bare), or a libp2p peer id of one (``12D3KooW``), as one token (rt61-05).
_BASE58_KEYS = re.compile(
    rb"(?<![1-9A-HJ-NP-Za-km-z])(?:z6Mk|12D3KooW)[1-9A-HJ-NP-Za-km-z]{40,50}(?![1-9A-HJ-NP-Za-km-z])"
)
#: A token that may be a multibase string (its first character names the base), or a
#: NEAR key (``ed25519:`` and base58).
_MULTIBASE_TOKEN = re.compile(rb"[A-Za-z0-9_-]{40,200}")
_BASE64_TOKEN_ANY = re.compile(rb"[A-Za-z0-9+/]{40,200}")
_NEAR_KEY = re.compile(rb"ed25519:([1-9A-HJ-NP-Za-km-z]{40,50})(?![1-9A-HJ-NP-Za-km-z])")
_BASE58_ALPHABET = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_RIPPLE_ALPHABET = b"rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz"
_BASE36_ALPHABET = b"0123456789abcdefghijklmnopqrstuvwxyz"
#: An Ed25519 key's libp2p protobuf (type 1, 32 bytes), as an identity multihash (a peer id),
#: and that as a CIDv1 of codec libp2p-key (an IPNS name).
_LIBP2P_KEY = b"\x08\x01\x12\x20"
_PEER_ID = b"\x00\x24" + _LIBP2P_KEY
_IPNS_CID = b"\x01\x72" + _PEER_ID
#: Tor's ``hs_ed25519_public_key`` file: a 32-byte tag, then the key.
_TOR_KEY_FILE = b"== ed25519v1-public: type0 =="


def _bech32_checks(hrp: bytes, data: bytes) -> bool:
    """Whether ``data`` (bech32 characters) carries a valid bech32 or bech32m checksum for
    ``hrp``."""
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    values = [c >> 5 for c in hrp] + [0] + [c & 31 for c in hrp]
    values += [_BECH32_ALPHABET.index(c) for c in data]
    check = 1
    for value in values:
        top = check >> 25
        check = ((check & 0x1FFFFFF) << 5) ^ value
        for bit, g in enumerate(generator):
            if (top >> bit) & 1:
                check ^= g
    return check in _BECH32_CONSTANTS


def _is_public_bech32(secret: bytes) -> bool:
    """A bech32 public key (age ``age1``, Nostr ``npub1``, Cardano ``ed25519_pk1`` and
    ``addr_vk1``, Cosmos ``cosmospub1``, ...), in either case: a valid checksum, 32 bytes or
    more, and a human-readable part that says public (``pub``, ``pk``, Cardano's verification
    key ``vk``) or is age's. Random text is a valid bech32 string about once
    in 10**9 (a 30-bit checksum); secret-key parts (``nsec``, ``age-secret-key``) are kept."""
    # (upper case too: BIP 173 allows it, and QR codes use it; rt62-04)
    for match in (*_BECH32.finditer(secret), *_BECH32.finditer(secret.lower())):
        hrp, data = match.group(1), match.group(2)
        # (age's plugin recipients are age1yubikey1..., age1tpm1...; a Nostr nprofile holds
        # the npub's key: rt63-11)
        if not (
            hrp.startswith(b"age")
            or hrp == b"nprofile"
            or b"pub" in hrp
            or b"pk" in hrp
            or b"vk" in hrp
        ):
            continue
        if _bech32_checks(hrp, data):
            return True
    return False


#: 56 base32 characters (either case) as one token, with or without ``.onion``: a Tor v3
#: onion address (:func:`_is_onion_key`).
_ONION = re.compile(rb"(?<![A-Za-z2-7])[A-Za-z2-7]{56}(?![A-Za-z2-7])")
#: 58 base32 characters as one token: an Algorand address (:func:`_is_algorand_address`).
_ALGORAND = re.compile(rb"(?<![A-Z2-7])[A-Z2-7]{58}(?![A-Z2-7])")


def _is_onion_key(secret: bytes) -> bool:
    """A Tor v3 onion address, with or without ``.onion``, in either case: an Ed25519 key, a
    2-byte SHA3-256 checksum and version 3 in 56 base32 characters (rt62-04). A random
    56-character base32 token passes the checksum and version once in 16,777,216."""
    import hashlib

    for match in _ONION.finditer(secret):
        raw = base64.b32decode(match.group().upper())
        key, check, version = raw[:32], raw[32:34], raw[34]
        if (
            version == 3
            and check == hashlib.sha3_256(b".onion checksum" + key + b"\x03").digest()[:2]
        ):
            return True
    return False


def _is_algorand_address(secret: bytes) -> bool:
    """An Algorand address: 58 base32 characters of an Ed25519 key and the last 4 bytes of
    its SHA-512/256 (rt62-04; a random token passes once in 2**32)."""
    import hashlib

    for match in _ALGORAND.finditer(secret):
        raw = base64.b32decode(match.group() + b"======")
        try:
            digest = hashlib.new("sha512_256", raw[:32]).digest()
        except ValueError:  # an OpenSSL without SHA-512/256: the check cannot be made
            return False
        if raw[32:] == digest[-4:]:
            return True
    return False


#: Base58check public keys by their version bytes and payload length: Tezos ``edpk``,
#: ``sppk`` and ``p2pk``, BIP 32 ``xpub`` and ``tpub`` (rt63-05).
_BASE58CHECK_KEYS = (
    (bytes.fromhex("0d0f25d9"), 32, "a Tezos edpk public key"),
    (bytes.fromhex("03fee256"), 33, "a Tezos sppk public key"),
    (bytes.fromhex("03b28b7f"), 33, "a Tezos p2pk public key"),
    (bytes.fromhex("0488b21e"), 74, "a BIP 32 xpub extended public key"),
    (bytes.fromhex("043587cf"), 74, "a BIP 32 tpub extended public key"),
)
_BASE58_RUN = re.compile(rb"[1-9A-HJ-NP-Za-km-z]{40,120}")
#: NATS nkeys' public prefixes (operator, server, cluster, account, user, curve): a Stellar
#: StrKey's form and CRC16 with another version byte; seeds (``S``) are secrets.
_NKEY_VERSIONS = {14 << 3, 13 << 3, 2 << 3, 0, 20 << 3, 23 << 3}


def _base58_key_form(secret: bytes) -> str | None:
    """A base58check public key (:data:`_BASE58CHECK_KEYS`: a fixed version and a 4-byte
    double SHA-256 check) or a Substrate SS58 address (a 1- or 2-byte network prefix, the
    32-byte key and a 2-byte BLAKE2b check), as one token; ``None`` otherwise. A random
    token passes a check once in 2**32 or, for SS58, 2**16 (and must decode to 35 or 36
    bytes)."""
    import hashlib

    for match in _BASE58_RUN.finditer(secret):
        raw = _radix_decode(match.group(), _BASE58_ALPHABET)
        if raw is None or len(raw) < 35:
            continue
        body, check = raw[:-4], raw[-4:]
        if hashlib.sha256(hashlib.sha256(body).digest()).digest()[:4] == check:
            for version, size, what in _BASE58CHECK_KEYS:
                if body.startswith(version) and len(body) == len(version) + size:
                    return what
            if len(body) == 78 and body[45] in (2, 3):
                # any BIP 32 serialisation of a public key, whatever its version bytes
                # (SLIP-132 ypub/zpub, Litecoin Ltub, ...; a private one holds 0 there: rt63-11)
                return "a BIP 32 extended public key"
        ripple = _radix_decode(match.group(), _RIPPLE_ALPHABET) or b""
        if len(ripple) == 38 and ripple[0] in (0x1C, 0x23):
            # an XRP Ledger node or account public key: its prefix, a 33-byte key and a 4-byte
            # double SHA-256 check, in Ripple's base58 alphabet (rt65-08)
            if hashlib.sha256(hashlib.sha256(ripple[:-4]).digest()).digest()[:4] == ripple[-4:]:
                return "an XRP Ledger public key"
        if len(raw) in (35, 36) and _whole_token(secret, match.start(), match.end()):
            # (a 2-byte check: only a whole token, not a run of base58 letters inside a longer
            # base32 or base64 token, where random secrets met it, rt109-05)
            head = len(raw) - 34
            if raw[0] < 64 if head == 1 else 64 <= raw[0] < 128:
                digest = hashlib.blake2b(b"SS58PRE" + raw[:-2], digest_size=64).digest()
                if digest[:2] == raw[-2:]:
                    return "a Substrate (SS58) address"
    return None


def _whole_token(text: bytes, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` stands alone: no letter or digit right before or after."""
    return not (start > 0 and chr(text[start - 1]).isalnum()) and not (
        end < len(text) and chr(text[end]).isalnum()
    )


def _radix_decode(text: bytes, alphabet: bytes) -> bytes | None:
    """``text`` in base ``len(alphabet)`` (leading zero digits kept as zero bytes, as base58
    and base36 multibase write them), or ``None`` if a character is not in it."""
    number = 0
    for char in text:
        digit = alphabet.find(char)
        if digit < 0:
            return None
        number = number * len(alphabet) + digit
    zeros = len(text) - len(text.lstrip(alphabet[:1]))
    return b"\0" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")


def _multibase_decode(token: bytes) -> bytes | None:
    """The bytes of a multibase string (``f`` hex, ``b``/``B`` base32, ``k`` base36, ``z``
    base58btc, ``u`` base64url, ``m`` base64), or ``None``."""
    head, body = token[:1], token[1:]
    try:
        if head == b"f":
            return bytes.fromhex(body.decode())
        if head in (b"b", b"B"):
            raw = base64.b32decode(body.upper() + b"=" * (-len(body) % 8))
            # (an encoder leaves the last character's spare bits zero; a random token has
            # them zero once in up to 16: rt109-05 met "B5UA..." decoding to ed01 and 32 bytes)
            return raw if base64.b32encode(raw).rstrip(b"=") == body.upper() else None
        if head == b"k":
            return _radix_decode(body, _BASE36_ALPHABET)
        if head == b"z":
            return _radix_decode(body, _BASE58_ALPHABET)
        if head in (b"u", b"m"):
            plain = body.replace(b"-", b"+").replace(b"_", b"/").rstrip(b"=")
            raw = base64.b64decode(plain + b"=" * (-len(plain) % 4))
            return raw if base64.b64encode(raw).rstrip(b"=") == plain else None
    except ValueError:
        return None
    return None


#: Multicodec public-key heads (varint) and the key's length after them: Ed25519, X25519,
#: secp256k1, P-256 and P-521 (compressed points), P-384, Ed448, X448 and BLS12-381 G1/G2;
#: all but Ed25519 were accepted (rt64-07: ``zQ3s...``, ``zDn...``, ``z6LS...`` did:keys).
_MULTICODEC_KEYS = {
    b"\xed\x01": 32,
    b"\xec\x01": 32,
    b"\xe7\x01": 33,
    b"\x80\x24": 33,
    b"\x81\x24": 49,
    b"\x82\x24": 67,
    b"\x83\x24": 57,
    b"\x84\x24": 56,
    b"\xea\x01": 48,
    b"\xeb\x01": 96,
    # (rt65-12) sr25519, BLS12-381 G1 and G2 together, SM2 (compressed), ML-DSA-44/65/87
    b"\xef\x01": 32,
    b"\xee\x01": 144,
    b"\x86\x24": 33,
    b"\x90\x24": 1312,
    b"\x91\x24": 1952,
    b"\x92\x24": 2592,
}
#: A Filecoin BLS address: ``f3`` (or ``t3``, test network), then base32 of the 48-byte public
#: key and a 4-byte BLAKE2b check of the protocol byte and the key (rt64-07).
_FILECOIN_BLS = re.compile(rb"(?<![A-Za-z0-9])[ft]3([a-z2-7]{84})(?![a-z2-7])")


def _is_filecoin_bls(secret: bytes) -> bool:
    """A Filecoin BLS address (:data:`_FILECOIN_BLS`) whose check matches its key."""
    for match in _FILECOIN_BLS.finditer(secret):
        text = match.group(1).upper()
        try:
            raw = base64.b32decode(text + b"=" * (-len(text) % 8))
        except ValueError:
            continue
        key, check = raw[:48], raw[48:]
        if hashlib.blake2b(b"\x03" + key, digest_size=4).digest() == check:
            return True
    return False


#: A multibase token too long for :data:`_MULTIBASE_TOKEN`: an RSA key (``0x8524`` and a DER
#: ``RSAPublicKey``: an RSA ``did:key`` is 373 characters at 2,048 bits, 1,430 at 8,192), an
#: ML-DSA key or a ``jwk_jcs`` JSON key, in any of the multibase heads (rt64-14, rt65-07).
_MULTIBASE_LONG = re.compile(rb"(?<![A-Za-z0-9+/_-])[zumfbB][A-Za-z0-9+/_-]{100,4000}")


def _is_codec_key(raw: bytes) -> bool:
    """Whether ``raw`` is a multicodec public key: a fixed-length one
    (:data:`_MULTICODEC_KEYS`), an RSA key (``0x8524`` and a DER SEQUENCE whose length ends
    where ``raw`` ends) or a ``jwk_jcs`` key (``0xeb51`` and a JSON object)."""
    if _MULTICODEC_KEYS.get(raw[:2]) == len(raw) - 2:
        return True
    if raw[:3] == b"\xd1\xd6\x03" and raw[3:4] == b"{":
        return True
    if raw[:3] != b"\x85\x24\x30" or len(raw) < 5 or not 0x81 <= raw[3] <= 0x83:
        return False
    size = raw[3] & 0x7F
    return 4 + size + int.from_bytes(raw[4 : 4 + size], "big") == len(raw)


def _is_long_multibase_key(secret: bytes) -> bool:
    """A long multibase token (:data:`_MULTIBASE_LONG`) holding a multicodec key."""
    for match in _MULTIBASE_LONG.finditer(secret):
        raw = _multibase_decode(match.group())
        if raw is not None and _is_codec_key(raw):
            return True
    return False


def _is_multibase_key(secret: bytes) -> bool:
    """An Ed25519 public key in a multibase string: the multicodec key (``0xed01`` and 32
    bytes; ``z6Mk...`` in base58, ``fed01...``, ``u7QE...``, ``b5uaq...``), a libp2p peer id or
    an IPNS name of one (``12D3KooW...``, ``k51qzi5uqu5...``, ``bafzaa...``), or a NEAR key
    (``ed25519:`` and the base58 key) (rt61-05, rt62-09). A random token passes only by
    starting with those fixed bytes, 2 to 8 of them, at exactly the key's length."""
    for match in _NEAR_KEY.finditer(secret):
        if len(_radix_decode(match.group(1), _BASE58_ALPHABET) or b"") == 32:
            return True
    tokens = [m.group() for m in _MULTIBASE_TOKEN.finditer(secret)]
    tokens += [m.group() for m in _BASE64_TOKEN_ANY.finditer(secret)]
    for token in tokens:
        raw = _multibase_decode(token)
        if raw is not None and (
            _is_codec_key(raw)
            or (len(raw) == 38 and raw[:6] == _PEER_ID)
            or (len(raw) == 40 and raw[:8] == _IPNS_CID)
        ):
            return True
        # (a peer id is also written as bare base58, the multibase head left out; a bare
        # multicodec key is not read so: its 2 fixed bytes held for one random base58
        # secret of 34 or 35 bytes in 21,845, rt112-11)
        bare = _radix_decode(token, _BASE58_ALPHABET)
        if bare is not None and (
            (len(bare) == 38 and bare[:6] == _PEER_ID)
            or (len(bare) == 40 and bare[:8] == _IPNS_CID)
        ):
            return True
    return False


def _crc16_xmodem(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def _strkey_size(raw: bytes) -> int:
    """How long a StrKey of ``raw``'s version byte is, its payload and CRC16 included: 35 for
    an account or a NATS nkey, 43 for a muxed account (and a 64-bit id), and for a
    signed-payload signer what its payload's length (1 to 64, padded to 4) says; 0 for a
    version that is no public key's."""
    if raw[0] in _NKEY_VERSIONS or raw[0] == 6 << 3:
        return 35
    if raw[0] == 12 << 3:
        return 43
    if raw[0] == 15 << 3 and len(raw) >= 39:
        size = int.from_bytes(raw[33:37], "big")
        return 1 + 32 + 4 + (size + 3) // 4 * 4 + 2 if 1 <= size <= 64 else 0
    return 0


def _is_stellar_account(secret: bytes) -> bool:
    """A Stellar account id: 56 base32 characters of version byte ``G``, an Ed25519 key and
    its CRC16 (a random 56-character base32 token starting ``G`` passes once in 65,536)."""
    for match in _STELLAR.finditer(secret):
        text = match.group()
        try:
            raw = base64.b32decode(text + b"=" * (-len(text) % 8))
        except ValueError:
            continue
        # an account (G), a muxed account (M: the key and an id) or a signed-payload signer
        # (P: the key and a payload), or a NATS public nkey: a version byte, the key, a CRC16
        if len(raw) != _strkey_size(raw):
            continue  # (a random token of another length met a CRC16 once in 1.9 million,
            # rt109-05)
        if len(set(raw[1:33])) < 8:
            continue  # (a run of one letter: "AAAA..." is version 0, a zero key, CRC 0)
        if _crc16_xmodem(raw[:-2]) == int.from_bytes(raw[-2:], "little"):
            return True
    return False


def _text_key_form(secret: bytes) -> str | None:
    """Which of :data:`_TEXT_KEYS` (or the checked text forms) ``secret`` holds, or ``None``."""
    for pattern, what in _TEXT_KEYS:
        if pattern.search(secret):
            return what
    if _is_public_bech32(secret):
        return "a bech32 public key (age, Nostr, Cardano, Cosmos, ...)"
    if _PASERK.search(secret):
        return "a PASERK public key"
    if _is_stellar_account(secret):
        return "a Stellar account id or NATS public nkey"
    found = _base58_key_form(secret)
    if found:
        return found
    if _is_algorand_address(secret):
        return "an Algorand address"
    if _is_onion_key(secret):
        return "a Tor onion address"
    if _DNSKEY.search(secret) or _DNSKEY_GENERIC.search(secret):
        return "a DNSKEY record"
    if _OPENPGPKEY.search(secret):
        return "an OPENPGPKEY record"
    if _ENODE.search(secret):
        return "an Ethereum node URL (enode)"
    if _BASE58_KEYS.search(secret) or _is_multibase_key(secret) or _is_long_multibase_key(secret):
        return "a multibase (did:key), libp2p, IPNS or NEAR public key"
    if _is_filecoin_bls(secret):
        return "a Filecoin BLS address"
    if secret.lstrip().startswith(_TOR_KEY_FILE):
        return "a Tor onion service public key file"
    return None


def _has_minisign_line(secret: bytes) -> bool:
    """Whether ``secret`` holds a minisign or signify public key line (rt57-03). Only the line
    as those tools print it: 42 random bytes (after trimming, in url-safe base64, raw) start
    with ``Ed`` once in 65,536 and are kept (rt58-07); a random secret that is exactly 56
    characters of standard base64 starting ``RW`` cannot be told from a key line."""
    for match in _MINISIGN_LINE.finditer(secret):
        if base64.b64decode(match.group())[:2] == b"Ed":
            return True
    return False


#: A COSE OKP key's curves (X25519, X448, Ed25519, Ed448) and their key lengths.
_COSE_OKP_CURVES = {4: 32, 5: 56, 6: 32, 7: 57}


def _is_cose_okp(secret: bytes) -> bool:
    """A COSE OKP public key as its three-entry CBOR map: kty 1 (OKP), crv (-1) one of
    :data:`_COSE_OKP_CURVES`, x (-2) a byte string of that curve's length, ending the map
    (rt65-08; a random secret starts so once in 2**56)."""
    if secret[:4] != b"\xa3\x01\x01\x20" or len(secret) < 8:
        return False
    size = _COSE_OKP_CURVES.get(secret[4])
    return (
        size is not None
        and secret[5:8] == b"\x21\x58" + bytes([size])
        and (len(secret) == 8 + size)
    )


#: Compressed files and archives told by the bytes they start with, which random bytes
#: start with once in 2**32 or less. A secret is random bytes, never a compressed file or an
#: archive; one of those may hold a public key in any of its members, however deep, so it is
#: refused by its form whatever it holds (reading members found more each round: a zip's
#: fifth entry, a gzip's second member, a zip after a preamble, rt81-01/07/10).
_ARCHIVE_MAGIC = (
    (b"\xfd7zXZ\x00", "an xz file"),
    (b"\x28\xb5\x2f\xfd", "a zstd file"),
    (b"\x04\x22\x4d\x18", "an LZ4 file"),
    (b"\x02\x21\x4c\x18", "an LZ4 file (legacy frame)"),
    (b"LZIP\x01", "an lzip file"),
    (b"\x89LZO\x00\r\n\x1a\n", "an lzop file"),
    (b"\xff\x06\x00\x00sNaPpY", "a Snappy framed file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"MSCF\x00\x00\x00\x00", "a Microsoft cabinet"),
    (b"xar!", "a xar archive"),
    (b"!<arch>\n", "an ar archive"),
    (b"070701", "a cpio archive"),
    (b"070702", "a cpio archive"),
    (b"070707", "a cpio archive"),
    (b"\xed\xab\xee\xdb", "an RPM package"),
)
#: A zip's local file header (its version: 6.3 at most, MS-DOS's attributes), central
#: directory entry, end record (one disk: its disk numbers 0, its entry counts equal) or
#: Zip64's (a 44-byte record) anywhere: a zip is read from its end record, after any preamble
#: (a self-extracting archive, rt81-10). Each is 48 bits or more, so a random secret of 4 MB
#: holds one once in 2**20 or less (the end record's four bytes alone: once in 500, rt82-06).
_ZIP_RECORDS = re.compile(
    rb"PK\x03\x04[\x00-\x3f]\x00"
    rb"|PK\x01\x02[\x00-\x3f][\x00-\x13][\x00-\x3f]\x00"
    rb"|PK\x05\x06\x00\x00\x00\x00([\x00-\xff]{2})\1"
    rb"|PK\x06\x06\x2c\x00{7}"
)
#: A skippable frame's magic (zstd's and LZ4's: 0x184D2A50 to 0x184D2A5F, little-endian),
#: which ``pzstd`` writes before the zstd frame (rt82-02).
_SKIPPABLE_FRAME = re.compile(rb"[\x50-\x5f]\x2a\x4d\x18")
#: What bzip2 writes after ``BZh`` and its block size: a block's magic (the digits of pi) or
#: the end of an empty stream's (those of the square root of pi).
_BZIP2_BLOCKS = (b"1AY&SY", b"\x17rE8P\x90")
#: The most a zlib stream is inflated to while telling whether it is one.
MAX_INFLATED = 1 << 20


def _is_tar(secret: bytes) -> bool:
    """Whether ``secret`` starts with a tar header: POSIX's and GNU's magic at byte 257, or a
    v7 header (no magic) whose checksum field is right, which random bytes are once in 2**40
    or less."""
    if secret[257:262] == b"ustar":
        return True
    header = secret[:512]
    field = header[148:156].rstrip(b" \x00")
    if len(header) < 512 or len(field) < 6 or any(c not in b"01234567" for c in field):
        return False
    return int(field, 8) == sum(header[:148]) + 8 * 0x20 + sum(header[156:])


def _lzw_starts(codes: bytes) -> bool:
    """Whether the first eight 9-bit codes of a ``compress`` (.Z) stream in block mode are
    codes it could have written: the first a byte, each next at most the next free code. A
    random stream passes once in some 200 tries."""
    bits = int.from_bytes(codes[:9], "little")
    free = 256  # (257 once the first code is read: 256 is CLEAR)
    for index in range(min(8, len(codes) * 8 // 9)):
        code = (bits >> (9 * index)) & 0x1FF
        if code > free or (index == 0 and code > 255):
            return False
        free = 256 if code == 256 else free + 1
    return True


#: The output one decompressor call may make: each call's step is charged to the secret's
#: read budget before it runs, so a stream cut short before its end costs no more than its
#: output (tokens of 230-byte lzma streams each inflating to 1 MB had taken 8 s, rt82-01).
INFLATE_STEP = 1 << 16
#: The memory liblzma may take for one stream's dictionary: it allocates what the header names
#: (up to 4 GB) before reading data, and a random secret starting 0x5D names that once in 512
#: (rt82-05). ``xz -9`` uses 64 MB.
LZMA_MEMORY = 1 << 27


def _inflates(secret: bytes, make: Any, budget: list[int]) -> bool:
    """Whether ``secret`` is a whole stream the decompressor ``make()`` reads without an error
    (to its end, checksum included, or past :data:`MAX_INFLATED`): a random secret with a
    stream's header fails within bytes. Read :data:`INFLATE_STEP` bytes of output at a time,
    each step charged to ``budget`` (:func:`_charge`) by what it read and made, so a step
    costs at most :data:`INFLATE_STEP` before it is charged (charging each step's whole
    allowance up front made a 64 KB random secret written by ``hexdump -C`` pay 2 MB for
    the 30 hex lines that look like a zlib header, rt84-12)."""
    import lzma
    import zlib

    reader = make()
    data, made = secret, 0
    while made < MAX_INFLATED:
        step = min(INFLATE_STEP, MAX_INFLATED - made)
        try:
            out = reader.decompress(data, step)
        except (zlib.error, lzma.LZMAError, OSError, EOFError, ValueError, MemoryError):
            return False
        rest = getattr(reader, "unconsumed_tail", b"")  # (lzma keeps its own)
        _charge(budget, len(out) + len(data) - len(rest))
        made += len(out)
        if reader.eof:
            return True
        if len(out) < step:
            return False  # (all of it read, and no end: not a stream any tool wrote)
        data = rest
    return True


#: The input fed to the first call of a raw stream's decompressor, and the most fed to one
#: (each call is fed twice what the one before was): a raw stream has no header to try it
#: by, so every form is read as one, and a random form fails within bytes; each call is
#: charged what it read and made (:func:`_raw_read`), and the call that fails is read again
#: byte by byte for the output up to its error (:func:`_until_error`).
RAW_FIRST_CHUNK = 1 << 3
RAW_CHUNK = 1 << 6
#: The least a raw deflate stream's output is read as text by: a PEM armour line and its line
#: break (:data:`_PRINTABLE_RUN`).
RAW_TEXT = 24
#: The least input a raw stream that does not end must decode without an error to be read:
#: the raw deflate of a P-256 key's DER, flushed, is 97 bytes; random bytes seldom decode
#: as many (:func:`_raw_stream_form`).
RAW_PREFIX = 64
#: The decoding depth what a raw stream that does not end decodes to is read at: past
#: :data:`_MAX_DECODES`, so it is read for its own forms only, not decoded nor read as a raw
#: stream again.
_RAW_PREFIX_LEVEL = _MAX_DECODES + 1
#: What starting the next of raw streams back to back costs, in bytes read: a random secret
#: seldom ends one stream, and a megabyte of zero bytes, read as raw LZMA1 streams of one byte
#: each, spends the whole budget in its first 64 KB (rt109-04).
STREAM_CHARGE = 256
#: Whitespace a file may hold after a raw stream that ends with it.
_TRAILING_SPACE = b" \t\r\n\x0b\x0c\x00"


def _raw_readers() -> tuple[tuple[Any, str], ...]:
    """The headerless streams the standard library decodes, each a maker of a fresh
    decompressor and a name: raw deflate (RFC 1951: ``zopfli --deflate``, PHP's gzdeflate,
    Java's ``Deflater(nowrap)``, .NET's DeflateStream), and xz's raw LZMA2 and LZMA1
    (``xz --format=raw`` and ``--format=raw --lzma1``: lc 3, lp 0, pb 2, rt84-11). LZMA's
    dictionary is :data:`MAX_INFLATED` (no more is read), so liblzma allocates that much."""
    import lzma
    import zlib

    lzma2 = [{"id": lzma.FILTER_LZMA2, "dict_size": MAX_INFLATED}]
    lzma1 = [{"id": lzma.FILTER_LZMA1, "dict_size": MAX_INFLATED, "lc": 3, "lp": 0, "pb": 2}]
    return (
        (lambda: zlib.decompressobj(-15), "raw-deflated"),
        (lambda: lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=lzma2), "raw LZMA2 (xz)"),
        (lambda: lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=lzma1), "raw LZMA1 (xz)"),
    )


def _until_error(reader: Any, data: bytes, budget: list[int]) -> tuple[bytes, int]:
    """What the deflate ``reader`` (a copy taken before ``data`` failed) makes of ``data``
    byte by byte, up to the byte that fails: a flushed stream's output up to the garbage
    after it; and how many bytes of ``data`` it read."""
    import zlib

    parts: list[bytes] = []
    for at in range(len(data)):
        try:
            out = reader.decompress(data[at : at + 1], INFLATE_STEP)
        except zlib.error:
            return b"".join(parts), at
        _charge(budget, 1 + len(out))
        parts.append(out)
    return b"".join(parts), len(data)


def _raw_read(data: bytes, make: Any, budget: list[int]) -> tuple[bytes, bool, int]:
    """What ``data`` decodes to as raw streams of the decompressor ``make()`` from its first
    byte, as far as they decode: up to an error, the data's end or :data:`MAX_INFLATED`;
    a stream that ends is followed by the next (two streams back to back). A stream need not
    end where the secret ends to hold a key: one flushed but not finished (zlib's
    Z_SYNC_FLUSH, RFC 7692's messages), a gzip member with its header cut, a stream with text
    after it (rt84-07). Also whether the last stream ended within four bytes of whitespace of
    the data's end, and how many of its bytes decoded without an error. Input is fed from
    :data:`RAW_FIRST_CHUNK` bytes a call up to :data:`RAW_CHUNK`, and each call is charged
    what it read and made after it runs (at most :data:`INFLATE_STEP` made a call): a random
    form fails within bytes and costs that (charging a step's allowance up front made an
    ``xxd -p`` file of a 32 KB random secret be refused, rt84-12)."""
    import lzma
    import zlib

    reader = make()
    parts: list[bytes] = []
    made = at = read = 0
    chunk = RAW_FIRST_CHUNK
    pending = b""  # (what the stream that ended last had been given past its end)
    while made < MAX_INFLATED:
        deflate = hasattr(reader, "unconsumed_tail")  # (lzma keeps its own input)
        tail = reader.unconsumed_tail if deflate else b""
        if not tail and (deflate or reader.needs_input):
            if pending:
                tail, pending = pending, b""
            elif at >= len(data):
                if deflate:  # (what a flushed stream left in zlib's window)
                    out = reader.flush(min(INFLATE_STEP, MAX_INFLATED - made))
                    _charge(budget, len(out))
                    parts.append(out)
                break  # (all of it read, and no end)
            else:
                tail = data[at : at + chunk]
                at += len(tail)
                chunk = min(2 * chunk, RAW_CHUNK)
        saved = reader.copy() if deflate else None
        try:
            out = reader.decompress(tail, min(INFLATE_STEP, MAX_INFLATED - made))
        except (zlib.error, lzma.LZMAError, EOFError, ValueError, MemoryError):
            if saved is not None:
                recovered, good = _until_error(saved, tail, budget)
                parts.append(recovered)
                read += good
            break
        left = reader.unconsumed_tail if deflate else b""
        _charge(budget, len(out) + len(tail) - len(left))
        read += len(tail) - len(left)
        parts.append(out)
        made += len(out)
        if reader.eof:
            pending = reader.unused_data
            if len(pending) + len(data) - at <= 4:
                rest = pending + data[at:]
                if not rest.strip(_TRAILING_SPACE):
                    return b"".join(parts), True, read
            read -= len(pending)
            # a fresh decompressor for the next stream, charged as :data:`STREAM_CHARGE`
            # bytes read; the rest is not copied (raw LZMA1 reads zero bytes as streams of
            # one byte each: copying the rest for each made a megabyte of them cost 32 s,
            # rt109-04)
            _charge(budget, STREAM_CHARGE)
            reader, chunk = make(), RAW_FIRST_CHUNK
    return b"".join(parts), False, read


def _raw_stream_form(forms: list[bytes], decodes: int, budget: list[int]) -> str | None:
    """What the forms ``forms`` (a secret and what follows its text preamble,
    :func:`_after_text`) hold as raw streams (:func:`_raw_readers`, :func:`_raw_read`).

    A stream that ends where its form ends (but for whitespace): a form
    :func:`_public_key_form` refuses, read one decoding deeper, or for raw deflate text of
    :data:`RAW_TEXT` bytes or more (rt83-07). Of 1,000,000 random secrets each of 16, 32 and
    64 bytes, 44, 8 and 0 inflated exactly to their end (to 11 to 406 bytes of binary), and
    none inflated to text or to a refused form.

    A stream read as far as it decodes, which need not end (rt84-07, rt84-11): when
    :data:`RAW_PREFIX` bytes or more of it decode, what it decodes to is read for a
    refused form of its own, not decoded further (:data:`_RAW_PREFIX_LEVEL`). Random bytes
    decode a few bytes, made mostly of back-references: runs of one byte or two, which
    hold short magic numbers (a Java KeyStore's CE CE CE CE, cpio's "070707") and checked
    tokens of one letter; of 200,000 random 256-byte forms, 25 read 64 bytes as deflate,
    6 as LZMA1 (none 48), and 801 as LZMA2 (its stored chunk: a copy of the secret's own
    bytes)."""
    if decodes > _MAX_DECODES:
        return None
    for form in forms:
        for make, what in _raw_readers():
            out, ends, read = _raw_read(form, make, budget)
            if len(out) >= MAX_INFLATED:
                return f"a {what} stream of {MAX_INFLATED:,} bytes or more"
            if len(out) < 16:
                continue  # (nothing shorter holds a key)
            found = None
            if ends and decodes < _MAX_DECODES:
                found = _public_key_form(out, decodes + 1, budget)
            elif not ends and read >= RAW_PREFIX:
                found = _public_key_form(out, _RAW_PREFIX_LEVEL, budget)
            if found is not None:
                return f"{found}, {what}"
            if ends and what == "raw-deflated" and len(out) >= RAW_TEXT and _is_text(out):
                return "a raw deflate stream of text"
    return None


#: The bytes no text holds: ASCII's control characters but tab, LF, VT, FF, CR and ESC (a
#: terminal's colours in a script's messages), and DEL. Every other byte may be text: UTF-8,
#: or a legacy 8-bit code page (Latin-1, CP1252: rt84-08).
_NOT_TEXT = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
#: A line's end, after which a payload or a key's DER starts (``tail -n +N``).
_LINE_END = re.compile(rb"\r\n?|\n")


def _text_end(data: bytes) -> int:
    """Where the text ``data`` starts with ends: at the first byte of :data:`_NOT_TEXT`. A
    label or comment in UTF-8 or in a legacy 8-bit code page (0xE9 for Latin-1's "é", 0x92
    for CP1252's curly apostrophe) is text; the text once ended at the first byte that was
    not UTF-8, so a Latin-1 label hid the payload after it (rt84-08)."""
    stop = _NOT_TEXT.search(data)
    return len(data) if stop is None else stop.start()


def _utf8_end(data: bytes, end: int) -> int:
    """Where the UTF-8 of ``data[:end]`` ends: a payload's first byte of 0x80 or more (raw
    deflate's, xz's 0xFD) right after text on the same line is text to :func:`_text_end`."""
    try:
        data[:end].decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start
    return end


def _is_text(data: bytes) -> bool:
    """Whether ``data`` is all UTF-8 text (:data:`_NOT_TEXT`'s complement)."""
    return _text_end(data) == len(data) and _utf8_end(data, len(data)) == len(data)


#: The line starts before a text's end that a payload is looked for at, the last ones: a
#: payload's first line holds a byte no text holds within bytes (gzip's 0x1F, xz's NUL, a
#: DER length, a tar name's NUL), so it starts on one of the last lines before the text
#: ends. Every line start was once read and charged, and a decoded form of a random
#: secret's ``hexdump -C`` whose text ran on for thousands of lines (bytes 0x80-0xFF are text
#: now, rt84-08) was charged gigabytes (rt84-12).
PREAMBLE_LINES = 8
#: What each place after a preamble costs beyond its bytes, charged once for all of them.
_PLACE_CHARGE = 64


def _after_text(secret: bytes, budget: list[int]) -> list[bytes]:
    """What may follow a text preamble in ``secret``: from where its text ends
    (:func:`_text_end`), where its UTF-8 ends, and from the last :data:`PREAMBLE_LINES` line
    starts before that (a comment line before a key's DER, a self-extracting script's stub
    before its payload: rt82-09, rt82-14; the text once ended at the first byte outside
    printable ASCII, so a UTF-8 label, an escape sequence or a form feed in the stub hid the
    payload, rt83-08). Each is charged to ``budget`` (:func:`_charge`) as long as it is, for
    the forms read in it."""
    end = _text_end(secret)
    if not 0 < end < len(secret):
        return []
    starts = {end, _utf8_end(secret, end)}
    lines = [line.end() for line in _LINE_END.finditer(secret, 0, end)]
    starts.update(lines[-PREAMBLE_LINES:])
    places = sorted(starts - {0, len(secret)})
    # (before any is made: the bytes from the first place on, once. The readers of each
    # place charge what they decode as they go; a random decoded form, text to its first
    # control byte, had up to ten places charged whole each, and random base64 secrets of
    # 36 KB and more were refused, rt85-02)
    if places:
        _charge(budget, len(secret) - places[0] + _PLACE_CHARGE * len(places))
    return [secret[at:] for at in places]


def _archive_form(secret: bytes, budget: list[int], rests: list[bytes]) -> str | None:
    """What compressed file or archive ``secret`` is, or holds after a text preamble (a
    self-extracting script: gzip, xz and bzip2 tars after a shell stub were accepted,
    rt82-14): :func:`_archive_at` on ``secret`` and on each of ``rests``
    (:func:`_after_text`)."""
    found = _archive_at(secret, budget)
    if found is not None:
        return found
    for rest in rests:
        found = _archive_at(rest, budget)
        if found is not None:
            return f"{found} after a text preamble"
    return None


def _is_binary_cpio(secret: bytes) -> bool:
    """Whether ``secret`` starts with an old binary cpio header (``cpio -o``'s default: magic
    070707 as a 16-bit word of either byte order, then 12 more fields and a NUL-ended name of
    printable text): random bytes once in 2**33 or less (rt82-09)."""
    order = {b"\xc7\x71": "little", b"\x71\xc7": "big"}.get(secret[:2])
    if order is None or len(secret) < 28:
        return False
    size = int.from_bytes(secret[20:22], order)  # type: ignore[arg-type]
    name = secret[26 : 26 + size]
    return 2 <= size <= 256 and name.endswith(b"\x00") and all(0x20 <= c < 0x7F for c in name[:-1])


def _archive_at(secret: bytes, budget: list[int]) -> str | None:
    """What compressed file or archive ``secret`` is (:data:`_ARCHIVE_MAGIC`,
    :data:`_ZIP_RECORDS`, gzip, bzip2, zlib, lzma, ``compress``, tar), or ``None``. Each is
    told by its form, strict enough that random secrets are not: gzip by its magic, method
    and flags (2**-27), bzip2 by a block's magic, zlib and lzma by inflating to their end,
    ``compress`` by its mode byte and first codes (2**-28)."""
    import lzma
    import zlib

    if len(secret) < 16:  # (nothing shorter holds a key)
        return None
    for magic, what in _ARCHIVE_MAGIC:
        if secret.startswith(magic):
            return what
    if _SKIPPABLE_FRAME.match(secret):
        return "a zstd or LZ4 file (a skippable frame first)"
    if secret[:3] == b"\x1f\x8b\x08" and not secret[3] & 0xE0:
        return "a gzip file"
    if secret[:3] == b"BZh" and secret[3:4].isdigit() and secret[4:10] in _BZIP2_BLOCKS:
        return "a bzip2 file"
    if secret[:2] == b"\x1f\x9d" and not secret[2] & 0x60 and 9 <= secret[2] & 0x1F <= 16:
        if _lzw_starts(secret[3:]):
            return "a compress (.Z) file"
    if _ZIP_RECORDS.search(secret):
        return "a zip archive"
    if _is_binary_cpio(secret):
        return "a cpio archive"
    if _is_tar(secret):
        return "a tar archive"
    head = int.from_bytes(secret[:2], "big")
    if secret[0] & 0x0F == 8 and secret[0] >> 4 <= 7 and not secret[1] & 0x20 and head % 31 == 0:
        if _inflates(secret, zlib.decompressobj, budget):
            return "a zlib stream"
    alone = lambda: lzma.LZMADecompressor(lzma.FORMAT_ALONE, memlimit=LZMA_MEMORY)  # noqa: E731
    if secret[:1] == b"\x5d" and _inflates(secret, alone, budget):
        return "an lzma file"  # (``xz --format=lzma``: properties 0x5D, rt77-08)
    return None


#: The magic numbers of Java's own key stores (JKS, the JDK's ``cacerts`` before Java 9, and
#: JCEKS), and the versions keytool writes after them (a big-endian int, 1 or 2): a magic
#: alone is four bytes that random text, raw-inflated, may make (a random 128-byte secret in
#: base85 inflated to "p" and 63 bytes 0xCE, rt86-12).
_JAVA_STORES = (b"\xfe\xed\xfe\xed", b"\xce\xce\xce\xce")
_JAVA_STORE_VERSIONS = (b"\x00\x00\x00\x01", b"\x00\x00\x00\x02")
#: The DER of PKCS#7's ``data`` content type (1.2.840.113549.1.7.1).
_PKCS7_DATA = b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x01"


def _key_store_form(secret: bytes) -> str | None:
    """A key store: a Java KeyStore, or a PKCS#12 file (a truststore of certificates, what
    ``keytool`` and ``serialize_java_truststore`` write: rt76-05), told by its shape. Its
    certificates are public, and a store is no random secret."""
    if secret[:4] in _JAVA_STORES and secret[4:8] in _JAVA_STORE_VERSIONS:
        return "a Java KeyStore (JKS or JCEKS)"
    if secret[:1] != b"\x30":
        return None
    # BER's indefinite length (0x80: NSS's pk12util, BouncyCastle) or DER's definite one
    header = (0, 2) if secret[1:2] == b"\x80" else _der_length(secret, 1)
    if header is None:
        return None
    start = header[1]
    if secret[start : start + 2] == b"\x02\x01" and _PKCS7_DATA in secret[start + 3 : start + 26]:
        # a PFX (a one-byte version, 3 as written) whose content is PKCS#7 data: a PKCS#12
        # file, whatever its password (``-certpbe NONE`` leaves its certificates in plain
        # sight, rt78-07; BER's form rt79-03). Recognised by this shape alone: opening one
        # verifies its MAC first, with as many iterations as the file asks (2**31 - 1: some
        # nine minutes, rt79-06), so no untrusted secret is opened.
        return "a PKCS#12 key store"
    return None


def _binary_form(secret: bytes, *, whole: bool = True) -> str | None:
    """What public-key encoding the bytes ``secret`` are in (see :func:`_public_key_form`).
    ``whole``: ``secret`` is the whole secret (or a whole decoded form of it), not what
    follows a text preamble in it, where the three-byte head of a COSE map is not asked."""
    from cryptography.hazmat.primitives.asymmetric import ec

    der = _der_form(secret)
    if der is not None:
        return der
    if _is_pgp_public_key(secret):
        return "an OpenPGP public key (as `gpg --export` writes it)"
    if len(secret) >= 32 and secret[4:6] == b"\x01\x01" and secret[8:12] == b"KBXf":
        # GnuPG's keybox (pubring.kbx, GnuPG 2.1 and later): a header blob (type 1, version
        # 1, magic KBXf), then a blob per key holding its OpenPGP keyblock (rt60-04)
        return "a GnuPG keybox (pubring.kbx)"
    if whole and secret[:1] in (b"\xa4", b"\xa5") and secret[1:3] in (b"\x01\x01", b"\x01\x02"):
        # (at the start only, as SECURITY.md says: asked also after every short run of text a
        # random secret starts with, it refused twice the documented share, rt104-02)
        # a COSE_Key (a CBOR map starting kty: OKP or EC2, what WebAuthn stores, rt59-12)
        return "a COSE public key"
    if _is_cose_okp(secret):
        return "a COSE public key"
    if _OPENSSH_BLOB.match(secret):
        return "an OpenSSH public key blob"
    if _is_dnskey_rdata(secret):
        return "a DNSKEY record's key data (its RDATA as on the wire)"
    windows = _windows_blob_in(secret)
    if windows is not None:
        return windows
    # (minisign's key decoded from its base64 line, "Ed", a key id and the Ed25519 key, is
    # 42 bytes that begin "Ed": so does one random 42-byte secret in 65,536, and many a text
    # secret decoded leniently; it is accepted, a documented limit: rt57-03, rt58-07, rt106-05)
    store = _key_store_form(secret)
    if store is not None:
        return store
    curves = (
        (ec.SECP256R1(), 32),
        (ec.SECP384R1(), 48),
        (ec.SECP521R1(), 66),
        (ec.SECP256K1(), 32),  # Bitcoin's and Ethereum's (rt63-05)
    )
    for curve, size in curves:
        # uncompressed points only: a compressed one (02/03 and an x coordinate) is, like a raw
        # Ed25519 key, any random bytes of its length about half the time (rt54-06); the bare
        # x || y pair too (Ethereum's 128-hex public key), on the curve once in 2**256 at random
        if secret[:1] == b"\x04" and len(secret) == 1 + 2 * size:
            point = secret
        elif len(secret) == 2 * size:
            point = b"\x04" + secret
        else:
            continue
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(curve, point)
        except ValueError:
            continue
        return f"an X9.62 {curve.name} public key point"
    for name, size, p, a, b in _CURVES:  # (the bare x || y pair on the other curves, rt108-02)
        if len(secret) == 2 * size and _on_curve(secret, 0, size, size, p, a, b):
            return f"an X9.62 {name} public key point (x || y)"
    return None


#: A run of text no text key form is without: a PEM armour line and its line break are 27
#: characters, whatever the body's wrapping (a PEM wrapped at 16 hid behind a run of 32
#: without line breaks, rt69-06); a Tor onion address or a Stellar account is 56, a base58
#: Ed25519 key some 44.
_PRINTABLE_RUN = re.compile(rb"[\x20-\x7e\t\r\n]{24}")


#: What OpenSSL prints of a public key: ``-text``'s heading ("RSA Public-Key: (2048 bit)",
#: "Public-Key: (256 bit)", "ED25519 Public-Key:"), ``-modulus``'s line, and an
#: ``asn1parse`` of a key (its element lines, and the OID of a public-key algorithm):
#: rt76-04.
_OPENSSL_KEY_TEXT = re.compile(
    rb"Public-Key: ?(?:\(\d+ bit\))?|(?m:^Modulus=[0-9A-Fa-f]{64,})|Subject Public Key Info:"
)
_ASN1PARSE_LINE = re.compile(
    rb"(?<![0-9])[0-9]{1,10}:d=[0-9]{1,3} +hl=[0-9]{1,2} +l= *[0-9]{1,10} +(?:cons|prim):"
)  # (bounded, from a run's start: \d+ from every digit of a long run was quadratic, rt78-10)
_ASN1PARSE_KEY = re.compile(
    rb":(?:rsaEncryption|id-ecPublicKey|ED25519|ED448|X25519|X448|dsaEncryption|RSASSA-PSS)\b"
    rb"|prim: INTEGER +:[0-9A-F]{128,}"  # (a modulus: ``-strparse`` of an RSA key's bits)
)


#: GnuPG's machine-readable key listing (``--with-colons``): a key record and its
#: fingerprint record, or its key data records (``--with-key-data``, rt78-09).
_GPG_COLONS = re.compile(rb"(?m:^(?:pub|sub|pkd|fpr):[^\r\n]{0,200}:[0-9A-F]{16,}:)")


#: DNSSEC algorithms whose key has a fixed size (RFC 6605, RFC 8080): ECDSA P-256 and
#: P-384 (x and y), Ed25519, Ed448; and the points of 64 bytes of ECC-GOST (12, RFC 5933),
#: SM2SM3 (17, RFC 9563) and ECC-GOST12 (23, RFC 9558; its 512-bit curves are not
#: assigned in DNSSEC: rt109-13).
_DNSKEY_SIZES = {12: 64, 13: 64, 14: 96, 15: 32, 16: 57, 17: 64, 23: 64}
#: DNSSEC's RSA algorithms (RFC 3110's key data: exponent length, exponent, modulus).
_DNSKEY_RSA = frozenset({5, 7, 8, 10})


def _is_dnskey_rdata(data: bytes) -> bool:
    """Whether ``data`` is a DNSKEY record's RDATA as on the wire (RFC 4034 2.1; its text
    forms are :data:`_DNSKEY`'s, rt65-08): flags 256 or 257, protocol 3, an algorithm, and
    the key, exactly as long as the algorithm's (rt106-05). Random bytes of a matching length
    begin so once in 2**31."""
    if len(data) < 36 or data[:2] not in (b"\x01\x00", b"\x01\x01") or data[2] != 3:
        return False
    algorithm, key = data[3], data[4:]
    size = _DNSKEY_SIZES.get(algorithm)
    if size is not None:
        return len(key) == size
    if algorithm in (3, 6) and key:  # DSA (RFC 2536): T, then Q, P, G and Y
        return key[0] <= 8 and len(key) == 21 + 3 * (64 + 8 * key[0])
    if algorithm not in _DNSKEY_RSA or not key:
        return False
    at, exponent = (1, key[0]) if key[0] else (3, int.from_bytes(key[1:3], "big"))
    return 1 <= exponent <= 16 and len(key) - at - exponent >= 64


#: Where a Windows public key blob's magic may be: CNG's and CryptoAPI's ``RSA1``, CNG's
#: ``ECS1``/``ECK1`` (P-256), ``ECS3``/``ECK3`` (P-384), ``ECS5``/``ECK5`` (P-521) and the
#: generic ``ECDP``/``ECKP`` (a curve set by name, any of :data:`_CURVES`), and CryptoAPI's
#: DSA ``DSS1`` (rt109-12).
_WINDOWS_MAGIC = re.compile(rb"RSA1|EC[SK][135]|EC[DK]P|DSS1")


def _windows_blob_in(data: bytes) -> str | None:
    """A Windows public key blob anywhere in ``data`` (rt108-04), or ``None``: CNG's
    ``BCRYPT_RSAPUBLIC_BLOB`` (``RSA1``, the bit length, the exponent's and modulus's sizes,
    two zero sizes, then exponent and modulus), CryptoAPI's ``PUBLICKEYBLOB`` (a BLOBHEADER,
    ``RSA1``, the bit length, the exponent, the modulus) and CNG's ``BCRYPT_ECCPUBLIC_BLOB``
    (the magic, the coordinate size, x and y on the curve), and CryptoAPI's DSA
    ``PUBLICKEYBLOB`` (``DSS1``, the bit length, p, q, g, y and a seed), each with its sizes
    agreeing."""
    for at in _places(_WINDOWS_MAGIC, data):
        words = [
            int.from_bytes(data[at + k : at + k + 4], "little")
            for k in range(4, 24, 4)
            if at + k + 4 <= len(data)
        ]
        if data[at : at + 3] == b"RSA" and len(words) >= 2:
            bits = words[0]
            if not (512 <= bits <= 16384 and bits % 8 == 0):
                continue
            if len(words) == 5 and words[3:] == [0, 0] and 1 <= words[1] <= 8:
                if words[2] == bits // 8 and at + 24 + words[1] + words[2] <= len(data):
                    return "a Windows CNG RSA public key blob"
            if words[1] % 2 == 1 and at + 12 + bits // 8 <= len(data):
                return "a Windows CryptoAPI RSA public key blob (PUBLICKEYBLOB)"
        elif data[at : at + 3] == b"DSS" and words:
            bits = words[0]
            if 512 <= bits <= 16384 and bits % 64 == 0 and at + 8 + 3 * bits // 8 + 44 <= len(data):
                return "a Windows CryptoAPI DSA public key blob (PUBLICKEYBLOB)"
        elif data[at : at + 2] == b"EC" and words:
            size = words[0]
            for name, curve_size, p, a, b in _CURVES:
                if curve_size == size and at + 8 + 2 * size <= len(data):
                    if _on_curve(data, at + 8, at + 8 + size, size, p, a, b):
                        return f"a Windows CNG elliptic-curve public key blob ({name})"
    return None


def _text_form(secret: bytes) -> str | None:
    """The text forms :func:`_public_key_form` reads: armour and key lines, JSON keys,
    OpenSSL's printouts of a key and :func:`_text_key_form`."""
    if _ARMOUR.search(secret):
        return "a PEM or SSH2 key file (an armour line '-----BEGIN ...')"
    if _GPG_COLONS.search(secret):
        return "a GnuPG key listing (--with-colons)"
    if _OPENSSL_KEY_TEXT.search(secret) or (
        _ASN1PARSE_LINE.search(secret) and _ASN1PARSE_KEY.search(secret)
    ):
        return "OpenSSL's printout of a public key (-text, -modulus or asn1parse)"
    if _OPENSSH_LINE.search(secret):
        return "an OpenSSH public key line"
    if secret.lstrip().startswith(_UNTRUSTED_COMMENT):
        return "a minisign or signify public key file"
    if _is_json(secret):
        return "a JSON key (a JSON Web Key, a TUF or in-toto key)"
    if _has_minisign_line(secret):
        return "a minisign or signify public key line"
    return _text_key_form(secret)


#: The bytes of forms one secret is read in, in all, at every level of decoding: at least
#: this, else :data:`READS_PER_BYTE` times the secret's length. EBCDIC readings of EBCDIC
#: readings made 155 forms of a secret's full length (rt81-13); a random secret makes few
#: and short ones.
MAX_READ = 1 << 20
READS_PER_BYTE = 16
#: What each decoded form is charged besides its bytes (rt86-06): reading a form costs some
#: 100-250 us however short it is (the binary readers over its trimmed forms, three raw
#: stream readers, the text decoders), what 300-700 bytes of a long form cost. The charge is
#: less than that, as honest text makes many short forms too: ``xxd -p`` of a random secret
#: makes forms of 30 and 45 bytes every 61 bytes of text, and uses 73% of the budget at 128
#: (95% at 256). So distinct short forms cost about what ``xxd -p`` does, per byte of
#: secret (5 us a byte); repeated ones are read once (:func:`_public_key_form`): dump lines
#: of 16 NUL bytes, each decoding to the same forms of 4 to 16 bytes, had taken 30 s a MB.
FORM_CHARGE = 128


def _charge(budget: list[int], spent: int) -> None:
    """Take ``spent`` bytes of reading off ``budget``; past it the secret is refused."""
    budget[0] -= spent
    if budget[0] < 0:
        raise KeyFormatError(
            "that HMAC secret reads as more text than a random secret does (texts, "
            "encodings, code pages and compressed streams inside one another); use a random "
            "secret (`safeload keygen NAME --hmac`)"
        )


def _public_key_form(
    secret: bytes, decodes: int = 0, budget: list[int] | None = None
) -> str | None:
    """What public-key encoding ``secret`` is in, or ``None``: an armour line anywhere (PEM,
    an SSH2 public key file), an OpenSSH public-key line or wire blob, a minisign or signify
    public key file or key line, an OpenPGP public key (``gpg --export``), DER (one SEQUENCE
    or several: a public key, certificate, chain, CSR or PKCS#7 bundle, or a key's algorithm
    identifier anywhere), an uncompressed X9.62 point on P-256, P-384 or P-521, or JSON (a
    JSON Web Key, a TUF or in-toto key), or a compressed file or archive
    (:func:`_archive_form`); the binary forms also with surrounding whitespace, and every
    form as base64 or hex text, up to :data:`_MAX_DECODES` encodings deep (rt53-02, rt54-05,
    rt56-03: ``base64 pub.pem``; rt57-03). A raw 32-byte Ed25519 key or a compressed X9.62
    point cannot be told from random bytes of its length and is not refused. A decoded form
    is read for text keys only when it holds a run of :data:`_PRINTABLE_RUN` (every text form
    has one): the runs of printed bytes decode to binary megabytes, which the text readers
    took seconds over. ``budget``: the bytes of forms still to be read (:data:`MAX_READ`);
    past it the secret is refused."""
    if budget is None:
        budget = [max(MAX_READ, READS_PER_BYTE * len(secret))]
    found = _text_form(secret) if decodes == 0 or _PRINTABLE_RUN.search(secret) else None
    if found is not None:
        return found
    found = _embedded_key(secret)
    if found is not None:
        return found
    rests = _after_text(secret, budget)
    found = _archive_form(secret, budget, rests)
    if found is not None:
        return found
    for form in (secret, *_trimmed(secret)):
        found = _binary_form(form)
        if found is not None:
            return found
    for form in rests:
        found = _binary_form(form, whole=False)
        if found is not None:
            return found
    found = _raw_stream_form([secret, *rests], decodes, budget)
    if found is not None:
        return found
    if decodes < _MAX_DECODES:
        forms = list(dict.fromkeys(_decoded(secret)))  # (each form read once)
        _charge(budget, sum(len(form) + FORM_CHARGE for form in forms))
        for form in forms:
            found = _public_key_form(form, decodes + 1, budget)
            if found is not None:
                return found if found.endswith(", as text") else f"{found}, as text"
    return None


class HMACKey:
    """A shared HMAC-SHA256 secret, for use inside one trust domain only.

    The MAC key and the key id are both derived from the secret with HKDF-SHA256 under different
    fixed labels, so the id reveals nothing about the secret or the MAC key.
    """

    algorithm = "hmac-sha256"

    def __init__(self, secret: bytes) -> None:
        if not isinstance(secret, (bytes, bytearray)):
            raise KeyFormatError("an HMAC secret must be bytes")
        secret = bytes(secret)
        if len(secret) < MIN_HMAC_SECRET:
            raise KeyFormatError(
                f"an HMAC secret must be at least {MIN_HMAC_SECRET} random bytes, "
                f"got {len(secret)}; create one with `safeload keygen NAME --hmac`"
            )
        looks = _public_key_form(secret)
        if looks is not None:
            raise KeyFormatError(
                f"that HMAC secret is {looks}; public keys are not secrets (anyone holding the "
                "key could make valid MACs). Use a random secret (`safeload keygen NAME "
                "--hmac`), or verify signatures with the public key (VerifyKey, --pub)."
            )
        self._mac_key = self._derive(secret, _HKDF_MAC_LABEL)
        self._keyid = self._derive(secret, _HKDF_ID_LABEL).hex()
        self._secret = secret

    @staticmethod
    def _derive(secret: bytes, label: bytes) -> bytes:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(secret)

    @classmethod
    def generate(cls) -> HMACKey:
        """A fresh 32-byte random secret. A draw that reads as a public key (a COSE map's head
        in its first three bytes: about one in 4 million) is drawn again, so that ``safeload
        keygen --hmac`` never fails at random (rt104-02)."""
        for _ in range(7):
            try:
                return cls(secrets.token_bytes(32))
            except KeyFormatError:
                continue
        return cls(secrets.token_bytes(32))

    @classmethod
    def from_hex(cls, text: str | bytes, *, source: str | None = None) -> HMACKey:
        """Parse the hex text that :meth:`save` writes (surrounding whitespace ignored)."""
        where = f" from {source}" if source else ""
        try:
            if isinstance(text, bytes):
                text = text.decode("ascii")
            secret = bytes.fromhex(text.strip())
        except (UnicodeDecodeError, ValueError) as exc:
            raise KeyFormatError(
                f"HMAC secret{where} must be hex text (as written by `safeload keygen --hmac`)",
                path=source,
            ) from exc
        try:
            return cls(secret)
        except KeyFormatError as exc:
            raise KeyFormatError(f"HMAC secret{where}: {exc}", path=source) from None

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> HMACKey:
        """Read a hex-encoded secret from a file."""
        return cls.from_hex(read_key_file(path), source=str(path))

    @classmethod
    def from_env(cls, name: str, environ: Mapping[str, str] | None = None) -> HMACKey:
        """Read a hex-encoded secret from environment variable ``name``.

        ``environ`` defaults to ``os.environ``; pass a mapping in tests.
        """
        env = os.environ if environ is None else environ
        value = env.get(name)
        if value is None:
            raise KeyFormatError(f"environment variable {name} is not set")
        return cls.from_hex(value, source=f"${name}")

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the secret as hex to a new file with mode 0600; refuses to overwrite."""
        p = Path(path)
        write_new_file(p, self._secret.hex().encode("ascii") + b"\n", 0o600)
        return p

    @property
    def keyid(self) -> str:
        """HKDF-derived id, hex; safe to publish."""
        return self._keyid

    def sign(self, message: bytes) -> bytes:
        """HMAC-SHA256 over ``message`` with the derived MAC key."""
        return hmac.new(self._mac_key, message, hashlib.sha256).digest()

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Constant-time comparison of the expected MAC with ``signature``."""
        return hmac.compare_digest(self.sign(message), signature)

    def __repr__(self) -> str:
        return f"HMACKey(keyid={self._keyid[:16]}…)"
