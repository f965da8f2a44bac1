"""Why a run stops. Every message here is shown to the user, so it says what to do."""


class PipelineError(Exception):
    """The run cannot produce a version; the message is for the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnsafePath(PipelineError):
    """The model named a path that could escape the project or is not a plain relative path."""


class EditFailed(PipelineError):
    """A proposed change cannot be applied exactly as the model described it."""


class ModelAnswerInvalid(PipelineError):
    """The model's answer is not in the format the pipeline asked for."""


class Cancelled(Exception):
    """The user asked to stop; nothing from this run is saved."""


class ModelUnavailable(PipelineError):
    """A failure worth retrying: rate limits, server errors, dropped or stalled connections."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(f"The model is unavailable: {reason}.")
        self.reason = reason
        self.retry_after = retry_after


class ModelRejected(PipelineError):
    """A failure retrying cannot fix: a refused key, an unknown model, a malformed request."""
