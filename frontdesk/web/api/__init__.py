"""The JSON API under /api/v1, typed with pydantic and described at /openapi.json."""

# Routes anyone may call without signing in; every other /api route needs a session.
# A test walks the URL map and holds every route to this list.
PUBLIC_ENDPOINTS = frozenset(
    {
        "accounts_api.get_session",
        "accounts_api.sign_in",
        # The check a name under attack must solve to sign in: asked for before a session.
        "accounts_api.get_sign_in_challenge",
        # Signing out answers 204 with or without a session: a page whose session ended
        # elsewhere (reset, expiry) can still sign out cleanly.
        "accounts_api.sign_out",
        "accounts_api.register",
        "accounts_api.verify_email",
        "accounts_api.send_username_reminder",
        "accounts_api.send_password_reset",
        "accounts_api.reset_password",
        "accounts_api.list_countries",
        # Browsing articles needs no sign-in (DESIGN, Accounts); votes are per visitor.
        "kb_api.get_suggestions",
        "kb_api.get_search",
        "kb_api.get_for_you",
        "kb_api.get_vote",
        "kb_api.put_vote",
    }
)
