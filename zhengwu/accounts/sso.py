"""Single sign-on through the provincial identity platform (全省漫游): the relying party's side
of OpenID Connect, on mozilla-django-oidc.

The authorization code flow with PKCE (S256), `state` and `nonce`, all kept in the session by
the library (`oidc_states`); the ID token's RS256 signature checked against the provider's JWKS,
and its issuer, audience, expiry and nonce checked here (the library checks neither issuer nor
audience). The provider's endpoints come from its discovery document, fetched when someone
signs in — never at import — and its `issuer` must be the configured one (OpenID Connect
Discovery §4.3).

Configuration is by environment (config/settings/base.py, docs/deploy.md): without an issuer
and a client id single sign-on is off, `sso_config()` is None and its pages answer 404.

What this module gives the rest of the platform is a `VerifiedIdentity`: the provider, the
person's subject there, the name, and an ID number only when the provider vouches for it.
Which account that is, is accounts.services' business (sso_sign_in, sso_link).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.views import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from zhengwu.core.codes import is_valid_citizen_id, normalize_code
from zhengwu.core.errors import DomainError

CALLBACK_URL_NAME = "accounts:sso_callback"
SIGNING_ALGORITHM = "RS256"
# A discovery document is reused this long (seconds): signing in twice a second must not cost
# the provider two more requests each time, and a changed provider is seen within minutes.
DISCOVERY_TTL = 300
# Tolerated clock difference with the provider when checking exp/iat (seconds).
LEEWAY = 60


class SsoUnavailable(DomainError):
    """The identity platform cannot be used now (unreachable, or not the configured one)."""

    code = "sso.unavailable"
    http_status = 503


class SsoRefused(DomainError):
    """The provider's answer does not sign anyone in (bad token, refused code, wrong party)."""

    code = "sso.refused"
    http_status = 403


@dataclass(frozen=True)
class SsoConfig:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    display_name: str
    name_claim: str
    id_number_claim: str
    id_verified_claim: str
    timeout: float


def sso_config() -> SsoConfig | None:
    """The configured provider, or None when single sign-on is off."""
    issuer = str(getattr(settings, "ZHENGWU_OIDC_ISSUER", "") or "").rstrip("/")
    client_id = str(getattr(settings, "ZHENGWU_OIDC_CLIENT_ID", "") or "")
    if not issuer or not client_id:
        return None
    return SsoConfig(
        issuer=issuer, client_id=client_id,
        client_secret=settings.ZHENGWU_OIDC_CLIENT_SECRET,
        scopes=settings.ZHENGWU_OIDC_SCOPES, display_name=settings.ZHENGWU_OIDC_DISPLAY_NAME,
        name_claim=settings.ZHENGWU_OIDC_NAME_CLAIM,
        id_number_claim=settings.ZHENGWU_OIDC_ID_NUMBER_CLAIM,
        id_verified_claim=settings.ZHENGWU_OIDC_ID_VERIFIED_CLAIM,
        timeout=float(settings.ZHENGWU_OIDC_TIMEOUT))


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str = ""


_discovered: dict[str, tuple[float, ProviderMetadata]] = {}
_discovered_lock = threading.Lock()


def provider_metadata(config: SsoConfig) -> ProviderMetadata:
    """The provider's endpoints from `<issuer>/.well-known/openid-configuration`."""
    with _discovered_lock:
        cached = _discovered.get(config.issuer)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    unavailable = f"{config.display_name}暂时无法使用，请稍后再试或使用账号密码登录。"
    try:
        answer = requests.get(f"{config.issuer}/.well-known/openid-configuration",
                              timeout=config.timeout)
        answer.raise_for_status()
        document = answer.json()
        metadata = ProviderMetadata(
            issuer=str(document["issuer"]),
            authorization_endpoint=str(document["authorization_endpoint"]),
            token_endpoint=str(document["token_endpoint"]),
            jwks_uri=str(document["jwks_uri"]),
            userinfo_endpoint=str(document.get("userinfo_endpoint") or ""))
    except (requests.RequestException, ValueError, KeyError, TypeError) as error:
        raise SsoUnavailable(unavailable) from error
    if metadata.issuer.rstrip("/") != config.issuer:
        # Someone else answers at that address: nothing it signs may be believed.
        raise SsoUnavailable(unavailable)
    with _discovered_lock:
        _discovered[config.issuer] = (time.monotonic() + DISCOVERY_TTL, metadata)
    return metadata


def _library_settings(config: SsoConfig) -> dict[str, Any]:
    """mozilla-django-oidc's settings, from our configuration instead of Django's settings
    module (the library would otherwise read them at import and refuse to start without)."""
    return {
        "OIDC_RP_CLIENT_ID": config.client_id,
        "OIDC_RP_CLIENT_SECRET": config.client_secret,
        "OIDC_RP_SCOPES": config.scopes,
        "OIDC_RP_SIGN_ALGO": SIGNING_ALGORITHM,
        "OIDC_RP_IDP_SIGN_KEY": None,
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
        "OIDC_PKCE_CODE_VERIFIER_SIZE": 64,
        "OIDC_AUTHENTICATION_CALLBACK_URL": CALLBACK_URL_NAME,
        "OIDC_REDIRECT_FIELD_NAME": "next",
        "OIDC_AUTH_REQUEST_EXTRA_PARAMS": {},
        "OIDC_TIMEOUT": config.timeout,
        "OIDC_VERIFY_SSL": True,
        "OIDC_PROXY": None,
        "OIDC_TOKEN_USE_BASIC_AUTH": False,
        "OIDC_ALLOW_UNSECURED_JWT": False,
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_STORE_ID_TOKEN": False,
    }


