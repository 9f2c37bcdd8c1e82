"""Who signs licences, with which key, and how a verifier finds the key again.

A `Signer` has a key id (`kid`), a public key and `sign(bytes) -> DER signature` (SM2 with SM3
and the default ID, core.sm2). Two implementations:

- `KeyFileSigner`, for development and the demo: the private key in a file under
  ZHENGWU_LICENCE_KEY_DIR (default <data dir>/keys/licences/<name>.key), mode 0600 in a 0700
  folder, the public half beside it as <name>.pub. Keys are **made by a command**
  (`zhengwu licence-keys create NAME --issuer USCC`), never on first use: a licence key's
  public half must be published (trust list) before its signatures mean anything, and a key
  silently made because a restored data dir lacked the old one would issue licences that no
  offline verifier accepts. A file that others can read is refused.
- `RemoteSigner`, for production: a signing service in front of a certified cryptographic
  module (签名验签服务器, 密码机; 商用密码应用安全性评估 wants the private key inside one). The
  HTTP contract is in docs/licences.md; the client checks every signature it gets back against
  the key's public half, so a misrouted or faulty service cannot hand out bad licences.

`signer_get(name)` picks one from the settings. The `kid` is the first 16 hex digits of SM3 over
the 64-byte public key (the same fingerprint as the audit checkpoints' key id, ADR 0010): a
verifier recomputes it, so a key ring cannot file a key under the wrong id.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import os
import re
import stat
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

from django.conf import settings

from zhengwu.core import sm2
from zhengwu.core.codes import CodeError, validate_uscc

ALGORITHM: Final = "SM2-SM3"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_LOOPBACK: Final = frozenset({"127.0.0.1", "localhost", "::1"})


def key_id(public_key: bytes) -> str:
    return sm2.sm3(public_key).hex()[:16]


class Signer(Protocol):
    @property
    def kid(self) -> str: ...

    @property
    def public_key(self) -> bytes: ...

    def sign(self, message: bytes) -> bytes: ...


class KeyFileError(ValueError):
    """A key file is missing, unsafe or damaged; the message says which and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotConfigured(RuntimeError):
    """The signing service is named in the settings but not fully configured."""


class RemoteSignerError(RuntimeError):
    """The signing service failed or answered something that does not verify."""


@dataclass(frozen=True, slots=True)
class PublicKey:
    """A verification key: its kid, the 64-byte public key, the issuer (USCC) it signs for."""

    kid: str
    public_key: bytes
    issuer: str

    def __post_init__(self) -> None:
        if len(self.public_key) != 64 or not sm2.on_curve(self.public_key):
            raise ValueError("不是 SM2 公钥（应为曲线上的 64 字节 x‖y）")
        if key_id(self.public_key) != self.kid:
            raise ValueError(f"密钥标识 {self.kid} 与公钥不符（应为 {key_id(self.public_key)}）")


class KeyRing:
    """Verification keys by kid: ours (the key folder's .pub files) for now; the trust list
    of other issuers (issue 11 item 5) will build one too."""

    def __init__(self, keys: Iterable[PublicKey]) -> None:
        self._keys = {key.kid: key for key in keys}

    def get(self, kid: str) -> PublicKey | None:
        return self._keys.get(kid)

    def __iter__(self) -> Iterator[PublicKey]:
        return iter(self._keys.values())

    @classmethod
    def from_directory(cls, directory: Path | str) -> KeyRing:
        return cls(public_key_file_read(p) for p in sorted(Path(directory).glob("*.pub")))


def public_key_file_read(path: Path) -> PublicKey:
    """A key file's public half (<name>.pub: issuer, kid, public)."""
    fields = _fields(path.read_text(encoding="ascii"))
    try:
        public = bytes.fromhex(fields["public"])
        return PublicKey(kid=key_id(public), public_key=public, issuer=fields["issuer"])
    except (KeyError, ValueError) as error:
        raise KeyFileError(f"{path}：公钥文件损坏（{error}）") from None


