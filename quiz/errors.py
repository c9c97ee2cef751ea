"""Domain errors: each carries the Vietnamese sentence shown to the person."""


class DomainError(Exception):
    """A rule of the contest was broken; `message` is shown to the user as is."""

    def __init__(self, message: str, field: str | None = None, problems: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        # every broken rule as (field, message), so a form can show them all at once
        self.problems = problems or [(field or "", message)]


class RegistrationError(DomainError):
    """A registration cannot be accepted (e.g. the phone is already registered)."""


class AttemptError(DomainError):
    """An attempt cannot be started, answered or submitted."""
