"""Settings from the environment: production is safe, a newcomer needs no services."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-" + "x7Gq2" * 10,
    "ALLOWED_HOSTS": "onboarding.gov.kh",
    "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
    "REDIS_URL": os.environ.get("REDIS_URL", ""),
    # A deployment names how people reach the ministry (the help page; shell.W001).
    "CONTACT_HOTLINE": "1297",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION
        and k
        not in {"HTTPS", "STATIC_MANIFEST", "CELERY_TASK_ALWAYS_EAGER", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_deploy_is_clean_in_production_configuration():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION, "SECRET_KEY": ""}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_without_database_url_an_embedded_postgresql_is_used(tmp_path):
    env = {"DEBUG": "true"}
    code = (
        "import django; django.setup();"
        "from django.db import connection;"
        "c = connection.cursor(); c.execute('select version()');"
        "print(connection.settings_dict['HOST']); print(c.fetchone()[0])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in PRODUCTION},
            **env,
            "DJANGO_SETTINGS_MODULE": "onboarding.settings",
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    host, version = result.stdout.strip().splitlines()[-2:]
    assert host.endswith("var/pgdata")
    assert version.startswith("PostgreSQL")


@pytest.mark.django_db
def test_without_redis_celery_runs_tasks_inline(settings):
    from onboarding.celery import app

    # The suite sets CELERY_TASK_ALWAYS_EAGER explicitly; the default follows REDIS_URL.
    assert app.conf.task_always_eager is True


def test_a_deployment_sends_sms_through_the_gateway_unless_told_otherwise():
    # The development outbox writes one-time codes to a file in clear: never by default
    # when DEBUG is off.
    assert _sms_backend(PRODUCTION) == "registry.sms.HttpGatewayBackend"
    assert _sms_backend({**PRODUCTION, "DEBUG": "true"}) == "registry.sms.OutboxBackend"
    chosen = {**PRODUCTION, "SMS_BACKEND": "registry.sms.OutboxBackend"}
    assert _sms_backend(chosen) == "registry.sms.OutboxBackend"


def _sms_backend(environment: dict[str, str]) -> str:
    code = "from django.conf import settings; print(settings.SMS_BACKEND)"
    result = run_manage("shell", "--no-imports", "-c", code, env=environment)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1]
