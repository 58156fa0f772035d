"""Missing-episode services, one module per workflow; import them from here. Each write is one durable
transaction with its audit row; clocks announce themselves to their owners on commit (the clock engine's
outbox)."""

from cases.missing.services.episodes import (
    EpisodeReport,
    Part2Details,
    missing_episode_report,
    missing_part2_update,
    missing_risk_grade_record,
    missing_settings_set,
)
from cases.missing.services.profiles import (
    ProfileDetails,
    child_links,
    default_next_review,
    philomena_profile_save,
)
from cases.missing.services.returns import (
    ReturnDetails,
    RhiOutcomeDetails,
    missing_return_record,
    missing_rhi_outcome_record,
)

__all__ = [
    "EpisodeReport",
    "Part2Details",
    "ProfileDetails",
    "ReturnDetails",
    "RhiOutcomeDetails",
    "child_links",
    "default_next_review",
    "missing_episode_report",
    "missing_part2_update",
    "missing_return_record",
    "missing_rhi_outcome_record",
    "missing_risk_grade_record",
    "missing_settings_set",
    "philomena_profile_save",
]
