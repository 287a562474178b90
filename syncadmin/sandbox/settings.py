"""Settings of the Zoho sandbox process. Nothing here is shared with the product."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

REPO_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = REPO_DIR / "var"


def _default_database_url() -> str:
    VAR_DIR.mkdir(exist_ok=True)
    return f"sqlite:///{VAR_DIR / 'sandbox.sqlite3'}"


def _database() -> dict:
    db = dj_database_url.parse(
        os.environ.get("SANDBOX_DATABASE_URL") or _default_database_url(),
        conn_max_age=600,
        conn_health_checks=True,
    )
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # 32 server threads write the ApiCall log concurrently: WAL lets readers run beside
        # the writer, IMMEDIATE takes the write lock up front (no lock-upgrade deadlocks)
        # and the timeout makes writers queue instead of failing with "database is locked".
        db["CONN_MAX_AGE"] = None
        db["CONN_HEALTH_CHECKS"] = False
        db["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    return db


SECRET_KEY = os.environ.get("SANDBOX_SECRET_KEY", "zoho-sandbox-local-only-not-a-secret")
DEBUG = os.environ.get("SANDBOX_DEBUG", "") == "1"

# Used as `api_domain` and `accounts-server` in answers, as Zoho does with its DC hosts.
SANDBOX_PUBLIC_URL = os.environ.get("SANDBOX_PUBLIC_URL", "http://127.0.0.1:8100").rstrip("/")
# A local simulator with no authentication: it answers only to the loopback names (and
# the name it calls itself), so a page elsewhere cannot reach it by DNS rebinding.
ALLOWED_HOSTS = sorted(
    {"127.0.0.1", "localhost", "[::1]", urlsplit(SANDBOX_PUBLIC_URL).hostname or "127.0.0.1"}
)

INSTALLED_APPS = ["syncadmin.sandbox"]
# A local simulator: no sessions, auth or CSRF. Zoho's APIs have none of those either.
# CommonMiddleware reads the Host header, which enforces ALLOWED_HOSTS (400 otherwise).
MIDDLEWARE: list[str] = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "syncadmin.sandbox.urls"
WSGI_APPLICATION = "syncadmin.sandbox.wsgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": []},
    }
]

DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # 4xx answers are the sandbox doing its job; don't log each one as a warning.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
