"""Rate limits, counted in the default cache (Redis in production, shared by all workers).

Scopes and their rates (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], read on every request
so configuration and tests can change them):

- `anon`: unauthenticated clients, per address (the schema and docs pages);
- `user`: every authenticated request, per user (token or session);
- `registrant_create`: creating registrants, per user, instead of `user`, so a partner
  system can push a campaign day's backlog faster than a person clicks;
- `intake_upload`: bulk files, per user (on top of `user`).

Counting is a fixed window per scope and client (`N/min` = N per calendar minute): one
atomic INCR of a small counter. DRF's own throttles keep the timestamp of every request
in the window as one cached list, read and written back whole on each request (600
timestamps pickled twice per request at 600/min), and lose counts when two workers
update the list at once; an atomic counter has neither problem. The price is that a
client may spend two windows' worth across a boundary, which these limits tolerate.

When the cache cannot be reached (Redis down or not answering within its socket
timeout, settings.CACHES), the limits **fail open**: the request is served uncounted and
a warning is logged. These limits spread load fairly; what guards secrets is counted in
PostgreSQL (phone codes, the sign-in lockout), and a registration must not be refused
because the counters are gone (it is saved, and its tasks kept in the outbox). Counting
resumes as soon as Redis answers again.
"""

import logging
import time
from typing import cast

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from api.client_address import client_address

logger = logging.getLogger(__name__)


class WindowThrottle(BaseThrottle):
    scope: str | None = None

    def get_scope(self, view) -> str | None:
        return self.scope

    def get_rate(self, scope: str) -> str | None:
        # DRF's rates are "N/period" strings; its stubs type them as numbers.
        rates = cast(dict[str, str | None], api_settings.DEFAULT_THROTTLE_RATES)
        return rates.get(scope)

    def get_ident(self, request) -> str:
        # DRF's own reads X-Forwarded-For from anyone: a rotating header was a fresh
        # client each time. Ours honours it only from a trusted proxy.
        return client_address(request) or "unknown"

    def get_ident_for(self, request) -> str | None:
        """Whom to count: the user, or the client address; None to skip this throttle."""
        if request.user and request.user.is_authenticated:
            return f"u{request.user.pk}"
        return f"a{self.get_ident(request)}"

    def allow_request(self, request, view) -> bool:
        scope = self.get_scope(view)
        rate = self.get_rate(scope) if scope else None
        if not rate:
            return True
        ident = self.get_ident_for(request)
        if ident is None:
            return True
        wait = _window_hit(f"throttle:{scope}:{ident}", rate)
        self._wait = wait or 0.0
        return wait is None

    def wait(self) -> float:
        return max(self._wait, 0.0)


def _parse_rate(rate: str) -> tuple[int, int]:
    """A rate such as "600/min" as (600, 60), as DRF's SimpleRateThrottle.parse_rate."""
    number, period = rate.split("/")
    return int(number), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def address_rate_wait(request, *, scope: str, rate: str) -> float | None:
    """Count one request of this client address in `scope` (a rate such as "30/min", for
    pages outside DRF such as /verify/); the seconds to wait when over, else None."""
    return _window_hit(f"throttle:{scope}:a{client_address(request) or 'unknown'}", rate)


def _window_hit(key: str, rate: str) -> float | None:
    """Count one request under `key` in the current window of `rate`; the seconds left in
    the window when the count is over the rate, else None (also when the counter cannot
    be reached: fail open, see the module's docstring)."""
    allowed, period = _parse_rate(rate)
    now = time.time()
    window = int(now // period)
    try:
        count = _count(f"{key}:{window}", timeout=period + 1)
    except CounterUnavailableError as error:
        # The error's type only: its text may name the key, which holds the client address.
        logger.warning("Rate-limit counter unavailable (%s): request served uncounted", error)
        return None
    return (window + 1) * period - now if count > allowed else None


class CounterUnavailableError(Exception):
    """The cache holding the counters did not answer."""


def _count(key: str, *, timeout: int) -> int:
    """Add one to the counter `key` (created with `timeout`) and return it, atomically."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # One round trip: INCR, and set the expiry only when the key is new.
        full_key = backend.make_and_validate_key(key)
        client = backend._cache.get_client(full_key, write=True)
        pipeline = client.pipeline(transaction=False)
        pipeline.incr(full_key)
        pipeline.expire(full_key, timeout, nx=True)
        try:
            return pipeline.execute()[0]
        except RedisError as error:
            raise CounterUnavailableError(type(error).__name__) from error
    try:
        return backend.incr(key)
    except ValueError:  # the window's first request
        return 1 if backend.add(key, 1, timeout=timeout) else backend.incr(key)


class AnonThrottle(WindowThrottle):
    scope = "anon"

    def get_ident_for(self, request) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return super().get_ident_for(request)


class UserThrottle(WindowThrottle):
    scope = "user"

    def get_ident_for(self, request) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_ident_for(request)


class ScopedThrottle(WindowThrottle):
    """Per user (or address) and the view's `throttle_scope`."""

    def get_scope(self, view) -> str | None:
        return getattr(view, "throttle_scope", None)
