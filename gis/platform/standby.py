"""Hot standbys of the private cluster, managed by ``kasane db replica add|list|remove``.

A standby is PostgreSQL's own streaming replication: ``pg_basebackup -R`` copies the running
private cluster into ``<home>/replicas/<name>/pgdata`` and writes ``standby.signal`` and a
``primary_conninfo`` pointing at the primary's private socket; the copy then starts on its own
port and replays the primary's WAL as it is written. It answers reads (``hot_standby``) with the
same role and password as the primary, so its URL differs only in the port. No replication slot
is made: a standby left stopped cannot pin the primary's WAL (it may need ``remove`` and ``add``
again after a long stop instead).

Ports: the primary's range 54330-54429 lies inside Linux's ephemeral range (32768-60999 by
default), where the kernel may hand a port to an outgoing connection while a server is stopped.
Standbys take ports below the machine's ephemeral range (read from
``/proc/sys/net/ipv4/ip_local_port_range``) and probe each by binding it, not by connecting.
"""

from __future__ import annotations

import json
import shutil
import socket
from dataclasses import asdict, dataclass
from pathlib import Path

from gis.platform import provision
from gis.platform.errors import ProvisionError

REPLICA_PORTS = range(25440, 25540)
EPHEMERAL_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
BASEBACKUP_TIMEOUT_S = 600


@dataclass
class Standby:
    """One hot standby of the private cluster; persisted in ``<home>/replicas.json``."""

    name: str
    data_dir: str
    port: int

    def url(self, primary: provision.Cluster) -> str:
        """Its connection URL: the primary's role, password and database on its own port."""
        return primary.url.replace(f"127.0.0.1:{primary.port}/", f"127.0.0.1:{self.port}/")


def _state_file(home: Path) -> Path:
    return home / "replicas.json"


def standbys(home: Path) -> list[Standby]:
    """The recorded standbys of the private cluster under ``home`` (oldest first)."""
    path = _state_file(home)
    if not path.exists():
        return []
    return [Standby(**item) for item in json.loads(path.read_text(encoding="utf-8"))]


def _save(home: Path, found: list[Standby]) -> None:
    path = _state_file(home)
    path.write_text(json.dumps([asdict(s) for s in found], indent=2), encoding="utf-8")
    path.chmod(0o600)


