"""Point 1 of issue 11: secrets never fail open.

Each test here failed before the fix: production generated SECRET_KEY and the token key
into var/ when they were missing and took "change-me" values, compose shipped such
defaults, there was no .dockerignore, and key files were written then chmod-ed.
"""

import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from syncadmin.env import persistent_secret, private_dir
from tests.security.conftest import PRODUCTION_ENV, REPO_DIR, manage


@pytest.mark.parametrize("name", ["SECRET_KEY", "TOKEN_ENCRYPTION_KEYS"])
def test_production_refuses_a_missing_key_and_names_it(load_settings, name, tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != name}
    with pytest.raises(ImproperlyConfigured, match=name):
        load_settings(**env)
    assert not list((tmp_path / "var").glob("*.key"))  # nothing generated behind our back


@pytest.mark.parametrize(
    "value", ["change-me-in-production", "change-me-too", "x" * 60, "too-short-but-random-Q7"]
)
@pytest.mark.parametrize("name", ["SECRET_KEY", "TOKEN_ENCRYPTION_KEYS"])
def test_production_refuses_a_placeholder_or_short_key(load_settings, name, value):
    with pytest.raises(ImproperlyConfigured, match=name):
        load_settings(**{**PRODUCTION_ENV, name: value})


def test_production_takes_real_keys(load_settings):
    loaded = load_settings(**PRODUCTION_ENV)
    assert loaded["SECRET_KEY"] == PRODUCTION_ENV["SECRET_KEY"]
    assert loaded["TOKEN_ENCRYPTION_KEYS"] == [PRODUCTION_ENV["TOKEN_ENCRYPTION_KEYS"]]


def test_the_embedded_demo_generates_its_keys_privately(load_settings, tmp_path):
    loaded = load_settings(SYNCADMIN_DEMO="1")
    var = tmp_path / "var"
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    for name in ("secret.key", "token-encryption.key"):
        assert stat.S_IMODE((var / name).stat().st_mode) == 0o600
    assert loaded["SECRET_KEY"] == (var / "secret.key").read_text()
    assert load_settings(SYNCADMIN_DEMO="1")["SECRET_KEY"] == loaded["SECRET_KEY"]


def test_key_file_is_never_visible_half_written_or_open_to_others(tmp_path, monkeypatch):
    # The old code wrote the file (umask 022: world-readable) and chmod-ed it afterwards.
    monkeypatch.setattr("os.umask", lambda mask: 0)
    first = persistent_secret(value=None, path=tmp_path / "keys" / "k")
    assert stat.S_IMODE((tmp_path / "keys" / "k").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    assert not [p for p in (tmp_path / "keys").iterdir() if p.name != "k"]  # no temp file left
    assert persistent_secret(value=None, path=tmp_path / "keys" / "k") == first


def test_an_open_var_dir_is_tightened(tmp_path):
    (tmp_path / "var").mkdir(mode=0o755)
    (tmp_path / "var").chmod(0o755)
    private_dir(tmp_path / "var")
    assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700


def test_start_up_with_a_placeholder_key_fails_naming_the_variable(tmp_path):
    env = {**PRODUCTION_ENV, "SECRET_KEY": "change-me-in-production"}
    result = manage("check", env=env, var_dir=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is a placeholder" in result.stderr


def test_compose_requires_the_keys_instead_of_shipping_defaults():
    compose = (REPO_DIR / "docker-compose.yml").read_text()
    assert "change-me" not in compose
    assert "SECRET_KEY: ${SECRET_KEY:?" in compose
    assert "TOKEN_ENCRYPTION_KEYS: ${TOKEN_ENCRYPTION_KEYS:?" in compose


def test_docker_build_context_leaves_local_state_out():
    ignored = set((REPO_DIR / ".dockerignore").read_text().split())
    assert {"var/", ".venv/", ".git/", "**/*.sqlite3", "**/demo-logins.txt"} <= ignored


def test_docker_build_writes_no_key_into_the_image():
    dockerfile = (REPO_DIR / ".docker" / "Dockerfile").read_text()
    collect = next(line for line in dockerfile.splitlines() if "manage.py collectstatic" in line)
    # Throwaway keys live only in that RUN's shell; SYNCADMIN_DEMO (which writes keys into
    # var/) is never set in the image.
    assert "token_urlsafe" in collect and "SYNCADMIN_DEMO" not in dockerfile
