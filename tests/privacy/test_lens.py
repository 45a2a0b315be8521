"""What each view sees of a worker: ids and names, a stable pseudonym, or no one."""

import re

import pytest

from floorpulse.privacy.lens import NAMED_LENS, Hidden, Lens, View, pseudonym

SECRET = bytes(range(32))
PSEUDONYMOUS = Lens(View.PSEUDONYMOUS, SECRET)
PROCESS = Lens(View.PROCESS, SECRET)


def test_a_pseudonym_is_stable_and_looks_like_no_id() -> None:
    first = pseudonym(SECRET, "main", "ana-7")

    assert pseudonym(SECRET, "main", "ana-7") == first
    assert re.fullmatch(r"P-[A-Z2-7]{8}", first)


def test_pseudonyms_differ_by_worker_site_and_install() -> None:
    shown = {
        pseudonym(SECRET, "main", "ana-7"),
        pseudonym(SECRET, "main", "ana-8"),
        pseudonym(SECRET, "north", "ana-7"),
        pseudonym(bytes(32), "main", "ana-7"),
    }

    assert len(shown) == 4


def test_a_thousand_workers_get_a_thousand_pseudonyms() -> None:
    shown = {pseudonym(SECRET, "main", f"W{n}") for n in range(1000)}

    assert len(shown) == 1000


def test_the_named_view_sees_ids_and_names() -> None:
    assert NAMED_LENS.worker("main", "ana-7") == "ana-7"
    assert NAMED_LENS.name("Ana Costa") == "Ana Costa"
    assert NAMED_LENS.asked("main", "ana-7", []) == "ana-7"


def test_the_pseudonymous_view_sees_a_pseudonym_and_no_name() -> None:
    assert PSEUDONYMOUS.worker("main", "ana-7") == pseudonym(SECRET, "main", "ana-7")
    assert PSEUDONYMOUS.name("Ana Costa") is None


def test_a_pseudonym_asked_for_means_its_worker_and_an_id_means_no_one() -> None:
    known = ["ana-7", "ben-2"]
    shown = PSEUDONYMOUS.worker("main", "ben-2")

    assert PSEUDONYMOUS.asked("main", shown, known) == "ben-2"
    assert PSEUDONYMOUS.asked("main", "ben-2", known) is None  # else ids could be tried
    assert PSEUDONYMOUS.asked("north", shown, known) is None


def test_the_process_view_sees_no_worker_and_may_ask_for_none() -> None:
    with pytest.raises(Hidden):
        PROCESS.worker("main", "ana-7")
    with pytest.raises(Hidden):
        PROCESS.asked("main", "ana-7", ["ana-7"])
    assert not PROCESS.sees_individuals
    assert PSEUDONYMOUS.sees_individuals
    assert not PSEUDONYMOUS.sees_names


def test_the_secret_never_shows_in_a_lens_written_out() -> None:
    assert SECRET.hex() not in repr(PSEUDONYMOUS)
    assert str(SECRET) not in repr(PSEUDONYMOUS)