def _ephemeral_start() -> int:
    try:
        return int(EPHEMERAL_RANGE_FILE.read_text(encoding="utf-8").split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def _bindable(port: int) -> bool:
    """True when nothing listens on 127.0.0.1:``port`` and the port can be bound right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as PostgreSQL binds
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def safe_port(taken: set[int], preferred: int | None = None) -> int:
    """A free loopback port below the ephemeral range, ``preferred`` first when still free."""
    limit = _ephemeral_start()
    candidates = ([preferred] if preferred else []) + [p for p in REPLICA_PORTS if p < limit]
    for port in candidates:
        if port not in taken and _bindable(port):
            return port
    raise ProvisionError(
        f"no free loopback port for a standby in {REPLICA_PORTS.start}-{REPLICA_PORTS.stop - 1}"
        f" below the ephemeral range (from {limit})"
    )


def _standby_conf(cluster: provision.Cluster, port: int) -> str:
    return "\n".join(
        [
            "# Written by `kasane db replica add`: a hot standby of the private cluster.",
            "listen_addresses = '127.0.0.1'",
            f"port = {port}",
            f"unix_socket_directories = '{cluster.socket_dir}'",
            "max_connections = 200",
            "shared_buffers = 128MB",
            "hot_standby = on",
            "hot_standby_feedback = on",  # long reads are not cancelled by vacuum on the primary
            "jit = off",
            "log_min_messages = warning",
            "",
        ]
    )


def _checked(result: object, what: str) -> None:
    code = getattr(result, "returncode", 1)
    if code != 0:
        err = str(getattr(result, "stderr", "")).strip()
        raise ProvisionError(f"{what} failed: {err[-400:]}")


def _pg(cluster: provision.Cluster, program: str) -> str:
    return str(Path(cluster.bindir) / program)


def add(home: Path) -> tuple[Standby, str]:
    """Copy the running private cluster into a new hot standby and start it; returns it and
    its URL. The primary must be up (``kasane db up``)."""
    cluster = provision.read_cluster(home)
    if cluster is None or not provision.is_running(cluster):
        raise ProvisionError("the private cluster is not running", hint="run `kasane db up`")
    found = standbys(home)
    names = {s.name for s in found}
    name = next(f"replica{n}" for n in range(1, 1000) if f"replica{n}" not in names)
    base = Path(cluster.data_dir).parent / "replicas" / name
    data = base / "pgdata"
    if data.exists():
        shutil.rmtree(data)
    provision._prepare_dir(base, cluster.os_user, 0o755)
    provision._prepare_dir(base / "log", cluster.os_user, 0o755)
    backup = provision._run_as(
        cluster.os_user,
        [_pg(cluster, "pg_basebackup"), "-h", cluster.socket_dir, "-p", str(cluster.port),
         "-U", provision.SUPERUSER, "-D", str(data), "-R", "-X", "stream", "-c", "fast",
         "--no-password"],
        timeout=BASEBACKUP_TIMEOUT_S,
    )  # fmt: skip
    _checked(backup, "pg_basebackup")
    standby = Standby(name=name, data_dir=str(data), port=safe_port({s.port for s in found}))
    _write_conf(cluster, standby)
    start(cluster, standby)
    _save(home, [*found, standby])
    return standby, standby.url(cluster)


def _write_conf(cluster: provision.Cluster, standby: Standby) -> None:
    conf = Path(standby.data_dir) / "kasane.conf"
    text = _standby_conf(cluster, standby.port)
    _checked(
        provision._run_as(cluster.os_user, ["sh", "-c", f"cat > '{conf}'"], input=text),
        "writing the standby's settings",
    )


def is_running(cluster: provision.Cluster, standby: Standby) -> bool:
    """True when this standby's postmaster answers ``pg_ctl status``."""
    status = provision._run_as(
        cluster.os_user, [_pg(cluster, "pg_ctl"), "-D", standby.data_dir, "status"]
    )
    return status.returncode == 0


def start(cluster: provision.Cluster, standby: Standby) -> None:
    """Start a standby (idempotent); it catches up with the primary by itself."""
    if is_running(cluster, standby):
        return
    log = Path(standby.data_dir).parent / "log" / "postgres.log"
    result = provision._run_as(
        cluster.os_user,
        [_pg(cluster, "pg_ctl"), "-D", standby.data_dir, "-l", str(log), "-w", "-t", "60",
         "start"],
    )  # fmt: skip
    if result.returncode != 0:
        raise ProvisionError("the standby did not start", hint=f"see {log}")


def stop(cluster: provision.Cluster, standby: Standby) -> bool:
    """Stop a standby (fast shutdown); False when it was not running."""
    if not is_running(cluster, standby):
        return False
    _checked(
        provision._run_as(
            cluster.os_user,
            [_pg(cluster, "pg_ctl"), "-D", standby.data_dir, "-m", "fast", "-w", "stop"],
        ),
        "pg_ctl stop",
    )
    return True


def remove(home: Path, name: str) -> None:
    """Stop a standby and delete its copy of the data."""
    cluster = provision.read_cluster(home)
    found = standbys(home)
    match = [s for s in found if s.name == name]
    if cluster is None or not match:
        raise ProvisionError(f"no standby named {name!r}", hint="see `kasane db replica list`")
    stop(cluster, match[0])
    shutil.rmtree(Path(match[0].data_dir).parent, ignore_errors=True)
    _save(home, [s for s in found if s.name != name])


def admin_sql(cluster: provision.Cluster, standby: Standby, sql: str) -> str:
    """One statement as superuser on the standby (``pg_wal_replay_pause()`` in tests)."""
    on_standby = provision.Cluster(**{**asdict(cluster), "port": standby.port})
    return provision.admin_sql(on_standby, sql)
