from datetime import date, datetime, time, timedelta
from typing import Any, ClassVar

from django import forms
from django.utils import timezone

from cases.chronology.registry import ChronologySource
from cases.chronology.selectors import ChronologyFilters
from safeguarding.common.forms import DateField, GovukFormMixin

NEWEST, OLDEST = "newest", "oldest"


def _start_of(day: date) -> datetime:
    """Midnight at the start of `day` where the service is (Europe/London), as an aware moment."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


class ChronologyFilterForm(GovukFormMixin, forms.Form):
    """The chronology's filters, read from the page's query string: which kinds of event (none ticked: all),
    a date range (each end optional, both inclusive) and the order. A kind that is not a source is an error,
    not quietly dropped: a shared link that asked for something else should not look like everything."""

    govuk_what: ClassVar[dict[str, str]] = {"kind": "the types of event to show"}

    kind = forms.MultipleChoiceField(
        label="Type of event",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to show every type.",
        error_messages={"invalid_choice": "Select the types of event to show from the list"},
    )
    from_date = DateField(
        what="the date to show events from", label="From", required=False, help_text="For example, 27 3 2026"
    )
    to_date = DateField(
        what="the date to show events up to", label="To", required=False, help_text="For example, 31 3 2026"
    )
    order = forms.ChoiceField(
        label="Order",
        choices=[(NEWEST, "Newest first"), (OLDEST, "Oldest first")],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select newest first or oldest first"},
    )

    def __init__(self, *args: Any, sources: tuple[ChronologySource, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sources = sources
        kind = self.fields["kind"]
        assert isinstance(kind, forms.MultipleChoiceField)
        kind.choices = [(source.kind, source.label) for source in sorted(sources, key=lambda s: s.label)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("from_date"), cleaned.get("to_date")
        if since is not None and until is not None and until < since:
            self.add_error(
                "to_date", "The date to show events up to must be the same as or after the date from"
            )
        return cleaned

    def filters(self) -> ChronologyFilters:
        """What a valid form asks for."""
        data = self.cleaned_data
        since, until = data.get("from_date"), data.get("to_date")
        return ChronologyFilters(
            kinds=frozenset(data["kind"]) if data.get("kind") else None,
            since=_start_of(since) if since is not None else None,
            before=_start_of(until + timedelta(days=1)) if until is not None else None,
            oldest_first=data.get("order") == OLDEST,
        )

    def chosen_labels(self) -> list[str]:
        """The types of event a valid form shows, by their labels (none: every type)."""
        chosen = set(self.cleaned_data.get("kind") or ())
        return [source.label for source in self.sources if source.kind in chosen]

    @property
    def filtered(self) -> bool:
        """Whether any filter narrows the events (the order does not)."""
        data = getattr(self, "cleaned_data", {})
        return bool(data.get("kind") or data.get("from_date") or data.get("to_date"))
