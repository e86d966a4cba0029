"""A pool of processes for independent pieces of work (templates: one workbook each; collect: one file each).

`jobs()` says how many processes to use, `map_in_pool()` runs the work, results in input order.
XLTASKS_JOBS=N forces N processes ("1" does everything in this process, e.g. to debug or benchmark).
"""
from __future__ import annotations

import os
from typing import Any, Callable, Iterable, Iterator, Sequence

JOBS_ENV = "XLTASKS_JOBS"
MAX_WORKERS = 8  # beyond this, opening/writing files no longer gets faster

_fn: Callable[..., Any] | None = None  # the work and its shared arguments inside a pool worker
_args: tuple = ()


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def jobs(n_items: int, *, parallel: bool, items_per_worker: int = 1) -> int:
    """Processes for `n_items` pieces of work: XLTASKS_JOBS when set (never more than the items);
    otherwise 1 unless `parallel` (the caller's size threshold is reached), then one per core, at most
    one per `items_per_worker` items and at most MAX_WORKERS."""
    wanted = os.environ.get(JOBS_ENV, "").strip()
    if wanted.isdigit() and int(wanted) > 0:
        return min(int(wanted), max(n_items, 1))
    if not parallel:
        return 1
    return max(1, min(_cores(), n_items // items_per_worker, MAX_WORKERS))


def _init(fn: Callable[..., Any], args: tuple, parent: int) -> None:
    global _fn, _args
    _fn, _args = fn, args
    die_with_parent(parent)


def die_with_parent(parent: int) -> None:
    """End this worker when the process that started it dies, even by SIGKILL (no chance to clean up its
    pool): Linux's PR_SET_PDEATHSIG where there is one, else a thread that watches the parent's pid."""
    import signal

    if _set_parent_death_signal(signal.SIGTERM):
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)
        return
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="xltasks-parent-watch", daemon=True).start()


def _set_parent_death_signal(sig: int) -> bool:
    if not __import__("sys").platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(1, int(sig), 0, 0, 0) == 0  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return False


def _run(item):
    return _fn(item, *_args)  # type: ignore[misc]


def map_in_pool(fn: Callable[..., Any], items: Sequence, workers: int, *, args: tuple = (),
                max_chunk: int | None = None) -> Iterator:
    """fn(item, *args) for each item, yielded in item order; in `workers` processes when more than one.

    `fn` must be a module-level function; `args` (e.g. a run's context) reach each worker once, not once
    per item."""
    if workers <= 1:
        for item in items:
            yield fn(item, *args)
        return
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor

    # fork is cheap and safe while this process runs no other thread; otherwise start clean workers
    method = "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() \
        else "spawn"
    chunk = max(1, len(items) // (workers * 8))
    if max_chunk is not None:
        chunk = max(1, min(max_chunk, chunk))
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method),
                             initializer=_init, initargs=(fn, args, os.getpid())) as pool:
        yield from pool.map(_run, items, chunksize=chunk)


def run_all(fn: Callable[..., Any], items: Iterable, workers: int, **kw) -> None:
    """map_in_pool for work whose results are not needed."""
    for _ in map_in_pool(fn, list(items), workers, **kw):
        pass