# --- the key file -----------------------------------------------------------------------------


class KeyFileSigner:
    """Signs with a private key read once from a key file (see the module docstring)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            mode = self.path.stat().st_mode
        except FileNotFoundError:
            raise KeyFileError(
                f"签名密钥文件 {self.path} 不存在；请先用 zhengwu licence-keys create "
                f"{self.path.stem} --issuer 统一社会信用代码 生成（不会自动生成）") from None
        if stat.S_IMODE(mode) & 0o077:
            raise KeyFileError(f"签名密钥文件 {self.path} 的权限为 {stat.S_IMODE(mode):o}，"
                               "其他用户可读；请改为 0600")
        fields = _fields(self.path.read_text(encoding="ascii"))
        try:
            private = bytes.fromhex(fields["private"])
            public = bytes.fromhex(fields["public"])
            self.issuer = fields["issuer"]
            derived = sm2.public_key_of(private)  # milliseconds in pure Python: once per load
        except (KeyError, ValueError) as error:
            raise KeyFileError(f"签名密钥文件 {self.path} 损坏（{error}）") from None
        if derived != public:
            raise KeyFileError(f"签名密钥文件 {self.path} 中公钥与私钥不匹配")
        self._private = private
        self._public = public
        self._kid = key_id(public)

    @property
    def kid(self) -> str:
        return self._kid

    @property
    def public_key(self) -> bytes:
        return self._public

    def sign(self, message: bytes) -> bytes:
        return sm2.sign(self._private, self._public, message)

    def __repr__(self) -> str:  # never the private key, not even in a traceback
        return f"KeyFileSigner({str(self.path)!r}, kid={self._kid!r})"


def keyfile_create(path: Path | str, *, issuer: str) -> KeyFileSigner:
    """Make a new key file (0600, folder 0700) and its .pub; refuses to overwrite one."""
    keyfile_write(path, issuer=issuer)
    return KeyFileSigner(path)


def keyfile_write(path: Path | str, *, issuer: str) -> None:
    """`keyfile_create` without loading the new key back: the pack loader makes one for every
    department (their notices are signed too), and loading re-derives the public key in pure
    Python (~10 ms each); the first signature loads it."""
    path = Path(path)
    try:
        issuer = validate_uscc(issuer)
    except CodeError as error:
        raise KeyFileError(f"颁证机构的统一社会信用代码无效：{error.message}") from None
    private, public = sm2.keypair_generate()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileError(f"签名密钥文件 {path} 已存在，不覆盖") from None
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write("# Zhengwu licence signing key (SM2). Keep it out of the database and out of"
                  " ordinary backups.\n"
                  f"issuer={issuer}\nprivate={private.hex()}\npublic={public.hex()}\n")
    path.with_suffix(".pub").write_text(
        f"issuer={issuer}\nkid={key_id(public)}\npublic={public.hex()}\n", encoding="ascii")


def licence_key_path(name: str) -> Path:
    """<ZHENGWU_LICENCE_KEY_DIR>/<name>.key; the name is a plain word, never a path."""
    if not _NAME.fullmatch(name):
        raise KeyFileError(f"密钥名“{name}”无效：只用字母、数字、- 和 _，以字母或数字开头，至多 64 位")
    return Path(settings.ZHENGWU_LICENCE_KEY_DIR) / f"{name}.key"


def _fields(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.split() if "=" in line)


# --- the remote signing service ----------------------------------------------------------------


class RemoteSigner:
    """Client of the signing service contract in docs/licences.md:

    GET  {base}v1/keys/{name}       → {"kid", "alg": "SM2-SM3", "publicKey": hex x‖y}
    POST {base}v1/keys/{name}/sign  {"alg", "signerId", "data": base64} → {"kid", "signature"}

    with `Authorization: Bearer <token>`. The public key is fetched once (and compared with
    `public_key` when one is pinned in the settings); every signature is verified with it.
    """

    def __init__(self, base_url: str, name: str, *, token: str,
                 public_key: bytes | None = None, timeout: float = 5.0) -> None:
        parts = urllib.parse.urlsplit(base_url)
        # The token and what is signed cross the network: HTTPS, plain HTTP only on loopback
        # (a gateway on the same host, the tests).
        loopback = parts.scheme == "http" and parts.hostname in _LOOPBACK
        if parts.scheme != "https" and not loopback:
            raise NotConfigured(f"签名服务地址须为 https://（本机可用 http://）：{base_url}")
        self._base = base_url.rstrip("/") + "/v1/keys/" + name
        self._token = token
        self._timeout = timeout
        answer = self._call("GET", self._base, None)
        try:
            public = bytes.fromhex(answer["publicKey"])
            fetched = PublicKey(kid=answer["kid"], public_key=public, issuer="")
        except (KeyError, TypeError, ValueError) as error:
            raise RemoteSignerError(f"签名服务返回的公钥无效（{error}）") from None
        if answer.get("alg") != ALGORITHM:
            raise RemoteSignerError(f"签名服务的算法为 {answer.get('alg')}，应为 {ALGORITHM}")
        if public_key is not None and public_key != fetched.public_key:
            raise RemoteSignerError(f"签名服务密钥 {name} 的公钥与配置不符，拒绝使用")
        self._public = fetched.public_key
        self._kid = fetched.kid

    @property
    def kid(self) -> str:
        return self._kid

    @property
    def public_key(self) -> bytes:
        return self._public

    def sign(self, message: bytes) -> bytes:
        answer = self._call("POST", self._base + "/sign", {
            "alg": ALGORITHM, "signerId": sm2.DEFAULT_ID.decode(),
            "data": base64.b64encode(message).decode("ascii")})
        try:
            signature = base64.b64decode(answer["signature"], validate=True)
        except (KeyError, TypeError, binascii.Error):
            raise RemoteSignerError("签名服务返回的签名格式无效") from None
        if answer.get("kid") != self._kid or not sm2.verify(self._public, message, signature):
            raise RemoteSignerError("签名服务返回的签名无法用该密钥验证，拒绝使用")
        return signature

    def _call(self, method: str, url: str, body: dict[str, str] | None) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310  (scheme checked in __init__)
            url, method=method, data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self._token}",
                     "Content-Type": "application/json", "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310
                answer = json.loads(response.read())
        except urllib.error.HTTPError as error:
            detail = error.read()[:200].decode("utf-8", "replace")
            raise RemoteSignerError(f"签名服务返回 {error.code}：{detail}") from None
        except (OSError, ValueError) as error:  # URLError and timeouts are OSErrors
            raise RemoteSignerError(f"无法连接签名服务 {url}：{error}") from None
        if not isinstance(answer, dict):
            raise RemoteSignerError("签名服务的应答不是 JSON 对象")
        return answer


def signer_get(name: str) -> Signer:
    """The signer of key `name`: the remote service if ZHENGWU_LICENCE_SIGNING_SERVICE is set,
    else the key file. Kept per process, so that keys are parsed (or fetched) once."""
    service = settings.ZHENGWU_LICENCE_SIGNING_SERVICE
    if service:
        token = settings.ZHENGWU_LICENCE_SIGNING_TOKEN
        if not token:
            raise NotConfigured("已设置 ZHENGWU_LICENCE_SIGNING_SERVICE，但未设置 "
                                "ZHENGWU_LICENCE_SIGNING_TOKEN")
        return _remote_signer(service, name, token)
    return _keyfile_signer(licence_key_path(name))


@functools.lru_cache(maxsize=64)
def _remote_signer(service: str, name: str, token: str) -> RemoteSigner:
    return RemoteSigner(service, name, token=token)


@functools.lru_cache(maxsize=64)
def _keyfile_signer(path: Path) -> KeyFileSigner:
    return KeyFileSigner(path)
