# Several surfaces of one mode on one entity, one action name on several
# surfaces, integrations invoked from every kind of surface, and an
# entity-less surface named like an entity's collection.

module desk.main

app help_desk "Help Desk"

entity Ticket "Ticket":
  id: uuid pk
  title: str(200) required
  body: text
  state: enum[new,open,done]=new
  owner: ref Agent optional
  reviewer: ref Agent optional
  created_at: datetime auto_add

entity Agent "Agent":
  id: int pk
  email: email required
  name: str(120) required

surface ticket_board "Board":
  uses entity Ticket
  mode: list
  section main "Tickets":
    field title "Title"
    field state "State"
  action refresh "Refresh":
    on click -> integration tracker action sync_all

surface my_tickets "My tickets":
  uses entity Ticket
  mode: list
  section main:
    field title "Title"
  action refresh "Refresh mine":
    on click -> integration tracker action sync_all

surface ticket_detail "Ticket":
  uses entity Ticket
  mode: view
  section main:
    field title
    field body
    field note "Note for the tracker"
  action push "Push":
    on click -> integration tracker action push_ticket

surface ticket_summary "Summary":
  uses entity Ticket
  mode: view
  section main:
    field title

surface ticket_create "New ticket":
  uses entity Ticket
  mode: create
  section main:
    field title "Title"
    field body "Body"
    field owner "Owner"
  action push "Create and push":
    on submit -> integration tracker action push_ticket

surface ticket_quick_create "Quick ticket":
  uses entity Ticket
  mode: create
  section main:
    field title "Title"

surface ticket_edit "Edit ticket":
  uses entity Ticket
  mode: edit
  section main:
    field title
    field state
    field reviewer
  action push "Push changes":
    on submit -> integration tracker action push_ticket

surface ticket_assign "Assign":
  uses entity Ticket
  mode: edit
  section main:
    field owner "Owner"

surface ticket_lookup "Lookup":
  uses entity Ticket
  mode: custom
  section main:
    field query "Query"
  action go "Go":
    on submit -> integration tracker action lookup

surface tickets "Ticket search (no entity)":
  mode: custom
  section main:
    field q "Search for"
  action run "Search":
    on submit -> integration tracker action lookup
  action back "Back":
    on click -> surface ticket_board

surface agent_list "Agents":
  uses entity Agent
  mode: list
  section main:
    field name
    field email

surface help "Help":
  mode: custom
  section main:
    field topic "Topic"

experience triage "Triage":
  start at step board

  step board:
    kind: surface
    surface ticket_board
    on success -> step push
    on failure -> step board

  step push:
    kind: integration
    integration tracker action push_ticket
    on success -> step done

  step done:
    kind: process

service tracker_api "Tracker":
  spec: inline "tracker-v2"
  auth_profile: api_key_header header="X-Key" retries=3 ratio=0.75 strict=true
  owner: "Ops"

foreign_model RemoteTicket from tracker_api "Remote ticket":
  key: remote_id
  constraint event_driven
  constraint batch_import frequency=hourly

  field remote_id: str(40) required
  field summary: str(200)
  field amount: decimal(8,2)

integration tracker "Tracker sync":
  uses service tracker_api
  uses foreign_model RemoteTicket

  action push_ticket:
    when surface ticket_detail submitted
    call tracker_api.push with:
      id <- entity.id
      note <- form.note
      who <- current_user.email
      fixed <- "a \"quoted\" value"
      count <- 3
      flag <- true
      price <- 12.50
    map response RemoteTicket -> entity Ticket:
      title <- foreign.summary

  action lookup:
    when surface ticket_lookup submitted
    call tracker_api.find with:
      q <- form.query

  sync sync_all:
    mode: event_driven
    from tracker_api.list as RemoteTicket
    into entity Ticket
    match on:
      remote_id <-> title
