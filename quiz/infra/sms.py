"""Sending an SMS: one small interface, and the adapter for an HTTP gateway configured by the organizer.

HTTP gateway protocol (what `HttpSmsGateway` sends, and what scripts/fake_sms_gateway.py accepts):
    POST <SMS_GATEWAY_URL>
    Authorization: Bearer <SMS_GATEWAY_TOKEN>      (omitted when the token is empty)
    Content-Type: application/json
    {"to": "+84912345678", "text": "...", "sender": "<SMS_SENDER_ID>"}
Any 2xx answer means the gateway accepted the message; anything else, or no answer within
SMS_GATEWAY_TIMEOUT seconds, is a failure (SmsNotSent). Most Vietnamese brandname-SMS providers
offer such a JSON endpoint; a thin proxy adapts another provider's format.
"""
import json
import logging
import urllib.error
import urllib.request
from typing import Protocol

log = logging.getLogger(__name__)


class SmsNotSent(Exception):
    """The gateway did not accept the message."""


class SmsSender(Protocol):
    """Anything that can send one text message to one phone (E.164, e.g. +84912345678)."""

    def send(self, to: str, text: str) -> None: ...


class HttpSmsGateway:
    """The HTTP gateway adapter (see the module docstring for the protocol)."""

    def __init__(self, url: str, token: str, timeout: float, sender_id: str) -> None:
        self.url, self.token, self.timeout, self.sender_id = url, token, timeout, sender_id

    def send(self, to: str, text: str) -> None:
        body = json.dumps({"to": to, "text": text, "sender": self.sender_id}).encode()
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                if not 200 <= response.status < 300:
                    raise SmsNotSent(f"gateway answered {response.status}")
        except (urllib.error.URLError, OSError, ValueError) as error:
            log.warning("sms: gateway failed (%s)", error.__class__.__name__)
            raise SmsNotSent(str(error)) from error


def sender_from_settings(url: str, token: str, timeout: float, sender_id: str) -> SmsSender | None:
    """The configured sender, or None when no gateway is configured (codes by SMS are then off)."""
    return HttpSmsGateway(url, token, timeout, sender_id) if url else None


def international(phone: str) -> str:
    """0912345678 → +84912345678 (the stored canonical form is the national one)."""
    return "+84" + phone[1:] if phone.startswith("0") else phone
