"""A column type for credentials given back to third parties: sealed on write, opened on read
(app.services.secrets_box). Reads give None when no configured key opens the value."""
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from app.services.secrets_box import seal, unseal


class Sealed(TypeDecorator):
    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else seal(value)

    def process_result_value(self, value, dialect):
        return None if value is None else unseal(value)
