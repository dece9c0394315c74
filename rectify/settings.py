"""Settings for Rectify.

Everything that differs between machines comes from the environment (django-environ).
Without any variable set you get a development setup on an embedded SQLite file.
"""

import ipaddress
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET_KEY = "django-insecure-rectify-development-only"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "django_tables2",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rectify.accounts",
    "rectify.ledger",
    "rectify.dashboard",
    "rectify.reports",
    "rectify.maintenance",
    # --- Messages and the task queue (issue 16) ---
    "django_tasks",
    "django_tasks_db",
    "rectify.notifications",
    # --- end ---
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "rectify.request_limits.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "rectify.accounts.middleware.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",
    "rectify.accounts.middleware.TwoFactorRequiredMiddleware",
    "rectify.accounts.middleware.PasswordChangeRequiredMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "rectify.urls"
WSGI_APPLICATION = "rectify.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rectify.notifications.context_processors.notifications",
                "rectify.dashboard.context_processors.home",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Embedded SQLite under concurrent writes, and request size limits ---
# SQLite (the default without DATABASE_URL): write-ahead log so readers never block the writer,
# a busy timeout so a writer waits for the lock instead of failing, and BEGIN IMMEDIATE so a
# transaction takes the write lock when it starts (a read lock upgraded later fails at once
# with "database is locked", whatever the timeout).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=30),
            "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL",
        }
    )
# PostgreSQL: no JIT compilation. The dashboard's grouped counts over 100,000 items are estimated
# costly enough to trigger it, and compiling then takes longer than the query itself (1.8 s of JIT
# for a 0.5 s query, bench/RESULTS.md); short web queries never gain from it.
# RECTIFY_PG_JIT=1 leaves the server's own setting.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env.bool("RECTIFY_PG_JIT", default=False):
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
# The largest request body accepted at all (files included); larger ones get a Chinese 413 page
# before anything is read. Keep nginx's client_max_body_size (deploy/nginx.conf) the same.
RECTIFY_MAX_REQUEST_BYTES = env.int("RECTIFY_MAX_REQUEST_BYTES", default=25 * 1024 * 1024)
# Form fields other than files (Django's own check, answered with 400).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
# --- end ---

# The dashboard keeps its rendered ledger part here, keyed on the ledger's revision (so entries
# never go stale; see rectify/dashboard/ledger_cache.py). Per process by default; several
# servers may share one, e.g. CACHE_URL=redis://127.0.0.1:6379/1 or pymemcache://127.0.0.1:11211.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://rectify")}
CACHES["default"]["KEY_PREFIX"] = env("CACHE_KEY_PREFIX", default="rectify")  # one per site on a shared server

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "rectify.accounts.backends.PasswordBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["username", "full_name", "email"], "max_similarity": 0.5},
    },
    {"NAME": "rectify.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "rectify.accounts.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:login"

# django-axes: lock an account and address for 30 minutes after 5 failed logins.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded evidence lives outside the static tree and is never served by URL: only through views
# that check the viewer's permission.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# The admin's "revert to this version" would restore a status without its transition.
SIMPLE_HISTORY_REVERT_DISABLED = True
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="rectify@localhost")

# Early-warning thresholds (domain.md): yellow within this many days of the deadline.
RECTIFY_WARNING_DAYS = env.int("RECTIFY_WARNING_DAYS", default=10)
# 综合评分 weights (rectify/ledger/scores.py): points per percent of items completed on time,
# points off per overdue day per item, per return per item, and per month without a progress report.
# Set any of them as RECTIFY_SCORE_WEIGHTS=on_time=1,overdue_days=0.5,returns=10,stale_months=5.
RECTIFY_SCORE_WEIGHTS = {
    "on_time": 1.0,
    "overdue_days": 0.5,
    "returns": 10.0,
    "stale_months": 5.0,
    **env.dict("RECTIFY_SCORE_WEIGHTS", default={}),
}
# Four eyes (四眼原则): nobody decides a 销号 or extension request they filed. RECTIFY_FOUR_EYES=0
# lets an office of one person decide its own requests; each such decision is marked 本人审核.
RECTIFY_FOUR_EYES = env.bool("RECTIFY_FOUR_EYES", default=True)
# Whether `make run` may create the demo accounts (only ever with DEBUG on).
RECTIFY_DEMO_ACCOUNTS = DEBUG

