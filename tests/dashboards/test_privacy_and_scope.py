"""Small counts hidden from roles without record access; partners see only their own."""

import pytest

from accounts.models import Role
from dashboards.privacy import Cell, suppress
from dashboards.services import rollups_refresh
from geography.models import Village
from tests.factories import BranchFactory, PersonFactory, ProgrammeFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_one_small_cell_brings_a_second_one_down_with_it():
    cells = [Cell("a", "A", 40), Cell("b", "B", 3), Cell("c", "C", 12), Cell("d", "D", 0)]
    assert not suppress(cells, total=55)
    hidden = {c.key for c in cells if c.hidden}
    # B is small; C, the smallest other count, is hidden too: 55 - 40 - 0 leaves B + C.
    assert hidden == {"b", "c"}
    assert [c.shown for c in cells] == [40, "<5", "<5", 0]


def test_two_small_cells_protect_each_other():
    cells = [Cell("a", "A", 40), Cell("b", "B", 3), Cell("c", "C", 2)]
    suppress(cells, total=45)
    assert {c.key for c in cells if c.hidden} == {"b", "c"}


def test_no_small_cell_hides_nothing_and_a_small_total_is_hidden():
    cells = [Cell("a", "A", 40), Cell("b", "B", 5)]
    assert not suppress(cells, total=45)
    assert not any(c.hidden for c in cells)
    assert suppress([Cell("a", "A", 4)], total=4)


def test_a_cell_left_out_of_the_table_counts_as_hidden_rest():
    # A top-N table: the rest of the total is not shown, so one small cell is enough.
    cells = [Cell("a", "A", 40), Cell("b", "B", 3)]
    suppress(cells, total=50)
    assert {c.key for c in cells if c.hidden} == {"b"}


@pytest.fixture
def small_counts(geography):
    villages = list(Village.objects.filter(commune__district__province__code="12")[:1])
    other = Village.objects.filter(commune__district__province__code="17").first()
    PersonFactory.create_batch(30, village=villages[0], sex="M")
    PersonFactory.create_batch(3, village=villages[0], sex="F")  # one small cell
    PersonFactory.create_batch(2, village=other, sex="M")
    rollups_refresh()


@pytest.mark.parametrize(
    ("role", "scope"),
    [(Role.PROGRAMME_OFFICER, "programme"), (Role.CAMPAIGN_ORGANISER, "province")],
)
def test_roles_without_record_access_see_small_counts_hidden(client, small_counts, role, scope):
    from geography.models import Province

    value = ProgrammeFactory() if scope == "programme" else Province.objects.get(code="12")
    client.force_login(user_with_role(role, **{scope: value}))
    client.cookies["django_language"] = "en"
    response = client.get("/dashboard/")
    assert response.status_code == 200
    panels = {p.key: p for p in response.context["data"]["panels"]}
    sex = {c.key: c for c in panels["sex"].cells}
    # Women: 3, hidden; men: 32, hidden as well, or 35 - 32 would give the 3 back.
    assert sex["F"].hidden and sex["M"].hidden
    assert panels["sex"].total == 35 and not panels["sex"].total_hidden
    area = {c.label: c for c in panels["area"].cells}
    assert any(c.hidden for c in area.values())
    hidden_cells = [c for c in area.values() if c.hidden]
    assert len(hidden_cells) >= 2 or len(area) == 1
    html = response.content.decode()
    assert "&lt;5" in html or "<5" in html
    # The chart draws no bar for a hidden count.
    assert None in response.context["charts"]["sex"]["values"]
    csv_text = client.get("/dashboard/csv/sex/").content.decode("utf-8-sig")
    assert "<5" in csv_text and ",3," not in csv_text and ",32," not in csv_text


def test_the_ministry_sees_every_count(client, small_counts):
    client.force_login(user_with_role(Role.MINISTRY_OFFICER))
    panels = {p.key: p for p in client.get("/dashboard/").context["data"]["panels"]}
    assert {c.key: c.shown for c in panels["sex"].cells} == {"F": 3, "M": 32}


