from app.logs import redact
from core.masking import mask_name, mask_phone, mask_phones_in_text


def test_phone_keeps_first_three_and_last_four_digits():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+8613812345678") == "138****5678"
    assert mask_phone(None) is None


def test_name_keeps_only_the_first_character():
    assert mask_name("张三丰") == "张**"
    assert mask_name("李") == "*"


def test_phone_numbers_inside_text_are_masked_but_longer_digit_runs_are_not():
    assert mask_phones_in_text("call 13812345678 now") == "call 138****5678 now"
    assert mask_phones_in_text("order 913812345678") == "order 913812345678"


def test_redact_hides_secrets_in_urls_and_json():
    line = "GET /sns/jscode2session?appid=wx1&secret=s3cr3t&js_code=abc&grant_type=x"
    assert "s3cr3t" not in redact(line)
    assert "abc" not in redact(line)
    assert "appid=wx1" in redact(line)
    scrubbed = redact('{"access_token": "tok-value-123", "errcode": 40029}')
    assert "tok-value-123" not in scrubbed
    assert "40029" in scrubbed
