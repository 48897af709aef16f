"""Where a request comes from: the client's IP address, read through trusted proxies only.

`X-Forwarded-For` is written by whoever sends the request, so it is believed only when the
connection comes from a proxy listed in `CAPQVCT_TRUSTED_PROXIES`; then the address kept is the
nearest one in the header that is not itself a trusted proxy. The address of the request being
served is also kept for the thread (`current_ip`), so that the audit events written by services
carry it without every service taking the request."""

import ipaddress
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

NUL = "\x00"

_current_ip: ContextVar[str | None] = ContextVar("capqvct_current_ip", default=None)


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def _is_trusted_proxy(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in settings.TRUSTED_PROXY_NETWORKS)


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address; None when the connection names none (a test client, a socket)."""
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None or not _is_trusted_proxy(peer):
        return peer
    forwarded = [_address(part) for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    # From the nearest hop back: the first address that is not one of our proxies is the client's.
    for address in reversed(forwarded):
        if address is None:
            return peer
        if not _is_trusted_proxy(address):
            return address
    return peer


def is_local_path(target: str, request: HttpRequest) -> bool:
    """Whether a « next » address typed in a form or a link is a path of this site: an absolute path
    (`/…`), never another host, and never a word Django would try to reverse as a URL name."""
    return (
        target.startswith("/")
        and NUL not in target
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    )


def current_ip() -> str | None:
    """The IP address of the request being served on this thread, if any."""
    return _current_ip.get()


class ClientAddressMiddleware:
    """Keeps the client's address for the request's duration (audit events written deeper read it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_ip = client_ip(request)
        token = _current_ip.set(request.client_ip)
        try:
            return self.get_response(request)
        finally:
            _current_ip.reset(token)
