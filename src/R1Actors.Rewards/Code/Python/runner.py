# R1Actors sandbox runner: what the program's own process does once the template has forked it, dropped
# its privileges and handed it its descriptors. `run_main` runs the program as __main__ (a stdin/stdout
# case); `serve` loads it as a module and answers the tester's requests (which names exist; call a
# function) with plain data. Nothing here is trusted by the tester. `call` loads a user's reward module and
# calls its function once, writing what it returned as JSON to the result pipe (fd 3).
import atexit
import builtins
import io
import json
import linecache
import os
import sys
import traceback
import types

import sandbox_protocol as protocol

REQUESTS, REPLIES, LIMIT = 3, 4, 1 << 26
FILENAME = "program.py"


def fresh_interpreter_state(source, work, filename=FILENAME):
    """What `python program.py` would see: its stdio on fds 0-2, argv, a clean environment, the script folder first on sys.path."""
    sys.stdin = sys.__stdin__ = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)), encoding="utf-8")
    sys.stdout = sys.__stdout__ = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)), encoding="utf-8")
    sys.stderr = sys.__stderr__ = io.TextIOWrapper(io.BufferedWriter(io.FileIO(2, "w", closefd=False)), encoding="utf-8",
                                                   errors="backslashreplace", line_buffering=True)
    sys.argv = [filename]
    sys.path[:0] = [work]
    os.environ.clear()
    os.environ.update(protocol.clean_environment(work))
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)


def run_main(source, work):
    fresh_interpreter_state(source, work)
    module = types.ModuleType("__main__")
    module.__dict__.update({"__file__": FILENAME, "__builtins__": builtins})
    sys.modules["__main__"] = module
    code = 0
    try:
        exec(compile(source, FILENAME, "exec"), module.__dict__)
    except SystemExit as stop:
        code = exit_code(stop)
    except BaseException as error:
        print_program_traceback(error)
        code = 1
    finish(code)


def print_program_traceback(error):
    """The traceback `python program.py` would print: without the sandbox's own frames, whose file lies in the
    host's scratch folder (a path that differs per process, so the same program would give different reasons)."""
    frames = error.__traceback__
    while frames is not None and frames.tb_frame.f_code.co_filename == __file__:
        frames = frames.tb_next
    traceback.print_exception(type(error), error, frames)


def exit_code(stop):
    if stop.code is None:
        return 0
    if isinstance(stop.code, int):
        return stop.code & 0xFF
    try:
        print(stop.code, file=sys.stderr)
    except BaseException:
        pass
    return 1


def finish(code):
    """Python's own shutdown, in order: non-daemon threads, atexit handlers, flushing stdio; then exit."""
    try:
        threading = sys.modules.get("threading")
        if threading is not None:
            threading._shutdown()
        atexit._run_exitfuncs()
    except SystemExit as stop:
        code = exit_code(stop)
    except BaseException:
        code = code or 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            code = code or 120
    os._exit(code)


def serve(source, work):
    fresh_interpreter_state(source, work)
    module = {"__name__": "solution", "__builtins__": builtins}
    try:
        exec(compile(source, FILENAME, "exec"), module)
    except BaseException as error:
        protocol.send(REPLIES, {"loaded": False, "error": f"{type(error).__name__}: {error}"})
        finish(0)
    protocol.send(REPLIES, {"loaded": True})
    while True:
        request = protocol.receive(REQUESTS, LIMIT)
        if request is None:
            finish(0)
        protocol.send(REPLIES, answer(module, request))


def answer(module, request):
    if request.get("op") == "names":
        found = {}
        for name in request.get("names", []):
            if name in module:
                value = module[name]
                found[name] = ["callable"] if callable(value) else value_or_opaque(value)
        return {"names": found}
    function = module.get(request.get("name"))
    try:
        args = [protocol.decode(a) for a in request.get("args", [])]
        kwargs = {k: protocol.decode(v) for k, v in request.get("kwargs", {}).items()}
        result = function(*args, **kwargs)
        return {"ok": True, "value": protocol.encode(result)}
    except BaseException as error:
        bases = [kind.__name__ for kind in type(error).__mro__ if kind.__module__ == "builtins"]
        return {"ok": False, "type": type(error).__name__, "bases": bases, "message": str(error)[:500]}


def value_or_opaque(value):
    if isinstance(value, types.ModuleType):
        return ["module", value.__name__]
    try:
        return ["value", protocol.encode(value)]
    except (TypeError, ValueError):
        return ["opaque"]


RESULT = 3


def call(payload_text, work):
    payload = json.loads(payload_text)
    source, filename = payload["source"], payload.get("filename") or "reward.py"
    fresh_interpreter_state(source, work, filename)
    module = types.ModuleType("__r1actors_reward__")
    module.__dict__.update({"__file__": filename, "__builtins__": builtins})
    sys.modules[module.__name__] = module
    try:
        exec(compile(source, filename, "exec"), module.__dict__)
        function = module.__dict__.get(payload["function"])
        if not callable(function):
            raise NameError(f"{filename} defines no function {payload['function']}")
        value = function(**payload.get("kwargs", {}))
        try:
            reply = {"ok": True, "value": json.loads(json.dumps(value, allow_nan=False, default=plain))}
        except (TypeError, ValueError, RecursionError) as error:
            reply = {"ok": False, "status": "bad-return", "detail": f"the function returned a value that is not finite JSON data: {error}"[:500]}
    except SystemExit as stop:
        reply = {"ok": False, "status": "runtime-error", "detail": f"the function called exit({stop.code!r})"}
    except BaseException as error:
        reply = {"ok": False, "status": "runtime-error", "detail": error_text(error)}
    try:
        protocol.send(RESULT, reply)
    except BaseException:
        pass
    finish(0)


def plain(value):
    """What json cannot write itself: numbers of other libraries (numpy, sympy) as floats, else refused."""
    if hasattr(value, "__float__"):
        return float(value)
    raise TypeError(f"a value of type {type(value).__name__} is not JSON")


def error_text(error):
    frames = traceback.extract_tb(error.__traceback__)
    where = next((f"{frame.filename}, line {frame.lineno}" for frame in reversed(frames) if frame.filename != __file__), "")
    message = f"{type(error).__name__}: {error}"[:500]
    return f"{message} ({where})" if where else message
