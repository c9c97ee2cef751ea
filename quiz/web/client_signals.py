"""Where a request comes from, as keyed hashes: the client's network and a first-party device cookie.

Used only for integrity flags (many registrations or attempts from one network or device in a short
time). The cookie is a random token, nothing else about the device is read (no fingerprinting).
"""
import secrets

from flask import Flask, Response, current_app, g, request

from quiz.infra.pseudonyms import ClientKeys, device_key, network_key

DEVICE_COOKIE_DAYS = 400


def init_app(app: Flask) -> None:
    app.after_request(_set_device_cookie)


def client_keys() -> ClientKeys:
    """The request's network and device as pseudonyms (a device seen for the first time gets its cookie)."""
    return ClientKeys(network_key(request.remote_addr or ""), device_key(_device_token()))


def _device_token() -> str:
    token = request.cookies.get(current_app.config["DEVICE_COOKIE_NAME"], "")
    if 20 <= len(token) <= 64 and token.isalnum():
        return token
    if "new_device_token" not in g:
        g.new_device_token = secrets.token_hex(16)
    return g.new_device_token


def _set_device_cookie(response: Response) -> Response:
    token = g.pop("new_device_token", None)
    if token:
        response.set_cookie(current_app.config["DEVICE_COOKIE_NAME"], token, max_age=DEVICE_COOKIE_DAYS * 86400,
                            httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response
