"""The validators and normalizing fields for credit codes, resident IDs, phones and licences."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from talentoffice.fields import CreditCodeField, LicenceNumberField, MobileField, PhoneField
from talentoffice.validators import (
    credit_code_check_character,
    id_number_check_digit,
    normalize_phone,
    validate_credit_code,
    validate_id_number,
    validate_licence_number,
    validate_mobile,
    validate_phone,
)

# Published codes of real companies, each re-verified below with the test's own implementation.
HUAWEI_CREDIT_CODE = "914403001922038216"  # 华为技术有限公司
TENCENT_CREDIT_CODE = "91440300708461136T"  # 腾讯科技（深圳）有限公司
# The sample code quoted by GB 32100-2015 write-ups; its body holds a letter (M).
SAMPLE_CREDIT_CODE = "91350100M000100Y43"
# The example resident ID number printed in GB 11643-1999 itself.
STANDARD_ID_NUMBER = "11010519491231002X"


def independent_credit_code_check(first17: str) -> str:
    """GB 32100-2015 written out again: weights are 3**i mod 31 over a 31-character alphabet."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    total = sum(alphabet.index(char) * pow(3, i, 31) for i, char in enumerate(first17))
    return alphabet[-total % 31]


def independent_id_check(first17: str) -> str:
    """GB 11643-1999 written out again: ISO 7064 MOD 11-2 with weights 2**(17-i) mod 11."""
    total = sum(int(char) * pow(2, 17 - i, 11) for i, char in enumerate(first17))
    return "0123456789X"[(12 - total % 11) % 11]


def error_code(validator, value) -> str:
    with pytest.raises(ValidationError) as excinfo:
        validator(value)
    return excinfo.value.code


# Unified social credit codes


def test_the_credit_code_check_character_matches_a_hand_worked_example():
    # Huawei's 17 characters times the weights 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8,
    # 24, 10, 30, 28: 9+3+36+108+0+78+0+0+20+261+50+26+0+72+80+60+28 = 831; 831 mod 31 = 25;
    # 31 - 25 = 6, and the alphabet's 6th character is "6".
    assert credit_code_check_character(HUAWEI_CREDIT_CODE[:17]) == "6"


def test_the_credit_code_check_character_maps_to_letters_beyond_nine():
    # Tencent's weighted sum is 966; 966 mod 31 = 5; 31 - 5 = 26, which is "T" in an alphabet
    # that skips I, O, S, V and Z.
    assert credit_code_check_character(TENCENT_CREDIT_CODE[:17]) == "T"


@pytest.mark.parametrize("code", [HUAWEI_CREDIT_CODE, TENCENT_CREDIT_CODE, SAMPLE_CREDIT_CODE])
def test_published_credit_codes_pass_both_the_independent_algorithm_and_the_validator(code):
    assert independent_credit_code_check(code[:17]) == code[17]
    assert credit_code_check_character(code[:17]) == code[17]
    validate_credit_code(code)


@pytest.mark.parametrize("body", ["91350100MA2XN0K54", "12100000400011000", "Y1110000MA00AB1CD"])
def test_the_check_character_agrees_with_an_independent_implementation(body):
    assert credit_code_check_character(body) == independent_credit_code_check(body)
    validate_credit_code(body + independent_credit_code_check(body))


@pytest.mark.parametrize("wrong", ["0", "5", "7", "A", "Y"])
def test_a_credit_code_with_a_wrong_check_character_is_refused(wrong):
    assert error_code(validate_credit_code, HUAWEI_CREDIT_CODE[:17] + wrong) == "credit_code_check"


def test_a_lowercase_credit_code_is_refused_by_the_validator_itself():
    assert error_code(validate_credit_code, TENCENT_CREDIT_CODE.lower()) == "credit_code_format"


def test_the_credit_code_field_upper_cases_and_drops_spaces_before_validating():
    field = CreditCodeField()
    typed = " 9144 0300 7084 6113 6t "
    assert field.to_python(typed) == TENCENT_CREDIT_CODE
    assert field.clean(typed, None) == TENCENT_CREDIT_CODE


def test_the_credit_code_field_keeps_none_as_none():
    assert CreditCodeField(null=True).to_python(None) is None


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_a_credit_code_with_a_forbidden_letter_is_refused_as_malformed(letter):
    # The letter replaces the "M" in the body of an otherwise valid code.
    code = SAMPLE_CREDIT_CODE.replace("M", letter)
    assert error_code(validate_credit_code, code) == "credit_code_format"


