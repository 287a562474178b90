"""Helpers for loading the product's settings as production would, in isolation."""

import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(48),
    "TOKEN_ENCRYPTION_KEYS": secrets.token_urlsafe(48),
    "ALLOWED_HOSTS": "syncadmin.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://syncadmin.example.com",
    "ZOHO_REDIRECT_URI": "https://syncadmin.example.com/connections/oauth/callback/",
    "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
}
# Everything the embedded demo or a developer's shell may carry that production lacks.
NOT_IN_PRODUCTION = [
    "DEBUG", "SYNCADMIN_DEMO", "SECRET_KEY", "TOKEN_ENCRYPTION_KEYS", "ZOHO_ACCOUNTS_URL",
    "ZOHO_REHEARSAL", "SECURE_COOKIES", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
    "DATABASE_URL", "REDIS_URL",
]  # fmt: skip


@pytest.fixture
def load_settings(monkeypatch, tmp_path):
    """``load_settings(**env)``: the settings module's namespace under exactly that
    environment (production unless it says otherwise), without touching django.conf."""

    def load(**env: str) -> dict:
        for name in NOT_IN_PRODUCTION:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("SYNCADMIN_VAR_DIR", str(tmp_path / "var"))
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(REPO_DIR / "syncadmin" / "settings.py"))

    return load


def manage(*args: str, env: dict[str, str], var_dir: Path) -> subprocess.CompletedProcess:
    """``manage.py`` in a fresh process with production's environment plus ``env``."""
    clean = {k: v for k, v in os.environ.items() if k not in NOT_IN_PRODUCTION}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    clean.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' conftest
    clean.update(SYNCADMIN_VAR_DIR=str(var_dir), **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
