"""The Redis client, built once per app from REDIS_URL with short timeouts."""
from functools import lru_cache

import redis
from flask import Flask, current_app
from redis.commands.core import Script
from redis.typing import EncodableT


def init_redis(app: Flask) -> None:
    timeout = app.config["REDIS_SOCKET_TIMEOUT"]
    app.extensions["redis"] = redis.Redis.from_url(
        app.config["REDIS_URL"],
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        health_check_interval=30,
        decode_responses=True,
    )


def get_redis() -> redis.Redis:
    """The app's Redis client (it connects lazily; callers handle redis.RedisError)."""
    return current_app.extensions["redis"]


def run_script(script: str, keys: list[str], *args: EncodableT, client: redis.Redis | None = None) -> object:
    """Run a Lua script by its SHA (EVALSHA) with its keys in KEYS: the body is sent only the first time."""
    return _registered(client or get_redis(), script)(keys=keys, args=args)


def run_script_many(script: str, keys: list[str], arg_lists: list[tuple[EncodableT, ...]],
                    client: redis.Redis | None = None) -> list[object]:
    """Run a script once per argument list in one round trip (a pipeline, not a transaction): its results."""
    client = client or get_redis()
    registered = _registered(client, script)
    pipe = client.pipeline(transaction=False)
    for args in arg_lists:
        registered(keys=keys, args=args, client=pipe)
    return list(pipe.execute())


@lru_cache(maxsize=32)
def _registered(client: redis.Redis, script: str) -> Script:
    """One Script per client and body, so its SHA is computed once, not on every tally write."""
    return client.register_script(script)
