package crm

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Leads arrive in bursts from website widgets and telephony, and every one
// of an account is written under the account's write lock (on SQLite, the
// only write connection), so their transactions queue one behind another.
// Much of a lone lead's transaction is not the lead: beginning, the account
// check, loading the pipelines and inbox types, and the commit, whose page
// writes are mostly the same index pages whatever the number of leads.
//
// intake lets concurrent leads of an account share a transaction ("group
// commit"). The first caller to find nobody writing becomes the writer: it
// begins a transaction and records its own lead, then every lead that
// arrives meanwhile, one after another, and commits when none is waiting.
// The others wait for it to answer them. A caller arriving during the
// commit waits too, and the writer hands it the writing of the next
// transaction. A lone lead is written at once, alone — except that, when
// several callers have lately been writing together, the writer waits a
// moment for them (see inboundLinger).
//
// Each lead stays all or nothing: a shared transaction commits only if
// every lead in it was recorded; if one failed (invalid input, a clash, the
// commit), it is rolled back and each of its leads is recorded again in a
// transaction of its own, so only the failing ones fail. Within a
// transaction the leads are recorded one after another, so a lead sees the
// leads before it, and concurrent submissions of one contact still find
// one parent.

// inboundBatchMax bounds the leads of one transaction: it holds the write
// lock for all of them, and its callers are answered only after it.
const inboundBatchMax = 32

// The callers a transaction answers come back together, a moment apart (on
// a loaded machine the last of eight came 0.5–1 ms after the commit).
// Without waiting, the first of them would find nobody writing and commit
// alone, the others queuing behind it: half the transactions carried one
// lead. So a writer that has fewer leads than the largest transaction of
// the last second waits up to inboundLinger for each further one, when a
// transaction ended less than inboundRecent ago (PostgreSQL's commit_delay
// in spirit), and no more than inboundLingerMax in all: it holds the write
// lock meanwhile. A caller after a quiet spell never waits.
const (
	inboundLinger    = 500 * time.Microsecond
	inboundLingerMax = 2 * time.Millisecond
	inboundRecent    = 5 * time.Millisecond
)

// intake holds a queue of CreateInbound calls per account. The zero value
// is ready to use.
type intake struct {
	mu     sync.Mutex
	queues map[int64]*inboundQueue
}

// inboundQueue is the calls of one account waiting to be recorded.
type inboundQueue struct {
	writing bool // a caller is writing; the others wait in jobs
	jobs    []*inboundJob
	// arrived, when not nil, is closed by the next caller to queue: the
	// writer is waiting for one.
	arrived chan struct{}
	// ended is when the last transaction ended; peak is the most leads a
	// transaction had in the second or so since peakAt.
	ended  time.Time
	peak   int
	peakAt time.Time
}

// inboundJob is one CreateInbound call.
type inboundJob struct {
	ctx context.Context
	n   NewInbound
	out Inbound
	err error
	// wake tells a waiting caller that its job is done (false) or that it
	// is to write the next transaction (true).
	wake chan bool
}

// record records n for the account, possibly in a transaction shared with
// concurrent calls.
func (in *intake) record(ctx context.Context, s *Service, accountID int64, n NewInbound) (Inbound, error) {
	j := &inboundJob{ctx: ctx, n: n, wake: make(chan bool, 1)}
	in.mu.Lock()
	if in.queues == nil {
		in.queues = map[int64]*inboundQueue{}
	}
	q := in.queues[accountID]
	if q == nil {
		q = &inboundQueue{}
		in.queues[accountID] = q
	}
	q.jobs = append(q.jobs, j)
	if q.arrived != nil {
		close(q.arrived)
		q.arrived = nil
	}
	wait := q.writing
	q.writing = true
	in.mu.Unlock()
	// A waiting caller does not give up when its ctx ends: it may be
	// handed the writing. The writer skips jobs whose ctx has ended.
	if wait && !<-j.wake {
		return j.out, j.err
	}
	var batch []*inboundJob
	defer func() {
		// A panic while writing (a bug) fails the batch's other callers
		// too, and still hands the writing on: the queue must not stall.
		if p := recover(); p != nil {
			for _, other := range batch {
				other.out, other.err = Inbound{}, fmt.Errorf("recording leads: panic: %v", p)
			}
			in.finish(q, batch)
			panic(p)
		}
	}()
	in.write(s, accountID, q, &batch)
	in.finish(q, batch)
	return j.out, j.err
}

