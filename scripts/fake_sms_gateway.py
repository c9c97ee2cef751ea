#!/usr/bin/env python3
"""A local fake SMS gateway for development and tests: it speaks the protocol of quiz.sms.HttpSmsGateway.

    python scripts/fake_sms_gateway.py [--port 0] [--token TOKEN]

Binds 127.0.0.1 only (port 0: a free port) and prints "fake SMS gateway on http://127.0.0.1:PORT" first.
POST /send {"to", "text", "sender"} (Bearer TOKEN when --token is given) stores the message and answers 202;
GET /messages lists every stored message as JSON; POST /fail-next makes the next send answer 503.
Then set SMS_GATEWAY_URL=http://127.0.0.1:PORT/send (and SMS_GATEWAY_TOKEN) for the app.
"""
import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 10_000


class Gateway(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, token: str) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.token, self.messages, self.fail_next, self.lock = token, [], False, threading.Lock()


class Handler(BaseHTTPRequestHandler):
    server: Gateway

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        if self.path == "/fail-next":
            self.server.fail_next = True
            return self._answer(200, {"ok": True})
        if self.path != "/send":
            return self._answer(404, {"error": "not found"})
        if self.server.token and self.headers.get("Authorization") != f"Bearer {self.server.token}":
            return self._answer(401, {"error": "bad token"})
        length = int(self.headers.get("Content-Length") or 0)
        try:
            message = json.loads(self.rfile.read(min(length, MAX_BODY)))
            record = {"to": str(message["to"]), "text": str(message["text"]), "sender": str(message.get("sender", ""))}
        except (ValueError, KeyError, TypeError):
            return self._answer(400, {"error": "bad message"})
        with self.server.lock:
            if self.server.fail_next:
                self.server.fail_next = False
                return self._answer(503, {"error": "unavailable"})
            self.server.messages.append(record)
        return self._answer(202, {"id": len(self.server.messages)})

    def do_GET(self) -> None:  # noqa: N802
        if self.path != "/messages":
            return self._answer(404, {"error": "not found"})
        with self.server.lock:
            return self._answer(200, list(self.server.messages))

    def _answer(self, status: int, body: object) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
        return  # quiet: tests read messages through GET /messages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default="")
    args = parser.parse_args()
    server = Gateway(args.port, args.token)
    print(f"fake SMS gateway on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
