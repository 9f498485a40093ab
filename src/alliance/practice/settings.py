"""Django settings for the practice web app, read from typed environment variables.

ALLIANCE_DATA_DIR   folder for the SQLite database and the secret key (default ./data)
DATABASE_URL        e.g. postgres://user@host:5432/alliance; unset = SQLite in ALLIANCE_DATA_DIR
SECRET_KEY          required when DEBUG is off, unless ALLIANCE_DATA_DIR holds a generated key
DEBUG               true/false (default false)
ALLOWED_HOSTS       comma-separated (default 127.0.0.1,localhost)
INVITATION_DAYS     days an invitation link stays valid (default 7)
ALLIANCE_JOURNAL_KEY, ALLIANCE_JOURNAL_OLD_KEYS  journal encryption keys (journal/keys.py)
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url

from alliance.practice.env import SettingError, env_bool, env_float, env_int, env_list, env_str
from alliance.practice.journal.keys import journal_keys

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("ALLIANCE_DATA_DIR", "data") or "data").resolve()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
INVITATION_DAYS = env_int("INVITATION_DAYS", 7, minimum=1)
# Warning boundary of the practice's expected trajectories: the percentile of worse-than-
# expected progress beyond which a client is not on track (90: about 1 in 10 ordinary clients
# flagged at a session; 75: the sensitive setting, which flags about half the clients who will
# end unchanged or worse; see README "Not on track").
ETR_PERCENTILE = env_float("ALLIANCE_ETR_PERCENTILE", 90.0, above=50.0, below=100.0)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    if DEBUG or env_bool("ALLIANCE_GENERATE_SECRET", True):
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        generated = secrets.token_urlsafe(50)
        key_file.write_text(generated)
        key_file.chmod(0o600)
        return generated
    raise SettingError("SECRET_KEY is not set and ALLIANCE_GENERATE_SECRET is off")


SECRET_KEY = _secret_key()

# Reflection journal: Fernet key from ALLIANCE_JOURNAL_KEY (else DATA_DIR/journal.key, generated
# 0600 like the secret key); ALLIANCE_JOURNAL_OLD_KEYS: earlier keys, comma-separated, for reading.
JOURNAL_KEY, JOURNAL_OLD_KEYS = journal_keys(
    DATA_DIR, generate=DEBUG or env_bool("ALLIANCE_GENERATE_SECRET", True)
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "alliance.practice.accounts",
    "alliance.practice.care",
    "alliance.practice.collect",
    "alliance.practice.dashboard",
    "alliance.practice.studies",
    "alliance.practice.process_studies",
    "alliance.practice.contracts",
    "alliance.practice.ending",
    "alliance.practice.journal",
    "alliance.practice.public",
    "alliance.practice.outbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "alliance.practice.urls"
WSGI_APPLICATION = "alliance.practice.wsgi.application"

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
                "alliance.practice.dashboard.context.open_alerts",
            ],
        },
    },
]

_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {
        "default": dj_database_url.parse(_database_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "alliance.sqlite3",
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en"
TIME_ZONE = env_str("TIME_ZONE", "Europe/London") or "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env_str("ALLIANCE_STATIC_ROOT")  # for collectstatic; WhiteNoise also finds app static
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploads (practitioner photos of the public page), served only by the public app's own view.
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
# Email: printed to the console unless EMAIL_BACKEND says otherwise (e.g. the SMTP backend
# with Django's EMAIL_HOST, EMAIL_PORT, ... settings).
EMAIL_BACKEND = (
    env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    or "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "alliance@localhost") or "alliance@localhost"
# Public page request form: at most INTAKE_RATE_LIMIT posts per IP per window; behind N
# reverse proxies set INTAKE_PROXY_HOPS=N to read the IP from X-Forwarded-For.
INTAKE_RATE_LIMIT = env_int("INTAKE_RATE_LIMIT", 5, minimum=1)
INTAKE_RATE_WINDOW_MINUTES = env_int("INTAKE_RATE_WINDOW_MINUTES", 60, minimum=1)
INTAKE_PROXY_HOPS = env_int("INTAKE_PROXY_HOPS", 0)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# No clinical data in logs: request bodies are never logged, and errors go to stderr.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Outbox (emailed invitation links, alliance.practice.outbox; checked in outbox/config.py):
# links in emails start with ALLIANCE_BASE_URL; one reminder OUTBOX_REMINDER_DAYS after the
# link was emailed (0 = none); failed emails wait OUTBOX_RETRY_MINUTES (comma-separated) and
# are given up after OUTBOX_MAX_ATTEMPTS attempts.
ALLIANCE_BASE_URL = env_str("ALLIANCE_BASE_URL", "http://127.0.0.1:8000")
OUTBOX_REMINDER_DAYS = env_int("OUTBOX_REMINDER_DAYS", 3)
OUTBOX_RETRY_MINUTES = env_list("OUTBOX_RETRY_MINUTES", ["5", "30", "120"])
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 4, minimum=1)
