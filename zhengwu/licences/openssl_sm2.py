"""A second SM2/SM3 implementation, the system's OpenSSL 3 libcrypto through ctypes.

core.sm2 (GmSSL through gmssl-pyx) signs and verifies in production. This module has the same
three functions over the same bytes (private key = 32-byte d, public key = 64-byte x ‖ y,
signature = DER (r, s), default ID 1234567812345678) so that tests can sign with one and verify
with the other: two independent code bases agreeing on the standard's vector and on each other's
signatures is what shows that neither has drifted (a wrong Z computation, a different default ID,
a non-DER encoding would all pass a round trip inside one library).

Why ctypes on libcrypto and not the `openssl` command: no temporary key files and no process per
signature (a round trip costs microseconds, so property tests can run hundreds), no dependence
on the command-line flags of one OpenSSL release, and the library is there wherever Python's own
`hashlib` is (Debian's python links libcrypto.so.3), while the command may be absent from a slim
image. The price is care with pointers: every function below declares its C signature, frees
what it allocates, and clears OpenSSL's error queue, which Python's ssl and hashlib share.

`unavailable_reason()` says why the backend cannot be used (no libcrypto 3, or one built without
SM2, as some distributions ship it); tests skip on it with that reason.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
from collections.abc import Callable, Iterator
from typing import Final

DEFAULT_ID: Final = b"1234567812345678"
_OID_EC_PUBLIC_KEY: Final = bytes.fromhex("06072a8648ce3d0201")  # 1.2.840.10045.2.1
_OID_SM2: Final = bytes.fromhex("06082a811ccf5501822d")  # 1.2.156.10197.1.301

_V = ctypes.c_void_p
_BYTES = ctypes.c_char_p


class OpenSSLUnavailable(RuntimeError):
    """libcrypto 3 with SM2 is not on this machine (the message says what is missing)."""


@functools.cache
def _lib() -> ctypes.CDLL:
    name = ctypes.util.find_library("crypto") or "libcrypto.so.3"
    try:
        lib = ctypes.CDLL(name)
    except OSError as error:
        raise OpenSSLUnavailable(f"找不到 OpenSSL libcrypto（{name}）：{error}") from None
    if not hasattr(lib, "OpenSSL_version_num"):
        raise OpenSSLUnavailable(f"{name} 不是 OpenSSL 1.1 或更新版本")
    lib.OpenSSL_version_num.restype = ctypes.c_ulong
    if lib.OpenSSL_version_num() < 0x30000000:
        raise OpenSSLUnavailable(f"需要 OpenSSL 3，系统为 {lib.OpenSSL_version_num():#x}")
    signatures = {
        "d2i_PUBKEY": (_V, [_V, ctypes.POINTER(_BYTES), ctypes.c_long]),
        "d2i_AutoPrivateKey": (_V, [_V, ctypes.POINTER(_BYTES), ctypes.c_long]),
        "EVP_PKEY_is_a": (ctypes.c_int, [_V, _BYTES]),
        "EVP_PKEY_free": (None, [_V]),
        "EVP_PKEY_CTX_new": (_V, [_V, _V]),
        "EVP_PKEY_CTX_free": (None, [_V]),
        "EVP_PKEY_CTX_set1_id": (ctypes.c_int, [_V, _BYTES, ctypes.c_int]),
        "EVP_MD_CTX_new": (_V, []),
        "EVP_MD_CTX_free": (None, [_V]),
        "EVP_MD_CTX_set_pkey_ctx": (None, [_V, _V]),
        "EVP_sm3": (_V, []),
        "EVP_Digest": (ctypes.c_int, [_BYTES, ctypes.c_size_t, _BYTES,
                                      ctypes.POINTER(ctypes.c_uint), _V, _V]),
        "EVP_DigestSignInit": (ctypes.c_int, [_V, _V, _V, _V, _V]),
        "EVP_DigestSign": (ctypes.c_int, [_V, _BYTES, ctypes.POINTER(ctypes.c_size_t), _BYTES,
                                          ctypes.c_size_t]),
        "EVP_DigestVerifyInit": (ctypes.c_int, [_V, _V, _V, _V, _V]),
        "EVP_DigestVerify": (ctypes.c_int, [_V, _BYTES, ctypes.c_size_t, _BYTES,
                                            ctypes.c_size_t]),
        "ERR_clear_error": (None, []),
    }
    for function, (restype, argtypes) in signatures.items():
        try:
            c_function = getattr(lib, function)
        except AttributeError:
            raise OpenSSLUnavailable(f"{name} 缺少 {function}") from None
        c_function.restype = restype
        c_function.argtypes = argtypes
    if not lib.EVP_sm3():
        raise OpenSSLUnavailable(f"{name} 未编译 SM3")
    return lib


def unavailable_reason() -> str | None:
    """None if this backend works here, else why not (in Chinese, for a skip message)."""
    try:
        _public_pkey(bytes.fromhex(
            "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
            "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"))
    except OpenSSLUnavailable as error:
        return str(error)
    return None


def sm3(data: bytes) -> bytes:
    lib = _lib()
    out = ctypes.create_string_buffer(32)
    size = ctypes.c_uint(0)
    if lib.EVP_Digest(data, len(data), out, ctypes.byref(size), lib.EVP_sm3(), None) != 1:
        lib.ERR_clear_error()
        raise OpenSSLUnavailable("OpenSSL SM3 计算失败")
    return out.raw[:size.value]


def sign(private_key: bytes, public_key: bytes, message: bytes, *,
         signer_id: bytes = DEFAULT_ID) -> bytes:
    """SM2-with-SM3 signature of `message` (DER), as core.sm2.sign."""
    lib = _lib()
    key = _private_pkey(private_key, public_key)
    with _digest_context(key.pointer, signer_id) as md:
        if lib.EVP_DigestSignInit(md, None, lib.EVP_sm3(), None, key.pointer) != 1:
            raise _failure("签名初始化失败")
        size = ctypes.c_size_t(0)
        if lib.EVP_DigestSign(md, None, ctypes.byref(size), message, len(message)) != 1:
            raise _failure("签名失败")
        out = ctypes.create_string_buffer(size.value)
        if lib.EVP_DigestSign(md, out, ctypes.byref(size), message, len(message)) != 1:
            raise _failure("签名失败")
        return out.raw[:size.value]


def verify(public_key: bytes, message: bytes, signature: bytes, *,
           signer_id: bytes = DEFAULT_ID) -> bool:
    """Whether `signature` (DER) is the key's signature of `message`; False, never an
    exception, for a malformed key or signature (as core.sm2.verify)."""
    lib = _lib()
    try:
        key = _public_pkey(public_key)
    except ValueError:
        return False
    with _digest_context(key.pointer, signer_id) as md:
        if lib.EVP_DigestVerifyInit(md, None, lib.EVP_sm3(), None, key.pointer) != 1:
            raise _failure("验签初始化失败")
        result = lib.EVP_DigestVerify(md, signature, len(signature), message, len(message))
    lib.ERR_clear_error()  # a bad signature leaves a decoding error on the shared queue
    return bool(result == 1)


# --- keys: DER built here, parsed by OpenSSL once per key ------------------------------------


class _PKey:
    """An EVP_PKEY*, freed with the object (the C function is kept: at interpreter exit the
    module's globals may be gone before the cached keys)."""

    def __init__(self, pointer: int) -> None:
        self.pointer = pointer
        self._free = _lib().EVP_PKEY_free

    def __del__(self) -> None:
        self._free(self.pointer)


def _der(tag: int, body: bytes) -> bytes:
    size = len(body)
    if size < 0x80:
        return bytes([tag, size]) + body
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + body


@functools.lru_cache(maxsize=64)
def _public_pkey(public_key: bytes) -> _PKey:
    if len(public_key) != 64:
        raise ValueError("SM2 公钥应为 64 字节")
    # SubjectPublicKeyInfo { id-ecPublicKey, sm2 curve }, BIT STRING 04 ‖ x ‖ y
    spki = _der(0x30, _der(0x30, _OID_EC_PUBLIC_KEY + _OID_SM2)
                + _der(0x03, b"\x00\x04" + public_key))
    return _load(_lib().d2i_PUBKEY, spki)


@functools.lru_cache(maxsize=16)
def _private_pkey(private_key: bytes, public_key: bytes) -> _PKey:
    if len(private_key) != 32 or len(public_key) != 64:
        raise ValueError("SM2 私钥应为 32 字节、公钥 64 字节")
    # SEC 1 ECPrivateKey { 1, d, [0] sm2 curve, [1] public key }
    sec1 = _der(0x30, bytes.fromhex("020101") + _der(0x04, private_key)
                + _der(0xA0, _OID_SM2) + _der(0xA1, _der(0x03, b"\x00\x04" + public_key)))
    return _load(_lib().d2i_AutoPrivateKey, sec1)


def _load(decoder: Callable[..., int | None], der: bytes) -> _PKey:
    lib = _lib()
    cursor = _BYTES(der)
    pointer = decoder(None, ctypes.byref(cursor), len(der))
    if not pointer:
        lib.ERR_clear_error()
        raise ValueError("OpenSSL 不接受该 SM2 密钥（不在曲线上或格式错误）")
    key = _PKey(pointer)
    if lib.EVP_PKEY_is_a(pointer, b"SM2") != 1:
        raise OpenSSLUnavailable("OpenSSL 未把 sm2p256v1 曲线的密钥识别为 SM2（未编译 SM2？）")
    return key


@contextlib.contextmanager
def _digest_context(pkey: int, signer_id: bytes) -> Iterator[int]:
    """EVP_MD_CTX with an EVP_PKEY_CTX carrying the signer ID (EVP_PKEY-SM2(7) example)."""
    lib = _lib()
    md = lib.EVP_MD_CTX_new()
    pkey_ctx = lib.EVP_PKEY_CTX_new(pkey, None)
    try:
        if not md or not pkey_ctx:
            raise _failure("分配 OpenSSL 上下文失败")
        if lib.EVP_PKEY_CTX_set1_id(pkey_ctx, signer_id, len(signer_id)) != 1:
            raise _failure("设置 SM2 用户标识失败")
        lib.EVP_MD_CTX_set_pkey_ctx(md, pkey_ctx)
        yield md
    finally:
        lib.EVP_MD_CTX_free(md)  # does not free a context given by set_pkey_ctx
        lib.EVP_PKEY_CTX_free(pkey_ctx)


def _failure(what: str) -> OpenSSLUnavailable:
    _lib().ERR_clear_error()
    return OpenSSLUnavailable(f"OpenSSL SM2 {what}")
