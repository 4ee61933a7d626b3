"""CPU time of this machine's processes, read from ``/proc`` (Linux; same host only)."""

from __future__ import annotations

import os
import resource

_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: str) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None  # gone meanwhile, or not ours to read


def tree_cpu(root: int) -> float:
    """Return the CPU seconds used so far by process *root* and its children (a gunicorn).

    Children it has reaped count through its cutime/cstime, so a gunicorn worker recycled
    between two readings keeps its share.
    """
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        fields = _stat_fields(pid)
        if fields is None:
            continue
        if int(pid) == root:
            total += sum(int(field) for field in fields[11:15])  # utime stime cutime cstime
        elif int(fields[1]) == root:
            total += int(fields[11]) + int(fields[12])
    return total / _TICKS


def backend_cpu(database: str) -> dict[int, float]:
    """Return pid → CPU seconds used so far, for PostgreSQL's backends of *database*."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                command = cmdline.read().decode(errors="replace")
        except OSError:
            continue
        if command.startswith("postgres:") and f" {database} " in command:
            fields = _stat_fields(pid)
            if fields:
                found[int(pid)] = (int(fields[11]) + int(fields[12])) / _TICKS
    return found


def used_between(before: dict[int, float], after: dict[int, float]) -> float:
    """Return the CPU the processes used between two ``backend_cpu`` readings.

    A backend that ended in between (its client closed the connection) takes the share it
    used after the first reading with it: the figure is a lower bound then.
    """
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def children_cpu() -> float:
    """Return the CPU seconds of this process's finished, waited-for children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
