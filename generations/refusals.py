"""The one exception an action raises when it will not do what was asked."""


class ActionRefused(Exception):
    """The request cannot be carried out; the message says why, for the user."""
