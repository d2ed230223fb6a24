"""frontdesk: an open customer support portal with live chat."""

__version__ = "0.1.0"
