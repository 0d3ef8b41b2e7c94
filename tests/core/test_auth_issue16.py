"""Issue 16 items 9 and 10: second factor, idle timeout, revocation, password policy,
lockout per account (not per address), the trusted proxy's address, the login slots."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import get_token_model
from rest_framework.test import APIClient

from ranan.core import services
from ranan.core.clientip import client_ip
from ranan.core.login_limit import LoginBusy, PasswordCheckSlots
from ranan.core.models import AuditEntry
from tests.cast import PASSWORD

pytestmark = pytest.mark.django_db

STRONG = "Kx7-harbour-Lamp"


def login(username, password=PASSWORD, address="10.0.0.1", client=None):
    client = client or Client(REMOTE_ADDR=address)
    response = client.post("/login/", {"username": username, "password": password},
                           REMOTE_ADDR=address)
    return client, response


def token_for(username, password=PASSWORD, **extra):
    return APIClient().post("/api/v1/auth/token", {"username": username, "password": password,
                                                   **extra}, format="json")


def code_of(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


# --- Lockout: per account and account+address, never the address alone ------------------------


def test_locking_one_account_does_not_lock_another_behind_the_same_address(cast):
    for _ in range(5):
        _client, response = login("courier_a1", "wrong-password", address="192.0.2.7")
    _client, response = login("courier_a1", PASSWORD, address="192.0.2.7")
    assert response.status_code == 429  # the attacked account is locked
    # A colleague in the same office (same NAT address) still logs in.
    _client, response = login("courier_a2", PASSWORD, address="192.0.2.7")
    assert response.status_code == 302 and response.url == "/"
    assert token_for("courier_a2").status_code == 200


def test_forwarded_address_is_believed_only_from_a_trusted_proxy(settings):
    rf = RequestFactory()
    forged = rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    behind = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.5")
    settings.TRUSTED_PROXIES = []
    assert client_ip(forged) == "203.0.113.9" and client_ip(behind) == "127.0.0.1"
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    assert client_ip(forged) == "203.0.113.9"  # not our proxy: its header is ignored
    # nginx appends the address it saw: the rightmost untrusted hop is the client, so a
    # client's own forged first entry does not count.
    assert client_ip(behind) == "198.51.100.5"
    chained = rf.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="198.51.100.5, 10.2.2.2")
    assert client_ip(chained) == "198.51.100.5"
    real = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="198.51.100.6")
    assert client_ip(real) == "198.51.100.6"
    junk = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="<script>")
    assert client_ip(junk) == "127.0.0.1"


def test_behind_the_proxy_lockout_and_audit_use_the_forwarded_address(cast, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    client = Client(REMOTE_ADDR="127.0.0.1")
    for _ in range(5):
        client.post("/login/", {"username": "courier_a1", "password": "wrong-password"},
                    HTTP_X_FORWARDED_FOR="198.51.100.5")
    failed = AuditEntry.objects.filter(action="login_failed").first()
    assert failed.ip_address == "198.51.100.5"
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.5"}
    # Everyone else behind the proxy logs in.
    response = Client(REMOTE_ADDR="127.0.0.1").post(
        "/login/", {"username": "courier_a2", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 302


# --- Login slots ----------------------------------------------------------------------------------


def test_the_password_check_slots_refuse_beyond_the_limit():
    slots = PasswordCheckSlots(2)
    held = threading.Event()
    release = threading.Event()

    def hold():
        with slots.slot(1):
            held.set()
            release.wait(5)

    threads = [threading.Thread(target=hold) for _ in range(2)]
    for t in threads:
        t.start()
    held.wait(2)
    time.sleep(0.05)
    started = time.monotonic()
    with pytest.raises(LoginBusy):
        with slots.slot(0.2):
            pass
    assert time.monotonic() - started < 1
    release.set()
    for t in threads:
        t.join()
    with slots.slot(0.2):  # free again
        pass


def test_a_login_without_a_slot_answers_busy(cast, settings, monkeypatch):
    from contextlib import contextmanager

    from ranan.core import api, views_auth  # noqa: F401

    @contextmanager
    def busy():
        raise LoginBusy
        yield

    monkeypatch.setattr("ranan.core.views_auth.password_check", busy)
    monkeypatch.setattr("ranan.core.login_limit.password_check", busy)
    _client, response = login("courier_a1")
    assert response.status_code == 503 and response["Retry-After"]
    answer = token_for("courier_a1")
    assert answer.status_code == 503 and answer.json()["errors"][0]["code"] == "busy"


# --- Second factor ------------------------------------------------------------------------------


@pytest.fixture
def dengbao3(settings):
    settings.RANAN_SECURITY_PROFILE = "dengbao3"
    return settings


def test_under_dengbao3_an_admin_must_enrol_then_verify_before_any_page(cast, dengbao3, clock):
    client, response = login("admin")
    assert response.status_code == 302
    response = client.get("/accounts/")
    assert response.status_code == 302 and response.url.startswith("/account/security/enrol/")
    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="otp-qr"' in html and "<svg" in html and 'data-testid="otp-secret"' in html
    device = TOTPDevice.objects.get(user=cast.admin, confirmed=False)
    assert client.post("/account/security/enrol/", {"code": "000000"}).status_code == 400
    device.refresh_from_db()
    device.throttling_failure_count = 0  # django-otp's throttle after the wrong code
    device.save()
    done = client.post("/account/security/enrol/", {"code": code_of(device), "next": "/accounts/"})
    assert done.status_code == 200
    codes = [c.strip() for c in done.context["codes"]]
    assert len(codes) == 10 and done.content.decode().count('data-testid="recovery-code"') == 10
    assert client.get("/accounts/").status_code == 200  # verified in this session

    # A new login: step 2 asks for the code before anything else.
    other, _response = login("admin")
    response = other.get("/accounts/")
    assert response.status_code == 302 and response.url.startswith("/login/verify/")
    assert other.get("/api/v1/me").status_code == 403  # session API calls too
    device.refresh_from_db()
    assert other.post("/login/verify/", {"code": "123456"}).status_code == 400
    device.throttling_failure_count = 0
    device.save()
    clock.shift(datetime.timedelta(seconds=30))  # a code is accepted once: the next one
    ok = other.post("/login/verify/", {"code": code_of(device), "next": "/accounts/"})
    assert ok.status_code == 302 and ok.url == "/accounts/"
    assert other.get("/accounts/").status_code == 200


def test_a_recovery_code_works_once(cast, dengbao3):
    from ranan.core.views_auth import new_recovery_codes

    TOTPDevice.objects.create(user=cast.auditor, name="app", confirmed=True)
    code = new_recovery_codes(cast.auditor)[0]
    first, _response = login("auditor")
    assert first.post("/login/verify/", {"code": code}).status_code == 302
    assert first.get("/audit/").status_code == 200
    assert StaticToken.objects.filter(device__user=cast.auditor).count() == 9
    second, _response = login("auditor")
    assert second.post("/login/verify/", {"code": code}).status_code == 400
    assert second.get("/audit/").status_code == 302


def test_without_the_profile_the_second_factor_is_optional(cast):
    client, _response = login("admin")
    assert client.get("/accounts/").status_code == 200
    page = client.get("/account/security/")
    assert page.status_code == 200 and 'data-testid="otp-enrol-link"' in page.content.decode()


def test_under_dengbao3_a_privileged_token_needs_the_code(cast, dengbao3):
    answer = token_for("regulator_a")
    assert answer.status_code == 401 and answer.json()["errors"][0]["field"] == "otp"
    device = TOTPDevice.objects.create(user=cast.regulator_a, name="app", confirmed=True)
    assert token_for("regulator_a", otp="000000").status_code == 401
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.save()
    assert token_for("regulator_a", otp=code_of(device)).status_code == 200
    assert token_for("courier_a1").status_code == 200  # not a privileged role


# --- Idle timeout -------------------------------------------------------------------------------


def test_an_idle_session_is_logged_out_after_30_minutes(cast, clock):
    client, _response = login("courier_a1")
    assert client.get("/").status_code == 200
    clock.shift(datetime.timedelta(minutes=20))
    assert client.get("/").status_code == 200  # activity keeps it alive
    clock.shift(datetime.timedelta(minutes=31))
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert client.get("/").status_code == 302  # and it stays logged out


def test_an_idle_api_session_answers_401(cast, clock):
    client, _response = login("courier_a1")
    assert client.get("/api/v1/me").status_code == 200
    clock.shift(datetime.timedelta(minutes=31))
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.json()["errors"][0]["code"] == "session_idle"


# --- Revocation ---------------------------------------------------------------------------------


def _session_and_token(username):
    client, _response = login(username)
    assert client.get("/").status_code == 200
    token = token_for(username).json()["token"]
    return client, token


def _alive(client, token) -> tuple[bool, bool]:
    """(the old session still opens a page, the old token still works); a dead token is a
    401."""
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    token_status = api.get("/api/v1/me").status_code
    assert token_status in (200, 401)
    return client.get("/").status_code == 200, token_status == 200


def test_an_admins_password_reset_ends_old_sessions_and_tokens(cast):
    client, token = _session_and_token("courier_a1")
    services.account_update(actor=cast.admin, account=cast.courier_a1, password=STRONG)
    assert _alive(client, token) == (False, False)
    assert not get_token_model().objects.filter(user=cast.courier_a1).exists()


def test_set_password_and_save_anywhere_revokes_too(cast):
    client, token = _session_and_token("courier_a1")
    from ranan.core.models import Account

    account = Account.objects.get(pk=cast.courier_a1.pk)
    account.set_password(STRONG)
    account.save()
    assert _alive(client, token) == (False, False)


def test_disabling_and_re_enabling_does_not_bring_old_sessions_back(cast):
    client, token = _session_and_token("courier_a1")
    services.account_update(actor=cast.admin, account=cast.courier_a1, is_active=False)
    services.account_update(actor=cast.admin, account=cast.courier_a1, is_active=True)
    assert _alive(client, token) == (False, False)
    fresh, _response = login("courier_a1")
    assert fresh.get("/").status_code == 200


def test_own_password_change_keeps_this_session_and_ends_the_others(cast):
    mine, _r = login("courier_a1")
    other, token = _session_and_token("courier_a1")
    page = mine.get("/")
    assert 'data-testid="my-account"' in page.content.decode()
    wrong = mine.post("/account/password/", {"old_password": "nope", "new_password1": STRONG,
                                             "new_password2": STRONG})
    assert wrong.status_code == 400 and "old_password" in wrong.context["form"].errors
    done = mine.post("/account/password/", {"old_password": PASSWORD, "new_password1": STRONG,
                                            "new_password2": STRONG})
    assert done.status_code == 302
    assert mine.get("/").status_code == 200
    assert _alive(other, token) == (False, False)


def test_a_rehash_on_login_is_not_a_password_change(cast, settings):
    _client, token = _session_and_token("courier_a1")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]
    _client2, response = login("courier_a1")  # the hash is upgraded to PBKDF2-SHA1 here
    assert response.status_code == 302
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me").status_code == 200


# --- Password policy ----------------------------------------------------------------------------


def test_length_and_common_passwords_always(cast):
    with pytest.raises(ValidationError) as short:
        services.account_update(actor=cast.admin, account=cast.courier_a1, password="Ab1!x")
    assert "password" in short.value.message_dict
    with pytest.raises(ValidationError):
        services.account_update(actor=cast.admin, account=cast.courier_a1, password="password123")
    services.account_update(actor=cast.admin, account=cast.courier_a1, password="harbourlamp")


def test_composition_under_dengbao3(cast, dengbao3):
    with pytest.raises(ValidationError) as simple:
        services.account_update(actor=cast.admin, account=cast.courier_a1, password="harbourlamp")
    assert "password" in simple.value.message_dict
    services.account_update(actor=cast.admin, account=cast.courier_a1, password="Harbourlamp7")


def test_an_expired_password_must_be_changed_first_under_dengbao3(cast, dengbao3, clock):
    client, _response = login("courier_a1")
    assert client.get("/").status_code == 200
    clock.shift(datetime.timedelta(days=91))
    client, _response = login("courier_a1")
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/account/password/")
    page = client.get(response.url)
    assert 'data-testid="password-expired"' in page.content.decode()
    assert token_for("courier_a1").json()["errors"][0]["code"] == "password_expired"
    simple = client.post("/account/password/", {"old_password": PASSWORD,
                                                "new_password1": "harbourlamp",
                                                "new_password2": "harbourlamp"})
    assert simple.status_code == 400 and "new_password2" in simple.context["form"].errors
    client.post("/account/password/", {"old_password": PASSWORD, "new_password1": STRONG,
                                       "new_password2": STRONG})
    assert client.get("/").status_code == 200


def test_beyond_the_queue_a_login_is_refused_at_once():
    slots = PasswordCheckSlots(1, queue=1)
    inside, waiting, release = threading.Event(), threading.Event(), threading.Event()

    def hold():
        with slots.slot(1):
            inside.set()
            release.wait(5)

    def wait_in_line():
        waiting.set()
        with slots.slot(5):
            pass

    first = threading.Thread(target=hold)
    first.start()
    inside.wait(2)
    second = threading.Thread(target=wait_in_line)
    second.start()
    waiting.wait(2)
    time.sleep(0.05)
    started = time.monotonic()
    with pytest.raises(LoginBusy):
        with slots.slot(5):  # one checking, one waiting: the third does not wait
            pass
    assert time.monotonic() - started < 0.5
    release.set()
    first.join()
    second.join()


def test_activity_does_not_stretch_the_session_past_8_hours(cast, clock):
    client, _response = login("courier_a1")
    for _ in range(17):  # active every 29 minutes: 8 h 13 min
        assert client.get("/").status_code == 200
        clock.shift(datetime.timedelta(minutes=29))
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/login/")
