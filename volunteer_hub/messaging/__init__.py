"""Messaging: coordinators and volunteers talk through the product.

One-to-one threads (a coordinator or an organisation's team inbox with a volunteer), bulk
messages to segments, preferences, one-click unsubscribe and time-bank contact.

Threads
-------
- A thread is between a volunteer and a team: an organisation (every coordinator of the
  organisation sees and answers its threads: the team inbox) or the volunteer centre (every
  centre coordinator). It may be attached to an application, placement or shift of that
  volunteer (for an organisation: one of that organisation's), shown and linked on the thread.
- A coordinator starts a thread only with a volunteer connected to one of their organisations
  (an application, a placement or a shift sign-up there), as that organisation; the centre may
  write to any volunteer with a sign-in. Anything else is a 404, so nobody learns who exists.
- The volunteer reads and replies from their Inbox (in the navigation for everyone signed in);
  nobody else may open a thread (404 by URL): not other volunteers, not other organisations'
  coordinators, not the centre for an organisation's thread.
- Read or unread is kept per person (each coordinator of a team has their own), as the newest
  message they have seen; it only moves forwards, except "Mark as unread".
- A message is 1 to 5,000 characters, without NUL or control characters (form errors). Each
  form carries an idempotency key, unique in the database: a double-clicked "Send" posts one
  message (or starts one thread), the second request hears "already sent".
- Each new message is emailed to the other side through the outbox with a link to the thread;
  a message the sender marks sensitive is emailed without its text. Each person chooses (Inbox →
  settings): an email per message (the default), one daily digest (the ``messaging_digest`` job,
  07:00 UTC, at most one per person and day: a ``messaging_digest`` row per person and day is the
  compare-and-set), or no emails. ``queries.email_preference(user_id)`` is the one reading of
  that choice. Service emails elsewhere (safeguarding, shifts cancelled, claims decided, sign-in)
  ignore it.
- Time bank: an approved member may contact the member whose listing it is, through the app
  (one thread per member and listing, attached to the listing); neither sees the other's email
  address, each sees the other's time-bank name. The time bank's coordinators see that contact
  happened (who, when, which listing, how many messages) at ``/timebanks/<id>/contacts``, never
  the text.
- Privacy: threads and messages are in the person's export. Erasing a volunteer keeps their
  threads and messages for the other party, shown as from "a former volunteer" (their name,
  email and phone are redacted from the text by the metadata walk); their read marks, email
  choice and waiting digest notices are deleted. Retention (``messages``, 24 months by default):
  a thread and its messages are deleted that long after the thread's last message.

Bulk messages
-------------
- A coordinator messages a segment (``segments.py``: a registry of kind → label, resolve,
  allowed): a role's placed volunteers (placements not ended), a shift's sign-ups (confirmed,
  and optionally the waiting list), and the saved searches the integrator registers. A
  coordinator may use only segments of an organisation they coordinate (the centre and
  administrators: any); anything else is a 404, by URL or by form.
- Compose (kind, subject, text) → preview → send. The preview shows the exact number of people
  (each person once, even if they are in the group twice; people unsubscribed from the kind left
  out) and the first few messages as those real people will read them. Merge fields
  ``{first_name}``, ``{role}`` and ``{next_shift}`` are filled per person; a missing value gives
  plain words ("there", "your role", "your next shift") or the writer's own
  (``{first_name|friend}``); any other field is refused when written. Text is filled, never run
  as a format string.
- Sending is a compare-and-set from draft: a double click sends one message. It fixes the
  recipients as one delivery row each (unique per message and person), records an audit event
  (who, what, segment, how many) and leaves the rest to the ``bulk_messages`` job, which claims
  each delivery in the transaction that writes its email: resumable (a stopped worker's remaining
  deliveries go at the next run), and two workers at once send each person one email. The
  progress page refreshes itself without JavaScript and polls its JSON with it.
- A message can be stopped while it is being sent: the deliveries not yet made are cancelled.
- Kinds: news, opportunities, shift updates and service messages. Service messages
  (safeguarding, a shift cancelled) always go and carry no unsubscribe link; every other bulk
  email carries a one-click unsubscribe for its kind (RFC 8058: ``List-Unsubscribe`` and
  ``List-Unsubscribe-Post``) pointing at a signed link that takes a POST with no sign-in and no
  CSRF token (exempted on that route only; the signature is the proof) and shows a page to confirm
  on GET. Whether a person may be emailed a kind is decided in one place,
  ``bulk.may_email``; someone with no address gets the message in the app only.
- Each person may send 5 bulk messages an hour (``BULK_SEND_LIMIT``; a refused double click does
  not count). Every bulk message stays on the organisation's "Sent messages" page with its
  counts. Volunteers see what they received at /messages/bulk/received.
- Privacy: each person's copy and their unsubscribes are in their export and erased with them
  (the message keeps its counts); bulk messages and their copies are deleted after the
  ``bulk_messages`` retention period (24 months by default).
"""
