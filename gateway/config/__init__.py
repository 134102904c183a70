"""Typed configuration: one pydantic model per section of `switchboard.yaml`.

`Section` is the base every section's model derives from (unknown keys are errors);
`load_settings` reads the YAML and expands `${env.NAME}` references; `ConfigError` reports
every problem with the key path it sits at. The gateway's root model is
`gateway.server.config.GatewayConfig`.
"""

from gateway.config.errors import ConfigError
from gateway.config.loading import load_settings, validate
from gateway.config.section import Section

__all__ = ["ConfigError", "Section", "load_settings", "validate"]
