// Apollo's answers for many fixtures in one process: what scripts/verify_fixtures.py compares
// the checked-in recordings with (one node start instead of one per fixture).
// usage: node record.mjs JOBS.json > ANSWERS.json
//   JOBS.json: [{"compose": [{"name", "url", "sdl"}]}
//              | {"plan": {"supergraph": SDL, "query": TEXT, "labels": [..] | null}}]
//   ANSWERS.json: one {"text": ...} or {"errors": ["CODE: message", ...]} per job, in order.
// A plan's labels work as in tests/fixtures/planning/plan.mjs: with a list, exactly those
// progressive-override labels are on; with null, `percent(N)` labels with N >= 100 are on.
import { readFileSync } from "node:fs";
import { composeServices } from "@apollo/composition";
import { Supergraph, operationFromDocument } from "@apollo/federation-internals";
import { QueryPlanner, prettyFormatQueryPlan } from "@apollo/query-planner";
import { parse } from "graphql";

function compose(subgraphs) {
  const result = composeServices(
    subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })),
  );
  if (result.errors) {
    return { errors: result.errors.map((e) => `${e.extensions?.code ?? "ERROR"}: ${e.message}`) };
  }
  return { text: result.supergraphSdl };
}

function overrideConditions(sdl, labels) {
  const conditions = new Map();
  if (labels !== null) {
    for (const [, label] of sdl.matchAll(/overrideLabel: "([^"]+)"/g)) {
      conditions.set(label, labels.includes(label));
    }
  } else {
    for (const [, label, percent] of sdl.matchAll(/overrideLabel: "(percent\(([0-9.]+)\))"/g)) {
      conditions.set(label, Number(percent) >= 100);
    }
  }
  return conditions;
}

const planners = new Map(); // one planner per supergraph text
function plan({ supergraph, query, labels }) {
  if (!planners.has(supergraph)) {
    const built = Supergraph.build(supergraph);
    planners.set(supergraph, { built, planner: new QueryPlanner(built) });
  }
  const { built, planner } = planners.get(supergraph);
  const operation = operationFromDocument(built.schema, parse(query), {});
  const queryPlan = planner.buildQueryPlan(operation, {
    overrideConditions: overrideConditions(supergraph, labels),
  });
  return { text: prettyFormatQueryPlan(queryPlan) };
}

const answers = JSON.parse(readFileSync(process.argv[2], "utf8")).map((job) => {
  try {
    return job.compose ? compose(job.compose) : plan(job.plan);
  } catch (error) {
    return { errors: [`EXCEPTION: ${error.message}`] };
  }
});
process.stdout.write(JSON.stringify(answers));
