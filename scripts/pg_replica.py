"""Start or stop a real PostgreSQL streaming replica of the local cluster (for the test suite and benchmarks).

    python scripts/pg_replica.py start DIR [PRIMARY_URL]   # prints the replica's port
    python scripts/pg_replica.py stop DIR

`pg_basebackup -R -X stream` copies the primary (default 127.0.0.1:5432) into DIR/data as the postgres
user (PostgreSQL refuses to run as root), and the copy starts as a hot standby on a free loopback port
with its socket in DIR. No replication slot is created, so nothing is left behind on the primary.
If the primary's pg_hba.conf has no rule for replication connections from 127.0.0.1, one
(`host replication all 127.0.0.1/32 trust`, the same trust the primary already gives 127.0.0.1) is
appended and the configuration reloaded, with a printed line.
"""
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy
from sqlalchemy import text

HOT_STANDBY_LIMITS = ("max_connections", "max_worker_processes", "max_wal_senders", "max_prepared_transactions",
                      "max_locks_per_transaction")
REPLICATION_RULE = "host replication all 127.0.0.1/32 trust"


def _as_postgres(args: list[str], **kwargs) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + args, capture_output=True, text=True, timeout=300, **kwargs)


def _bindir(primary: sqlalchemy.engine.Engine) -> Path:
    with primary.connect() as conn:
        major = conn.scalar(text("SHOW server_version_num"))[:2]
    return Path(f"/usr/lib/postgresql/{major}/bin")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _allow_replication(primary: sqlalchemy.engine.Engine) -> None:
    with primary.connect() as conn:
        hba = Path(conn.scalar(text("SHOW hba_file")))
        rules = [line.split() for line in hba.read_text().splitlines() if line.strip() and not line.startswith("#")]
        if any(len(r) > 1 and r[0] == "host" and r[1] == "replication" for r in rules):
            return
        with hba.open("a") as out:
            out.write(f"\n# added by scripts/pg_replica.py: streaming replicas for the tests\n{REPLICATION_RULE}\n")
        conn.execute(text("SELECT pg_reload_conf()"))
    print(f"pg_replica: added '{REPLICATION_RULE}' to {hba} and reloaded", file=sys.stderr)


def start(directory: Path, primary_url: str) -> int:
    url = sqlalchemy.make_url(primary_url)
    primary = sqlalchemy.create_engine(url.set(drivername="postgresql+psycopg"))
    _allow_replication(primary)
    bindir, port, data = _bindir(primary), _free_port(), directory / "data"
    directory.mkdir(parents=True, exist_ok=True)
    owner = pwd.getpwnam("postgres")
    os.chown(directory, owner.pw_uid, owner.pw_gid) if os.geteuid() == 0 else None
    backup = _as_postgres([str(bindir / "pg_basebackup"), "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432),
                           "-U", url.username or "postgres", "-D", str(data), "-X", "stream", "-R",
                           "--checkpoint=fast", "--no-sync"])
    if backup.returncode:
        raise SystemExit(f"pg_basebackup failed: {backup.stderr.strip()}")
    with primary.connect() as conn:  # a hot standby needs at least the primary's limits
        limits = {name: conn.scalar(text(f"SHOW {name}")) for name in HOT_STANDBY_LIMITS}
    _write_config(data, port, directory, limits)
    started = _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(directory / "replica.log"), "-w",
                            "-t", "60", "start"])
    if started.returncode:
        raise SystemExit(f"replica did not start: {started.stderr.strip()} (see {directory / 'replica.log'})")
    _wait_streaming(port, url.username or "postgres")
    (directory / "port").write_text(str(port))
    return port


def _write_config(data: Path, port: int, directory: Path, limits: dict[str, str]) -> None:
    """Debian keeps the configuration outside the data directory: the copy gets a minimal one of its own."""
    (data / "postgresql.conf").write_text(
        f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{directory}'\n"
        "hot_standby = on\nshared_buffers = 32MB\nfsync = off\n"
        + "".join(f"{name} = {value}\n" for name, value in limits.items())
        + f"hba_file = '{data / 'pg_hba.conf'}'\nident_file = '{data / 'pg_ident.conf'}'\n")
    (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    (data / "pg_ident.conf").write_text("")
    owner = pwd.getpwnam("postgres")
    for name in ("postgresql.conf", "pg_hba.conf", "pg_ident.conf"):
        if os.geteuid() == 0:
            os.chown(data / name, owner.pw_uid, owner.pw_gid)


def _wait_streaming(port: int, user: str) -> None:
    replica = sqlalchemy.create_engine(f"postgresql+psycopg://{user}@127.0.0.1:{port}/postgres")
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            try:
                with replica.connect() as conn:
                    if conn.scalar(text("SELECT status FROM pg_stat_wal_receiver")) == "streaming":
                        return
            except sqlalchemy.exc.OperationalError:
                pass
            time.sleep(0.2)
        raise SystemExit("replica is not streaming from the primary")
    finally:
        replica.dispose()


def stop(directory: Path) -> None:
    data = directory / "data"
    if (data / "postmaster.pid").exists():
        bindir = Path(f"/usr/lib/postgresql/{(data / 'PG_VERSION').read_text().strip()}/bin")
        _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
    shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in ("start", "stop"):
        raise SystemExit(__doc__)
    if sys.argv[1] == "start":
        print(start(Path(sys.argv[2]), sys.argv[3] if len(sys.argv) == 4 else "postgresql://postgres@127.0.0.1:5432/postgres"))
    else:
        stop(Path(sys.argv[2]))
