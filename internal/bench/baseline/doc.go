// Package baseline holds the three servers crmdbench measures crmd against,
// so that crmd's figures can be read as fractions of what the machine can
// do at all, measured in the same run on the same hardware.
//
// ServeRead is the read ceiling, the bare GET: net/http answering a fixed
// deal-sized JSON body, with no routing, authentication, database or
// encoding. ServePost is the bare POST: the request's body read and
// discarded unparsed, a fixed small JSON answered, no database. ServeWrite
// is the write ceiling: one small JSON decode and one single-row insert
// per request, in its own transaction, on a database opened with the very
// settings crmd's store uses, so the difference to crmd is crmd's own work
// rather than the database's.
//
// Each runs as its own process (crmdbench re-executes itself) so that its
// memory and CPU are measured apart from the benchmark driver's.
package baseline
