"""Where a notification may lead: a path of this site, never another host."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme


def is_site_path(url: str) -> bool:
    """``/communautes/x/?onglet=membres#demandes`` yes; ``https://…``, ``//host``,
    ``/\\host`` (browsers read a backslash as a slash), ``javascript:…`` and anything
    holding whitespace or control characters, no."""
    if not url or not url.startswith("/") or url.startswith("//"):
        return False
    if "\\" in url or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return False
    return url_has_allowed_host_and_scheme(url, allowed_hosts=None, require_https=False)
