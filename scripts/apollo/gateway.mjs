// Serve an Apollo Gateway over a supergraph file, for recording reference responses.
// usage: node gateway.mjs SUPERGRAPH.graphql PORT
// Prints "ready" once it listens. Stack traces are left out of errors, as in production.
import { readFileSync } from "node:fs";
import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";

const gateway = new ApolloGateway({ supergraphSdl: readFileSync(process.argv[2], "utf8") });
const server = new ApolloServer({
  gateway,
  includeStacktraceInErrorResponses: false,
  introspection: true,
  csrfPrevention: false,
});
await startStandaloneServer(server, { listen: { port: Number(process.argv[3]), host: "127.0.0.1" } });
console.log("ready");
