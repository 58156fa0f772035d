"""An email backend for benchmarks: sends nothing, and records when each message was handed to it.

One line per message, `<delivery id>,<epoch seconds>`, appended to the file named by settings.BENCH_EMAIL_LOG
(env BENCH_EMAIL_LOG). Every line is one write() on a file opened O_APPEND, so lines from several worker
processes never interleave. The delivery id comes from the X-Reachable-Delivery header that
safeguarding/deadlines/delivery.py puts on every message."""

import os
import time
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


class RecordingEmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.path = getattr(settings, "BENCH_EMAIL_LOG", None) or os.environ.get("BENCH_EMAIL_LOG")
        if not self.path:
            raise ImproperlyConfigured("RecordingEmailBackend needs BENCH_EMAIL_LOG (a file path).")

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        handed_at = time.time()
        lines = []
        for message in email_messages:
            delivery = message.extra_headers.get("X-Reachable-Delivery", "")
            # Render the message as a real backend would, so the benchmark pays what sending costs in Python.
            message.message().as_bytes()
            lines.append(f"{delivery},{handed_at:.6f}\n")
        if lines:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, "".join(lines).encode())
            finally:
                os.close(fd)
        return len(lines)
