"""Modules to one application: the root, the use graph (unknown modules,
cycles, reachability), one namespace per kind, visibility, and every name a
declaration refers to."""

from __future__ import annotations

import attrs

from dazzle.core import diagnostics as diag
from dazzle.core import ir
from dazzle.core.diagnostics import Diagnostic
from dazzle.core.parser import DECLARATION_KEYWORDS, Declaration, ModuleAST
from dazzle.core.project import Project

DSL_VERSION = "0.1"
KIND_WORDS = {kind: kind.replace("_", " ") for kind in DECLARATION_KEYWORDS}
_MEMBER_CODES = {"field": "E207", "step": "E208", "action": "E209"}


@attrs.frozen
class LinkResult:
    """The linked application (None when there is no usable root module), the
    diagnostics, and the declarations that had syntax errors, as
    ``(kind, name)``, whose contents later checks should not judge."""

    appspec: ir.AppSpec | None
    diagnostics: tuple[Diagnostic, ...]
    incomplete: frozenset[tuple[str, str]] = frozenset()
    #: The modules of the application (None when there is no root).
    application: frozenset[str] | None = None


def _has_member(kind: str, spec, name: str) -> bool:
    """Whether an entity or foreign model has the field ``name``, an
    experience the step, an integration the action or sync (the IR's lookups)."""
    if kind == "experience":
        return spec.get_step(name) is not None
    if kind == "integration":
        return spec.get_member(name) is not None
    return spec.get_field(name) is not None


def _member_names(kind: str, spec) -> tuple[str, ...]:
    """The names ``_has_member`` knows, in declaration order (syncs before
    actions, as ``IntegrationSpec.get_member`` looks them up)."""
    if kind == "experience":
        members = spec.steps
    elif kind == "integration":
        members = (*spec.syncs, *spec.actions)
    else:
        members = spec.fields
    return tuple(dict.fromkeys(m.name for m in members))


class Reachability:
    """Which modules each module reaches through `use` lines (itself
    included), as a bit set (an int) per strongly connected component of the
    use graph, computed in one pass (Tarjan's algorithm): a chain of n modules
    costs n*n/8 bytes (12 MB for 10,000) where a set of names per module would
    cost gigabytes."""

    def __init__(self, graph: dict[str, list[str]]) -> None:
        self.bit = {name: 1 << i for i, name in enumerate(graph)}
        self.reach: dict[str, int] = {}
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        for root in graph:
            if root in index:
                continue
            index[root] = low[root] = len(index)
            stack.append(root)
            on_stack.add(root)
            work = [(root, iter(graph[root]))]
            while work:
                node, successors = work[-1]
                for nxt in successors:
                    if nxt not in index:
                        index[nxt] = low[nxt] = len(index)
                        stack.append(nxt)
                        on_stack.add(nxt)
                        work.append((nxt, iter(graph[nxt])))
                        break
                    if nxt in on_stack:
                        low[node] = min(low[node], index[nxt])
                else:
                    work.pop()
                    if work:
                        parent = work[-1][0]
                        low[parent] = min(low[parent], low[node])
                    if low[node] == index[node]:
                        self._close_component(graph, stack, on_stack, node)

    def _close_component(self, graph: dict[str, list[str]], stack: list[str], on_stack: set[str], head: str) -> None:
        """Pop the component whose first module is ``head``: every module
        it uses outside itself is already done (Tarjan's order)."""
        members = []
        while True:
            member = stack.pop()
            on_stack.discard(member)
            members.append(member)
            if member == head:
                break
        bits = 0
        for member in members:
            bits |= self.bit[member]
            for nxt in graph[member]:
                bits |= self.reach.get(nxt, 0)  # 0: a member of this component, not done yet
        for member in members:
            self.reach[member] = bits

    def __call__(self, start: str, target: str) -> bool:
        """Whether ``start`` reaches ``target`` (both known modules)."""
        return bool(self.reach[start] & self.bit[target])


