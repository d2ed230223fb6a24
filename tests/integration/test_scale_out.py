"""The scale-out topology of docker-compose.yml, from real processes: nginx with
deploy/nginx.conf in front of two nodes on one PostgreSQL and one Redis. A customer and
an agent on different nodes chat; one node stops; whoever was on it comes back through
nginx to the other node, and the chat goes on with nothing lost or doubled."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from frontdesk.accounts.models import Role
from frontdesk.cases.models import Channel
from frontdesk.clock import FixedClock
from frontdesk.events import RecordingNotifier
from frontdesk.services import Services
from tests.balancer import balancer
from tests.conftest import make_settings
from tests.factories import make_user, open_case
from tests.integration.chat_clients import ChatClient, Clients
from tests.nodes import Node, free_port, node_env, nodes
from tests.services import nginx_problem, require

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    # As deployed: the nodes share chats through PostgreSQL.
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]

# nginx round-robins over the nodes; a few sockets more land one on the node sought.
PLACING_ATTEMPTS = 6
REJOIN = {"/customer": "resume_chat", "/agent": "open_chat"}


@pytest.fixture(autouse=True)
def _needs_nginx() -> None:
    require(nginx_problem())


async def metric_on(node: Node, name: str, **labels: str) -> float:
    """A sample of the node's own /metrics (0 if it has none such)."""
    async with httpx.AsyncClient() as http:
        scraped = (await http.get(f"{node.url}/metrics")).text
    for family in text_string_to_metric_families(scraped):
        for sample in family.samples:
            if sample.name == name and labels.items() <= sample.labels.items():
                return sample.value
    return 0.0


async def sockets_on(node: Node, namespace: str) -> int:
    """How many sockets of `namespace` the node holds."""
    return int(await metric_on(node, "frontdesk_socket_connections", namespace=namespace))


async def connect_through(
    balancer_url: str, live: list[Node], namespace: str, username: str, avoid: Node | None = None
) -> tuple[ChatClient, Node]:
    """Sign in and connect through nginx until the socket lands on a node of `live` other
    than `avoid`; the client and its node. The others opened meanwhile are closed."""
    unwanted: list[ChatClient] = []
    try:
        for _ in range(PLACING_ATTEMPTS):
            before = [await sockets_on(node, namespace) for node in live]
            client = await ChatClient.open(balancer_url, namespace, username)
            after = [await sockets_on(node, namespace) for node in live]
            # Nothing else opens or closes a socket meanwhile: one node holds one more.
            (landed,) = [node for node, b, a in zip(live, before, after, strict=True) if a > b]
            if landed is not avoid:
                return client, landed
            unwanted.append(client)
        raise AssertionError(f"{PLACING_ATTEMPTS} sockets through nginx all reached {avoid}")
    finally:
        for client in unwanted:
            await client.close()


async def heard_up_to(client: ChatClient, chat_id: str, seq: int) -> list[int]:
    """The seqs pushed to `client` (message_created) for the chat, as they came, up to
    and including `seq`."""
    heard: list[int] = []
    async with asyncio.timeout(client.timeout):
        while seq not in heard:
            message = await client.events["message_created"].get()
            if message["chat_id"] == chat_id:
                heard.append(message["seq"])
    return heard


async def talk(sender: ChatClient, receiver: ChatClient, chat_id: str, body: str) -> list[int]:
    """`sender` says `body`; the seqs pushed to `receiver` until it heard it."""
    seq = (await sender.send(chat_id, body))["seq"]
    return await heard_up_to(receiver, chat_id, seq)


async def start_chat(ann: ChatClient, sam: ChatClient, case_number: str) -> str:
    """Ann asks for a chat, Sam (agent) is offered it and accepts; the chat's id."""
    await sam.ok("set_presence", {"presence": "available"})
    chat_id = (await ann.ok("request_chat", {"case_number": case_number}))["chat"]["public_id"]
    await sam.next("chat_offered", chat_id=chat_id)
    await sam.ok("accept_chat", {"chat_id": chat_id})
    await ann.next("chat_accepted", chat_id=chat_id)
    return chat_id


