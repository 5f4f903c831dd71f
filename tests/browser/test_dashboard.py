"""The ministry dashboard in a browser: charts drawn with their numbers beside them, and
a drill-down from a province to a village by clicking the bars."""

import pytest

from accounts.models import Role
from dashboards.services import rollups_refresh
from geography.models import Village
from tests.factories import PASSWORD, PersonFactory, user_with_role

pytestmark = pytest.mark.browser


def click_bar(page, key: str, label: str) -> None:
    """Click the bar of `label` in chart `key`, where Chart.js drew it."""
    point = page.evaluate(
        """([key, label]) => {
            const canvas = document.getElementById("chart-" + key);
            const chart = Chart.getChart(canvas);
            const index = chart.data.labels.indexOf(label);
            const bar = chart.getDatasetMeta(0).data[index];
            const box = canvas.getBoundingClientRect();
            return {x: box.left + (bar.x + bar.base) / 2, y: box.top + bar.y};
        }""",
        [key, label],
    )
    page.mouse.click(point["x"], point["y"])


def test_charts_show_their_numbers_and_drill_down_to_a_village(page):
    village = Village.objects.filter(commune__district__province__code="12").order_by("id").first()
    other = Village.objects.filter(commune__district__province__code="17").first()
    PersonFactory.create_batch(6, village=village, sex="F")
    PersonFactory.create_batch(9, village=other, sex="M")
    rollups_refresh()
    user = user_with_role(Role.MINISTRY_OFFICER)
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form:not(.lang-switch) button[type=submit]")
    page.goto("/dashboard/")
    page.click(".lang-switch button[value=en]")
    page.wait_for_load_state()
    for key in ("trend", "area", "sex", "sector", "channel", "age_band"):
        page.wait_for_selector(f'#chart-{key}[data-rendered="true"]', state="attached")
    # The numbers are on the page beside each chart.
    sex_table = page.locator("#panel-sex table").inner_text()
    assert "Female" in sex_table and "6" in sex_table and "9" in sex_table and "40.0 %" in sex_table
    assert "15" in page.locator('[data-figure="active"]').inner_text()

    chain = [
        village.commune.district.province,
        village.commune.district,
        village.commune,
        village,
    ]
    for place in chain:
        page.wait_for_selector('#chart-area[data-rendered="true"]', state="attached")
        page.locator("#chart-area").scroll_into_view_if_needed()
        with page.expect_navigation():
            click_bar(page, "area", place.name_en)
        assert page.locator(".crumbs [aria-current=page]").inner_text() == place.name_en
        assert page.locator('[data-figure="active"] .stat-value').inner_text() == "6"
    # At the village: no areas below it; the filters are in the address.
    assert page.locator("#chart-area").count() == 0
    assert f"village={village.pk}" in page.url
