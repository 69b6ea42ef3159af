"""Structured logging: structlog writing one JSON object per line.

Request-scoped fields (request id, peer, principal, method, and model/version where a service binds
them) live in one context variable, bound by the request interceptor, so every line a request writes carries
them without passing a logger around.
"""

from __future__ import annotations

import contextvars
import logging
import sys

import structlog

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


def configure_logging(service: str, level: str = "info", fmt: str = "json") -> None:
    """Configure structlog (and the stdlib root logger) for one service process."""
    numeric = _LEVELS[level]
    renderer = (structlog.processors.JSONRenderer() if fmt == "json"
                else structlog.dev.ConsoleRenderer(colors=False))
    structlog.configure(
        processors=[
            _merge_request,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=numeric, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")
    _REQUEST.set(None)
    global _SERVICE
    _SERVICE = service


_SERVICE = "sextant"


def get_logger(name: str | None = None) -> structlog.typing.FilteringBoundLogger:
    """A logger bound to the process's service name (and ``component`` when given)."""
    logger = structlog.get_logger().bind(service=_SERVICE)
    return logger.bind(component=name) if name else logger


#: The current request's fields: one context variable holding a dict (structlog's own contextvars
#: keep one variable per key, and clearing them walks the whole context, on every call).
_REQUEST: contextvars.ContextVar[dict[str, object] | None] = contextvars.ContextVar("sextant_log_request",
                                                                                    default=None)


def _merge_request(_logger: object, _method: str, event: dict[str, object]) -> dict[str, object]:
    fields = _REQUEST.get()
    if fields:
        for key, value in fields.items():
            event.setdefault(key, value)
    return event


def bind_request(**fields: object) -> None:
    """Bind fields (request_id, peer, principal, model, version…) to the current request's context."""
    current = _REQUEST.get()
    # A new dict each time: a context copied earlier (a thread started by the request) keeps its own.
    _REQUEST.set({**current, **fields} if current else fields)


def clear_request() -> None:
    """Forget every request-scoped field (called when a request ends)."""
    _REQUEST.set(None)
