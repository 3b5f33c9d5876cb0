"""IR stage: a `LoadedSpec` → `BuildResult(project, warnings)`, the project as records (`model.py`): tools,
models, the auth pattern (its data in `patterns.py`) and the skipped operations; no source code."""

from .build import BuildOptions, BuildResult, build_project
from .model import LayoutName, Model, ModelField, Param, Project, Tool, TypeRef
from .patterns import credential_env, patterns
from .samples import Sampler
from .scopes import parse_scope_option
from .select import Candidate, SelectOptions, path_matches, select

__all__ = [
    "BuildOptions",
    "BuildResult",
    "Candidate",
    "LayoutName",
    "Model",
    "ModelField",
    "Param",
    "Project",
    "Sampler",
    "SelectOptions",
    "Tool",
    "TypeRef",
    "build_project",
    "credential_env",
    "parse_scope_option",
    "path_matches",
    "patterns",
    "select",
]
