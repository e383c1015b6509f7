package crm

import "context"

// IntakeFunc is told that n leads were taken in — recorded as inbound
// requests (Envybox lead/set and lead/workset, the website widget) or as
// amoCRM unsorted items — once they are committed. ctx is the call's, so
// the caller can tell where they came from (the request's dialect).
type IntakeFunc func(ctx context.Context, n int)

// OnIntake sets the function told of every lead taken in (the server's
// metrics count them); nil, the default, tells nobody. Set it before the
// Service serves: it is read without a lock. The domain stays free of
// what the function does with the count.
func (s *Service) OnIntake(fn IntakeFunc) { s.intake = fn }

// tookIn tells the intake function of n leads committed.
func (s *Service) tookIn(ctx context.Context, n int) {
	if s.intake != nil && n > 0 {
		s.intake(ctx, n)
	}
}
