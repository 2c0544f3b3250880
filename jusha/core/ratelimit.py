"""Fixed-window rate limits kept in Django's cache (shared across app processes)."""

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from jusha.core.errors import RateLimited


def client_ip(request) -> str:
    # Behind a reverse proxy, the proxy sets REMOTE_ADDR-equivalents; see docs/deploy.md.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def client_network(request) -> str:
    """The network a client sends from: its IPv4 address, or the /64 of an IPv6 address
    (one subscriber usually holds a whole /64, so counting single IPv6 addresses would give
    each of them 2^64 fresh counters)."""
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def rate_limit(name: str, who: str) -> None:
    """Count one hit of `who` against limit `name`; raise RateLimited past the limit."""
    if not settings.JUSHA_RATE_LIMIT_ENABLED:
        return
    limit, window = settings.JUSHA_RATE_LIMITS[name]
    now = int(time.time())
    bucket = now // window
    key = f"rl:{name}:{who}:{bucket}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    if count > limit:
        retry_after = (bucket + 1) * window - now
        raise RateLimited(_("Too many requests. Please try again in a moment."), retry_after=max(retry_after, 1))
