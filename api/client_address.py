"""The client's network address, the one rule every limit counts by.

The phone-code limits (registry), the sign-in lockout (django-axes, accounts), the API
throttles and the `/verify/` limit all call `client_address(request)`. It lives in the
bottom plumbing package so every channel can import it.

`X-Forwarded-For` is honoured only when the request comes straight from a trusted proxy
(settings.TRUSTED_PROXIES: addresses or networks, e.g. `10.0.0.5` or `10.0.0.0/24`).
The header is then read from the right: the proxies append the address they received
the connection from, so the first address from the right that is not itself a trusted
proxy is the client. Anything to its left was written by the client and is ignored, so
a rotating header earns nothing. With no trusted proxy configured, the header is never
read and the connection's own address (REMOTE_ADDR) counts.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies)


def _parsed(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_address(request) -> str | None:
    """The client's address as a string, or None when the connection gives none."""
    django_request = getattr(request, "_request", request)  # a DRF request, too
    remote = _parsed(django_request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _trusted(remote, networks):
        return str(remote)
    forwarded = django_request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed(forwarded.split(",")):
        address = _parsed(hop)
        if address is None:
            break  # a malformed hop: nothing left of it can be believed
        if not _trusted(address, networks):
            return str(address)
    # Only proxies in the chain (or no header): the nearest proxy is all we know.
    return str(remote)
