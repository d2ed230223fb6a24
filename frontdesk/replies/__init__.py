"""Canned replies: shared ones for a customer group (or all) and each agent's own."""
