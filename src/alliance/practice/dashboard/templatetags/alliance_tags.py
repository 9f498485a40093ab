from typing import Any

from django import template

from alliance.feedback import texts

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``{{ mapping|get_item:key }}``: a dictionary lookup with a variable key."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def alert_title(kind: str) -> str:
    """The plain-language title of an alert kind (``alliance.feedback.texts.TITLES``)."""
    return texts.TITLES.get(kind, kind.replace("_", " ").capitalize())


@register.filter
def instrument_name(instrument_id: str) -> str:
    return texts.instrument_name(instrument_id) if instrument_id else ""
