# One frontdesk node. docker-compose.yml runs two of them behind a load balancer.

# The human check's browser widget comes from npm, served from our own origin.
FROM node:20-slim AS browser-libs
WORKDIR /libs
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY frontdesk ./frontdesk
COPY --from=browser-libs /libs/node_modules/altcha/dist/main/altcha.min.js /libs/node_modules/altcha/LICENSE.txt ./frontdesk/web/static/vendor/altcha/
RUN pip install --no-cache-dir . && useradd --create-home frontdesk
USER frontdesk
EXPOSE 8000
CMD ["frontdesk", "serve", "--host", "0.0.0.0", "--port", "8000"]
