"""The education module's parts of the child's record, registered from EducationConfig.ready(): the link from
the person page's "Child's record" section, and the chronology's sources (see cases/chronology/registry.py)."""

from cases.chronology.registry import ChronologySource, RecordLink
from cases.education.selectors import education_change_events, school_place_application_events
from safeguarding.organisations.access import reads_case_data

RECORD_LINK = RecordLink(
    key="education",
    label="Education",
    url_name="education:person",
    # Anyone who reads case data may open it: the page shows the record to readers of the child's open case,
    # and tells anyone else who may see the child that there is none to show them.
    shown_to=reads_case_data,
    description="Where they learn, its history, and school place applications.",
)

CHRONOLOGY_SOURCES = (
    ChronologySource(kind="education_change", label="Education status", events=education_change_events),
    ChronologySource(
        kind="school_place_application",
        label="School place applications",
        events=school_place_application_events,
    ),
)
