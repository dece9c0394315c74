"""Account controls (等保三级): passwords, lock-out, first-login change, idle sessions, audit, CSP, CSRF."""

import datetime

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from rectify.accounts.models import AuditEvent, User
from tests.conftest import PASSWORD, make_user
from tests.factories import make_item

pytestmark = pytest.mark.django_db


class TestPasswordRules:
    @pytest.mark.parametrize(
        ("password", "message"),
        [
            ("Ab1#xyz", "太短"),
            ("abcdefghijk", "至少 3 类"),
            ("abcdefgh123", "至少 3 类"),
            ("zhangsan2023!", "太相似"),
        ],
    )
    def test_weak_passwords_are_refused(self, password, message):
        user = User(username="zhangsan2023", full_name="张三")
        with translation.override("zh-hans"):
            with pytest.raises(ValidationError) as raised:
                validate_password(password, user)
            assert any(message in m for m in raised.value.messages), raised.value.messages

    def test_a_good_password_passes(self):
        validate_password("Gx7#qLm2-Rt9", User(username="zhangsan"))


class TestLockOut:
    def login(self, client, password):
        return client.post(reverse("accounts:login"), {"username": "office", "password": password})

    def test_locked_for_30_minutes_after_5_failures(self, client, office_user, settings):
        assert settings.AXES_FAILURE_LIMIT == 5 and settings.AXES_COOLOFF_TIME == 0.5
        for _ in range(4):
            assert self.login(client, "wrong").status_code == 200
        locked = self.login(client, "wrong")
        assert locked.status_code == 429
        assert "账户已锁定" in locked.content.decode() and "30 分钟" in locked.content.decode()
        # Even the right password is refused while locked.
        assert self.login(client, PASSWORD).status_code == 429
        kinds = list(AuditEvent.objects.values_list("kind", flat=True))
        assert kinds.count(AuditEvent.Kind.LOGIN_FAILED) >= 5
        assert AuditEvent.Kind.LOCKED_OUT in kinds

    def test_unlock_by_the_administrator(self, client, office_user):
        for _ in range(5):
            self.login(client, "wrong")
        call_command("axes_reset_username", "office", verbosity=0)
        response = self.login(client, PASSWORD)
        assert response.status_code == 302


class TestFirstLogin:
    def test_admin_created_account_must_change_password(self, client, sysadmin):
        client.force_login(sysadmin)
        response = client.post(
            reverse("admin:accounts_user_add"),
            {
                "username": "newliaison",
                "password1": "Initial#Pass2024",
                "password2": "Initial#Pass2024",
                "usable_password": "true",
                "full_name": "新联络员",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        created = User.objects.get(username="newliaison")
        assert created.must_change_password
        other = Client()
        other.force_login(created)
        assert other.get("/items/")["Location"] == reverse("accounts:password-change")
        response = other.post(
            reverse("accounts:password-change"),
            {
                "old_password": "Initial#Pass2024",
                "new_password1": "Mine#Secret-2024",
                "new_password2": "Mine#Secret-2024",
            },
        )
        assert response.status_code == 302
        created.refresh_from_db()
        assert not created.must_change_password
        assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PASSWORD_CHANGED, user=created).exists()

    def test_createsuperuser_is_not_forced(self):
        call_command("createsuperuser", "--noinput", "--username", "root", "--email", "root@example.org", verbosity=0)
        assert not User.objects.get(username="root").must_change_password


class TestSessions:
    def test_idle_sessions_expire_after_30_minutes_and_on_browser_close(self, client, office_user, settings):
        assert settings.SESSION_COOKIE_AGE == 30 * 60
        assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE and settings.SESSION_SAVE_EVERY_REQUEST
        client.force_login(office_user)
        assert client.get("/items/").status_code == 200
        session = client.session
        from django.contrib.sessions.models import Session

        Session.objects.filter(session_key=session.session_key).update(
            expire_date=datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=1)
        )
        assert client.get("/items/").status_code == 302

    def test_activity_extends_the_session(self, client, office_user):
        from django.contrib.sessions.models import Session

        client.force_login(office_user)
        client.get("/items/")
        first = Session.objects.get().expire_date
        client.get("/items/")
        assert Session.objects.get().expire_date >= first


