"""Sign-in (quality.md #16): username or mobile number, lockout after repeated failures that
expires, session rotated at login, staff TOTP as a second step, staff idle timeout, and the
permissions of each role group.
"""

import datetime as dt
import time

import pyotp
import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.test import Client, override_settings

from zhengwu.accounts.models import User
from zhengwu.accounts.roles import ROLE_PERMISSIONS, Role
from zhengwu.core import clock
from zhengwu.core.models import AuditEvent

pytestmark = pytest.mark.django_db
PASSWORD = "demo-2026"
LOGIN = "/accounts/login/"
TOTP = "/accounts/login/totp/"
MOMENT = dt.datetime(2026, 3, 2, 9, 0, 7, tzinfo=dt.UTC)


def signed_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def login(client, username, password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


# --- password sign-in -----------------------------------------------------------------------


def test_staff_sign_in_by_username(clerk):
    client = Client()
    response = login(client, "clerk")
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    assert signed_in_user(client) == clerk
    assert client.get("/staff/").status_code == 200


def test_applicant_sign_in_by_mobile_number(applicant):
    client = Client()
    response = login(client, applicant.phone)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user(client) == applicant


def test_next_is_followed_only_within_the_site(clerk):
    client = Client()
    response = client.post(f"{LOGIN}?next=/staff/audit/", {"username": "clerk",
                                                           "password": PASSWORD})
    assert response["Location"] == "/staff/audit/"
    client = Client()
    response = client.post(f"{LOGIN}?next=https://evil.example/", {"username": "clerk",
                                                                   "password": PASSWORD})
    assert response["Location"] == "/staff/"


@pytest.mark.parametrize(("username", "password"), [
    ("clerk", "wrong"), ("nobody", PASSWORD), ("13999999999", PASSWORD), ("", PASSWORD),
])
def test_bad_credentials_are_refused_with_one_message(username, password):
    client = Client()
    response = login(client, username, password)
    assert response.status_code == 200
    assert signed_in_user(client) is None
    if username:
        assert "用户名/手机号或密码错误" in response.content.decode()


def test_session_key_rotates_at_login(clerk):
    client = Client()
    session = client.session
    session["probe"] = "before login"
    session.save()
    old_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=old_key).exists()
    login(client, "clerk")
    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    assert signed_in_user(client) == clerk


def test_logout_ends_the_session(clerk):
    client = Client()
    login(client, "clerk")
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/accounts/logout/").status_code == 405  # POST only
    assert client.post("/accounts/logout/").status_code == 302
    assert signed_in_user(client) is None
    assert not Session.objects.filter(session_key=key).exists()


# --- lockout --------------------------------------------------------------------------------


def test_five_failures_lock_the_account_and_the_lock_expires(clerk):
    assert settings.ZHENGWU_LOGIN_MAX_FAILURES == 5
    with time_machine.travel(MOMENT, tick=False):
        for attempt in range(4):
            login(Client(), "clerk", f"wrong-{attempt}")
        clerk.refresh_from_db()
        assert clerk.failed_logins == 4
        assert clerk.locked_until is None
        assert signed_in_user(_ok(login)) == clerk  # a success in time resets the count
        clerk.refresh_from_db()
        assert clerk.failed_logins == 0

        for attempt in range(5):
            login(Client(), "clerk", f"wrong-{attempt}")
        clerk.refresh_from_db()
        assert clerk.locked_until == MOMENT + dt.timedelta(seconds=900)
        assert AuditEvent.objects.filter(action="accounts.locked", object_id=str(clerk.pk)).exists()
        locked_out = Client()
        assert login(locked_out, "clerk").status_code == 200  # right password, still refused
        assert signed_in_user(locked_out) is None
        by_phone = Client()
        login(by_phone, clerk.phone)
        assert signed_in_user(by_phone) is None

    with time_machine.travel(MOMENT + dt.timedelta(seconds=899), tick=False):
        assert signed_in_user(_ok(login)) is None
    with time_machine.travel(MOMENT + dt.timedelta(seconds=901), tick=False):
        assert signed_in_user(_ok(login)) == clerk
        clerk.refresh_from_db()
        assert (clerk.failed_logins, clerk.locked_until) == (0, None)


def _ok(login_function):
    client = Client()
    login_function(client, "clerk")
    return client


def test_an_expired_lock_set_by_hand_no_longer_blocks(applicant):
    User.objects.filter(pk=applicant.pk).update(
        locked_until=clock.now() - dt.timedelta(seconds=1))
    client = Client()
    login(client, applicant.phone)
    assert signed_in_user(client) == applicant
    User.objects.filter(pk=applicant.pk).update(
        locked_until=clock.now() + dt.timedelta(minutes=5))
    client = Client()
    login(client, applicant.phone)
    assert signed_in_user(client) is None


# --- TOTP -----------------------------------------------------------------------------------


