"""Two SM2/SM3 implementations agree: GmSSL (core.sm2, production) and the system OpenSSL 3
(licences.openssl_sm2). The GB/T 32918.5 Annex A vector verifies on both, and each verifies
the other's signatures, with the default ID and with another one."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhengwu.core import sm2
from zhengwu.licences import openssl_sm2

pytestmark = pytest.mark.skipif(
    openssl_sm2.unavailable_reason() is not None,
    reason=f"系统 OpenSSL 不支持 SM2：{openssl_sm2.unavailable_reason()}")

D = bytes.fromhex("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8")
PUBLIC = bytes.fromhex("09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
                       "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13")
R = 0xF5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3
S = 0xB1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA
MESSAGE = b"message digest"
SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"

BACKENDS = {"gmssl": sm2, "openssl": openssl_sm2}


def test_sm3_of_abc_on_every_implementation() -> None:
    assert sm2.sm3(b"abc").hex() == SM3_ABC
    assert openssl_sm2.sm3(b"abc").hex() == SM3_ABC
    if "sm3" in hashlib.algorithms_available:
        assert hashlib.new("sm3", b"abc").hexdigest() == SM3_ABC


@given(st.binary(max_size=300))
def test_sm3_agrees_on_any_input(data: bytes) -> None:
    assert openssl_sm2.sm3(data) == sm2.sm3(data)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_standards_vector_verifies(backend: str) -> None:
    verify = BACKENDS[backend].verify
    signature = sm2.signature_der(R, S)
    assert verify(PUBLIC, MESSAGE, signature)
    assert not verify(PUBLIC, b"message digesT", signature)
    assert not verify(PUBLIC, MESSAGE, sm2.signature_der(R, S + 1))
    assert not verify(PUBLIC, MESSAGE, signature, signer_id=b"ALICE123@YAHOO.COM")


@pytest.mark.parametrize("signer", BACKENDS)
@pytest.mark.parametrize("verifier", BACKENDS)
def test_every_signer_verifier_pair(signer: str, verifier: str) -> None:
    signature = BACKENDS[signer].sign(D, PUBLIC, MESSAGE)
    assert BACKENDS[verifier].verify(PUBLIC, MESSAGE, signature)
    assert not BACKENDS[verifier].verify(PUBLIC, MESSAGE + b"\x00", signature)
    # The ID is part of what is signed (Z): another ID signs something else.
    other = BACKENDS[signer].sign(D, PUBLIC, MESSAGE, signer_id=b"ALICE123@YAHOO.COM")
    assert BACKENDS[verifier].verify(PUBLIC, MESSAGE, other, signer_id=b"ALICE123@YAHOO.COM")
    assert not BACKENDS[verifier].verify(PUBLIC, MESSAGE, other)


@settings(max_examples=40)
@given(st.binary(max_size=200), st.sampled_from(list(BACKENDS)))
def test_cross_verification_on_any_message_and_fresh_key(message: bytes, signer: str) -> None:
    private, public = sm2.keypair_generate()
    verifier = "openssl" if signer == "gmssl" else "gmssl"
    signature = BACKENDS[signer].sign(private, public, message)
    assert BACKENDS[verifier].verify(public, message, signature)
    flipped = bytearray(message + b"!")
    flipped[0] ^= 1
    assert not BACKENDS[verifier].verify(public, bytes(flipped), signature)


def test_garbage_never_verifies_and_never_raises_on_openssl() -> None:
    signature = sm2.signature_der(R, S)
    assert not openssl_sm2.verify(PUBLIC, MESSAGE, b"\x30\x00")
    assert not openssl_sm2.verify(PUBLIC, MESSAGE, b"")
    assert not openssl_sm2.verify(b"\x01" * 64, MESSAGE, signature)
    assert not openssl_sm2.verify(PUBLIC[:32], MESSAGE, signature)
