"""The registrant's data tracker (issue 17): /me/<number>/tracker/ and its API.

A staff read, an export and a correction each appear for the right person and for
nobody else; merged records' entries show on the survivor; the registrant's own
reads are never listed; withdrawing from an entry leaves the person out of the
programme's next export; a question reaches the admin's help desk queue; the first
receipt by a programme sends one SMS (none when opted out)."""

import datetime
import re

import pytest
from django.utils import timezone

from accounts.models import Role
from audit.models import PersonRead, ReadKind
from audit.services import person_reads_record
from dedup.services.merge import person_merge
from programmes.models import EligibilityRule, Programme
from registry.models import Consent, PersonChange, SmsMessage
from registry.models.people import Channel
from registry.services.consent import consent_give
from registry.services.people import person_data_clean, person_update
from sharing import services as sharing_services
from sharing.models import ExportJob, ExportMember
from tests.factories import PersonFactory, UserFactory, user_with_role
from tests.registry.test_me import PHONE, sign_in
from tracker.models import ProgrammeReceipt, Question
from tracker.selectors import Cursor, tracker_page
from tracker.services import first_receipt_notify

pytestmark = pytest.mark.django_db

OTHER_PHONE = "+85517000000"


@pytest.fixture(autouse=True)
def exports_root(settings, tmp_path):
    settings.EXPORTS_ROOT = tmp_path / "exports"


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def programme(geography):
    programme = Programme.objects.create(
        code="tracker-programme",
        kind=Programme.Kind.SKILLS,
        name_km="កម្មវិធីបណ្តុះបណ្តាល",
        name_en="Tracker training",
        columns=["name_latin", "phone", "sex"],
    )
    EligibilityRule.objects.create(programme=programme)
    return programme


def export(programme, capture=None) -> ExportJob:
    job = sharing_services.export_request(programme=programme, user=None)
    if capture is not None:
        with capture(execute=True):
            sharing_services.export_run(job_id=job.pk)
    else:
        sharing_services.export_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    return job


def tracker_html(client, person) -> str:
    response = client.get(f"/me/{person.registration_number}/tracker/")
    assert response.status_code == 200
    return response.content.decode()


def entries(person):
    return tracker_page(person=person, size=100).entries


def test_a_staff_read_appears_for_the_person_read_and_nobody_else(client, english, clerk, branch):
    mine = PersonFactory(phone=PHONE, branch=branch)
    other = PersonFactory(phone=OTHER_PHONE, branch=branch)
    client.force_login(clerk)
    assert client.get(f"/branch/applicants/{mine.registration_number}/").status_code == 200
    client.logout()  # forgets every cookie: the language too
    client.cookies["django_language"] = "en"
    assert PersonRead.objects.filter(person_id=mine.pk, kind=ReadKind.STAFF_PAGE).exists()

    sign_in(client)
    html = tracker_html(client, mine)
    assert "Staff opened your record" in html
    # Organisation and role: the bank and branch, "Branch staff"; never the user's name.
    assert branch.partner.name in html and branch.name in html
    assert "Branch staff" in html
    assert clerk.username not in html
    assert [e.source for e in entries(other)] == []


def test_an_export_appears_with_programme_and_columns_for_the_person_only(
    client, english, programme
):
    mine = PersonFactory(phone=PHONE)
    consent_give(person=mine, programme=programme, channel=Channel.SELF)
    bystander = PersonFactory(phone=OTHER_PHONE)  # no consent: not exported
    job = export(programme)
    assert ExportMember.objects.filter(job=job, person=mine).exists()

    sign_in(client)
    html = tracker_html(client, mine)
    assert "Tracker training received your details" in html
    assert "Name in Latin letters" in html  # a column it received, by its name
    exports = [e for e in entries(mine) if e.source == "export"]
    assert [e.id for e in exports] == [job.pk]
    assert exports[0].withdrawable is True
    assert [e for e in entries(bystander) if e.source == "export"] == []


