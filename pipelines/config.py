"""The pipeline's configuration: one typed dataclass per stage, gathered here.

CLI flags are generated from these dataclasses (see pipelines/cli.py), so a
stage's defaults and documentation live in exactly one place: its module.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from khabar.transforms.detect_language import LanguageConfig
from khabar.transforms.inputs.parsers import ReadConfig
from khabar.transforms.match_stories import StreamingConfig
from khabar.transforms.output.parquet_files import WriteConfig
from khabar.transforms.stories.config import DedupConfig
from khabar.transforms.text.entity_rules import EntityConfig
from khabar.transforms.text.normalize import NormalizationConfig
from khabar.transforms.text.page_lines import BoilerplateConfig

# CLI flag prefix -> (PipelineConfig attribute, dataclass)
STAGES: dict[str, tuple[str, type]] = {
    "read": ("read", ReadConfig),
    "boilerplate": ("boilerplate", BoilerplateConfig),
    "normalize": ("normalization", NormalizationConfig),
    "language": ("language", LanguageConfig),
    "entities": ("entities", EntityConfig),
    "dedup": ("dedup", DedupConfig),
    "write": ("write", WriteConfig),
    "streaming": ("streaming", StreamingConfig),
}


@dataclass(frozen=True)
class PipelineConfig:
    inputs: tuple[str, ...]
    output: str
    # Exact file URLs to read instead of expanding inputs (incremental batches).
    files: tuple[str, ...] | None = None
    # Seconds between progress lines on stderr (0: none).
    progress_interval_s: float = 30.0
    read: ReadConfig = field(default_factory=ReadConfig)
    boilerplate: BoilerplateConfig = field(default_factory=BoilerplateConfig)
    normalization: NormalizationConfig = field(default_factory=NormalizationConfig)
    language: LanguageConfig = field(default_factory=LanguageConfig)
    entities: EntityConfig = field(default_factory=EntityConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    write: WriteConfig = field(default_factory=WriteConfig)
    streaming: StreamingConfig = field(default_factory=StreamingConfig)
