FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY onboarding onboarding
COPY api api
COPY khmer khmer
COPY geography geography
COPY accounts accounts
COPY programmes programmes
COPY campaigns campaigns
COPY registry registry
COPY partners partners
COPY dedup dedup
COPY dashboards dashboards
COPY demo demo
RUN pip install --no-cache-dir .
COPY . .
RUN bash scripts/vendor_static.sh \
    && for po in locale/*/LC_MESSAGES/django.po; do msgfmt -o "${po%.po}.mo" "$po"; done \
    && DEBUG=true DATABASE_URL=sqlite:////tmp/build.db python manage.py collectstatic --noinput
RUN useradd --create-home app && mkdir -p var/media && chown -R app var
USER app
EXPOSE 8000
CMD ["gunicorn", "-c", "onboarding/gunicorn_conf.py", "onboarding.wsgi:application"]
