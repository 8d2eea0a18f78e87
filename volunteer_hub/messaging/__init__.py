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
"""
