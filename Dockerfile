# syntax=docker/dockerfile:1
#
# Tonearm's container images: one target per service.
#
#   docker build --target gateway         -t tonearm/gateway .
#   docker build --target catalog-service -t tonearm/catalog-service .
#   docker build --target stream-service  -t tonearm/stream-service .
#   docker build --target events-service  -t tonearm/events-service .
#   docker build --target stats-consumer  -t tonearm/stats-consumer .
#
# `docker compose build` builds all five (see docker-compose.yml). Every
# image runs as the unprivileged user `tonearm` (uid 10001), keeps what it
# writes under /data, and checks its health with `<service> --healthcheck`
# (a GET of its own /readyz; no curl in the image).

ARG RUST_IMAGE=rust:1-bookworm
ARG NODE_IMAGE=node:22-bookworm-slim
ARG RUNTIME_IMAGE=debian:bookworm-slim

# ── Rust toolchain with cargo-chef ──────────────────────────────────────────
FROM ${RUST_IMAGE} AS chef
# rdkafka-sys builds librdkafka from its bundled source with its configure
# script and make (the workspace turns off rdkafka's default features: no
# SSL, SASL, zlib, zstd or curl, so none of their -dev packages is needed).
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential pkg-config \
 && rm -rf /var/lib/apt/lists/*
RUN cargo install cargo-chef --locked --version ^0.1
WORKDIR /src

# ── The dependency recipe: changes only with Cargo.toml and Cargo.lock ──────
FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

# ── Dependencies (a cached layer), then the five service binaries ───────────
FROM chef AS builder
COPY --from=planner /src/recipe.json recipe.json
RUN cargo chef cook --release --locked --recipe-path recipe.json
# The Rust sources only: a change to the web player does not rebuild these.
COPY Cargo.toml Cargo.lock rustfmt.toml ./
COPY common common
COPY gateway gateway
COPY catalog-service catalog-service
COPY stream-service stream-service
COPY events-service events-service
COPY stats-consumer stats-consumer
# Tests only, but a workspace member: cargo needs its manifest.
COPY e2e e2e
COPY xtask xtask
COPY bench bench
RUN cargo build --release --locked --bins \
      -p gateway -p catalog-service -p stream-service -p events-service -p stats-consumer \
 && mkdir -p /out \
 && cp target/release/gateway target/release/catalog-service target/release/stream-service \
       target/release/events-service target/release/stats-consumer /out/

# ── The web player, served by the gateway ───────────────────────────────────
FROM ${NODE_IMAGE} AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

# ── What every service image shares ─────────────────────────────────────────
FROM ${RUNTIME_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 tonearm \
 && useradd --system --uid 10001 --gid tonearm --home-dir /data --shell /usr/sbin/nologin tonearm \
 && mkdir -p /data \
 && chown tonearm:tonearm /data
WORKDIR /data
VOLUME ["/data"]
STOPSIGNAL SIGTERM

FROM runtime AS gateway
COPY --from=web /web/dist /usr/share/tonearm/web
COPY --from=builder /out/gateway /usr/local/bin/gateway
ENV TONEARM_WEB_DIR=/usr/share/tonearm/web
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/gateway", "--healthcheck"]
CMD ["/usr/local/bin/gateway"]

FROM runtime AS catalog-service
COPY --from=builder /out/catalog-service /usr/local/bin/catalog-service
# Resized covers are a cache: rebuilt when lost.
ENV TONEARM_COVER_CACHE_DIR=/data/covers
USER 10001:10001
EXPOSE 8081
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/catalog-service", "--healthcheck"]
CMD ["/usr/local/bin/catalog-service"]

# Only the stream service transcodes, so only its image carries ffmpeg.
FROM runtime AS stream-service
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg \
 && rm -rf /var/lib/apt/lists/*
COPY --from=builder /out/stream-service /usr/local/bin/stream-service
ENV TONEARM_FFMPEG=/usr/bin/ffmpeg
USER 10001:10001
EXPOSE 8082
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/stream-service", "--healthcheck"]
CMD ["/usr/local/bin/stream-service"]

FROM runtime AS events-service
COPY --from=builder /out/events-service /usr/local/bin/events-service
# Events wait here while the broker is away: keep /data on a volume.
ENV TONEARM_EVENTS_SPOOL_DIR=/data/spool
USER 10001:10001
EXPOSE 8083 8085
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/events-service", "--healthcheck"]
CMD ["/usr/local/bin/events-service"]

FROM runtime AS stats-consumer
COPY --from=builder /out/stats-consumer /usr/local/bin/stats-consumer
USER 10001:10001
EXPOSE 8084
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/stats-consumer", "--healthcheck"]
CMD ["/usr/local/bin/stats-consumer"]
