"""The shape of a document's local `$ref`s: no cycle of bare `$ref`s, and a bounded nesting of `$ref`s.

A schema that is only `{$ref: itself}` (or A → B → A) never reaches a schema; every stage that resolves it
would loop. A chain of 150 schemas, each nesting the next through a `$ref`, is legal but drives every
recursive stage past Python's stack. Recursion proper (a schema reaching itself through a property) is
fine and common; it is measured once, as one strongly connected group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import MCPGenError
from .limits import MAX_REF_DEPTH


def resolve_pointer(document: Any, ref_pointer: str) -> Any:
    """Follow a JSON pointer; KeyError when it leads nowhere."""
    node = document
    if ref_pointer in ("", "/"):
        return node
    for raw in ref_pointer.lstrip("/").split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node[part]
        else:
            raise KeyError(part)
    return node


def _local_ref(node: Any) -> str | None:
    ref = node.get("$ref") if isinstance(node, dict) else None
    return ref if isinstance(ref, str) and ref.startswith("#") else None


def _target(document: Any, ref: str) -> Any:
    try:
        return resolve_pointer(document, ref[1:])
    except (KeyError, IndexError, ValueError):
        return None  # the load stage reports unresolvable references with their own pointer


@dataclass
class _Graph:
    """Nodes are the objects `$ref`s point at, plus the document root (node 0). An edge of weight 1 is a
    `$ref` found inside a node; an edge of weight 0 leads to a target nested in it without a `$ref`."""

    names: list[str] = field(default_factory=lambda: ["#"])
    edges: list[list[tuple[int, int]]] = field(default_factory=lambda: [[]])
    by_object: dict[int, int] = field(default_factory=dict)

    def node(self, target: Any, name: str) -> int:
        index = self.by_object.get(id(target))
        if index is None:
            index = self.by_object[id(target)] = len(self.names)
            self.names.append(name)
            self.edges.append([])
        return index


def _ref_graph(document: Any) -> _Graph:
    graph = _Graph()
    graph.by_object[id(document)] = 0
    refs: dict[str, Any] = {}
    stack: list[Any] = [document]
    while stack:  # first pass, in document order: every distinct local $ref and what it points at
        node = stack.pop()
        if isinstance(node, dict):
            ref = _local_ref(node)
            if ref is not None and ref not in refs:
                refs[ref] = _target(document, ref)
            stack.extend(reversed(node.values()))
        elif isinstance(node, list):
            stack.extend(reversed(node))
    for ref, target in refs.items():
        if isinstance(target, dict | list):
            graph.node(target, ref)
    walk: list[tuple[Any, int]] = [(document, 0)]
    while walk:  # second pass: which node each $ref and each nested target sits in
        node, inside = walk.pop()
        here = graph.by_object.get(id(node), inside)
        if here != inside:
            graph.edges[inside].append((here, 0))
        if isinstance(node, dict):
            ref = _local_ref(node)
            target = refs.get(ref) if ref is not None else None
            if isinstance(target, dict | list):
                graph.edges[here].append((graph.by_object[id(target)], 1))
            walk.extend((value, here) for value in reversed(node.values()) if isinstance(value, dict | list))
        else:
            walk.extend((value, here) for value in reversed(node) if isinstance(value, dict | list))
    return graph


def _components(graph: _Graph) -> tuple[list[int], list[list[int]]]:
    """Tarjan's strongly connected components, without recursion; emitted callees first."""
    count = len(graph.names)
    order = [-1] * count
    low = [0] * count
    on_stack = [False] * count
    component = [-1] * count
    members: list[list[int]] = []
    stack: list[int] = []
    counter = 0
    for root in range(count):
        if order[root] != -1:
            continue
        work = [(root, 0)]
        while work:
            node, edge = work[-1]
            if edge == 0:
                order[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack[node] = True
            if edge < len(graph.edges[node]):
                work[-1] = (node, edge + 1)
                child = graph.edges[node][edge][0]
                if order[child] == -1:
                    work.append((child, 0))
                elif on_stack[child]:
                    low[node] = min(low[node], order[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == order[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack[member] = False
                    component[member] = len(members)
                    group.append(member)
                    if member == node:
                        break
                members.append(group)
    return component, members


def _check_bare_cycles(document: Any, graph: _Graph, source: str) -> None:
    """Follow each target that is itself only a `$ref`; coming back to one on the way is a cycle."""
    settled: set[str] = set()
    for start in graph.names[1:]:
        path: list[str] = []
        ref: str | None = start
        while ref is not None and ref not in settled:
            if ref in path:
                cycle = path[path.index(ref) :] + [ref]
                raise MCPGenError(
                    "the $ref cycle " + " -> ".join(cycle) + " never reaches a schema",
                    file=source,
                    pointer=ref[1:],
                    hint="point one of these $refs at a real schema",
                )
            path.append(ref)
            ref = _local_ref(_target(document, ref))
        settled.update(path)


def _check_depth(graph: _Graph, source: str) -> None:
    component, members = _components(graph)
    depth = [0] * len(members)
    best_next: list[int | None] = [None] * len(members)
    for group_index, group in enumerate(members):  # callees come first, so their depth is known
        for node in group:
            for child, weight in graph.edges[node]:
                if component[child] != group_index and depth[component[child]] + weight > depth[group_index]:
                    depth[group_index] = depth[component[child]] + weight
                    best_next[group_index] = component[child]
    candidates = [index for index in range(len(members)) if 0 not in members[index]] or [component[0]]
    deepest = max(candidates, key=lambda index: (depth[index], -index))
    if depth[deepest] <= MAX_REF_DEPTH:
        return
    chain: list[str] = []
    step: int | None = deepest
    while step is not None and len(chain) < 4:
        chain.append(graph.names[min(members[step])])
        step = best_next[step]
    start = chain[0]
    raise MCPGenError(
        f"$refs nest more than {MAX_REF_DEPTH} deep from here ({depth[deepest]}): {' -> '.join(chain)} …",
        file=source,
        pointer=start[1:] if start != "#" else "",
        hint="flatten the schemas; mcpgen follows a bounded number of $refs inside one another",
    )


def check_ref_graph(document: Any, source: str) -> None:
    """Refuse bare `$ref` cycles and `$ref`s nested more than MAX_REF_DEPTH deep."""
    graph = _ref_graph(document)
    _check_bare_cycles(document, graph, source)
    _check_depth(graph, source)
