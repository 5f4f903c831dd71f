"""Text messages are a template and parameters; a one-time code never rests in a table."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django.utils.translation import override

from registry.models import SmsMessage
from registry.services import phone_codes
from registry.services.sms import SmsTemplateError, sms_deliver_now, sms_queue
from registry.sms import outbox_messages
from tests.factories import PersonFactory
from tests.sms import last_code, last_text

PHONE = "+85512345678"
# A code we choose, so that finding it anywhere is not chance.
CODE = "428613"


def tables_holding(text: str) -> list[str]:
    """Every "table.column" of text or JSON type whose value contains `text`."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_name, c.column_name
            FROM information_schema.columns c
            JOIN information_schema.tables t
              ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
              AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')
            """
        )
        columns = cursor.fetchall()
        found = []
        for table, column in columns:
            cursor.execute(
                f'SELECT 1 FROM "{table}" WHERE "{column}"::text LIKE %s LIMIT 1',  # noqa: S608 - names from the catalogue
                [f"%{text}%"],
            )
            if cursor.fetchone():
                found.append(f"{table}.{column}")
    return found


@pytest.fixture
def known_code(monkeypatch):
    monkeypatch.setattr(phone_codes, "_new_code", lambda: CODE)
    return CODE


@pytest.mark.django_db
def test_a_one_time_code_cannot_be_read_back_from_any_table(client, known_code):
    PersonFactory(phone=PHONE)
    client.post("/me/", {"phone": "012 345 678"})
    # The registrant received it (the development outbox is a file, not a table)...
    assert last_code(PHONE) == CODE
    # ...and signs in with it.
    assert client.post("/me/code/", {"code": CODE})["Location"] == "/me/"
    # The scan finds what is there (the phone is in several tables), but not the code.
    assert "registry_smsmessage.phone" in tables_holding(PHONE)
    assert tables_holding(CODE) == []
    message = SmsMessage.objects.get()
    assert (message.template, message.params, message.status) == (
        "phone_code",
        {},
        SmsMessage.Status.SENT,
    )


@pytest.mark.django_db
def test_a_code_the_gateway_refuses_is_failed_and_not_kept_for_a_retry(settings, known_code):
    settings.SMS_BACKEND = "registry.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = ""
    record = phone_codes.phone_code_send(phone=PHONE, purpose="sign_in")
    assert record.pk
    message = SmsMessage.objects.get()
    assert message.status == SmsMessage.Status.FAILED
    assert "not configured" in message.error
    assert tables_holding(CODE) == []


@pytest.mark.django_db
def test_a_code_message_left_pending_is_failed_rather_than_sent_without_its_code():
    # As if the web process died between recording the message and handing it over.
    message = SmsMessage.objects.create(phone=PHONE, template="phone_code")
    assert sms_deliver_now(message_id=message.pk) == SmsMessage.Status.FAILED
    assert outbox_messages() == []


@pytest.mark.django_db
def test_sms_queue_refuses_a_secret_and_an_unknown_template():
    with pytest.raises(SmsTemplateError):
        sms_queue(phone=PHONE, template="phone_code", params={"code": CODE})
    with pytest.raises(SmsTemplateError):
        sms_queue(phone=PHONE, template="phone_code", params={})
    with pytest.raises(SmsTemplateError):
        sms_queue(phone=PHONE, template="no_such_template", params={})
    assert not SmsMessage.objects.exists()


@pytest.mark.django_db
def test_confirmation_is_rendered_in_khmer_and_english_when_delivered(
    django_capture_on_commit_callbacks,
):
    with override("en"), django_capture_on_commit_callbacks(execute=True):
        message = sms_queue(
            phone=PHONE, template="registration_confirmed", params={"number": "123 456 7890"}
        )
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.SENT
    khmer, english = last_text(PHONE).splitlines()
    assert khmer == "អ្នកបានចុះឈ្មោះរួចរាល់ហើយ។ លេខចុះឈ្មោះរបស់អ្នកគឺ 123 456 7890។"
    assert english == "You are registered. Your registration number is 123 456 7890."


@pytest.mark.django_db
def test_sms_outbox_command_prints_the_code_for_developers(known_code):
    phone_codes.phone_code_send(phone=PHONE, purpose="sign_in")
    phone_codes.phone_code_send(phone="+85517000000", purpose="sign_in")
    out = io.StringIO()
    call_command("sms_outbox", "--phone", PHONE, stdout=out)
    printed = out.getvalue()
    assert PHONE in printed and "+85517000000" not in printed
    assert f"Your code is {CODE}." in printed


def _before_sms_migration(executor: MigrationExecutor) -> tuple[str, str]:
    """The registry migration the template migration follows, whatever it is numbered."""
    [target] = [
        key
        for key in executor.loader.graph.nodes
        if key[0] == "registry" and key[1].endswith("_sms_template")
    ]
    [parent] = [
        node.key
        for node in executor.loader.graph.node_map[target].parents
        if node.key[0] == "registry"
    ]
    return parent


@pytest.mark.django_db(transaction=True)
def test_migration_keeps_delivery_history_and_drops_codes():
    executor = MigrationExecutor(connection)
    parent = _before_sms_migration(executor)
    executor.migrate([parent])
    old = executor.loader.project_state([parent]).apps.get_model("registry", "SmsMessage")
    sent_at = timezone.now()
    confirmation_text = (
        "អ្នកបានចុះឈ្មោះរួចរាល់ហើយ។ លេខចុះឈ្មោះរបស់អ្នកគឺ 123 456 7890។\n"
        "You are registered. Your registration number is 123 456 7890."
    )
    code_text = (
        f"លេខកូដរបស់អ្នកគឺ {CODE}។ ប្រើបានតែ ៥ នាទីប៉ុណ្ណោះ។\nYour code is {CODE}. It expires in 5 minutes."
    )
    rows = {
        "confirmed": old.objects.create(
            phone=PHONE, body=confirmation_text, status="sent", attempts=1, sent_at=sent_at
        ),
        "confirm_pending": old.objects.create(
            phone=PHONE, body=confirmation_text, status="pending", attempts=2, error="timeout"
        ),
        "code_sent": old.objects.create(
            phone=PHONE, body=code_text, status="sent", attempts=1, sent_at=sent_at
        ),
        "code_pending": old.objects.create(phone=PHONE, body=code_text, status="pending"),
        "other": old.objects.create(phone=PHONE, body="hello", status="failed", error="500"),
    }
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        after = {name: SmsMessage.objects.get(pk=row.pk) for name, row in rows.items()}
        assert (after["confirmed"].template, after["confirmed"].params) == (
            "registration_confirmed",
            {"number": "123 456 7890"},
        )
        assert (after["confirmed"].status, after["confirmed"].sent_at) == ("sent", sent_at)
        # A pending confirmation can still go: the retry beat renders it from its number.
        assert after["confirm_pending"].status == "pending"
        assert after["confirm_pending"].attempts == 2
        assert (after["code_sent"].template, after["code_sent"].params) == ("phone_code", {})
        assert (after["code_sent"].status, after["code_sent"].attempts) == ("sent", 1)
        assert after["code_pending"].status == "failed"
        assert (after["other"].template, after["other"].error) == ("legacy", "500")
        assert tables_holding(CODE) == []
        assert sms_deliver_now(message_id=rows["confirm_pending"].pk) == "sent"
        assert "123 456 7890" in last_text(PHONE)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
