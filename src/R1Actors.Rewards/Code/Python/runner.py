# R1Actors sandbox runner: what the program's own process does once the template has forked it, dropped
# its privileges and handed it its descriptors. `run_main` runs the program as __main__ (a stdin/stdout
# case); `serve` loads it as a module and answers the tester's requests (which names exist; call a
# function) with plain data. Nothing here is trusted by the tester.
import atexit
import builtins
import io
import linecache
import os
import sys
import traceback
import types

import sandbox_protocol as protocol

REQUESTS, REPLIES, LIMIT = 3, 4, 1 << 26
FILENAME = "program.py"


def fresh_interpreter_state(source, work):
    """What `python program.py` would see: its stdio on fds 0-2, argv, a clean environment, the script folder first on sys.path."""
    sys.stdin = sys.__stdin__ = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)), encoding="utf-8")
    sys.stdout = sys.__stdout__ = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)), encoding="utf-8")
    sys.stderr = sys.__stderr__ = io.TextIOWrapper(io.BufferedWriter(io.FileIO(2, "w", closefd=False)), encoding="utf-8",
                                                   errors="backslashreplace", line_buffering=True)
    sys.argv = [FILENAME]
    sys.path[:0] = [work]
    os.environ.clear()
    os.environ.update(protocol.clean_environment(work))
    linecache.cache[FILENAME] = (len(source), None, source.splitlines(True), FILENAME)


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
    except BaseException:
        traceback.print_exc()
        code = 1
    finish(code)


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
        return {"ok": False, "type": type(error).__name__, "message": str(error)[:500]}


def value_or_opaque(value):
    if isinstance(value, types.ModuleType):
        return ["module", value.__name__]
    try:
        return ["value", protocol.encode(value)]
    except (TypeError, ValueError):
        return ["opaque"]
