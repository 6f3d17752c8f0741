"""Masking of names, phones, ID numbers and addresses before they leave the office."""

import pytest

from talentoffice.masking import mask_address, mask_id_number, mask_name, mask_phone

# Names


@pytest.mark.parametrize(
    ("name", "masked"),
    [("王小明", "王**"), ("王明", "王*"), ("欧阳娜娜", "欧***"), ("Li Lei", "L*****")],
)
def test_a_name_keeps_only_its_first_character(name, masked):
    assert mask_name(name) == masked


def test_a_name_keeps_its_length_so_that_lists_still_line_up():
    assert len(mask_name("司马相如")) == 4


def test_a_one_character_name_is_shown_as_it_is():
    assert mask_name("王") == "王"


def test_surrounding_spaces_are_dropped_before_a_name_is_masked():
    assert mask_name("  王小明 ") == "王**"


@pytest.mark.parametrize("name", ["", None, "   "])
def test_an_empty_name_masks_to_an_empty_string(name):
    assert mask_name(name) == ""


# Phones


def test_a_mobile_keeps_its_first_three_and_last_four_digits():
    assert mask_phone("13812345678") == "138****5678"


def test_a_landline_keeps_its_first_three_and_last_four_digits():
    assert mask_phone("059187654321") == "059*****4321"


def test_an_eight_digit_phone_hides_only_its_middle_digit():
    assert mask_phone("87654321") == "876*4321"


@pytest.mark.parametrize("phone", ["1234567", "123", "1"])
def test_a_phone_of_seven_digits_or_fewer_is_hidden_entirely(phone):
    assert mask_phone(phone) == "*" * len(phone)


@pytest.mark.parametrize("phone", ["", None])
def test_an_empty_phone_masks_to_an_empty_string(phone):
    assert mask_phone(phone) == ""


# Resident ID numbers


def test_an_id_number_keeps_its_region_and_last_four_characters():
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_an_id_number_hides_the_whole_birth_date():
    masked = mask_id_number("11010519491231002X")
    assert "19491231" not in masked
    assert masked[6:14] == "********"


def test_an_eleven_character_id_number_hides_one_character():
    assert mask_id_number("12345678901") == "123456*8901"


@pytest.mark.parametrize("id_number", ["1234567890", "12345", "1"])
def test_an_id_number_of_ten_characters_or_fewer_is_hidden_entirely(id_number):
    assert mask_id_number(id_number) == "*" * len(id_number)


@pytest.mark.parametrize("id_number", ["", None])
def test_an_empty_id_number_masks_to_an_empty_string(id_number):
    assert mask_id_number(id_number) == ""


# Addresses


def test_an_address_keeps_its_first_six_characters_and_hides_the_rest_behind_four_stars():
    assert mask_address("台江区工业路1号楼302室") == "台江区工业路****"


def test_a_long_address_does_not_reveal_its_length():
    assert mask_address("台江区工业路1号") == mask_address("台江区工业路1号楼2单元302室")


def test_surrounding_spaces_are_dropped_before_an_address_is_masked():
    assert mask_address("  台江区工业路1号楼302室  ") == "台江区工业路****"


@pytest.mark.parametrize(
    ("address", "masked"),
    [("台江区工业路", "台江****"), ("台江区", "台江*"), ("台江", "台江"), ("台", "台")],
)
def test_an_address_of_six_characters_or_fewer_keeps_only_two(address, masked):
    assert mask_address(address) == masked


@pytest.mark.parametrize("address", ["", None, "   "])
def test_an_empty_address_masks_to_an_empty_string(address):
    assert mask_address(address) == ""
