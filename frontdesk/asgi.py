"""The ASGI app for uvicorn workers: settings from the environment."""

from frontdesk.app import create_app
from frontdesk.gc_pauses import settle_for_serving
from frontdesk.logs import configure_logging
from frontdesk.settings import Settings

settings = Settings()
configure_logging(settings)
app = create_app(settings)
settle_for_serving()
