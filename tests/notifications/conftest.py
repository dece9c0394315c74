"""A local HTTP server that receives apprise json:// posts (127.0.0.1 only), and a second office user."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from rectify.accounts.roles import Role
from tests.conftest import make_user


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        self.server.received.append(json.loads(self.rfile.read(length) or b"{}"))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    """``json://127.0.0.1:PORT/hook``; ``.received`` holds the posted bodies."""
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"json://127.0.0.1:{server.server_port}/hook"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port_url():
    """A json:// URL on a loopback port nobody listens on: the connection is refused."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"json://127.0.0.1:{port}/hook"


@pytest.fixture
def second_office_user(db):
    return make_user("office2", Role.DISCIPLINE_OFFICE, is_staff=True)
