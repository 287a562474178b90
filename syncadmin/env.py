"""Typed reading of the environment for settings.

Bad values fail loudly at start-up (environs raises ``EnvError`` naming the variable)
instead of surfacing later as a confusing runtime error.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
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


# A key shorter than this, or one that reads like a placeholder, is refused at start-up.
MIN_SECRET_LENGTH = 50
PLACEHOLDER_WORDS = ("change", "insecure", "placeholder", "example", "dummy", "not-a-secret")
GENERATE_HINT = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"


def secret_check(name: str, value: str) -> str:
    """``value`` when it is long, random-looking and not a placeholder; else stop start-up."""
    if any(word in value.lower() for word in PLACEHOLDER_WORDS) or len(set(value)) < 5:
        raise ImproperlyConfigured(f"{name} is a placeholder; generate one with {GENERATE_HINT}")
    if len(value) < MIN_SECRET_LENGTH:
        raise ImproperlyConfigured(
            f"{name} is too short ({len(value)} characters, at least {MIN_SECRET_LENGTH}); "
            f"generate one with {GENERATE_HINT}"
        )
    return value


def secret_setting(name: str, *, generate_into: Path | None) -> list[str]:
    """The comma-separated secrets in ``name``, newest first, each checked.

    Unset, they are generated once into ``generate_into`` (the embedded demo only); in
    production (``generate_into`` is None) a missing value stops start-up.
    """
    values = [v.strip() for v in env.str(name, "").split(",") if v.strip()]
    if values:
        return [secret_check(name, value) for value in values]
    if generate_into is None:
        raise ImproperlyConfigured(
            f"{name} is required when DEBUG is off; generate one with {GENERATE_HINT}"
        )
    return [persistent_secret(value=None, path=generate_into)]


def persistent_secret(*, value: str | None, path: Path) -> str:
    """Return ``value``, or a random secret generated once into ``path`` and reused.

    The file is born 0600 under a temporary name and linked into place, so no other user
    ever reads it and two processes starting together agree on one secret.
    """
    if value:
        return value
    if not path.exists():
        private_dir(path.parent)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(temporary, path)  # fails if another process won the race: use theirs
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)  # made by an older version, readable by others
    return path.read_text().strip()


def private_dir(path: Path) -> Path:
    """``path`` created 0700 (and tightened if we own it and it is open to others)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    status = path.stat()
    if status.st_mode & 0o077 and status.st_uid == os.getuid():
        path.chmod(0o700)
    return path


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
