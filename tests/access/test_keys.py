"""Keys and scopes as plain rules: what each scope may do, which addresses are this machine."""

import pytest

from floorpulse.access.keys import (
    KEY_PREFIX,
    THIS_MACHINE,
    Principal,
    Scope,
    digest,
    is_loopback,
    new_key,
    shown,
)


@pytest.mark.parametrize(
    ("held", "needed", "allowed"),
    [
        (Scope.INGEST, Scope.INGEST, True),
        (Scope.INGEST, Scope.READ, False),
        (Scope.INGEST, Scope.ADMIN, False),
        (Scope.READ, Scope.READ, True),
        (Scope.READ, Scope.INGEST, False),
        (Scope.READ, Scope.ADMIN, False),
        (Scope.ADMIN, Scope.INGEST, True),
        (Scope.ADMIN, Scope.READ, True),
        (Scope.ADMIN, Scope.ADMIN, True),
    ],
)
def test_a_scope_allows_itself_and_admin_allows_everything(
    held: Scope, needed: Scope, allowed: bool
) -> None:
    assert Principal("camera-3", held, 1).may(needed) is allowed


def test_keys_are_long_random_and_stored_as_a_digest_that_does_not_reveal_them() -> None:
    first, second = new_key(), new_key()

    assert first != second
    assert first.startswith(KEY_PREFIX)
    assert len(first) >= len(KEY_PREFIX) + 43  # 32 random bytes, base64
    assert digest(first) == digest(first) != digest(second)
    assert first not in digest(first)
    assert first.startswith(shown(first))
    assert len(shown(first)) < len(first) // 3


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost"])
def test_loopback_addresses_are_this_machine(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize(
    "host", ["0.0.0.0", "::", "10.0.0.5", "192.168.1.20", "testclient", "", None, "::ffff:8.8.8.8"]
)
def test_other_addresses_and_names_are_not(host: str | None) -> None:
    assert not is_loopback(host)


def test_this_machine_may_do_everything_while_no_key_exists() -> None:
    assert all(THIS_MACHINE.may(scope) for scope in Scope)
    assert THIS_MACHINE.key_id is None
