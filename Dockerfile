# ADOLF image for compose.yaml: the package with every extra, run as an unprivileged user.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install ".[all]" && useradd --create-home adolf
USER adolf
CMD ["adolf", "--help"]
