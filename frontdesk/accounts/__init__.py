"""Accounts: users, roles, passwords, sessions, email verification, throttling."""
