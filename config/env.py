"""Strict reading of settings from the environment.

A malformed value stops start-up with a message naming the variable, so a typo in a
deployment never silently falls back to a default.
"""

from __future__ import annotations

import ipaddress
import os
import re
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_SUPPORTED_DB_ENGINES = {
    "django.contrib.gis.db.backends.postgis",
    "django.contrib.gis.db.backends.spatialite",
}
# Writers take the lock when their transaction begins and wait for it (instead of failing
# with "database is locked" when two transactions both try to upgrade from reading).
_SQLITE_OPTIONS = {"transaction_mode": "IMMEDIATE", "timeout": 30}
_BROKER_SCHEMES = ("redis://", "rediss://", "amqp://", "amqps://", "memory://")


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    low = raw.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use one of true/false, 1/0, yes/no, on/off.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_rate(name: str, default: str) -> str:
    """A request rate as DRF's throttles read it: a whole number, a slash and second, minute, hour or day."""
    raw = env_str(name, default)
    count, _slash, period = raw.partition("/")
    if not (count.isdigit() and int(count) > 0 and period in {"second", "minute", "hour", "day", "s", "m", "h", "d"}):
        raise ImproperlyConfigured(f"{name}={raw!r} is not a rate; write it like 60/minute (second, minute, hour, day).")
    return raw


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return list(default)
    items = [item.strip() for item in raw.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name}={raw!r} has an empty item; separate values by single commas.")
    return items


def env_networks(name: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Comma-separated addresses or networks (``10.0.0.5``, ``10.0.0.0/24``, ``::1``); none by default."""
    networks = []
    for item in env_list(name, []):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"{name} has {item!r}, which is not an IP address or network.") from None
    return networks


def database_from_env(name: str, default_sqlite_path: str) -> dict[str, Any]:
    """The database from ``DATABASE_URL`` (PostGIS or SpatiaLite), else the embedded SpatiaLite file."""
    url = env_str(name)
    if url is None:
        return {"ENGINE": "config.db.spatialite", "NAME": default_sqlite_path, "OPTIONS": dict(_SQLITE_OPTIONS)}
    if url.startswith("postgres://") or url.startswith("postgresql://"):
        url = "postgis://" + url.split("://", 1)[1]
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj_database_url raises ValueError or its own errors
        raise ImproperlyConfigured(f"{name} could not be parsed: {exc}") from None
    engine = config.get("ENGINE")
    if engine not in _SUPPORTED_DB_ENGINES:
        raise ImproperlyConfigured(
            f"{name} uses an unsupported database ({engine}); use postgis://user:pass@host:port/db "
            "(or postgres://, read as PostGIS), or spatialite:///path/to/file.sqlite3."
        )
    if engine.endswith("spatialite"):
        config["ENGINE"] = "config.db.spatialite"
        config.pop("CONN_MAX_AGE", None)
        config.pop("CONN_HEALTH_CHECKS", None)
        config["OPTIONS"] = dict(_SQLITE_OPTIONS)
    elif not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} names no database.")
    else:
        # PostgreSQL's JIT compiles a query whose estimated cost is high, and the pages' grouped sums with their
        # correlated subqueries are estimated high while they run in tens of milliseconds: compiling them took
        # half a second a query (measured on 10,000 projects). The site's queries are short; JIT stays off.
        options = dict(config.get("OPTIONS") or {})
        options["options"] = " ".join(filter(None, [options.get("options"), "-c jit=off"]))
        config["OPTIONS"] = options
    return config


def broker_from_env(name: str, default: str) -> str:
    url = env_str(name, default)
    assert url is not None
    if not url.startswith(_BROKER_SCHEMES):
        raise ImproperlyConfigured(
            f"{name}={url!r} is not a supported broker URL; use redis://host:6379/0 (or amqp://, memory://)."
        )
    return url


_LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tansiq"}


def cache_url_beside_broker(broker_url: str | None) -> str | None:
    """The shared cache a Redis broker implies: the same server, the database after the broker's (``/0`` → ``/1``,
    ``/15`` → ``/0``), so that clearing the cache (FLUSHDB) never empties the task queue. None for another
    broker (``memory://``: the embedded run keeps each process its own cache)."""
    if not broker_url or not broker_url.startswith(("redis://", "rediss://")):
        return None
    parts = urlsplit(broker_url)
    path = parts.path.strip("/")
    database = (int(path) + 1) % 16 if path.isdigit() else 1
    return parts._replace(path=f"/{database}", query="", fragment="").geturl()


def caches_from_env(name: str = "CACHE_URL", broker_url: str | None = None) -> dict[str, dict[str, Any]]:
    """Django's CACHES from one URL: ``redis://[:password@]host[:port][/db]`` (or ``rediss://``) for a cache
    shared by every process of the site (Django's RedisCache over redis-py), ``locmem://`` for one in each process
    (the embedded run), ``dummy://`` for none. Anything else stops start-up.

    Unset, with a Redis broker (``broker_url``), the cache is that Redis (``cache_url_beside_broker``): a site that
    runs several processes then never counts its limits (API throttling) per process by omission; unset without
    one, each process its own."""
    url = env_str(name) or cache_url_beside_broker(broker_url)
    if url is None or url == "locmem://":
        return {"default": dict(_LOCMEM)}
    if url == "dummy://":
        return {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    problem = None
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError when it is not a number
    except ValueError:
        parts, port, problem = None, None, "its port is not a number"
    if parts is not None:
        if parts.scheme not in ("redis", "rediss"):
            problem = "use redis://host:6379/1 (or rediss://, locmem://, dummy://)"
        elif not parts.hostname:
            problem = "it names no host"
        elif parts.path not in ("", "/") and not re.fullmatch(r"/\d{1,2}", parts.path):
            problem = "its database (the path) must be a number such as /1"
        elif parts.query or parts.fragment:
            problem = "it may not carry a query or fragment"
    if problem:
        raise ImproperlyConfigured(f"{name} is not a supported cache URL: {problem}.")
    del port
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
                        "KEY_PREFIX": "tansiq", "TIMEOUT": 300}}


# A tile server's host as Leaflet writes it: a name (its first label may be the {s} subdomain placeholder) or an
# IPv4 address, and an optional port.
_TILES_HOST = re.compile(r"^(?:\{s\}\.)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$", re.I)


def map_tiles_source(url: str | None, name: str = "TANSIQ_MAP_TILES_URL") -> str | None:
    """The Content-Security-Policy source that lets the maps load tiles from ``url`` (a Leaflet URL template such
    as ``https://{s}.tile.example.ly/{z}/{x}/{y}.png``): its scheme and host, ``{s}`` read as any subdomain; None
    for no tiles or tiles from this site (a path). Anything else stops start-up: the value goes into a header."""
    if not url:
        return None
    if any(ch.isspace() or ch in ";,'\"" for ch in url):
        raise ImproperlyConfigured(f"{name}={url!r} may not hold spaces, quotes, commas or semicolons.")
    if url.startswith("/") and not url.startswith("//"):
        return None
    parts = urlsplit(url)
    host, _colon, port = parts.netloc.partition(":")
    if (parts.scheme not in ("http", "https") or "@" in parts.netloc or not _TILES_HOST.match(host)
            or (port and not port.isdigit())):
        raise ImproperlyConfigured(
            f"{name}={url!r} is not a tile URL; write it like https://{{s}}.tile.example.ly/{{z}}/{{x}}/{{y}}.png "
            "(http or https and a host name), or a path on this site like /tiles/{z}/{x}/{y}.png."
        )
    return f"{parts.scheme}://{host.replace('{s}', '*', 1)}{':' + port if port else ''}"
