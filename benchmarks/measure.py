"""Wall time and memory of a command and all its descendants (Linux ``/proc``, no psutil).

:func:`run_measured` starts a command, samples the summed resident set size (VmRSS) of its
process tree every ``interval`` seconds, and returns the samples with wall-clock time stamps
(``time.time()``, the clock Dagster's event log uses), so a stage's peak can be read off the
samples between its start and end. The sum over a tree counts pages shared between processes
(libraries) once per process: an upper bound on the memory the tree really holds.
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # the command name (field 2) may hold spaces and parentheses: split after the last ')'
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def tree_pids(root: int) -> list[int]:
    """``root`` and every descendant process."""
    children = _children_map()
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU of the process and of its children that it has waited for."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
    except OSError:
        return 0.0
    # fields[0] is the state (field 3): utime, stime, cutime, cstime are fields 14-17
    return sum(int(f) for f in fields[11:15]) / CLOCK_TICKS


def tree_usage(root: int) -> tuple[int, float]:
    """(summed RSS in bytes, summed CPU seconds) of ``root`` and its descendants."""
    pids = tree_pids(root)
    return sum(rss_bytes(pid) for pid in pids), sum(cpu_seconds(pid) for pid in pids)


@dataclass
class Measurement:
    command: list[str]
    returncode: int
    started: float
    """time.time() at start."""
    ended: float
    samples: list[tuple[float, int, float]] = field(default_factory=list)
    """(time.time(), summed RSS of the tree in bytes, CPU seconds of the tree so far)."""
    cpu: float = 0.0
    """User + system CPU seconds of the command and every descendant (getrusage)."""
    max_rss_child: int = 0
    """Largest peak RSS of any single process of the tree (getrusage of waited children)."""

    @property
    def wall(self) -> float:
        return self.ended - self.started

    @property
    def peak_rss(self) -> int:
        """Peak summed RSS of the tree (sampled), at least the largest single process."""
        sampled = max((rss for _, rss, _ in self.samples), default=0)
        return max(sampled, self.max_rss_child)

    def peak_between(self, start: float, end: float) -> int:
        """Peak summed RSS sampled in [start, end] (the nearest sample when none fell in it)."""
        inside = [rss for t, rss, _ in self.samples if start <= t <= end]
        if inside:
            return max(inside)
        if not self.samples:
            return 0
        nearest = min(self.samples, key=lambda s: abs(s[0] - (start + end) / 2))
        return nearest[1]

    def cpu_at(self, moment: float) -> float:
        """CPU seconds of the tree at ``moment`` (the last sample at or before it)."""
        before = [cpu for t, _, cpu in self.samples if t <= moment]
        return max(before, default=0.0)

    def cpu_between(self, start: float, end: float) -> float:
        """CPU seconds the tree used in [start, end] (sample resolution)."""
        return max(self.cpu_at(end) - self.cpu_at(start), 0.0)


def run_measured(
    command: Sequence[str],
    env: Mapping[str, str] | None = None,
    log_path: Path | None = None,
    interval: float = 0.2,
    cwd: Path | None = None,
) -> Measurement:
    """Run ``command`` to completion, sampling its process tree's memory meanwhile."""
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    before = usage_before.ru_maxrss
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115
    started = time.time()
    try:
        proc = subprocess.Popen(
            list(command),
            env=dict(env) if env is not None else None,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=cwd,
        )
        samples: list[tuple[float, int, float]] = []
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                rss, cpu = tree_usage(proc.pid)
                samples.append((time.time(), rss, cpu))
                done.wait(interval)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        returncode = proc.wait()
        ended = time.time()
        done.set()
        sampler.join()
    finally:
        if log_path:
            log.close()  # type: ignore[union-attr]
    usage_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    after = usage_after.ru_maxrss
    cpu = (usage_after.ru_utime + usage_after.ru_stime) - (
        usage_before.ru_utime + usage_before.ru_stime
    )
    # ru_maxrss of children is the maximum over all waited descendants so far (KiB): only
    # meaningful when it grew during this command
    max_child = after * 1024 if after > before else 0
    return Measurement(
        list(command), returncode, started, ended, samples, max_rss_child=max_child, cpu=cpu
    )
