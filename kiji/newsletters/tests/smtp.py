"""A real SMTP server on loopback (aiosmtpd) that keeps every message it receives, parsed."""

import email
import email.policy
import socket

from aiosmtpd.controller import Controller


class _Handler:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 OK"


class LocalSMTP:
    def __init__(self):
        self.handler = _Handler()
        with socket.socket() as probe:  # a free port (the controller checks it can connect, so not 0)
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def messages(self):
        return self.handler.messages

    def settings(self) -> dict:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": False,
        }

    def stop(self):
        self.controller.stop()