async def assert_ready(balancer_url: str) -> None:
    """/readyz answers ok through nginx on each of its round-robin turns."""
    async with httpx.AsyncClient() as http:
        for _ in range(2):
            response = await http.get(f"{balancer_url}/readyz")
            assert response.status_code == 200, response.text
            assert response.json()["status"] == "ok"


async def seed(settings):
    services = Services.build(settings, FixedClock(), notifier=RecordingNotifier())
    try:
        customer = await make_user(services, first_name="Ann")
        agent = await make_user(services, Role.AGENT, first_name="Sam")
        case = await open_case(services, customer, Channel.CHAT)
    finally:
        await services.aclose()
    return customer, agent, case


@pytest.mark.parametrize("leaving", ["/customer", "/agent"], ids=["customer", "agent"])
async def test_a_chat_across_nodes_outlives_the_node_one_side_was_on(
    leaving, database_url, redis_url, tmp_path
):
    settings = make_settings(database_url, tmp_path)
    customer, agent, case = await seed(settings)
    port = free_port()
    # As in compose: the nodes' public URL is the balancer's.
    env = node_env(settings, redis_url, tmp_path, FRONTDESK_PUBLIC_URL=f"http://127.0.0.1:{port}")
    async with (
        nodes(2, env, tmp_path) as started,
        balancer([node.url for node in started], tmp_path / "nginx", port) as lb,
        Clients() as clients,
    ):
        await assert_ready(lb.url)
        ann, ann_node = await connect_through(lb.url, started, "/customer", customer.username)
        sam, sam_node = await connect_through(lb.url, started, "/agent", agent.username, ann_node)
        clients.opened += [ann, sam]
        chat_id = await start_chat(ann, sam, case.number)
        sent = ["Hello from Ann", "Hi, Sam here"]
        await talk(ann, sam, chat_id, sent[0])
        await talk(sam, ann, chat_id, sent[1])

        sides = {"/customer": (ann, ann_node, customer), "/agent": (sam, sam_node, agent)}
        gone, doomed, person = sides[leaving]
        stays = sam if gone is ann else ann
        (survivor,) = [node for node in started if node is not doomed]
        await doomed.stop()
        await gone.dropped()
        if leaving == "/agent":  # a node that stops closes its sockets: the grace begins
            await ann.next("agent_disconnected", chat_id=chat_id)
        sent.append("Sent while the other side was away")
        missed = (await stays.send(chat_id, sent[-1]))["seq"]

        back, _ = await connect_through(lb.url, [survivor], leaving, person.username)
        clients.opened.append(back)
        if leaving == "/agent":
            await ann.next("agent_reconnected", chat_id=chat_id)
        caught_up = await back.ok(REJOIN[leaving], {"chat_id": chat_id, "last_seq": 0})
        assert [(m["seq"], m["body"]) for m in caught_up["messages"]] == list(enumerate(sent, 1))

        heard_by_stays = await heard_up_to(stays, chat_id, missed)
        sent += ["Still there?", "Yes, still here"]
        heard_by_stays += await talk(back, stays, chat_id, sent[-2])
        heard_by_back = await talk(stays, back, chat_id, sent[-1])
        # Each message reached each side once: pushed, or in the catch-up, never both.
        assert missed not in heard_by_back
        assert heard_by_back == sorted(set(heard_by_back))
        assert heard_by_stays == sorted(set(heard_by_stays))
        transcript = await back.ok(REJOIN[leaving], {"chat_id": chat_id, "last_seq": 0})
        assert [m["body"] for m in transcript["messages"]] == sent

        await assert_ready(lb.url)
        # The stopped node said it was leaving: the survivor missed nothing, and so no
        # alert fires on a planned stop (a rolling upgrade).
        assert await metric_on(survivor, "frontdesk_fanout_lost_total") == 0