@pytest.mark.parametrize(
    "code",
    [
        HUAWEI_CREDIT_CODE[:17],
        HUAWEI_CREDIT_CODE + "0",
        "",
        None,
        # The region code (characters 3 to 8) must be digits.
        "91A50100M000100Y43",
    ],
    ids=["17-characters", "19-characters", "empty", "none", "letter-in-region"],
)
def test_a_credit_code_of_the_wrong_shape_is_refused_as_malformed(code):
    assert error_code(validate_credit_code, code) == "credit_code_format"


# Resident ID numbers


def test_the_id_check_digit_matches_the_standards_own_worked_example():
    # 1,1,0,1,0,5,1,9,4,9,1,2,3,1,0,0,2 times 7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2 sums to 167;
    # 167 mod 11 = 2, and position 2 of "10X98765432" is X.
    assert id_number_check_digit(STANDARD_ID_NUMBER[:17]) == "X"
    assert independent_id_check(STANDARD_ID_NUMBER[:17]) == "X"


@pytest.mark.parametrize("number", [STANDARD_ID_NUMBER, "44052419500101001X", "110101199003074477"])
def test_a_resident_id_number_with_the_right_check_digit_is_accepted(number):
    assert independent_id_check(number[:17]) == number[17]
    validate_id_number(number)


def test_a_lowercase_x_check_digit_is_accepted():
    validate_id_number(STANDARD_ID_NUMBER.lower())


@pytest.mark.parametrize("wrong", ["0", "1", "9"])
def test_a_resident_id_number_with_a_wrong_check_digit_is_refused(wrong):
    assert error_code(validate_id_number, STANDARD_ID_NUMBER[:17] + wrong) == "id_number_check"


@pytest.mark.parametrize("birth_date", ["19490230", "19491331", "19490001", "19490100", "19010229"])
def test_a_resident_id_number_with_an_impossible_birth_date_is_refused(birth_date):
    # The check digit is right, so only the date can be what is refused.
    first17 = "110105" + birth_date + "002"
    number = first17 + independent_id_check(first17)
    assert error_code(validate_id_number, number) == "id_number_birth_date"


def test_a_leap_day_birth_date_is_accepted():
    first17 = "110105" + "20000229" + "002"
    validate_id_number(first17 + independent_id_check(first17))


@pytest.mark.parametrize(
    "number",
    [
        "",
        None,
        STANDARD_ID_NUMBER[:17],
        STANDARD_ID_NUMBER + "1",
        "01010519491231002X",
        "1101051949123100XX",
    ],
    ids=["empty", "none", "17-characters", "19-characters", "leading-zero", "x-inside"],
)
def test_a_resident_id_number_of_the_wrong_shape_is_refused_as_malformed(number):
    assert error_code(validate_id_number, number) == "id_number_format"


# Phone numbers


@pytest.mark.parametrize("number", ["13812345678", "15900001111", "17712345678", "19912345678"])
def test_mainland_mobile_numbers_are_accepted_as_phones_and_as_mobiles(number):
    validate_phone(number)
    validate_mobile(number)


@pytest.mark.parametrize("number", ["059187654321", "01012345678", "075588889999", "05918765432"])
def test_landlines_with_their_area_code_are_accepted_as_phones_but_not_as_mobiles(number):
    validate_phone(number)
    assert error_code(validate_mobile, number) == "mobile_format"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+86 138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("0086 138-1234-5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("0591-87654321", "059187654321"),
        ("(0591) 8765 4321", "059187654321"),
        ("010 1234 5678", "01012345678"),
    ],
)
def test_the_phone_field_drops_the_country_code_spaces_and_hyphens(typed, stored):
    field = PhoneField()
    assert field.to_python(typed) == stored
    assert field.clean(typed, None) == stored


def test_the_mobile_field_normalizes_like_a_phone_but_refuses_a_landline():
    field = MobileField()
    assert field.clean("+86 138-1234-5678", None) == "13812345678"
    with pytest.raises(ValidationError) as excinfo:
        field.clean("0591-87654321", None)
    assert [error.code for error in excinfo.value.error_list] == ["mobile_format"]


