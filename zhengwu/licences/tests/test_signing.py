"""Signers and key lookup: the development key file, the remote signing service's client,
and every signer × verifier pair (GmSSL and OpenSSL)."""

from __future__ import annotations

import base64
import json
import os
import stat
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from zhengwu.core import sm2
from zhengwu.licences import openssl_sm2
from zhengwu.licences.signing import (
    KeyFileError,
    KeyFileSigner,
    KeyRing,
    NotConfigured,
    PublicKey,
    RemoteSigner,
    RemoteSignerError,
    Signer,
    key_id,
    keyfile_create,
    licence_key_path,
    signer_get,
)

ISSUER = "11430481MB489016X0"  # 耒阳市市场监督管理局 (demo pack)
D = bytes.fromhex("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8")
PUBLIC = bytes.fromhex("09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
                       "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13")


def test_key_id_is_a_fingerprint_of_the_public_key() -> None:
    assert key_id(PUBLIC) == sm2.sm3(PUBLIC).hex()[:16]
    assert len({key_id(sm2.keypair_generate()[1]) for _ in range(5)}) == 5


def test_a_key_file_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "licences" / "leiyang-scjgj.key"
    signer = keyfile_create(path, issuer=ISSUER)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert signer.kid == key_id(signer.public_key)
    assert signer.issuer == ISSUER
    loaded = KeyFileSigner(path)
    assert (loaded.kid, loaded.public_key, loaded.issuer) == (signer.kid, signer.public_key, ISSUER)
    assert sm2.verify(loaded.public_key, b"x", loaded.sign(b"x"))
    with pytest.raises(KeyFileError, match="已存在"):
        keyfile_create(path, issuer=ISSUER)
    # The public half beside it, for the key ring and for publishing.
    public = KeyRing.from_directory(path.parent).get(signer.kid)
    assert public == PublicKey(kid=signer.kid, public_key=signer.public_key, issuer=ISSUER)


def test_a_missing_key_file_is_not_made_on_first_use(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="licence-keys create"):
        KeyFileSigner(tmp_path / "absent.key")
    assert not (tmp_path / "absent.key").exists()


def test_a_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    keyfile_create(path, issuer=ISSUER)
    os.chmod(path, 0o644)
    with pytest.raises(KeyFileError, match="0600"):
        KeyFileSigner(path)


def test_a_key_file_whose_halves_disagree_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    keyfile_create(path, issuer=ISSUER)
    other = sm2.keypair_generate()[1]
    text = path.read_text().splitlines()
    path.write_text("\n".join(f"public={other.hex()}" if line.startswith("public=") else line
                              for line in text))
    with pytest.raises(KeyFileError, match="不匹配"):
        KeyFileSigner(path)


def test_key_names_stay_inside_the_key_folder(tmp_path: Path) -> None:
    with override_settings(ZHENGWU_LICENCE_KEY_DIR=str(tmp_path)):
        assert licence_key_path("43-scjgj_2026") == tmp_path / "43-scjgj_2026.key"
        for bad in ["../x", "a/b", "", ".hidden", "x" * 65]:
            with pytest.raises(KeyFileError):
                licence_key_path(bad)


