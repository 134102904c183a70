"""The platform's OAuth 2 authorization server, hosted by the installs subgraph.

authlib's server components validate the protocol (grants, PKCE, client authentication, error
responses); joserfc signs and verifies the JWTs. authlib is synchronous and the databases are
not, so each request first loads what it may need (`exchange.py`), then runs authlib, then
applies what authlib decided in one transaction. The contract for the tokens is
`docs/design/tokens.md`; the flows, as request sequences, are `docs/design/identity.md`.
"""
