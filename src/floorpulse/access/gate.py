"""Who may connect, and who is asking: pure ASGI middleware in front of the API and dashboard.

While no API key exists the server answers this machine only (loopback). Once one exists, every
request but the public ones carries a key (`Authorization: Bearer`, `X-API-Key`) or a dashboard
session cookie. The route's own dependency (`requires`) then checks the key's scope; the
dashboard, whose routes Dash registers, needs a read key here.
"""

import asyncio
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from urllib.parse import quote

from starlette.datastructures import Headers
from starlette.requests import Request, cookie_parser
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketClose

from floorpulse.access.keys import THIS_MACHINE, Principal, is_loopback
from floorpulse.access.keys import Scope as KeyScope
from floorpulse.access.service import Access
from floorpulse.access.throttle import Throttle
from floorpulse.errors import FloorPulseError, Forbidden, Unauthorized, problem_response
from floorpulse.privacy.lens import View

SESSION_COOKIE = "floorpulse_session"
SIGN_IN_PATH = "/signin"
# Probes, the sign-in page, the docs and the dashboard's static files: they show nothing stored.
PUBLIC = ("/health", SIGN_IN_PATH, "/signout", "/docs", "/redoc", "/openapi.json")
PUBLIC_PREFIXES = ("/health/", "/assets/", "/_dash-component-suites/", "/_favicon.ico")
API_PREFIXES = ("/api/", "/metrics")

NO_KEYS_YET = (
    "FloorPulse has no API keys yet, so it answers only this machine (loopback). "
    "To let others in, create keys on the server: floorpulse keys create --scope admin --name you"
)
NO_KEY = "this request needs an API key: send `Authorization: Bearer <key>` or `X-API-Key: <key>`"
UNKNOWN_KEY = "the API key sent is not valid: mistyped, or revoked"

_principal: ContextVar[Principal | None] = ContextVar("principal", default=None)


def current_principal() -> Principal | None:
    """Who the request being served comes from (None outside a request, e.g. at start-up)."""
    return _principal.get()


def viewer_may(scope: KeyScope) -> bool:
    """Whether the request being served may do what `scope` allows; outside a request (Dash
    checking its layout at start-up) everything is built, and the routes still refuse."""
    viewer = _principal.get()
    return viewer is None or viewer.may(scope)


def viewer_view() -> View:
    """What the request being served may see of workers (named outside a request)."""
    viewer = _principal.get()
    return View.NAMED if viewer is None else viewer.view


class Gate:
    def __init__(self, app: ASGIApp, access: Access, throttle: Throttle) -> None:
        self.app = app
        self.access = access
        self.throttle = throttle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or _is_public(scope["path"]):
            await self.app(scope, receive, send)
            return
        try:
            self.throttle.address_request(_client(scope))
            principal = await self._identify(scope)
            self.throttle.key_request(principal)
            if not _is_api(scope["path"]) and not principal.may(KeyScope.READ):
                raise Forbidden(
                    f"an {principal.scope} key cannot open the dashboard; use a read key"
                )
        except FloorPulseError as refused:
            await self._refuse(scope, refused)(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        token = _principal.set(principal)
        try:
            await self.app(scope, receive, send)
        finally:
            _principal.reset(token)

    async def _identify(self, scope: Scope) -> Principal:
        if not self.access.fresh():
            await asyncio.to_thread(self.access.refresh)
        if not self.access.any_keys():
            if is_loopback(_client(scope)):
                return THIS_MACHINE
            raise Forbidden(NO_KEYS_YET)
        secret, session = _credentials(Headers(scope=scope))
        if secret is not None:
            holder = self.access.holder(secret)
            if holder is None:
                raise Unauthorized(UNKNOWN_KEY)
            return holder
        if session is None:
            raise Unauthorized(NO_KEY)
        if not self.access.session_known(session):
            await asyncio.to_thread(self.access.load_session, session)
        signed_in = self.access.signed_in(session)
        if signed_in is None:
            raise Unauthorized("the sign-in has ended, or its key was revoked: sign in again")
        return signed_in

    def _refuse(self, scope: Scope, refused: FloorPulseError) -> Callable[..., Awaitable[None]]:
        if scope["type"] == "websocket":
            return WebSocketClose(code=1008, reason=refused.detail[:120])
        if isinstance(refused, Unauthorized) and _wants_page(scope):
            back = quote(scope["path"] + _query(scope), safe="/")
            return RedirectResponse(f"{SIGN_IN_PATH}?next={back}", status_code=303)
        response: Response = problem_response(
            Request(scope), refused.status, refused.detail, problem=refused.problem
        )
        response.headers.update(refused.headers)
        return response


def _client(scope: Scope) -> str | None:
    client = scope.get("client")
    return client[0] if client else None


def _credentials(headers: Headers) -> tuple[str | None, str | None]:
    """The key a request presents, else its session cookie."""
    scheme, _, value = headers.get("authorization", "").partition(" ")
    bearer = value.strip() if scheme.lower() == "bearer" else ""
    header = headers.get("x-api-key", "").strip()
    if bearer and header and bearer != header:
        raise Unauthorized("two different keys sent (Authorization and X-API-Key); send one")
    if bearer or header:
        return bearer or header, None
    return None, cookie_parser(headers.get("cookie", "")).get(SESSION_COOKIE) or None


def _is_public(path: str) -> bool:
    return path in PUBLIC or path.startswith(PUBLIC_PREFIXES)


def _is_api(path: str) -> bool:
    return path.startswith(API_PREFIXES)


def _wants_page(scope: Scope) -> bool:
    """A browser asking for a dashboard page (not Dash's own JSON requests)."""
    accept = Headers(scope=scope).get("accept", "")
    return scope["method"] == "GET" and not _is_api(scope["path"]) and "text/html" in accept


def _query(scope: Scope) -> str:
    query = scope.get("query_string", b"").decode("latin-1")
    return f"?{query}" if query else ""
