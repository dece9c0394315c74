"""Configuration comes from the environment; production refuses to start without a secret."""

import os
import subprocess
import sys

from django.conf import settings

ROOT = settings.BASE_DIR


BACKUP_KEY = "b" * 32 + "-production-like-backup-key"


def _import_settings(show="s.DEBUG, s.DATABASES['default']['ENGINE']", **env):
    dropped = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "BACKUP_KEY", "RECTIFY_2FA", "RECTIFY_TRUSTED_PROXIES"}
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", f"import rectify.settings as s; print({show})"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_language_and_time_zone():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True


def test_defaults_to_embedded_sqlite_in_debug():
    result = _import_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3"]


def test_production_without_secret_key_is_an_error():
    result = _import_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_without_backup_key_is_an_error():
    result = _import_settings(DEBUG="0", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "BACKUP_KEY must be set" in result.stderr


def test_a_short_backup_key_is_an_error():
    result = _import_settings(DEBUG="0", SECRET_KEY="x" * 50, BACKUP_KEY="short")
    assert result.returncode != 0
    assert "at least 32 characters" in result.stderr


def test_two_factor_is_required_in_production_and_optional_in_development():
    production = _import_settings(show="s.RECTIFY_2FA", DEBUG="0", SECRET_KEY="x" * 50, BACKUP_KEY=BACKUP_KEY)
    assert production.stdout.split() == ["required"], production.stderr
    assert _import_settings(show="s.RECTIFY_2FA").stdout.split() == ["optional"]
    assert _import_settings(show="s.RECTIFY_2FA", RECTIFY_2FA="required").stdout.split() == ["required"]
    wrong = _import_settings(RECTIFY_2FA="yes")
    assert wrong.returncode != 0 and "RECTIFY_2FA must be" in wrong.stderr


def test_trusted_proxies_must_be_addresses():
    result = _import_settings(RECTIFY_TRUSTED_PROXIES="127.0.0.1,nginx.local")
    assert result.returncode != 0 and "RECTIFY_TRUSTED_PROXIES" in result.stderr


def test_database_url_is_honoured():
    result = _import_settings(
        DEBUG="0", SECRET_KEY="x" * 50, BACKUP_KEY=BACKUP_KEY, DATABASE_URL="postgres://u:p@127.0.0.1:5432/rectify"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "django.db.backends.postgresql"]


def test_deployment_checklist_is_clean_in_production():
    # DJANGO_ALLOW_ASYNC_UNSAFE is for the browser tests only; production never sets it.
    dropped = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "RECTIFY_2FA"}
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    environment.update(
        DEBUG="0",
        SECRET_KEY="k" * 30 + "-production-like-secret-0123456789",
        ALLOWED_HOSTS="rectify.example.org",
        BACKUP_KEY=BACKUP_KEY,
        BEHIND_TLS_PROXY="1",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_postgresql_connections_run_without_jit():
    """Short web queries never gain from PostgreSQL's JIT, and the dashboard's counts over 100,000
    items lost more to compiling than they took (bench/RESULTS.md)."""
    show = "s.DATABASES['default'].get('OPTIONS')"
    url = "postgres://u:p@127.0.0.1:5432/rectify"
    assert _import_settings(show, DATABASE_URL=url).stdout.strip() == "{'options': '-c jit=off'}"
    kept = _import_settings(show, DATABASE_URL=url, RECTIFY_PG_JIT="1")
    assert kept.returncode == 0 and kept.stdout.strip() in {"None", "{}"}
