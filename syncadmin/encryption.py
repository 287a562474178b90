"""Encryption at rest for OAuth secrets: Fernet under ``TOKEN_ENCRYPTION_KEYS``.

Guarantees: the keys are independent of ``SECRET_KEY`` (rotating one never loses the
other); the first key encrypts and every key decrypts, so keys rotate by prepending a new
one; a value no key decrypts raises ``TokenKeyError`` instead of being handed back as if
it were the token.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models


class TokenKeyError(Exception):
    """A stored secret that none of ``TOKEN_ENCRYPTION_KEYS`` decrypts."""


def fernet_key(secret: str) -> bytes:
    """A Fernet key from one configured secret (already long and random: HKDF, no stretching)."""
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"syncadmin token encryption v1"
    ).derive(secret.encode())
    return base64.urlsafe_b64encode(derived)


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise TokenKeyError("TOKEN_ENCRYPTION_KEYS is empty.")
    return MultiFernet([Fernet(fernet_key(key)) for key in keys])


def _keys() -> MultiFernet:
    return _fernet(tuple(settings.TOKEN_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return _keys().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return _keys().decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise TokenKeyError(
            "A stored secret cannot be decrypted with TOKEN_ENCRYPTION_KEYS; "
            "was a key removed before its secrets were rotated?"
        ) from exc


def reencrypt(ciphertext: str) -> str:
    """``ciphertext`` under the newest key (for rotation)."""
    try:
        return _keys().rotate(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise TokenKeyError("A stored secret cannot be decrypted for rotation.") from exc


class EncryptedTextField(models.TextField):
    """A text column stored Fernet-encrypted; reading it with a wrong key raises."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else None

    def from_db_value(self, value, expression, connection):
        return None if value is None else decrypt(value)


def stored_secrets_rotate() -> int:
    """Re-encrypt every stored secret under the newest key; returns how many were rewritten.

    Each value is replaced only if nobody changed it meanwhile (a refresh writing a new
    access token wins), so rotation can run while the site is up.
    """
    from django.apps import apps
    from django.db import connection

    quote, rewritten = connection.ops.quote_name, 0
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, EncryptedTextField):
                continue
            table, column, pk = model._meta.db_table, field.column, model._meta.pk.column
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {quote(pk)}, {quote(column)} FROM {quote(table)} "
                    f"WHERE {quote(column)} IS NOT NULL"
                )
                for row_id, value in cursor.fetchall():
                    cursor.execute(
                        f"UPDATE {quote(table)} SET {quote(column)} = %s "
                        f"WHERE {quote(pk)} = %s AND {quote(column)} = %s",
                        [reencrypt(value), row_id, value],
                    )
                    rewritten += cursor.rowcount
    return rewritten
