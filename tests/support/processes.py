"""Process lifetime for tests that start real processes: nothing a test starts outlives it.

Every child is started in a session of its own (``start_new_session=True``) and registered
here. Stopping a child stops its whole tree: its session, the process groups inside it (an RQ
work horse sits in a process group of its own) and the sessions its descendants started
(``adolf simulate`` starts its workers with ``start_new_session=True``, so they are no longer
in the CLI's session). Children also get ``PR_SET_PDEATHSIG`` so that the kernel stops them
if the test process itself dies. ``reap_all`` (run at exit and by the fixtures' finalizers)
is the net under any test that forgot to stop what it started.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import signal
import subprocess
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

PR_SET_PDEATHSIG = 1
_started: list[subprocess.Popen[Any]] = []


def die_with_parent() -> None:
    """``preexec_fn``: the kernel sends SIGTERM to the child when its parent dies (Linux)."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _table() -> dict[int, tuple[int, int, int]]:
    """pid -> (ppid, pgrp, session) of every process we may read."""
    rows = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        rows[int(entry.name)] = (int(fields[1]), int(fields[2]), int(fields[3]))
    return rows


def _ours() -> set[int]:
    return {os.getpgrp(), os.getsid(0), os.getpid()}


def tree(leaders: Iterable[int]) -> tuple[set[int], set[int]]:
    """Sessions and process groups of ``leaders`` and of all their descendants, never ours."""
    table = _table()
    found = set(leaders)
    grew = True
    while grew:
        grew = False
        for pid, (ppid, pgrp, sid) in table.items():
            if pid not in found and (ppid in found or sid in found or pgrp in found):
                found.add(pid)
                grew = True
    sessions = {table[p][2] for p in found if p in table} | set(leaders)
    groups = {table[p][1] for p in found if p in table} | set(leaders)
    return sessions - _ours(), groups - _ours()


def members(sessions: set[int], groups: set[int]) -> list[int]:
    ours = _ours()
    return [pid for pid, (_, pgrp, sid) in _table().items() if (sid in sessions or pgrp in groups) and pid not in ours]


def signal_tree(sessions: set[int], groups: set[int], sig: int) -> int:
    """Send ``sig`` to every live process of ``sessions``/``groups``; how many were there."""
    hit = 0
    for pid in members(sessions, groups):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)
            hit += 1
    return hit


def stop_tree(procs: Sequence[subprocess.Popen[Any]], grace: float = 10.0, sig: int = signal.SIGTERM) -> None:
    """Ask (``sig``) then force (SIGKILL) every process under ``procs``; wait for the children."""
    sessions, groups = tree(p.pid for p in procs)
    if grace > 0:
        signal_tree(sessions, groups, sig)
        deadline = time.monotonic() + grace
        for proc in procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.05, deadline - time.monotonic()))
        # descendants started while we waited (a horse forked mid-shutdown) are in the same sessions
        more_sessions, more_groups = tree(p.pid for p in procs if p.poll() is None)
        sessions |= more_sessions
        groups |= more_groups
        while time.monotonic() < deadline and signal_tree(sessions, groups, 0):
            time.sleep(0.1)
    for _ in range(3):
        if not signal_tree(sessions, groups, signal.SIGKILL):
            break
        time.sleep(0.1)
    for proc in procs:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
        if proc in _started:
            _started.remove(proc)


def spawn(args: Sequence[str], **kwargs: Any) -> subprocess.Popen[Any]:
    """``Popen`` in a session of its own, registered for ``reap_all``."""
    proc: subprocess.Popen[Any] = subprocess.Popen(
        list(args), start_new_session=True, preexec_fn=die_with_parent, **kwargs
    )
    _started.append(proc)
    return proc


def run(args: Sequence[str], timeout: float, grace: float = 10.0, **kwargs: Any) -> subprocess.CompletedProcess[Any]:
    """``subprocess.run`` whose timeout (or any interruption, pytest-timeout's included) first
    interrupts the child (SIGINT: its own cleanup runs) and then kills its whole tree."""
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    proc = spawn(args, **kwargs)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop_tree([proc], grace=grace, sig=signal.SIGINT)
        out, err = proc.communicate()
        raise subprocess.TimeoutExpired(proc.args, timeout, out, err) from None
    except BaseException:
        stop_tree([proc], grace=grace, sig=signal.SIGINT)
        raise
    stop_tree([proc], grace=0)  # the child is done; anything it left behind is not
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def reap_all(grace: float = 5.0) -> None:
    if _started:
        stop_tree(list(_started), grace=grace)


atexit.register(reap_all, 2.0)
