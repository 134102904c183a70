"""The transport stage: the gateway's HTTP and websocket application."""

from gateway.server.app import create_app
from gateway.server.config import ConfigError, GatewayConfig

__all__ = ["ConfigError", "GatewayConfig", "create_app"]
