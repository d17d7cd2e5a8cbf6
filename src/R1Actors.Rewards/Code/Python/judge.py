# R1Actors sandbox judge. Trusted code: it never runs the program in its own process.
#
# Started by ProcessSandbox with a job (JSON) on stdin; writes one verdict (JSON) on stdout.
# With isolation "namespaces" it is pid 1 of fresh pid/mount/net/ipc/uts namespaces and root: it joins
# the run's cgroups, builds a minimal read-only root (system dirs bound read-only, a small tmpfs /work and
# /tmp, a fresh /proc), chroots into it, and then starts each program as an unprivileged uid with rlimits.
# Between cases, and at the end, it kills every other process of the namespace, so nothing outlives a case.
# With isolation "rlimits" it runs where it was started and kills the program's process group and every
# process of the program's uid (when it may).
#
# Function tests (HumanEval/MBPP test code) run in a separate "tester" process, forked from the judge and
# dropped to its own uid; the program runs in runner.py under the program uid and answers calls with plain
# data only. Assertions are evaluated by the tester on those values, so the program cannot make them pass
# by exiting early, printing "PASSED", or returning an object whose __eq__ always answers True.
# The price: values cross as plain data (None, bool, int, float, complex, str, bytes, list, tuple, set,
# frozenset, dict), so tests that use the program's own objects (instances of its classes, generators),
# pass it functions, or check arguments it mutated in place, fail.
import ctypes
import json
import os
import select
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sandbox_protocol as protocol  # noqa: E402

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 8, 32, 4096, 16384, 1 << 18
SANDBOX_DIR = "/sandbox"
WORK_DIR = "/work"


def main():
    job = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        paths = prepare(job)
    except OSError as error:
        emit({"infrastructure_error": f"sandbox set-up failed: {error}"})
        return
    limits = job["limits"]
    if job.get("test_code"):
        verdict = {"tests": run_function_tests(job, paths, limits)}
    else:
        verdict = {"cases": [run_case(job, paths, limits, case) for case in job["cases"]]}
    kill_everything_else(job)
    emit(verdict)


def emit(verdict):
    os.write(1, json.dumps(verdict).encode("utf-8"))


# ---------------------------------------------------------------- set-up

def prepare(job):
    """Builds the filesystem the program sees; returns where the program, runner and work dir are."""
    protocol.prefer_for_oom_kill(-1000)
    for cgroup in job.get("cgroups", []):
        with open(os.path.join(cgroup, "cgroup.procs"), "w") as procs:
            procs.write("0")
    if job["isolation"] == "namespaces":
        return build_root(job)
    become_subreaper()
    work = job["work_dir"]
    if os.geteuid() == 0:
        os.chown(work, job["uid"], job["gid"])
    return write_sandbox_files(job, os.path.join(work, ".sandbox"), work)


