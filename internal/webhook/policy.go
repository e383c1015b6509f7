package webhook

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// Policy is how deliveries to one kind of webhook are sent: the time an
// answer is waited for, when a failed attempt is tried again, and when a
// failing webhook is disabled.
type Policy struct {
	// Timeout bounds one attempt, from dialing to the end of the answer.
	Timeout time.Duration
	// Retry says, after failed attempt number attempt (1-based) that got
	// status (0: no answer), how long to wait before the next; false: give
	// up. age is how long ago the delivery was made.
	Retry func(attempt, status int, age time.Duration) (time.Duration, bool)
	// Disable decides, after a failed attempt, whether to disable the
	// webhook, and says why.
	Disable crm.DisableRule
}

// AmoCRMPolicy is amoCRM's (companion §8.2): a 2-second wait; the second
// try 5 minutes after the first and the third 15 after the second; a fourth
// and fifth (15 minutes, then an hour) only after a 499 or 5xx; a webhook
// with more than 100 failed answers in the last 2 hours, the latest among
// them, is disabled.
func AmoCRMPolicy() Policy {
	return Policy{
		Timeout: 2 * time.Second,
		Retry: func(attempt, status int, _ time.Duration) (time.Duration, bool) {
			serverSide := status == 499 || (status >= 500 && status <= 599)
			switch {
			case attempt == 1:
				return 5 * time.Minute, true
			case attempt == 2:
				return 15 * time.Minute, true
			case attempt == 3 && serverSide:
				return 15 * time.Minute, true
			case attempt == 4 && serverSide:
				return time.Hour, true
			}
			return 0, false
		},
		Disable: func(_ crm.Webhook, last crm.DeliveryAttempt, failedSince func(time.Time) (int, error)) (string, error) {
			n, err := failedSince(last.At.Add(-2 * time.Hour))
			if err != nil || n <= 100 {
				return "", err
			}
			return fmt.Sprintf("%d failed deliveries in the last 2 hours (amoCRM's rule: more than 100); the latest: %s", n, describe(last)), nil
		},
	}
}

// CRMDMaxFailures is how many attempts in a row may fail before a crmd
// webhook is disabled.
const CRMDMaxFailures = 50

// crmdMaxAge is how long a crmd delivery is retried.
const crmdMaxAge = 24 * time.Hour

// CRMDPolicy is crmd's own: a 10-second wait; retries after 30 s, 1, 2, 4 …
// minutes, doubling up to 4 hours, each ±25 % at random (so that many
// receivers failing together are not retried together), until the delivery
// is a day old; a webhook is disabled after CRMDMaxFailures failed attempts
// in a row.
func CRMDPolicy() Policy {
	return Policy{
		Timeout: 10 * time.Second,
		Retry: func(attempt, _ int, age time.Duration) (time.Duration, bool) {
			delay := 30 * time.Second << min(attempt-1, 9)
			delay = min(delay, 4*time.Hour)
			delay = time.Duration(float64(delay) * (0.75 + rand.Float64()/2))
			if age+delay > crmdMaxAge {
				return 0, false
			}
			return delay, true
		},
		Disable: func(w crm.Webhook, last crm.DeliveryAttempt, _ func(time.Time) (int, error)) (string, error) {
			if w.Failures < CRMDMaxFailures {
				return "", nil
			}
			return fmt.Sprintf("%d attempts in a row failed; the latest: %s", w.Failures, describe(last)), nil
		},
	}
}

// describe is an attempt's outcome in words, for the delivery log and a
// disabled webhook's reason.
func describe(a crm.DeliveryAttempt) string {
	if a.Status == 0 {
		return a.Error
	}
	return fmt.Sprintf("HTTP %d", a.Status)
}
