"""Two-factor login (等保三级): enrolment, verification, recovery codes, reset; RECTIFY_2FA=required."""

import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from rectify.accounts import services
from rectify.accounts.models import AuditEvent
from rectify.accounts.roles import Role
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db
ENROL = reverse("accounts:two-factor-enrol")
VERIFY = reverse("accounts:two-factor-verify")


def code(device: TOTPDevice, steps: int = 0) -> str:
    """What the authenticator app shows ``steps`` time steps from now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)  # the phone knows no drift
    totp.time = time.time() + steps * device.step
    return f"{totp.token():0{device.digits}d}"


def login(username: str) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "the password is right"
    return client


def enrol(user) -> list[str]:
    """Enrol ``user`` directly; the authenticator's current code stays unused."""
    device = services.start_enrolment(user=user)
    _device, codes = services.confirm_enrolment(user=user, token=code(device, -1))
    return codes


@pytest.fixture
def required(settings):
    settings.RECTIFY_2FA = "required"


@pytest.fixture(autouse=True)
def _clear_of_a_step_boundary():
    """The tests compute a code a step back or at this step and verify it at once: on a loaded
    machine a 30-second step can end in between, and the code then falls outside the tolerance.
    Start each test with at least five seconds of its step left."""
    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.05)


@pytest.fixture(autouse=True)
def _no_throttling(settings):
    """django-otp waits ever longer after each wrong code; the tests try the right one at once."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


@pytest.fixture
def auditor(db):
    return make_user("auditor", Role.AUDITOR)


class TestRequired:
    """Acceptance: with RECTIFY_2FA=required no privileged page opens after the password alone."""

    PAGES = [
        "/",
        "/items/",
        "/reports/notices/",
        "/admin/",
        "/admin/accounts/user/",
        "/accounts/audit/",
        "/accounts/password/",
        "/accounts/two-factor/users/",
        "/healthz",
    ]

    @pytest.mark.parametrize("username", ["office", "sysadmin", "auditor", "root"])
    def test_privileged_roles_see_only_enrolment(self, required, username, office_user, sysadmin, auditor):
        make_user("root", None, is_staff=True, is_superuser=True)
        client = login(username)
        for page in self.PAGES:
            response = client.get(page)
            if page == "/healthz":
                continue  # the health check says nothing about the ledger
            assert response.status_code == 302, page
            assert response.url.startswith(ENROL + "?next="), page
        assert client.get(ENROL).status_code == 200
        assert client.post(reverse("accounts:logout")).status_code == 302

    def test_enrolled_privileged_users_must_verify(self, required, office_user):
        enrol(office_user)
        client = login("office")
        response = client.get("/items/")
        assert response.status_code == 302 and response.url == f"{VERIFY}?next=%2Fitems%2F"
        # Enrolment again is no way around it.
        assert client.get(ENROL).url.startswith(VERIFY)
        assert client.get("/").url.startswith(VERIFY)

    def test_other_roles_log_in_with_the_password(self, required, liaison, leader_user):
        for username in ("liaison", "leader"):
            assert login(username).get("/items/").status_code == 200

    def test_optional_is_the_default_in_debug(self, settings, office_user):
        # The test settings come from the development defaults (DEBUG on): demo accounts and the
        # browser tests log in with the password only.
        assert settings.RECTIFY_2FA == "optional"
        assert login("office").get("/items/").status_code == 200


class TestEnrolment:
    def test_scan_confirm_and_receive_ten_recovery_codes(self, required, office_user):
        client = login("office")
        page = client.get(ENROL + "?next=/items/").content.decode()
        assert "<svg" in page and "path" in page  # the QR code, drawn on the server
        device = TOTPDevice.objects.get(user=office_user, confirmed=False)
        secret = re.search(r"data-secret>([A-Z2-7 ]+)<", page).group(1)
        assert len(secret.replace(" ", "")) == 32
        # Reloading shows the same key.
        assert secret in client.get(ENROL).content.decode()

        wrong = client.post(ENROL, {"token": "000000" if code(device) != "000000" else "111111", "next": "/items/"})
        assert "验证码不正确" in wrong.content.decode()
        assert not TOTPDevice.objects.filter(user=office_user, confirmed=True).exists()
        assert client.get("/items/").status_code == 302

        done = client.post(ENROL, {"token": code(device), "next": "/items/"})
        codes = re.findall(r"data-recovery-code>([a-z2-7]+)<", done.content.decode())
        assert len(codes) == 10 and len(set(codes)) == 10
        assert sorted(StaticToken.objects.filter(device__user=office_user).values_list("token", flat=True)) == sorted(
            codes
        )
        assert "no-cache" in done["Cache-Control"] or "no-store" in done["Cache-Control"]
        assert client.get("/items/").status_code == 200  # this session is verified
        event = AuditEvent.objects.get(kind=AuditEvent.Kind.TWO_FACTOR_ENROLLED)
        assert event.username == "office" and event.object_id == str(office_user.pk)

    def test_optional_lets_anyone_enrol_and_then_asks_for_it(self, liaison):
        enrol(liaison)
        client = login("liaison")
        assert client.get("/items/").url.startswith(VERIFY)


class TestVerification:
    def test_a_code_from_the_authenticator(self, office_user):
        enrol(office_user)
        device = TOTPDevice.objects.get(user=office_user)
        client = login("office")
        wrong = client.post(VERIFY, {"token": "12345", "next": "/items/"})
        assert "验证码不正确" in wrong.content.decode()
        assert client.get("/items/").status_code == 302
        failed = AuditEvent.objects.get(kind=AuditEvent.Kind.TWO_FACTOR_FAILED)
        assert failed.username == "office"

        response = client.post(VERIFY, {"token": code(device), "next": "/items/"})
        assert response.status_code == 302 and response.url == "/items/"
        assert client.get("/items/").status_code == 200
        # A code is good once: replaying it in another session fails.
        replay = login("office").post(VERIFY, {"token": code(device), "next": "/items/"})
        assert replay.status_code == 200 and "验证码不正确" in replay.content.decode()

    def test_next_must_stay_on_this_site(self, office_user):
        enrol(office_user)
        device = TOTPDevice.objects.get(user=office_user)
        response = login("office").post(VERIFY, {"token": code(device), "next": "https://evil.example.org/"})
        assert response.url == "/"

    def test_a_recovery_code_works_once(self, office_user):
        codes = enrol(office_user)
        client = login("office")
        response = client.post(VERIFY, {"token": codes[3].upper(), "next": "/items/"})
        assert response.status_code == 302 and response.url == "/items/"
        assert client.get("/items/").status_code == 200
        assert StaticToken.objects.filter(device__user=office_user).count() == 9
        again = login("office").post(VERIFY, {"token": codes[3], "next": "/items/"})
        assert "验证码不正确或已使用" in again.content.decode()

    def test_a_first_login_password_change_comes_after_the_second_factor(self, required, db):
        user = make_user("newcomer", Role.AUDITOR, must_change_password=True)
        client = login("newcomer")
        assert client.get("/accounts/audit/").url.startswith(ENROL)
        assert client.get(ENROL).status_code == 200
        device = TOTPDevice.objects.get(user=user)
        client.post(ENROL, {"token": code(device)})
        assert client.get("/accounts/audit/").url == reverse("accounts:password-change")


class TestReset:
    def test_the_system_administrator_resets_a_lost_phone(self, required, sysadmin, office_user):
        enrol(sysadmin)
        enrol(office_user)
        office = login("office")
        office.post(VERIFY, {"token": code(TOTPDevice.objects.get(user=office_user)), "next": "/"})
        assert office.get("/items/").status_code == 200

        admin = login("sysadmin")
        admin.post(VERIFY, {"token": code(TOTPDevice.objects.get(user=sysadmin))})
        page = admin.get(reverse("accounts:two-factor-users")).content.decode()
        assert "office" in page and "已启用" in page
        response = admin.post(reverse("accounts:two-factor-reset", args=[office_user.pk]), follow=True)
        assert "已重置" in response.content.decode()
        assert not TOTPDevice.objects.filter(user=office_user).exists()
        assert not StaticToken.objects.filter(device__user=office_user).exists()
        event = AuditEvent.objects.get(kind=AuditEvent.Kind.TWO_FACTOR_RESET)
        assert (event.username, event.object_id) == ("sysadmin", str(office_user.pk))
        assert event.changes == {"双因素认证": ["已启用", "未启用"]}
        # The office's verified session no longer counts; it enrols a new phone.
        assert office.get("/items/").url.startswith(ENROL)
        assert office.get(VERIFY).url.startswith(ENROL)

    def test_nobody_else_may_reset(self, office_user, auditor):
        enrol(auditor)
        client = login("office")
        response = client.post(reverse("accounts:two-factor-reset", args=[auditor.pk]))
        assert response.status_code == 403
        assert client.get(reverse("accounts:two-factor-users")).status_code == 403
        assert TOTPDevice.objects.filter(user=auditor, confirmed=True).exists()
        assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.TWO_FACTOR_RESET).exists()

    def test_resetting_someone_without_a_second_factor_says_so(self, sysadmin, liaison):
        client = login("sysadmin")
        response = client.post(reverse("accounts:two-factor-reset", args=[liaison.pk]), follow=True)
        assert "尚未启用双因素认证" in response.content.decode()
        assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.TWO_FACTOR_RESET).exists()

    def test_the_admin_action(self, sysadmin, office_user, liaison):
        enrol(office_user)
        client = login("sysadmin")
        response = client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "reset_two_factor", "_selected_action": [office_user.pk, liaison.pk]},
            follow=True,
        )
        assert "已重置双因素认证：office。" in response.content.decode()
        assert not TOTPDevice.objects.filter(user=office_user).exists()
        assert AuditEvent.objects.filter(kind=AuditEvent.Kind.TWO_FACTOR_RESET).count() == 1


def test_wrong_codes_slow_down_the_next_try(settings, office_user):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    enrol(office_user)
    device = TOTPDevice.objects.get(user=office_user)
    client = login("office")
    client.post(VERIFY, {"token": "000001" if code(device) != "000001" else "000002"})
    # Even the right code waits for the pause to end.
    refused = client.post(VERIFY, {"token": code(device), "next": "/items/"})
    assert "连续输错 1 次，请于" in refused.content.decode()
    assert client.get("/items/").status_code == 302


def test_the_keys_are_not_in_the_admin(client, db):
    root = make_user("root", None, is_staff=True, is_superuser=True)
    client.force_login(root)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404


class TestRecoveryCodes:
    def test_renewed_codes_replace_the_old_ones(self, office_user):
        old = enrol(office_user)
        client = login("office")
        client.post(VERIFY, {"token": old[0]})
        status = client.get(ENROL).content.decode()
        assert re.search(r"data-codes-left>9<", status)
        page = client.post(reverse("accounts:recovery-codes-renew")).content.decode()
        new = re.findall(r"data-recovery-code>([a-z2-7]+)<", page)
        assert len(new) == 10 and not set(new) & set(old)
        assert sorted(StaticToken.objects.filter(device__user=office_user).values_list("token", flat=True)) == sorted(
            new
        )
        assert AuditEvent.objects.filter(kind=AuditEvent.Kind.RECOVERY_CODES_RENEWED, username="office").exists()
        assert "验证码不正确或已使用" in login("office").post(VERIFY, {"token": old[1]}).content.decode()

    def test_only_a_verified_session_renews_them(self, office_user):
        old = enrol(office_user)
        client = login("office")
        response = client.post(reverse("accounts:recovery-codes-renew"))
        assert response.status_code == 302 and response.url.startswith(VERIFY)
        assert sorted(StaticToken.objects.filter(device__user=office_user).values_list("token", flat=True)) == sorted(
            old
        )
