package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteTable prints the report as one table, scenario by scenario, each
// figure beside its ratio to the scenario's baseline and its throughput
// beside its ratio to the bare handler (× bare: the bare GET for reads, the
// bare POST for writes). Batches show records per second too.
func (r *Report) WriteTable(w io.Writer) error {
	seeded := "seeded"
	if r.Reused {
		seeded = "seeded by an earlier run"
	}
	fmt.Fprintf(w, "crmd benchmark: %s, %d deals (%d rows %s in %.1f s), %d clients, %.0f s per scenario\n",
		r.Backend, r.Deals, r.SeedRows, seeded, r.SeedTime, r.Clients, r.Duration)
	fmt.Fprintf(w, "deal board: a pipeline of %d deals\n", r.BoardDeals)
	fmt.Fprintf(w, "machine: %s\n", r.Machine)
	fmt.Fprintf(w, "baselines: read = the bare GET (fixed deal JSON), post = the bare POST (body read, fixed answer), write = decode + insert one row\n\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tbaseline\treq/s\t× base\t× bare\trec/req\trec/s\tp50 ms\tp95 ms\tp99 ms\tp99 × base\terrors\tpeak RSS MB\t")
	for _, f := range r.Baselines {
		fmt.Fprintf(tw, "%s\t\t%.0f\t\t\t\t\t%.2f\t%.2f\t%.2f\t\t%d\t\t\n", f.Name, f.Throughput, f.P50, f.P95, f.P99, f.Errors)
	}
	for _, f := range r.Scenarios {
		rss := ""
		if f.PeakRSS > 0 {
			rss = fmt.Sprintf("%.0f", float64(f.PeakRSS)/(1<<20))
		}
		base := string(f.Baseline)
		if f.Bare != "" && f.Bare != f.Baseline {
			base += "/" + string(f.Bare)
		}
		recs := "\t" // rec/req and rec/s: only a batch's differ from req/s
		if f.RecordsPerRequest > 1 {
			recs = fmt.Sprintf("%d\t%.0f", f.RecordsPerRequest, f.RecordsPerSecond)
		}
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%.4f\t%.4f\t%s\t%.2f\t%.2f\t%.2f\t%.1f\t%d\t%s\t\n", f.Name, base, f.Throughput, f.ThroughputRatio,
			f.BareRatio, recs, f.P50, f.P95, f.P99, f.P99Ratio, f.Errors, rss)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "\nserver peak RSS over the run: %.0f MB\n", float64(r.PeakRSS)/(1<<20)); err != nil {
		return err
	}
	if wi := r.WebhookIntake; wi != nil {
		_, err := fmt.Fprintf(w, "intake with one webhook (batch %v): median of %d runs %.0f req/s, without %.0f req/s (× %.2f); %d of %d events delivered in %d POSTs, the last %.1f s after the runs\n",
			wi.Batch, wi.Runs, wi.MedianWith, wi.MedianWithout, wi.Ratio, wi.Received, wi.Taken, wi.Posts, wi.Drain)
		return err
	}
	return nil
}

// Errors sums the failed requests of every scenario.
func (r *Report) Errors() int {
	n := 0
	for _, f := range r.Scenarios {
		n += f.Errors
	}
	return n
}

// String is the table as text.
func (r *Report) String() string {
	var b strings.Builder
	r.WriteTable(&b)
	return b.String()
}