// finish ends the writing of batch: it notes its size, answers its callers
// but the writer (batch[0]) and hands the writing to the first caller
// waiting, if any.
func (in *intake) finish(q *inboundQueue, batch []*inboundJob) {
	in.mu.Lock()
	q.ended = time.Now()
	if len(batch) >= q.peak || q.ended.Sub(q.peakAt) > time.Second {
		q.peak, q.peakAt = len(batch), q.ended
	}
	var next *inboundJob
	if len(q.jobs) > 0 {
		next = q.jobs[0]
	} else {
		q.writing = false
	}
	in.mu.Unlock()
	for i, other := range batch {
		if i > 0 {
			other.wake <- false
		}
	}
	if next != nil {
		next.wake <- true
	}
}

// write records queued jobs in one transaction, taking them as they come
// until none is waiting, and appends them with their results to batch.
// The first job queued is the writer's own: the queue was empty when it
// came, or it was first in line when handed the writing.
func (in *intake) write(s *Service, accountID int64, q *inboundQueue, batch *[]*inboundJob) {
	in.mu.Lock()
	want := 1
	if time.Since(q.ended) < inboundRecent {
		want = q.peak
	}
	first := q.jobs[0]
	in.mu.Unlock()

	var live []*inboundJob
	var lingered time.Duration
	// The transaction serves several callers: one leaving must not roll
	// back the others' leads.
	ctx := context.WithoutCancel(first.ctx)
	err := s.store.Update(ctx, accountID, func(tx Tx) error {
		ic := &inboundContext{}
		for {
			j := in.next(q, len(*batch), want, &lingered)
			if j == nil {
				return nil
			}
			*batch = append(*batch, j)
			if j.err = j.ctx.Err(); j.err != nil {
				continue
			}
			live = append(live, j)
			if err := ic.load(ctx, tx, needsOf(j.n)); err != nil {
				return err
			}
			var err error
			if j.out, err = recordInbound(ctx, tx, ic, j.n); err != nil {
				return err
			}
		}
	})
	switch {
	case err == nil:
	case len(live) == 1:
		live[0].out, live[0].err = Inbound{}, err
	default:
		for _, j := range live {
			j.out, j.err = s.createInbound(j.ctx, accountID, j.n)
		}
	}
}

// next takes the next job of the queue for a transaction that has taken
// taken jobs so far and waited lingered for them, waiting for one while it
// has fewer than want (see inboundLinger); nil when the transaction is to
// commit.
func (in *intake) next(q *inboundQueue, taken, want int, lingered *time.Duration) *inboundJob {
	in.mu.Lock()
	defer in.mu.Unlock()
	if taken >= inboundBatchMax {
		return nil
	}
	if wait := min(inboundLinger, inboundLingerMax-*lingered); len(q.jobs) == 0 && taken < want && wait > 0 {
		arrived := make(chan struct{})
		q.arrived = arrived
		in.mu.Unlock()
		start := time.Now()
		t := time.NewTimer(wait)
		select {
		case <-arrived:
		case <-t.C:
		}
		t.Stop()
		*lingered += time.Since(start)
		in.mu.Lock()
		if q.arrived == arrived {
			q.arrived = nil
		}
	}
	if len(q.jobs) == 0 {
		return nil
	}
	j := q.jobs[0]
	q.jobs[0] = nil // the array outlives the job otherwise
	q.jobs = q.jobs[1:]
	return j
}
