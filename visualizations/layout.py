"""Node positions computed in Python, so the browser draws at once with physics off.

Measured here: vis-network with physics on takes minutes to settle at 500+ nodes, while fixed
positions load 2,000 nodes in under a second.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

SPACING = 90.0  # pixels per node at the page's default zoom
# spring_layout's optimal distance is K / sqrt(n): larger spreads a hub's leaves apart
K = 6.0


def force_positions(nodes: list[str], edges: list[tuple[str, str]], sizes: dict[str, float] | None = None,
                    seed: int = 7) -> dict[str, tuple[float, float]]:
    """Spring layout of the drawn graph, scaled so nodes sit about ``SPACING`` pixels apart.

    Components are laid out one by one and packed in rows, biggest first, so a few isolated
    nodes do not fly to the edges of the canvas.
    """
    if not nodes:
        return {}
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
            # Above 500 nodes networkx minimises an energy (dense, O(n²) per step): fewer steps.
            raw = nx.spring_layout(sub, k=K / math.sqrt(n), iterations=150 if n < 500 else 40, seed=seed)
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
    width = max(boxes[0][0], math.sqrt(sum(w * h for w, h, _ in boxes)))
    x = y = row_h = 0.0
    for w, h, local in boxes:
        if x > 0 and x + w > width:
            x, y, row_h = 0.0, y + row_h, 0.0
        for v, (px, py) in local.items():
            pos[v] = (round(x + px + SPACING, 1), round(y + py + SPACING, 1))
        x += w
        row_h = max(row_h, h)
    return pos


def separate(xy: np.ndarray, radii: np.ndarray, iterations: int = 60) -> np.ndarray:
    """Push overlapping nodes apart (each pair by half its overlap) so labels stay legible.

    Spring layouts crowd a hub's leaves onto the hub; this keeps the shape and removes most
    overlaps. Only pairs closer than the largest possible overlap distance are looked at (a
    k-d tree), so a pass stays near-linear in the number of nodes.
    """
    from scipy.spatial import cKDTree

    xy = xy.astype(float).copy()
    if len(xy) < 2:
        return xy
    reach = 2 * float(radii.max())
    for _ in range(iterations):
        pairs = cKDTree(xy).query_pairs(reach, output_type="ndarray")
        if not len(pairs):
            break
        i, j = pairs[:, 0], pairs[:, 1]
        delta = xy[i] - xy[j]
        dist = np.sqrt((delta ** 2).sum(1))
        overlap = radii[i] + radii[j] - dist
        hit = overlap > 0
        if not hit.any():
            break
        i, j, delta, dist, overlap = i[hit], j[hit], delta[hit], dist[hit], overlap[hit]
        same = dist < 1e-6
        # coincident nodes have no direction to be pushed along: pick one at random
        delta[same] = np.random.default_rng(len(pairs)).normal(0, 1, (int(same.sum()), 2))
        dist[same] = np.sqrt((delta[same] ** 2).sum(1))
        push = delta * (overlap / (2 * dist))[:, None] * 0.5
        np.add.at(xy, i, push)
        np.add.at(xy, j, -push)
    return xy



def grid_positions(cells: list[str], above: list[str], width: float = 265.0,
                   height: float = 110.0, above_width: float = 330.0) -> dict[str, tuple[float, float]]:
    """``cells`` in rows (in the given order), a little wider than tall as a screen is, and
    ``above`` in rows over them: the overview's places and the documents they cite. A grid keeps
    every label apart at the zoom that fits the page, where a force layout of unlinked places
    would scatter them."""
    cols = max(1, math.ceil(math.sqrt(len(cells) * 1.4)))
    pos = {n: (round((i % cols) * width, 1), round((i // cols) * height, 1)) for i, n in enumerate(cells)}
    per_row = max(1, math.floor((cols - 1) * width / above_width) + 1)  # no wider than the grid
    rows = math.ceil(len(above) / per_row)
    for i, n in enumerate(above):
        row, col = divmod(i, per_row)
        in_row = min(per_row, len(above) - row * per_row)
        x0 = (cols - 1) * width / 2 - (in_row - 1) * above_width / 2
        pos[n] = (round(x0 + col * above_width, 1), round(-(rows - row) * height * 1.2 - height * 0.5, 1))
    return pos
