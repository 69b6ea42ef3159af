"""Who is calling: credentials in, a :class:`Principal` out.

The request interceptor asks the configured :class:`Authenticator` for the principal of every call
before the handler runs, then checks the permission table (:mod:`services.common.permissions`).

Two authenticators exist, chosen by the ``auth_mode`` setting:

- :class:`OpenAccess` (``none``, the embedded default) admits everyone as ``anonymous`` with every
  role; the server says so in its log at start. Development only.
- :class:`CredentialAuthenticator` (``enforce``) requires ``authorization: Bearer <credential>`` on
  every call, where the credential is either a static API key (``sxk_…``, for service accounts,
  stored only as its sha256) or a signed JWT (HS256 with a shared secret or RS256 with a public key;
  issuer, audience, expiry and not-before checked within a bounded clock skew). Verified credentials
  are cached by their sha256 until they expire, so a repeated credential costs one hash and one
  dictionary lookup.

A service calling another on a user's behalf authenticates as itself (role ``service``) and names
the user in ``x-sextant-on-behalf-of``; only ``service`` principals may do that. The resulting
principal's ``subject`` is the user (what handlers record in decision logs, alias history and audit),
its roles and scopes are the calling service's (what the permission table checks) and ``via`` names
the service.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from services.common.errors import PermissionDenied, Unauthenticated

if TYPE_CHECKING:
    from services.common.settings import ServiceSettings

#: Every role a principal may hold.
ROLES = ("data-engineer", "data-scientist", "ml-engineer", "viewer", "admin", "service")
#: The scope an API key or token needs to call the prediction RPCs.
PREDICT_SCOPE = "predict"

AUTHORIZATION_HEADER = "authorization"
ON_BEHALF_OF_HEADER = "x-sextant-on-behalf-of"
#: Development mode only: lets a caller name itself for the logs.
DEV_PRINCIPAL_HEADER = "x-sextant-principal"
API_KEY_PREFIX = "sxk_"


@dataclass(frozen=True)
class Principal:
    """Who a call is for, and what the authenticated credential may do."""

    #: The user the call is for: the caller itself, or the user a service relays.
    subject: str
    #: Roles of the authenticated credential.
    roles: frozenset[str] = field(default_factory=frozenset)
    #: Scopes of the authenticated credential (``predict``).
    scopes: frozenset[str] = field(default_factory=frozenset)
    #: The service that relays the call on ``subject``'s behalf, if any.
    via: str | None = None

    @property
    def on_behalf_of(self) -> str | None:
        """The original user when a service acts on a user's behalf, else None."""
        return self.subject if self.via else None

    def acting_for(self, user: str) -> Principal:
        """This (service) principal relaying a call for ``user``."""
        return Principal(user, self.roles, self.scopes, via=self.subject)


ANONYMOUS = Principal("anonymous", frozenset({"admin"}), frozenset({PREDICT_SCOPE}))

_current: contextvars.ContextVar[Principal] = contextvars.ContextVar("sextant_principal", default=ANONYMOUS)


class RelayRefused(PermissionDenied):
    """A caller without the ``service`` role named another user to act for; carries who tried."""

    def __init__(self, principal: Principal) -> None:
        super().__init__(f"{principal.subject!r} may not act on behalf of another principal (needs role service)",
                         reason="ON_BEHALF_OF_NOT_ALLOWED",
                         metadata={"principal": principal.subject, "required_role": "service"})
        self.principal = principal


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
        """Admit the call; a caller may still name itself (or the user it relays) for the records."""
        subject = metadata.get(ON_BEHALF_OF_HEADER) or metadata.get(DEV_PRINCIPAL_HEADER)
        return Principal(subject, ANONYMOUS.roles, ANONYMOUS.scopes) if subject else ANONYMOUS


@dataclass(frozen=True)
class ApiKey:
    """One service-account key as configured: its holder, roles, scopes and the sha256 of the key."""

    name: str
    roles: frozenset[str]
    scopes: frozenset[str]
    sha256: str


def credential_digest(credential: str) -> str:
    """The sha256 hex digest under which an API key is stored."""
    return hashlib.sha256(credential.encode()).hexdigest()


def new_api_key() -> tuple[str, str]:
    """A fresh API key and the digest to put in ``api_keys_file`` (hand out the key, store the digest)."""
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    return key, credential_digest(key)


