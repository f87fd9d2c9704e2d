"""Planning an incremental batch: roll back an interrupted one, then select the input files the output's manifest does not have."""

from __future__ import annotations

import dataclasses
import logging
import sys

from khabar.pipelines.config import PipelineConfig

LOG = logging.getLogger("khabar")


def plan_batch(config: PipelineConfig, max_files: int | None) -> PipelineConfig | None:
    """An incremental batch: roll back a batch killed mid-commit, then select
    the files the manifest does not have. None when there is nothing new."""
    from khabar.transforms.inputs.manifest import list_files, load_manifest, select_files
    from khabar.transforms.output.commit import recover
    from khabar.transforms.runtime.redact import redact_url

    removed = recover(config.output, clean_temporary=True)
    if removed:
        LOG.warning("rolled back %d files of an interrupted batch", len(removed))
    options = config.read.storage_options
    try:
        listed = list_files(config.inputs, options)
    except (OSError, ValueError, ImportError) as exc:
        print(f"khabar: error: cannot list inputs: {redact_url(str(exc))}", file=sys.stderr)
        raise SystemExit(2) from exc
    selection = select_files(listed, load_manifest(config.output), max_files, options)
    print(
        f"khabar: {len(listed)} files listed: {len(selection.new)} new, {len(selection.changed)} changed,"
        f" {selection.unchanged} already ingested, {selection.deferred} left for the next batch"
    )
    if not selection.files:
        return None
    return dataclasses.replace(config, files=tuple(f.url for f in selection.files))
