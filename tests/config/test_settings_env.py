import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env


@pytest.mark.parametrize("raw, expected", [("true", True), ("0", False), ("YES", True), ("off", False)])
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env.env_bool("X_FLAG", not expected) is expected


def test_env_bool_refuses_a_malformed_value(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env.env_bool("X_FLAG", False)


def test_env_int_refuses_text_and_values_below_the_minimum(monkeypatch):
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env.env_int("X_INT", 1)
    monkeypatch.setenv("X_INT", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env.env_int("X_INT", 5, minimum=1)


@pytest.mark.parametrize("raw", ["60", "60/fortnight", "0/minute", "-1/hour", "ten/minute"])
def test_env_rate_refuses_what_the_throttles_could_not_read(monkeypatch, raw):
    monkeypatch.setenv("X_RATE", raw)
    with pytest.raises(ImproperlyConfigured, match="X_RATE"):
        env.env_rate("X_RATE", "60/minute")
    monkeypatch.setenv("X_RATE", "100/hour")
    assert env.env_rate("X_RATE", "60/minute") == "100/hour"


def test_env_list_refuses_empty_items(monkeypatch):
    monkeypatch.setenv("X_LIST", "a,,b")
    with pytest.raises(ImproperlyConfigured):
        env.env_list("X_LIST", [])
    monkeypatch.setenv("X_LIST", "a, b")
    assert env.env_list("X_LIST", []) == ["a", "b"]


def test_env_networks_reads_addresses_and_networks_and_refuses_anything_else(monkeypatch):
    import ipaddress

    monkeypatch.delenv("X_PROXIES", raising=False)
    assert env.env_networks("X_PROXIES") == []
    monkeypatch.setenv("X_PROXIES", "10.0.0.5, 172.16.0.0/12,::1")
    assert env.env_networks("X_PROXIES") == [ipaddress.ip_network("10.0.0.5/32"),
                                             ipaddress.ip_network("172.16.0.0/12"), ipaddress.ip_network("::1/128")]
    monkeypatch.setenv("X_PROXIES", "10.0.0.5,proxy.local")
    with pytest.raises(ImproperlyConfigured, match="X_PROXIES has 'proxy.local'"):
        env.env_networks("X_PROXIES")


def test_no_database_url_means_the_embedded_spatialite_file(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = env.database_from_env("DATABASE_URL", "/tmp/x.sqlite3")
    assert config["ENGINE"] == "config.db.spatialite" and config["NAME"] == "/tmp/x.sqlite3"
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.parametrize("url", ["postgres://u@h:5432/db", "postgis://u@h:5432/db", "postgresql://u@h/db"])
def test_postgres_urls_are_read_as_postgis(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    config = env.database_from_env("DATABASE_URL", "unused")
    assert config["ENGINE"] == "django.contrib.gis.db.backends.postgis"
    assert config["NAME"] == url.rsplit("/", 1)[1]


@pytest.mark.parametrize("url", ["mysql://u@h/db", "sqlite:///tmp/x.db", "nonsense"])
def test_unsupported_or_malformed_database_urls_stop_start_up(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env.database_from_env("DATABASE_URL", "unused")


def test_broker_url_must_name_a_known_transport(monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    assert env.broker_from_env("CELERY_BROKER_URL", "memory://").startswith("redis://")
    monkeypatch.setenv("CELERY_BROKER_URL", "127.0.0.1:6379")
    with pytest.raises(ImproperlyConfigured, match="CELERY_BROKER_URL"):
        env.broker_from_env("CELERY_BROKER_URL", "memory://")


def test_production_settings_refuse_to_start_without_a_secret_key(monkeypatch):
    import importlib
    import sys

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgis://u@h:5432/db")
    sys.modules.pop("config.settings.production", None)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        importlib.import_module("config.settings.production")
    sys.modules.pop("config.settings.production", None)


def test_the_cache_is_in_each_process_unless_a_redis_url_is_given(monkeypatch):
    monkeypatch.delenv("CACHE_URL", raising=False)
    assert env.caches_from_env()["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    monkeypatch.setenv("CACHE_URL", "locmem://")
    assert env.caches_from_env()["default"]["BACKEND"].endswith("LocMemCache")
    monkeypatch.setenv("CACHE_URL", "dummy://")
    assert env.caches_from_env()["default"]["BACKEND"].endswith("DummyCache")
    for url in ("redis://127.0.0.1:6379/1", "rediss://:secret@cache.example.ly:6380/0", "redis://redis"):
        monkeypatch.setenv("CACHE_URL", url)
        found = env.caches_from_env()["default"]
        assert found["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
        assert found["LOCATION"] == url and found["KEY_PREFIX"] == "tansiq"


@pytest.mark.parametrize("url", ["memcached://127.0.0.1:11211", "127.0.0.1:6379", "redis://", "redis://h:port/1",
                                 "redis://h:6379/cache", "redis://h:6379/1?timeout=3", "locmem"])
def test_a_malformed_or_unknown_cache_url_stops_start_up(monkeypatch, url):
    monkeypatch.setenv("CACHE_URL", url)
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        env.caches_from_env()


def test_the_redis_cache_is_shared_through_djangos_cache_api(monkeypatch):
    """With a Redis server at hand (CI), two caches built from the same URL see each other's keys."""
    import uuid

    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/14", socket_connect_timeout=0.5).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    from django.core.cache.backends.redis import RedisCache

    monkeypatch.setenv("CACHE_URL", "redis://127.0.0.1:6379/14")
    config = env.caches_from_env()["default"]
    params = {"KEY_PREFIX": config["KEY_PREFIX"], "TIMEOUT": config["TIMEOUT"]}
    one, two = RedisCache(config["LOCATION"], params), RedisCache(config["LOCATION"], params)
    key = f"test-{uuid.uuid4().hex}"
    one.set(key, {"shapes": [1, 2]}, 30)
    assert two.get(key) == {"shapes": [1, 2]}
    two.delete(key)
    assert one.get(key) is None


def test_postgis_connections_turn_postgresqls_jit_off(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgis://u@h:5432/db")
    assert env.database_from_env("DATABASE_URL", "unused")["OPTIONS"]["options"] == "-c jit=off"
    monkeypatch.setenv("DATABASE_URL", "postgis://u@h:5432/db?options=-c%20statement_timeout%3D5000")
    assert env.database_from_env("DATABASE_URL", "unused")["OPTIONS"]["options"] == "-c statement_timeout=5000 -c jit=off"


@pytest.mark.django_db
def test_the_test_database_runs_without_jit():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.parametrize(("broker", "cache"), [
    ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/1"),
    ("redis://127.0.0.1:6379/15", "redis://127.0.0.1:6379/0"),
    ("rediss://:secret@queue.example.ly:6380/4", "rediss://:secret@queue.example.ly:6380/5"),
    ("redis://redis", "redis://redis/1"),
])
def test_without_cache_url_a_redis_broker_brings_a_shared_cache(monkeypatch, broker, cache):
    """Throttle counts must not be kept per process by omission on a site that runs a broker (several processes)."""
    monkeypatch.delenv("CACHE_URL", raising=False)
    found = env.caches_from_env(broker_url=broker)["default"]
    assert found["BACKEND"] == "django.core.cache.backends.redis.RedisCache" and found["LOCATION"] == cache
    monkeypatch.setenv("CACHE_URL", "locmem://")  # said outright, it wins
    assert env.caches_from_env(broker_url=broker)["default"]["BACKEND"].endswith("LocMemCache")


@pytest.mark.parametrize("broker", [None, "memory://", "amqp://guest@rabbit//"])
def test_the_embedded_run_keeps_a_cache_per_process(monkeypatch, broker):
    monkeypatch.delenv("CACHE_URL", raising=False)
    assert env.caches_from_env(broker_url=broker)["default"]["BACKEND"].endswith("LocMemCache")


def test_throttles_and_lockouts_use_the_shared_stores():
    """DRF's throttles count in the default cache (the one CACHE_URL names); django-axes keeps lock-outs in the
    database: both shared by every process."""
    from django.conf import settings
    from django.core.cache import cache
    from rest_framework.throttling import SimpleRateThrottle

    assert SimpleRateThrottle.cache is cache
    assert getattr(settings, "AXES_HANDLER", "axes.handlers.database.AxesDatabaseHandler") == \
        "axes.handlers.database.AxesDatabaseHandler"
