# Names PostgreSQL cuts to 63 bytes. The enums of the two status fields would
# be one type there (their first 63 bytes are equal); the second one's name is
# shortened to keep its number. The table names are long but whole.

app long_names "Long names"

entity subscription_renewal_reminder_schedule_entry:
  id: int pk
  delivery_channel_preference_for_the_first_status: enum[email,sms]
  delivery_channel_preference_for_the_second_status: enum[post,phone]
  owner: ref subscription_renewal_reminder_schedule_owner_account required

entity subscription_renewal_reminder_schedule_owner_account:
  id: uuid pk
  name: str(80)
