"""Alembic environment: runs migrations over the async engine of the settings in use."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from frontdesk.db.engine import dispose, make_engine
from frontdesk.db.tables import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    async with engine.connect() as conn:
        await conn.run_sync(_run)
        await conn.commit()
    await dispose(engine)


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `frontdesk migrate`")
# A connection handed in by frontdesk.db.migrate (`serve`, `migrate`, tests) is used as it is.
if config.attributes.get("connection") is not None:
    _run(config.attributes["connection"])
else:
    asyncio.run(_run_async())
