from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()

# The GOV.UK class for each kind of widget, and its error variant.
WIDGET_CLASSES = {
    "textarea": ("govuk-textarea", "govuk-textarea--error"),
    "select": ("govuk-select", "govuk-select--error"),
}
DEFAULT_CLASSES = ("govuk-input", "govuk-input--error")


@register.simple_tag
def govuk_widget(field: BoundField) -> SafeString:
    """Render a field's widget with its GOV.UK class, plus the error class when the field has errors."""
    base, error = WIDGET_CLASSES.get(field.widget_type, DEFAULT_CLASSES)
    existing = field.field.widget.attrs.get("class", "").split()
    classes = [base, *[c for c in existing if c != base]]
    if field.errors:
        classes.append(error)
    return field.as_widget(attrs={"class": " ".join(classes)})
