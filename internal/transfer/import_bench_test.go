package transfer_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"testing"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
	"github.com/crmd/crmd/internal/transfer"
)

// BenchmarkImport imports a client list (CRMD_IMPORT_ROWS rows, 100,000
// by default; 1% malformed, 5% duplicates) and reports rows/s and the
// process's peak RSS, against two baselines measured the same way:
// "parse" reads and maps the file without writing, "create" writes the
// same clients with crm.CreateClient, one call (one transaction) each.
// Run one case per process, so the peak RSS is that case's:
//
//	CI=true go test ./internal/transfer -run XXX -bench 'Import/sqlite/import' -benchtime 1x
func BenchmarkImport(b *testing.B) {
	rows := 100000
	if s := os.Getenv("CRMD_IMPORT_ROWS"); s != "" {
		rows, _ = strconv.Atoi(s)
	}
	// CreateClient's rate is flat in the row count and slow enough
	// that a sample of it is the baseline: CRMD_IMPORT_CREATE_ROWS,
	// 10,000 by default.
	createRows := 10000
	if s := os.Getenv("CRMD_IMPORT_CREATE_ROWS"); s != "" {
		createRows, _ = strconv.Atoi(s)
	}
	data := benchFile(rows)
	for _, backend := range []crmtest.Backend{crmtest.SQLite, crmtest.Postgres} {
		b.Run(string(backend), func(b *testing.B) {
			b.Run("parse", func(b *testing.B) {
				for range b.N {
					n := parseOnly(b, data)
					report(b, n)
				}
			})
			b.Run("create", func(b *testing.B) {
				for range b.N {
					b.StopTimer()
					svc, admin := benchAccount(b, backend)
					b.StartTimer()
					n := 0
					for i := range createRows {
						if i%100 == 99 {
							continue // the malformed rows
						}
						if _, err := svc.CreateClient(context.Background(), admin, crm.NewClient{Name: fmt.Sprintf("Client %d", i),
							Phones: []string{benchPhone(i)}, Emails: []string{fmt.Sprintf("c%d@example.com", i)}}); err != nil {
							b.Fatal(err)
						}
						n++
					}
					report(b, n)
				}
			})
			b.Run("import", func(b *testing.B) {
				for range b.N {
					b.StopTimer()
					svc, admin := benchAccount(b, backend)
					b.StartTimer()
					rep, err := transfer.Import(context.Background(), svc, admin, bytes.NewReader(data), int64(len(data)),
						transfer.ImportOptions{Kind: crm.ImportClients, Header: true, Keep: 1})
					if err != nil {
						b.Fatal(err)
					}
					if rep.Errors != rows/100 || rep.New+rep.Duplicates+rep.Errors != rows {
						b.Fatalf("counts %d new, %d duplicates, %d errors", rep.New, rep.Duplicates, rep.Errors)
					}
					report(b, rows)
				}
			})
		})
	}
}

// benchFile is a semicolon CSV of n clients: every 100th row has a
// malformed email, every 20th repeats the phone of the row before.
func benchFile(n int) []byte {
	var buf bytes.Buffer
	buf.WriteString("Имя;Телефон;Email;Компания;Комментарий\n")
	for i := range n {
		switch {
		case i%100 == 99:
			fmt.Fprintf(&buf, "Клиент %d;;bad%d@;;\n", i, i)
		case i%20 == 10:
			fmt.Fprintf(&buf, "Клиент %d;%s;;;повтор\n", i, benchPhone(i-1))
		default:
			fmt.Fprintf(&buf, "Клиент %d;%s;c%d@example.com;;\n", i, benchPhone(i), i)
		}
	}
	return buf.Bytes()
}

func benchPhone(i int) string {
	return fmt.Sprintf("+7 (9%02d) %03d-%02d-%02d", i/1000000, i/1000%1000, i/10%100, i%10)
}

func benchAccount(b *testing.B, backend crmtest.Backend) (*crm.Service, crm.Actor) {
	ctx := context.Background()
	db, err := store.Open(ctx, crmtest.NewDSN(b, backend))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	a, err := auth.New(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	creds, err := a.CreateAccount(ctx, crm.NewAccount{Name: "Bench"})
	if err != nil {
		b.Fatal(err)
	}
	return crm.NewService(db), crm.Actor{AccountID: creds.AccountID, UserID: creds.UserID, Role: crm.RoleAdmin}
}

// parseOnly reads the file as the import does, mapping every row.
func parseOnly(b *testing.B, data []byte) int {
	r, err := transfer.Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		b.Fatal(err)
	}
	header, err := r.Read()
	if err != nil {
		b.Fatal(err)
	}
	m := transfer.Suggest(crm.ImportClients, header, nil)
	n := 0
	for {
		row, err := r.Read()
		if err == io.EOF {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
		if len(row) != len(m) {
			b.Fatalf("row %d has %d cells", n, len(row))
		}
		n++
	}
}

// report adds rows/s and the process's peak RSS so far.
func report(b *testing.B, rows int) {
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MB") // Linux: KiB
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heap-sys-MB")
}
