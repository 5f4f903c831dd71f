"""The embedded PostgreSQL used when no DATABASE_URL is configured.

A newcomer runs the portal with no services at all: the `pgserver` package ships
PostgreSQL binaries and starts a private server whose data lives under `var/`.
It is never used in production or in the test suite, which set DATABASE_URL.
"""

from pathlib import Path

DATABASE_NAME = "onboarding"


def embedded_database(data_dir: Path) -> dict:
    import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None keeps the server running between manage.py invocations,
    # so the autoreloader and later commands reuse it instead of restarting it.
    server = pgserver.get_server(data_dir, cleanup_mode=None)
    # DATABASE_NAME is a constant of this module, not input.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "HOST": str(data_dir),
        "PORT": "",
    }
