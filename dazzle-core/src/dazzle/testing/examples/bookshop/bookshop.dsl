# A small bookshop in one file: no dazzle.toml, so `dazzle validate
# examples/bookshop` finds this module through its `app` line. It leans on the
# corners backends must get right: integer keys, refs to integer keys, several
# refs to one entity, self references, and names that are keywords elsewhere.

app bookshop "Bookshop · Ünïcödé \"quoted\" titles 📚"

entity Author "Author":
  id: int pk
  name: str(120) required
  mentor: ref Author optional
  born_on: date

entity Book "Book":
  id: int pk
  isbn: str(13) unique required
  title: str(250) required
  author: ref Author required
  co_author: ref Author optional
  translator: ref Author optional
  sequel_of: ref Book optional
  price: decimal(8,2) required
  format: enum[hardback,paperback,ebook]=paperback
  status: enum[draft,list,archived]=draft
  index: int
  field: str(40)
  list: bool=false

  index status,format
  unique title,author

entity Order "Order":
  id: uuid pk
  book: ref Book required
  quantity: int=1
  placed_at: datetime auto_add
  step: enum[cart,paid,shipped]=cart

surface book_list "Books":
  uses entity Book
  mode: list

  section list "Catalogue":
    field title "Title"
    field author "Author"
    field price "Price"
    field status "Status"

  action buy "Buy":
    on click -> surface order_create

surface order_create "Order a book":
  uses entity Order
  mode: create

  section main:
    field book "Book"
    field quantity "How many?"

  action place "Place order":
    on submit -> experience checkout step end

surface author_edit "Author":
  uses entity Author
  mode: edit

  section main:
    field name "Name"
    field mentor "Mentor"

experience checkout "Checkout":
  start at step start

  step start:
    kind: surface
    surface order_create
    on success -> step end

  step end:
    kind: surface
    surface book_list