def test_a_correction_shows_who_made_it_by_role_and_organisation(client, english, clerk, branch):
    mine = PersonFactory(phone=PHONE, name_latin="Sok Dara")
    other = PersonFactory(phone=OTHER_PHONE)
    data = person_data_clean(
        raw={
            "name_km": mine.name_km,
            "name_latin": "Sokh Dara",
            "sex": mine.sex,
            "date_of_birth": mine.date_of_birth.isoformat(),
            "phone": str(mine.phone),
            "village_code": mine.village.code,
            "actor_type": mine.actor_type,
            "sector": mine.sector,
        }
    )
    assert person_update(person=mine, data=data, channel=Channel.BRANCH, actor=clerk)
    sign_in(client)
    html = tracker_html(client, mine)
    assert "Updated" in html and "Name in Latin letters" in html
    assert "Branch staff" in html and branch.name in html
    assert clerk.username not in html
    assert not [e for e in entries(other) if e.kind == PersonChange.Action.UPDATED]


def test_consent_changes_are_listed(client, english, programme):
    mine = PersonFactory(phone=PHONE)
    consent_give(person=mine, programme=programme, channel=Channel.SELF)
    sign_in(client)
    html = tracker_html(client, mine)
    assert "Consent given" in html and "Tracker training" in html


def test_a_merged_records_entries_show_on_the_survivor(client, english, geography):
    survivor = PersonFactory(phone=PHONE)
    merged = PersonFactory(phone=OTHER_PHONE)
    ministry = user_with_role(Role.MINISTRY_OFFICER)
    person_reads_record(user=ministry, person_ids=[merged.pk], kind=ReadKind.REVIEW_CASE)
    person_merge(survivor=survivor, merged=merged)
    sign_in(client)
    html = tracker_html(client, survivor)
    assert "another record of yours that was joined to this one" in html
    assert "The Ministry (national)" in html and "Ministry officer" in html
    reads = [e for e in entries(survivor) if e.source == "read"]
    assert len(reads) == 1 and reads[0].merged_record


def test_the_registrants_own_reads_are_not_listed(client, english, geography):
    mine = PersonFactory(phone=PHONE)
    sign_in(client)
    for url in ["", "tracker/", "consents/", "programmes/"]:
        client.get(f"/me/{mine.registration_number}/{url}")
    assert PersonRead.objects.filter(person_id=mine.pk).count() == 0
    assert [e for e in entries(mine) if e.source == "read"] == []


def test_only_records_of_the_verified_phone_open(client, geography):
    PersonFactory(phone=PHONE)
    stranger = PersonFactory(phone=OTHER_PHONE)
    assert client.get(f"/me/{stranger.registration_number}/tracker/").status_code == 302
    sign_in(client)
    for url in ["tracker/", "tracker/ask/", "tracker/withdraw/nssf/"]:
        assert client.get(f"/me/{stranger.registration_number}/{url}").status_code == 404


def test_pages_follow_each_other_newest_first_without_repeats(geography):
    mine = PersonFactory(phone=PHONE)
    staff = user_with_role(Role.MINISTRY_OFFICER)
    for _n in range(45):
        person_reads_record(user=staff, person_ids=[mine.pk], kind=ReadKind.ADMIN)
    seen = []
    after = None
    while True:
        page = tracker_page(person=mine, after=after, size=20)
        seen += [(e.source, e.id) for e in page.entries]
        if page.next is None:
            break
        after = Cursor.decode(page.next.encode())
    assert len(seen) == len(set(seen)) == 45
    times = [e.at for e in tracker_page(person=mine, size=100).entries]
    assert times == sorted(times, reverse=True)


