// Apollo's side of the scale benchmark: one measurement, printed as one JSON line.
// usage: node scale.mjs compose SERVICES.json OUT.graphql
//        node scale.mjs plan SUPERGRAPH.graphql OPERATIONS.json
// `compose` times composeServices (parsing the subgraph SDL included, as ours includes it);
// `plan` builds the supergraph and the query planner, then times the first (cold)
// buildQueryPlan of each operation. Peak RSS is the process's (resourceUsage().maxRSS, KiB).
import { readFileSync, writeFileSync } from "node:fs";
import { composeServices } from "@apollo/composition";
import { Supergraph, operationFromDocument } from "@apollo/federation-internals";
import { QueryPlanner, prettyFormatQueryPlan } from "@apollo/query-planner";
import { parse } from "graphql";

const [command, first, second] = process.argv.slice(2);
const peakRssKib = () => process.resourceUsage().maxRSS;

if (command === "compose") {
  const services = JSON.parse(readFileSync(first, "utf8"));
  const started = performance.now();
  const result = composeServices(
    services.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })),
  );
  const seconds = (performance.now() - started) / 1000;
  if (result.errors) {
    const messages = result.errors.slice(0, 5).map((e) => `${e.extensions?.code}: ${e.message}`);
    console.log(JSON.stringify({ error: messages.join("; ") }));
    process.exit(1);
  }
  writeFileSync(second, result.supergraphSdl);
  console.log(JSON.stringify({ seconds, peak_rss_kib: peakRssKib() }));
} else if (command === "plan") {
  const supergraph = Supergraph.build(readFileSync(first, "utf8"));
  const planner = new QueryPlanner(supergraph);
  const operations = JSON.parse(readFileSync(second, "utf8"));
  const seconds = {};
  const fetches = {};
  for (const [name, text] of Object.entries(operations)) {
    const operation = operationFromDocument(supergraph.schema, parse(text), { operationName: name });
    const started = performance.now();
    const plan = planner.buildQueryPlan(operation);
    seconds[name] = (performance.now() - started) / 1000;
    fetches[name] = (prettyFormatQueryPlan(plan).match(/Fetch\(service:/g) ?? []).length;
  }
  console.log(JSON.stringify({ seconds, fetches, peak_rss_kib: peakRssKib() }));
} else {
  console.error(`unknown command ${command}`);
  process.exit(2);
}
