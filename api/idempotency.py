"""`Idempotency-Key` on every POST: a retry gets the first answer, never a second effect.

Same user, same key, same request (a SHA-256 of method, path and body): the stored first
response is returned byte for byte, with `Idempotent-Replayed: true`, and nothing runs
again. Same key, another request: 422. A duplicate arriving while the first one still
runs: 409 (retry shortly). Keys live 24 hours (API_IDEMPOTENCY_TTL).

How it holds under concurrency: the key is *claimed* first by an
INSERT ... ON CONFLICT DO NOTHING that commits at once, so exactly one request owns it;
the owner then runs the view and stores its response in one transaction with the view's
own writes. If the process dies half-way, neither the registrant nor the stored response
exist and the claim stays "processing"; once it is older than
API_IDEMPOTENCY_PROCESSING_TIMEOUT (longer than any request may run) a retry takes the
claim over and runs the request, so the effect happens exactly once. A server error (5xx)
releases the claim: nothing was written, and the client may retry with the same key.

A registrant of the registrant API is no user: their principal names an
`idempotency_owner` (a digest of the verified phone), which keys their records instead.

The storage functions take a plain Django request and user; `idempotency_guard` applies
the rules around any view's work, and `idempotent` adapts it to a DRF view's `post`
method (the offline intake's sync endpoints call the guard from plain Django views).
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import connection, transaction
from django.http import HttpResponse, RawPostDataException
from django.utils import timezone

from api.errors import ApiError
from api.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_KEY = re.compile(r"[\x21-\x7e]{1,255}")


class IdempotencyKeyReusedError(Exception):
    """The key was used with a different request."""


class IdempotencyInProgressError(Exception):
    """The first request with this key is still running."""


@dataclass(frozen=True)
class Claim:
    record_id: int | None = None  # set when this request owns the key and must run
    replay: IdempotencyRecord | None = None  # set when the first answer is to be replayed


def idempotency_key_valid(key: str) -> bool:
    return bool(_KEY.fullmatch(key))


def request_fingerprint(request) -> str:
    """SHA-256 of method, full path and body.

    A multipart body is hashed part by part after parsing (field values, then each file's
    name and contents in chunks), because Django will not hold a large upload in memory as
    raw bytes; two identical uploads still give the same fingerprint.
    """
    django_request = getattr(request, "_request", request)
    digest = hashlib.sha256()
    digest.update(f"{django_request.method}\n{django_request.get_full_path()}\n".encode())
    if django_request.content_type.startswith("multipart/"):
        for name in sorted(request.POST):
            for value in request.POST.getlist(name):
                digest.update(f"field\0{name}\0{value}\0".encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(f"file\0{name}\0{upload.name}\0{upload.size}\0".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
        return digest.hexdigest()
    try:
        digest.update(django_request.body)
    except RawPostDataException:  # pragma: no cover - the stream was read elsewhere first
        digest.update(repr(sorted(request.data.items())).encode())
    return digest.hexdigest()


def _ttl() -> timedelta:
    return timedelta(seconds=settings.API_IDEMPOTENCY_TTL)


def _processing_timeout() -> timedelta:
    return timedelta(seconds=settings.API_IDEMPOTENCY_PROCESSING_TIMEOUT)


def _insert(*, user_id: int | None, owner: str, key: str, request_hash: str) -> int | None:
    table = connection.ops.quote_name(IdempotencyRecord._meta.db_table)
    # The unique index that decides: (user_id, key) for staff, the partial one on
    # (owner, key) for registrants.
    target = "(owner, key) WHERE owner <> ''" if owner else "(user_id, key)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} "  # noqa: S608 - the table name is ours, values are bound
            "(user_id, owner, key, request_hash, status_code, response_body, content_type, "
            "created_at, completed_at) VALUES (%s, %s, %s, %s, NULL, %s, '', %s, NULL) "
            f"ON CONFLICT {target} DO NOTHING RETURNING id",
            [user_id, owner, key, request_hash, b"", timezone.now()],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _owner_of(user) -> tuple[int | None, str]:
    """(user id, "") for a staff user; (None, owner) for a principal that names one."""
    owner = getattr(user, "idempotency_owner", "")
    return (None, owner) if owner else (user.pk, "")


def idempotency_claim(*, user, key: str, request_hash: str) -> Claim:
    """Own the key (Claim.record_id), or get the first answer (Claim.replay), or raise."""
    user_id, owner = _owner_of(user)
    for _attempt in range(5):
        with transaction.atomic():
            # No need to wait for the disk: the request's own transaction commits after
            # this one, synchronously, and flushes it too. If the server dies before
            # that, losing the claim loses nothing, since the request did not happen.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
            record_id = _insert(user_id=user_id, owner=owner, key=key, request_hash=request_hash)
        if record_id is not None:
            return Claim(record_id=record_id)
        whose = {"user_id": user_id} if user_id is not None else {"user__isnull": True}
        record = IdempotencyRecord.objects.filter(**whose, owner=owner, key=key).first()
        if record is None:
            continue  # released between our insert and our read: claim again
        now = timezone.now()
        expired = record.created_at < now - _ttl()
        if not expired and record.request_hash != request_hash:
            raise IdempotencyKeyReusedError
        if not expired and record.status_code is not None:
            return Claim(replay=record)
        if not expired and record.created_at >= now - _processing_timeout():
            raise IdempotencyInProgressError
        # Expired, or abandoned by a process that died: take it over, if nobody else did.
        taken = IdempotencyRecord.objects.filter(pk=record.pk, created_at=record.created_at).update(
            request_hash=request_hash,
            status_code=None,
            response_body=b"",
            content_type="",
            created_at=now,
            completed_at=None,
        )
        if taken:
            return Claim(record_id=record.pk)
    raise IdempotencyInProgressError


def idempotency_complete(
    *, record_id: int, status_code: int, body: bytes, content_type: str
) -> None:
    IdempotencyRecord.objects.filter(pk=record_id).update(
        status_code=status_code,
        response_body=body,
        content_type=content_type,
        completed_at=timezone.now(),
    )


def idempotency_release(*, record_id: int) -> None:
    IdempotencyRecord.objects.filter(pk=record_id, status_code=None).delete()


def idempotency_purge(*, older_than: timedelta | None = None) -> int:
    """Delete records past their lifetime; returns how many."""
    cutoff = timezone.now() - (older_than if older_than is not None else _ttl())
    deleted, _by_model = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def replay_response(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.response_body), status=record.status_code, content_type=record.content_type
    )
    response[REPLAYED_HEADER] = "true"
    return response


class _AbandonError(Exception):
    def __init__(self, response):
        self.response = response


def idempotency_guard(request, *, user, key: str, run, refuse):
    """Run `run()` once for (user, key): the rules above, for any kind of view.

    `run()` returns the rendered response of the request; `refuse(code, status, headers)`
    returns (or raises) the answer for a refused key, in the caller's error shape.
    """
    if not idempotency_key_valid(key):
        return refuse("idempotency_key_invalid", 400, {})
    try:
        request_hash = request_fingerprint(request)
    except RequestDataTooBig:
        return refuse("request_too_large", 413, {})
    try:
        claim = idempotency_claim(user=user, key=key, request_hash=request_hash)
    except IdempotencyKeyReusedError:
        return refuse("idempotency_key_reused", 422, {})
    except IdempotencyInProgressError:
        return refuse("idempotency_in_progress", 409, {"Retry-After": "1"})
    if claim.replay is not None:
        return replay_response(claim.replay)
    record_id = claim.record_id
    assert record_id is not None  # a claim either replays or owns the key
    try:
        # The view's writes and the stored answer commit together, or not at all.
        with transaction.atomic():
            response = run()
            if response.status_code >= 500:
                raise _AbandonError(response)
            idempotency_complete(
                record_id=record_id,
                status_code=response.status_code,
                body=response.content,
                content_type=response.get("Content-Type", "application/json"),
            )
    except _AbandonError as abandon:
        idempotency_release(record_id=record_id)
        return abandon.response
    except BaseException:
        idempotency_release(record_id=record_id)
        raise
    return response


def idempotent(handler):
    """Decorate a DRF view's `post` so that `Idempotency-Key` is honoured."""

    def refuse(code: str, status_code: int, headers: dict):
        raise ApiError(code, status_code=status_code, headers=headers or None)

    @wraps(handler)
    def wrapped(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        return idempotency_guard(
            request,
            user=request.user,
            key=key,
            run=lambda: _run(view, request, handler, args, kwargs),
            refuse=refuse,
        )

    # Read by the schema (api/schema.py): the header and its answers are documented on
    # the operations that honour it, and only there.
    wrapped.honours_idempotency_key = True  # type: ignore[attr-defined]
    return wrapped


def _run(view, request, handler, args, kwargs):
    """The handler's response, errors included, rendered to the bytes we store."""
    try:
        response = handler(view, request, *args, **kwargs)
    except Exception as exc:
        response = view.handle_exception(exc)
    response = view.finalize_response(request, response, *args, **kwargs)
    if hasattr(response, "render"):
        response.render()
    return response
