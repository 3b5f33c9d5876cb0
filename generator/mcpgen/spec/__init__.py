"""Load stage: a spec path or URL → `LoadedSpec`, a checked OpenAPI 3.x document with its warnings: plain JSON
data, only local `$ref`s, Swagger 2.0 converted; read within the limits in `limits.py`."""

from .limits import MAX_ALIAS_NODES, MAX_DOCUMENT_NODES, MAX_NESTING_DEPTH, MAX_REF_DEPTH, MAX_SPEC_BYTES
from .load import LoadedSpec, load_spec
from .parse import parse_text
from .refgraph import check_ref_graph, resolve_pointer
from .shape import METHODS
from .swagger2 import convert_swagger2

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_DOCUMENT_NODES",
    "MAX_NESTING_DEPTH",
    "MAX_REF_DEPTH",
    "MAX_SPEC_BYTES",
    "METHODS",
    "LoadedSpec",
    "check_ref_graph",
    "convert_swagger2",
    "load_spec",
    "parse_text",
    "resolve_pointer",
]
