"""A long native sync run must not freeze the API (it writes in short transactions)."""

import threading

import httpx

from tests.sandbox_process import SandboxProcess

IN_ORG = "20000002"
SIZE = 20_000  # a run of several write chunks


def _run_status(sandbox: SandboxProcess, run_id: int) -> str:
    runs = sandbox.client.get("/_sandbox/native/runs", params={"books_org": IN_ORG}).json()
    return next(r["status"] for r in runs["runs"] if r["id"] == run_id)


def _latest_run_id(sandbox: SandboxProcess) -> int:
    runs = sandbox.client.get("/_sandbox/native/runs", params={"books_org": IN_ORG}).json()
    return runs["runs"][0]["id"]


def test_api_writes_are_answered_while_a_native_run_is_still_running(
    clean_sandbox: SandboxProcess,
) -> None:
    sandbox = clean_sandbox
    seeded = sandbox.client.post("/_sandbox/seed", json={"size": SIZE, "org": "in"}, timeout=300)
    assert seeded.status_code == 201, seeded.text
    sandbox.knobs(books_per_minute=100_000, books_concurrency=500)
    headers = sandbox.auth("admin@zylker.test", ["ZohoBooks.fullaccess.all"])
    for action in ("disconnect", "connect"):  # the next run re-pairs every customer
        sandbox.client.post(f"/_sandbox/native/{action}", json={"books_org": IN_ORG})
    before = _latest_run_id(sandbox)
    finished = threading.Event()

    def run() -> None:
        sandbox.client.post("/_sandbox/native/run", json={"books_org": IN_ORG}, timeout=300)
        finished.set()

    threading.Thread(target=run, daemon=True).start()
    while _latest_run_id(sandbox) == before:
        pass
    run_id = _latest_run_id(sandbox)
    answered_mid_run = 0
    for i in range(200):  # bounded; stops as soon as the run is over
        if finished.is_set():
            break
        response = httpx.post(
            f"{sandbox.base_url}/books/v3/contacts",
            params={"organization_id": IN_ORG},
            headers=headers,
            json={
                "contact_name": f"Mid-run {i}",
                "gst_treatment": "business_none",
                "place_of_contact": "TN",
            },
            timeout=60,
        )
        assert response.status_code == 201, response.text
        # a run holding the write lock throughout would only let this through after it
        answered_mid_run += _run_status(sandbox, run_id) == "running"
    finished.wait(300)
    assert _run_status(sandbox, run_id) == "done"
    assert answered_mid_run >= 1
