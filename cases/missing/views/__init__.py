"""The missing pages: the child's missing page and Philomena Part 1 (person), an episode and the forms that
follow it (episodes), and the police briefing (briefing). Every page that shows the child writes one audit
row."""

from cases.missing.views.briefing import briefing_pdf_view, briefing_view
from cases.missing.views.episodes import (
    episode_view,
    part2_view,
    report_view,
    return_view,
    rhi_view,
    risk_view,
)
from cases.missing.views.person import missing_person_view, philomena_edit_view, philomena_view

__all__ = [
    "briefing_pdf_view",
    "briefing_view",
    "episode_view",
    "missing_person_view",
    "part2_view",
    "philomena_edit_view",
    "philomena_view",
    "report_view",
    "return_view",
    "rhi_view",
    "risk_view",
]
