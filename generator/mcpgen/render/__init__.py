"""Render stage: the IR → its layout and answers (`contract.Answers`) → a project tree rendered by Copier from
the template store, formatted, checked and measured (`post.py`: `Surface`); plus the exposure mode, the
project's options file (`mcpgen.yaml`) and the hand-off (settings to fill, next commands)."""

from .answers import build_answers
from .contract import Answers, TypeData
from .copier_render import (
    ANSWERS_FILE,
    SPEC_FILE,
    load_answers,
    record_template_source,
    render,
    render_template,
    spec_digest,
    spec_text,
)
from .exposure import (
    DEFAULT_BUDGET,
    Exposure,
    check_exposure_options,
    decide,
    first_mode,
    minimum_tokens,
    with_exposure,
)
from .handoff import PROJECT_PLACEHOLDER, handoff
from .layout import Layout, decide_layout, layout_of_template
from .post import (
    LOCK_FILE,
    LockStep,
    Surface,
    check_python_parses,
    list_files,
    ruff_findings,
    strict_client_findings,
    write_tool_lock,
)
from .projectfile import PROJECT_FILE, ProjectOptions, read_options, write_options
from .template_store import (
    DEFAULT_STORE,
    STORE_ENV,
    released_versions,
    resolve_version,
    store_location,
    template_store,
    version_tag,
)
from .vectors import SEARCH_MODES, VECTORS_FILE, check_search, write_vectors

__all__ = [
    "ANSWERS_FILE",
    "DEFAULT_BUDGET",
    "DEFAULT_STORE",
    "LOCK_FILE",
    "PROJECT_FILE",
    "PROJECT_PLACEHOLDER",
    "SPEC_FILE",
    "SEARCH_MODES",
    "STORE_ENV",
    "VECTORS_FILE",
    "Answers",
    "Exposure",
    "Layout",
    "LockStep",
    "ProjectOptions",
    "Surface",
    "TypeData",
    "build_answers",
    "check_exposure_options",
    "check_search",
    "check_python_parses",
    "decide",
    "decide_layout",
    "layout_of_template",
    "first_mode",
    "handoff",
    "list_files",
    "load_answers",
    "minimum_tokens",
    "read_options",
    "record_template_source",
    "released_versions",
    "render",
    "render_template",
    "resolve_version",
    "ruff_findings",
    "spec_digest",
    "spec_text",
    "store_location",
    "strict_client_findings",
    "template_store",
    "version_tag",
    "with_exposure",
    "write_options",
    "write_tool_lock",
    "write_vectors",
]
