"""A connection the server drops under a request, over a real socket: an idempotent
request is sent once more, anything else fails as a transient network error, once."""

import socket
import struct
import threading
from collections.abc import Iterator

import pytest

from syncadmin.zoho import new_http_client
from syncadmin.zoho.errors import ZohoError
from syncadmin.zoho.http import send

ANSWER = (
    b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"code": 0}'
)


class DroppingServer:
    """Resets the connection of the first request it reads, answers every later one."""

    def __init__(self) -> None:
        self.requests: list[bytes] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/books/v3/contacts"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:  # closed by the test
                return
            with conn:
                self.requests.append(conn.recv(65536).split(b"\r\n", 1)[0])
                if len(self.requests) == 1:  # RST instead of an answer
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                else:
                    conn.sendall(ANSWER)


@pytest.fixture
def server() -> Iterator[DroppingServer]:
    server = DroppingServer()
    yield server
    server.sock.close()


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_an_idempotent_request_on_a_dropped_connection_is_sent_once_more(server, method):
    with new_http_client(timeout=5) as http:
        response = send(http, method, server.url)

    assert response.json() == {"code": 0}
    assert [line.split(b" ")[0] for line in server.requests] == [method.encode()] * 2


def test_a_post_on_a_dropped_connection_fails_as_a_network_error_and_is_not_repeated(
    server,
):
    with new_http_client(timeout=5) as http, pytest.raises(ZohoError) as caught:
        send(http, "POST", server.url, json={"contact_name": "Acme Ltd"})

    assert caught.value.reason.code == "network_error" and caught.value.transient
    assert len(server.requests) == 1
