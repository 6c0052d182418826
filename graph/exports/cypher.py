"""Cypher: the schema and writes of ``cchc neo4j push``, the reads of ``cchc serve --backend
neo4j``, and the main questions as queries to paste into Neo4j Browser (``docs/neo4j.md``
shows :data:`QUESTIONS` verbatim; a test checks it and lints every statement here with
Neo4j's own Cypher front end when it is installed)."""

from __future__ import annotations

from cchc_graph.graph.exports.neo4j_map import BASE_LABEL, CITATION_TYPES, META_LABEL, ROLE_TYPES, rel_type

SCHEMA = (
    f"CREATE CONSTRAINT cchc_id IF NOT EXISTS FOR (n:{BASE_LABEL}) REQUIRE n.id IS UNIQUE",
    f"CREATE CONSTRAINT cchc_meta_id IF NOT EXISTS FOR (n:{META_LABEL}) REQUIRE n.id IS UNIQUE",
    f"CREATE INDEX cchc_version IF NOT EXISTS FOR (n:{BASE_LABEL}) ON (n.v)",
    "CREATE INDEX cchc_agency_name IF NOT EXISTS FOR (n:Agency) ON (n.name)",
    "CREATE INDEX cchc_document_number IF NOT EXISTS FOR (n:Document) ON (n.number)",
    "CREATE INDEX cchc_reference_number IF NOT EXISTS FOR (n:Reference) ON (n.number)",
    "CREATE INDEX cchc_task_document IF NOT EXISTS FOR (n:Task) ON (n.document)",
    "CREATE INDEX cchc_target_document IF NOT EXISTS FOR (n:Target) ON (n.document)",
    "CREATE TEXT INDEX cchc_task_text IF NOT EXISTS FOR (n:Task) ON (n.text_fold)",
)


def merge_nodes(label: str) -> str:
    """Nodes of one label; ``SET n = …`` replaces every property, so a re-push drops stale ones."""
    return (f"UNWIND $rows AS row MERGE (n:{BASE_LABEL} {{id: row.id}}) "
            f"SET n = row.props, n:{label}")


def merge_rels(rtype: str) -> str:
    """Relationships of one type, matched on their multigraph ``key`` so MERGE is idempotent."""
    return (f"UNWIND $rows AS row MATCH (a:{BASE_LABEL} {{id: row.source}}) "
            f"MATCH (b:{BASE_LABEL} {{id: row.target}}) "
            f"MERGE (a)-[r:{rtype} {{key: row.key}}]->(b) SET r = row.props")


MERGE_META = f"MERGE (m:{META_LABEL} {{id: $meta.id}}) SET m = $meta, m.pushed_at = datetime()"
# Stale data: whatever an earlier push wrote that this one did not (a document removed …).
DELETE_STALE_RELS = (f"MATCH (:{BASE_LABEL})-[r]->(:{BASE_LABEL}) WHERE r.v <> $v "
                     "WITH r LIMIT $batch DELETE r RETURN count(*) AS n")
DELETE_STALE_NODES = (f"MATCH (n:{BASE_LABEL}) WHERE n.v <> $v "
                      "WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS n")
COUNTS = (f"MATCH (n:{BASE_LABEL}) WITH count(n) AS nodes "
          f"OPTIONAL MATCH (:{BASE_LABEL})-[r]->(:{BASE_LABEL}) RETURN nodes, count(r) AS rels")

# --- reads of the neo4j backend: each returns node records and relationship records -------
_ROLES = "|".join(map(rel_type, ROLE_TYPES))
_CITES = "|".join(map(rel_type, CITATION_TYPES))
READ_META = f"MATCH (m:{META_LABEL} {{id: 'graph'}}) RETURN properties(m) AS meta"
# Small, slowly changing tables every question resolves names against.
READ_DIMENSIONS = (
    f"MATCH (n:{BASE_LABEL}) WHERE n:Document OR n:Reference OR n:Jurisdiction OR n:Agency "
    "OR n:Indicator OR n:Area RETURN labels(n) AS labels, properties(n) AS props")
