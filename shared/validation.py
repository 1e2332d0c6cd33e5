"""The one exception a service raises when a person's input is not acceptable."""


class ValidationError(ValueError):
    """A field-level problem, with a message a clerk can read."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
