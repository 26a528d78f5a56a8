# Names this backend makes up (enums, foreign-key fields, back-relations)
# that meet names the DSL already uses.

app collisions "Collisions"

# the enum of Ticket.status would be TicketStatus (Ticket_status when names
# are preserved): the name of this model in either naming style
entity Ticket_status:
  id: int pk
  label: str(20)

entity Ticket:
  id: int pk
  status: enum[open,closed]
  owner: ref User
  owner_id: int
  owner_id_2: int
  # their back-relations on User, ticketsAsOwner and ticketsAsReviewer
  # (Tickets_as_owner and Tickets_as_reviewer), meet User's own fields in one
  # naming style or the other
  reviewer: ref User

# its back-relation on User, comments (Comments), meets a field of User
entity Comment:
  id: int pk
  author: ref User

entity User:
  id: int pk
  tickets_as_owner: str(10)
  ticketsAsOwner2: int
  Tickets_as_reviewer: str(10)
  comments: int
