"""A private PostgreSQL + PostGIS cluster for Kasane, managed by ``kasane db up|down|status``.

The cluster never touches the machine's default one: it has its own data directory, its own
socket directory and a free loopback port, recorded in ``<home>/cluster.json``. As root the
server runs as an unprivileged user (``initdb`` refuses root); as a normal user it runs as
that user. Every step is idempotent, so ``db up`` after a reboot simply starts it again.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from gis.platform.errors import ProvisionError

APT_HINT = "as root: apt-get install -y postgresql postgresql-{v}-postgis-3 (or run `make setup`)"
APP_ROLE = "kasane"
APP_DB = "kasane"
SUPERUSER = "postgres"
SOCKET_PATH_MAX = 100  # Unix socket paths are limited to 107 bytes, with ".s.PGSQL.NNNNN"
PORT_RANGE = range(54330, 54430)


@dataclass
class Cluster:
    """Where the private cluster lives and how to reach it; persisted as JSON."""

    data_dir: str
    socket_dir: str
    port: int
    password: str
    os_user: str
    bindir: str

    @property
    def url(self) -> str:
        """The application's connection URL (password auth over loopback TCP)."""
        return f"postgresql://{APP_ROLE}:{self.password}@127.0.0.1:{self.port}/{APP_DB}"


def state_file(home: Path) -> Path:
    """The JSON file that records the cluster's location, port and password."""
    return home / "cluster.json"


def read_cluster(home: Path) -> Cluster | None:
    """The recorded cluster, or None when ``db up`` has never run for this home."""
    path = state_file(home)
    if not path.exists():
        return None
    return Cluster(**json.loads(path.read_text(encoding="utf-8")))


def find_bindir() -> Path:
    """Newest PostgreSQL server bin directory that has PostGIS installed beside it."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    extra = shutil.which("initdb")
    if extra:
        candidates.append(Path(extra).resolve())
    found_server = None
    for initdb in candidates:
        bindir = initdb.parent
        found_server = found_server or bindir
        if _has_postgis(bindir):
            return bindir
    version = found_server.parent.name if found_server else "<version>"
    what = "PostGIS for PostgreSQL" if found_server else "PostgreSQL server binaries and PostGIS"
    raise ProvisionError(
        f"{what} not found and KASANE_DATABASE_URL is not set",
        hint=APT_HINT.format(v=version if version.isdigit() else "15"),
    )


def _has_postgis(bindir: Path) -> bool:
    pg_config = bindir / "pg_config"
    if pg_config.exists():
        share = subprocess.run(
            [str(pg_config), "--sharedir"], capture_output=True, text=True, check=False
        ).stdout.strip()
    else:
        share = f"/usr/share/postgresql/{bindir.parent.name}"
    return any(Path(share, "extension").glob("postgis--3.*.sql"))


def _server_user() -> str:
    """The OS user the server runs as: ourselves, or an unprivileged one when we are root."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name
    for name in ("postgres", "kasane"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "kasane"],
        check=True,
    )
    return "kasane"


