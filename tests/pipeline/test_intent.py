import pytest

from orchestrator.intent import detect_intent

LABELLED = [
    ("add a health-check endpoint", "add"),
    ("Add pagination to the list endpoint", "add"),
    ("create a Dockerfile", "add"),
    ("implement JWT authentication", "add"),
    ("introduce a caching layer", "add"),
    ("write unit tests for the models", "add"),
    ("include a LICENSE file", "add"),
    ("set up GitHub Actions CI", "add"),
    ("support CSV export", "add"),
    ("enable CORS for the frontend", "add"),
    ("generate OpenAPI docs", "add"),
    ("build a login page", "add"),
    ("insert a footer on every page", "add"),
    ("make a new settings page", "add"),
    ("I need a new /metrics endpoint", "add"),
    ("integrate Stripe payments", "add"),
    ("remove the README", "remove"),
    ("delete the tests folder", "remove"),
    ("drop the legacy admin page", "remove"),
    ("get rid of the unused helpers", "remove"),
    ("eliminate the debug logging", "remove"),
    ("strip out the analytics code", "remove"),
    ("take out the dark mode toggle", "remove"),
    ("Please remove the health-check endpoint", "remove"),
    ("disable the signup form", "remove"),
    ("purge old migrations", "remove"),
    ("rename Order to Purchase", "rename"),
    ("Rename app.py to main.py", "rename"),
    ("move utils.py to lib/utils.py", "rename"),
    ("relocate the templates into src/templates", "rename"),
    ("change the title to Shop", "modify"),
    ("update the dependencies", "modify"),
    ("refactor the database layer", "modify"),
    ("fix the off-by-one in pagination", "modify"),
    ("improve error messages", "modify"),
    ("replace print with logging", "modify"),
    ("rewrite the README in plain English", "modify"),
    ("convert the config to YAML", "modify"),
    ("make the API faster", "modify"),
    ("switch from SQLite to PostgreSQL", "modify"),
    ("use async views", "modify"),
    ("the tests are flaky", "modify"),
    ("optimize the search query", "modify"),
    ("move fast", "modify"),
]


@pytest.mark.parametrize(("prompt", "kind"), LABELLED)
def test_intent_of_labelled_prompt(prompt, kind):
    assert detect_intent(prompt).kind == kind


def test_no_action_verb_falls_back_to_modify_and_says_so():
    intent = detect_intent("hmm")
    assert (intent.kind, intent.verb) == ("modify", None)