def test_the_command_creates_and_lists_keys(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    with override_settings(ZHENGWU_LICENCE_KEY_DIR=str(tmp_path)):
        call_command("licence_keys", "create", "scjgj", "--issuer", ISSUER)
        created = capsys.readouterr().out
        signer = KeyFileSigner(tmp_path / "scjgj.key")
        assert signer.kid in created and signer.public_key.hex() in created
        with pytest.raises(CommandError, match="已存在"):
            call_command("licence_keys", "create", "scjgj", "--issuer", ISSUER)
        with pytest.raises(CommandError, match="统一社会信用代码"):
            call_command("licence_keys", "create", "other", "--issuer", "123")
        call_command("licence_keys", "list")
        assert f"scjgj\t{signer.kid}\t{ISSUER}\t{signer.public_key.hex()}" in capsys.readouterr().out


def test_signer_get_reads_the_key_folder_or_the_remote_service(tmp_path: Path) -> None:
    with override_settings(ZHENGWU_LICENCE_KEY_DIR=str(tmp_path),
                           ZHENGWU_LICENCE_SIGNING_SERVICE=""):
        keyfile_create(tmp_path / "scjgj.key", issuer=ISSUER)
        assert isinstance(signer_get("scjgj"), KeyFileSigner)
    with override_settings(ZHENGWU_LICENCE_SIGNING_SERVICE="https://sign.example.invalid/",
                           ZHENGWU_LICENCE_SIGNING_TOKEN=""), \
            pytest.raises(NotConfigured, match="ZHENGWU_LICENCE_SIGNING_TOKEN"):
        signer_get("scjgj")


# --- the remote signing service: a stand-in that follows docs/licences.md's contract -------


class _Service(BaseHTTPRequestHandler):
    keys: dict[str, tuple[bytes, bytes]] = {}
    token = "t0ken"
    tamper = False
    seen: list[dict[str, Any]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _key(self) -> tuple[str, tuple[bytes, bytes]] | None:
        if self.headers.get("Authorization") != f"Bearer {self.token}":
            self._answer(401, {"code": "unauthorized", "detail": "bad token"})
            return None
        name = self.path.removeprefix("/v1/keys/").removesuffix("/sign")
        if name not in self.keys:
            self._answer(404, {"code": "no_such_key", "detail": name})
            return None
        return name, self.keys[name]

    def do_GET(self) -> None:
        found = self._key()
        if found:
            public = found[1][1]
            self._answer(200, {"kid": key_id(public), "alg": "SM2-SM3",
                               "publicKey": public.hex()})

    def do_POST(self) -> None:
        found = self._key()
        if not found:
            return
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append(request)
        private, public = found[1]
        message = base64.b64decode(request["data"])
        signature = sm2.sign(private, public, message + (b"!" if self.tamper else b""))
        self._answer(200, {"kid": key_id(public),
                           "signature": base64.b64encode(signature).decode()})


@pytest.fixture
def service() -> Iterator[str]:
    _Service.keys = {"scjgj": (D, PUBLIC)}
    _Service.tamper = False
    _Service.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Service)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_the_remote_signer_follows_the_contract(service: str) -> None:
    signer = RemoteSigner(service, "scjgj", token="t0ken")
    assert signer.public_key == PUBLIC and signer.kid == key_id(PUBLIC)
    signature = signer.sign(b"credential bytes")
    assert sm2.verify(PUBLIC, b"credential bytes", signature)
    assert _Service.seen == [{"alg": "SM2-SM3", "signerId": "1234567812345678",
                              "data": base64.b64encode(b"credential bytes").decode()}]


def test_the_remote_signer_checks_what_the_service_returns(service: str) -> None:
    signer = RemoteSigner(service, "scjgj", token="t0ken", public_key=PUBLIC)
    _Service.tamper = True
    with pytest.raises(RemoteSignerError, match="签名无法用该密钥验证"):
        signer.sign(b"credential bytes")
    # A pinned key that is not the service's: refused before anything is signed.
    with pytest.raises(RemoteSignerError, match="公钥与配置不符"):
        RemoteSigner(service, "scjgj", token="t0ken", public_key=sm2.keypair_generate()[1])


def test_the_remote_signer_reports_the_services_errors(service: str) -> None:
    with pytest.raises(RemoteSignerError, match="401"):
        RemoteSigner(service, "scjgj", token="wrong")
    with pytest.raises(RemoteSignerError, match="404"):
        RemoteSigner(service, "nobody", token="t0ken")
    with pytest.raises(RemoteSignerError, match="无法连接"):
        RemoteSigner("http://127.0.0.1:9/", "scjgj", token="t0ken", timeout=0.5)
    for insecure in ["http://sign.example.gov.cn/", "ftp://127.0.0.1/", "file:///etc/passwd"]:
        with pytest.raises(NotConfigured, match="https"):
            RemoteSigner(insecure, "scjgj", token="t0ken")


# --- every signer × every verifier -------------------------------------------------------------


def _signers(tmp_path: Path, service: str) -> dict[str, Signer]:
    return {"key file": keyfile_create(tmp_path / "k.key", issuer=ISSUER),
            "remote": RemoteSigner(service, "scjgj", token="t0ken")}


VERIFIERS = {"gmssl": sm2.verify, "openssl": openssl_sm2.verify}


@pytest.mark.parametrize("verifier", VERIFIERS)
def test_every_signer_with_every_verifier(tmp_path: Path, service: str, verifier: str) -> None:
    if verifier == "openssl" and openssl_sm2.unavailable_reason():
        pytest.skip(f"系统 OpenSSL 不支持 SM2：{openssl_sm2.unavailable_reason()}")
    verify = VERIFIERS[verifier]
    for signer in _signers(tmp_path, service).values():
        signature = signer.sign(b"{}")
        assert verify(signer.public_key, b"{}", signature)
        assert not verify(signer.public_key, b"{ }", signature)


def test_the_key_ring_finds_keys_by_kid(tmp_path: Path) -> None:
    first = keyfile_create(tmp_path / "a.key", issuer=ISSUER)
    second = keyfile_create(tmp_path / "b.key", issuer="11430481MB1D56788R")
    ring = KeyRing.from_directory(tmp_path)
    assert {k.kid for k in ring} == {first.kid, second.kid}
    assert ring.get("0" * 16) is None
    assert KeyRing([PublicKey(kid=key_id(PUBLIC), public_key=PUBLIC, issuer=ISSUER)]).get(
        key_id(PUBLIC)) is not None
    with pytest.raises(ValueError, match="密钥标识"):
        PublicKey(kid="0" * 16, public_key=PUBLIC, issuer=ISSUER)
