"""Log lines: readable text in development, one JSON object per line in production (KIJI_LOG_FORMAT=json).

Each JSON line holds time (UTC, ISO 8601), level, logger, message, the request id of the request being
answered (kiji.ops.monitoring sets it), and path, status and duration_ms where the line carries them
(the `kiji.request` line does), plus the exception's traceback when there is one.
"""

import contextvars
import json
import logging
from datetime import UTC, datetime

request_id = contextvars.ContextVar("request_id", default="")
FIELDS = ("path", "status", "duration_ms")


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id.get() or None,
        }
        line.update({name: getattr(record, name) for name in FIELDS if hasattr(record, name)})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)
