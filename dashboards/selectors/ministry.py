"""The ministry dashboard's figures: counts and breakdowns, never a list of people."""

import datetime
from dataclasses import dataclass, field

from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat
from django.utils.functional import Promise as StrPromise
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from dashboards.cuboids import AGE_BANDS, CONSENTS
from dashboards.figures import Filters, cell_counts_many, child_level
from dashboards.privacy import Cell, suppress
from dedup.models import DuplicateCase
from geography.models import Commune, District, Province, Village
from partners.models import Branch, Partner
from programmes.models import Programme
from registry.models import Person
from registry.models.people import ActorType, Channel, Sector, Sex

AREA_MODELS: dict[str, type[Province | District | Commune | Village]] = {
    "province_id": Province,
    "district_id": District,
    "commune_id": Commune,
    "village_id": Village,
}
AREA_TITLES = {
    "province_id": _("By province"),
    "district_id": _("By district"),
    "commune_id": _("By commune"),
    "village_id": _("By village"),
}
TRENDS = ("day", "week", "month")
# A trend by day or week over a longer period would draw hundreds of points: shown by
# week or month instead (the page says so).
TREND_LIMIT_DAYS = {"day": 92, "week": 731}


@dataclass
class Panel:
    """One chart and its table: what is shown, exactly, and its CSV."""

    key: str
    title: str
    chart: str  # "bar", "hbar", "doughnut", "line"
    cells: list[Cell]
    total: int
    total_hidden: bool = False
    shares: bool = True
    sort: bool = True  # by size; False keeps the natural order (time, age)
    notes: list[str] = field(default_factory=list)
    column: str = ""  # the heading of the label column

    def share(self, cell: Cell) -> float | None:
        if not self.shares or cell.hidden or self.total_hidden or not self.total:
            return None
        return 100 * cell.n / self.total

    @property
    def rows(self) -> list[tuple[Cell, float | None]]:
        return [(cell, self.share(cell)) for cell in self.cells]

    def body(self) -> SafeString:
        """The table's rows as HTML. Made here, not in a template loop: a national page
        has some two hundred rows, and the loop cost more than all the page's SQL."""
        rows = []
        for cell, share in self.rows:
            if cell.href:
                label = format_html('<a href="{}">{}</a>', cell.href, cell.label)
            else:
                label = conditional_escape(cell.label)
            count = cell.shown if cell.hidden else intcomma(cell.n)
            row = format_html('<tr><td>{}</td><td class="num">{}</td>', label, count)
            if self.shares:
                shown = "—" if share is None else f"{floatformat(share, 1)} %"
                row += format_html('<td class="num">{}</td>', shown)
            rows.append(row + mark_safe("</tr>"))
        return mark_safe("".join(rows))  # noqa: S308 (each part escaped above)

    def chart_data(self) -> dict:
        return {
            "chart": self.chart,
            "labels": [c.label for c in self.cells],
            # A hidden count is drawn as a gap: a bar's height would give it away.
            "values": [None if c.hidden else c.n for c in self.cells],
            "shown": [str(c.shown) for c in self.cells],
            "links": [c.href for c in self.cells],
        }


def _panel(
    key: str,
    title: "str | StrPromise",
    chart: str,
    cells: list[Cell],
    *,
    total: int,
    private: bool,
    sort: bool = True,
    shares: bool = True,
    column: str = "",
) -> Panel:
    if sort:
        cells.sort(key=lambda c: -c.n)
    hidden_total = suppress(cells, total=total) if private else False
    if sort and private:
        # Hidden cells last: their order among the others would say how big they are.
        cells.sort(key=lambda c: c.hidden)
    return Panel(key, str(title), chart, cells, total, hidden_total, shares, sort, column=column)


def _names(model, ids) -> dict[int, str]:
    return {obj.pk: str(obj.name) for obj in model.objects.filter(pk__in=ids)}


@dataclass
class Trend:
    grain: str
    coarsened: bool


