"""A wall-clock budget for one call, enforced by running it in a child process.

Python cannot stop a thread that is stuck in a regular expression or a
parser, and a Beam worker runs DoFns outside the main thread, where signal
alarms do not fire. So the work runs in a child process, which is killed when
the budget runs out; the next call starts a fresh one. The child is started
once and reused, and its start-up (imports) is not counted in any budget.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

LOG = logging.getLogger(__name__)


class BudgetExceeded(Exception):
    """The call did not finish within its budget; the child was killed."""


class ChildFailed(Exception):
    """The call raised in the child, or the child died (its message says how)."""


def _serve(conn: Connection, fn: Callable[..., Any]) -> None:
    conn.send(("ready", None))
    while True:
        try:
            args = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", fn(*args)))
        except Exception as exc:
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


class Sandbox:
    """Calls ``fn(*args)`` in a child process with a budget of ``seconds``.

    fn must be importable (a module-level function): children are spawned,
    not forked, because forking a multi-threaded Beam worker can deadlock.
    Where no child process can be started (a daemonic worker process, as
    Dask's are), calls run inline without the budget, and that is logged once.
    """

    def __init__(self, fn: Callable[..., Any], seconds: float) -> None:
        self._fn, self._seconds = fn, seconds
        self._process: Any = None
        self._conn: Connection | None = None
        self._inline = False

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(target=_serve, args=(child, self._fn), daemon=True)
        try:
            process.start()
        except (AssertionError, OSError) as exc:  # "daemonic processes are not allowed to have children"
            LOG.warning("no child process for time budgets (%s): running without them", exc)
            self._inline = True
            return
        child.close()
        if not parent.poll(120) or parent.recv()[0] != "ready":
            process.kill()
            raise ChildFailed("the budget process did not start")
        self._process, self._conn = process, parent

    def __call__(self, *args: Any) -> Any:
        if self._inline:
            return self._fn(*args)
        if self._process is None or not self._process.is_alive():
            self._start()
            if self._inline:
                return self._fn(*args)
        assert self._conn is not None
        self._conn.send(args)
        if not self._conn.poll(self._seconds):
            self._kill()
            raise BudgetExceeded(f"no result within {self._seconds:g} s")
        try:
            status, value = self._conn.recv()
        except EOFError as exc:
            self._kill()
            raise ChildFailed("the worker process died (crash or out of memory)") from exc
        if status == "error":
            raise ChildFailed(value)
        return value

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join()
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = None

    def close(self) -> None:
        self._kill()
