"""Configuration comes from the environment; production refuses to start without a secret."""

import os
import subprocess
import sys

from django.conf import settings

ROOT = settings.BASE_DIR


def _import_settings(**env):
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import rectify.settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'])"],
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


def test_database_url_is_honoured():
    result = _import_settings(DEBUG="0", SECRET_KEY="x" * 50, DATABASE_URL="postgres://u:p@127.0.0.1:5432/rectify")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "django.db.backends.postgresql"]


def test_deployment_checklist_is_clean_in_production():
    # DJANGO_ALLOW_ASYNC_UNSAFE is for the browser tests only; production never sets it.
    dropped = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    environment.update(
        DEBUG="0", SECRET_KEY="k" * 30 + "-production-like-secret-0123456789", ALLOWED_HOSTS="rectify.example.org"
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
