# The application's root module.
module helpdesk.core

use helpdesk.accounts
use helpdesk.billing

app helpdesk "Help Desk — Support Centre"

entity Ticket "Support ticket":
  id: uuid pk
  title: str(200) required
  description: text
  status: enum[open,in_progress,waiting,resolved,closed]=open
  priority: enum[low,normal,high,urgent] default=normal
  mode: enum[email,phone,chat]=email
  reporter: ref Person required
  assignee: ref Person optional
  watcher: ref Person?
  organisation: ref Organisation optional
  estimate_hours: decimal(6,2)
  reopened_count: int default=0
  due_on: date?
  created_at: datetime auto_add
  updated_at: datetime auto_update

  unique title,reporter
  index status,priority
  index assignee

entity Reply "Reply":
  id: uuid pk
  ticket: ref Ticket required
  author: ref Person required
  body: text required
  internal: bool=false
  in_reply_to: ref Reply optional
  created_at: datetime auto_add

  index ticket

surface ticket_queue "Ticket queue":
  uses entity Ticket
  mode: list
  meta ui:layout="kanban" group_by=status

  section filters "Filters":
    field status "Status" widget=select
    field priority "Priority" widget=select
    field assignee "Assignee"

  section list "Tickets":
    field title "Title"
    field status "Status"
    field priority "Priority"
    field due_on "Due"

  action new_ticket "New ticket":
    on click -> surface ticket_new

  action open_ticket "Open":
    on click -> experience ticket_flow step review

surface ticket_new "Raise a ticket":
  uses entity Ticket
  mode: create

  section main "Tell us what happened":
    field title "Title" placeholder="Short summary"
    field description "What happened?" widget=textarea rows=6
    field priority "How urgent is it?"
    field mode "How should we reach you?"

  action submit "Send":
    on submit -> experience ticket_flow

surface ticket_detail "Ticket":
  uses entity Ticket
  mode: view

  section main "Ticket":
    field title "Title"
    field status "Status"
    field reporter "Reported by"
    field assignee "Assigned to"

  section reply "Reply":
    field reply_body "Your reply" widget=textarea

  action send_reply "Send reply":
    on submit -> integration notify action send_reply

  action back "Back to the queue":
    on click -> surface ticket_queue

surface ticket_triage "Triage":
  uses entity Ticket
  mode: edit

  section main "Triage":
    field status "Status"
    field priority "Priority"
    field assignee "Assignee"
    field estimate_hours "Estimate (hours)" step=0.25

  action save "Save":
    on submit -> experience ticket_flow step done

surface reply_thread "Replies":
  uses entity Reply
  mode: list

  section list:
    field body "Reply"
    field author "From"
    field internal "Internal note"

surface search "Search":
  mode: custom

  section query "Find anything":
    field text "Search for" autofocus=true
    field only_open "Open tickets only"

  action go "Search":
    on submit -> surface ticket_queue

  action refresh "Refresh":
    on auto -> surface ticket_queue

experience ticket_flow "Ticket lifecycle":
  start at step review

  step review:
    kind: surface
    surface ticket_detail
    on success -> step triage
    on failure -> step end

  step triage:
    kind: surface
    surface ticket_triage
    on success -> step notify_customer

  step notify_customer:
    kind: integration
    integration notify action send_update
    on success -> step done
    on failure -> step escalate

  step escalate:
    kind: process
    on success -> step done

  step done:
    kind: surface
    surface ticket_queue

  step end:
    kind: process

service mailer "Transactional mail":
  spec: url "https://mail.example.com/openapi.yaml"
  auth_profile: jwt_static
  owner: "Messaging — Team Ω"

service directory "Staff directory":
  spec: url "https://directory.example.com/openapi.json"
  auth_profile: oauth2_legacy scopes="staff:read"

service status_page "Status page":
  spec: inline "status-v1"
  auth_profile: api_key_query param="key"

service public_holidays "Public holidays":
  spec: url "https://holidays.example.com/api.json"
  auth_profile: none

foreign_model StaffMember from directory "Staff member":
  key: staff_id
  constraint read_only

  field staff_id: uuid required
  field email: email
  field name: str(120)

integration notify "Customer notifications":
  uses service mailer, directory
  uses foreign_model StaffMember

  action send_reply:
    when surface ticket_detail submitted
    call mailer.send with:
      ticket_id <- entity.id
      body <- form.reply_body
      sender <- current_user.email
      template <- "reply"
      urgent <- false

  action send_update:
    call mailer.send with:
      ticket_id <- entity.id
      template <- "status-update"

  action assign:
    when surface ticket_triage submitted
    call directory.lookup with:
      email <- current_user.email
    map response StaffMember -> entity Person:
      display_name <- foreign.name
      email <- foreign.email
