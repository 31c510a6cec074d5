# mockmkto in a container: the SOAP endpoint, the admin API and the dashboard on port 8080.
#   docker build -t mockmkto .
#   docker run --rm -p 8080:8080 mockmkto
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

WORKDIR /app
COPY pyproject.toml README.md ./
COPY mockmkto ./mockmkto
# seed_data is installed inside the package (pyproject.toml), as the default seed.
COPY seed_data ./seed_data
# With psycopg: the same image serves a team sandbox on PostgreSQL (compose.sandbox.yaml). DL3013
# asks to pin packages: this is the project itself, its dependencies bounded in pyproject.toml.
# hadolint ignore=DL3013
RUN pip install '.[postgresql]'

# The server runs unprivileged; the only place it writes is /data, where the SQLite store lives.
# A numeric USER lets a runtime check that it is not root without reading /etc/passwd.
RUN groupadd --system --gid 10001 mockmkto \
    && useradd --system --no-create-home --uid 10001 --gid mockmkto mockmkto \
    && mkdir /data \
    && chown mockmkto:mockmkto /data
USER 10001:10001

ENV MOCKMKTO_HOST=0.0.0.0 \
    MOCKMKTO_PORT=8080 \
    MOCKMKTO_DB=sqlite:////data/mockmkto.db
EXPOSE 8080

# slim has no curl; the port follows MOCKMKTO_PORT if a run overrides it.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_admin/health' % os.environ.get('MOCKMKTO_PORT', '8080'), timeout=2)"]

# The server is PID 1, which ignores SIGTERM unless it handles it; SIGINT stops it cleanly.
STOPSIGNAL SIGINT
CMD ["mockmkto", "serve"]
