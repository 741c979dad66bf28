"""The only package that knows the order of the steps: build_index(), Engine.search(), Engine.ask()."""

from service.pipeline.build import BuildReport, BuildSettings, build_index, is_up_to_date
from service.pipeline.query import MODES, Engine, RetrievalSettings, passage_text

__all__ = ["MODES", "BuildReport", "BuildSettings", "Engine", "RetrievalSettings", "build_index",
           "is_up_to_date", "passage_text"]
