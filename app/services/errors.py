"""The one exception type services raise: its message is already translated for the user."""


class DomainError(Exception):
    status = 400  # what a screen answers with; a subclass may say otherwise

    def __init__(self, message, field=None, existing_id=None):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field
        self.existing_id = existing_id

    def as_api_message(self):
        """Shape of FAB's 422 bodies: {field: [messages]}."""
        body = {self.field or "_schema": [self.message]}
        if self.existing_id is not None:
            body["existing_id"] = self.existing_id
        return body


class RemoteError(Exception):
    """A remote service did not answer as expected (network, 5xx, bad token): worth retrying."""


class ConflictError(DomainError):
    """The write would duplicate a row that must be unique (the API answers 409)."""

    status = 409
