"""syncadmin settings: one module, every knob read from the environment.

Defaults need no external service (SQLite and a filesystem Celery broker under ``var/``);
``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Redis.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from syncadmin.env import celery_broker, database_config, env, private_dir, secret_setting
from syncadmin.zoho.datacentres import DATA_CENTRES

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = private_dir(env.path("SYNCADMIN_VAR_DIR", BASE_DIR / "var"))

DEBUG = env.bool("DEBUG", False)
# The embedded demo (`make demo`, the test suite) runs on one machine over plain http and
# generates its keys into var/. Everything else is production: keys must be given, and
# transport security is on by default.
DEMO = env.bool("SYNCADMIN_DEMO", False)
PRODUCTION = not (DEBUG or DEMO)


def _generated(name: str) -> Path | None:
    """Where the embedded demo keeps a generated key; production generates none."""
    return None if PRODUCTION else VAR_DIR / name


SECRET_KEY, *SECRET_KEY_FALLBACKS = secret_setting(
    "SECRET_KEY", generate_into=_generated("secret.key")
)
# Stored OAuth secrets are Fernet-encrypted with these keys, independent of SECRET_KEY:
# the first encrypts, all decrypt. Rotate by prepending a new key, running
# `manage.py token_keys_rotate`, then dropping the old one.
TOKEN_ENCRYPTION_KEYS = secret_setting(
    "TOKEN_ENCRYPTION_KEYS", generate_into=_generated("token-encryption.key")
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tables2",
    "django_filters",
    "axes",
    "syncadmin.apps.SyncadminConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "syncadmin.urls"
WSGI_APPLICATION = "syncadmin.wsgi.application"
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
                "syncadmin.context_processors.shell",
            ],
        },
    }
]

DATABASES = {
    "default": database_config(
        url=env.str("DATABASE_URL", None), sqlite_path=VAR_DIR / "syncadmin.sqlite3"
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", None)
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    )
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out user or address is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling on both login pages (ours and the Django admin's): five failures lock
# that username, and separately that address, for AXES_COOLOFF_MINUTES. Admins see and
# clear lockouts under "Axes" in the Django admin.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "syncadmin.security.client_ip"
# How many trusted proxies append to X-Forwarded-For in front of us (0: none, use the peer).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", 0)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "overview"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on start-up if it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Transport ----------------------------------------------------------------------
# Production defaults: HTTPS only (a TLS proxy in front, see the README), cookies marked
# Secure, HSTS. The embedded demo serves plain http on 127.0.0.1, so they default off.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", 9 * 60 * 60)  # a working day
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", PRODUCTION)
# The container health check calls plain http on 127.0.0.1.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", PRODUCTION)
# The header a TLS-terminating proxy sets, e.g. SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto.
# Only set it when that proxy always sets (or strips) the header.
_proxy_header = env.str("SECURE_PROXY_SSL_HEADER", "")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https") if _proxy_header else None
)

DJANGO_TABLES2_TEMPLATE = "syncadmin/components/_table.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table"}

# --- Zoho -------------------------------------------------------------------------
# Empty means "the real accounts server of the chosen data centre". Pointing it at the
# Zoho sandbox is the only difference between a rehearsal and production; a plain-http
# override is refused unless ZOHO_REHEARSAL is set.
ZOHO_ACCOUNTS_URL = env.str("ZOHO_ACCOUNTS_URL", "").rstrip("/")
ZOHO_REHEARSAL = env.bool("ZOHO_REHEARSAL", False)
if ZOHO_ACCOUNTS_URL.startswith("http://") and not ZOHO_REHEARSAL:
    raise ImproperlyConfigured(
        "ZOHO_ACCOUNTS_URL is plain http; set ZOHO_REHEARSAL=1 if it is the Zoho sandbox."
    )
ZOHO_CLIENT_ID = env.str("ZOHO_CLIENT_ID", "")
ZOHO_CLIENT_SECRET = env.str("ZOHO_CLIENT_SECRET", "")
# The OAuth callback URL registered in the Zoho API console. Required in production, so
# it never comes from a request's Host header.
ZOHO_REDIRECT_URI = env.str("ZOHO_REDIRECT_URI", "")
if PRODUCTION and ZOHO_REDIRECT_URI.startswith("http://") and not ZOHO_REHEARSAL:
    raise ImproperlyConfigured("ZOHO_REDIRECT_URI must be https: Zoho sends the grant code there.")
ZOHO_DEFAULT_DATA_CENTRE = env.str("ZOHO_DATA_CENTRE", "eu")
ZOHO_HTTP_TIMEOUT_SECONDS = env.float("ZOHO_HTTP_TIMEOUT_SECONDS", 20.0)

# Our own scripts and styles only: no inline code, no eval. htmx's indicator style lives
# in app.css (htmx-config in base.html turns its injected <style> off). The connect form
# posts to us and we redirect to Zoho's consent screen, hence the accounts servers.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [
        CSP.SELF,
        *sorted({dc.accounts_url for dc in DATA_CENTRES.values()}),
        *([ZOHO_ACCOUNTS_URL] if ZOHO_ACCOUNTS_URL else []),
    ],
}

HEALTH_CHECK_INTERVAL_SECONDS = env.int("HEALTH_CHECK_INTERVAL_SECONDS", 300)
# Where Zoho reaches syncadmin (webhooks, notification channel): the public base URL.
SYNCADMIN_PUBLIC_URL = env.str("SYNCADMIN_PUBLIC_URL", "http://127.0.0.1:8000")
# Books allows 100 requests per minute per organisation; Zoho support can raise it.
BOOKS_REQUESTS_PER_MINUTE = env.int("BOOKS_REQUESTS_PER_MINUTE", 100)
# A push holds its record's claim this long at most; a crashed worker's claim then lapses.
PUSH_CLAIM_SECONDS = env.int("PUSH_CLAIM_SECONDS", 60)
# Write-backs of Books ids to CRM wait this long to fill a batch of up to 100 records.
WRITEBACK_BATCH_SECONDS = env.float("WRITEBACK_BATCH_SECONDS", 15.0)
# Largest webhook / notification body accepted; bigger ones are refused with 413.
INBOX_MAX_BYTES = env.int("INBOX_MAX_BYTES", 64 * 1024)
BUDGET_KEY_PREFIX = env.str("BUDGET_KEY_PREFIX", "syncadmin:budget")

# --- Celery -----------------------------------------------------------------------
CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = celery_broker(
    redis_url=REDIS_URL, var_dir=VAR_DIR
)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# The dashboard reads the database, never a result backend.
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", 15 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "syncadmin.tasks.heartbeat",
        "schedule": timedelta(minutes=1),
    },
    "connections-health-check": {
        "task": "syncadmin.tasks.connections_health_check",
        "schedule": timedelta(seconds=HEALTH_CHECK_INTERVAL_SECONDS),
    },
    "alerts-evaluate": {
        "task": "syncadmin.tasks.alerts_evaluate",
        "schedule": timedelta(minutes=1),
    },
    "diagnostics-refresh": {
        "task": "syncadmin.tasks.diagnostics_refresh",
        "schedule": timedelta(minutes=10),
    },
    # Zoho never retries a lost webhook: reconcile catches up from the CRM watermark.
    "sync-reconcile": {
        "task": "syncadmin.tasks.reconcile_schedule",
        "schedule": timedelta(minutes=env.int("SYNC_RECONCILE_MINUTES", 15)),
    },
    # Channels last under a week; renewed once less than a day is left.
    "sync-channels-renew": {
        "task": "syncadmin.tasks.channels_renew",
        "schedule": timedelta(hours=1),
    },
    "sync-money-to-crm": {
        "task": "syncadmin.tasks.money_schedule",
        "schedule": timedelta(minutes=env.int("SYNC_MONEY_MINUTES", 60)),
    },
    # Duplicate matching over the mirrors, re-run only where a mirrored record changed.
    "matching-rerun": {
        "task": "syncadmin.tasks.match_schedule",
        "schedule": timedelta(minutes=env.int("MATCHING_RERUN_MINUTES", 30)),
    },
    # Transient failures retry once their backoff has passed, not at the next reconcile.
    "sync-failures-retry": {
        "task": "syncadmin.tasks.failures_retry",
        "schedule": timedelta(minutes=1),
    },
    # Cleanup plans whose worker died resume where their persisted steps say.
    "cleanup-resume-stale": {
        "task": "syncadmin.tasks.cleanup_resume_stale",
        "schedule": timedelta(minutes=5),
    },
}

# --- Alerts -----------------------------------------------------------------------------
# Admins (users in the admin group with an email) are told of each alert state change.
# Production sends real mail (SMTP, EMAIL_HOST …); the demo prints it to the console.
_mail_backend = "smtp" if PRODUCTION else "console"
MAILERS = {
    "default": {
        "BACKEND": env.str(
            "EMAIL_BACKEND", f"django.core.mail.backends.{_mail_backend}.EmailBackend"
        )
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "syncadmin@localhost")
SYNCADMIN_BASE_URL = env.str("SYNCADMIN_BASE_URL", "http://127.0.0.1:8000")
# A global pause older than this is a checklist warning and an alert.
SYNCADMIN_PAUSE_WARN_HOURS = env.int("SYNCADMIN_PAUSE_WARN_HOURS", 24)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    "loggers": {
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # lockouts are warnings; start-up chatter is not
    },
}
