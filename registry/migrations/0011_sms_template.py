# Text messages keep a template and parameters instead of their text, so no one-time
# code rests in the database (registry.services.sms). Every row keeps its delivery
# history (phone, status, attempts, error, times); the texts go:
# - a registration confirmation becomes "registration_confirmed" with its number;
# - a text with a six-digit run (a one-time code) becomes "phone_code" with no
#   parameters, and if it was still pending it is marked failed: its code is gone;
# - anything else becomes "legacy", undeliverable, and is failed if pending.
# Bodies are blanked by UPDATE before the column is dropped (PostgreSQL's DROP COLUMN
# leaves the old values in the table's pages): run VACUUM FULL registry_smsmessage
# afterwards to purge the dead row versions from disk as well.

from django.db import migrations, models

FORWARD = [
    r"""
    UPDATE registry_smsmessage
    SET template = 'registration_confirmed',
        params = jsonb_build_object(
            'number', substring(body from 'registration number is ([0-9]{3} [0-9]{3} [0-9]{4})')
        ),
        body = ''
    WHERE body ~ 'registration number is [0-9]{3} [0-9]{3} [0-9]{4}'
    """,
    r"""
    UPDATE registry_smsmessage
    SET template = 'phone_code',
        body = '',
        error = CASE WHEN status = 'pending'
                     THEN 'not kept: a one-time code is sent when issued or never'
                     ELSE error END,
        status = CASE WHEN status = 'pending' THEN 'failed' ELSE status END
    WHERE template = '' AND body ~ '[0-9០-៩]{6}'
    """,
    r"""
    UPDATE registry_smsmessage
    SET template = 'legacy',
        body = '',
        error = CASE WHEN status = 'pending' THEN 'text not kept' ELSE error END,
        status = CASE WHEN status = 'pending' THEN 'failed' ELSE status END
    WHERE template = ''
    """,
]

# Back to texts as far as they can be told again: a code cannot.
BACKWARD = [
    r"""
    UPDATE registry_smsmessage
    SET body = 'You are registered. Your registration number is ' || (params ->> 'number') || '.'
    WHERE template = 'registration_confirmed'
    """,
]


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0010_models_moved_to_their_apps"),
    ]

    operations = [
        migrations.AddField(
            model_name="smsmessage",
            name="template",
            field=models.CharField(default="", max_length=40, verbose_name="template"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="smsmessage",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="parameters"),
        ),
        migrations.RunSQL(FORWARD, reverse_sql=BACKWARD),
        migrations.RemoveField(model_name="smsmessage", name="body"),
    ]
