# Relations: self references, two and three refs to one entity, int keys and
# refs to them, one-to-one refs, a ref that is a primary key, refs both ways
# between two entities, and foreign-key names the DSL already uses.

app relations "Relations"

entity Person "Person":
  id: uuid pk
  name: str(100) required
  manager: ref Person optional
  mentor: ref Person optional
  best_friend: ref Person unique?
  employer: ref Company optional

entity Company "Company":
  id: int pk
  name: str(200) required unique
  ceo: ref Person optional
  parent: ref Company

entity Transfer "Transfer":
  id: int pk
  payer: ref Person required
  payee: ref Person required
  approver: ref Person optional
  from_company: ref Company required
  to_company: ref Company required
  amount: decimal(14,2) required

  unique payer,payee,amount
  index from_company,to_company

# a one-to-one extension of Person: its key is the reference
entity PersonProfile "Person profile":
  person: ref Person pk
  bio: text

# references to an entity whose key is itself a reference
entity ProfileBadge "Badge":
  id: int pk
  profile: ref PersonProfile required
  label: str(40) required

# the foreign-key field of `author` would be `author_id`, which is taken
entity Note "Note":
  id: uuid pk
  author: ref Person required
  author_id: str(20)
  author_id_2: int
  subject: ref Company required unique

  index author,author_id
