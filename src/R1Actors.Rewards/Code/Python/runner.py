# R1Actors sandbox runner: runs inside the program's process, as the program's uid. It loads the program
# as a module and answers the tester's requests (which names exist; call a function) with plain data.
# Nothing here is trusted by the tester.
import builtins
import os
import sys
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sandbox_protocol as protocol  # noqa: E402

REQUESTS, REPLIES, LIMIT = 3, 4, 1 << 26


def main():
    source_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "program.py")
    with open(source_path, encoding="utf-8") as handle:
        source = handle.read()
    module = {"__name__": "solution", "__builtins__": builtins}
    sys.path.remove(os.path.dirname(os.path.abspath(__file__)))
    try:
        exec(compile(source, "program.py", "exec"), module)
    except BaseException as error:
        protocol.send(REPLIES, {"loaded": False, "error": f"{type(error).__name__}: {error}"})
        return
    protocol.send(REPLIES, {"loaded": True})
    while True:
        request = protocol.receive(REQUESTS, LIMIT)
        if request is None:
            return
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


if __name__ == "__main__":
    main()
