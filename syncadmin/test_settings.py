"""Test overrides: fast hashing, tasks run inline, the embedded demo's keys in var/."""

import os

# The suite runs as the embedded demo: plain http, keys generated into SYNCADMIN_VAR_DIR.
# tests/security/ checks the production defaults in a separate settings load.
os.environ.setdefault("SYNCADMIN_DEMO", "1")

from syncadmin.settings import *

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Parallel test workers and repeated runs share one Redis; keep their keys apart, so a
# limit hit in one run (say a Books daily cap) cannot leak into the next.
BUDGET_KEY_PREFIX = f"test:{os.getpid()}:budget"
# Parallel test workers share one Redis; keep their cache keys apart.
CACHES["default"]["KEY_PREFIX"] = "test-" + os.environ.get("PYTEST_XDIST_WORKER", "main")

# A file, not SQLite's shared-cache memory database: threads in tests (the single-flight
# token refresh) then get real WAL locking with a busy timeout instead of table locks.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{_worker}.sqlite3")}

# The Zoho sandbox answers over plain http on 127.0.0.1.
ZOHO_REHEARSAL = True
# Tests point ZOHO_ACCOUNTS_URL at a sandbox on a random loopback port after settings load;
# the connect form must be allowed to land there (production lists the real servers).
SECURE_CSP = {**SECURE_CSP, "form-action": [*SECURE_CSP["form-action"], "http://127.0.0.1:*"]}
