"""Teams: workers' tallies summed by the team a supervisor put them in.

A team's figures are a ratio of its members' summed tallies, like every other figure. A viewer
who must not see individuals (the process view) sees only teams of at least a few members
seen in the window: a team of one is a person.
"""

from collections.abc import Mapping
from typing import NamedTuple

from floorpulse.metrics.tally import Tally


class TeamTally(NamedTuple):
    team: str | None  # None: the workers in no team
    members_seen: int  # with any time or units in the window
    tally: Tally


def by_team(
    per_worker: Mapping[str, Tally], team_of: Mapping[str, str | None], min_members: int = 0
) -> list[TeamTally]:
    """Each team of `team_of` (worker id -> team) with its tally over `per_worker`, by name,
    the workers in no team last; teams with fewer than `min_members` seen are left out."""
    totals: dict[str | None, tuple[int, Tally]] = {team: (0, Tally()) for team in team_of.values()}
    for worker_id, tally in per_worker.items():
        if worker_id not in team_of or tally == Tally():
            continue
        team = team_of[worker_id]
        seen, total = totals[team]
        totals[team] = (seen + 1, total + tally)
    teams = [TeamTally(team, seen, total) for team, (seen, total) in totals.items()]
    kept = [t for t in teams if t.members_seen >= min_members]
    return sorted(kept, key=lambda t: (t.team is None, t.team or ""))
