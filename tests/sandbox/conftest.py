"""Fixtures for sandbox tests. They talk HTTP only and never touch the product's Django
database, so they also run with `-p no:django --confcutdir=tests/sandbox`."""

from collections.abc import Iterator

import pytest

from tests.sandbox_process import SandboxProcess


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxProcess]:
    """One sandbox process for the whole session (startup costs a migrate)."""
    with SandboxProcess() as server:
        yield server


@pytest.fixture
def clean_sandbox(sandbox: SandboxProcess) -> SandboxProcess:
    """The session's sandbox, reset to baseline (data, knobs, clock) for this test."""
    sandbox.reset()
    return sandbox
