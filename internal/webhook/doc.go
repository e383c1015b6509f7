// Package webhook delivers the domain's events to the URLs accounts
// subscribe: amoCRM's webhooks (/api/v4/webhooks, form-encoded, amoCRM's
// retry rules) and crmd's own (signed JSON, filters, retries for a day).
//
// The history is the outbox (crm.EventsOf): a Deliverer reads it in commit
// order after a cursor kept in the database, turns each write call's events
// into deliveries with the Format of each subscribed webhook, and stores
// them and the moved cursor in one transaction. Senders then claim due
// deliveries for a lease, send them, and record each attempt in the
// delivery log. Everything a Deliverer knows is in the database, so any
// number of crmd processes on one PostgreSQL share the work, and a process
// killed mid-send loses nothing: its lease runs out and the delivery is
// sent again (at least once; receivers de-duplicate by event id).
//
// Deliveries of one record to one webhook go in order: one is claimed only
// when those before it are delivered or given up.
//
// Destinations are reached only on public addresses unless private ones
// are allowed (Options.AllowPrivate), checked on the address each
// connection is made to, after resolution; redirects are not followed and
// answers are read up to a bound.
package webhook
