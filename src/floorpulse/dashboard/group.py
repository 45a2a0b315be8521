"""The server processes of one `serve --workers N`, which share one dashboard drawing process
(drawing.py). Kept apart from it so that the command can name the group without loading the
dashboard."""

import hashlib
import os
from dataclasses import dataclass

# Set by `serve --workers N` for its processes: a secret they share, which names their group's
# socket and proves a process asking for views belongs to the group.
GROUP = "FLOORPULSE_DRAWING_GROUP"


@dataclass(frozen=True)
class Group:
    """The server processes that share one drawing process, and their secret."""

    secret: str

    @classmethod
    def of_environment(cls) -> "Group | None":
        secret = os.environ.get(GROUP)
        return cls(secret) if secret else None

    @property
    def address(self) -> str:
        # Linux's abstract namespace: no file to clean up, freed when its process ends.
        return "\0floorpulse-drawing-" + hashlib.sha256(self.secret.encode()).hexdigest()[:24]

    @property
    def key(self) -> bytes:
        return self.secret.encode()
