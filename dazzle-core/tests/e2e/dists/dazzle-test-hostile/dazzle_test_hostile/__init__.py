"""Backends that misbehave on purpose.

In the dazzle process, $DAZZLE_TEST_HOSTILE chooses: `import-interrupt`,
`import-exit`, `import-print`, `import-print-later`, `init-exit`, `init-interrupt`, `caps-exit`,
`caps-print`, `caps-chdir`. In generate, the option `how` chooses (see HOW).
"""

import json
import os
import sys
import time
import warnings

from dazzle.backends import Backend, BackendCapabilities, BackendOption, BackendWarning

HOSTILE = os.environ.get("DAZZLE_TEST_HOSTILE", "")

if HOSTILE == "import-print":
    print("printed at import")
    os.write(1, b"written to fd 1 at import\n")
if HOSTILE == "import-print-later":
    # Code the plugin left behind writes after its import's guard has ended:
    # a thread that waits for the main thread to end, and an exit handler.
    import atexit
    import threading

    def _print_when_main_ends():
        threading.main_thread().join()
        os.write(1, b"written to fd 1 by a thread started at import\n")

    threading.Thread(target=_print_when_main_ends).start()
    atexit.register(print, "printed by an exit handler registered at import")
if HOSTILE == "import-interrupt":
    raise KeyboardInterrupt
if HOSTILE == "import-exit":
    sys.exit(9)

HOW = ("nothing", "exit", "os-exit", "interrupt", "loop", "block", "print", "chdir", "mutate", "warn", "sleep")


class HostileBackend(Backend):
    """Misbehaves on purpose."""

    def __init__(self):
        if HOSTILE == "init-exit":
            sys.exit(5)
        if HOSTILE == "init-interrupt":
            raise KeyboardInterrupt

    def get_capabilities(self):
        if HOSTILE == "caps-exit":
            sys.exit(3)
        if HOSTILE == "caps-print":
            print("printed by get_capabilities")
            os.write(1, b"written to fd 1 by get_capabilities\n")
        if HOSTILE == "caps-chdir":
            os.chdir("/")
        return BackendCapabilities(
            name="hostile",
            description="Misbehaves on purpose",
            options=(BackendOption("how", str, default="nothing", choices=HOW),),
        )

    def generate(self, appspec, output_dir, **options):
        how = options["how"]
        (output_dir / "hostile.txt").write_text(f"{how}\n", encoding="utf-8")
        marker = os.environ.get("DAZZLE_TEST_MARKER")
        if marker:  # tells a test that generate is running, and in which process
            with open(marker + ".tmp", "w", encoding="utf-8") as stream:
                stream.write(str(os.getpid()))
            os.replace(marker + ".tmp", marker)
        if how == "exit":
            sys.exit(4)
        if how == "os-exit":
            os._exit(7)
        if how == "interrupt":
            raise KeyboardInterrupt
        if how == "loop":
            while True:
                pass
        if how == "block":
            read_end, _ = os.pipe()
            os.read(read_end, 1)
        if how == "sleep":
            time.sleep(120)
        if how == "print":
            print("printed by generate")
            sys.stderr.write("written to sys.stderr by generate\n")
            os.write(1, b"written to fd 1 by generate\n")
        if how == "chdir":
            os.chdir(output_dir)
        if how == "mutate":
            appspec.metadata._map["project_name"] = "hijacked"
            object.__setattr__(appspec, "name", "hijacked")
            object.__setattr__(appspec.entities[0], "name", "Hijacked")
        if how == "warn":
            entity = appspec.entities[0]
            for _ in range(2):
                warnings.warn(
                    BackendWarning(f"{entity.name} looks odd", location=entity.location, code="H001"), stacklevel=1
                )
            warnings.warn(BackendWarning("a warning with no place"), stacklevel=1)


class WitnessBackend(Backend):
    """Writes what it sees of the AppSpec."""

    def get_capabilities(self):
        return BackendCapabilities(name="witness", description="Writes what it sees")

    def generate(self, appspec, output_dir, **options):
        seen = {
            "name": appspec.name,
            "metadata": dict(appspec.metadata),
            "entities": [e.name for e in appspec.entities],
        }
        (output_dir / "witness.json").write_text(json.dumps(seen, sort_keys=True) + "\n", encoding="utf-8")
