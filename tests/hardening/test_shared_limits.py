"""Rate limits hold across gunicorn workers and across server processes sharing one database,
and X-Forwarded-For is believed only from the proxies listed in KASANE_TRUSTED_PROXIES."""

from __future__ import annotations

import re
import secrets
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pytest

from gis.platform.settings import Settings
from tests.server import running_server
from webmap.client_address import client_of, parse_proxies


def _put(base: str, forwarded: str | None = None) -> int:
    """An unauthenticated write (401 once counted, 429 once over the limit); a new connection
    each time, so gunicorn's workers take turns."""
    request = urllib.request.Request(f"{base}/api/shelters/none/status", data=b"{}", method="PUT")
    request.add_header("Content-Type", "application/json")
    request.add_header("Connection", "close")
    if forwarded:
        request.add_header("X-Forwarded-For", forwarded)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _client() -> str:
    """A documentation address (RFC 5737) no other test uses as its client."""
    return f"198.51.100.{secrets.randbelow(250) + 1}"


def test_a_client_is_limited_across_two_servers_of_two_workers(database_url: str) -> None:
    env = {"KASANE_RATE_LIMIT_WRITES": "9", "KASANE_TRUSTED_PROXIES": "127.0.0.1"}
    with ExitStack() as stack, ThreadPoolExecutor(2) as starting:  # both start at once
        one, two = starting.map(
            lambda _: stack.enter_context(running_server(database_url, **env)), range(2)
        )
        client = _client()
        codes = [_put(base, client) for _ in range(6) for base in (one, two)]
        # 9 allowed in all, then limited: counted per process (6 each) or per worker (about 3
        # each) nothing would be; a token comes back only every 6.7 s
        assert codes[:9] == [401] * 9, codes
        assert 429 in codes[9:], codes
        assert _put(one, _client()) == 401  # another client behind the proxy: its own bucket


def test_forwarded_addresses_are_ignored_from_unlisted_peers(settings: Settings) -> None:
    from webmap import close, create_app

    listed = "192.0.2.1"
    app = create_app(
        settings.model_copy(update={"rate_limit_writes": 5, "trusted_proxies": listed})
    )
    try:
        client = app.test_client()

        def put(peer: str, forwarded: str) -> int:
            response = client.put("/api/shelters/none/status", json={},
                                  headers={"X-Forwarded-For": forwarded},
                                  environ_base={"REMOTE_ADDR": peer})  # fmt: skip
            return int(response.status_code)

        unlisted = _client()
        codes = [put(unlisted, _client()) for _ in range(7)]  # a new address each time: in vain
        assert codes[:5] == [401] * 5 and codes[5:] == [429, 429], codes
        assert put(listed, _client()) == 401  # from the listed proxy the header names the client
    finally:
        close(app)


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("10.0.0.5", "203.0.113.9", "203.0.113.9"),  # one listed proxy
        ("10.0.0.5", "1.2.3.4, 203.0.113.9, 10.0.0.7", "203.0.113.9"),  # two proxies, a lie left
        ("192.0.2.50", "203.0.113.9", "192.0.2.50"),  # not listed: the header is ignored
        ("10.0.0.5", "10.0.0.6, 10.0.0.7", "10.0.0.6"),  # only proxies: the leftmost
        ("10.0.0.5", "not-an-address", "10.0.0.5"),  # garbage: the peer
        ("10.0.0.5", None, "10.0.0.5"),
        ("2001:db8::1", "2001:db8:1::9", "2001:db8:1::9"),  # IPv6 proxy network
    ],
)
def test_client_address(peer: str, forwarded: str | None, client: str) -> None:
    proxies = parse_proxies("10.0.0.0/8, 2001:db8::/48")
    assert client_of(peer, forwarded, proxies) == client


def test_a_wrong_proxy_setting_is_named() -> None:
    from gis.platform.errors import ConfigError

    with pytest.raises(ConfigError, match=re.escape("'10.0.0.300'")):
        parse_proxies("10.0.0.0/8, 10.0.0.300")
