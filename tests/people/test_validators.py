import pytest
from django.core.exceptions import ValidationError

from safeguarding.people.ethnicity import (
    ONS_2021_GROUP_BY_CIN_CODE,
    CinEthnicity,
    OnsEthnicGroup,
    ons_group_for,
)
from safeguarding.people.validators import nhs_number_is_valid, validate_nhs_number


@pytest.mark.parametrize("number", ["9434765919", "4010232137", "9434765870", "9990548609"])
def test_valid_nhs_numbers(number: str) -> None:
    assert nhs_number_is_valid(number)
    validate_nhs_number(number[:3] + " " + number[3:6] + " " + number[6:])


@pytest.mark.parametrize(
    "number", ["9434765918", "1234567890", "0000000001", "943476591", "94347659199", "abcdefghij"]
)
def test_invalid_nhs_numbers(number: str) -> None:
    assert not nhs_number_is_valid(number)
    with pytest.raises(ValidationError):
        validate_nhs_number(number)


def test_check_digit_of_ten_is_never_valid() -> None:
    # 1000000010: weights give remainder 1 → check digit 10 → impossible.
    total = sum(int(d) * w for d, w in zip("100000001", range(10, 1, -1), strict=True))
    assert 11 - total % 11 == 10
    assert not any(nhs_number_is_valid(f"100000001{d}") for d in "0123456789")


def test_every_cin_code_maps_to_an_ons_2021_group() -> None:
    assert set(ONS_2021_GROUP_BY_CIN_CODE) == set(CinEthnicity.values)
    assert ons_group_for("CHNE") == OnsEthnicGroup.ASIAN
    assert ons_group_for("BCRB") == OnsEthnicGroup.BLACK
    assert ons_group_for("WROM") == OnsEthnicGroup.WHITE
    assert ons_group_for("REFU") == OnsEthnicGroup.NOT_KNOWN
