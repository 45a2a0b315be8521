"""Token buckets as plain rules: a burst after a rest, the sustained rate after it."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from floorpulse.access.limits import Limiter, Rate

HOUR_S = 3600.0


def test_a_rested_bucket_gives_its_burst_then_refills_at_its_rate() -> None:
    limiter, rate = Limiter(), Rate(per_s=2, burst=10)

    assert limiter.take([("camera-3", rate)], 10, now_s=0) == 0
    assert limiter.take([("camera-3", rate)], 1, now_s=0) == pytest.approx(0.5)
    assert limiter.take([("camera-3", rate)], 1, now_s=0.5) == 0
    assert limiter.take([("camera-3", rate)], 4, now_s=2.5) == 0
    assert limiter.take([("camera-3", rate)], 1, now_s=2.5) == pytest.approx(0.5)


def test_more_than_the_burst_at_once_can_never_pass() -> None:
    assert Limiter().take([("camera-3", Rate(2, 10))], 11, now_s=0) == math.inf


def test_subjects_and_rates_have_buckets_of_their_own() -> None:
    limiter, rate = Limiter(), Rate(1, 5)
    limiter.take([("camera-3", rate)], 5, now_s=0)

    assert limiter.take([("camera-4", rate)], 5, now_s=0) == 0
    assert limiter.take([("camera-3", Rate(1, 6))], 5, now_s=0) == 0


def test_a_refusal_by_one_bucket_takes_nothing_from_the_others() -> None:
    limiter, key, address = Limiter(), Rate(1, 10), Rate(1, 3)
    limiter.take([("address", address)], 2, now_s=0)

    assert limiter.take([("key", key), ("address", address)], 2, now_s=0) == pytest.approx(1)
    assert limiter.take([("key", key)], 10, now_s=0) == 0


@pytest.mark.parametrize(("per_s", "burst"), [(0, 10), (-1, 10), (1, 0.5)])
def test_a_rate_that_could_never_admit_anything_is_refused(per_s: float, burst: float) -> None:
    with pytest.raises(ValueError, match="a rate needs"):
        Rate(per_s, burst)


@given(
    per_s=st.floats(0.1, 500),
    outage_s=st.floats(0, HOUR_S),
    steady=st.lists(st.integers(1, 50), max_size=30),
    batch=st.integers(100, 10_000),
)
def test_an_agent_within_its_rate_flushes_an_outage_of_up_to_the_burst_at_once(
    per_s: float, outage_s: float, steady: list[int], batch: int
) -> None:
    """Sending at the sustained rate, then nothing for `outage_s`, then everything the camera
    made meanwhile in back-to-back batches: never refused."""
    limiter, rate = Limiter(), Rate(per_s, per_s * HOUR_S)
    now_s = 0.0
    for cost in steady:
        assert limiter.take([("agent", rate)], cost, now_s) == 0
        now_s += cost / per_s
    backlog = math.floor(per_s * outage_s)
    now_s += outage_s
    while backlog:
        sent = min(batch, backlog)
        assert limiter.take([("agent", rate)], sent, now_s) == 0
        backlog -= sent


@given(per_s=st.floats(1, 100), over=st.floats(1.5, 10))
def test_a_sender_above_the_rate_is_refused_once_its_burst_is_spent(
    per_s: float, over: float
) -> None:
    limiter, rate = Limiter(), Rate(per_s, per_s * 60)
    sent_s = [t / 10 for t in range(10 * 600)]  # ten minutes, ten sends a second
    cost = per_s * over / 10
    refused = [t for t in sent_s if limiter.take([("agent", rate)], cost, t) > 0]

    assert refused
    assert refused[0] <= 60 / (over - 1) + 0.2
