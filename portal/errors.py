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
