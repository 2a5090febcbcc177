from typing import Any

from django import template

register = template.Library()


@register.filter
def lookup(mapping: dict[Any, Any], key: Any) -> Any:
    """`{{ labels|lookup:row.kind }}`: a label from a dict built once per page, where calling
    get_FOO_display on every row would translate the whole choice list again each time."""
    return mapping.get(key, key)
