"""Fixtures shared by the budget tests: a real Redis (db 15), a unique key prefix, and the
limiter's two backends, so every behaviour is proven on both."""

import os
import uuid

import pytest
import redis

from syncadmin.budget import MemoryBackend, RedisBackend

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture(scope="session")
def redis_client():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis not reachable at {REDIS_URL} ({exc}); CI would fail here")
    return client


@pytest.fixture
def prefix():
    return f"test:budget:{uuid.uuid4().hex}"


@pytest.fixture(params=["redis", "memory"])
def backend(request, prefix):
    if request.param == "memory":
        yield MemoryBackend()
        return
    client = request.getfixturevalue("redis_client")
    yield RedisBackend(client)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
