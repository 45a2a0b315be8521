"""Logs: one JSON object per line, each carrying the id of the request it belongs to.

What is logged is chosen to hold no key and no personal data: requests by route template (not
their paths or queries, which name workers), and by key id, never key or holder name.
"""

import logging
import logging.config
from contextvars import ContextVar
from typing import Any

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


class RequestId(logging.Filter):
    """Puts the current request's id (None outside requests) on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def config(level: str) -> dict[str, Any]:
    """A logging configuration for the server and uvicorn alike (uvicorn's `log_config`)."""
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "json",
        "filters": ["request_id"],
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestId}},
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
                "timestamp": False,
            }
        },
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": level.upper()},
        # uvicorn's own: started, stopped, errors. Its access log is replaced by ours.
        "loggers": {
            "uvicorn": {"handlers": [], "level": level.upper(), "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }


def configure(level: str) -> None:
    logging.config.dictConfig(config(level))
