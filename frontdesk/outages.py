"""A part the node needs that is down, or too busy to answer in time.

Redis refusing or gone, a Redis pool with no connection free within its wait, a store
pool with none free: the request cannot be served now, and asking again shortly may
work (every verb that could be half done by then is safe to ask again: a chat request
returns the chat it made, a message its stored copy). So the caller hears 503
UNAVAILABLE, "try again", instead of 500 INTERNAL, "something of ours is broken".
"""

from __future__ import annotations

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from frontdesk.errors import Unavailable

OUTAGES = (RedisConnectionError, RedisTimeoutError, PoolTimeoutError)
BUSY = "We are very busy just now and could not do that. Please try again in a moment."


def unavailable(error: BaseException) -> Unavailable | None:
    """The refusal to answer for `error` when it is an outage; None for anything else."""
    return Unavailable(BUSY) if isinstance(error, OUTAGES) else None
