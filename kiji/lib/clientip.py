"""The reader's network address, the same way for every app that limits or counts by it."""


def client_ip(meta) -> str:
    """REMOTE_ADDR; behind the local nginx (deploy/nginx/kiji.conf) every request comes from loopback,
    so then the address nginx appended LAST to X-Forwarded-For. Earlier entries are whatever the
    client sent and would let anyone pick their own rate-limit bucket."""
    remote = meta.get("REMOTE_ADDR", "")
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and (remote.startswith("127.") or remote == "::1"):
        return forwarded.split(",")[-1].strip() or remote
    return remote