class Linker:
    def __init__(self, project: Project, modules: list[ModuleAST], complete: bool, suggest: diag.Suggester) -> None:
        self.project = project
        self.complete = complete
        self.modules = modules
        self.problems: list[Diagnostic] = []
        self.by_name: dict[str, ModuleAST] = {}
        self.suggest = suggest
        self.graph: dict[str, list[str]] = {}
        # The modules of names declared more than once (an error), any of which
        # makes the name visible, so that the one mistake is reported once.
        self.homes: dict[tuple[str, str], list[str]] = {}

    def error(self, loc: ir.SourceLocation, code: str, message: str, hint: str | None = None) -> None:
        self.problems.append(diag.error(code, message, loc.file, loc.line, loc.column, hint))

    def link(self) -> LinkResult:
        for module in self.modules:
            first = self.by_name.get(module.name)
            if first is not None:
                self.error(
                    module.location,
                    "E201",
                    f"module '{module.name}' is declared in two files: {first.file} and {module.file}",
                    hint="rename one of the modules",
                )
                continue
            self.by_name[module.name] = module
        root = self.find_root()
        graph = self.graph = self.use_graph()
        if root is None:
            self.check_uses(set(self.by_name))
            return LinkResult(None, tuple(self.problems))
        reach = self.reachable(graph, root.name)
        self.check_uses(reach)
        app_modules = [m for m in self.by_name.values() if m.name in reach]
        for module in self.by_name.values():
            if module.name not in reach and self.complete:
                self.problems.append(
                    diag.warning(
                        "W003",
                        f"module '{module.name}' is not used by the root module '{root.name}'; it is left out",
                        module.file,
                        module.location.line,
                        module.location.column,
                        hint=f"add 'use {module.name}' to a module of the application, or delete the file",
                    )
                )
        tables = self.declare(app_modules)
        self.broken = {name for m in app_modules for name in m.broken_names}
        outside = self.outside_names(reach)
        self.reaches = Reachability(graph)
        incomplete = frozenset(
            (kind, name) for kind, table in tables.items() for name, (decl, _) in table.items() if decl.incomplete
        )
        for module in app_modules:
            self.resolve(module, tables, outside)
        return LinkResult(self.build(root, app_modules, tables), tuple(self.problems), incomplete, frozenset(reach))

    # -- modules -----------------------------------------------------------------

    def find_root(self) -> ModuleAST | None:
        wanted = self.project.root_module
        if wanted is not None:
            root = self.by_name.get(wanted)
            if root is None and not self.complete:
                return None  # its file may be the one that could not be read
            if root is None:
                file, line, column = self.project.config_location("project", "root")
                names = sorted(self.by_name)
                more = f" and {len(names) - 10} more" if len(names) > 10 else ""
                hint = self.suggest(wanted, names, "module") or f"modules found: {', '.join(names[:10])}{more}"
                self.problems.append(diag.error("E011", f"root module '{wanted}' not found", file, line, column, hint))
                return None
            if root.app is None and not root.has_app_line:
                self.error(
                    root.location,
                    "E012",
                    f"root module '{wanted}' has no 'app' line",
                    hint='add a line such as: app my_app "My App"',
                )
            return root
        with_app = [m for m in self.by_name.values() if m.has_app_line]
        if len(with_app) == 1:
            return with_app[0]
        if not with_app and not self.complete:
            return None  # the app line may be in the file that could not be read
        if not with_app:
            if len(self.by_name) == 1:
                root = next(iter(self.by_name.values()))
                self.error(
                    root.location,
                    "E012",
                    "no 'app' line: the application has no name",
                    hint='add a line such as: app my_app "My App"',
                )
                return root
            file, line, column = self.project.config_location("project")
            self.problems.append(
                diag.error(
                    "E012",
                    "no module has an 'app' line, so there is no root module",
                    file,
                    line,
                    column,
                    hint="add an 'app' line to the root module, or a dazzle.toml naming the root",
                )
            )
            return None
        first = with_app[0]
        for other in with_app[1:]:
            self.error(
                other.app.location if other.app else other.location,
                "E012",
                f"several modules have an 'app' line ('{first.name}' in {first.file} and '{other.name}' "
                f"in {other.file})",
                hint="keep one 'app' line, or add a dazzle.toml whose [project] root names the root module",
            )
        return None

    def use_graph(self) -> dict[str, list[str]]:
        """Each module's name to the known modules it uses."""
        return {
            module.name: list(dict.fromkeys(u.module for u in module.uses if u.module in self.by_name))
            for module in self.by_name.values()
        }

    def check_uses(self, modules: set[str]) -> None:
        """Unknown modules and cycles among ``modules`` (the application's:
        modules left out of it are judged on their syntax alone)."""
        for name in modules:
            for use in self.by_name[name].uses:
                if use.module not in self.by_name and self.complete:
                    self.error(
                        use.location,
                        "E202",
                        f"unknown module '{use.module}'",
                        hint=self.suggest(use.module, self.by_name, "module"),
                    )
        self.report_cycles({name: targets for name, targets in self.graph.items() if name in modules})

    def report_cycles(self, graph: dict[str, list[str]]) -> None:
        state: dict[str, int] = {}  # 1: on the current path; 2: done
        reported: set[frozenset[str]] = set()
        for start in sorted(graph):
            if state.get(start):
                continue
            path = [start]
            state[start] = 1
            stack = [iter(graph[start])]
            while stack:
                nxt = next(stack[-1], None)
                if nxt is None:
                    state[path.pop()] = 2
                    stack.pop()
                    continue
                if state.get(nxt) == 1:
                    cycle = path[path.index(nxt) :] + [nxt]
                    key = frozenset(cycle)
                    if key not in reported:
                        reported.add(key)
                        module = self.by_name[path[-1]]
                        use = next(u for u in module.uses if u.module == nxt)
                        hint = (
                            "a module sees its own declarations without a 'use' line; remove this one"
                            if len(cycle) == 2
                            else "modules may not use each other in a circle; move what both need into a module "
                            "of its own"
                        )
                        self.error(use.location, "E203", f"use cycle: {' -> '.join(cycle)}", hint=hint)
                elif not state.get(nxt):
                    state[nxt] = 1
                    path.append(nxt)
                    stack.append(iter(graph.get(nxt, ())))

    @staticmethod
    def reachable(graph: dict[str, list[str]], start: str) -> set[str]:
        seen = {start}
        todo = [start]
        while todo:
            for nxt in graph.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    # -- names -------------------------------------------------------------------

    def declare(self, app_modules: list[ModuleAST]) -> dict[str, dict[str, tuple[Declaration, str]]]:
        tables: dict[str, dict[str, tuple[Declaration, str]]] = {k: {} for k in DECLARATION_KEYWORDS}
        for module in app_modules:
            for decl in module.declarations:
                table = tables[decl.kind]
                first = table.get(decl.name)
                if first is not None:
                    homes = self.homes.setdefault((decl.kind, decl.name), [first[1]])
                    homes.append(module.name)
                    self.error(
                        decl.spec.location,
                        "E204",
                        f"duplicate {KIND_WORDS[decl.kind]} '{decl.name}': first declared at {first[0].spec.location}",
                        hint="names are shared by the whole application; rename one of them",
                    )
                    continue
                table[decl.name] = (decl, module.name)
        return tables

    def outside_names(self, reach: set[str]) -> dict[tuple[str, str], str]:
        """Declarations in modules that are not part of the application."""
        found: dict[tuple[str, str], str] = {}
        for module in self.by_name.values():
            if module.name not in reach:
                for decl in module.declarations:
                    found.setdefault((decl.kind, decl.name), module.name)
        return found

    def resolve(self, module: ModuleAST, tables: dict, outside: dict) -> None:
        def visible(home: str) -> bool:
            return self.reaches(module.name, home)

        for ref in module.references:
            kind, name = ref.kind, ref.name
            entry = tables[kind].get(name)
            if entry is not None:
                if visible(entry[1]):
                    continue
                homes = self.homes.get((kind, name)) or [entry[1]]  # more than one home: declared twice
                if not any(visible(home) for home in homes):
                    self.error(
                        ir.SourceLocation(module.file, ref.line, ref.column),
                        "E206",
                        f"{KIND_WORDS[kind]} '{name}' is declared in module '{homes[0]}', "
                        f"which module '{module.name}' does not use",
                        hint=self.use_hint(module, homes[0], name),
                    )
                continue
            home = outside.get((kind, name))
            if home is not None:
                self.error(
                    ir.SourceLocation(module.file, ref.line, ref.column),
                    "E206",
                    f"{KIND_WORDS[kind]} '{name}' is declared in module '{home}', which is not part of the application",
                    hint=self.use_hint(module, home, name),
                )
                continue
            if not self.complete or (kind, name) in self.broken:
                continue

            def candidates(kind=kind) -> list[str]:  # listed only if a suggestion is computed
                seen = [n for n, (_, home_module) in tables[kind].items() if visible(home_module)]
                return seen or list(tables[kind])

            self.error(
                ir.SourceLocation(module.file, ref.line, ref.column),
                "E205",
                f"unknown {KIND_WORDS[kind]} '{name}'",
                hint=self.suggest(name, candidates, f"{kind} in {module.name}"),
            )
        for member_ref in module.member_references:
            owner_kind, owner, member = member_ref.owner_kind, member_ref.owner, member_ref.member
            entry = tables[owner_kind].get(owner)
            if entry is None or entry[0].incomplete:
                continue
            spec = entry[0].spec
            if _has_member(owner_kind, spec, member):
                continue
            member_kind = member_ref.member_kind
            what = "action or sync" if member_kind == "action" else member_kind
            self.error(
                ir.SourceLocation(module.file, member_ref.line, member_ref.column),
                _MEMBER_CODES[member_kind],
                f"unknown {what} '{member}' in {KIND_WORDS[owner_kind]} '{owner}'",
                hint=self.suggest(member, lambda k=owner_kind, s=spec: _member_names(k, s), f"{owner_kind} {owner}"),
            )

    def use_hint(self, module: ModuleAST, home: str, name: str) -> str:
        """How ``module`` can see ``name`` from module ``home``: a `use` line,
        unless that would close a cycle."""
        if self.reaches(home, module.name):
            return (
                f"'{home}' already uses '{module.name}' (directly or through others), so a 'use {home}' "
                f"would close a cycle; move '{name}' into a module that both can use"
            )
        return f"add 'use {home}' to {module.file}"

    # -- the result ----------------------------------------------------------------

    def build(self, root: ModuleAST, app_modules: list[ModuleAST], tables: dict) -> ir.AppSpec:
        def specs(kind: str) -> tuple:
            return tuple(decl.spec for decl, _ in tables[kind].values())

        metadata = {"dsl_version": DSL_VERSION, "root_module": root.name}
        if self.project.name:
            metadata["project_name"] = self.project.name
        app = root.app
        return ir.AppSpec(
            name=app.name if app else root.name,
            title=app.title if app else None,
            version=self.project.version,
            location=app.location if app else root.location,
            domain=ir.DomainSpec(specs("entity")),
            surfaces=specs("surface"),
            experiences=specs("experience"),
            services=specs("service"),
            foreign_models=specs("foreign_model"),
            integrations=specs("integration"),
            modules=tuple(
                ir.ModuleInfo(
                    m.name,
                    m.file,
                    tuple(dict.fromkeys(u.module for u in m.uses)),
                    ir.Options(tuple((u.alias, u.module) for u in m.uses if u.alias)),
                )
                for m in app_modules
            ),
            metadata=ir.Options.of(metadata),
        )


def link(
    project: Project, modules: list[ModuleAST], complete: bool = True, suggest: diag.Suggester | None = None
) -> LinkResult:
    """Link parsed modules into an AppSpec. Never raises for bad input.
    ``complete`` is False when some module file could not be read: then
    unknown modules and names are not reported (they may be in that file).
    ``suggest`` is the "did you mean" budget of the whole compile."""
    return Linker(project, modules, complete, suggest or diag.Suggester()).link()
