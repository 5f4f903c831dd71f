"""gunicorn's settings for a deployment: `gunicorn -c onboarding/gunicorn_conf.py
onboarding.wsgi:application` (the Dockerfile and docker-compose.yml). The access log
goes to stdout with every query string and every person-identifying path segment
removed (onboarding/log_privacy.py)."""

import os

accesslog = "-"
logger_class = "onboarding.log_privacy.RedactingLogger"
# Combined log format, less the user agent: client, time, request, status, size,
# referrer, duration in microseconds.
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" %(D)sus'
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
