"""The deployment as written: docker-compose.yml, the Dockerfile, .dockerignore, the proxy's Caddyfile, the health
checks, and gunicorn under the production settings (issue 18)."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from config import healthcheck
from tests.config.fresh_settings import settings_with

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")
SECRET = "s" * 60


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _flag(command: list[str], name: str) -> str:
    values = [part.split("=", 1)[1] for part in command if part.startswith(f"--{name}=")]
    assert len(values) == 1, f"--{name} given {len(values)} times in {command}"
    return values[0]


def test_only_the_proxy_publishes_ports(compose):
    services = compose["services"]
    published = sorted(name for name, service in services.items() if service.get("ports"))
    assert published == ["proxy"]
    assert services["proxy"]["image"].startswith("caddy:")
    assert {port.split(":")[-1] for port in services["proxy"]["ports"]} >= {"80", "443"}
    assert "8000" in [str(port) for port in services["web"].get("expose", [])]


def test_the_app_trusts_forwarded_headers_from_the_proxy_alone(compose):
    services, networks = compose["services"], compose["networks"]
    # The web's network towards the proxy is private (no way out, no one else on it) ...
    on_edge = sorted(name for name, service in services.items() if "edge" in service.get("networks", []))
    assert on_edge == ["proxy", "web"]
    assert networks["edge"]["internal"] is True
    proxy_ip = services["proxy"]["networks"]["edge"]["ipv4_address"]
    assert proxy_ip == "${TANSIQ_PROXY_IP:-172.31.250.2}"
    # ... and gunicorn (which decides the scheme) and the app's client-address logic believe only that address.
    assert _flag(services["web"]["command"], "forwarded-allow-ips") == proxy_ip
    assert services["web"]["environment"]["TANSIQ_TRUSTED_PROXIES"] == proxy_ip
    assert "DJANGO_SECURE_PROXY_SSL_HEADER" not in services["web"]["environment"]


def test_gunicorn_timeouts_fit_the_exports_and_the_proxy(compose):
    command = compose["services"]["web"]["command"]
    timeout = int(_flag(command, "timeout"))
    assert _flag(command, "worker-class") == "gthread"
    # The exports' goals (issue 17): 3W ≤ 15 s, IATI ≤ 40 s at 100,000 projects — three times over, at least.
    assert timeout >= 120
    caddyfile = (ROOT / "deploy/caddy/Caddyfile").read_text()
    read_timeout = int(re.search(r"read_timeout (\d+)s", caddyfile).group(1))
    assert read_timeout > timeout, "the proxy must wait longer than gunicorn, so gunicorn's answer gets through"
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--timeout=120" in dockerfile and "--worker-class=gthread" in dockerfile


def test_health_checks_use_the_checks_that_pass_under_production(compose):
    for name in APP_SERVICES:
        check = compose["services"][name]["healthcheck"]["test"]
        assert check == ["CMD", "python", "-m", "config.healthcheck", name], name
    assert compose["services"]["web"]["environment"]["TANSIQ_HEALTHCHECK_HOST"] == "localhost"
    assert "--max-interval" in compose["services"]["beat"]["command"]


def test_the_app_waits_for_a_one_shot_migration(compose):
    services = compose["services"]
    migrate = services["migrate"]
    assert "manage.py migrate --noinput" in " ".join(migrate["command"])
    assert migrate["restart"] == "no"
    for name in APP_SERVICES:
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
        assert services[name]["depends_on"]["db"] == {"condition": "service_healthy"}
    assert services["proxy"]["depends_on"]["web"] == {"condition": "service_healthy"}


def test_required_secrets_are_checked(compose):
    env = compose["services"]["web"]["environment"]
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert "${POSTGRES_PASSWORD:?" in env["DATABASE_URL"]
    assert env["DJANGO_ALLOWED_HOSTS"].startswith("${TANSIQ_DOMAIN:?")
    assert compose["services"]["db"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")


def test_media_and_backups_are_volumes_the_app_user_owns(compose):
    assert "media:/app/var/media" in compose["services"]["web"]["volumes"]
    assert "media:/app/var/media" in compose["services"]["worker"]["volumes"]
    assert "backups:/app/var/backups" in compose["services"]["worker"]["volumes"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    # A new named volume takes the owner of the image's folder it is mounted on.
    assert re.search(r"mkdir -p /app/var/media /app/var/backups /srv/static", dockerfile)
    assert "chown -R 1000:1000 /app/var /srv/static" in dockerfile
    assert "useradd --system --uid 1000" in dockerfile
    assert dockerfile.index("USER 1000:1000") > dockerfile.index("chown -R 1000:1000")
    assert "postgresql-client-15" in dockerfile  # pg_dump for `manage.py backup`


def test_dockerignore_keeps_local_state_and_secrets_out_of_the_image():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".venv", "var", ".env", "node_modules", ".git", "staticfiles"} <= ignored


def test_the_proxy_serves_static_keeps_media_private_and_limits_uploads():
    caddyfile = (ROOT / "deploy/caddy/Caddyfile").read_text()
    assert "handle_path /static/*" in caddyfile and "root * /srv/static" in caddyfile
    assert re.search(r"handle /media/\* \{\s*respond 404", caddyfile)
    assert "max_size {$TANSIQ_UPLOAD_MAX:60MB}" in caddyfile
    assert "immutable" in caddyfile and "Strict-Transport-Security" in caddyfile
    for mode in ("files", "auto", "internal"):
        assert (ROOT / f"deploy/caddy/tls-{mode}.caddy").read_text().count("tls ") == 1


@pytest.mark.skipif(not shutil.which("caddy"), reason="Caddy is not installed (scripts/setup.sh --ci installs it)")
@pytest.mark.parametrize("mode", ["files", "auto", "internal"])
def test_caddy_reads_the_caddyfile(mode):
    env = {"PATH": os.environ["PATH"], "HOME": "/tmp", "TANSIQ_DOMAIN": "tansiq.example.gov.ly", "TANSIQ_TLS": mode,
           "TANSIQ_ACME_EMAIL": "ops@example.gov.ly"}
    done = subprocess.run(["caddy", "adapt", "--config", str(ROOT / "deploy/caddy/Caddyfile")], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert '"tansiq.example.gov.ly"' in done.stdout and '"max_size":60000000' in done.stdout
    assert '"dial":"web:8000"' in done.stdout


def _compose_config(tmp_path: Path, **values: str) -> subprocess.CompletedProcess:
    env_file = tmp_path / "test.env"
    env_file.write_text("".join(f"{key}={value}\n" for key, value in values.items()))
    # Nothing from this machine's environment: only what the env file says.
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "TANSIQ_ENV_FILE": str(env_file)}
    return subprocess.run(["docker", "compose", "--env-file", str(env_file), "-f", str(ROOT / "docker-compose.yml"),
                           "config", "--format", "json"], env=env, capture_output=True, text=True, timeout=60)


def _docker_compose_available() -> bool:
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30).returncode == 0


@pytest.mark.skipif(not _docker_compose_available(), reason="no `docker compose` (scripts/compose_tool.sh installs it)")
def test_docker_compose_config_passes_and_refuses_an_empty_secret_key(tmp_path):
    import json

    good = {"SECRET_KEY": secrets.token_urlsafe(50), "POSTGRES_PASSWORD": "pw", "TANSIQ_DOMAIN": "tansiq.example.ly"}
    done = _compose_config(tmp_path, **good)
    assert done.returncode == 0, done.stderr
    config = json.loads(done.stdout)
    web = config["services"]["web"]
    assert web["environment"]["DJANGO_ALLOWED_HOSTS"] == "tansiq.example.ly"
    assert web["environment"]["SECRET_KEY"] == good["SECRET_KEY"]
    assert "--forwarded-allow-ips=172.31.250.2" in web["command"]
    assert config["services"]["proxy"]["networks"]["edge"]["ipv4_address"] == "172.31.250.2"
    assert not web.get("ports")

    for missing in ("SECRET_KEY", "POSTGRES_PASSWORD", "TANSIQ_DOMAIN"):
        refused = _compose_config(tmp_path, **{**good, missing: ""})
        assert refused.returncode != 0, f"compose accepted an empty {missing}"
        assert f"set {missing} in .env" in refused.stderr


def test_production_settings_allow_the_health_check_and_exempt_it_from_https():
    read = settings_with({"SECRET_KEY": SECRET, "DATABASE_URL": "postgis://u@h:5432/db",
                          "DJANGO_ALLOWED_HOSTS": "tansiq.example.ly"},
                         ["ALLOWED_HOSTS", "SECURE_REDIRECT_EXEMPT", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER"],
                         module="config.settings.production")
    assert read["ALLOWED_HOSTS"] == ["tansiq.example.ly", "localhost"]
    assert any(re.match(pattern, "healthz") for pattern in read["SECURE_REDIRECT_EXEMPT"])
    assert not any(re.match(pattern, "accounts/login/") for pattern in read["SECURE_REDIRECT_EXEMPT"])
    assert read["SECURE_SSL_REDIRECT"] is True
    assert read["SECURE_PROXY_SSL_HEADER"] is None  # the scheme is gunicorn's, from the trusted proxy alone


def test_beat_check_passes_on_a_fresh_schedule_and_fails_on_a_stale_or_missing_one(tmp_path):
    base = tmp_path / "celerybeat-schedule"
    assert "no beat schedule file" in healthcheck.check_beat(str(base), 600)
    (tmp_path / "celerybeat-schedule.dat").write_bytes(b"x")
    assert healthcheck.check_beat(str(base), 600) is None
    old = time.time() - 3600
    os.utime(tmp_path / "celerybeat-schedule.dat", (old, old))
    assert "last written 3600 s ago" in healthcheck.check_beat(str(base), 600)
    assert healthcheck.main(["healthcheck", "nothing"]) == 2


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _production_gunicorn(database_url: str, tmp_path: Path, allow_ips: str):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TANSIQ_", "DJANGO_", "DATABASE_", "CELERY_"))}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.production", SECRET_KEY=secrets.token_urlsafe(50),
               DATABASE_URL=database_url, CELERY_BROKER_URL="memory://", TANSIQ_VAR_DIR=str(tmp_path),
               DJANGO_ALLOWED_HOSTS="tansiq.example.ly", DJANGO_LOG_LEVEL="WARNING")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = (tmp_path / "gunicorn.log").open("w")
    proc = subprocess.Popen([str(gunicorn), "config.wsgi:application", f"--bind=127.0.0.1:{port}", "--workers=1",
                             "--worker-class=gthread", "--threads=2", "--timeout=120",
                             f"--forwarded-allow-ips={allow_ips}"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while healthcheck.check_web(port, timeout=2) is not None:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not come up: {(tmp_path / 'gunicorn.log').read_text()[-3000:]}")
            time.sleep(0.3)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _get(port: int, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers), timeout=20) as r:
            return r.status, dict(r.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)


def _postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgis://", "postgres://", "postgresql://")):
        pytest.skip("the production settings need PostGIS: set DATABASE_URL=postgis://... (CI does)")
    return url


@pytest.mark.slow
def test_web_health_check_passes_under_production_and_forwarded_proto_counts_only_from_the_proxy(tmp_path):
    database_url = _postgres_url()
    # 10.255.255.1 stands for the proxy: the test's own requests (from 127.0.0.1) are not from it.
    with _production_gunicorn(database_url, tmp_path, allow_ips="10.255.255.1") as port:
        assert healthcheck.check_web(port) is None  # Host: localhost, plain HTTP: 200
        status, _ = _get(port, "/healthz", {"Host": "evil.example"})
        assert status == 400
        status, headers = _get(port, "/accounts/login/", {"Host": "tansiq.example.ly"})
        assert status == 301 and headers["Location"].startswith("https://tansiq.example.ly/")
        # A forged X-Forwarded-Proto from anyone but the proxy changes nothing.
        status, headers = _get(port, "/accounts/login/", {"Host": "tansiq.example.ly", "X-Forwarded-Proto": "https"})
        assert status == 301
    with _production_gunicorn(database_url, tmp_path, allow_ips="127.0.0.1") as port:
        # (The API's answer needs neither templates nor tables: the signed-out refusal, over "HTTPS".)
        status, headers = _get(port, "/api/v1/projects/", {"Host": "tansiq.example.ly", "X-Forwarded-Proto": "https"})
        assert status == 403 and "Strict-Transport-Security" in headers