def test_withdrawing_from_an_entry_leaves_the_person_out_of_the_next_export(
    client, english, programme
):
    mine = PersonFactory(phone=PHONE)
    stays = PersonFactory(phone=OTHER_PHONE)
    for person in (mine, stays):
        consent_give(person=person, programme=programme, channel=Channel.SELF)
    first = export(programme)
    assert ExportMember.objects.filter(job=first, person=mine).exists()

    sign_in(client)
    html = tracker_html(client, mine)
    url = f"/me/{mine.registration_number}/tracker/withdraw/{programme.code}/"
    assert url in html  # the entry's one click
    confirm = client.get(url)
    assert confirm.status_code == 200 and "csrfmiddlewaretoken" in confirm.content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert not Consent.objects.filter(person=mine, programme=programme, withdrawn_at=None).exists()

    second = export(programme)
    # A full export records who changed since the previous one: the withdrawn person as
    # removed, the other not at all (still in the list).
    from sharing.selectors import export_inclusions_of

    assert ExportMember.objects.get(job=second, person=mine).change == ExportMember.Change.REMOVED
    assert second.pk not in [i.job.pk for i in export_inclusions_of(person_id=mine.pk)]
    assert second.pk in [i.job.pk for i in export_inclusions_of(person_id=stays.pk)]


def test_withdrawing_needs_a_post_with_the_csrf_token(client, programme):
    from django.test import Client

    mine = PersonFactory(phone=PHONE)
    consent_give(person=mine, programme=programme, channel=Channel.SELF)
    sign_in(client)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    url = f"/me/{mine.registration_number}/tracker/withdraw/{programme.code}/"
    assert strict.post(url).status_code == 403
    assert Consent.objects.filter(person=mine, programme=programme, withdrawn_at=None).exists()


def test_a_question_reaches_the_admins_help_desk_queue(client, english, programme):
    mine = PersonFactory(phone=PHONE)
    consent_give(person=mine, programme=programme, channel=Channel.SELF)
    job = export(programme)
    sign_in(client)
    ask = f"/me/{mine.registration_number}/tracker/ask/?about=export:{job.pk}"
    assert client.get(ask).status_code == 200
    response = client.post(ask, {"about": f"export:{job.pk}", "text": "Why did they get it?"})
    assert response.status_code == 302
    question = Question.objects.get()
    assert question.person == mine and question.about == f"export:{job.pk}"
    assert question.status == Question.Status.NEW
    # An entry of someone else's record is not named.
    client.post(ask, {"about": "read:999999999", "text": "And this?"})
    assert Question.objects.filter(text="And this?", about="").exists()

    client.logout()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    queue = client.get("/admin/tracker/question/")
    assert queue.status_code == 200
    assert f"export:{job.pk}" in queue.content.decode()
    page = client.get(f"/admin/tracker/question/{question.pk}/change/").content.decode()
    assert "Why did they get it?" in page


def first_receipt_texts(phone: str) -> int:
    return SmsMessage.objects.filter(phone=phone, template="programme_first_receipt").count()


def test_an_sms_goes_once_when_a_programme_first_receives_the_data(
    programme, django_capture_on_commit_callbacks
):
    mine = PersonFactory(phone=PHONE)
    consent_give(person=mine, programme=programme, channel=Channel.SELF)
    export(programme, capture=django_capture_on_commit_callbacks)
    assert first_receipt_texts(PHONE) == 1
    message = SmsMessage.objects.get(phone=PHONE, template="programme_first_receipt")
    # The task's arguments and the stored parameters name the programme, nobody's data.
    assert set(message.params) == {"programme_km", "programme_en"}
    export(programme, capture=django_capture_on_commit_callbacks)
    assert first_receipt_texts(PHONE) == 1
    # A retried task sends nothing twice.
    assert first_receipt_notify(job_id=ExportJob.objects.latest("pk").pk) == 0
    assert ProgrammeReceipt.objects.filter(person=mine, programme=programme).count() == 1


def test_the_first_receipt_text_names_the_programme_in_each_language(programme):
    from registry.services.sms import sms_render

    text = sms_render(
        template="programme_first_receipt",
        params={"programme_km": programme.name_km, "programme_en": programme.name_en},
    )
    khmer, english_line = text.split("\n")
    assert programme.name_km in khmer and programme.name_en not in khmer
    assert english_line.startswith("Tracker training has received")


