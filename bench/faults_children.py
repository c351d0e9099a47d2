"""Child processes of the fault suite: each in a session of its own, all killed on every exit.

``Children.spawn`` starts a process with ``start_new_session=True`` and remembers it.
``kill`` SIGKILLs its whole session — the process group of the worker, its pool children,
and an RQ work horse (which RQ moves to a process group of its own inside the same session).
``kill_all`` runs from ``atexit``, from SIGTERM/SIGINT/SIGHUP handlers and from the
suite's ``finally``; a watchdog thread calls it (and exits) once the global deadline passes.
On a signal or the watchdog, the ``at_exit`` cleanups (dropping the throw-away database)
run too.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def _session_of_each() -> dict[int, tuple[int, int]]:
    """pid -> (pgrp, session) of every process we can read."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                found[int(entry.name)] = (int(fields[2]), int(fields[3]))
    return found


def session_pids(leader: int) -> list[int]:
    """Every live process of the session (and process group) ``leader`` started."""
    return [pid for pid, (pgrp, sid) in _session_of_each().items() if leader in (pgrp, sid)]


class Children:
    def __init__(self) -> None:
        self._procs: list[subprocess.Popen[Any]] = []
        self._lock = threading.Lock()
        self._installed = False
        self._cleanups: list[Callable[[], None]] = []

    def install(self, deadline: float) -> None:
        """atexit, signal handlers and a watchdog that ends the run at ``deadline`` (monotonic)."""
        if self._installed:
            return
        self._installed = True
        atexit.register(self.kill_all)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._on_signal)
        threading.Thread(target=self._watchdog, args=(deadline,), daemon=True, name="faults-watchdog").start()

    def at_exit(self, cleanup: Callable[[], None]) -> None:
        """Also run ``cleanup`` (after every child is dead) when a signal or the watchdog ends
        the run, where ``finally`` and ``atexit`` do not run."""
        self._cleanups.append(cleanup)

    def _last_rites(self) -> None:
        self.kill_all()
        for cleanup in self._cleanups:
            with contextlib.suppress(Exception):
                cleanup()

    def _on_signal(self, signum: int, _frame: Any) -> None:
        self._last_rites()
        print(f"\nfault suite: stopped by signal {signum}; every child killed", file=sys.stderr)
        os._exit(128 + signum)

    def _watchdog(self, deadline: float) -> None:
        while time.monotonic() < deadline + 60:  # the scenarios check the deadline; this is the net
            time.sleep(1)
        self._last_rites()
        print("\nfault suite: global deadline passed by 60 s; every child killed", file=sys.stderr)
        sys.stderr.flush()
        os._exit(3)

    def spawn(
        self, args: Sequence[str], *, env: dict[str, str], log: Path, cwd: Path | None = None
    ) -> subprocess.Popen[Any]:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as out:
            proc = subprocess.Popen(
                list(args),
                env=env,
                cwd=cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        with self._lock:
            self._procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen[Any], sig: int = signal.SIGKILL, wait: float = 10.0) -> None:
        """``sig`` to the whole session of ``proc`` (its group, pool children, a work horse)."""
        for _ in range(3):
            pids = session_pids(proc.pid)
            if not pids:
                break
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, sig)
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, sig)
            if sig != signal.SIGKILL:
                break
            time.sleep(0.05)
        if sig == signal.SIGKILL:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=wait)
            with self._lock:
                if proc in self._procs:
                    self._procs.remove(proc)

    def stop(self, proc: subprocess.Popen[Any], grace: float = 10.0) -> None:
        """SIGTERM the session, ``grace`` seconds, then SIGKILL whatever is left."""
        self.kill(proc, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
        self.kill(proc, signal.SIGKILL)

    def kill_all(self) -> None:
        with self._lock:
            procs = list(self._procs)
        for proc in procs:
            self.kill(proc, signal.SIGKILL, wait=5)


CHILDREN = Children()
