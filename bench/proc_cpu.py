"""CPU time of processes read from /proc (utime + stime), to name the resource a load step saturates."""
import os
import subprocess
from dataclasses import dataclass, field

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """CPU seconds a live process has used (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14, 15 of stat)


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICK, sum(values) / TICK


@dataclass
class CpuSample:
    """CPU seconds per group of processes at one moment (each pid remembered, so exits and newcomers count)."""

    by_pid: dict[str, dict[int, float]] = field(default_factory=dict)
    machine: tuple[float, float] = (0.0, 0.0)


def sample(groups: dict[str, list[int]], driver_seconds: float) -> CpuSample:
    taken = CpuSample({name: {pid: cpu_seconds(pid) for pid in pids} for name, pids in groups.items()},
                      machine_busy_seconds())
    taken.by_pid["driver"] = {0: driver_seconds}
    return taken


def used(before: CpuSample, after: CpuSample) -> dict[str, float]:
    """CPU seconds each group used between two samples (a process new since `before` counts from zero)."""
    spent = {}
    for name, pids in after.by_pid.items():
        earlier = before.by_pid.get(name, {})
        spent[name] = sum(max(0.0, seconds - earlier.get(pid, 0.0)) for pid, seconds in pids.items())
    spent["machine"] = after.machine[0] - before.machine[0]
    return spent
