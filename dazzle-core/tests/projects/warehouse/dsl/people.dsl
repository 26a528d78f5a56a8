module stock.people

entity Badge "Access badge":
  id: uuid pk
  code: str(16) unique
  issued_at: datetime auto_add