def _run_as(user: str, args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    as_other = os.geteuid() == 0 and user != "root"
    result = subprocess.run(
        args,
        user=user if as_other else None,
        group=pwd.getpwnam(user).pw_gid if as_other else None,
        extra_groups=[] if as_other else None,
        capture_output=True,
        text=True,
        check=False,
        cwd="/",
        **kwargs,  # type: ignore[call-overload]
    )
    return result  # type: ignore[no-any-return]


def _user_can_enter(user: str, path: Path) -> bool:
    if os.geteuid() != 0 or user == "root":
        return True
    probe = _run_as(user, ["test", "-x", str(path)])
    return probe.returncode == 0


def _choose_dirs(home: Path, user: str) -> tuple[Path, Path]:
    """Data and socket directories under ``home``, or under /var/lib when the server user
    cannot reach ``home`` (a repo under /root, say) or the socket path would be too long."""
    home.mkdir(parents=True, exist_ok=True)
    data, sock = home / "pgdata", home / "run"
    if os.geteuid() == 0 and user != "root":
        os.chmod(home, 0o755)
        if not _user_can_enter(user, home):
            tag = secrets.token_hex(4)
            base = Path("/var/lib/kasane") / tag
            data, sock = base / "pgdata", base / "run"
    if len(str(sock)) > SOCKET_PATH_MAX:
        sock = Path("/tmp") / f"kasane-{secrets.token_hex(4)}"
    return data, sock


def _free_port(preferred: int | None = None) -> int:
    ports = [preferred] if preferred else []
    ports += list(PORT_RANGE)
    for port in ports:
        if port is None:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise ProvisionError(f"no free loopback port in {PORT_RANGE.start}-{PORT_RANGE.stop - 1}")


def _prepare_dir(path: Path, user: str, mode: int) -> None:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(path, user=user, group=pwd.getpwnam(user).pw_gid)
    os.chmod(path, mode)


def _config_text(cluster: Cluster) -> str:
    return "\n".join(
        [
            "# Written by `kasane db up`; edit KASANE settings instead.",
            "listen_addresses = '127.0.0.1'",
            f"port = {cluster.port}",
            f"unix_socket_directories = '{cluster.socket_dir}'",
            "max_connections = 200",
            "shared_buffers = 512MB",
            "effective_cache_size = 4GB",
            "work_mem = 32MB",
            "maintenance_work_mem = 256MB",
            "max_wal_size = 4GB",
            "jit = off",
            "log_min_messages = warning",
            "",
        ]
    )


def _initdb(cluster: Cluster) -> None:
    bindir = Path(cluster.bindir)
    result = _run_as(
        cluster.os_user,
        [
            str(bindir / "initdb"),
            "-D",
            cluster.data_dir,
            "-U",
            SUPERUSER,
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
    )
    if result.returncode != 0:
        raise ProvisionError(f"initdb failed: {result.stderr.strip().splitlines()[-1:]}")


def _write_config(cluster: Cluster) -> None:
    conf = Path(cluster.data_dir) / "kasane.conf"
    main = Path(cluster.data_dir) / "postgresql.conf"
    text = _config_text(cluster)
    if os.geteuid() == 0:
        _run_as(cluster.os_user, ["sh", "-c", f"cat > '{conf}'"], input=text)
    else:
        conf.write_text(text, encoding="utf-8")
    include = "include_if_exists = 'kasane.conf'"
    current = _run_as(cluster.os_user, ["cat", str(main)]).stdout
    if include not in current:
        _run_as(cluster.os_user, ["sh", "-c", f"echo \"{include}\" >> '{main}'"])


def is_running(cluster: Cluster) -> bool:
    """True when the postmaster of this cluster answers ``pg_ctl status``."""
    if not Path(cluster.bindir, "pg_ctl").exists():
        return False
    status = _run_as(
        cluster.os_user, [str(Path(cluster.bindir) / "pg_ctl"), "-D", cluster.data_dir, "status"]
    )
    return status.returncode == 0


def _psql(cluster: Cluster, sql: str, db: str = "postgres") -> str:
    result = _run_as(
        cluster.os_user,
        [
            str(Path(cluster.bindir) / "psql"),
            "-X",
            "-q",
            "-tA",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            cluster.socket_dir,
            "-p",
            str(cluster.port),
            "-U",
            SUPERUSER,
            "-d",
            db,
            "-c",
            sql,
        ],
    )
    if result.returncode != 0:
        raise ProvisionError(f"setting up the database failed: {result.stderr.strip()}")
    return result.stdout.strip()


def admin_sql(cluster: Cluster, sql: str, db: str = "postgres") -> str:
    """Run one statement as the cluster's superuser over its private socket (tests, setup)."""
    return _psql(cluster, sql, db)


def _bootstrap_roles(cluster: Cluster) -> None:
    _psql(cluster, "CREATE EXTENSION IF NOT EXISTS postgis", db="template1")
    exists = _psql(cluster, f"SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}'")
    verb = "ALTER" if exists == "1" else "CREATE"
    _psql(
        cluster, f"{verb} ROLE {APP_ROLE} LOGIN CREATEDB CREATEROLE PASSWORD '{cluster.password}'"
    )
    if _psql(cluster, f"SELECT 1 FROM pg_database WHERE datname = '{APP_DB}'") != "1":
        _psql(cluster, f"CREATE DATABASE {APP_DB} OWNER {APP_ROLE}")
    _psql(cluster, "CREATE EXTENSION IF NOT EXISTS postgis", db=APP_DB)


def up(home: Path) -> Cluster:
    """Create (once) and start the private cluster; returns how to reach it. Idempotent."""
    cluster = read_cluster(home)
    if cluster is None:
        bindir = find_bindir()
        user = _server_user()
        data, sock = _choose_dirs(home, user)
        cluster = Cluster(
            data_dir=str(data),
            socket_dir=str(sock),
            port=_free_port(),
            password=secrets.token_urlsafe(18),
            os_user=user,
            bindir=str(bindir),
        )
    elif not Path(cluster.bindir, "postgres").exists():
        cluster.bindir = str(find_bindir())
    Path(cluster.data_dir).parent.mkdir(parents=True, exist_ok=True)
    _prepare_dir(_log_dir(cluster), cluster.os_user, 0o755)
    _prepare_dir(Path(cluster.socket_dir), cluster.os_user, 0o700)
    fresh = not Path(cluster.data_dir, "PG_VERSION").exists()
    if fresh:
        _prepare_dir(Path(cluster.data_dir), cluster.os_user, 0o700)
        _initdb(cluster)
    if not is_running(cluster):
        cluster.port = _free_port(cluster.port)
        _write_config(cluster)
        _start(cluster)
    _save(home, cluster)
    _bootstrap_roles(cluster)
    return cluster


def _log_dir(cluster: Cluster) -> Path:
    return Path(cluster.data_dir).parent / "log"


def _start(cluster: Cluster) -> None:
    log = _log_dir(cluster) / "postgres.log"
    result = _run_as(
        cluster.os_user,
        [
            str(Path(cluster.bindir) / "pg_ctl"),
            "-D",
            cluster.data_dir,
            "-l",
            str(log),
            "-w",
            "-t",
            "60",
            "start",
        ],
    )
    if result.returncode != 0:
        raise ProvisionError(
            "PostgreSQL did not start", hint=f"see {log}: {result.stderr.strip()[-300:]}"
        )


def _save(home: Path, cluster: Cluster) -> None:
    home.mkdir(parents=True, exist_ok=True)
    path = state_file(home)
    path.write_text(json.dumps(asdict(cluster), indent=2), encoding="utf-8")
    os.chmod(path, 0o600)


def down(home: Path) -> bool:
    """Stop the private cluster; returns False when it was not running."""
    cluster = read_cluster(home)
    if cluster is None or not is_running(cluster):
        return False
    result = _run_as(
        cluster.os_user,
        [str(Path(cluster.bindir) / "pg_ctl"), "-D", cluster.data_dir, "-m", "fast", "-w", "stop"],
    )
    if result.returncode != 0:
        raise ProvisionError(f"pg_ctl stop failed: {result.stderr.strip()}")
    return True
