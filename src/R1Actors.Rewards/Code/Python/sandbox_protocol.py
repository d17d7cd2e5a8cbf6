# R1Actors sandbox protocol: shared by the judge, the tester (both trusted) and the runner (inside the
# program's process, so nothing the runner reports is trusted: the tester accepts plain data only).
import ast
import builtins
import ctypes
import json
import os
import platform
import resource
import struct

MAX_DEPTH = 100
PLAIN_SCALARS = (type(None), bool, int, float, complex, str, bytes)


# ---------------------------------------------------------------- values as plain data

def encode(value, depth=0):
    """Plain data to tagged JSON; anything else (a custom class, a subclass of int, a generator) is refused."""
    if depth > MAX_DEPTH:
        raise ValueError("value nests too deeply")
    kind = type(value)
    if kind is type(None):
        return ["none"]
    if kind is bool:
        return ["bool", value]
    if kind is int:
        return ["int", hex(value)]
    if kind is float:
        return ["float", value.hex()]
    if kind is complex:
        return ["complex", value.real.hex(), value.imag.hex()]
    if kind is str:
        return ["str", value]
    if kind is bytes:
        return ["bytes", value.hex()]
    if kind in (list, tuple, set, frozenset):
        items = [encode(item, depth + 1) for item in (sorted_items(value) if kind in (set, frozenset) else value)]
        return [kind.__name__, items]
    if kind is dict:
        return ["dict", [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]]
    raise TypeError(f"a value of type {kind.__name__} is not plain data")


def sorted_items(values):
    return list(values)


def decode(data, depth=0):
    """Tagged JSON back to real builtin values; malformed data raises ValueError."""
    if depth > MAX_DEPTH or not isinstance(data, list) or not data or not isinstance(data[0], str):
        raise ValueError("malformed value")
    tag = data[0]
    if tag == "none":
        return None
    if tag == "bool" and len(data) == 2 and type(data[1]) is bool:
        return data[1]
    if tag == "int" and len(data) == 2 and type(data[1]) is str:
        return int(data[1], 16)
    if tag == "float" and len(data) == 2 and type(data[1]) is str:
        return float.fromhex(data[1])
    if tag == "complex" and len(data) == 3:
        return complex(float.fromhex(data[1]), float.fromhex(data[2]))
    if tag == "str" and len(data) == 2 and type(data[1]) is str:
        return data[1]
    if tag == "bytes" and len(data) == 2 and type(data[1]) is str:
        return bytes.fromhex(data[1])
    if tag in ("list", "tuple", "set", "frozenset") and len(data) == 2 and type(data[1]) is list:
        items = [decode(item, depth + 1) for item in data[1]]
        return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[tag](items)
    if tag == "dict" and len(data) == 2 and type(data[1]) is list:
        return {decode(pair[0], depth + 1): decode(pair[1], depth + 1) for pair in data[1]}
    raise ValueError(f"malformed value tagged {tag!r}")


# ---------------------------------------------------------------- framing

def send(fd, message):
    payload = json.dumps(message).encode("utf-8")
    data = struct.pack(">I", len(payload)) + payload
    while data:
        data = data[os.write(fd, data):]


def scrub(value):
    """The value with every string made valid UTF-8 (a lone surrogate in an error message becomes "?"): what
    leaves the server must be readable by any JSON reader."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def receive(fd, limit):
    header = read_exactly(fd, 4)
    if header is None:
        return None
    size = struct.unpack(">I", header)[0]
    if size > limit:
        raise ValueError(f"message of {size} bytes exceeds the output limit")
    payload = read_exactly(fd, size)
    if payload is None:
        return None
    return json.loads(payload.decode("utf-8"))


def read_exactly(fd, size):
    data = bytearray()
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            return None
        data.extend(chunk)
    return bytes(data)


# ---------------------------------------------------------------- limits and processes

def apply_limits(limits, setup):
    """The program's rlimits and identity: its own uid as root; without root, no capability it could use."""
    cpu = limits["cpu_seconds"]
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits["memory_bytes"], limits["memory_bytes"]))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_bytes"], limits["file_bytes"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
    prefer_for_oom_kill(1000)
    resource.setrlimit(resource.RLIMIT_MSGQUEUE, (0, 0))
    become(setup, setup["uid"], setup["gid"], limits["processes"])
    refuse_syscalls()


