"""The organizer's contact shown in every page's footer (from the configuration)."""
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class OrganizerContact:
    name: str
    hotline: str
    hours: str
    email: str
    address: str


def organizer_contact(config: Mapping) -> OrganizerContact:
    return OrganizerContact(name=config["ORGANIZER_NAME"], hotline=config["ORGANIZER_HOTLINE"],
                            hours=config["ORGANIZER_HOURS"], email=config["ORGANIZER_EMAIL"],
                            address=config["ORGANIZER_ADDRESS"])
