"""The client's address, one rule for django-axes, the audit log and the login throttle.

Behind nginx every request comes from the proxy's address, so the proxy's
`X-Forwarded-For` must be read, but only when the request really comes from a proxy we run
(settings.TRUSTED_PROXIES, addresses or networks): anyone else could write the header and
pick the address their failed logins are counted against. The header is read from the right
(the hops our proxies added) and the first address that is not one of our proxies is the
client. Without TRUSTED_PROXIES the header is ignored and REMOTE_ADDR is the client.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _address(text: str):
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [::1]:port
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # 1.2.3.4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return any(address in network for network in networks)


def client_ip(request) -> str | None:
    """The address the request came from, as far as our own proxies vouch for it."""
    if request is None:
        return None
    meta = request.META
    remote = _address(meta.get("REMOTE_ADDR") or "")
    if remote is None:
        return None
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if not networks or not _trusted(remote, networks):
        return str(remote)
    hops = [h for h in (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return str(remote)  # a malformed hop: believe nothing before it
        if not _trusted(address, networks):
            return str(address)
    real = _address(meta.get("HTTP_X_REAL_IP") or "")
    if real is not None and not hops:
        return str(real)
    # Every hop is one of our proxies (a request from inside): the nearest one.
    return str(_address(hops[0]) if hops else remote)