class _Settings:
    config: SsoConfig

    def get_settings(self, attr: str, *args: Any) -> Any:
        values = _library_settings(self.config)
        if attr in values:
            return values[attr]
        if args:
            return args[0]
        raise ImproperlyConfigured(f"{attr} is not set for single sign-on")


class _AuthorizationRequest(_Settings, OIDCAuthenticationRequestView):  # type: ignore[misc]
    def __init__(self, config: SsoConfig, metadata: ProviderMetadata) -> None:
        View.__init__(self)  # not the library's: it reads Django's settings
        self.config = config
        self.OIDC_OP_AUTH_ENDPOINT = metadata.authorization_endpoint
        self.OIDC_RP_CLIENT_ID = config.client_id


def authorization_redirect(request: HttpRequest, config: SsoConfig,
                           metadata: ProviderMetadata) -> tuple[HttpResponse, str]:
    """The redirect to the provider's authorization endpoint (code, PKCE S256, state, nonce),
    with the state and the redirect target after sign-in (`next`, when safe) kept in the
    session by the library; returns the response and its state."""
    view = _AuthorizationRequest(config, metadata)
    view.setup(request)
    response: HttpResponse = view.get(request)
    state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
    return response, state


class _TokenExchange(_Settings, OIDCAuthenticationBackend):  # type: ignore[misc]
    """The library's token request, JWKS lookup and signature check; the stricter ID token
    checks and the userinfo merge are ours. Its 'user' is the verified claims."""

    def __init__(self, config: SsoConfig, metadata: ProviderMetadata) -> None:
        self.config = config
        self.metadata = metadata
        self.OIDC_OP_TOKEN_ENDPOINT = metadata.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = metadata.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = metadata.jwks_uri
        self.OIDC_RP_CLIENT_ID = config.client_id
        self.OIDC_RP_CLIENT_SECRET = config.client_secret
        self.OIDC_RP_SIGN_ALGO = SIGNING_ALGORITHM
        self.OIDC_RP_IDP_SIGN_KEY = None

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                payload, key, algorithms=[SIGNING_ALGORITHM], audience=self.config.client_id,
                issuer=self.config.issuer, leeway=LEEWAY,
                options={"require": ["iss", "sub", "aud", "exp", "iat"]})
        except jwt.PyJWTError as error:
            raise SuspiciousOperation(f"ID token refused: {error}") from error
        # With several audiences, the authorized party must be us (OIDC Core §3.1.3.7).
        if isinstance(claims.get("aud"), list) and len(claims["aud"]) > 1 \
                and claims.get("azp") != self.config.client_id:
            raise SuspiciousOperation("ID token refused: azp is another client")
        return claims

    def get_or_create_user(self, access_token: str, id_token: str,
                           payload: dict[str, Any]) -> dict[str, Any]:
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT and access_token:
            userinfo = self.get_userinfo(access_token, id_token, payload)
            # Userinfo is about the ID token's subject or about nobody (OIDC Core §5.3.2).
            if str(userinfo.get("sub")) != str(payload["sub"]):
                raise SuspiciousOperation("userinfo is about another subject")
            claims = {**userinfo, **payload}
        return claims


def _refused(config: SsoConfig) -> SsoRefused:
    return SsoRefused(f"{config.display_name}登录未成功，请重新登录或使用账号密码登录。")


def id_token_claims(config: SsoConfig, metadata: ProviderMetadata, token: str, *,
                    nonce: str) -> dict[str, Any]:
    """The claims of an ID token once its signature (the provider's JWKS), issuer, audience,
    expiry and nonce are checked; SsoRefused otherwise."""
    checker = _TokenExchange(config, metadata)
    try:
        claims: dict[str, Any] = checker.verify_token(token, nonce=nonce)
    except (SuspiciousOperation, jwt.PyJWTError, requests.RequestException, ValueError,
            KeyError) as error:
        raise _refused(config) from error
    return claims


@dataclass(frozen=True)
class VerifiedIdentity:
    """Who the provider says signed in. `id_number` is set only when the provider vouches for
    it (the configured verified flag is true) and it is a valid GB 11643 number."""

    issuer: str
    subject: str
    name: str
    id_number: str


def _identity(config: SsoConfig, claims: dict[str, Any]) -> VerifiedIdentity:
    number = normalize_code(str(claims.get(config.id_number_claim) or ""))
    vouched = (not config.id_verified_claim
               or claims.get(config.id_verified_claim) in (True, "true", "True", "1", 1))
    return VerifiedIdentity(
        issuer=config.issuer, subject=str(claims["sub"]),
        name=str(claims.get(config.name_claim) or "")[:150],
        id_number=number if vouched and number and is_valid_citizen_id(number) else "")


def callback_identity(request: HttpRequest, config: SsoConfig, metadata: ProviderMetadata, *,
                      nonce: str, code_verifier: str | None) -> VerifiedIdentity:
    """Redeem the callback's code at the token endpoint (with the PKCE verifier), check the ID
    token, read userinfo; the identity, or SsoRefused (the provider refused the code, the token
    is not genuine, not for us, or not for this sign-in)."""
    exchange = _TokenExchange(config, metadata)
    try:
        claims = exchange.authenticate(request, nonce=nonce, code_verifier=code_verifier)
    except (SuspiciousOperation, jwt.PyJWTError, requests.RequestException, ValueError,
            KeyError, TypeError) as error:
        raise _refused(config) from error
    if not isinstance(claims, dict) or not claims.get("sub"):
        raise _refused(config)
    return _identity(config, claims)
