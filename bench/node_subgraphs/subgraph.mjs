// One benchmark subgraph as a Node developer would write it: graphql-js executing a schema built
// by @apollo/subgraph's buildSubgraphSchema, served by node:http. No answer cache: every request
// is executed. Parsed and validated documents are kept by query text (as graphql-yoga and
// Apollo Server do), so what is measured is execution, not parsing.
// usage: node subgraph.mjs NAME HOST PORT DATA.json
// DATA.json (written by bench/node_subgraphs.py): {"sdl": {name: SDL}, "users": [...],
// "products": [...], "reviews": [...]}, the records of bench/subgraphs/data.py.
// GET /_bench/requests answers {"requests": N}: the GraphQL requests served so far.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { execute, parse, specifiedRules, validate } from "graphql";

const [name, host, port, dataPath] = process.argv.slice(2);
const data = JSON.parse(readFileSync(dataPath, "utf8"));
const usersById = new Map(data.users.map((user) => [user.id, user]));
const productsByUpc = new Map(data.products.map((product) => [product.upc, product]));
const reviewsByAuthor = groupBy(data.reviews, (review) => review.authorId);
const reviewsByProduct = groupBy(data.reviews, (review) => review.productUpc);

function groupBy(items, key) {
  const groups = new Map();
  for (const item of items) {
    const group = groups.get(key(item)) ?? [];
    group.push(item);
    groups.set(key(item), group);
  }
  return groups;
}

// The rules of bench/subgraphs/data.py.
const inStock = (upc) => Number(upc) % 4 !== 0;
const shippingEstimate = (price, weight) =>
  price == null || weight == null ? null : price > 1000 ? 0 : Math.floor(weight / 2);

const resolvers = {
  accounts: {
    Query: { me: () => data.users[0], users: () => data.users },
    User: { __resolveReference: (reference) => usersById.get(String(reference.id)) ?? null },
  },
  products: {
    Query: { topProducts: (_, { first }) => data.products.slice(0, first) },
    Product: {
      __resolveReference: (reference) => productsByUpc.get(String(reference.upc)) ?? null,
    },
  },
  inventory: {
    Product: {
      __resolveReference: (reference) =>
        productsByUpc.has(String(reference.upc))
          ? {
              upc: String(reference.upc),
              price: reference.price,
              weight: reference.weight,
              inStock: inStock(reference.upc),
            }
          : null,
      shippingEstimate: (product) => shippingEstimate(product.price, product.weight),
    },
  },
  reviews: {
    Review: {
      author: (review) => {
        const user = usersById.get(review.authorId);
        return { id: user.id, username: user.username };
      },
      product: (review) => ({ upc: review.productUpc }),
    },
    User: {
      __resolveReference: (reference) =>
        usersById.has(String(reference.id)) ? { id: String(reference.id) } : null,
      reviews: (user) => reviewsByAuthor.get(user.id) ?? [],
    },
    Product: {
      __resolveReference: (reference) =>
        productsByUpc.has(String(reference.upc)) ? { upc: String(reference.upc) } : null,
      reviews: (product) => reviewsByProduct.get(product.upc) ?? [],
    },
  },
}[name];
if (resolvers === undefined) throw new Error(`unknown subgraph ${name}`);

const schema = buildSubgraphSchema({ typeDefs: parse(data.sdl[name]), resolvers });
const documents = new Map();
let served = 0;

function prepared(query) {
  let entry = documents.get(query);
  if (entry === undefined) {
    try {
      const document = parse(query);
      const errors = validate(schema, document, specifiedRules);
      entry = errors.length ? { errors } : { document };
    } catch (error) {
      entry = { errors: [error] };
    }
    if (documents.size < 1000) documents.set(query, entry);
  }
  return entry;
}

function answer(response, status, body) {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(payload),
  });
  response.end(payload);
}

const server = createServer((request, response) => {
  if (request.method !== "POST") {
    answer(response, 200, request.url === "/_bench/requests" ? { requests: served } : { status: "ok" });
    return;
  }
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", async () => {
    served += 1;
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      answer(response, 400, { errors: [{ message: "invalid JSON" }] });
      return;
    }
    const { document, errors } = prepared(String(body.query ?? ""));
    if (errors) {
      answer(response, 200, { errors: errors.map((error) => ({ message: error.message })) });
      return;
    }
    const result = await execute({
      schema,
      document,
      variableValues: body.variables ?? undefined,
      operationName: body.operationName ?? undefined,
    });
    answer(response, 200, result);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(port), host, () => console.log(`${name} subgraph (node) at ${host}:${port}`));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
