"""An interrupt that lands inside a callback from C still ends the command cleanly."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# ctypes drops an exception raised in its callback and prints it with a traceback; llvmlite
# calls back into Python this way while numba compiles, which is where a CI run met it
SCRIPT = textwrap.dedent(
    """
    import ctypes, signal, sys, time
    from bayes_walk.interrupts import Interrupted, exit_code, handle_signals

    def inside_c():
        signal.raise_signal(signal.SIGINT)  # the handler runs before this frame returns
        sum(range(1000))

    callback = ctypes.CFUNCTYPE(None)(inside_c)
    try:
        with handle_signals("test"):
            callback()
            deadline = time.monotonic() + 2.0  # under the watchdog's grace period
            while time.monotonic() < deadline:
                time.sleep(0.01)
            print("the interrupt was lost")
    except Interrupted as exc:
        sys.stderr.write("interrupted\\n")
        sys.exit(exit_code(exc.signum))
    """
)


def test_interrupt_inside_a_ctypes_callback_is_redelivered_without_a_traceback():
    r = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60)
    assert r.returncode == 130, (r.returncode, r.stdout, r.stderr)
    assert "the interrupt was lost" not in r.stdout
    assert "Exception ignored" not in r.stderr, r.stderr
    assert "Traceback" not in r.stderr, r.stderr
    assert r.stderr.strip() == "interrupted"


def test_other_unraisable_exceptions_still_reach_the_previous_hook():
    script = textwrap.dedent(
        """
        import ctypes
        from bayes_walk.interrupts import handle_signals

        def inside_c():
            raise ValueError("a real bug in a callback")

        with handle_signals("test"):
            ctypes.CFUNCTYPE(None)(inside_c)()
        """
    )
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0
    assert "a real bug in a callback" in r.stderr
