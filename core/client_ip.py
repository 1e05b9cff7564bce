"""The address of whoever makes a request: the one answer for every rate limit
(the API's throttle, the contact-address reveal).

Behind reverse proxies, ``REMOTE_ADDR`` is the nearest proxy's address and the
client's is in ``X-Forwarded-For``, which each proxy extends on the right with
the address it received the request from. Only the entries written by our own
proxies can be believed: anything further left was sent by the client and is
whatever it wants (one fake address per request, one fresh rate-limit bucket per
request). So the setting is how many proxies stand in front of the application
(``TRUSTED_PROXY_COUNT``, 0 by default: ``REMOTE_ADDR``, the header is ignored),
and the client is the entry that many places from the right — the rule of
django-ninja's ``NUM_PROXIES`` and Django REST framework's, which
``NINJA_NUM_PROXIES`` is set to as well.

Why not daphne's ``--proxy-headers`` (or uvicorn's): daphne takes the leftmost
``X-Forwarded-For`` entry, the one the client writes, unless the proxy replaces
the header instead of extending it — a safety that would rest on the proxy's
configuration alone, invisible from here.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if not trusted:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
    if not addresses:
        return remote
    # Fewer entries than proxies: the request entered past the outermost one, and
    # every entry was still written by one of ours.
    candidate = addresses[-min(trusted, len(addresses))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:  # not an address: a proxy misconfigured, not a new client
        return remote