@pytest.mark.parametrize(
    "number",
    ["1381234567", "138123456789", "12812345678", "11812345678", "0012345678", "59187654321", ""],
    ids=[
        "ten-digit-mobile",
        "twelve-digit-mobile",
        "starts-with-12",
        "starts-with-11",
        "area-code-starting-00",
        "landline-without-trunk-zero",
        "empty",
    ],
)
def test_malformed_phone_numbers_are_refused(number):
    assert error_code(validate_phone, number) == "phone_format"
    assert error_code(validate_mobile, number) == "mobile_format"


def test_a_landline_shorter_than_ten_digits_is_refused():
    assert error_code(validate_phone, "059187654") == "phone_format"


def test_a_landline_longer_than_twelve_digits_is_refused():
    assert error_code(validate_phone, "0591876543210") == "phone_format"


# Lawyers' practising-licence numbers


def test_a_seventeen_digit_licence_number_is_accepted():
    validate_licence_number("13501201010123456")


@pytest.mark.parametrize(
    "number",
    ["1350120101012345", "135012010101234567", "1350120101012345X", "", None],
    ids=["16-digits", "18-digits", "letter", "empty", "none"],
)
def test_a_licence_number_that_is_not_seventeen_digits_is_refused(number):
    assert error_code(validate_licence_number, number) == "licence_number_format"


def test_the_licence_number_field_drops_spaces_before_validating():
    assert LicenceNumberField().clean(" 13501 2010 1012 3456 ", None) == "13501201010123456"


# Languages of the messages

ENGLISH_MESSAGES = [
    pytest.param(
        validate_credit_code,
        "not-a-code",
        "Enter an 18-character unified social credit code "
        "(digits and capital letters except I, O, Z, S, V).",
        id="credit-code-format",
    ),
    pytest.param(
        validate_credit_code,
        HUAWEI_CREDIT_CODE[:17] + "0",
        "This unified social credit code has a wrong check character; please re-check it.",
        id="credit-code-check",
    ),
    pytest.param(
        validate_id_number,
        "123",
        "Enter an 18-character resident ID number (17 digits, then a digit or X).",
        id="id-number-format",
    ),
    pytest.param(
        validate_id_number,
        "110105194902300021",
        "This resident ID number contains an impossible birth date.",
        id="id-number-birth-date",
    ),
    pytest.param(
        validate_id_number,
        STANDARD_ID_NUMBER[:17] + "0",
        "This resident ID number has a wrong check digit; please re-check it.",
        id="id-number-check",
    ),
    pytest.param(
        validate_phone,
        "12812345678",
        "Enter an 11-digit mobile number starting with 1, "
        "or a landline with its area code, such as 059187654321.",
        id="phone-format",
    ),
    pytest.param(
        validate_mobile,
        "059187654321",
        "Enter an 11-digit mobile number starting with 1.",
        id="mobile-format",
    ),
    pytest.param(
        validate_licence_number,
        "123",
        "A lawyer's practising-licence number has exactly 17 digits.",
        id="licence-number-format",
    ),
]


def rendered_message(validator, value) -> str:
    """The message as the active language renders it (lazy messages render on access)."""
    with pytest.raises(ValidationError) as excinfo:
        validator(value)
    [message] = excinfo.value.messages
    return message


@pytest.mark.parametrize(("validator", "value", "english"), ENGLISH_MESSAGES)
def test_validator_messages_are_in_english_when_english_is_active(validator, value, english):
    with translation.override("en"):
        assert rendered_message(validator, value) == english


@pytest.mark.parametrize(("validator", "value", "english"), ENGLISH_MESSAGES)
def test_validator_messages_are_in_chinese_when_simplified_chinese_is_active(
    validator, value, english
):
    with translation.override("zh-hans"):
        message = rendered_message(validator, value)
    assert message != english
    assert re.search(r"[\u4e00-\u9fff]", message), message


def test_a_landline_written_with_the_country_code_gets_its_trunk_zero_back():
    assert normalize_phone("+86 591 8765 4321") == "059187654321"
    assert normalize_phone("0086 138 1234 5678") == "13812345678"


@pytest.mark.parametrize("birth", ["18800101", "20991231"], ids=["before-1900", "in-the-future"])
def test_a_resident_id_number_born_outside_living_memory_is_refused(birth):
    body = f"440524{birth}001"
    with pytest.raises(ValidationError) as error:
        validate_id_number(body + id_number_check_digit(body))
    assert error.value.code == "id_number_birth_date"
