# crmd's container image: one static binary on a distroless base, running
# as a non-root user, its SQLite database in the /data volume.
#
#   docker build -t crmd \
#     --build-arg VERSION="$(git describe --tags --always --dirty)" \
#     --build-arg COMMIT="$(git rev-parse HEAD)" .
#   docker run -d --name crmd -p 8080:8080 -v crmd-data:/data --stop-timeout 45 crmd
#
# The image has not been built where this file was written (no container
# engine runs there); its build command has: see docs/operations.md.

ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION} AS build
WORKDIR /src
# The modules first, so that a change of the source alone reuses them.
COPY go.mod go.sum ./
RUN go mod download
COPY cmd ./cmd
COPY internal ./internal
# The build context has no .git (.dockerignore), so go build records no
# revision: the version and the commit come in as build arguments.
ARG VERSION=dev
ARG COMMIT=
# The README's go build command: static without cgo (modernc.org/sqlite is
# pure Go), with no local paths in the binary (-trimpath), stripped (-s -w),
# and stamped for crmd version.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X github.com/crmd/crmd/internal/cli.Version=${VERSION} -X github.com/crmd/crmd/internal/cli.Commit=${COMMIT}" -o /out/crmd ./cmd/crmd
# The volume's mount point, owned by the user crmd runs as, so that a fresh
# named volume starts out writable for it.
RUN mkdir -p /out/data

# distroless/static rather than scratch: the same nothing-but-the-binary
# image (no shell, no package manager), plus the three files crmd needs
# from a system: CA certificates (PostgreSQL over verify-full TLS), the
# IANA time zone database (accounts keep their time zone, such as
# Europe/Moscow, and crmd does not embed one), and an /etc/passwd with the
# unprivileged user nonroot (65532), all kept up to date by Debian.
FROM gcr.io/distroless/static-debian13:nonroot
COPY --from=build /out/crmd /usr/local/bin/crmd
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV CRMD_ADDR=0.0.0.0:8080 \
    CRMD_DB=/data/crmd.db
VOLUME /data
EXPOSE 8080
# No curl in the image: crmd asks its own /healthz (crmd healthcheck reads
# CRMD_ADDR, and CRMD_TLS_CERT for https).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/usr/local/bin/crmd", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/crmd"]
CMD ["serve"]
