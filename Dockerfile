# The production image: gunicorn serves the portal (static files through whitenoise);
# the same image runs the Celery worker and beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PORTAL_ENV=production
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 portal
WORKDIR /app
COPY . .
COPY --from=assets /build/node_modules/htmx.org/dist/htmx.min.js portal/static/vendor/htmx.min.js
COPY --from=assets /build/node_modules/scrypt-js/scrypt.js portal/static/vendor/scrypt.js
RUN pip install --no-cache-dir -e . \
    && SECRET_KEY=build-only-collectstatic DATABASE_URL=sqlite:////tmp/build.sqlite3 \
       REDIS_URL=redis://unused:6379/0 python manage.py collectstatic --noinput
USER portal
EXPOSE 8000
# Workers, worker class and keep-alive: deploy/gunicorn.conf.py ((2 × cores) + 1 sync workers,
# WEB_CONCURRENCY to override).
CMD ["gunicorn", "portal.wsgi:application", "--config", "deploy/gunicorn.conf.py", \
     "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