def test_no_sms_for_a_record_that_opted_out_on_me(
    client, programme, django_capture_on_commit_callbacks
):
    mine = PersonFactory(phone=PHONE)
    consent_give(person=mine, programme=programme, channel=Channel.SELF)
    sign_in(client)
    response = client.post(f"/me/{mine.registration_number}/tracker/notices/", {})
    assert response.status_code == 302
    assert 'name="first_receipt_sms">' in tracker_html(client, mine)  # unchecked
    export(programme, capture=django_capture_on_commit_callbacks)
    assert first_receipt_texts(PHONE) == 0
    # Received all the same: opting in later does not text about the past.
    client.post(f"/me/{mine.registration_number}/tracker/notices/", {"first_receipt_sms": "on"})
    export(programme, capture=django_capture_on_commit_callbacks)
    assert first_receipt_texts(PHONE) == 0


def test_the_page_is_in_khmer_by_default_and_in_english(client, programme):
    mine = PersonFactory(phone=PHONE)
    consent_give(person=mine, programme=programme, channel=Channel.SELF)
    export(programme)
    sign_in(client)
    khmer = tracker_html(client, mine)
    assert 'lang="km"' in khmer
    assert "អ្នកណាបានឃើញទិន្នន័យរបស់ខ្ញុំ" in khmer
    assert "កម្មវិធីបណ្តុះបណ្តាល" in khmer  # the programme by its Khmer name
    assert "Who saw my data" not in khmer
    client.cookies["django_language"] = "en"
    english_page = tracker_html(client, mine)
    assert "Who saw my data" in english_page and "Tracker training" in english_page
    # No internal code shown to the person.
    assert not re.search(r">\s*(staff_page|api_detail|consent_given|full|delta)\s*<", english_page)


# --- The registrant API ------------------------------------------------------------------


def test_the_api_lists_the_tracker_in_pages_and_takes_a_question(api, programme):
    from tests.api.test_registrant_api import BASE, as_registrant
    from tests.api.test_registrant_api import sign_in as api_sign_in

    mine = PersonFactory(phone=PHONE)
    stranger = PersonFactory(phone=OTHER_PHONE)
    consent_give(person=mine, programme=programme, channel=Channel.SELF)
    job = export(programme)
    staff = user_with_role(Role.MINISTRY_OFFICER)
    for _n in range(5):
        person_reads_record(user=staff, person_ids=[mine.pk], kind=ReadKind.ADMIN)
    app = as_registrant(api_sign_in(api))
    url = f"{BASE}/records/{mine.registration_number}/tracker/"

    first = app.get(url, {"page_size": 4})
    assert first.status_code == 200, first.content
    body = first.json()
    assert len(body["results"]) == 4 and body["next"]
    assert [r["origin"] for r in body["results"]] == ["read"] * 4
    assert body["results"][0]["organisation"] == "The Ministry (national)"
    assert body["first_receipt_sms"] is True and len(body["system_jobs"]) == 2
    rest = app.get(url, {"page_size": 50, "after": body["next"]}).json()
    keys = [r["key"] for r in body["results"] + rest["results"]]
    assert len(keys) == len(set(keys)) and rest["next"] is None
    exported = next(r for r in rest["results"] if r["origin"] == "export")
    assert exported["key"] == f"export:{job.pk}" and exported["programme"] == programme.code
    assert "Name in Latin letters" in exported["items"]
    assert exported["withdraw"] == (
        f"{BASE}/records/{mine.registration_number}/consents/{programme.code}/"
    )
    withdrawn = app.delete(exported["withdraw"])
    assert withdrawn.status_code == 200
    assert not Consent.objects.filter(person=mine, programme=programme, withdrawn_at=None).exists()

    asked = app.post(
        f"{url}questions/",
        {"about": exported["key"], "text": "Who at the programme?"},
        format="json",
    )
    assert asked.status_code == 201, asked.content
    assert Question.objects.get(pk=asked.json()["id"]).channel == Channel.APP
    opted = app.put(f"{url}notices/", {"first_receipt_sms": False}, format="json")
    assert opted.json() == {"first_receipt_sms": False}

    assert app.get(f"{BASE}/records/{stranger.registration_number}/tracker/").status_code == 404
    api.credentials()
    assert api.get(url).status_code == 401


