"""The tracker for the mobile app: /api/v1/registrant/records/<number>/tracker/ (the same
selector as /me/<number>/tracker/), a question about an entry, and the SMS opt-out.
Withdrawing the consent behind an entry is the registrant API's own
`DELETE …/consents/<programme code>/`, named by each entry's `withdraw`."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from api.base import error_responses
from registry.api.registrant_signin import TAG, SignedInView
from registry.api.registrant_views import own_record
from registry.models.people import Channel
from tracker.selectors import (
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    SYSTEM_JOBS,
    Cursor,
    Entry,
    tracker_page,
)
from tracker.services import notices_set, notices_wanted, question_ask


class TrackerEntrySerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Names the entry in a question (`origin:id`).")
    # Not `source`: a serializer field of that name shadows DRF's own attribute.
    origin = serializers.ChoiceField(
        choices=["read", "export", "change"],
        help_text="`read`: staff opened the record; `export`: a programme received it; "
        "`change`: a registration, correction, consent change or merge.",
    )
    at = serializers.DateTimeField()
    kind = serializers.CharField(
        help_text="How it happened: the read's channel, the export's kind or the change's action."
    )
    title = serializers.CharField(help_text="What happened, in the asked language.")
    explanation = serializers.CharField(help_text="Why this kind of access happens.")
    organisation = serializers.CharField(
        help_text="Partner bank and branch, programme, area administration or ministry; "
        "never a staff member's name."
    )
    role = serializers.CharField()
    programme = serializers.CharField(allow_null=True, help_text="The programme's code.")
    programme_name = serializers.CharField(allow_null=True)
    items = serializers.ListField(
        child=serializers.CharField(),
        help_text="The columns a programme received, the fields corrected, or the purpose.",
    )
    merged_record = serializers.BooleanField(
        help_text="The entry concerns a record merged into this one."
    )
    withdraw = serializers.CharField(
        allow_null=True,
        help_text="When the consent behind the entry is in force: the path to DELETE to "
        "withdraw it.",
    )


class SystemJobSerializer(serializers.Serializer):
    title = serializers.CharField()
    explanation = serializers.CharField()


class TrackerPageSerializer(serializers.Serializer):
    next = serializers.CharField(
        allow_null=True, help_text="Pass as `after` for the next (older) page; null at the end."
    )
    results = TrackerEntrySerializer(many=True)
    system_jobs = SystemJobSerializer(many=True, help_text="Automatic work: one line per kind.")
    first_receipt_sms = serializers.BooleanField(
        help_text="Whether an SMS is sent when a programme first receives the record."
    )


class QuestionSerializer(serializers.Serializer):
    about = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text="An entry's `key`."
    )
    text = serializers.CharField(max_length=2000)


class QuestionAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()


class NoticesSerializer(serializers.Serializer):
    first_receipt_sms = serializers.BooleanField()


def _entry(entry: Entry, number: str) -> dict:
    code = entry.programme.code if entry.programme else None
    return {
        "key": entry.key,
        "origin": entry.source,
        "at": entry.at.isoformat(),
        "kind": entry.kind,
        "title": entry.title,
        "explanation": entry.explanation,
        "organisation": entry.organisation,
        "role": entry.role,
        "programme": code,
        "programme_name": entry.programme.name if entry.programme else None,
        "items": entry.items,
        "merged_record": entry.merged_record,
        "withdraw": (
            f"/api/v1/registrant/records/{number}/consents/{code}/"
            if entry.withdrawable and code
            else None
        ),
    }


@extend_schema(tags=[TAG])
class RecordTracker(SignedInView):
    @extend_schema(
        summary="Who read one's record, who received it, corrections and consent changes",
        description="Newest first, a keyset page at a time: pass the answer's `next` as "
        "`after`. Reads by the registrant are never listed; automatic work is one line "
        "per kind in `system_jobs`.",
        parameters=[
            OpenApiParameter("after", OpenApiTypes.STR, description="The previous page's `next`."),
            OpenApiParameter(
                "page_size",
                OpenApiTypes.INT,
                description=f"Entries per page (default {PAGE_SIZE}, at most {MAX_PAGE_SIZE}).",
            ),
        ],
        responses={200: TrackerPageSerializer, **error_responses(401, 404, 429)},
    )
    def get(self, request, number):
        person = own_record(request, number)
        try:
            size = int(request.query_params.get("page_size", PAGE_SIZE))
        except ValueError:
            size = PAGE_SIZE
        page = tracker_page(
            person=person, after=Cursor.decode(request.query_params.get("after")), size=size
        )
        return Response(
            {
                "next": page.next.encode() if page.next else None,
                "results": [_entry(e, person.registration_number) for e in page.entries],
                "system_jobs": [
                    {"title": str(job.title), "explanation": str(job.explanation)}
                    for job in SYSTEM_JOBS
                ],
                "first_receipt_sms": notices_wanted(person=person),
            }
        )


@extend_schema(tags=[TAG])
class RecordQuestion(SignedInView):
    @extend_schema(
        summary="Ask the ministry's help desk about an entry",
        request=QuestionSerializer,
        responses={201: QuestionAnswerSerializer, **error_responses(400, 401, 404, 429)},
    )
    def post(self, request, number):
        person = own_record(request, number)
        serializer = QuestionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        question = question_ask(
            person=person,
            text=serializer.validated_data["text"],
            about=serializer.validated_data.get("about", ""),
            channel=Channel.APP,
        )
        return Response(
            {"id": question.pk, "status": question.status}, status=status.HTTP_201_CREATED
        )


@extend_schema(tags=[TAG])
class RecordNotices(SignedInView):
    @extend_schema(
        summary="Whether to get an SMS when a programme first receives one's record",
        request=NoticesSerializer,
        responses={200: NoticesSerializer, **error_responses(400, 401, 404, 429)},
    )
    def put(self, request, number):
        person = own_record(request, number)
        serializer = NoticesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        notices_set(person=person, first_receipt_sms=serializer.validated_data["first_receipt_sms"])
        return Response({"first_receipt_sms": notices_wanted(person=person)})
