"""A sandbox seeded with the messy scenario, shared by the sandbox tests of this package
(HTTP only: the sandbox and the product never import each other)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sandbox_process import SandboxProcess

MESSY_SIZE = 4000  # every pattern many times over, and seeded in about a second


@pytest.fixture(scope="module")
def messy_sandbox(tmp_path_factory) -> Iterator[tuple[SandboxProcess, Path]]:
    """(sandbox, truth file) after seeding the messy scenario."""
    truth = tmp_path_factory.mktemp("truth") / "truth.json"
    with SandboxProcess() as sandbox:
        body = {"scenario": "messy", "size": MESSY_SIZE, "seed": 7, "truth": str(truth)}
        response = sandbox.client.post("/_sandbox/seed", json=body, timeout=300)
        assert response.status_code == 201, response.text
        yield sandbox, truth
