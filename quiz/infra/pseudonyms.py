"""Keyed hashes (HMAC-SHA256) that stand in for a phone, a network or a device cookie.

The key is its own setting, ALLOWANCE_HMAC_KEY, not SECRET_KEY: rotating the session secret must not
reset every phone's allowance. Bound to the app once (like `db`), so domain code asks for a pseudonym
without reading the configuration itself.
"""
import hashlib
import hmac
import ipaddress
from dataclasses import dataclass

from flask import Flask, current_app

EXTENSION = "pseudonyms"


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = str(app.config["ALLOWANCE_HMAC_KEY"]).encode()


def _key() -> bytes:
    return current_app.extensions[EXTENSION]


def keyed_hash(value: str, key: bytes | None = None) -> str:
    """The HMAC-SHA256 of the value in hex (64 characters)."""
    return hmac.new(key if key is not None else _key(), value.encode(), hashlib.sha256).hexdigest()


def phone_key(phone: str) -> str:
    """A phone's pseudonym (the canonical number, e.g. 0912345678): for allowances and one-time codes."""
    return keyed_hash(phone)


def code_hash(code_id: int, code: str) -> str:
    """A one-time code's stored form, bound to its row so that two equal codes hash differently."""
    return keyed_hash(f"code:{code_id}:{code}")


def network_key(address: str) -> str:
    """The /24 (IPv4) or /64 (IPv6) network of an address, hashed: carriers and halls share addresses."""
    try:
        ip = ipaddress.ip_address(address)
        prefix = 24 if ip.version == 4 else 64
        network = str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
    except ValueError:
        network = "unknown"
    return keyed_hash("net:" + network)[:24]


@dataclass(frozen=True)
class ClientKeys:
    """Keyed hashes of where a request came from (network, device cookie), for the integrity flags."""

    net_key: str
    device_key: str


def device_key(cookie_value: str) -> str:
    return keyed_hash("device:" + cookie_value)[:24]


def ip_key(address: str) -> str:
    return keyed_hash("ip:" + address)
