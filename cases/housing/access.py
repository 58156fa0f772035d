"""Who may see and record a child's housing applications and Social Needs Panel referrals. A child's records
follow the child's open case: whoever may see that case reads them, whoever may change it records them (and
only with a case worker's role). Each function fetches and authorises in one step and raises NotFound both for
"does not exist" and for "not yours".

A person the reader may see but whose open case they may not (or who has none) has no open case here
(`child_open_case` is None): the page says so and shows nothing of the record, rather than a link on the
person page ending in a 404.

The rule itself is cases/child_records.py, shared with the other modules of the child's record."""

import uuid

from django.contrib.auth.models import AnonymousUser

from cases.child_records import (
    Authorised,
    child_record,
)
from cases.housing.models import HousingApplication, SocialNeedsPanelReferral
from safeguarding.organisations.models import User


def access_housing_application(
    user: User | AnonymousUser, application_id: uuid.UUID | str, *, write: bool = False
) -> Authorised[HousingApplication]:
    queryset = HousingApplication.objects.select_related("person", "recorded_by", "recorded_by_agency")
    return child_record(user, queryset, application_id, write=write)


def access_snp_referral(
    user: User | AnonymousUser, referral_id: uuid.UUID | str, *, write: bool = False
) -> Authorised[SocialNeedsPanelReferral]:
    queryset = SocialNeedsPanelReferral.objects.select_related("person", "recorded_by", "recorded_by_agency")
    return child_record(user, queryset, referral_id, write=write)
