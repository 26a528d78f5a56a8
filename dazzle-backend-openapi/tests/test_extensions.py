"""What OpenAPI has no word for is kept in documented ``x-dazzle-*`` members."""

from __future__ import annotations

import pytest
from dazzle.testing import example_path
from documents import PROJECTS, appspec_at, build, shared_example


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    return build(appspec_at(PROJECTS / "many_surfaces.dsl"), tmp_path_factory.mktemp("many"))


def test_app(many) -> None:
    assert many["info"] == {"title": "Help Desk", "version": "0.1.0"}
    assert many["x-dazzle-app"]["name"] == "help_desk"
    assert many["x-dazzle-app"]["root_module"] == "desk.main"
    assert many["x-dazzle-app"]["modules"] == {"desk.main": {"uses": []}}


def test_experiences(many) -> None:
    assert many["x-dazzle-experiences"] == {
        "triage": {
            "title": "Triage",
            "module": "desk.main",
            "start": "board",
            "steps": {
                "board": {
                    "kind": "surface",
                    "surface": "ticket_board",
                    "on_success": "push",
                    "on_failure": "board",
                },
                "push": {
                    "kind": "integration",
                    "integration": "tracker",
                    "action": "push_ticket",
                    "on_success": "done",
                },
                "done": {"kind": "process"},
            },
        }
    }


def test_services_and_foreign_models(many) -> None:
    assert many["x-dazzle-services"] == {
        "tracker_api": {
            "title": "Tracker",
            "module": "desk.main",
            "spec": {"inline": "tracker-v2"},
            "auth": {
                "kind": "api_key_header",
                "header": "X-Key",
                "retries": 3,
                "ratio": "0.75",
                "strict": True,
            },
            "owner": "Ops",
        }
    }
    remote = many["x-dazzle-foreign-models"]["RemoteTicket"]
    assert remote["service"] == "tracker_api"
    assert remote["key"] == ["remote_id"]
    assert remote["constraints"] == [
        {"kind": "event_driven"},
        {"kind": "batch_import", "frequency": "hourly"},
    ]
    assert remote["schema"]["required"] == ["remote_id"]
    assert remote["schema"]["properties"]["amount"]["format"] == "decimal"


def test_integrations(many) -> None:
    tracker = many["x-dazzle-integrations"]["tracker"]
    assert tracker["services"] == ["tracker_api"] and tracker["foreign_models"] == ["RemoteTicket"]
    push = tracker["actions"]["push_ticket"]
    assert push["when_submitted"] == "ticket_detail"
    assert push["call"] == "tracker_api.push"
    assert push["with"] == [
        {"target": "id", "value": "entity.id"},
        {"target": "note", "value": "form.note"},
        {"target": "who", "value": "current_user.email"},
        {"target": "fixed", "value": '"a \\"quoted\\" value"'},
        {"target": "count", "value": "3"},
        {"target": "flag", "value": "true"},
        {"target": "price", "value": "12.50"},
    ]
    assert push["map_response"] == {
        "foreign_model": "RemoteTicket",
        "entity": "Ticket",
        "set": [{"target": "title", "value": "foreign.summary"}],
    }
    assert tracker["syncs"]["sync_all"] == {
        "mode": "event_driven",
        "from": "tracker_api.list",
        "as": "RemoteTicket",
        "into": "Ticket",
        "match_on": [{"foreign": "remote_id", "entity": "title"}],
    }


def test_surface_options_and_meta(tmp_path) -> None:
    doc = build(appspec_at(PROJECTS / "edge_names.dsl"), tmp_path)
    section = doc["x-dazzle-surfaces"]["person_create"]["sections"]["main"]
    assert section["title"] == "Identité"
    assert section["options"] == {"email": {"widget": "email"}}
    assert section["fields"]["score"] is None
    assert section["fields"]["balance"] == "Solde (€)"


def test_helpdesk_keeps_every_declaration(tmp_path) -> None:
    app = appspec_at(example_path("helpdesk"))
    doc = build(app, tmp_path)
    assert set(doc["x-dazzle-surfaces"]) == {s.name for s in app.surfaces}
    assert set(doc["x-dazzle-experiences"]) == {x.name for x in app.experiences}
    for experience in app.experiences:
        assert set(doc["x-dazzle-experiences"][experience.name]["steps"]) == {s.name for s in experience.steps}
    assert set(doc["x-dazzle-integrations"]) == {i.name for i in app.integrations}
    assert set(doc["x-dazzle-services"]) == {s.name for s in app.services}
    assert set(doc["x-dazzle-foreign-models"]) == {f.name for f in app.foreign_models}
    assert set(doc["components"]["schemas"]) >= {e.name for e in app.entities}
    assert doc["info"] == {"title": "Help Desk — Support Centre", "version": "1.2.0"}
    assert doc["x-dazzle-integrations"]["invoice_sync"]["syncs"]["nightly_import"]["schedule"] == "30 1 * * 1-5"


@pytest.mark.shared
def test_shared_examples_keep_every_declaration(tmp_path) -> None:
    doc = build(appspec_at(shared_example("support_tickets")), tmp_path)
    assert set(doc["x-dazzle-surfaces"]) == {"ticket_board", "ticket_create", "ticket_detail"}
    assert set(doc["x-dazzle-experiences"]["ticket_lifecycle"]["steps"]) == {"view_created", "resolve", "end"}
    assert set(doc["x-dazzle-integrations"]) == {"agent_tools", "comments_api"}
    assert set(doc["x-dazzle-services"]) == {"agent_directory", "comments_service"}
    assert set(doc["x-dazzle-foreign-models"]) == {"AgentProfile"}
    assert set(doc["components"]["schemas"]) >= {"User", "Ticket", "Comment", "AuthToken"}
    assert doc["info"] == {"title": "Support Hub", "version": "0.1.0"}
    vat = build(appspec_at(shared_example("vat_tools")), tmp_path)
    assert vat["x-dazzle-integrations"]["nightly_bank_sync"]["syncs"]["import_transactions"]["schedule"] == "0 2 * * *"
    assert vat["paths"]["/vat-check/lookup"]["post"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Client"
    }


def test_info_description_where_there_is_one(tmp_path) -> None:
    import attrs
    from dazzle.core import ir

    appspec = appspec_at(PROJECTS / "many_surfaces.dsl")
    described = attrs.evolve(
        appspec, metadata=ir.Options((*appspec.metadata.pairs, ("description", "Tickets — für alle ✓")))
    )
    doc = build(described, tmp_path)
    assert doc["info"] == {"title": "Help Desk", "version": "0.1.0", "description": "Tickets — für alle ✓"}
