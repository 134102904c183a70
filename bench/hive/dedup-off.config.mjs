// Hive Gateway with in-flight deduplication of subgraph requests turned off, through the
// transport option its documentation gives for that ("Deduplicate Inflight Requests").
// usage: hive-gateway supergraph FILE --config-path dedup-off.config.mjs
export const gatewayConfig = {
  transportEntries: {
    "*.http": { options: { deduplicateInflightRequests: false } },
  },
};
