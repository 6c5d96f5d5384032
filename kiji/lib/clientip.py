"""The reader's network address: one rule for every app that limits, bans or counts by it.

KIJI_TRUSTED_PROXIES lists the networks whose X-Forwarded-For is believed (by default only this
machine, where deploy/nginx/kiji.conf runs). Reading X-Forwarded-For from the right, each address a
trusted proxy appended is skipped; the first one that is not trusted is the client. Anything further
left is whatever the client sent and would let anyone pick their own rate-limit bucket.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(value, strict=False) for value in spec)


def is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.KIJI_TRUSTED_PROXIES)))


def client_ip(meta) -> str:
    """REMOTE_ADDR, or, when that is a trusted proxy, the right-most X-Forwarded-For address that is not."""
    remote = meta.get("REMOTE_ADDR", "")
    if not is_trusted_proxy(remote):
        return remote
    hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not is_trusted_proxy(hop):
            return hop if _is_address(hop) else remote
    return hops[0] if hops and _is_address(hops[0]) else remote


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
