"""Run the processes of `make run` / `make serve` together and stop them together.

    python ops/supervise.py -- CMD1 ARGS… -- CMD2 ARGS…

SIGTERM or SIGINT is passed on to every process, which finishes what it is doing
(uvicorn/gunicorn: in-flight requests, websockets closed with 1001 « going away »;
the worker: the task in progress) and exits; this script then exits 0 when all of
them exited cleanly. A process that dies by itself (killed, crashed) is started
again, as systemd's Restart=on-failure would — at most MAX_RESTARTS times a
minute, after which everything stops and its exit code is returned.

SIGHUP is the rolling restart of an upgrade (docs/deploiement.md): gunicorn gets
it and replaces its workers one by one with the new code (each old one finishes
its requests); any other process (the background worker) is asked to stop with
SIGTERM, finishes its task and is started again, without counting as a crash.

Why not the shell's `trap 'kill 0'`: it also signals the shell and make, which
report the signal as a failure, and it kills the processes rather than asking them
to stop; why not supervisord/honcho: one more dependency for twenty lines.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

GRACE_SECONDS = 30.0
MAX_RESTARTS = 5


def _commands(argv: list[str]) -> list[list[str]]:
    commands, current = [], []
    for arg in argv:
        if arg == "--":
            if current:
                commands.append(current)
            current = []
        else:
            current.append(arg)
    if current:
        commands.append(current)
    return commands


def main(argv: list[str]) -> int:
    commands = _commands(argv)
    if not commands:
        print("usage: supervise.py -- CMD… [-- CMD…]", file=sys.stderr)
        return 2
    processes = [subprocess.Popen(command) for command in commands]  # noqa: S603
    restarts: list[list[float]] = [[] for _ in commands]
    stopping = {"asked": False}

    def stop(signum, frame):
        if stopping["asked"]:
            return
        stopping["asked"] = True
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)

    reloading: set[int] = set()

    def reload(signum, frame):
        for index, process in enumerate(processes):
            if process.poll() is not None:
                continue
            if any("gunicorn" in part for part in commands[index][:2]):
                process.send_signal(signal.SIGHUP)
            else:
                reloading.add(index)
                process.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, reload)
    failed = 0
    while not stopping["asked"]:
        for index, process in enumerate(processes):
            code = process.poll()
            if code is None or stopping["asked"]:
                continue
            if index in reloading:
                reloading.discard(index)
                print(f"{commands[index][0]} relancé (rechargement).", file=sys.stderr)
                processes[index] = subprocess.Popen(commands[index])  # noqa: S603
                continue
            now = time.monotonic()
            recent = [t for t in restarts[index] if now - t < 60] + [now]
            restarts[index] = recent
            if len(recent) > MAX_RESTARTS:
                print(
                    f"{commands[index][0]} s'est arrêté {len(recent)} fois en une minute "
                    f"(code {code}) : arrêt de tous les processus.",
                    file=sys.stderr,
                )
                failed = code if code and code > 0 else 1
                stop(None, None)
                break
            print(f"{commands[index][0]} s'est arrêté (code {code}) : relancé.", file=sys.stderr)
            processes[index] = subprocess.Popen(commands[index])  # noqa: S603
        time.sleep(0.2)
    deadline = time.monotonic() + GRACE_SECONDS
    while time.monotonic() < deadline and any(p.poll() is None for p in processes):
        time.sleep(0.1)
    for process in processes:
        if process.poll() is None:
            process.kill()
    codes = [p.wait() for p in processes]
    if failed:
        return failed
    # Stopped on request: a process that exited on the signal itself counts as clean.
    return 0 if all(code in (0, -signal.SIGTERM) for code in codes) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
