# ADOLF image for compose.yaml: the package with every extra (`all`: PostgreSQL, Redis, Celery,
# RQ, the API, the LLM and marketplace clients, Flower, RQ Dashboard), run as an unprivileged user.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /build
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install ".[all]" && useradd --create-home adolf && rm -rf /build
USER adolf
# Writable by the service's user: celery beat keeps its schedule file in the working directory.
WORKDIR /home/adolf
CMD ["adolf", "--help"]
