"""Vietnamese mobile numbers: one canonical form, and masking for staff."""
from functools import lru_cache

import phonenumbers


class InvalidPhone(ValueError):
    """The text is not a Vietnamese mobile number."""


@lru_cache(maxsize=4096)  # a registration parses the same number 4 times (form, rate limit, rules, row)
def normalise_phone(raw: str) -> str:
    """Parse '0912 345 678', '+84.912.345.678' … and return the national form '0912345678'."""
    text = (raw or "").strip()
    if not text or len(text) > 25:
        raise InvalidPhone(raw)
    try:
        number = phonenumbers.parse(text, "VN")
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(raw) from exc
    if number.country_code != 84 or not phonenumbers.is_valid_number(number):
        raise InvalidPhone(raw)
    if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
        raise InvalidPhone(raw)
    return "0" + str(number.national_number)


def mask_phone(phone: str | None) -> str:
    """'0912345678' → '09•••••678': enough for staff to recognise, not to call."""
    if not phone:
        return ""
    return phone[:2] + "•" * (len(phone) - 5) + phone[-3:]
