"""How much input mcpgen accepts. Each limit is several times what the largest real spec we know needs.

Measured on the specs in ../shared/specs (Stripe, Kubernetes, OpenAI, ...): at most 4.2 MB, 142,000 nodes,
29 levels of nesting and 13 `$ref`s followed one inside another. The limits keep a hostile document (a YAML
"billion laughs", a 100,000-level bracket nest, a chain of 150 `$ref`s) from hanging or crashing the
generator; the README's "Limits" section documents them.
"""

MAX_SPEC_BYTES = 32 * 2**20
"""The largest spec file or download, checked before it is parsed."""

MAX_NESTING_DEPTH = 100
"""How deeply objects and arrays may nest in the document."""

MAX_DOCUMENT_NODES = 2_000_000
"""Keys and values in the document, counting YAML aliases as the nodes they stand for."""

MAX_ALIAS_NODES = 200_000
"""Nodes that YAML aliases may add by repeating their anchors."""

MAX_REF_DEPTH = 64
"""`$ref`s followed one inside another (not counting recursion back to a schema already on the way)."""

MAX_BUNDLE_FILES = 10_000
"""Files a spec split across files may span (DigitalOcean's has about 2,900)."""

MAX_BUNDLE_BYTES = 128 * 2**20
"""What the files of a spec split across files may add up to."""
