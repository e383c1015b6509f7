package server_test

import (
	"testing"
	"time"

	"github.com/crmd/crmd/internal/ratelimit"
	"github.com/crmd/crmd/internal/server"
)

// TestLimitDialects: the dialects declare the defaults the README promises,
// under the names stored in account_limits and limit_counters, which must
// not change under stored data.
func TestLimitDialects(t *testing.T) {
	got := server.LimitDialects()
	want := []struct {
		name     string
		defaults ratelimit.Limits
		block    *ratelimit.BlockRule
	}{
		// amoCRM: 7 per second documented; the block after repeated
		// violations is documented without numbers, these are crmd's.
		{"amocrm", ratelimit.Limits{PerSecond: 7}, &ratelimit.BlockRule{After: 10, For: 15 * time.Minute}},
		{"uis", ratelimit.Limits{PerMinute: 200, PerDay: 3500}, nil},
		{"envybox", ratelimit.Limits{PerSecond: 10, PerMinute: 300}, nil},
	}
	if len(got) != len(want) {
		t.Fatalf("%d dialects, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Name != w.name || g.Defaults != w.defaults || (g.Block == nil) != (w.block == nil) ||
			(g.Block != nil && *g.Block != *w.block) {
			t.Errorf("dialect %d = %+v (block %+v), want %+v (block %+v)", i, g, g.Block, w, w.block)
		}
	}
}
