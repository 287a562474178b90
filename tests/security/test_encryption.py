"""Point 2 of issue 11: token encryption of its own, with rotation and no fail-open.

These failed before the fix: stored secrets were encrypted under a key derived from
SECRET_KEY (rotating it lost every token), a wrong key handed the ciphertext back as if
it were the token, and nothing checked the keys at start-up.
"""

import importlib
import secrets
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection as db

from syncadmin.connections.tokens import token_keys_self_test
from syncadmin.encryption import TokenKeyError, fernet_key
from syncadmin.models import Connection
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db
OTHER_KEY = secrets.token_urlsafe(48)


def raw(connection: Connection, column: str) -> str:
    with db.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM syncadmin_connection WHERE id = %s", [connection.pk])
        return cursor.fetchone()[0]


def test_tokens_are_encrypted_under_the_token_key_alone(settings):
    connection = ConnectionFactory(refresh_token="1000.plain-refresh")
    stored = raw(connection, "refresh_token")
    assert "plain-refresh" not in stored
    key = Fernet(fernet_key(settings.TOKEN_ENCRYPTION_KEYS[0]))
    assert key.decrypt(stored.encode()) == b"1000.plain-refresh"
    # A new SECRET_KEY (sessions, signing) leaves the tokens readable.
    settings.SECRET_KEY = secrets.token_urlsafe(48)
    assert Connection.objects.get(pk=connection.pk).refresh_token == "1000.plain-refresh"


def test_a_wrong_key_raises_instead_of_returning_ciphertext(settings):
    connection = ConnectionFactory(refresh_token="1000.plain-refresh")
    settings.TOKEN_ENCRYPTION_KEYS = [OTHER_KEY]
    with pytest.raises(TokenKeyError):
        Connection.objects.get(pk=connection.pk)


def test_keys_rotate_newest_first(settings):
    old = settings.TOKEN_ENCRYPTION_KEYS[0]
    connection = ConnectionFactory(refresh_token="1000.plain-refresh", access_token="1000.acc")
    settings.TOKEN_ENCRYPTION_KEYS = [OTHER_KEY, old]
    assert Connection.objects.get(pk=connection.pk).refresh_token == "1000.plain-refresh"

    call_command("token_keys_rotate", stdout=open("/dev/null", "w"))  # noqa: SIM115

    settings.TOKEN_ENCRYPTION_KEYS = [OTHER_KEY]  # the old key is gone
    reloaded = Connection.objects.get(pk=connection.pk)
    assert (reloaded.refresh_token, reloaded.access_token) == ("1000.plain-refresh", "1000.acc")


def test_start_up_self_test_stops_on_keys_that_cannot_read_the_tokens(settings):
    ConnectionFactory(refresh_token="1000.plain-refresh")
    token_keys_self_test()  # the right key: passes
    settings.TOKEN_ENCRYPTION_KEYS = [OTHER_KEY]
    with pytest.raises(ImproperlyConfigured, match="TOKEN_ENCRYPTION_KEYS"):
        token_keys_self_test()


def test_migration_reencrypts_what_the_old_scheme_stored(settings):
    from encrypted_fields.fields import EncryptedFieldMixin

    migration = importlib.import_module("syncadmin.migrations.0006_token_encryption_keys")
    connection = ConnectionFactory(refresh_token=None, client_secret=None)
    old_field = EncryptedFieldMixin()  # SECRET_KEY + the token key as salt, as before
    settings.SALT_KEY = settings.TOKEN_ENCRYPTION_KEYS[0]
    legacy = old_field.f.encrypt(b"1000.legacy-refresh").decode()
    with db.cursor() as cursor:
        cursor.execute(
            "UPDATE syncadmin_connection SET refresh_token = %s WHERE id = %s",
            [legacy, connection.pk],
        )

    migration.reencrypt(None, SimpleNamespace(connection=db, quote_name=db.ops.quote_name))

    assert Connection.objects.get(pk=connection.pk).refresh_token == "1000.legacy-refresh"


def test_web_start_up_stops_when_the_keys_cannot_read_stored_tokens(tmp_path):
    """A real start-up (importing the WSGI application) against a database whose tokens
    were written under another key refuses to serve, naming TOKEN_ENCRYPTION_KEYS."""
    from tests.security.conftest import PRODUCTION_ENV, manage

    env = {**PRODUCTION_ENV, "TOKEN_ENCRYPTION_KEYS": secrets.token_urlsafe(48)}
    assert manage("migrate", "-v0", env=env, var_dir=tmp_path).returncode == 0
    plant = "from tests.factories import ConnectionFactory; ConnectionFactory()"
    assert manage("shell", "-c", plant, env=env, var_dir=tmp_path).returncode == 0
    start = "import syncadmin.wsgi"
    assert manage("shell", "-c", start, env=env, var_dir=tmp_path).returncode == 0

    rotated_away = {**env, "TOKEN_ENCRYPTION_KEYS": OTHER_KEY}
    result = manage("shell", "-c", start, env=rotated_away, var_dir=tmp_path)
    assert result.returncode != 0
    assert "TOKEN_ENCRYPTION_KEYS cannot decrypt the stored Zoho tokens" in result.stderr
