"""The pluggable authentication hook.

The request interceptor asks the configured :class:`Authenticator` for the principal of every call
before the handler runs. The default, :class:`OpenAccess`, admits everyone as ``anonymous`` and is
only for development: the server logs that it runs open. Real authenticators (JWT, API keys) and the
permission table belong to the security issue and plug in here without touching handlers.
"""

from __future__ import annotations

import contextvars
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Principal:
    """Who is calling: a subject name and the roles it holds."""

    subject: str
    roles: frozenset[str] = field(default_factory=frozenset)
    #: The original user when a service acts on a user's behalf.
    on_behalf_of: str | None = None


ANONYMOUS = Principal("anonymous", frozenset({"admin"}))

_current: contextvars.ContextVar[Principal] = contextvars.ContextVar("sextant_principal", default=ANONYMOUS)


class Authenticator(Protocol):
    """Turns a call's metadata into a principal or raises ``Unauthenticated``."""

    #: False when the authenticator admits unauthenticated calls (development mode).
    enforcing: bool

    def authenticate(self, method: str, metadata: Mapping[str, str]) -> Principal:
        """The principal of a call to ``method`` carrying ``metadata``."""
        ...


class OpenAccess:
    """Development mode: every call is the anonymous principal. Never use in production."""

    enforcing = False

    def authenticate(self, method: str, metadata: Mapping[str, str]) -> Principal:
        """Admit the call; a caller may still name itself with ``x-sextant-principal`` for the logs."""
        subject = metadata.get("x-sextant-principal")
        return Principal(subject, ANONYMOUS.roles) if subject else ANONYMOUS


def authenticator_for(mode: str) -> Authenticator:
    """The authenticator for a settings ``auth_mode``."""
    if mode == "none":
        return OpenAccess()
    raise ValueError(f"unknown auth mode {mode!r}")


def current_principal() -> Principal:
    """The principal of the request being handled on this thread."""
    return _current.get()


def set_current_principal(principal: Principal) -> contextvars.Token[Principal]:
    """Bind the principal for the rest of the request; returns the token to reset it."""
    return _current.set(principal)


def reset_current_principal(token: contextvars.Token[Principal]) -> None:
    """Undo :func:`set_current_principal`."""
    _current.reset(token)
