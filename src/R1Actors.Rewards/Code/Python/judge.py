# R1Actors sandbox server. Trusted code: it never runs a program in its own process.
#
# ProcessSandbox starts one server per verifier slot and talks to it over stdin/stdout in frames (4-byte
# big-endian length, then JSON): first a set-up frame, answered by {"ready": ...}; then one frame per job,
# answered by one verdict each. The server lives for many jobs (the warm pool) or for one (cold spawn).
#
# Set-up, once per server. With isolation "namespaces" the server is pid 1 of fresh pid/mount/net/ipc/uts
# namespaces (and, without root, of a user namespace whose only uid is the caller's, mapped to 0): it joins
# its slot's cgroup, builds a minimal read-only root (system folders bound read-only, /dev/null and friends,
# a fresh /proc), chroots into it, and imports the modules programs commonly use. Then it forks the
# template: a warm copy of itself, made before any job reached the server, so that no job's tests, inputs or
# outputs are in its memory. With isolation "rlimits" it stays where it was started, as a child subreaper.
#
# Per program run (each stdin/stdout case, or one function-test run), the server hands the template the
# run's pipes (SCM_RIGHTS over a socket pair) and nothing else. The template forks a middle process that,
# under namespaces, enters a new mount and IPC namespace and mounts a fresh tmpfs /work and /tmp; the middle
# forks the program and exits, so the program is re-parented to the server, which waits for it. Under
# namespaces the middle also makes a pid namespace for the run: the program is its pid 1, with a /proc of
# its own (/proc/sys read-only), and cannot see or signal the server, the template or the tester. The program
# reads its source from a pipe, starts its own session, takes its rlimits and its uid (as root) or drops
# every capability (without root), sets no-new-privileges and a seccomp filter (no kernel keyrings, which keep
# per-uid state beyond the run; no memfd, userfaultfd or io_uring; no system calls of another ABI), and runs as
# __main__ of a fresh fork of the warm interpreter: whatever it patches (builtins, sys.modules) dies with it.
# Its IPC namespace's shared memory is bounded by the run's disk size. After each run the server kills every process other than
# itself and the template, and checks the template is alive and not stopped; if anything survives, the
# verdict says "tainted" and ProcessSandbox replaces the server.
#
# A call (a reward function users write in Python, veRL's compute_score) is a program run too: the function's
# module is loaded and called with plain-data keyword arguments in the child, which writes the JSON of what it
# returned to a result pipe; its own wall and CPU limits come with the job.
#
# Function tests (HumanEval/MBPP test code) run in a separate tester process, forked from the server (it
# holds the tests) and given its own uid (as root) or made non-dumpable and capability-free (without root,
# so that the program cannot read its memory or descriptors). The program answers calls with plain data
# only; assertions are evaluated by the tester on those values, so the program cannot make them pass by
# exiting early, printing "PASSED", or returning an object whose __eq__ always answers True. The price:
# values cross as plain data (None, bool, int, float, complex, str, bytes, list, tuple, set, frozenset,
# dict), so tests that use the program's own objects, pass it functions, or check arguments it mutated in
# place, fail.
import ctypes
import fcntl
import json
import os
import select
import shutil
import signal
import socket
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sandbox_protocol as protocol  # noqa: E402
import runner  # noqa: E402

sys.path.remove(HERE)

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 8, 32, 4096, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWPID = 0x00020000, 0x08000000, 0x20000000
PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 4, 36
WORK_DIR = "/work"
LIBC = ctypes.CDLL(None, use_errno=True)

# What programs commonly import, loaded once into the warm template so that no run pays for it.
WARM_MODULES = ("array", "atexit", "bisect", "collections", "copy", "dataclasses", "datetime", "decimal", "enum",
                "fractions", "functools", "hashlib", "heapq", "io", "itertools", "json", "linecache", "math",
                "numbers", "operator", "random", "re", "statistics", "string", "struct", "threading", "traceback",
                "types", "typing", "unittest")


def main():
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    setup = protocol.receive(0, 1 << 20)
    if setup is None:
        return
    try:
        server = Server(setup)
    except OSError as error:
        protocol.send(1, {"infrastructure_error": f"sandbox set-up failed: {error}"})
        return
    protocol.send(1, {"ready": True, "hardening": server.hardening})
    while True:
        job = protocol.receive(0, 1 << 30)
        if job is None:
            return
        verdict = server.run(job)
        protocol.send(1, protocol.scrub(verdict))
        if verdict.get("tainted"):
            return


