"""One package per federation conformance scenario; see tests/conformance/README.md."""
