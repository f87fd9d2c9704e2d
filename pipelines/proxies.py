"""Local runners' gRPC traffic kept off HTTP proxies."""

from __future__ import annotations

import os


def keep_local_traffic_off_proxies() -> None:
    """Beam's local runners talk gRPC to worker processes on localhost, and gRPC
    honours http_proxy: behind a proxy (or an offline one) multi_processing
    would hang. Local addresses never need a proxy."""
    if not any(os.environ.get(k) for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")):
        return
    for key in ("no_proxy", "NO_PROXY"):
        entries = [e for e in os.environ.get(key, "").split(",") if e]
        for local in ("localhost", "127.0.0.1", "::1"):
            if local not in entries:
                entries.append(local)
        os.environ[key] = ",".join(entries)
