package transfer_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/bench"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/sheet"
	"github.com/crmd/crmd/internal/store"
	"github.com/crmd/crmd/internal/transfer"
)

// BenchmarkExportDeals exports every deal of a seeded account (crmdbench's
// own seed: bench.Seed, without leads and customers, which the export of
// deals does not read) and, in the same run, the baseline: as many rows of
// the same width written from memory through the same sheet writer, no
// database. It reports rows/s of both, and the process's peak RSS (VmHWM,
// reset after seeding through /proc/self/clear_refs) when the export had
// written 10,000 and 100,000 rows and when it ended: flat memory means
// they are about equal however many deals there are.
//
// It is off the normal test run (a benchmark), and its scale is an
// environment variable, since a million deals take a minute or two to
// seed:
//
//	CRMD_EXPORT_DEALS=1000000 CRMD_EXPORT_DIR=/tmp/crmd-export \
//	  go test ./internal/transfer -run '^$' -bench ExportDeals -benchtime 1x
//
// CRMD_EXPORT_DIR keeps the seeded SQLite file between runs (default: a
// fresh one in the test's temporary directory); CRMD_EXPORT_FORMAT is csv
// (default) or xlsx.
func BenchmarkExportDeals(b *testing.B) {
	deals := 100_000
	if s := os.Getenv("CRMD_EXPORT_DEALS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("CRMD_EXPORT_DEALS=%q", s)
		}
		deals = n
	}
	format, err := transfer.ParseFormat(os.Getenv("CRMD_EXPORT_FORMAT"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	svc, actor := seededDeals(b, ctx, deals)

	// The baseline first, so that its garbage is gone before the export's
	// peak is measured.
	cols := make([]sheet.Column, 12)
	for i := range cols {
		cols[i] = sheet.Column{Name: fmt.Sprintf("Column %d", i), Numeric: i == 4}
	}
	row := []string{"123456", "Поставка мебели — Смирнов Иван", "Основная воронка", "Переговоры", "150000",
		"Смирнов Иван", "Менеджер 3", "VIP, Опт", "2025-04-01 12:30", "", "2026-12-04 10:00", "Сайт"}
	base, baseCPU := time.Now(), cpuTime(b)
	w, err := sheet.NewWriter(io.Discard, format, cols)
	if err != nil {
		b.Fatal(err)
	}
	for i := range deals {
		row[0] = strconv.Itoa(i)
		if err := w.WriteRow(row); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	baseRate := float64(deals) / time.Since(base).Seconds()
	baseCPURate := float64(deals) / (cpuTime(b) - baseCPU).Seconds()

	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS(b)
	startRSS := procStatus(b, "VmRSS")
	var at10k, at100k, heap100k int64
	var ms runtime.MemStats
	b.ResetTimer()
	for range b.N {
		var out countingWriter
		start, startCPU := time.Now(), cpuTime(b)
		n, err := transfer.NewExporter(svc).Export(ctx, actor, &out, transfer.Request{Kind: transfer.Deals, Format: format,
			Progress: func(rows int) {
				if at10k == 0 && rows >= 10_000 {
					at10k = procStatus(b, "VmHWM")
				}
				if at100k == 0 && rows >= 100_000 {
					at100k = procStatus(b, "VmHWM")
					runtime.ReadMemStats(&ms)
					heap100k = int64(ms.HeapInuse)
				}
			}})
		if err != nil {
			b.Fatal(err)
		}
		if n != deals {
			b.Fatalf("exported %d deals of %d", n, deals)
		}
		elapsed, cpu := time.Since(start), cpuTime(b)-startCPU
		runtime.ReadMemStats(&ms)
		end := procStatus(b, "VmHWM")
		rate, cpuRate := float64(n)/elapsed.Seconds(), float64(n)/cpu.Seconds()
		b.ReportMetric(rate, "rows/s")
		b.ReportMetric(baseRate, "baseline-rows/s")
		b.ReportMetric(cpuRate, "rows/cpu-s")
		b.ReportMetric(baseCPURate, "baseline-rows/cpu-s")
		b.ReportMetric(float64(end)/1024, "peakRSS-MB")
		if at10k > 0 {
			b.ReportMetric(float64(at10k)/1024, "peakRSS@10k-MB")
		}
		if at100k > 0 {
			b.ReportMetric(float64(at100k)/1024, "peakRSS@100k-MB")
		}
		b.Logf("%s, %d deals: %.0f rows/s (baseline %.0f rows/s, ratio %.3f), per CPU second %.0f rows (baseline %.0f, ratio %.3f), %.1f MB written in %s (CPU %s); "+
			"RSS before %.1f MB, peak at 10k rows %.1f MB, at 100k rows %.1f MB (heap in use %.1f MB), peak at the end %.1f MB (heap in use %.1f MB)",
			format, n, rate, baseRate, rate/baseRate, cpuRate, baseCPURate, cpuRate/baseCPURate, float64(out.n)/(1<<20),
			elapsed.Round(time.Millisecond), cpu.Round(time.Millisecond),
			float64(startRSS)/1024, float64(at10k)/1024, float64(at100k)/1024, float64(heap100k)/(1<<20), float64(end)/1024, float64(ms.HeapInuse)/(1<<20))
	}
}

// seededDeals opens (or seeds) the database of the benchmark and returns
// the seeded account's administrator.
func seededDeals(b *testing.B, ctx context.Context, deals int) (*crm.Service, crm.Actor) {
	dir := os.Getenv("CRMD_EXPORT_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprintf("export-%d.db", deals))
	idFile := path + ".account"
	_, statErr := os.Stat(idFile)
	db, err := store.Open(ctx, "sqlite:"+path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	var account int64
	if statErr == nil {
		data, err := os.ReadFile(idFile)
		if err != nil {
			b.Fatal(err)
		}
		if account, err = strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64); err != nil {
			b.Fatal(err)
		}
	} else {
		shape := bench.DefaultShape
		shape.LeadsPerDeal, shape.CustomersPerDeal = 0, 0
		ds, err := bench.Seed(ctx, db, deals, shape, func(s string) { b.Log(s) })
		if err != nil {
			b.Fatal(err)
		}
		account = ds.AccountID
		if err := os.WriteFile(idFile, []byte(strconv.FormatInt(account, 10)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	svc := crm.NewService(db)
	actor, err := svc.Administrator(ctx, account)
	if err != nil {
		b.Fatal(err)
	}
	return svc, actor
}

// resetPeakRSS sets the process's peak RSS (VmHWM) back to its RSS now
// (Linux 4.0 and later), so that the seed's memory is not counted.
func resetPeakRSS(b *testing.B) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Skipf("cannot reset the peak RSS: %v", err)
	}
}

// procStatus reads a kB figure of /proc/self/status.
func procStatus(b *testing.B, key string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Skipf("no /proc: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), key+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatalf("no %s in /proc/self/status", key)
	return 0
}

// cpuTime is the CPU time the process has used (user and system): on a
// shared machine the wall clock measures the neighbours too.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// countingWriter discards what it is given and counts it.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}
