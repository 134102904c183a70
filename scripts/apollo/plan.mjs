// Print Apollo's query plan for an operation against a supergraph.
// usage: node plan.mjs SUPERGRAPH.graphql QUERY.graphql [OPERATION_NAME]
import { readFileSync } from "node:fs";
import { Supergraph, operationFromDocument } from "@apollo/federation-internals";
import { QueryPlanner, prettyFormatQueryPlan } from "@apollo/query-planner";
import { parse } from "graphql";

const supergraph = Supergraph.build(readFileSync(process.argv[2], "utf8"));
const document = parse(readFileSync(process.argv[3], "utf8"));
const operation = operationFromDocument(supergraph.schema, document, {
  operationName: process.argv[4],
});
const planner = new QueryPlanner(supergraph);
process.stdout.write(prettyFormatQueryPlan(planner.buildQueryPlan(operation)) + "\n");