READ_STRUCTURE = (
    f"MATCH (a:{BASE_LABEL})-[r:IN_JURISDICTION|ISSUED_BY|PART_OF|SUCCEEDED_BY]->(b:{BASE_LABEL}) "
    "RETURN type(r) AS type, a.id AS source, b.id AS target, properties(r) AS props")
# Tasks whose accent-free text contains every word, with the agencies holding a role on them.
READ_TASKS_WITH_WORDS = (
    "MATCH (t:Task) WHERE all(w IN $words WHERE t.text_fold CONTAINS w) "
    "RETURN t.id AS id")
READ_TASKS_OF_AGENCIES = (
    f"MATCH (a:Agency)-[:{_ROLES}]->(t:Task) WHERE a.id IN $agencies RETURN DISTINCT t.id AS id")
READ_TASKS = (
    "MATCH (t:Task) WHERE t.id IN $tasks "
    "OPTIONAL MATCH (d)-[h:HAS_TASK]->(t) OPTIONAL MATCH (t)-[i:IN_AREA]->(area) "
    f"OPTIONAL MATCH (a:Agency)-[r:{_ROLES}]->(t) "
    "RETURN labels(t) AS labels, properties(t) AS props, "
    "[x IN collect(DISTINCT [type(h), d.id, t.id, properties(h)]) WHERE x[0] IS NOT NULL] "
    "+ [x IN collect(DISTINCT [type(i), t.id, area.id, properties(i)]) WHERE x[0] IS NOT NULL] "
    "+ [x IN collect(DISTINCT [type(r), a.id, t.id, properties(r)]) WHERE x[0] IS NOT NULL] AS rels")
READ_CITED_NUMBER = (
    f"MATCH (:{BASE_LABEL})-[r:{_CITES}]->(t:{BASE_LABEL}) WHERE r.c_number_key = $key "
    "RETURN DISTINCT t.id AS id")
READ_DOCUMENT_FACTS = (
    f"MATCH (n:{BASE_LABEL}) WHERE (n:Task OR n:Target) AND n.document IN $documents "
    "RETURN labels(n) AS labels, properties(n) AS props")
# Citation chains to a depth, outwards (what documents rest on) or inwards (who rests on them).


def read_citations(inwards: bool, depth: int) -> str:
    """Citation relationships on chains of up to ``depth`` hops from (or, ``inwards``, to)
    ``$sources``; the bound is spliced in because Cypher cannot take it as a parameter."""
    if not 1 <= depth <= 10:
        raise ValueError(f"depth {depth} outside 1..10")
    chain = (f"()-[:{_CITES}*1..{depth}]->(s:{BASE_LABEL})" if inwards
             else f"(s:{BASE_LABEL})-[:{_CITES}*1..{depth}]->()")
    return (f"MATCH p = {chain} WHERE s.id IN $sources "
            "UNWIND relationships(p) AS r WITH DISTINCT r RETURN type(r) AS type, "
            "startNode(r).id AS source, endNode(r).id AS target, properties(r) AS props")


READ_CITATIONS_OF = (
    f"MATCH (s:{BASE_LABEL})-[r:{_CITES}]->(t:{BASE_LABEL}) WHERE s.id IN $documents "
    "RETURN type(r) AS type, s.id AS source, t.id AS target, properties(r) AS props")

