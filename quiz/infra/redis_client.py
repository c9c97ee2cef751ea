"""The Redis client, built once per app from REDIS_URL with short timeouts (a cluster client for a cluster)."""
import threading
from functools import lru_cache

import redis
from flask import Flask, current_app
from redis.cluster import ClusterNode, RedisCluster
from redis.commands.core import Script
from redis.exceptions import RedisClusterException
from redis.typing import EncodableT

CLUSTER_SCHEME = "redis+cluster://"


def init_redis(app: Flask) -> None:
    app.extensions["redis"] = client_for_url(app.config["REDIS_URL"], app.config["REDIS_SOCKET_TIMEOUT"])


def client_for_url(url: str, timeout: float) -> redis.Redis:
    """A Redis client, or a Redis Cluster client when the URL is `redis+cluster://host:port[,host:port…]`."""
    options = {"socket_timeout": timeout, "socket_connect_timeout": timeout, "decode_responses": True}
    if url.startswith(CLUSTER_SCHEME):
        return LazyCluster(cluster_nodes(url), options)  # type: ignore[return-value]  # the same commands
    return redis.Redis.from_url(url, health_check_interval=30, **options)


def cluster_nodes(url: str) -> list[ClusterNode]:
    """The startup nodes named by a `redis+cluster://` URL (the scheme Flask-Limiter's storage reads too)."""
    hosts = url.removeprefix(CLUSTER_SCHEME).split("/", 1)[0].split(",")
    return [ClusterNode(host.rsplit(":", 1)[0], int(host.rsplit(":", 1)[1]) if ":" in host else 6379)
            for host in hosts if host]


class LazyCluster:
    """A RedisCluster built at first use: its constructor asks the nodes for the slot map, and the app
    factory does no I/O (nor fails when the cluster is briefly unreachable at start-up)."""

    def __init__(self, nodes: list[ClusterNode], options: dict) -> None:
        self._nodes, self._options = nodes, options
        self._client: RedisCluster | None = None
        self._lock = threading.Lock()

    def client(self) -> RedisCluster:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    try:
                        self._client = RedisCluster(startup_nodes=self._nodes, **self._options)
                    except RedisClusterException as error:  # no node answered: callers handle RedisError
                        raise redis.ConnectionError(str(error)) from error
        return self._client

    def __getattr__(self, name: str) -> object:
        return getattr(self.client(), name)


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
