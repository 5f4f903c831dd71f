"""The Redis cache (onboarding.cache) keeps one client per connection pool: Django's own
built one per call, which cost an API request about a millisecond of CPU."""

import threading

from django.core.cache import cache, caches

from onboarding.cache import RedisCache


def test_the_cache_is_redis_and_reuses_one_client():
    assert isinstance(caches["default"], RedisCache)
    first = cache._cache.get_client(write=True)
    cache.set("cache-test", 1, 10)
    assert cache.get("cache-test") == 1
    assert cache._cache.get_client(write=True) is first
    assert cache._cache.get_client() is first  # one server: reads use it too


def test_the_shared_client_serves_threads():
    errors = []

    def work(n: int) -> None:
        try:
            for i in range(50):
                cache.set(f"cache-thread-{n}-{i}", i, 10)
                assert cache.get(f"cache-thread-{n}-{i}") == i
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
