"""Sign-in (quality.md #16): username or mobile number, throttling per address, per
(account, address) pair and per account with 429 + Retry-After (no lock-out of the owner, no
enumeration by timing), session rotated at login, the second factor (TOTP or recovery code,
counted on its own, required by role with enrolment at first sign-in), staff idle timeout, and
the permissions of each role group.
"""

import datetime as dt
import re
import time

import pyotp
import pytest
import time_machine
from django.conf import settings
from django.contrib import admin as django_admin
from django.contrib.auth import hashers
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.test import Client, override_settings

from zhengwu.accounts import selectors, services, throttle
from zhengwu.accounts.backends import PASSWORD_BACKEND
from zhengwu.accounts.models import User
from zhengwu.accounts.roles import ROLE_PERMISSIONS, SECOND_FACTOR_ROLES, Role
from zhengwu.core import clock, sweeps
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


# --- throttling (issue 8 finding 6) ----------------------------------------------------------


def login_from(address, username, password=PASSWORD, client=None):
    client = client or Client()
    return client, client.post(LOGIN, {"username": username, "password": password},
                               REMOTE_ADDR=address)


def test_wrong_passwords_never_lock_the_owner_out(clerk):
    """Ten wrong passwords for one account from one address: the account is not locked; the
    owner signs in from another address at once."""
    for attempt in range(10):
        login_from("203.0.113.7", "clerk", f"wrong-{attempt}")
    client, response = login_from("198.51.100.2", "clerk")
    assert response.status_code == 302
    assert signed_in_user(client) == clerk


def test_25_rapid_failures_from_one_address_answer_429_with_retry_after(clerk):
    with time_machine.travel(MOMENT, tick=False):
        statuses = [login_from("203.0.113.9", f"user{n}", "wrong")[1] for n in range(25)]
        assert [r.status_code for r in statuses[:20]] == [200] * 20
        refused = statuses[20:]
        assert {r.status_code for r in refused} == {429}
        assert all(0 < int(r["Retry-After"]) <= 600 for r in refused)
        assert "尝试次数过多" in refused[0].content.decode()
        # Even the right password waits: the address is held, not the account.
        client, held = login_from("203.0.113.9", "clerk")
        assert held.status_code == 429 and signed_in_user(client) is None
        client, _ = login_from("198.51.100.2", "clerk")
        assert signed_in_user(client) == clerk
    with time_machine.travel(MOMENT + dt.timedelta(seconds=601), tick=False):
        client, _ = login_from("203.0.113.9", "clerk")
        assert signed_in_user(client) == clerk


def test_one_account_from_one_address_slows_down_progressively(clerk):
    with time_machine.travel(MOMENT, tick=False) as traveller:
        answers = [login_from("203.0.113.5", "clerk", "wrong")[1].status_code for _ in range(6)]
        assert answers == [200] * 6  # five free, the sixth sets the first wait
        _, waiting = login_from("203.0.113.5", "clerk", "wrong")
        assert waiting.status_code == 429
        assert waiting["Retry-After"] == "2"
        traveller.shift(2)
        assert login_from("203.0.113.5", "clerk", "wrong")[1].status_code == 200
        _, longer = login_from("203.0.113.5", "clerk", "wrong")
        assert longer["Retry-After"] == "4"  # doubled
        # The owner, elsewhere, is not slowed down.
        client, _ = login_from("198.51.100.2", "clerk")
        assert signed_in_user(client) == clerk


def test_a_right_password_clears_the_wait_of_its_pair(clerk):
    with time_machine.travel(MOMENT, tick=False):
        for _ in range(5):
            login_from("203.0.113.6", "clerk", "wrong")
        client, _ = login_from("203.0.113.6", "clerk")
        assert signed_in_user(client) == clerk
        for _ in range(5):
            assert login_from("203.0.113.6", "clerk", "wrong")[1].status_code == 200


def test_many_addresses_against_one_account_are_held_but_not_where_it_signed_in(clerk):
    with time_machine.travel(MOMENT, tick=False):
        client, _ = login_from("198.51.100.2", "clerk")  # the owner's usual address
        assert signed_in_user(client) == clerk
        answers = [login_from(f"203.0.113.{n % 200}", "clerk", "wrong")[1].status_code
                   for n in range(60)]
        assert answers[:50] == [200] * 50
        assert set(answers[50:]) == {429}
        client, _ = login_from("198.51.100.2", "clerk")  # known address: still welcome
        assert signed_in_user(client) == clerk
        # An unknown name is held the same way: a 429 tells nothing about existence.
        answers = [login_from(f"192.0.2.{n}", "nobody-here", "wrong")[1].status_code
                   for n in range(51)]
        assert answers[-1] == 429


