import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import env_bool, env_float, env_int, env_url


@pytest.mark.parametrize(
    ("raw", "value"), [("true", True), ("FALSE", False), ("1", True), ("off", False), ("", True)]
)
def test_booleans_accept_the_usual_words(monkeypatch, raw, value):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", True) is value


@pytest.mark.parametrize("raw", ["ture", "2", "enabled"])
def test_anything_else_is_not_a_boolean(monkeypatch, raw):
    monkeypatch.setenv("FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG", False)


def test_integers_are_strict_and_bounded(monkeypatch):
    monkeypatch.setenv("N", "12")
    assert env_int("N", 1) == 12
    monkeypatch.setenv("N", "12.5")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("N", 1)
    monkeypatch.setenv("N", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("N", 5, minimum=1)


def test_floats_and_urls_are_checked(monkeypatch):
    monkeypatch.setenv("DELAY", "abc")
    with pytest.raises(ImproperlyConfigured):
        env_float("DELAY", 0.1)
    monkeypatch.setenv("DATABASE_URL", "mysql://x")
    with pytest.raises(ImproperlyConfigured, match="sqlite, postgres"):
        env_url("DATABASE_URL", ("sqlite", "postgres"))


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_provider_follows_the_settings(settings):
    from generations.model_settings import get_provider
    from orchestrator.providers.demo import DemoProvider
    from orchestrator.providers.gemini import GeminiProvider
    from orchestrator.providers.openai_compatible import OpenAICompatibleProvider

    settings.MODEL_PROVIDER = "demo"
    assert isinstance(get_provider(), DemoProvider)
    settings.MODEL_PROVIDER, settings.GEMINI_API_KEY = "gemini", "key"
    provider = get_provider()
    assert isinstance(provider, GeminiProvider)
    assert provider.label == "Gemini (gemini-2.5-flash)"
    settings.MODEL_PROVIDER, settings.OPENAI_BASE_URL, settings.OPENAI_MODEL = (
        "openai",
        "http://127.0.0.1:11434/v1",
        "llama3",
    )
    assert isinstance(get_provider(), OpenAICompatibleProvider)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MODEL_PROVIDER": "gemini"}, "needs GEMINI_API_KEY"),
        ({"MODEL_PROVIDER": "openai"}, "needs OPENAI_BASE_URL and OPENAI_MODEL"),
        ({"MODEL_PROVIDER": "claude"}, "use demo, gemini or openai"),
    ],
)
def test_an_incomplete_provider_setting_refuses_to_start(env, message):
    import os
    import subprocess
    import sys

    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("GEMINI", "GOOGLE", "OPENAI"))
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
    )
    assert message in result.stderr


def test_the_production_profile_passes_check_deploy():
    import os
    import secrets
    import subprocess
    import sys

    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "iterum.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
