# Every type, every modifier and both ways of writing a default.

app types "Types ✓ — ünïcödé"

entity Everything "Everything: all types — «ünïcödé» 🎫 \"quoted\" back\\":
  id: uuid pk
  short: str(1)
  name: str(200) required
  huge: str(70000)
  body: text
  body_required: text required
  count: int
  count_default: int=42
  negative: int default=-3
  price: decimal(12,2)
  price_default: decimal(12,2)=12.50
  ratio: decimal(5,4) default=0.25 required
  whole: decimal(10,0)=7
  flag: bool
  flag_on: bool=true
  flag_off: bool default=false required
  born_on: date
  born_default: date="2024-01-31"
  seen_at: datetime
  seen_default: datetime="2024-01-31T12:00:00Z"
  fraction_default: datetime="2024-01-31T12:00:00.250Z"
  offset_default: datetime="2024-01-31T12:00:00+02:00"
  token: uuid
  token_default: uuid="123e4567-e89b-12d3-a456-426614174000"
  mail: email
  mail_required: email required
  mail_unique: email unique
  mail_unique_optional: email unique?
  colour: enum[red,green,blue]
  colour_default: enum[red,green,blue]=green
  size: enum[s,m,l,xl] default=m required
  quote: str(100)="say \"hi\" 🎉 ünï \\"
  created_at: datetime auto_add
  updated_at: datetime auto_update
  created_on: date auto_add
  touched: datetime auto_add auto_update
  touched_on: date auto_update
  code: str(12) required unique
  optional_unique: str(30) unique?

  unique name,count
  index flag,born_on
  index colour

entity IntKey:
  id: int pk
  label: str(10)

entity StrKey:
  code: str(20) pk
  label: str(10)

entity EmailKey:
  mail: email pk

entity DateKey:
  day: date pk

entity EnumKey:
  kind: enum[alpha,beta] pk

entity DecimalKey:
  amount: decimal(10,2) pk

entity BoolKey:
  flag: bool pk

entity UuidKeyWithDefault:
  id: uuid pk default="00000000-0000-0000-0000-000000000001"

entity Holder:
  id: int pk
  int_key: ref IntKey
  str_key: ref StrKey required
  email_key: ref EmailKey
  date_key: ref DateKey
  enum_key: ref EnumKey
  decimal_key: ref DecimalKey
  bool_key: ref BoolKey unique?
  uuid_key: ref UuidKeyWithDefault required
  everything: ref Everything
