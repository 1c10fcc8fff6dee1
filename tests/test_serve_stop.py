"""A stop of `cocon serve` is bounded: whatever holds the process after Ctrl-C, it ends.

A run in flight, a service's stop or a background thread at the interpreter's exit could keep the
process alive; the watch armed by the first signal stops the Prefect server Cocon started and exits
after the grace. Shown on a real process that hangs on purpose after Ctrl-C.
"""

import subprocess
import sys
import time

HANGING = """
import threading, time
import flows.serve as serve
serve.STOP_GRACE_SECONDS = 1.0

class Server:
    stopped = False
    def stop(self, grace):
        print("server stopped", flush=True)

watch = serve._StopWatch(Server(), print)
watch.arm()
threading.Thread(target=time.sleep, args=(600,)).start()  # a non-daemon thread: the exit would wait
print("ready", flush=True)
time.sleep(600)
"""


def test_a_stuck_stop_ends_after_the_grace_with_the_prefect_server_stopped() -> None:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", HANGING], capture_output=True, text=True, timeout=60, env={"COCON_LANG": "en", "PATH": ""}
    )
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 30
    assert done.stdout.splitlines() == [
        "ready",
        "server stopped",
        "Cocon stopped without waiting for a flow after 1 s: what it was doing resumes on the next run.",
    ]

