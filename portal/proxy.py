"""What our own reverse proxy tells us about a request, believed only when it came from it.

In production the web tier sits behind nginx (`deploy/nginx.conf`), which buffers each upload
completely before handing it to a gunicorn worker (gunicorn's sync workers must not read slow
clients themselves) and stamps two headers on the way:

- `X-Real-IP`: the client's address (REMOTE_ADDR is then the proxy's own);
- `X-Body-Received-At: t=<seconds since the epoch, ms>`: the instant the last byte of the
  request body arrived (nginx's `$msec`, evaluated when it opens the upstream request, which
  with `proxy_request_buffering on` is after the body is complete).

Why the second one matters: a bid counts if the whole file is on the server before the deadline
(《电子招标投标办法》 第27条). In a deadline surge a complete upload may wait in the proxy for a
free worker; the worker's own clock would then call an in-time bid late. The proxy's stamp
is the moment the platform had the file.

Both headers are ignored unless REMOTE_ADDR is one of `settings.TRUSTED_PROXIES` (CIDRs), so
a client cannot set its own receipt time or address; nginx overwrites any client-sent copy.
A stamp in the future or implausibly old is ignored (and logged) in favour of the server clock.
"""

from __future__ import annotations

import ipaddress
import logging
from datetime import UTC, datetime, timedelta
from functools import cache

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

#: How far the proxy's clock may run ahead of ours (same host or NTP-synchronised hosts).
CLOCK_TOLERANCE = timedelta(seconds=1)
#: A stamp older than this is not a queueing delay but a broken or replayed header.
MAX_QUEUE_DELAY = timedelta(minutes=10)

RECEIVED_AT_HEADER = "HTTP_X_BODY_RECEIVED_AT"
REAL_IP_HEADER = "HTTP_X_REAL_IP"


@cache
def _trusted_networks(spec: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def from_trusted_proxy(request) -> bool:
    networks = _trusted_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not networks:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in networks)


def client_ip(request) -> str | None:
    """The client's address: the proxy's `X-Real-IP` when the request came through it."""
    if from_trusted_proxy(request):
        forwarded = request.META.get(REAL_IP_HEADER, "").strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            logger.warning("Trusted proxy sent an invalid X-Real-IP: %r", forwarded[:64])
    return request.META.get("REMOTE_ADDR")


def parse_stamp(value: str) -> datetime | None:
    """`t=1700000000.123` (nginx `$msec`) → an aware UTC datetime; None if malformed."""
    value = value.strip()
    if not value.startswith("t="):
        return None
    try:
        seconds = float(value[2:])
    except ValueError:
        return None
    if not 0 < seconds < 1e11:
        return None
    return datetime.fromtimestamp(seconds, tz=UTC)


def body_received_at(request) -> datetime:
    """When the platform had the whole request: the trusted proxy's stamp, else now."""
    now = timezone.now()
    if not from_trusted_proxy(request):
        return now
    raw = request.META.get(RECEIVED_AT_HEADER)
    if raw is None:
        return now
    stamp = parse_stamp(raw)
    if stamp is None or stamp > now + CLOCK_TOLERANCE or stamp < now - MAX_QUEUE_DELAY:
        logger.warning("Ignoring the proxy's receipt stamp %r (server time %s)", raw[:40], now)
        return now
    return min(stamp, now)
