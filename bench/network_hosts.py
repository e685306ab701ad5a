"""The app, Rasa and the action server as three hosts: network namespaces on a bridge.

Each process runs in a namespace of its own (iproute2; needs root), whose 127.0.0.1 is
its alone, so an address that silently assumes one machine fails here. The namespaces
share a bridge in a private 10.x.y.0/24; the machine itself is 10.x.y.1 on it and
reaches the app there. The processes are the Procfile's commands, each prefixed with
`ip netns exec`, under honcho.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.full_stack import processes_running
from bench.stack import ROOT

IP = shutil.which("ip") or "/usr/sbin/ip"
HOSTS = ("app", "rasa", "actions")
PORTS = {"app": 8000, "rasa": 5005, "actions": 5055}


@dataclass(frozen=True)
class Host:
    """A namespace and its address on the bridge."""

    namespace: str
    address: str


def _ip(*args: str) -> None:
    subprocess.run([IP, *args], check=True, capture_output=True)


@contextmanager
def bridged_hosts(names: tuple[str, ...]) -> Iterator[dict[str, Host]]:
    """A namespace per name on a new bridge; all removed afterwards."""
    tag = secrets.token_hex(2)
    subnet = f"10.{secrets.randbelow(200) + 20}.{secrets.randbelow(250)}"
    bridge = f"kpbr{tag}"
    hosts = {name: Host(f"kp{tag}{name}", f"{subnet}.{n + 2}") for n, name in enumerate(names)}
    with ExitStack() as undo:
        _ip("link", "add", bridge, "type", "bridge")
        undo.callback(_ip, "link", "del", bridge)
        _ip("addr", "add", f"{subnet}.1/24", "dev", bridge)
        _ip("link", "set", bridge, "up")
        for n, host in enumerate(hosts.values()):
            outside, inside = f"kp{tag}v{n}", f"kp{tag}n{n}"
            _ip("netns", "add", host.namespace)
            undo.callback(_ip, "netns", "del", host.namespace)
            _ip("link", "add", outside, "type", "veth", "peer", "name", inside)
            _ip("link", "set", inside, "netns", host.namespace)
            _ip("link", "set", outside, "master", bridge, "up")
            inner = ("netns", "exec", host.namespace, "ip")
            _ip(*inner, "addr", "add", f"{host.address}/24", "dev", inside)
            _ip(*inner, "link", "set", inside, "up")
            _ip(*inner, "link", "set", "lo", "up")
        yield hosts


@contextmanager
def stack_on_hosts(var_dir: Path) -> Iterator[tuple[str, dict[str, Host]]]:
    """The Procfile's three processes, one per namespace, on a private SQLite database;
    the app's URL as the machine reaches it, and the hosts."""
    with bridged_hosts(HOSTS) as hosts:
        url = {name: f"http://{hosts[name].address}:{PORTS[name]}" for name in HOSTS}
        env = {
            **os.environ,
            "VAR_DIR": str(var_dir),
            "DATABASE_URL": f"sqlite:///{var_dir / 'app.db'}",
            "KNOWLEDGE_SOURCE": str(ROOT / "knowledge" / "entries"),
            "KNOWLEDGE_INDEX_DIR": str(ROOT / "var" / "knowledge-index"),
            "APP_HOST": hosts["app"].address,
            "APP_PORT": str(PORTS["app"]),
            "RASA_HOST": hosts["rasa"].address,
            "RASA_PORT": str(PORTS["rasa"]),
            "ACTION_HOST": hosts["actions"].address,
            "ACTION_PORT": str(PORTS["actions"]),
            "RASA_URL": url["rasa"],
            "ACTION_SERVER_URL": url["actions"],
            "APP_URL": url["app"],
        }
        python = ROOT / ".venv" / "bin" / "python"
        for command in ("channels secrets", "channels migrate", "invoicing_core seed-demo"):
            subprocess.run([python, "-m", *command.split()], env=env, cwd=ROOT, check=True)
        procfile = var_dir / "Procfile.hosts"
        procfile.write_text(
            f"app: ip netns exec {hosts['app'].namespace} scripts/app-worker\n"
            f"rasa: ip netns exec {hosts['rasa'].namespace} scripts/rasa-server\n"
            f"actions: ip netns exec {hosts['actions'].namespace} scripts/action-server\n"
        )
        honcho: list[str | Path] = [
            ROOT / ".venv" / "bin" / "honcho",
            "-d",
            ROOT,
            "-f",
            procfile,
            "start",
        ]
        with processes_running(honcho, env, var_dir / "hosts.log", url["app"]):
            yield url["app"], hosts
