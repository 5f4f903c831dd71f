"""A partner's dashboard: its own branches, staff, files and campaigns."""

import datetime

from django.db.models import Count, Sum

from accounts.models import User
from campaigns.models import Campaign
from dashboards.figures import Filters, cell_counts_many
from partners.models import Branch, IntakeBatch, Partner


def partner_dashboard(*, partner: Partner, today: datetime.date, days: int = 30) -> dict:
    """What a partner's supervisor watches: their own branches, staff and files."""
    since = today - datetime.timedelta(days=days - 1)
    filters = Filters(partner_id=partner.pk, start=since, end=today)
    answers = cell_counts_many(
        {
            "per_day": {"filters": filters, "by": ("branch_id",), "trend": "day", "today": today},
            "staff": {"filters": filters, "by": ("staff_id",), "today": today},
            "campaigns": {
                "filters": Filters(partner_id=partner.pk),
                "by": ("campaign_id",),
                "today": today,
                "where": {"campaign_id": ("not", 0)},
            },
        }
    )
    rows = answers["per_day"]
    branches = list(Branch.objects.filter(partner=partner).order_by("name"))
    per_day: dict[datetime.date, dict[int, int]] = {}
    for branch_id, day, n in rows:
        per_day.setdefault(day, {})[branch_id] = n
    days_list = [since + datetime.timedelta(days=i) for i in range(days)]
    table = [
        (
            day,
            [per_day.get(day, {}).get(b.pk, 0) for b in branches],
            sum(per_day.get(day, {}).values()),
        )
        for day in reversed(days_list)
    ]
    branch_totals = {
        b.pk: sum(per_day.get(d, {}).get(b.pk, 0) for d in days_list) for b in branches
    }
    staff_rows = answers["staff"]
    users = {u.pk: u for u in User.objects.filter(pk__in=[r[0] for r in staff_rows])}
    uploads = dict(
        IntakeBatch.objects.filter(branch__partner=partner, created_at__date__gte=since)
        .values_list("uploaded_by")
        .annotate(n=Count("id"))
        .order_by()
    )
    staff = sorted(
        [
            (users[pk].get_full_name() or users[pk].username, n, uploads.get(pk, 0))
            for pk, n in staff_rows
            if pk in users
        ],
        key=lambda r: -r[1],
    )
    batches = (
        IntakeBatch.objects.filter(branch__partner=partner, created_at__date__gte=since)
        .values("branch")
        .annotate(
            files=Count("id"),
            row_count=Sum("total_rows"),
            rejected=Sum("invalid_rows"),
        )
        .order_by()
    )
    names = {b.pk: b.name for b in branches}
    files = [
        {
            "branch": names.get(row["branch"], "?"),
            "files": row["files"],
            "rows": row["row_count"] or 0,
            "rejected": row["rejected"] or 0,
            "rate": 100 * (row["rejected"] or 0) / row["row_count"] if row["row_count"] else None,
        }
        for row in batches
    ]
    files.sort(key=lambda r: -(r["rate"] or 0))
    all_rows = sum(r["rows"] for r in files)
    rejected = sum(r["rejected"] for r in files)
    campaign_rows = answers["campaigns"]
    campaigns = {c.pk: c for c in Campaign.objects.filter(pk__in=[r[0] for r in campaign_rows])}
    return {
        "partner": partner,
        "since": since,
        "branches": branches,
        "per_day": table,
        "branch_totals": [
            (b, branch_totals[b.pk]) for b in sorted(branches, key=lambda b: -branch_totals[b.pk])
        ],
        "total": sum(branch_totals.values()),
        "staff": staff,
        "files": files,
        "files_rows": all_rows,
        "files_rejected": rejected,
        "files_rate": 100 * rejected / all_rows if all_rows else None,
        "campaigns": sorted(
            [(campaigns[pk], n) for pk, n in campaign_rows if pk in campaigns], key=lambda r: -r[1]
        ),
        "chart": {
            "chart": "bar",
            "labels": [d.isoformat() for d in days_list],
            "datasets": [
                {"label": b.name, "values": [per_day.get(d, {}).get(b.pk, 0) for d in days_list]}
                for b in branches
            ],
        },
    }
