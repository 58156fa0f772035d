"""Object permissions on case data, named once. Code refers to them through this enum, never as strings."""

from enum import StrEnum


class Perm(StrEnum):
    VIEW_PERSON = "people.view_person"
    CHANGE_PERSON = "people.change_person"
    VIEW_CASE = "cases.view_case"
    CHANGE_CASE = "cases.change_case"
    SHARE_CASE = "cases.share_case"
    VIEW_REFERRAL = "referrals.view_referral"
    CHANGE_REFERRAL = "referrals.change_referral"

    @property
    def codename(self) -> str:
        return self.value.split(".", 1)[1]

    @property
    def app_label(self) -> str:
        return self.value.split(".", 1)[0]
