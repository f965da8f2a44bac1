"""The one exception an action raises when it will not do what was asked."""


class ActionRefused(Exception):
    """The request cannot be carried out; the message says why, for the user."""


class LimitExceeded(ActionRefused):
    """What was sent is larger than a limit allows; `limit` names the setting."""

    def __init__(self, message: str, *, limit: str, limit_bytes: int) -> None:
        super().__init__(message)
        self.limit = limit
        self.limit_bytes = limit_bytes


class InvalidInput(ActionRefused):
    """What was sent breaks a rule of its own (a path the path policy refuses, a limit of
    a version's files), whatever the state: the API answers 422, not 409."""
