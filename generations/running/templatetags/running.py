"""{% run_panel version %} on the version page, {% test_badge version %} in the history."""

from django import template

from generations.running.panel import panel_context

register = template.Library()


@register.inclusion_tag("running/panel.html", takes_context=True)
def run_panel(context, version):
    return panel_context(context["request"], version)


@register.inclusion_tag("running/_badge.html")
def test_badge(version):
    return {"test_run": getattr(version, "test_run", None), "dash": True}