def trend_grain(filters: Filters, asked: str, *, today: datetime.date, first: datetime.date | None):
    """The trend's grain: as asked unless the period is too long to draw by it."""
    start = filters.start or first or today
    end = min(filters.end or today, today)
    days = (end - start).days + 1
    grain = asked if asked in TRENDS else "month"
    coarsened = False
    while grain in TREND_LIMIT_DAYS and days > TREND_LIMIT_DAYS[grain]:
        grain = TRENDS[TRENDS.index(grain) + 1]
        coarsened = True
    return Trend(grain, coarsened)


def _period_label(start: datetime.date, grain: str) -> str:
    if grain == "month":
        return start.strftime("%Y-%m")
    return start.isoformat()


def _period_end(start: datetime.date, grain: str) -> datetime.date:
    if grain == "day":
        return start
    if grain == "week":
        return start + datetime.timedelta(days=6)
    following = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def trend_panel(
    rows: list[tuple], *, grain: str, today: datetime.date, private: bool, total: int
) -> Panel:
    cells = []
    for start, n in sorted(rows):
        label = _period_label(start, grain)
        if _period_end(start, grain) >= today:
            label = f"{label} ({_('so far')})"
        cells.append(Cell(start, label, n))
    titles = {
        "day": _("Registrations per day"),
        "week": _("Registrations per week"),
        "month": _("Registrations per month"),
    }
    panel = _panel(
        "trend",
        titles[grain],
        "line",
        cells,
        total=total,
        private=private,
        sort=False,
        shares=False,
        column=str(_("Period")),
    )
    if rows and _period_end(max(rows)[0], grain) >= today:
        panel.notes.append(str(_("The last period is not over yet: its figure is partial.")))
    return panel


BREAKDOWNS = (
    ("actor_type", _("By type of work"), ActorType, "doughnut"),
    ("sector", _("By sector"), Sector, "hbar"),
    ("sex", _("By sex"), Sex, "doughnut"),
    ("channel", _("By channel"), Channel, "hbar"),
)


def ministry_dashboard(
    *, filters: Filters, today: datetime.date, private: bool, trend: str, area_link
) -> dict:
    """Every figure of /dashboard/ under `filters`. `private`: hide small counts.
    `area_link(level, place)` is the drill-down address of an area."""
    first = _first_registration_day()
    grain = trend_grain(filters, trend, today=today, first=first)
    level = child_level(filters)
    ask = {"filters": filters, "today": today}
    questions: dict[str, dict] = {
        "total": ask,
        "withdrawn": {**ask, "status": Person.Status.WITHDRAWN},
        "merged": {**ask, "status": Person.Status.MERGED},
        "trend": {**ask, "trend": grain.grain},
        "age_band": {**ask, "by": ("age_band",)},
        "partner": {**ask, "by": ("partner_id", "branch_id")},
        "campaign": {**ask, "by": ("campaign_id",)},
        "consent": {**ask, "by": ("programme_id",), "measure": CONSENTS},
        **{key: {**ask, "by": (key,)} for key, *_rest in BREAKDOWNS},
    }
    if level:
        questions["area"] = {**ask, "by": (level,)}
    answers = cell_counts_many(questions)
    total = int(answers["total"][0][0])
    panels: list[Panel] = [
        trend_panel(answers["trend"], grain=grain.grain, today=today, private=private, total=total)
    ]
    if level:
        rows = answers["area"]
        places = AREA_MODELS[level].objects.in_bulk([r[0] for r in rows])
        cells = [
            Cell(pk, places[pk].name, n, href=area_link(level, places[pk]))
            for pk, n in rows
            if pk in places
        ]
        panels.append(
            _panel(
                "area",
                AREA_TITLES[level],
                "hbar",
                cells,
                total=total,
                private=private,
                column=str(AREA_MODELS[level]._meta.verbose_name).capitalize(),
            )
        )
    for key, title, choices, chart in BREAKDOWNS:
        labels = dict(choices.choices)
        cells = [Cell(v, str(labels.get(v, v)), n) for v, n in answers[key]]
        panels.append(_panel(key, title, chart, cells, total=total, private=private))
    ages = dict(answers["age_band"])
    cells = [Cell(band, _age_label(band), ages.get(band, 0)) for band in AGE_BANDS]
    panels.append(
        _panel(
            "age_band",
            _("By age at registration"),
            "bar",
            cells,
            total=total,
            private=private,
            sort=False,
        )
    )
    panels.extend(_partner_panels(answers["partner"], private=private, total=total))
    panels.append(_campaign_panel(answers["campaign"], private=private, total=total))
    panels.append(_consent_panel(answers["consent"], private=private, total=total))
    figures = [
        Cell("active", str(_("Active registrants")), total),
        Cell("withdrawn", str(_("Left the registry")), int(answers["withdrawn"][0][0])),
        Cell("merged", str(_("Duplicate records merged")), int(answers["merged"][0][0])),
    ]
    if private:
        for cell in figures:
            suppress([cell], total=cell.n)
    return {
        "total": figures[0],
        "figures": figures,
        "pending_review": DuplicateCase.objects.filter(
            decision=DuplicateCase.Decision.OPEN
        ).count(),
        "panels": panels,
        "trend": grain,
        "level": level,
    }


