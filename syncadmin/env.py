"""Typed reading of the environment for settings.

Bad values fail loudly at start-up (environs raises ``EnvError`` naming the variable)
instead of surfacing later as a confusing runtime error.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from environs import Env

env = Env()


def database_config(*, url: str | None, sqlite_path: Path) -> dict:
    """``DATABASE_URL`` when given (PostgreSQL in CI/production), else SQLite in ``var/``."""
    if url:
        return dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": sqlite_path,
        # WAL + a busy timeout let the web process and a worker write without
        # "database is locked" errors.
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        },
    }


def persistent_secret(*, value: str | None, path: Path) -> str:
    """Return ``value``, or a random secret generated once into ``path`` and reused."""
    if value:
        return value
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    generated = secrets.token_urlsafe(48)
    path.write_text(generated)
    path.chmod(0o600)
    return generated


def celery_broker(*, redis_url: str | None, var_dir: Path) -> tuple[str, dict]:
    """Redis when ``REDIS_URL`` is set; otherwise kombu's filesystem transport in ``var/``.

    The filesystem broker needs no server yet still lets a real worker process run the
    tasks outside the web request.
    """
    if redis_url:
        return redis_url, {}
    folder = var_dir / "broker"
    for sub in ("queue", "processed"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return "filesystem://", {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
    }