# Content Security Policy (django-csp): only our own scripts; ECharts sets inline styles.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# Evidence uploads (佐证材料): the largest accepted file, in bytes.
RECTIFY_EVIDENCE_MAX_BYTES = env.int("RECTIFY_EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
FILE_UPLOAD_PERMISSIONS = 0o640
# The address people reach Rectify at, for links in reminder e-mails.
RECTIFY_BASE_URL = env.str("RECTIFY_BASE_URL", default="http://127.0.0.1:8000")
# SMTP from the environment, e.g. EMAIL_URL=smtp+tls://user:password@smtp.example.org:587
if env.str("EMAIL_URL", default=""):
    globals().update(env.email_url("EMAIL_URL"))

# --- Second factor, client address, backups (security issue, findings 4 and 5) ---
# Two-factor login (TOTP, django-otp). "required": the discipline office, system administrator
# and auditor roles (and superusers) verify a second factor before any page but enrolment,
# verification and logout. "optional": anyone may enrol; whoever has enrolled is asked for it.
RECTIFY_2FA = env.str("RECTIFY_2FA", default="optional" if DEBUG else "required")
if RECTIFY_2FA not in {"optional", "required"}:
    raise ImproperlyConfigured("RECTIFY_2FA must be 'optional' or 'required'.")
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Rectify 巡视整改台账")

# Behind the TLS proxy the client's address is the last X-Forwarded-For entry, believed only
# when the request comes from one of these proxies (rectify/accounts/client_address.py).
RECTIFY_BEHIND_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
RECTIFY_TRUSTED_PROXIES = env.list("RECTIFY_TRUSTED_PROXIES", default=["127.0.0.1"])
for _proxy in RECTIFY_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"RECTIFY_TRUSTED_PROXIES: {_proxy!r} is not an address or network.") from None
# django-axes locks per (username, address) and asks the same function for the address.
AXES_CLIENT_IP_CALLABLE = "rectify.accounts.client_address.client_ip"

# Backups (rectify/maintenance/archive.py): this key signs every archive (HMAC-SHA256) and, with
# `backup --encrypt`, encrypts it (AES-256-GCM). Keep it outside the server and the backups.
_DEV_BACKUP_KEY = "rectify-development-backup-key-only"
BACKUP_KEY = env.str("BACKUP_KEY", default="")
if not BACKUP_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("BACKUP_KEY must be set when DEBUG is off.")
    BACKUP_KEY = _DEV_BACKUP_KEY
if len(BACKUP_KEY) < 32:
    raise ImproperlyConfigured("BACKUP_KEY must be at least 32 characters (e.g. `openssl rand -base64 48`).")

# --- Messages, channels, the task queue and the escalation ladder (issue 16) ---
# Delivery runs on django-tasks: the database backend by default (`manage.py db_worker` works the
# queue; several workers may share one PostgreSQL), RECTIFY_TASKS_IMMEDIATE=1 runs tasks in the
# request instead (the tests; a one-process trial without a worker).
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if env.bool("RECTIFY_TASKS_IMMEDIATE", default=False)
        else "django_tasks_db.DatabaseBackend",
    }
}
# Apprise URLs (comma-separated) that receive every event: the office's group chat, e.g.
# dingtalk://token, wxteams://key, json://host:port/path, mailtos://user:password@host.
RECTIFY_NOTIFY_URLS = env.list("RECTIFY_NOTIFY_URLS", default=[])
# A failed delivery is retried after this many seconds, doubled each time, this many times in all.
RECTIFY_NOTIFY_RETRY_SECONDS = env.int("RECTIFY_NOTIFY_RETRY_SECONDS", default=60)
RECTIFY_NOTIFY_MAX_ATTEMPTS = env.int("RECTIFY_NOTIFY_MAX_ATTEMPTS", default=6)
# Messages this many days before a deadline.
RECTIFY_DEADLINE_NOTICE_DAYS = env.list("RECTIFY_DEADLINE_NOTICE_DAYS", cast=int, default=[7, 3, 1])
# The escalation ladder (督办等级): days overdue for 催办, 督办 (or this many returns) and 约谈提醒;
# the 督办通知单 asks for a reply within RECTIFY_ESCALATION_REPLY_DAYS.
RECTIFY_ESCALATION_URGE_DAYS = env.int("RECTIFY_ESCALATION_URGE_DAYS", default=1)
RECTIFY_ESCALATION_SUPERVISE_DAYS = env.int("RECTIFY_ESCALATION_SUPERVISE_DAYS", default=7)
RECTIFY_ESCALATION_SUPERVISE_RETURNS = env.int("RECTIFY_ESCALATION_SUPERVISE_RETURNS", default=2)
RECTIFY_ESCALATION_INTERVIEW_DAYS = env.int("RECTIFY_ESCALATION_INTERVIEW_DAYS", default=15)
RECTIFY_ESCALATION_REPLY_DAYS = env.int("RECTIFY_ESCALATION_REPLY_DAYS", default=5)
# --- end ---