class TestAudit:
    def test_login_logout_and_failure_are_recorded_with_ip(self, client, office_user):
        client.post(reverse("accounts:login"), {"username": "office", "password": "wrong"}, REMOTE_ADDR="10.1.2.3")
        client.post(reverse("accounts:login"), {"username": "office", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
        client.post(reverse("accounts:logout"), REMOTE_ADDR="10.1.2.3")
        events = list(AuditEvent.objects.order_by("id").values_list("kind", "username", "ip_address"))
        assert events == [
            ("login_failed", "office", "10.1.2.3"),
            ("login", "office", "10.1.2.3"),
            ("logout", "office", "10.1.2.3"),
        ]

    def test_permission_refusals_are_recorded(self, client, leader_user, department):
        item = make_item(lead_department=department)
        client.force_login(leader_user)
        response = client.get(reverse("ledger:item-edit", args=[item.pk]))
        assert response.status_code == 403
        assert "无权访问" in response.content.decode()
        event = AuditEvent.objects.get(kind=AuditEvent.Kind.PERMISSION_DENIED)
        assert event.user == leader_user and event.path == f"/items/{item.pk}/edit/"

    def test_auditor_reads_and_nobody_edits(self, client, office_user):
        auditor = make_user("auditor", __import__("rectify.accounts.roles", fromlist=["Role"]).Role.AUDITOR)
        client.post(reverse("accounts:login"), {"username": "office", "password": "wrong"})
        client.force_login(auditor)
        page = client.get(reverse("accounts:audit-log"), {"kind": "login_failed"})
        assert page.status_code == 200 and "登录失败" in page.content.decode()
        client.force_login(office_user)
        assert client.get(reverse("accounts:audit-log")).status_code == 403
        event = AuditEvent.objects.first()
        assert (
            client.post(reverse("admin:accounts_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code
            == 403
        )
        assert AuditEvent.objects.filter(pk=event.pk).exists()

    def test_evidence_downloads_are_recorded(self, client, liaison, department, settings, tmp_path):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from rectify.ledger import services

        settings.MEDIA_ROOT = tmp_path
        item = make_item(lead_department=department)
        evidence = services.add_evidence(
            item_id=item.pk, user=liaison, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n")
        )
        client.force_login(liaison)
        client.get(reverse("ledger:download-evidence", args=[item.pk, evidence.pk]))
        event = AuditEvent.objects.get(kind=AuditEvent.Kind.EVIDENCE_DOWNLOAD)
        assert event.user == liaison and "a.pdf" in event.detail

    def test_old_entries_are_kept_at_least_180_days(self, office_user):
        from django.core.management import CommandError

        old = AuditEvent.objects.create(kind="login", username="x")
        AuditEvent.objects.filter(pk=old.pk).update(created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
        with pytest.raises(CommandError, match="180"):
            call_command("purge_audit_log", "--days", "90")
        recent = AuditEvent.objects.create(kind="login", username="y")
        call_command("purge_audit_log", "--days", "180", verbosity=0)
        assert list(AuditEvent.objects.values_list("pk", flat=True)) == [recent.pk]


class TestHttp:
    def test_security_headers(self, client, office_user):
        client.force_login(office_user)
        response = client.get("/items/")
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"

    def test_chinese_404(self, client, office_user):
        client.force_login(office_user)
        response = client.get("/items/99999/")
        assert response.status_code == 404

    def test_csrf_is_enforced_on_posts(self, office_user, department):
        item = make_item(lead_department=department)
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(office_user)
        for url in [
            reverse("ledger:add-progress", args=[item.pk]),
            reverse("ledger:submit-signoff", args=[item.pk]),
            reverse("ledger:item-edit", args=[item.pk]),
            reverse("ledger:bulk-action"),
            reverse("accounts:logout"),
            reverse("dashboard:notifications-read"),
        ]:
            assert strict.post(url, {"text": "x"}).status_code == 403, url
