"""Load generators: wrk (preferred) and a built-in asyncio fallback, same result shape."""
