"""SM2 signatures (GB/T 32918-2016) and SM3 (GB/T 32905-2016) behind one small interface.

The platform signs audit checkpoints with SM2 (core.checkpoints, ADR 0010). The arithmetic comes
from GmSSL through the `gmssl-pyx` wheel; nothing else in Zhengwu imports it, so another
implementation (a hardware module, a different binding) replaces this module alone. Known-answer
tests from the standards are in core/tests/test_sm2.py.

Keys and signatures travel as bytes: a private key is the 32-byte scalar d, a public key the
64 bytes x ‖ y, a signature DER-encoded (r, s) as GB/T 35276 and GmSSL write it. Messages are
signed with SM3 and the signer's identity Z (default ID 1234567812345678, GB/T 35276 §7).
"""

from __future__ import annotations

import gmssl_pyx  # type: ignore[import-untyped]  # no py.typed in the wheel

DEFAULT_ID = b"1234567812345678"

# The curve of GB/T 32918.5 (sm2p256v1): p, a, b, the base point G and its order n.
P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
A = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC
B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
GX = 0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7
GY = 0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0


class InvalidKey(ValueError):
    """A key that is not an SM2 key (wrong length, not on the curve, scalar out of range)."""


def sm3(data: bytes) -> bytes:
    return bytes(gmssl_pyx.sm3_hash(data))


# SubjectPublicKeyInfo (RFC 5480) of an SM2 key: id-ecPublicKey with the curve sm2p256v1
# (1.2.156.10197.1.301, GB/T 35276), then the uncompressed point 04 ‖ x ‖ y.
_SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d034200")


def public_key_pem(public_key: bytes) -> str:
    """The public key x ‖ y as PEM (SubjectPublicKeyInfo), as OpenSSL and GmSSL read it."""
    import base64
    import textwrap

    der = _SPKI_PREFIX + b"\x04" + public_key
    body = "\n".join(textwrap.wrap(base64.b64encode(der).decode(), 64))
    return f"-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n"


def keypair_generate() -> tuple[bytes, bytes]:
    """A fresh (private, public) pair from GmSSL's random source."""
    public, private = gmssl_pyx.sm2_key_generate()
    return bytes(private), bytes(public)


def sign(private_key: bytes, public_key: bytes, message: bytes, *,
         signer_id: bytes = DEFAULT_ID) -> bytes:
    """SM2-with-SM3 signature of `message`, DER-encoded."""
    return bytes(gmssl_pyx.sm2_sign(private_key, public_key, message, signer_id))


def verify(public_key: bytes, message: bytes, signature: bytes, *,
           signer_id: bytes = DEFAULT_ID) -> bool:
    """Whether `signature` (DER) is the public key's signature of `message`; never raises for
    a malformed signature or key, which simply does not verify."""
    if len(public_key) != 64 or not on_curve(public_key):
        return False
    try:
        return bool(gmssl_pyx.sm2_verify(public_key, message, signature, signer_id))
    except gmssl_pyx.GmsslInnerError:
        return False


def on_curve(public_key: bytes) -> bool:
    x, y = int.from_bytes(public_key[:32], "big"), int.from_bytes(public_key[32:], "big")
    return x < P and y < P and (y * y - (x * x * x + A * x + B)) % P == 0


def public_key_of(private_key: bytes) -> bytes:
    """The public key d·G of a private key (checks a key file's two halves agree)."""
    d = int.from_bytes(private_key, "big")
    if len(private_key) != 32 or not 1 <= d < N - 1:
        raise InvalidKey("SM2 私钥必须是 32 字节且在 [1, n-2] 内")
    x, y = _multiply(d, (GX, GY))
    return x.to_bytes(32, "big") + y.to_bytes(32, "big")


def signature_der(r: int, s: int) -> bytes:
    """DER SEQUENCE { INTEGER r, INTEGER s }: how a published (r, s) is handed to verify()."""
    def integer(value: int) -> bytes:
        raw = value.to_bytes(value.bit_length() // 8 + 1, "big")
        return b"\x02" + bytes([len(raw)]) + raw

    body = integer(r) + integer(s)
    return b"\x30" + bytes([len(body)]) + body


# Affine point arithmetic, used only to derive a public key (once per key load): slow but
# plain, and checked against the standard's example in the tests.
Point = tuple[int, int] | None


def _add(p1: Point, p2: Point) -> Point:
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2 and (y1 + y2) % P == 0:
        return None
    if p1 == p2:
        slope = (3 * x1 * x1 + A) * pow(2 * y1, -1, P) % P
    else:
        slope = (y2 - y1) * pow(x2 - x1, -1, P) % P
    x3 = (slope * slope - x1 - x2) % P
    return x3, (slope * (x1 - x3) - y1) % P


def _multiply(k: int, point: tuple[int, int]) -> tuple[int, int]:
    result: Point = None
    addend: Point = point
    while k:
        if k & 1:
            result = _add(result, addend)
        addend = _add(addend, addend)
        k >>= 1
    assert result is not None
    return result