def _age_label(band: int) -> str:
    low, high = AGE_BANDS[band]
    if low is None:
        return str(_("under %(n)s") % {"n": (high or 0) + 1})
    if high is None:
        return f"{low}+"
    return f"{low}–{high}"


def _partner_panels(rows: list[tuple], *, private: bool, total: int) -> list[Panel]:
    partners: dict[int, int] = {}
    for partner, _branch, n in rows:
        partners[partner] = partners.get(partner, 0) + n
    partner_names = _names(Partner, partners)
    branch_names = {
        b.pk: f"{b.partner.name} – {b.name}"
        for b in Branch.objects.filter(pk__in=[r[1] for r in rows]).select_related("partner")
    }
    none = str(_("No partner (self-registered)"))
    by_partner = [Cell(p, partner_names.get(p, none), n) for p, n in partners.items()]
    by_branch = [Cell(b, branch_names[b], n) for _p, b, n in rows if b]
    assisted = sum(c.n for c in by_branch)
    return [
        _panel(
            "partner",
            _("By partner"),
            "hbar",
            by_partner,
            total=total,
            private=private,
            column=str(_("Partner")),
        ),
        _panel(
            "branch",
            _("By branch (registered at a partner's branch)"),
            "hbar",
            by_branch,
            total=assisted,
            private=private,
            column=str(_("Branch")),
        ),
    ]


def _campaign_panel(rows: list[tuple], *, private: bool, total: int) -> Panel:
    names = {c.pk: c.name for c in Campaign.objects.filter(pk__in=[r[0] for r in rows])}
    none = str(_("No campaign"))
    cells = [Cell(c, names.get(c, none) if c else none, n) for c, n in rows]
    return _panel(
        "campaign",
        _("By campaign"),
        "hbar",
        cells,
        total=total,
        private=private,
        column=str(_("Campaign")),
    )


def _consent_panel(answer: list[tuple], *, private: bool, total: int) -> Panel:
    """Share of the registrants in view whose consent for each programme is in force.
    Each programme is its own yes/no table (consented, not), suppressed as such."""
    rows = dict(answer)
    programmes = {p.pk: p.name for p in Programme.objects.filter(is_active=True)}
    programmes = {-1: str(_("Data sharing with partner institutions")), **programmes}
    cells = []
    for pk, name in programmes.items():
        cell = Cell(pk, name, rows.get(pk, 0))
        if private:
            # Within its programme: consented + not consented = the total shown.
            suppress([cell, Cell(None, "", total - cell.n)], total=total)
        cells.append(cell)
    panel = _panel(
        "consent",
        _("Consent in force, by programme"),
        "hbar",
        cells,
        total=total,
        private=False,
        column=str(_("Programme")),
    )
    panel.notes.append(str(_("Share: of the active registrants in this view.")))
    return panel


def _first_registration_day() -> datetime.date | None:
    from dashboards.models import RollupCell

    cell = RollupCell.objects.filter(cuboid=4).order_by("period").first()
    return cell.period if cell else None