def _count_hashing(monkeypatch):
    calls = []
    for name in ("check_password", "make_password"):
        original = getattr(hashers, name)

        def counted(*args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(hashers, name, counted)
        monkeypatch.setattr(f"django.contrib.auth.base_user.{name}", counted)
    return calls


@pytest.mark.parametrize("case", ["unknown", "wrong password", "inactive", "second factor held"])
def test_every_refused_password_runs_the_hasher_once_and_answers_alike(
        case, clerk, supervisor, monkeypatch):
    """No account enumeration by timing: unknown, inactive, held and wrong-password attempts
    each run the password hasher exactly once and get the same page."""
    username, password = "clerk", "wrong"
    if case == "unknown":
        username = "nobody-here"
    elif case == "inactive":
        User.objects.filter(pk=clerk.pk).update(is_active=False)
        password = PASSWORD
    elif case == "second factor held":
        username = "supervisor"
        for _ in range(5):
            services.second_factor_attempt(user=supervisor, code="000000")
    calls = _count_hashing(monkeypatch)
    client, response = login_from("203.0.113.20", username, password)
    assert len(calls) == 1, calls
    assert response.status_code == 200
    assert "用户名/手机号或密码错误" in response.content.decode()
    assert signed_in_user(client) is None


class FastPBKDF2(PBKDF2PasswordHasher):
    """A real, slow-ish hasher (tens of ms), so that timing is dominated by it."""

    iterations = 60_000


@override_settings(PASSWORD_HASHERS=["zhengwu.accounts.tests.test_signin.FastPBKDF2"])
def test_unknown_held_and_wrong_password_answer_in_about_the_same_time(clerk, supervisor):
    for user in (clerk, supervisor):
        User.objects.filter(pk=user.pk).update(password=make_password(PASSWORD))
    for _ in range(5):  # the supervisor's second step is held
        services.second_factor_attempt(user=supervisor, code="000000")

    def timed(username, n):
        started = time.perf_counter()
        login_from(f"192.0.2.{n}", username, "wrong")
        return time.perf_counter() - started

    # The fastest of three each (noise only ever adds time).
    unknown = min(timed("nobody-here", n) for n in range(3))
    wrong = min(timed("clerk", n) for n in range(10, 13))
    held = min(timed("supervisor", n) for n in range(20, 23))
    print(f"unknown {unknown * 1000:.1f} ms, wrong password {wrong * 1000:.1f} ms, "
          f"second step held {held * 1000:.1f} ms")
    assert 0.5 < unknown / wrong < 2, (unknown, wrong)
    assert 0.5 < held / wrong < 2, (held, wrong)


# --- TOTP ---------------------------------------------------------------------------------


def _enable_totp(user):
    """Set up TOTP through the pages, as the user would; returns the secret and the codes."""
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
    codes = _shown_recovery_codes(done)
    assert client.get("/staff/").status_code == 200  # this session passed the second factor
    return secret, codes


def _shown_recovery_codes(response):
    codes = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", response.content.decode())
    assert len(codes) == 10
    return codes


def _a_wrong_code(secret):
    totp = pyotp.TOTP(secret)
    now = clock.now()
    valid = {totp.at(now + dt.timedelta(seconds=s)) for s in (-30, 0, 30)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid)


def test_totp_makes_sign_in_a_second_step(clerk):
    with time_machine.travel(MOMENT - dt.timedelta(seconds=30), tick=False):
        secret, _ = _enable_totp(clerk)  # with the code before (each code is good once)
    with time_machine.travel(MOMENT, tick=False):
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

        accepted = client.post(TOTP, {"code": pyotp.TOTP(secret).now()})
        assert accepted.status_code == 302
        assert accepted["Location"] == "/staff/"
        assert signed_in_user(client) == clerk
        assert client.get("/staff/").status_code == 200


def test_a_totp_code_opens_one_sign_in_only(clerk):
    """RFC 6238 §5.2: a code accepted once is refused after, so one read over a shoulder or
    replayed from a log opens nothing; the next 30-second code works."""
    with time_machine.travel(MOMENT, tick=False):
        secret, _ = _enable_totp(clerk)  # enrolment used this step's code
        client = Client()
        login(client, "clerk")
        replayed = client.post(TOTP, {"code": pyotp.TOTP(secret).now()})
        assert replayed.status_code == 200
        assert "验证码不正确" in replayed.content.decode()
        assert signed_in_user(client) is None
    with time_machine.travel(MOMENT + dt.timedelta(seconds=30), tick=False):
        assert client.post(TOTP, {"code": pyotp.TOTP(secret).now()}).status_code == 302
        assert signed_in_user(client) == clerk
        other = Client()
        login(other, "clerk")
        assert other.post(TOTP, {"code": pyotp.TOTP(secret).now()}).status_code == 200


def test_the_totp_step_needs_the_password_step_first():
    client = Client()
    response = client.get(TOTP)
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert client.post(TOTP, {"code": "123456"})["Location"] == LOGIN


def test_wrong_codes_count_on_their_own_and_a_right_password_does_not_reset_them(clerk):
    """Issue 8 finding 3: 4 wrong codes × N sign-ins used to never lock."""
    with time_machine.travel(MOMENT, tick=False):
        secret, _ = _enable_totp(clerk)
        wrong = _a_wrong_code(secret)
        answers = []
        for _ in range(3):  # three sign-ins with the right password, two wrong codes each
            client = Client()
            assert login(client, "clerk")["Location"] == TOTP
            answers += [client.post(TOTP, {"code": wrong}).status_code for _ in range(2)]
        assert answers == [200] * 5 + [429]
        held = client.post(TOTP, {"code": pyotp.TOTP(secret).now()})
        assert held.status_code == 429  # even the right code: no guessing past the limit
        assert 0 < int(held["Retry-After"]) <= 900
        assert signed_in_user(client) is None
        assert AuditEvent.objects.filter(action="accounts.second_factor_locked",
                                         object_id=str(clerk.pk)).exists()
    with time_machine.travel(MOMENT + dt.timedelta(seconds=901), tick=False):
        client = Client()
        login(client, "clerk")
        client.post(TOTP, {"code": pyotp.TOTP(secret).now()})
        assert signed_in_user(client) == clerk


def test_a_recovery_code_stands_in_for_a_code_once(clerk):
    with time_machine.travel(MOMENT, tick=False):
        _, codes = _enable_totp(clerk)
        stored = set(clerk.recovery_codes.values_list("code_hash", flat=True))
        assert len(stored) == 10 and not stored & set(codes)  # only hashes are kept
        client = Client()
        login(client, "clerk")
        assert client.post(TOTP, {"code": codes[0].lower()}).status_code == 302
        assert signed_in_user(client) == clerk
        again = Client()
        login(again, "clerk")
        assert again.post(TOTP, {"code": codes[0]}).status_code == 200  # used up
        assert signed_in_user(again) is None
        assert again.post(TOTP, {"code": codes[1].replace("-", "")}).status_code == 302
        assert AuditEvent.objects.filter(action="accounts.recovery_code_use").count() == 2


def test_new_recovery_codes_replace_the_old_ones(clerk):
    _, old = _enable_totp(clerk)
    client = Client()
    client.force_login(clerk)
    assert "剩余可用恢复码：10" in client.get("/accounts/totp/").content.decode()
    new = _shown_recovery_codes(client.post("/accounts/totp/recovery-codes/"))
    assert not set(new) & set(old)
    pending = Client()
    login(pending, "clerk")
    assert pending.post(TOTP, {"code": old[2]}).status_code == 200
    assert pending.post(TOTP, {"code": new[2]}).status_code == 302


def test_refreshing_the_recovery_codes_after_enrolment_is_a_styled_stale_form_page():
    """The codes page answers the POST that signed the person in; refreshing sends that POST
    again with the CSRF token the sign-in rotated away: the site's own page, not Django's."""
    user = User.objects.get(username="supervisor")
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN)
    login_token = client.cookies["csrftoken"].value
    assert client.post(LOGIN, {"username": "supervisor", "password": PASSWORD,
                               "csrfmiddlewaretoken": login_token}).status_code == 302
    client.get(TOTP)
    user.refresh_from_db()
    form = {"code": pyotp.TOTP(user.totp_secret).now(),
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    assert '<ol class="recovery-codes">' in client.post(TOTP, form).content.decode()
    again = client.post(TOTP, form, headers={"Referer": f"http://testserver{TOTP}"})
    assert again.status_code == 403
    text = again.content.decode()
    assert "页面已过期或在另一个窗口中已登录/退出。请返回上一页，刷新后重新提交。" in text
    assert "DEBUG" not in text


# --- TOTP required by role --------------------------------------------------------------------


def test_which_roles_require_a_second_factor():
    assert {Role.SUPERVISOR, Role.SYSTEM_ADMIN, Role.CATALOG_ADMIN,
            Role.CHIEF_REPRESENTATIVE} == SECOND_FACTOR_ROLES


@pytest.mark.parametrize("username", ["supervisor", "admin", "catalog", "chief"])
def test_required_roles_enrol_at_their_first_sign_in(username):
    user = User.objects.get(username=username)
    assert not user.totp_enabled
    client = Client()
    first = login(client, username)
    assert first["Location"] == TOTP
    assert signed_in_user(client) is None
    for elsewhere in ("/staff/", "/accounts/totp/", "/api/v1/cases"):
        assert client.get(elsewhere).status_code in (302, 401)  # nothing before enrolment
    page = client.get(TOTP)
    assert "您的岗位要求使用双因素认证" in page.content.decode()
    user.refresh_from_db()
    assert user.totp_secret in page.content.decode()
    assert "<svg" in page.content.decode()  # the QR code
    # What the browser tests' login() reads (tests/browser/conftest.py).
    assert f'<code id="totp-secret">{user.totp_secret}</code>' in page.content.decode()
    bad = client.post(TOTP, {"code": _a_wrong_code(user.totp_secret)})
    assert "验证码不正确" in bad.content.decode()
    assert signed_in_user(client) is None
    done = client.post(TOTP, {"code": pyotp.TOTP(user.totp_secret).now()})
    assert done.status_code == 200
    codes = _shown_recovery_codes(done)
    assert '<ol class="recovery-codes">' in done.content.decode()
    assert 'href="/staff/">我已保存，继续</a>' in done.content.decode()
    assert signed_in_user(client) == user
    assert client.get("/staff/").status_code == 200
    # The next sign-in asks for a code, and a recovery code will do.
    user.refresh_from_db()
    assert user.totp_enabled
    later = Client()
    assert login(later, username)["Location"] == TOTP
    assert later.post(TOTP, {"code": codes[0]}).status_code == 302
    assert signed_in_user(later) == user


def test_other_staff_need_no_second_factor(clerk):
    assert not selectors.second_factor_required(clerk)
    client = Client()
    assert login(client, "clerk")["Location"] == "/staff/"


def test_a_password_only_session_of_a_required_role_is_ended(supervisor):
    """A session signed in by the password alone (e.g. a library's login form) is no sign-in
    for a role that needs the second factor: pages go to the second step, the API says 401."""
    for path, status in (("/staff/", 302), ("/api/v1/cases", 401)):
        client = Client()
        client.force_login(supervisor, backend=PASSWORD_BACKEND)
        response = client.get(path)
        assert response.status_code == status
        assert signed_in_user(client) is None
        if status == 302:
            assert response["Location"] == TOTP
        else:
            assert response.json()["code"] == "second_factor_required"


def test_the_admin_login_form_is_the_platforms_sign_in():
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    response = Client().post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert response["Location"].startswith(LOGIN)


def test_a_full_sign_in_reaches_the_admin(client_for):
    admin_user = User.objects.get(username="admin")
    User.objects.filter(pk=admin_user.pk).update(is_superuser=True)
    assert client_for(admin_user).get("/admin/").status_code == 200


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


# --- the throttle's own housekeeping ----------------------------------------------------------


def test_the_sweep_deletes_only_counters_that_are_over():
    rule = throttle.Rule("test.sweep", limit=1, window=60)
    with time_machine.travel(MOMENT, tick=False):
        throttle.attempt((rule, "old"))
    with time_machine.travel(MOMENT + dt.timedelta(seconds=30), tick=False):
        throttle.attempt((rule, "new"))
    with time_machine.travel(MOMENT + dt.timedelta(seconds=61), tick=False):
        assert sweeps.SWEEPS["accounts.throttle"](clock.now()) == "删除过期限流计数 1 条"
        assert not throttle.attempt((rule, "new")).allowed  # still counted
        assert throttle.attempt((rule, "old")).allowed


def test_a_totp_reset_in_the_admin_drops_the_secret_and_the_codes(clerk, rf):
    _enable_totp(clerk)
    clerk.refresh_from_db()
    clerk.totp_enabled = False
    form = type("Form", (), {"changed_data": ["totp_enabled"]})()
    django_admin.site._registry[User].save_model(rf.post("/admin/"), clerk, form, change=True)
    clerk.refresh_from_db()
    assert (clerk.totp_enabled, clerk.totp_secret) == (False, "")
    assert not clerk.recovery_codes.exists()
