"""Surfaces become operations: paths, methods, bodies, responses, operationIds."""

from __future__ import annotations

from collections import Counter

import pytest
from documents import PROJECTS, build, compile_project

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

DESK = """
app desk "Desk"

entity Category "Category":
  id: uuid pk
  name: str(80) required
  parent: ref Category optional
  kind: enum[a,b]=a
  note: text
  created_at: datetime auto_add

entity Status "Status":
  code: int pk
  label: str(20) required

surface category_list "Categories":
  uses entity Category
  mode: list
  section main:
    field name "Name"

surface category_view "Category":
  uses entity Category
  mode: view
  section main:
    field name
    field created_at

surface category_create "New category":
  uses entity Category
  mode: create
  section main:
    field id "Id (ignored)"
    field name "Name"
    field kind "Kind"
    field parent "Parent"
    field created_at "Created"
  section again:
    field name "Name again"

surface category_edit "Edit category":
  uses entity Category
  mode: edit
  section main:
    field name
    field note

surface status_view "Status":
  uses entity Status
  mode: view
  section main:
    field label
"""


def operations(doc):
    """(path, method, operation) for every operation, in document order."""
    return [
        (path, method, op)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in HTTP_METHODS
    ]


def operation(doc, operation_id):
    for path, method, op in operations(doc):
        if op["operationId"] == operation_id:
            return path, method, op
    raise AssertionError(f"no operation {operation_id}: {[op['operationId'] for *_, op in operations(doc)]}")


def body_schema(doc, op):
    ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return doc["components"]["schemas"][ref.rsplit("/", 1)[1]]


@pytest.fixture
def desk(build_dsl):
    return build_dsl(DESK)


def test_list_view_create_edit_map_to_the_usual_methods_and_paths(desk) -> None:
    assert [(p, m, op["operationId"]) for p, m, op in operations(desk)] == [
        ("/categories", "get", "listCategories"),
        ("/categories", "post", "createCategory"),
        ("/categories/{id}", "get", "getCategory"),
        ("/categories/{id}", "patch", "updateCategory"),
        ("/statuses/{code}", "get", "getStatus"),
    ]


