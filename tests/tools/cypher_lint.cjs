// Lint Cypher with Neo4j's own front end (npm @neo4j-cypher/language-support).
// stdin: {"statements": {name: query}, "parameters": {name: example value}}
// stdout: {name: [error messages]} (errors only; warnings about the schema are ignored).
const ls = require(process.env.CYPHER_LINT_MODULE || '@neo4j-cypher/language-support');
let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => {
  const { statements, parameters } = JSON.parse(input);
  const out = {};
  for (const [name, query] of Object.entries(statements)) {
    const res = ls.lintCypherQuery(query, { parameters });
    out[name] = res.diagnostics.filter((d) => d.severity === 1).map((d) => d.message);
  }
  process.stdout.write(JSON.stringify(out));
});
