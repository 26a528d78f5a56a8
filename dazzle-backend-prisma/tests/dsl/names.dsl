# Keyword-like names: words that are keywords of the DSL, of Prisma or of
# JavaScript, used as field names, and entity names that are keywords in
# other spellings.

app names "Names"

entity entity "Entity":
  id: uuid pk
  model: str(20)
  enum: str(20)
  type: str(20)
  default: str(20)
  datasource: str(20)
  generator: str(20)
  index: int
  unique: int
  status: enum[open,closed]
  mode: enum[true,false,null]
  list: bool
  field: text
  step: int
  first: int
  action: str(10)
  String: str(10)
  Int: int
  DateTime: datetime
  relation: str(10)
  map: str(10)
  db: str(10)
  select: int
  where: int

  index status,mode
  unique model,type

entity Model:
  id: int pk
  owner: ref entity
  query: ref Query

entity Query:
  id: int pk
  target: ref Model

entity list:
  id: int pk
  mode: enum[manual,automatic] default=manual
  model: ref Model required

entity User_Account_Link:
  id: int pk
  HTTPStatus: int
  URLs: str(10)
  ID2x: int
  snake_case_name: int
  camelCaseName: int
  trailing_: int
