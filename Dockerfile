# One image for the web server, the Celery worker and Celery beat (see docker-compose.yml).

# Front-end assets: npm packages copied into safeguarding/static/vendor, exactly as `make static` does.
FROM node:20-bookworm-slim AS static
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY safeguarding/devstack/copy_static.sh safeguarding/devstack/copy_static.sh
RUN bash safeguarding/devstack/copy_static.sh

FROM python:3.11-slim AS app
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=safeguarding.settings.production

# WeasyPrint (panel packs as PDF) lays text out with Pango; fonts-liberation gives it real fonts.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system reachable \
    && useradd --system --gid reachable --home-dir /app --no-create-home --shell /usr/sbin/nologin reachable

WORKDIR /app

# Dependencies first, pinned by constraints.txt, so a code change does not reinstall them.
# (Every wheel needed is a manylinux binary: psycopg2-binary, argon2-cffi; no compiler in the image.)
COPY pyproject.toml constraints.txt ./
COPY safeguarding/devstack/requirements.py safeguarding/devstack/requirements.py
RUN python safeguarding/devstack/requirements.py > /tmp/requirements.txt \
    && pip install -c constraints.txt -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
COPY --from=static /src/safeguarding/static/vendor safeguarding/static/vendor

# Hashed, compressed copies in STATIC_ROOT for WhiteNoise (the secret exists only for this build step), and
# bytecode compiled now: at run time the code is read-only to the reachable user.
RUN DJANGO_SECRET_KEY=collectstatic-only DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput \
    && python -m compileall -q .

USER reachable
EXPOSE 8000
CMD ["gunicorn", "safeguarding.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-", "--no-control-socket"]
