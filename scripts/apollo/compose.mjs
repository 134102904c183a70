// Compose subgraph SDLs into a supergraph with Apollo's composition.
// usage: node compose.mjs SUBGRAPHS.json > supergraph.graphql
//   SUBGRAPHS.json: [{"name": "products", "url": "http://products/graphql", "sdl": "..."}]
// Prints composition errors (code and message) to stderr and exits 1 when it fails.
import { readFileSync } from "node:fs";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";

const subgraphs = JSON.parse(readFileSync(process.argv[2], "utf8"));
const result = composeServices(
  subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })),
);
if (result.errors) {
  for (const error of result.errors) {
    console.error(`${error.extensions?.code ?? "ERROR"}: ${error.message}`);
  }
  process.exit(1);
}
for (const hint of result.hints ?? []) console.error(`hint ${hint.definition.code}: ${hint.message}`);
process.stdout.write(result.supergraphSdl);
