# One frontdesk node. docker-compose.yml runs two of them behind a load balancer.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY frontdesk ./frontdesk
RUN pip install --no-cache-dir . && useradd --create-home frontdesk
USER frontdesk
EXPOSE 8000
CMD ["frontdesk", "serve", "--host", "0.0.0.0", "--port", "8000"]
