#!/usr/bin/python3
"""pty_answer.py PROMPT ANSWER CMD [ARGS...] - run CMD on a pseudo-terminal
and type ANSWER (and Enter) when it prints PROMPT, as a person would; for
programs that read secrets from the terminal (botocore's MFA code prompt).
Prints everything CMD wrote; exits with its status (124 after 60 s)."""
import os
import pty
import select
import signal
import sys
import time

prompt, answer, argv = sys.argv[1].encode(), sys.argv[2], sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
out, sent, deadline = b"", False, time.time() + 60
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 1)
    if not ready:
        continue
    try:
        chunk = os.read(fd, 4096)
    except OSError:  # the child closed the terminal
        break
    if not chunk:
        break
    out += chunk
    if not sent and prompt in out:
        os.write(fd, (answer + "\n").encode())
        sent = True
else:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    sys.stdout.write(out.decode(errors="replace"))
    sys.exit(124)
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
