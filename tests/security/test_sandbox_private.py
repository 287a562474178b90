"""Point 8 of issue 11: the Zoho sandbox stays private.

These failed before the fix: the sandbox answered any Host header (ALLOWED_HOSTS "*"),
listened wherever it was told, and compose published it on every interface by default.
"""

import os
import subprocess
import sys

import pytest

from tests.security.conftest import REPO_DIR


def serve(addrport: str, tmp_path, **env: str) -> subprocess.CompletedProcess:
    environment = {
        **{k: v for k, v in os.environ.items() if k != "SANDBOX_ALLOW_PUBLIC_BIND"},
        "SANDBOX_DATABASE_URL": f"sqlite:///{tmp_path / 'sandbox.sqlite3'}",
        **env,
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "syncadmin.sandbox", "serve", addrport],
        cwd=REPO_DIR, env=environment, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.mark.parametrize("addrport", ["0.0.0.0:18100", "[::]:18100", "192.0.2.10:18100"])
def test_sandbox_refuses_a_non_loopback_bind(addrport, tmp_path):
    result = serve(addrport, tmp_path)
    assert result.returncode != 0
    assert "SANDBOX_ALLOW_PUBLIC_BIND" in result.stderr


def test_sandbox_answers_only_loopback_host_names(zoho_sandbox):
    assert zoho_sandbox.client.get("/_sandbox/health").status_code == 200
    for host in ("localhost", "127.0.0.1", "[::1]"):
        answer = zoho_sandbox.client.get("/_sandbox/health", headers={"Host": host})
        assert answer.status_code == 200, host
    rebound = zoho_sandbox.client.get("/_sandbox/health", headers={"Host": "attacker.example"})
    assert rebound.status_code == 400


def test_compose_runs_the_sandbox_only_on_request_and_on_loopback():
    compose = (REPO_DIR / "docker-compose.yml").read_text()
    sandbox = compose[compose.index("\n  sandbox:") :]
    sandbox = sandbox[: sandbox.index("\nvolumes:")]
    assert "profiles: [sandbox]" in sandbox
    assert 'ports: ["127.0.0.1:8100:8100"]' in sandbox
