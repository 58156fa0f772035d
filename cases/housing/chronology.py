"""The housing module's parts of the child's record, registered from HousingConfig.ready(): the link from the
person page's "Child's record" section, and the chronology's source (see cases/chronology/registry.py)."""

from cases.chronology.registry import ChronologySource, RecordLink
from cases.housing.selectors import housing_events
from safeguarding.organisations.access import reads_case_data

RECORD_LINK = RecordLink(
    key="housing",
    label="Housing",
    url_name="housing:person",
    # Anyone who reads case data may open it: the page shows the record to readers of the child's open case,
    # and tells anyone else who may see the child that there is none to show them.
    shown_to=reads_case_data,
    description="Housing applications and Social Needs Panel referrals.",
)

CHRONOLOGY_SOURCE = ChronologySource(kind="housing", label="Housing", events=housing_events)
