"""Use cases of access: keys are created, listed and revoked; requests and sign-ins identified.

Every request is identified, so the active keys are held in memory and read again from the
database every KEY_CACHE_S: a key revoked by another process (or `floorpulse keys revoke`) stops
working within that time. Sessions are cached the same way.
"""

import secrets
import threading
import time
from typing import Any

from cachetools import TTLCache

from floorpulse.access import repository
from floorpulse.access.keys import Principal, Scope, digest, new_key, shown
from floorpulse.access.schemas import KeyCreated, KeyIn, KeyOut
from floorpulse.clock import Clock, utc_now
from floorpulse.db.engine import Database
from floorpulse.db.epoch import from_epoch_us, to_epoch_us
from floorpulse.errors import Forbidden, NotFound, Unauthorized
from floorpulse.privacy.lens import View

KEY_CACHE_S = 5.0
SESSIONS_KEPT = 10_000  # sessions looked up lately, known or not; a flood of made-up cookies
# then costs a database lookup each, never memory.
NO_SESSION = (-1, 0)


class Access:
    def __init__(self, db: Database, session_hours: float, clock: Clock = utc_now) -> None:
        self.db = db
        self.session_hours = session_hours
        self.clock = clock
        self._holders: dict[str, Principal] = {}  # by key digest
        self._by_id: dict[int, Principal] = {}
        self._loaded_at = -float("inf")
        self._loading = threading.Lock()
        # session digest -> (key id, end); NO_SESSION for one the database does not hold
        self._sessions: TTLCache[str, tuple[int, int]] = TTLCache(SESSIONS_KEPT, KEY_CACHE_S)

    def create(self, wanted: KeyIn) -> KeyCreated:
        """A new key; the answer holds the key itself, which is never shown again."""
        secret = new_key()
        row = {
            "name": wanted.name,
            "scope": wanted.scope.value,
            "view": wanted.view.value,
            "prefix": shown(secret),
            "digest": digest(secret),
            "created_us": self._now_us(),
            "revoked_us": None,
        }
        with self.db.write() as conn:
            key_id = repository.insert_key(conn, row)
        self.refresh(force=True)
        return KeyCreated(key=secret, **_out(row | {"id": key_id}).model_dump())

    def replace(self, wanted: KeyIn) -> KeyCreated:
        """A new key in place of the active ones of the same name (a program's own key, minted
        at each start, since only its digest was kept)."""
        now_us = self._now_us()
        with self.db.write() as conn:
            for key in repository.all_keys(conn):
                if key.name == wanted.name and key.revoked_us is None:
                    repository.revoke(conn, key.id, now_us)
        self._sessions.clear()
        return self.create(wanted)  # which reads the keys again, once

    def listed(self) -> list[KeyOut]:
        with self.db.read() as conn:
            return [_out(row._mapping) for row in repository.all_keys(conn)]

    def revoke(self, key_id: int) -> KeyOut:
        """Revoke a key and end its sessions; revoking it again changes nothing."""
        with self.db.write() as conn:
            repository.revoke(conn, key_id, self._now_us())
            row = repository.get_key(conn, key_id)
        if row is None:
            raise NotFound(f"no API key has id {key_id}; `floorpulse keys list` shows them")
        self.refresh(force=True)
        self._sessions.clear()
        return _out(row._mapping)

    def fresh(self) -> bool:
        return time.monotonic() - self._loaded_at < KEY_CACHE_S

    def refresh(self, *, force: bool = False) -> None:
        """Read the active keys again (one caller at a time; the others then find them fresh)."""
        with self._loading:
            if self.fresh() and not force:
                return
            with self.db.read() as conn:
                rows = repository.active_keys(conn)
            holders = {row.digest: _holder(row) for row in rows}
            self._holders = holders
            self._by_id = {p.key_id: p for p in holders.values() if p.key_id is not None}
            self._loaded_at = time.monotonic()

    def any_keys(self) -> bool:
        """Whether any key is active (as of the last refresh)."""
        return bool(self._holders)

    def holder(self, secret: str) -> Principal | None:
        return self._holders.get(digest(secret))

    def session_known(self, token: str) -> bool:
        return digest(token) in self._sessions

    def load_session(self, token: str) -> None:
        with self.db.read() as conn:
            found = repository.session(conn, digest(token))
        self._sessions[digest(token)] = NO_SESSION if found is None else found

    def signed_in(self, token: str) -> Principal | None:
        """Who holds a session the cache knows; None if it is unknown, ended or its key revoked."""
        key_id, ends_us = self._sessions.get(digest(token), NO_SESSION)
        return self._by_id.get(key_id) if self._now_us() < ends_us else None

    def sign_in(self, secret: str) -> str:
        """Open a dashboard session with a read or admin key; answer the session's token."""
        self.refresh()
        principal = self.holder(secret.strip())
        if principal is None or principal.key_id is None:
            raise Unauthorized("that key is not valid: mistyped, or revoked")
        if not principal.may(Scope.READ):
            raise Forbidden(f"an {principal.scope} key cannot open the dashboard; use a read key")
        token = secrets.token_urlsafe(32)
        now_us = self._now_us()
        ends_us = now_us + round(self.session_hours * 3600 * 1_000_000)
        session = {"digest": digest(token), "key_id": principal.key_id}
        with self.db.write() as conn:
            repository.delete_expired_sessions(conn, now_us)
            repository.insert_session(conn, session | {"created_us": now_us, "expires_us": ends_us})
        return token

    def sign_out(self, token: str) -> None:
        with self.db.write() as conn:
            repository.delete_session(conn, digest(token))
        self._sessions.pop(digest(token), None)

    def _now_us(self) -> int:
        return to_epoch_us(self.clock())


def _holder(row: Any) -> Principal:
    return Principal(row.name, Scope(row.scope), row.id, View(row.view))


def _out(row: Any) -> KeyOut:
    def when(epoch_us: int | None) -> Any:
        return None if epoch_us is None else from_epoch_us(epoch_us)

    return KeyOut(
        id=row["id"],
        name=row["name"],
        scope=Scope(row["scope"]),
        prefix=row["prefix"],
        view=View(row["view"]),
        created=when(row["created_us"]),
        revoked=when(row["revoked_us"]),
    )
