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
        help="ingest only files not yet in the output's manifest (the files table), as one batch; exit 0 when there is none",
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


RUNNER_ALIASES = {"DaskRunner": "apache_beam.runners.dask.dask_runner.DaskRunner"}


def start_local_dask(workers: int) -> Any:
    """A Dask LocalCluster of worker processes (one thread each), for trying the
    DaskRunner on one machine; needs the extra khabar[dask]."""
    try:
        from distributed import LocalCluster
    except ImportError as exc:
        raise SystemExit("khabar: --dask-local-workers needs Dask: pip install 'apache-beam[dask]==2.77.0'") from exc
    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)


def _local_to_absolute(url: str) -> str:
    return url if "://" in url else os.path.abspath(url)


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


def run_command(argv: list[str]) -> int:
    from apache_beam.options.pipeline_options import PipelineOptions
    from khabar.pipelines.summary import RunSummary
    from khabar.transforms.read_articles import NoMatchError, check_patterns
    from khabar.transforms.runtime.redact import redact_url
    from khabar.transforms.runtime.runinfo import RunInfo
    from khabar.transforms.text.ner_model import ModelError, check_model
    from khabar.transforms.write_tables import recover

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
    if args.streaming:
        return run_streaming(config, args, beam_args)
    if args.incremental:
        config = plan_batch(config, args.max_files)
        if config is None:
            return 0
        file_count = len(config.files or ())
    else:
        try:
            matched = check_patterns(list(config.inputs), config.read.storage_options)
        except NoMatchError as exc:
            print(f"khabar: error: {exc}", file=sys.stderr)
            return 2
        file_count = sum(matched.values())
        recover(config.output)
    run = RunInfo.new()
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


# Runners that cannot run the streaming pipeline's file discovery (names as Beam accepts them).
LOCAL_RUNNERS = {"direct", "interactive", "dask", "apache_beam.runners.dask.dask_runner.dask"}


def run_streaming(config: PipelineConfig, args: argparse.Namespace, beam_args: list[str]) -> int:
    """Submit the streaming pipeline; it runs until cancelled."""
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
    from khabar.pipelines.streaming import build_streaming
    from khabar.transforms.runtime.runinfo import RunInfo
    from khabar.transforms.write_windows import mark_streaming_run

    if args.runner.lower().removesuffix("runner") in LOCAL_RUNNERS or args.dask_local_workers:
        print(
            "khabar: error: --streaming needs a streaming runner (DataflowRunner, FlinkRunner, PrismRunner):"
            " Python's local runners cannot discover files continuously; for a local continuous mode use"
            " `khabar watch`",
            file=sys.stderr,
        )
        return 2
    options = PipelineOptions([*beam_args, f"--runner={RUNNER_ALIASES.get(args.runner, args.runner)}"])
    options.view_as(StandardOptions).streaming = True
    run = RunInfo.new()
    mark_streaming_run(config.output, run)
    pipeline = beam.Pipeline(options=options)
    build_streaming(pipeline, config, config.streaming, run)
    result = pipeline.run()
    print(f"khabar: streaming run {run.run_id} submitted; state {result.state}")
    result.wait_until_finish()
    return 0


def plan_batch(config: PipelineConfig, max_files: int | None) -> PipelineConfig | None:
    """An incremental batch: roll back a batch killed mid-commit, then select
    the files the manifest does not have. None when there is nothing new."""
    from khabar.transforms.inputs.manifest import list_files, load_manifest, select_files
    from khabar.transforms.runtime.redact import redact_url
    from khabar.transforms.write_tables import recover

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


def execute(config: PipelineConfig, run: Any, options: Any) -> Any:
    import apache_beam as beam
    from khabar.pipelines.ingest import build

    pipeline = beam.Pipeline(options=options)
    build(pipeline, config, run)
    result = pipeline.run()
    result.wait_until_finish()
    return result


def parse_interval(text: str) -> float:
    """'30s', '5m', '1h' or plain seconds -> seconds."""
    units = {"s": 1, "m": 60, "h": 3600}
    text = text.strip().lower()
    value = float(text[:-1]) * units[text[-1]] if text[-1:] in units else float(text)
    if value < 0:
        raise ValueError(text)
    return value


def watch_command(argv: list[str]) -> int:
    """Run incremental batches until stopped: each batch a child process
    (`khabar run --incremental`), so a crash or leak never outlives its batch."""
    import signal
    import subprocess

    parser = argparse.ArgumentParser(
        prog="khabar watch",
        description="Ingest new files continuously: one `khabar run --incremental` batch every interval. "
        "Every other option is passed to `khabar run`.",
    )
    parser.add_argument("--interval", type=parse_interval, default=30.0, help="pause between batches: 30s, 5m, 1h (default 30s)")
    parser.add_argument(
        "--max-batches", type=int, default=None, metavar="N", help="stop after N batches (default: run until SIGTERM/SIGINT)"
    )
    args, run_args = parser.parse_known_args(argv)
    stopping = False

    def stop(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True
        LOG.warning("khabar watch: signal %d, stopping after the current batch", signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    batches = failures = 0
    while not stopping:
        code = subprocess.call([sys.executable, "-m", "khabar.pipelines.cli", "run", "--incremental", *run_args])
        batches += 1
        if code != 0:
            failures += 1
            print(f"khabar watch: batch {batches} failed with exit code {code}; its files are retried next batch", file=sys.stderr)
            if code == 2 and batches == 1:
                return 2  # bad arguments: retrying cannot help
        if args.max_batches is not None and batches >= args.max_batches:
            break
        deadline = time.monotonic() + args.interval
        while not stopping and time.monotonic() < deadline:
            time.sleep(min(0.2, args.interval))
    return 1 if failures and failures == batches else 0


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
