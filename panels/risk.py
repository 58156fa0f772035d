"""Scoring a structured risk assessment against a versioned instrument.

An instrument's definition is data (RiskInstrument.definition), checked by `instrument_check`:
  indicators  [{code, label, significant}]
  windows     [{code, label}]  how recently the indicator was seen, e.g. "last_6_months", "6_to_12_months",
              and one with no weight ("not_known")
  weights     {"significant": {window: points}, "other": {window: points}}
  thresholds  [{"min": points, "level": RiskLevel}] highest first; below every threshold is "low"
  young_age   at this age or under, any significant indicator seen in a weighted window makes the risk at
              least "high" (younger children are more easily exploited and less able to say so)."""

from dataclasses import dataclass
from typing import Any

from cases.models import RiskLevel
from safeguarding.common.errors import ApplicationError

# Low to high, for the trajectory since the last review.
LEVEL_ORDER = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.VERY_HIGH]

DEFAULT_INSTRUMENT: dict[str, Any] = {
    "windows": [
        {"code": "last_6_months", "label": "In the last 6 months"},
        {"code": "6_to_12_months", "label": "6 to 12 months ago"},
        {"code": "not_known", "label": "Not known, or more than 12 months ago"},
    ],
    "weights": {
        "significant": {"last_6_months": 5, "6_to_12_months": 1},
        "other": {"last_6_months": 2, "6_to_12_months": 1},
    },
    "thresholds": [
        {"min": 20, "level": RiskLevel.VERY_HIGH.value},
        {"min": 10, "level": RiskLevel.HIGH.value},
        {"min": 5, "level": RiskLevel.MEDIUM.value},
    ],
    "young_age": 13,
    "indicators": [
        {"code": "missing", "label": "Missing from home, care or education", "significant": True},
        {"code": "found_out_of_area", "label": "Found out of the area", "significant": True},
        {
            "code": "drugs_or_cash",
            "label": "Found with drugs, large amounts of cash or 'deal line' phones",
            "significant": True,
        },
        {"code": "weapons", "label": "Carrying or linked to weapons", "significant": True},
        {"code": "violence", "label": "Injuries from violence, or victim of assault", "significant": True},
        {
            "code": "adults_of_concern",
            "label": "Associating with older peers or adults of concern",
            "significant": True,
        },
        {
            "code": "sexual_harm",
            "label": "Sexual health concerns or signs of sexual exploitation",
            "significant": True,
        },
        {"code": "gifts_money", "label": "Unexplained gifts, money or new phones", "significant": False},
        {
            "code": "education",
            "label": "Excluded, off roll, or on a part-time timetable",
            "significant": False,
        },
        {"code": "substances", "label": "Misusing drugs or alcohol", "significant": False},
        {"code": "online", "label": "Online contact with people of concern", "significant": False},
        {
            "code": "wellbeing",
            "label": "Self-harm, or marked change in mood or behaviour",
            "significant": False,
        },
    ],
}


@dataclass(frozen=True)
class RiskResult:
    score: int
    level: RiskLevel
    # True when the young-child rule, not the score, set the level.
    raised_for_age: bool


def instrument_check(definition: dict[str, Any]) -> None:
    """Refuse a definition the scorer could not use (raised when an instrument version is saved)."""
    try:
        windows = {w["code"] for w in definition["windows"]}
        for kind in ("significant", "other"):
            if not set(definition["weights"][kind]) <= windows:
                raise ApplicationError(f"The {kind} weights name a window the instrument does not define.")
        codes = [i["code"] for i in definition["indicators"]]
        if len(codes) != len(set(codes)) or not codes:
            raise ApplicationError("Each indicator needs a code of its own.")
        for threshold in definition["thresholds"]:
            RiskLevel(threshold["level"])
            int(threshold["min"])
        int(definition["young_age"])
    except (KeyError, TypeError, ValueError) as error:
        raise ApplicationError(f"This risk instrument's definition is incomplete: {error}") from error


def risk_score(definition: dict[str, Any], answers: dict[str, str], age: int | None) -> RiskResult:
    """Score `answers` (indicator code -> window code). Unknown indicators or windows are refused, so a form
    tampered with cannot lower a score silently."""
    windows = {w["code"] for w in definition["windows"]}
    indicators = {i["code"]: i for i in definition["indicators"]}
    score = 0
    significant_seen = False
    for code, window in answers.items():
        if code not in indicators:
            raise ApplicationError(f"'{code}' is not an indicator of this instrument.")
        if window not in windows:
            raise ApplicationError(f"Select how recently '{indicators[code]['label']}' was seen.")
        kind = "significant" if indicators[code]["significant"] else "other"
        points = int(definition["weights"][kind].get(window, 0))
        score += points
        if kind == "significant" and points > 0:
            significant_seen = True
    level = RiskLevel.LOW
    for threshold in sorted(definition["thresholds"], key=lambda t: -int(t["min"])):
        if score >= int(threshold["min"]):
            level = RiskLevel(threshold["level"])
            break
    raised = False
    young = age is not None and age <= int(definition["young_age"])
    if young and significant_seen and LEVEL_ORDER.index(level) < LEVEL_ORDER.index(RiskLevel.HIGH):
        level = RiskLevel.HIGH
        raised = True
    return RiskResult(score=score, level=level, raised_for_age=raised)


def trajectory(previous: str, now: str) -> str:
    """How the level moved since the last assessment of the same referral."""
    if not previous or previous not in LEVEL_ORDER:
        return "new"
    before, after = LEVEL_ORDER.index(RiskLevel(previous)), LEVEL_ORDER.index(RiskLevel(now))
    if after > before:
        return "increased"
    if after < before:
        return "decreased"
    return "unchanged"