# --- the main questions, for people at the Neo4j Browser ----------------------------------
QUESTIONS: dict[str, tuple[str, str]] = {
    "who-leads": (
        "Ai chủ trì, ai phối hợp việc có cụm từ $phrase (không dấu) / who leads tasks about a phrase",
        "MATCH (d:Document)-[:HAS_TASK]->(t:Task)\n"
        "WHERE t.text_fold CONTAINS $phrase\n"
        f"OPTIONAL MATCH (a:Agency)-[r:{_ROLES}]->(t)\n"
        "RETURN d.number AS document, t.prov_section AS section, t.text AS task,\n"
        "       collect(type(r) + ': ' + a.name) AS agencies, t.prov_quote AS quote\n"
        "ORDER BY document, section"),
    "agency-roles": (
        "Cơ quan $agency giữ vai trò gì, ở văn bản nào, hạn nào / an agency's roles",
        f"MATCH (a:Agency)-[r:{_ROLES}]->(t:Task)<-[:HAS_TASK]-(d:Document)\n"
        "WHERE a.name = $agency OR $agency IN a.aliases\n"
        "RETURN type(r) AS role, d.number AS document, t.title AS task,\n"
        "       coalesce(r.r_deadline, t.deadline) AS deadline, r.prov_quote AS quote\n"
        "ORDER BY role, document"),
    "reporting-lines": (
        "Ai báo cáo cho ai / the leads of a task report to its report_to agencies",
        "MATCH (lead:Agency)-[:LEAD]->(t:Task)<-[rep:REPORT_TO]-(receiver:Agency)\n"
        "WHERE lead <> receiver\n"
        "RETURN lead.name AS reporter, receiver.name AS receiver, t.title AS task,\n"
        "       rep.r_deadline AS deadline, rep.prov_quote AS quote"),
    "citation-trace": (
        "Văn bản $number căn cứ, viện dẫn những gì, đến $depth bậc / what a document rests on",
        "MATCH (d:Document) WHERE d.number = $number OR d.number_inferred = $number\n"
        f"MATCH p = (d)-[:{_CITES}*1..3]->(cited)\n"
        "UNWIND relationships(p) AS r\n"
        "WITH DISTINCT r, startNode(r) AS citing, endNode(r) AS cited\n"
        "RETURN citing.number AS citing, type(r) AS relation, r.c_number AS cited_number,\n"
        "       r.c_date AS cited_date, cited:Document AS in_corpus, r.prov_quote AS quote"),
    "cited-by": (
        "Ai viện dẫn văn bản số $number / who cites a document number",
        f"MATCH (citing:Document)-[r:{_CITES}]->(cited)\n"
        "WHERE r.c_number = $number\n"
        "RETURN citing.number AS citing, citing.title AS title, type(r) AS relation,\n"
        "       r.prov_section AS section, r.prov_quote AS quote"),
    "unresolved-citations": (
        "Văn bản được viện dẫn nhưng chưa có trong kho / cited documents not in the corpus",
        f"MATCH (d:Document)-[r:{_CITES}]->(ref:Reference)\n"
        "RETURN ref.number AS number, ref.title AS title, count(DISTINCT d) AS cited_by\n"
        "ORDER BY cited_by DESC"),
    "targets-by-indicator": (
        "Chỉ tiêu gắn với chỉ số $indicator (PAR INDEX, SIPAS …) / targets measured by an indicator",
        "MATCH (d:Document)-[:SETS_TARGET]->(t:Target)-[:MEASURED_BY]->(i:Indicator)\n"
        "WHERE i.name = $indicator OR $indicator IN i.aliases\n"
        "RETURN d.number AS document, t.metric AS metric, t.comparator AS comparator,\n"
        "       t.value AS value, t.unit AS unit, t.year AS year, t.prov_quote AS quote"),
}


def all_statements() -> dict[str, str]:
    """Every statement this project sends, by name (what the Cypher lint test checks)."""
    from cchc_graph.graph.exports.neo4j_map import LABELS
    out = {f"schema-{i}": s for i, s in enumerate(SCHEMA)}
    out |= {f"merge-{lb}": merge_nodes(lb) for lb in LABELS.values()}
    out |= {f"merge-{t}": merge_rels(rel_type(t)) for t in (*ROLE_TYPES, *CITATION_TYPES, "has_task")}
    out |= {name: globals()[name] for name in globals() if name.startswith(("READ_", "DELETE_"))}
    out |= {"MERGE_META": MERGE_META, "COUNTS": COUNTS,
            "citations-out": read_citations(False, 3), "citations-in": read_citations(True, 3)}
    out |= {f"question-{k}": q for k, (_, q) in QUESTIONS.items()}
    return out
