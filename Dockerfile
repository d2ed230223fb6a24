# One frontdesk node. docker-compose.yml runs two of them behind a load balancer.

# The browser libraries (the human check, socket.io's client, the chart) come from npm
# and are served from our own origin; scripts/vendor picks their builds, as for a checkout.
FROM node:20-slim AS browser-libs
WORKDIR /libs
COPY package.json package-lock.json ./
COPY scripts/vendor ./scripts/vendor
RUN npm ci --no-audit --no-fund --loglevel=error && scripts/vendor /libs/vendor

FROM python:3.11-slim
WORKDIR /app
# The locked dependencies first (their own layer, rebuilt only when the lock changes),
# every file's hash checked; then frontdesk itself, resolving nothing more.
COPY requirements/portal.txt requirements/build.in ./requirements/
RUN pip install --no-cache-dir --require-hashes --requirement requirements/portal.txt
COPY pyproject.toml README.md ./
COPY frontdesk ./frontdesk
COPY --from=browser-libs /libs/vendor ./frontdesk/web/static/vendor/
RUN pip install --no-cache-dir --no-deps --no-build-isolation . \
    && useradd --create-home frontdesk
USER frontdesk
EXPOSE 8000
CMD ["frontdesk", "serve", "--host", "0.0.0.0", "--port", "8000"]