def test_no_dashboard_lists_a_person(client, small_counts):
    from registry.models import Person

    client.force_login(user_with_role(Role.MINISTRY_OFFICER))
    html = client.get("/dashboard/").content.decode()
    for person in Person.objects.all()[:5]:
        assert person.registration_number not in html
        assert person.phone.as_e164 not in html
    assert "Sok Dara" not in html and "សុខ ដារ៉ា" not in html


# --- the partner dashboard --------------------------------------------------------------


@pytest.fixture
def two_partners(geography):
    mine = BranchFactory(name="Mine Central")
    theirs = BranchFactory(name="Theirs Market")
    staff = user_with_role(Role.BRANCH_STAFF, branch=mine)
    PersonFactory.create_batch(
        4, branch=mine, partner=mine.partner, channel="branch", entered_by=staff
    )
    PersonFactory.create_batch(7, branch=theirs, partner=theirs.partner, channel="branch")
    rollups_refresh()
    return mine, theirs, staff


def test_a_supervisor_sees_their_own_partner(client, two_partners):
    mine, _theirs, staff = two_partners
    client.force_login(user_with_role(Role.PARTNER_SUPERVISOR, partner=mine.partner))
    response = client.get("/dashboard/partner/")
    assert response.status_code == 200
    data = response.context["data"]
    assert data["partner"] == mine.partner
    assert data["total"] == 4
    assert [(b.name, n) for b, n in data["branch_totals"]] == [("Mine Central", 4)]
    assert [(name, n) for name, n, _files in data["staff"]] == [(staff.username, 4)]
    html = response.content.decode()
    assert "Mine Central" in html and "Theirs Market" not in html


def test_a_supervisor_cannot_see_another_partner(client, two_partners):
    mine, theirs, _staff = two_partners
    client.force_login(user_with_role(Role.PARTNER_SUPERVISOR, partner=mine.partner))
    assert client.get("/dashboard/partner/", {"partner": theirs.partner.pk}).status_code == 404
    assert client.get("/dashboard/partner/", {"partner": "x"}).status_code == 404
    # And the other partner's supervisor sees theirs only.
    client.force_login(user_with_role(Role.PARTNER_SUPERVISOR, partner=theirs.partner))
    data = client.get("/dashboard/partner/").context["data"]
    assert data["partner"] == theirs.partner and data["total"] == 7


def test_branch_staff_and_ministry_have_no_partner_dashboard(client, two_partners):
    _mine, _theirs, staff = two_partners
    client.force_login(staff)
    assert client.get("/dashboard/partner/").status_code == 403
    client.force_login(user_with_role(Role.MINISTRY_OFFICER))
    assert client.get("/dashboard/partner/").status_code == 403


def test_rejected_rows_and_campaigns_of_a_partner(client, two_partners):
    from django.core.files.base import ContentFile

    from campaigns.models import Attribution
    from partners.models import IntakeBatch
    from registry.models import Person
    from tests.factories import CampaignFactory

    mine, theirs, staff = two_partners
    for branch, total, invalid in ((mine, 100, 12), (theirs, 50, 50)):
        batch = IntakeBatch(
            branch=branch,
            uploaded_by=staff,
            original_name="f.csv",
            sha256="0" * 64,
            size=1,
            total_rows=total,
            invalid_rows=invalid,
            valid_rows=total - invalid,
        )
        batch.file.save("f.csv", ContentFile(b"x"), save=False)
        batch.save()
    campaign = CampaignFactory(name_en="Phnom Penh week")
    ours = Person.objects.filter(branch=mine).first()
    Attribution.objects.create(person=ours, campaign=campaign)
    other_campaign = CampaignFactory(name_en="Not ours")
    Attribution.objects.create(
        person=Person.objects.filter(branch=theirs).first(), campaign=other_campaign
    )
    rollups_refresh()
    client.force_login(user_with_role(Role.PARTNER_SUPERVISOR, partner=mine.partner))
    data = client.get("/dashboard/partner/").context["data"]
    assert data["files_rows"] == 100 and data["files_rejected"] == 12
    assert round(data["files_rate"], 1) == 12.0
    assert [(c.pk, n) for c, n in data["campaigns"]] == [(campaign.pk, 1)]
