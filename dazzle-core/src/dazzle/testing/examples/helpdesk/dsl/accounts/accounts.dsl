# People and organisations. Used by helpdesk.core and helpdesk.billing.
module helpdesk.accounts

entity Organisation "Organisation":
  id: uuid pk
  name: str(160) required
  domain: str(120) unique?
  plan: enum[free,team,enterprise] default=free
  seats: int=5
  active: bool=true
  created_at: datetime auto_add

entity Person "Person":
  id: uuid pk
  email: email unique
  display_name: str(120) required
  role: enum[customer,agent,admin]=customer
  organisation: ref Organisation optional
  manager: ref Person?
  status: enum[active,suspended]=active
  created_at: datetime auto_add
  updated_at: datetime auto_update

  unique organisation,display_name
  index status,role

surface person_directory "People":
  uses entity Person
  mode: list
  meta ui:layout="table" page_size=50

  section filters "Filters":
    field role "Role" widget=select
    field status "Status" widget=select

  section list:
    field display_name "Name"
    field email "E-mail"
    field organisation "Organisation"

  action open "Open":
    on click -> surface person_profile

surface person_profile "Profile":
  uses entity Person
  mode: view

  section main "Who":
    field display_name "Name"
    field email "E-mail"
    field role "Role"
    field manager "Manager"

surface organisation_edit "Edit organisation":
  uses entity Organisation
  mode: edit

  section main:
    field name "Name"
    field domain "Domain" placeholder="example.com"
    field plan "Plan" widget=radio
    field seats "Seats" min=1 max=500
    field active "Active"

  action save "Save":
    on submit -> surface person_directory
