"""Surfaces become operations: paths, methods, bodies, responses, operationIds."""

from __future__ import annotations

from collections import Counter

import pytest
from dazzle.backends import BackendWarning
from dazzle_backend_openapi.builder import build_document
from dazzle_backend_openapi.naming import RENAMED
from dazzle_backend_openapi.options import Settings
from documents import PROJECTS, appspec_at, build, compile_dsl

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
    # Each page is a whole schema (no shared ``Page`` refined by ``allOf``,
    # which client generators made one class of one entity).
    page = desk["components"]["schemas"]["CategoryPage"]
    assert "allOf" not in page and "Page" not in desk["components"]["schemas"]
    assert page["required"] == ["items", "page", "page_size", "total"]
    assert page["properties"]["items"]["items"] == {"$ref": "#/components/schemas/Category"}
    assert page["properties"]["page_size"]["maximum"] == 100


def test_view_and_edit_take_the_key_as_a_path_parameter_of_its_type(desk) -> None:
    item = desk["paths"]["/categories/{id}"]
    (param_ref,) = item["parameters"]
    param = desk["components"]["parameters"][param_ref["$ref"].rsplit("/", 1)[1]]
    assert param == {
        "name": "id",
        "in": "path",
        "description": "The id that identifies the resource.",
        "required": True,
        "schema": {"type": "string", "format": "uuid", "examples": ["3fa85f64-5717-4562-b3fc-2c963f66afa6"]},
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
        assert response["content"] == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
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
    return build(appspec_at(PROJECTS / "many_surfaces.dsl"), tmp_path_factory.mktemp("many"))


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
    # A create or edit surface's actions take its input schema.
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
        f"entity {n}:\n  id: uuid pk\nsurface s_{n.lower()}:\n  uses entity {n}\n  mode: list\n" for n in names
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
    doc = build(appspec_at(PROJECTS / "edge_names.dsl"), tmp_path)
    schemas = doc["components"]["schemas"]
    # The user's Problem, Page and PersonPage keep their names; ours move
    # aside (``documents.EXPECTED_WARNINGS`` holds the warning that says so).
    assert schemas["Problem"]["description"] == "A user entity called Problem"
    assert schemas["Page"]["description"] == "A user entity called Page"
    assert schemas["PersonPage"]["description"] == "An entity named like a page schema"
    assert doc["components"]["responses"]["NotFound"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem2"
    }
    assert schemas["PersonPagePage"]["properties"]["items"]["items"] == {"$ref": "#/components/schemas/PersonPage"}
    # No component schema has a title: client generators name classes after titles.
    assert not [name for name, schema in schemas.items() if "title" in schema]


def test_colliding_entity_plurals_get_distinct_paths_and_say_so() -> None:
    appspec = compile_dsl(
        'app p "P"\nentity Person:\n  id: uuid pk\nentity People:\n  id: uuid pk\n'
        "surface a:\n  uses entity Person\n  mode: list\nsurface b:\n  uses entity People\n  mode: list\n"
    )
    with pytest.warns(BackendWarning) as record:
        doc = build_document(appspec, Settings())
    assert list(doc["paths"]) == ["/people", "/people-2"]
    assert [op["operationId"] for *_, op in operations(doc)] == ["listPeople", "listPeople2"]
    # Each renaming is a warning at the declaration that lost the name.
    assert [(str(w.message), w.message.code, w.message.location.line) for w in record] == [
        ("the path segment 'people' is taken; this one is 'people-2' (rename the declaration to choose)", RENAMED, 4),
        (
            "the operationId 'listPeople' is taken; this one is 'listPeople2' (rename the declaration to choose)",
            RENAMED,
            9,
        ),
    ]


def test_schema_names_are_unique_whatever_the_titles_and_renames_warn() -> None:
    """Two edit surfaces titled "Edit" and a surface titled like its entity
    (what broke openapi-python-client) give distinct, title-free schemas; a
    surface whose Input name an entity holds gets a number, with a warning."""
    appspec = compile_dsl(
        'app p "P"\n'
        'entity Author "Author":\n  id: int pk\n  name: str(80) required\n'
        'entity Shelf "Shelf":\n  id: int pk\n  label: str(20)\n'
        "entity AuthorEditInput:\n  id: int pk\n"
        'surface author_edit "Author":\n  uses entity Author\n  mode: edit\n  section main:\n    field name\n'
        'surface shelf_edit "Edit":\n  uses entity Shelf\n  mode: edit\n  section main:\n    field label\n'
        'surface shelf_rename "Edit":\n  uses entity Shelf\n  mode: edit\n  section main:\n    field label\n'
    )
    with pytest.warns(BackendWarning) as record:
        doc = build_document(appspec, Settings())
    schemas = doc["components"]["schemas"]
    assert [n for n in schemas if n.endswith(("Input", "Input2"))] == [
        "AuthorEditInput2",
        "ShelfEditInput",
        "ShelfRenameInput",
        "AuthorEditInput",
    ]
    assert schemas["ShelfEditInput"]["description"] == schemas["ShelfRenameInput"]["description"] == "Edit"
    assert not [name for name, schema in schemas.items() if "title" in schema]
    ((message, location),) = [(str(w.message), w.message.location) for w in record]
    assert (
        message
        == "the schema 'AuthorEditInput' is taken; this one is 'AuthorEditInput2' (rename the declaration to choose)"
    )
    assert location.line == 10  # surface author_edit


def test_an_application_with_no_surfaces(build_dsl) -> None:
    doc = build_dsl('app bare "Bare"\nentity Thing:\n  id: uuid pk\n')
    assert doc["paths"] == {}
    assert "tags" not in doc
    assert list(doc["components"]["schemas"]) == ["Thing"]


def test_form_only_inputs_of_create_and_edit_surfaces_are_strings_in_their_bodies(build_dsl) -> None:
    """An integration reads them as ``form.X``; the DSL gives them no type."""
    doc = build_dsl(
        'app a "A"\nentity T:\n  id: uuid pk\n  title: str(20) required\n'
        "surface t_new:\n  uses entity T\n  mode: create\n  section main:\n"
        '    field title\n    field coupon "Coupon code"\n'
        "surface t_edit:\n  uses entity T\n  mode: edit\n  section main:\n    field reason\n"
        'service s "S":\n  spec: url "https://example.org/o.json"\n  auth_profile: api_key_header header="K"\n'
        'integration i "I":\n  uses service s\n  action a:\n    when surface t_new submitted\n'
        "    call s.redeem with:\n      code <- form.coupon\n"
    )
    create = body_schema(doc, operation(doc, "createT")[2])
    assert create["properties"] == {"title": {"type": "string", "maxLength": 20}, "coupon": {"type": "string"}}
    assert create["required"] == ["title"]
    edit = body_schema(doc, operation(doc, "updateT")[2])
    assert edit["properties"] == {"reason": {"type": "string"}} and "required" not in edit
