"""Customer satisfaction: one rating (1-5 and a comment) per answered chat or per
resolved message or call case, changeable for a day; the figures supervisors read."""
