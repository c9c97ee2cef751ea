"""Start or stop a real 3-master Redis Cluster on free loopback ports (for the test suite and benchmarks).

    python scripts/redis_cluster.py start DIR   # prints redis+cluster://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3
    python scripts/redis_cluster.py stop DIR    # stops the nodes this script started in DIR, removes DIR

Each node is `redis-server --cluster-enabled yes` (no persistence) on a port whose cluster-bus port
(+10000) is free too; `redis-cli --cluster create … --cluster-yes` assigns the slots.
"""
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

NODES = 3


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(count: int) -> list[int]:
    """Ports the kernel hands out as free whose cluster-bus port (+10000) is free as well."""
    ports: list[int] = []
    while len(ports) < count:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port + 10000 < 65536 and port not in ports and _free(port + 10000):
            ports.append(port)
    return ports


def _cli(port: int, *args: str) -> str:
    return subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(port), *args], capture_output=True,
                          text=True, timeout=10).stdout.strip()


def start(directory: Path) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    ports = free_ports(NODES)
    for port in ports:
        node = directory / str(port)
        node.mkdir()
        subprocess.run(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
                        "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000", "--save", "",
                        "--appendonly", "no", "--daemonize", "yes", "--dir", str(node),
                        "--pidfile", str(node / "redis.pid"), "--logfile", str(node / "redis.log")], check=True)
    for port in ports:
        _wait(lambda p=port: _cli(p, "ping") == "PONG", f"node {port} did not answer")
    subprocess.run(["redis-cli", "--cluster", "create", *[f"127.0.0.1:{p}" for p in ports],
                    "--cluster-replicas", "0", "--cluster-yes"], check=True, capture_output=True, timeout=60)
    for port in ports:
        _wait(lambda p=port: "cluster_state:ok" in _cli(p, "cluster", "info"), f"node {port}: cluster not ok")
    url = "redis+cluster://" + ",".join(f"127.0.0.1:{p}" for p in ports)
    (directory / "url").write_text(url)
    return url


def _wait(ready, message: str, seconds: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise SystemExit(message)
        time.sleep(0.1)


def stop(directory: Path) -> None:
    for pidfile in directory.glob("*/redis.pid"):
        port = int(pidfile.parent.name)
        _cli(port, "shutdown", "nosave")
    for pidfile in directory.glob("*/redis.pid"):
        _wait(lambda f=pidfile: not f.exists(), f"{pidfile} still there", 10)
    shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("start", "stop"):
        raise SystemExit(__doc__)
    if sys.argv[1] == "start":
        print(start(Path(sys.argv[2])))
    else:
        stop(Path(sys.argv[2]))
