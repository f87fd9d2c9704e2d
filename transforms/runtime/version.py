"""khabar's version: stamped into every row as pipeline_version."""

__version__ = "0.1.0"
