"""Where a request comes from: the client's address, honouring only the proxies the settings name.

``REMOTE_ADDR`` is the address that opened the connection. Behind a reverse proxy that is the proxy; the client's
address is then in ``X-Forwarded-For``, which anyone can also send themselves. So the header is read only when the
connection comes from one of ``TANSIQ_TRUSTED_PROXIES``, from its right end (the hop the trusted proxy added)
leftwards, skipping the trusted proxies: the first other address is the client. django-axes reads the same
function (``AXES_CLIENT_IP_CALLABLE``), so lock-outs and the security log agree.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from django.conf import settings


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address, proxies) -> bool:
    return any(address in network for network in proxies)


def client_ip(request: Any) -> str | None:
    """The client's IP address as text, or None when the request has none that parses."""
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    proxies = getattr(settings, "TANSIQ_TRUSTED_PROXIES", [])
    if remote is None or not proxies or not _trusted(remote, proxies):
        return str(remote) if remote is not None else None
    hops = [hop for hop in (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:  # a malformed hop: nothing left of it can be trusted either
            break
        if not _trusted(address, proxies):
            return str(address)
        remote = address
    return str(remote)


@dataclass(frozen=True)
class RequestOrigin:
    """What the security log keeps of a request, for services that are not handed the request itself."""

    ip: str | None = None
    method: str = ""
    path: str = ""
    user_agent: str = ""


def request_origin(request: Any) -> RequestOrigin:
    return RequestOrigin(ip=client_ip(request), method=request.method or "", path=request.path or "",
                         user_agent=request.META.get("HTTP_USER_AGENT", ""))
