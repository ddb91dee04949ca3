"""The client's address: the peer's, or from ``X-Forwarded-For`` when the peer is a proxy
listed in ``KASANE_TRUSTED_PROXIES``.

``X-Forwarded-For`` is read from the right: each trusted proxy appends the address it got the
request from, so the first address from the right that is not itself a trusted proxy is the
client. Anything left of it was written by the client and is never believed; from a peer that
is not listed the header is ignored altogether (anyone can send it).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from flask import current_app, request

from gis.platform.errors import ConfigError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def parse_proxies(text: str) -> tuple[Network, ...]:
    """``"10.0.0.0/8, 192.0.2.7"`` -> networks; ConfigError naming a bad entry."""
    found = []
    for part in text.replace(",", " ").split():
        try:
            found.append(ipaddress.ip_network(part, strict=False))
        except ValueError as exc:
            raise ConfigError(
                f"KASANE_TRUSTED_PROXIES: {part!r} is not an address or network",
                hint="e.g. KASANE_TRUSTED_PROXIES=10.0.0.0/8,192.0.2.7",
            ) from exc
    return tuple(found)


def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_of(peer: str | None, forwarded: str | None, proxies: tuple[Network, ...]) -> str:
    """The client's address given the peer, the ``X-Forwarded-For`` value and the proxies."""
    peer = peer or "unknown"
    if not forwarded or not _trusted(peer, proxies):
        return peer
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # garbage where an address should be: the proxy is the client
    return hops[0] if hops else peer


def client_address() -> str:
    """This request's client address (see the module's note)."""
    settings = current_app.extensions["kasane.settings"]
    proxies = parse_proxies(settings.trusted_proxies)
    if not proxies:
        return request.remote_addr or "unknown"
    return client_of(request.remote_addr, request.headers.get("X-Forwarded-For"), proxies)