def test_list_pages_with_parameters_and_a_page_schema(desk) -> None:
    _, _, op = operation(desk, "listCategories")
    params = [desk["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]] for p in op["parameters"]]
    assert [(p["name"], p["in"]) for p in params] == [("page", "query"), ("page_size", "query")]
    page_ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert page_ref == "#/components/schemas/CategoryPage"
    page = desk["components"]["schemas"]["CategoryPage"]
    base, items = page["allOf"]
    assert base == {"$ref": "#/components/schemas/Page"}
    assert items["properties"]["items"]["items"] == {"$ref": "#/components/schemas/Category"}
    assert desk["components"]["schemas"]["Page"]["required"] == ["items", "page", "page_size", "total"]


def test_view_and_edit_take_the_key_as_a_path_parameter_of_its_type(desk) -> None:
    item = desk["paths"]["/categories/{id}"]
    (param_ref,) = item["parameters"]
    param = desk["components"]["parameters"][param_ref["$ref"].rsplit("/", 1)[1]]
    assert param == {
        "name": "id",
        "in": "path",
        "description": "The id that identifies the resource.",
        "required": True,
        "schema": {"type": "string", "format": "uuid"},
    }
    (int_ref,) = desk["paths"]["/statuses/{code}"]["parameters"]
    int_param = desk["components"]["parameters"][int_ref["$ref"].rsplit("/", 1)[1]]
    assert int_param["name"] == "code" and int_param["schema"] == {"type": "integer", "format": "int64"}


def test_create_answers_201_and_its_body_is_exactly_the_shown_fields(desk) -> None:
    _, _, op = operation(desk, "createCategory")
    assert set(op["responses"]) == {"201", "400", "422"}
    created = op["responses"]["201"]
    assert created["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Category"}
    assert created["headers"] == {"Location": {"$ref": "#/components/headers/Location"}}
    body = body_schema(desk, op)
    # Never the key or automatic fields; each field once, in order.
    assert list(body["properties"]) == ["name", "kind", "parent"]
    assert body["required"] == ["name"]
    assert body["additionalProperties"] is False
    assert body["properties"]["kind"]["default"] == "a"
    assert body["properties"]["parent"]["x-dazzle-ref"] == "Category"
    assert op["requestBody"]["required"] is True


def test_edit_is_a_patch_whose_body_requires_nothing(desk) -> None:
    path, method, op = operation(desk, "updateCategory")
    assert (path, method) == ("/categories/{id}", "patch")
    body = body_schema(desk, op)
    assert list(body["properties"]) == ["name", "note"]
    assert "required" not in body
    assert "default" not in str(body)
    assert set(op["responses"]) == {"200", "400", "404", "422"}


def test_errors_share_one_problem_schema(desk) -> None:
    responses = desk["components"]["responses"]
    for code, name in (("400", "BadRequest"), ("404", "NotFound"), ("422", "UnprocessableContent")):
        response = responses[name]
        assert response["content"] == {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        }
        users = [op for *_, op in operations(desk) if code in op["responses"]]
        assert users, code
        assert all(op["responses"][code] == {"$ref": f"#/components/responses/{name}"} for op in users)
    problem = desk["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "instance"} <= set(problem["properties"])
    assert "additionalProperties" not in problem  # extension members are allowed (RFC 9457)


def test_tags_per_entity(desk) -> None:
    assert desk["tags"] == [
        {"name": "Category", "description": "Category"},
        {"name": "Status", "description": "Status"},
    ]
    for path, _, op in operations(desk):
        assert op["tags"] == (["Status"] if path.startswith("/statuses") else ["Category"])


def test_security_is_a_bearer_token_by_default_or_none(build_dsl, desk) -> None:
    assert desk["security"] == [{"bearerAuth": []}]
    assert desk["components"]["securitySchemes"] == {
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "description": "A bearer token that identifies the current user.",
        }
    }
    open_doc = build_dsl(DESK, security="none")
    assert open_doc["security"] == []
    assert "securitySchemes" not in open_doc["components"]


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    return build(compile_project(PROJECTS / "many_surfaces.dsl"), tmp_path_factory.mktemp("many"))


def test_operation_ids_are_unique_and_no_path_and_method_is_used_twice(many) -> None:
    ids = Counter(op["operationId"] for *_, op in operations(many))
    assert all(n == 1 for n in ids.values()), ids
    routes = Counter((path, method) for path, method, _ in operations(many))
    assert all(n == 1 for n in routes.values()), routes


def test_several_surfaces_of_one_mode(many) -> None:
    # Reads of one entity are one operation, listing every surface it serves.
    surfaces = many["x-dazzle-surfaces"]
    assert surfaces["ticket_board"]["operations"][0] == "listTickets"
    assert surfaces["my_tickets"]["operations"][0] == "listTickets"
    assert surfaces["ticket_detail"]["operations"][0] == "getTicket"
    assert surfaces["ticket_summary"]["operations"] == ["getTicket"]
    # Writes have their own bodies, so their own operations.
    assert operation(many, "createTicket")[:2] == ("/tickets", "post")
    assert operation(many, "ticketQuickCreate")[:2] == ("/tickets/ticket-quick-create", "post")
    assert operation(many, "updateTicket")[:2] == ("/tickets/{id}", "patch")
    assert operation(many, "ticketAssign")[:2] == ("/tickets/{id}/ticket-assign", "patch")
    assert list(body_schema(many, operation(many, "ticketQuickCreate")[2])["properties"]) == ["title"]
    assert list(body_schema(many, operation(many, "ticketAssign")[2])["properties"]) == ["owner"]


def test_actions_that_invoke_an_integration_are_operations(many) -> None:
    expected = {
        "ticketBoardRefresh": ("/tickets/refresh", "202"),
        "myTicketsRefresh": ("/tickets/my-tickets/refresh", "202"),
        "ticketDetailPush": ("/tickets/{id}/push", "200"),
        "ticketCreatePush": ("/tickets/push", "200"),
        "ticketEditPush": ("/tickets/{id}/ticket-edit/push", "200"),
        "ticketLookupGo": ("/tickets/go", "204"),
        "ticketsRun": ("/tickets-2/run", "204"),
    }
    for operation_id, (path, status) in expected.items():
        found_path, method, op = operation(many, operation_id)
        assert (found_path, method) == (path, "post"), operation_id
        assert status in op["responses"], (operation_id, op["responses"])
    # The body takes the surface's fields: entity fields typed, form-only ones as strings.
    form = body_schema(many, operation(many, "ticketDetailPush")[2])
    assert form["properties"] == {
        "title": {"type": "string", "maxLength": 200},
        "body": {"type": ["string", "null"]},
        "note": {"type": "string"},
    }
    mapped = operation(many, "ticketDetailPush")[2]["responses"]["200"]
    assert mapped["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Ticket"}
    # A create surface without form-only fields reuses its input schema.
    push = operation(many, "ticketCreatePush")[2]
    assert push["requestBody"] == operation(many, "createTicket")[2]["requestBody"]
    # Navigation is not an operation.
    assert "back" not in str([op["operationId"] for *_, op in operations(many)]).lower()


def test_every_surface_is_accounted_for(many) -> None:
    surfaces = many["x-dazzle-surfaces"]
    assert list(surfaces) == [
        "ticket_board",
        "my_tickets",
        "ticket_detail",
        "ticket_summary",
        "ticket_create",
        "ticket_quick_create",
        "ticket_edit",
        "ticket_assign",
        "ticket_lookup",
        "tickets",
        "agent_list",
        "help",
    ]
    all_ids = {op["operationId"] for *_, op in operations(many)}
    listed = {i for s in surfaces.values() for i in s["operations"]}
    assert listed == all_ids
    assert surfaces["help"]["operations"] == []
    assert surfaces["help"]["mode"] == "custom"
    assert surfaces["ticket_detail"]["actions"]["push"] == {
        "label": "Push",
        "trigger": "click",
        "to": "integration tracker action push_ticket",
        "operation": "ticketDetailPush",
    }
    assert surfaces["tickets"]["actions"]["back"] == {
        "label": "Back",
        "trigger": "click",
        "to": "surface ticket_board",
    }


def test_paths_are_grouped_by_entity(many) -> None:
    firsts = [path.split("/")[1] for path in many["paths"]]
    assert firsts == sorted(firsts, key=["tickets", "agents", "tickets-2"].index)


def test_plural_paths(build_dsl) -> None:
    names = ["Category", "Status", "Person", "Box", "Address", "Day", "LedgerTransaction", "Analysis", "Data"]
    text = 'app p "P"\n' + "".join(
        f"entity {n}:\n  id: uuid pk\nsurface s_{n.lower()}:\n  uses entity {n}\n  mode: list\n"
        for n in names
    )
    doc = build_dsl(text)
    assert list(doc["paths"]) == [
        "/categories",
        "/statuses",
        "/people",
        "/boxes",
        "/addresses",
        "/days",
        "/ledger-transactions",
        "/analyses",
        "/data",
    ]
    assert [op["operationId"] for *_, op in operations(doc)] == [
        "listCategories",
        "listStatuses",
        "listPeople",
        "listBoxes",
        "listAddresses",
        "listDays",
        "listLedgerTransactions",
        "listAnalyses",
        "listData",
    ]


def test_entity_names_win_over_invented_ones(tmp_path) -> None:
    doc = build(compile_project(PROJECTS / "edge_names.dsl"), tmp_path)
    schemas = doc["components"]["schemas"]
    # The user's Problem, Page and PersonPage keep their names; ours move aside.
    assert schemas["Problem"]["title"] == "A user entity called Problem"
    assert schemas["Page"]["title"] == "A user entity called Page"
    assert schemas["PersonPage"]["title"] == "An entity named like a page schema"
    assert doc["components"]["responses"]["NotFound"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem2"
    }
    assert schemas["ProblemPage"]["allOf"][0] == {"$ref": "#/components/schemas/Page2"}
    assert schemas["PersonPagePage"]["allOf"][1]["properties"]["items"]["items"] == {
        "$ref": "#/components/schemas/PersonPage"
    }


def test_colliding_entity_plurals_get_distinct_paths(build_dsl) -> None:
    doc = build_dsl(
        'app p "P"\nentity Person:\n  id: uuid pk\nentity People:\n  id: uuid pk\n'
        "surface a:\n  uses entity Person\n  mode: list\nsurface b:\n  uses entity People\n  mode: list\n"
    )
    assert list(doc["paths"]) == ["/people", "/people-2"]
    assert [op["operationId"] for *_, op in operations(doc)] == ["listPeople", "listPeople2"]


def test_an_application_with_no_surfaces(build_dsl) -> None:
    doc = build_dsl('app bare "Bare"\nentity Thing:\n  id: uuid pk\n')
    assert doc["paths"] == {}
    assert "tags" not in doc
    assert list(doc["components"]["schemas"]) == ["Thing"]
