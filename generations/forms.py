from django import forms
from django.conf import settings

from generations.models import TECH_STACK_CHOICES, text_of
from generations.webhooks import address_problem


def refuse_surrogates(value: str) -> None:
    """Lone surrogates (which JSON can carry, as "\\ud800") are not text: no database stores
    them, and no page can show them."""
    if any("\ud800" <= char <= "\udfff" for char in value):
        raise forms.ValidationError(
            "This contains characters that are not valid Unicode text (lone surrogates)."
        )


class TextField(forms.CharField):
    """A CharField for text people or programs send: no NUL (Django's own check) and no
    lone surrogates."""

    default_validators = [refuse_surrogates]


def _prompt_field(label: str, help_text: str) -> forms.CharField:
    limit = settings.PROMPT_MAX_CHARS
    return TextField(
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
    title = TextField(max_length=200, help_text="A short name for the project.")
    prompt = _prompt_field("Prompt", "What should the project do?")
    tech_stack = forms.ChoiceField(
        choices=TECH_STACK_CHOICES,
        error_messages={"invalid_choice": "Unknown tech stack %(value)s; pick one from the list."},
    )
    domain = TextField(
        max_length=200, required=False, help_text="For example: bookstore, task tracking."
    )
    constraints = TextField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Anything the model must respect.",
    )


class IterationForm(forms.Form):
    prompt = _prompt_field(
        "Follow-up", 'For example: "add a health-check endpoint" or "remove the README".'
    )


class ManualEditForm(forms.Form):
    path = TextField(max_length=240, help_text="A relative path, such as app/main.py.")
    content = TextField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
    )
    upload = forms.FileField(
        required=False, help_text="Or upload a file (text, or binary such as an image)."
    )

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload is None:
            return None
        if upload.size > settings.FILE_MAX_BYTES:
            raise forms.ValidationError(
                f"The upload is {upload.size:,} bytes; one file may hold at most "
                f"{settings.FILE_MAX_BYTES:,}."
            )
        data = upload.read()
        # Text (UTF-8 without NUL) is kept as text; anything else as bytes, byte for byte.
        text = text_of(data)
        return data if text is None else text

    def edit(self) -> dict:
        """The path and the content to save: the upload's when there is one."""
        upload = self.cleaned_data.get("upload")
        # Browsers send a textarea's lines with CRLF; an upload is kept byte for byte.
        typed = self.cleaned_data["content"].replace("\r\n", "\n")
        return {
            "path": self.cleaned_data["path"].strip(),
            "content": upload if upload is not None else typed,
        }


class VersionNameForm(forms.Form):
    name = TextField(max_length=100, required=False, strip=True)
    next = TextField(max_length=2000, required=False)


class WebhookForm(forms.Form):
    """A generation's webhook: an http(s) URL that is not private (unless allowed), or
    empty to remove it."""

    url = forms.URLField(
        max_length=500, required=False, assume_scheme="https", validators=[refuse_surrogates]
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        if url and (problem := address_problem(url)):
            raise forms.ValidationError(problem)
        return url


class ImportForm(forms.Form):
    """An existing project: an archive (a folder picked in the browser arrives as one) or
    a git URL, exactly one of them."""

    title = TextField(max_length=200, required=False, help_text="Else the archive's name.")
    archive = forms.FileField(
        required=False,
        help_text="A .zip or .tar.gz of the project.",
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,.tar.gz,.tgz"}),
    )
    git_url = forms.URLField(
        required=False,
        max_length=500,
        assume_scheme="https",
        label="Git URL",
        help_text="A public repository over HTTPS, such as https://github.com/owner/name.",
        validators=[refuse_surrogates],
    )

    def clean(self):
        data = super().clean()
        given = [name for name in ("archive", "git_url") if data.get(name)]
        if len(given) != 1:
            raise forms.ValidationError(
                "Give one source: an archive, a folder, or a git URL.", code="one_source"
            )
        return data
