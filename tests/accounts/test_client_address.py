"""Finding 4: behind nginx the client's address comes from the proxy, never from a forged header."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from rectify.accounts.client_address import client_ip
from rectify.accounts.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
PROXY = "127.0.0.1"


@pytest.fixture
def behind_proxy(settings):
    settings.RECTIFY_BEHIND_PROXY = True
    settings.RECTIFY_TRUSTED_PROXIES = [PROXY]


def request(**meta):
    return RequestFactory().get("/", **meta)


class TestTheAddress:
    def test_without_the_proxy_headers_are_ignored(self, settings):
        settings.RECTIFY_BEHIND_PROXY = False
        forged = request(REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="6.6.6.6", HTTP_X_REAL_IP="6.6.6.6")
        assert client_ip(forged) == "10.1.1.1"

    def test_behind_the_proxy_the_entry_nginx_wrote_counts(self, behind_proxy):
        assert client_ip(request(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="10.2.3.4")) == "10.2.3.4"

    def test_entries_the_client_put_before_it_are_not_believed(self, behind_proxy):
        # $proxy_add_x_forwarded_for appends the real peer to what the client sent.
        forged = request(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="8.8.8.8, 10.2.3.4", HTTP_X_REAL_IP="8.8.4.4")
        assert client_ip(forged) == "10.2.3.4"

    def test_x_real_ip_alone_is_not_believed(self, behind_proxy):
        assert client_ip(request(REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="8.8.4.4", HTTP_CLIENT_IP="8.8.4.4")) == PROXY

    def test_a_client_past_the_proxy_cannot_forward_for_anyone(self, behind_proxy):
        direct = request(REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="10.2.3.4")
        assert client_ip(direct) == "10.9.9.9"

    def test_trusted_proxies_are_configurable(self, behind_proxy, settings):
        settings.RECTIFY_TRUSTED_PROXIES = ["10.0.5.0/24"]
        assert client_ip(request(REMOTE_ADDR="10.0.5.7", HTTP_X_FORWARDED_FOR="10.2.3.4")) == "10.2.3.4"
        assert client_ip(request(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="10.2.3.4")) == PROXY


class TestLockOutBehindTheProxy:
    """Five wrong passwords from an attacker lock the attacker, not the leader logging in elsewhere."""

    def login(self, client, password, forwarded_for, **forged):
        return client.post(
            reverse("accounts:login"),
            {"username": "office", "password": password},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=forwarded_for,
            **forged,
        )

    def test_the_attacker_is_locked_and_the_user_is_not(self, behind_proxy, office_user):
        attacker = Client()
        for _ in range(5):
            # The attacker names the user's address in every header it can write itself.
            self.login(attacker, "wrong", "10.0.0.8, 10.66.6.6", HTTP_X_REAL_IP="10.0.0.8")
        assert self.login(attacker, PASSWORD, "10.0.0.8, 10.66.6.6").status_code == 429
        assert self.login(Client(), PASSWORD, "10.66.6.6").status_code == 429

        user = self.login(Client(), PASSWORD, "10.0.0.8")
        assert user.status_code == 302 and user.url == "/"
        failures = AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN_FAILED)
        assert set(failures.values_list("ip_address", flat=True)) == {"10.66.6.6"}
        lockouts = AuditEvent.objects.filter(kind=AuditEvent.Kind.LOCKED_OUT)
        assert set(lockouts.values_list("ip_address", flat=True)) == {"10.66.6.6"}
        assert AuditEvent.objects.get(kind=AuditEvent.Kind.LOGIN).ip_address == "10.0.0.8"

    def test_the_audit_log_records_the_same_address(self, behind_proxy, office_user):
        self.login(Client(), PASSWORD, "8.8.8.8, 10.0.0.8", HTTP_X_REAL_IP="8.8.4.4")
        assert AuditEvent.objects.get(kind=AuditEvent.Kind.LOGIN).ip_address == "10.0.0.8"
