"""Settings read from the environment: defaults, switches and loud failures."""

import pytest
from environs import Env, EnvError

from syncadmin.env import celery_broker, database_config, persistent_secret


def test_database_defaults_to_sqlite_in_var(tmp_path):
    config = database_config(url=None, sqlite_path=tmp_path / "db.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == tmp_path / "db.sqlite3"


def test_database_url_switches_to_postgresql(tmp_path):
    config = database_config(url="postgres://u:p@db:5432/sync", sqlite_path=tmp_path / "x")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["NAME"], config["USER"]) == ("db", "sync", "u")


def test_unknown_database_scheme_fails_loudly(tmp_path):
    with pytest.raises(ValueError):
        database_config(url="nosuchdb://x", sqlite_path=tmp_path / "x")


def test_secret_is_generated_once_and_reused(tmp_path):
    first = persistent_secret(value=None, path=tmp_path / "k")
    assert len(first) > 40
    assert persistent_secret(value=None, path=tmp_path / "k") == first
    assert persistent_secret(value="given", path=tmp_path / "k") == "given"


def test_broker_is_redis_when_given_else_filesystem(tmp_path):
    assert celery_broker(redis_url="redis://r:6379/0", var_dir=tmp_path) == (
        "redis://r:6379/0",
        {},
    )
    url, options = celery_broker(redis_url=None, var_dir=tmp_path)
    assert url == "filesystem://"
    assert (tmp_path / "broker" / "queue").is_dir()
    assert options["data_folder_in"] == options["data_folder_out"]


def test_bad_typed_value_names_the_variable(monkeypatch):
    monkeypatch.setenv("HEALTH_CHECK_INTERVAL_SECONDS", "five minutes")
    with pytest.raises(EnvError, match="HEALTH_CHECK_INTERVAL_SECONDS"):
        Env().int("HEALTH_CHECK_INTERVAL_SECONDS")
