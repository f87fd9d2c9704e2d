"""Planning a batch: finish or clean up interrupted commits, then select the input files the output's manifest does not have."""

from __future__ import annotations

import dataclasses
import logging
import sys

from khabar.pipelines.config import PipelineConfig

LOG = logging.getLogger("khabar")


def plan_batch(config: PipelineConfig, max_files: int | None) -> PipelineConfig | None:
    """A batch: finish a batch killed after its point of no return (and clean
    up what dead ones left), then select the files the manifest does not
    have. None when there is nothing new."""
    from khabar.transforms.inputs.manifest import list_files, load_manifest, select_files
    from khabar.transforms.output.commit import recover
    from khabar.transforms.runtime.redact import redact_url

    recovered = recover(config.output, config.write)
    if recovered:
        LOG.warning("finished or cleaned up after interrupted runs: %d", len(recovered))
    options = config.read.storage_options
    try:
        listed = list_files(config.inputs, options)
    except (OSError, ValueError, ImportError) as exc:
        print(f"khabar: error: cannot list inputs: {redact_url(str(exc))}", file=sys.stderr)
        raise SystemExit(2) from exc
    if config.write.replace:  # recompute on purpose: every listed file, already ingested or not
        selection = select_files(listed, {}, max_files, options)
        print(f"khabar: {len(listed)} files listed: {len(selection.files)} recomputed, their earlier rows replaced")
    else:
        selection = select_files(listed, load_manifest(config.output), max_files, options)
        print(
            f"khabar: {len(listed)} files listed: {len(selection.new)} new, {len(selection.changed)} changed,"
            f" {selection.unchanged} already ingested, {selection.deferred} left for the next batch"
        )
    if not selection.files:
        return None
    return dataclasses.replace(config, files=tuple(f.url for f in selection.files))
