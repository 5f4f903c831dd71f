"""Waiting for the page under the Content-Security-Policy."""


def wait_until(page, expression: str, timeout_ms: int = 15000) -> None:
    """Wait until `expression` is true in the page. Playwright's wait_for_function
    compiles its predicate with `new Function`, which the Content-Security-Policy
    (no 'unsafe-eval') refuses; an evaluation through the DevTools protocol is allowed."""
    waited = 0
    while not page.evaluate(expression):
        if waited >= timeout_ms:
            raise AssertionError(f"still false after {timeout_ms} ms: {expression}")
        page.wait_for_timeout(100)
        waited += 100
