"""The frontdesk command: serve, migrate, demo, kb import, taxonomy import/export, user add."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from pydantic import ValidationError

from frontdesk.accounts.models import Role
from frontdesk.accounts.policy import password_problem
from frontdesk.db.migrate import migrate
from frontdesk.errors import FrontdeskError
from frontdesk.events import NobodyListens
from frontdesk.logs import configure_logging
from frontdesk.services import Services
from frontdesk.settings import Settings


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        print(
            f"frontdesk: {error.errors()[0]['msg'].removeprefix('Value error, ')}", file=sys.stderr
        )
        return 2
    configure_logging(settings)
    try:
        return int(args.run(settings, args) or 0)
    except FrontdeskError as error:
        print(f"frontdesk: {error.message}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="frontdesk", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the portal with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(run=_serve)

    commands.add_parser("migrate", help="bring the store's schema up to date").set_defaults(
        run=lambda settings, args: _with_services(settings, _migrate)
    )
    commands.add_parser("demo", help="add the demo accounts and data (idempotent)").set_defaults(
        run=_demo
    )

    kb = commands.add_parser("kb", help="the knowledge base").add_subparsers(required=True)
    kb_import = kb.add_parser(
        "import", help="load articles/*.md and discussions/*.md from a folder (idempotent)"
    )
    kb_import.add_argument("folder", type=Path)
    kb_import.set_defaults(run=_kb_import)

    taxonomy = commands.add_parser(
        "taxonomy", help="the Contact Us taxonomy and office hours, kept in the store"
    ).add_subparsers(required=True)
    tax_import = taxonomy.add_parser("import", help="check a YAML file and save it as a version")
    tax_import.add_argument("file", type=Path)
    tax_import.set_defaults(run=_taxonomy_import)
    tax_export = taxonomy.add_parser("export", help="the version in use, as YAML")
    tax_export.add_argument("file", type=Path, nargs="?", help="standard output when not given")
    tax_export.set_defaults(run=_taxonomy_export)

    user = commands.add_parser("user", help="manage users").add_subparsers(required=True)
    add = user.add_parser("add", help="add a verified user with a role")
    add.add_argument("email")
    add.add_argument("--role", choices=[role.value for role in Role], default="customer")
    add.add_argument("--username", help="defaults to the email address")
    add.add_argument("--first-name", required=True)
    add.add_argument("--last-name", required=True)
    add.add_argument("--country", default="GB")
    add.add_argument("--password", help="read from the terminal when not given")
    add.set_defaults(run=_user_add)
    return parser


def _with_services(settings: Settings, work: Callable[[Services], Awaitable[None]]) -> int:
    async def run() -> None:
        services = Services.build(settings, notifier=NobodyListens())
        try:
            await work(services)
        finally:
            await services.aclose()

    asyncio.run(run())
    return 0


async def _migrate(services: Services) -> None:
    await migrate(services.engine)
    print("migrated to the newest schema")


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    if settings.env == "production":
        print("frontdesk: refusing to load demo accounts into production", file=sys.stderr)
        return 2
    from frontdesk.demo import load_demo_data

    async def work(services: Services) -> None:
        await migrate(services.engine)
        accounts = await load_demo_data(services)
        print("\nDemo sign-ins (username / password):")
        for account in accounts:
            print(f"  {account.role.value:<10}  {account.username:<32} {account.password}")

    return _with_services(settings, work)


def _kb_import(settings: Settings, args: argparse.Namespace) -> int:
    from frontdesk.kb.importer import import_folder

    async def work(services: Services) -> None:
        await migrate(services.engine)
        report = await import_folder(
            services.kb, services.community, args.folder, show_progress=True
        )
        print(f"imported {args.folder}: {report}")

    return _with_services(settings, work)


def _taxonomy_import(settings: Settings, args: argparse.Namespace) -> int:
    from frontdesk.intake.taxonomy import TaxonomyError, load_taxonomy

    try:
        taxonomy = load_taxonomy(args.file)
    except TaxonomyError as error:
        print(f"frontdesk: {error}", file=sys.stderr)
        return 2

    async def work(services: Services) -> None:
        await migrate(services.engine)
        await services.taxonomy.load()
        saved = await services.taxonomy.save_taxonomy(None, taxonomy)
        print(f"saved version {saved.version}: {saved.summary}")

    return _with_services(settings, work)


def _taxonomy_export(settings: Settings, args: argparse.Namespace) -> int:
    from frontdesk.intake.exchange import as_yaml

    async def work(services: Services) -> None:
        await migrate(services.engine)
        await services.taxonomy.load()
        text = as_yaml(services.taxonomy.current(), services.taxonomy.version)
        if args.file is None:
            sys.stdout.write(text)
        else:
            args.file.write_text(text, encoding="utf-8")
            print(f"exported version {services.taxonomy.version} to {args.file}")

    return _with_services(settings, work)


def _user_add(settings: Settings, args: argparse.Namespace) -> int:
    password = args.password or getpass.getpass("Password: ")
    problem = password_problem(password)
    if problem:
        print(f"frontdesk: {problem}", file=sys.stderr)
        return 2

    async def work(services: Services) -> None:
        user = await services.accounts.add_user(
            email=args.email,
            username=args.username or args.email,
            password=password,
            first_name=args.first_name,
            last_name=args.last_name,
            role=Role(args.role),
            country=args.country.upper(),
        )
        print(f"added {user.role.value} {user.username} (id {user.id})")

    return _with_services(settings, work)


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import os

    import uvicorn

    # The workers read their settings from the environment: unless told otherwise, the
    # portal's address is the one it serves, so sockets accept its pages and emailed
    # links point at it. An empty value (`FRONTDESK_PUBLIC_URL= frontdesk serve`) is unset.
    if not os.environ.get("FRONTDESK_PUBLIC_URL"):
        wildcard = args.host in ("0.0.0.0", "::", "")  # noqa: S104 (only compared)
        host = "127.0.0.1" if wildcard else args.host
        host = f"[{host}]" if ":" in host else host
        os.environ["FRONTDESK_PUBLIC_URL"] = f"http://{host}:{args.port}"
    from frontdesk.intake.taxonomy import TaxonomyError

    try:
        _print_chat_hours(settings)
    except TaxonomyError as error:  # stop here, not with a traceback in every worker
        print(f"frontdesk: {error}", file=sys.stderr)
        return 2
    print(f"frontdesk serving {os.environ['FRONTDESK_PUBLIC_URL']}", flush=True)

    uvicorn.run(
        "frontdesk.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        log_config=None,  # keep our structured logging
    )
    return 0


def _print_chat_hours(settings: Settings) -> None:
    """Which customer groups have live chat now: a newcomer trying chat on a Sunday
    learns to pick the demo's group rather than meeting "Chat opens again Monday".
    The hours are the store's version in use, which admins edit (the file only seeds an
    empty store), so the banner says what customers will meet."""
    from sqlalchemy.exc import SQLAlchemyError

    from frontdesk.business_hours import BusinessCalendar
    from frontdesk.clock import SystemClock
    from frontdesk.intake.options import chat_hours_report

    async def work(services: Services) -> None:
        if settings.migrate_on_start:
            await migrate(services.engine)
        try:
            await services.taxonomy.load()  # stores the file as version 1 if none yet
        except (SQLAlchemyError, OSError) as error:  # the workers will say it, at length
            print(f"frontdesk: no chat hours: the store is not ready ({error})", file=sys.stderr)
            return
        versions = services.taxonomy
        now = SystemClock().now()
        print(f"live chat by customer group, UK time (taxonomy version {versions.version}):")
        for line in chat_hours_report(versions.current(), BusinessCalendar(), now):
            print(f"  {line}")

    _with_services(settings, work)
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
