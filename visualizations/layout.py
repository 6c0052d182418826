"""Node positions computed in Python, so the browser draws at once with physics off.

Measured here: vis-network with physics on takes minutes to settle at 500+ nodes, while fixed
positions load 2,000 nodes in under a second.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

SPACING = 90.0
# spring_layout's optimal distance is K / sqrt(n): larger spreads a hub's leaves apart
K = 6.0  # pixels per node at the page's default zoom


def force_positions(nodes: list[str], edges: list[tuple[str, str]], sizes: dict[str, float] | None = None,
                    seed: int = 7) -> dict[str, tuple[float, float]]:
    """Spring layout of the drawn graph, scaled so nodes sit about ``SPACING`` pixels apart.

    Components are laid out one by one and packed on a grid, biggest first, so a few isolated
    nodes do not fly to the edges of the canvas.
    """
    g = nx.Graph()
    g.add_nodes_from(nodes)
    g.add_edges_from((u, v) for u, v in edges if u != v)
    comps = sorted(nx.connected_components(g), key=len, reverse=True)
    pos: dict[str, tuple[float, float]] = {}
    boxes: list[tuple[float, float, dict[str, tuple[float, float]]]] = []
    for comp in comps:
        sub = g.subgraph(comp)
        n = len(comp)
        if n == 1:
            local = {next(iter(comp)): (0.0, 0.0)}
        else:
            raw = nx.spring_layout(sub, k=K / math.sqrt(n), iterations=60 if n > 1500 else 150, seed=seed)
            scale = SPACING * math.sqrt(n)
            order = list(raw)
            xy = separate(np.array([raw[v] for v in order]) * scale,
                          np.array([(sizes or {}).get(v, 10.0) for v in order]))
            local = {v: (float(x), float(y)) for v, (x, y) in zip(order, xy, strict=True)}
        xs = [p[0] for p in local.values()]
        ys = [p[1] for p in local.values()]
        w, h = max(xs) - min(xs) + SPACING * 2, max(ys) - min(ys) + SPACING * 2
        boxes.append((w, h, {v: (x - min(xs), y - min(ys)) for v, (x, y) in local.items()}))
    # Shelf packing: rows as wide as the biggest component (or a square of the small ones).
    width = max([boxes[0][0] if boxes else 0.0,
                 math.sqrt(sum(w * h for w, h, _ in boxes)) if boxes else 0.0])
    x = y = row_h = 0.0
    for w, h, local in boxes:
        if x > 0 and x + w > width:
            x, y, row_h = 0.0, y + row_h, 0.0
        for v, (px, py) in local.items():
            pos[v] = (round(x + px + SPACING, 1), round(y + py + SPACING, 1))
        x += w
        row_h = max(row_h, h)
    return pos


def separate(xy: np.ndarray, radii: np.ndarray, iterations: int = 100) -> np.ndarray:
    """Push overlapping nodes apart (each pair by half its overlap) so labels stay legible.

    Spring layouts crowd a hub's leaves onto the hub; this keeps the shape and removes the
    overlaps. Pairwise with numpy: fine for the page's node budget (a few thousand).
    """
    xy = xy.astype(float).copy()
    if len(xy) < 2 or len(xy) > 4000:
        return xy
    need = radii[:, None] + radii[None, :]
    rng = np.random.default_rng(0)
    for _ in range(iterations):
        delta = xy[:, None, :] - xy[None, :, :]
        dist = np.sqrt((delta ** 2).sum(-1))
        np.fill_diagonal(dist, np.inf)
        overlap = need - dist
        if (overlap <= 0).all():
            break
        same = dist < 1e-6
        if same.any():  # coincident nodes: nudge at random, no direction to push along
            xy += rng.normal(0, 1, xy.shape) * same.any(1)[:, None]
            continue
        with np.errstate(invalid="ignore"):  # the diagonal is inf / inf
            push = np.where(overlap > 0, overlap / (2 * dist), 0.0)
        xy += (delta * push[:, :, None]).sum(1) * 0.5
    return xy
