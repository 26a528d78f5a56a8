"""The repository's own examples and fixture projects, and the reference
projects beside it (``nox -s shared``), compile as the language spec says
they must."""

from __future__ import annotations

from pathlib import Path

import pytest
from dazzle.core import ir
from dazzle.core.compiler import compile_path

WAREHOUSE = Path(__file__).resolve().parent / "projects" / "warehouse"


def test_warehouse_has_exactly_the_two_expected_warnings():
    result = compile_path(WAREHOUSE)
    assert result.ok
    assert [(d.severity.value, d.code, d.message) for d in result.diagnostics] == [
        ("warning", "W002", "Unused entities (not referenced anywhere): Note"),
        ("warning", "W001", "Experience 'intake' has unreachable steps: inspect"),
    ]
    unused, unreachable = result.diagnostics
    assert (Path(unused.file).parts[-2:], unused.line, unused.column) == (("dsl", "core.dsl"), 24, 8)
    assert (unreachable.file, unreachable.line, unreachable.column) == (unused.file, 58, 8)


def test_warehouse_links_both_modules():
    app = compile_path(WAREHOUSE).appspec
    assert (app.name, app.title, app.version) == ("warehouse", "Warehouse", "0.3.0")
    assert [m.name for m in app.modules] == ["stock.core", "stock.people"]
    assert app.get_entity("Badge").module == "stock.people"
    assert app.get_entity("Clerk").get_field("badge").type.ref_entity == "Badge"
    pallet = app.get_entity("Pallet")
    assert [c.fields for c in pallet.indexes] == [("received_by",), ("moved_by",), ("status", "zone")]
    intake = app.get_experience("intake")
    assert [s.name for s in intake.steps] == ["receive", "inspect", "done"]
    assert intake.get_step("receive").next_step(ir.TransitionEvent.SUCCESS) == "done"
    assert app.metadata["root_module"] == "stock.core"
    assert app.metadata["project_name"] == "warehouse"


def test_a_folder_of_one_file_is_the_same_application_as_the_file(examples):
    (only,) = (examples / "bookshop").glob("*.dsl")
    assert compile_path(examples / "bookshop").appspec == compile_path(only).appspec


@pytest.mark.shared
def test_support_tickets_has_exactly_the_two_documented_warnings(shared_examples):
    result = compile_path(shared_examples / "support_tickets")
    assert result.ok
    assert [(d.severity.value, d.code, d.message) for d in result.diagnostics] == [
        ("warning", "W002", "Unused entities (not referenced anywhere): Comment"),
        ("warning", "W001", "Experience 'ticket_lifecycle' has unreachable steps: resolve"),
    ]
    comment, unreachable = result.diagnostics
    assert (comment.file.endswith("support_tickets.dsl"), comment.line, comment.column) == (True, 32, 8)
    assert (unreachable.line, unreachable.column) == (117, 8)


@pytest.mark.shared
def test_support_tickets_links_both_modules(shared_examples):
    app = compile_path(shared_examples / "support_tickets").appspec
    assert (app.name, app.title, app.version) == ("support_hub", "Support Hub", "0.1.0")
    assert [m.name for m in app.modules] == ["support.auth", "support.core"]
    assert app.get_entity("AuthToken").module == "support.auth"
    user = app.get_entity("User")
    assert user.get_field("current_token").type.ref_entity == "AuthToken"
    ticket = app.get_entity("Ticket")
    assert [c.fields for c in ticket.indexes] == [("created_by",), ("assigned_to",), ("status", "priority")]
    lifecycle = app.get_experience("ticket_lifecycle")
    assert [s.name for s in lifecycle.steps] == ["view_created", "resolve", "end"]
    assert lifecycle.get_step("view_created").next_step(ir.TransitionEvent.SUCCESS) == "end"
    assert app.metadata["root_module"] == "support.core"
    assert app.metadata["project_name"] == "support_hub"


@pytest.mark.shared
def test_vat_tools_has_no_diagnostics(shared_examples):
    result = compile_path(shared_examples / "vat_tools")
    assert result.ok
    assert result.diagnostics == ()
    app = result.appspec
    sync = app.get_integration("nightly_bank_sync").get_sync("import_transactions")
    assert (sync.mode, sync.schedule, sync.foreign_model, sync.entity) == (
        ir.SyncMode.SCHEDULED,
        "0 2 * * *",
        "BankTransaction",
        "LedgerTransaction",
    )
    assert [(r.foreign_field, r.entity_field) for r in sync.match_rules] == [("transaction_id", "bank_id")]


@pytest.mark.shared
def test_vat_tools_single_file_is_the_same_application(shared_examples):
    folder = compile_path(shared_examples / "vat_tools").appspec
    single = compile_path(shared_examples / "vat_tools" / "app.dsl").appspec
    assert folder == single


def test_own_examples_compile_without_any_diagnostic(examples):
    for project in ("helpdesk", "bookshop"):
        result = compile_path(examples / project)
        assert result.diagnostics == (), project


def test_own_examples_exercise_every_construct(examples):
    apps = [compile_path(examples / p).appspec for p in ("helpdesk", "bookshop")]
    fields = [f for app in apps for e in app.entities for f in e.fields]
    fields += [f for app in apps for fm in app.foreign_models for f in fm.fields]
    assert {f.type.kind for f in fields} == set(ir.FieldTypeKind)
    assert any(f.pk for f in fields) and any(f.unique and not f.pk for f in fields)
    assert any(f.auto_add for f in fields) and any(f.auto_update for f in fields)
    assert any(f.default is not None for f in fields)
    assert any(f.required and not f.pk for f in fields) and any(not f.required for f in fields)
    surfaces = [s for app in apps for s in app.surfaces]
    assert {s.mode for s in surfaces} == set(ir.SurfaceMode)
    assert any(s.metadata for s in surfaces)
    assert any(e.options for s in surfaces for e in s.elements)
    actions = [a for s in surfaces for a in s.actions]
    assert {a.trigger for a in actions} == set(ir.ActionTrigger)
    assert {a.outcome.kind for a in actions} == set(ir.OutcomeKind)
    assert any(a.outcome.step for a in actions)
    steps = [s for app in apps for x in app.experiences for s in x.steps]
    assert {s.kind for s in steps} == set(ir.StepKind)
    assert {t.event for s in steps for t in s.transitions} == set(ir.TransitionEvent)
    services = [s for app in apps for s in app.services]
    assert {s.auth.kind for s in services} == set(ir.AuthKind)
    assert {s.spec.kind for s in services} == set(ir.ApiSpecKind)
    constraints = [c for app in apps for fm in app.foreign_models for c in fm.constraints]
    assert {c.kind for c in constraints} == set(ir.ForeignConstraintKind)
    integrations = [i for app in apps for i in app.integrations]
    assert {s.mode for i in integrations for s in i.syncs} == set(ir.SyncMode)
    assert any(a.response for i in integrations for a in i.actions)
    assert any(not a.expression.is_path for i in integrations for x in i.actions for a in x.arguments)
    helpdesk = apps[0]
    assert len(helpdesk.modules) == 3 and any(m.uses for m in helpdesk.modules)
    assert any(e.unique_constraints for e in helpdesk.entities) and any(e.indexes for e in helpdesk.entities)
