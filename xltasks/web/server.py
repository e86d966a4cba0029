"""Run the app on uvicorn inside this process (a thread), for the load test, the browser test and the bench:
the same server `xltasks serve` runs, on 127.0.0.1 and a free port."""
from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Iterator


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def background_server(app, host: str = "127.0.0.1", port: int | None = None) -> Iterator[str]:
    """Serve `app` until the block ends; yields the base URL. Forwarded headers are the app's business
    (create_app's https_proxies), never uvicorn's, exactly as `xltasks serve` runs it."""
    import uvicorn

    port = port or free_port(host)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on",
                                            proxy_headers=False))
    thread = threading.Thread(target=server.run, name="xltasks-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the server did not start on {host}:{port}")
        time.sleep(0.05)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