def load_api_keys(path: str) -> dict[str, ApiKey]:
    """API keys from a JSON file ``{"keys": [{"name", "roles", "scopes", "sha256"}]}``, by digest."""
    try:
        document = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot read API keys from {path}: {error}") from None
    entries = document.get("keys") if isinstance(document, dict) else document
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a list of keys under \"keys\"")
    keys: dict[str, ApiKey] = {}
    for position, entry in enumerate(entries):
        try:
            key = ApiKey(str(entry["name"]), frozenset(entry.get("roles", ())), frozenset(entry.get("scopes", ())),
                         str(entry["sha256"]).lower())
        except (KeyError, TypeError):
            raise ValueError(f"{path}: key #{position} needs \"name\" and \"sha256\"") from None
        unknown = key.roles - set(ROLES)
        if unknown:
            raise ValueError(f"{path}: key {key.name!r} has unknown roles {sorted(unknown)}")
        if len(key.sha256) != 64:
            raise ValueError(f"{path}: key {key.name!r}: sha256 must be 64 hex digits")
        keys[key.sha256] = key
    return keys


class _VerifiedCache:
    """Principals of verified credentials by digest, each until its expiry; bounded in size."""

    def __init__(self, capacity: int = 4096) -> None:
        self._capacity = capacity
        self._entries: dict[bytes, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    def get(self, digest: bytes, now: float) -> Principal | None:
        found = self._entries.get(digest)
        if found is None:
            return None
        if found[1] <= now:
            self._entries.pop(digest, None)
            return None
        return found[0]

    def put(self, digest: bytes, principal: Principal, expires: float) -> None:
        with self._lock:
            if len(self._entries) >= self._capacity:
                # Drop the oldest half (dicts keep insertion order): cheap and keeps hot entries likely.
                for stale in list(self._entries)[: self._capacity // 2]:
                    self._entries.pop(stale, None)
            self._entries[digest] = (principal, expires)


class CredentialAuthenticator:
    """``auth_mode=enforce``: a valid API key or JWT on every call."""

    enforcing = True

    def __init__(self, *, api_keys: Mapping[str, ApiKey] | None = None, jwt_secret: bytes | None = None,
                 jwt_public_key: bytes | None = None, issuer: str = "sextant", audience: str = "sextant",
                 leeway_seconds: int = 30, cache_size: int = 4096) -> None:
        self._api_keys = dict(api_keys or {})
        self._keys_by_algorithm: dict[str, Any] = {}
        if jwt_secret:
            self._keys_by_algorithm["HS256"] = jwt_secret
        if jwt_public_key:
            from cryptography.hazmat.primitives.serialization import load_pem_public_key
            self._keys_by_algorithm["RS256"] = load_pem_public_key(jwt_public_key)
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_seconds
        self._cache = _VerifiedCache(cache_size)

    def authenticate(self, method: str, metadata: Mapping[str, str]) -> Principal:
        """The principal of the call's credential (relaying a user for ``service`` principals)."""
        principal = self._credential_principal(metadata.get(AUTHORIZATION_HEADER))
        user = metadata.get(ON_BEHALF_OF_HEADER)
        if user and user != principal.subject:
            if "service" not in principal.roles:
                raise RelayRefused(principal)
            return principal.acting_for(user)
        return principal

    def _credential_principal(self, header: str | None) -> Principal:
        if not header:
            raise Unauthenticated("the call carries no credential: send `authorization: Bearer <token or API key>`",
                                  reason="CREDENTIAL_MISSING")
        scheme, _, credential = header.partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential:
            raise Unauthenticated("the authorization header must be `Bearer <token or API key>`",
                                  reason="CREDENTIAL_MALFORMED")
        hashed = hashlib.sha256(credential.encode())
        digest = hashed.digest()
        cached = self._cache.get(digest, time.time())
        if cached is not None:
            return cached
        if credential.startswith(API_KEY_PREFIX):
            key = self._api_keys.get(hashed.hexdigest())
            if key is None:
                raise Unauthenticated("unknown API key", reason="API_KEY_UNKNOWN")
            principal = Principal(key.name, key.roles, key.scopes)
            self._cache.put(digest, principal, float("inf"))
            return principal
        principal, expires = self._verify_jwt(credential)
        self._cache.put(digest, principal, expires)
        return principal

    def _verify_jwt(self, token: str) -> tuple[Principal, float]:
        import jwt

        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
        except jwt.PyJWTError:
            raise Unauthenticated("the credential is neither an API key nor a JWT", reason="TOKEN_MALFORMED") from None
        if not isinstance(algorithm, str):
            raise Unauthenticated("the token's header names no signing algorithm", reason="TOKEN_MALFORMED")
        key = self._keys_by_algorithm.get(algorithm)
        if key is None:
            raise Unauthenticated(f"tokens signed with {algorithm!r} are not accepted",
                                  reason="TOKEN_ALGORITHM_NOT_ALLOWED",
                                  metadata={"algorithm": str(algorithm),
                                            "accepted": ",".join(sorted(self._keys_by_algorithm))})
        try:
            claims = jwt.decode(token, key, algorithms=[algorithm], audience=self._audience, issuer=self._issuer,
                                leeway=self._leeway, options={"require": ["exp", "iss", "aud", "sub"]})
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("the token has expired", reason="TOKEN_EXPIRED") from None
        except jwt.ImmatureSignatureError:
            raise Unauthenticated("the token is not valid yet", reason="TOKEN_NOT_YET_VALID") from None
        except jwt.InvalidAudienceError:
            raise Unauthenticated(f"the token is not meant for audience {self._audience!r}",
                                  reason="TOKEN_WRONG_AUDIENCE", metadata={"audience": self._audience}) from None
        except jwt.InvalidIssuerError:
            raise Unauthenticated(f"the token was not issued by {self._issuer!r}",
                                  reason="TOKEN_WRONG_ISSUER", metadata={"issuer": self._issuer}) from None
        except jwt.InvalidSignatureError:
            raise Unauthenticated("the token's signature does not verify", reason="TOKEN_BAD_SIGNATURE") from None
        except jwt.MissingRequiredClaimError as error:
            raise Unauthenticated(f"the token lacks the {error.claim!r} claim", reason="TOKEN_CLAIM_MISSING",
                                  metadata={"claim": error.claim}) from None
        except jwt.PyJWTError:
            raise Unauthenticated("the token is malformed", reason="TOKEN_MALFORMED") from None
        return _token_principal(claims), float(claims["exp"]) + self._leeway


def _token_principal(claims: Mapping[str, Any]) -> Principal:
    """Subject, ``roles`` (a list) and ``scope`` (space separated, RFC 8693) or ``scopes`` of a token."""
    roles = claims.get("roles", ())
    scopes = claims.get("scope", "")
    scopes = scopes.split() if isinstance(scopes, str) else scopes
    extra = claims.get("scopes", ())
    if not isinstance(roles, (list, tuple)) or not isinstance(scopes, (list, tuple)) \
            or not isinstance(extra, (list, tuple)):
        raise Unauthenticated("the token's roles and scopes must be lists", reason="TOKEN_CLAIM_INVALID")
    return Principal(str(claims["sub"]), frozenset(map(str, roles)) & set(ROLES),
                     frozenset(map(str, (*scopes, *extra))))


def _read_secret(path: str) -> bytes:
    return Path(path).read_bytes().strip()


def authenticator_for(settings: ServiceSettings) -> Authenticator:
    """The authenticator the settings ask for; ``ValueError`` when enforcing without any credential source."""
    if settings.auth_mode == "none":
        return OpenAccess()
    if settings.auth_mode != "enforce":
        raise ValueError(f"unknown auth mode {settings.auth_mode!r}")
    if not (settings.jwt_secret_file or settings.jwt_public_key_file or settings.api_keys_file):
        raise ValueError("auth_mode=enforce needs jwt_secret_file, jwt_public_key_file or api_keys_file")
    try:
        return CredentialAuthenticator(
            api_keys=load_api_keys(settings.api_keys_file) if settings.api_keys_file else None,
            jwt_secret=_read_secret(settings.jwt_secret_file) if settings.jwt_secret_file else None,
            jwt_public_key=Path(settings.jwt_public_key_file).read_bytes() if settings.jwt_public_key_file else None,
            issuer=settings.jwt_issuer, audience=settings.jwt_audience, leeway_seconds=settings.jwt_leeway_seconds)
    except OSError as error:
        raise ValueError(f"cannot read a credential file: {error}") from None


def read_service_credential(path: str) -> str | None:
    """The token or API key a service presents to its peers, from ``service_credential_file``."""
    if not path:
        return None
    credential = Path(path).read_text().strip()
    return credential or None


def current_principal() -> Principal:
    """The principal of the request being handled on this thread."""
    return _current.get()


def set_current_principal(principal: Principal) -> contextvars.Token[Principal]:
    """Bind the principal for the rest of the request; returns the token to reset it."""
    return _current.set(principal)


def reset_current_principal(token: contextvars.Token[Principal]) -> None:
    """Undo :func:`set_current_principal`."""
    _current.reset(token)


@contextmanager
def acting_as(subject: str) -> Iterator[Principal]:
    """Background work done for a user (a training job): peers called inside see ``subject`` as the user."""
    principal = Principal(subject, ANONYMOUS.roles, ANONYMOUS.scopes) if subject else current_principal()
    token = _current.set(principal)
    try:
        yield principal
    finally:
        _current.reset(token)
