"""Checks of the output location before a run starts: a clear error and exit
code 2 instead of a traceback from inside the pipeline."""

from __future__ import annotations

import contextlib
import os
import random
import time
import uuid
from typing import Any

import fsspec
from khabar.transforms.inputs.fileinfo import options_for
from khabar.transforms.output import catalog
from khabar.transforms.output.parquet_files import WriteConfig
from khabar.transforms.runtime.redact import redact_url


class OutputError(ValueError):
    """The output location cannot be written as configured."""


def check_output(output: str, config: WriteConfig, storage_options: dict | None = None) -> None:
    """Fail fast when output is a file, cannot be written (no permission, a
    bucket that does not exist) or has no usable catalog.

    A probe file is written and removed under the output (and the output
    directory too when the probe made it): on object stores that is the only
    reliable test of a bucket and its permissions.
    """
    shown = redact_url(output)
    try:
        catalog.catalog_uri(output, config)
    except catalog.CatalogError as exc:
        raise OutputError(f"output {shown}: {exc}") from exc
    try:
        fs, path = fsspec.core.url_to_fs(output, **options_for(output, storage_options))
    except (ImportError, ValueError) as exc:
        raise OutputError(f"output {shown}: {exc}") from exc
    path = path.rstrip("/")
    try:
        if fs.isfile(path):
            raise OutputError(f"output {shown} is an existing file; --output names a directory")
        _probe(fs, path)
    except OutputError:
        raise
    except (OSError, ValueError) as exc:
        raise OutputError(f"output {shown} cannot be written: {redact_url(str(exc))}") from exc


PROBE_ATTEMPTS = 12


def _probe(fs: Any, path: str, attempts: int = PROBE_ATTEMPTS) -> None:
    """Write and remove a probe file under path. A directory the probe made is
    removed again only if empty (never another run's files); a run starting at
    the same moment may remove it under us, so the probe is tried again, after a
    random pause: two runs started together probe in step and could otherwise
    remove each other's directory at every attempt."""
    if not catalog.is_local_fs(fs):
        # object stores: no directories to make (and no bucket created by mistake); the write
        # fails when the bucket does not exist or may not be written
        _write_probe(fs, path)
        return
    for attempt in range(attempts):
        existed = fs.exists(path)
        try:
            fs.makedirs(path, exist_ok=True)
            _write_probe(fs, path)
        except FileNotFoundError:
            if attempt + 1 == attempts:
                raise
            time.sleep(random.uniform(0.0, 0.01 * (attempt + 1)))
            continue
        if not existed:
            with contextlib.suppress(OSError):
                fs.rmdir(path)  # the run creates it; a refused run leaves nothing
        return


def _write_probe(fs: Any, path: str) -> None:
    """Write an empty file of a name no other run uses under path, and remove it."""
    probe = f"{path}/.probe-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    with fs.open(probe, "wb") as out:
        out.write(b"")
    fs.rm(probe)
