"""`switchboard token` and `switchboard keys rotate`: the issuer's commands.

Both work on the installs subgraph's database (`--database-url`, else `DATABASE_URL`, else the
SQLite file `switchboard dev` uses). `token` is a development helper: without
`SWITCHBOARD_IDENTITY_SECRET` it uses the public dev secret, and without `SWITCHBOARD_ISSUER` the
issuer of `switchboard dev --port P`, as `switchboard dev` does. `keys rotate` touches real
keys, so it requires the secret from the environment.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

# The parser is built for every command; the database and JOSE stack load only for these two.
from subgraphs.installs.oauth.config import (
    DEV_SECRET,
    ISSUER_VARIABLE,
    SECRET_VARIABLE,
    ConfigurationError,
    IdentityConfig,
)


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    token = commands.add_parser("token", help="mint an access token from the dev issuer")
    who = token.add_mutually_exclusive_group(required=True)
    who.add_argument("--app", metavar="SLUG", help="an integration's token")
    who.add_argument("--user", metavar="EMAIL", help="a person's token")
    token.add_argument("--workspace", metavar="SLUG", help="with --app: for its installation there")
    token.add_argument("--scopes", default=None, help="space-separated; default: all held")
    token.add_argument(
        "--port",
        type=int,
        default=4000,
        help="the port of the `switchboard dev` gateway the token is for (its issuer is the "
        "installs subgraph beside it; SWITCHBOARD_ISSUER overrides)",
    )
    token.add_argument(
        "--database-url",
        default=None,
        help="installs database (default: DATABASE_URL or SQLite)",
    )

    keys = commands.add_parser("keys", help="the issuer's signing keys")
    actions = keys.add_subparsers(dest="keys_command", required=True)
    rotate = actions.add_parser("rotate", help="sign with a new key; retire the old ones")
    rotate.add_argument(
        "--database-url",
        default=None,
        help="installs database (default: DATABASE_URL or SQLite)",
    )


def run(args: argparse.Namespace) -> int:
    from subgraphs.installs.oauth.dev_tokens import TokenRequestError

    try:
        if args.command == "token":
            if args.workspace is not None and args.app is None:
                print("switchboard token: --workspace goes with --app", file=sys.stderr)
                return 2
            print(asyncio.run(_token(args)))
            return 0
        print(f"new signing key: {asyncio.run(_rotate(args))}")
        return 0
    except (TokenRequestError, ConfigurationError) as error:
        print(f"switchboard {args.command}: {error}", file=sys.stderr)
        return 1


def _config(*, dev_port: int | None = None) -> IdentityConfig:
    """The issuer's configuration from the environment; with `dev_port`, what the environment
    leaves unset is `switchboard dev --port dev_port`'s."""
    environment = dict(os.environ)
    if dev_port is not None:
        from gateway.dev import dev_issuer

        environment[SECRET_VARIABLE] = environment.get(SECRET_VARIABLE) or DEV_SECRET
        environment.setdefault(ISSUER_VARIABLE, dev_issuer(dev_port))
    config = IdentityConfig.from_environment(environment)
    if config is None:
        raise ConfigurationError(f"set {SECRET_VARIABLE} (the issuer's secret)")
    return config


async def _token(args: argparse.Namespace) -> str:
    from subgraphs.common.database import Database, default_url
    from subgraphs.common.migrations import upgrade
    from subgraphs.installs.oauth.dev_tokens import mint

    config = _config(dev_port=args.port)
    database = Database(args.database_url or default_url("installs"))
    try:
        await upgrade(database, "installs")
        return await mint(
            database,
            config,
            app_slug=args.app,
            workspace_slug=args.workspace,
            user_email=args.user,
            scopes=args.scopes,
        )
    finally:
        await database.dispose()


async def _rotate(args: argparse.Namespace) -> str:
    from subgraphs.common.database import Database, default_url
    from subgraphs.common.migrations import upgrade
    from subgraphs.installs.oauth.keys import Keyring

    config = _config()
    database = Database(args.database_url or default_url("installs"))
    try:
        await upgrade(database, "installs")
        return await Keyring(database, config.key_encryption_key).rotate()
    finally:
        await database.dispose()