def become(setup, uid, gid, processes):
    """Drops to uid as root; inside a user namespace (or without root) drops every capability instead."""
    if setup.get("rootless"):
        resource.setrlimit(resource.RLIMIT_NPROC, (processes + 4, processes + 4))
        drop_capabilities()
    elif os.geteuid() == 0:
        resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)


PR_CAPBSET_DROP, PR_SET_SECUREBITS, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 24, 28, 38, 47, 4
# SECBIT_NOROOT, SECBIT_NO_SETUID_FIXUP, SECBIT_KEEP_CAPS_LOCKED, SECBIT_NO_CAP_AMBIENT_RAISE and their locks.
SECURE_BITS = 0x01 | 0x02 | 0x04 | 0x08 | 0x20 | 0x40 | 0x80


def drop_capabilities():
    """Uid 0 of a user namespace with no capability left, none to regain by exec, no new privileges."""
    libc = _LIBC
    libc.prctl(PR_SET_SECUREBITS, SECURE_BITS, 0, 0, 0)
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    for capability in range(64):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            break
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)
    data = (ctypes.c_uint32 * 6)()
    if libc.capset(header, data) != 0:
        raise OSError(ctypes.get_errno(), "capset: could not drop capabilities")
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl: could not set no_new_privs")


# seccomp: per architecture, its audit id and the calls refused: add_key, request_key, keyctl (the kernel keeps
# a keyring per uid that outlives the run), memfd_create and userfaultfd (memory outside the address-space
# limit; an exploit helper), io_uring_setup/enter/register (work that seccomp cannot see).
REFUSED_SYSCALLS = {
    "x86_64": (0xC000003E, (248, 249, 250, 319, 323, 425, 426, 427)),
    "aarch64": (0xC00000B7, (217, 218, 219, 279, 282, 425, 426, 427)),
}
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, ENOSYS = 0x7FFF0000, 0x00050000, 38
BPF_LD_W_ABS, BPF_JEQ_K, BPF_JGE_K, BPF_RET_K = 0x20, 0x15, 0x35, 0x06


def seccomp_program(audit, refused):
    """The filter: a call of another architecture (i386 through int 0x80, arm compat) or of the x32 ABI is
    refused whole; a refused number gets ENOSYS; everything else is allowed."""
    deny = SECCOMP_RET_ERRNO | ENOSYS
    count = len(refused)
    program = [
        (BPF_LD_W_ABS, 0, 0, 4),                     # seccomp_data.arch
        (BPF_JEQ_K, 1, 0, audit),
        (BPF_RET_K, 0, 0, deny),                     # a foreign architecture: nothing at all
        (BPF_LD_W_ABS, 0, 0, 0),                     # seccomp_data.nr
        (BPF_JGE_K, count + 1, 0, 0x40000000),       # the x32 ABI
    ]
    for index, number in enumerate(refused):
        program.append((BPF_JEQ_K, count - index, 0, number))
    program += [(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW), (BPF_RET_K, 0, 0, deny)]
    return program


class _Instruction(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Instruction))]


def _build_filter():
    """The filter for this machine, built once in the server (every run is a fork of it); None elsewhere."""
    arch = REFUSED_SYSCALLS.get(platform.machine())
    if arch is None:
        return None
    program = seccomp_program(*arch)
    instructions = (_Instruction * len(program))(*[_Instruction(*i) for i in program])
    return _Program(len(program), instructions), instructions


_LIBC = ctypes.CDLL(None, use_errno=True)
_FILTER = _build_filter()


def refuse_syscalls():
    """Installs the filter above (needs no-new-privileges, which it sets); other architectures go unfiltered."""
    if _LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl: could not set no_new_privs")
    if _FILTER is None:
        return
    if _LIBC.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(_FILTER[0]), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl: could not install the seccomp filter")


