"""Normalising and validating identifiers: phone numbers, licence numbers."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalise_phone(value, *, field: str) -> str:
    """A Chinese mobile or fixed-line number as digits (mobile: 11 digits); '' stays ''."""
    text = str(value or "").strip()
    if text.endswith(".0"):  # spreadsheets hand phone numbers back as floats
        text = text[:-2]
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError({field: _("“%(value)s” is not a phone number.") % {
            "value": text}}) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError({field: _("“%(value)s” is not a valid phone number.") % {
            "value": text}})
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    digits = "".join(ch for ch in national if ch.isdigit())
    if number.country_code != 86:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return digits


def normalise_licence(value) -> str:
    return "".join(str(value or "").split()).upper()
