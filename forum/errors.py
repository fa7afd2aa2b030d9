"""Domain errors: raised by services and importers, translated to messages and status codes by views and the CLI."""


class ForumError(Exception):
    """Base of every error the forum raises on purpose; its message is safe to show a user."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(ForumError):
    """The thing does not exist, or the person may not know it exists."""

    status = 404


class PermissionDenied(ForumError):
    """The person may see the thing but not do this to it."""

    status = 403


class ValidationError(ForumError):
    """Input was wrong; `errors` maps field names to messages."""

    status = 400

    def __init__(self, message: str, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.errors = errors or {}


class TranscriptError(ForumError):
    """A transcript could not be read; the message names the problem and where it is."""

    status = 400
