"""Settings read from the environment: defaults, switches and loud failures."""

import runpy
from pathlib import Path

import pytest
from environs import EnvError

from syncadmin.env import celery_broker, database_config, persistent_secret

SETTINGS = Path(__file__).resolve().parents[1] / "syncadmin" / "settings.py"


def test_database_defaults_to_sqlite_in_var(tmp_path):
    config = database_config(url=None, sqlite_path=tmp_path / "db.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == tmp_path / "db.sqlite3"


def test_database_url_replaces_sqlite_with_kept_health_checked_connections(tmp_path):
    config = database_config(url="postgres://u:p@db:5432/sync", sqlite_path=tmp_path / "x")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    # Workers hold connections across tasks; a dropped one is noticed before use.
    assert (config["CONN_MAX_AGE"], config["CONN_HEALTH_CHECKS"]) == (60, True)


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


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HEALTH_CHECK_INTERVAL_SECONDS", "five minutes"),
        ("ZOHO_HTTP_TIMEOUT_SECONDS", "soon"),
        ("SESSION_COOKIE_AGE", "a day"),
    ],
)
def test_a_bad_typed_setting_stops_start_up_naming_the_variable(name, value, monkeypatch, tmp_path):
    # The settings module itself, as start-up runs it: a typo must not become a default.
    monkeypatch.setenv("SYNCADMIN_DEMO", "1")
    monkeypatch.setenv("SYNCADMIN_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv(name, value)
    with pytest.raises(EnvError, match=name):
        runpy.run_path(str(SETTINGS))