def libc_call(name, *args):
    if getattr(LIBC, name)(*args) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{name}: {os.strerror(error)}")


def mount(source, target, fstype, flags, data=None):
    if LIBC.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"mount {target}: {os.strerror(error)}")


def enc(text):
    return None if text is None else text.encode("utf-8")


class SpawnError(Exception):
    pass


class Server:
    def __init__(self, setup):
        self.setup = setup
        self.limits = setup["limits"]
        self.namespaces = setup["isolation"] == "namespaces"
        self.rootless = bool(setup.get("rootless"))
        self.hardening = []
        protocol.prefer_for_oom_kill(-1000)
        for cgroup in setup.get("cgroups", []):
            with open(os.path.join(cgroup, "cgroup.procs"), "w") as procs:
                procs.write("0")
        if self.namespaces:
            build_root(setup)
            if self.rootless:
                self.limit_nested_user_namespaces()
        else:
            LIBC.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        for name in WARM_MODULES:
            try:
                __import__(name)
            except ImportError:
                pass
        # Neither the server nor the template may be read or traced by a program of the same uid.
        LIBC.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        self.template_pid, self.template = start_template(setup)

    def limit_nested_user_namespaces(self):
        """Without root the program shares the server's uid; it may not make user namespaces of its own here."""
        try:
            with open("/proc/sys/user/max_user_namespaces", "w") as limit:
                limit.write("0")
            self.hardening.append("no nested user namespaces")
        except OSError:
            pass

    # ------------------------------------------------------------ one job

    def run(self, job):
        try:
            if job.get("call"):
                verdict = {"call": self.run_call(job["call"])}
            elif job.get("test_code"):
                verdict = {"tests": self.run_function_tests(job)}
            else:
                verdict = {"cases": [self.run_case(job, case) for case in job["cases"]]}
        except SpawnError as error:
            self.sweep()
            return {"infrastructure_error": f"the sandbox could not start the program: {error}", "tainted": True}
        clean = self.sweep()
        verdict["tainted"] = not (clean and self.template_healthy())
        return verdict

    def spawn(self, mode, source, stdin_data, extra=(), limits=None):
        """Has the template start one program run; returns the pipes the server keeps."""
        stdin_r, stdin_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        source_r, source_w = os.pipe()
        given = [stdin_r, out_w, err_w, source_r, *extra]
        work = None
        if not self.namespaces:
            work = tempfile.mkdtemp(prefix="work-", dir=self.setup["scratch_dir"])
            if os.geteuid() == 0:
                os.chown(work, self.setup["uid"], self.setup["gid"])
        try:
            request = {"mode": mode, "work": work, "limits": limits or {}}
            socket.send_fds(self.template, [json.dumps(request).encode()], given)
            ready, _, _ = select.select([self.template], [], [], 10)
            reply = json.loads(self.template.recv(65536) or b"{}") if ready else {}
        except (OSError, ValueError) as error:
            reply = {"error": str(error)}
        finally:
            for fd in given:
                os.close(fd)
        if "pid" not in reply:
            for fd in (stdin_w, out_r, err_r, source_w):
                os.close(fd)
            raise SpawnError(reply.get("error", "the template did not answer"))
        try:
            data = source.encode("utf-8")
            while data:
                data = data[os.write(source_w, data):]
        except OSError:
            pass
        os.close(source_w)
        return {"pid": reply["pid"], "stdin": stdin_w, "stdout": out_r, "stderr": err_r, "stdin_data": stdin_data, "work": work}

    def run_case(self, job, case):
        proc = self.spawn("main", job["program"], case["stdin"])
        status, exit_status, output, errors = collect(proc, self.limits)
        self.sweep()
        self.remove_work(proc)
        outcome, detail = describe_exit(status, exit_status, errors)
        if outcome != "ok":
            return {"passed": False, "status": outcome, "detail": detail}
        actual = protocol.normalise_output(output.decode("utf-8", "replace"))
        if actual == protocol.normalise_output(case["stdout"]):
            return {"passed": True, "status": "passed", "detail": ""}
        return {"passed": False, "status": "wrong-answer", "detail": f"expected {protocol.shorten(case['stdout'])!r}, got {protocol.shorten(actual)!r}"}

    def run_function_tests(self, job):
        # The tester is forked before the program starts: a program that fills the slot's process limit at once
        # must not leave the server unable to fork it (that would be a sandbox fault for the program's doing).
        requests_r, requests_w = os.pipe()
        replies_r, replies_w = os.pipe()
        result_r, result_w = os.pipe()
        try:
            tester = os.fork()
        except OSError as error:
            for fd in (requests_r, requests_w, replies_r, replies_w, result_r, result_w):
                os.close(fd)
            raise SpawnError(f"the tester could not be started: {error}")
        if tester == 0:
            for fd in (result_r, requests_r, replies_w, self.template.fileno()):
                os.close(fd)
            protocol.run_tester(job, self.setup, requests_w, replies_r, result_w)
            os._exit(0)
        for fd in (requests_w, replies_r, result_w):
            os.close(fd)
        try:
            program = self.spawn("functions", job["program"], "", extra=(requests_r, replies_w))
        except SpawnError:
            os.close(result_r)
            try:
                os.kill(tester, signal.SIGKILL)
            except OSError:
                pass
            raise
        status, exit_status, output, errors = collect(program, self.limits)
        verdict = read_result(result_r, tester)
        self.sweep()
        self.remove_work(program)
        if verdict is None:
            outcome, detail = describe_exit(status, exit_status, errors)
            return {"passed": False, "status": outcome if outcome != "ok" else "error", "detail": detail or "the tests did not report"}
        if not verdict["passed"] and status is not None:
            verdict["detail"] = describe_exit(status, exit_status, errors)[1] + "; " + verdict["detail"]
        return verdict

    def run_call(self, call):
        """A user's function (a reward written in Python) called once with plain-data arguments, in a program run."""
        result_r, result_w = os.pipe()
        overrides = {"wall_seconds": call["wall_seconds"], "cpu_seconds": call["cpu_seconds"]}
        proc = self.spawn("call", json.dumps(call), "", extra=(result_w,), limits=overrides)
        result = bytearray()
        status, exit_status, output, errors = collect(proc, dict(self.limits, **overrides), (result_r, result))
        self.sweep()
        self.remove_work(proc)
        reply = None
        try:
            reply = json.loads(bytes(result[4:]).decode("utf-8")) if len(result) > 4 else None
        except ValueError:
            pass
        if status is not None or not isinstance(reply, dict):
            outcome, detail = describe_exit(status, exit_status, errors)
            return {"ok": False, "status": outcome if outcome != "ok" else "runtime-error",
                    "detail": detail or "the function returned nothing"}
        return reply

    def remove_work(self, proc):
        if proc["work"] is not None:
            shutil.rmtree(proc["work"], ignore_errors=True)

    # ------------------------------------------------------------ what a run leaves behind

    def sweep(self):
        """Kills every process but the server and the template; True when none is left."""
        trusted = {os.getpid(), self.template_pid}
        for attempt in range(200):
            self.reap()
            victims = [pid for pid in self.candidates() if pid not in trusted]
            if not victims:
                return True
            for pid in victims:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            if attempt > 20:
                time.sleep(0.005)
        self.reap()
        return False

    def candidates(self):
        """Live processes a program may have left: all of the namespace, else the server's descendants and the sandbox uids'."""
        found = []
        own = os.getpid()
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                if fields[0] in ("Z", "X"):
                    continue
                if self.namespaces:
                    found.append(int(entry))
                    continue
                with open(f"/proc/{entry}/status") as status:
                    uid = int(next(line for line in status if line.startswith("Uid:")).split()[1])
                if int(fields[1]) == own or (os.geteuid() == 0 and uid in (self.setup["uid"], self.setup["tester_uid"])):
                    found.append(int(entry))
            except (OSError, StopIteration, ValueError, IndexError):
                continue
        return found

    def reap(self):
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid == self.template_pid:
                self.template_pid = -1

    def template_healthy(self):
        if self.template_pid < 0:
            return False
        try:
            with open(f"/proc/{self.template_pid}/stat") as stat:
                return stat.read().rsplit(")", 1)[1].split()[0] not in ("T", "t", "Z", "X")
        except OSError:
            return False