def test_the_api_schema_documents_the_tracker(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    assert "/api/v1/registrant/records/{number}/tracker/" in paths
    operation = paths["/api/v1/registrant/records/{number}/tracker/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"after", "page_size"}
    assert "/api/v1/registrant/records/{number}/tracker/questions/" in paths


def test_entries_older_than_the_cursor_only(geography):
    mine = PersonFactory(phone=PHONE)
    staff = user_with_role(Role.MINISTRY_OFFICER)
    person_reads_record(user=staff, person_ids=[mine.pk], kind=ReadKind.ADMIN)
    future = Cursor(at=timezone.now() + datetime.timedelta(days=1), source=3, id=0)
    past = Cursor(at=timezone.now() - datetime.timedelta(days=1), source=3, id=0)
    assert len(tracker_page(person=mine, after=future).entries) == 1
    assert tracker_page(person=mine, after=past).entries == []
    assert Cursor.decode("not a cursor") is None


def test_a_delta_that_left_the_person_unchanged_is_not_listed(client, english, programme):
    mine = PersonFactory(phone=PHONE)
    consent_give(person=mine, programme=programme, channel=Channel.SELF)
    full = export(programme)
    delta = sharing_services.export_request(
        programme=programme, user=None, kind=ExportJob.Kind.DELTA
    )
    sharing_services.export_run(job_id=delta.pk)
    assert not ExportMember.objects.filter(job=delta, person=mine).exists()  # unchanged
    assert [e.id for e in entries(mine) if e.source == "export"] == [full.pk]
    sign_in(client)
    html = tracker_html(client, mine)
    # Automatic work: one line per kind, whatever the number of runs.
    assert html.count("Duplicate check") == 1 and html.count("Backups") == 1


def test_entries_of_records_merged_at_any_depth_show_on_the_survivor(programme):
    survivor = PersonFactory(phone=PHONE)
    middle = PersonFactory(phone=OTHER_PHONE)
    oldest = PersonFactory(phone="+85516000000")
    consent_give(person=oldest, programme=programme, channel=Channel.SELF)
    job = export(programme)
    person_merge(survivor=middle, merged=oldest)
    person_merge(survivor=survivor, merged=middle)
    exports = [e for e in entries(survivor) if e.source == "export"]
    assert [(e.id, e.merged_record) for e in exports] == [(job.pk, True)]
    # The merged records' own pages are not open to anyone: only the survivor's.
    assert [e for e in entries(PersonFactory()) if e.source == "export"] == []


def test_every_full_list_the_person_was_in_is_listed_though_it_records_only_changes(programme):
    """A full export records only who changed since the previous one (sharing.exports):
    the tracker still lists each list the person was sent in, exactly as
    sharing.selectors.export_inclusions_of counts them, and none after they left it."""
    from registry.services.consent import consent_withdraw
    from sharing.selectors import export_inclusions_of

    stays = PersonFactory(phone=PHONE)
    leaves = PersonFactory(phone=OTHER_PHONE)
    for person in (stays, leaves):
        consent_give(person=person, programme=programme, channel=Channel.SELF)
    first = export(programme)
    second = export(programme)  # nobody changed: it records no one
    assert not ExportMember.objects.filter(job=second).exists()
    consent_withdraw(person=leaves, programme=programme, channel=Channel.SELF)
    third = export(programme)

    def listed(person):
        return sorted(e.id for e in entries(person) if e.source == "export")

    assert listed(stays) == [first.pk, second.pk, third.pk]
    assert listed(leaves) == [first.pk, second.pk]
    for person in (stays, leaves):
        assert listed(person) == sorted(i.job.pk for i in export_inclusions_of(person_id=person.pk))
