"""Which replica may answer (pure rules) and how a standby's port is chosen."""

from __future__ import annotations

import socket

from gis.platform import standby
from gis.platform.replicas import ReplicaState, parse_lsn, parse_urls


def test_lsns_order_as_wal_positions() -> None:
    assert parse_lsn("0/16B3748") == 0x16B3748
    assert parse_lsn("1/0") > parse_lsn("0/FFFFFFFF")  # type: ignore[operator]
    assert parse_lsn(None) is None and parse_lsn("junk") is None


def test_replica_urls_are_split_on_commas_and_spaces() -> None:
    assert parse_urls(" postgresql://a/x, postgresql://b/x  postgresql://c/x ") == [
        "postgresql://a/x",
        "postgresql://b/x",
        "postgresql://c/x",
    ]
    assert parse_urls("") == []


def _fit(**changes: object) -> ReplicaState:
    state = ReplicaState("replica1", "postgresql://k:secret@h:1/d", up=True, standby=True,
                         lag_s=0.2, replay_lsn=1000, checked=100.0)  # fmt: skip
    for key, value in changes.items():
        setattr(state, key, value)
    return state


def test_a_replica_answers_only_when_up_current_and_caught_up() -> None:
    assert _fit().usable(1000, 5.0, now=100.5)
    assert not _fit().usable(1001, 5.0, now=100.5)  # has not replayed what the primary announced
    assert not _fit(lag_s=6.0).usable(0, 5.0, now=100.5)
    assert not _fit(up=False).usable(0, 5.0, now=100.5)
    assert not _fit(standby=False).usable(0, 5.0, now=100.5)  # a promoted server
    assert not _fit().usable(0, 5.0, now=103.0)  # the last check is too old to trust
    described = _fit(lag_s=6.0).describe(5.0)
    assert described["state"] == "lagging" and "secret" not in str(described["url"])
    assert _fit(up=False).describe(5.0)["state"] == "down"


def test_standby_ports_lie_below_the_ephemeral_range_and_are_free() -> None:
    start = standby._ephemeral_start()
    first = standby.safe_port(set())
    assert first < start
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", first))
        busy.listen()
        assert standby.safe_port(set()) != first
    assert standby.safe_port({first}) != first
