"""Every staff read of a person's full record leaves an append-only audit row."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.masking import mask_tail
from audit.models import PersonRead, ReadKind
from audit.selectors import person_reads_of
from audit.services import person_reads_record
from dedup.models import DuplicateCase
from tests.api.conftest import client_for
from tests.factories import BranchFactory, PersonFactory, user_with_role

pytestmark = pytest.mark.django_db


def reads(**filters):
    return list(PersonRead.objects.filter(**filters).order_by("id"))


def test_the_staff_page_of_an_applicant_is_recorded_with_role_and_scope(client, clerk, branch):
    person = PersonFactory(branch=branch, partner=branch.partner)
    client.force_login(clerk)
    before = timezone.now()
    assert client.get(f"/branch/applicants/{person.registration_number}/").status_code == 200
    (row,) = reads(person_id=person.pk)
    assert row.user_id == clerk.pk and row.username == clerk.username
    assert row.roles == [Role.BRANCH_STAFF]
    assert row.scope == f"branch:{branch.pk}"
    assert row.kind == ReadKind.STAFF_PAGE and row.view == "partners:applicant"
    assert row.at >= before
    # The correction form shows the whole record too.
    client.get(f"/branch/applicants/{person.registration_number}/edit/")
    assert [r.view for r in reads(person_id=person.pk)][-1] == "partners:applicant_edit"


def test_a_record_outside_the_scope_is_neither_shown_nor_recorded(client, clerk):
    stranger = PersonFactory(branch=BranchFactory())
    client.force_login(clerk)
    assert client.get(f"/branch/applicants/{stranger.registration_number}/").status_code == 404
    assert reads() == []


def test_api_detail_and_every_row_of_a_list_page_are_recorded(clerk, branch):
    people = [PersonFactory(branch=branch, partner=branch.partner) for _ in range(3)]
    PersonFactory(branch=BranchFactory())  # outside the scope: not listed, not recorded
    api = client_for(clerk)
    assert api.get("/api/v1/registrants/").status_code == 200
    listed = reads(kind=ReadKind.API_LIST)
    assert sorted(r.person_id for r in listed) == sorted(p.pk for p in people)
    assert {r.view for r in listed} == {"v1:registrant-list"}
    # One statement for the page: the rows share one read time.
    assert len({r.at.replace(microsecond=0) for r in listed}) == 1
    assert api.get(f"/api/v1/registrants/{people[0].registration_number}/").status_code == 200
    (detail,) = reads(kind=ReadKind.API_DETAIL)
    assert detail.person_id == people[0].pk


def test_an_api_page_of_only_some_rows_records_only_those(clerk, branch):
    for _ in range(3):
        PersonFactory(branch=branch, partner=branch.partner)
    client_for(clerk).get("/api/v1/registrants/?page_size=2")
    assert len(reads(kind=ReadKind.API_LIST)) == 2


def test_the_admin_change_page_is_recorded(client):
    admin = user_with_role(Role.ADMINISTRATOR)
    person = PersonFactory()
    client.force_login(admin)
    url = reverse("admin:registry_person_change", args=[person.pk])
    assert client.get(url).status_code == 200
    (row,) = reads(person_id=person.pk)
    assert row.kind == ReadKind.ADMIN and Role.ADMINISTRATOR in row.roles


def test_a_review_case_records_both_records(client):
    officer = user_with_role(Role.MINISTRY_OFFICER)
    a, b = PersonFactory(), PersonFactory(name_latin="Sokh Dara")
    case = DuplicateCase.objects.create(person_a=a, person_b=b, score=0.8, source="batch")
    client.force_login(officer)
    assert client.get(f"/review/duplicates/{case.pk}/").status_code == 200
    assert sorted(r.person_id for r in reads(kind=ReadKind.REVIEW_CASE)) == sorted([a.pk, b.pk])


def test_an_export_download_is_recorded_through_the_service(monkeypatch):
    monkeypatch.setattr("audit.services.EXPORT_SLICE", 2)  # an export of millions, in slices
    officer = user_with_role(Role.MINISTRY_OFFICER)
    people = [PersonFactory() for _ in range(5)]
    written = person_reads_record(
        user=officer, person_ids=[p.pk for p in people] * 2, kind=ReadKind.EXPORT
    )
    assert written == 5 == PersonRead.objects.count()
    assert person_reads_of(person_ids=[people[0].pk]).get().kind == ReadKind.EXPORT


def test_audit_rows_can_be_neither_changed_nor_deleted():
    officer = user_with_role(Role.MINISTRY_OFFICER)
    person = PersonFactory()
    person_reads_record(user=officer, person_ids=[person.pk], kind=ReadKind.EXPORT)
    row = PersonRead.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        PersonRead.objects.filter(pk=row.pk).update(username="someone-else")
    with pytest.raises(DatabaseError), transaction.atomic():
        row.delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_personread")
    assert PersonRead.objects.get().username == officer.username


def test_reads_by_person_use_the_person_index():
    officer = user_with_role(Role.MINISTRY_OFFICER)
    person_reads_record(user=officer, person_ids=range(1, 2000), kind=ReadKind.EXPORT)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_personread")
        sql, params = person_reads_of(person_ids=[42]).query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "audit_read_person_at" in plan


def test_administrators_search_the_audit_by_number_user_and_date(client):
    admin = user_with_role(Role.ADMINISTRATOR)
    clerk = user_with_role(Role.BRANCH_STAFF, branch=BranchFactory())
    read, other = PersonFactory(), PersonFactory()
    person_reads_record(user=clerk, person_ids=[read.pk], kind=ReadKind.STAFF_PAGE)
    person_reads_record(user=admin, person_ids=[other.pk], kind=ReadKind.ADMIN)
    client.force_login(admin)
    url = reverse("admin:audit_personread_changelist")
    by_number = client.get(url, {"q": read.registration_number}).content.decode()
    assert read.registration_number in by_number and other.registration_number not in by_number
    by_user = client.get(url, {"q": clerk.username}).content.decode()
    assert read.registration_number in by_user and other.registration_number not in by_user
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    dated = client.get(url, {"at__gte": midnight.isoformat()}).content.decode()
    assert read.registration_number in dated
    later = client.get(url, {"at__gte": "2999-01-01T00:00:00+07:00"}).content.decode()
    assert read.registration_number not in later
    # The admin offers no way to change or delete a row.
    row = PersonRead.objects.filter(person_id=read.pk).get()
    change = client.get(reverse("admin:audit_personread_change", args=[row.pk]))
    assert change.status_code == 200 and b'name="_save"' not in change.content
    delete = client.post(reverse("admin:audit_personread_delete", args=[row.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert PersonRead.objects.filter(pk=row.pk).exists()


def test_staff_without_the_administrator_role_cannot_open_the_audit(client):
    officer = user_with_role(Role.MINISTRY_OFFICER)
    client.force_login(officer)
    response = client.get(reverse("admin:audit_personread_changelist"))
    assert response.status_code == 302  # to the admin's sign-in: not staff


@pytest.mark.parametrize(
    ("value", "masked"),
    [("+85512345678", "+855•••••678"), ("012345678", "••••••678"), ("", ""), ("12", "••")],
)
def test_lists_mask_phones_and_id_numbers(value, masked):
    assert mask_tail(value) == masked


def test_admin_lists_of_messages_show_masked_phones(client):
    from registry.services.sms import sms_queue

    sms_queue(phone="+85512345678", template="registration_confirmed", params={"number": "1"})
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    page = client.get(reverse("admin:registry_smsmessage_changelist")).content.decode()
    assert "+855•••••678" in page and "12345678" not in page


def test_every_role_and_scope_the_user_holds_is_kept(branch):
    from accounts.models import RoleAssignment
    from geography.models import Province

    user = user_with_role(Role.BRANCH_STAFF, branch=branch)
    province = Province.objects.get(code="12")
    RoleAssignment.objects.create(user=user, role=Role.CAMPAIGN_ORGANISER, province=province)
    person_reads_record(user=user, person_ids=[PersonFactory().pk], kind=ReadKind.STAFF_PAGE)
    row = PersonRead.objects.get()
    assert row.roles == sorted([Role.BRANCH_STAFF, Role.CAMPAIGN_ORGANISER])
    assert set(row.scope.split("; ")) == {f"branch:{branch.pk}", f"province:{province.pk}"}


def test_a_visitor_reads_nothing_that_is_recorded():
    from django.contrib.auth.models import AnonymousUser

    assert person_reads_record(user=AnonymousUser(), person_ids=[1], kind=ReadKind.EXPORT) == 0
    assert not PersonRead.objects.exists()
