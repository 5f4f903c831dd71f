import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from registry.models import PhoneCode, SmsMessage
from registry.services.phone_codes import MAX_TRIES, phone_code_send, phone_code_verify
from tests.sms import last_code, last_text

pytestmark = pytest.mark.django_db

PHONE = "+85512345678"


def sent_code() -> str:
    return last_code(PHONE)


def test_code_is_stored_hashed_and_sent_in_both_languages():
    record = phone_code_send(phone=PHONE, purpose="register")
    code = sent_code()
    assert code not in record.code_hash
    assert len(record.code_hash) == 64
    khmer, english = last_text(PHONE).splitlines()
    assert khmer.startswith("លេខកូដរបស់អ្នកគឺ") and code in khmer
    assert english == f"Your code is {code}. It expires in 5 minutes."
    message = SmsMessage.objects.get()
    assert (message.template, message.params, message.status) == ("phone_code", {}, "sent")


def test_right_code_verifies_once_and_wrong_code_counts_a_try():
    record = phone_code_send(phone=PHONE, purpose="register")
    code = sent_code()
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ValidationError) as caught:
        phone_code_verify(code_id=record.pk, code=wrong, phone=PHONE)
    assert caught.value.code == "code_wrong"
    verified = phone_code_verify(code_id=record.pk, code=code, phone=PHONE)
    assert verified.verified_at is not None
    assert verified.attempts == 2


def test_khmer_digits_and_spaces_in_the_code_are_accepted():
    record = phone_code_send(phone=PHONE, purpose="sign_in")
    code = sent_code().translate(str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩"))
    phone_code_verify(code_id=record.pk, code=f"{code[:3]} {code[3:]}", phone=PHONE)


def test_code_expires_after_five_minutes():
    record = phone_code_send(phone=PHONE, purpose="register")
    PhoneCode.objects.filter(pk=record.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    with pytest.raises(ValidationError) as caught:
        phone_code_verify(code_id=record.pk, code=sent_code(), phone=PHONE)
    assert caught.value.code == "code_expired"


def test_code_is_locked_after_five_wrong_tries_even_for_the_right_code():
    record = phone_code_send(phone=PHONE, purpose="register")
    code = sent_code()
    wrong = "000000" if code != "000000" else "111111"
    codes = []
    for _ in range(MAX_TRIES):
        with pytest.raises(ValidationError) as caught:
            phone_code_verify(code_id=record.pk, code=wrong, phone=PHONE)
        codes.append(caught.value.code)
    assert codes[-1] == "code_locked"
    with pytest.raises(ValidationError) as caught:
        phone_code_verify(code_id=record.pk, code=code, phone=PHONE)
    assert caught.value.code == "code_locked"


def test_a_code_only_works_for_its_own_phone():
    record = phone_code_send(phone=PHONE, purpose="register")
    with pytest.raises(ValidationError) as caught:
        phone_code_verify(code_id=record.pk, code=sent_code(), phone="+85517000000")
    assert caught.value.code == "code_unknown"


def test_sending_is_limited_per_phone():
    for _ in range(3):
        phone_code_send(phone=PHONE, purpose="register")
    with pytest.raises(ValidationError) as caught:
        phone_code_send(phone=PHONE, purpose="register")
    assert caught.value.code == "rate_limited_phone"
    # Another phone is not affected.
    phone_code_send(phone="+85517000000", purpose="register")


def test_sending_is_limited_per_network_address():
    for n in range(20):
        phone_code_send(phone=f"+8551700{n:04d}", purpose="register", ip_address="10.1.2.3")
    with pytest.raises(ValidationError) as caught:
        phone_code_send(phone="+85517999999", purpose="register", ip_address="10.1.2.3")
    assert caught.value.code == "rate_limited_address"
    phone_code_send(phone="+85517999999", purpose="register", ip_address="10.1.2.4")


def test_rate_limit_message_reaches_the_person(english):
    client = english
    for _ in range(3):
        client.post("/register/phone/", {"phone": "012 345 678"})
    response = client.post("/register/phone/", {"phone": "012 345 678"}, follow=True)
    assert "Too many codes were sent to this phone" in response.content.decode()
