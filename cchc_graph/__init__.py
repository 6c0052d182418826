"""cchc-graph: Vietnamese administrative-reform documents as a provenance-tracked knowledge graph."""
