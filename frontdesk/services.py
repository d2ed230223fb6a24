"""The parts one node runs with: store, Redis, services, background loops."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from frontdesk.accounts.people import People
from frontdesk.accounts.service import AccountService
from frontdesk.audit.service import AuditLog
from frontdesk.business_hours import BusinessCalendar
from frontdesk.cases.assignment import CaseAssignment
from frontdesk.cases.attachments import AttachmentFiles
from frontdesk.cases.finder import CaseFinder
from frontdesk.cases.service import CaseService
from frontdesk.cases.sla import ReplyTargets
from frontdesk.cases.staff import CaseWork
from frontdesk.cases.uploads import CaseAttachments
from frontdesk.chat.agents import ChatAgents
from frontdesk.chat.case_board import CaseBoard
from frontdesk.chat.chats import ChatService
from frontdesk.chat.csat_board import CsatBoard
from frontdesk.chat.desk import SupervisorDesk
from frontdesk.chat.figures import SupervisorFigures
from frontdesk.chat.files import ChatFiles
from frontdesk.chat.heartbeats import ChatHeartbeats
from frontdesk.chat.idle import CHECK_SECONDS as IDLE_CHECK_SECONDS
from frontdesk.chat.idle import IdleAgents
from frontdesk.chat.lifecycle import LiveChat
from frontdesk.chat.positions import CustomerPositions
from frontdesk.chat.states import ChatStates
from frontdesk.chat.timeouts import ChatTimeouts
from frontdesk.clock import Clock, SystemClock
from frontdesk.db.engine import dispose, make_engine
from frontdesk.db.migrate import migrate
from frontdesk.events import Notifier
from frontdesk.fanout import FanoutWatch
from frontdesk.intake.human_check import HumanCheck
from frontdesk.intake.service import IntakeService
from frontdesk.intake.taxonomy import DEFAULT_TAXONOMY, DEMO_TAXONOMY, load_taxonomy
from frontdesk.intake.versions import REFRESH_SECONDS, TaxonomyVersions
from frontdesk.kb.community import Community
from frontdesk.kb.service import KnowledgeBase
from frontdesk.loops import Loops
from frontdesk.mail import OutboxSender
from frontdesk.metrics import Metrics
from frontdesk.queue.backend import QueueBackend
from frontdesk.queue.memory_backend import MemoryQueueBackend
from frontdesk.queue.redis_backend import POOL_WAIT_SECONDS, RedisQueueBackend
from frontdesk.queue.router import Router, Timings
from frontdesk.ratings.service import Ratings
from frontdesk.redis_pool import ReleasingPool
from frontdesk.replies.service import CannedReplies
from frontdesk.settings import Settings
from frontdesk.team import Team

log = logging.getLogger("frontdesk")


def _live_chat(
    settings: Settings,
    clock: Clock,
    engine: AsyncEngine,
    calendar: BusinessCalendar,
    intake: IntakeService,
    chats: ChatService,
    queue: QueueBackend,
    metrics: Metrics,
    notifier: Notifier,
    case_board: CaseBoard,
    files: ChatFiles,
    ratings: Ratings,
    rated: asyncio.Event,
) -> LiveChat:
    timings = Timings(
        offer_seconds=settings.chat_offer_seconds,
        grace_seconds=settings.chat_grace_seconds,
        reoffer_seconds=settings.chat_reoffer_seconds,
        customer_grace_seconds=settings.chat_customer_grace_seconds,
        max_wait=timedelta(minutes=settings.chat_max_wait_minutes),
        capacity=settings.chat_capacity,
    )
    router = Router(queue, calendar, lambda: intake.taxonomy().groups, timings)
    states = ChatStates(engine)
    positions = CustomerPositions(router, states, notifier)
    csat = CsatBoard(ratings, router.group_name, notifier, metrics, wake=rated)
    return LiveChat(
        chats=chats,
        states=states,
        agents=ChatAgents(engine, clock, settings.chat_capacity, settings.away_reason_list),
        router=router,
        figures=SupervisorFigures(
            router, states, positions, clock, metrics, notifier, case_board, csat
        ),
        positions=positions,
        clock=clock,
        notifier=notifier,
        files=files,
        ratings=ratings,
    )


PURGE_EVERY_SECONDS = 600.0
# How often each node looks for call-us cases to close; every node may, safely.
CALL_SWEEP_SECONDS = 60.0
READY_TIMEOUT_SECONDS = 2.0


@dataclass
class Services:
    settings: Settings
    clock: Clock
    engine: AsyncEngine
    redis: Redis | None
    accounts: AccountService
    intake: IntakeService
    cases: CaseService
    case_work: CaseWork
    finder: CaseFinder
    assignment: CaseAssignment
    case_board: CaseBoard
    attachments: CaseAttachments
    chats: ChatService
    queue: QueueBackend
    live: LiveChat
    ratings: Ratings
    csat_board: CsatBoard
    timeouts: ChatTimeouts
    heartbeats: ChatHeartbeats
    idle: IdleAgents
    kb: KnowledgeBase
    community: Community
    outbox: OutboxSender
    metrics: Metrics
    fanout: FanoutWatch | None
    redis_pools: dict[str, ReleasingPool]
    team: Team
    audit: AuditLog
    people: People
    taxonomy: TaxonomyVersions
    replies: CannedReplies
    _loops: Loops = field(default_factory=Loops)

    @classmethod
    def build(
        cls,
        settings: Settings,
        clock: Clock | None = None,
        *,
        notifier: Notifier,
        metrics: Metrics | None = None,
        fanout: FanoutWatch | None = None,
        redis_pools: dict[str, ReleasingPool] | None = None,
    ) -> Services:
        """Construct every part; nothing connects until `start`. The notifier tells
        connected people of changes: the socket server's, or NobodyListens for a
        command that serves no sockets. `fanout` watches the Redis fan-out between
        nodes, where there is one: readiness reports it, and heartbeats go out at once
        when it comes back. `redis_pools` are other pools of the node (the fan-out's)
        whose idle connections the node closes and whose size it reports."""
        clock = clock or SystemClock()
        engine = make_engine(settings.database_url, pool_size=settings.database_pool_size)
        metrics = metrics or Metrics()
        # The queue backend reads str, not bytes (RedisQueueBackend's contract). Past the
        # pool's size a call waits its turn (redis_pool.py).
        pools = dict(redis_pools or {})
        if settings.redis_url:
            pools["commands"] = ReleasingPool.for_url(
                settings.redis_url,
                size=settings.redis_pool_size,
                idle_seconds=settings.redis_idle_seconds,
                wait_seconds=POOL_WAIT_SECONDS,
                name=f"frontdesk:{settings.node_id}:commands",
                decode_responses=True,
            )
        redis = Redis.from_pool(pools["commands"]) if "commands" in pools else None
        for name, pool in pools.items():
            metrics.watch_redis_pool(name, pool)
        outbox = OutboxSender(
            engine, clock, smtp_url=settings.smtp_url, mail_from=settings.mail_from,
            organisation_name=settings.organisation_name,
        )  # fmt: skip
        # The store keeps the taxonomy; the file seeds an empty store (and serves until
        # `start`). A bad file stops the start here, with a message naming the place.
        audit = AuditLog(engine, clock)
        seed = taxonomy_file(settings)
        taxonomy = TaxonomyVersions(engine, clock, audit, load_taxonomy(seed), seed.name)
        calendar = BusinessCalendar()
        contact_check = HumanCheck(
            settings.secret_key, max_counter=settings.contact_check_max_counter
        )
        intake = IntakeService(taxonomy, calendar, clock, contact_check)
        finder = CaseFinder(engine, clock, intake, timedelta(hours=settings.case_due_soon_hours))
        case_board = CaseBoard(finder, notifier, metrics)
        cases = CaseService(
            engine, clock, intake, organisation=settings.organisation_name,
            mail_queued=outbox.wake, changed=case_board.changed, public_url=settings.public_url,
        )  # fmt: skip
        # Routing state: in this process alone, or in Redis, which every node shares.
        queue: QueueBackend = (
            RedisQueueBackend(redis, f"{settings.redis_prefix}queue:")
            if redis is not None
            else MemoryQueueBackend()
        )
        # A rating given on this node wakes the dashboard's recount of satisfaction.
        rated = asyncio.Event()
        ratings = Ratings(
            engine, clock, secret_key=settings.secret_key, public_url=settings.public_url,
            link_days=settings.rating_link_days, rated=rated.set,
        )  # fmt: skip
        targets = ReplyTargets(calendar, intake.group_hours)
        chats = ChatService(
            engine, clock, targets, mail_queued=outbox.wake,
            transcript_email=settings.chat_transcript_email, ended=ratings.ask_for_chat,
            public_url=settings.public_url,
        )  # fmt: skip
        ratings.chats_from(chats.access_chat)
        attachments = CaseAttachments(
            engine, clock, AttachmentFiles(settings.data_dir / "attachments")
        )
        live = _live_chat(
            settings, clock, engine, calendar, intake, chats, queue, metrics, notifier,
            case_board, ChatFiles(engine, clock, attachments), ratings, rated,
        )  # fmt: skip
        intake.staffed_by(live.chat_staffed)  # Contact Us offers chat only when staffed
        accounts = AccountService(engine, clock, settings, mail_queued=outbox.wake)
        case_work = CaseWork(
            engine, clock, intake, mail_queued=outbox.wake, changed=case_board.changed,
            rating_link=ratings.ask_for_case, public_url=settings.public_url,
        )  # fmt: skip
        return cls(
            settings=settings,
            clock=clock,
            engine=engine,
            redis=redis,
            accounts=accounts,
            intake=intake,
            cases=cases,
            case_work=case_work,
            finder=finder,
            assignment=CaseAssignment(engine, clock, case_board.changed),
            case_board=case_board,
            attachments=attachments,
            chats=chats,
            queue=queue,
            live=live,
            ratings=ratings,
            csat_board=live.figures.csat,
            timeouts=ChatTimeouts(live, settings.node_id, settings.chat_node_timeout_seconds),
            heartbeats=ChatHeartbeats(live, settings.chat_heartbeat_seconds),
            idle=IdleAgents(live, settings.agent_idle_minutes),
            fanout=fanout,
            kb=KnowledgeBase(engine, clock),
            community=Community(engine, clock),
            outbox=outbox,
            metrics=metrics,
            redis_pools=pools,
            team=Team(accounts, SupervisorDesk(live), cases, case_work, audit),
            audit=audit,
            people=People(engine, clock, accounts, audit, mail_queued=outbox.wake),
            taxonomy=taxonomy,
            replies=CannedReplies(engine, clock, intake, cases),
        )

    async def start(self) -> None:
        if self.settings.migrate_on_start:
            await migrate(self.engine)
        # The fan-out subscribes once socket.io starts, after this, and waits for that
        # itself (app.py): the other parts must answer now.
        parts = await self.check_ready()
        not_ready = {k: v for k, v in parts.items() if v != "ok" and k != "fanout"}
        if not_ready:
            raise RuntimeError(f"cannot start: {not_ready}")
        await self.taxonomy.load()
        loops = self._loops
        loops.every("taxonomy", REFRESH_SECONDS, self.taxonomy.refresh)
        outbox = self.outbox
        loops.every("outbox", outbox.poll_seconds, outbox.deliver_pending, outbox.wake_event)
        loops.every("purge", PURGE_EVERY_SECONDS, self.accounts.purge_expired)
        loops.every("calls", CALL_SWEEP_SECONDS, self._close_unanswered_calls)
        board = self.case_board
        loops.every("case-figures", self.settings.case_figures_seconds, board.recount, board.wake)
        csat = self.csat_board
        loops.every("csat-figures", self.settings.case_figures_seconds, csat.recount, csat.wake)
        # Rebuild a lost queue before serving, then keep to every chat deadline.
        await self.timeouts.sweep()
        loops.every("chat-sweep", self.settings.chat_sweep_seconds, self.timeouts.sweep)
        back = self.fanout.back if self.fanout is not None else None
        heartbeats = self.heartbeats
        loops.every("chat-heartbeats", heartbeats.every_seconds, heartbeats.beat, back)
        if self.idle.limit is not None:  # every node checks; the backend tells each once
            self.run_every("agent-idle", IDLE_CHECK_SECONDS, self.idle.check)
        if self.redis_pools:
            idle = self.settings.redis_idle_seconds
            loops.every("redis-idle", idle / 2, self._close_idle_redis_connections)
        log.info("frontdesk node started", extra={"store": self.engine.dialect.name})

    def run_every(self, name: str, seconds: float, work: Callable[[], Awaitable[object]]) -> None:
        """Another part's work on this node's loops, stopped with the others."""
        self._loops.every(name, seconds, work)

    async def check_ready(self) -> dict[str, str]:
        """Ping each part this node needs; "ok" or why not, by part."""
        pings = {"store": self._ping_store}
        if self.redis is not None:
            pings["redis"] = self._ping_redis
        status = {}
        for part, ping in pings.items():
            try:
                await asyncio.wait_for(ping(), timeout=READY_TIMEOUT_SECONDS)
            except Exception as error:
                status[part] = f"unavailable ({type(error).__name__})"
            else:
                status[part] = "ok"
        if self.fanout is not None:
            status["fanout"] = self.fanout.readiness()
        return status

    async def _ping_store(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def _ping_redis(self) -> None:
        assert self.redis is not None
        await self.redis.ping()

    async def _close_idle_redis_connections(self) -> None:
        for pool in self.redis_pools.values():
            await pool.close_idle()

    async def _close_unanswered_calls(self) -> None:
        closed = await self.case_work.close_unanswered_calls()
        if closed:
            log.info("closed %d call-us cases with no call", len(closed))

    async def aclose(self) -> None:
        await self._loops.stop()
        await self.live.figures.aclose()
        await self.live.positions.aclose()
        await self.chats.aclose()
        await self.queue.aclose()
        if self.redis is not None:
            await self.redis.aclose()
        await dispose(self.engine)


def taxonomy_file(settings: Settings) -> Path:
    """The taxonomy set, else the demo's (a group open around the clock) in the demo
    environment, else the shipped one."""
    if settings.taxonomy_path is not None:
        return settings.taxonomy_path
    return DEMO_TAXONOMY if settings.env == "demo" else DEFAULT_TAXONOMY
