# ss-agent: the Native AOT binary (scripts/publish.sh OUT/agent) on any glibc base; see ss-server.Dockerfile.
# It watches the host through bind mounts, read-only: the host's /proc at /host/proc, its cgroup tree at
# /host/sys/fs/cgroup and the engine's socket at /run/docker.sock (or a socket proxy: Agent:DockerHost). It pushes
# to the server, so it needs no host network and no capability; the socket's group is added at run time
# (docker run --group-add, compose group_add), since its number differs from host to host.
ARG BASE=stackscope/base:latest
FROM ${BASE}
COPY agent/ /usr/lib/stackscope/agent/
# The spool of undelivered reports and the lifecycle state: /var/lib/stackscope-agent/spool, a volume.
COPY --chown=10002:10002 state/ /var/lib/stackscope-agent/
USER 10002:10002
WORKDIR /var/lib/stackscope-agent
ENV SS_Agent__ProcRoot=/host/proc \
    SS_Agent__CgroupRoot=/host/sys/fs/cgroup \
    SS_Agent__DockerHost=unix:///run/docker.sock
VOLUME ["/var/lib/stackscope-agent"]
ENTRYPOINT ["/usr/lib/stackscope/agent/ss-agent"]
