"""A real SMTP server on the loopback (aiosmtpd) that a test can stop and start again on the same port,
and the settings that send Django's mail to it."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalSmtpServer:
    """Collects what it receives; `stop()` closes the port (connections are refused), `start()` opens it."""

    def __init__(self):
        self.port = free_port()
        self.received: list[email.message.EmailMessage] = []
        self._controller = None

    async def handle_DATA(self, server, session, envelope):
        self.received.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def use_in(self, settings) -> None:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", self.port
        settings.EMAIL_TIMEOUT = 5

    def recipients(self) -> list[str]:
        return sorted(a.addr_spec for message in self.received for a in message["To"].addresses)


@pytest.fixture
def smtp_server(settings):
    """A local SMTP server, not yet started, that Django's mail is sent to; stopped after the test."""
    server = LocalSmtpServer()
    server.use_in(settings)
    yield server
    server.stop()
