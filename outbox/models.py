"""Tasks that could not be handed to the queue (Redis down), kept until they can.

onboarding.jobs sends a task once its transaction commits; when the broker refuses it,
the task's name and arguments (ids and flags only, never personal data) land here, and
Celery beat's `outbox_drain` hands them over again once Redis answers.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PendingTask(models.Model):
    task_name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list)
    kwargs = models.JSONField(_("named arguments"), default=dict)
    created_at = models.DateTimeField(_("kept at"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("attempts to queue it again"), default=0)

    class Meta:
        ordering = ["id"]
        verbose_name = _("task waiting for the queue")
        verbose_name_plural = _("tasks waiting for the queue")

    def __str__(self) -> str:
        return f"{self.task_name} #{self.pk}"
