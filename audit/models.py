"""Who read whose record: one append-only row per person read.

The table references people and users by plain ids, without foreign keys: it sits
below the registry so every app (the registry's API, the partners' pages, dedup's
review, programme exports) can write to it, and a row outlives whatever it names.
One row per person read (a list page of 50 rows writes 50 rows in one statement), so
"who read this person's record" (issue 17: the registrant sees who read theirs) is one
index range scan on (person_id, at), whatever the table's size.

A database trigger refuses UPDATE and DELETE (django-pgtrigger): not even the
administrator's database account through Django can rewrite what was read.
"""

import pgtrigger
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReadKind(models.TextChoices):
    STAFF_PAGE = "staff_page", _("Staff page")
    API_DETAIL = "api_detail", _("API: one registrant")
    API_LIST = "api_list", _("API: list of registrants")
    ADMIN = "admin", _("Administration page")
    REVIEW_CASE = "review_case", _("Duplicate review")
    EXPORT = "export", _("Export download")


class PersonRead(models.Model):
    at = models.DateTimeField(_("read at"), default=timezone.now)
    person_id = models.BigIntegerField(_("person id"))
    user_id = models.BigIntegerField(_("user id"), null=True)
    username = models.CharField(_("user name"), max_length=150)
    roles = ArrayField(models.CharField(max_length=30), verbose_name=_("roles"), default=list)
    scope = models.CharField(_("scope"), max_length=300, blank=True)
    kind = models.CharField(_("read through"), max_length=20, choices=ReadKind.choices)
    # The URL's name (`partners:applicant`), never its path: paths hold registration numbers.
    view = models.CharField(_("page or operation"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("record read")
        verbose_name_plural = _("record reads")
        indexes = [
            models.Index(fields=["person_id", "at"], name="audit_read_person_at"),
            models.Index(fields=["user_id", "at"], name="audit_read_user_at"),
            # Rows arrive in time order: a BRIN index answers date ranges at a tiny size.
            BrinIndex(fields=["at"], name="audit_read_at_brin"),
        ]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
