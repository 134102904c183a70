// Subscribe with a real JavaScript client and print what arrives, one JSON object per line:
// {"next": payload} per event, then {"complete": true} or {"error": ...}.
//
//   node subscribe.mjs '{"protocol": "ws" | "sse", "url": ..., "token": ..., "query": ...,
//                        "variables": {...}, "count": N, "extraMs": M, "timeoutMs": T}'
//
// It stops after `count` events (then waits `extraMs` for any event that should not come),
// when the server completes or fails the subscription, or after `timeoutMs`.
import { createClient as createWsClient } from "graphql-ws";
import { createClient as createSseClient } from "graphql-sse";
import WebSocket from "ws";

const options = JSON.parse(process.argv[2]);
const print = (value) => process.stdout.write(JSON.stringify(value) + "\n");
const authorization = options.token ? `Bearer ${options.token}` : undefined;

function client() {
  if (options.protocol === "ws") {
    return createWsClient({
      url: options.url,
      webSocketImpl: WebSocket,
      connectionParams: authorization ? { Authorization: authorization } : {},
      retryAttempts: 0,
      lazy: true,
    });
  }
  return createSseClient({
    url: options.url,
    headers: authorization ? { Authorization: authorization } : {},
    retryAttempts: 0,
  });
}

const subscriber = client();
let received = 0;
let finish;
const done = new Promise((resolve) => (finish = resolve));
const timer = setTimeout(() => {
  print({ timeout: true });
  finish();
}, options.timeoutMs ?? 20000);

const unsubscribe = subscriber.subscribe(
  { query: options.query, variables: options.variables ?? {} },
  {
    next: (payload) => {
      print({ next: payload });
      received += 1;
      if (options.count && received === options.count) {
        setTimeout(finish, options.extraMs ?? 0);
      }
    },
    error: (error) => {
      const described =
        error instanceof Error
          ? { message: error.message }
          : Array.isArray(error)
            ? { errors: error }
            : error && typeof error === "object" && "code" in error
              ? { code: error.code, reason: error.reason }
              : { value: String(error) };
      print({ error: described });
      finish();
    },
    complete: () => {
      print({ complete: true });
      finish();
    },
  },
);

print({ subscribed: true });
await done;
clearTimeout(timer);
unsubscribe();
await subscriber.dispose();
process.exit(0);
