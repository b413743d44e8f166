# ss-server: the self-contained publish (scripts/publish.sh OUT/server) on any glibc base. scripts/build-images.sh
# builds it without a registry, on a base made from the build machine's own libraries; Microsoft's
# mcr.microsoft.com/dotnet/runtime-deps:10.0 images are a fitting base too (--build-arg BASE=...).
# Runs as an unprivileged user; the image is meant for a read-only root (docker run --read-only --tmpfs /tmp).
ARG BASE=stackscope/base:latest
FROM ${BASE}
COPY server/ /usr/lib/stackscope/server/
# The SQLite database (the default provider) and the cookie keys: /var/lib/stackscope/data, a volume.
COPY --chown=10001:10001 state/ /var/lib/stackscope/
USER 10001:10001
WORKDIR /var/lib/stackscope
ENV SS_Urls=http://0.0.0.0:5080
EXPOSE 5080
VOLUME ["/var/lib/stackscope"]
ENTRYPOINT ["/usr/lib/stackscope/server/ss-server"]
