# Constraint lines that say the same thing twice, compound uniques whose
# client names meet (a_b_c, when names are preserved), and constraint names
# that run into each other once Prisma names them after their tables and columns.

app constraints "Constraints"

entity Account:
  id: uuid pk
  email: email unique
  handle: str(30)
  region: str(10)
  tier: int
  tier_region: int

  unique email
  unique id
  unique handle
  unique handle
  unique region,tier
  unique region,tier
  index region,region
  index handle
  index handle
  index region,tier
  index id
  unique id,email

entity pair:
  id: int pk
  a: int
  b_c: int
  a_b: int
  c: int

  unique a,b_c
  unique a_b,c

# table a_b, column c  and  table a, column b_c: both `a_b_c_key`; and
# their defaults (SQL Server names them): both `a_b_d_df`
entity a_b:
  id: int pk
  c: int unique
  d: int=1

  index d

entity a:
  id: int pk
  b_c: int unique
  b_d: int=1

  index b_d

# long names that Prisma shortens alike
entity organisation_membership_invitation_record:
  id: int pk
  invited_by_user_reference_number: int
  invited_by_user_reference_number_extra: int
  organisation_identifier_for_the_invitation: int
  organisation_identifier_for_the_invitation_role: int

  index invited_by_user_reference_number,organisation_identifier_for_the_invitation
  index invited_by_user_reference_number,organisation_identifier_for_the_invitation_role
  unique invited_by_user_reference_number_extra,organisation_identifier_for_the_invitation
  unique invited_by_user_reference_number_extra,organisation_identifier_for_the_invitation_role

# primary keys of tables whose names Prisma shortens alike (the tables'
# own names are whole: 60 characters)
entity organisation_membership_invitation_record_archive_entry_no_1:
  id: int pk
  entry: ref organisation_membership_invitation_record_archive_entry_no_2 required

entity organisation_membership_invitation_record_archive_entry_no_2:
  id: int pk
  entry: ref organisation_membership_invitation_record_archive_entry_no_1 required
