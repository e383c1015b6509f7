package crmtest

import (
	"runtime"
	"testing"
	"time"
)

// TimeCalls runs fn b.N times and returns the wall time per call. With
// clients > 1 the calls come from about that many goroutines at once
// (b.RunParallel), so that the figure shows what concurrent callers wait,
// not the CPU one call takes; a failing call fails the benchmark.
func TimeCalls(b *testing.B, clients int, fn func() error) time.Duration {
	b.Helper()
	start := time.Now()
	if clients > 1 {
		b.SetParallelism((clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := fn(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	} else {
		for range b.N {
			if err := fn(); err != nil {
				b.Fatal(err)
			}
		}
	}
	return time.Since(start) / time.Duration(b.N)
}
