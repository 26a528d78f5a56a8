# Keyword-like names, YAML-special values, self references, two references to
# one entity, int and string primary keys, names that collide with the
# document's own, plurals, and Unicode in every title and label.

app edge_cases "Café \"Spécial\" — naïve déjà vu 🚀"

entity Category "Catégorie 📦":
  id: int pk
  name: str(80) required
  parent: ref Category optional
  mode: enum[yes,no,on,off,null,y,n,NULL] default=yes
  list: bool default=false
  type: str(10) default="123"
  required: text
  properties: int default=-3
  index: decimal(10,0)

entity Status "Status: \"quoted\" #not-a-comment":
  code: str(12) pk
  label: str(40) required
  enum: enum[open,closed] default=open
  created_at: datetime auto_add

entity Person "Person":
  id: uuid pk
  email: email unique?
  first_status: ref Status required
  second_status: ref Status optional
  category: ref Category optional
  born_on: date optional
  score: decimal(5,5) default=0.5
  balance: decimal(12,2) default=12.5
  ratio: decimal(3,3)
  updated_at: datetime auto_update

entity Problem "A user entity called Problem":
  id: uuid pk
  detail: text

entity Page "A user entity called Page":
  id: uuid pk
  body: text required

entity PersonPage "An entity named like a page schema":
  id: uuid pk
  note: str(20)

entity Box "Box":
  id: int pk
  size: int required

surface category_list "Catégories — liste":
  uses entity Category
  mode: list
  section main "Catégories":
    field name "Nom « court »"
    field mode "Mode: yes/no"

surface category_view "Catégorie":
  uses entity Category
  mode: view
  section main:
    field name
    field parent "Parent ⬆"

surface status_list "Statuses":
  uses entity Status
  mode: list
  section main:
    field label "Label 🏷️"

surface status_edit "Edit status":
  uses entity Status
  mode: edit
  section main:
    field label "New label"
    field enum "State"
    field created_at "Created (read only)"
    field code "Code (the key)"

surface person_create "Nouvelle personne":
  uses entity Person
  mode: create
  section main "Identité":
    field email "E-mail" widget=email
    field first_status "Statut 1"
    field second_status "Statut 2"
    field balance "Solde (€)"
    field score
    field born_on "Né(e) le"
  action save "Enregistrer ✔":
    on submit -> surface person_view

surface person_view "Personne":
  uses entity Person
  mode: view
  section main:
    field email
    field category

surface problem_list "Problems":
  uses entity Problem
  mode: list
  section main:
    field detail "Detail"

surface page_view "Page":
  uses entity Page
  mode: view
  section main:
    field body "Body"

surface person_page_list "Person pages":
  uses entity PersonPage
  mode: list
  section main:
    field note "Note"

surface box_create "New box":
  uses entity Box
  mode: create
  section main:
    field size "Size"
