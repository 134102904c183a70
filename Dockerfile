# One image for the gateway and the four subgraphs; docker-compose.yml picks the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY subgraphs ./subgraphs
COPY schema ./schema
COPY deploy ./deploy
RUN pip install .

RUN useradd --create-home switchboard
USER switchboard

EXPOSE 4000
CMD ["switchboard", "serve", "--supergraph", "schema/supergraph.graphql", "--config", "deploy/switchboard.docker.yaml", "--host", "0.0.0.0", "--port", "4000"]
