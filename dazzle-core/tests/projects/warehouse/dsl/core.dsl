module stock.core

use stock.people

app warehouse "Warehouse"

entity Clerk "Clerk":
  id: uuid pk
  name: str(80) required
  badge: ref Badge optional

entity Pallet "Pallet":
  id: int pk
  label: str(40) required
  status: enum[received,stored,shipped]=received
  zone: str(8)
  received_by: ref Clerk required
  moved_by: ref Clerk optional

  index received_by
  index moved_by
  index status,zone

entity Note "Note":
  id: uuid pk
  body: text required

surface pallet_list "Pallets":
  uses entity Pallet
  mode: list

  section main "Pallets":
    field label "Label"
    field status "Status"

  action receive "Receive":
    on click -> surface pallet_receive

surface pallet_receive "Receive a pallet":
  uses entity Pallet
  mode: create

  section main "Pallet":
    field label "Label"
    field zone "Zone"

  action save "Save":
    on submit -> experience intake

experience intake "Intake":
  start at step receive

  step receive:
    kind: surface
    surface pallet_receive
    on success -> step done

  step inspect:
    kind: surface
    surface pallet_list
    on success -> step done

  step done:
    kind: surface
    surface pallet_list
