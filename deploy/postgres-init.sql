-- One database per subgraph (docs/architecture.md §1: each subgraph owns its data).
CREATE DATABASE apps OWNER switchboard;
CREATE DATABASE installs OWNER switchboard;
CREATE DATABASE marketplace OWNER switchboard;
CREATE DATABASE metrics OWNER switchboard;
