"""The one error type services raise when a business rule refuses an action."""


class ApplicationError(Exception):
    """A business rule refused the action. `fields` maps a field to its messages."""

    status_code = 400

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        fields: dict | None = None,
        status_code: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or {}
        if status_code is not None:
            self.status_code = status_code


def refuse(
    message: str, code: str, field: str | None = None, status: int = 400
) -> ApplicationError:
    """A business rule refused the action; `field` names the input it concerns."""
    return ApplicationError(
        message, code=code, fields={field: [message]} if field else None, status_code=status
    )
