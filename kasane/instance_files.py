"""The files ``kasane init`` writes for a production instance: settings, layer files for the
prefecture, and examples for systemd, nginx (TLS) and logrotate.

The deployment files are examples in the instance's ``deploy/`` folder, not installed by
Kasane: the operator reads them and copies them to ``/etc`` (docs/install.md).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from gis.geo.lg_codes import is_prefecture
from gis.geo.prefectures import PREFECTURES, Prefecture

_OWNER = re.compile(r'(?m)^owner = "(\d{6})"$')


@dataclass(frozen=True)
class Instance:
    """Where an instance lives and how it is served."""

    root: Path  # the instance directory (settings, layers, data, deploy examples)
    kasane: Path  # the installed ``kasane`` program
    user: str  # the system account that runs it
    port: int
    server_name: str
    log_dir: Path
    backup_dir: Path
    upload_mb: int

    @property
    def env_file(self) -> Path:
        """The settings file read by the service and by ``bin/kasane``."""
        return self.root / "kasane.env"


def layer_file_for(text: str, pref: Prefecture) -> str:
    """A layer file's text for ``pref``: a prefecture owner becomes ``pref``'s own code, and
    that prefecture's names in titles and credits become ``pref``'s (municipal owners stay)."""
    owners = {code for code in _OWNER.findall(text) if is_prefecture(code)}
    for code in owners:
        old = PREFECTURES.get(code[:2])
        if old is None or old == pref:
            continue
        text = text.replace(f'owner = "{code}"', f'owner = "{pref.lg_code}"')
        text = text.replace(old.ja, pref.ja).replace(old.en, pref.en)
    return text


def copy_layer_files(source: Path, target: Path, pref: Prefecture | None) -> list[str]:
    """Copy ``source``'s layer files (and ``templates/``) into ``target``, rewritten for
    ``pref`` when given; returns the copied layer ids."""
    copied: list[str] = []
    for folder in (source, source / "templates"):
        if not folder.is_dir():
            continue
        out = target / folder.relative_to(source)
        out.mkdir(parents=True, exist_ok=True)
        for path in sorted(folder.glob("*.toml")):
            text = path.read_text(encoding="utf-8")
            (out / path.name).write_text(
                layer_file_for(text, pref) if pref else text, encoding="utf-8"
            )
            if folder == source:
                copied.append(path.stem)
    return copied


def copy_browser_libraries(source: Path, target: Path, packages: tuple[str, ...]) -> None:
    """Copy the served npm packages (only those) from ``source`` into ``target``."""
    for package in packages:
        origin = source / package
        if not (origin / "package.json").is_file():
            raise FileNotFoundError(
                f"npm package {package} is missing from {source}: run `npm ci` there first"
            )
        shutil.copytree(origin, target / package, dirs_exist_ok=True)


def env_text(settings: dict[str, str]) -> str:
    """``KASANE_*`` settings as an environment file (systemd ``EnvironmentFile`` and sh)."""
    lines = ["# Kasane settings (docs/settings.md). Read by the service and by bin/kasane."]
    for key, value in settings.items():
        quoted = value.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'KASANE_{key.upper()}="{quoted}"')
    return "\n".join(lines) + "\n"


def deploy_files(inst: Instance) -> dict[str, str]:
    """File name in ``deploy/`` (or ``bin/``) -> text, for ``inst``."""
    values = {
        "root": str(inst.root), "kasane": str(inst.kasane), "user": inst.user,
        "port": str(inst.port), "server_name": inst.server_name, "log_dir": str(inst.log_dir),
        "backup_dir": str(inst.backup_dir), "env_file": str(inst.env_file),
        "upload_mb": str(inst.upload_mb),
    }  # fmt: skip
    texts = {
        "deploy/kasane.service": SERVICE, "deploy/kasane-backup.service": BACKUP_SERVICE,
        "deploy/kasane-backup.timer": BACKUP_TIMER, "deploy/nginx-kasane.conf": NGINX,
        "deploy/logrotate-kasane": LOGROTATE, "bin/kasane": ADMIN,
    }  # fmt: skip
    return {
        name: re.sub(r"@(\w+)@", lambda m: values[m.group(1)], text) for name, text in texts.items()
    }


SERVICE = """\
# Kasane's map server: sudo cp it to /etc/systemd/system/ && sudo systemctl enable --now kasane
[Unit]
Description=Kasane (重ね) prefecture GIS
After=network-online.target postgresql.service
Wants=network-online.target

[Service]
Type=simple
User=@user@
Group=@user@
EnvironmentFile=@env_file@
WorkingDirectory=@root@
# checks PostGIS and applies pending schema migrations (the upgrade step), then serves
ExecStartPre=@kasane@ db up
ExecStart=@kasane@ serve
Restart=on-failure
RestartSec=5
TimeoutStopSec=40
StandardOutput=append:@log_dir@/kasane.log
StandardError=append:@log_dir@/kasane.log
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=full
ProtectHome=read-only
ReadWritePaths=@root@ @log_dir@

[Install]
WantedBy=multi-user.target
"""

BACKUP_SERVICE = """\
# One backup of Kasane's schemas (started daily by kasane-backup.timer).
[Unit]
Description=Kasane backup (pg_dump of Kasane's schemas)

[Service]
Type=oneshot
User=@user@
EnvironmentFile=@env_file@
ExecStart=/bin/sh -c 'exec @kasane@ backup @backup_dir@/kasane-$$(date +%%a).backup'
"""

BACKUP_TIMER = """\
# Daily backup at 02:30, one file per weekday. sudo systemctl enable --now kasane-backup.timer
[Unit]
Description=Daily Kasane backup

[Timer]
OnCalendar=*-*-* 02:30:00
Persistent=true

[Install]
WantedBy=timers.target
"""

NGINX = """\
# nginx in front of Kasane: TLS, HTTP to HTTPS, client addresses forwarded
# (Kasane trusts them with KASANE_PROXY_HOPS=1). Copy to /etc/nginx/conf.d/kasane.conf and
# put the certificate and key at the paths below.
upstream kasane {
    server 127.0.0.1:@port@;
    keepalive 32;
}

server {
    listen 80;
    listen [::]:80;
    server_name @server_name@;
    return 301 https://$host$request_uri;
}

server {
    listen 443 ssl http2;  # nginx >= 1.25.1 prefers `http2 on;` (a warning, not an error)
    listen [::]:443 ssl http2;
    server_name @server_name@;

    ssl_certificate     /etc/ssl/certs/@server_name@.crt;
    ssl_certificate_key /etc/ssl/private/@server_name@.key;
    ssl_protocols       TLSv1.2 TLSv1.3;
    ssl_session_cache   shared:kasane_tls:10m;
    add_header Strict-Transport-Security "max-age=31536000" always;

    # Kasane compresses tiles and API answers itself (gzip, brotli): pass them through as they are
    gzip off;
    client_max_body_size @upload_mb@m;

    location / {
        proxy_pass http://kasane;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Host $host;
        proxy_read_timeout 120s;
        proxy_request_buffering off;
    }
}
"""

LOGROTATE = """\
# Copy to /etc/logrotate.d/kasane: daily, 14 days kept, compressed.
@log_dir@/*.log {
    daily
    rotate 14
    compress
    delaycompress
    missingok
    notifempty
    copytruncate
}
"""

ADMIN = """\
#!/bin/sh
# `kasane` with this instance's settings: bin/kasane backup FILE, bin/kasane load LAYER FILE, ...
set -a
. "@env_file@"
set +a
exec "@kasane@" "$@"
"""