# ---------------------------------------------------------------- set-up

def build_root(setup):
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    root = setup["root_dir"]
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    for host_path in setup["binds"]:
        target = root + host_path
        if os.path.islink(host_path):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.symlink(os.readlink(host_path), target)
        elif os.path.isdir(host_path):
            os.makedirs(target, exist_ok=True)
            mount(host_path, target, None, MS_BIND | MS_REC)
            # A remount inside a user namespace must keep the flags the host mount has (they are locked).
            mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | locked_flags(host_path))
    os.makedirs(root + "/dev", exist_ok=True)
    for device in ("null", "zero", "random", "urandom"):
        open(root + "/dev/" + device, "w").close()
        mount("/dev/" + device, root + "/dev/" + device, None, MS_BIND)
    for path in (WORK_DIR, "/tmp", "/proc"):
        os.makedirs(root + path, exist_ok=True)
    mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    mount(None, root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    os.chroot(root)
    os.chdir("/")


def locked_flags(path):
    flags = os.statvfs(path).f_flag
    result = 0
    for statvfs_flag, mount_flag in ((os.ST_NOEXEC, MS_NOEXEC), (os.ST_NOATIME, MS_NOATIME),
                                     (os.ST_NODIRATIME, MS_NODIRATIME), (os.ST_RELATIME, MS_RELATIME)):
        if flags & statvfs_flag:
            result |= mount_flag
    return result


# ---------------------------------------------------------------- the template

def start_template(setup):
    server_end, template_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pid = os.fork()
    if pid == 0:
        server_end.close()
        null = os.open("/dev/null", os.O_RDWR)
        for fd in (0, 1):
            os.dup2(null, fd)
        keep = template_end.fileno()
        os.closerange(3, keep)
        os.closerange(keep + 1, 1 << 16)
        for number in range(1, signal.NSIG):
            if number not in (signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD):
                try:
                    signal.signal(number, signal.SIG_IGN)
                except (OSError, ValueError):
                    pass
        try:
            template_loop(setup, template_end)
        finally:
            os._exit(0)
    template_end.close()
    return pid, server_end


def template_loop(setup, sock):
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(sock, 65536, 8)
        except OSError:
            return
        if not message:
            return
        try:
            reply = spawn_program(setup, json.loads(message), fds, sock)
        except Exception as error:  # the template must answer whatever went wrong
            reply = {"error": f"{type(error).__name__}: {error}"}
        for fd in fds:
            os.close(fd)
        sock.send(json.dumps(reply).encode())


def spawn_program(setup, request, fds, sock):
    """Forks the middle process, which prepares the run's private space and forks the program."""
    pid_r, pid_w = os.pipe()
    middle = os.fork()
    if middle == 0:
        os.close(pid_r)
        try:
            if setup["isolation"] == "namespaces":
                private_space(setup)
            program = os.fork()
            if program == 0:
                os.close(pid_w)
                sock.close()
                become_program(setup, request, fds)
            os.write(pid_w, str(program).encode())
        except BaseException as error:
            os.write(pid_w, f"error {error}".encode())
        os._exit(0)
    os.close(pid_w)
    data = bytearray()
    while chunk := os.read(pid_r, 4096):
        data.extend(chunk)
    os.close(pid_r)
    os.waitpid(middle, 0)
    text = data.decode("utf-8", "replace")
    if not text.isdigit():
        return {"error": text[6:] if text.startswith("error ") else "the run's process could not be started"}
    return {"pid": int(text)}


def private_space(setup):
    """Mount, IPC and pid namespaces for this run alone: a fresh /work and /tmp; shared memory dies with the run;
    the program is pid 1 of its own pid namespace (its next fork), so it sees and signals only what it started,
    never the server, the template or the tester, and everything it started dies with it."""
    libc_call("unshare", CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWPID)
    size = setup["limits"]["disk_bytes"]
    limit_ipc(size)
    for path in (WORK_DIR, "/tmp"):
        mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=1777")
    if os.geteuid() == 0 and not setup.get("rootless"):
        os.chown(WORK_DIR, setup["uid"], setup["gid"])


def become_program(setup, request, fds):
    """In the program's process: its descriptors, limits and identity, then the program itself. Never returns."""
    try:
        if setup["isolation"] == "namespaces":
            own_proc()
        os.setsid()
        source_fd = fds[3]
        source = bytearray()
        while chunk := os.read(source_fd, 1 << 16):
            source.extend(chunk)
        targets = [fds[0], fds[1], fds[2]] + list(fds[4:])
        moved = [fcntl.fcntl(fd, fcntl.F_DUPFD, 100) for fd in targets]
        for index, fd in enumerate(moved):
            os.dup2(fd, index)
        os.closerange(len(moved), 1 << 16)
        work = request["work"] or WORK_DIR
        os.chdir(work)
        protocol.apply_limits(dict(setup["limits"], **request.get("limits", {})), setup)
        LIBC.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
        for number in range(1, signal.NSIG):
            try:
                signal.signal(number, signal.SIG_DFL)
            except (OSError, ValueError):
                pass
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
        text = source.decode("utf-8", "replace")
    except BaseException as error:
        os.write(2, f"sandbox could not start the program: {error}".encode())
        os._exit(127)
    if request["mode"] == "functions":
        runner.serve(text, work)
    elif request["mode"] == "call":
        runner.call(text, work)
    else:
        runner.run_main(text, work)


def limit_ipc(size):
    """The run's new IPC namespace starts with the kernel's defaults (shared memory all but unlimited, and
    outside the address-space limit): bound it by the run's disk size, as its tmpfs folders are."""
    for name, value in (("shmmax", size), ("shmall", max(1, size // 4096)), ("shmmni", 16), ("msgmni", 16), ("msgmnb", 65536)):
        with open(f"/proc/sys/kernel/{name}", "w") as limit:
            limit.write(str(value))


def own_proc():
    """A /proc of the run's own pid namespace, with /proc/sys read-only (a pid namespace's pid_max would
    otherwise be writable by uid 0 of a user namespace)."""
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    mount("/proc/sys", "/proc/sys", None, MS_BIND | MS_REC)
    mount(None, "/proc/sys", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)


# ---------------------------------------------------------------- collecting a run

def collect(proc, limits, result=None):
    """Feeds stdin, gathers bounded stdout/stderr (and a result pipe, when given) until the program exits,
    enforces the wall limit.

    Output is what the program wrote by the time its main process exited: a background process that keeps
    the pipes open does not hold the case up (it is killed right after).
    """
    deadline = time.monotonic() + limits["wall_seconds"]
    output, errors, pending = bytearray(), bytearray(), bytes(proc["stdin_data"], "utf-8")
    readers = {proc["stdout"]: output, proc["stderr"]: errors}
    if result is not None:
        readers[result[0]] = result[1]
    writer = proc["stdin"] if pending else None
    if writer is None:
        os.close(proc["stdin"])
    else:
        os.set_blocking(writer, False)  # a program that stops reading must not block the server past the wall limit
    status, exit_status = None, None
    while status is None:
        if exit_status is None:
            exit_status = poll(proc["pid"])
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
            except BlockingIOError:
                pass
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
            if sum(len(buffer) for buffer in readers.values()) > limits["output_bytes"]:
                status = "output-limit"
        if not readers and exit_status is None:
            exit_status = finish(proc["pid"], deadline)
            status = "timeout" if exit_status is None else None
            break
    if writer is not None:
        os.close(writer)
    for fd in (proc["stdout"], proc["stderr"]) + ((result[0],) if result is not None else ()):
        os.close(fd)
    if exit_status is None:
        kill_group(proc["pid"])
        try:
            os.waitpid(proc["pid"], 0)
        except ChildProcessError:
            pass
    return status, exit_status, bytes(output), bytes(errors)


def poll(pid):
    try:
        done, wait_status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return 0
    return wait_status if done else None


def finish(pid, deadline):
    """Waits for pid until the deadline, then kills its session; returns the wait status or None if killed for time."""
    while True:
        status = poll(pid)
        if status is not None:
            return status
        if time.monotonic() >= deadline:
            kill_group(pid)
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
            return None
        time.sleep(0.001)


def kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


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


def read_result(fd, tester_pid):
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
