"""The chat routing queue: who waits, which agent is offered what, moved atomically."""
