# The production image: the app under gunicorn, static files by whitenoise.
# One image for web, worker and beat (docker-compose.yml); docs/deploy.md.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_ENV=production
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
# collectstatic needs settings to import; these build-time values are never used at run time
# (tests/integration/test_production_shape.py runs this line as written here).
RUN DJANGO_SECRET_KEY=build DJANGO_ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.db CELERY_BROKER_URL=redis://build:6379/0 python manage.py collectstatic --noinput
RUN useradd --system --uid 1000 app && mkdir -p /app/media && chown app /app/media
USER app
EXPOSE 8000
# Behind the proxy only (docker-compose.yml): gunicorn is never published.
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py load_reference_data && gunicorn -c config/gunicorn.py config.wsgi:application"]
