"""Real receivers on 127.0.0.1 for delivery tests: a webhook server and an SMTP server.

Shared by the delivery, ops and shell tests (`from receivers import ...`; tests/ is on sys.path).
"""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from collections.abc import Callable
from email.message import Message as EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class WebhookReceiver:
    """Threaded HTTP server answering a script of behaviours: 200, 429, 500, 404, "hang".

    `received` is set when a request has been answered; `on_post` (when set) runs
    before each answer, e.g. to move a test's clock.
    """

    def __init__(self) -> None:
        self.script: list[object] = []
        self.bodies: list[bytes] = []
        self.paths: list[str] = []
        self.answers: list[tuple[str, int]] = []  # (path, status) of completed requests
        self.release = threading.Event()
        self.received = threading.Event()
        self.on_post: Callable[[], None] | None = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                action = receiver.script.pop(0) if receiver.script else 200
                if action == "hang":
                    receiver.release.wait(30)
                    action = 200
                else:
                    receiver.bodies.append(body)
                    receiver.paths.append(self.path)
                    receiver.answers.append((self.path, int(action)))  # type: ignore[call-overload]
                if receiver.on_post is not None:
                    receiver.on_post()
                self.send_response(int(action))  # type: ignore[call-overload]
                if action == 429:
                    self.send_header("Retry-After", "17")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
                receiver.received.set()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"json://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpReceiver:
    """aiosmtpd in a thread; handle_DATA follows a script: accept, "451", "554", "hang".

    "hang" accepts the message data and never answers (until `release` or 30 s).
    """

    def __init__(self, password: str | None = None) -> None:
        self.script: list[str] = []
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.release = threading.Event()
        self.hanging = threading.Event()  # set once a "hang" has begun
        receiver = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
                action = receiver.script.pop(0) if receiver.script else "accept"
                if action == "hang":
                    receiver.hanging.set()
                    await asyncio.get_running_loop().run_in_executor(
                        None, receiver.release.wait, 30)
                    return "451 4.4.2 gave up"
                if action == "451":
                    return "451 4.3.0 mailbox busy, try later"
                if action == "554":
                    return "554 5.7.1 message rejected"
                receiver.raw.append(envelope.content)
                receiver.messages.append(email.message_from_bytes(envelope.content))
                return "250 OK"

        def authenticator(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
            return AuthResult(success=auth_data.password == (password or "").encode())

        extra = {"authenticator": authenticator, "auth_require_tls": False} if password else {}
        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **extra)
        self.controller.start()

    def url(self, user: str = "", password: str = "") -> str:
        cred = f"{user}:{password}@" if user else ""
        return (f"mailto://{cred}127.0.0.1:{self.port}?mode=insecure"
                "&from=monitor@example.org&to=analyst@example.org")

    def close(self) -> None:
        self.release.set()
        self.controller.stop()
