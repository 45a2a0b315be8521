"""API keys and who holds them: pure rules, no I/O.

A key is 32 random bytes, so a plain SHA-256 digest is enough to store it: there is nothing to
guess by brute force, unlike a password, and checking a request costs one hash, not a slow KDF.
"""

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass
from enum import StrEnum

from floorpulse.privacy.lens import View

KEY_PREFIX = "fpk_"
SHOWN_CHARS = 12  # of a key, in lists: "fpk_3kQ9xZ1a", enough to tell keys apart


class Scope(StrEnum):
    """What a key may do: send events, read figures, or everything (admin)."""

    INGEST = "ingest"
    READ = "read"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """Who a request comes from: a key's holder, or anyone on this machine while no key exists."""

    name: str
    scope: Scope
    key_id: int | None = None
    view: View = View.NAMED  # what it sees of individual workers

    def may(self, needed: Scope) -> bool:
        return self.scope in (needed, Scope.ADMIN)


# With no key at all, the server answers loopback only, and this machine may do anything.
THIS_MACHINE = Principal("this machine", Scope.ADMIN)


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def shown(secret: str) -> str:
    return secret[:SHOWN_CHARS]


def is_loopback(host: str | None) -> bool:
    """Whether an address (a client's, or one to bind) is this machine only."""
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
