"""Knowledge base: support articles, community discussions, search and feedback."""
