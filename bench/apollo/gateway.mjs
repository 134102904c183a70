// Apollo Gateway (@apollo/gateway + @apollo/server standalone) serving a supergraph file, as the
// baseline the benchmark compares against. Defaults as shipped: query plan cache on, the
// gateway's own fetcher, no usage reporting (no APOLLO_KEY).
// usage: node gateway.mjs SUPERGRAPH.graphql HOST PORT
import { readFileSync } from "node:fs";
import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";

const [supergraphPath, host, port] = process.argv.slice(2);
const gateway = new ApolloGateway({ supergraphSdl: readFileSync(supergraphPath, "utf8") });
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, { listen: { host, port: Number(port) } });
console.log(`Apollo Gateway ready at ${url}`);

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, async () => {
    await server.stop();
    process.exit(0);
  });
}
