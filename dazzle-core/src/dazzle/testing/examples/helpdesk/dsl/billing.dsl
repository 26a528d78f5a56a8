module helpdesk.billing

use helpdesk.accounts as accounts

entity Invoice "Invoice":
  id: int pk
  number: str(32) unique required
  organisation: ref Organisation required
  amount: decimal(12,2) required
  vat_rate: decimal(5,4)=0.2000
  currency: str(3)="GBP"
  issued_on: date required
  due_on: date default="2026-12-31"
  paid: bool default=false
  notes: text
  external_ref: uuid unique?
  synced_at: datetime

  index organisation,issued_on

service billing_api "Billing Provider":
  spec: url "https://billing.example.com/v2/openapi.json"
  auth_profile: oauth2_pkce scopes="invoices:read invoices:write"
  owner: "Finance Platform"

service tax_lookup "Tax Lookup":
  spec: inline "tax-v1"
  auth_profile: api_key_header header="X-Api-Key"
  owner: "Tax Team"

foreign_model RemoteInvoice from billing_api "Remote invoice":
  key: invoice_number
  constraint read_only
  constraint batch_import frequency=hourly

  field invoice_number: str(32) required
  field total: decimal(12,2)
  field issued: date
  field remote_id: uuid

foreign_model InvoiceEvent from billing_api "Invoice event":
  key: event_id,invoice_number
  constraint event_driven

  field event_id: uuid
  field invoice_number: str(32)
  field paid: bool

integration invoice_sync "Invoice sync":
  uses service billing_api
  uses foreign_model RemoteInvoice, InvoiceEvent

  sync nightly_import:
    mode: scheduled
    schedule: "30 1 * * 1-5"
    from billing_api.list_invoices as RemoteInvoice
    into entity Invoice
    match on:
      invoice_number <-> number
      remote_id <-> external_ref

  sync payment_events:
    mode: event_driven
    from billing_api.invoice_events as InvoiceEvent
    into entity Invoice
    match on:
      invoice_number <-> number

surface invoice_list "Invoices":
  uses entity Invoice
  mode: list

  section list "Invoices":
    field number "Number"
    field amount "Amount"
    field issued_on "Issued"
    field paid "Paid"

  action refresh "Refresh from billing":
    on click -> integration invoice_sync action nightly_import
