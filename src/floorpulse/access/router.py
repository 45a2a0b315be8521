"""HTTP endpoints of access: API keys (admin), and the dashboard's sign-in and sign-out."""

from html import escape
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from floorpulse.access.gate import SESSION_COOKIE, SIGN_IN_PATH
from floorpulse.access.keys import Principal
from floorpulse.access.schemas import Holder, KeyCreated, KeyIn, KeyOut
from floorpulse.deps import CHANGES, READS, REFUSALS, AccessDep, RowIdPath, SettingsDep
from floorpulse.errors import FloorPulseError

router = APIRouter(prefix="/api/keys", tags=["access"], dependencies=[CHANGES], responses=REFUSALS)
pages = APIRouter(include_in_schema=False)
whoami = APIRouter(prefix="/api/session", tags=["access"], responses=REFUSALS)


@whoami.get("")
def session(principal: Annotated[Principal, READS]) -> Holder:
    """Who the key or sign-in belongs to; the dashboard asks, to notice a sign-in that ended."""
    return Holder(name=principal.name, scope=principal.scope, view=principal.view)


@router.get("")
def list_keys(access: AccessDep) -> list[KeyOut]:
    """Every key, revoked ones too; never the keys themselves, which are stored hashed."""
    return access.listed()


@router.post("", status_code=201)
def create_key(wanted: KeyIn, access: AccessDep) -> KeyCreated:
    """A new key; the answer holds it, shown this once."""
    return access.create(wanted)


@router.delete("/{key_id}", responses={404: {"description": "No key has this id."}})
def revoke_key(key_id: RowIdPath, access: AccessDep) -> KeyOut:
    """Revoke a key: it stops working within seconds in every server process."""
    return access.revoke(key_id)


@pages.get(SIGN_IN_PATH)
def sign_in_page(next_path: Annotated[str, Query(alias="next")] = "/") -> HTMLResponse:
    return HTMLResponse(_page(_local(next_path)))


@pages.post(SIGN_IN_PATH, response_model=None)
def sign_in(
    request: Request,
    access: AccessDep,
    settings: SettingsDep,
    key: Annotated[str, Form(max_length=200)],
    next_path: Annotated[str, Form(alias="next", max_length=2000)] = "/",
) -> HTMLResponse | RedirectResponse:
    """Open a session with a read or admin key; the cookie is all the browser keeps."""
    try:
        token = access.sign_in(key)
    except FloorPulseError as refused:
        return HTMLResponse(_page(_local(next_path), refused.detail), status_code=refused.status)
    response = RedirectResponse(_local(next_path), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=round(settings.session_hours * 3600),
        httponly=True,  # no script on the page can read it
        samesite="lax",  # other sites' forms cannot post with it
        secure=request.url.scheme == "https",
    )
    return response


@pages.post("/signout")
def sign_out(request: Request, access: AccessDep) -> RedirectResponse:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        access.sign_out(token)
    response = RedirectResponse(SIGN_IN_PATH, status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _local(path: str) -> str:
    """Only a path on this server: a sign-in link must not send the browser elsewhere."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


def _page(next_path: str, problem: str = "") -> str:
    shown = f'<p class="problem" role="alert">{escape(problem)}</p>' if problem else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in · FloorPulse</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font: 16px system-ui, sans-serif; background: #0f1419; color: #e6e6e6;
  display: grid; place-items: center; min-height: 100vh; margin: 0; }}
form {{ display: grid; gap: .75rem; width: min(24rem, 90vw); }}
input, button {{ font: inherit; padding: .6rem; border-radius: 6px; border: 1px solid #3a4450; }}
input {{ background: #1a222b; color: inherit; }}
button {{ background: #2f81f7; color: #fff; border: 0; cursor: pointer; }}
.problem {{ color: #ff7b72; margin: 0; }}
</style></head>
<body><form method="post" action="{SIGN_IN_PATH}">
<h1>FloorPulse</h1>
<label for="key">API key (read or admin)</label>
<input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="{escape(next_path)}">
{shown}
<button type="submit">Sign in</button>
</form></body></html>"""
