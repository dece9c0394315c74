"""The client's address: the one home for it, used by the audit log and by django-axes.

Directly (no proxy) it is the socket's peer, ``REMOTE_ADDR``. Behind the TLS proxy
(``BEHIND_TLS_PROXY=1``) the peer is nginx, and the client's address is the last entry of
``X-Forwarded-For``: the one nginx itself wrote (``deploy/nginx.conf``). Entries before it, and
any other header (``X-Real-IP``, ``Client-IP`` ...), are whatever the client sent and are never
believed. ``X-Forwarded-For`` counts only when the peer is one of ``RECTIFY_TRUSTED_PROXIES``;
a client reaching the app server past the proxy is known by its own address.
"""

import ipaddress

from django.conf import settings
from ipware import get_client_ip


def _is_trusted_proxy(address: str) -> bool:
    try:
        peer = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(peer in ipaddress.ip_network(proxy, strict=False) for proxy in settings.RECTIFY_TRUSTED_PROXIES)


def client_ip(request) -> str | None:
    """The address of whoever sent ``request``, or None without a request."""
    if request is None:
        return None
    peer = request.META.get("REMOTE_ADDR") or None
    if not settings.RECTIFY_BEHIND_PROXY or peer is None or not _is_trusted_proxy(peer):
        return peer
    # With no trusted hop after the client, django-ipware picks the chain's last entry, the one
    # our proxy appended. Only X-Forwarded-For is read; the peer is the fallback without it.
    address, _routable = get_client_ip(
        request,
        proxy_order="left-most",
        proxy_count=0,
        request_header_order=["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"],
        strict=False,
    )
    return address or peer
