from django import template

register = template.Library()


@register.simple_tag
def diff_url(selection, **changes) -> str:
    """The compare URL with some of the selection changed (file, mode, ws, expand...)."""
    return selection.url(**changes)


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key)
