"""Matching: coordinators find volunteers, and volunteers hear of roles that fit them.

Rules:
- Reach (``matching.reach``, the one place it is written): an organisation's coordinators search
  the volunteers connected to their organisations (who applied, at any stage and in the past,
  or were placed there). The centre (centre coordinators and administrators) searches everyone
  connected to any organisation and everyone who agreed to be found by partner organisations.
  For one of their own roles, coordinators also see, among its matches, the volunteers who
  agreed to be found. A volunteer's page (``/matching/volunteers/<id>``) opens only within that
  reach: anyone else gets a 404, as if the volunteer did not exist. No rule, nobody.
- Consent to be found (``found_by_partners``) and to the weekly email (``contact_opportunities``)
  are consent records: off by default, given on the "Being found and matched" page or the
  privacy page, with when they were given; withdrawn at once (every search, match and digest
  reads the consent as it stands, nothing copies it).
- Results show only what the coordinator may see: the area (outward code) and distance, never
  the full postcode or contact details; skills, interests, languages, availability; training
  completed and in date; approved hours at the coordinator's own organisations (everyone's
  for the centre). DBS status (a clear check in date, yes or no) is shown and searchable only
  where ``recruitment.queries.may_see_dbs`` would allow: centre coordinators, and an
  organisation's safeguarding lead for volunteers connected to that organisation; searching by
  it is audited. Equality answers are never read here (an import-linter contract forbids it).
- The search form is a GET form that validates every argument (a bad postcode, a negative or
  huge number, control characters: a form error and a 400, never a 500). Distances are
  straight-line miles between outward-code centroids (``core.geo``).
- Saved searches keep the coordinator's arguments under a name (unique per coordinator), never
  the people found: ``queries.saved_search_volunteer_ids`` runs the search again with the
  viewer's reach at that moment (the messaging domain's segments), and only for its owner.
- Matching (``matching.scoring``) scores a volunteer against a role on shared interests, skills,
  times (the role's "days and times" read into the profile's day × part-of-day grid) and
  distance (at most 10 miles unless the role is remote), and says why in words: "matches your
  interest in gardening, Saturday mornings, about 1 mile away". A match needs a shared interest
  or skill; a role whose times are known and shared with none of the volunteer's is no match.
- "Recommended for you" lists the open, published roles that match, leaving out roles the
  volunteer has an open application for. The weekly digest (job ``matching_digest``, Mondays)
  emails each consenting volunteer the roles published in the last 7 days that match them, at
  most once per person and week (a unique ``DigestSent`` row written before the email).
- Invitations: a role's coordinators (and the centre) invite a volunteer from the role's
  matches, once per volunteer and role, by an email through the outbox with a signed link (30
  days). The link works only for that volunteer, signed in; "I'm interested" is answered once
  (a compare-and-set on the invitation) and applies through ``recruitment.services.apply``,
  whose rules (age, one open application per role) still hold.
"""
