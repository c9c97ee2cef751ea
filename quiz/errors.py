"""Domain errors: each carries the Vietnamese sentence shown to the person, and its kind decides the HTTP status.

Views catch these by type (never by comparing the message); `NotFound` and `NotVisible` become 404
through one error handler (quiz/web/hooks.py), so another commune's data looks exactly like none.
"""


class DomainError(Exception):
    """A rule of the contest was broken; `message` is shown to the user as is."""

    status = 409

    def __init__(self, message: str, field: str | None = None, problems: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        # every broken rule as (field, message), so a form can show them all at once
        self.problems = problems or [(field or "", message)]


class ValidationError(DomainError):
    """What was typed cannot be accepted; `field` names the form field to show it beside."""

    status = 400


class RegistrationError(ValidationError):
    """A registration or a correction of personal details cannot be accepted."""


class AttemptError(DomainError):
    """An attempt cannot be started, answered or submitted."""


class AccountRemoved(DomainError):
    """The citizen's account was deleted at their request (anonymised): nothing can be done to it."""


class NotFound(DomainError):
    """The thing asked for does not exist for this person (or is not theirs)."""

    status = 404


class AttemptNotFound(NotFound, AttemptError):
    """No such attempt of this citizen (another citizen's attempt looks the same)."""


class NotVisible(NotFound):
    """A staff member asked about a commune, or a citizen of a commune, outside their scope."""

    def __init__(self, message: str = "Không tìm thấy.", field: str | None = None):
        super().__init__(message, field)


class CertificateError(DomainError):
    """A certificate cannot be issued, revoked or reissued."""
