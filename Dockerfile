# Tansiq web, worker and beat image (one image, three commands in docker-compose.yml).
FROM node:20-bookworm-slim AS static
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgdal32 libgeos-c1v5 libproj25 libsqlite3-mod-spatialite \
      libsqlite3-dev gcc gettext fonts-noto-core libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 postgresql-client-15 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
COPY --from=static /src/node_modules ./node_modules
RUN python manage.py compilemessages -l ar --ignore=node_modules \
 && SECRET_KEY=build-only-not-used-at-run-time-0123456789abcdefghijklmnopqrstuvwxyz \
    DATABASE_URL=postgis://build@localhost/build python manage.py collectstatic --noinput -v 0 \
 && groupadd --system --gid 1000 tansiq && useradd --system --uid 1000 --gid 1000 tansiq \
 && mkdir -p /app/var/media /app/var/backups /srv/static \
 && chown -R 1000:1000 /app/var /srv/static
# A new named volume takes the owner of the folder it is mounted on: media, backups and static belong to uid 1000.
USER 1000:1000
EXPOSE 8000
# docker-compose.yml gives the full gunicorn command (threads, timeouts, the proxy's address); this is the same.
CMD ["gunicorn", "config.wsgi:application", "--bind=0.0.0.0:8000", "--workers=3", "--worker-class=gthread", \
     "--threads=4", "--timeout=120", "--graceful-timeout=30", "--keep-alive=5", "--access-logfile=-"]
