"""Known answers for the SM2/SM3 interface (core.sm2): the examples of GB/T 32918.5-2016
Annex A and GB/T 32905-2016 Annex A, so that a different binding cannot slip in unnoticed."""

from zhengwu.core import sm2

D = bytes.fromhex("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8")
PUBLIC = bytes.fromhex("09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
                       "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13")
R = 0xF5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3
S = 0xB1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA
MESSAGE = b"message digest"


def test_sm3_of_abc():
    assert sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def sm3_hex(data: bytes) -> str:
    return sm2.sm3(data).hex()


def test_the_standards_public_key_is_d_times_g():
    assert sm2.public_key_of(D) == PUBLIC
    assert sm2.on_curve(PUBLIC)


def test_the_standards_signature_verifies_with_the_default_id():
    signature = sm2.signature_der(R, S)
    assert sm2.verify(PUBLIC, MESSAGE, signature)
    assert not sm2.verify(PUBLIC, b"message digesT", signature)
    assert not sm2.verify(PUBLIC, MESSAGE, sm2.signature_der(R, S + 1))
    assert not sm2.verify(PUBLIC, MESSAGE, signature, signer_id=b"ALICE123@YAHOO.COM")


def test_a_signature_made_here_verifies_and_binds_key_and_message():
    signature = sm2.sign(D, PUBLIC, MESSAGE)
    assert sm2.verify(PUBLIC, MESSAGE, signature)
    other_private, other_public = sm2.keypair_generate()
    assert sm2.public_key_of(other_private) == other_public
    assert not sm2.verify(other_public, MESSAGE, signature)


def test_garbage_never_verifies_and_never_raises():
    assert not sm2.verify(PUBLIC, MESSAGE, b"\x30\x00")
    assert not sm2.verify(PUBLIC, MESSAGE, b"")
    assert not sm2.verify(b"\x01" * 64, MESSAGE, sm2.signature_der(R, S))
    assert not sm2.verify(PUBLIC[:32], MESSAGE, sm2.signature_der(R, S))
