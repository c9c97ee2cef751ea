"""The benchmarks' HTTP client: aiohttp sessions playing phones (a cookie jar each, one kept-alive connection).

Why aiohttp rather than httpx: the driver shares the 2 cores with the servers it measures, and measured here
(2026-12-01, 600 GETs of a "hello" through gunicorn) httpx's AsyncClient cost 3.1–3.5 ms of CPU a request
against aiohttp's 0.66–0.73 ms; with 28 requests a citizen, httpx alone took a third of the machine.
"""
import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, replace

import aiohttp

ERRORS = (aiohttp.ClientError, asyncio.TimeoutError)  # what a request can raise instead of answering
# The server closed the kept-alive connection as the request went out (its idle timeout ran out meanwhile).
CLOSED_WHILE_IDLE = (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    text: str
    resent: bool = False  # sent again on a new connection, see Phone._send


class Phone:
    """One citizen's browser: its own cookies and connection, redirects not followed (the flows read them)."""

    def __init__(self, base: str, timeout: float = 60, verify: bool = True, headers: dict | None = None,
                 cookies: dict | None = None) -> None:
        self.base = base.rstrip("/")
        self._session = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # unsafe: accept cookies from an IP address (127.0.0.1)
            connector=aiohttp.TCPConnector(ssl=None if verify else False, limit=1),
            timeout=aiohttp.ClientTimeout(total=timeout), headers=headers, cookies=cookies)
        self._answered = False  # the connection has carried a request: a failure now may be its idle close

    async def __aenter__(self) -> "Phone":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._session.close()

    async def get(self, path: str) -> Reply:
        return await self._send("GET", path)

    async def post(self, path: str, data: dict | None = None, json: dict | None = None,
                   headers: dict | None = None) -> Reply:
        return await self._send("POST", path, data=data, json=json, headers=headers)

    async def _send(self, method: str, path: str, **options: object) -> Reply:
        """One request; resent once on a new connection when the kept-alive one was closed by the server as
        it went out, as Chromium and Firefox do for a reused connection that got no answer (counted: `resent`)."""
        url = path if path.startswith("http") else self.base + path
        try:
            return await self._once(method, url, options)
        except CLOSED_WHILE_IDLE:
            if not self._answered:  # a fresh connection that failed: a real error
                raise
        return replace(await self._once(method, url, options), resent=True)

    async def _once(self, method: str, url: str, options: dict) -> Reply:
        async with self._session.request(method, url, allow_redirects=False, **options) as response:  # type: ignore[arg-type]
            reply = Reply(response.status, response.headers, await response.text())
        self._answered = True
        return reply
