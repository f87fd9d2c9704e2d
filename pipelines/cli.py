"""The ``khabar`` command line.

    khabar run --input URL_OR_GLOB [--input ...] --output URL [--runner DirectRunner]
               [--incremental [--max-files N]]
               [--<stage>-<option> VALUE ...] [any Beam pipeline option]
    khabar watch --interval 30s [--max-batches N] <the same options as run>

Stage options are generated from the stages' config dataclasses
(pipelines/config.py): ``--boilerplate-length-high 120`` sets
BoilerplateConfig.length_high. Everything the CLI does not know is handed to
Beam's PipelineOptions (``--direct_num_workers``, ``--setup_file``, ...).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys
import time
import typing
from typing import Any

from khabar.pipelines.config import STAGES, PipelineConfig
from khabar.pipelines.dask_cluster import RUNNER_ALIASES, start_local_dask
from khabar.pipelines.incremental import plan_batch
from khabar.pipelines.proxies import keep_local_traffic_off_proxies
from khabar.pipelines.watch import watch_command
from khabar.transforms.runtime.version import __version__

LOG = logging.getLogger("khabar")


def _flag_type(hint: Any) -> type | None:
    """The argparse type of a config field, or None for fields the CLI cannot set."""
    if hint in (bool, int, float, str):
        return hint
    return None


# Short names for generated flags users type often.
FLAG_ALIASES = {"--entities-ner": ("--ner",)}


def add_stage_flags(parser: argparse.ArgumentParser) -> None:
    for prefix, (_, cls) in STAGES.items():
        group = parser.add_argument_group(f"{prefix} options ({cls.__name__})")
        hints = typing.get_type_hints(cls)
        for field in dataclasses.fields(cls):
            kind = _flag_type(hints[field.name])
            if kind is None:
                continue
            flag = f"--{prefix}-{field.name.replace('_', '-')}"
            flags = (flag, *FLAG_ALIASES.get(flag, ()))
            default = field.default
            dest = f"{prefix}__{field.name}"
            if kind is bool:
                group.add_argument(*flags, dest=dest, action=argparse.BooleanOptionalAction, default=None, help=f"(default: {default})")
            else:
                group.add_argument(*flags, dest=dest, type=kind, default=None, metavar=kind.__name__.upper(), help=f"(default: {default})")


def stage_configs(args: argparse.Namespace) -> dict[str, Any]:
    """PipelineConfig keyword arguments from the parsed stage flags."""
    configs: dict[str, Any] = {}
    for prefix, (attribute, cls) in STAGES.items():
        values = {
            field.name: getattr(args, f"{prefix}__{field.name}")
            for field in dataclasses.fields(cls)
            if getattr(args, f"{prefix}__{field.name}", None) is not None
        }
        if prefix == "read" and args.storage_options:
            values["storage_options"] = json.loads(args.storage_options)
        configs[attribute] = cls(**values)
    return configs


def _boolean(text: str) -> bool:
    """'--flag', '--flag=true' or '--flag=false': Dataflow templates pass every parameter with a value."""
    if text.lower() in ("true", "1", "yes"):
        return True
    if text.lower() in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, not {text!r}")


def run_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="khabar run", description="Run the batch pipeline.", allow_abbrev=False)
    parser.add_argument(
        "--input",
        action="append",
        required=True,
        metavar="URL_OR_GLOB",
        help="input files, directories or globs (any fsspec URL); repeatable",
    )
    parser.add_argument("--output", required=True, metavar="URL", help="output directory (any fsspec URL)")
    parser.add_argument("--runner", default="DirectRunner", help="Beam runner (default: DirectRunner)")
    parser.add_argument(
        "--storage-options",
        default=None,
        metavar="JSON",
        help='fsspec options per protocol, e.g. \'{"s3": {"anon": true}}\'; credentials belong in the environment',
    )
    parser.add_argument("--quiet", action="store_true", help="do not print the run summary")
    parser.add_argument(
        "--progress",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="a progress line on stderr every SECONDS per worker (0: none; default 30)",
    )
    parser.add_argument(
        "--incremental",
        nargs="?",
        const=True,
        default=False,
        type=_boolean,
        metavar="true|false",
        help="a scheduled batch: like every run it ingests only files not yet in the output's manifest (the files"
        " table), and an input that matches nothing is no error (exit 0, nothing new); --max-files caps the batch",
    )
    parser.add_argument(
        "--max-files", type=int, default=None, metavar="N", help="with --incremental: at most N files this batch, oldest first"
    )
    parser.add_argument(
        "--streaming",
        action="store_true",
        help="the streaming pipeline: discover new files continuously, event-time windows, windowed files"
        " (needs a streaming runner: Dataflow, Flink, Prism; see the streaming options)",
    )
    parser.add_argument(
        "--dask-local-workers",
        type=int,
        default=None,
        metavar="N",
        help="start a Dask LocalCluster of N worker processes and run on it with the DaskRunner",
    )
    add_stage_flags(parser)
    return parser


def _local_to_absolute(url: str) -> str:
    return url if "://" in url else os.path.abspath(url)


def run_command(argv: list[str]) -> int:
    from apache_beam.options.pipeline_options import PipelineOptions
    from khabar.pipelines.ingest import execute
    from khabar.pipelines.streaming import run_streaming
    from khabar.pipelines.summary import RunSummary
    from khabar.transforms.inputs.listing import NoMatchError, check_patterns
    from khabar.transforms.output.commit import mark_running
    from khabar.transforms.output.location import OutputError, check_output
    from khabar.transforms.runtime.redact import redact_url
    from khabar.transforms.runtime.runinfo import RunInfo
    from khabar.transforms.text.ner_model import ModelError, check_model

    args, beam_args = run_parser().parse_known_args(argv)
    keep_local_traffic_off_proxies()
    configs = stage_configs(args)
    config = PipelineConfig(
        inputs=tuple(_local_to_absolute(i) for i in args.input),
        output=_local_to_absolute(args.output),
        progress_interval_s=args.progress,
        **configs,
    )
    try:
        check_model(config.entities.ner)
    except ModelError as exc:
        print(f"khabar: error: {exc}", file=sys.stderr)
        return 2
    try:
        check_output(config.output, config.write, config.read.storage_options)
    except OutputError as exc:
        print(f"khabar: error: {exc}", file=sys.stderr)
        return 2
    if args.streaming:
        return run_streaming(config, args, beam_args)
    if not args.incremental:
        try:
            check_patterns(list(config.inputs), config.read.storage_options)
        except NoMatchError as exc:
            print(f"khabar: error: {exc}", file=sys.stderr)
            return 2
    # Every batch ingests only what the output does not hold yet: a rerun of
    # unchanged files is a no-op, and says so.
    config = plan_batch(config, args.max_files if args.incremental else None)
    if config is None:
        return 0
    file_count = len(config.files or ())
    run = RunInfo.new()
    mark_running(config.output, run.run_id)
    runner = RUNNER_ALIASES.get(args.runner, args.runner)
    cluster = None
    if args.dask_local_workers:
        runner = RUNNER_ALIASES["DaskRunner"]
        cluster = start_local_dask(args.dask_local_workers)
        beam_args = [*beam_args, f"--dask_client_address={cluster.scheduler_address}"]
    options = PipelineOptions([*beam_args, f"--runner={runner}"])
    started = time.monotonic()
    LOG.info("run %s: %d input files -> %s", run.run_id, file_count, redact_url(config.output))
    result = None
    try:
        result = execute(config, run, options)
    finally:
        if cluster is not None:
            client = getattr(result, "client", None)
            if client is not None:
                client.close()  # the DaskRunner's own client, or it keeps reconnecting to the closed cluster
            cluster.close()
    summary = RunSummary.collect(
        config, run, result, time.monotonic() - started, files=file_count, options=[*beam_args, f"--runner={runner}"]
    )
    summary.write()
    if not args.quiet:
        print(summary.render())
    return 0


def report(argv: list[str]) -> int:
    from khabar.pipelines.report import report_command

    return report_command(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    commands = {"run": run_command, "watch": watch_command, "report": report}
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in commands:
        print(
            f"khabar {__version__}: Arabic news to Parquet tables\n\nusage: khabar {{{','.join(commands)}}} ...\n"
            "  run    run the batch pipeline; --incremental ingests only new files (khabar run --help)\n"
            "  watch  ingest new files continuously, one incremental batch per interval (khabar watch --help)\n"
            "  report write a static HTML report of an output (khabar report --help)"
        )
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    return commands[argv[0]](argv[1:])


def exit_now(code: int) -> None:
    """Exit a command at once with its code.

    After a run, Python's interpreter shutdown sometimes aborts in a native
    thread that Beam's local runners or Dask leave behind ("terminate called
    without an active exception", exit -6), seen intermittently under load.
    Every output is committed by then, so commands flush and leave without
    the shutdown. Library callers of main() are unaffected.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)


def console() -> None:
    """The `khabar` command."""
    exit_now(main())


if __name__ == "__main__":
    console()
