from django import forms
from django.conf import settings

from generations.models import TECH_STACK_CHOICES


def _prompt_field(label: str, help_text: str) -> forms.CharField:
    limit = settings.PROMPT_MAX_CHARS
    return forms.CharField(
        label=label,
        max_length=limit,
        strip=True,
        help_text=f"{help_text} At most {limit:,} characters.",
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": limit}),
        error_messages={
            "required": "Describe what you want; the prompt cannot be empty.",
            "max_length": f"The prompt is too long: keep it under {limit:,} characters.",
        },
    )


class GenerationForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="A short name for the project.")
    prompt = _prompt_field("Prompt", "What should the project do?")
    tech_stack = forms.ChoiceField(
        choices=TECH_STACK_CHOICES,
        error_messages={"invalid_choice": "Unknown tech stack %(value)s; pick one from the list."},
    )
    domain = forms.CharField(
        max_length=200, required=False, help_text="For example: bookstore, task tracking."
    )
    constraints = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Anything the model must respect.",
    )


class IterationForm(forms.Form):
    prompt = _prompt_field(
        "Follow-up", 'For example: "add a health-check endpoint" or "remove the README".'
    )
