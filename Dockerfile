# FloorPulse's server, for docker-compose.yml (FloorPulse, PostgreSQL, Mosquitto) or alone.
# Built in two stages: the locked dependencies and the package go into a virtualenv, and
# only that virtualenv is copied into the slim image that runs, as an unprivileged user.
FROM python:3.11-slim-bookworm AS build
WORKDIR /src
RUN python -m venv /opt/floorpulse
COPY requirements/main.lock requirements/main.lock
RUN /opt/floorpulse/bin/pip install --no-cache-dir --disable-pip-version-check \
        --require-hashes -r requirements/main.lock
COPY pyproject.toml README.md ./
COPY src ./src
RUN /opt/floorpulse/bin/pip install --no-cache-dir --disable-pip-version-check \
        --no-deps --no-build-isolation .

FROM python:3.11-slim-bookworm
RUN useradd --system --uid 10001 --create-home --home-dir /var/lib/floorpulse floorpulse
COPY --from=build /opt/floorpulse /opt/floorpulse
ENV PATH=/opt/floorpulse/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    FLOORPULSE_HOST=0.0.0.0 \
    FLOORPULSE_DATABASE_URL=sqlite:////var/lib/floorpulse/floorpulse.db
USER floorpulse
WORKDIR /var/lib/floorpulse
EXPOSE 8000
# /health answers while the process serves (no API key needed); /health/ready also checks
# the database and is what a load balancer should ask.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
# Listening beyond the container needs an API key first (docs/SCALING.md, Containers).
CMD ["floorpulse", "serve"]
