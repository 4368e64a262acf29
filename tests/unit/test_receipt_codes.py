"""Receipt codes: 16 digits people can read out, typed back however, stored only as an
Argon2id key with the deployment's pepper; legacy 36-character codes still read."""
import pytest
from argon2.low_level import Type, hash_secret_raw

from services.common.crypto import sha256_hex
from services.common.settings import DEV_DATA_KEY
from services.intake import codes
from services.intake.settings import IntakeSettings


def test_a_new_code_is_16_digits_in_four_groups_of_four():
    code = codes.new_code()
    assert len(code.digits) == 16 and code.digits.isdigit()
    assert len(code.text) == 19 <= 20
    assert [len(g) for g in code.text.split(" ")] == [4, 4, 4, 4] and code.text.replace(" ", "") == code.digits
    assert len({codes.new_code() for _ in range(50)}) == 50


def test_codes_use_every_digit_and_keep_leading_zeros():
    assert codes.code_of(42).text == "0000 0000 0000 0042"
    assert codes.code_of(10 ** 16 + 7) == codes.code_of(7)
    seen = set("".join(codes.new_code().digits for _ in range(40)))
    assert seen == set("0123456789")


def test_a_code_reads_back_with_or_without_spaces_dashes_or_dots():
    code = codes.code_of(1234_5678_9012_3456)
    for typed in ("1234 5678 9012 3456", "1234567890123456", "1234-5678-9012-3456", " 1234  5678\t9012 3456 ",
                  "1234.5678.9012.3456", "1234 – 5678 – 9012 – 3456"):
        assert codes.parse(typed) == code, typed


def test_malformed_codes_are_none():
    for typed in ("", "1234 5678 9012 345", "1234 5678 9012 34567", "1234 5678 9012 345x",
                  "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦", "not-a-code", '{"$ne": null}'):
        assert codes.parse(typed) is None, typed


def test_a_legacy_code_still_reads_however_it_is_typed():
    ref, secret = "5BM8-32GE", "68F7MQBDW41H9N26XNVA365PQM"
    issued = f"{ref}-{secret[0:5]}-{secret[5:10]}-{secret[10:15]}-{secret[15:20]}-{secret[20:26]}"
    for typed in (issued, issued.lower(), issued.replace("-", " "), issued.replace("-", "").replace("1", "l")):
        parsed = codes.parse(typed)
        assert parsed == codes.LegacyCode(ref, secret)
        assert parsed.matches(sha256_hex(secret))
    assert not codes.parse(issued[:-1] + "0").matches(sha256_hex(secret))
    assert not codes.parse(issued).matches(None), "a new receipt has no secret hash to match"


def test_the_key_is_argon2id_of_the_digits_salted_with_the_pepper():
    code = codes.code_of(1234_5678_9012_3456)
    hasher = codes.ReceiptHasher("pepper-of-this-deployment")
    key = hasher.key(code)
    expected = hash_secret_raw(b"1234567890123456", b"pepper-of-this-deployment", time_cost=2,
                               memory_cost=19 * 1024, parallelism=1, hash_len=32, type=Type.ID).hex()
    assert key == codes.KEY_PREFIX + expected
    assert hasher.key(codes.parse("1234-5678-9012-3456")) == key, "the same code finds the same receipt"
    assert code.digits not in key and code.text not in key


def test_another_pepper_or_another_code_gives_another_key():
    code = codes.new_code()
    hasher = codes.ReceiptHasher("pepper-of-this-deployment")
    assert hasher.key(code) != codes.ReceiptHasher("pepper-of-another-one").key(code)
    neighbour = codes.code_of((int(code.digits) + 1) % 10 ** 16)
    assert hasher.key(neighbour) != hasher.key(code)


def test_production_refuses_the_development_pepper():
    real = {"ANTT_ENV": "production", "ANTT_JWT_SECRET": "j" * 40,
            "ANTT_DATA_KEY": DEV_DATA_KEY.replace("9", "8")}
    with pytest.raises(ValueError, match="ANTT_RECEIPT_PEPPER"):
        IntakeSettings(**real)
    assert IntakeSettings(**real, ANTT_RECEIPT_PEPPER="p" * 32).receipt_pepper == "p" * 32


def test_the_keys_of_a_batch_are_the_keys_of_each_code():
    hasher = codes.ReceiptHasher("pepper-of-this-deployment")
    batch = [codes.new_code() for _ in range(5)]
    assert hasher.keys(batch) == [hasher.key(c) for c in batch]
    assert hasher.keys(batch[:1]) == [hasher.key(batch[0])] and hasher.keys([]) == []
