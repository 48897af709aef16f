"""Form fields shared by every app, hardened against input no person types."""

from django import forms
from django.core.exceptions import ValidationError

# A 64-bit integer has at most 19 digits.
BIGINT_DIGITS = 18


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, but a number too large for the database (« 999…9 », sent by hand) is an
    invalid choice rather than an OverflowError from SQLite's driver (a server error)."""

    def _check_values(self, value):
        try:
            return super()._check_values(value)
        except OverflowError:
            too_large = next((v for v in value if len(str(v).strip().lstrip("-")) > BIGINT_DIGITS), value[0])
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": too_large}
            ) from None
