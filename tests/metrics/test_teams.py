"""Teams' figures: their members' tallies summed, small teams left out when asked."""

from floorpulse.metrics.tally import US_PER_HOUR, Tally
from floorpulse.metrics.teams import TeamTally, by_team

HOUR = US_PER_HOUR


def test_a_team_sums_the_tallies_of_its_members_seen() -> None:
    per_worker = {"W1": Tally(2 * HOUR, HOUR, 0, 10), "W2": Tally(HOUR, 0, HOUR, 5)}
    team_of = {"W1": "Line 1", "W2": "Line 1", "W3": "Line 1"}

    [team] = by_team(per_worker, team_of)

    assert team == TeamTally("Line 1", 2, Tally(3 * HOUR, HOUR, HOUR, 15))
    assert team.tally.utilization_pct == 75.0


def test_teams_come_by_name_and_the_workers_in_none_last() -> None:
    per_worker = {w: Tally(HOUR) for w in ("W1", "W2", "W3")}
    team_of = {"W1": None, "W2": "Line 2", "W3": "Line 1"}

    teams = by_team(per_worker, team_of)

    assert [t.team for t in teams] == ["Line 1", "Line 2", None]


def test_a_team_no_one_of_was_seen_is_listed_empty_unless_a_size_is_asked() -> None:
    team_of = {"W1": "Line 1", "W2": "Night"}
    per_worker = {"W1": Tally(HOUR), "W2": Tally()}

    assert [(t.team, t.members_seen) for t in by_team(per_worker, team_of)] == [
        ("Line 1", 1),
        ("Night", 0),
    ]
    assert by_team(per_worker, team_of, min_members=1) == [TeamTally("Line 1", 1, Tally(HOUR))]


def test_teams_with_fewer_members_seen_than_asked_are_left_out() -> None:
    team_of = {"W1": "A", "W2": "A", "W3": "A", "W4": "B", "W5": "B"}
    per_worker = {worker: Tally(HOUR, units=1) for worker in team_of}

    kept = by_team(per_worker, team_of, min_members=3)

    assert kept == [TeamTally("A", 3, Tally(3 * HOUR, units=3))]


def test_tallies_of_workers_not_in_the_roster_count_for_no_team() -> None:
    kept = by_team({"W9": Tally(HOUR)}, {"W1": "A"})

    assert kept == [TeamTally("A", 0, Tally())]