def become_subreaper():
    """Outside a pid namespace, orphans of the program are re-parented to the judge, which kills and reaps them."""
    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def write_sandbox_files(job, sandbox_dir, work_dir):
    os.makedirs(sandbox_dir, mode=0o755, exist_ok=True)
    for name, text in (("program.py", job["program"]), ("runner.py", read_here("runner.py")), ("sandbox_protocol.py", read_here("sandbox_protocol.py"))):
        with open(os.path.join(sandbox_dir, name), "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(os.path.join(sandbox_dir, name), 0o444)
    return {"sandbox": sandbox_dir, "work": work_dir, "python": job["python"]}


def read_here(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as handle:
        return handle.read()


def build_root(job):
    libc = ctypes.CDLL(None, use_errno=True)

    def mount(source, target, fstype, flags, data=None):
        if libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)) != 0:
            error = ctypes.get_errno()
            raise OSError(error, f"mount {target}: {os.strerror(error)}")

    mount(None, "/", None, MS_REC | MS_PRIVATE)
    root = job["root_dir"]
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    for host_path in job["binds"]:
        target = root + host_path
        if os.path.islink(host_path):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.symlink(os.readlink(host_path), target)
        elif os.path.isdir(host_path):
            os.makedirs(target, exist_ok=True)
            mount(host_path, target, None, MS_BIND | MS_REC)
            mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.makedirs(root + "/dev", exist_ok=True)
    for device in ("null", "zero", "random", "urandom"):
        open(root + "/dev/" + device, "w").close()
        mount("/dev/" + device, root + "/dev/" + device, None, MS_BIND)
    limits = job["limits"]
    for path, size in ((WORK_DIR, limits["disk_bytes"]), ("/tmp", limits["disk_bytes"])):
        os.makedirs(root + path, exist_ok=True)
        mount("tmpfs", root + path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=1777")
    os.chown(root + WORK_DIR, job["uid"], job["gid"])
    os.makedirs(root + "/proc", exist_ok=True)
    mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    write_sandbox_files(job, root + SANDBOX_DIR, root + WORK_DIR)
    mount(None, root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    os.chroot(root)
    os.chdir("/")
    return {"sandbox": SANDBOX_DIR, "work": WORK_DIR, "python": job["python"]}


def enc(text):
    return None if text is None else text.encode("utf-8")


# ---------------------------------------------------------------- running a program

def start_program(job, paths, limits, argv, stdin_data, extra_fds=()):
    """Starts argv as the program uid with rlimits, in its own session; returns the Popen-like record."""
    stdin_r, stdin_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            keep = {0: stdin_r, 1: out_w, 2: err_w}
            for index, fd in enumerate(extra_fds):
                keep[3 + index] = fd
            for target, fd in keep.items():
                os.dup2(fd, target + 100)
            for target in keep:
                os.dup2(target + 100, target)
            os.closerange(3 + len(extra_fds), 4096)
            protocol.apply_limits(limits, job)
            os.chdir(paths["work"])
            os.execve(paths["python"], argv, protocol.clean_environment(paths))
        except BaseException as error:
            os.write(2, f"sandbox could not start the program: {error}".encode())
        os._exit(127)
    for fd in (stdin_r, out_w, err_w):
        os.close(fd)
    return {"pid": pid, "stdin": stdin_w, "stdout": out_r, "stderr": err_r, "stdin_data": stdin_data}


def collect(proc, limits):
    """Feeds stdin, gathers bounded stdout/stderr until the program exits, enforces the wall limit.

    Output is what the program wrote by the time its main process exited: a background process that keeps
    the pipes open does not hold the case up (it is killed right after).
    """
    deadline = time.monotonic() + limits["wall_seconds"]
    output, errors, pending = bytearray(), bytearray(), bytes(proc["stdin_data"], "utf-8")
    readers = {proc["stdout"]: output, proc["stderr"]: errors}
    writer = proc["stdin"] if pending else None
    if writer is None:
        os.close(proc["stdin"])
    status, exit_status = None, None
    while status is None:
        if exit_status is None:
            done, wait_status = os.waitpid(proc["pid"], os.WNOHANG)
            exit_status = wait_status if done else None
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            status = "timeout"
            break
        wait = 0 if exit_status is not None else min(remaining, 0.05)
        ready_r, ready_w, _ = select.select(list(readers), [writer] if writer is not None else [], [], wait)
        if exit_status is not None and not ready_r:
            break
        for fd in ready_w:
            try:
                written = os.write(fd, pending[:65536])
                pending = pending[written:]
            except BrokenPipeError:
                pending = b""
            if not pending:
                os.close(fd)
                writer = None
        for fd in ready_r:
            chunk = os.read(fd, 65536)
            if not chunk:
                del readers[fd]
                continue
            readers[fd].extend(chunk)
            if len(output) + len(errors) > limits["output_bytes"]:
                status = "output-limit"
        if not readers and exit_status is None:
            exit_status = finish(proc["pid"], deadline)
            status = "timeout" if exit_status is None else None
            break
    if writer is not None:
        os.close(writer)
    for fd in (proc["stdout"], proc["stderr"]):
        os.close(fd)
    if exit_status is None:
        kill_group(proc["pid"])
        try:
            os.waitpid(proc["pid"], 0)
        except ChildProcessError:
            pass
    return status, exit_status, bytes(output), bytes(errors)


def finish(pid, deadline):
    """Waits for pid until the deadline, then kills its session; returns the wait status or None if killed for time."""
    while True:
        done, wait_status = os.waitpid(pid, os.WNOHANG)
        if done:
            return wait_status
        if time.monotonic() >= deadline:
            kill_group(pid)
            os.waitpid(pid, 0)
            return None
        time.sleep(0.002)


def kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


def kill_everything_else(job):
    """Kills every process left by the program: all of the namespace when pid 1, else the program uid's."""
    if os.getpid() == 1:
        try:
            os.kill(-1, signal.SIGKILL)
        except OSError:
            pass
    else:
        if os.geteuid() == 0:
            protocol.kill_uid(job["uid"])
            protocol.kill_uid(job["tester_uid"])
        protocol.kill_children(os.getpid())
    while True:
        try:
            if os.waitpid(-1, 0)[0] <= 0:
                break
        except ChildProcessError:
            break


def describe_exit(status, exit_status, errors):
    if status is not None:
        return status, {"timeout": "wall-clock limit reached", "output-limit": "output limit reached"}[status]
    if os.WIFSIGNALED(exit_status):
        number = os.WTERMSIG(exit_status)
        name = {signal.SIGXCPU: "CPU-time limit reached", signal.SIGKILL: "killed (memory or CPU limit)",
                signal.SIGXFSZ: "file-size limit reached"}.get(number, f"killed by signal {number}")
        return "killed", name
    code = os.WEXITSTATUS(exit_status)
    if code != 0:
        return "runtime-error", f"exit code {code}: {protocol.tail(errors)}"
    return "ok", ""


def run_case(job, paths, limits, case):
    argv = [paths["python"], "-I", "-B", os.path.join(paths["sandbox"], "program.py")]
    status, exit_status, output, errors = collect(start_program(job, paths, limits, argv, case["stdin"]), limits)
    kill_everything_else(job)
    outcome, detail = describe_exit(status, exit_status, errors)
    if outcome != "ok":
        return {"passed": False, "status": outcome, "detail": detail}
    actual = protocol.normalise_output(output.decode("utf-8", "replace"))
    if actual == protocol.normalise_output(case["stdout"]):
        return {"passed": True, "status": "passed", "detail": ""}
    return {"passed": False, "status": "wrong-answer", "detail": f"expected {protocol.shorten(case['stdout'])!r}, got {protocol.shorten(actual)!r}"}


# ---------------------------------------------------------------- function tests

def run_function_tests(job, paths, limits):
    requests_r, requests_w = os.pipe()
    replies_r, replies_w = os.pipe()
    argv = [paths["python"], "-I", "-B", os.path.join(paths["sandbox"], "runner.py")]
    program = start_program(job, paths, limits, argv, "", extra_fds=(requests_r, replies_w))
    os.close(requests_r)
    os.close(replies_w)
    result_r, result_w = os.pipe()
    tester = os.fork()
    if tester == 0:
        os.close(result_r)
        for fd in (program["stdout"], program["stderr"], program["stdin"]):
            os.close(fd)
        protocol.run_tester(job, requests_w, replies_r, result_w)
        os._exit(0)
    for fd in (requests_w, replies_r, result_w):
        os.close(fd)
    program["stdin_data"] = ""
    status, exit_status, output, errors = collect(program, limits)
    verdict = read_result(result_r, tester, limits)
    kill_everything_else(job)
    if verdict is None:
        outcome, detail = describe_exit(status, exit_status, errors)
        return {"passed": False, "status": outcome if outcome != "ok" else "error", "detail": detail or "the tests did not report"}
    if not verdict["passed"] and status is not None:
        verdict["detail"] = describe_exit(status, exit_status, errors)[1] + "; " + verdict["detail"]
    return verdict


def read_result(fd, tester_pid, limits):
    data = bytearray()
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        data.extend(chunk)
    os.close(fd)
    try:
        os.kill(tester_pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        return json.loads(data.decode("utf-8")) if data else None
    except ValueError:
        return None


if __name__ == "__main__":
    main()
