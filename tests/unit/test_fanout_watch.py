"""The fan-out's watch: which publishes count as lost, once-per-outage logging, and what
readiness and the heartbeats are told."""

from __future__ import annotations

import logging

import pytest

from frontdesk.fanout import PEAK_SECONDS, FanoutWatch
from frontdesk.metrics import Metrics


class Clock:
    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
def watch(metrics: Metrics, clock: Clock) -> FanoutWatch:
    return FanoutWatch(metrics, now=clock)


def lost(metrics: Metrics) -> float:
    value = metrics.registry.get_sample_value("frontdesk_fanout_lost_total")
    assert value is not None
    return value


def test_publishes_that_reach_every_node_lose_nothing(watch, metrics):
    for _ in range(3):
        watch.published(2)
    assert lost(metrics) == 0


def test_a_publish_reaching_fewer_nodes_than_recently_is_lost(watch, metrics):
    watch.published(2)
    watch.published(1)  # the other node is resubscribing
    watch.published(0)
    assert lost(metrics) == 2


def test_a_node_gone_for_good_is_not_expected_once_the_window_passes(watch, metrics, clock):
    watch.published(2)
    clock.seconds += PEAK_SECONDS + 1
    watch.published(1)
    watch.published(1)
    assert lost(metrics) == 0


def test_a_failed_publish_is_lost_only_when_other_nodes_were_there(metrics, clock):
    alone = FanoutWatch(metrics, now=clock)
    alone.published(1)
    alone.publish_failed(ConnectionError())
    assert lost(metrics) == 0, "alone, this node's sockets were told before the publish"
    alone.published(2)
    alone.publish_failed(ConnectionError())
    assert lost(metrics) == 1


def test_an_outage_is_logged_once_and_its_end_wakes_the_heartbeats(watch, caplog):
    watch.published(2)
    with caplog.at_level(logging.WARNING, logger="frontdesk.fanout"):
        for _ in range(5):
            watch.publish_failed(ConnectionError())
        assert not watch.back.is_set()
        watch.published(2)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1, "one line per outage, not one per event"
    assert watch.back.is_set(), "heartbeats go out at once when every node hears again"


def test_readiness_follows_the_subscription(watch, metrics):
    assert watch.readiness() == "not subscribed"
    watch.now_subscribed()
    assert watch.readiness() == "ok"
    assert metrics.registry.get_sample_value("frontdesk_fanout_subscribed") == 1
    watch.now_unsubscribed(ConnectionError())
    assert watch.readiness() == "not subscribed"
    assert metrics.registry.get_sample_value("frontdesk_fanout_subscribed") == 0


def test_a_node_that_said_it_leaves_is_not_missed(watch, metrics, clock):
    watch.published(2)
    watch.node_left()  # said while it still listens: publishes may still reach it
    watch.published(2)
    clock.seconds += 1
    watch.published(1)  # gone now
    assert lost(metrics) == 0
    clock.seconds += PEAK_SECONDS + 1
    watch.published(1)
    watch.published(1)
    assert lost(metrics) == 0


def test_a_departure_excuses_one_node_only(watch, metrics):
    watch.published(3)
    watch.node_left()
    watch.published(2)
    assert lost(metrics) == 0
    watch.published(1)
    assert lost(metrics) == 1


def test_departures_are_forgotten_with_the_peak(watch, metrics, clock):
    watch.published(2)
    watch.node_left()
    clock.seconds += PEAK_SECONDS + 1
    watch.published(3)  # a new peak: the old departure no longer counts
    watch.published(2)
    assert lost(metrics) == 1
