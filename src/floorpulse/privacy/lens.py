"""What a viewer sees of individual workers: pure rules, no I/O.

Each API key carries a view. `named` sees workers' ids and names; `pseudonymous` sees each
worker as a stable pseudonym and no name; `process` sees no individual at all, only stations,
teams and the site. A pseudonym is an HMAC of the worker's site and id under this install's
secret: the same worker has the same pseudonym on every page, in every process and after a
restart, and cannot be turned back into an id without the secret.
"""

import base64
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

PSEUDONYM_PREFIX = "P-"


class View(StrEnum):
    NAMED = "named"
    PSEUDONYMOUS = "pseudonymous"
    PROCESS = "process"


class Hidden(Exception):
    """What was asked for is about one worker, and the viewer sees no individuals."""


@dataclass(frozen=True)
class Lens:
    """The view of one viewer, with the install's secret to draw pseudonyms with."""

    view: View
    secret: bytes = field(repr=False)

    @property
    def sees_individuals(self) -> bool:
        return self.view is not View.PROCESS

    @property
    def sees_names(self) -> bool:
        return self.view is View.NAMED

    def worker(self, site: str, worker_id: str) -> str:
        """How the viewer sees a worker's id."""
        if self.view is View.NAMED:
            return worker_id
        if self.view is View.PSEUDONYMOUS:
            return pseudonym(self.secret, site, worker_id)
        raise Hidden(worker_id)

    def name(self, name: str | None) -> str | None:
        return name if self.sees_names else None

    def asked(self, site: str, shown: str, known: Iterable[str]) -> str | None:
        """The worker id the viewer means by `shown` (an id, or a pseudonym) among the `known`
        ids of the site; None when it means none of them. A pseudonymous viewer cannot ask by
        id: else trying ids would tell which pseudonym is whose."""
        if self.view is View.NAMED:
            return shown
        if self.view is View.PROCESS:
            raise Hidden(shown)
        return next((id_ for id_ in known if self.worker(site, id_) == shown), None)


def pseudonym(secret: bytes, site: str, worker_id: str) -> str:
    """`P-` and 8 characters: 40 bits, so two of a site's thousand workers share one with a
    chance under one in two million."""
    mac = hmac.new(secret, f"{site}\x1f{worker_id}".encode(), hashlib.sha256).digest()
    return PSEUDONYM_PREFIX + base64.b32encode(mac[:5]).decode()


NAMED_LENS = Lens(View.NAMED, b"")  # sees everything, draws no pseudonyms: needs no secret
