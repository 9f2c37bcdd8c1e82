"""Single sign-on (全省漫游) through OpenID Connect, against a real OpenID Provider: the test
provider of tests/oidc_provider/ (django-oauth-toolkit) runs on loopback and the platform talks
to it over HTTP — discovery, authorization with PKCE, token, JWKS, userinfo. Nothing is mocked.

Django's test client drives the platform; a `requests` session signed in at the provider's own
login page drives the provider (consent included). Accounts are linked by the ID number the
provider verified, never by name; staff link their own identity and still pass the second
factor.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from django.test import Client
from django.urls import reverse

from zhengwu.accounts import selectors, services, sso
from zhengwu.accounts.middleware import PENDING
from zhengwu.accounts.models import (
    ExternalIdentity,
    IdentityMethod,
    RealNameLevel,
    User,
    UserKind,
)
from zhengwu.core.models import AuditEvent

pytestmark = pytest.mark.django_db
ZHANGSAN_ID = "43048119900101123X"
LIXIN_ID = "430481199505050021"


@pytest.fixture
def op(oidc_provider, settings):
    """The platform configured for the test provider."""
    for name, value in oidc_provider.rp_settings().items():
        setattr(settings, name, value)
    return oidc_provider


def signed_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def start(client, op, path=None):
    """The platform's sign-in start: a redirect to the provider's authorization endpoint."""
    response = client.get(path or reverse("accounts:sso_login"))
    assert response.status_code == 302, response.content.decode()[:500]
    assert response["Location"].startswith(f"{op.issuer}/authorize/")
    return response["Location"]


def back_to_platform(client, callback_url):
    parts = urlsplit(callback_url)
    assert f"{parts.scheme}://{parts.netloc}" == "http://testserver"
    assert parts.path == reverse("accounts:sso_callback")
    return client.get(f"{parts.path}?{parts.query}")


def round_trip(client, op, username, path=None):
    """Start at the platform, sign in and consent at the provider, come back."""
    authorize = start(client, op, path)
    callback = op.consent(op.sign_in(username), authorize)
    return back_to_platform(client, callback)


def with_query(url, **changes):
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


# --- configuration ----------------------------------------------------------------------------


def test_not_configured_shows_no_button_and_answers_404(settings):
    settings.ZHENGWU_OIDC_ISSUER = ""
    client = Client()
    page = client.get(reverse("accounts:login"))
    assert page.status_code == 200
    assert reverse("accounts:sso_login") not in page.content.decode()
    assert client.get(reverse("accounts:sso_login")).status_code == 404
    assert client.get(reverse("accounts:sso_callback") + "?code=x&state=y").status_code == 404
    assert client.post(reverse("accounts:sso_link")).status_code == 404


def test_login_page_button_is_named_by_configuration(op, settings):
    settings.ZHENGWU_OIDC_DISPLAY_NAME = "湖南省统一身份认证"
    page = Client().get(reverse("accounts:login") + "?next=/cases/")
    html = page.content.decode()
    assert "使用湖南省统一身份认证登录" in html
    assert reverse("accounts:sso_login") + "?next=/cases/" in html


def test_authorization_request_uses_pkce_s256_state_and_nonce(op):
    client = Client()
    query = parse_qs(urlsplit(start(client, op)).query)
    assert query["response_type"] == ["code"]
    assert query["client_id"] == [op.client_id]
    assert query["redirect_uri"] == ["http://testserver" + reverse("accounts:sso_callback")]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43  # BASE64URL(SHA-256)
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert "openid" in query["scope"][0].split()


# --- linking by verified identity ---------------------------------------------------------------


def test_first_login_links_to_the_verified_account_with_that_id_number(op, applicant):
    assert applicant.citizen_id == ZHANGSAN_ID
    assert applicant.realname_level == RealNameLevel.IDENTITY
    client = Client()
    response = round_trip(client, op, "zhangsan", reverse("accounts:sso_login") + "?next=/cases/")
    assert response.status_code == 302
    assert response["Location"] == "/cases/"
    assert signed_in_user(client) == applicant
    link = ExternalIdentity.objects.get(user=applicant)
    assert link.issuer == op.issuer and link.subject
    actions = list(AuditEvent.objects.filter(object_id=str(applicant.pk)).values_list(
        "action", flat=True))
    assert "accounts.sso_link" in actions and "accounts.sso_login" in actions
    # The audit names the provider and how the link was made, never the ID number.
    row = AuditEvent.objects.get(action="accounts.sso_link", object_id=str(applicant.pk))
    assert ZHANGSAN_ID not in str(row.after)

    # Later sign-ins find the same account by (issuer, subject), with no new link.
    again = Client()
    round_trip(again, op, "zhangsan")
    assert signed_in_user(again) == applicant
    assert ExternalIdentity.objects.filter(issuer=op.issuer).count() == 1


def test_a_new_verified_identity_gets_an_l2_account_made_by_sso(op):
    before = User.objects.count()
    client = Client()
    response = round_trip(client, op, "lixin")
    assert response.status_code == 302
    user = signed_in_user(client)
    assert User.objects.count() == before + 1
    assert user.kind == UserKind.PERSON
    assert user.display_name == "李新"
    assert user.citizen_id == LIXIN_ID
    assert user.realname_level == RealNameLevel.IDENTITY
    assert user.identity_method == IdentityMethod.SSO
    assert user.identity_verified_at is not None
    assert not user.has_usable_password()
    assert ExternalIdentity.objects.get(user=user).issuer == op.issuer


@pytest.mark.parametrize("username", ["unverified", "nameonly"])
def test_without_a_verified_id_number_nothing_links_by_name(op, applicant, username):
    """The provider says 张三 (and even 张三's number, unverified): the account made is a new
    one with no identity, never 张三's."""
    client = Client()
    response = round_trip(client, op, username)
    assert response.status_code == 302
    user = signed_in_user(client)
    assert user is not None and user != applicant
    assert user.citizen_id == ""
    assert user.realname_level == RealNameLevel.NONE
    assert not ExternalIdentity.objects.filter(user=applicant).exists()


def test_an_account_whose_identity_conflicts_is_never_taken_over(op):
    client = Client()
    round_trip(client, op, "lixin")
    user = signed_in_user(client)
    # The account's verified identity is someone else's now (e.g. corrected at a window);
    # not zhangsan's, which the database keeps to his one account.
    User.objects.filter(pk=user.pk).update(citizen_id="430481198604221012")
    again = Client()
    response = round_trip(again, op, "lixin")
    assert response.status_code == 403
    assert signed_in_user(again) is None
    assert "身份" in response.content.decode()


def test_a_deactivated_account_cannot_sign_in_by_sso(op, applicant):
    User.objects.filter(pk=applicant.pk).update(is_active=False)
    client = Client()
    response = round_trip(client, op, "zhangsan")
    assert response.status_code == 403
    assert signed_in_user(client) is None
    assert not ExternalIdentity.objects.exists()


# --- the protocol's guards ------------------------------------------------------------------------


def test_a_tampered_state_is_refused(op, applicant):
    client = Client()
    authorize = start(client, op)
    callback = op.consent(op.sign_in("zhangsan"), authorize)
    response = back_to_platform(client, with_query(callback, state="x" * 32))
    assert response.status_code == 400
    assert signed_in_user(client) is None
    # The real state still works once (the code was not spent).
    assert back_to_platform(client, callback).status_code == 302
    assert signed_in_user(client) == applicant
    # …and only once.
    replay = Client()
    assert back_to_platform(replay, callback).status_code == 400


def test_a_person_who_declines_at_the_provider_is_not_signed_in(op):
    client = Client()
    authorize = start(client, op)
    callback = op.consent(op.sign_in("zhangsan"), authorize, allow=False)
    assert "error=access_denied" in callback
    response = back_to_platform(client, callback)
    assert response.status_code == 403
    assert "未在测试省统一身份认证完成登录授权" in response.content.decode()
    assert signed_in_user(client) is None


def test_a_callback_without_the_pkce_verifier_is_refused_by_the_provider(op):
    client = Client()
    authorize = start(client, op)
    state = parse_qs(urlsplit(authorize).query)["state"][0]
    session = client.session
    session["oidc_states"][state]["code_verifier"] = None  # the verifier never reaches the OP
    session.save()
    callback = op.consent(op.sign_in("zhangsan"), authorize)
    response = back_to_platform(client, callback)
    assert response.status_code == 403
    assert signed_in_user(client) is None


def test_a_wrong_pkce_verifier_is_refused_by_the_provider(op):
    client = Client()
    authorize = start(client, op)
    state = parse_qs(urlsplit(authorize).query)["state"][0]
    session = client.session
    session["oidc_states"][state]["code_verifier"] = "y" * 64
    session.save()
    response = back_to_platform(client, op.consent(op.sign_in("zhangsan"), authorize))
    assert response.status_code == 403
    assert signed_in_user(client) is None


def test_an_unknown_issuer_is_refused(op, settings):
    """The provider at that address calls itself another issuer (OpenID Connect Discovery
    §4.3): no redirect to it, nobody signed in."""
    settings.ZHENGWU_OIDC_ISSUER = op.issuer.replace("127.0.0.1", "localhost")
    client = Client()
    response = client.get(reverse("accounts:sso_login"))
    assert response.status_code == 503
    assert "统一身份认证" in response.content.decode()
    assert signed_in_user(client) is None


def test_an_id_token_from_another_issuer_is_refused(op):
    """The ID token itself is checked: signature (JWKS, RS256), audience and issuer."""
    config = sso.sso_config()
    metadata = sso.provider_metadata(config)
    token = op.id_token("zhangsan", redirect_uri="http://testserver"
                        + reverse("accounts:sso_callback"))
    assert sso.id_token_claims(config, metadata, token, nonce=op.NONCE)["sub"]
    other = sso.SsoConfig(**{**config.__dict__, "issuer": "https://sso.example.gov.cn"})
    with pytest.raises(sso.SsoRefused):
        sso.id_token_claims(other, metadata, token, nonce=op.NONCE)
    stranger = sso.SsoConfig(**{**config.__dict__, "client_id": "another-client"})
    with pytest.raises(sso.SsoRefused):
        sso.id_token_claims(stranger, metadata, token, nonce=op.NONCE)
    with pytest.raises(sso.SsoRefused):
        sso.id_token_claims(config, metadata, token, nonce="another nonce")
    header, payload, signature = token.split(".")
    with pytest.raises(sso.SsoRefused):
        sso.id_token_claims(config, metadata, f"{header}.{payload}.{signature[::-1]}",
                            nonce=op.NONCE)


def test_failed_callbacks_are_throttled_per_address(op, monkeypatch):
    monkeypatch.setattr(services, "SSO_ADDRESS_RULE",
                        services.throttle.Rule("sso.address.test", limit=2, window=600))
    client = Client()
    bad = reverse("accounts:sso_callback") + "?code=x&state=nothing"
    assert client.get(bad).status_code == 400
    assert client.get(bad).status_code == 400
    third = client.get(bad)
    assert third.status_code == 429
    assert int(third["Retry-After"]) > 0


# --- staff ------------------------------------------------------------------------------------------


def test_staff_link_their_own_identity_and_still_pass_the_second_factor(op, supervisor):
    assert selectors.second_factor_required(supervisor)
    signed_in = Client()
    signed_in.force_login(supervisor)
    # Their own page leads there; the page offers the link.
    assert reverse("accounts:sso") in signed_in.get(reverse("accounts:totp_setup")).content.decode()
    page = signed_in.get(reverse("accounts:sso"))
    assert page.status_code == 200
    assert "关联测试省统一身份认证账户" in page.content.decode()
    response = signed_in.post(reverse("accounts:sso_link"))
    assert response.status_code == 302
    callback = op.consent(op.sign_in("staffer"), response["Location"])
    linked = back_to_platform(signed_in, callback)
    assert linked.status_code == 302
    assert linked["Location"] == reverse("accounts:sso")
    assert ExternalIdentity.objects.get(user=supervisor).issuer == op.issuer
    assert AuditEvent.objects.filter(action="accounts.sso_link",
                                     object_id=str(supervisor.pk)).exists()
    roles = set(supervisor.role_assignments.values_list("role", flat=True))

    # Next time the identity platform signs them in, the second step is still asked.
    client = Client()
    response = round_trip(client, op, "staffer")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:totp")
    assert signed_in_user(client) is None
    assert client.session[PENDING] == supervisor.pk
    # Roles come from here, never from the provider's claims.
    assert set(supervisor.role_assignments.values_list("role", flat=True)) == roles


def test_staff_without_a_second_factor_sign_in_directly(op, clerk):
    assert not selectors.second_factor_required(clerk)
    signed_in = Client()
    signed_in.force_login(clerk)
    response = signed_in.post(reverse("accounts:sso_link"))
    back_to_platform(signed_in, op.consent(op.sign_in("staffer"), response["Location"]))
    client = Client()
    response = round_trip(client, op, "staffer")
    assert response["Location"] == "/staff/"
    assert signed_in_user(client) == clerk


def test_an_applicant_cannot_link_by_hand(op, applicant):
    client = Client()
    client.force_login(applicant)
    assert client.post(reverse("accounts:sso_link")).status_code == 403


def test_an_identity_linked_to_staff_is_never_linked_again(op, supervisor, clerk):
    first = Client()
    first.force_login(supervisor)
    back_to_platform(first, op.consent(op.sign_in("staffer"),
                                       first.post(reverse("accounts:sso_link"))["Location"]))
    second = Client()
    second.force_login(clerk)
    response = back_to_platform(second, op.consent(
        op.sign_in("staffer"), second.post(reverse("accounts:sso_link"))["Location"]))
    assert response.status_code == 403
    assert not ExternalIdentity.objects.filter(user=clerk).exists()


def test_an_administrator_sees_and_may_remove_a_link(op, applicant):
    round_trip(Client(), op, "zhangsan")
    admin_user = User.objects.filter(is_superuser=True).first()
    client = Client()
    client.force_login(admin_user)
    page = client.get(reverse("admin:accounts_user_change", args=[applicant.pk]))
    assert page.status_code == 200
    assert op.issuer in page.content.decode()


def test_a_link_made_meanwhile_is_a_conflict_not_a_crash(applicant, clerk):
    """Two first sign-ins of one person at once: the second one's link finds the first's."""
    identity = sso.VerifiedIdentity(issuer="https://sso.example.gov.cn", subject="42",
                                    name="张三", id_number=ZHANGSAN_ID)
    ExternalIdentity.objects.create(issuer=identity.issuer, subject="42", user=clerk,
                                    linked_at=applicant.date_joined)
    before = User.objects.count()
    with pytest.raises(services.Conflict):
        services._sso_link_record(applicant, identity, "id_number", services.SYSTEM)
    assert User.objects.count() == before