def prefer_for_oom_kill(score):
    """The judge protects itself from the OOM killer; what it starts is killed first instead."""
    try:
        with open("/proc/self/oom_score_adj", "w") as adj:
            adj.write(str(score))
    except OSError:
        pass


def clean_environment(work):
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": work, "TMPDIR": "/tmp",
            "PYTHONIOENCODING": "utf-8", "PYTHONHASHSEED": "0"}


def tail(data, limit=300):
    text = data.decode("utf-8", "replace").strip() if isinstance(data, bytes) else str(data)
    return text[-limit:]


def shorten(text, limit=120):
    return text if len(text) <= limit else text[:limit - 3] + "..."


def normalise_output(text):
    lines = text.replace("\r\n", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).rstrip()


# ---------------------------------------------------------------- the tester (trusted, own uid)

class ProgramCallError(Exception):
    pass


class Channel:
    def __init__(self, requests, replies, limit):
        self.requests, self.replies, self.limit, self.calls = requests, replies, limit, 0

    def ask(self, message):
        send(self.requests, message)
        reply = receive(self.replies, self.limit)
        if reply is None or not isinstance(reply, dict):
            raise ProgramCallError("the program stopped answering (it exited or crashed)")
        return reply

    def proxy(self, name):
        channel = self

        def call(*args, **kwargs):
            channel.calls += 1
            try:
                request = {"op": "call", "name": name, "args": [encode(a) for a in args],
                           "kwargs": {k: encode(v) for k, v in kwargs.items()}}
            except (TypeError, ValueError) as error:
                raise ProgramCallError(f"the tests pass {name} a value the sandbox cannot send: {error}")
            reply = channel.ask(request)
            if reply.get("ok") is True:
                try:
                    return decode(reply.get("value"))
                except (ValueError, TypeError, KeyError, IndexError):
                    raise ProgramCallError(f"{name} returned a value that is not plain data")
            raise rebuild_exception(reply)

        call.__name__ = name
        return call


def rebuild_exception(reply):
    """The program's exception as the nearest builtin exception of its kind, so `except ValueError` in tests works
    (a UnicodeDecodeError, which needs five arguments, arrives as UnicodeError; a subclass the program defined as
    its builtin base). Never StopIteration or StopAsyncIteration: raised inside map() or zip() they end the
    tests' iteration quietly, and `all(map(check, cases))` would pass on a function that only raises."""
    name, message = str(reply.get("type", "Exception")), str(reply.get("message", ""))[:500]
    bases = reply.get("bases") if isinstance(reply.get("bases"), list) else [name]
    for base in bases:
        kind = getattr(builtins, base, None) if isinstance(base, str) else None
        if not (isinstance(kind, type) and issubclass(kind, Exception) and kind.__module__ == "builtins"):
            continue
        if issubclass(kind, (StopIteration, StopAsyncIteration)):
            break
        try:
            return kind(message)
        except TypeError:
            continue
    return ProgramCallError(f"{name}: {message}")