def _enable_totp(user):
    """Set up TOTP through the pages, as the user would; returns the secret."""
    client = Client()
    client.force_login(user)
    page = client.get("/accounts/totp/")
    assert page.status_code == 200
    user.refresh_from_db()
    secret = user.totp_secret
    assert secret
    assert secret in page.content.decode()  # shown for manual entry next to the QR code
    assert not user.totp_enabled
    wrong = _a_wrong_code(secret)
    assert "验证码不正确" in client.post("/accounts/totp/", {"code": wrong}).content.decode()
    user.refresh_from_db()
    assert not user.totp_enabled
    done = client.post("/accounts/totp/", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    user.refresh_from_db()
    assert user.totp_enabled
    assert AuditEvent.objects.filter(action="accounts.totp_enable",
                                     object_id=str(user.pk)).exists()
    return secret


def _a_wrong_code(secret):
    totp = pyotp.TOTP(secret)
    now = clock.now()
    valid = {totp.at(now + dt.timedelta(seconds=s)) for s in (-30, 0, 30)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid)


def test_totp_makes_sign_in_a_second_step(clerk):
    with time_machine.travel(MOMENT, tick=False):
        secret = _enable_totp(clerk)
        client = Client()
        first = login(client, "clerk")
        assert first.status_code == 302
        assert first["Location"] == TOTP
        assert signed_in_user(client) is None  # the password alone is not enough
        assert client.get("/staff/").status_code == 302

        refused = client.post(TOTP, {"code": _a_wrong_code(secret)})
        assert refused.status_code == 200
        assert "验证码不正确" in refused.content.decode()
        assert signed_in_user(client) is None
        assert client.post(TOTP, {"code": "abc"}).status_code == 200
        assert signed_in_user(client) is None
        clerk.refresh_from_db()
        assert clerk.failed_logins == 1  # a wrong code counts as a failed sign-in

        accepted = client.post(TOTP, {"code": pyotp.TOTP(secret).now()})
        assert accepted.status_code == 302
        assert accepted["Location"] == "/staff/"
        assert signed_in_user(client) == clerk
        assert client.get("/staff/").status_code == 200
        clerk.refresh_from_db()
        assert clerk.failed_logins == 0


def test_the_totp_step_needs_the_password_step_first():
    client = Client()
    response = client.get(TOTP)
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert client.post(TOTP, {"code": "123456"})["Location"] == LOGIN


def test_wrong_totp_codes_lock_the_account_too(clerk):
    with time_machine.travel(MOMENT, tick=False):
        secret = _enable_totp(clerk)
        client = Client()
        login(client, "clerk")
        wrong = _a_wrong_code(secret)
        for _ in range(5):
            client.post(TOTP, {"code": wrong})
        clerk.refresh_from_db()
        assert clerk.locked_until is not None
        # Once locked, even the right code must not sign in (no brute force past the lock).
        client.post(TOTP, {"code": pyotp.TOTP(secret).now()})
        assert signed_in_user(client) is None


# --- staff idle timeout ---------------------------------------------------------------------


def _age_last_seen(client, seconds):
    session = client.session
    session["last_seen"] = int(time.time()) - seconds
    session.save()


@override_settings(ZHENGWU_STAFF_IDLE_SECONDS=60)
def test_staff_are_signed_out_after_the_idle_time(client_for, clerk):
    client = client_for(clerk)
    assert client.get("/staff/").status_code == 200
    assert abs(client.session["last_seen"] - int(time.time())) <= 2
    _age_last_seen(client, 30)
    assert client.get("/staff/").status_code == 200  # still within the idle time
    _age_last_seen(client, 61)
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert signed_in_user(client) is None


@override_settings(ZHENGWU_STAFF_IDLE_SECONDS=60)
def test_applicants_have_no_staff_idle_timeout(client_for, applicant):
    client = client_for(applicant)
    _age_last_seen(client, 3600)
    client.get("/")
    assert signed_in_user(client) == applicant


# --- role groups ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_each_role_group_has_exactly_its_permissions(role):
    group = Group.objects.get(name=role.value)
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    assert granted == set(ROLE_PERMISSIONS[role])


def test_people_get_their_role_permissions(clerk, supervisor, catalog_admin, applicant):
    assert clerk.has_perm("catalog.view_itemimplementation")
    assert not clerk.has_perm("catalog.edit_catalog")
    assert not clerk.has_perm("core.view_auditevent")
    assert supervisor.has_perm("core.view_auditevent")
    assert supervisor.has_perm("catalog.view_quality")
    assert not supervisor.has_perm("catalog.publish_catalog")
    assert catalog_admin.has_perm("catalog.publish_catalog")
    assert catalog_admin.has_perm("catalog.import_catalog")
    assert not catalog_admin.has_perm("core.view_auditevent")
    assert not applicant.get_all_permissions()
    assert not applicant.is_staff
    assert clerk.is_staff
