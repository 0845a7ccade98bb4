# careplay in a container: a Rust builder stage and a small Debian runtime.
#   docker build -t careplay .
#   docker run --rm -v "$PWD/tenant:/work/tenant" careplay replay tenant --promote all-report-only
# Not built in careplay's own CI (no container engine there); the test
# tests/ci_examples.rs checks that every COPY source exists and that the cargo command is
# the one the README and the GitHub Actions example use.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN cargo build --release --locked && strip target/release/careplay

FROM debian:bookworm-slim
# careplay's TLS roots are built in (webpki-roots); ca-certificates serves proxies that
# re-sign TLS with a corporate root added to the image.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/careplay /usr/local/bin/careplay
RUN useradd --create-home --uid 10001 careplay
USER careplay
WORKDIR /work
ENTRYPOINT ["careplay"]
CMD ["--help"]
