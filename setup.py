"""khabar: Arabic news articles -> clean, normalized, deduplicated Parquet tables (Apache Beam).

This file is also what ``--setup_file ./setup.py`` ships to remote Beam
workers: the sdist holds the khabar package (the pipelines, transforms and schemas
folders) and the shipped data files.
"""

import re
from pathlib import Path

from setuptools import Extension, find_packages, setup

VERSION = re.search(r'__version__ = "([^"]+)"', Path(__file__).with_name("transforms").joinpath("runtime", "version.py").read_text()).group(
    1
)

# One import namespace, khabar: the repository's top-level folders are the
# subpackages khabar.pipelines, khabar.transforms and khabar.schemas, so an
# install puts only `khabar` into site-packages. `khabar` itself is a
# namespace package (no __init__.py of its own).
FOLDERS = ("pipelines", "transforms", "schemas")
PACKAGES = [f"khabar.{name}" for name in find_packages(include=[f"{folder}{suffix}" for folder in FOLDERS for suffix in ("", ".*")])]
PACKAGE_DIR = {f"khabar.{folder}": folder for folder in FOLDERS}

# camel-tools is deliberately NOT listed: camel-tools 1.6.0 declares torch and
# transformers (about 1.5 GB) that the parts khabar uses (utils.normalize,
# utils.dediac, utils.charmap, tokenizers.word) never import. Install it with
#   pip install --no-deps camel-tools==1.6.0
# next to this package (make setup does; see README for workers). Its real
# run-time needs are listed here instead: six, regex, emoji.
CAMEL_TOOLS_RUNTIME = ["six", "regex", "emoji"]

# The compiled kernels (transforms/runtime/_native.c). Optional: where no C compiler
# is found the build goes on without them and transforms/runtime/native.py runs their
# Python definitions (same results, slower).
NATIVE = Extension("khabar.transforms.runtime._native", sources=["transforms/runtime/_native.c"], optional=True, extra_compile_args=["-O3"])

setup(
    name="khabar",
    version=VERSION,
    description="Apache Beam pipeline: Arabic news articles to Parquet tables for BI",
    long_description=Path(__file__).with_name("README.md").read_text(encoding="utf-8")
    if Path(__file__).with_name("README.md").exists()
    else "",
    long_description_content_type="text/markdown",
    python_requires=">=3.11",
    packages=PACKAGES,
    package_dir=PACKAGE_DIR,
    ext_modules=[NATIVE],
    include_package_data=True,
    package_data={"khabar.transforms.text": ["data/*.tsv", "data/*.txt", "data/*.json", "data/*.md"]},
    # The DuckDB views, for `khabar report` and for users (installed under <prefix>/share/khabar/sql).
    data_files=[("share/khabar/sql", ["sql/views.sql"])],
    install_requires=[
        "apache-beam==2.77.0",
        "pyarrow>=14,<26",  # Beam 2.77 refuses pyarrow 26
        "fsspec>=2024.2",
        "charset-normalizer>=3.3",
        "warcio>=1.7",
        "zstandard>=0.22",
        "trafilatura>=2.0",
        "pycld2>=0.41",
        "pyahocorasick>=2.1",
        "tzdata",
        # story grouping weighs words by their frequency in Arabic at large (transforms/stories/rewrites.py):
        # wordfreq's lists ship inside the package, nothing is downloaded; its packed list is read with
        # msgpack (transforms/text/word_frequency.py), as wordfreq does
        "wordfreq>=3.1,<4",
        "msgpack>=1.0",
        # the output's table format: Apache Iceberg tables over khabar's Parquet files, committed
        # through an embedded SQLite catalog by default (transforms/output/catalog.py)
        "pyiceberg[sql-sqlite]>=0.12,<0.13",
        # `import apache_beam` imports its BigQuery client, which logs "apitools
        # not found" on every run without it; the version Beam's gcp extra pins.
        "google-apitools>=0.5.31,<0.5.32; python_version < '3.13'",
        "google-apitools>=0.5.35; python_version >= '3.13'",
        *CAMEL_TOOLS_RUNTIME,
    ],
    extras_require={
        "test": ["pytest>=8", "hypothesis>=6.100", "duckdb>=1.0", "polars>=1.0", "pandas>=2.0", "ruff>=0.6"],
        "dask": ["apache-beam[dask]==2.77.0"],
        "report": ["duckdb>=1.0"],
        # --ner camel:/path: camel_tools.ner (imports its data catalogue code too).
        # Here install torch==2.13.0 first (on disk, CPU build); plain torch pulls CUDA.
        "camel-ner": ["torch>=2.0", "transformers>=4.44", "pyrsistent", "muddler", "requests", "tqdm"],
    },
    entry_points={"console_scripts": ["khabar=khabar.pipelines.cli:console"]},
)