def names_to_import(tree, entry_point):
    """Names the tests read but never bind, other than builtins: these come from the program."""
    bound = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        else:
            bound.update(n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
    loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    if entry_point:
        loaded.add(entry_point)
    return sorted(name for name in loaded - bound if not hasattr(builtins, name))


def run_tester(job, setup, requests, replies, result_fd):
    null = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    prefer_for_oom_kill(500)
    become(setup, setup["tester_uid"], setup["tester_uid"], 4)
    try:
        result = test(job, Channel(requests, replies, setup["limits"]["output_bytes"]))
    except AssertionError as error:
        result = {"passed": False, "status": "wrong-answer", "detail": assertion_detail(error)}
    except ProgramCallError as error:
        result = {"passed": False, "status": "runtime-error", "detail": str(error)}
    except BaseException as error:
        result = {"passed": False, "status": "runtime-error", "detail": f"{type(error).__name__}: {shorten(str(error))}"}
    send_result(result_fd, result)


def test(job, channel):
    hello = receive(channel.replies, channel.limit)
    if hello is None or hello.get("loaded") is not True:
        detail = hello.get("error", "") if isinstance(hello, dict) else "the program exited while loading"
        return {"passed": False, "status": "runtime-error", "detail": f"program failed to load: {shorten(str(detail))}"}
    tree = ast.parse(job["test_code"], "test_code")
    entry_point = job.get("entry_point") or ""
    requested = names_to_import(tree, entry_point)
    imports = imported_modules(job["program"])
    trusted = trusted_helpers(job.get("trusted_prefix") or "", entry_point)
    reply = channel.ask({"op": "names", "names": requested})
    found = reply.get("names") if isinstance(reply.get("names"), dict) else {}
    scope = {"__name__": "__r1actors_tests__", "__builtins__": builtins}
    # Only the names the tests asked for (never a builtin, never one the tests bind): whatever else the program
    # answers is ignored, so it cannot put its own `abs` or `sorted` under the tests.
    for name in requested:
        if name in trusted:
            scope[name] = trusted[name]
            continue
        entry = found.get(name)
        if entry == ["callable"]:
            scope[name] = channel.proxy(name)
        elif isinstance(entry, list) and len(entry) == 2 and entry[0] == "value":
            scope[name] = decode(entry[1])
        elif isinstance(entry, list) and len(entry) == 2 and entry[0] == "module" and isinstance(entry[1], str):
            # Which module is the tester's own reading of the program's imports, not the program's word for it.
            module = imports.get(name) or (entry[1] if entry[1] == name else None)
            if module is not None:
                scope[name] = import_trusted(module)
    exec(compile(tree, "test_code", "exec"), scope)
    if entry_point and callable(scope.get("check")):
        if entry_point not in scope:
            return {"passed": False, "status": "wrong-answer", "detail": f"the program does not define {entry_point}"}
        scope["check"](scope[entry_point])
    if channel.calls == 0:
        return {"passed": False, "status": "wrong-answer", "detail": "the tests never called the program"}
    return {"passed": True, "status": "passed", "detail": "", "calls": channel.calls}


def trusted_helpers(prefix, entry_point):
    """What a trusted prompt prefix defines besides the entry point (HumanEval's poly, encode_cyclic), run by the
    tester itself: tests that build their expected values with these helpers use the dataset's definitions, so a
    program cannot redefine poly to return 0 or an encoder that remembers its input for the decoder."""
    if not prefix.strip():
        return {}
    try:
        tree = ast.parse(prefix)
    except (SyntaxError, ValueError):
        return {}
    kept = [node for node in tree.body
            if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and getattr(node, "name", None) != entry_point]
    scope = {"__name__": "__r1actors_prefix__", "__builtins__": builtins}
    try:
        exec(compile(ast.Module(body=kept, type_ignores=[]), "program_prefix", "exec"), scope)
    except Exception:
        return {}
    names = [node.name for node in kept if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    return {name: scope[name] for name in names if name in scope}


def imported_modules(program):
    """Name → module for every `import m`, `import m as n` and `from p import m` in the program's source."""
    try:
        tree = ast.parse(program)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    modules = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                modules[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return modules


def import_trusted(name):
    """A module the program imported (MBPP tests use the program's `import math`), imported afresh by the tester."""
    import importlib
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def assertion_detail(error):
    """Where in the test code the assertion failed: the last frame of test_code (not of the tester's own code)."""
    frame, line = error.__traceback__, 0
    while frame is not None:
        if frame.tb_frame.f_code.co_filename == "test_code":
            line = frame.tb_lineno
        frame = frame.tb_next
    message = shorten(str(error)) if str(error) else ""
    return f"assertion failed at test_code line {line}" + (f": {message}" if message else "")


def send_result(fd, result):
    data = json.dumps(result).encode("utf-8")
    while data:
        data = data[os.write(fd, data):]
    os.close(fd)
